//! Best improvement (either tie rule) on a product space of degree at most 64: the move
//! forest swept once in (loss, id) order, by chunks that threads take in turn.
//!
//! A best-improvement search moves only to its lowest neighbours (≈ 1 a vertex on iid
//! losses), so its move DAG is nearly a forest, and the (loss, id) order, which the caller
//! sorts anyway for the restart cost, already puts every target before the vertices that
//! move to it. A level sweep ([`sweep_levels`](super::dp::sweep_levels)) needed, per level, a release
//! list, a bucket pass, a sort and ≈ 6 scattered reads a vertex (a level's vertices are
//! spread over the id space), and four line passes before it (move masks, lowest masks,
//! reverse masks, in-set counts). Here:
//!
//! 1. **one line pass** ([`inputs`], two passes over memory: blocks of the inner
//!    dimensions, then tiles of the outer ones, each in the cache) gives each vertex a
//!    16-byte [`Input`]: its lowest neighbours (none for a local minimum), whether it is
//!    a strict minimum, in the success set, and how many neighbours are;
//! 2. **one sweep in loss order**: chunks of the order are taken by the threads in turn
//!    ([`turns`]); a chunk gathers its inputs (one line a vertex, all reads
//!    independent), lists its targets, then sums their solved values and writes its
//!    own, the places a few targets and vertices ahead prefetched. A target is almost
//!    always solved long before (its loss is the lowest of 36 neighbours); when it is
//!    still in another thread's chunk, the thread waits for it (see [`Out::solved`]).
//!    No level, no release, no barrier.
//!
//! Every value is computed from the same targets, in the same neighbour order, with the
//! same [`add_to`] and halves of [`settle`](super::dp::settle) ([`at_minimum`], [`moving`])
//! as [`solve_sequential`](super::dp::solve_sequential),
//! so the results are its bits whatever the thread count and whoever solves a chunk.

use super::dp::{
    add_to, at_minimum, dividers, each_masked_neighbour, finish, moving, success_set, SharedSlice,
    StartStats, Starts, Target,
};
use super::turns;
use super::Variant;
use crate::space::{Neighbourhood, ProductSpace, VertexId};
use multiversion::multiversion;
use rayon::prelude::*;
use std::sync::atomic::AtomicU64;

/// Move targets ahead whose solved values are prefetched while one is summed.
const AHEAD: usize = 16;

/// What the sweep reads of a vertex, packed in one aligned 16 bytes (one cache line).
#[derive(Clone, Copy, Default)]
#[repr(C, align(16))]
struct Input {
    /// The neighbours of the lowest loss (bits in `lines::better_masks` order, `<` and
    /// `==` so −0 and +0 tie), when that loss is strictly below the vertex's own; 0 for
    /// a local minimum.
    lowest: u64,
    /// While the line passes run: the lowest neighbour loss so far (its bits). After the
    /// last dimension: [`IN_SET`] neighbours in the success set, [`STRICT`], [`SUCCESS`].
    aux: u64,
}

/// The bits of [`Input::aux`] counting the neighbours in the success set (at most 64).
const IN_SET: u64 = 0xff;
/// Every neighbour is strictly worse.
const STRICT: u64 = 1 << 8;
/// The vertex is in the success set.
const SUCCESS: u64 = 1 << 9;

