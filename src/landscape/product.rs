//! LS over a product space, streamed one dimension at a time.
//!
//! In dimension i the neighbours of v are the other members of its *line*: the k_i
//! vertices that differ from v only in digit i. The best neighbour of every member of a
//! line is the line's best member, or its second best for the best member itself — so a
//! line costs O(k_i), not O(k_i²), and the whole pass O(n·d) with no neighbour list.
//!
//! Dimensions with small strides are handled block by block while a block sits in cache;
//! the large-stride dimensions are cut into tiles of k_i row slices that run in parallel.
//! Two transient arrays hold each vertex's best neighbour so far (12 bytes per vertex).

use super::explicit::classify;
use super::{Candidate, Step};
use crate::space::{Neighbourhood, ProductSpace, VertexId};
use rayon::prelude::*;

/// Largest block processed in cache for the small dimensions (vertices).
const BLOCK_MAX: u64 = 1 << 14;

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

    let mut best_loss = vec![f64::INFINITY; n];
    let mut best_id = vec![VertexId::MAX; n];

    loss.par_chunks(block)
        .zip(best_loss.par_chunks_mut(block))
        .zip(best_id.par_chunks_mut(block))
        .enumerate()
        .for_each(|(b, ((l, bl), bi))| {
            let first = (b * block) as VertexId;
            for i in 0..inner {
                relax_block(l, bl, bi, first, radices[i] as usize, strides[i] as usize);
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

    // best_id becomes LS in place.
    let (local_minima, strict_local_minima) = best_id
        .par_iter_mut()
        .zip(best_loss.par_iter())
        .zip(loss.par_iter())
        .enumerate()
        .with_min_len(4096)
        .map(|(v, ((bi, &bl), &own))| {
            let best = Candidate { loss: bl, id: *bi };
            classify(v as VertexId, own, best, bi)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    Step {
        ls: best_id,
        local_minima,
        strict_local_minima,
    }
}

/// Best and second best of a line, in (loss, id) order.
#[inline(always)]
fn top_two(members: impl Iterator<Item = Candidate>) -> (Candidate, Candidate) {
    let (mut a, mut b) = (Candidate::NONE, Candidate::NONE);
    for c in members {
        if c.before(a) {
            b = a;
            a = c;
        } else if c.before(b) {
            b = c;
        }
    }
    (a, b)
}

/// Offers `c` as best neighbour of the vertex whose running best is (`bl`, `bi`).
#[inline(always)]
fn offer(c: Candidate, bl: &mut f64, bi: &mut VertexId) {
    if c.before(Candidate { loss: *bl, id: *bi }) {
        *bl = c.loss;
        *bi = c.id;
    }
}

/// Relaxes every line of one dimension (k choices, stride s) inside a contiguous block
/// whose first vertex is `first`; the block length is a multiple of k·s.
fn relax_block(
    l: &[f64],
    bl: &mut [f64],
    bi: &mut [VertexId],
    first: VertexId,
    k: usize,
    s: usize,
) {
    for g in (0..l.len()).step_by(k * s) {
        for j in g..g + s {
            let (a, b) = top_two((0..k).map(|c| Candidate {
                loss: l[j + c * s],
                id: first + (j + c * s) as VertexId,
            }));
            for c in 0..k {
                let x = j + c * s;
                let other = if a.id == first + x as VertexId { b } else { a };
                offer(other, &mut bl[x], &mut bi[x]);
            }
        }
    }
}

/// One tile of a large-stride dimension: the same `len` positions of each of the k rows
/// of a line group. Row c, position j is vertex `first + c·s + j`.
struct Tile<'a> {
    first: VertexId,
    loss: Vec<&'a [f64]>,
    best_loss: Vec<&'a mut [f64]>,
    best_id: Vec<&'a mut [VertexId]>,
}

/// Relaxes every line of a dimension whose stride `s` is a multiple of `tile`.
fn relax_dimension(
    loss: &[f64],
    best_loss: &mut [f64],
    best_id: &mut [VertexId],
    k: usize,
    s: usize,
    tile: usize,
) {
    let group = k * s;
    let tiles_per_row = s / tile;
    let mut tiles: Vec<Tile> = Vec::new();
    for (g, ((l, bl), bi)) in loss
        .chunks(group)
        .zip(best_loss.chunks_mut(group))
        .zip(best_id.chunks_mut(group))
        .enumerate()
    {
        let base = tiles.len();
        for t in 0..tiles_per_row {
            tiles.push(Tile {
                first: (g * group + t * tile) as VertexId,
                loss: Vec::with_capacity(k),
                best_loss: Vec::with_capacity(k),
                best_id: Vec::with_capacity(k),
            });
        }
        for ((lrow, blrow), birow) in l.chunks(s).zip(bl.chunks_mut(s)).zip(bi.chunks_mut(s)) {
            for (t, ((lt, blt), bit)) in lrow
                .chunks(tile)
                .zip(blrow.chunks_mut(tile))
                .zip(birow.chunks_mut(tile))
                .enumerate()
            {
                let tile = &mut tiles[base + t];
                tile.loss.push(lt);
                tile.best_loss.push(blt);
                tile.best_id.push(bit);
            }
        }
    }
    tiles.into_par_iter().for_each(|mut t| {
        for j in 0..tile {
            let (a, b) = top_two((0..k).map(|c| Candidate {
                loss: t.loss[c][j],
                id: t.first + (c * s + j) as VertexId,
            }));
            for c in 0..k {
                let other = if a.id == t.first + (c * s + j) as VertexId {
                    b
                } else {
                    a
                };
                offer(other, &mut t.best_loss[c][j], &mut t.best_id[c][j]);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::explicit;

    #[test]
    fn streaming_equals_explicit_on_small_spaces() {
        for spec in ["2^3", "3x4x5", "5^6", "2^15", "4^8", "7x2x3x9x2x5"] {
            let space = ProductSpace::parse(spec).unwrap();
            let loss: Vec<f64> = (0..space.len())
                .map(|v| ((v as u64 * 2654435761) % 97) as f64)
                .collect();
            assert_eq!(step(&space, &loss), explicit::step(&space, &loss), "{spec}");
        }
    }
}
