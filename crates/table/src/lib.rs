//! The landscape table: a space's vertices, their neighbour lists and metric columns in
//! one memory-mapped, bit-packed file (`.nasl`), so that one parallel pass computes
//! LS(v) for every vertex of *any* space — product spaces made explicit, NAS-Bench-101,
//! NAS-Bench-Graph, random graphs, a user's own edge list.
//!
//! `docs/FORMAT.md` specifies the file byte by byte. In short: a checked header, a
//! directory of sections each with its CRC-32, neighbour indices bit-packed at
//! ⌈log2 n⌉ bits (with bit-packed CSR offsets when the degree varies), keys (ids, a
//! product-space codec, or a string table) and metric columns (f64, or f32 when that is
//! lossless), all little-endian and 64-byte aligned so columns are read in place.
//!
//! - [`format`](mod@format): the layout (header, directory), as constants and codecs;
//! - [`bits`]: the bit-packed layout's decoder;
//! - [`writer`]: building a file from any [`Neighbourhood`](nasland_core::space::Neighbourhood)
//!   with [`write()`], atomically (temporary file, self-verification, rename), optionally
//!   zstd-compressed;
//! - [`Table`]: opening (memory map, or zstd into anonymous memory) with lazy, one-pass
//!   verification of each large section — read [`Table::open`] for the memory-map contract;
//! - [`PackedGraph`]: the neighbour relation decoded in place;
//! - [`atomic`]: the one way nasland replaces a file (temporary file, fsync, rename);
//! - [`Error`]: every failure, with an [`ErrorKind`] to match on.
//!
//! ```
//! use nasland_core::space::{Neighbourhood, ProductSpace};
//! use nasland_table::{self as table, Table};
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("3x4.nasl");
//! let space = ProductSpace::parse("3x4").unwrap();
//! table::write(&path, &table::Contents {
//!     graph: &space,
//!     keys: table::KeySource::Product("3x4".into()),
//!     columns: vec![],
//!     meta: Default::default(),
//! }, Default::default()).unwrap();
//! let graph = Table::open(&path).unwrap().graph().unwrap();
//! assert_eq!(graph.len(), 12);
//! let mut nb = vec![];
//! graph.for_each_neighbour(0, |u| nb.push(u));
//! assert_eq!(nb, vec![1, 2, 3, 6, 9]); // sorted: digit 0 changes, then digit 1
//! ```

#![deny(missing_docs)]
// An unwrap or expect on a path user input reaches would be a panic; each remaining one
// carries a local allow and the reason it cannot fail (docs/RELIABILITY.md).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
// println!/eprintln! panic when the stream cannot be written (`>/dev/full`); results go
// through cli::stdout's outln! and messages through cli::stderr's errln! instead.
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod atomic;
pub mod bits;
mod error;
pub mod format;
mod graph;
mod reader;
pub mod writer;

pub use error::{Error, ErrorKind, Region};
pub use graph::PackedGraph;
pub use reader::{ColumnInfo, Keys, Table, Values};
pub use writer::{write, ColumnSource, Contents, KeySource, WriteOptions};
