//! Matrix transposes for the LS pass's blocks, eight by eight in AVX2 registers.
//!
//! The LS pass relaxes a block's short dimensions (strides 1 and 5 at 5^d) in a
//! transposed copy of the block, where their lines run along rows, and copies the best
//! neighbours back: a scalar copy moves one 4-byte value per load and store, with a
//! strided side on every one. Here an 8×8 tile of 4-byte values is loaded as 8 vectors,
//! transposed with shuffles (which move bits and never round: NaN payloads and −0 stay),
//! and stored as 8 vectors. Anything else (other widths, no AVX2, the edges of a matrix
//! whose sides are not multiples of 8) takes the scalar code, which is the reference the
//! proptest compares against. Hand-written: a crate for this would bring more than the
//! one kernel the pass needs.

use std::any::TypeId;

/// `dst[c·rows + r] = src[r·cols + c]`: `src` is `rows` rows of `cols` values, `dst`
/// receives its `cols` columns as rows.
pub(super) fn transpose<T: Copy + 'static>(src: &[T], dst: &mut [T], rows: usize, cols: usize) {
    assert!(src.len() >= rows * cols && dst.len() >= rows * cols);
    let mut done = (0, 0);
    #[cfg(target_arch = "x86_64")]
    if (TypeId::of::<T>() == TypeId::of::<f32>() || TypeId::of::<T>() == TypeId::of::<u32>())
        && std::arch::is_x86_feature_detected!("avx2")
    {
        // SAFETY: T is f32 or u32, 4 plain bytes like u32; AVX2 is present; the sizes are
        // asserted above.
        done = unsafe {
            avx2::transpose(
                src.as_ptr() as *const u32,
                dst.as_mut_ptr() as *mut u32,
                rows,
                cols,
            )
        };
    }
    // The edges (or everything): rows done.0.., and the columns done.1.. of the rows
    // before.
    let (full_rows, full_cols) = done;
    for r in 0..rows {
        let c0 = if r < full_rows { full_cols } else { 0 };
        for c in c0..cols {
            dst[c * rows + r] = src[r * cols + c];
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    /// The 8×8 tiles of [`super::transpose`]: returns the rows and columns covered
    /// (multiples of 8, from the top left), the rest being the caller's.
    ///
    /// # Safety
    /// AVX2 must be present; `src` and `dst` must hold `rows·cols` values each.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn transpose(
        src: *const u32,
        dst: *mut u32,
        rows: usize,
        cols: usize,
    ) -> (usize, usize) {
        let (full_rows, full_cols) = (rows / 8 * 8, cols / 8 * 8);
        for r0 in (0..full_rows).step_by(8) {
            for c0 in (0..full_cols).step_by(8) {
                // SAFETY: rows r0..r0 + 8 and columns c0..c0 + 8 lie inside both
                // matrices (multiples of 8 below rows and cols).
                unsafe {
                    let at = |i: usize| src.add((r0 + i) * cols + c0) as *const __m256;
                    let r = [0, 1, 2, 3, 4, 5, 6, 7].map(|i| _mm256_loadu_ps(at(i) as *const f32));
                    let t = [
                        _mm256_unpacklo_ps(r[0], r[1]),
                        _mm256_unpackhi_ps(r[0], r[1]),
                        _mm256_unpacklo_ps(r[2], r[3]),
                        _mm256_unpackhi_ps(r[2], r[3]),
                        _mm256_unpacklo_ps(r[4], r[5]),
                        _mm256_unpackhi_ps(r[4], r[5]),
                        _mm256_unpacklo_ps(r[6], r[7]),
                        _mm256_unpackhi_ps(r[6], r[7]),
                    ];
                    // u[j] holds columns j (low half) and j + 4 (high half) of rows 0–3
                    // (from t[0..4]) or 4–7 (from t[4..8]).
                    let u = [
                        _mm256_shuffle_ps::<0x44>(t[0], t[2]),
                        _mm256_shuffle_ps::<0xEE>(t[0], t[2]),
                        _mm256_shuffle_ps::<0x44>(t[1], t[3]),
                        _mm256_shuffle_ps::<0xEE>(t[1], t[3]),
                        _mm256_shuffle_ps::<0x44>(t[4], t[6]),
                        _mm256_shuffle_ps::<0xEE>(t[4], t[6]),
                        _mm256_shuffle_ps::<0x44>(t[5], t[7]),
                        _mm256_shuffle_ps::<0xEE>(t[5], t[7]),
                    ];
                    let to = |j: usize| dst.add((c0 + j) * rows + r0) as *mut f32;
                    for j in 0..4 {
                        _mm256_storeu_ps(to(j), _mm256_permute2f128_ps::<0x20>(u[j], u[j + 4]));
                        _mm256_storeu_ps(to(j + 4), _mm256_permute2f128_ps::<0x31>(u[j], u[j + 4]));
                    }
                }
            }
        }
        (full_rows, full_cols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scalar<T: Copy + Default>(src: &[T], rows: usize, cols: usize) -> Vec<T> {
        let mut dst = vec![T::default(); rows * cols];
        for r in 0..rows {
            for c in 0..cols {
                dst[c * rows + r] = src[r * cols + c];
            }
        }
        dst
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// The dispatched transpose against the scalar loop, bit for bit, on sides below,
        /// at and between multiples of 8 (the edges), for u32 and for f32 values of any
        /// bits (NaN payloads, −0).
        #[test]
        fn transpose_equals_the_scalar_loop(
            rows in 0usize..40,
            cols in 0usize..40,
            bits in proptest::collection::vec(any::<u32>(), 1600),
        ) {
            let src = &bits[..rows * cols];
            let mut dst = vec![0u32; rows * cols];
            transpose(src, &mut dst, rows, cols);
            prop_assert_eq!(&dst, &scalar(src, rows, cols));
            let floats: Vec<f32> = src.iter().map(|&b| f32::from_bits(b)).collect();
            let mut fdst = vec![0f32; rows * cols];
            transpose(&floats, &mut fdst, rows, cols);
            let got: Vec<u32> = fdst.iter().map(|x| x.to_bits()).collect();
            prop_assert_eq!(got, scalar(src, rows, cols));
        }
    }
}
