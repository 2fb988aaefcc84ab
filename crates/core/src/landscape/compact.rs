//! The landscape in the least memory: LS* written over LS, path lengths in one byte.
//!
//! [`super::Landscape`] keeps LS, LS* and u32 path lengths side by side, and its pointer
//! jumping holds a 64-bit (target, distance) pair per vertex: 24 bytes a vertex at the
//! peak. A billion-vertex space needs less, so this path keeps 5: LS* (u32), written over
//! LS, and the path length (u8).
//!
//! Path lengths come level by level: a vertex is at level r when its LS step leads to a
//! vertex at level r − 1, minima being level 0. LS* comes with them: when a vertex takes
//! level r, its target's LS* is final since the round before, and the vertex copies it
//! over its own LS. Each round reads what earlier rounds set only, so the result does not
//! depend on thread scheduling, and the rounds number the longest path (single digits on
//! random losses, at most the dimension count on additive ones). Levels 0 and 1 take one
//! sweep, level 2 another; later rounds visit only the few vertices still without a
//! level. The reads at each vertex's LS target are random; they are prefetched a few
//! dozen vertices ahead so that many are in flight at once. A path longer than 254 steps
//! does not fit the byte; the levels are then finished by the pointer jumping of
//! [`super::descent`] with u32 lengths, from where the rounds stopped.

use super::descent;
use super::loss::Loss;
use super::Step;
use crate::prefetch::prefetch;
use crate::progress::{Progress, Silent};
use crate::space::{Neighbourhood, ProductSpace, VertexId};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, AtomicU8, Ordering::Relaxed};

/// Marks a vertex whose level is not known yet; also the first length a byte cannot hold.
const UNSET: u8 = u8::MAX;

/// Vertices per parallel work item of the level rounds.
const CHUNK: usize = 1 << 16;

/// Path lengths in the narrowest type that holds them all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathLengths {
    /// Every path is at most 254 steps.
    U8(Vec<u8>),
    /// Some path is longer.
    U32(Vec<u32>),
}

impl PathLengths {
    /// The path length of vertex `v`.
    pub fn get(&self, v: usize) -> u32 {
        match self {
            PathLengths::U8(s) => s[v] as u32,
            PathLengths::U32(s) => s[v],
        }
    }

    /// Number of vertices.
    pub fn len(&self) -> usize {
        match self {
            PathLengths::U8(s) => s.len(),
            PathLengths::U32(s) => s.len(),
        }
    }

    /// True when there are no vertices.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `histogram[k]` = number of vertices with path length k.
    pub fn histogram(&self) -> Vec<u64> {
        match self {
            PathLengths::U8(s) => crate::stats::summary::histogram(s),
            PathLengths::U32(s) => crate::stats::summary::histogram(s),
        }
    }

    /// The lengths widened to u32.
    pub fn to_u32(&self) -> Vec<u32> {
        match self {
            PathLengths::U8(s) => s.par_iter().map(|&x| x as u32).collect(),
            PathLengths::U32(s) => s.clone(),
        }
    }
}

/// LS*, path lengths and minima counts, without LS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compact {
    /// LS*(v), the local minimum that v descends to; LS*(v) = v exactly at the minima.
    pub ls_star: Vec<VertexId>,
    /// Number of LS steps from v to LS*(v).
    pub steps: PathLengths,
    /// Number of local minima (plateau minima included).
    pub local_minima: usize,
    /// Number of strict local minima.
    pub strict_local_minima: usize,
}

impl Compact {
    /// A product space through the streaming kernel, reporting progress per block.
    pub fn of_product<L: Loss>(space: &ProductSpace, loss: &[L], progress: &dyn Progress) -> Self {
        Self::from_step(super::product::step_with(space, loss, progress), progress)
    }

    /// Any neighbourhood through the explicit kernel.
    pub fn of_graph<N: Neighbourhood, L: Loss>(space: &N, loss: &[L]) -> Self {
        Self::from_step(super::explicit::step(space, loss), &Silent)
    }

    /// Descends from one LS step, reusing its LS array for LS*.
    pub fn from_step(step: Step, progress: &dyn Progress) -> Self {
        let Step {
            ls,
            local_minima,
            strict_local_minima,
        } = step;
        let (ls_star, steps) = descend_by_levels(ls, progress);
        Compact {
            ls_star,
            steps,
            local_minima,
            strict_local_minima,
        }
    }

    /// The local minima (path length 0), ascending: found in the byte lengths, a
    /// quarter of the bytes of LS*.
    pub fn minima(&self) -> Vec<VertexId> {
        fn zeros<T: Copy + Default + PartialEq + Sync>(xs: &[T]) -> Vec<VertexId> {
            xs.par_iter()
                .with_min_len(CHUNK)
                .enumerate()
                .filter(|&(_, &x)| x == T::default())
                .map(|(v, _)| v as VertexId)
                .collect()
        }
        match &self.steps {
            PathLengths::U8(s) => zeros(s),
            PathLengths::U32(s) => zeros(s),
        }
    }

    /// Number of vertices.
    pub fn len(&self) -> usize {
        self.ls_star.len()
    }

