//! First-improvement success on a product space by one sequential sweep in loss order.
//!
//! The level sweep of [`dp`](super::dp) runs the move DAG on every core, but per level it
//! pays pending counters, a release per worse neighbour, a barrier and a sort: about four
//! times its reads of solved values. Visited in (loss, id) order, every better neighbour
//! of a vertex is solved before it, so none of that is needed: one core reads each
//! vertex's better-move mask (gathered into loss order beforehand, so read as a stream)
//! and its live better neighbours' values, asked for a few vertices ahead
//! ([`crate::prefetch`]) so that many misses are in flight at once. It runs beside the
//! caller's `beside` (the other hardness figures), which keeps the other core busy.
//!
//! Not split over threads: a sweep in parts (each part the vertices of one range of ids,
//! in loss order, a neighbour of another part read once its value is published) gave
//! the same bits but took 1.3–2.3× the CPU of this one at load average 5 (hard8's
//! section of BENCHMARKS.md), and 1.2–1.3× on the idle machine with no wall time gained
//! beyond the spread: the core it takes is the one the other figures use (hard9's).
//!
//! The values are those of the level sweep, bit for bit: each is the sum of its better
//! neighbours' values in neighbour order from +0.0, divided by their number, and values
//! that are exactly zero are skipped as there (adding +0.0 to a non-negative sum that
//! starts at +0.0 changes no bit).

use super::dp;
use crate::prefetch::prefetch_ptr;
use crate::space::{ProductSpace, VertexId};
use crate::stats::lines;
use rayon::prelude::*;

/// Per vertex, its first-improvement success probability (end at a global optimum);
/// `best` is the lowest loss. `beside` runs on another thread next to the sweep, once the
/// masks' pass, the sort and the gather (which use every thread) are done: it then takes
/// the core the sweep leaves idle. `beside` comes back unrun when the degree exceeds 64
/// (the masks do not fit a word), for the caller's other path.
pub(super) fn success<R: Send, F: FnOnce() -> R + Send>(
    space: &ProductSpace,
    loss: &[f64],
    best: f64,
    beside: F,
) -> Result<(Vec<f64>, R), F> {
    if crate::space::Neighbourhood::len(space) == 0 || space.uniform_degree() > 64 {
        return Err(beside);
    }
    // Both stream the losses; the sort is one thread's work, the masks' pass takes
    // whatever core is free.
    let (masks, order) = rayon::join(|| lines::better_masks(space, loss), || by_loss(loss));
    let Some(masks) = masks else {
        return Err(beside);
    };
    // The masks in the order the sweep reads them: one parallel pass of random reads
    // that are independent of each other, instead of one in the sweep's own stream of
    // misses (which holds the one core's line-fill buffers: at 5^10, where the masks
    // leave the L3, the sweep took 1.5–2× as long reading them by id).
    let mut sorted: Vec<u64> = crate::pages::zeroed(masks.len());
    sorted
        .par_iter_mut()
        .zip(&order.keys)
        .with_min_len(1 << 14)
        .for_each(|(m, &x)| *m = masks[(x & order.ids) as usize]);
    drop(masks);
    Ok(rayon::join(
        || sweep(space, loss, best, &order, &sorted),
        beside,
    ))
}

/// How far ahead (in vertices of the order) the sweep asks for the values it will read:
/// enough to keep the line-fill buffers busy (≈ 6 value reads a vertex); measured at 5^9,
/// 8 to 32 differ by less than the noise.
const AHEAD: usize = 16;

