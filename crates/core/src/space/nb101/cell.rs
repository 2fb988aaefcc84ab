//! A NAS-Bench-101 cell: a labelled DAG on at most 7 vertices.
//!
//! Vertex 0 is the input and vertex `n − 1` the output, always; the `n − 2` vertices
//! between carry one of three operations. Edges are kept as one successor bit mask per
//! vertex, so every graph question (degrees, reachability, pruning) is a few bit
//! operations on at most 7 bytes and a cell is `Copy`.
//!
//! A cell need not be in the benchmark's space: it may have vertices off every
//! input→output path, more than 9 edges, or a vertex order that is not topological (a
//! relabelled cell). [`Cell::prune`] and [`Cell::is_in_space`] say how it relates to the
//! space; [`super::canonical()`] names its isomorphism class.

use anyhow::{bail, Result};
use std::fmt;

/// Most vertices a cell of the space has, input and output included.
pub(crate) const MAX_VERTICES: usize = 7;
/// Most edges a cell of the space has.
pub(crate) const MAX_EDGES: usize = 9;
/// The operations, indexed by op code: the order of the official `available_ops`, which is
/// also the integer label the official module hash gives each op.
pub const OPS: [&str; 3] = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"];
/// Name of the input vertex in the official operation lists.
pub(crate) const INPUT: &str = "input";
/// Name of the output vertex in the official operation lists.
pub(crate) const OUTPUT: &str = "output";

/// A labelled DAG with input 0 and output `n − 1`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cell {
    n: u8,
    /// Op code of each interior vertex; entries 0 and `n − 1` are unused (0).
    ops: [u8; MAX_VERTICES],
    /// Bit `w` of `succ[v]` is set when the cell has the edge v → w.
    succ: [u8; MAX_VERTICES],
}

impl Cell {
    /// A cell on `interior_ops.len() + 2` vertices with the given edges `(from, to)`.
    ///
    /// Checks what makes it a cell at all: at most 7 vertices, op codes below 3, edges
    /// between existing vertices, none into the input or out of the output, no self-loop,
    /// no repeated edge, no cycle. Space membership (pruned, ≤ 9 edges) is not required.
    pub fn new(interior_ops: &[u8], edges: &[(usize, usize)]) -> Result<Self> {
        let n = interior_ops.len() + 2;
        if n > MAX_VERTICES {
            bail!("a cell has at most {MAX_VERTICES} vertices, got {n}");
        }
        let mut cell = Cell {
            n: n as u8,
            ops: [0; MAX_VERTICES],
            succ: [0; MAX_VERTICES],
        };
        for (i, &op) in interior_ops.iter().enumerate() {
            if op as usize >= OPS.len() {
                bail!("vertex {}: op code {op} is not one of 0, 1, 2", i + 1);
            }
            cell.ops[i + 1] = op;
        }
        for &(u, v) in edges {
            if u >= n || v >= n {
                bail!("edge {u} → {v} names a vertex >= {n}");
            }
            if u == v {
                bail!("edge {u} → {v} is a self-loop");
            }
            if v == 0 {
                bail!("edge {u} → 0 enters the input vertex");
            }
            if u == n - 1 {
                bail!("edge {u} → {v} leaves the output vertex");
            }
            if cell.has_edge(u, v) {
                bail!("edge {u} → {v} is given twice");
            }
            cell.succ[u] |= 1 << v;
        }
        if !cell.is_acyclic() {
            bail!("the edges form a cycle");
        }
        Ok(cell)
    }

    /// Builds a cell from the official `ModelSpec` form: a square 0/1 upper-triangular
    /// adjacency matrix and one operation name per vertex, `input` first, `output` last.
    pub fn from_spec<R: AsRef<[u8]>, S: AsRef<str>>(matrix: &[R], ops: &[S]) -> Result<Self> {
        let n = matrix.len();
        if ops.len() != n {
            bail!(
                "the matrix has {n} rows but there are {} operations",
                ops.len()
            );
        }
        if n < 2 {
            bail!("a cell needs at least the input and the output vertex");
        }
        if ops[0].as_ref() != INPUT || ops[n - 1].as_ref() != OUTPUT {
            bail!("the first operation must be {INPUT:?} and the last {OUTPUT:?}");
        }
        let mut interior = Vec::with_capacity(n - 2);
        for (i, op) in ops[1..n - 1].iter().enumerate() {
            match OPS.iter().position(|&o| o == op.as_ref()) {
                Some(code) => interior.push(code as u8),
                None => bail!(
                    "vertex {}: unknown operation {:?} (expected one of {})",
                    i + 1,
                    op.as_ref(),
                    OPS.join(", ")
                ),
            }
        }
        let mut edges = Vec::new();
        for (u, row) in matrix.iter().enumerate() {
            let row = row.as_ref();
            if row.len() != n {
                bail!("matrix row {u} has {} entries, expected {n}", row.len());
            }
            for (v, &x) in row.iter().enumerate() {
                match x {
                    0 => {}
                    1 if v > u => edges.push((u, v)),
                    1 => bail!("matrix entry ({u}, {v}) is 1 on or below the diagonal: the matrix must be upper triangular"),
                    _ => bail!("matrix entry ({u}, {v}) is {x}, expected 0 or 1"),
                }
            }
        }
        Cell::new(&interior, &edges)
    }

