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
pub fn input(kind: &str, message: impl Into<String>) -> PyErr {
    raise(Class::Input, kind, message)
}

/// Turns an error from the `nasland` crates into the matching Python exception;
/// `site` is the class to use when the error itself does not say (a file that cannot be
/// read is a `TableError` when opening a table, an `InputError` when reading a CSV).
///
/// This is the only function that knows the Rust error types. It walks the error chain
/// and downcasts each link to the typed errors the crates define.
///
/// TODO(typed errors): `nasland_table::Error` (branch `table-errors`) and
/// `nasland::input::Error` (branch `input-errors`) are not on this branch yet; until they
/// are, most errors arrive as untyped `anyhow` messages and [`classify_text`] names their
/// kind from the message. When those branches merge, downcast to them here (their
/// `kind()` gives the name) and delete `classify_text`.
pub fn to_py(err: anyhow::Error, site: Class) -> PyErr {
    to_py_rewritten(err, site, ("", ""))
}

/// [`to_py`], with `from` replaced by `to` in the message (a temporary file's path by
/// what the caller passed, e.g. "DataFrame").
pub fn to_py_rewritten(err: anyhow::Error, site: Class, (from, to): (&str, &str)) -> PyErr {
    let mut message = format!("{err:#}");
    if !from.is_empty() {
        message = message.replace(from, to);
    }
    for cause in err.chain() {
        let io = match cause.downcast_ref::<csv::Error>().map(csv::Error::kind) {
            Some(csv::ErrorKind::Io(e)) => Some(e),
            _ => cause.downcast_ref::<std::io::Error>(),
        };
        if let Some(e) = io {
            let kind = match e.kind() {
                std::io::ErrorKind::NotFound => "not_found",
                std::io::ErrorKind::PermissionDenied => "permission_denied",
                _ => "io",
            };
            return raise(site, kind, message);
        }
    }
    match classify_text(&message) {
        Some((class, kind)) => raise(class, kind, message),
        None => raise(site, "other", message),
    }
}

/// Names the kind of an untyped error from its message (see the TODO on [`to_py`]).
fn classify_text(m: &str) -> Option<(Class, &'static str)> {
    use Class::*;
    // First match wins: the specific phrases come before the generic ones.
    const RULES: &[(&str, Class, &str)] = &[
        (
            "is not an architecture of this space",
            Input,
            "unknown_architecture",
        ),
        ("appears twice", Input, "duplicate"),
        ("every architecture needs a row", Input, "missing"),
        ("is not finite", Input, "not_a_number"),
        ("is not a number", Input, "not_a_number"),
        ("has no key column", Input, "unknown_column"),
        ("has no metric column", Input, "unknown_column"),
        ("was packed as lower-is-better", Input, "direction_conflict"),
        ("give either", Input, "conflicting_inputs"),
        ("checksum mismatch", Table, "checksum_mismatch"),
        ("is newer than this nasland reads", Table, "newer_version"),
        ("written by a newer nasland", Table, "newer_version"),
        ("not a nasland table", Table, "not_a_table"),
        ("truncated", Table, "truncated"),
        ("the file is empty", Table, "truncated"),
        ("cannot open table", Table, "structure"),
        ("unknown space", Space, "unknown_space"),
        (
            "every dimension needs at least 2 choices",
            Space,
            "degenerate",
        ),
        ("more than 2^32 - 1 vertices", Space, "too_large"),
        ("synthetic model", Input, "model"),
        ("levels:K", Input, "model"),
        ("in normalised units", Input, "bad_eps"),
    ];
    RULES
        .iter()
        .find(|(needle, _, _)| m.contains(needle))
        .map(|&(_, class, kind)| (class, kind))
}
