//! Bit-packed arrays: `count` unsigned values of `w` bits each, value i occupying bits
//! `i·w .. (i+1)·w` of the byte string, least significant bit first (bit j of the string
//! is bit `j % 8` of byte `j / 8`), followed by [`SLACK`](super::format::SLACK) zero bytes.
//!
//! Packing goes through `bitvec` (`BitSlice<u8, Lsb0>::store_le`), whose layout is exactly
//! this one. Decoding in the hot loop does not: a value of at most 32 bits starting at bit
//! b lies inside the 8 bytes from byte b/8 (b % 8 + 32 ≤ 39 < 64), so one unaligned
//! little-endian load, a shift and a mask read it — no branch, no per-bit work. The slack
//! bytes make that load legal for the last value. The tests check the two agree.

use bitvec::prelude::*;
use std::io::{self, Write};

/// The `N` bytes of `data` from byte `at`, as an array: how every fixed-width field and
/// unaligned load is read. Copying avoids the `try_into().unwrap()` of a slice of known
/// length (no unwrap on a reader path); the optimiser makes it one load. Panics only if
/// `data` is shorter than `at + N`, which the callers' verified bounds rule out.
#[inline(always)]
pub(crate) fn array<const N: usize>(data: &[u8], at: usize) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&data[at..at + N]);
    a
}

/// Value `i` of a packed array of `w`-bit values (w ≤ 32). `data` must extend at least 8
/// bytes past the byte holding bit `i·w` (the slack guarantees it for valid sections).
///
/// Public so that tools and tests can read (and deliberately damage) a section's values
/// the way the reader decodes them; panics if `data` is too short.
#[inline(always)]
pub fn get(data: &[u8], i: u64, w: u32) -> u64 {
    let bit = i * w as u64;
    let byte = (bit >> 3) as usize;
    let word = u64::from_le_bytes(array(data, byte));
    (word >> (bit & 7)) & mask(w)
}

/// Calls `f` with values `a..b` of a packed array of `w`-bit values (w ≤ 32), in order.
///
/// One unaligned 64-bit load yields ⌊57/w⌋ whole values (the first starts at most 7 bits
/// in), so for w = 24 every load gives two values and for w ≤ 14 four; a short tail is
/// read one value per load. `data` must hold the array's slack.
#[inline(always)]
pub(crate) fn for_each(data: &[u8], a: u64, b: u64, w: u32, mut f: impl FnMut(u64)) {
    let mask = mask(w);
    let w64 = w as u64;
    let per = 57 / w64.max(1);
    let mut i = a;
    let mut bit = a * w64;
    if per >= 2 {
        while i + per <= b {
            let byte = (bit >> 3) as usize;
            let mut word = u64::from_le_bytes(array(data, byte)) >> (bit & 7);
            for _ in 0..per {
                f(word & mask);
                word >>= w64;
            }
            i += per;
            bit += per * w64;
        }
    }
    while i < b {
        let byte = (bit >> 3) as usize;
        let word = u64::from_le_bytes(array(data, byte));
        f((word >> (bit & 7)) & mask);
        i += 1;
        bit += w64;
    }
}

/// [`for_each`] for a width that is a whole number of bytes (w ∈ {8, 16, 24, 32}):
/// value i starts at byte i·w/8, so each is one unaligned 32-bit load and a mask, with
/// no bit arithmetic carried from one value to the next. The slack makes the load legal
/// for the last value.
#[inline(always)]
pub(crate) fn for_each_bytes(data: &[u8], a: u64, b: u64, w: u32, mut f: impl FnMut(u64)) {
    debug_assert!(w.is_multiple_of(8) && (8..=32).contains(&w));
    let mask = mask(w);
    let step = (w / 8) as usize;
    let (a, b) = (a as usize * step, b as usize * step);
    let mut at = a;
    while at < b {
        f(u32::from_le_bytes(array(data, at)) as u64 & mask);
        at += step;
    }
}

/// [`for_each_bytes`] when `w` is a whole number of bytes, else [`for_each`]: how the
/// reader and the kernels over a table decode a list.
#[inline(always)]
pub(crate) fn for_each_value(data: &[u8], a: u64, b: u64, w: u32, f: impl FnMut(u64)) {
    if w.is_multiple_of(8) && w > 0 {
        for_each_bytes(data, a, b, w, f)
    } else {
        for_each(data, a, b, w, f)
    }
}

/// The low `w` bits set.
#[inline(always)]
pub(crate) fn mask(w: u32) -> u64 {
    if w >= 64 {
        u64::MAX
    } else {
        (1u64 << w) - 1
    }
}

