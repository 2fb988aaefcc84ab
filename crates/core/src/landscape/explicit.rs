//! LS over an explicit neighbour relation: one parallel sweep, each vertex scanning its own
//! neighbours. No allocation per vertex; the only per-vertex state is the output.

use super::loss::Loss;
use super::{Candidate, Step};
use crate::space::{Neighbourhood, VertexId};
use rayon::prelude::*;

/// LS(v) for every vertex of `space` under `loss` (lower is better).
pub fn step<N: Neighbourhood, L: Loss>(space: &N, loss: &[L]) -> Step {
    assert_eq!(space.len(), loss.len(), "one loss per vertex");
    let mut ls = vec![0 as VertexId; loss.len()];
    let (local_minima, strict_local_minima) = ls
        .par_iter_mut()
        .enumerate()
        .with_min_len(4096)
        .map(|(v, out)| {
            let mut best = Candidate::NONE;
            space.for_each_neighbour(v as VertexId, |u| {
                let c = Candidate {
                    loss: loss[u as usize].to_f64(),
                    id: u,
                };
                if c.before(best) {
                    best = c;
                }
            });
            classify(v as VertexId, loss[v].to_f64(), best, out)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    Step {
        ls,
        local_minima,
        strict_local_minima,
    }
}

/// Writes LS(v) from the best neighbour and returns (is local minimum, is strict) as counts.
#[inline(always)]
pub(crate) fn classify(
    v: VertexId,
    own: f64,
    best: Candidate,
    out: &mut VertexId,
) -> (usize, usize) {
    if best.loss < own {
        *out = best.id;
        (0, 0)
    } else {
        *out = v;
        (1, (best.loss > own) as usize)
    }
}
