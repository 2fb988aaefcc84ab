//! LS over a product space, streamed one dimension at a time.
//!
//! In dimension i the neighbours of v are the other members of its *line*: the k_i
//! vertices that differ from v only in digit i. The best neighbour of every member of a
//! line is the line's best member, or its second best for the best member itself — so a
//! line costs O(k_i), not O(k_i²), and the whole pass O(n·d) with no neighbour list.
//!
//! Dimensions with small strides are handled block by block while a block sits in cache.
//! The large-stride dimensions are handled a few at a time in *tiles*: for a run of
//! dimensions a..b, a tile is the same short segment of each of the k_a·…·k_b rows that
//! differ only in those digits, so every line of those dimensions through the tile lies in
//! it. One pass over memory then relaxes several dimensions while the tile is in cache,
//! instead of one full strided pass per dimension: the cost per vertex stays flat as the
//! space outgrows the caches.
//!
//! Per vertex, the pass holds the loss, the best neighbour's loss so far (same type) and
//! its id (u32, written straight into the output LS array): 12 bytes for f32 losses.

use super::compact::atomic_u64;
use super::explicit::classify;
use super::lines;
use super::loss::Loss;
use super::transpose::transpose;
use super::{Candidate, Step};
use crate::space::{Neighbourhood, ProductSpace, VertexId};
use multiversion::multiversion;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Largest block processed in cache for the small dimensions (vertices).
const BLOCK_MAX: u64 = 1 << 14;

/// Positions of a tile's rows relaxed together in every dimension of its run: 125 rows of
/// 64 positions at 12 bytes a vertex are 96 KiB, well inside the 512 KiB L2. (Chunks
/// sized to the tile's rows, with the next chunk prefetched, measured slower at 5^11, as
/// did runs of 625 rows with chunks of 24 positions.)
const CHUNK: usize = 64;

/// Shortest row worth the row kernel; shorter lines are handled one by one.
const ROW_MIN: usize = 16;

/// Length of the row segments of an outer tile (vertices): long enough to stream.
const SEGMENT: usize = 512;

/// Most vertices in one outer tile: 768 KiB at 12 bytes a vertex; only a chunk of it
/// needs to be in cache at a time.
const TILE_MAX: usize = 1 << 16;

/// "No neighbour yet" for the id lanes: never a vertex id (n ≤ u32::MAX).
const NO_ID: u32 = u32::MAX;

/// LS(v) for every vertex of `space` under `loss` (lower is better).
pub fn step<L: Loss>(space: &ProductSpace, loss: &[L]) -> Step {
    step_with(space, loss, &crate::progress::Silent)
}

/// [`step`], reporting one unit of progress per vertex and pass to `progress` (once per
/// block or tile, never per vertex).
pub fn step_with<L: Loss>(
    space: &ProductSpace,
    loss: &[L],
    progress: &dyn crate::progress::Progress,
) -> Step {
    step_marking(space, loss, progress, None)
}

/// [`step_with`], and the minima as a bitmap (bit v of word v / 64 set when LS(v) = v),
/// written where each vertex's LS is, while its run is in cache: the levels stage of
/// [`super::Compact`] needs it, and a pass of its own read all of LS again (1 GB at 5^12).
pub(crate) fn step_with_minima<L: Loss>(
    space: &ProductSpace,
    loss: &[L],
    progress: &dyn crate::progress::Progress,
) -> (Step, Vec<u64>) {
    let mut bits: Vec<u64> = crate::pages::zeroed(space.len().div_ceil(64));
    let step = step_marking(space, loss, progress, Some(atomic_u64(&mut bits)));
    (step, bits)
}

