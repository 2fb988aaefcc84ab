//! # nasland — the application layer over `nasland-core` and `nasland-table`
//!
//! The library behind the `nasland` command line and the Python package. The algorithms
//! live in [`nasland_core`] and the file format in [`nasland_table`]; this layer owns the
//! decisions a user makes, so that the CLI and Python make them the same way:
//!
//! - [`space`]: which space — the [`Space`](space::Space) enum over a product computed on
//!   the fly and a packed `.nasl` graph, with architecture strings for both;
//! - [`input`]: which losses — a CSV column keyed by architecture, a packed column, or
//!   synthetic draws — checked (unknown, duplicate, missing architectures) with typed
//!   errors;
//! - [`pack`]: the recipes that turn a space and its tables into a `.nasl` file;
//! - [`analysis`]: one analysis of one input, the document `analyze --json` prints;
//! - [`lon`]: one local optima network, the document `lon --json` prints;
//! - [`fit`]: the one theory-fit pipeline, so `nasland theory`, the report and Python agree;
//! - [`report`]: plots and the report page;
//! - [`io`] (CSV readers, atomic writes), [`format`] (how numbers are printed) and [`cli`]
//!   (the only place that names flags).
//!
//! The core modules are re-exported under their old paths (`nasland::landscape`,
//! `nasland::stats`, …), and the table crate as [`table`].
//!
//! Analysing synthetic losses on NAS-Bench-201 takes an [`Input`](input::Input) and
//! returns the landscape with its report:
//!
//! ```
//! use nasland::analysis::{analyze, Options};
//! use nasland::input::Input;
//! use nasland::space::{ProductSpace, Space};
//! use nasland::synth::Model;
//!
//! let space = Space::Product(ProductSpace::parse("nb201")?);
//! let input = Input::synthetic(space, Model::Uniform, 1);
//! let analysis = analyze(&input, &Options::default());
//! let report = &analysis.report;
//! assert_eq!(report.n, 15_625);
//! assert!((report.expected_local_minima_iid - 625.0).abs() < 1e-9); // n / (s + 1)
//! assert!((550..700).contains(&report.summary.local_minima));
//! assert_eq!(report.summary.local_minima, analysis.landscape.local_minima);
//! assert!(report.hardness.is_some()); // computed unless Options::hardness is false
//! # Ok::<(), anyhow::Error>(())
//! ```

// An unwrap or expect on a path user input reaches would be a panic; each remaining one
// carries a local allow and the reason it cannot fail (docs/RELIABILITY.md).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
// println!/eprintln! panic when the stream cannot be written (`>/dev/full`); results go
// through cli::stdout's outln! and messages through cli::stderr's errln! instead.
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub use nasland_core::{landscape, progress, range, search, stats, synth, theory};
pub use nasland_table as table;

pub mod analysis;
pub mod cli;
pub mod fit;
pub mod format;
pub mod input;
pub mod io;
pub mod labelled;
pub mod lon;
pub mod memory;
pub mod pack;
pub mod report;
pub mod space;
