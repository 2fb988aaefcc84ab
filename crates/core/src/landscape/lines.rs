//! The per-line kernel of the product-space LS pass, over many lines at once.
//!
//! [`relax_lines`] works on `m` lines side by side, one lane per line, their members in
//! the rows of a tile: it folds every member into the line's best and second best, then
//! offers each member its best other member against its running best neighbour. The
//! best two stay in registers from one member to the next (an earlier pair of kernels
//! stored them to a scratch after every member and loaded them again). Written as
//! branch-free selects, the portable version looks vectorisable, but the compiler turns
//! the selects that keep an old value into masked loads and stores (`vpmaskmov`), which
//! the store buffer cannot forward and which stall on AMD cores. The f32 case, the one a
//! billion-vertex pass uses, therefore has a hand-written AVX2 version (std::arch, chosen
//! at run time) with plain full-width loads and stores; every other case, and a machine
//! without AVX2, takes the portable code, which gives the same answer (the proptest below
//! compares the two on ties and NaNs).

use super::loss::Loss;
use std::any::TypeId;

/// True when this machine runs the AVX2 kernels (checked once, cached by std).
#[inline]
fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Where the members of a set of lines lie in a tile's rows: member c of the line in lane
/// j is position `j0 + j` of row `q + c·w`, and vertex `first + c·s + j·step`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Lines {
    /// Row of member 0.
    pub q: usize,
    /// Rows between members.
    pub w: usize,
    /// Members per line.
    pub k: usize,
    /// Position of lane 0 in every row.
    pub j0: usize,
    /// Lanes (lines side by side).
    pub m: usize,
    /// Vertex id of member 0 in lane 0.
    pub first: u32,
    /// Ids between members.
    pub s: u32,
    /// Ids between lanes.
    pub step: u32,
}

/// Relaxes the lines `g` completely: each line's best and second best member (members
/// come in increasing id, so a strict `<` keeps the lower id on ties), then each member
/// offered its best other member against its running best (`best_loss`, `best_id`).
pub(super) fn relax_lines<L: Loss>(
    loss: &[&[L]],
    best_loss: &mut [&mut [L]],
    best_id: &mut [&mut [u32]],
    g: Lines,
) {
    if g.k == 0 || g.m == 0 {
        return;
    }
    for c in 0..g.k {
        let r = g.q + c * g.w;
        let end = g.j0 + g.m;
        // Safety of the unchecked kernel below rests on these bounds.
        assert!(loss[r].len() >= end && best_loss[r].len() >= end && best_id[r].len() >= end);
    }
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        if let (Some(loss), Some(best_loss)) = (rows_f32(loss), rows_f32_mut(best_loss)) {
            // SAFETY: AVX2 is present (checked above); every row of every member holds
            // positions j0..j0 + m (asserted above).
            done = unsafe { avx2::relax_lines(loss, best_loss, best_id, g) };
        }
    }
    if done < g.m {
        let tail = Lines {
            j0: g.j0 + done,
            m: g.m - done,
            first: g.first.wrapping_add((done as u32).wrapping_mul(g.step)),
            ..g
        };
        relax_lines_portable(loss, best_loss, best_id, tail);
    }
}

/// `rows` as rows of f32 when `L` is f32.
fn rows_f32<'r, 'a, L: Loss>(rows: &'r [&'a [L]]) -> Option<&'r [&'a [f32]]> {
    (TypeId::of::<L>() == TypeId::of::<f32>()).then(|| {
        // SAFETY: L is f32 (same TypeId), so `&[L]` and `&[f32]` are the same type.
        unsafe { std::slice::from_raw_parts(rows.as_ptr() as *const &[f32], rows.len()) }
    })
}

