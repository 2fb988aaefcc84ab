//! # nasland-core — the exact local-search landscape of a search space
//!
//! Given a search space (who is whose neighbour) and a loss for every architecture, this
//! crate computes the best-improvement local-search step LS(v) for *every* vertex at
//! once, follows it to LS*(v), and summarises the exact landscape: local minima, basins,
//! global optima, P(ε) and path lengths. The definitions are those of DESIGN.md §1:
//! lower loss is better, ties go to the lowest vertex id, and a step is taken only to a
//! strictly better neighbour.
//!
//! Nothing here samples searches to estimate how they behave: every figure is computed
//! exactly from the whole landscape, so a number that differs between two runs points to
//! a bug, not to noise. The examples below go from the landscape, to what a search started
//! anywhere does, to what theory says it should do.
//!
//! # Analyse a product space
//!
//! A [`ProductSpace`] is a categorical product with the Hamming-1 neighbourhood, computed
//! on the fly (no neighbour list is stored). With iid losses every vertex is a local
//! minimum with probability 1/(s+1), so NAS-Bench-201 (5⁶ = 15 625 cells, s = 24) has 625
//! minima in expectation; [`summarize`] then reports P(ε), the share of starts whose
//! descent ends within ε of the best value.
//!
//! ```
//! use nasland_core::{summarize, Landscape, Model, Neighbourhood, ProductSpace, SummaryOptions};
//!
//! let space = ProductSpace::parse("nb201")?;
//! let loss = Model::Uniform.draw(space.len(), 1);
//! let land = Landscape::of_product(&space, &loss);
//! assert!((550..700).contains(&land.local_minima)); // E = 15 625 / 25 = 625
//!
//! // LS* of every start is a local minimum: a fixed point of LS.
//! for v in 0..space.len() {
//!     let end = land.ls_star[v] as usize;
//!     assert_eq!(land.ls[end] as usize, end);
//! }
//!
//! let opts = SummaryOptions { eps: vec![0.0, 0.01], top: 3, max_optimum_archs: 1 };
//! let summary = summarize(&loss, &land, 1.0, &|v| space.encode(v), &opts);
//! let (p0, p1) = (summary.eps_curve[0].p, summary.eps_curve[1].p);
//! assert!(0.0 < p0 && p0 <= p1 && p1 <= 1.0); // a larger ε can only admit more starts
//! assert_eq!(summary.minima[0].value, summary.global_optimum.value);
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! # Per-start success probabilities
//!
//! Best improvement is deterministic, but first improvement (a random order of the
//! neighbours) and best improvement with random tie-breaks are not. [`search::dp`] solves
//! every start at once, exactly: every move lowers the loss, so one sweep in increasing
//! loss order is the whole absorbing Markov chain. Here, on 4⁴ = 256 cells, the chance
//! that a search from each start ends at the global optimum:
//!
//! ```
//! use nasland_core::search::dp::{self, Target};
//! use nasland_core::{Landscape, Model, Neighbourhood, ProductSpace, Variant};
//!
//! let space = ProductSpace::parse("4^4")?;
//! let loss = Model::Uniform.draw(space.len(), 7);
//! let first = dp::solve(&space, &loss, Variant::First, Target::Eps(0.0), 1);
//! let best = dp::solve(&space, &loss, Variant::Best, Target::Eps(0.0), 1);
//!
//! // A start at the optimum has already succeeded, whatever the variant.
//! let opt = first.top_minima[0] as usize;
//! assert_eq!(first.stats[opt].p_success, 1.0);
//!
//! // For best improvement the probability is 0 or 1: whether LS* of the start is the optimum.
//! let land = Landscape::of_product(&space, &loss);
//! for v in 0..space.len() {
//!     let hit = land.ls_star[v] as usize == opt;
//!     assert_eq!(best.stats[v].p_success, if hit { 1.0 } else { 0.0 });
//! }
//!
//! // From a uniformly random start, the probability is the mean over starts.
//! let p = first.mean(|s| s.p_success);
//! assert!(0.0 < p && p < 1.0);
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! [`search::cost`] turns these into the exact expected cost of random restarts, and
//! [`search::simulate`] measures what a cache of evaluated architectures saves.
//!
//! # A theory prediction
//!
//! [`theory::predict`] evaluates the model of White, Nolen & Savani (UAI 2021): a
//! density pdf_n of a vertex's loss (normalised to [0, 1], best at 0) and a density pdf_e
//! of a neighbour's loss given the vertex's. With a uniform pdf_n and iid neighbours it is
//! the model of a random landscape, so its count of local minima is exactly n/(s+1), and a
//! random draw on the same space lands near it, in the count and in P(ε):
//!
//! ```
//! use nasland_core::theory::density::PdfN;
//! use nasland_core::theory::edge::PdfE;
//! use nasland_core::theory::normalise::Normalised;
//! use nasland_core::theory::predict::{self, predict};
//! use nasland_core::{Landscape, Model, Neighbourhood, ProductSpace};
//!
//! let space = ProductSpace::parse("5^6")?;
//! let (n, s) = (space.len(), space.uniform_degree());
//! let model = predict::Model { pdf_n: &PdfN::Uniform, pdf_e: &PdfE::Iid, s, n };
//! let prediction = predict(model, &predict::Options::default());
//! assert!((prediction.local_minima - n as f64 / (s + 1) as f64).abs() < 1e-6);
//!
//! let loss = Model::Uniform.draw(n, 3);
//! let land = Landscape::of_product(&space, &loss);
//! let exact = land.local_minima as f64;
//! assert!((exact / prediction.local_minima - 1.0).abs() < 0.1);
//!
//! // P(ε) in normalised units: the share of starts whose LS* is within 0.05 of the best.
//! let x = Normalised::new(&loss)?.x;
//! let within = land.ls_star.iter().filter(|&&m| x[m as usize] <= 0.05).count();
//! assert!((within as f64 / n as f64 - prediction.p(0.05)).abs() < 0.05);
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! # Tables
//!
//! Spaces that are not products (NAS-Bench-101, a user's graph) and measured metrics are
//! stored in `.nasl` tables; opening one, and its memory-map contract, belong to the
//! [`nasland-table`](../nasland_table/index.html) crate. Any [`Neighbourhood`] works
//! here: [`Landscape::of_graph`] takes a table's graph, or a [`Csr`] built in memory.
//!
//! # Modules
//!
//! One job each: [`space`] (neighbours and architecture strings), [`landscape`] (LS,
//! LS*), [`stats`] (summaries and hardness), [`synth`] (synthetic losses), [`theory`]
//! (predictions), [`search`] (local-search variants per start, search cost, noise),
//! [`progress`] (how long builds report how far they are), [`range`] (value ranges and
//! the ε tolerance, below both stats and search). The types most callers need are
//! re-exported here, at the crate root.