/// Packs `values` (each `< 2^w`) into bytes as if they started at bit `phase` (< 8) of
/// the first byte; bits below `phase` are zero. Returns the bytes and the number of bits
/// used, `phase + values.len()·w`.
pub(crate) fn pack(
    values: impl ExactSizeIterator<Item = u64>,
    w: u32,
    phase: u32,
) -> (Vec<u8>, u64) {
    debug_assert!(phase < 8 && w <= 64);
    let nbits = phase as usize + values.len() * w as usize;
    let mut bits: BitVec<u8, Lsb0> = BitVec::repeat(false, nbits);
    if w > 0 {
        let mut at = phase as usize;
        for x in values {
            bits[at..at + w as usize].store_le(x);
            at += w as usize;
        }
    }
    (bits.into_vec(), nbits as u64)
}

/// Writes a bit-packed array chunk by chunk, carrying the partial last byte of one chunk
/// into the first byte of the next, and appends the slack when finished.
pub(crate) struct BitSink<W: Write> {
    out: W,
    /// Bits already in `pending` (0..8).
    pending_bits: u32,
    pending: u8,
    bytes: u64,
}

impl<W: Write> BitSink<W> {
    pub(crate) fn new(out: W) -> Self {
        BitSink {
            out,
            pending_bits: 0,
            pending: 0,
            bytes: 0,
        }
    }

    /// The phase the next chunk must be packed at (see [`pack`]).
    pub(crate) fn phase(&self) -> u32 {
        self.pending_bits
    }

    /// Appends a chunk packed by [`pack`] with phase [`BitSink::phase`].
    pub(crate) fn push(&mut self, mut chunk: Vec<u8>, nbits: u64) -> io::Result<()> {
        if nbits == 0 {
            return Ok(());
        }
        chunk[0] |= self.pending;
        let whole = (nbits / 8) as usize;
        self.out.write_all(&chunk[..whole])?;
        self.bytes += whole as u64;
        self.pending_bits = (nbits % 8) as u32;
        self.pending = if self.pending_bits > 0 {
            chunk[whole]
        } else {
            0
        };
        Ok(())
    }

    /// Writes the partial byte and the slack; returns the bytes written in all.
    pub(crate) fn finish(mut self) -> io::Result<u64> {
        if self.pending_bits > 0 {
            self.out.write_all(&[self.pending])?;
            self.bytes += 1;
        }
        self.out.write_all(&[0u8; super::format::SLACK as usize])?;
        Ok(self.bytes + super::format::SLACK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Values packed in chunks of any sizes through the sink decode back with `get`
        /// and with bitvec's own `load_le`.
        #[test]
        fn chunks_round_trip(w in 0u32..=32, raw in prop::collection::vec(any::<u64>(), 0..200), cuts in prop::collection::vec(0usize..200, 0..6)) {
            let values: Vec<u64> = raw.iter().map(|x| x & mask(w)).collect();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(values.len())).collect();
            cuts.push(0);
            cuts.push(values.len());
            cuts.sort_unstable();
            let mut out = Vec::new();
            let mut sink = BitSink::new(&mut out);
            for pair in cuts.windows(2) {
                let (bytes, nbits) = pack(values[pair[0]..pair[1]].iter().copied(), w, sink.phase());
                sink.push(bytes, nbits).unwrap();
            }
            let len = sink.finish().unwrap();
            prop_assert_eq!(len as usize, out.len());
            prop_assert_eq!(out.len() as u64, crate::format::packed_len(values.len() as u64, w).unwrap());
            let bits = out.view_bits::<Lsb0>();
            for a in 0..values.len().min(5) {
                let mut got = vec![];
                for_each(&out, a as u64, values.len() as u64, w, |x| got.push(x));
                prop_assert_eq!(&got[..], &values[a..]);
            }
            if w.is_multiple_of(8) && w > 0 {
                for a in 0..values.len().min(5) {
                    let mut got = vec![];
                    for_each_bytes(&out, a as u64, values.len() as u64, w, |x| got.push(x));
                    prop_assert_eq!(&got[..], &values[a..]);
                }
            }
            for (i, &x) in values.iter().enumerate() {
                prop_assert_eq!(get(&out, i as u64, w), x);
                if w > 0 {
                    let at = i * w as usize;
                    prop_assert_eq!(bits[at..at + w as usize].load_le::<u64>(), x);
                }
            }
            // Unused bits of the last byte and the slack are zero.
            let used = values.len() * w as usize;
            prop_assert!(bits[used..].not_any());
        }
    }
}
