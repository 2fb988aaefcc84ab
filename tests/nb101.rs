//! NAS-Bench-101 space: count, keys, neighbourhood against a brute-force reference, and
//! iid-loss local minima against their expectation. The one build (util::nb101) is
//! shared with the other NB-101 tests.

use crate::util::nb101 as space;
use nasland::landscape::Landscape;
use nasland::space::nb101::{canonical, module_hash, shape, Cell, NUM_CELLS};
use nasland::space::{Neighbourhood, VertexId};
use nasland::synth::Model;
use nasland::theory::{iid, iid_directed};
use rand::{Rng, SeedableRng};
use std::collections::BTreeSet;

#[test]
fn count_is_423624_and_keys_are_unique_sorted_hashes() {
    let s = space();
    assert_eq!(s.len(), NUM_CELLS);
    let stats = s.stats();
    assert_eq!(stats.classes, NUM_CELLS);
    assert_eq!(stats.distinct_hashes, NUM_CELLS, "module hash collisions");
    assert!(stats.labelled_cells > NUM_CELLS as u64);
    let keys = s.keys();
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "keys not strictly ascending"
    );
    assert!(keys.iter().all(|k| k.len() == 32
        && k.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())));
    for v in [0, 1, 1000, 211_811, NUM_CELLS as VertexId - 1] {
        assert_eq!(s.id_of_hash(&keys[v as usize]), Some(v));
    }
    assert_eq!(s.id_of_hash("not a hash"), None);
}

/// Every stored cell is in the space and is its own canonical representative; on a sample
/// the stored key is the hash recomputed from the cell, and relabelling the cell at random
/// changes neither its canonical form nor its hash.
#[test]
fn cells_keys_and_canonical_forms_agree() {
    let s = space();
    for v in 0..s.len() as VertexId {
        let c = s.cell(v);
        assert!(c.is_in_space(), "vertex {v}: {c} is not in the space");
        assert_eq!(canonical(&c), s.class(v));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    for _ in 0..3000 {
        let v = rng.gen_range(0..s.len()) as VertexId;
        let c = s.cell(v);
        assert_eq!(module_hash(&c), s.keys()[v as usize], "vertex {v}: {c}");
        let mut perm: Vec<usize> = (0..c.n()).collect();
        let n = c.n();
        if n > 3 {
            for i in (2..n - 1).rev() {
                let j = rng.gen_range(1..=i);
                perm.swap(i, j);
            }
        }
        let r = c.relabelled(&perm);
        assert_eq!(canonical(&r), s.class(v));
        assert_eq!(module_hash(&r), s.keys()[v as usize]);
        assert_eq!(s.id_of_cell(&r), Some(v));
    }
}

/// Specs before pruning with the hash an independent Python implementation of the
/// official code gives them (tools/nb101_hash_reference.py), plus one hash published with
/// its matrix.
#[test]
fn hashes_match_the_python_reference_and_a_published_cell() {
    let s = space();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/nb101_hash_reference.csv"
    ))
    .unwrap();
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let mut f = line.split(',');
        let (m, ops, hash) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        let matrix: Vec<Vec<u8>> = m
            .split('/')
            .map(|r| r.bytes().map(|b| b - b'0').collect())
            .collect();
        let ops: Vec<&str> = ops.split(' ').collect();
        let spec = Cell::from_spec(&matrix, &ops).unwrap();
        let pruned = spec.prune().expect("reference specs are valid");
        assert_eq!(module_hash(&pruned), hash, "spec {m} {ops:?}");
        let v = s
            .id_of_cell(&spec)
            .expect("reference specs are in the space");
        assert_eq!(s.keys()[v as usize], hash);
        rows += 1;
    }
    assert_eq!(rows, 400);
    let published = s.id_of_hash("00005c142e6f48ac74fdcf73e3439874").unwrap();
    let c = s.cell(published);
    assert_eq!(c.n(), 7);
    assert_eq!(c.num_edges(), 9);
}

