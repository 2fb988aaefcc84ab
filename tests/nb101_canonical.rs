//! The NAS-Bench-101 canonical form is invariant under relabelling and separates
//! non-isomorphic cells (checked against an exhaustive isomorphism test), on random cells.

use nasland::space::nb101::{canonical, module_hash, Cell};
use proptest::prelude::*;

/// A random DAG cell in upper-triangular order: n vertices, edge bits, ops.
fn any_cell() -> impl Strategy<Value = Cell> {
    (2usize..=7)
        .prop_flat_map(|n| {
            (
                Just(n),
                proptest::collection::vec(any::<bool>(), n * (n - 1) / 2),
                proptest::collection::vec(0u8..3, n - 2),
            )
        })
        .prop_map(|(n, bits, ops)| {
            let mut edges = vec![];
            let mut k = 0;
            for v in 1..n {
                for u in 0..v {
                    if bits[k] {
                        edges.push((u, v));
                    }
                    k += 1;
                }
            }
            Cell::new(&ops, &edges).unwrap()
        })
}

/// A permutation of 0..n fixing the input and the output.
fn interior_permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    let mut x = seed | 1;
    for i in (2..n.saturating_sub(1)).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let j = 1 + (x % i as u64) as usize;
        p.swap(i, j);
    }
    p
}

/// Exhaustive: is there a relabelling of the interior mapping `a` onto `b`?
fn isomorphic(a: &Cell, b: &Cell) -> bool {
    if a.n() != b.n() {
        return false;
    }
    let n = a.n();
    let mut p: Vec<usize> = (0..n).collect();
    fn rec(a: &Cell, b: &Cell, p: &mut Vec<usize>, k: usize) -> bool {
        let n = p.len();
        if k + 1 >= n {
            return a.relabelled(p) == *b;
        }
        for i in k..n - 1 {
            p.swap(k, i);
            if rec(a, b, p, k + 1) {
                return true;
            }
            p.swap(k, i);
        }
        false
    }
    if n <= 2 {
        return a == b;
    }
    rec(a, b, &mut p, 1)
}

/// A small change to a cell that keeps the op multiset and the edge count, so that only
/// the structure can tell the result apart: swap the ops of two interior vertices, or
/// move one edge to a vertex pair that has none (kept acyclic). The result may or may not
/// be isomorphic to the cell.
fn mutate(c: &Cell, choice: usize) -> Cell {
    let n = c.n();
    if n < 3 {
        return *c;
    }
    if choice.is_multiple_of(2) && n > 3 {
        let a = 1 + (choice / 2) % (n - 2);
        let b = 1 + (choice / 7) % (n - 2);
        let (oa, ob) = (c.op(a), c.op(b));
        return c.with_op(a, ob).with_op(b, oa);
    }
    let edges: Vec<(usize, usize)> = c.edges().collect();
    let holes: Vec<(usize, usize)> = (0..n - 1)
        .flat_map(|u| (1..n).map(move |v| (u, v)))
        .filter(|&(u, v)| u != v && !c.has_edge(u, v))
        .collect();
    if edges.is_empty() || holes.is_empty() {
        return *c;
    }
    let (u, v) = edges[(choice / 2) % edges.len()];
    let (x, y) = holes[(choice / 3) % holes.len()];
    let d = c.with_edge(u, v, false).with_edge(x, y, true);
    if d.is_acyclic() {
        d
    } else {
        *c
    }
}

/// Exhaustive exact canonical form: minimum over all interior permutations of
/// (ops, adjacency bits).
fn brute_canonical(c: &Cell) -> (usize, Vec<u8>, u64) {
    let n = c.n();
    let mut best: Option<(Vec<u8>, u64)> = None;
    let mut p: Vec<usize> = (0..n).collect();
    fn rec(c: &Cell, p: &mut Vec<usize>, k: usize, best: &mut Option<(Vec<u8>, u64)>) {
        let n = p.len();
        if k + 1 >= n {
            let r = c.relabelled(p);
            let bits = r.edges().fold(0u64, |m, (u, v)| m | 1 << (u * n + v));
            let cand = (r.interior_ops().to_vec(), bits);
            if best.as_ref().is_none_or(|b| cand < *b) {
                *best = Some(cand);
            }
            return;
        }
        for i in k..n - 1 {
            p.swap(k, i);
            rec(c, p, k + 1, best);
            p.swap(k, i);
        }
    }
    rec(c, &mut p, 1.min(n - 1), &mut best);
    let (ops, bits) = best.unwrap();
    (n, ops, bits)
}

