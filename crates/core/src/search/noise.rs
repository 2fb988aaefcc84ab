//! Noisy evaluations: what training noise does to the landscape local search sees.
//!
//! The model: an architecture's evaluated loss is its mean loss plus independent
//! Gaussian noise N(0, σ²), drawn once per architecture (each is trained once). A *draw*
//! is one such noisy landscape. For K seeded draws we report the number of local minima
//! of each, and for every start the probability (over draws and over the variant's own
//! randomness, exactly per draw) that local search on the noisy values ends within ε of
//! the optimum of the *mean* values.
//!
//! σ can be given, or estimated from a table that holds both a seed-mean column and a
//! one-seed column of the same metric: σ̂ is the sample standard deviation of
//! (one-seed − mean). That is exactly the spread of a one-seed evaluation around the
//! mean the table reports, which is what the model draws — whatever the number of
//! seeds behind the mean.
//!
//! Draw `d` of seed `s` is a function of (s, d) only: values come in fixed blocks, each
//! from its own ChaCha stream, so draws are the same whatever the thread count.

use super::dp::{self, Target};
use super::{domain, rng, within_eps, Variant};
use crate::space::Neighbourhood;
use anyhow::{bail, Result};
use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::Serialize;

/// Vertices per random stream within a draw (part of the definition of a draw).
const BLOCK: usize = 1 << 16;

/// Draws processed at once; fixed so that sums are taken in the same order always.
const DRAW_CHUNK: usize = 8;

/// σ estimated from a mean column and a one-seed column.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct SigmaEstimate {
    /// Sample standard deviation of (one-seed − mean), metric units.
    pub sigma: f64,
    /// Mean of (one-seed − mean): a systematic offset the model does not draw.
    pub bias: f64,
    /// Number of architectures compared.
    pub n: usize,
}

/// σ̂ = sd(one-seed − mean) over all architectures.
pub fn estimate_sigma(mean: &[f64], oneseed: &[f64]) -> Result<SigmaEstimate> {
    if mean.len() != oneseed.len() {
        bail!(
            "the mean and one-seed columns have {} and {} values",
            mean.len(),
            oneseed.len()
        );
    }
    let n = mean.len();
    if n < 2 {
        bail!("estimating σ needs at least 2 architectures");
    }
    let d: Vec<f64> = oneseed.iter().zip(mean).map(|(o, m)| o - m).collect();
    let bias = d.iter().sum::<f64>() / n as f64;
    let var = d.iter().map(|x| (x - bias).powi(2)).sum::<f64>() / (n - 1) as f64;
    Ok(SigmaEstimate {
        sigma: var.sqrt(),
        bias,
        n,
    })
}

/// Noisy draw `draw` of `loss` with standard deviation `sigma` (σ = 0 returns `loss`).
pub fn noisy(loss: &[f64], sigma: f64, seed: u64, draw: u64) -> Vec<f64> {
    let mut out = loss.to_vec();
    if sigma == 0.0 {
        return out;
    }
    out.par_chunks_mut(BLOCK)
        .enumerate()
        .for_each(|(b, chunk)| {
            let mut rng = rng(seed, domain::NOISE, (draw << 32) | b as u64);
            for x in chunk {
                let z: f64 = rng.sample(StandardNormal);
                *x += sigma * z;
            }
        });
    out
}

/// What to draw and ask.
#[derive(Clone, Copy, Debug)]
pub struct NoiseOptions {
    /// Standard deviation of the Gaussian noise added to every loss, in loss units.
    pub sigma: f64,
    /// Noisy copies of the landscape to draw; more draws narrow the reported spread.
    pub draws: usize,
    /// Seed of the draws, so a run can be repeated exactly.
    pub seed: u64,
    /// The local-search variant run on every noisy copy.
    pub variant: Variant,
    /// Success: ending within ε of the optimum of the mean values (loss units).
    pub eps: f64,
}

/// Summary of a count over draws.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct CountStats {
    /// Mean over the draws.
    pub mean: f64,
    /// Smallest count seen in any draw.
    pub min: usize,
    /// Largest count seen in any draw.
    pub max: usize,
}

impl CountStats {
    /// Summarises the counts of all draws; zeros when there are none, so an empty run still reports.
    pub fn of(xs: &[usize]) -> Self {
        CountStats {
            mean: xs.iter().sum::<usize>() as f64 / xs.len().max(1) as f64,
            min: xs.iter().copied().min().unwrap_or(0),
            max: xs.iter().copied().max().unwrap_or(0),
        }
    }
}

/// The noisy landscapes of one σ.
#[derive(Clone, Debug)]
pub struct NoiseReport {
    /// Local minima of each draw, in draw order.
    pub local_minima: Vec<usize>,
    /// Per start: P(search on noisy values ends within ε of the mean optimum), averaged
    /// over the draws.
    pub p_success: Vec<f64>,
}

impl NoiseReport {
    /// Mean of `p_success` over starts.
    pub fn mean_p_success(&self) -> f64 {
        self.p_success.iter().sum::<f64>() / self.p_success.len() as f64
    }
}

/// Exact per-start success of `variant` moving on `values`, success judged by `mask`;
/// returns (local minima of `values`, per-start probabilities).
pub fn success_on<N: Neighbourhood>(
    space: &N,
    values: &[f64],
    mask: &[bool],
    variant: Variant,
) -> (usize, Vec<f64>) {
    let starts = dp::solve(space, values, variant, Target::Mask(mask), 0);
    let p = starts.stats.iter().map(|s| s.p_success).collect();
    (starts.local_minima, p)
}

/// Draws `opts.draws` noisy landscapes around `loss` (the mean values) and measures them.
pub fn analyze<N: Neighbourhood>(space: &N, loss: &[f64], opts: &NoiseOptions) -> NoiseReport {
    let n = loss.len();
    let mask = within_eps(loss, opts.eps);
    let mut local_minima = Vec::with_capacity(opts.draws);
    let mut p_success = vec![0.0; n];
    let draws: Vec<u64> = (0..opts.draws as u64).collect();
    for chunk in draws.chunks(DRAW_CHUNK) {
        let results: Vec<(usize, Vec<f64>)> = chunk
            .par_iter()
            .map(|&d| {
                let values = noisy(loss, opts.sigma, opts.seed, d);
                success_on(space, &values, &mask, opts.variant)
            })
            .collect();
        for (lm, p) in results {
            local_minima.push(lm);
            for (acc, x) in p_success.iter_mut().zip(p) {
                *acc += x;
            }
        }
    }
    let k = opts.draws.max(1) as f64;
    p_success.iter_mut().for_each(|p| *p /= k);
    NoiseReport {
        local_minima,
        p_success,
    }
}