/// [`step_with`], setting the minima's bits in `minima` when given.
fn step_marking<L: Loss>(
    space: &ProductSpace,
    loss: &[L],
    progress: &dyn crate::progress::Progress,
    minima: Option<&[AtomicU64]>,
) -> Step {
    let n = space.len();
    assert_eq!(n, loss.len(), "one loss per vertex");
    let radices: Vec<usize> = space.radices().iter().map(|&k| k as usize).collect();
    let strides: Vec<usize> = space.strides().iter().map(|&s| s as usize).collect();
    let d = radices.len();
    // Dimensions 0..inner have their lines inside one block of `block` vertices; dimension
    // 0 always does (its lines are contiguous), whatever its size.
    let inner = (0..d)
        .take_while(|&i| (strides[i] * radices[i]) as u64 <= BLOCK_MAX)
        .count()
        .max(1);
    let block = strides[inner - 1] * radices[inner - 1];
    let groups = outer_groups(&radices, &strides, inner);
    progress.stage("LS", (n * (1 + groups.len())) as u64);

    // Zeroed allocations cost no pass here; each block is set to "no neighbour yet" by
    // the thread that works on it, while it is in cache. The best neighbour's id is
    // written straight into the LS array; where each vertex is seen for the last time
    // (its block if no dimension lies outside blocks, else its last tile), the best
    // neighbour becomes LS while it is still in cache.
    let mut best_loss: Vec<L> = crate::pages::zeroed(n);
    let mut ls: Vec<VertexId> = crate::pages::zeroed(n);

    let in_blocks = groups.is_empty();
    // The dimensions 0..short whose strides are too short for the row kernel are
    // relaxed in a transposed copy of the block where they have long strides, when the
    // rest of the block gives rows long enough to fill the vector lanes.
    let short = (0..inner).take_while(|&i| strides[i] < ROW_MIN).count();
    let transposed = short > 0 && short < inner && block / strides[short] >= ROW_MIN;
    let mut counts = loss
        .par_chunks(block)
        .zip(best_loss.par_chunks_mut(block))
        .zip(ls.par_chunks_mut(block))
        .enumerate()
        .map_init(Transposed::default, |t, (b, ((l, bl), bi))| {
            let first = b * block;
            let done = if transposed {
                t.relax(l, bl, bi, first as u32, &radices[..short], strides[short]);
                short
            } else {
                bl.fill(L::INFINITY);
                bi.fill(NO_ID);
                0
            };
            for i in done..inner {
                let (k, s) = (radices[i], strides[i]);
                if s < ROW_MIN {
                    relax_short_lines(l, bl, bi, first as u32, k, s);
                } else {
                    relax_groups_in_block(l, bl, bi, first, k, s);
                }
            }
            progress.advance(l.len() as u64);
            if in_blocks {
                classify_run(first, l, bl, bi, minima)
            } else {
                (0, 0)
            }
        })
        .reduce(|| (0, 0), add);

    for (g, &(a, b)) in groups.iter().enumerate() {
        let found = relax_tiles(
            loss,
            &mut best_loss,
            &mut ls,
            &radices[a..b],
            strides[a],
            (g + 1 == groups.len()).then_some(minima),
            progress,
        );
        counts = add(counts, found);
    }
    let (local_minima, strict_local_minima) = counts;
    progress.finish();
    Step {
        ls,
        local_minima,
        strict_local_minima,
    }
}

fn add(a: (usize, usize), b: (usize, usize)) -> (usize, usize) {
    (a.0 + b.0, a.1 + b.1)
}

/// Turns the best neighbours of the consecutive vertices first.. into LS (written over
/// the ids in `bi`), returning the numbers of local and strict local minima among them;
/// sets their bits in `minima` when given.
fn classify_run<L: Loss>(
    first: usize,
    l: &[L],
    bl: &[L],
    bi: &mut [u32],
    minima: Option<&[AtomicU64]>,
) -> (usize, usize) {
    let mut counts = (0, 0);
    for (j, ((o, &bl), &own)) in bi.iter_mut().zip(bl).zip(l).enumerate() {
        let best = Candidate {
            loss: bl.to_f64(),
            id: *o,
        };
        counts = add(
            counts,
            classify((first + j) as VertexId, own.to_f64(), best, o),
        );
    }
    if let Some(bits) = minima {
        mark_minima(bits, first, bi);
    }
    counts
}

