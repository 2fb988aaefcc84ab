//! What theory predicts about a landscape, to set beside the exact answer.
//!
//! The model of White, Nolen & Savani (UAI 2021, Theorem 5.1): on a space where every
//! vertex has s neighbours, a vertex's loss is drawn from pdf_n and each neighbour's loss,
//! independently, from pdf_e(x, ·) given the vertex's loss x. Modules, one job each:
//! - [`normalise`]: losses to [0, 1], best at 0;
//! - [`density`]: pdf_n (histogram, kernel density, or uniform);
//! - [`edge`]: pdf_e (`paper` truncated normal with σ by maximum likelihood, `empirical`
//!   2-D histogram, `iid`);
//! - [`quad`]: composite Gauss–Legendre integration on [0, 1];
//! - [`recursion`]: preimage sizes E|LS^{-k}(v)| by the paper's recursion or the
//!   tree-exact one;
//! - [`cactus`]: the tree-exact recursion on the clique cactus of a Hamming space K^D;
//! - [`predict`]: E[#local minima] and P(ε), with an integration-error estimate;
//! - [`iid`]: closed forms for iid losses (any graph; uniform in detail);
//! - [`iid_directed`]: a sound bound on the variance of the local-minima count under iid
//!   losses on any directed graph (NAS-Bench-101).
//!
//! docs/THEORY.md derives both recursions and compares them with ground truth.

pub mod cactus;
pub mod density;
pub mod edge;
pub mod iid;
pub mod iid_directed;
pub mod iid_graph;
pub mod normalise;
pub mod predict;
pub mod quad;
pub mod recursion;