/// Every labelled cell of the space with at most 6 vertices: the fast canonical form, the
/// exhaustive one and the official module hash induce the same partition.
#[test]
fn same_classes_as_the_exhaustive_form_up_to_six_vertices() {
    use std::collections::HashMap;
    let mut fast_to_brute = HashMap::new();
    let mut brute_to_fast = HashMap::new();
    let mut hash_of = HashMap::new();
    let mut class_of_hash = HashMap::new();
    let mut labelled = 0;
    for n in 2..=6usize {
        let pairs: Vec<(usize, usize)> = (1..n).flat_map(|v| (0..v).map(move |u| (u, v))).collect();
        for mask in 0u32..1 << pairs.len() {
            let edges: Vec<(usize, usize)> = pairs
                .iter()
                .enumerate()
                .filter(|(i, _)| mask >> i & 1 == 1)
                .map(|(_, &e)| e)
                .collect();
            for l in 0..3u32.pow(n as u32 - 2) {
                let ops: Vec<u8> = (0..n - 2)
                    .map(|i| (l / 3u32.pow(i as u32) % 3) as u8)
                    .collect();
                let c = Cell::new(&ops, &edges).unwrap();
                if !c.is_in_space() {
                    continue;
                }
                labelled += 1;
                let f = canonical(&c);
                let b = brute_canonical(&c);
                assert_eq!(
                    *fast_to_brute.entry(f).or_insert_with(|| b.clone()),
                    b,
                    "{c}"
                );
                assert_eq!(*brute_to_fast.entry(b).or_insert(f), f, "{c}");
                // The module hash is a class invariant and separates the classes.
                let h = module_hash(&c);
                assert_eq!(*hash_of.entry(f).or_insert_with(|| h.clone()), h, "{c}");
                assert_eq!(*class_of_hash.entry(h).or_insert(f), f, "{c}");
            }
        }
    }
    // Class counts by size 1 + 6 + 84 + 2441 + 62010 (n = 2..6, from the full build).
    assert_eq!(fast_to_brute.len(), 64_542);
    assert_eq!(class_of_hash.len(), 64_542);
    assert!(labelled > fast_to_brute.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn relabelling_changes_neither_form_nor_hash(c in any_cell(), seed in any::<u64>()) {
        let r = c.relabelled(&interior_permutation(c.n(), seed));
        prop_assert!(isomorphic(&c, &r));
        prop_assert_eq!(canonical(&r), canonical(&c));
        prop_assert_eq!(module_hash(&r), module_hash(&c));
        // The representative is itself a member of the class.
        prop_assert!(isomorphic(&canonical(&c).cell(), &c));
    }

    #[test]
    fn equal_forms_exactly_when_isomorphic(
        c in any_cell(),
        seed in any::<u64>(),
        choice in 0usize..64,
        mutate_it in any::<bool>(),
    ) {
        let mut d = c.relabelled(&interior_permutation(c.n(), seed));
        if mutate_it {
            d = mutate(&d, choice);
        }
        prop_assert_eq!(canonical(&c) == canonical(&d), isomorphic(&c, &d), "{} vs {}", c, d);
    }

    #[test]
    fn pruned_cells_separate_like_the_exhaustive_test(a in any_cell(), b in any_cell()) {
        if let (Some(a), Some(b)) = (a.prune(), b.prune()) {
            prop_assert_eq!(canonical(&a) == canonical(&b), isomorphic(&a, &b));
        }
    }
}