/// Sets bit v of `bits` for each minimum v (LS(v) = v) of the run `ls` of vertices
/// first..: one word at a time. A word wholly inside the run is this run's alone and is
/// stored, its 64 lanes compared at once; the words at the ends are ORed in, because
/// runs (tile rows of 512 positions, blocks of 5^6) need not start or end on a word, so
/// two threads may share one. An OR is the same in any order, and the pass's joins order
/// these writes before anyone reads them.
fn mark_minima(bits: &[AtomicU64], first: usize, ls: &[u32]) {
    let end = first + ls.len();
    let mut v = first;
    while v < end {
        let stop = ((v / 64 + 1) * 64).min(end);
        let run = &ls[v - first..stop - first];
        if let Ok(run) = <&[u32; 64]>::try_from(run) {
            let word = run
                .iter()
                .enumerate()
                .fold(0u64, |w, (j, &t)| w | ((t == (v + j) as u32) as u64) << j);
            bits[v / 64].store(word, Relaxed);
        } else {
            let word = run.iter().enumerate().fold(0u64, |w, (j, &t)| {
                w | ((t as usize == v + j) as u64) << ((v + j) % 64)
            });
            if word != 0 {
                bits[v / 64].fetch_or(word, Relaxed);
            }
        }
        v = stop;
    }
}

/// The outer dimensions inner..d cut into runs whose tiles fit [`TILE_MAX`]: each run
/// (a, b) is relaxed in one pass over memory.
fn outer_groups(radices: &[usize], strides: &[usize], inner: usize) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut a = inner;
    while a < radices.len() {
        let segment = SEGMENT.min(strides[a]);
        let mut rows = radices[a];
        let mut b = a + 1;
        while b < radices.len() && rows * radices[b] * segment <= TILE_MAX {
            rows *= radices[b];
            b += 1;
        }
        groups.push((a, b));
        a = b;
    }
    groups
}

/// Relaxes every line of one dimension (k choices, stride s < ROW_MIN) inside a
/// contiguous block whose first vertex is `first`; the block length is a multiple of k·s.
/// Lines this short are handled one by one, with selects instead of branches: on random
/// losses every comparison here is a coin flip that a branch predictor would miss.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+sse4.1", "aarch64+neon"))]
fn relax_short_lines<L: Loss>(
    l: &[L],
    bl: &mut [L],
    bi: &mut [u32],
    first: u32,
    k: usize,
    s: usize,
) {
    for g in (0..l.len()).step_by(k * s) {
        for j in g..g + s {
            // Best and second best member; members come in increasing id, so a strict `<`
            // keeps the lower id on ties.
            let (mut a, mut ai, mut b, mut bix) = (L::INFINITY, 0u32, L::INFINITY, 0u32);
            for c in 0..k {
                let x = l[j + c * s];
                let cu = c as u32;
                let below_a = x < a;
                let below_b = x < b;
                let nb = if below_b { x } else { b };
                let nbi = if below_b { cu } else { bix };
                b = if below_a { a } else { nb };
                bix = if below_a { ai } else { nbi };
                a = if below_a { x } else { a };
                ai = if below_a { cu } else { ai };
            }
            let line_base = first + j as u32;
            for c in 0..k {
                let x = j + c * s;
                let mine = ai == c as u32;
                let ol = if mine { b } else { a };
                let oid = line_base + (if mine { bix } else { ai }) * s as u32;
                let better = (ol < bl[x]) | ((ol == bl[x]) & (oid < bi[x]));
                bl[x] = if better { ol } else { bl[x] };
                bi[x] = if better { oid } else { bi[x] };
            }
        }
    }
}

/// A block's losses and best neighbours with the digits of its short dimensions moved
/// to the top: vertex `q·m + r` of the block (r < m, the short digits) sits at `r·R + q`
/// (R = block / m), so that a short dimension's lines run along rows of R positions, as
/// the row kernel wants. Reused from block to block by one thread.
struct Transposed<L> {
    loss: Vec<L>,
    best_loss: Vec<L>,
    best_id: Vec<u32>,
}

impl<L: Loss> Default for Transposed<L> {
    fn default() -> Self {
        Transposed {
            loss: Vec::new(),
            best_loss: Vec::new(),
            best_id: Vec::new(),
        }
    }
}

