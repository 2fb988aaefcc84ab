//! The shape of the built neighbour graph: degree distribution and symmetry.
//!
//! The neighbour relation is not symmetric: removing an edge can leave vertices on no
//! input→output path, which pruning deletes, and no single move adds a vertex back. Local
//! search follows out-neighbours N(v) as built, so a one-way arc v → u lets v step to u
//! but not u to v; nothing is symmetrised. This module measures how much that matters.

use super::{Nb101, VertexId};
use crate::space::{Csr, Neighbourhood};
use rayon::prelude::*;
use serde::Serialize;

/// Degree distribution and symmetry of a neighbour graph.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Shape {
    /// `histogram[d]` = number of vertices with out-degree d.
    pub degree_histogram: Vec<usize>,
    /// Fewest out-neighbours of any vertex.
    pub min_degree: usize,
    /// Most out-neighbours of any vertex.
    pub max_degree: usize,
    /// Mean out-degree.
    pub mean_degree: f64,
    /// Number of arcs v → u (u ∈ N(v)).
    pub arcs: usize,
    /// Arcs v → u whose reverse u → v is absent.
    pub one_way_arcs: usize,
    /// Vertices with at least one one-way out-arc.
    pub vertices_with_one_way_arcs: usize,
    /// `cells_by_vertices[k]` = number of cells with k vertices (input and output included).
    pub cells_by_vertices: Vec<usize>,
}

/// Measures `space`'s neighbour graph.
pub fn shape(space: &Nb101) -> Shape {
    let csr = space.csr();
    let mut cells_by_vertices = vec![0; super::cell::MAX_VERTICES + 1];
    for v in 0..space.len() as VertexId {
        cells_by_vertices[space.class(v).n()] += 1;
    }
    Shape {
        cells_by_vertices,
        ..graph_shape(csr)
    }
}

/// Degree distribution and symmetry of any CSR graph (lists must be sorted by id).
pub(crate) fn graph_shape(csr: &Csr) -> Shape {
    let n = csr.len();
    let degrees: Vec<usize> = (0..n as VertexId).map(|v| csr.degree(v)).collect();
    let max_degree = degrees.iter().copied().max().unwrap_or(0);
    let min_degree = degrees.iter().copied().min().unwrap_or(0);
    let mut degree_histogram = vec![0; max_degree + 1];
    for &d in &degrees {
        degree_histogram[d] += 1;
    }
    let arcs = csr.targets().len();
    let one_way: Vec<usize> = (0..n as VertexId)
        .into_par_iter()
        .map(|v| {
            csr.neighbours(v)
                .iter()
                .filter(|&&u| csr.neighbours(u).binary_search(&v).is_err())
                .count()
        })
        .collect();
    Shape {
        degree_histogram,
        min_degree,
        max_degree,
        mean_degree: if n == 0 { 0.0 } else { arcs as f64 / n as f64 },
        arcs,
        one_way_arcs: one_way.iter().sum(),
        vertices_with_one_way_arcs: one_way.iter().filter(|&&k| k > 0).count(),
        cells_by_vertices: Vec::new(),
    }
}
