//! The first-improvement per-start sweep of a product space of degree at most 64: the
//! (loss, id) order in chunks that threads take in turn ([`turns`]), from better masks
//! (best improvement sweeps its move forest the same way: [`forest`](super::forest)).
//!
//! A first-improvement search moves to each strictly better neighbour with equal
//! probability, so a vertex's values are the mean of all its strictly better neighbours'
//! (≈ 18 a vertex on 5^9), every one earlier in the (loss, id) order. Here
//! [`lines::better_masks`] marks them for every vertex in one streaming pass, and a chunk
//! of the order is solved in passes whose reads do not depend on each other:
//!
//! 1. the chunk's masks (one word a vertex);
//! 2. its move targets, listed from the masks (no loss read); a local minimum (an empty
//!    mask) reads its own loss and its neighbours' (is it strict?);
//! 3. the sums of the targets' solved records, the records of targets a few places
//!    ahead prefetched, so many misses are in flight at once; a target still in another
//!    thread's chunk is waited for ([`turns::wait`]).
//!
//! A level sweep ([`sweep_levels`](super::dp::sweep_levels)) did the same sums but paid,
//! per level, a release for each strictly worse neighbour (≈ 18 a vertex), a bucket pass,
//! a sort and a barrier: more than half of its time.
//!
//! Every sum is taken field by field in neighbour order from 0 with [`add_to`] and turned
//! into a value by [`at_minimum`] or [`moving`] (the halves of
//! [`settle`](super::dp::settle)), as the sequential sweep takes and turns it: the results
//! are [`solve_sequential`](super::dp::solve_sequential)'s bits, whatever the thread count.
//!
//! A vertex's solved values live in one record of one 64-byte cache line (aligned): its
//! [`StartStats`] then the first two values of its `p_end` row; the rest of the row
//! (K − 2 values, one at the default K = 3) in a separate array 8× denser than the
//! records, so mostly found in the caches. A move target then costs one line from memory
//! instead of two for a 72-byte record (or ≈ 2.9 for a 48-byte record and a 24-byte row
//! in two arrays). The records are split into [`Starts`]' two arrays once at the end, in
//! place for the statistics ([`split`]).

use super::dp::{
    add_to, at_minimum, dividers, each_masked_neighbour, finish, moving, success_set, SharedSlice,
    StartStats, Starts, Target, LEVEL_CHUNK,
};
use super::{turns, Variant};
use crate::space::{Neighbourhood, ProductSpace, VertexId};
use crate::stats::lines;
use rayon::prelude::*;
use std::sync::atomic::AtomicU64;

/// Move targets ahead whose records are prefetched while one is summed: enough to keep
/// the misses of a few vertices in flight, few enough that the lines are still cached
/// when their turn comes.
const AHEAD: usize = 16;

/// `f64`s of a [`StartStats`] at the head of a record.
const FIELDS: usize = std::mem::size_of::<StartStats>() / 8;
const _: () = assert!(
    std::mem::size_of::<StartStats>() == 8 * FIELDS
        && std::mem::align_of::<StartStats>() == 8
        && FIELDS == 6
);

/// `f64`s of a record: one 64-byte cache line, its statistics and the first two values
/// of its `p_end` row. The rest of the row (K − 2 values, 8 bytes at the default K = 3)
/// lives in a separate array, 8× denser, so it is mostly found in the caches: a target
/// costs one line from memory instead of two for a 72-byte record.
const LINE: usize = 8;

