//! pdf_e(x, ·): the density of a neighbour's normalised loss given the vertex's loss x.
//!
//! Three models:
//! - `paper`: a normal around x truncated to [0, 1],
//!   pdf_e(x, y) = φ((y − x)/σ) / (σ·Z(x)), Z(x) = Φ((1 − x)/σ) − Φ(−x/σ),
//!   as in the authors' code; σ by maximum likelihood over all ordered neighbour pairs
//!   (v, u) ([`fit_sigma`]).
//! - `empirical`: the conditional density read off the 2-D histogram of
//!   (x(v), x(u)) over all ordered neighbour pairs, on the same B equal bins as pdf_n's
//!   histogram: row b of the histogram, normalised, is pdf_e(x, ·) for x in bin b. A row
//!   with no pair (no vertex in that bin) borrows the pooled distribution of all pairs.
//! - `iid`: pdf_e(x, ·) = pdf_n, no locality at all.
//!
//! The recursions only ever evaluate pdf_e at pairs of integration nodes, so a model is
//! first turned into [`NodeTables`] for the grid's nodes: per-node caches that make each
//! pair O(1).

use super::density::{bin_of, norm_cdf, norm_diff, norm_pdf, PdfN};
use crate::space::{Neighbourhood, VertexId};
use rayon::prelude::*;
use serde::Serialize;

/// Vertices per parallel chunk in the sums below; fixed so that floating-point sums are
/// the same whatever the thread count.
const CHUNK: usize = 1 << 14;

/// A neighbour-loss model.
#[derive(Clone, Debug)]
pub enum PdfE {
    /// Normal around x truncated to [0, 1].
    Paper {
        /// σ and the quality of its fit.
        fit: SigmaFit,
    },
    /// Conditional density from the 2-D histogram of neighbour pairs.
    Empirical(Hist2d),
    /// pdf_e(x, ·) = pdf_n.
    Iid,
}

/// The `paper` model's σ and how it was fitted.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct SigmaFit {
    /// The fitted standard deviation in normalised units.
    pub sigma: f64,
    /// Log-likelihood of all ordered neighbour pairs at σ (normalised units).
    pub log_likelihood: f64,
    /// Number of ordered pairs (v, u), u ∈ N(v).
    pub pairs: u64,
    /// True when the optimum sits on the search bound [1e-4, 10]: σ is not identified.
    pub at_bound: bool,
}

/// Row-normalised 2-D histogram of ordered neighbour pairs on B × B equal bins.
#[derive(Clone, Debug)]
pub struct Hist2d {
    bins: usize,
    /// `mass[r * B + c]`: share of the pairs of row r whose neighbour falls in column c.
    mass: Vec<f64>,
    /// `above[r * (B + 1) + c]` = Σ_{c' ≥ c} mass[r][c'].
    above: Vec<f64>,
    /// Rows that had no pair and use the pooled distribution.
    pub empty_rows: usize,
    /// Ordered neighbour pairs counted.
    pub pairs: u64,
}

/// What pdf_e is, for the JSON output.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PdfEInfo {
    /// The truncated normal of the `paper` model, with its fit.
    Paper {
        /// See [`SigmaFit::sigma`].
        sigma: f64,
        /// See [`SigmaFit::log_likelihood`].
        log_likelihood: f64,
        /// See [`SigmaFit::pairs`].
        pairs: u64,
        /// See [`SigmaFit::at_bound`].
        at_bound: bool,
    },
    /// A conditional histogram of neighbour pairs.
    Empirical {
        /// Bins per axis.
        bins: usize,
        /// Ordered neighbour pairs counted.
        pairs: u64,
        /// Rows with no pair, which use the pooled distribution.
        empty_rows: usize,
    },
    /// Neighbour losses independent of the vertex's own: the iid model.
    Iid,
}