impl<L: Loss> Transposed<L> {
    /// Relaxes the short dimensions (radices; their digits span `m` = the stride of the
    /// first long one) of the block whose first vertex is `first`, and writes its best
    /// neighbours so far into `bl` and `bi`, which it overwrites: these are the block's
    /// first dimensions, relaxed in the same order as one by one.
    fn relax(
        &mut self,
        l: &[L],
        bl: &mut [L],
        bi: &mut [u32],
        first: u32,
        radices: &[usize],
        m: usize,
    ) {
        let len = l.len();
        let rows = len / m;
        self.loss.clear();
        self.loss.resize(len, L::INFINITY);
        self.best_loss.clear();
        self.best_loss.resize(len, L::INFINITY);
        self.best_id.clear();
        self.best_id.resize(len, NO_ID);
        transpose(l, &mut self.loss, rows, m);
        // Row r of the copy holds the block's vertices whose short digits spell r, so
        // the short dimensions are a run of dimensions over m rows: vertex `first + r`
        // at position 0 of row r, `m` ids between positions.
        let mut tile = Tile::with_capacity(m);
        tile.first = first as usize;
        tile.row_stride = 1;
        tile.lane_step = m;
        for ((lr, br), ir) in self
            .loss
            .chunks(rows)
            .zip(self.best_loss.chunks_mut(rows))
            .zip(self.best_id.chunks_mut(rows))
        {
            tile.push(lr, br, ir);
        }
        tile.relax(radices);
        transpose(&self.best_loss, bl, m, rows);
        transpose(&self.best_id, bi, m, rows);
    }
}

/// Relaxes one dimension (stride s >= ROW_MIN) inside a block: each group of k rows of
/// length s is a one-dimensional tile.
fn relax_groups_in_block<L: Loss>(
    l: &[L],
    bl: &mut [L],
    bi: &mut [u32],
    first: usize,
    k: usize,
    s: usize,
) {
    let group = k * s;
    let mut tile = Tile::with_capacity(k);
    for (g, ((lg, blg), big)) in l
        .chunks(group)
        .zip(bl.chunks_mut(group))
        .zip(bi.chunks_mut(group))
        .enumerate()
    {
        tile.first = first + g * group;
        tile.row_stride = s;
        for ((lr, br), ir) in lg.chunks(s).zip(blg.chunks_mut(s)).zip(big.chunks_mut(s)) {
            tile.push(lr, br, ir);
        }
        tile.relax(&[k]);
        tile.clear();
    }
}

/// Relaxes the run of dimensions with radices `radices` whose lowest has stride `row`:
/// each group of rows that differ only in those digits is cut into tiles of [`SEGMENT`]
/// positions, and the tiles run in parallel. For the `last` run each tile then turns its
/// best neighbours into LS, and the numbers of local and strict local minima are returned.
fn relax_tiles<L: Loss>(
    loss: &[L],
    best_loss: &mut [L],
    best_id: &mut [u32],
    radices: &[usize],
    row: usize,
    last: Option<Option<&[AtomicU64]>>,
    progress: &dyn crate::progress::Progress,
) -> (usize, usize) {
    let rows: usize = radices.iter().product();
    let group = rows * row;
    let segment = SEGMENT.min(row);
    let tiles_per_row = row.div_ceil(segment);
    loss.par_chunks(group)
        .zip(best_loss.par_chunks_mut(group))
        .zip(best_id.par_chunks_mut(group))
        .enumerate()
        .map(|(g, ((l, bl), bi))| {
            let mut tiles: Vec<Tile<L>> = (0..tiles_per_row)
                .map(|t| {
                    let mut tile = Tile::with_capacity(rows);
                    tile.first = g * group + t * segment;
                    tile.row_stride = row;
                    tile
                })
                .collect();
            for ((lr, br), ir) in l
                .chunks(row)
                .zip(bl.chunks_mut(row))
                .zip(bi.chunks_mut(row))
            {
                for (t, ((lt, bt), it)) in lr
                    .chunks(segment)
                    .zip(br.chunks_mut(segment))
                    .zip(ir.chunks_mut(segment))
                    .enumerate()
                {
                    tiles[t].push(lt, bt, it);
                }
            }
            tiles
                .into_par_iter()
                .map(|mut tile| {
                    tile.relax(radices);
                    progress.advance((rows * tile.loss[0].len()) as u64);
                    if let Some(minima) = last {
                        tile.classify(minima)
                    } else {
                        (0, 0)
                    }
                })
                .reduce(|| (0, 0), add)
        })
        .reduce(|| (0, 0), add)
}

