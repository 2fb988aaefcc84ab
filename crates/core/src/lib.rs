//! # nasland-core — the exact local-search landscape of a search space
//!
//! Given a search space (who is whose neighbour) and a loss for every architecture, this
//! crate computes the best-improvement local-search step LS(v) for *every* vertex at
//! once, follows it to LS*(v), and summarises the exact landscape: local minima, basins,
//! global optima, P(ε) and path lengths. The definitions are those of DESIGN.md §1:
//! lower loss is better, ties go to the lowest vertex id, and a step is taken only to a
//! strictly better neighbour.
//!
//! ```
//! use nasland_core::{landscape::Landscape, space::ProductSpace, synth::Model};
//! let space = ProductSpace::parse("nb201").unwrap();
//! let loss = Model::Uniform.draw(15_625, 1);
//! let land = Landscape::of_product(&space, &loss);
//! assert!(land.local_minima > 500 && land.local_minima < 750); // E = 625
//! ```
//!
//! Modules, one job each: [`space`] (neighbours and architecture strings), [`landscape`]
//! (LS, LS*), [`stats`] (summaries), [`synth`] (synthetic losses), [`theory`]
//! (predictions), [`search`] (local-search variants per start, search cost, noise),
//! [`progress`] (how long builds report how far they are).

#![deny(missing_docs)]

pub mod landscape;
pub mod progress;
pub mod search;
pub mod space;
pub mod stats;
pub mod synth;
pub mod theory;