/// [`solve_sequential`](super::dp::solve_sequential) for [`Variant::Best`] or
/// [`Variant::BestRandomTies`] on a product space of degree at most 64; `order` is the
/// (loss, id) order. `top` is capped at the number of local minima.
pub(super) fn solve(
    space: &ProductSpace,
    loss: &[f64],
    order: &[VertexId],
    variant: Variant,
    target: Target,
    top: usize,
) -> Starts {
    let n = space.len();
    assert!(variant.scans_all(), "best improvement only");
    assert!(space.uniform_degree() <= 64, "one 64-bit mask a vertex");
    assert_eq!(n, loss.len(), "one loss per vertex");
    assert_eq!(n, order.len(), "the order lists every vertex");
    let (success, found_defined) = success_set(loss, target);
    let input = inputs(space, loss, &success);

    // The K best minima by (loss, id): the first K met in the order.
    let mut top_minima = Vec::with_capacity(top.min(n));
    for &v in order {
        if top_minima.len() == top {
            break;
        }
        if input[v as usize].lowest == 0 {
            top_minima.push(v);
        }
    }
    let top = top_minima.len();
    let mut stats: Vec<StartStats> = crate::pages::zeroed(n);
    let mut p_end: Vec<f64> = crate::pages::zeroed(n * top);
    // Each of the K best minima ends at itself.
    for (j, &m) in top_minima.iter().enumerate() {
        p_end[m as usize * top + j] = 1.0;
    }
    let mut end: Vec<VertexId> = if variant == Variant::Best {
        crate::pages::zeroed(n)
    } else {
        Vec::new()
    };
    let dividers = dividers(space.radices());
    let out = Out {
        stats: SharedSlice::new(&mut stats),
        p_end: SharedSlice::new(&mut p_end),
        end: SharedSlice::new(&mut end),
        top,
    };
    let sweep = Sweep {
        space,
        dividers: &dividers,
        loss,
        input: &input,
        variant,
        degree: space.uniform_degree(),
        out,
    };
    let minima = turns::in_turn(
        n,
        || Scratch::new(top),
        |g, places| sweep.chunk(g, &order[places]),
    );
    drop(input);
    finish(
        variant,
        stats,
        end,
        top_minima,
        p_end,
        top,
        minima,
        success,
        found_defined,
    )
}

/// Vertices of one block of the inner dimensions, or of one tile of the outer ones, whose
/// line passes run in the cache: ≈ 34 bytes each, ≈ 280 KB. The tests take a few, so
/// that small spaces have outer dimensions, several tiles and narrow ones.
#[cfg(not(test))]
const TILE: usize = 8192;
#[cfg(test)]
const TILE: usize = 16;

/// Per vertex, its [`Input`], from two passes over memory instead of one per dimension:
/// the lines of the inner dimensions (those whose product fits a [`TILE`]) block by
/// block, then those of the outer ones tile by tile (a few consecutive offsets of a
/// block, across every block). Each line's lowest and second-lowest values are found
/// once for all its vertices.
fn inputs(space: &ProductSpace, loss: &[f64], success: &[bool]) -> Vec<Input> {
    let n = space.len();
    let radices = space.radices();
    let dims = radices.len();
    let offsets: Vec<u32> = radices
        .iter()
        .scan(0, |at, &k| {
            let o = *at;
            *at += k - 1;
            Some(o)
        })
        .collect();
    // The inner dimensions: at least one (a radix is at most 65 at degree ≤ 64).
    let (mut inner, mut block) = (1, radices[0] as usize);
    while inner < dims && block * radices[inner] as usize <= TILE {
        block *= radices[inner] as usize;
        inner += 1;
    }
    let mut input: Vec<Input> = crate::pages::zeroed(n);
    // What the outer pass needs of the inner one besides the input: its counts.
    let mut in_set: Vec<u8> = vec![0; if inner < dims { n } else { 0 }];
    let (shared, shared_in_set) = (SharedSlice::new(&mut input), SharedSlice::new(&mut in_set));
    (0..n / block)
        .into_par_iter()
        .for_each_init(Tile::default, |t, b| {
            let none = |_| (f64::INFINITY, 0, 0);
            t.load(b * block..(b + 1) * block, loss, success, none);
            t.relax(&radices[..inner], &offsets[..inner], 1);
            // SAFETY: the blocks are disjoint.
            unsafe { t.store(b * block, 1, 1, inner == dims, &shared, &shared_in_set) };
        });
    if inner < dims {
        let outer = n / block;
        let width = (TILE / outer).clamp(1, block);
        (0..block.div_ceil(width))
            .into_par_iter()
            .for_each_init(Tile::default, |t, part| {
                let first = part * width;
                let width = width.min(block - first);
                let ids = (0..outer).flat_map(|q| (0..width).map(move |lo| first + lo + q * block));
                let seen = |v| {
                    // SAFETY: the tiles are disjoint, and the inner pass is over.
                    let (x, c) = unsafe { (*shared.get(v), *shared_in_set.get(v)) };
                    (f64::from_bits(x.aux), x.lowest, c)
                };
                t.load(ids, loss, success, seen);
                t.relax(&radices[inner..], &offsets[inner..], width);
                // SAFETY: the tiles are disjoint.
                unsafe { t.store(first, width, block, true, &shared, &shared_in_set) };
            });
    }
    input
}

