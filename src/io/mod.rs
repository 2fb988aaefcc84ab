//! Reading benchmark tables and writing results.

pub mod edges_csv;
pub mod table_csv;
