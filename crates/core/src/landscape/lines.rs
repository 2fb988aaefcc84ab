//! The two per-line kernels of the product-space LS pass, over many lines at once.
//!
//! Each kernel works on `m` lines side by side, one lane per line: [`line_top_two`] folds
//! one member of every line into the lines' best and second best, [`offer_others`] offers
//! each member its best other member against its running best neighbour. Written as
//! branch-free selects, the portable versions look vectorisable, but the compiler turns
//! the selects that keep an old value into masked loads and stores (`vpmaskmov`), which
//! the store buffer cannot forward and which stall on AMD cores; for `offer_others` it
//! also selects an address and loads through it, one lane at a time. The f32 case, the
//! one a billion-vertex pass uses, therefore has hand-written AVX2 versions (std::arch,
//! chosen at run time) with plain full-width loads and stores; every other case, and a
//! machine without AVX2, takes the portable code, which gives the same answer (the
//! proptests below compare the two on ties and NaNs).

use super::loss::Loss;
use std::any::TypeId;

/// `xs` as f32 when `L` is f32.
fn as_f32<L: Loss>(xs: &[L]) -> Option<&[f32]> {
    (TypeId::of::<L>() == TypeId::of::<f32>()).then(|| {
        // SAFETY: L is f32 (same TypeId), so the slice is a slice of f32.
        unsafe { std::slice::from_raw_parts(xs.as_ptr() as *const f32, xs.len()) }
    })
}

/// [`as_f32`] for a mutable slice.
fn as_f32_mut<L: Loss>(xs: &mut [L]) -> Option<&mut [f32]> {
    (TypeId::of::<L>() == TypeId::of::<f32>()).then(|| {
        // SAFETY: L is f32 (same TypeId); the exclusive borrow moves into the result.
        unsafe { std::slice::from_raw_parts_mut(xs.as_mut_ptr() as *mut f32, xs.len()) }
    })
}

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

/// Folds member `c` (its losses `row`, one per line) into the running best (`a`, `ai`)
/// and second best (`b`, `bi`) of each line. Members come in increasing id, so a strict
/// `<` keeps the lower id on ties.
pub(super) fn line_top_two<L: Loss>(
    row: &[L],
    c: u32,
    a: &mut [L],
    ai: &mut [u32],
    b: &mut [L],
    bi: &mut [u32],
) {
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        if let (Some(row), Some(a), Some(b)) = (as_f32(row), as_f32_mut(a), as_f32_mut(b)) {
            // SAFETY: AVX2 is present (checked above).
            unsafe { avx2::line_top_two(row, c, a, ai, b, bi) };
            return;
        }
    }
    line_top_two_portable(row, c, a, ai, b, bi)
}

/// Offers member `c` of each line its best other member against its running best
/// (`bl`, `bid`). Member c' of the line in lane j is vertex `first + c'·s + j·step`.
#[allow(clippy::too_many_arguments)]
pub(super) fn offer_others<L: Loss>(
    c: u32,
    first: u32,
    s: u32,
    step: u32,
    a: &[L],
    ai: &[u32],
    b: &[L],
    bi: &[u32],
    bl: &mut [L],
    bid: &mut [u32],
) {
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        if let (Some(a), Some(b), Some(bl)) = (as_f32(a), as_f32(b), as_f32_mut(bl)) {
            // SAFETY: AVX2 is present (checked above).
            unsafe { avx2::offer_others(c, first, s, step, a, ai, b, bi, bl, bid) };
            return;
        }
    }
    offer_others_portable(c, first, s, step, a, ai, b, bi, bl, bid)
}

/// The portable [`line_top_two`]: the reference the AVX2 kernel is tested against, and
/// its tail. Plain sequential code on purpose: the branch-free form of this fold, built
/// with AVX2 enabled, was vectorised into a masked store of `ai` ahead of the masked
/// load that reads its old value into `bi`, which gave a wrong second-best id (found by
/// the proptest below).
pub(super) fn line_top_two_portable<L: Loss>(
    row: &[L],
    c: u32,
    a: &mut [L],
    ai: &mut [u32],
    b: &mut [L],
    bi: &mut [u32],
) {
    for ((((&x, a), ai), b), bi) in row.iter().zip(a).zip(ai).zip(b).zip(bi) {
        if x < *a {
            *b = *a;
            *bi = *ai;
            *a = x;
            *ai = c;
        } else if x < *b {
            *b = x;
            *bi = c;
        }
    }
}

