//! `theory`: the paper's model fitted to a landscape, beside the exact values, by the
//! application layer's one fit pipeline (`nasland::fit`), as `nasland theory --json`.

use crate::errors::{self, Class};
use crate::input::Request;
use nasland::fit::{self, PdfEKind, PdfNKind};
use nasland::theory::recursion::Recursion;
use pyo3::prelude::*;

/// The model's prediction beside the exact landscape (see ``nasland.theory``); returns
/// the dict of ``nasland theory --json``.
#[pyfunction]
#[pyo3(signature = (request, *, pdf_n="hist", bins=None, pdf_e="paper", recursion="tree-exact", eps_norm=None))]
pub fn theory<'py>(
    py: Python<'py>,
    request: Request,
    pdf_n: &str,
    bins: Option<usize>,
    pdf_e: &str,
    recursion: &str,
    eps_norm: Option<Vec<f64>>,
) -> PyResult<Bound<'py, PyAny>> {
    let opts = fit::Options {
        pdf_n: match pdf_n {
            "hist" => PdfNKind::Hist,
            "kde" => PdfNKind::Kde,
            "uniform" => PdfNKind::Uniform,
            other => return Err(choice("pdf_n", other, "hist, kde, uniform")),
        },
        bins,
        pdf_e: match pdf_e {
            "paper" => PdfEKind::Paper,
            "empirical" => PdfEKind::Empirical,
            "iid" => PdfEKind::Iid,
            other => return Err(choice("pdf_e", other, "paper, empirical, iid")),
        },
        recursion: Recursion::from_name(recursion).ok_or_else(|| {
            let names: Vec<&str> = Recursion::ALL.iter().map(|r| r.name()).collect();
            choice("recursion", recursion, &names.join(", "))
        })?,
        // fit::predict finds the space's cliques itself.
        cliques: Err(String::new()),
        eps_norm: eps_norm.unwrap_or_else(|| fit::DEFAULT_EPS_NORM.to_vec()),
    };
    if let Some(b) = bins.filter(|b| !(2..=2000).contains(b)) {
        return Err(errors::input("bins", format!("bins = {b}: give 2 to 2000")));
    }
    let text = py.detach(move || -> PyResult<String> {
        let input = request.load()?;
        let doc = fit::predict(&input, &opts).map_err(|e| errors::to_py(e, Class::Input))?;
        serde_json::to_string(&doc).map_err(|e| errors::to_py(e, Class::Other))
    })?;
    py.import("json")?.call_method1("loads", (text,))
}

fn choice(what: &str, got: &str, names: &str) -> PyErr {
    errors::input(what, format!("{what} = {got:?}: use one of {names}"))
}
