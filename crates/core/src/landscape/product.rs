//! LS over a product space, streamed one dimension at a time.
//!
//! In dimension i the neighbours of v are the other members of its *line*: the k_i
//! vertices that differ from v only in digit i. The best neighbour of every member of a
//! line is the line's best member, or its second best for the best member itself — so a
//! line costs O(k_i), not O(k_i²), and the whole pass O(n·d) with no neighbour list.
//!
//! Dimensions with small strides are handled block by block while a block sits in cache;
//! the large-stride dimensions are cut into tiles of k_i row slices that run in parallel.
//! Two transient arrays hold each vertex's best neighbour so far (loss and id, both f64:
//! ids below 2^32 are exact in f64, and one lane type lets the row kernel vectorise).

use super::explicit::classify;
use super::{Candidate, Step};
use crate::space::{Neighbourhood, ProductSpace, VertexId};
use multiversion::multiversion;
use rayon::prelude::*;

/// Largest block processed in cache for the small dimensions (vertices).
const BLOCK_MAX: u64 = 1 << 14;

/// Positions processed together by the row kernel (its scratch lives on the stack).
const LANES: usize = 256;

/// Shortest row worth the row kernel; shorter lines are handled one by one.
const ROW_MIN: usize = 16;

/// LS(v) for every vertex of `space` under `loss` (lower is better).
pub fn step(space: &ProductSpace, loss: &[f64]) -> Step {
    let n = space.len();
    assert_eq!(n, loss.len(), "one loss per vertex");
    let radices = space.radices();
    let strides = space.strides();
    // Dimensions 0..inner have their lines inside one block of `block` vertices; dimension
    // 0 always does (its lines are contiguous), whatever its size.
    let inner = (0..radices.len())
        .take_while(|&i| strides[i] * radices[i] as u64 <= BLOCK_MAX)
        .count()
        .max(1);
    let block = (strides[inner - 1] * radices[inner - 1] as u64) as usize;

    // Zeroed allocations cost no pass here; each block is set to "no neighbour yet" by
    // the thread that works on it, while it is in cache.
    let mut best_loss = vec![0.0f64; n];
    let mut best_id = vec![0.0f64; n];

    loss.par_chunks(block)
        .zip(best_loss.par_chunks_mut(block))
        .zip(best_id.par_chunks_mut(block))
        .enumerate()
        .for_each(|(b, ((l, bl), bi))| {
            let first = b * block;
            bl.fill(f64::INFINITY);
            bi.fill(f64::INFINITY);
            for i in 0..inner {
                let (k, s) = (radices[i] as usize, strides[i] as usize);
                if s < ROW_MIN {
                    relax_short_lines(l, bl, bi, first, k, s);
                } else {
                    relax_groups_in_block(l, bl, bi, first, k, s);
                }
            }
        });

    for i in inner..radices.len() {
        relax_dimension(
            loss,
            &mut best_loss,
            &mut best_id,
            radices[i] as usize,
            strides[i] as usize,
            block,
        );
    }

    let mut ls = vec![0 as VertexId; n];
    let (local_minima, strict_local_minima) = ls
        .par_iter_mut()
        .zip(best_id.par_iter().zip(best_loss.par_iter()))
        .zip(loss.par_iter())
        .enumerate()
        .with_min_len(4096)
        .map(|(v, ((out, (&bi, &bl)), &own))| {
            let best = Candidate {
                loss: bl,
                id: bi as VertexId,
            };
            classify(v as VertexId, own, best, out)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    Step {
        ls,
        local_minima,
        strict_local_minima,
    }
}

/// Relaxes every line of one dimension (k choices, stride s < ROW_MIN) inside a
/// contiguous block whose first vertex is `first`; the block length is a multiple of k·s.
/// Lines this short are handled one by one, with selects instead of branches: on random
/// losses every comparison here is a coin flip that a branch predictor would miss.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+sse4.1", "aarch64+neon"))]
fn relax_short_lines(l: &[f64], bl: &mut [f64], bi: &mut [f64], first: usize, k: usize, s: usize) {
    for g in (0..l.len()).step_by(k * s) {
        for j in g..g + s {
            // Best and second best member; members come in increasing id, so a strict `<`
            // keeps the lower id on ties.
            let (mut a, mut ai, mut b, mut bix) = (f64::INFINITY, 0.0, f64::INFINITY, 0.0);
            for c in 0..k {
                let x = l[j + c * s];
                let cf = c as f64;
                let below_a = x < a;
                let below_b = x < b;
                let nb = if below_b { x } else { b };
                let nbi = if below_b { cf } else { bix };
                b = if below_a { a } else { nb };
                bix = if below_a { ai } else { nbi };
                a = if below_a { x } else { a };
                ai = if below_a { cf } else { ai };
            }
            let line_base = (first + j) as f64;
            for c in 0..k {
                let x = j + c * s;
                let mine = ai == c as f64;
                let ol = if mine { b } else { a };
                let oid = line_base + (if mine { bix } else { ai }) * s as f64;
                let better = (ol < bl[x]) | ((ol == bl[x]) & (oid < bi[x]));
                bl[x] = if better { ol } else { bl[x] };
                bi[x] = if better { oid } else { bi[x] };
            }
        }
    }
}

/// Relaxes one dimension (stride s >= ROW_MIN) inside a block: each group of k rows of
/// length s goes to the row kernel. The row vectors are reused across groups.
fn relax_groups_in_block(
    l: &[f64],
    bl: &mut [f64],
    bi: &mut [f64],
    first: usize,
    k: usize,
    s: usize,
) {
    let group = k * s;
    let mut rows = Rows::with_capacity(k);
    for (g, ((lg, blg), big)) in l
        .chunks(group)
        .zip(bl.chunks_mut(group))
        .zip(bi.chunks_mut(group))
        .enumerate()
    {
        rows.first = first + g * group;
        rows.loss.extend(lg.chunks(s));
        rows.best_loss.extend(blg.chunks_mut(s));
        rows.best_id.extend(big.chunks_mut(s));
        rows.relax(s);
        rows.clear();
    }
}

/// The same positions of the k rows of a line group: row c, position j is vertex
/// `first + c·s + j`, and the k vertices at position j form one line.
struct Rows<'a> {
    first: usize,
    loss: Vec<&'a [f64]>,
    best_loss: Vec<&'a mut [f64]>,
    best_id: Vec<&'a mut [f64]>,
}

impl<'a> Rows<'a> {
    fn with_capacity(k: usize) -> Self {
        Rows {
            first: 0,
            loss: Vec::with_capacity(k),
            best_loss: Vec::with_capacity(k),
            best_id: Vec::with_capacity(k),
        }
    }

    fn clear(&mut self) {
        self.loss.clear();
        self.best_loss.clear();
        self.best_id.clear();
    }

    /// Offers each vertex its best line neighbour, in branch-free passes over contiguous
    /// positions that compile to packed compares and selects: first each line's best and
    /// second best member (members come in increasing id, so a strict `<` keeps the lower
    /// id on ties), then each member's best other member against its running best.
    fn relax(&mut self, s: usize) {
        let len = self.loss[0].len();
        let mut a = [0.0f64; LANES];
        let mut b = [0.0f64; LANES];
        let mut ai = [0.0f64; LANES];
        let mut bi = [0.0f64; LANES];
        for j0 in (0..len).step_by(LANES) {
            let m = LANES.min(len - j0);
            let (a, b, ai, bi) = (&mut a[..m], &mut b[..m], &mut ai[..m], &mut bi[..m]);
            a.fill(f64::INFINITY);
            b.fill(f64::INFINITY);
            ai.fill(0.0);
            bi.fill(0.0);
            for (c, row) in self.loss.iter().enumerate() {
                line_top_two(&row[j0..j0 + m], c as f64, a, ai, b, bi);
            }
            for (c, (bl, bid)) in self
                .best_loss
                .iter_mut()
                .zip(self.best_id.iter_mut())
                .enumerate()
            {
                let first_id = (self.first + j0 + c * s) as f64;
                offer_others(
                    c as f64,
                    first_id,
                    s as f64,
                    a,
                    ai,
                    b,
                    bi,
                    &mut bl[j0..j0 + m],
                    &mut bid[j0..j0 + m],
                );
            }
        }
    }
}

/// Folds row `c` into the running best (`a`, `ai`) and second best (`b`, `bi`) of each
/// position. Members come in increasing id, so a strict `<` keeps the lower id on ties.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+sse4.1", "aarch64+neon"))]
fn line_top_two(row: &[f64], c: f64, a: &mut [f64], ai: &mut [f64], b: &mut [f64], bi: &mut [f64]) {
    for ((((&x, a), ai), b), bi) in row.iter().zip(a).zip(ai).zip(b).zip(bi) {
        let below_a = x < *a;
        let below_b = x < *b;
        let nb = if below_b { x } else { *b };
        let nbi = if below_b { c } else { *bi };
        *b = if below_a { *a } else { nb };
        *bi = if below_a { *ai } else { nbi };
        *ai = if below_a { c } else { *ai };
        *a = if below_a { x } else { *a };
    }
}

/// Offers each vertex of row `c` its best other line member against its running best
/// (`bl`, `bid`). Position j of the row is vertex `first_id + j`; member c' of the same
/// line is `first_id + (c' − c)·s + j`.
#[allow(clippy::too_many_arguments)]
#[multiversion(targets("x86_64+avx2+fma", "x86_64+sse4.1", "aarch64+neon"))]
fn offer_others(
    c: f64,
    first_id: f64,
    s: f64,
    a: &[f64],
    ai: &[f64],
    b: &[f64],
    bi: &[f64],
    bl: &mut [f64],
    bid: &mut [f64],
) {
    let line_base = first_id - c * s;
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
        let oid = line_base + oc * s + j as f64;
        let better = (ol < bl[j]) | ((ol == bl[j]) & (oid < bid[j]));
        bl[j] = if better { ol } else { bl[j] };
        bid[j] = if better { oid } else { bid[j] };
    }
}