/// The sweep itself; `masks[i]` is the better mask of the vertex at position i of `order`.
// One index runs two stages `AHEAD` positions apart, past the end of the slices.
#[allow(clippy::needless_range_loop)]
fn sweep(space: &ProductSpace, loss: &[f64], best: f64, order: &Order, masks: &[u64]) -> Vec<f64> {
    let n = loss.len();
    let ahead = AHEAD;
    let dividers = dp::dividers(space.radices());
    // Huge pages: read and written at random.
    let mut p: Vec<f64> = crate::pages::zeroed(n);
    // Bit v: v's value is not zero (and v is solved).
    let mut live = vec![0u64; n.div_ceil(64)];
    // The better neighbours of the last `ahead` vertices listed, in neighbour order.
    let mut lists = vec![[0 as VertexId; 64]; ahead];
    let mut lens = vec![0usize; ahead];
    let mut kept = [0 as VertexId; 64];
    let is_live = |live: &[u64], u: VertexId| live[u as usize / 64] >> (u % 64) & 1;
    for i in 0..n + ahead {
        if i >= ahead {
            // Solve the vertex listed `ahead` steps ago: its better neighbours are all
            // solved now, its live ones' values asked for since.
            let at = i - ahead;
            let slot = at & (ahead - 1);
            let v = order.id(at);
            let list = &lists[slot][..lens[slot]];
            // Compact the live ones without a branch per neighbour (it would mispredict
            // about every other time).
            let mut k = 0;
            for &u in list {
                kept[k & 63] = u;
                k += is_live(&live, u) as usize;
            }
            let sum = kept[..k].iter().fold(0.0, |s, &u| s + p[u as usize]);
            let value = if list.is_empty() {
                crate::range::is_within(loss[v as usize], best, 0.0) as u8 as f64
            } else {
                sum * (1.0 / list.len() as f64)
            };
            if value != 0.0 {
                p[v as usize] = value;
                live[v as usize / 64] |= 1 << (v % 64);
            }
        }
        if i < n {
            let slot = i & (ahead - 1);
            let v = order.id(i);
            let m = masks[i];
            let list = &mut lists[slot];
            let mut len = 0;
            dp::each_masked_neighbour(space, &dividers, v, m, |u| {
                list[len & 63] = u;
                len += 1;
            });
            lens[slot] = len;
            let base = p.as_ptr();
            for &u in &list[..len] {
                // Live now: its value will be read. One not yet solved is read later
                // without the hint (rare: it lies within `ahead` places of v).
                let target = if is_live(&live, u) == 1 { u } else { v };
                prefetch_ptr(base.wrapping_add(target as usize));
            }
        }
    }
    p
}

/// Vertex ids in increasing (loss, id) order, each packed below its key's varying bits.
pub(super) struct Order {
    /// Sorted; the low bits are the id.
    keys: Vec<u64>,
    /// The mask of the id bits.
    ids: u64,
}

impl Order {
    pub(super) fn id(&self, i: usize) -> VertexId {
        (self.keys[i] & self.ids) as VertexId
    }
}