/// The vertices of a block or a tile, in their order: lane (consecutive ids) fastest,
/// then the dimensions being relaxed.
#[derive(Default)]
struct Tile {
    loss: Vec<f64>,
    success: Vec<bool>,
    /// The lowest neighbour loss so far, and the neighbours at it.
    min: Vec<f64>,
    lowest: Vec<u64>,
    /// Neighbours in the success set so far.
    in_set: Vec<u8>,
    rows: Rows,
}

/// Per lane of the lines being relaxed: the lowest value and its places (bits), the
/// lowest of the other places and theirs, and the places in the success set.
#[derive(Default)]
struct Rows {
    m1: Vec<f64>,
    p1: Vec<u64>,
    m2: Vec<f64>,
    p2: Vec<u64>,
    count: Vec<u8>,
}

/// Relaxes every line of one dimension (radix `k` ≤ 64, stride `s`) of a tile: the
/// lines' lowest and second-lowest values row by row across the `s` lanes, then each
/// place's lowest neighbours merged into its own. Selects instead of branches: on random
/// losses each comparison is a coin flip a branch predictor would miss, and the lanes
/// vectorise. The same sets as [`Tile::line`].
#[multiversion(targets("x86_64+avx2+fma", "x86_64+sse4.1", "aarch64+neon"))]
fn relax_rows(
    (loss, success): (&[f64], &[bool]),
    (min, lowest, in_set): (&mut [f64], &mut [u64], &mut [u8]),
    (s, k, offset): (usize, usize, u32),
    r: &mut Rows,
) {
    let (m1, p1, m2, p2) = (
        &mut r.m1[..s],
        &mut r.p1[..s],
        &mut r.m2[..s],
        &mut r.p2[..s],
    );
    let count = &mut r.count[..s];
    for g in (0..loss.len()).step_by(k * s) {
        m1.fill(f64::INFINITY);
        p1.fill(0);
        m2.fill(f64::INFINITY);
        p2.fill(0);
        count.fill(0);
        for c in 0..k {
            let bit = 1u64 << c;
            let (row, ok) = (&loss[g + c * s..][..s], &success[g + c * s..][..s]);
            for l in 0..s {
                let x = row[l];
                let (lt, eq) = (x < m1[l], x == m1[l]);
                let tie = if eq { bit } else { 0 };
                p1[l] = if lt { bit } else { p1[l] | tie };
                m1[l] = if lt { x } else { m1[l] };
                count[l] += ok[l] as u8;
            }
        }
        // The lowest of the places outside p1 (+∞ stands for those in it, which the
        // last line takes out again if they tied at +∞).
        for c in 0..k {
            let bit = 1u64 << c;
            let row = &loss[g + c * s..][..s];
            for l in 0..s {
                let x = if p1[l] & bit != 0 {
                    f64::INFINITY
                } else {
                    row[l]
                };
                let (lt, eq) = (x < m2[l], x == m2[l]);
                let tie = if eq { bit } else { 0 };
                p2[l] = if lt { bit } else { p2[l] | tie };
                m2[l] = if lt { x } else { m2[l] };
            }
        }
        for l in 0..s {
            p2[l] &= !p1[l];
        }
        for c in 0..k {
            let (bit, low) = (1u64 << c, (1u64 << c) - 1);
            let at = g + c * s;
            let (min, lowest) = (&mut min[at..][..s], &mut lowest[at..][..s]);
            let (in_set, ok) = (&mut in_set[at..][..s], &success[at..][..s]);
            for l in 0..s {
                // The lowest of the others: the second-lowest for the lowest alone.
                let solo = p1[l] == bit;
                let m = if solo { m2[l] } else { m1[l] };
                let places = if solo { p2[l] } else { p1[l] & !bit };
                // Places in the line to bits of the vertex's mask: its own place dropped.
                let bits = ((places & low) | (places >> 1 & !low)) << offset;
                let seen = min[l];
                let (lt, eq) = (m < seen, m == seen);
                let tie = if eq { bits } else { 0 };
                lowest[l] = if lt { bits } else { lowest[l] | tie };
                min[l] = if lt { m } else { seen };
                in_set[l] += count[l] - ok[l] as u8;
            }
        }
    }
}