/// Relaxes every line of a dimension whose stride `s` is a multiple of `tile`: the
/// groups of k rows are cut into tiles of `tile` positions that run in parallel.
fn relax_dimension(
    loss: &[f64],
    best_loss: &mut [f64],
    best_id: &mut [f64],
    k: usize,
    s: usize,
    tile: usize,
) {
    let group = k * s;
    let tiles_per_row = s / tile;
    let mut tiles: Vec<Rows> = Vec::new();
    for (g, ((l, bl), bi)) in loss
        .chunks(group)
        .zip(best_loss.chunks_mut(group))
        .zip(best_id.chunks_mut(group))
        .enumerate()
    {
        let base = tiles.len();
        for t in 0..tiles_per_row {
            let mut rows = Rows::with_capacity(k);
            rows.first = g * group + t * tile;
            tiles.push(rows);
        }
        for ((lrow, blrow), birow) in l.chunks(s).zip(bl.chunks_mut(s)).zip(bi.chunks_mut(s)) {
            for (t, ((lt, blt), bit)) in lrow
                .chunks(tile)
                .zip(blrow.chunks_mut(tile))
                .zip(birow.chunks_mut(tile))
                .enumerate()
            {
                let rows = &mut tiles[base + t];
                rows.loss.push(lt);
                rows.best_loss.push(blt);
                rows.best_id.push(bit);
            }
        }
    }
    tiles.into_par_iter().for_each(|mut rows| rows.relax(s));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::explicit;

    #[test]
    fn streaming_equals_explicit_on_small_spaces() {
        for spec in [
            "2^3",
            "3x4x5",
            "5^6",
            "2^15",
            "4^8",
            "7x2x3x9x2x5",
            "40x3x20",
            "2^17",
        ] {
            let space = ProductSpace::parse(spec).unwrap();
            let loss: Vec<f64> = (0..space.len())
                .map(|v| ((v as u64 * 2654435761) % 97) as f64)
                .collect();
            assert_eq!(step(&space, &loss), explicit::step(&space, &loss), "{spec}");
        }
    }
}