    /// Number of vertices, input and output included.
    pub fn n(&self) -> usize {
        self.n as usize
    }

    /// Op code of interior vertex `v` (`1 ≤ v ≤ n − 2`).
    pub fn op(&self, v: usize) -> u8 {
        debug_assert!(v >= 1 && v + 1 < self.n());
        self.ops[v]
    }

    /// The op codes of the interior vertices, in vertex order.
    pub fn interior_ops(&self) -> &[u8] {
        &self.ops[1..self.n() - 1]
    }

    /// The label the official module hash gives vertex `v`: −1 input, −2 output, else
    /// the op code.
    pub(crate) fn hash_label(&self, v: usize) -> i8 {
        if v == 0 {
            -1
        } else if v + 1 == self.n() {
            -2
        } else {
            self.ops[v] as i8
        }
    }

    /// The name of vertex `v`'s operation (`input`, `output` or one of [`OPS`]).
    pub fn op_name(&self, v: usize) -> &'static str {
        match self.hash_label(v) {
            -1 => INPUT,
            -2 => OUTPUT,
            op => OPS[op as usize],
        }
    }

    /// True when the cell has the edge `u → v`.
    pub fn has_edge(&self, u: usize, v: usize) -> bool {
        self.succ[u] >> v & 1 == 1
    }

    /// Successors of `v` as a bit mask.
    pub(crate) fn successors(&self, v: usize) -> u8 {
        self.succ[v]
    }

    /// Predecessors of `v` as a bit mask.
    pub(crate) fn predecessors(&self, v: usize) -> u8 {
        (0..self.n())
            .filter(|&u| self.has_edge(u, v))
            .fold(0, |m, u| m | 1 << u)
    }

    /// Number of edges.
    pub fn num_edges(&self) -> usize {
        self.succ[..self.n()]
            .iter()
            .map(|s| s.count_ones() as usize)
            .sum()
    }

    /// All edges `(from, to)`, by source then target.
    pub fn edges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.n()).flat_map(move |u| {
            (0..self.n())
                .filter(move |&v| self.has_edge(u, v))
                .map(move |v| (u, v))
        })
    }

    /// The cell with interior vertex `v`'s op set to `op`.
    pub fn with_op(mut self, v: usize, op: u8) -> Self {
        debug_assert!(v >= 1 && v + 1 < self.n() && (op as usize) < OPS.len());
        self.ops[v] = op;
        self
    }

    /// The cell with the edge `u → v` added (`add`) or removed; no check is made.
    pub fn with_edge(mut self, u: usize, v: usize, add: bool) -> Self {
        if add {
            self.succ[u] |= 1 << v;
        } else {
            self.succ[u] &= !(1 << v);
        }
        self
    }

    /// For every vertex, the bit mask of vertices reachable from it by a path of one or
    /// more edges. Valid for any vertex order (iterated to a fixed point).
    pub(crate) fn reachability(&self) -> [u8; MAX_VERTICES] {
        let n = self.n();
        let mut reach = self.succ;
        loop {
            let mut changed = false;
            for u in 0..n {
                let mut r = reach[u];
                let mut m = reach[u];
                while m != 0 {
                    let w = m.trailing_zeros() as usize;
                    m &= m - 1;
                    r |= reach[w];
                }
                if r != reach[u] {
                    reach[u] = r;
                    changed = true;
                }
            }
            if !changed {
                return reach;
            }
        }
    }

    /// True when no vertex reaches itself.
    pub fn is_acyclic(&self) -> bool {
        let reach = self.reachability();
        (0..self.n()).all(|v| reach[v] >> v & 1 == 0)
    }

    /// The cell without the vertices that lie on no input→output path, remaining vertices
    /// kept in their order; `None` when the output is not reachable from the input (the
    /// official `ModelSpec` calls such a spec invalid).
    pub fn prune(&self) -> Option<Cell> {
        let n = self.n();
        let reach = self.reachability();
        let out = n - 1;
        if reach[0] >> out & 1 == 0 {
            return None;
        }
        // Vertices reachable from the input and reaching the output, plus both ends.
        let mut keep: u8 = 1 | 1 << out;
        for v in 1..out {
            if reach[0] >> v & 1 == 1 && reach[v] >> out & 1 == 1 {
                keep |= 1 << v;
            }
        }
        if keep.count_ones() as usize == n {
            return Some(*self);
        }
        let mut new_index = [u8::MAX; MAX_VERTICES];
        let mut pruned = Cell {
            n: keep.count_ones() as u8,
            ops: [0; MAX_VERTICES],
            succ: [0; MAX_VERTICES],
        };
        let mut k = 0;
        for v in 0..n {
            if keep >> v & 1 == 1 {
                new_index[v] = k;
                pruned.ops[k as usize] = self.ops[v];
                k += 1;
            }
        }
        pruned.ops[0] = 0;
        pruned.ops[pruned.n() - 1] = 0;
        for u in 0..n {
            if keep >> u & 1 == 0 {
                continue;
            }
            let mut m = self.succ[u] & keep;
            while m != 0 {
                let v = m.trailing_zeros() as usize;
                m &= m - 1;
                pruned.succ[new_index[u] as usize] |= 1 << new_index[v];
            }
        }
        Some(pruned)
    }

    /// True when the cell is one of the benchmark's: every vertex on an input→output
    /// path, at most 7 vertices and 9 edges.
    pub fn is_in_space(&self) -> bool {
        self.num_edges() <= MAX_EDGES && self.prune().is_some_and(|p| p.n == self.n)
    }

    /// The same cell with its vertices renamed: vertex `v` becomes `perm[v]`. The input
    /// and output must stay where they are (`perm[0] = 0`, `perm[n−1] = n−1`).
    pub fn relabelled(&self, perm: &[usize]) -> Cell {
        let n = self.n();
        assert!(perm.len() == n && perm[0] == 0 && perm[n - 1] == n - 1);
        let mut out = Cell {
            n: self.n,
            ops: [0; MAX_VERTICES],
            succ: [0; MAX_VERTICES],
        };
        for v in 0..n {
            out.ops[perm[v]] = self.ops[v];
            for w in 0..n {
                if self.has_edge(v, w) {
                    out.succ[perm[v]] |= 1 << perm[w];
                }
            }
        }
        out
    }

    /// The adjacency matrix, rows = sources.
    pub fn matrix(&self) -> Vec<Vec<u8>> {
        (0..self.n())
            .map(|u| (0..self.n()).map(|v| self.has_edge(u, v) as u8).collect())
            .collect()
    }

    /// The operation names, `input` first and `output` last.
    pub fn op_names(&self) -> Vec<&'static str> {
        (0..self.n()).map(|v| self.op_name(v)).collect()
    }
}