    /// True for an empty landscape.
    pub fn is_empty(&self) -> bool {
        self.ls_star.is_empty()
    }
}

/// LS* written over LS and the path length of every vertex, level by level; pointer
/// jumping from where the levels stopped when a path does not fit a byte.
fn descend_by_levels(
    mut slot: Vec<VertexId>,
    progress: &dyn Progress,
) -> (Vec<VertexId>, PathLengths) {
    progress.stage("path lengths", 0);
    let mut level = first_levels(&slot);
    progress.advance(1);
    let fits = deeper_levels(atomic_u32(&mut slot), atomic_u8(&mut level), progress);
    progress.finish();
    if fits {
        return (slot, PathLengths::U8(level));
    }
    // A vertex with a level holds its LS* that many steps away; the others still hold
    // their LS, one step away.
    let descent::Descent { ls_star, steps } = descent::descend_from(&slot, |v, _| match level[v] {
        UNSET => 1,
        l => l as u32,
    });
    (ls_star, PathLengths::U32(steps))
}

/// Levels 0 and 1 in one pass: minima are their own LS, and a vertex whose LS is a
/// minimum is one step from it (its LS already is its LS*); the rest [`UNSET`].
fn first_levels(ls: &[VertexId]) -> Vec<u8> {
    (0..ls.len())
        .into_par_iter()
        .with_min_len(CHUNK)
        .map(|v| {
            if let Some(&ahead) = ls.get(v + AHEAD) {
                prefetch(ls, ahead as usize);
            }
            let t = ls[v];
            if t as usize == v {
                0
            } else if ls[t as usize] == t {
                1
            } else {
                UNSET
            }
        })
        .collect()
}

/// Levels 2, 3, … and LS* with them: in round r a vertex whose LS target has level r − 1
/// gets level r and takes the target's LS*, final since the round before. A round reads
/// only levels and LS* set in earlier rounds (rayon's join orders the rounds), and each
/// vertex's slot is written by the one thread that handles the vertex, so the result does
/// not depend on scheduling. Round 2 sweeps every vertex; later rounds only the few
/// still without a level. Returns false, with the deeper vertices still [`UNSET`] and
/// holding their LS, when a path is longer than 254 steps.
fn deeper_levels(slot: &[AtomicU32], level: &[AtomicU8], progress: &dyn Progress) -> bool {
    let take = |v: usize, r: u8| {
        let t = slot[v].load(Relaxed) as usize;
        let up = level[t].load(Relaxed) == r - 1;
        if up {
            slot[v].store(slot[t].load(Relaxed), Relaxed);
            level[v].store(r, Relaxed);
        }
        up
    };
    let ahead = |v: usize| {
        let t = slot[v].load(Relaxed) as usize;
        prefetch(level, t);
        prefetch(slot, t);
    };
    let mut todo: Vec<VertexId> = (0..slot.len())
        .into_par_iter()
        .with_min_len(CHUNK)
        .filter_map(|v| {
            if level
                .get(v + AHEAD)
                .is_some_and(|l| l.load(Relaxed) == UNSET)
            {
                ahead(v + AHEAD);
            }
            (level[v].load(Relaxed) == UNSET && !take(v, 2)).then_some(v as VertexId)
        })
        .collect();
    progress.advance(1);
    let mut r: u8 = 3;
    while !todo.is_empty() {
        if r == UNSET {
            return false;
        }
        todo = todo
            .par_chunks(CHUNK)
            .flat_map_iter(|vs| {
                let mut left = Vec::new();
                for (i, &v) in vs.iter().enumerate() {
                    if let Some(&w) = vs.get(i + AHEAD) {
                        ahead(w as usize);
                    }
                    if !take(v as usize, r) {
                        left.push(v);
                    }
                }
                left
            })
            .collect();
        progress.advance(1);
        r += 1;
    }
    true
}

/// Lookahead of the prefetches in the level rounds, in vertices.
const AHEAD: usize = 32;

/// The slice seen as atomics, so that parallel rounds may write it.
fn atomic_u32(xs: &mut [u32]) -> &[AtomicU32] {
    const _: () = assert!(std::mem::align_of::<u32>() == std::mem::align_of::<AtomicU32>());
    // SAFETY: AtomicU32 has the size and bit validity of u32 and, as checked above, its
    // alignment; the exclusive borrow keeps every other access out while the view lives.
    unsafe { &*(xs as *mut [u32] as *const [AtomicU32]) }
}

