//! Basin-transition edges (Verel, Ochoa & Tomassini): w(i → j) is the probability that a
//! uniformly random neighbour of a uniformly random vertex of basin i lies in basin j,
//! (1/|B_i|) Σ_{v ∈ B_i} |N(v) ∩ B_j| / deg(v).
//!
//! Each source sums its own vertices in id order, so the weights do not depend on the
//! thread count. A vertex without neighbours stays where it is (it counts for i → i).

use super::edges::{Edges, Piece, Tally};
use super::nodes::Nodes;
use crate::space::Neighbourhood;
use rayon::prelude::*;

const CHUNK: usize = 64;

/// The basin-transition edges of every node.
pub fn edges<N: Neighbourhood>(space: &N, nodes: &Nodes) -> Edges {
    let (offsets, members) = nodes.basins();
    let pieces: Vec<Piece<f64>> = (0..nodes.len())
        .into_par_iter()
        .step_by(CHUNK)
        .map_init(
            || Tally::<f64>::new(nodes.len()),
            |tally, start| {
                let mut piece = Piece::default();
                for i in start..(start + CHUNK).min(nodes.len()) {
                    let basin = &members[offsets[i] as usize..offsets[i + 1] as usize];
                    let size = basin.len() as f64;
                    for &v in basin {
                        let deg = space.degree(v);
                        if deg == 0 {
                            tally.add(i as u32, 1.0 / size);
                            continue;
                        }
                        let share = 1.0 / (deg as f64 * size);
                        space
                            .for_each_neighbour(v, |u| tally.add(nodes.node_of[u as usize], share));
                    }
                    let before = piece.dst.len();
                    tally.drain(|j, w| {
                        piece.dst.push(j);
                        piece.weight.push(w);
                    });
                    piece.len.push((piece.dst.len() - before) as u32);
                    piece.total.push(1.0);
                }
                piece
            },
        )
        .collect();
    Edges::concat(pieces)
}