/// [`rows_f32`] for mutable rows.
fn rows_f32_mut<'r, 'a, L: Loss>(rows: &'r mut [&'a mut [L]]) -> Option<&'r mut [&'a mut [f32]]> {
    (TypeId::of::<L>() == TypeId::of::<f32>()).then(|| {
        // SAFETY: L is f32 (same TypeId); the exclusive borrow moves into the result.
        unsafe { std::slice::from_raw_parts_mut(rows.as_mut_ptr() as *mut &mut [f32], rows.len()) }
    })
}

/// The portable [`relax_lines`]: the reference the AVX2 kernel is tested against, and the
/// code for fewer than 8 lanes. Plain sequential code on purpose: the branch-free form of
/// this fold, built with AVX2 enabled, was once vectorised into a masked store of the
/// best id ahead of the masked load that reads its old value into the second best, which
/// gave a wrong second-best id (found by the proptest below).
pub(super) fn relax_lines_portable<L: Loss>(
    loss: &[&[L]],
    best_loss: &mut [&mut [L]],
    best_id: &mut [&mut [u32]],
    g: Lines,
) {
    for j in 0..g.m {
        let p = g.j0 + j;
        let (mut a, mut ai, mut b, mut bi) = (L::INFINITY, 0u32, L::INFINITY, 0u32);
        for c in 0..g.k {
            let x = loss[g.q + c * g.w][p];
            if x < a {
                b = a;
                bi = ai;
                a = x;
                ai = c as u32;
            } else if x < b {
                b = x;
                bi = c as u32;
            }
        }
        let base = g.first.wrapping_add((j as u32).wrapping_mul(g.step));
        for c in 0..g.k {
            let mine = ai == c as u32;
            let ol = if mine { b } else { a };
            let oc = if mine { bi } else { ai };
            let oid = base.wrapping_add(oc.wrapping_mul(g.s));
            let r = g.q + c * g.w;
            let (bl, bid) = (&mut best_loss[r][p], &mut best_id[r][p]);
            if ol < *bl || (ol == *bl && oid < *bid) {
                *bl = ol;
                *bid = oid;
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! Eight lanes at a time; fewer than eight lines go to the portable code.
    use std::arch::asm;
    use std::arch::x86_64::*;

    /// `v`, hidden from the optimiser. Storing a blend of a value loaded from the same
    /// place is rewritten by LLVM into a masked store (`vmaskmovps`), slow on its own and
    /// a stall for the next load of that place (no store forwarding): the kernels pass
    /// every loaded value that they may store back through here. No instruction results.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn opaque(v: __m256) -> __m256 {
        let mut v = v;
        // SAFETY: an empty asm block that only claims to change the register.
        unsafe {
            asm!("/* {0} */", inout(ymm_reg) v, options(pure, nomem, nostack, preserves_flags))
        };
        v
    }

    /// [`opaque`] for integer lanes.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn opaque_i(v: __m256i) -> __m256i {
        let mut v = v;
        // SAFETY: as in `opaque`.
        unsafe {
            asm!("/* {0} */", inout(ymm_reg) v, options(pure, nomem, nostack, preserves_flags))
        };
        v
    }

    /// See [`super::relax_lines`]; returns the number of lanes done: all of them, or none
    /// when there are fewer than 8 (the caller's then). `_CMP_LT_OQ` is false on NaN, as
    /// `<` is; ids compare unsigned: both sides have their top bit flipped before the
    /// signed compare.
    ///
    /// # Safety
    /// AVX2 must be present, and rows `q + c·w` (c < k) of all three arrays must hold
    /// positions `j0..j0 + m`.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn relax_lines(
        loss: &[&[f32]],
        best_loss: &mut [&mut [f32]],
        best_id: &mut [&mut [u32]],
        g: super::Lines,
    ) -> usize {
        if g.m < 8 {
            return 0;
        }
        let sv = _mm256_set1_epi32(g.s as i32);
        let top = _mm256_set1_epi32(i32::MIN);
        let inf = _mm256_set1_ps(f32::INFINITY);
        let lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        let mut base = _mm256_add_epi32(
            _mm256_set1_epi32(g.first as i32),
            _mm256_mullo_epi32(lane, _mm256_set1_epi32(g.step as i32)),
        );
        // The last vector overlaps the one before it when m is not a multiple of 8: its
        // lanes there offer each member the same candidate again, which changes nothing
        // (an offer keeps the lesser of two (loss, id) pairs), so no lane is left over.
        let last = g.m - 8;
        let mut j = 0;
        loop {
            let p = g.j0 + j;
            let (mut va, mut vb) = (inf, inf);
            let (mut vai, mut vbi) = (_mm256_setzero_si256(), _mm256_setzero_si256());
            for c in 0..g.k {
                // SAFETY (here and below): row q + c·w exists and holds p..p + 8 (the
                // caller's contract).
                let x = _mm256_loadu_ps(loss.get_unchecked(g.q + c * g.w).as_ptr().add(p));
                let cv = _mm256_set1_epi32(c as i32);
                let below_a = _mm256_cmp_ps::<_CMP_LT_OQ>(x, va);
                let below_b = _mm256_cmp_ps::<_CMP_LT_OQ>(x, vb);
                let ia = _mm256_castps_si256(below_a);
                let ib = _mm256_castps_si256(below_b);
                let nb = _mm256_blendv_ps(vb, x, below_b);
                let nbi = _mm256_blendv_epi8(vbi, cv, ib);
                vb = _mm256_blendv_ps(nb, va, below_a);
                vbi = _mm256_blendv_epi8(nbi, vai, ia);
                vai = _mm256_blendv_epi8(vai, cv, ia);
                va = _mm256_blendv_ps(va, x, below_a);
            }
            for c in 0..g.k {
                let r = g.q + c * g.w;
                let blp = best_loss.get_unchecked_mut(r).as_mut_ptr().add(p);
                let bidp = best_id.get_unchecked_mut(r).as_mut_ptr().add(p);
                let cv = _mm256_set1_epi32(c as i32);
                let vbl = opaque(_mm256_loadu_ps(blp));
                let vbid = opaque_i(_mm256_loadu_si256(bidp as *const __m256i));
                let mine = _mm256_cmpeq_epi32(vai, cv);
                let ol = _mm256_blendv_ps(va, vb, _mm256_castsi256_ps(mine));
                let oc = _mm256_blendv_epi8(vai, vbi, mine);
                // Wrapping arithmetic, as in the portable code (ids fit u32).
                let oid = _mm256_add_epi32(base, _mm256_mullo_epi32(oc, sv));
                let lower = _mm256_cmp_ps::<_CMP_LT_OQ>(ol, vbl);
                let equal = _mm256_cmp_ps::<_CMP_EQ_OQ>(ol, vbl);
                let id_lower =
                    _mm256_cmpgt_epi32(_mm256_xor_si256(vbid, top), _mm256_xor_si256(oid, top));
                let better =
                    _mm256_or_ps(lower, _mm256_and_ps(equal, _mm256_castsi256_ps(id_lower)));
                _mm256_storeu_ps(blp, _mm256_blendv_ps(vbl, ol, better));
                _mm256_storeu_si256(
                    bidp as *mut __m256i,
                    _mm256_blendv_epi8(vbid, oid, _mm256_castps_si256(better)),
                );
            }
            if j == last {
                return g.m;
            }
            let next = (j + 8).min(last);
            base = _mm256_add_epi32(
                base,
                _mm256_set1_epi32(((next - j) as u32).wrapping_mul(g.step) as i32),
            );
            j = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Few values, so that ties are common; NaN and infinities among them.
    fn value(x: u8) -> f32 {
        match x % 12 {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => -0.0,
            3 => 0.0,
            v => v as f32 / 4.0,
        }
    }

    /// Rows of `len` values each, from `bytes`.
    fn rows<T: Clone>(bytes: &[T], rows: usize, len: usize) -> Vec<Vec<T>> {
        (0..rows)
            .map(|r| bytes[r * len..(r + 1) * len].to_vec())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The dispatched kernel (AVX2 where the machine has it) against the portable one
        /// on rows of a tile, with lane counts below, at and between multiples of 8 (the
        /// overlapping last vector), members spread over rows, running bests with ties.
        #[test]
        fn kernel_equals_the_portable_code(
            k in 1usize..7,
            w in 1usize..4,
            q in 0usize..3,
            j0 in 0usize..5,
            m in 0usize..40,
            losses in proptest::collection::vec(any::<u8>(), 24 * 48),
            running in proptest::collection::vec((any::<u8>(), 0u32..3000, any::<bool>()), 24 * 48),
            first in 0u32..1000,
            s in 1u32..40,
            step in 1u32..40,
        ) {
            let n_rows = q + (k - 1) * w + 1;
            let len = j0 + m;
            let bytes: Vec<f32> = losses.iter().map(|&x| value(x)).collect();
            let loss = rows(&bytes, n_rows, len);
            let bl0: Vec<f32> = running.iter().map(|r| value(r.0)).collect();
            let bid0: Vec<u32> = running
                .iter()
                .map(|r| if r.2 { u32::MAX } else { r.1 })
                .collect();
            let (mut bl, mut bid) = (rows(&bl0, n_rows, len), rows(&bid0, n_rows, len));
            let (mut pbl, mut pbid) = (bl.clone(), bid.clone());
            let g = Lines { q, w, k, j0, m, first, s, step };
            let loss_rows: Vec<&[f32]> = loss.iter().map(|r| &r[..]).collect();
            {
                let mut blr: Vec<&mut [f32]> = bl.iter_mut().map(|r| &mut r[..]).collect();
                let mut bidr: Vec<&mut [u32]> = bid.iter_mut().map(|r| &mut r[..]).collect();
                relax_lines(&loss_rows, &mut blr, &mut bidr, g);
                let mut pblr: Vec<&mut [f32]> = pbl.iter_mut().map(|r| &mut r[..]).collect();
                let mut pbidr: Vec<&mut [u32]> = pbid.iter_mut().map(|r| &mut r[..]).collect();
                relax_lines_portable(&loss_rows, &mut pblr, &mut pbidr, g);
            }
            let bits = |x: &Vec<Vec<f32>>| -> Vec<u32> { x.iter().flatten().map(|v| v.to_bits()).collect() };
            prop_assert_eq!(bits(&bl), bits(&pbl));
            prop_assert_eq!(bid, pbid);
        }
    }

    /// The portable kernel against a direct reading of the contract on one line: each
    /// member's best other member by (loss, id), kept only if better than its running best.
    #[test]
    fn portable_kernel_offers_the_best_other_member() {
        let loss = [vec![3.0f32], vec![1.0], vec![1.0], vec![2.0]];
        let rows: Vec<&[f32]> = loss.iter().map(|r| &r[..]).collect();
        let mut bl = vec![vec![f32::INFINITY]; 4];
        let mut bid = vec![vec![u32::MAX]; 4];
        bl[3][0] = 0.5;
        bid[3][0] = 7;
        let mut blr: Vec<&mut [f32]> = bl.iter_mut().map(|r| &mut r[..]).collect();
        let mut bidr: Vec<&mut [u32]> = bid.iter_mut().map(|r| &mut r[..]).collect();
        let g = Lines {
            q: 0,
            w: 1,
            k: 4,
            j0: 0,
            m: 1,
            first: 100,
            s: 10,
            step: 1,
        };
        relax_lines_portable(&rows, &mut blr, &mut bidr, g);
        // Members 1 and 2 tie at the best: the lower id (110) wins for all but itself.
        assert_eq!(bid, vec![vec![110], vec![120], vec![110], vec![7]]);
        assert_eq!(bl, vec![vec![1.0], vec![1.0], vec![1.0], vec![0.5]]);
    }
}
