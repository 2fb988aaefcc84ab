//! `lon`: the exact local optima network as numpy columns, and the `lon --json` document,
//! both from the application layer's `nasland::lon` (the code `nasland lon` runs).

use crate::errors::{self, Class};
use crate::input::Request;
use nasland::lon::{self as app, Options};
use nasland_core::lon::{Accept, EdgeModel};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The LON of one input: a dict with ``summary`` (the dict of ``nasland lon --json``),
/// ``nodes`` and ``edges`` (dicts of equal-length columns, named as in ``--out``'s
/// nodes.csv and edges.csv; ``type`` is coded 0 improving, 1 equal, 2 worsening, 3 self).
/// ``nasland.lon`` turns the columns into pandas DataFrames.
#[pyfunction]
#[pyo3(signature = (request, *, strength=2, edges="escape", accept="equal"))]
pub fn lon<'py>(
    py: Python<'py>,
    request: Request,
    strength: usize,
    edges: &str,
    accept: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = Options {
        model: match edges {
            "escape" => EdgeModel::Escape { strength },
            "basin" => EdgeModel::Basin,
            other => return Err(choice("edges", other, "escape, basin")),
        },
        accept: match accept {
            "better" => Accept::Better,
            "equal" => Accept::Equal,
            other => return Err(choice("accept", other, "better, equal")),
        },
    };
    let computed = py.detach(move || -> PyResult<_> {
        let input = request.load()?;
        let land = input.space.landscape(&input.loss);
        let built = app::build(&input, &land, &opts).map_err(|e| errors::to_py(e, Class::Input))?;
        let doc = app::document(&input, &built, &opts);
        let text = serde_json::to_string(&doc).map_err(|e| errors::to_py(e, Class::Other))?;
        let nodes = &built.lon.nodes;
        let k = nodes.len();
        let arch: Vec<String> = nodes.vertex.iter().map(|&v| input.space.arch(v)).collect();
        let value: Vec<f64> = nodes.vertex.iter().map(|&v| input.value(v)).collect();
        let funnel: Vec<u32> = (0..k as u32).map(|i| built.cmlon.funnel_of(i)).collect();
        let e = &built.lon.edges;
        let mut src = Vec::with_capacity(e.len());
        let mut kind = Vec::with_capacity(e.len());
        e.for_each(|i, x| {
            src.push(i);
            kind.push(built.lon.kind(i, x) as u8);
        });
        Ok((text, built, arch, value, funnel, src, kind))
    })?;
    let (text, built, arch, value, funnel, src, kind) = computed;
    let app::Built { lon, chain, cmlon } = built;
    let nodes = PyDict::new(py);
    let k = lon.nodes.len() as u32;
    nodes.set_item("id", PyArray1::from_vec(py, (0..k).collect::<Vec<u32>>()))?;
    nodes.set_item("arch", arch)?;
    nodes.set_item("value", PyArray1::from_vec(py, value))?;
    nodes.set_item("basin", PyArray1::from_vec(py, lon.nodes.basin))?;
    nodes.set_item("funnel", PyArray1::from_vec(py, funnel))?;
    nodes.set_item("cmlon", PyArray1::from_vec(py, cmlon.group_of))?;
    nodes.set_item("ils_success", PyArray1::from_vec(py, chain.success))?;
    nodes.set_item(
        "ils_perturbations",
        PyArray1::from_vec(py, chain.perturbations),
    )?;
    nodes.set_item("vertex", PyArray1::from_vec(py, lon.nodes.vertex))?;
    let edges = PyDict::new(py);
    edges.set_item("src", PyArray1::from_vec(py, src))?;
    edges.set_item("dst", PyArray1::from_vec(py, lon.edges.dst))?;
    edges.set_item("weight", PyArray1::from_vec(py, lon.edges.weight))?;
    edges.set_item("type", PyArray1::from_vec(py, kind))?;
    let out = PyDict::new(py);
    out.set_item(
        "summary",
        py.import("json")?.call_method1("loads", (text,))?,
    )?;
    out.set_item("nodes", nodes)?;
    out.set_item("edges", edges)?;
    Ok(out)
}

fn choice(what: &str, got: &str, names: &str) -> PyErr {
    errors::input(what, format!("{what} = {got:?}: use one of {names}"))
}
