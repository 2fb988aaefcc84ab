//! A smooth synthetic landscape on a product space: additive per position, plus a little
//! independent noise.
//!
//! `loss(v) = Σ_i w[i][c_i(v)] + σ·z_v`, with every weight `w[i][c]` and every z_v drawn iid
//! N(0, 1) and σ = [`SMOOTH_NOISE`]. Without noise the landscape is separable: any vertex
//! that is not the optimum has a strictly better neighbour (fix one position to its best
//! op), so there is exactly one local minimum and every start reaches it. The noise adds
//! a few local minima between near-equal neighbours, as training noise does on real NAS
//! benchmarks. It is the "easy" reference beside iid losses (no locality at all).
//!
//! Deterministic for a seed: weights come from ChaCha8 stream 0 of the seed, the noise
//! of each block of vertices from its own stream, whatever the thread count.

use crate::space::{Neighbourhood, ProductSpace};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// Standard deviation of the per-vertex noise (the weights have standard deviation 1).
pub const SMOOTH_NOISE: f64 = 0.25;

/// Vertices per noise stream.
const BLOCK: usize = 1 << 16;

/// Draws the smooth additive landscape of `space` for `seed`.
pub fn smooth(space: &ProductSpace, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(0);
    let weights: Vec<Vec<f64>> = space
        .radices()
        .iter()
        .map(|&k| (0..k).map(|_| StandardNormal.sample(&mut rng)).collect())
        .collect();
    let mut loss = vec![0.0; space.len()];
    loss.par_chunks_mut(BLOCK)
        .enumerate()
        .for_each(|(b, chunk)| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(1 + b as u64);
            for (j, x) in chunk.iter_mut().enumerate() {
                let v = (b * BLOCK + j) as crate::space::VertexId;
                let additive: f64 = weights
                    .iter()
                    .enumerate()
                    .map(|(i, w)| w[space.digit(v, i) as usize])
                    .sum();
                let z: f64 = StandardNormal.sample(&mut rng);
                *x = additive + SMOOTH_NOISE * z;
            }
        });
    loss
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_smooth() {
        let space = ProductSpace::parse("nb201").unwrap();
        let a = smooth(&space, 5);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(a, pool.install(|| smooth(&space, 5)));
        assert_ne!(a, smooth(&space, 6));
        // Far fewer local minima than iid losses (625 expected).
        let land = crate::landscape::Landscape::of_product(&space, &a);
        assert!(land.local_minima < 100, "{}", land.local_minima);
    }
}