/// No move adds a vertex, and an arc is one-way exactly when its move pruned vertices.
#[test]
fn one_way_arcs_are_exactly_the_pruning_removals() {
    let s = space();
    let csr = s.csr();
    let mut one_way = 0;
    for v in 0..s.len() as VertexId {
        let nv = s.class(v).n();
        for &u in csr.neighbours(v) {
            let nu = s.class(u).n();
            assert!(nu <= nv, "arc {v} → {u} adds a vertex");
            let back = csr.neighbours(u).binary_search(&v).is_ok();
            assert_eq!(
                back,
                nu == nv,
                "arc {v} → {u}: reverse {back}, sizes {nv} → {nu}"
            );
            one_way += usize::from(!back);
        }
    }
    let sh = shape::shape(s);
    assert_eq!(sh.one_way_arcs, one_way);
    assert_eq!(sh.degree_histogram.iter().sum::<usize>(), NUM_CELLS);
    assert_eq!(sh.cells_by_vertices.iter().sum::<usize>(), NUM_CELLS);
    assert_eq!(sh.arcs, csr.targets().len());
}

#[test]
fn neighbours_match_a_brute_force_reference() {
    let s = space();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut sample: Vec<VertexId> = (0..s.len() as VertexId)
        .filter(|&v| s.class(v).n() <= 4)
        .collect();
    assert_eq!(sample.len(), 1 + 6 + 84);
    sample.extend((0..250).map(|_| rng.gen_range(0..s.len()) as VertexId));
    for v in sample {
        let c = s.cell(v);
        let fast: BTreeSet<BruteKey> = s
            .csr()
            .neighbours(v)
            .iter()
            .map(|&u| brute::canonical(&brute::Graph::of(&s.cell(u))))
            .collect();
        assert_eq!(
            fast.len(),
            s.csr().degree(v),
            "vertex {v}: two neighbours isomorphic"
        );
        let reference = brute::neighbours(&c);
        assert_eq!(fast, reference, "vertex {v}: {c}");
    }
}

#[test]
fn iid_uniform_local_minima_are_within_a_sound_bound_of_the_expectation() {
    let s = space();
    let csr = s.csr();
    let expected = iid::expected_local_minima(csr);
    let sd = iid_directed::local_minima_variance_bound(csr).sqrt();
    for seed in [1, 2] {
        let loss = Model::Uniform.draw(s.len(), seed);
        let land = Landscape::of_graph(csr, &loss);
        // Independent count: strictly below every out-neighbour.
        let direct = (0..s.len() as VertexId)
            .filter(|&v| {
                csr.neighbours(v)
                    .iter()
                    .all(|&u| loss[u as usize] > loss[v as usize])
            })
            .count();
        assert_eq!(land.local_minima, direct);
        let z = (land.local_minima as f64 - expected) / sd;
        // Chebyshev: a correct implementation fails this for a given seed with
        // probability at most 1/36.
        assert!(
            z.abs() < 6.0,
            "seed {seed}: {} minima, expected {expected:.1}, sd ≤ {sd:.1}",
            land.local_minima
        );
    }
}

