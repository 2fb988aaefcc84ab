//! Preimage sizes on the Husimi cactus: the tree-exact recursion for Hamming spaces.
//!
//! In a product space K^D the K − 1 neighbours of v that change one position form, with v,
//! a clique K_K, and v lies in D such cliques. The tree-exact recursion treats those
//! neighbours as unrelated; here they are what they are: each other's neighbours. The
//! setting is the infinite cactus in which every vertex lies in D cliques of size K and
//! cliques meet only at cut vertices, with losses drawn clique by clique away from the
//! root: the K − 1 other members of a clique are iid pdf_e(y, ·) given its entry vertex's
//! loss y (docs/THEORY.md §3a). For iid losses this is exact on the cactus; on K^D it
//! still misses the 4-cycles between positions.
//!
//! With S(z) = T(z, z), and F_k(z) the expected number of vertices below one clique (with
//! entry vertex at z) that reach the entry in exactly k steps:
//!   F_1(z) = (K−1) S(z)^{K−2} ∫_z^1 pdf_e(z, t) T(t, z)^{(D−1)(K−1)} dt,
//!   F_k(z) = (K−1)(D−1) S(z)^{K−2} ∫_z^1 pdf_e(z, t) T(t, z)^{(D−2)(K−1)} F_{k−1}(t) dt,
//!   E|LS^{-k}(v)| = D F_k(x),
//!   E[1{v minimum} · |basin(v)|] = S^s + S^{s−K+1} · D Σ_k F_k   (s = D(K − 1)).
//! K = 2 is the tree (cliques of two are edges) and gives tree-exact term by term.

use super::edge::NodeTables;
use super::quad::Grid;
use super::recursion::{apply, Row, Solution, MAX_LEVELS};
use rayon::prelude::*;
use serde::Serialize;
use std::fmt;

/// The clique structure of a Hamming space K^D: D cliques of K vertices at every vertex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Cliques {
    /// Vertices per clique: the choices at one position.
    pub k: usize,
    /// Cliques per vertex: the positions.
    pub d: usize,
}

/// Why a space has no cactus model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CactusError {
    kind: CactusErrorKind,
}

/// What is wrong with the space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CactusErrorKind {
    /// Positions with different numbers of choices: cliques of several sizes.
    MixedRadices(Vec<u32>),
    /// No position with two or more choices: no neighbour at all.
    NoNeighbours,
}

impl CactusError {
    /// What is wrong.
    pub fn kind(&self) -> &CactusErrorKind {
        &self.kind
    }
}

impl fmt::Display for CactusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CactusErrorKind::MixedRadices(r) => write!(
                f,
                "the cactus recursion needs a Hamming space K^D whose positions all have the \
                 same number of choices; this one has {r:?}"
            ),
            CactusErrorKind::NoNeighbours => {
                write!(f, "the space has no position with two or more choices")
            }
        }
    }
}

impl std::error::Error for CactusError {}

impl Cliques {
    /// D cliques of K vertices; K ≥ 2 and D ≥ 1.
    pub fn new(k: usize, d: usize) -> Result<Cliques, CactusError> {
        if k < 2 || d == 0 {
            return Err(CactusError {
                kind: CactusErrorKind::NoNeighbours,
            });
        }
        Ok(Cliques { k, d })
    }

    /// The cliques of the product space with these radices (positions of one choice
    /// change nothing and are ignored).
    pub fn of_radices(radices: &[u32]) -> Result<Cliques, CactusError> {
        let used: Vec<u32> = radices.iter().copied().filter(|&k| k >= 2).collect();
        match used.first() {
            None => Err(CactusError {
                kind: CactusErrorKind::NoNeighbours,
            }),
            Some(&k) if used.iter().all(|&r| r == k) => Cliques::new(k as usize, used.len()),
            Some(_) => Err(CactusError {
                kind: CactusErrorKind::MixedRadices(radices.to_vec()),
            }),
        }
    }

    /// The cactus of single edges on an s-regular graph: the tree.
    pub fn edges(s: usize) -> Cliques {
        Cliques { k: 2, d: s }
    }

    /// Neighbours per vertex, s = D(K − 1).
    pub fn degree(self) -> usize {
        self.d * (self.k - 1)
    }
}

