//! `analyze`: the exact landscape as numpy arrays, and the `analyze --json` document.

use crate::input::Request;
use nasland::analysis::{self, Options, Report};
use nasland::space::VertexId;
use numpy::PyArray1;
use pyo3::prelude::*;

/// The exact best-improvement landscape of one input.
///
/// Arrays are indexed by vertex id and owned by numpy (no copy was made):
///
/// - ``ls`` (uint32): LS(v), the best neighbour if strictly better, else v;
/// - ``ls_star`` (uint32): LS*(v), the local minimum v descends to;
/// - ``path_length`` (uint32): number of LS steps from v to LS*(v);
/// - ``is_local_min`` (bool): LS(v) == v;
/// - ``basin_size`` (uint32): for a local minimum m, the number of starts v with
///   LS*(v) == m (m included); 0 for every other vertex;
/// - ``minima`` (uint32): the ids of the local minima, ascending.
///
/// ``summary()`` returns the dict ``nasland analyze --json`` prints for the same input.
#[pyclass(module = "nasland._nasland", frozen)]
pub struct Analysis {
    #[pyo3(get)]
    ls: Py<PyArray1<VertexId>>,
    #[pyo3(get)]
    ls_star: Py<PyArray1<VertexId>>,
    #[pyo3(get)]
    path_length: Py<PyArray1<u32>>,
    #[pyo3(get)]
    is_local_min: Py<PyArray1<bool>>,
    #[pyo3(get)]
    basin_size: Py<PyArray1<u32>>,
    #[pyo3(get)]
    minima: Py<PyArray1<VertexId>>,
    report: Report,
}

#[pymethods]
impl Analysis {
    /// The summary as a dict, equal to the JSON of ``nasland analyze --json`` for the same
    /// input and options (with a ``hardness`` entry unless ``hardness=False``).
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = serde_json::to_string(&self.report)
            .map_err(|e| crate::errors::to_py(e, crate::errors::Class::Other))?;
        py.import("json")?.call_method1("loads", (text,))
    }

    /// Number of architectures.
    #[getter]
    fn n(&self) -> usize {
        self.report.n
    }

    fn __len__(&self) -> usize {
        self.report.n
    }

    fn __repr__(&self) -> String {
        let s = &self.report.summary;
        format!(
            "<nasland.Analysis {} · {} architectures · {} · {} local minima ({} strict)>",
            self.report.space,
            self.report.n,
            self.report.metric,
            s.local_minima,
            s.strict_local_minima
        )
    }

    /// A small HTML table for Jupyter.
    fn _repr_html_(&self) -> String {
        html(&self.report)
    }
}

/// Analyse one input exactly (see the package docstring of ``nasland.analyze``).
#[pyfunction]
#[pyo3(signature = (request, *, eps=None, top=10, hardness=true))]
pub fn analyze(
    py: Python<'_>,
    request: Request,
    eps: Option<Vec<f64>>,
    top: usize,
    hardness: bool,
) -> PyResult<Analysis> {
    for &e in eps.iter().flatten() {
        crate::errors::check_eps(e)?;
    }
    let opts = Options { eps, top, hardness };
    let computed = py.detach(move || -> PyResult<_> {
        let input = request.load()?;
        let analysis::Analysis { landscape, report } = analysis::analyze(&input, &opts);
        drop(input);
        let n = landscape.ls.len();
        let mut basin_size = vec![0u32; n];
        for &m in &landscape.ls_star {
            basin_size[m as usize] += 1;
        }
        let is_local_min: Vec<bool> = (0..n).map(|v| landscape.ls[v] == v as VertexId).collect();
        let minima: Vec<VertexId> = (0..n as VertexId)
            .filter(|&v| landscape.ls[v as usize] == v)
            .collect();
        Ok((landscape, report, basin_size, is_local_min, minima))
    })?;
    let (landscape, report, basin_size, is_local_min, minima) = computed;
    Ok(Analysis {
        ls: PyArray1::from_vec(py, landscape.ls).unbind(),
        ls_star: PyArray1::from_vec(py, landscape.ls_star).unbind(),
        path_length: PyArray1::from_vec(py, landscape.steps).unbind(),
        is_local_min: PyArray1::from_vec(py, is_local_min).unbind(),
        basin_size: PyArray1::from_vec(py, basin_size).unbind(),
        minima: PyArray1::from_vec(py, minima).unbind(),
        report,
    })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html(r: &Report) -> String {
    let s = &r.summary;
    let g = &s.global_optimum;
    let n = r.n.max(1) as f64;
    let mut rows = vec![
        ("space", format!("{} ({} architectures)", r.space, r.n)),
        (
            "metric",
            format!(
                "{} ({})",
                r.metric,
                if r.maximize {
                    "higher is better"
                } else {
                    "lower is better"
                }
            ),
        ),
        (
            "local minima",
            format!(
                "{} ({} strict); iid expectation {:.1}",
                s.local_minima, s.strict_local_minima, r.expected_local_minima_iid
            ),
        ),
        (
            "best value",
            format!(
                "{} at {} architecture(s); {} starts ({:.2} %) reach it",
                g.value,
                g.count,
                g.basin,
                100.0 * g.basin as f64 / n
            ),
        ),
        (
            "path length",
            format!("mean {:.3}, max {}", s.path_length.mean, s.path_length.max),
        ),
    ];
    for p in &s.eps_curve {
        rows.push(("P(ε)", format!("ε = {}: {:.2} %", p.eps, 100.0 * p.p)));
    }
    let mut out = String::from("<table class=\"nasland-analysis\">");
    for (k, v) in rows {
        out += &format!(
            "<tr><th style=\"text-align:left\">{}</th><td style=\"text-align:left\">{}</td></tr>",
            escape(k),
            escape(&v)
        );
    }
    out += "</table>";
    out
}
