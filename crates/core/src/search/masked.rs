//! The first-improvement per-start sweep of a product space from move bit masks, a chunk
//! of a level at a time (best improvement sweeps its move forest in loss order instead:
//! [`forest`](super::forest)).
//!
//! The generic level sweep of [`dp`](super::dp) solves vertex by vertex: it reads every
//! neighbour's loss to find the move targets (36 scattered reads a vertex on 5^9, each
//! behind a branch that mispredicts half the time), then every target's solved record,
//! so the CPU waits on one cache miss at a time. Here [`lines::move_masks`] marks the
//! strictly better and strictly worse neighbours of every vertex in one streaming pass,
//! and a chunk of a level is solved in passes whose reads do not depend on each other:
//!
//! 1. the chunk's masks and own losses;
//! 2. its move targets, listed from the masks (no loss read): the strictly better
//!    neighbours;
//! 3. the sums of the targets' solved records, the records of targets a few places
//!    ahead prefetched, so many misses are in flight at once.
//!
//! Every sum is taken field by field in neighbour order from 0 with [`add_to`] and turned
//! into a value by [`settle`], as the sequential sweep takes and turns it: the results
//! are [`solve_sequential`](super::dp::solve_sequential)'s bits, whatever the thread count.
//!
//! A vertex's solved values live in one record of `6 + K` `f64`s, its [`StartStats`]
//! then its `p_end` row, so a move target costs two cache lines (72 bytes at K = 3)
//! instead of a 48-byte record and a 24-byte row in two arrays (≈ 2.75 lines). The
//! records are split into [`Starts`]' two arrays once at the end, in place for the
//! statistics ([`split`]).

use super::dp::{
    add_to, dividers, each_masked_neighbour, finish, settle, success_set, sweep_levels,
    SharedSlice, StartStats, Starts, Step, Target, LEVEL_CHUNK,
};
use super::Variant;
use crate::space::{ProductSpace, VertexId};
use crate::stats::lines;
use rayon::prelude::*;

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

