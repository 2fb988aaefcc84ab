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

    /// The type of every edge, in edge order. Typing an edge reads its target's loss, a
    /// random access into an array of every node; done once here, the chain, the CMLON
    /// and the censuses read one byte an edge in order instead, each of them.
    pub fn kinds(&self, nodes: &Nodes) -> Vec<EdgeKind> {
        use rayon::prelude::*;
        let mut out = vec![EdgeKind::SelfLoop; self.len()];
        self.row_chunks_mut(&mut out, 4096)
            .into_par_iter()
            .for_each(|(rows, part)| {
                let start = self.offsets[rows.start] as usize;
                for i in rows {
                    let from = nodes.loss[i];
                    for e in self.range(i as u32) {
                        let j = self.dst[e];
                        part[e - start] = EdgeKind::of(j == i as u32, from, nodes.loss[j as usize]);
                    }
                }
            });
        out
    }

    /// Splits `data` (one entry per edge) into the disjoint parts of runs of `chunk`
    /// sources, each with its sources, so that runs can be filled in parallel.
    pub(crate) fn row_chunks_mut<'a, T>(
        &self,
        data: &'a mut [T],
        chunk: usize,
    ) -> Vec<(std::ops::Range<usize>, &'a mut [T])> {
        let rows = self.nodes();
        let chunk = chunk.max(1);
        let mut parts = Vec::with_capacity(rows.div_ceil(chunk));
        let mut rest = data;
        for c in 0..rows.div_ceil(chunk) {
            let r = c * chunk..((c + 1) * chunk).min(rows);
            let len = (self.offsets[r.end] - self.offsets[r.start]) as usize;
            let (part, tail) = rest.split_at_mut(len);
            parts.push((r, part));
            rest = tail;
        }
        parts
    }

    /// Calls `f(src, edge index)` for every edge, source by source.
    pub fn for_each(&self, mut f: impl FnMut(u32, usize)) {
        for i in 0..self.nodes() as u32 {
            for e in self.range(i) {
                f(i, e);
            }
        }
    }

    /// Concatenates per-chunk CSR pieces (lengths per source, targets, weights), in
    /// order, turning each stored weight into its final one on the way.
    pub(crate) fn concat<T: Share>(pieces: Vec<Piece<T>>) -> Self {
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
                let mut at = 0;
                for (&len, &of) in p.len.iter().zip(&p.total) {
                    let end = at + len as usize;
                    for (out, &x) in w[at..end].iter_mut().zip(&p.weight[at..end]) {
                        *out = x.weight(of);
                    }
                    at = end;
                }
            });
        Edges {
            offsets,
            dst,
            weight,
        }
    }
}

/// A weight as a piece stores it: a final f64, or a count of perturbations that becomes
/// count / total only when copied into place (4 bytes an edge instead of 8 while the
/// pieces and the final arrays both exist).
pub(crate) trait Share: Copy + Send + Sync {
    fn weight(self, total: f64) -> f64;
}

impl Share for f64 {
    #[inline(always)]
    fn weight(self, _: f64) -> f64 {
        self
    }
}

impl Share for u32 {
    #[inline(always)]
    fn weight(self, total: f64) -> f64 {
        self as f64 / total
    }
}

/// The edges of a run of consecutive sources, built by one worker.
pub(crate) struct Piece<T> {
    pub len: Vec<u32>,
    pub dst: Vec<u32>,
    pub weight: Vec<T>,
    /// Per source: what [`Share::weight`] divides by (ignored for f64 weights).
    pub total: Vec<f64>,
}

impl<T> Default for Piece<T> {
    fn default() -> Self {
        Piece {
            len: Vec::new(),
            dst: Vec::new(),
            weight: Vec::new(),
            total: Vec::new(),
        }
    }
}

