//! The neighbour relation of an open table, answered in place from the memory map.
//!
//! [`PackedGraph`] implements [`Neighbourhood`] by decoding the bit-packed indices of
//! one vertex at a time straight from the mapped bytes: nothing is unpacked into a
//! `Vec<u32>` of all neighbours, so a 9.8 M-vertex, 40-neighbour space costs its 1.2 GB
//! file (shared with the page cache) and no more. The explicit landscape kernel
//! (`nasland_core::landscape::explicit::step`) runs over it like over any other space.

use super::bits;
use super::reader::{key_of, TableData};
use nasland_core::landscape::{Loss, Step};
use nasland_core::prefetch::prefetch;
use nasland_core::space::{DegreeStats, Neighbourhood, VertexId};
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Arc;

/// The verified neighbour relation of a table (obtained from
/// [`Table::graph`](super::Table::graph)). Cheap to clone.
#[derive(Clone)]
pub struct PackedGraph {
    data: Arc<TableData>,
    geo: Geometry,
}

/// Where a table's lists are and how they are packed.
#[derive(Clone, Debug)]
pub(crate) struct Geometry {
    pub n: u64,
    /// Bits per index.
    pub w: u32,
    /// `Some(d)` when every vertex has degree d.
    pub fixed: Option<u64>,
    /// Bits per offset.
    pub ob: u32,
    pub neighbours: Range<usize>,
    pub offsets: Range<usize>,
    /// Σ degree, from the verified header: the bound every entry range is clamped to.
    pub entries: u64,
}

impl Geometry {
    pub fn of(d: &TableData) -> Self {
        let h = &d.header;
        Geometry {
            n: h.n,
            w: h.index_bits,
            fixed: h.fixed_degree().then_some(h.degree_min as u64),
            ob: h.offset_bits,
            neighbours: d.sections[d.neighbours].range(),
            offsets: d.offsets.map_or(0..0, |i| d.sections[i].range()),
            entries: h.entries,
        }
    }

    /// v's entries are `a..b` (`map` is the whole file), for v < n.
    ///
    /// The offsets were verified at first use, but the map is the file's pages: if
    /// another process rewrites the file in place (breaking the contract of
    /// [`Table::open`](super::Table::open)), they can change under us. Clamping to the
    /// verified header's entry count keeps `a ≤ b ≤ entries` whatever the bytes say, so
    /// such a file gives wrong numbers, never an out-of-range read or a panic. Two
    /// comparisons per vertex.
    #[inline(always)]
    pub fn entry_range(&self, map: &[u8], v: u64) -> (u64, u64) {
        match self.fixed {
            Some(d) => (v * d, v * d + d),
            None => {
                let offs = &map[self.offsets.clone()];
                let b = bits::get(offs, v + 1, self.ob).min(self.entries);
                (bits::get(offs, v, self.ob).min(b), b)
            }
        }
    }

    /// The largest vertex id: decoded neighbours are clamped to it, for the reason
    /// given at [`Geometry::entry_range`] (one comparison per entry).
    #[inline(always)]
    pub fn last(&self) -> u64 {
        self.n.saturating_sub(1)
    }
}

impl std::fmt::Debug for PackedGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackedGraph")
            .field("table", &self.data.name)
            .field("n", &self.geo.n)
            .finish()
    }
}

impl PackedGraph {
    pub(crate) fn new(data: Arc<TableData>) -> Self {
        let geo = Geometry::of(&data);
        PackedGraph { data, geo }
    }

    /// The table's name (its path), which is the space's name in reports.
    pub fn name(&self) -> &str {
        &self.data.name
    }

    /// The architecture key of `v`.
    pub fn key(&self, v: VertexId) -> String {
        key_of(&self.data, v)
    }

    /// True when the writer found the relation symmetric (an undirected graph).
    pub fn symmetric(&self) -> bool {
        self.data.header.symmetric()
    }

    /// Number of neighbour entries (Σ degree).
    pub fn entries(&self) -> u64 {
        self.data.header.entries
    }

    /// Degree minimum, maximum and mean, from the (verified) header.
    pub fn degree_stats(&self) -> DegreeStats {
        let h = &self.data.header;
        DegreeStats {
            min: h.degree_min as usize,
            max: h.degree_max as usize,
            mean: h.entries as f64 / h.n as f64,
        }
    }

    /// Checks that u ∈ N(v) ⇔ v ∈ N(u), exactly, with half the lookups: every "upward"
    /// entry (v, u > v) must have its reverse (u, v), found by binary search in u's sorted
    /// list; that maps upward entries one-to-one onto downward ones, so if the two counts
    /// are also equal the map is onto, and every downward entry has its reverse too.
    pub fn compute_symmetric(&self) -> bool {
        let (ok, up, down) = (0..self.geo.n as VertexId)
            .into_par_iter()
            .with_min_len(4096)
            .map(|v| {
                let (mut ok, mut up, mut down) = (true, 0u64, 0u64);
                self.for_each_neighbour(v, |u| {
                    if u > v {
                        up += 1;
                        ok &= self.contains(u, v);
                    } else {
                        down += 1;
                    }
                });
                (ok, up, down)
            })
            .reduce(|| (true, 0, 0), |a, b| (a.0 && b.0, a.1 + b.1, a.2 + b.2));
        ok && up == down
    }

