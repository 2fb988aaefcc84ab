//! Hardness metrics against independent brute-force computations on small spaces
//! (product spaces with heavy ties, random undirected and directed graphs, possibly
//! disconnected), and on a real table for thread-count determinism. The oracles walk
//! local-search moves forward (v → u, u ∈ N(v)), so on a directed graph they check that
//! the library walks arcs the right way.

use crate::util::oracle;
use nasland::landscape::Landscape;
use nasland::space::{Csr, Neighbourhood, ProductSpace, VertexId};
use nasland::stats::hardness;
use proptest::prelude::*;
use std::collections::VecDeque;

/// Naive Pearson correlation, one pass with E[xy] − E[x]E[y] (different from the library's
/// two-pass centred sums). None when a coordinate is constant.
fn naive_pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let k = x.len() as f64;
    let (sx, sy): (f64, f64) = (x.iter().sum(), y.iter().sum());
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| a * b).sum();
    let sxx: f64 = x.iter().map(|a| a * a).sum();
    let syy: f64 = y.iter().map(|b| b * b).sum();
    let cov = sxy / k - sx * sy / k / k;
    let vx = sxx / k - (sx / k).powi(2);
    let vy = syy / k - (sy / k).powi(2);
    let const_x = x.iter().all(|&a| a == x[0]);
    let const_y = y.iter().all(|&b| b == y[0]);
    if const_x || const_y || x.len() < 2 {
        None
    } else {
        Some(cov / (vx * vy).sqrt())
    }
}

/// Shortest-path distance from `s` to every vertex, single-source BFS.
fn bfs(lists: &[Vec<usize>], s: usize) -> Vec<Option<u32>> {
    let mut d = vec![None; lists.len()];
    d[s] = Some(0);
    let mut q = VecDeque::from([s]);
    while let Some(v) = q.pop_front() {
        for &u in &lists[v] {
            if d[u].is_none() {
                d[u] = Some(d[v].unwrap() + 1);
                q.push_back(u);
            }
        }
    }
    d
}

/// P(first improvement from v ends at a global optimum), by memoised recursion over the
/// better neighbours (no sorting, no sweep).
fn first_p(
    v: usize,
    loss: &[f64],
    lists: &[Vec<usize>],
    best: f64,
    memo: &mut [Option<f64>],
) -> f64 {
    if let Some(p) = memo[v] {
        return p;
    }
    let better: Vec<usize> = lists[v]
        .iter()
        .copied()
        .filter(|&u| loss[u] < loss[v])
        .collect();
    let p = if better.is_empty() {
        (loss[v] == best) as u8 as f64
    } else {
        better
            .iter()
            .map(|&u| first_p(u, loss, lists, best, memo))
            .sum::<f64>()
            / better.len() as f64
    };
    memo[v] = Some(p);
    p
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        _ => false,
    }
}

/// Fewest moves from every vertex to the nearest vertex of `targets`: a forward BFS from
/// each vertex separately, stopped at the first target reached.
fn forward_distances(lists: &[Vec<usize>], is_target: impl Fn(usize) -> bool) -> Vec<Option<u32>> {
    (0..lists.len())
        .map(|v| {
            let d = bfs(lists, v);
            (0..lists.len())
                .filter(|&u| is_target(u))
                .filter_map(|u| d[u])
                .min()
        })
        .collect()
}