impl PdfE {
    /// pdf_e(x, y) from the model (slow path; the recursions use [`NodeTables`]).
    pub fn density(&self, pdf_n: &PdfN, x: f64, y: f64) -> f64 {
        match self {
            PdfE::Paper { fit } => truncnorm_density(fit.sigma, x, y),
            PdfE::Empirical(h) => {
                h.mass[bin_of(x, h.bins) * h.bins + bin_of(y, h.bins)] * h.bins as f64
            }
            PdfE::Iid => pdf_n.density(y),
        }
    }

    /// Caches for evaluating the model at pairs of `nodes`.
    pub fn tables<'a>(&'a self, pdf_n: &PdfN, nodes: &[f64]) -> NodeTables<'a> {
        let kind = match self {
            PdfE::Paper { fit } => {
                let s = fit.sigma;
                Tables::Paper {
                    sigma: s,
                    inv_z: nodes
                        .iter()
                        .map(|&x| 1.0 / norm_diff((1.0 - x) / s, -x / s))
                        .collect(),
                }
            }
            PdfE::Empirical(h) => Tables::Empirical {
                hist: h,
                bin: nodes.iter().map(|&x| bin_of(x, h.bins)).collect(),
            },
            PdfE::Iid => Tables::Iid {
                pdf: nodes.iter().map(|&x| pdf_n.density(x)).collect(),
                survival: nodes.iter().map(|&x| 1.0 - pdf_n.cdf(x)).collect(),
            },
        };
        NodeTables {
            nodes: nodes.to_vec(),
            kind,
        }
    }

    /// Points where pdf_e may jump in either argument.
    pub(crate) fn breakpoints(&self) -> Vec<f64> {
        match self {
            PdfE::Empirical(h) => (1..h.bins).map(|i| i as f64 / h.bins as f64).collect(),
            _ => vec![],
        }
    }

    /// Widest integration panel that resolves the model's features.
    pub(crate) fn max_width(&self) -> f64 {
        match self {
            PdfE::Paper { fit } => fit.sigma / 2.0,
            _ => 1.0,
        }
    }

    /// What this model is, for output.
    pub fn info(&self) -> PdfEInfo {
        match self {
            PdfE::Paper { fit } => PdfEInfo::Paper {
                sigma: fit.sigma,
                log_likelihood: fit.log_likelihood,
                pairs: fit.pairs,
                at_bound: fit.at_bound,
            },
            PdfE::Empirical(h) => PdfEInfo::Empirical {
                bins: h.bins,
                pairs: h.pairs,
                empty_rows: h.empty_rows,
            },
            PdfE::Iid => PdfEInfo::Iid,
        }
    }
}

/// The truncated normal of the `paper` model.
pub(crate) fn truncnorm_density(sigma: f64, x: f64, y: f64) -> f64 {
    norm_pdf((y - x) / sigma) / (sigma * norm_diff((1.0 - x) / sigma, -x / sigma))
}

/// Per-node caches of a model on a grid.
pub struct NodeTables<'a> {
    nodes: Vec<f64>,
    kind: Tables<'a>,
}

enum Tables<'a> {
    Paper { sigma: f64, inv_z: Vec<f64> },
    Empirical { hist: &'a Hist2d, bin: Vec<usize> },
    Iid { pdf: Vec<f64>, survival: Vec<f64> },
}

impl NodeTables<'_> {
    /// pdf_e(x_i, x_j).
    #[inline]
    pub fn density(&self, i: usize, j: usize) -> f64 {
        match &self.kind {
            Tables::Paper { sigma, inv_z } => {
                norm_pdf((self.nodes[j] - self.nodes[i]) / sigma) * inv_z[i] / sigma
            }
            Tables::Empirical { hist, bin } => {
                hist.mass[bin[i] * hist.bins + bin[j]] * hist.bins as f64
            }
            Tables::Iid { pdf, .. } => pdf[j],
        }
    }

    /// ∫_{x_i}^1 pdf_e(x_j, t) dt: the chance that a neighbour of a vertex at x_j is
    /// worse than x_i.
    #[inline]
    pub fn tail(&self, j: usize, i: usize) -> f64 {
        match &self.kind {
            Tables::Paper { sigma, inv_z } => {
                let (xj, xi) = (self.nodes[j], self.nodes[i]);
                norm_diff((1.0 - xj) / sigma, (xi - xj) / sigma) * inv_z[j]
            }
            Tables::Empirical { hist, bin } => {
                let (b, r, c) = (hist.bins, bin[j], bin[i]);
                let frac = (c + 1) as f64 - self.nodes[i] * b as f64;
                hist.above[r * (b + 1) + c + 1] + hist.mass[r * b + c] * frac
            }
            Tables::Iid { survival, .. } => survival[i],
        }
    }
}

