//! Canonical form → vertex id, in one memory access.
//!
//! Building the neighbour lists looks up ~10 million canonical forms. A binary search over
//! 423,624 sorted keys costs ~19 dependent cache misses each; this open-addressing table
//! (load ≤ 1/2, multiplicative hashing, linear probing) usually costs one.
//!
//! Why not `hashbrown::HashMap<u64, u32>` (the design card's hash map)? Measured on the
//! real keys and 2.19 M real move look-ups (the `timing` test below; 2-core VM under load
//! 13–15), the look-up here took 92–170 ns against hashbrown's 143–233 ns, in each of
//! three runs; building either table takes 65–90 ms. hashbrown keeps its control bytes
//! apart from the entries, so a miss costs two cache lines where linear probing on
//! (key, id) pairs costs one. Figures in BENCHMARKS.md ("NAS-Bench-101 class index").

use super::canonical::CanonicalKey;
use super::VertexId;

const EMPTY: u64 = u64::MAX;

/// A read-only map from canonical form to vertex id.
#[derive(Clone, Debug)]
pub(crate) struct ClassIndex {
    slots: Vec<(u64, VertexId)>,
    shift: u32,
}

impl ClassIndex {
    /// Indexes `keys[i] → ids[i]`; keys must be distinct.
    pub fn new(keys: &[CanonicalKey], ids: &[VertexId]) -> Self {
        assert_eq!(keys.len(), ids.len());
        let bits = (2 * keys.len().max(1))
            .next_power_of_two()
            .trailing_zeros()
            .max(1);
        let mut index = ClassIndex {
            slots: vec![(EMPTY, 0); 1 << bits],
            shift: 64 - bits,
        };
        for (&k, &id) in keys.iter().zip(ids) {
            let mut s = index.slot(k.0);
            while index.slots[s].0 != EMPTY {
                assert_ne!(index.slots[s].0, k.0, "duplicate canonical key");
                s = (s + 1) & (index.slots.len() - 1);
            }
            index.slots[s] = (k.0, id);
        }
        index
    }

    #[inline(always)]
    fn slot(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The id of `key`, if indexed.
    #[inline]
    pub fn get(&self, key: CanonicalKey) -> Option<VertexId> {
        let mut s = self.slot(key.0);
        loop {
            let (k, id) = self.slots[s];
            if k == key.0 {
                return Some(id);
            }
            if k == EMPTY {
                return None;
            }
            s = (s + 1) & (self.slots.len() - 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_key_and_nothing_else() {
        let keys: Vec<CanonicalKey> = (0..1000u64).map(|i| CanonicalKey(i * 7919)).collect();
        let ids: Vec<VertexId> = (0..1000).rev().collect();
        let index = ClassIndex::new(&keys, &ids);
        for (k, id) in keys.iter().zip(&ids) {
            assert_eq!(index.get(*k), Some(*id));
        }
        assert_eq!(index.get(CanonicalKey(1)), None);
    }
}

#[cfg(test)]
mod timing {
    use super::*;
    use crate::space::nb101::{canonical, enumerate, neighbours};
    use std::hint::black_box;
    use std::time::Instant;

    /// The alternative: hashbrown with its default hasher.
    struct HashIndex(hashbrown::HashMap<u64, VertexId>);
    impl HashIndex {
        fn new(keys: &[CanonicalKey], ids: &[VertexId]) -> Self {
            let mut m = hashbrown::HashMap::with_capacity(keys.len());
            for (&k, &id) in keys.iter().zip(ids) {
                assert!(m.insert(k.0, id).is_none());
            }
            HashIndex(m)
        }
        #[inline]
        fn get(&self, key: CanonicalKey) -> Option<VertexId> {
            self.0.get(&key.0).copied()
        }
    }

    fn min_time(reps: usize, mut f: impl FnMut()) -> f64 {
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// The measurement quoted in the module documentation:
    /// `cargo test --release -p nasland-core --lib time_hand_written -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn time_hand_written_vs_hashbrown() {
        let (keys, _) = enumerate::all_classes(|_| {});
        let ids: Vec<VertexId> = (0..keys.len() as VertexId).rev().collect();
        let mut queries = Vec::new();
        for k in keys.iter().step_by(4) {
            neighbours::for_each_move(&k.cell(), |c| queries.push(canonical(&c)));
        }
        let hand = ClassIndex::new(&keys, &ids);
        let hb = HashIndex::new(&keys, &ids);
        for &q in &queries {
            assert_eq!(hand.get(q), hb.get(q));
        }
        let b_hand = min_time(5, || {
            black_box(ClassIndex::new(black_box(&keys), &ids));
        });
        let b_hb = min_time(5, || {
            black_box(HashIndex::new(black_box(&keys), &ids));
        });
        let l_hand = min_time(7, || {
            let s: u64 = queries
                .iter()
                .map(|&q| hand.get(black_box(q)).unwrap_or(0) as u64)
                .sum();
            black_box(s);
        });
        let l_hb = min_time(7, || {
            let s: u64 = queries
                .iter()
                .map(|&q| hb.get(black_box(q)).unwrap_or(0) as u64)
                .sum();
            black_box(s);
        });
        let q = queries.len() as f64;
        println!(
            "{} keys, {} look-ups\nhand-written: build {:.1} ms, look-up {:.2} ns\nhashbrown:    build {:.1} ms, look-up {:.2} ns",
            keys.len(),
            queries.len(),
            b_hand * 1e3,
            l_hand / q * 1e9,
            b_hb * 1e3,
            l_hb / q * 1e9
        );
    }
}
