//! Pieces shared by the search commands (`starts`, `simulate`, `noise`).

pub use crate::format::describe_input;
use crate::input::{Input, Source};
use crate::search::Variant;
use crate::space::Neighbourhood;
use serde::Serialize;

/// Parses `--variant`.
pub fn parse_variant(s: &str) -> Result<Variant, String> {
    Variant::parse(s).map_err(|e| e.to_string())
}

/// The input fields every search command's JSON starts with.
#[derive(Serialize)]
pub struct InputHeader<'a> {
    pub space: String,
    pub n: usize,
    pub metric: &'a str,
    pub maximize: bool,
    pub source: &'a Source,
}

impl<'a> InputHeader<'a> {
    pub fn of(input: &'a Input) -> Self {
        InputHeader {
            space: input.space.name(),
            n: input.space.len(),
            metric: &input.metric,
            maximize: input.maximize,
            source: &input.source,
        }
    }
}

/// The first line of a search command's human output.
pub fn headline(command: &str, input: &InputHeader, variant: &str, eps: f64) -> String {
    format!(
        "nasland {command} · {} · {} architectures · variant {variant} · ε = {}",
        input.space,
        crate::format::thousands(input.n as u64),
        crate::format::value(eps)
    )
}