/// The portable [`offer_others`], plain sequential code as [`line_top_two_portable`].
#[allow(clippy::too_many_arguments)]
pub(super) fn offer_others_portable<L: Loss>(
    c: u32,
    first: u32,
    s: u32,
    step: u32,
    a: &[L],
    ai: &[u32],
    b: &[L],
    bi: &[u32],
    bl: &mut [L],
    bid: &mut [u32],
) {
    let m = bl
        .len()
        .min(bid.len())
        .min(a.len())
        .min(ai.len())
        .min(b.len())
        .min(bi.len());
    for j in 0..m {
        let mine = ai[j] == c;
        let ol = if mine { b[j] } else { a[j] };
        let oc = if mine { bi[j] } else { ai[j] };
        let oid = first + oc * s + j as u32 * step;
        if ol < bl[j] || (ol == bl[j] && oid < bid[j]) {
            bl[j] = ol;
            bid[j] = oid;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! Eight lanes at a time; the tail (fewer than eight lines) goes to the portable code.
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

    /// See [`super::line_top_two`]; `_CMP_LT_OQ` is false on NaN, as `<` is.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn line_top_two(
        row: &[f32],
        c: u32,
        a: &mut [f32],
        ai: &mut [u32],
        b: &mut [f32],
        bi: &mut [u32],
    ) {
        let m = row
            .len()
            .min(a.len())
            .min(ai.len())
            .min(b.len())
            .min(bi.len());
        let cv = _mm256_set1_epi32(c as i32);
        let mut j = 0;
        while j + 8 <= m {
            // SAFETY (all loads and stores): j + 8 <= m, the shortest slice's length.
            let x = _mm256_loadu_ps(row.as_ptr().add(j));
            let va = opaque(_mm256_loadu_ps(a.as_ptr().add(j)));
            let vb = opaque(_mm256_loadu_ps(b.as_ptr().add(j)));
            let vai = opaque_i(_mm256_loadu_si256(ai.as_ptr().add(j) as *const __m256i));
            let vbi = opaque_i(_mm256_loadu_si256(bi.as_ptr().add(j) as *const __m256i));
            let below_a = _mm256_cmp_ps::<_CMP_LT_OQ>(x, va);
            let below_b = _mm256_cmp_ps::<_CMP_LT_OQ>(x, vb);
            let ia = _mm256_castps_si256(below_a);
            let ib = _mm256_castps_si256(below_b);
            let nb = _mm256_blendv_ps(vb, x, below_b);
            let nbi = _mm256_blendv_epi8(vbi, cv, ib);
            let nb = _mm256_blendv_ps(nb, va, below_a);
            let nbi = _mm256_blendv_epi8(nbi, vai, ia);
            let nai = _mm256_blendv_epi8(vai, cv, ia);
            let na = _mm256_blendv_ps(va, x, below_a);
            _mm256_storeu_ps(a.as_mut_ptr().add(j), na);
            _mm256_storeu_ps(b.as_mut_ptr().add(j), nb);
            _mm256_storeu_si256(ai.as_mut_ptr().add(j) as *mut __m256i, nai);
            _mm256_storeu_si256(bi.as_mut_ptr().add(j) as *mut __m256i, nbi);
            j += 8;
        }
        super::line_top_two_portable(
            &row[j..m],
            c,
            &mut a[j..m],
            &mut ai[j..m],
            &mut b[j..m],
            &mut bi[j..m],
        );
    }

    /// See [`super::offer_others`]. Ids compare unsigned: both sides have their top bit
    /// flipped before the signed compare.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn offer_others(
        c: u32,
        first: u32,
        s: u32,
        step: u32,
        a: &[f32],
        ai: &[u32],
        b: &[f32],
        bi: &[u32],
        bl: &mut [f32],
        bid: &mut [u32],
    ) {
        let m = bl
            .len()
            .min(bid.len())
            .min(a.len())
            .min(ai.len())
            .min(b.len())
            .min(bi.len());
        let cv = _mm256_set1_epi32(c as i32);
        let sv = _mm256_set1_epi32(s as i32);
        let top = _mm256_set1_epi32(i32::MIN);
        let lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        let mut base = _mm256_add_epi32(
            _mm256_set1_epi32(first as i32),
            _mm256_mullo_epi32(lane, _mm256_set1_epi32(step as i32)),
        );
        let advance = _mm256_set1_epi32(step.wrapping_mul(8) as i32);
        let mut j = 0;
        while j + 8 <= m {
            // SAFETY (all loads and stores): j + 8 <= m, the shortest slice's length.
            let va = _mm256_loadu_ps(a.as_ptr().add(j));
            let vb = _mm256_loadu_ps(b.as_ptr().add(j));
            let vai = _mm256_loadu_si256(ai.as_ptr().add(j) as *const __m256i);
            let vbi = _mm256_loadu_si256(bi.as_ptr().add(j) as *const __m256i);
            let vbl = opaque(_mm256_loadu_ps(bl.as_ptr().add(j)));
            let vbid = opaque_i(_mm256_loadu_si256(bid.as_ptr().add(j) as *const __m256i));
            let mine = _mm256_cmpeq_epi32(vai, cv);
            let ol = _mm256_blendv_ps(va, vb, _mm256_castsi256_ps(mine));
            let oc = _mm256_blendv_epi8(vai, vbi, mine);
            // Wrapping arithmetic, as u32 arithmetic in the portable code (ids fit u32).
            let oid = _mm256_add_epi32(base, _mm256_mullo_epi32(oc, sv));
            let lower = _mm256_cmp_ps::<_CMP_LT_OQ>(ol, vbl);
            let equal = _mm256_cmp_ps::<_CMP_EQ_OQ>(ol, vbl);
            let id_lower =
                _mm256_cmpgt_epi32(_mm256_xor_si256(vbid, top), _mm256_xor_si256(oid, top));
            let better = _mm256_or_ps(lower, _mm256_and_ps(equal, _mm256_castsi256_ps(id_lower)));
            _mm256_storeu_ps(bl.as_mut_ptr().add(j), _mm256_blendv_ps(vbl, ol, better));
            _mm256_storeu_si256(
                bid.as_mut_ptr().add(j) as *mut __m256i,
                _mm256_blendv_epi8(vbid, oid, _mm256_castps_si256(better)),
            );
            base = _mm256_add_epi32(base, advance);
            j += 8;
        }
        super::offer_others_portable(
            c,
            first.wrapping_add((j as u32).wrapping_mul(step)),
            s,
            step,
            &a[j..m],
            &ai[j..m],
            &b[j..m],
            &bi[j..m],
            &mut bl[j..m],
            &mut bid[j..m],
        );
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The dispatched kernels (AVX2 where the machine has it) against the portable
        /// ones, member by member over whole lines, on lengths that leave a tail.
        #[test]
        fn kernels_equal_the_portable_code(
            k in 1usize..7,
            m in 0usize..40,
            losses in proptest::collection::vec(any::<u8>(), 7 * 40),
            running in proptest::collection::vec((any::<u8>(), 0u32..3000, any::<bool>()), 7 * 40),
            first in 0u32..1000,
            s in 1u32..40,
            step in 1u32..40,
        ) {
            let row = |c: usize| -> Vec<f32> { (0..m).map(|j| value(losses[c * 40 + j])).collect() };
            let (mut a, mut ai, mut b, mut bi) = (vec![f32::INFINITY; m], vec![0u32; m], vec![f32::INFINITY; m], vec![0u32; m]);
            let (mut pa, mut pai, mut pb, mut pbi) = (a.clone(), ai.clone(), b.clone(), bi.clone());
            for c in 0..k {
                line_top_two(&row(c), c as u32, &mut a, &mut ai, &mut b, &mut bi);
                line_top_two_portable(&row(c), c as u32, &mut pa, &mut pai, &mut pb, &mut pbi);
            }
            prop_assert_eq!(a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), pa.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            prop_assert_eq!(&ai, &pai);
            prop_assert_eq!(b.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), pb.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            prop_assert_eq!(&bi, &pbi);
            for c in 0..k {
                let mut bl: Vec<f32> = (0..m).map(|j| value(running[c * 40 + j].0)).collect();
                let mut bid: Vec<u32> = (0..m)
                    .map(|j| match running[c * 40 + j] {
                        (_, _, true) => u32::MAX,
                        (_, id, false) => id,
                    })
                    .collect();
                let (mut pbl, mut pbid) = (bl.clone(), bid.clone());
                offer_others(c as u32, first, s, step, &a, &ai, &b, &bi, &mut bl, &mut bid);
                offer_others_portable(c as u32, first, s, step, &a, &ai, &b, &bi, &mut pbl, &mut pbid);
                prop_assert_eq!(bl.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), pbl.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
                prop_assert_eq!(&bid, &pbid);
            }
        }
    }
}