/// [`solve_sequential`](super::dp::solve_sequential) for [`Variant::First`] on a product
/// space of degree at most 64, in the (loss, id) `order`; `None` above degree 64 (no
/// masks). `top` is capped at the number of local minima here (the masks count them), as
/// `dp::cap_top` would.
pub(super) fn solve(
    space: &ProductSpace,
    loss: &[f64],
    order: &[VertexId],
    target: Target,
    top: usize,
) -> Option<Starts> {
    let n = loss.len();
    assert_eq!(n, space.len(), "one loss per vertex");
    assert_eq!(n, order.len(), "the order lists every vertex");
    let masks = lines::better_masks(space, loss)?;
    let (success, found_defined) = success_set(loss, target);
    // The K best minima by (loss, id), as the sequential sweep meets them: the first K
    // met in the order, at most as many as there are.
    let all_minima = masks
        .par_iter()
        .with_min_len(LEVEL_CHUNK)
        .filter(|&&m| m == 0)
        .count();
    let top = top.min(all_minima);
    let top_minima: Vec<VertexId> = order
        .iter()
        .copied()
        .filter(|&v| masks[v as usize] == 0)
        .take(top)
        .collect();
    // Zeroed records are default statistics and empty rows: fresh zero pages, no fill.
    // One cache line a record: the allocation starts `base` f64s before its first
    // 64-byte boundary, and its length is a multiple of FIELDS so that `split` can hand
    // it on as `StartStats`.
    let head = top.min(LINE - FIELDS);
    let tail_len = top - head;
    // Huge pages: read at random (≈ 18 records a vertex on 5^9).
    let mut records: Vec<f64> = crate::pages::zeroed((n * LINE + LINE).div_ceil(FIELDS) * FIELDS);
    let base = records.as_ptr().align_offset(64);
    assert!(base < LINE, "f64s are 8-aligned");
    let mut tail: Vec<f64> = crate::pages::zeroed(n * tail_len);
    // Each of the K best minima ends at itself.
    for (j, &m) in top_minima.iter().enumerate() {
        if j < head {
            records[base + m as usize * LINE + FIELDS + j] = 1.0;
        } else {
            tail[m as usize * tail_len + j - head] = 1.0;
        }
    }
    let dividers = dividers(space.radices());
    let sweep = Sweep {
        space,
        dividers: &dividers,
        loss,
        masks: &masks,
        success: &success,
        degree: space.uniform_degree(),
        base,
        head,
        tail_len,
        records: SharedSlice::new(&mut records),
        tail: SharedSlice::new(&mut tail),
    };
    let minima = turns::in_turn(
        n,
        || Scratch::new(top),
        |g, places| sweep.chunk(g, &order[places]),
    );
    // Freed before the split allocates the `p_end` rows, so the peak is no higher.
    drop(masks);
    let (stats, p_end) = split(records, base, &tail, n, top);
    drop(tail);
    Some(finish(
        Variant::First,
        stats,
        Vec::new(),
        top_minima,
        p_end,
        top,
        minima,
        success,
        found_defined,
    ))
}

/// The records of `n` vertices (one line each from `base`, the length a multiple of
/// `FIELDS`) and the rows' `tail` as [`Starts`]' statistics and `p_end` rows. The rows are
/// copied out first; then the statistics are moved down to their places in the same
/// allocation, which becomes the statistics vector: 47 MB of fresh pages at 5^9 instead of
/// 94 MB.
fn split(
    mut records: Vec<f64>,
    base: usize,
    tail: &[f64],
    n: usize,
    top: usize,
) -> (Vec<StartStats>, Vec<f64>) {
    let head = top.min(LINE - FIELDS);
    let tail_len = top - head;
    assert!(records.len() >= base + n * LINE && records.len().is_multiple_of(FIELDS));
    let mut p_end: Vec<f64> = crate::pages::zeroed(n * top);
    if top > 0 {
        let lines = &records[base..base + n * LINE];
        p_end
            .par_chunks_mut(top * LEVEL_CHUNK)
            .enumerate()
            .for_each(|(c, rows)| {
                for (i, row) in rows.chunks_exact_mut(top).enumerate() {
                    let v = c * LEVEL_CHUNK + i;
                    row[..head].copy_from_slice(&lines[v * LINE + FIELDS..][..head]);
                    row[head..].copy_from_slice(&tail[v * tail_len..][..tail_len]);
                }
            });
    }
    // In increasing order every record moves down (v·FIELDS ≤ base + v·LINE) onto places
    // already read: a forward copy, sequential because a block's destination can overlap
    // an earlier block's source.
    for v in 0..n {
        let at = base + v * LINE;
        records.copy_within(at..at + FIELDS, v * FIELDS);
    }
    let mut records = std::mem::ManuallyDrop::new(records);
    let (ptr, cap) = (records.as_mut_ptr(), records.capacity());
    // The allocation's capacity in f64s may exceed the length; as StartStats it must be
    // whole records of the same byte size, so give it back as a multiple of FIELDS only.
    let stats = if cap.is_multiple_of(FIELDS) {
        // SAFETY: `StartStats` is `repr(C)`, six `f64`s (asserted above): the same
        // alignment, and `cap / FIELDS` records are exactly the allocation's bytes. The
        // first `n` records are initialised: each is a vertex's six fields, moved above.
        unsafe { Vec::from_raw_parts(ptr as *mut StartStats, n, cap / FIELDS) }
    } else {
        // Not reached with the global allocators in use (`vec!` allocates the length
        // asked), but a capacity is not promised: copy instead.
        let records = std::mem::ManuallyDrop::into_inner(records);
        records[..n * FIELDS]
            .chunks_exact(FIELDS)
            .map(|f| StartStats {
                p_success: f[0],
                expected_moves: f[1],
                expected_evaluations: f[2],
                expected_end_loss: f[3],
                success_evaluations: f[4],
                found_evaluations: f[5],
            })
            .collect()
    };
    (stats, p_end)
}

