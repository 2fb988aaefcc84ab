//! The exception hierarchy and the one place a Rust error becomes a Python one.
//!
//! `nasland.Error` is the base; `InputError`, `TableError` and `SpaceError` say which
//! layer refused. Each raised exception carries `.kind`, a snake_case name of the Rust
//! error kind, so callers match kinds, not message text.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    nasland,
    Error,
    PyException,
    "Base class of every nasland error; `.kind` names the Rust error kind."
);
create_exception!(
    nasland,
    InputError,
    Error,
    "An input was refused: unknown architecture, duplicate, missing rows, a value that is not a finite number, an unknown column, a contradictory combination of arguments."
);
create_exception!(
    nasland,
    TableError,
    Error,
    "A packed .nasl table could not be read: truncated, not a table, newer version, checksum mismatch, bad structure."
);
create_exception!(
    nasland,
    SpaceError,
    Error,
    "A search-space name was refused (`nb201`, `5^9` and `3x4x5` are spaces)."
);

/// Which exception class an error belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Input,
    Table,
    Space,
    Other,
}

/// An exception of `class` with `kind` and `message`.
pub fn raise(class: Class, kind: &str, message: impl Into<String>) -> PyErr {
    let message = message.into();
    let err = match class {
        Class::Input => InputError::new_err(message),
        Class::Table => TableError::new_err(message),
        Class::Space => SpaceError::new_err(message),
        Class::Other => Error::new_err(message),
    };
    Python::attach(|py| {
        // Setting an attribute on a fresh exception object cannot fail in practice; if it
        // did, the exception without `.kind` is still the right one to raise.
        let _ = err.value(py).setattr("kind", kind);
    });
    err
}

/// An input error of `kind` raised by the Python layer itself (argument checks).
/// Refuses an ε that is not a finite number >= 0, as the command line does.
pub fn check_eps(eps: f64) -> PyResult<()> {
    if eps.is_finite() && eps >= 0.0 {
        Ok(())
    } else {
        Err(input(
            "bad_eps",
            format!("eps = {eps}: ε must be a finite number >= 0"),
        ))
    }
}

pub fn input(kind: &str, message: impl Into<String>) -> PyErr {
    raise(Class::Input, kind, message)
}

/// Turns an error from the `nasland` crates into the matching Python exception;
/// `site` is the class to use when no typed error is found in the chain.
///
/// This is the only function that knows the Rust error types. It walks the error chain
/// from the outside in and stops at the first typed error: `nasland::input::Error` →
/// `InputError`, `nasland_table::Error` → `TableError`, a product-space `ParseError` →
/// `SpaceError`. An input error that only says "the table (or the space) was refused"
/// defers to the typed error inside it. `.kind` is the Rust kind's name in snake_case
/// (`ChecksumMismatch { .. }` → `"checksum_mismatch"`).
pub fn to_py(err: impl Into<anyhow::Error>, site: Class) -> PyErr {
    to_py_rewritten(err, site, ("", ""))
}

/// [`to_py`], with `from` replaced by `to` in the message (a temporary file's path by
/// what the caller passed, e.g. "DataFrame").
pub fn to_py_rewritten(
    err: impl Into<anyhow::Error>,
    site: Class,
    (from, to): (&str, &str),
) -> PyErr {
    use nasland::input::{Error as InputErr, ErrorKind as InputKind};
    use nasland::space::ParseError;
    use nasland::table::Error as TableErr;
    let err = err.into();
    let mut message = format!("{err:#}");
    if !from.is_empty() {
        message = message.replace(from, to);
    }
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<InputErr>() {
            if matches!(e.kind(), InputKind::Table | InputKind::Space) {
                // The table's or the space's own error says more; it may be hidden from
                // the chain (the input error shows its text unchanged).
                let inner = e.inner();
                if let Some(t) = inner.and_then(|i| i.downcast_ref::<TableErr>()) {
                    return raise(Class::Table, &kind_name(t.kind()), message);
                }
                if let Some(p) = inner.and_then(|i| i.downcast_ref::<ParseError>()) {
                    return raise(Class::Space, &kind_name(p.kind()), message);
                }
                continue;
            }
            return raise(Class::Input, &kind_name(e.kind()), message);
        }
        if let Some(e) = cause.downcast_ref::<TableErr>() {
            return raise(Class::Table, &kind_name(e.kind()), message);
        }
        if let Some(e) = cause.downcast_ref::<ParseError>() {
            return raise(Class::Space, &kind_name(e.kind()), message);
        }
    }
    raise(site, "other", message)
}

/// The snake_case name of an enum variant from its `Debug` form.
fn kind_name(kind: &impl std::fmt::Debug) -> String {
    let debug = format!("{kind:?}");
    let variant = debug
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or("");
    let mut out = String::with_capacity(variant.len() + 4);
    for (i, c) in variant.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
