//! NAS-Bench-101 as the paper's local search walks it: labelled 7×7 cells, not classes.
//!
//! The search code of White, Nolen & Savani (naszilla, `Cell101.adj_neighborhood`) keeps a
//! cell as an upper-triangular 7×7 matrix plus an op for each of the 5 interior vertices;
//! vertices on no input→output path keep their op and edges that lie on no such path stay
//! in the matrix. A *state* is such a pair whose spec the benchmark accepts (after
//! pruning, the output is reachable from the input and at most 9 edges remain). Its moves:
//! - change the op of an interior vertex that lies on an input→output path to one of the
//!   two others;
//! - remove an edge that lies on such a path, if the result is a state;
//! - add an absent edge that then lies on such a path, if the result is a state.
//!
//! Nothing is stored per state: a state is its index `mask · 3^(V−2) + ops` (mask: the
//! upper triangle, bit `i + j(j−1)/2` for the edge i → j; ops: base-3 digits, vertex v at
//! digit v − 1), and everything about it follows from a per-mask table of which vertices
//! the input reaches and which reach the output. Whether an edge move is allowed depends on
//! the mask alone, so the states of one mask move together to the states, with the same
//! ops, of another mask: the landscape pass ([`landscape`]) streams blocks of 3^(V−2)
//! states.
//!
//! The relation is symmetric: removing a used edge e from A gives a state B exactly when
//! adding e to B gives A with e used (an edge i → j is used after it is added iff the input
//! reached i and j reached the output before, since paths only go up the vertex order).
//!
//! The vertex count V is a parameter so that the same code can be checked exhaustively
//! against a brute-force walk on V = 5; the benchmark is V = 7.

pub mod landscape;

use super::nb101::cell::{Cell, MAX_EDGES, MAX_VERTICES};
use rayon::prelude::*;

/// Ops per interior vertex.
const OPS: u32 = 3;

/// The labelled state space on V vertices.
#[derive(Clone, Debug)]
pub struct Labelled {
    vertices: usize,
    /// Op assignments per mask, 3^(V−2).
    opsets: u32,
    /// Per mask: bits 0–7 the vertices the input reaches, 8–15 those that reach the
    /// output, 16–23 the number of used edges, bit 24 set when the mask is a state's.
    info: Vec<u32>,
    /// The edge (i, j) of each mask bit.
    edges: Vec<(u8, u8)>,
}

const VALID: u32 = 1 << 24;

/// Bit of the edge i → j (i < j) in a mask.
pub fn edge_bit(i: usize, j: usize) -> u32 {
    (i + j * (j - 1) / 2) as u32
}

impl Labelled {
    /// The space on `vertices` vertices (2..=7; 7 is NAS-Bench-101).
    pub fn new(vertices: usize) -> Labelled {
        assert!((2..=MAX_VERTICES).contains(&vertices), "2 to 7 vertices");
        let pairs = vertices * (vertices - 1) / 2;
        let mut edges = vec![(0u8, 0u8); pairs];
        for j in 1..vertices {
            for i in 0..j {
                edges[edge_bit(i, j) as usize] = (i as u8, j as u8);
            }
        }
        let out = vertices - 1;
        let info: Vec<u32> = (0..1u32 << pairs)
            .into_par_iter()
            .map(|mask| {
                let has = |i: usize, j: usize| mask >> edge_bit(i, j) & 1 == 1;
                let mut fwd = 1u32;
                for j in 1..vertices {
                    if (0..j).any(|i| fwd >> i & 1 == 1 && has(i, j)) {
                        fwd |= 1 << j;
                    }
                }
                let mut bwd = 1u32 << out;
                for i in (0..out).rev() {
                    if (i + 1..vertices).any(|j| bwd >> j & 1 == 1 && has(i, j)) {
                        bwd |= 1 << i;
                    }
                }
                let used = edges
                    .iter()
                    .enumerate()
                    .filter(|&(b, &(i, j))| {
                        mask >> b & 1 == 1 && fwd >> i & 1 == 1 && bwd >> j & 1 == 1
                    })
                    .count() as u32;
                let valid = fwd >> out & 1 == 1 && used as usize <= MAX_EDGES;
                fwd | bwd << 8 | used << 16 | if valid { VALID } else { 0 }
            })
            .collect();
        Labelled {
            vertices,
            opsets: OPS.pow(vertices as u32 - 2),
            info,
            edges,
        }
    }

