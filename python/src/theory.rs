//! `theory`: the paper's model fitted to a landscape, beside the exact values.
//!
//! The fit pipeline is being made into one application-layer function (`nasland::fit`);
//! until it exists this binding refuses rather than copy the command line's pipeline.

use crate::errors::{self, Class};
use pyo3::prelude::*;

/// The paper's model beside the exact landscape (see ``nasland.theory``).
#[pyfunction]
#[pyo3(signature = (*_args, **_kwargs))]
pub fn theory(
    _args: &Bound<'_, pyo3::types::PyTuple>,
    _kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
) -> PyResult<()> {
    Err(errors::raise(
        Class::Other,
        "not_implemented",
        "nasland.theory waits for the application layer's single theory-fit pipeline (nasland::fit); use `nasland theory --json` meanwhile",
    ))
}
