//! LON edges in compressed-sparse-row form, and their types.

use super::nodes::Nodes;
use std::fmt;

/// Weighted edges grouped by source: the edges of node i are `offsets[i]..offsets[i + 1]`,
/// sorted by target, each with a weight > 0; a node's weights sum to 1.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Edges {
    /// `offsets[i]..offsets[i + 1]` are the edges out of node i (CSR).
    pub offsets: Vec<u64>,
    /// Target node of each edge.
    pub dst: Vec<u32>,
    /// Transition probability of each edge; a node's weights sum to 1.
    pub weight: Vec<f64>,
}

/// How an edge's target compares with its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    /// Strictly lower loss.
    Improving,
    /// Equal loss, another node.
    Equal,
    /// Strictly higher loss.
    Worsening,
    /// Back to the source: the perturbation did not escape.
    #[serde(rename = "self")]
    SelfLoop,
}

impl EdgeKind {
    /// Every kind, in the order summaries list them.
    pub const ALL: [EdgeKind; 4] = [
        EdgeKind::Improving,
        EdgeKind::Equal,
        EdgeKind::Worsening,
        EdgeKind::SelfLoop,
    ];

    /// The name used in edges.csv and GraphML.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Improving => "improving",
            EdgeKind::Equal => "equal",
            EdgeKind::Worsening => "worsening",
            EdgeKind::SelfLoop => "self",
        }
    }

    /// The type of an edge from a node of loss `from` to one of loss `to`.
    pub fn of(same: bool, from: f64, to: f64) -> Self {
        if same {
            EdgeKind::SelfLoop
        } else if to < from {
            EdgeKind::Improving
        } else if to == from {
            EdgeKind::Equal
        } else {
            EdgeKind::Worsening
        }
    }

    /// Kept in the MLON: every kind but worsening.
    pub fn non_deteriorating(self) -> bool {
        self != EdgeKind::Worsening
    }
}

impl fmt::Display for EdgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Edges {
    /// Number of edges.
    pub fn len(&self) -> usize {
        self.dst.len()
    }

    /// True when there is no edge.
    pub fn is_empty(&self) -> bool {
        self.dst.is_empty()
    }

    /// Number of source nodes.
    pub fn nodes(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The edge range of node `i`.
    pub fn range(&self, i: u32) -> std::ops::Range<usize> {
        self.offsets[i as usize] as usize..self.offsets[i as usize + 1] as usize
    }

    /// The type of edge `e` out of node `src`.
    pub fn kind(&self, nodes: &Nodes, src: u32, e: usize) -> EdgeKind {
        let dst = self.dst[e];
        EdgeKind::of(
            dst == src,
            nodes.loss[src as usize],
            nodes.loss[dst as usize],
        )
    }

    /// Calls `f(src, edge index)` for every edge, source by source.
    pub fn for_each(&self, mut f: impl FnMut(u32, usize)) {
        for i in 0..self.nodes() as u32 {
            for e in self.range(i) {
                f(i, e);
            }
        }
    }

    /// Concatenates per-chunk CSR pieces (lengths per source, targets, weights), in order.
    pub(crate) fn concat(pieces: Vec<Piece>) -> Self {
        use rayon::prelude::*;
        let mut offsets = Vec::with_capacity(pieces.iter().map(|p| p.len.len()).sum::<usize>() + 1);
        let mut end = 0u64;
        offsets.push(end);
        for p in &pieces {
            for &l in &p.len {
                end += l as u64;
                offsets.push(end);
            }
        }
        let total = end as usize;
        let mut dst = vec![0u32; total];
        let mut weight = vec![0f64; total];
        // Each piece copies into its own disjoint range, in parallel.
        let mut dst_parts = Vec::with_capacity(pieces.len());
        let mut weight_parts = Vec::with_capacity(pieces.len());
        let (mut d_rest, mut w_rest) = (&mut dst[..], &mut weight[..]);
        for p in &pieces {
            let (d, dr) = d_rest.split_at_mut(p.dst.len());
            let (w, wr) = w_rest.split_at_mut(p.weight.len());
            dst_parts.push(d);
            weight_parts.push(w);
            d_rest = dr;
            w_rest = wr;
        }
        pieces
            .into_par_iter()
            .zip(dst_parts.into_par_iter().zip(weight_parts))
            .for_each(|(p, (d, w))| {
                d.copy_from_slice(&p.dst);
                w.copy_from_slice(&p.weight);
            });
        Edges {
            offsets,
            dst,
            weight,
        }
    }
}

/// The edges of a run of consecutive sources, built by one worker.
#[derive(Default)]
pub(crate) struct Piece {
    pub len: Vec<u32>,
    pub dst: Vec<u32>,
    pub weight: Vec<f64>,
}

/// A per-worker sparse accumulator over node ids: add to any target, then drain the
/// touched targets in ascending order. Dense so that the hot loop is one indexed add.
pub(crate) struct Tally<T> {
    value: Vec<T>,
    touched: Vec<u32>,
}

impl<T: Copy + Default + PartialEq + std::ops::AddAssign> Tally<T> {
    pub fn new(n: usize) -> Self {
        Tally {
            value: vec![T::default(); n],
            touched: Vec::new(),
        }
    }

    #[inline(always)]
    pub fn add(&mut self, i: u32, x: T) {
        let slot = &mut self.value[i as usize];
        if *slot == T::default() {
            self.touched.push(i);
        }
        *slot += x;
    }

    /// Calls `f(target, total)` in ascending target order and resets.
    pub fn drain(&mut self, mut f: impl FnMut(u32, T)) {
        self.touched.sort_unstable();
        for &i in &self.touched {
            f(i, self.value[i as usize]);
            self.value[i as usize] = T::default();
        }
        self.touched.clear();
    }
}