/// What every chunk reads, and the solved values it writes.
struct Sweep<'a> {
    space: &'a ProductSpace,
    /// [`dividers`] of the space's radices, for [`each_masked_neighbour`].
    dividers: &'a [u64],
    loss: &'a [f64],
    /// Per vertex, its strictly better neighbours (bits in [`lines::better_masks`] order).
    masks: &'a [u64],
    success: &'a [bool],
    degree: usize,
    /// Where the first record starts in `records` (its first 64-byte boundary).
    base: usize,
    /// The `p_end` values a record holds after its statistics (`min(K, 2)`), and those
    /// kept in `tail` (the rest).
    head: usize,
    tail_len: usize,
    /// One record of [`LINE`] `f64`s per vertex: its statistics, then the head of its
    /// `p_end` row.
    records: SharedSlice<f64>,
    /// The rest of each vertex's `p_end` row (`tail_len` values).
    tail: SharedSlice<f64>,
}

/// Per-worker buffers, reused across chunks.
struct Scratch {
    masks: Vec<u64>,
    success: Vec<bool>,
    /// Per vertex of the chunk that is a local minimum: whether it is a strict one.
    strict: Vec<bool>,
    /// The chunk's move targets, vertex after vertex, each vertex's in neighbour order.
    ids: Vec<VertexId>,
    /// Where each vertex's targets end in `ids`.
    ends: Vec<usize>,
    acc_end: Vec<f64>,
    /// A target's `p_end` row, gathered from its record and the tail.
    row: Vec<f64>,
}

impl Scratch {
    fn new(top: usize) -> Scratch {
        Scratch {
            masks: Vec::new(),
            success: Vec::new(),
            strict: Vec::new(),
            ids: Vec::new(),
            ends: Vec::new(),
            acc_end: vec![0.0; top],
            row: vec![0.0; top],
        }
    }
}

