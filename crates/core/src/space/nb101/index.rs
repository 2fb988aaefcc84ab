//! Canonical form → vertex id, in one memory access.
//!
//! Building the neighbour lists looks up ~10 million canonical forms. A binary search over
//! 423,624 sorted keys costs ~19 dependent cache misses each; this open-addressing table
//! (load ≤ 1/2, multiplicative hashing, linear probing) usually costs one.

use super::canonical::CanonicalKey;
use super::VertexId;

const EMPTY: u64 = u64::MAX;

/// A read-only map from canonical form to vertex id.
#[derive(Clone, Debug)]
pub struct ClassIndex {
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
