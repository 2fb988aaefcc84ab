//! Search spaces: who is whose neighbour, and how an architecture string names a vertex.
//!
//! Every analysis in nasland asks a space one question — "who are the neighbours of v?" —
//! through [`Neighbourhood`]. Product spaces answer it by arithmetic on the vertex id, so
//! nothing is stored; explicit graphs (NAS-Bench-101, user edge lists, packed tables)
//! answer it from an adjacency structure.

pub mod graph;
pub mod nb101;
pub mod product;
pub mod random_regular;

pub use graph::Csr;
pub use product::ProductSpace;

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
}

/// `histogram[d]` = number of vertices of degree d. Integer counts, so the parallel
/// reduction is exact and deterministic.
pub fn degree_histogram<N: Neighbourhood>(space: &N) -> Vec<u64> {
    use rayon::prelude::*;
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

/// Any space nasland can analyse. Generic algorithms take it as a [`Neighbourhood`];
/// the landscape pass picks the fastest kernel for each kind.
#[derive(Clone, Debug)]
pub enum Space {
    /// A categorical product, neighbours computed.
    Product(ProductSpace),
    /// An explicit graph read in place from a `.nasl` table (any space).
    Graph(crate::table::PackedGraph),
}

/// Degree distribution of a space.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct DegreeStats {
    pub min: usize,
    pub max: usize,
    pub mean: f64,
}

impl Space {
    /// The space's name as the user wrote it (`nb201`, `5^9`, a file name, …).
    pub fn name(&self) -> String {
        match self {
            Space::Product(p) => p.name().to_string(),
            Space::Graph(g) => g.name().to_string(),
        }
    }

    /// The architecture string of vertex `v`.
    pub fn arch(&self, v: VertexId) -> String {
        match self {
            Space::Product(p) => p.encode(v),
            Space::Graph(g) => g.key(v),
        }
    }

    /// The exact best-improvement landscape of `loss` on this space.
    pub fn landscape(&self, loss: &[f64]) -> crate::landscape::Landscape {
        match self {
            Space::Product(p) => crate::landscape::Landscape::of_product(p, loss),
            Space::Graph(g) => crate::landscape::Landscape::of_graph(g, loss),
        }
    }

    /// Minimum, maximum and mean degree.
    pub fn degree_stats(&self) -> DegreeStats {
        match self {
            Space::Product(p) => {
                let s = p.uniform_degree();
                DegreeStats {
                    min: s,
                    max: s,
                    mean: s as f64,
                }
            }
            Space::Graph(g) => g.degree_stats(),
        }
    }

    /// E[#local minima] under iid continuous losses, Σ_v 1/(deg(v) + 1): n/(s + 1) for a
    /// product space, summed per degree otherwise.
    pub fn expected_iid_local_minima(&self) -> f64 {
        match self {
            Space::Product(p) => p.len() as f64 / (p.uniform_degree() as f64 + 1.0),
            Space::Graph(g) => crate::theory::iid::expected_local_minima(g),
        }
    }

    /// Standard deviation of the local-minima count under iid losses, where it is known
    /// in closed form (product spaces).
    pub fn iid_local_minima_sd(&self) -> Option<f64> {
        match self {
            Space::Product(p) => {
                Some(crate::theory::iid::hamming_local_minima_variance(p.radices()).sqrt())
            }
            Space::Graph(g) => {
                crate::theory::iid_graph::local_minima_variance_if_cheap(g).map(f64::sqrt)
            }
        }
    }

    /// A sound upper bound on that standard deviation for graphs whose exact variance is
    /// not computed — directed ones such as NAS-Bench-101 ([`crate::theory::iid_directed`]).
    /// `exact_sd` is [`Space::iid_local_minima_sd`]'s answer.
    pub fn iid_local_minima_sd_bound(&self, exact_sd: Option<f64>) -> Option<f64> {
        match self {
            Space::Graph(g) if exact_sd.is_none() => {
                Some(crate::theory::iid_directed::local_minima_variance_bound_of(g).sqrt())
            }
            _ => None,
        }
    }
}

impl Neighbourhood for Space {
    fn len(&self) -> usize {
        match self {
            Space::Product(p) => p.len(),
            Space::Graph(g) => g.len(),
        }
    }

    fn degree(&self, v: VertexId) -> usize {
        match self {
            Space::Product(p) => p.degree(v),
            Space::Graph(g) => g.degree(v),
        }
    }

    fn for_each_neighbour<F: FnMut(VertexId)>(&self, v: VertexId, f: F) {
        match self {
            Space::Product(p) => p.for_each_neighbour(v, f),
            Space::Graph(g) => g.for_each_neighbour(v, f),
        }
    }
}