impl Sweep<'_> {
    /// The flag field of u's record as an atomic.
    fn flag(&self, u: usize) -> &AtomicU64 {
        let at = self.base + u * LINE;
        assert!(at + FIELDS <= self.records.len());
        // SAFETY: in bounds, the StartStats at the head of u's record, which outlives the
        // borrow.
        unsafe { turns::flag(self.records.as_ptr().add(at)) }
    }

    /// Solves the vertices of `chunk` (consecutive places of the loss order) and returns
    /// the chunk's (local minima, strict ones).
    fn chunk(&self, g: &mut Scratch, chunk: &[VertexId]) -> (usize, usize) {
        // Independent reads: each vertex's mask and whether it is in the success set (a
        // miss each beyond the caches, which the sums below would wait on one by one).
        g.masks.clear();
        g.masks
            .extend(chunk.iter().map(|&v| self.masks[v as usize]));
        g.success.clear();
        g.success
            .extend(chunk.iter().map(|&v| self.success[v as usize]));
        g.ids.clear();
        g.ends.clear();
        g.strict.clear();
        for (&v, &m) in chunk.iter().zip(&g.masks) {
            if m == 0 {
                // A local minimum: strict when every neighbour is strictly worse (no
                // mask says which are equal; minima are ≈ 1 vertex in 37 on 5^9).
                let own = self.loss[v as usize];
                let mut strict = true;
                self.space
                    .for_each_neighbour(v, |u| strict &= self.loss[u as usize] > own);
                g.strict.push(strict);
            } else {
                each_masked_neighbour(self.space, self.dividers, v, m, |u| g.ids.push(u));
            }
            g.ends.push(g.ids.len());
        }

        let (mut minima, mut strict_minima) = (0, 0);
        let mut start = 0;
        for (i, &v) in chunk.iter().enumerate() {
            // The record a vertex a few ahead writes.
            if let Some(&w) = chunk.get(i + AHEAD) {
                self.prefetch(w as usize);
            }
            let (vi, stop) = (v as usize, g.ends[i]);
            let own_success = g.success[i];
            if stop == start {
                // No strictly better neighbour: a local minimum.
                let stats = at_minimum(self.loss[vi], own_success, self.degree);
                let strict = g.strict[minima];
                minima += 1;
                strict_minima += strict as usize;
                // SAFETY: v is in one chunk, solved once; a top minimum's row is set.
                unsafe { self.put(vi, &stats, None) };
                continue;
            }
            let mut sum = StartStats::default();
            g.acc_end.iter_mut().for_each(|x| *x = 0.0);
            for t in start..stop {
                if let Some(&far) = g.ids.get(t + AHEAD) {
                    self.prefetch(far as usize);
                }
                let u = g.ids[t] as usize;
                turns::wait(self.flag(u));
                // SAFETY: u is solved (waited for above), and nothing writes it again.
                let (rec, rest) = unsafe {
                    (
                        self.records.range(self.base + u * LINE, LINE),
                        self.tail.range(u * self.tail_len, self.tail_len),
                    )
                };
                // The row in one piece (copies are exact): `add_to` adds it in order.
                g.row[..self.head].copy_from_slice(&rec[FIELDS..][..self.head]);
                g.row[self.head..].copy_from_slice(rest);
                add_to(&mut sum, &mut g.acc_end, as_stats(&rec[..FIELDS]), &g.row);
            }
            let stats = moving(
                Variant::First,
                own_success,
                (self.degree, stop - start, 0),
                (sum, stop - start),
                &mut g.acc_end,
            );
            // SAFETY: v is in one chunk, solved once.
            unsafe { self.put(vi, &stats, Some(&g.acc_end)) };
            start = stop;
        }
        (minima, strict_minima)
    }

    /// Asks for u's record and the tail of its row.
    fn prefetch(&self, u: usize) {
        self.records.prefetch(self.base + u * LINE, LINE);
        self.tail.prefetch(u * self.tail_len, self.tail_len);
    }

    /// Writes v's record: its `p_end` row (when it moves), then its statistics field by
    /// field in `repr(C)` order, the flag field last with `Release`.
    ///
    /// # Safety
    /// Only one thread solves v, once.
    unsafe fn put(&self, v: usize, stats: &StartStats, row: Option<&[f64]>) {
        let at = self.base + v * LINE;
        if let Some(row) = row {
            let (head, rest) = row.split_at(self.head);
            self.records
                .range_mut(at + FIELDS, self.head)
                .copy_from_slice(head);
            self.tail
                .range_mut(v * self.tail_len, self.tail_len)
                .copy_from_slice(rest);
        }
        assert!(at + FIELDS <= self.records.len());
        turns::publish(self.records.as_ptr().add(at), stats);
    }
}