/// Solves the cactus recursion for `cliques` on `grid`.
pub fn solve(grid: &Grid, t: &NodeTables, cliques: Cliques) -> Solution {
    let (k, d) = (cliques.k, cliques.d);
    assert!(k >= 2 && d >= 1, "a cactus needs cliques of two or more");
    let s = cliques.degree();
    let n = grid.len();
    let worse: Vec<f64> = (0..n).map(|i| t.tail(i, i).clamp(0.0, 1.0)).collect();
    let p_min: Vec<f64> = worse.iter().map(|w| w.powi(s as i32)).collect();
    // Exponents of T(t, z): a child's other cliques at the first level, and all but the
    // one that carries the deeper preimage at later levels.
    let first_exp = ((d - 1) * (k - 1)) as i32;
    let deeper_exp = (d.saturating_sub(2) * (k - 1)) as i32;
    let branching = ((k - 1) * (d - 1)) as f64;

    let rows: Vec<Row> = (0..n)
        .into_par_iter()
        .map(|i| {
            let start = grid.panel_start(i);
            // The entry's siblings in the clique must all be worse than it.
            let siblings = worse[i].powi(k as i32 - 2);
            let mut first = 0.0;
            let kernel = (start..n)
                .map(|j| {
                    let q = grid.tail_weight(i, j) * t.density(i, j);
                    let tail = t.tail(j, i).clamp(0.0, 1.0);
                    first += q * tail.powi(first_exp);
                    if d >= 2 {
                        branching * siblings * q * tail.powi(deeper_exp)
                    } else {
                        0.0
                    }
                })
                .collect();
            Row {
                start,
                kernel,
                first: (k - 1) as f64 * siblings * first,
            }
        })
        .collect();

    let df = d as f64;
    let mut f: Vec<f64> = rows.iter().map(|r| r.first.max(0.0)).collect();
    let mut total = f.clone();
    let mut levels = vec![f.iter().map(|v| df * v).collect::<Vec<f64>>()];
    let mut converged = d < 2;
    if d >= 2 {
        for _ in 1..MAX_LEVELS {
            f = apply(&rows, &f).into_iter().map(|v| v.max(0.0)).collect();
            let small = f.iter().zip(&total).all(|(v, t)| *v <= 1e-14 * (1.0 + t));
            for (t, v) in total.iter_mut().zip(&f) {
                *t += v;
            }
            levels.push(f.iter().map(|v| df * v).collect());
            if small {
                converged = true;
                break;
            }
        }
    }
    let min_times_basin: Vec<f64> = (0..n)
        .map(|i| p_min[i] + worse[i].powi((s - (k - 1)) as i32) * df * total[i])
        .collect();
    Solution {
        worse,
        p_min,
        levels,
        min_times_basin,
        converged,
    }
}

/// Coefficient and exponent of E|LS^{-j}(v)| = c_j (1 − x)^{m_j} for iid U[0, 1] losses,
/// j ≥ 1: c_j = D f_j, m_j = β_j with f_1 = K − 1, β_1 = s,
/// f_j = f_{j−1} (K − 1)(D − 1)/(β_{j−1} + 1), β_j = β_{j−1} + s − K + 1.
pub fn uniform_level(cliques: Cliques, j: usize) -> (f64, f64) {
    let (k, d) = (cliques.k as f64, cliques.d as f64);
    let s = cliques.degree() as f64;
    let (mut f, mut beta) = (k - 1.0, s);
    for _ in 1..j {
        f *= (k - 1.0) * (d - 1.0) / (beta + 1.0);
        beta += s - k + 1.0;
    }
    (d * f, beta)
}

fn uniform_terms(cliques: Cliques) -> impl Iterator<Item = (f64, f64)> {
    (1..)
        .map(move |j| uniform_level(cliques, j))
        .take_while(|&(c, _)| c > 1e-20)
}

/// E|LS^{-j}(v)| given loss x, iid U[0, 1] losses on the cactus, j ≥ 1.
pub fn uniform_preimage(cliques: Cliques, j: usize, x: f64) -> f64 {
    let (c, m) = uniform_level(cliques, j);
    c * (1.0 - x).powf(m)
}

/// E|LS*^{-1}(v)| = 1 + Σ_j E|LS^{-j}(v)| given loss x, iid U[0, 1] losses.
pub fn uniform_basin(cliques: Cliques, x: f64) -> f64 {
    1.0 + uniform_terms(cliques)
        .map(|(c, m)| c * (1.0 - x).powf(m))
        .sum::<f64>()
}

/// ∫_0^ε w(x) dx with w = q^s + q^{s−K+1} Σ_j c_j q^{m_j}, iid U[0, 1] losses; 1 at ε = 1.
pub fn uniform_eps_mass(cliques: Cliques, eps: f64) -> f64 {
    let q = 1.0 - eps.clamp(0.0, 1.0);
    let s = cliques.degree() as f64;
    let shift = s - cliques.k as f64 + 1.0;
    let int = |a: f64| (1.0 - q.powf(a + 1.0)) / (a + 1.0);
    int(s)
        + uniform_terms(cliques)
            .map(|(c, m)| c * int(shift + m))
            .sum::<f64>()
}

/// P(ε) of the cactus recursion for iid U[0, 1] losses.
pub fn uniform_p_eps(cliques: Cliques, eps: f64) -> f64 {
    uniform_eps_mass(cliques, eps) / uniform_eps_mass(cliques, 1.0)
}
