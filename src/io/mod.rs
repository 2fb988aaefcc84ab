//! Reading benchmark tables and writing results.

pub mod columns;
pub mod edges_csv;
pub mod table_csv;