/// [`solve_sequential`](super::dp::solve_sequential) for [`Variant::First`] on a product
/// space of degree at most 64, level by level from move masks; `None` above degree 64 (no
/// masks). `top` is capped at the number of local minima here (the masks count them), as
/// `dp::cap_top` would.
pub(super) fn solve(
    space: &ProductSpace,
    loss: &[f64],
    target: Target,
    top: usize,
) -> Option<Starts> {
    let variant = Variant::First;
    let n = loss.len();
    let masks = lines::move_masks(space, loss)?;
    let (success, found_defined) = success_set(loss, target);
    // What each vertex waits for: its strictly better neighbours.
    let pending: Vec<u8> = masks
        .par_iter()
        .with_min_len(LEVEL_CHUNK)
        .map(|m| m[0].count_ones() as u8)
        .collect();

    // The K best minima by (loss, id), as the sequential sweep meets them.
    let mut top_minima: Vec<VertexId> = (0..n as VertexId)
        .into_par_iter()
        .with_min_len(LEVEL_CHUNK)
        .filter(|&v| pending[v as usize] == 0)
        .collect();
    let top = top.min(top_minima.len());
    top_minima.par_sort_unstable_by(|&a, &b| {
        loss[a as usize]
            .total_cmp(&loss[b as usize])
            .then(a.cmp(&b))
    });
    top_minima.truncate(top);
    // Zeroed records are default statistics and empty rows: fresh zero pages, no fill.
    // The length is a multiple of FIELDS so that `split` can hand the allocation on as
    // `StartStats`.
    let stride = FIELDS + top;
    let mut records = vec![0.0f64; (n * stride).div_ceil(FIELDS) * FIELDS];
    // Each of the K best minima ends at itself.
    for (j, &m) in top_minima.iter().enumerate() {
        records[m as usize * stride + FIELDS + j] = 1.0;
    }
    let dividers = dividers(space.radices());
    let sweep = Sweep {
        space,
        dividers: &dividers,
        loss,
        masks: &masks,
        success: &success,
        degree: space.uniform_degree(),
        stride,
        records: SharedSlice::new(&mut records),
    };
    let minima = sweep_levels(
        pending,
        || Scratch::new(top),
        |g: &mut Scratch, chunk, release| sweep.chunk(g, chunk, release),
    );
    // Freed before the split allocates the `p_end` rows, so the peak is no higher.
    drop(masks);
    let (stats, p_end) = split(records, n, top);
    Some(finish(
        variant,
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

/// The records of `n` vertices (`FIELDS + top` `f64`s each; the length a multiple of
/// `FIELDS`) as [`Starts`]' statistics and `p_end` rows. The rows are copied out first;
/// then the statistics are moved down to their places in the same allocation, which
/// becomes the statistics vector: 47 MB of fresh pages at 5^9 instead of 141 MB.
fn split(mut records: Vec<f64>, n: usize, top: usize) -> (Vec<StartStats>, Vec<f64>) {
    let stride = FIELDS + top;
    assert!(records.len() >= n * stride && records.len().is_multiple_of(FIELDS));
    let mut p_end = vec![0.0f64; n * top];
    if top > 0 {
        p_end
            .par_chunks_mut(top * LEVEL_CHUNK)
            .zip(records.par_chunks(stride * LEVEL_CHUNK))
            .for_each(|(rows, recs)| {
                for (row, rec) in rows.chunks_exact_mut(top).zip(recs.chunks_exact(stride)) {
                    row.copy_from_slice(&rec[FIELDS..]);
                }
            });
        // In increasing order every record moves down (v·FIELDS ≤ v·stride) onto places
        // already read: a forward copy, sequential because a block's destination can
        // overlap an earlier block's source.
        for v in 1..n {
            records.copy_within(v * stride..v * stride + FIELDS, v * FIELDS);
        }
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
    masks: &'a [[u64; 2]],
    success: &'a [bool],
    degree: usize,
    /// `f64`s a record: `FIELDS + top`.
    stride: usize,
    /// One record per vertex: its statistics, then its `p_end` row.
    records: SharedSlice<f64>,
}

/// Per-task buffers, reused across chunks.
struct Scratch {
    masks: Vec<[u64; 2]>,
    own: Vec<f64>,
    /// The chunk's move targets, vertex after vertex, each vertex's in neighbour order.
    ids: Vec<VertexId>,
    /// Where each vertex's targets end in `ids`.
    ends: Vec<usize>,
    acc_end: Vec<f64>,
}

impl Scratch {
    fn new(top: usize) -> Scratch {
        Scratch {
            masks: Vec::new(),
            own: Vec::new(),
            ids: Vec::new(),
            ends: Vec::new(),
            acc_end: vec![0.0; top],
        }
    }
}

impl Sweep<'_> {
    /// Solves the vertices of `chunk` (one level's, increasing ids), releases their
    /// strictly worse neighbours and returns the chunk's (local minima, strict ones).
    fn chunk(
        &self,
        g: &mut Scratch,
        chunk: &[VertexId],
        release: &mut dyn FnMut(VertexId),
    ) -> (usize, usize) {
        g.masks.clear();
        g.masks
            .extend(chunk.iter().map(|&v| self.masks[v as usize]));
        g.own.clear();
        g.own.extend(chunk.iter().map(|&v| self.loss[v as usize]));
        g.ids.clear();
        g.ends.clear();
        for (&v, &m) in chunk.iter().zip(&g.masks) {
            // A vertex releases its strictly worse neighbours, which wait for every
            // strictly better one.
            each_masked_neighbour(
                self.space,
                self.dividers,
                v,
                m,
                |u| g.ids.push(u),
                &mut *release,
            );
            g.ends.push(g.ids.len());
        }

        let (mut minima, mut strict_minima) = (0, 0);
        let mut start = 0;
        for (i, &v) in chunk.iter().enumerate() {
            let (vi, own, stop) = (v as usize, g.own[i], g.ends[i]);
            let own_success = self.success[vi];
            let better = g.masks[i][0].count_ones() as usize;
            let step = if stop == start {
                // No strictly better neighbour. `settle` tells a local minimum by its
                // lowest neighbour loss: `own` when one neighbour ties, +∞ (as for no
                // neighbour) when every one is strictly worse.
                let strict = g.masks[i][1].count_ones() as usize == self.degree;
                let min_loss = if strict { f64::INFINITY } else { own };
                let none = (StartStats::default(), 0);
                settle(
                    Variant::First,
                    own,
                    own_success,
                    (self.degree, 0, 0),
                    min_loss,
                    none,
                    &mut g.acc_end,
                    || v,
                )
            } else {
                let mut sum = StartStats::default();
                g.acc_end.iter_mut().for_each(|x| *x = 0.0);
                for t in start..stop {
                    if let Some(&far) = g.ids.get(t + AHEAD) {
                        self.records
                            .prefetch(far as usize * self.stride, self.stride);
                    }
                    let u = g.ids[t] as usize;
                    // SAFETY: move targets are strictly better neighbours, solved in an
                    // earlier level and written by no thread during this one.
                    let rec = unsafe { self.records.range(u * self.stride, self.stride) };
                    let (st, row) = rec.split_at(FIELDS);
                    add_to(&mut sum, &mut g.acc_end, as_stats(st), row);
                }
                // `settle` compares the lowest neighbour loss with `own` only, to tell a
                // local minimum; any value below `own` says "moves".
                settle(
                    Variant::First,
                    own,
                    own_success,
                    (self.degree, better, 0),
                    f64::NEG_INFINITY,
                    (sum, stop - start),
                    &mut g.acc_end,
                    || 0,
                )
            };
            start = stop;
            // SAFETY: v is in exactly one level and one chunk of it, so nothing else
            // writes v's entries, and nothing reads them before the level is over (only
            // later levels depend on v).
            unsafe {
                let at = vi * self.stride;
                match step {
                    Step::Minimum { stats, strict } => {
                        minima += 1;
                        strict_minima += strict as usize;
                        put_stats(&self.records, at, &stats);
                    }
                    Step::Moves { stats, .. } => {
                        put_stats(&self.records, at, &stats);
                        for (j, &a) in g.acc_end.iter().enumerate() {
                            *self.records.slot(at + FIELDS + j) = a;
                        }
                    }
                }
            }
        }
        (minima, strict_minima)
    }
}

/// The head of a record as the [`StartStats`] it holds.
fn as_stats(fields: &[f64]) -> &StartStats {
    assert_eq!(fields.len(), FIELDS);
    // SAFETY: `StartStats` is `repr(C)`, six `f64`s (asserted above): six consecutive
    // initialised `f64`s are one, at its alignment.
    unsafe { &*(fields.as_ptr() as *const StartStats) }
}

/// Writes `stats` at the head of the record at `at`, field by field in `repr(C)` order.
///
/// # Safety
/// As [`SharedSlice::slot`] for the six indices.
unsafe fn put_stats(records: &SharedSlice<f64>, at: usize, stats: &StartStats) {
    let fields = [
        stats.p_success,
        stats.expected_moves,
        stats.expected_evaluations,
        stats.expected_end_loss,
        stats.success_evaluations,
        stats.found_evaluations,
    ];
    for (i, f) in fields.into_iter().enumerate() {
        *records.slot(at + i) = f;
    }
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
        solve(space, loss, target, top).unwrap()
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
            check("nb201", &loss, &[0, 3]).unwrap();
        }
    }

    #[test]
    fn no_masks_above_degree_64() {
        let space = ProductSpace::parse("33x34").unwrap();
        let loss = vec![0.0; space.len()];
        assert!(solve(&space, &loss, Target::Eps(0.0), 3).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Any shape up to degree 64 (a line of 65 values included), losses with ties and
        /// −0/+0.
        #[test]
        fn equals_the_sequential_sweep_on_products((spec, loss) in shapes()) {
            check(&spec, &loss, &[0, 3, 1000])?;
        }

        /// The keyed sort gives the (loss, id) order of `total_cmp` on ids.
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
            prop_assert_eq!(loss_order(&values), want);
        }
    }
}