/// The distance to the nearest global optimum follows local-search moves v → u on this
/// directed graph (17.8 % one-way arcs): with iid losses (seed 1), the library's distances
/// equal a forward BFS from each of 24 sampled vertices, and agree everywhere with a
/// Bellman–Ford sweep over forward arcs, which also counts the vertices that reach no
/// optimum; the hardness block reports the same count, mean and max. The sample is small
/// because with one optimum each forward BFS explores most of the graph before it meets
/// it (100 of them cost 18 s of CPU, a tenth of the integration tests); the sweep
/// covers every vertex.
#[test]
fn distances_to_the_optimum_follow_the_arcs_forward() {
    use nasland::stats::hardness;
    use rayon::prelude::*;
    let s = space();
    let csr = s.csr();
    assert!(!csr.is_symmetric());
    let n = s.len();
    let loss = Model::Uniform.draw(n, 1);
    let best = loss.iter().copied().fold(f64::INFINITY, f64::min);
    let is_opt = |v: usize| loss[v] == best;
    let dist = hardness::distance_to_optima(csr, &loss, best);

    // Forward BFS from one start, stopped at the first optimum discovered; `seen` holds
    // the stamp of the last BFS that reached each vertex, so it is never cleared.
    let forward = |start: VertexId, seen: &mut Vec<u32>, stamp: u32| -> Option<u32> {
        if is_opt(start as usize) {
            return Some(0);
        }
        let mut frontier = vec![start];
        seen[start as usize] = stamp;
        let mut d = 0;
        while !frontier.is_empty() {
            d += 1;
            let mut next = Vec::new();
            for &v in &frontier {
                for &u in csr.neighbours(v) {
                    if seen[u as usize] != stamp {
                        if is_opt(u as usize) {
                            return Some(d);
                        }
                        seen[u as usize] = stamp;
                        next.push(u);
                    }
                }
            }
            frontier = next;
        }
        None
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let sample: Vec<VertexId> = (0..24).map(|_| rng.gen_range(0..n) as VertexId).collect();
    let got: Vec<(VertexId, Option<u32>)> = sample
        .par_iter()
        .enumerate()
        .map_init(
            || vec![u32::MAX; n],
            |seen, (i, &v)| (v, forward(v, seen, i as u32)),
        )
        .collect();
    for (v, want) in got {
        let lib = dist[v as usize];
        assert_eq!((lib != u32::MAX).then_some(lib), want, "vertex {v}");
    }

    // Bellman–Ford over forward arcs: d(v) = 0 at an optimum, else 1 + min over N(v),
    // swept until nothing changes.
    let mut bf: Vec<u32> = (0..n)
        .map(|v| if is_opt(v) { 0 } else { u32::MAX })
        .collect();
    loop {
        let next: Vec<u32> = (0..n as VertexId)
            .into_par_iter()
            .map(|v| {
                let via = csr
                    .neighbours(v)
                    .iter()
                    .map(|&u| bf[u as usize].saturating_add(1))
                    .min()
                    .unwrap_or(u32::MAX);
                bf[v as usize].min(via)
            })
            .collect();
        if next == bf {
            break;
        }
        bf = next;
    }
    assert_eq!(dist, bf);
    let unreachable = bf.iter().filter(|&&d| d == u32::MAX).count();
    let reached: Vec<u32> = bf.iter().copied().filter(|&d| d != u32::MAX).collect();

    let land = Landscape::of_graph(csr, &loss);
    let h = hardness::hardness(csr, &loss, &land, 1.0, &[0.01]);
    assert_eq!(h.unreachable, unreachable);
    assert_eq!(h.distance_max, *reached.iter().max().unwrap());
    let mean = reached.iter().map(|&d| d as f64).sum::<f64>() / reached.len() as f64;
    assert!(
        (h.distance_mean - mean).abs() < 1e-9,
        "{} vs {mean}",
        h.distance_mean
    );
}

type BruteKey = (usize, Vec<u8>, u64);

/// An obviously-correct reference: matrices, all vertex orders, all permutations.
#[allow(clippy::needless_range_loop)]
mod brute {
    use super::BruteKey;
    use nasland::space::nb101::Cell;
    use std::collections::BTreeSet;

    const OUT: u8 = 9;
    const IN: u8 = 8;

    /// A labelled digraph: op per vertex (IN / OUT / 0..3) and an n×n 0/1 matrix.
    #[derive(Clone)]
    pub struct Graph {
        pub ops: Vec<u8>,
        pub m: Vec<Vec<u8>>,
    }

    impl Graph {
        pub fn of(c: &Cell) -> Graph {
            let n = c.n();
            let mut ops = vec![IN];
            ops.extend_from_slice(c.interior_ops());
            ops.push(OUT);
            let m = (0..n)
                .map(|u| (0..n).map(|v| c.has_edge(u, v) as u8).collect())
                .collect();
            Graph { ops, m }
        }
        fn n(&self) -> usize {
            self.ops.len()
        }
        fn edges(&self) -> usize {
            self.m.iter().flatten().map(|&x| x as usize).sum()
        }
    }

    /// Minimum over all permutations of the interior vertices of (ops, matrix bits).
    pub fn canonical(g: &Graph) -> BruteKey {
        let n = g.n();
        let mut best: Option<(Vec<u8>, u64)> = None;
        for p in permutations(n) {
            let mut ops = vec![0; n];
            let mut bits = 0u64;
            for v in 0..n {
                ops[p[v]] = g.ops[v];
                for w in 0..n {
                    if g.m[v][w] == 1 {
                        bits |= 1 << (p[v] * n + p[w]);
                    }
                }
            }
            let cand = (ops, bits);
            if best.as_ref().is_none_or(|b| cand < *b) {
                best = Some(cand);
            }
        }
        let (ops, bits) = best.unwrap();
        (n, ops, bits)
    }

    /// All permutations of 0..n fixing 0 and n − 1.
    fn permutations(n: usize) -> Vec<Vec<usize>> {
        let mut out = vec![];
        let mut p: Vec<usize> = (0..n).collect();
        fn rec(p: &mut Vec<usize>, k: usize, out: &mut Vec<Vec<usize>>) {
            let n = p.len();
            if k + 1 >= n {
                out.push(p.clone());
                return;
            }
            for i in k..n - 1 {
                p.swap(k, i);
                rec(p, k + 1, out);
                p.swap(k, i);
            }
        }
        if n <= 2 {
            return vec![p];
        }
        rec(&mut p, 1, &mut out);
        out
    }

    /// The official `ModelSpec` pruning: keep vertices reachable from the input and
    /// reaching the output; `None` if the output is unreachable.
    fn prune(g: &Graph) -> Option<Graph> {
        let n = g.n();
        let mut fwd = vec![false; n];
        let mut stack = vec![0];
        fwd[0] = true;
        while let Some(u) = stack.pop() {
            for v in 0..n {
                if g.m[u][v] == 1 && !fwd[v] {
                    fwd[v] = true;
                    stack.push(v);
                }
            }
        }
        let mut bwd = vec![false; n];
        stack.push(n - 1);
        bwd[n - 1] = true;
        while let Some(v) = stack.pop() {
            for u in 0..n {
                if g.m[u][v] == 1 && !bwd[u] {
                    bwd[u] = true;
                    stack.push(u);
                }
            }
        }
        if !fwd[n - 1] {
            return None;
        }
        let keep: Vec<usize> = (0..n).filter(|&v| fwd[v] && bwd[v]).collect();
        Some(Graph {
            ops: keep.iter().map(|&v| g.ops[v]).collect(),
            m: keep
                .iter()
                .map(|&u| keep.iter().map(|&v| g.m[u][v]).collect())
                .collect(),
        })
    }

    /// Every upper-triangular presentation of `g`, padded to 7 vertices with isolated
    /// conv3x3 vertices placed just before the output.
    fn presentations(g: &Graph) -> Vec<Graph> {
        let n = g.n();
        let mut out = vec![];
        for p in permutations(n) {
            // p[v] = new position of v; keep it only if every edge goes forward.
            let forward = (0..n).all(|u| (0..n).all(|v| g.m[u][v] == 0 || p[u] < p[v]));
            if !forward {
                continue;
            }
            let mut ops = vec![0; 7];
            let mut m = vec![vec![0; 7]; 7];
            let place = |x: usize| if x == n - 1 { 6 } else { x };
            for v in 0..n {
                ops[place(p[v])] = g.ops[v];
                for w in 0..n {
                    if g.m[v][w] == 1 {
                        m[place(p[v])][place(p[w])] = 1;
                    }
                }
            }
            out.push(Graph { ops, m });
        }
        out
    }

    /// Toggle every upper-triangular entry and change every interior op of every
    /// presentation; prune; keep what the official API calls valid (output reachable,
    /// at most 9 edges) and is not the cell itself.
    pub fn neighbours(c: &Cell) -> BTreeSet<BruteKey> {
        let g = Graph::of(c);
        let own = canonical(&g);
        let mut out = BTreeSet::new();
        for rep in presentations(&g) {
            let mut moves = vec![];
            for v in 1..6 {
                for op in 0..3 {
                    if op != rep.ops[v] {
                        let mut h = rep.clone();
                        h.ops[v] = op;
                        moves.push(h);
                    }
                }
            }
            for i in 0..7 {
                for j in i + 1..7 {
                    let mut h = rep.clone();
                    h.m[i][j] ^= 1;
                    moves.push(h);
                }
            }
            for h in moves {
                if let Some(p) = prune(&h) {
                    if p.edges() <= 9 {
                        let k = canonical(&p);
                        if k != own {
                            out.insert(k);
                        }
                    }
                }
            }
        }
        out
    }
}
