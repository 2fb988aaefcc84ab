//! The landscape in the least memory: LS* written over LS, path lengths in one byte.
//!
//! [`super::Landscape`] keeps LS, LS* and u32 path lengths side by side, and its pointer
//! jumping holds a 64-bit (target, distance) pair per vertex: 24 bytes a vertex at the
//! peak. A billion-vertex space needs less, so this path keeps 5: LS* (u32), written over
//! LS, and the path length (u8).
//!
//! Path lengths come with LS*: a vertex is at level r when its LS step leads to a vertex
//! at level r − 1, minima being level 0. With the minima in a bitmap, levels 0 and 1 are
//! read off the bits in one sweep; each deeper vertex walks its LS path until the next
//! step is a minimum (by its bit) or it reaches a vertex that already holds its LS*
//! (marked in the id's top bit), several walks interleaved per thread so that their
//! random reads overlap, and then writes its level and its marked LS* over its LS. The
//! result is the one that LS defines, whatever the threads' order. Spaces of more than
//! 2^31 vertices, whose ids need the top bit, take the older level rounds instead: levels
//! 0 and 1 in one sweep, level 2 in another, then the few vertices still without a
//! level, round by round, each vertex copying its target's LS* when it takes a level. A
//! path longer than 254 steps does not fit the byte; the levels are then finished by the
//! pointer jumping of [`super::descent`] with u32 lengths, from where the walks or rounds
//! stopped.

