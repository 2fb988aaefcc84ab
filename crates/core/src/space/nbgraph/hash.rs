//! The benchmark's integer key of a canonical form, and back.
//!
//! `hash = shape · 10⁴ + op₀ · 10³ + op₁ · 10² + op₂ · 10 + op₃`, with `shape` the index of
//! the link vector in [`PATTERNS`] and ops as codes of the 9-op list, also for proteins
//! (the benchmark hashes both lists this way). The integers are therefore sparse in
//! 0..90,000: vertex ids are their ranks, not the integers themselves.

use super::canonical::{pattern_index, PATTERNS};
use super::labelled::{Labelled, LAYERS, OPS};

/// Every hash is below this bound.
pub const HASH_BOUND: u32 = 90_000;

/// The key of a canonical form; `None` when its link vector is not one of [`PATTERNS`]
/// (the form is not canonical).
pub fn hash(c: &Labelled) -> Option<u32> {
    let shape = pattern_index(&c.link)? as u32;
    Some(c.ops.iter().fold(shape, |h, &op| h * 10 + op as u32))
}

/// The canonical form a hash stands for; `None` when `h` is no hash of any form (a digit
/// above 8, a shape above 8, or all skips). Whether the form is canonical is the
/// caller's check.
pub fn unhash(h: u32) -> Option<Labelled> {
    if h >= HASH_BOUND {
        return None;
    }
    let mut ops = [0u8; LAYERS];
    let mut rest = h;
    for slot in ops.iter_mut().rev() {
        let d = (rest % 10) as usize;
        if d >= OPS.len() {
            return None;
        }
        *slot = d as u8;
        rest /= 10;
    }
    Labelled::new(PATTERNS[rest as usize], ops).ok()
}
