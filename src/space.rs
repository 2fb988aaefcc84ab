//! The spaces the application analyses: a product space computed on the fly, an
//! explicit graph read in place from a `.nasl` table, or one built in memory
//! (NAS-Bench-Graph). The core crate knows each kind on its own; this enum is where the
//! command line picks one.

pub use nasland_core::space::*;
use nasland_table::PackedGraph;

/// Any space nasland can analyse. Generic algorithms take it as a [`Neighbourhood`];
/// the landscape pass picks the fastest kernel for each kind.
#[derive(Clone, Debug)]
pub enum Space {
    /// A categorical product, neighbours computed.
    Product(ProductSpace),
    /// An explicit graph read in place from a `.nasl` table (any space).
    Graph(PackedGraph),
    /// An explicit graph built in memory, with a key per vertex (NAS-Bench-Graph).
    Explicit(Explicit),
}

/// A named graph held in memory: neighbour lists and the key of every vertex.
#[derive(Clone, Debug)]
pub struct Explicit {
    name: String,
    keys: Vec<String>,
    csr: Csr,
    /// Key → vertex id, for joining a table on its key column.
    id_of: std::collections::HashMap<String, VertexId>,
}

impl Explicit {
    /// A space called `name` whose vertex `v` has key `keys[v]` (keys distinct).
    pub fn new(name: impl Into<String>, keys: Vec<String>, csr: Csr) -> Self {
        debug_assert_eq!(keys.len(), csr.len());
        let id_of = keys
            .iter()
            .enumerate()
            .map(|(v, k)| (k.clone(), v as VertexId))
            .collect();
        Explicit {
            name: name.into(),
            keys,
            csr,
            id_of,
        }
    }

    /// Whether `name` is a built-in explicit space, without building it.
    pub fn is_builtin(name: &str) -> bool {
        matches!(name, "nbgraph" | "nbgraph-proteins")
    }

    /// The built-in space called `name`, if there is one: `nbgraph` (NAS-Bench-Graph,
    /// 9 ops) or `nbgraph-proteins` (5 ops); keys are the benchmark's hashes.
    pub fn builtin(name: &str) -> Option<Self> {
        let list = match name {
            "nbgraph" => nbgraph::OpList::Full,
            "nbgraph-proteins" => nbgraph::OpList::Proteins,
            _ => return None,
        };
        let (keys, csr) = nbgraph::NbGraph::build(list).into_parts();
        Some(Explicit::new(name, keys, csr))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key of every vertex, by id.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The vertex with key `key`.
    pub fn id_of(&self, key: &str) -> Option<VertexId> {
        self.id_of.get(key).copied()
    }

    pub fn csr(&self) -> &Csr {
        &self.csr
    }
}

impl Space {
    /// The space's name as the user wrote it (`nb201`, `5^9`, a file name, …).
    pub fn name(&self) -> String {
        match self {
            Space::Product(p) => p.name().to_string(),
            Space::Graph(g) => g.name().to_string(),
            Space::Explicit(e) => e.name.clone(),
        }
    }

    /// The architecture string of vertex `v`.
    pub fn arch(&self, v: VertexId) -> String {
        match self {
            Space::Product(p) => p.encode(v),
            Space::Graph(g) => g.key(v),
            Space::Explicit(e) => e.keys[v as usize].clone(),
        }
    }

    /// The exact best-improvement landscape of `loss` on this space.
    pub fn landscape(&self, loss: &[f64]) -> nasland_core::landscape::Landscape {
        match self {
            Space::Product(p) => nasland_core::landscape::Landscape::of_product(p, loss),
            Space::Graph(g) => nasland_core::landscape::Landscape::from_step(g.step(loss)),
            Space::Explicit(e) => nasland_core::landscape::Landscape::of_graph(&e.csr, loss),
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
            Space::Explicit(e) => {
                let h = degree_histogram(&e.csr);
                DegreeStats {
                    min: h.iter().position(|&c| c > 0).unwrap_or(0),
                    max: h.len().saturating_sub(1),
                    mean: e.csr.targets().len() as f64 / e.csr.len().max(1) as f64,
                }
            }
        }
    }

    /// E[#local minima] under iid continuous losses, Σ_v 1/(deg(v) + 1), summed per degree:
    /// n/(s + 1) without a pass over the vertices where every degree is s (a product
    /// space, or a table whose header says so).
    pub fn expected_iid_local_minima(&self) -> f64 {
        nasland_core::theory::iid::expected_local_minima(self)
    }

    /// Standard deviation of the local-minima count under iid losses, where it is known
    /// in closed form (product spaces).
    pub fn iid_local_minima_sd(&self) -> Option<f64> {
        match self {
            Space::Product(p) => {
                Some(nasland_core::theory::iid::hamming_local_minima_variance(p.radices()).sqrt())
            }
            Space::Graph(g) => {
                nasland_core::theory::iid_graph::local_minima_variance_if_cheap(g).map(f64::sqrt)
            }
            Space::Explicit(e) => {
                nasland_core::theory::iid_graph::local_minima_variance_if_cheap(&e.csr)
                    .map(f64::sqrt)
            }
        }
    }

    /// A sound upper bound on that standard deviation for graphs whose exact variance is
    /// not computed — directed ones such as NAS-Bench-101 ([`nasland_core::theory::iid_directed`]).
    /// `exact_sd` is [`Space::iid_local_minima_sd`]'s answer.
    pub fn iid_local_minima_sd_bound(&self, exact_sd: Option<f64>) -> Option<f64> {
        match self {
            Space::Graph(g) if exact_sd.is_none() => {
                Some(nasland_core::theory::iid_directed::local_minima_variance_bound_of(g).sqrt())
            }
            Space::Explicit(e) if exact_sd.is_none() => Some(
                nasland_core::theory::iid_directed::local_minima_variance_bound_of(&e.csr).sqrt(),
            ),
            _ => None,
        }
    }
}

impl Neighbourhood for Space {
    fn len(&self) -> usize {
        match self {
            Space::Product(p) => p.len(),
            Space::Graph(g) => g.len(),
            Space::Explicit(e) => e.csr.len(),
        }
    }

    fn degree(&self, v: VertexId) -> usize {
        match self {
            Space::Product(p) => p.degree(v),
            Space::Graph(g) => g.degree(v),
            Space::Explicit(e) => e.csr.degree(v),
        }
    }

    fn is_symmetric(&self) -> bool {
        match self {
            Space::Product(p) => p.is_symmetric(),
            Space::Graph(g) => g.is_symmetric(),
            Space::Explicit(e) => e.csr.is_symmetric(),
        }
    }

    fn regular_degree(&self) -> Option<usize> {
        match self {
            Space::Product(p) => p.regular_degree(),
            Space::Graph(g) => g.regular_degree(),
            Space::Explicit(_) => None,
        }
    }

    fn as_product(&self) -> Option<&ProductSpace> {
        match self {
            Space::Product(p) => Some(p),
            _ => None,
        }
    }

    fn for_each_neighbour<F: FnMut(VertexId)>(&self, v: VertexId, f: F) {
        match self {
            Space::Product(p) => p.for_each_neighbour(v, f),
            Space::Graph(g) => g.for_each_neighbour(v, f),
            Space::Explicit(e) => e.csr.for_each_neighbour(v, f),
        }
    }
}
