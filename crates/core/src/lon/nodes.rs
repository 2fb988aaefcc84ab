//! The nodes of a LON: the local minima (LS(v) = v), numbered in vertex-id order.

use crate::landscape::Landscape;
use crate::space::VertexId;
use rayon::prelude::*;

/// The minima with their losses and basins, and which node every vertex descends to.
#[derive(Clone, Debug, PartialEq)]
pub struct Nodes {
    /// The vertex of each node, ascending.
    pub vertex: Vec<VertexId>,
    /// The loss of each node's vertex (lower is better).
    pub loss: Vec<f64>,
    /// Basin size of each node: vertices v with LS*(v) = the node, itself included.
    pub basin: Vec<u64>,
    /// For every vertex v, the node LS*(v): the one lookup an escape edge needs.
    pub node_of: Vec<u32>,
}

impl Nodes {
    /// Reads the minima and basins off a landscape of `loss`.
    pub fn new(land: &Landscape, loss: &[f64]) -> Self {
        // A node's id is its rank among the minima. Ranks come from a bitmap of the
        // minima with a running count per 64 vertices (a quarter byte a vertex, in
        // cache), where an n-sized id array would be one more fresh 4-byte-a-vertex
        // array and a cache miss per lookup.
        let ls = &land.ls;
        let mut blocks: Vec<[u64; 2]> = ls
            .par_chunks(64)
            .enumerate()
            .map(|(b, chunk)| {
                let mut bits = 0u64;
                for (r, &x) in chunk.iter().enumerate() {
                    bits |= ((x as usize == b * 64 + r) as u64) << r;
                }
                [bits, 0]
            })
            .collect();
        let mut before = 0u64;
        for block in &mut blocks {
            block[1] = before;
            before += block[0].count_ones() as u64;
        }
        let vertex: Vec<VertexId> = blocks
            .par_iter()
            .enumerate()
            .flat_map_iter(|(b, block)| {
                let mut bits = block[0];
                std::iter::from_fn(move || {
                    (bits != 0).then(|| {
                        let r = bits.trailing_zeros();
                        bits &= bits - 1;
                        (b * 64) as VertexId + r
                    })
                })
            })
            .collect();
        let node_of: Vec<u32> = land
            .ls_star
            .par_iter()
            .with_min_len(1 << 14)
            .map(|&m| {
                let [bits, before] = blocks[m as usize >> 6];
                let below = bits & ((1u64 << (m & 63)) - 1);
                (before + below.count_ones() as u64) as u32
            })
            .collect();
        let basin = node_of
            .par_chunks(1 << 16)
            .fold(
                || vec![0u64; vertex.len()],
                |mut h, chunk| {
                    for &i in chunk {
                        h[i as usize] += 1;
                    }
                    h
                },
            )
            .reduce(
                || vec![0u64; vertex.len()],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    a
                },
            );
        let loss = vertex.iter().map(|&m| loss[m as usize]).collect();
        Nodes {
            vertex,
            loss,
            basin,
            node_of,
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.vertex.len()
    }

    /// True when there is no node (an empty space).
    pub fn is_empty(&self) -> bool {
        self.vertex.is_empty()
    }

    /// Number of vertices of the space.
    pub fn vertices(&self) -> usize {
        self.node_of.len()
    }

    /// The lowest loss, the global optimum's.
    pub fn best_loss(&self) -> f64 {
        self.loss.iter().cloned().fold(f64::INFINITY, f64::min)
    }

    /// The vertices of each node's basin, grouped by node in vertex order: `(offsets,
    /// members)` with node i's basin at `members[offsets[i]..offsets[i + 1]]`.
    pub fn basins(&self) -> (Vec<u64>, Vec<VertexId>) {
        let mut offsets = Vec::with_capacity(self.len() + 1);
        let mut end = 0u64;
        offsets.push(end);
        for &b in &self.basin {
            end += b;
            offsets.push(end);
        }
        let mut fill = offsets.clone();
        let mut members = vec![0; self.vertices()];
        for (v, &i) in self.node_of.iter().enumerate() {
            members[fill[i as usize] as usize] = v as VertexId;
            fill[i as usize] += 1;
        }
        (offsets, members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::{Neighbourhood, ProductSpace};
    use rand::{Rng, SeedableRng};

    /// Node ids from the bitmap ranks equal the positions in the list of minima, on
    /// sizes that leave a partial last block, with tied losses (plateau minima).
    #[test]
    fn node_ids_are_ranks_among_the_minima() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for spec in ["3^5", "5x3x7", "2^9", "4^6"] {
            let space = ProductSpace::parse(spec).unwrap();
            let loss: Vec<f64> = (0..space.len())
                .map(|_| rng.gen_range(0..6) as f64)
                .collect();
            let land = Landscape::of_product(&space, &loss);
            let nodes = Nodes::new(&land, &loss);
            let minima: Vec<VertexId> = (0..land.len() as VertexId)
                .filter(|&v| land.ls[v as usize] == v)
                .collect();
            assert_eq!(nodes.vertex, minima, "{spec}");
            for (v, &m) in land.ls_star.iter().enumerate() {
                let i = nodes.node_of[v] as usize;
                assert_eq!(nodes.vertex[i], m, "{spec}: vertex {v}");
            }
            let total: u64 = nodes.basin.iter().sum();
            assert_eq!(total as usize, space.len());
            for (i, &m) in nodes.vertex.iter().enumerate() {
                assert_eq!(nodes.loss[i], loss[m as usize]);
            }
        }
    }
}
