//! The exact per-start DP and the restart-cost formula against brute force: on tiny
//! graphs, every neighbour order at every visited vertex is enumerated explicitly (so
//! every tie outcome and every first-improvement choice), and every tuple of random
//! starts. Nothing here uses the DP's closed forms ((s+1)/(b+1), 1/t).

use nasland::search::cost::independent_restarts;
use nasland::search::dp::{loss_order, solve, Target};
use nasland::search::{within_eps, Variant};
use nasland::space::{Csr, Neighbourhood, ProductSpace, VertexId};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// One complete search path with its probability.
#[derive(Clone, Debug)]
struct Outcome {
    prob: f64,
    end: VertexId,
    moves: u32,
    evals: usize,
    /// Evaluations when the first success-set vertex was evaluated.
    found: Option<usize>,
}

fn permutations(items: &[VertexId]) -> Vec<Vec<VertexId>> {
    if items.is_empty() {
        return vec![vec![]];
    }
    let mut out = vec![];
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let x = rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, x);
            out.push(p);
        }
    }
    out
}

/// Scans `v`'s neighbours in the order `perm` as the variant does: returns the move (if
/// any), the evaluations spent at v, and the position of the first success vertex
/// evaluated (1-based).
fn scan(
    perm: &[VertexId],
    v: VertexId,
    loss: &[f64],
    ok: &[bool],
    variant: Variant,
) -> (Option<VertexId>, usize, Option<usize>) {
    let own = loss[v as usize];
    let mut evaluated = 0;
    let mut next: Option<VertexId> = None;
    for &u in perm {
        evaluated += 1;
        let lu = loss[u as usize];
        match variant {
            Variant::First => {
                if lu < own {
                    next = Some(u);
                    break;
                }
            }
            Variant::Best => {
                let better = match next {
                    None => true,
                    Some(b) => lu < loss[b as usize] || (lu == loss[b as usize] && u < b),
                };
                if better {
                    next = Some(u);
                }
            }
            Variant::BestRandomTies => {
                if next.is_none_or(|b| lu < loss[b as usize]) {
                    next = Some(u);
                }
            }
        }
    }
    let next = next.filter(|&u| loss[u as usize] < own);
    let found = perm[..evaluated]
        .iter()
        .position(|&u| ok[u as usize])
        .map(|i| i + 1);
    (next, evaluated, found)
}

#[allow(clippy::too_many_arguments)]
fn explore<N: Neighbourhood>(
    g: &N,
    loss: &[f64],
    ok: &[bool],
    variant: Variant,
    v: VertexId,
    prob: f64,
    moves: u32,
    evals: usize,
    found: Option<usize>,
    out: &mut Vec<Outcome>,
) {
    let mut nbrs = vec![];
    g.for_each_neighbour(v, |u| nbrs.push(u));
    let perms = permutations(&nbrs);
    let mut groups: BTreeMap<(Option<VertexId>, usize, Option<usize>), usize> = BTreeMap::new();
    for p in &perms {
        *groups.entry(scan(p, v, loss, ok, variant)).or_default() += 1;
    }
    for ((next, spent, pos), count) in groups {
        let q = prob * count as f64 / perms.len() as f64;
        let found = found.or(pos.map(|j| evals + j));
        match next {
            None => out.push(Outcome {
                prob: q,
                end: v,
                moves,
                evals: evals + spent,
                found,
            }),
            Some(u) => explore(
                g,
                loss,
                ok,
                variant,
                u,
                q,
                moves + 1,
                evals + spent,
                found,
                out,
            ),
        }
    }
}

fn outcomes<N: Neighbourhood>(
    g: &N,
    loss: &[f64],
    ok: &[bool],
    variant: Variant,
    start: VertexId,
) -> Vec<Outcome> {
    let mut out = vec![];
    let found = ok[start as usize].then_some(1);
    explore(g, loss, ok, variant, start, 1.0, 0, 1, found, &mut out);
    out
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs())),
        "{what}: dp {a} vs brute {b}"
    );
}