/// The same segment of each row of a run of dimensions: row q (q = Σ c_l·w_l over the
/// run's digits, w_l the product of the radices below l) starts at vertex
/// `first + q·row_stride`, so every line of the run's dimensions through the tile is the
/// same position in k_l of its rows.
struct Tile<'a, L> {
    first: usize,
    row_stride: usize,
    /// Ids between neighbouring positions of a row: 1, except in a transposed block.
    lane_step: usize,
    loss: Vec<&'a [L]>,
    best_loss: Vec<&'a mut [L]>,
    best_id: Vec<&'a mut [u32]>,
}

impl<'a, L: Loss> Tile<'a, L> {
    fn with_capacity(rows: usize) -> Self {
        Tile {
            first: 0,
            row_stride: 0,
            lane_step: 1,
            loss: Vec::with_capacity(rows),
            best_loss: Vec::with_capacity(rows),
            best_id: Vec::with_capacity(rows),
        }
    }

    fn push(&mut self, l: &'a [L], bl: &'a mut [L], bi: &'a mut [u32]) {
        self.loss.push(l);
        self.best_loss.push(bl);
        self.best_id.push(bi);
    }

    fn clear(&mut self) {
        self.loss.clear();
        self.best_loss.clear();
        self.best_id.clear();
    }

    /// Turns the best neighbours of every row into LS; see [`classify_run`].
    fn classify(&mut self, minima: Option<&[AtomicU64]>) -> (usize, usize) {
        let mut counts = (0, 0);
        for q in 0..self.loss.len() {
            let first = self.first + q * self.row_stride;
            let found = classify_run(
                first,
                self.loss[q],
                self.best_loss[q],
                self.best_id[q],
                minima,
            );
            counts = add(counts, found);
        }
        counts
    }

