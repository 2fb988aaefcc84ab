//! Synthetic losses: landscapes with known statistics, for any space.
//!
//! Values are drawn in fixed blocks of vertices, each block from its own ChaCha stream
//! keyed by (seed, block), so the vector is the same for a seed whatever the thread count.
//!
//! The iid models are drawn directly as f32 (DESIGN.md §1 allows it): the values are then
//! exactly what is analysed, with nothing rounded, in 4 bytes a vertex instead of 8. A
//! caller that wants f64 gets the same values widened, exactly.

pub mod smooth;

use anyhow::{bail, Context, Result};
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::fmt;

/// Vertices per random stream; part of the definition of a seed's landscape.
const BLOCK: usize = 1 << 16;

/// A synthetic loss model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Model {
    /// iid U[0, 1) on the 2²⁴ multiples of 2⁻²⁴ (f32): ties between two given vertices
    /// have probability 2⁻²⁴, so a billion-vertex space has a few thousand tied neighbour
    /// pairs.
    Uniform,
    /// iid uniform rounded down to K levels 0, 1/K, …, (K−1)/K: plateaus on purpose.
    Levels(u32),
}

impl Model {
    /// Parses `uniform` or `levels:K`.
    pub fn parse(s: &str) -> Result<Self> {
        if s == "uniform" {
            return Ok(Model::Uniform);
        }
        if let Some(k) = s.strip_prefix("levels:") {
            let k: u32 = k
                .parse()
                .with_context(|| format!("levels:K needs a whole number K, got {k:?}"))?;
            if k < 2 {
                bail!("levels:K needs K >= 2");
            }
            return Ok(Model::Levels(k));
        }
        bail!("unknown synthetic model {s:?}: use uniform or levels:K (e.g. levels:10)")
    }

    /// Draws the loss of every vertex of an `n`-vertex space, as f64 (the values of
    /// [`Model::draw_f32`] widened, exactly).
    pub fn draw(self, n: usize, seed: u64) -> Vec<f64> {
        self.draw_f32(n, seed)
            .into_par_iter()
            .map(f64::from)
            .collect()
    }

    /// Draws the loss of every vertex of an `n`-vertex space, as f32.
    pub fn draw_f32(self, n: usize, seed: u64) -> Vec<f32> {
        let mut loss: Vec<f32> = crate::pages::zeroed(n);
        loss.par_chunks_mut(BLOCK)
            .enumerate()
            .for_each(|(b, chunk)| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(b as u64);
                for x in chunk {
                    let u: f32 = rng.gen();
                    *x = match self {
                        Model::Uniform => u,
                        // floor(u·K) is exact in f64; level j is j/K rounded once to f32.
                        Model::Levels(k) => ((u as f64 * k as f64).floor() / k as f64) as f32,
                    };
                }
            });
        loss
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Model::Uniform => write!(f, "uniform"),
            Model::Levels(k) => write!(f, "levels:{k}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_losses_any_threads() {
        let a = Model::Uniform.draw(200_000, 7);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| Model::Uniform.draw(200_000, 7));
        assert_eq!(a, b);
        assert_ne!(a, Model::Uniform.draw(200_000, 8));
        let l = Model::Levels(4).draw(1000, 1);
        assert!(l.iter().all(|&x| [0.0, 0.25, 0.5, 0.75].contains(&x)));
        let wide = Model::Levels(10).draw(1000, 3);
        let narrow = Model::Levels(10).draw_f32(1000, 3);
        assert!(wide.iter().zip(&narrow).all(|(&w, &n)| w == n as f64));
        assert!(narrow.iter().all(|&x| x == (x * 10.0).round() / 10.0));
    }
}