#![deny(missing_docs)]
// An unwrap or expect on a path user input reaches would be a panic; each remaining one
// carries a local allow and the reason it cannot fail (docs/RELIABILITY.md).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
// println!/eprintln! panic when the stream cannot be written (`>/dev/full`); results go
// through cli::stdout's outln! and messages through cli::stderr's errln! instead.
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod landscape;
pub mod lon;
pub mod pages;
pub mod prefetch;
pub mod progress;
pub mod range;
pub mod search;
pub mod space;
pub mod stats;
pub mod synth;
pub mod theory;

pub use landscape::Landscape;
pub use search::Variant;
pub use space::{Csr, Neighbourhood, ProductSpace, VertexId};
pub use stats::{summarize, Summary, SummaryOptions};
pub use synth::Model;

/// A rayon pool of a given size, for the unit tests that check a result does not depend
/// on the thread count.
#[cfg(test)]
fn test_pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// Losses for the unit tests that compare two paths on the same landscape.
#[cfg(test)]
mod test_losses {
    use rand::Rng;

    /// `n` losses: uniform in [0, 1) when `levels` is 0, else integers below `levels`,
    /// so that ties and plateaus occur.
    pub fn draw(rng: &mut impl Rng, n: usize, levels: u32) -> Vec<f64> {
        (0..n)
            .map(|_| {
                if levels == 0 {
                    rng.gen()
                } else {
                    rng.gen_range(0..levels) as f64
                }
            })
            .collect()
    }

    /// [`draw`] as f32 from a seed (integers below `levels` are exact in f32): for the
    /// proptests of the f32 passes.
    pub fn draw_f32(seed: u64, n: usize, levels: u32) -> Vec<f32> {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        draw(&mut rng, n, levels)
            .into_iter()
            .map(|x| x as f32)
            .collect()
    }
}