impl Tile {
    /// Gathers the vertices `ids` and what earlier passes found for each: its lowest
    /// neighbour loss, the neighbours at it, and its count.
    fn load(
        &mut self,
        ids: impl Iterator<Item = usize>,
        loss: &[f64],
        success: &[bool],
        seen: impl Fn(usize) -> (f64, u64, u8),
    ) {
        self.loss.clear();
        self.success.clear();
        self.min.clear();
        self.lowest.clear();
        self.in_set.clear();
        for v in ids {
            let (min, lowest, in_set) = seen(v);
            self.loss.push(loss[v]);
            self.success.push(success[v]);
            self.min.push(min);
            self.lowest.push(lowest);
            self.in_set.push(in_set);
        }
    }

    /// Takes the lines of the dimensions of `radices` (mask bits from `offsets`) into
    /// every vertex's lowest neighbours and counts; `lanes` consecutive places are one
    /// vertex's lanes (the stride of the first of these dimensions).
    fn relax(&mut self, radices: &[u32], offsets: &[u32], lanes: usize) {
        let len = self.loss.len();
        let mut stride = lanes;
        for (&k, &offset) in radices.iter().zip(offsets) {
            let k = k as usize;
            if k <= 64 {
                let r = &mut self.rows;
                for buf in [&mut r.m1, &mut r.m2] {
                    buf.resize(stride, 0.0);
                }
                for buf in [&mut r.p1, &mut r.p2] {
                    buf.resize(stride, 0);
                }
                r.count.resize(stride, 0);
                relax_rows(
                    (&self.loss, &self.success),
                    (&mut self.min, &mut self.lowest, &mut self.in_set),
                    (stride, k, offset),
                    r,
                );
            } else {
                for start in (0..len).step_by(stride * k) {
                    for lo in 0..stride {
                        self.line(start + lo, stride, k, offset);
                    }
                }
            }
            stride *= k;
        }
    }

    /// The line of `k` places `base + c·stride`, for a line too long for a `u64` of
    /// places (65: a single dimension of degree 64).
    fn line(&mut self, base: usize, stride: usize, k: usize, offset: u32) {
        let at = |c: usize| base + c * stride;
        // The line's lowest value and its places, then the lowest of the other places
        // (needed only by a place that is the lowest alone). Places as bits of a u128:
        // a line holds up to 65 vertices.
        let (mut m1, mut p1) = (f64::INFINITY, 0u128);
        let mut count = 0u8;
        for c in 0..k {
            let x = self.loss[at(c)];
            count += self.success[at(c)] as u8;
            if x < m1 {
                (m1, p1) = (x, 1 << c);
            } else if x == m1 {
                p1 |= 1 << c;
            }
        }
        let (mut m2, mut p2) = (f64::INFINITY, 0u128);
        if p1.is_power_of_two() {
            for c in (0..k).filter(|&c| p1 >> c & 1 == 0) {
                let x = self.loss[at(c)];
                if x < m2 {
                    (m2, p2) = (x, 1 << c);
                } else if x == m2 {
                    p2 |= 1 << c;
                }
            }
        }
        for c in 0..k {
            let v = at(c);
            let (m, places) = if p1 == 1 << c {
                (m2, p2)
            } else {
                (m1, p1 & !(1 << c))
            };
            // Places in the line to bits of v's mask: v's own place dropped.
            let low = (1u128 << c) - 1;
            let bits = (((places & low) | (places >> 1 & !low)) as u64) << offset;
            let seen = self.min[v];
            if m < seen {
                (self.min[v], self.lowest[v]) = (m, bits);
            } else if m == seen {
                self.lowest[v] |= bits;
            }
            self.in_set[v] += count - self.success[v] as u8;
        }
    }

