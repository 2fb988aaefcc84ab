//! How a command prints its one document: pretty JSON for programs (`--json`), or text
//! for people. Every command builds its document first and hands it here, so the two
//! forms never show different numbers and a new format is added in one place.

use anyhow::Result;
use serde::Serialize;

/// Prints `doc` as pretty JSON when `json` is set, otherwise through `human`.
pub fn print<T: Serialize + ?Sized>(doc: &T, json: bool, human: impl FnOnce(&T)) -> Result<()> {
    if json {
        outln!("{}", serde_json::to_string_pretty(doc)?);
    } else {
        human(doc);
    }
    Ok(())
}

/// One document, or several printed as a JSON array (a sweep).
#[derive(Serialize)]
#[serde(untagged)]
pub enum OneOrMany<'a, T: Serialize> {
    One(&'a T),
    Many(&'a [T]),
}

impl<'a, T: Serialize> OneOrMany<'a, T> {
    /// The only item of a one-element list, the list otherwise.
    pub fn of(items: &'a [T]) -> Self {
        match items {
            [one] => OneOrMany::One(one),
            _ => OneOrMany::Many(items),
        }
    }
}