/// The (loss, id) order by a least-significant-digit radix sort over the bits in which
/// the keys differ, ids packed below them in one u64: f32-drawn losses differ in at most
/// 35 bits of the f64 (sign, exponent, 23 fraction bits), which fit beside 24 id bits
/// (5^10), and digits of at most 11 bits then sort them in at most four passes.
/// Hand-written: a stable radix sort of packed keys is a few lines and reads each key a
/// few times, where a comparison sort ([`dp::sort_by_key`]) moves 16-byte pairs through
/// log n levels. Falls back to that sort when the bits do not fit one u64.
pub(super) fn by_loss(loss: &[f64]) -> Order {
    let n = loss.len();
    let id_bits = (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1);
    let ids = u64::MAX >> (64 - id_bits);
    let first = dp::order_key(loss[0]);
    let diff = loss
        .par_iter()
        .with_min_len(1 << 14)
        .map(|&l| dp::order_key(l) ^ first)
        .reduce(|| 0, |a, b| a | b);
    let low = diff.trailing_zeros().min(63);
    let width = if diff == 0 {
        0
    } else {
        64 - diff.leading_zeros() - diff.trailing_zeros()
    };
    if width + id_bits > 64 {
        let keys = dp::sort_by_key(loss).into_iter().map(u64::from).collect();
        return Order {
            keys,
            ids: u32::MAX as u64,
        };
    }
    let field = if width == 0 {
        0
    } else {
        u64::MAX >> (64 - width)
    };
    // Huge pages: each pass scatters into up to 2048 places at once.
    let mut a: Vec<u64> = crate::pages::zeroed(n);
    a.par_iter_mut()
        .zip(loss)
        .enumerate()
        .with_min_len(1 << 14)
        .for_each(|(v, (a, &l))| *a = ((dp::order_key(l) >> low) & field) << id_bits | v as u64);
    // Digits of at most 11 bits (2048 places written at once, within the L2's lines and
    // the huge pages' TLB entries), as few passes as that allows, equal widths.
    let passes = width.div_ceil(11) as usize;
    if passes == 0 {
        return Order { keys: a, ids };
    }
    let bits = (width as usize).div_ceil(passes);
    let digit =
        |x: u64, pass: usize| (x >> (id_bits as usize + bits * pass)) as usize & ((1 << bits) - 1);
    // Every pass's histogram in one read.
    let counts = a
        .par_chunks(1 << 16)
        .map(|c| {
            let mut h = vec![[0usize; 2048]; passes];
            for &x in c {
                for (pass, h) in h.iter_mut().enumerate() {
                    h[digit(x, pass)] += 1;
                }
            }
            h
        })
        .reduce(
            || vec![[0usize; 2048]; passes],
            |mut a, b| {
                for (a, b) in a.iter_mut().zip(&b) {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x += y;
                    }
                }
                a
            },
        );
    let mut b: Vec<u64> = crate::pages::zeroed(n);
    for (pass, count) in counts.iter().enumerate() {
        if count.contains(&n) {
            continue; // one digit everywhere: the pass would not move anything
        }
        let mut at = [0usize; 2048];
        let mut sum = 0;
        for (at, &c) in at.iter_mut().zip(count) {
            *at = sum;
            sum += c;
        }
        for &x in &a {
            let d = digit(x, pass);
            b[at[d]] = x;
            at[d] += 1;
        }
        std::mem::swap(&mut a, &mut b);
    }
    Order { keys: a, ids }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::dp::{solve_sequential, sort_by_key, Target};
    use crate::search::Variant;
    use crate::space::Neighbourhood;
    use crate::test_pool as pool;
    use proptest::prelude::*;

    /// Losses from a palette of `ties` values, both zeros among them; with `wide`, values
    /// so far apart that their keys differ in more bits than fit beside the ids (the
    /// comparison sort's fallback).
    fn draw(n: usize, seed: u64, ties: u32, wide: bool) -> Vec<f64> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let palette: Vec<f64> = (0..ties)
            .map(|j| match j {
                0 => 0.0,
                1 => -0.0,
                2 if wide => -1e300,
                3 if wide => 1e-300,
                _ => (j as f64 / ties as f64 - 0.5) * 3.0,
            })
            .collect();
        (0..n)
            .map(|_| palette[rng.gen_range(0..ties as usize)])
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Every vertex's value is the sequential sweep's `p_success`, bit for bit, with
        /// ties, ±0, negative losses, degrees up to 64 and the sort's fallback, on 1, 2 and
        /// 4 threads; the order is [`sort_by_key`]'s.
        #[test]
        fn sweep_in_loss_order_equals_the_sequential_sweep(
            pick in 0usize..9,
            seed in any::<u64>(),
            ties in 2u32..12,
            wide in any::<bool>(),
        ) {
            // Degrees 1 to 64: the masks' limit is reached exactly by 65^1 and 33x33.
            let spec = ["2^1", "5^3", "3x4x5", "2^9", "65^1", "33x33", "2x63", "3x32x2", "9x8x7"][pick];
            let space = ProductSpace::parse(spec).unwrap();
            let loss = draw(space.len(), seed, ties, wide);
            // The comparison sort: `loss_order` is this radix sort where it fits.
            let order = sort_by_key(&loss);
            let want = solve_sequential(&space, &loss, &order, Variant::First, Target::Eps(0.0), 0);
            let best = crate::range::min_max(loss.iter().copied()).0;
            for threads in [1, 2, 4] {
                let sorted = pool(threads).install(|| by_loss(&loss));
                let ids: Vec<VertexId> = (0..space.len()).map(|i| sorted.id(i)).collect();
                prop_assert_eq!(&ids, &order, "{} order on {} threads", spec, threads);
                let (got, ()) = pool(threads).install(|| success(&space, &loss, best, || ())).ok().unwrap();
                for (v, (g, w)) in got.iter().zip(&want.stats).enumerate() {
                    prop_assert_eq!(g.to_bits(), w.p_success.to_bits(), "{} vertex {} on {} threads", spec, v, threads);
                }
            }
        }
    }

    /// Above degree 64 the masks do not fit, and the caller keeps the level sweep.
    #[test]
    fn no_sweep_above_degree_64() {
        let space = ProductSpace::parse("66^1").unwrap();
        let beside = || 7;
        let back = success(&space, &vec![0.5; space.len()], 0.5, beside);
        assert_eq!(back.err().map(|beside| beside()), Some(7));
    }
}
