//! Reading benchmark tables and writing results.

pub mod table_csv;
pub mod edges_csv;
