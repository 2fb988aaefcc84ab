//! Search spaces: who is whose neighbour, and how an architecture string names a vertex.
//!
//! Every analysis in nasland asks a space one question — "who are the neighbours of v?" —
//! through [`Neighbourhood`]. Product spaces answer it by arithmetic on the vertex id, so
//! nothing is stored; explicit graphs (NAS-Bench-101, user edge lists, packed tables)
//! answer it from an adjacency structure.

pub mod graph;
pub mod nb101;
pub mod nb101_labelled;
pub mod nbgraph;
pub mod product;
pub mod random_regular;
pub(crate) mod reversed;

pub use graph::Csr;
pub use product::{ParseError, ParseErrorKind, ProductSpace};

/// Vertex ids are dense `0..n`; `u32` holds every enumerable NAS space (n < 2^32) at
/// half the memory of `usize` in the per-vertex arrays.
pub type VertexId = u32;

/// The neighbourhood relation of a space, as every analysis pass consumes it.
///
/// Implementations must be cheap to query from many threads at once: the landscape
/// passes call [`Neighbourhood::for_each_neighbour`] once per vertex in parallel.
pub trait Neighbourhood: Sync {
    /// Number of vertices `n`; ids are `0..n`.
    fn len(&self) -> usize;

    /// True when the space has no vertex.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of neighbours of `v`.
    fn degree(&self, v: VertexId) -> usize;

    /// Calls `f` once for every neighbour of `v` (never `v` itself, no repeats).
    fn for_each_neighbour<F: FnMut(VertexId)>(&self, v: VertexId, f: F);

    /// True when u ∈ N(v) ⇔ v ∈ N(u). Local search follows arcs from v to its
    /// neighbours; an algorithm that walks them backwards (distances *to* an optimum,
    /// two-hop covariances) must know whether that is the same walk.
    fn is_symmetric(&self) -> bool;

    /// `Some(d)` when every vertex is known to have degree d without asking each one (a
    /// product space, or a table whose header says so): the degree statistics then cost
    /// nothing instead of a pass over n vertices. `None` promises nothing; the answers are the same either way.
    fn regular_degree(&self) -> Option<usize> {
        None
    }

    /// The space as a [`ProductSpace`], when it is one: statistics with a faster exact
    /// form on a product (a Hamming distance instead of a BFS, sums over lines) take it.
    fn as_product(&self) -> Option<&ProductSpace> {
        None
    }
}

/// `histogram[d]` = number of vertices of degree d. Integer counts, so the parallel
/// reduction is exact and deterministic.
pub fn degree_histogram<N: Neighbourhood>(space: &N) -> Vec<u64> {
    use rayon::prelude::*;
    if let (Some(d), n @ 1..) = (space.regular_degree(), space.len()) {
        let mut h = vec![0; d + 1];
        h[d] = n as u64;
        return h;
    }
    (0..space.len() as VertexId)
        .into_par_iter()
        .with_min_len(4096)
        .fold(Vec::new, |mut h: Vec<u64>, v| {
            let d = space.degree(v);
            if h.len() <= d {
                h.resize(d + 1, 0);
            }
            h[d] += 1;
            h
        })
        .reduce(Vec::new, |mut a, b| {
            if a.len() < b.len() {
                a.resize(b.len(), 0);
            }
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
            a
        })
}

/// Degree distribution of a space.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct DegreeStats {
    /// Fewest neighbours of any vertex.
    pub min: usize,
    /// Most neighbours of any vertex.
    pub max: usize,
    /// Mean number of neighbours; the `s` a theory prediction uses for a regular space.
    pub mean: f64,
}
