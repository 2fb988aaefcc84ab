//! `nasland._nasland`: the Python extension over the `nasland` application crate.
//!
//! Every function resolves its input with the same application-layer code the command
//! line uses (`nasland::input`, `nasland::analysis`, `nasland::pack`, …), releases the GIL
//! while it computes, and hands results to numpy without copying them (a `Vec` becomes
//! the array's buffer; a mapped table column is viewed in place). The pure-Python package
//! `nasland` on top adds pandas input and re-exports everything.

// An unwrap or expect on a path user input reaches would be a panic; each remaining one
// carries a local allow and the reason it cannot fail (docs/RELIABILITY.md).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
// println!/eprintln! panic when the stream cannot be written (`>/dev/full`); results go
// through cli::stdout's outln! and messages through cli::stderr's errln! instead.
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

use pyo3::prelude::*;

mod analyze;
mod errors;
mod input;
mod lon;
mod pack;
mod report;
mod starts;
mod table;
mod theory;

/// The extension module. Its contents are re-exported by the `nasland` package.
#[pymodule]
fn _nasland(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Error", py.get_type::<errors::Error>())?;
    m.add("InputError", py.get_type::<errors::InputError>())?;
    m.add("TableError", py.get_type::<errors::TableError>())?;
    m.add("SpaceError", py.get_type::<errors::SpaceError>())?;
    m.add_class::<analyze::Analysis>()?;
    m.add_class::<table::Table>()?;
    m.add_class::<starts::Starts>()?;
    m.add_function(wrap_pyfunction!(analyze::analyze, m)?)?;
    m.add_function(wrap_pyfunction!(starts::starts, m)?)?;
    m.add_function(wrap_pyfunction!(pack::pack, m)?)?;
    m.add_function(wrap_pyfunction!(theory::theory, m)?)?;
    m.add_function(wrap_pyfunction!(lon::lon, m)?)?;
    m.add_function(wrap_pyfunction!(report::report, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