    /// Whether `u` lists `x`: a branch-free binary search in the sorted packed list
    /// (the outcome of each probe is unpredictable, so a conditional move beats a jump).
    fn contains(&self, u: VertexId, x: VertexId) -> bool {
        let data = &self.data.map[self.geo.neighbours.clone()];
        let (a, b) = self.geo.entry_range(&self.data.map, u as u64);
        if a == b {
            return false;
        }
        let (mut lo, mut len) = (a, b - a);
        while len > 1 {
            let half = len / 2;
            if bits::get(data, lo + half, self.geo.w) <= x as u64 {
                lo += half;
            }
            len -= half;
        }
        bits::get(data, lo, self.geo.w) == x as u64
    }
}

/// Vertices per parallel work item of [`PackedGraph::step`].
const STEP_CHUNK: usize = 1 << 12;

/// How many vertices ahead [`PackedGraph::step`] asks for the losses of the neighbours:
/// on a large graph most of them are cache misses, which the loop would otherwise wait
/// for one vertex at a time.
const PREFETCH: usize = 8;

impl PackedGraph {
    /// LS(v) for every vertex under `loss` (lower is better): what
    /// `nasland_core::landscape::explicit::step` computes over any [`Neighbourhood`],
    /// specialised to the packed lists. Two things make it faster on a table than the
    /// generic kernel:
    /// - the lists are verified strictly increasing (at [`Table::graph`](super::Table::graph)),
    ///   so the first neighbour with the lowest loss is the one with the lowest
    ///   (loss, id): one comparison of the losses in their own type per entry, and no id
    ///   comparison or widening to f64;
    /// - when every index is a whole number of bytes (8, 16, 24 or 32 bits, e.g. the 24
    ///   bits of a 5^10 product) each entry is one unaligned load at a byte offset,
    ///   with no shift that depends on the entry's bit position.
    ///
    /// Same answer as the generic kernel, bit for bit (the tests compare them).
    pub fn step<L: Loss>(&self, loss: &[L]) -> Step {
        assert_eq!(self.geo.n as usize, loss.len(), "one loss per vertex");
        let map: &[u8] = &self.data.map;
        let data = &map[self.geo.neighbours.clone()];
        let geo = &self.geo;
        let last = geo.last();
        let mut ls = vec![0 as VertexId; loss.len()];
        let (local_minima, strict_local_minima) = ls
            .par_chunks_mut(STEP_CHUNK)
            .enumerate()
            .map(|(c, out)| {
                let base = c * STEP_CHUNK;
                let (mut minima, mut strict) = (0usize, 0usize);
                let len = out.len();
                for (i, slot) in out.iter_mut().enumerate() {
                    let v = (base + i) as u64;
                    let (a, b) = geo.entry_range(map, v);
                    let mut best = L::INFINITY;
                    let mut best_id = VertexId::MAX;
                    if i + PREFETCH < len {
                        let (pa, pb) = geo.entry_range(map, v + PREFETCH as u64);
                        bits::for_each_value(data, pa, pb, geo.w, |u| prefetch(loss, u as usize));
                    }
                    bits::for_each_value(data, a, b, geo.w, |u| {
                        let u = u.min(last) as usize;
                        let l = loss[u];
                        // Strictly lower only: among equal losses the first, lowest id wins.
                        if l < best {
                            best = l;
                            best_id = u as VertexId;
                        }
                    });
                    let own = loss[v as usize];
                    if best < own {
                        *slot = best_id;
                    } else {
                        *slot = v as VertexId;
                        minima += 1;
                        strict += (best > own) as usize;
                    }
                }
                (minima, strict)
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        Step {
            ls,
            local_minima,
            strict_local_minima,
        }
    }
}

impl Neighbourhood for PackedGraph {
    fn len(&self) -> usize {
        self.geo.n as usize
    }

    fn degree(&self, v: VertexId) -> usize {
        let (a, b) = self.geo.entry_range(&self.data.map, v as u64);
        (b - a) as usize
    }

    fn is_symmetric(&self) -> bool {
        self.symmetric()
    }

    #[inline]
    fn for_each_neighbour<F: FnMut(VertexId)>(&self, v: VertexId, mut f: F) {
        let map: &[u8] = &self.data.map;
        let data = &map[self.geo.neighbours.clone()];
        let (a, b) = self.geo.entry_range(map, v as u64);
        let last = self.geo.last();
        bits::for_each_value(data, a, b, self.geo.w, |u| f(u.min(last) as VertexId));
    }
}