impl Edges {
    /// Builds the edges of `rows` sources straight into their final place, in two
    /// parallel passes over chunks of sources: the first counts each row's edges, the
    /// second writes them at their offsets. `emit(state, i, row, fill)` returns the
    /// length of row i; with `fill` it pushes the row's `(target, weight)` pairs into the
    /// empty `row`, without it it may push nothing (counting can be cheaper than
    /// filling). `state` is per-worker scratch from `init`.
    ///
    /// Used where emitting a row is cheap next to moving its edges: building per-chunk
    /// pieces and then copying them into one array touches every byte twice, and the
    /// kernel zeroes each fresh page it hands out, which was a quarter of the LON's time.
    pub(crate) fn from_rows<S, I, F>(rows: usize, chunk: usize, init: I, emit: F) -> Self
    where
        I: Fn() -> S + Sync + Send,
        F: Fn(&mut S, u32, &mut Vec<(u32, f64)>, bool) -> usize + Sync + Send,
    {
        use rayon::prelude::*;
        let chunk = chunk.max(1);
        let init = || (init(), Vec::new());
        let mut lens = vec![0u64; rows];
        lens.par_chunks_mut(chunk)
            .enumerate()
            .for_each_init(init, |(state, row), (c, out)| {
                for (r, len) in out.iter_mut().enumerate() {
                    row.clear();
                    *len = emit(state, (c * chunk + r) as u32, row, false) as u64;
                }
            });
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0u64);
        let mut total = 0u64;
        for l in lens {
            total += l;
            offsets.push(total);
        }
        let total = total as usize;
        let mut dst = vec![0u32; total];
        let mut weight = vec![0f64; total];
        let mut parts = Vec::with_capacity(rows.div_ceil(chunk));
        let (mut d_rest, mut w_rest) = (&mut dst[..], &mut weight[..]);
        for c in 0..rows.div_ceil(chunk) {
            let (a, b) = (offsets[c * chunk], offsets[((c + 1) * chunk).min(rows)]);
            let (d, dr) = d_rest.split_at_mut((b - a) as usize);
            let (w, wr) = w_rest.split_at_mut((b - a) as usize);
            parts.push((c, d, w));
            d_rest = dr;
            w_rest = wr;
        }
        parts
            .into_par_iter()
            .for_each_init(init, |(state, row), (c, d, w)| {
                let mut at = 0;
                for i in c * chunk..((c + 1) * chunk).min(rows) {
                    row.clear();
                    let len = emit(state, i as u32, row, true);
                    assert_eq!(len, row.len(), "emit gave a row of another length");
                    for (k, &(j, x)) in row.iter().enumerate() {
                        d[at + k] = j;
                        w[at + k] = x;
                    }
                    at += row.len();
                }
                assert_eq!(at, d.len(), "emit gave different rows on the two passes");
            });
        Edges {
            offsets,
            dst,
            weight,
        }
    }
}

/// A per-worker sparse accumulator over node ids: add to any target, then drain the
/// touched targets in ascending order. Dense so that the hot loop is one indexed add.
///
/// Touched targets are marked in a three-level bitmap (a bit per target, per 64
/// targets, per 4096) rather than listed and sorted: draining walks the set bits in
/// order, where sorting a few hundred targets per source was a tenth of the escape
/// edges' time.
pub(crate) struct Tally<T> {
    value: Vec<T>,
    /// Bit i: target i touched.
    bits: Vec<u64>,
    /// Bit w: word w of `bits` is non-zero.
    words: Vec<u64>,
    /// Bit v: word v of `words` is non-zero.
    top: Vec<u64>,
}

impl<T: Copy + Default + PartialEq + std::ops::AddAssign> Tally<T> {
    pub fn new(n: usize) -> Self {
        let bits = n.div_ceil(64);
        let words = bits.div_ceil(64);
        Tally {
            value: vec![T::default(); n],
            bits: vec![0; bits],
            words: vec![0; words],
            top: vec![0; words.div_ceil(64)],
        }
    }