/// Checks every metric of `hardness` against brute force on explicit neighbour lists
/// (out-neighbours; the relation may be directed).
fn check<N: Neighbourhood>(
    space: &N,
    lists: &[Vec<usize>],
    loss: &[f64],
) -> Result<(), TestCaseError> {
    let n = loss.len();
    let land = Landscape::of_graph(space, loss);
    let shares = [0.0, 0.25, 0.5];
    let h = hardness::hardness(space, loss, &land, -1.0, &shares);
    let c = oracle::climb_lists(loss, lists);
    let best = loss.iter().cloned().fold(f64::INFINITY, f64::min);
    let worst = loss.iter().cloned().fold(f64::NEG_INFINITY, f64::max);

    prop_assert_eq!(h.local_minima, c.local_minima);
    let expected: f64 = lists.iter().map(|l| 1.0 / (l.len() as f64 + 1.0)).sum();
    prop_assert!((h.expected_local_minima_iid - expected).abs() < 1e-9);
    prop_assert!((h.local_minima_ratio - c.local_minima as f64 / expected).abs() < 1e-9);
    let at_opt = c.end.iter().filter(|&&m| loss[m] == best).count();
    prop_assert_eq!(h.optimum_basin_share, at_opt as f64 / n as f64);
    for (p, &s) in h.eps_curve.iter().zip(&shares) {
        prop_assert_eq!(p.p, oracle::p_eps(loss, &c, s * (worst - best)));
    }
    let steps: u64 = c.steps.iter().map(|&s| s as u64).sum();
    prop_assert_eq!(h.path_length_mean, steps as f64 / n as f64);
    prop_assert_eq!(h.path_length_max, *c.steps.iter().max().unwrap());

    // Distances: forward BFS from every vertex, nearest optimum reached.
    let dist = forward_distances(lists, |u| loss[u] == best);
    let reach: Vec<usize> = (0..n).filter(|&v| dist[v].is_some()).collect();
    prop_assert_eq!(h.unreachable, n - reach.len());
    let dx: Vec<f64> = reach.iter().map(|&v| dist[v].unwrap() as f64).collect();
    let lx: Vec<f64> = reach.iter().map(|&v| loss[v]).collect();
    prop_assert_eq!(
        h.distance_max,
        reach.iter().map(|&v| dist[v].unwrap()).max().unwrap()
    );
    prop_assert!((h.distance_mean - dx.iter().sum::<f64>() / dx.len() as f64).abs() < 1e-9);
    prop_assert!(
        close(h.fdc, naive_pearson(&lx, &dx)),
        "fdc {:?} vs {:?}",
        h.fdc,
        naive_pearson(&lx, &dx)
    );

    // ρ(1) and neutrality: every arc v → u once (on an undirected graph, each edge both
    // ways).
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    let (mut equal, mut arcs) = (0u64, 0u64);
    for v in 0..n {
        for &u in &lists[v] {
            arcs += 1;
            equal += (loss[u] == loss[v]) as u64;
            xs.push(loss[v]);
            ys.push(loss[u]);
        }
    }
    let rho = if arcs == 0 {
        None
    } else {
        naive_pearson(&xs, &ys)
    };
    prop_assert!(close(h.rho1, rho), "rho {:?} vs {:?}", h.rho1, rho);
    let len = rho.and_then(|r| (r.abs() > 0.0 && r.abs() < 1.0).then(|| -1.0 / r.abs().ln()));
    // ℓ = −1/ln|ρ| is ill-conditioned near |ρ| = 1 (a perfectly correlated landscape
    // gives |ρ| = 1 − 1e-16 or 1 by rounding, so ℓ ≈ 1e16 or none), and near ρ = 0 one
    // side may round to exactly 0 (no ℓ) and the other to 1e-17 (ℓ ≈ 0.026). Compare the
    // values in between; at the ends, only that a given ℓ is tiny or huge.
    match (h.correlation_length, len, rho.map(f64::abs)) {
        (Some(a), Some(b), Some(r)) if (1e-6..1.0 - 1e-6).contains(&r) => {
            prop_assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "ℓ {a} vs {b}");
        }
        (a, b, Some(r)) if (1e-6..1.0 - 1e-6).contains(&r) => {
            prop_assert!(false, "ℓ {a:?} vs {b:?} for |ρ| = {r}");
        }
        (a, b, Some(r)) if r < 1e-6 => {
            // −1/ln(1e-6) ≈ 0.072.
            prop_assert!(a.into_iter().chain(b).all(|l| l < 0.1), "ℓ {a:?}, {b:?}");
        }
        (Some(a), _, r) => prop_assert!(a > 1e5, "ℓ {a} for |ρ| = {r:?}"),
        _ => {}
    }
    let neutral = if arcs == 0 {
        0.0
    } else {
        equal as f64 / arcs as f64
    };
    prop_assert_eq!(h.neutrality, neutral);

    // Largest plateau by flood fill from every vertex in id order, arcs followed both
    // ways (weak components).
    let mut both: Vec<Vec<usize>> = lists.to_vec();
    for (v, out) in lists.iter().enumerate() {
        for &u in out {
            both[u].push(v);
        }
    }
    let mut comp = vec![usize::MAX; n];
    let (mut big, mut big_id) = (0, 0);
    for s in 0..n {
        if comp[s] != usize::MAX {
            continue;
        }
        let mut stack = vec![s];
        comp[s] = s;
        let mut size = 0;
        while let Some(v) = stack.pop() {
            size += 1;
            for &u in &both[v] {
                if comp[u] == usize::MAX && loss[u] == loss[v] {
                    comp[u] = s;
                    stack.push(u);
                }
            }
        }
        if size > big {
            (big, big_id) = (size, s);
        }
    }
    prop_assert_eq!(h.largest_plateau.size, big);
    prop_assert_eq!(h.largest_plateau.id as usize, big_id);
    prop_assert_eq!(h.largest_plateau.value, -loss[big_id] + 0.0);

    let mut memo = vec![None; n];
    let p: f64 = (0..n)
        .map(|v| first_p(v, loss, lists, best, &mut memo))
        .sum::<f64>()
        / n as f64;
    prop_assert!((h.first_p_success - p).abs() < 1e-12);
    Ok(())
}

fn product_and_loss() -> impl Strategy<Value = (Vec<usize>, Vec<f64>)> {
    prop::collection::vec(2usize..5, 1..5).prop_flat_map(|radices| {
        let n: usize = radices.iter().product();
        (1u32..8).prop_flat_map(move |k| {
            (
                Just(radices.clone()),
                prop::collection::vec((0..k).prop_map(|x| x as f64 * 0.25 - 1.0), n),
            )
        })
    })
}

