//! The neighbour relation of an open table, answered in place from the memory map.
//!
//! [`PackedGraph`] implements [`Neighbourhood`] by decoding the bit-packed indices of
//! one vertex at a time straight from the mapped bytes: nothing is unpacked into a
//! `Vec<u32>` of all neighbours, so a 9.8 M-vertex, 40-neighbour space costs its 1.2 GB
//! file (shared with the page cache) and no more. The explicit landscape kernel
//! (`nasland_core::landscape::explicit::step`) runs over it like over any other space.

use super::bits;
use super::reader::{
    finish_neighbours, key_of, list_bounds, list_error, verify_graph, verify_graph_keys,
    verify_graph_offsets, ListCheck, TableData,
};
use crate::error::Error;
use nasland_core::landscape::{Loss, Step};
use nasland_core::prefetch::prefetch;
use nasland_core::space::{DegreeStats, Neighbourhood, VertexId};
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Arc;

type Result<T, E = Error> = std::result::Result<T, E>;

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

/// Vertices per checksum piece of the verifying pass: the CRC reads a piece's bytes
/// (≈ 7.7 KB on a 5^10 table) just before the kernel decodes them from L1.
const CRC_PIECE: usize = 64;

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
        self.pass::<L, false>(loss).0
    }

    /// [`PackedGraph::step`] on a graph from
    /// [`Table::graph_deferred`](super::Table::graph_deferred), verifying the lists in
    /// the same pass: each chunk's bytes are checksummed and each list's structure
    /// checked while the kernel decodes it, so a table is read once instead of twice
    /// (the separate verification is about a third of `analyze --graph`). The error is
    /// exactly the one [`Table::graph`](super::Table::graph) gives on the same file (a
    /// checksum mismatch first, then the first bad list, then the section's tail, then
    /// the keys), and no `Step` is returned with it. On a graph already verified, or
    /// whose check already failed, this is [`PackedGraph::step`] or that error.
    pub fn step_verified<L: Loss>(&self, loss: &[L]) -> Result<Step> {
        let d = &self.data;
        verify_graph_offsets(d)?;
        let mut fused = None;
        let outcome = d.neighbours_check.get_or_init(|| {
            let (step, chunks) = self.pass::<L, true>(loss);
            let outcome = finish_neighbours(d, chunks);
            fused = Some(step);
            outcome
        });
        outcome.clone().map_err(|e| e.context(d.name.clone()))?;
        verify_graph_keys(d)?;
        Ok(fused.unwrap_or_else(|| self.step(loss)))
    }

    /// Runs every check of [`Table::graph`](super::Table::graph) that has not run yet
    /// (each is remembered per open table): what a graph from
    /// [`Table::graph_deferred`](super::Table::graph_deferred) needs before any use
    /// other than [`PackedGraph::step_verified`].
    pub fn verify(&self) -> Result<()> {
        verify_graph(&self.data)
    }

    /// The LS pass; with `CHECK`, also each chunk's CRC-32 (in chunk order) and the
    /// structure of its lists (the first bad list's error), for [`finish_neighbours`].
    fn pass<L: Loss, const CHECK: bool>(
        &self,
        loss: &[L],
    ) -> (Step, Vec<(crc32fast::Hasher, Result<()>)>) {
        assert_eq!(self.geo.n as usize, loss.len(), "one loss per vertex");
        let map: &[u8] = &self.data.map;
        let data = &map[self.geo.neighbours.clone()];
        let geo = &self.geo;
        let (n, w) = (geo.n, geo.w);
        let last = geo.last();
        // Chunk boundaries in bytes, made monotone and in range whatever the map holds.
        let bounds = if CHECK {
            let mut vertices: Vec<u64> = (0..n).step_by(STEP_CHUNK).collect();
            vertices.push(n);
            list_bounds(geo, map, &vertices, data.len())
        } else {
            Vec::new()
        };
        let mut ls = vec![0 as VertexId; loss.len()];
        let chunks: Vec<(usize, usize, crc32fast::Hasher, Result<()>)> = ls
            .par_chunks_mut(STEP_CHUNK)
            .enumerate()
            .map(|(c, out)| {
                let base = c * STEP_CHUNK;
                let (mut minima, mut strict) = (0usize, 0usize);
                let mut crc = crc32fast::Hasher::new();
                let mut checked: Result<()> = Ok(());
                let (mut at, end) = if CHECK {
                    (bounds[c], bounds[c + 1])
                } else {
                    (0, 0)
                };
                let len = out.len();
                for (i, slot) in out.iter_mut().enumerate() {
                    let v = (base + i) as u64;
                    if CHECK && i % CRC_PIECE == 0 {
                        let to = if i + CRC_PIECE >= len {
                            end
                        } else {
                            let next = geo.entry_range(map, v + CRC_PIECE as u64).0;
                            ((next * w as u64 / 8) as usize).clamp(at, end)
                        };
                        crc.update(&data[at..to]);
                        at = to;
                    }
                    let (a, b) = geo.entry_range(map, v);
                    let mut best = L::INFINITY;
                    let mut best_id = VertexId::MAX;
                    if i + PREFETCH < len {
                        let (pa, pb) = geo.entry_range(map, v + PREFETCH as u64);
                        bits::for_each_value(data, pa, pb, w, |u| prefetch(loss, u as usize));
                    }
                    let mut list = ListCheck::new();
                    bits::for_each_value(data, a, b, w, |u| {
                        if CHECK {
                            list.see(u, v);
                        }
                        let u = u.min(last) as usize;
                        let l = loss[u];
                        // Strictly lower only: among equal losses the first, lowest id wins.
                        if l < best {
                            best = l;
                            best_id = u as VertexId;
                        }
                    });
                    if CHECK && !list.passed(a, b, n) {
                        // The rest of this chunk's answer is discarded with the error.
                        checked = Err(Error::structure(list_error(data, w, n, v, a, b)));
                        if at < end {
                            crc.update(&data[at..end]);
                        }
                        break;
                    }
                    let own = loss[v as usize];
                    if best < own {
                        *slot = best_id;
                    } else {
                        *slot = v as VertexId;
                        minima += 1;
                        strict += (best > own) as usize;
                    }
                }
                (minima, strict, crc, checked)
            })
            .collect();
        let (mut local_minima, mut strict_local_minima) = (0, 0);
        let checks = chunks
            .into_iter()
            .map(|(m, s, crc, checked)| {
                local_minima += m;
                strict_local_minima += s;
                (crc, checked)
            })
            .collect();
        let step = Step {
            ls,
            local_minima,
            strict_local_minima,
        };
        (step, if CHECK { checks } else { Vec::new() })
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

    fn regular_degree(&self) -> Option<usize> {
        self.geo.fixed.map(|d| d as usize)
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
