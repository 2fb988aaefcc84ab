//! Summaries of a landscape: minima, basins, global optima, ε-curves, path lengths.

pub mod hardness;
pub(crate) mod lines;
pub mod summary;

pub use hardness::{hardness, Hardness};
pub use summary::{summarize, summarize_compact, Summary, SummaryOptions};