/// Checks every per-start figure and the restart cost (num_init 1..=3) on one landscape.
fn check<N: Neighbourhood>(g: &N, loss: &[f64], variant: Variant, eps: f64, top: usize) {
    let n = g.len();
    let ok = within_eps(loss, eps);
    let starts = solve(g, loss, variant, Target::Eps(eps), top);
    let all: Vec<Vec<Outcome>> = (0..n as VertexId)
        .map(|v| outcomes(g, loss, &ok, variant, v))
        .collect();

    // Local minima and the K best of them, independently.
    let is_min = |v: usize| {
        let mut m = true;
        g.for_each_neighbour(v as VertexId, |u| m &= loss[u as usize] >= loss[v]);
        m
    };
    let mut minima: Vec<VertexId> = (0..n as VertexId).filter(|&v| is_min(v as usize)).collect();
    assert_eq!(starts.local_minima, minima.len());
    minima.sort_by(|&a, &b| {
        loss[a as usize]
            .total_cmp(&loss[b as usize])
            .then(a.cmp(&b))
    });
    minima.truncate(top);
    assert_eq!(starts.top_minima, minima);

    for (v, o) in all.iter().enumerate() {
        let st = &starts.stats[v];
        let e = |f: &dyn Fn(&Outcome) -> f64| o.iter().map(|x| x.prob * f(x)).sum::<f64>();
        let s = |x: &Outcome| ok[x.end as usize] as u8 as f64;
        close(e(&|_| 1.0), 1.0, "total probability");
        close(st.p_success, e(&s), "p_success");
        close(st.expected_moves, e(&|x| x.moves as f64), "moves");
        close(
            st.expected_evaluations,
            e(&|x| x.evals as f64),
            "evaluations",
        );
        close(
            st.expected_end_loss,
            e(&|x| loss[x.end as usize]),
            "end loss",
        );
        close(
            st.success_evaluations,
            e(&|x| (x.evals - 1) as f64 * s(x)),
            "success evaluations",
        );
        close(
            st.found_evaluations,
            e(&|x| x.found.map_or(0.0, |f| (f - 1) as f64) * s(x)),
            "found evaluations",
        );
        // A run finds the set exactly when it ends in it.
        for x in o {
            assert_eq!(x.found.is_some(), ok[x.end as usize], "found iff success");
        }
        for (j, &m) in minima.iter().enumerate() {
            close(
                starts.p_end_of(v as VertexId)[j],
                e(&|x| (x.end == m) as u8 as f64),
                "p_end",
            );
        }
        if variant == Variant::Best {
            // Deterministic path (only the moment of finding depends on the scan order).
            assert!(o.iter().all(|x| x.end == o[0].end && x.moves == o[0].moves));
            assert_eq!(starts.end[v], o[0].end);
        }
    }

    // Restart cost: enumerate every tuple of num_init uniform draws.
    let order = loss_order(loss);
    for k in 1..=3usize {
        let exact = independent_restarts(&starts, loss, &order, k);
        let (mut p, mut c, mut cs, mut cfs, mut weight) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for code in 0..n.pow(k as u32) {
            let draws: Vec<usize> = (0..k).map(|i| (code / n.pow(i as u32)) % n).collect();
            let w = 1.0 / n.pow(k as u32) as f64;
            weight += w;
            let mut best = draws[0];
            for &d in &draws[1..] {
                if loss[d] < loss[best] {
                    best = d;
                }
            }
            let first_ok = draws.iter().position(|&d| ok[d]).map(|i| i + 1);
            for x in &all[best] {
                let succ = ok[x.end as usize] as u8 as f64;
                let cost = (k + x.evals - 1) as f64;
                let found = first_ok.map_or(k + x.found.unwrap_or(1) - 1, |j| j) as f64;
                p += w * x.prob * succ;
                c += w * x.prob * cost;
                cs += w * x.prob * cost * succ;
                cfs += w * x.prob * found * succ;
            }
        }
        close(weight, 1.0, "draw weights");
        close(exact.p_restart, p, "p_restart");
        close(exact.evaluations_per_restart, c, "evaluations per restart");
        close(exact.until_end, c / p, "until end");
        close(
            exact.until_found.unwrap(),
            (c - cs + cfs) / p,
            "until found",
        );
    }
}

fn graph(n: usize, edge_bits: &[bool]) -> Csr {
    let mut edges = vec![];
    let mut i = 0;
    for a in 0..n as VertexId {
        for b in a + 1..n as VertexId {
            if edge_bits[i] {
                edges.push((a, b));
            }
            i += 1;
        }
    }
    Csr::from_undirected_edges(n, &edges).unwrap()
}

#[test]
fn hand_checked_path() {
    // Path 0 - 1 - 2 with losses 2, 1, 0 and a pendant 3 on vertex 1 with loss 0.
    let g = Csr::from_undirected_edges(4, &[(0, 1), (1, 2), (1, 3)]).unwrap();
    let loss = [2.0, 1.0, 0.0, 0.0];
    let st = solve(&g, &loss, Variant::BestRandomTies, Target::Eps(0.0), 2);
    // From 0: move to 1, then to 2 or 3 with probability 1/2 each; both are optimal.
    assert_eq!(st.stats[0].p_success, 1.0);
    assert_eq!(st.stats[0].expected_moves, 2.0);
    assert_eq!(st.p_end_of(0), &[0.5, 0.5]);
    // Evaluations from 0: start 1 + scan(0) 1 + scan(1) 3 + scan(end) 1.
    assert_eq!(st.stats[0].expected_evaluations, 6.0);
    let best = solve(&g, &loss, Variant::Best, Target::Eps(0.0), 2);
    assert_eq!(best.end, vec![2, 2, 2, 3]);
    for variant in Variant::ALL {
        check(&g, &loss, variant, 0.0, 2);
    }
}

#[test]
fn product_spaces_with_plateaus() {
    for spec in ["2^3", "3x2x2", "3x3"] {
        let space = ProductSpace::parse(spec).unwrap();
        let n = space.len();
        for seed in 0..4u64 {
            let loss: Vec<f64> = (0..n as u64)
                .map(|v| ((v * 2654435761 + seed * 97) % 5) as f64)
                .collect();
            for variant in Variant::ALL {
                for eps in [0.0, 1.0] {
                    check(&space, &loss, variant, eps, 3);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_graphs(
        n in 1usize..=6,
        edge_bits in proptest::collection::vec(any::<bool>(), 15),
        levels in proptest::collection::vec(0u8..4, 6),
        variant in 0usize..3,
        eps in prop_oneof![Just(0.0), Just(1.0)],
        top in 0usize..4,
    ) {
        let g = graph(n, &edge_bits);
        let loss: Vec<f64> = levels[..n].iter().map(|&l| l as f64).collect();
        check(&g, &loss, Variant::ALL[variant], eps, top);
    }
}
