//! Escape edges: from each minimum, every strength-D perturbation followed by LS*.
//!
//! The weight of m → m' is the share of m's perturbations whose LS* is m', counted over
//! an explicit enumeration, so it is the exact transition probability of a uniformly
//! random perturbation followed by local search. LS* of every vertex is known, so each
//! perturbation costs one lookup in [`Nodes::node_of`].

use super::edges::{Edges, Piece, Tally};
use super::error::{Error, ErrorKind};
use super::nodes::Nodes;
use super::perturb::{self, Layers};
use crate::space::{Neighbourhood, ProductSpace};
use rayon::prelude::*;

/// Minima handled by one task: enough to amortise the task, few enough to balance.
const CHUNK: usize = 256;

/// Escape edges of a product space: perturbations change exactly `strength` positions.
pub fn product(space: &ProductSpace, nodes: &Nodes, strength: usize) -> Result<Edges, Error> {
    check_strength(strength, Some(space.radices().len()))?;
    let total = perturb::product_count(space, strength) as f64;
    let pieces = build(nodes, total as usize, |tally, buffer, m| {
        // Ids first, then their nodes: independent loads the CPU can overlap, where
        // tallying as we go would wait on each miss in turn.
        buffer.clear();
        perturb::for_each_product(space, m, strength, &mut |u| buffer.push(u));
        let node_of = &nodes.node_of;
        for u in buffer.iter_mut() {
            *u = node_of[*u as usize];
        }
        for &j in buffer.iter() {
            tally.add(j, 1u32);
        }
        total
    });
    Ok(Edges::concat(pieces))
}

/// Escape edges of any neighbourhood: perturbations move to a vertex at distance exactly
/// `strength` along arcs. A minimum with no vertex that far keeps a self-loop of weight 1:
/// no perturbation can move it.
pub fn graph<N: Neighbourhood>(space: &N, nodes: &Nodes, strength: usize) -> Result<Edges, Error> {
    check_strength(strength, None)?;
    let n = space.len();
    let pieces: Vec<Piece<u32>> = (0..nodes.len())
        .into_par_iter()
        .step_by(CHUNK)
        .map_init(
            || (Tally::<u32>::new(nodes.len()), Layers::new(n)),
            |(tally, layers), start| {
                let mut piece = Piece::default();
                for i in start..(start + CHUNK).min(nodes.len()) {
                    let node_of = &nodes.node_of;
                    let total = layers.for_each_at(space, nodes.vertex[i], strength, |u| {
                        tally.add(node_of[u as usize], 1u32)
                    });
                    if total == 0 {
                        tally.add(i as u32, 1);
                    }
                    push(&mut piece, tally, total.max(1) as f64);
                }
                piece
            },
        )
        .collect();
    Ok(Edges::concat(pieces))
}

/// Checks a strength before any work: not 0, and not above the `dimensions` positions
/// of a product space (`None` for a graph, where a minimum with nothing that far keeps a
/// self-loop). What [`product`] and [`graph`] refuse, for callers that refuse it first
/// (the command line's validation layer).
pub fn check_strength(strength: usize, dimensions: Option<usize>) -> Result<(), Error> {
    if strength == 0 {
        return Err(Error::new(ErrorKind::ZeroStrength));
    }
    match dimensions {
        Some(d) if strength > d => Err(Error::new(ErrorKind::StrengthAboveDimensions {
            strength,
            dimensions: d,
        })),
        _ => Ok(()),
    }
}

/// Runs `perturb(tally, buffer, minimum vertex)` for every node in parallel chunks; it
/// returns the number of perturbations it made. `per_node` sizes the buffers.
fn build<F>(nodes: &Nodes, per_node: usize, perturb: F) -> Vec<Piece<u32>>
where
    F: Fn(&mut Tally<u32>, &mut Vec<u32>, u32) -> f64 + Sync,
{
    (0..nodes.len())
        .into_par_iter()
        .step_by(CHUNK)
        .map_init(
            || (Tally::<u32>::new(nodes.len()), Vec::with_capacity(per_node)),
            |(tally, buffer), start| {
                let end = (start + CHUNK).min(nodes.len());
                let mut piece = Piece::default();
                for i in start..end {
                    let total = perturb(tally, buffer, nodes.vertex[i]);
                    push(&mut piece, tally, total);
                }
                piece
            },
        )
        .collect()
}

/// Appends one source's tallied counts to `piece`. After the first source of a piece,
/// room for the rest of the chunk at that source's rate is reserved (plus a quarter),
/// so a piece rarely grows by copying; reserved room that is never written costs no
/// memory.
fn push(piece: &mut Piece<u32>, tally: &mut Tally<u32>, total: f64) {
    let before = piece.dst.len();
    tally.drain(|j, count| {
        piece.dst.push(j);
        piece.weight.push(count);
    });
    let len = piece.dst.len() - before;
    if piece.len.is_empty() {
        let more = len * (CHUNK - 1) + len * CHUNK / 4;
        piece.dst.reserve(more);
        piece.weight.reserve(more);
    }
    piece.len.push(len as u32);
    piece.total.push(total);
}
