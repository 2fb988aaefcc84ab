//! Summaries of a landscape: minima, basins, global optima, ε-curves, path lengths.

pub mod summary;

pub use summary::{summarize, Summary, SummaryOptions};