    /// Relaxes every dimension of the run, lowest first, [`CHUNK`] positions at a time:
    /// the lines through a position lie in that position of the tile's rows, so each
    /// chunk of every row is brought into cache once and all the run's dimensions are
    /// relaxed on it there, instead of one pass over the whole tile (768 KiB, more than
    /// the L2) per dimension.
    fn relax(&mut self, radices: &[usize]) {
        let rows = self.loss.len();
        let len = self.loss.first().map_or(0, |r| r.len());
        for j0 in (0..len).step_by(CHUNK) {
            let m = CHUNK.min(len - j0);
            let mut w = 1;
            for &k in radices {
                for hi in (0..rows).step_by(w * k) {
                    for q in hi..hi + w {
                        let first = self.first + q * self.row_stride + j0 * self.lane_step;
                        let g = lines::Lines {
                            q,
                            w,
                            k,
                            j0,
                            m,
                            first: first as u32,
                            s: (w * self.row_stride) as u32,
                            step: self.lane_step as u32,
                        };
                        lines::relax_lines(&self.loss, &mut self.best_loss, &mut self.best_id, g);
                    }
                }
                w *= k;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::explicit;

    const SPECS: [&str; 10] = [
        "2^3",
        "3x4x5",
        "5^6",
        "2^15",
        "4^8",
        "7x2x3x9x2x5",
        "40x3x20",
        "2^17",
        "3^12",
        "2x2x900x2x2x3x2",
    ];

    fn losses(n: usize, levels: u64) -> Vec<f64> {
        (0..n)
            .map(|v| ((v as u64 * 2654435761) % levels) as f64)
            .collect()
    }

    #[test]
    fn streaming_equals_explicit_on_small_spaces() {
        for spec in SPECS {
            let space = ProductSpace::parse(spec).unwrap();
            let loss = losses(space.len(), 97);
            assert_eq!(step(&space, &loss), explicit::step(&space, &loss), "{spec}");
        }
    }

    #[test]
    fn tiled_runs_cover_several_outer_dimensions() {
        // 3^12: block 3^8, outer dimensions 8..12 in one run of 3^4 rows.
        let space = ProductSpace::parse("3^12").unwrap();
        let r: Vec<usize> = space.radices().iter().map(|&k| k as usize).collect();
        let s: Vec<usize> = space.strides().iter().map(|&s| s as usize).collect();
        assert_eq!(outer_groups(&r, &s, 8), vec![(8, 12)]);
        let space = ProductSpace::parse("5^13").unwrap();
        let r: Vec<usize> = space.radices().iter().map(|&k| k as usize).collect();
        let s: Vec<usize> = space.strides().iter().map(|&s| s as usize).collect();
        assert_eq!(outer_groups(&r, &s, 6), vec![(6, 9), (9, 12), (12, 13)]);
    }

    use crate::landscape::compact::minima_bits;
    use proptest::prelude::*;

    fn with_minima(space: &ProductSpace, loss: &[f32]) -> (Step, Vec<u64>) {
        step_with_minima(space, loss, &crate::progress::Silent)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// The streaming pass (short dimensions transposed, AVX2 kernels on f32) against
        /// the explicit per-vertex kernel on random mixed-radix shapes, with few loss
        /// levels so that ties and plateaus are common.
        #[test]
        fn streaming_equals_explicit_on_random_shapes(
            radices in proptest::collection::vec(2usize..8, 1..7),
            levels in 1u64..6,
            seed in any::<u64>(),
        ) {
            let spec = match radices[..] {
                [k] => format!("{k}^1"),
                _ => radices.iter().map(|k| k.to_string()).collect::<Vec<_>>().join("x"),
            };
            let space = ProductSpace::parse(&spec).unwrap();
            let loss = crate::test_losses::draw_f32(seed, space.len(), levels as u32);
            let want = explicit::step(&space, &loss);
            prop_assert_eq!(step(&space, &loss), want.clone());
            prop_assert_eq!(with_minima(&space, &loss), (want.clone(), minima_bits(&want.ls)));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// The tiled runs against the explicit kernel on spaces large enough to have
        /// outer dimensions (more than 2^14 vertices): chunks of positions relaxed in every
        /// dimension of a run, rows longer than a chunk and not a multiple of it, runs
        /// that end inside the dimensions, few loss levels (ties), on 1, 2 and 4 threads.
        #[test]
        fn tiled_runs_equal_explicit_on_random_large_shapes(
            radices in proptest::collection::vec(2usize..12, 5..9).prop_filter(
                "outer dimensions, fast enough",
                |r| (20_000..150_000).contains(&r.iter().product::<usize>()),
            ),
            levels in 1u64..4,
            seed in any::<u64>(),
            threads in proptest::sample::select(vec![1usize, 2, 4]),
        ) {
            let spec = radices.iter().map(|k| k.to_string()).collect::<Vec<_>>().join("x");
            let space = ProductSpace::parse(&spec).unwrap();
            let loss = crate::test_losses::draw_f32(seed, space.len(), levels as u32);
            let (streamed, marked) = crate::test_pool(threads)
                .install(|| (step(&space, &loss), with_minima(&space, &loss)));
            let want = explicit::step(&space, &loss);
            prop_assert_eq!(streamed, want.clone());
            // The bits written by the blocks or the last run's tiles (words shared by
            // runs and threads) equal a pass over LS.
            prop_assert_eq!(marked, (want.clone(), minima_bits(&want.ls)));
        }
    }

    #[test]
    fn f32_losses_give_the_f64_answer_on_the_same_values() {
        for spec in SPECS {
            let space = ProductSpace::parse(spec).unwrap();
            let loss = losses(space.len(), 1000);
            let narrow: Vec<f32> = loss.iter().map(|&x| x as f32).collect();
            assert_eq!(step(&space, &narrow), step(&space, &loss), "{spec}");
        }
    }
}