/// Maximum-likelihood σ of the `paper` model over all ordered neighbour pairs.
///
/// log L(σ) = −Σ(x_u − x_v)²/(2σ²) − P·ln σ − (P/2)·ln 2π − Σ_v deg(v)·ln Z_σ(x_v),
/// maximised over ln σ ∈ [ln 10⁻⁴, ln 10] by a log-spaced scan then golden-section search.
pub fn fit_sigma<N: Neighbourhood>(space: &N, x: &[f64]) -> SigmaFit {
    let n = space.len();
    let chunks: Vec<(f64, u64)> = (0..n)
        .into_par_iter()
        .step_by(CHUNK)
        .map(|start| {
            let mut sq = 0.0;
            let mut pairs = 0;
            for v in start..(start + CHUNK).min(n) {
                space.for_each_neighbour(v as VertexId, |u| {
                    sq += (x[u as usize] - x[v]).powi(2);
                    pairs += 1;
                });
            }
            (sq, pairs)
        })
        .collect();
    let sum_sq: f64 = chunks.iter().map(|c| c.0).sum();
    let pairs: u64 = chunks.iter().map(|c| c.1).sum();
    let degree: Vec<f64> = (0..n as VertexId).map(|v| space.degree(v) as f64).collect();
    let log_lik = |ln_sigma: f64| -> f64 {
        let s = ln_sigma.exp();
        let norm: Vec<f64> = (0..n)
            .into_par_iter()
            .step_by(CHUNK)
            .map(|start| {
                (start..(start + CHUNK).min(n))
                    .map(|v| degree[v] * norm_diff((1.0 - x[v]) / s, -x[v] / s).ln())
                    .sum::<f64>()
            })
            .collect();
        -sum_sq / (2.0 * s * s)
            - pairs as f64 * (ln_sigma + 0.5 * (2.0 * std::f64::consts::PI).ln())
            - norm.iter().sum::<f64>()
    };
    let (lo, hi) = (1e-4f64.ln(), 10f64.ln());
    let steps = 48;
    let at = |k: usize| lo + (hi - lo) * k as f64 / steps as f64;
    let scan: Vec<f64> = (0..=steps).map(|k| log_lik(at(k))).collect();
    let best = (0..=steps)
        .max_by(|&a, &b| scan[a].total_cmp(&scan[b]))
        .unwrap_or(0);
    let (mut a, mut b) = (at(best.saturating_sub(1)), at((best + 1).min(steps)));
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
    let (mut fc, mut fd) = (log_lik(c), log_lik(d));
    while b - a > 1e-9 {
        if fc > fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = log_lik(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = log_lik(d);
        }
    }
    let ln_sigma = (a + b) / 2.0;
    SigmaFit {
        sigma: ln_sigma.exp(),
        log_likelihood: log_lik(ln_sigma),
        pairs,
        at_bound: best == 0 || best == steps,
    }
}

