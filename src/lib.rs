//! # nasland — the application layer over `nasland-core` and `nasland-table`
//!
//! The library behind the `nasland` command line and the Python package: which space
//! (a product computed on the fly, or a packed `.nasl` graph), which input (a CSV table,
//! a packed column, synthetic losses), how tables are packed, and the report. The
//! algorithms live in [`nasland_core`]; the file format in [`nasland_table`].
//!
//! ```
//! use nasland::{landscape::Landscape, space::ProductSpace, synth::Model};
//! let space = ProductSpace::parse("nb201").unwrap();
//! let loss = Model::Uniform.draw(15_625, 1);
//! let land = Landscape::of_product(&space, &loss);
//! assert!(land.local_minima > 500 && land.local_minima < 750); // E = 625
//! ```

pub use nasland_core::{landscape, progress, range, search, stats, synth, theory};
pub use nasland_table as table;

pub mod analysis;
pub mod cli;
pub mod fit;
pub mod format;
pub mod input;
pub mod io;
pub mod pack;
pub mod report;
pub mod space;
