//! An exact canonical form of a cell: equal forms ⇔ isomorphic cells.
//!
//! The official benchmark merges isomorphic cells by a hash, which was checked against
//! an exhaustive isomorphism test when the dataset was built. nasland wants the merge to
//! be exact by construction, so it names each class by a canonical form and uses the hash
//! only as the benchmark's key (and checks the two against each other on every cell).
//!
//! Method. Give every vertex an isomorphism-invariant label
//! `(role, depth, op, in-degree, out-degree)` — role puts the input first and the output
//! last, depth is the longest path from a source to the vertex — and sort the vertices by
//! it. Among the orders that respect this sort (permute only within runs of equal labels)
//! take the one whose adjacency bit mask is smallest. The form is (n, the ops in that
//! order, that mask).
//!
//! Why it is exact: an isomorphism maps labels to equal labels, so two isomorphic cells
//! have the same sorted label sequence and the same set of label-respecting relabelled
//! graphs, hence the same minimum; conversely equal forms are one identical relabelled
//! graph, so the cells are isomorphic. Why it is fast: an edge u → v makes depth(v) >
//! depth(u), so runs hold pairwise non-adjacent vertices, every candidate order is
//! topological (the mask is the upper triangle only, 21 bits), and most cells have no run
//! longer than one — a single candidate.

use super::cell::{Cell, MAX_VERTICES};

/// The canonical form of a cell, packed in 34 bits: `n` (3 bits), the interior op codes
/// in canonical order (2 bits each), the upper-triangular adjacency of the canonical
/// order (21 bits, entry (i, j), i < j, at bit `i + j(j−1)/2` as in the official
/// generator's bit strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CanonicalKey(pub(crate) u64);

const ADJ_BITS: u32 = 21;
const OPS_BITS: u32 = 10;

/// Bit index of the upper-triangular entry (i, j), i < j.
#[inline(always)]
pub(crate) fn tri_bit(i: usize, j: usize) -> u32 {
    (i + j * (j - 1) / 2) as u32
}

/// The canonical form of `cell`, which must be acyclic (every [`Cell`] is).
pub fn canonical(cell: &Cell) -> CanonicalKey {
    canonical_with_order(cell).0
}

/// The canonical form and one vertex order achieving it (`order[p]` = the vertex placed
/// at position `p`).
pub(crate) fn canonical_with_order(cell: &Cell) -> (CanonicalKey, [u8; MAX_VERTICES]) {
    let n = cell.n();
    let labels = vertex_labels(cell);
    let mut order = [0u8; MAX_VERTICES];
    for (p, o) in order.iter_mut().enumerate().take(n) {
        *o = p as u8;
    }
    order[..n].sort_by_key(|&v| labels[v as usize]);

    // Runs of equal labels: only these may be permuted.
    let mut runs = [(0u8, 0u8); MAX_VERTICES];
    let mut num_runs = 0;
    let mut start = 0;
    for p in 1..=n {
        if p == n || labels[order[p] as usize] != labels[order[start] as usize] {
            if p - start > 1 {
                runs[num_runs] = (start as u8, (p - start) as u8);
                num_runs += 1;
            }
            start = p;
        }
    }

    let mut best = (u32::MAX, order);
    search(cell, &mut order, &runs[..num_runs], &mut best);
    let (mask, best_order) = best;

    let mut ops: u64 = 0;
    for p in 1..n - 1 {
        ops |= (cell.op(best_order[p] as usize) as u64) << (2 * (p - 1));
    }
    let key = (n as u64) << (ADJ_BITS + OPS_BITS) | ops << ADJ_BITS | mask as u64;
    (CanonicalKey(key), best_order)
}

