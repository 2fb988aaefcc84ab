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
        let vertex: Vec<VertexId> = (0..land.len() as VertexId)
            .into_par_iter()
            .filter(|&v| land.ls[v as usize] == v)
            .collect();
        let mut index = vec![u32::MAX; land.len()];
        for (i, &m) in vertex.iter().enumerate() {
            index[m as usize] = i as u32;
        }
        let node_of: Vec<u32> = land
            .ls_star
            .par_iter()
            .with_min_len(1 << 14)
            .map(|&m| index[m as usize])
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
