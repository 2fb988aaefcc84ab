//! What local search *does* from every start: success probabilities of its variants,
//! the cost of search, and what evaluation noise does to the landscape.
//!
//! Every variant here moves only to a strictly better neighbour, so the moves form a DAG
//! ordered by loss and local search is an absorbing Markov chain on it. One sweep over
//! the vertices in increasing (loss, id) order solves that chain exactly for every start
//! at once ([`dp`]). The per-start figures give the exact cost of independent restarts
//! ([`cost`]); a Monte Carlo [`simulate`]r runs the algorithm as the paper's code does
//! (query cache shared across restarts, best of `num_init` random starts, a budget) to
//! set beside it; [`noise`] draws noisy landscapes and asks how often local search on
//! noisy values still ends near the optimum of the mean values.
//!
//! Everything is generic over [`Neighbourhood`](crate::space::Neighbourhood) and a loss
//! slice (lower is better), so product spaces, explicit graphs and synthetic inputs all
//! work the same way.

pub mod cost;
pub mod dp;
mod first;
mod forest;
pub mod long_lines;
mod masked;
pub mod noise;
pub mod simulate;
mod turns;

use anyhow::{bail, Result};
use std::fmt;

/// A local-search variant. All stop at a vertex with no strictly better neighbour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// Best improvement, ties to the lowest vertex id: DESIGN.md's LS, one path per start.
    Best,
    /// Best improvement, ties among the equally best neighbours broken uniformly at random.
    BestRandomTies,
    /// First improvement over a uniformly random order of the neighbourhood: moves to
    /// each strictly better neighbour with probability 1/|better(v)|.
    First,
}

impl Variant {
    /// All variants, in the order the CLI lists them.
    pub const ALL: [Variant; 3] = [Variant::Best, Variant::BestRandomTies, Variant::First];

    /// Parses `best`, `best-random-ties` or `first`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "best" => Ok(Variant::Best),
            "best-random-ties" => Ok(Variant::BestRandomTies),
            "first" => Ok(Variant::First),
            _ => bail!("unknown variant {s:?}: use best, best-random-ties or first"),
        }
    }

    /// True when the variant scans the whole neighbourhood before moving.
    pub(crate) fn scans_all(self) -> bool {
        !matches!(self, Variant::First)
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Variant::Best => "best",
            Variant::BestRandomTies => "best-random-ties",
            Variant::First => "first",
        })
    }
}

pub use crate::range::within_eps;

/// Domains of the random streams, so the same `--seed` drives independent streams for
/// synthetic losses, simulation and noise.
pub(crate) mod domain {
    pub const SIMULATE: u64 = 0x5349_4d55_4c41_5445; // "SIMULATE"
    pub const NOISE: u64 = 0x4e4f_4953_4500_0000; // "NOISE"
}

/// The random stream `stream` of `(seed, domain)`: ChaCha8 keyed by both, so results
/// depend on the seed and the stream index only, never on thread scheduling.
pub(crate) fn rng(seed: u64, domain: u64, stream: u64) -> rand_chacha::ChaCha8Rng {
    use rand::SeedableRng;
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&domain.to_le_bytes());
    let mut rng = rand_chacha::ChaCha8Rng::from_seed(key);
    rng.set_stream(stream);
    rng
}