use super::descent;
use super::loss::Loss;
use super::Step;
use crate::prefetch::prefetch;
use crate::progress::{Progress, Silent};
use crate::space::{Neighbourhood, ProductSpace, VertexId};
use rayon::prelude::*;
use std::sync::atomic::{
    AtomicU32, AtomicU64, AtomicU8,
    Ordering::{Acquire, Relaxed, Release},
};

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
    /// The minima as a bitmap ([`minima_bits`]), kept from the levels stage: the
    /// summary lists the minima from it, an eighth of a byte a vertex, instead of
    /// scanning the byte lengths (a pass that took 0.23 s at 5^11, rayon's filtered
    /// collect running at 0.2 GB/s).
    minima: Vec<u64>,
    /// `histogram[k]` = number of vertices with path length k, counted as the levels
    /// were found instead of in a pass over the lengths.
    histogram: Vec<u64>,
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
        let (step, minima) = super::product::step_with_minima(space, loss, progress);
        Self::descend(step, Some(minima), progress)
    }

    /// Any neighbourhood through the explicit kernel.
    pub fn of_graph<N: Neighbourhood, L: Loss>(space: &N, loss: &[L]) -> Self {
        Self::from_step(super::explicit::step(space, loss), &Silent)
    }

    /// Descends from one LS step, reusing its LS array for LS*.
    pub fn from_step(step: Step, progress: &dyn Progress) -> Self {
        Self::descend(step, None, progress)
    }

    /// [`Compact::from_step`], given the minima's bitmap ([`minima_bits`]) if the LS pass
    /// wrote it.
    fn descend(step: Step, minima: Option<Vec<u64>>, progress: &dyn Progress) -> Self {
        let Step {
            ls,
            local_minima,
            strict_local_minima,
        } = step;
        let Descended {
            ls_star,
            steps,
            minima,
            histogram,
        } = descend_by_levels(ls, minima, progress);
        Compact {
            minima,
            histogram,
            ls_star,
            steps,
            local_minima,
            strict_local_minima,
        }
    }

    /// The local minima (path length 0), ascending: the set bits of the minima bitmap.
    pub fn minima(&self) -> Vec<VertexId> {
        let words = CHUNK / 64;
        let parts: Vec<Vec<VertexId>> = self
            .minima
            .par_chunks(words)
            .enumerate()
            .map(|(c, ws)| {
                let mut out = Vec::new();
                for (i, &w) in ws.iter().enumerate() {
                    let base = ((c * words + i) * 64) as VertexId;
                    let mut w = w;
                    while w != 0 {
                        out.push(base + w.trailing_zeros());
                        w &= w - 1;
                    }
                }
                out
            })
            .collect();
        parts.concat()
    }

    /// `histogram[k]` = number of vertices with path length k (empty for no vertex).
    pub fn histogram(&self) -> &[u64] {
        &self.histogram
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

/// What [`descend_by_levels`] finds: [`Compact`] without the minima counts.
struct Descended {
    ls_star: Vec<VertexId>,
    steps: PathLengths,
    minima: Vec<u64>,
    histogram: Vec<u64>,
}

/// LS* written over LS and the path length of every vertex, level by level, given the
/// minima's bitmap or else finding it; pointer jumping from where the levels stopped when
/// a path does not fit a byte.
fn descend_by_levels(
    mut slot: Vec<VertexId>,
    minima: Option<Vec<u64>>,
    progress: &dyn Progress,
) -> Descended {
    progress.stage("path lengths", 0);
    let by_walks = slot.len() <= FINAL as usize;
    let minima = minima.unwrap_or_else(|| minima_bits(&slot));
    let (level, histogram) = levels(&mut slot, &minima, by_walks, progress);
    progress.finish();
    if let Some(histogram) = histogram {
        return Descended {
            ls_star: slot,
            steps: PathLengths::U8(level),
            minima,
            histogram,
        };
    }
    // A vertex with a level holds its LS* that many steps away; the others still hold
    // their LS, one step away.
    let descent::Descent { ls_star, steps } = descent::descend_from(&slot, |v, _| match level[v] {
        UNSET => 1,
        l => l as u32,
    });
    let steps = PathLengths::U32(steps);
    Descended {
        ls_star,
        histogram: steps.histogram(),
        steps,
        minima,
    }
}

/// Every vertex's level, with LS* written over LS for the vertices that have one, given
/// the minima ([`minima_bits`]): by interleaved walks when the ids leave bit 31 free for
/// [`FINAL`], else by rounds. Both give the same answer (the levels and LS* are functions
/// of LS alone); the walks move fewer bytes and count the levels' histogram as they go.
/// Returns the histogram of the levels, or None when a path is longer than 254 steps,
/// with the deeper vertices [`UNSET`] and holding their LS.
fn levels(
    slot: &mut [VertexId],
    minima: &[u64],
    by_walks: bool,
    progress: &dyn Progress,
) -> (Vec<u8>, Option<Vec<u64>>) {
    if by_walks {
        let mut level: Vec<u8> = crate::pages::zeroed(slot.len());
        let histogram = walk_levels(atomic_u32(slot), atomic_u8(&mut level), minima);
        slot.par_chunks_mut(CHUNK).for_each(|c| {
            for s in c {
                *s &= !FINAL;
            }
        });
        progress.advance(1);
        (level, histogram)
    } else {
        let mut level = first_levels(slot);
        progress.advance(1);
        let fits = deeper_levels(atomic_u32(slot), atomic_u8(&mut level), progress);
        let histogram = fits.then(|| crate::stats::summary::histogram(&level));
        (level, histogram)
    }
}

/// Vertices a path can have at each length: the byte's lengths 0..=254 and [`UNSET`].
type Counts = [u64; 256];

/// `counts` as a histogram: up to the longest length that occurs (empty for none).
fn trimmed(counts: &Counts) -> Vec<u64> {
    let len = counts.iter().rposition(|&c| c != 0).map_or(0, |k| k + 1);
    counts[..len].to_vec()
}

/// Marks a slot whose vertex has its level and holds its LS* (bit 31, never set in an id
/// when there are at most 2^31 vertices). A vertex of level 1 needs no mark: its LS is
/// its LS*, and a walk through it reaches the minimum one step later either way.
const FINAL: u32 = 1 << 31;

/// Walks one thread keeps in flight: each waits for a prefetched line while the others
/// step, so about this many misses overlap.
const WAYS: usize = 16;

/// Vertices per parallel work item of the walks; small in the tests, so that walks
/// cross from item to item and from thread to thread on small spaces.
#[cfg(not(test))]
const WALK_CHUNK: usize = CHUNK;
#[cfg(test)]
const WALK_CHUNK: usize = 64;

/// "Not yet at a marked vertex", for [`Walk::star`]: the slot of `at` is read next.
const WALKING: u32 = u32::MAX;

/// "Not yet at a marked vertex", for [`Walk::star`]: the minimum bit of `at` is looked
/// up next (it was prefetched at the step, so the walk waits for it no more than for a
/// slot; looked up at once, it was a stall of an L3 latency at every step).
const CHECKING: u32 = u32::MAX - 1;

/// One vertex's descent in progress.
#[derive(Clone, Copy)]
struct Walk {
    v: u32,
    /// The vertex the walk stands on, `hops` LS steps from `v`.
    at: u32,
    hops: u32,
    /// The LS* read at a marked `at`, whose level is being fetched; else [`WALKING`] or
    /// [`CHECKING`].
    star: u32,
}

/// The minima as a bitmap, bit v of word v / 64 set when LS(v) = v: an eighth of a
/// byte a vertex, 30 MB at 5^12, which mostly stays in the L3 cache, where LS is 1 GB
/// that does not. A walk looks up the bit of the vertex it is about to step to, and stops
/// there when it is a minimum instead of reading the minimum's LS from memory: this
/// saves the last random read of every walk (the only one of the half of the vertices
/// one step from their minimum).
pub(super) fn minima_bits(slot: &[VertexId]) -> Vec<u64> {
    let mut bits: Vec<u64> = crate::pages::zeroed(slot.len().div_ceil(64));
    bits.par_chunks_mut(CHUNK / 64)
        .zip(slot.par_chunks(CHUNK))
        .enumerate()
        .for_each(|(c, (words, slot))| {
            for (i, (word, ls)) in words.iter_mut().zip(slot.chunks(64)).enumerate() {
                let first = (c * CHUNK + i * 64) as VertexId;
                *word = ls.iter().enumerate().fold(0, |w, (j, &t)| {
                    w | ((t == first + j as VertexId) as u64) << j
                });
            }
        });
    bits
}

/// True when bit `v` of `bits` ([`minima_bits`]) is set.
#[inline(always)]
fn is_minimum(bits: &[u64], v: usize) -> bool {
    bits[v / 64] >> (v % 64) & 1 != 0
}

/// The levels by walking each vertex's LS path: to a minimum (level = the steps), or to
/// a vertex already marked [`FINAL`] (level = the steps + its level, LS* = its LS*).
/// Each vertex's walk writes its own level and then its marked LS*, with release
/// ordering, so a walk that reads a mark also reads that level; an unmarked slot still
/// holds its LS, so a walk through it goes on. Whatever the threads' order, every
/// vertex gets the one level and LS* that LS defines: the result does not depend on
/// scheduling. Only the vertices more than one step from their minimum walk (46 % at
/// iid losses); a walk stops at a minimum by its bit in `minima` ([`minima_bits`])
/// without reading it, so it reads one random line per step but the last, plus a level
/// where it meets a mark: 0.63 random lines a vertex at 5^11 (0.56 LS, 0.07 levels),
/// against about 1.6 when walks read the minima and about 2.3 for the rounds. Leaves the
/// marks on. Returns the histogram of the levels, counted per work item as they are
/// written (integer sums: the same for any thread count); None, with the vertices too
/// deep [`UNSET`] and unmarked, when a path is longer than 254 steps.
fn walk_levels(slot: &[AtomicU32], level: &[AtomicU8], minima: &[u64]) -> Option<Vec<u64>> {
    let n = slot.len();
    let counts = (0..n.div_ceil(WALK_CHUNK))
        .into_par_iter()
        .map_init(Vec::new, |todo, c| {
            let hi = ((c + 1) * WALK_CHUNK).min(n);
            let mut counts = [0; 256];
            walk_chunk(slot, level, minima, c * WALK_CHUNK, hi, todo, &mut counts);
            counts
        })
        .reduce(
            || [0; 256],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    (counts[UNSET as usize] == 0).then(|| trimmed(&counts))
}

/// Vertices ahead in the sweep of [`first_two_levels`] whose target's minimum bit is
/// prefetched.
const BITS_AHEAD: usize = 64;

/// Levels 0 and 1 of the vertices lo..hi in one branch-free sweep (a minimum's bit is
/// set; a vertex one step away has its LS's bit set, and its LS is its LS*), the others
/// set to [`UNSET`] and listed in `todo`, ascending. Half of the vertices are one step
/// from their minimum at iid losses and each test is a coin flip, so the branches of a
/// walk per vertex were mispredicted half of the time; here the bits are looked up
/// without a branch and many lookups overlap. Nobody reads these levels before the walks
/// are over: a walk reads the level only of a vertex marked [`FINAL`]. Adds the
/// vertices of levels 0 and 1 to `counts`.
fn first_two_levels(
    slot: &[AtomicU32],
    level: &[AtomicU8],
    minima: &[u64],
    lo: usize,
    hi: usize,
    todo: &mut Vec<u32>,
    counts: &mut Counts,
) {
    todo.clear();
    todo.resize(hi - lo, 0);
    let mut k = 0;
    let mut zeros = 0;
    for v in lo..hi {
        if let Some(ahead) = slot.get(v + BITS_AHEAD) {
            prefetch(minima, ahead.load(Relaxed) as usize / 64);
        }
        let t = slot[v].load(Relaxed) as usize;
        let (own, next) = (is_minimum(minima, v), is_minimum(minima, t));
        let deeper = !own & !next;
        let l = if deeper { UNSET } else { !own as u8 };
        level[v].store(l, Relaxed);
        todo[k] = v as u32;
        k += deeper as usize;
        zeros += own as u64;
    }
    todo.truncate(k);
    counts[0] += zeros;
    counts[1] += (hi - lo - k) as u64 - zeros;
}

/// [`walk_levels`] for the vertices lo..hi, [`WAYS`] walks interleaved, after
/// [`first_two_levels`]; `todo` is scratch. Adds every vertex's level to `counts`
/// ([`UNSET`] for a path too long).
fn walk_chunk(
    slot: &[AtomicU32],
    level: &[AtomicU8],
    minima: &[u64],
    lo: usize,
    hi: usize,
    todo: &mut Vec<u32>,
    counts: &mut Counts,
) {
    first_two_levels(slot, level, minima, lo, hi, todo, counts);
    let mut finish = |v: u32, len: u32, star: u32| {
        let l = len.min(UNSET as u32) as u8;
        counts[l as usize] += 1;
        level[v as usize].store(l, Relaxed);
        if l != UNSET {
            slot[v as usize].store(star | FINAL, Release);
        }
    };
    // The next vertex more than one step from its minimum, its first step's line
    // prefetched. Its own slot is unmarked: only its walk writes it.
    let mut todo = todo.iter();
    let mut start = || -> Option<Walk> {
        let &v = todo.next()?;
        let t = slot[v as usize].load(Relaxed);
        prefetch(slot, t as usize);
        Some(Walk {
            v,
            at: t,
            hops: 1,
            star: WALKING,
        })
    };
    let mut walks: [Option<Walk>; WAYS] = [None; WAYS];
    for w in walks.iter_mut() {
        *w = start();
    }
    loop {
        let mut live = false;
        for w in walks.iter_mut() {
            let Some(mut walk) = *w else { continue };
            live = true;
            let at = walk.at as usize;
            let done = match walk.star {
                // The bit of `at` was prefetched when the walk stepped to it.
                CHECKING => {
                    if is_minimum(minima, at) {
                        Some((walk.hops, walk.at))
                    } else {
                        prefetch(slot, at);
                        walk.star = WALKING;
                        None
                    }
                }
                // `at` is no minimum; its slot was prefetched.
                WALKING => {
                    let s = slot[at].load(Acquire);
                    if s & FINAL != 0 {
                        prefetch(level, at);
                        walk.star = s & !FINAL;
                        None
                    } else if walk.hops + 1 >= UNSET as u32 {
                        Some((UNSET as u32, 0))
                    } else {
                        prefetch(minima, s as usize / 64);
                        walk.at = s;
                        walk.hops += 1;
                        walk.star = CHECKING;
                        None
                    }
                }
                star => Some((walk.hops + level[at].load(Relaxed) as u32, star)),
            };
            *w = match done {
                Some((len, star)) => {
                    finish(walk.v, len, star);
                    start()
                }
                None => Some(walk),
            };
        }
        if !live {
            return;
        }
    }
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

/// [`atomic_u32`] for 64-bit words.
pub(super) fn atomic_u64(xs: &mut [u64]) -> &[AtomicU64] {
    const _: () = assert!(std::mem::align_of::<u64>() == std::mem::align_of::<AtomicU64>());
    // SAFETY: as for `atomic_u32`: same size and bit validity, and, as checked above,
    // alignment; the exclusive borrow keeps every other access out while the view lives.
    unsafe { &*(xs as *mut [u64] as *const [AtomicU64]) }
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
    use crate::stats::summary::histogram;

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
            assert_eq!(c.histogram(), histogram(&d.steps), "{len}");
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
            prop_assert_eq!(c.histogram(), histogram(&full.steps));
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
            prop_assert_eq!(c.histogram(), histogram(&d.steps));
            prop_assert_eq!(c.steps.to_u32(), d.steps);
            let minima: Vec<VertexId> =
                (0..ls.len() as VertexId).filter(|&v| ls[v as usize] == v).collect();
            prop_assert_eq!(c.minima(), minima);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// The interleaved walks against the rounds, slot for slot and level for level,
        /// on random forests with plateaus of minima, long chains (past a byte, so the
        /// overflow marks too) and many vertices stepping into one: on 1, 2 and 4 threads,
        /// in chunks small enough that walks cross from chunk to chunk.
        #[test]
        fn walks_equal_rounds_on_random_forests(
            steps in proptest::collection::vec((0u32..16, 0u32..40), 1..3000),
            threads in prop::sample::select(vec![1usize, 2, 4]),
        ) {
            let ls: Vec<VertexId> = steps
                .iter()
                .enumerate()
                .map(|(v, &(kind, back))| match kind {
                    0 => v as VertexId,
                    1..=9 => (v as VertexId).saturating_sub(1),
                    10..=12 => (v as VertexId).saturating_sub(1 + back),
                    // into any lower id: trees with many vertices stepping into one
                    _ => ((v as u64 * 2654435761) % (v as u64 + 1)) as VertexId,
                })
                .collect();
            let minima = minima_bits(&ls);
            let rounds = {
                let mut slot = ls.clone();
                let (level, histogram) = levels(&mut slot, &minima, false, &Silent);
                (slot, level, histogram)
            };
            let walks = crate::test_pool(threads).install(|| {
                let mut slot = ls.clone();
                let (level, histogram) = levels(&mut slot, &minima, true, &Silent);
                (slot, level, histogram)
            });
            // The rounds' histogram is a pass over their levels: the walks' counts
            // must equal it.
            prop_assert_eq!(walks, rounds);
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
                let c = crate::test_pool(threads)
                    .install(|| Compact::of_product(&space, &loss, &Silent));
                prop_assert_eq!(&c.ls_star, &full.ls_star, "{} threads", threads);
                prop_assert_eq!(c.steps.to_u32(), full.steps.clone());
                prop_assert_eq!(c.histogram(), histogram(&full.steps));
                prop_assert_eq!(c.local_minima, full.local_minima);
                let minima: Vec<VertexId> =
                    (0..space.len() as VertexId).filter(|&v| full.ls[v as usize] == v).collect();
                prop_assert_eq!(c.minima(), minima);
            }
        }
    }
}