/// The head of a record as the [`StartStats`] it holds.
fn as_stats(fields: &[f64]) -> &StartStats {
    assert_eq!(fields.len(), FIELDS);
    // SAFETY: `StartStats` is `repr(C)`, six `f64`s (asserted above): six consecutive
    // initialised `f64`s are one, at its alignment.
    unsafe { &*(fields.as_ptr() as *const StartStats) }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::search::dp::tests::same;
    use crate::search::dp::{loss_order, solve_sequential};
    use crate::space::Neighbourhood;
    use proptest::prelude::*;

    /// A product sweep under test: space, losses, variant, target, K.
    pub(in crate::search) type Solver = fn(&ProductSpace, &[f64], Variant, Target, usize) -> Starts;

    /// On 1, 2 and 4 threads, for each of `variants`, two ε targets and a mask, and each K
    /// of `tops` (below, at or above the number of minima): `solve` gives the sequential
    /// sweep's bits.
    pub(in crate::search) fn check_with(
        spec: &str,
        loss: &[f64],
        tops: &[usize],
        variants: &[Variant],
        solve: Solver,
    ) -> Result<(), TestCaseError> {
        let space = ProductSpace::parse(spec).unwrap();
        let order = loss_order(loss);
        let mask: Vec<bool> = loss.iter().map(|&l| l < 0.5).collect();
        for &variant in variants {
            for target in [Target::Eps(0.0), Target::Eps(0.25), Target::Mask(&mask)] {
                for &top in tops {
                    let want = solve_sequential(&space, loss, &order, variant, target, top);
                    for threads in [1, 2, 4] {
                        let got = crate::test_pool(threads)
                            .install(|| solve(&space, loss, variant, target, top));
                        prop_assert!(
                            same(&got, &want),
                            "{} {:?} {:?} K={} on {} threads",
                            spec,
                            variant,
                            target,
                            top,
                            threads
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// [`solve`] (first improvement) as a [`Solver`].
    fn masked(
        space: &ProductSpace,
        loss: &[f64],
        _: Variant,
        target: Target,
        top: usize,
    ) -> Starts {
        solve(space, loss, &loss_order(loss), target, top).unwrap()
    }

    fn check(spec: &str, loss: &[f64], tops: &[usize]) -> Result<(), TestCaseError> {
        check_with(spec, loss, tops, &[Variant::First], masked)
    }

    /// Any product of degree at most 64 (a line of 65 values included) and its losses,
    /// with ties and −0 beside +0: the shapes of every masked sweep's proptest.
    pub(in crate::search) fn shapes() -> impl Strategy<Value = (String, Vec<f64>)> {
        (
            proptest::collection::vec(2u32..6, 1..5),
            any::<bool>(),
            any::<u64>(),
            1u32..8,
        )
            .prop_map(|(radices, long_line, seed, ties)| shape(radices, long_line, seed, ties))
    }

    /// A shape of degree at most 64 (`long_line`: one line of 65, or 3 × 63) and its
    /// losses, drawn from `seed` with `ties` distinct values, −0 beside +0.
    fn shape(radices: Vec<u32>, long_line: bool, seed: u64, ties: u32) -> (String, Vec<f64>) {
        use rand::{Rng, SeedableRng};
        let mut radices = radices;
        if long_line {
            // Degree 64, the most a mask holds: one line of 65, or 3 × 63.
            radices = if radices.len() == 1 {
                vec![65]
            } else {
                vec![3, 63]
            };
        }
        let spec = radices
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join("x");
        let spec = if radices.len() == 1 {
            format!("{}^1", radices[0])
        } else {
            spec
        };
        let n: usize = radices.iter().map(|&k| k as usize).product();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let loss: Vec<f64> = (0..n)
            .map(|_| {
                let x = rng.gen_range(0..ties) as f64 / ties as f64;
                if x == 0.0 && rng.gen() {
                    -0.0
                } else {
                    x
                }
            })
            .collect();
        (spec, loss)
    }

    /// A few hundred thousand arcs, many levels, chunks of a level split across threads.
    #[test]
    fn equals_the_sequential_sweep_on_nb201_uniform_and_plateaus() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let n = ProductSpace::parse("nb201").unwrap().len();
        for levels in [0u32, 6] {
            let loss = crate::test_losses::draw(&mut rng, n, levels);
            check("nb201", &loss, &[0, 2, 3]).unwrap();
        }
    }

    #[test]
    fn no_masks_above_degree_64() {
        let space = ProductSpace::parse("33x34").unwrap();
        let loss = vec![0.0; space.len()];
        let order = loss_order(&loss);
        assert!(solve(&space, &loss, &order, Target::Eps(0.0), 3).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Any shape up to degree 64 (a line of 65 values included), losses with ties and
        /// −0/+0; K = 0 to 3 (the record holds up to two `p_end` values, the tail the rest)
        /// and above the number of minima.
        #[test]
        fn equals_the_sequential_sweep_on_products((spec, loss) in shapes()) {
            check(&spec, &loss, &[0, 1, 2, 3, 1000])?;
        }

        /// Both sorts (the radix one where the keys fit, the comparison one) give the
        /// (loss, id) order of `total_cmp` on ids.
        #[test]
        fn loss_order_sorts_by_total_order_then_id(
            values in proptest::collection::vec(
                prop_oneof![
                    (-3i32..3).prop_map(|x| x as f64),
                    Just(-0.0),
                    Just(f64::INFINITY),
                    Just(f64::NEG_INFINITY),
                    any::<f64>().prop_filter("a loss is never NaN", |x| !x.is_nan()),
                ],
                0..200,
            ),
        ) {
            let mut want: Vec<VertexId> = (0..values.len() as VertexId).collect();
            want.sort_by(|&a, &b| values[a as usize].total_cmp(&values[b as usize]).then(a.cmp(&b)));
            prop_assert_eq!(&loss_order(&values), &want);
            prop_assert_eq!(&crate::search::dp::sort_by_key(&values), &want);
        }
    }
}
