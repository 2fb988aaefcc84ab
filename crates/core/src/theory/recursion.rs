//! Preimage sizes E|LS^{-k}(v)| given loss(v) = x, by two recursions, on a grid's nodes.
//!
//! Notation (docs/THEORY.md §2–3): s neighbours, T(z, a) = ∫_a^1 pdf_e(z, t) dt the chance
//! that a neighbour of a vertex at z is worse than a, S(x) = T(x, x).
//!
//! `paper` — the recursion of White, Nolen & Savani as their code computes it:
//!   e_1(x) = s ∫_x^1 pdf_e(x, y) T(y, x)^{s−1} dy,
//!   e_k(x) = e_1(x) · ∫_x^1 pdf_e(x, y) e_{k−1}(y) dy / S(x),
//!   and P(ε) weighs a minimum at x by P_lm(x) · (1 + Σ_k e_k(x)).
//!
//! `tree-exact` — every conditioning explicit, exact on the infinite s-regular tree where
//! the losses form a Markov field along edges with kernel pdf_e:
//!   H_1(y) = (s−1) ∫_y^1 pdf_e(y, z) T(z, y)^{s−1} dz,
//!   H_k(y) = (s−1) ∫_y^1 pdf_e(y, z) T(z, y)^{s−2} H_{k−1}(z) dz,
//!   E|LS^{-1}(v)| = e_1(x), E|LS^{-k}(v)| = s/(s−1) · H_k(x) (k ≥ 2),
//!   E[1{v minimum} · |basin(v)|] = S^s + S^{s−1} (e_1 + s/(s−1) Σ_{k≥2} H_k).
//!
//! Both are one Volterra-type operator applied k times; the integrals start at the node
//! itself and are done with [`Grid::tail_weight`]. Levels are added until the newest is
//! below 10⁻¹⁴ of the running basin everywhere, or [`MAX_LEVELS`].

use super::edge::NodeTables;
use super::quad::Grid;
use rayon::prelude::*;
use serde::Serialize;

/// Most preimage levels summed before giving up (reported as not converged).
pub const MAX_LEVELS: usize = 2000;

/// Which preimage recursion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recursion {
    /// As the paper (and its code) state it.
    Paper,
    /// Exact on an infinite s-regular tree (docs/THEORY.md §3).
    TreeExact,
    /// Exact on the Husimi cactus of a Hamming space K^D: D cliques of K per vertex
    /// (docs/THEORY.md §3a; [`super::cactus`]). Needs the clique structure.
    Cactus,
}

impl Recursion {
    /// Every recursion, in the order the docs list them.
    pub const ALL: [Recursion; 3] = [Recursion::Paper, Recursion::TreeExact, Recursion::Cactus];