/// Label of each vertex: role, depth, op, in-degree, out-degree, packed so that integer
/// order is the lexicographic order of the tuple.
fn vertex_labels(cell: &Cell) -> [u32; MAX_VERTICES] {
    let n = cell.n();
    let mut pred = [0u8; MAX_VERTICES];
    for u in 0..n {
        let mut m = cell.successors(u);
        while m != 0 {
            let v = m.trailing_zeros() as usize;
            m &= m - 1;
            pred[v] |= 1 << u;
        }
    }
    // Longest path from a source, by relaxation (at most n rounds on a DAG).
    let mut depth = [0u8; MAX_VERTICES];
    loop {
        let mut changed = false;
        for v in 0..n {
            let mut m = pred[v];
            while m != 0 {
                let u = m.trailing_zeros() as usize;
                m &= m - 1;
                if depth[u] + 1 > depth[v] {
                    depth[v] = depth[u] + 1;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut labels = [u32::MAX; MAX_VERTICES];
    for v in 0..n {
        let role = if v == 0 {
            0
        } else if v == n - 1 {
            2
        } else {
            1
        };
        let op = if role == 1 { cell.op(v) as u32 } else { 0 };
        labels[v] = role << 16
            | (depth[v] as u32) << 10
            | op << 6
            | pred[v].count_ones() << 3
            | cell.successors(v).count_ones();
    }
    labels
}

/// Tries every order that permutes vertices within the runs, keeping the smallest mask.
fn search(
    cell: &Cell,
    order: &mut [u8; MAX_VERTICES],
    runs: &[(u8, u8)],
    best: &mut (u32, [u8; MAX_VERTICES]),
) {
    match runs.split_first() {
        None => {
            let m = mask(cell, order);
            if m < best.0 {
                *best = (m, *order);
            }
        }
        Some((&(start, len), rest)) => {
            heap_permute(cell, order, start as usize, len as usize, rest, best);
        }
    }
}

/// Heap's algorithm over `order[start..start + k]`, recursing into the remaining runs for
/// each of the k! arrangements.
fn heap_permute(
    cell: &Cell,
    order: &mut [u8; MAX_VERTICES],
    start: usize,
    k: usize,
    rest: &[(u8, u8)],
    best: &mut (u32, [u8; MAX_VERTICES]),
) {
    if k <= 1 {
        search(cell, order, rest, best);
        return;
    }
    for i in 0..k - 1 {
        heap_permute(cell, order, start, k - 1, rest, best);
        let j = if k.is_multiple_of(2) { i } else { 0 };
        order.swap(start + j, start + k - 1);
    }
    heap_permute(cell, order, start, k - 1, rest, best);
}

/// Upper-triangular adjacency mask of `cell` with vertex `order[p]` at position `p`.
#[inline]
fn mask(cell: &Cell, order: &[u8; MAX_VERTICES]) -> u32 {
    let n = cell.n();
    let mut pos = [0u8; MAX_VERTICES];
    for p in 0..n {
        pos[order[p] as usize] = p as u8;
    }
    let mut m = 0u32;
    for u in 0..n {
        let mut s = cell.successors(u);
        let i = pos[u] as usize;
        while s != 0 {
            let v = s.trailing_zeros() as usize;
            s &= s - 1;
            let j = pos[v] as usize;
            debug_assert!(i < j, "label order must be topological");
            m |= 1 << tri_bit(i, j);
        }
    }
    m
}

impl CanonicalKey {
    /// The packed form, as documented on the type (for sorting and hashing elsewhere).
    pub fn raw(self) -> u64 {
        self.0
    }

    /// Number of vertices of the class's cells.
    pub fn n(self) -> usize {
        (self.0 >> (ADJ_BITS + OPS_BITS)) as usize
    }

    /// The canonical representative: the cell in canonical vertex order, whose matrix is
    /// upper triangular.
    pub fn cell(self) -> Cell {
        let n = self.n();
        let ops: Vec<u8> = (0..n - 2)
            .map(|i| (self.0 >> (ADJ_BITS + 2 * i as u32) & 3) as u8)
            .collect();
        let mut edges = Vec::new();
        for j in 1..n {
            for i in 0..j {
                if self.0 >> tri_bit(i, j) & 1 == 1 {
                    edges.push((i, j));
                }
            }
        }
        // Only edges (i, j) with i < j are decoded, and ops are 2-bit fields below 3 by
        // construction of keys (canonical() makes them): the cell is always valid.
        #[allow(clippy::expect_used)]
        let cell = Cell::new(&ops, &edges).expect("a canonical key encodes a valid cell");
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diamond_with_swapped_branches_is_one_class() {
        // The official test's diamond: in → a, in → b, a → out, b → out.
        let a = Cell::new(&[1, 2], &[(0, 1), (0, 2), (1, 3), (2, 3)]).unwrap();
        let b = Cell::new(&[2, 1], &[(0, 1), (0, 2), (1, 3), (2, 3)]).unwrap();
        assert_eq!(canonical(&a), canonical(&b));
        assert_eq!(canonical(&canonical(&a).cell()), canonical(&a));
    }

    #[test]
    fn chains_in_different_op_orders_differ() {
        let a = Cell::new(&[1, 0, 0], &[(0, 1), (1, 2), (2, 3), (3, 4)]).unwrap();
        let b = Cell::new(&[0, 0, 1], &[(0, 1), (1, 2), (2, 3), (3, 4)]).unwrap();
        assert_ne!(canonical(&a), canonical(&b));
    }
}
