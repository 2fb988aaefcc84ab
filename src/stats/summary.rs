//! The exact landscape statistics that `nasland analyze` reports.
//!
//! Everything here is derived from the loss vector and a [`Landscape`]; values are
//! reported in the metric's own units and direction (the caller supplies the sign).

use crate::landscape::Landscape;
use crate::space::VertexId;
use rayon::prelude::*;
use serde::Serialize;

/// Two values closer than this count as equal when comparing with an ε (issue contract:
/// "within ε" means |value(LS*(v)) − best| ≤ ε + 1e-9).
pub const EPS_SLACK: f64 = 1e-9;

/// What to summarise beyond the fixed statistics.
#[derive(Clone, Debug)]
pub struct SummaryOptions {
    /// ε values (metric units) for the P(ε) curve.
    pub eps: Vec<f64>,
    /// How many best minima to list.
    pub top: usize,
    /// How many global-optimum architectures to list by name at most.
    pub max_optimum_archs: usize,
}

/// All global optima (ties included) and the starts that descend into them.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct GlobalOptimum {
    /// The best value, in metric units.
    pub value: f64,
    /// How many vertices share it.
    pub count: usize,
    /// Their architecture strings, lowest vertex id first (at most `max_optimum_archs`).
    pub archs: Vec<String>,
    /// Number of starts whose LS* is a global optimum.
    pub basin: u64,
}

/// One point of the P(ε) curve.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct EpsPoint {
    /// ε in metric units.
    pub eps: f64,
    /// Share of starts whose LS* is within ε of the best value.
    pub p: f64,
}

/// Path lengths: the number of LS steps from each start to its minimum.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PathLength {
    pub mean: f64,
    pub max: u32,
    /// `histogram[k]` = number of starts with path length k.
    pub histogram: Vec<u64>,
}

/// A local minimum with its basin.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Minimum {
    pub arch: String,
    pub id: VertexId,
    pub value: f64,
    pub basin: u64,
}

/// The exact summary of one landscape.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Summary {
    pub local_minima: usize,
    pub strict_local_minima: usize,
    pub global_optimum: GlobalOptimum,
    pub eps_curve: Vec<EpsPoint>,
    pub path_length: PathLength,
    pub minima: Vec<Minimum>,
}

/// Summarises `landscape` of `loss` (lower is better). `sign` turns a loss into the
/// metric's value (−1 for a maximised metric); `arch` names a vertex.
pub fn summarize(
    loss: &[f64],
    landscape: &Landscape,
    sign: f64,
    arch: &dyn Fn(VertexId) -> String,
    opts: &SummaryOptions,
) -> Summary {
    let n = loss.len();
    let mut basin = vec![0u32; n];
    for &m in &landscape.ls_star {
        basin[m as usize] += 1;
    }
    // Minima best first: (loss, id).
    let mut minima: Vec<VertexId> = (0..n as VertexId)
        .into_par_iter()
        .filter(|&v| landscape.ls[v as usize] == v)
        .collect();
    minima.sort_unstable_by(|&a, &b| {
        loss[a as usize]
            .total_cmp(&loss[b as usize])
            .then(a.cmp(&b))
    });

    let best = minima.first().map_or(f64::NAN, |&m| loss[m as usize]);
    let optima: Vec<VertexId> = (0..n as VertexId)
        .filter(|&v| loss[v as usize] == best)
        .collect();
    let optimum_basin = minima
        .iter()
        .take_while(|&&m| loss[m as usize] == best)
        .map(|&m| basin[m as usize] as u64)
        .sum();

    // P(ε): minima are sorted, so the share within ε is a prefix sum of basin sizes.
    let eps_curve = opts
        .eps
        .iter()
        .map(|&eps| {
            let within: u64 = minima
                .iter()
                .take_while(|&&m| loss[m as usize] - best <= eps + EPS_SLACK)
                .map(|&m| basin[m as usize] as u64)
                .sum();
            EpsPoint {
                eps,
                p: within as f64 / n as f64,
            }
        })
        .collect();

    let max = landscape.steps.iter().copied().max().unwrap_or(0);
    let mut histogram = vec![0u64; max as usize + 1];
    for &s in &landscape.steps {
        histogram[s as usize] += 1;
    }
    let total: u64 = landscape.steps.iter().map(|&s| s as u64).sum();

    Summary {
        local_minima: landscape.local_minima,
        strict_local_minima: landscape.strict_local_minima,
        global_optimum: GlobalOptimum {
            value: sign * best,
            count: optima.len(),
            archs: optima
                .iter()
                .take(opts.max_optimum_archs)
                .map(|&v| arch(v))
                .collect(),
            basin: optimum_basin,
        },
        eps_curve,
        path_length: PathLength {
            mean: total as f64 / n as f64,
            max,
            histogram,
        },
        minima: minima
            .iter()
            .take(opts.top)
            .map(|&m| Minimum {
                arch: arch(m),
                id: m,
                value: sign * loss[m as usize],
                basin: basin[m as usize] as u64,
            })
            .collect(),
    }
}