    /// Vertices per cell.
    pub fn vertices(&self) -> usize {
        self.vertices
    }

    /// Number of masks, 2^(V(V−1)/2).
    pub fn masks(&self) -> usize {
        self.info.len()
    }

    /// Op assignments per mask, 3^(V−2).
    pub fn opsets(&self) -> u32 {
        self.opsets
    }

    /// Number of indices, states or not: masks × op assignments.
    pub fn raw_len(&self) -> u64 {
        self.masks() as u64 * self.opsets as u64
    }

    /// True when `mask` (with any ops) is a state.
    pub fn is_valid_mask(&self, mask: u32) -> bool {
        self.info[mask as usize] & VALID != 0
    }

    /// True when index `idx` is a state.
    pub fn is_state(&self, idx: u64) -> bool {
        self.is_valid_mask((idx / self.opsets as u64) as u32)
    }

    /// Number of states.
    pub fn states(&self) -> u64 {
        self.info.iter().filter(|&&i| i & VALID != 0).count() as u64 * self.opsets as u64
    }

    /// Vertices the input reaches and vertices that reach the output.
    fn reach(&self, mask: u32) -> (u32, u32) {
        let i = self.info[mask as usize];
        (i & 0xff, i >> 8 & 0xff)
    }

    /// The mask of the edges that lie on an input→output path.
    pub fn used_edges(&self, mask: u32) -> u32 {
        let (fwd, bwd) = self.reach(mask);
        let mut used = 0;
        for (b, &(i, j)) in self.edges.iter().enumerate() {
            if mask >> b & 1 == 1 && fwd >> i & 1 == 1 && bwd >> j & 1 == 1 {
                used |= 1 << b;
            }
        }
        used
    }

    /// Interior vertices that lie on an input→output path (bit v for vertex v).
    pub fn used_interior(&self, mask: u32) -> u32 {
        let (fwd, bwd) = self.reach(mask);
        fwd & bwd & !(1 | 1 << (self.vertices - 1))
    }

    /// Calls `f` with every mask one edge move away from state mask `mask`.
    pub fn for_each_edge_move(&self, mask: u32, mut f: impl FnMut(u32)) {
        let (fwd, bwd) = self.reach(mask);
        for (b, &(i, j)) in self.edges.iter().enumerate() {
            let used_if_present = fwd >> i & 1 == 1 && bwd >> j & 1 == 1;
            if !used_if_present {
                continue;
            }
            // Present: a used edge, removed. Absent: used once added.
            let next = mask ^ 1 << b;
            if self.is_valid_mask(next) {
                f(next);
            }
        }
    }

    /// The op of interior vertex `v` (1..V−1) in op assignment `ops`.
    pub fn op(&self, ops: u32, v: usize) -> u32 {
        ops / OPS.pow(v as u32 - 1) % OPS
    }

    /// Calls `f` with every neighbour of state `idx`: op changes first, then edge moves.
    pub fn for_each_neighbour(&self, idx: u64, mut f: impl FnMut(u64)) {
        let o = self.opsets as u64;
        let (mask, ops) = ((idx / o) as u32, (idx % o) as u32);
        let used = self.used_interior(mask);
        for v in 1..self.vertices - 1 {
            if used >> v & 1 == 1 {
                let place = OPS.pow(v as u32 - 1);
                let cur = self.op(ops, v);
                for op in 0..OPS {
                    if op != cur {
                        f(mask as u64 * o + (ops - cur * place + op * place) as u64);
                    }
                }
            }
        }
        self.for_each_edge_move(mask, |m| f(m as u64 * o + ops as u64));
    }