    /// Writes the vertices back: place `lo + width·q` is vertex `first + lo + q·block`.
    /// With `last`, every dimension has been relaxed, and the input is final.
    ///
    /// # Safety
    /// No other thread touches these vertices meanwhile.
    unsafe fn store(
        &self,
        first: usize,
        width: usize,
        block: usize,
        last: bool,
        input: &SharedSlice<Input>,
        in_set: &SharedSlice<u8>,
    ) {
        for i in 0..self.loss.len() {
            let v = first + i % width + i / width * block;
            let (min, own, lowest) = (self.min[i], self.loss[i], self.lowest[i]);
            *input.slot(v) = if last {
                Input {
                    // No strictly better neighbour: a local minimum, no target.
                    lowest: if min < own { lowest } else { 0 },
                    aux: self.in_set[i] as u64
                        | if min > own { STRICT } else { 0 }
                        | if self.success[i] { SUCCESS } else { 0 },
                }
            } else {
                *in_set.slot(v) = self.in_set[i];
                Input {
                    lowest,
                    aux: min.to_bits(),
                }
            };
        }
    }
}

/// The solved values, written by the thread that solves a vertex and read by later ones.
struct Out {
    stats: SharedSlice<StartStats>,
    p_end: SharedSlice<f64>,
    end: SharedSlice<VertexId>,
    top: usize,
}

impl Out {
    /// The flag field of u's statistics as an atomic.
    fn flag(&self, u: usize) -> &AtomicU64 {
        assert!(u < self.stats.len());
        // SAFETY: in bounds, a StartStats of `self.stats`, which outlives the borrow.
        unsafe { turns::flag(self.stats.as_ptr().add(u) as *const f64) }
    }

    /// Waits until u is solved. Its `expected_evaluations` is stored last, with
    /// `Release`, and is never 0 once solved (at least the degree, which is ≥ 1 when u
    /// is anyone's target), and 0 before (zeroed pages).
    fn solved(&self, u: usize) {
        turns::wait(self.flag(u));
    }

    /// Writes v's values, its statistics last (the flag field with `Release`).
    ///
    /// # Safety
    /// Only one thread solves v, once.
    unsafe fn put(&self, v: usize, stats: &StartStats, row: Option<&[f64]>, end: Option<VertexId>) {
        if let Some(row) = row {
            self.p_end
                .range_mut(v * self.top, self.top)
                .copy_from_slice(row);
        }
        if let Some(e) = end {
            *self.end.slot(v) = e;
        }
        assert!(v < self.stats.len());
        turns::publish(self.stats.as_ptr().add(v) as *mut f64, stats);
    }
}

/// What every chunk reads.
struct Sweep<'a> {
    space: &'a ProductSpace,
    /// [`dividers`] of the space's radices, for [`each_masked_neighbour`].
    dividers: &'a [u64],
    loss: &'a [f64],
    input: &'a [Input],
    variant: Variant,
    degree: usize,
    out: Out,
}

/// Per-worker buffers, reused across chunks.
struct Scratch {
    input: Vec<Input>,
    /// The chunk's move targets, vertex after vertex, each vertex's in neighbour order.
    ids: Vec<VertexId>,
    /// Where each vertex's targets end in `ids`.
    ends: Vec<usize>,
    acc_end: Vec<f64>,
}

impl Scratch {
    fn new(top: usize) -> Scratch {
        Scratch {
            input: Vec::new(),
            ids: Vec::new(),
            ends: Vec::new(),
            acc_end: vec![0.0; top],
        }
    }
}

