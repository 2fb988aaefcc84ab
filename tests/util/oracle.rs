//! An obviously-correct reference for the landscape statistics: hill-climb from every
//! start separately, on a product space given only by its radices.
//!
//! Written from DESIGN.md §1 alone, sharing no code with the library's kernels: digits
//! are decoded by division, neighbours listed by changing one digit, and each climb is a
//! plain loop.

/// Per-start results of best-improvement local search.
#[derive(Debug, Clone)]
pub struct Climb {
    /// Where the climb from each start stops.
    pub end: Vec<usize>,
    /// How many steps it takes.
    pub steps: Vec<u32>,
    pub local_minima: usize,
    pub strict_local_minima: usize,
}

/// Digits of vertex `v` (position 0 least significant).
pub fn digits(v: usize, radices: &[usize]) -> Vec<usize> {
    let mut rest = v;
    radices
        .iter()
        .map(|&k| {
            let c = rest % k;
            rest /= k;
            c
        })
        .collect()
}

/// The vertex of a digit vector.
pub fn vertex(d: &[usize], radices: &[usize]) -> usize {
    let mut v = 0;
    for i in (0..radices.len()).rev() {
        v = v * radices[i] + d[i];
    }
    v
}

/// All Hamming-1 neighbours of `v`.
pub fn neighbours(v: usize, radices: &[usize]) -> Vec<usize> {
    let d = digits(v, radices);
    let mut out = Vec::new();
    for i in 0..radices.len() {
        for c in 0..radices[i] {
            if c != d[i] {
                let mut e = d.clone();
                e[i] = c;
                out.push(vertex(&e, radices));
            }
        }
    }
    out
}

/// One LS step by the contract: the lowest (loss, id) neighbour if strictly better.
pub fn ls_step(v: usize, loss: &[f64], nbrs: &[usize]) -> usize {
    let mut best: Option<usize> = None;
    for &u in nbrs {
        best = match best {
            None => Some(u),
            Some(b) if loss[u] < loss[b] || (loss[u] == loss[b] && u < b) => Some(u),
            keep => keep,
        };
    }
    match best {
        Some(b) if loss[b] < loss[v] => b,
        _ => v,
    }
}

/// Climbs from every start of a neighbourhood given as explicit lists.
pub fn climb_lists(loss: &[f64], lists: &[Vec<usize>]) -> Climb {
    let n = loss.len();
    let mut end = vec![0; n];
    let mut steps = vec![0; n];
    for start in 0..n {
        let mut v = start;
        loop {
            let next = ls_step(v, loss, &lists[v]);
            if next == v {
                break;
            }
            v = next;
            steps[start] += 1;
        }
        end[start] = v;
    }
    let local_minima = (0..n)
        .filter(|&v| lists[v].iter().all(|&u| loss[u] >= loss[v]))
        .count();
    let strict_local_minima = (0..n)
        .filter(|&v| lists[v].iter().all(|&u| loss[u] > loss[v]))
        .count();
    Climb {
        end,
        steps,
        local_minima,
        strict_local_minima,
    }
}

/// Climbs from every start of a product space.
pub fn climb(loss: &[f64], radices: &[usize]) -> Climb {
    let lists: Vec<Vec<usize>> = (0..loss.len()).map(|v| neighbours(v, radices)).collect();
    climb_lists(loss, &lists)
}

/// Share of starts whose end is within `eps` (+1e-9) of the best loss.
pub fn p_eps(loss: &[f64], c: &Climb, eps: f64) -> f64 {
    let best = loss.iter().cloned().fold(f64::INFINITY, f64::min);
    let hits = c
        .end
        .iter()
        .filter(|&&m| (loss[m] - best).abs() <= eps + 1e-9)
        .count();
    hits as f64 / loss.len() as f64
}