    #[inline(always)]
    pub fn add(&mut self, i: u32, x: T) {
        let i = i as usize;
        self.value[i] += x;
        self.bits[i >> 6] |= 1 << (i & 63);
        self.words[i >> 12] |= 1 << ((i >> 6) & 63);
        self.top[i >> 18] |= 1 << ((i >> 12) & 63);
    }

    /// Calls `f(target, total)` in ascending target order and resets.
    pub fn drain(&mut self, mut f: impl FnMut(u32, T)) {
        for t in 0..self.top.len() {
            let mut top = std::mem::take(&mut self.top[t]);
            while top != 0 {
                let v = t * 64 + top.trailing_zeros() as usize;
                top &= top - 1;
                let mut words = std::mem::take(&mut self.words[v]);
                while words != 0 {
                    let w = v * 64 + words.trailing_zeros() as usize;
                    words &= words - 1;
                    let mut bits = std::mem::take(&mut self.bits[w]);
                    while bits != 0 {
                        let i = w * 64 + bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        f(i as u32, self.value[i]);
                        self.value[i] = T::default();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Rows of random length (zero included) built in place equal the same rows laid
    /// out one after another, for chunk sizes that do and do not divide the row count.
    #[test]
    fn from_rows_lays_rows_out_in_order() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let rows: Vec<Vec<(u32, f64)>> = (0..1000)
            .map(|_| {
                let len = rng.gen_range(0..9);
                (0..len)
                    .map(|_| (rng.gen::<u32>(), rng.gen::<f64>()))
                    .collect()
            })
            .collect();
        let mut want = Edges {
            offsets: vec![0],
            ..Edges::default()
        };
        for r in &rows {
            for &(j, w) in r {
                want.dst.push(j);
                want.weight.push(w);
            }
            want.offsets.push(want.dst.len() as u64);
        }
        for chunk in [1, 7, 64, 1000, 5000] {
            let got = Edges::from_rows(
                rows.len(),
                chunk,
                || (),
                |_, i, row, fill| {
                    if fill {
                        row.extend_from_slice(&rows[i as usize]);
                    }
                    rows[i as usize].len()
                },
            );
            assert_eq!(got, want, "chunk {chunk}");
        }
    }

    /// The bitmap tally drains the touched targets in ascending order with their sums,
    /// then is empty, on a size with several top-level words (targets above 2^18).
    #[test]
    fn tally_drains_in_target_order_and_resets() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let n = 600_000;
        let mut tally = Tally::<u32>::new(n);
        for round in 0..4 {
            let mut want = std::collections::BTreeMap::new();
            for _ in 0..rng.gen_range(0..2000) {
                let i = if round == 3 {
                    n as u32 - 1
                } else {
                    rng.gen_range(0..n as u32)
                };
                tally.add(i, 2);
                *want.entry(i).or_insert(0u32) += 2;
            }
            let mut got = Vec::new();
            tally.drain(|i, x| got.push((i, x)));
            assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "round {round}");
        }
        let mut none = Vec::new();
        tally.drain(|i, x| none.push((i, x)));
        assert!(none.is_empty());
    }

    /// Counts turned into weights on the copy give count / total, exactly.
    #[test]
    fn concat_divides_counts_by_their_source_total() {
        let piece = |lens: Vec<u32>, counts: Vec<u32>, totals: Vec<f64>| Piece {
            dst: (0..counts.len() as u32).collect(),
            len: lens,
            weight: counts,
            total: totals,
        };
        let e = Edges::concat(vec![
            piece(vec![2, 1], vec![1, 2, 5], vec![3.0, 5.0]),
            piece(vec![0, 1], vec![7], vec![9.0, 7.0]),
        ]);
        assert_eq!(e.offsets, vec![0, 2, 3, 3, 4]);
        assert_eq!(e.weight, vec![1.0 / 3.0, 2.0 / 3.0, 1.0, 1.0]);
        assert_eq!(e.dst, vec![0, 1, 2, 0]);
    }
}
