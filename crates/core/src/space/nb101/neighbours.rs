//! The neighbourhood local search uses on NAS-Bench-101, as a function of the cell alone.
//!
//! From a cell (pruned, at most 7 vertices and 9 edges), one move is
//! - **op change**: give one interior vertex one of the two other ops;
//! - **edge removal**: delete one edge, then prune the vertices left on no input→output
//!   path; kept if the output is still reachable from the input;
//! - **edge addition**: add one edge u → v between existing vertices (u not the output,
//!   v not the input, u ≠ v, not already an edge) such that the graph stays acyclic (no
//!   path v → u), kept if the cell then has at most 9 edges.
//!
//! Each result is re-canonicalised; results equal to the cell itself are dropped and
//! duplicates merged. This is the issue's rule "change one op, or add or remove one edge;
//! prune; keep valid cells different from the cell" applied to the cell, not to one
//! particular upper-triangular matrix of it: "add an edge" ranges over every topological
//! order of the cell, which is what makes the rule a function of the isomorphism class.
//! Padding a cell to 7 vertices with isolated vertices changes nothing: one edge can never
//! attach an isolated vertex to both the input and the output, so such moves prune back to
//! the cell itself and are dropped.
//!
//! Consequences (docs/NB101.md): no move adds a vertex, so a cell with fewer vertices never
//! reaches a larger one in one step; a removal that prunes vertices has no reverse move,
//! which makes exactly those arcs one-way.

use super::cell::{Cell, MAX_EDGES, OPS};

/// Calls `f` with every cell one move away from `cell` (before canonicalisation; the same
/// neighbour can come more than once, and for a symmetric cell several times).
pub fn for_each_move(cell: &Cell, mut f: impl FnMut(Cell)) {
    let n = cell.n();
    for v in 1..n - 1 {
        for op in 0..OPS.len() as u8 {
            if op != cell.op(v) {
                f(cell.with_op(v, op));
            }
        }
    }
    for u in 0..n - 1 {
        let mut m = cell.successors(u);
        while m != 0 {
            let v = m.trailing_zeros() as usize;
            m &= m - 1;
            if let Some(p) = cell.with_edge(u, v, false).prune() {
                f(p);
            }
        }
    }
    if cell.num_edges() < MAX_EDGES {
        let reach = cell.reachability();
        for u in 0..n - 1 {
            for v in 1..n {
                if u != v && !cell.has_edge(u, v) && reach[v] >> u & 1 == 0 {
                    f(cell.with_edge(u, v, true));
                }
            }
        }
    }
}
