//! The landscape in the least memory: LS* written over LS, path lengths in one byte.
//!
//! [`super::Landscape`] keeps LS, LS* and u32 path lengths side by side, and its pointer
//! jumping holds a 64-bit (target, distance) pair per vertex: 24 bytes a vertex at the
//! peak. A billion-vertex space needs less, so this path keeps 5: LS* (u32), written over
//! LS, and the path length (u8).
//!
//! Path lengths come level by level: a vertex is at level r when its LS step leads to a
//! vertex at level r − 1, minima being level 0. Each round reads the levels set in earlier
//! rounds only, so the result does not depend on thread scheduling, and the rounds number
//! the longest path (single digits on random losses, at most the dimension count on
//! additive ones). Then LS* follows level by level too: a vertex at level r takes the LS*
//! of its LS, which is final since the round before. A path longer than 254 steps does
//! not fit the byte; the levels are then abandoned for the pointer jumping of
//! [`super::descent`] with u32 lengths, from the LS array that is still intact.

use super::descent;
use super::loss::Loss;
use super::Step;
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
        let (ls_star, steps) = match levels(&ls, progress) {
            Some(levels) => (
                star_by_levels(ls, &levels, progress),
                PathLengths::U8(levels),
            ),
            None => {
                let descent::Descent { ls_star, steps } = descent::descend(&ls);
                (ls_star, PathLengths::U32(steps))
            }
        };
        Compact {
            ls_star,
            steps,
            local_minima,
            strict_local_minima,
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

/// The level (path length) of every vertex, or `None` if one exceeds 254.
fn levels(ls: &[VertexId], progress: &dyn Progress) -> Option<Vec<u8>> {
    let level: Vec<AtomicU8> = ls
        .par_iter()
        .enumerate()
        .map(|(v, &t)| AtomicU8::new(if t as usize == v { 0 } else { UNSET }))
        .collect();
    progress.stage("path lengths", 0);
    let mut r: u8 = 1;
    loop {
        let set: usize = level
            .par_chunks(CHUNK)
            .zip(ls.par_chunks(CHUNK))
            .map(|(lv, ts)| {
                let mut set = 0;
                for (l, &t) in lv.iter().zip(ts) {
                    if l.load(Relaxed) == UNSET && level[t as usize].load(Relaxed) == r - 1 {
                        l.store(r, Relaxed);
                        set += 1;
                    }
                }
                set
            })
            .sum();
        progress.advance(1);
        if set == 0 {
            break;
        }
        if r == UNSET - 1 {
            // Level 254 was set; a vertex at level 255 or deeper would not fit.
            if level.par_iter().any(|l| l.load(Relaxed) == UNSET) {
                progress.finish();
                return None;
            }
            break;
        }
        r += 1;
    }
    progress.finish();
    // Same size and alignment: the collect reuses the allocation.
    Some(level.into_iter().map(AtomicU8::into_inner).collect())
}

/// LS* over LS, level by level from level 2 (minima and level 1 already hold it).
fn star_by_levels(ls: Vec<VertexId>, levels: &[u8], progress: &dyn Progress) -> Vec<VertexId> {
    let star: Vec<AtomicU32> = ls.into_iter().map(AtomicU32::new).collect();
    let deepest = levels.par_iter().copied().max().unwrap_or(0);
    progress.stage("LS*", 0);
    for r in 2..=deepest {
        star.par_chunks(CHUNK)
            .zip(levels.par_chunks(CHUNK))
            .for_each(|(st, lv)| {
                for (s, &l) in st.iter().zip(lv) {
                    if l == r {
                        let parent = s.load(Relaxed) as usize;
                        s.store(star[parent].load(Relaxed), Relaxed);
                    }
                }
            });
        progress.advance(1);
    }
    progress.finish();
    star.into_iter().map(AtomicU32::into_inner).collect()
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
}
