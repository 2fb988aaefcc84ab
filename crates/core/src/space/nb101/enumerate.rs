//! Every cell of the space, one per isomorphism class.
//!
//! The walk is the one the benchmark's authors describe (`generate_graphs.py`): for
//! n = 2..7 vertices, every upper-triangular 0/1 matrix with at most 9 edges in which
//! every vertex lies on an input→output path, with every assignment of the 3 ops to the
//! n − 2 interior vertices. Every cell of the space has a topological vertex order, so
//! every class is met; classes are merged by the exact [`canonical`] form instead of the
//! hash.

use super::canonical::{canonical, tri_bit, CanonicalKey};
use super::cell::{Cell, MAX_EDGES, MAX_VERTICES, OPS};
use rayon::prelude::*;

/// The canonical keys of all cells of the space, sorted and distinct, with the number of
/// labelled cells (vertex-ordered matrices × op assignments) they were merged from.
pub fn all_classes(mut tick: impl FnMut(u64)) -> (Vec<CanonicalKey>, u64) {
    let mut keys = Vec::new();
    let mut labelled = 0u64;
    for n in 2..=MAX_VERTICES {
        let pairs = n * (n - 1) / 2;
        let masks: Vec<u32> = (0..1u32 << pairs)
            .into_par_iter()
            .filter(|&m| m.count_ones() as usize <= MAX_EDGES && every_vertex_on_a_path(n, m))
            .collect();
        let labellings = (OPS.len() as u32).pow(n as u32 - 2);
        labelled += masks.len() as u64 * labellings as u64;
        let chunk: Vec<CanonicalKey> = masks
            .par_iter()
            .flat_map_iter(|&m| {
                let edges = edges_of(n, m);
                (0..labellings).map(move |l| {
                    let mut ops = [0u8; MAX_VERTICES];
                    let mut x = l;
                    for op in ops.iter_mut().take(n - 2) {
                        *op = (x % 3) as u8;
                        x /= 3;
                    }
                    // edges_of yields only (i, j) with i < j: a DAG, with ops below 3.
                    #[allow(clippy::expect_used)]
                    let cell = Cell::new(&ops[..n - 2], &edges).expect("generated cell is a DAG");
                    canonical(&cell)
                })
            })
            .collect();
        keys.extend(chunk);
        keys.par_sort_unstable();
        keys.dedup();
        tick(n as u64);
    }
    (keys, labelled)
}

/// The official `is_full_dag` test on an upper-triangular mask: every vertex but the
/// output has an out-edge and every vertex but the input an in-edge. In a DAG this is the
/// same as every vertex lying on an input→output path.
fn every_vertex_on_a_path(n: usize, mask: u32) -> bool {
    let mut has_out = 0u32;
    let mut has_in = 0u32;
    for j in 1..n {
        for i in 0..j {
            if mask >> tri_bit(i, j) & 1 == 1 {
                has_out |= 1 << i;
                has_in |= 1 << j;
            }
        }
    }
    let all = (1u32 << n) - 1;
    has_out | 1 << (n - 1) == all && has_in | 1 == all
}

fn edges_of(n: usize, mask: u32) -> Vec<(usize, usize)> {
    let mut edges = Vec::new();
    for j in 1..n {
        for i in 0..j {
            if mask >> tri_bit(i, j) & 1 == 1 {
                edges.push((i, j));
            }
        }
    }
    edges
}