/// The 2-D histogram of ordered neighbour pairs (x(v), x(u)) on `bins` × `bins` bins.
pub fn empirical<N: Neighbourhood>(space: &N, x: &[f64], bins: usize) -> Hist2d {
    let n = space.len();
    let b = bins;
    let parts: Vec<Vec<u64>> = (0..n)
        .into_par_iter()
        .step_by(CHUNK)
        .map(|start| {
            let mut counts = vec![0u64; b * b];
            for v in start..(start + CHUNK).min(n) {
                let row = bin_of(x[v], b) * b;
                space.for_each_neighbour(v as VertexId, |u| {
                    counts[row + bin_of(x[u as usize], b)] += 1;
                });
            }
            counts
        })
        .collect();
    let mut counts = vec![0u64; b * b];
    for p in &parts {
        for (c, q) in counts.iter_mut().zip(p) {
            *c += q;
        }
    }
    let pairs: u64 = counts.iter().sum();
    let pooled: Vec<f64> = (0..b)
        .map(|c| (0..b).map(|r| counts[r * b + c]).sum::<u64>() as f64 / pairs.max(1) as f64)
        .collect();
    let mut mass = vec![0.0; b * b];
    let mut empty_rows = 0;
    for r in 0..b {
        let total: u64 = counts[r * b..(r + 1) * b].iter().sum();
        for c in 0..b {
            mass[r * b + c] = if total == 0 {
                pooled[c]
            } else {
                counts[r * b + c] as f64 / total as f64
            };
        }
        empty_rows += (total == 0) as usize;
    }
    let mut above = vec![0.0; b * (b + 1)];
    for r in 0..b {
        for c in (0..b).rev() {
            above[r * (b + 1) + c] = above[r * (b + 1) + c + 1] + mass[r * b + c];
        }
    }
    Hist2d {
        bins: b,
        mass,
        above,
        empty_rows,
        pairs,
    }
}

/// Draws losses on a tree-like graph from the `paper` model itself: a reversible Markov
/// field whose every edge, in either direction, follows pdf_e. The stationary density of
/// the truncated-normal kernel is π(x) ∝ Z(x) (detailed balance:
/// π(x)·φ((y − x)/σ)/Z(x) is symmetric in x, y), so a root is drawn from π and every other
/// vertex from pdf_e(parent, ·) in breadth-first order. On a tree this is exactly the
/// model; on a graph with cycles a vertex is drawn from its first-reached neighbour only.
pub fn sample_paper_model<N: Neighbourhood>(space: &N, sigma: f64, seed: u64) -> Vec<f64> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let n = space.len();
    let mut x = vec![f64::NAN; n];
    let z = |x: f64| norm_diff((1.0 - x) / sigma, -x / sigma);
    let z_max = z(0.5);
    let draw_child = |rng: &mut rand_chacha::ChaCha8Rng, parent: f64| loop {
        // Inverse cdf of the truncated normal.
        let (lo, hi) = (norm_cdf(-parent / sigma), norm_cdf((1.0 - parent) / sigma));
        let u: f64 = rng.gen_range(lo..hi);
        let y = parent + sigma * inverse_norm_cdf(u);
        if (0.0..=1.0).contains(&y) {
            return y;
        }
    };
    let mut queue = std::collections::VecDeque::new();
    for root in 0..n {
        if !x[root].is_nan() {
            continue;
        }
        x[root] = loop {
            let c: f64 = rng.gen();
            if rng.gen::<f64>() * z_max <= z(c) {
                break c;
            }
        };
        queue.push_back(root);
        while let Some(v) = queue.pop_front() {
            let mut next = vec![];
            space.for_each_neighbour(v as VertexId, |u| {
                if x[u as usize].is_nan() {
                    next.push(u as usize);
                }
            });
            for u in next {
                if x[u].is_nan() {
                    x[u] = draw_child(&mut rng, x[v]);
                    queue.push_back(u);
                }
            }
        }
    }
    x
}

/// Φ⁻¹ by bisection refined with Newton steps (used only to draw synthetic data).
fn inverse_norm_cdf(p: f64) -> f64 {
    let (mut lo, mut hi) = (-40.0, 40.0);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if norm_cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-14 {
            break;
        }
    }
    (lo + hi) / 2.0
}