    /// The full (unpruned) cell of index `idx`: every vertex, every edge of the matrix.
    pub fn cell(&self, idx: u64) -> Cell {
        let o = self.opsets as u64;
        let (mask, ops) = ((idx / o) as u32, (idx % o) as u32);
        let interior: Vec<u8> = (1..self.vertices - 1)
            .map(|v| self.op(ops, v) as u8)
            .collect();
        let edges: Vec<(usize, usize)> = self
            .edges
            .iter()
            .enumerate()
            .filter(|&(b, _)| mask >> b & 1 == 1)
            .map(|(_, &(i, j))| (i as usize, j as usize))
            .collect();
        // Edges (i, j) with i < j only, from the state's own mask: always a DAG.
        #[allow(clippy::expect_used)]
        let cell = Cell::new(&interior, &edges).expect("an upper-triangular matrix is a DAG");
        cell
    }

    /// The state's matrix and op list in the benchmark's `ModelSpec` form (7×7, padded).
    pub fn spec(&self, idx: u64) -> String {
        let c = self.cell(idx);
        let rows: Vec<String> = c
            .matrix()
            .iter()
            .map(|r| r.iter().map(|x| x.to_string()).collect::<String>())
            .collect();
        format!("{} {}", rows.join("/"), c.op_names().join(","))
    }

    /// The class of every state, as `class_of` names the pruned cell of one
    /// representative: a per-mask table, computed once per set of used edges and once per
    /// assignment of ops to the used vertices.
    pub fn class_table<F>(&self, class_of: F) -> ClassTable
    where
        F: Fn(&Cell) -> Option<u32> + Sync,
    {
        let o = self.opsets as usize;
        // Masks whose every edge is used stand for all masks with those used edges.
        let pruned: Vec<u32> = (0..self.masks() as u32)
            .into_par_iter()
            .filter(|&m| self.is_valid_mask(m) && self.used_edges(m) == m)
            .collect();
        let mut slot = vec![u32::MAX; self.masks()];
        for (k, &m) in pruned.iter().enumerate() {
            slot[m as usize] = k as u32;
        }
        let ids: Vec<u32> = pruned
            .par_iter()
            .flat_map_iter(|&m| {
                let used = self.used_interior(m);
                let mut block = vec![u32::MAX; o];
                for ops in 0..o as u32 {
                    // Zero the ops of unused vertices: the same class, computed once.
                    let mut rep = 0;
                    for v in 1..self.vertices - 1 {
                        if used >> v & 1 == 1 {
                            rep += self.op(ops, v) * OPS.pow(v as u32 - 1);
                        }
                    }
                    block[ops as usize] = if rep < ops {
                        block[rep as usize]
                    } else {
                        let cell = self.cell(m as u64 * o as u64 + ops as u64);
                        class_of(&cell).unwrap_or(u32::MAX)
                    };
                }
                block
            })
            .collect();
        let missing = ids.iter().filter(|&&c| c == u32::MAX).count();
        ClassTable {
            opsets: self.opsets,
            slot,
            ids,
            missing,
        }
    }
}

/// The class of every state: `ids[slot[used_edges(mask)] · 3^(V−2) + ops]`.
#[derive(Clone, Debug)]
pub struct ClassTable {
    opsets: u32,
    slot: Vec<u32>,
    ids: Vec<u32>,
    /// Entries the class function did not know (0 for a complete class list).
    pub missing: usize,
}

impl ClassTable {
    /// The class of state `idx` of `space` (which built this table).
    #[inline]
    pub fn class(&self, space: &Labelled, idx: u64) -> u32 {
        let o = self.opsets as u64;
        let (mask, ops) = ((idx / o) as u32, idx % o);
        let s = self.slot[space.used_edges(mask) as usize] as u64;
        self.ids[(s * o + ops) as usize]
    }

    /// The classes of all the states of one mask, indexed by ops.
    #[inline]
    pub fn block(&self, used_edges: u32) -> &[u32] {
        let o = self.opsets as usize;
        let s = self.slot[used_edges as usize] as usize;
        &self.ids[s * o..(s + 1) * o]
    }

    /// Number of distinct sets of used edges (pruned matrices).
    pub fn pruned_masks(&self) -> usize {
        self.ids.len() / self.opsets as usize
    }
}
