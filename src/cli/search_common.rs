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

/// `--num-init K` draws K distinct architectures, so K cannot exceed the `n` the space has:
/// a usage error (exit 2) naming the option, checked before any work when the space is
/// known from the command line and again once a packed table gives its size.
pub fn check_num_init(num_init: u32, n: u64) -> anyhow::Result<()> {
    if num_init as u64 > n {
        return Err(super::Usage::wrap(anyhow::anyhow!(
            "--num-init {num_init} draws more architectures than the space has ({n}); give at most {n}"
        )));
    }
    Ok(())
}

/// [`check_num_init`] against the space the command line names, if it names one.
pub fn check_num_init_args(num_init: u32, input: &super::args::InputArgs) -> anyhow::Result<()> {
    match input.product_space() {
        Some(p) => check_num_init(num_init, p.len() as u64),
        None => Ok(()),
    }
}