/// [`atomic_u32`] for bytes.
fn atomic_u8(xs: &mut [u8]) -> &[AtomicU8] {
    // SAFETY: AtomicU8 has the size, alignment and bit validity of u8; the exclusive
    // borrow keeps every other access out while the view lives.
    unsafe { &*(xs as *mut [u8] as *const [AtomicU8]) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::Landscape;

    fn compact_of(ls: &[VertexId]) -> Compact {
        Compact::from_step(
            Step {
                ls: ls.to_vec(),
                local_minima: 0,
                strict_local_minima: 0,
            },
            &Silent,
        )
    }

    #[test]
    fn levels_equal_pointer_jumping_on_chains_and_trees() {
        let ls = [0, 0, 1, 2, 3, 2, 6];
        let c = compact_of(&ls);
        let d = descent::descend(&ls);
        assert_eq!(c.ls_star, d.ls_star);
        assert_eq!(c.steps, PathLengths::U8(vec![0, 1, 2, 3, 4, 3, 0]));
        assert_eq!(c.steps.to_u32(), d.steps);
    }

    #[test]
    fn a_path_longer_than_a_byte_falls_back_to_u32() {
        for len in [254usize, 255, 256, 300, 1000] {
            // v → v − 1: vertex v is v steps from 0; a side branch of length 3 at the end.
            let mut ls: Vec<VertexId> = (0..len as VertexId).map(|v| v.saturating_sub(1)).collect();
            ls.extend([len as VertexId - 1, len as VertexId, len as VertexId + 1]);
            let c = compact_of(&ls);
            let d = descent::descend(&ls);
            assert_eq!(c.ls_star, d.ls_star, "{len}");
            assert_eq!(c.steps.to_u32(), d.steps, "{len}");
            let deepest = len + 2;
            match &c.steps {
                PathLengths::U8(_) => assert!(deepest <= 254, "{len}"),
                PathLengths::U32(_) => assert!(deepest > 254, "{len}"),
            }
        }
    }

    #[test]
    fn compact_equals_full_on_product_spaces() {
        for (spec, levels) in [
            ("5^6", 1000u64),
            ("3^9", 7),
            ("2^15", 50),
            ("4x9x600", 1 << 30),
        ] {
            let space = ProductSpace::parse(spec).unwrap();
            let loss: Vec<f64> = (0..space.len())
                .map(|v| ((v as u64 * 2654435761) % levels) as f64)
                .collect();
            let full = Landscape::of_product(&space, &loss);
            let c = Compact::of_product(&space, &loss, &Silent);
            assert_eq!(c.ls_star, full.ls_star, "{spec}");
            assert_eq!(c.steps.to_u32(), full.steps, "{spec}");
            assert_eq!(c.local_minima, full.local_minima, "{spec}");
            assert_eq!(c.strict_local_minima, full.strict_local_minima, "{spec}");
        }
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The fused level rounds against the full path (pointer jumping, u32 lengths)
        /// on random k^d spaces whose few loss levels make ties and plateaus.
        #[test]
        fn compact_equals_full_on_random_spaces(
            k in 2usize..6,
            d in 1usize..6,
            levels in 1u32..8,
            seed in any::<u64>(),
        ) {
            let space = ProductSpace::parse(&format!("{k}^{d}")).unwrap();
            let loss = crate::test_losses::draw_f32(seed, space.len(), levels);
            let full = Landscape::of_product(&space, &loss);
            let c = Compact::of_product(&space, &loss, &Silent);
            prop_assert_eq!(&c.ls_star, &full.ls_star);
            prop_assert_eq!(c.steps.to_u32(), full.steps);
            prop_assert_eq!(c.local_minima, full.local_minima);
        }

        /// Random forests, deep ones included: each vertex steps to a lower id or stays.
        #[test]
        fn levels_equal_pointer_jumping_on_random_forests(
            steps in proptest::collection::vec((0u32..16, 0u32..3), 1..600),
        ) {
            let ls: Vec<VertexId> = steps
                .iter()
                .enumerate()
                .map(|(v, &(kind, back))| match kind {
                    0 => v as VertexId,
                    // mostly one step back: long chains, some past a byte
                    1..=11 => (v as VertexId).saturating_sub(1),
                    _ => (v as VertexId).saturating_sub(1 + back * 7),
                })
                .collect();
            let c = compact_of(&ls);
            let d = descent::descend(&ls);
            prop_assert_eq!(&c.ls_star, &d.ls_star);
            prop_assert_eq!(c.steps.to_u32(), d.steps);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        /// The same on spaces large enough for the LS pass to tile runs of outer
        /// dimensions, on 1, 2 and 4 threads; and the minima read off the byte lengths.
        #[test]
        fn compact_equals_full_on_tiled_spaces(
            shape in prop::sample::select(vec![
                "4^8", "2^18", "3^11", "5^7", "7x2x3x9x2x5x40", "2x2x900x2x2x3x2", "300x2x300",
            ]),
            levels in prop::sample::select(vec![0u32, 1, 2, 5, 40]),
            seed in any::<u64>(),
        ) {
            let space = ProductSpace::parse(shape).unwrap();
            let loss = crate::test_losses::draw_f32(seed, space.len(), levels);
            let full = Landscape::of_product(&space, &loss);
            for threads in [1, 2, 4] {
                let c = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| Compact::of_product(&space, &loss, &Silent));
                prop_assert_eq!(&c.ls_star, &full.ls_star, "{} threads", threads);
                prop_assert_eq!(c.steps.to_u32(), full.steps.clone());
                prop_assert_eq!(c.local_minima, full.local_minima);
                let minima: Vec<VertexId> =
                    (0..space.len() as VertexId).filter(|&v| full.ls[v as usize] == v).collect();
                prop_assert_eq!(c.minima(), minima);
            }
        }
    }
}