impl Sweep<'_> {
    /// Solves the vertices of `chunk` (consecutive places of the loss order) and returns
    /// the chunk's (local minima, strict ones).
    fn chunk(&self, g: &mut Scratch, chunk: &[VertexId]) -> (usize, usize) {
        let out = &self.out;
        // Independent reads: each vertex's input, and the places it will write.
        g.input.clear();
        g.input
            .extend(chunk.iter().map(|&v| self.input[v as usize]));
        g.ids.clear();
        g.ends.clear();
        for (&v, x) in chunk.iter().zip(&g.input) {
            let start = g.ids.len();
            each_masked_neighbour(self.space, self.dividers, v, x.lowest, |u| g.ids.push(u));
            if self.variant == Variant::Best {
                // Ties to the lowest id: one target.
                if let Some(&lowest_id) = g.ids[start..].iter().min() {
                    g.ids[start] = lowest_id;
                    g.ids.truncate(start + 1);
                }
            }
            if x.lowest == 0 {
                // A minimum reads its own loss.
                let own = &self.loss[v as usize] as *const f64;
                crate::prefetch::prefetch_ptr(own as *const u8);
            }
            g.ends.push(g.ids.len());
        }

        let (mut minima, mut strict_minima) = (0, 0);
        let mut start = 0;
        for (i, &v) in chunk.iter().enumerate() {
            // The places a vertex a few ahead writes.
            if let Some(&w) = chunk.get(i + AHEAD) {
                let w = w as usize;
                out.stats.prefetch(w, 1);
                out.p_end.prefetch(w * out.top, out.top);
                out.end.prefetch(w, 1);
            }
            let (vi, x, stop) = (v as usize, g.input[i], g.ends[i]);
            let own_success = x.aux & SUCCESS != 0;
            if stop == start {
                // No strictly better neighbour: a local minimum.
                let stats = at_minimum(self.loss[vi], own_success, self.degree);
                let strict = x.aux & STRICT != 0;
                minima += 1;
                strict_minima += strict as usize;
                let end = (self.variant == Variant::Best).then_some(v);
                // SAFETY: v is in one chunk, solved once.
                unsafe { out.put(vi, &stats, None, end) };
                continue;
            }
            let mut sum = StartStats::default();
            g.acc_end.iter_mut().for_each(|a| *a = 0.0);
            for t in start..stop {
                if let Some(&far) = g.ids.get(t + AHEAD) {
                    out.stats.prefetch(far as usize, 1);
                    out.p_end.prefetch(far as usize * out.top, out.top);
                    out.end.prefetch(far as usize, 1);
                }
                let u = g.ids[t] as usize;
                out.solved(u);
                // SAFETY: u is solved (above), and nothing writes it again.
                let (st, row) =
                    unsafe { (out.stats.get(u), out.p_end.range(u * out.top, out.top)) };
                add_to(&mut sum, &mut g.acc_end, st, row);
            }
            let in_set = (x.aux & IN_SET) as usize;
            let first = g.ids[start];
            let stats = moving(
                self.variant,
                own_success,
                (self.degree, 0, in_set),
                (sum, stop - start),
                &mut g.acc_end,
            );
            // SAFETY: for best improvement the one target, solved (waited for above).
            let end =
                (self.variant == Variant::Best).then(|| unsafe { *out.end.get(first as usize) });
            // SAFETY: v is in one chunk, solved once.
            unsafe { out.put(vi, &stats, Some(&g.acc_end), end) };
            start = stop;
        }
        (minima, strict_minima)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::dp::loss_order;
    use crate::search::masked::tests::{check_with, shapes};
    use proptest::prelude::*;

    fn forest(
        space: &ProductSpace,
        loss: &[f64],
        variant: Variant,
        target: Target,
        top: usize,
    ) -> Starts {
        solve(space, loss, &loss_order(loss), variant, target, top)
    }

    /// Many chunks, taken by 1, 2 and 4 threads in turn, with waits across chunks.
    #[test]
    fn equals_the_sequential_sweep_on_nb201_uniform_and_plateaus() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let n = ProductSpace::parse("nb201").unwrap().len();
        for levels in [0u32, 6] {
            let loss = crate::test_losses::draw(&mut rng, n, levels);
            check_with(
                "nb201",
                &loss,
                &[0, 3],
                &[Variant::Best, Variant::BestRandomTies],
                forest,
            )
            .unwrap();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Any shape up to degree 64 (a line of 65 values included), losses with ties and
        /// −0/+0, K below, at and above the number of minima.
        #[test]
        fn equals_the_sequential_sweep_on_products((spec, loss) in shapes()) {
            check_with(&spec, &loss, &[0, 3, 1000], &[Variant::Best, Variant::BestRandomTies], forest)?;
        }
    }
}