fn graph_and_loss() -> impl Strategy<Value = (usize, Vec<(u32, u32)>, Vec<f64>)> {
    (2usize..25).prop_flat_map(|n| {
        (
            Just(n),
            prop::collection::vec((0..n as u32, 0..n as u32), 0..3 * n),
            prop::collection::vec((0u32..6).prop_map(|x| x as f64), n),
        )
    })
}

/// A random directed graph: `n` vertices, random arcs, some of them added both ways so
/// that mutual and one-way arcs mix; the losses have heavy ties.
fn digraph_and_loss() -> impl Strategy<Value = (usize, Vec<(u32, u32, bool)>, Vec<f64>)> {
    (2usize..25).prop_flat_map(|n| {
        (
            Just(n),
            prop::collection::vec((0..n as u32, 0..n as u32, any::<bool>()), 0..3 * n),
            prop::collection::vec((0u32..6).prop_map(|x| x as f64), n),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn product_spaces_match_brute_force((radices, loss) in product_and_loss()) {
        let mut spec = radices.iter().map(|k| k.to_string()).collect::<Vec<_>>().join("x");
        if radices.len() == 1 {
            spec += "^1";
        }
        let space = ProductSpace::parse(&spec).unwrap();
        let lists: Vec<Vec<usize>> = (0..loss.len()).map(|v| oracle::neighbours(v, &radices)).collect();
        check(&space, &lists, &loss)?;
    }

    #[test]
    fn random_graphs_match_brute_force((n, raw, loss) in graph_and_loss()) {
        let mut edges: Vec<(u32, u32)> = raw.into_iter().filter(|(a, b)| a != b).map(|(a, b)| (a.min(b), a.max(b))).collect();
        edges.sort_unstable();
        edges.dedup();
        let csr = Csr::from_undirected_edges(n, &edges).unwrap();
        let lists: Vec<Vec<usize>> = (0..n as VertexId).map(|v| csr.neighbours(v).iter().map(|&u| u as usize).collect()).collect();
        check(&csr, &lists, &loss)?;
    }

    #[test]
    fn random_directed_graphs_match_brute_force((n, raw, loss) in digraph_and_loss()) {
        let mut lists: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (a, b, mutual) in raw {
            if a != b {
                lists[a as usize].push(b as usize);
                if mutual {
                    lists[b as usize].push(a as usize);
                }
            }
        }
        let (mut offsets, mut targets) = (vec![0u64], Vec::new());
        for l in &mut lists {
            l.sort_unstable();
            l.dedup();
            targets.extend(l.iter().map(|&u| u as VertexId));
            offsets.push(targets.len() as u64);
        }
        let csr = Csr::new(offsets, targets).unwrap();
        let symmetric = (0..n).all(|v| lists[v].iter().all(|&u| lists[u].contains(&v)));
        prop_assert_eq!(csr.is_symmetric(), symmetric);
        check(&csr, &lists, &loss)?;
    }
}

/// iid uniform losses have no locality: ρ(1) ≈ 0 and FDC ≈ 0 on NB201 (|r| < 5/√edges
/// is far beyond sampling error), and ratio ≈ 1.
#[test]
fn iid_uniform_has_no_correlation() {
    let space = ProductSpace::parse("nb201").unwrap();
    let loss = nasland::synth::Model::Uniform.draw(space.len(), 3);
    let land = Landscape::of_product(&space, &loss);
    let h = hardness::hardness(&space, &loss, &land, 1.0, &[0.01]);
    assert!(
        h.rho1.unwrap().abs() < 5.0 / (15_625.0f64 * 12.0).sqrt(),
        "{:?}",
        h.rho1
    );
    assert!(h.fdc.unwrap().abs() < 0.05, "{:?}", h.fdc);
    assert!(
        (h.local_minima_ratio - 1.0).abs() < 0.15,
        "{}",
        h.local_minima_ratio
    );
    assert_eq!(h.neutrality, 0.0);
    assert_eq!(h.largest_plateau.size, 1);
}

/// A real column: the same numbers with 1 thread and with 2.
#[test]
fn thread_count_does_not_change_hardness() {
    let input = nasland::input::Input::from_table(
        ProductSpace::parse("nb201").unwrap(),
        &crate::util::shared_data("nb201.csv"),
        "arch_str",
        "c100_test_200_mean",
        true,
    )
    .unwrap();
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let land = input.space.landscape(&input.loss);
            hardness::hardness(
                &input.space,
                &input.loss,
                &land,
                input.sign(),
                &hardness::DEFAULT_EPS_SHARES,
            )
        })
    };
    let (a, b) = (run(1), run(2));
    assert_eq!(a, b);
    // Real NAS losses are strongly correlated between neighbours.
    assert!(a.rho1.unwrap() > 0.3 && a.local_minima_ratio < 0.5);
}