    /// The name the command line and the JSON use.
    pub fn name(self) -> &'static str {
        match self {
            Recursion::Paper => "paper",
            Recursion::TreeExact => "tree-exact",
            Recursion::Cactus => "cactus",
        }
    }

    /// The recursion called `name`, if any.
    pub fn from_name(name: &str) -> Option<Recursion> {
        Recursion::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Node values of everything the predictions need.
#[derive(Clone, Debug)]
pub struct Solution {
    /// S(x) = P(a given neighbour is worse than x).
    pub worse: Vec<f64>,
    /// P(v is a local minimum | x) = S(x)^s.
    pub p_min: Vec<f64>,
    /// `levels[k − 1][i]` = E|LS^{-k}(v)| given loss x_i (not conditioned on v being a
    /// minimum).
    pub levels: Vec<Vec<f64>>,
    /// The weight of a minimum at x in P(ε): P_lm(x) · E[basin | x] as the recursion has it.
    pub min_times_basin: Vec<f64>,
    /// True when the level sum met its tolerance before [`MAX_LEVELS`].
    pub converged: bool,
}

/// One row of the level kernel per grid node: the entries from the node's panel start to
/// the end, and the node's first-level term. Shared by the tree recursion and the
/// cactus recursion, which differ only in how they fill it.
pub(super) struct Row {
    pub(super) start: usize,
    pub(super) kernel: Vec<f64>,
    pub(super) first: f64,
}

/// One level of the recursion: each node's kernel row applied to `f`.
pub(super) fn apply(rows: &[Row], f: &[f64]) -> Vec<f64> {
    rows.par_iter()
        .map(|r| {
            r.kernel
                .iter()
                .zip(&f[r.start..])
                .map(|(k, v)| k * v)
                .sum::<f64>()
        })
        .collect()
}

/// Solves `recursion` for an s-neighbour model on `grid`. Knowing only s, `Cactus` is
/// the cactus whose cliques are single edges, the tree; [`super::cactus::solve`] takes
/// the clique structure.
pub fn solve(grid: &Grid, t: &NodeTables, s: usize, recursion: Recursion) -> Solution {
    assert!(s >= 1, "the theory needs at least one neighbour");
    if recursion == Recursion::Cactus {
        return super::cactus::solve(grid, t, super::cactus::Cliques::edges(s));
    }
    let n = grid.len();
    let sf = s as f64;
    let worse: Vec<f64> = (0..n).map(|i| t.tail(i, i).clamp(0.0, 1.0)).collect();
    let p_min: Vec<f64> = worse.iter().map(|w| w.powi(s as i32)).collect();

    let rows: Vec<Row> = (0..n)
        .into_par_iter()
        .map(|i| {
            let start = grid.panel_start(i);
            let mut first = 0.0;
            let kernel = (start..n)
                .map(|j| {
                    let q = grid.tail_weight(i, j) * t.density(i, j);
                    let tail = t.tail(j, i).clamp(0.0, 1.0);
                    first += q * tail.powi(s as i32 - 1);
                    match recursion {
                        Recursion::Paper => q,
                        Recursion::TreeExact if s >= 2 => (sf - 1.0) * q * tail.powi(s as i32 - 2),
                        _ => 0.0,
                    }
                })
                .collect();
            Row {
                start,
                kernel,
                first: sf * first,
            }
        })
        .collect();
    let e1: Vec<f64> = rows.iter().map(|r| r.first.max(0.0)).collect();

    let mut levels = vec![e1.clone()];
    let mut total = e1.clone();
    // The tree recursion runs on H_k = (s − 1)/s · E|LS^{-k}|.
    let scale = if s >= 2 { (sf - 1.0) / sf } else { 0.0 };
    let mut h: Vec<f64> = e1.iter().map(|e| e * scale).collect();
    let mut converged = false;
    for _ in 1..MAX_LEVELS {
        if recursion == Recursion::TreeExact && s < 2 {
            // One neighbour: a vertex's only neighbour is its parent, no deeper preimage.
            converged = true;
            break;
        }
        let next: Vec<f64> = match recursion {
            Recursion::Paper => {
                let avg = apply(&rows, levels.last().unwrap_or(&e1));
                (0..n)
                    .map(|i| {
                        if worse[i] > 1e-300 {
                            (e1[i] * avg[i] / worse[i]).max(0.0)
                        } else {
                            0.0
                        }
                    })
                    .collect()
            }
            _ => {
                h = apply(&rows, &h);
                h.iter().map(|v| (v / scale).max(0.0)).collect()
            }
        };
        let small = next
            .iter()
            .zip(&total)
            .all(|(v, t)| *v <= 1e-14 * (1.0 + t));
        for (t, v) in total.iter_mut().zip(&next) {
            *t += v;
        }
        levels.push(next);
        if small {
            converged = true;
            break;
        }
    }
    if levels.len() == 1 {
        converged = true;
    }

    let min_times_basin: Vec<f64> = (0..n)
        .map(|i| match recursion {
            Recursion::Paper => p_min[i] * (1.0 + total[i]),
            _ => {
                let deeper = total[i] - e1[i];
                p_min[i] + worse[i].powi(s as i32 - 1) * (e1[i] + deeper)
            }
        })
        .collect();
    Solution {
        worse,
        p_min,
        levels,
        min_times_basin,
        converged,
    }
}