impl fmt::Debug for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// `ops matrix-rows`, e.g. `in,c3,mp,out 0110/0001/0001/0000`: short op names (`c3`
/// conv3x3, `c1` conv1x1, `mp` maxpool3x3) and the adjacency rows.
impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHORT: [&str; 3] = ["c3", "c1", "mp"];
        let names: Vec<&str> = (0..self.n())
            .map(|v| match self.hash_label(v) {
                -1 => "in",
                -2 => "out",
                op => SHORT[op as usize],
            })
            .collect();
        let rows: Vec<String> = self
            .matrix()
            .iter()
            .map(|r| r.iter().map(|&x| char::from(b'0' + x)).collect())
            .collect();
        write!(f, "{} {}", names.join(","), rows.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_removes_dangling_vertices_and_keeps_order() {
        // 0 → 1 → 3 (output), 0 → 2 with 2 a dead end.
        let c = Cell::new(&[0, 2], &[(0, 1), (1, 3), (0, 2)]).unwrap();
        assert!(!c.is_in_space());
        let p = c.prune().unwrap();
        assert_eq!(p.n(), 3);
        assert_eq!(p.interior_ops(), &[0]);
        assert_eq!(p.edges().collect::<Vec<_>>(), vec![(0, 1), (1, 2)]);
        assert!(p.is_in_space());
        // Output unreachable: invalid.
        let d = Cell::new(&[1], &[(0, 1)]).unwrap();
        assert!(d.prune().is_none());
    }

    #[test]
    fn spec_errors_name_the_problem() {
        let bad = Cell::from_spec(&[[0u8, 1], [1, 0]], &["input", "output"]).unwrap_err();
        assert!(bad.to_string().contains("upper triangular"), "{bad}");
        let bad = Cell::from_spec(
            &[[0u8, 1, 0], [0, 0, 1], [0, 0, 0]],
            &["input", "conv5x5", "output"],
        )
        .unwrap_err();
        assert!(bad.to_string().contains("conv5x5"), "{bad}");
        assert!(Cell::new(&[0, 0], &[(1, 2), (2, 1)]).is_err());
    }
}
