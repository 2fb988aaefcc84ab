//! NAS-Bench-Graph: the benchmark's GNN cells, its canonical hash, and their neighbours.
//!
//! A cell has 4 layers; each reads the input or an earlier layer ([`labelled`]) and
//! applies one op of the list (9 ops, or 5 for the proteins dataset). Many labelled forms
//! are one architecture; the benchmark names each by `Arch.valid_hash()`, reproduced here
//! from its definition ([`canonical`], [`hash`]). [`NbGraph::build`] enumerates every
//! labelled form, merges them into classes, and joins classes one move apart
//! ([`neighbours`]); docs/NBGRAPH.md states every rule and the resulting degrees.
//!
//! Vertex ids are the ranks of the hashes (vertex 0 has the smallest hash); the hashes
//! are sparse, so they serve as keys, not as ids.
//!
//! ```
//! use nasland_core::space::nbgraph::{NbGraph, OpList};
//! let space = NbGraph::build(OpList::Full);
//! assert_eq!(space.len(), 26_206);
//! let v = space.id_of_key("10000").unwrap();
//! assert_eq!(space.class(v).link_string(), "0-0-0-1");
//! ```

mod error;

pub mod canonical;
pub mod hash;
pub mod labelled;
pub mod neighbours;

pub use canonical::canonical;
pub use error::{Error, ErrorKind};
pub use labelled::{Labelled, OpList};

use super::{Csr, VertexId};

/// Number of architectures over the 9-op list, as the benchmark reports.
pub const NUM_CLASSES_FULL: usize = 26_206;
/// Number of architectures over the 5-op proteins list.
pub const NUM_CLASSES_PROTEINS: usize = 2_021;

/// The whole space over one op list: hashes, canonical forms and neighbour lists,
/// indexed by vertex id.
#[derive(Clone, Debug)]
pub struct NbGraph {
    list: OpList,
    /// The benchmark hash of each vertex, ascending.
    hashes: Vec<u32>,
    csr: Csr,
    labelled_forms: u64,
}

impl NbGraph {
    /// Enumerates the space over `list` (tens of milliseconds).
    // Both expects check the enumeration against itself (no input is read): every class
    // edge joins two enumerated classes, each edge once.
    #[allow(clippy::expect_used)]
    pub fn build(list: OpList) -> Self {
        let mut hashes: Vec<u32> = labelled::all_labelled(list)
            .iter()
            .map(|x| key_of(&canonical(x)))
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        let (edges, labelled_forms) = neighbours::class_edges(list, key_of);
        let id = |h: u32| {
            hashes
                .binary_search(&h)
                .expect("every class was enumerated") as u32
        };
        let edges: Vec<(VertexId, VertexId)> = edges.iter().map(|&(a, b)| (id(a), id(b))).collect();
        let csr = Csr::from_undirected_edges(hashes.len(), &edges)
            .expect("class edges join distinct enumerated classes, once each");
        NbGraph {
            list,
            hashes,
            csr,
            labelled_forms,
        }
    }

    /// The op list the space was built over.
    pub fn op_list(&self) -> OpList {
        self.list
    }

    /// Number of architectures (classes).
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when there is no architecture (never, for a built space).
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Labelled forms walked to build the space.
    pub fn labelled_forms(&self) -> u64 {
        self.labelled_forms
    }

    /// The benchmark hash of every vertex, ascending (vertex id = rank).
    pub fn hashes(&self) -> &[u32] {
        &self.hashes
    }

    /// The keys of every vertex: the hashes as decimal strings.
    pub fn keys(&self) -> Vec<String> {
        self.hashes.iter().map(u32::to_string).collect()
    }

    /// The neighbour lists (symmetric, each sorted by id).
    pub fn csr(&self) -> &Csr {
        &self.csr
    }

    /// Splits the space into its keys and neighbour lists.
    pub fn into_parts(self) -> (Vec<String>, Csr) {
        (self.keys(), self.csr)
    }

    /// The canonical form of vertex `v`: the `link` and `ops` the benchmark's tables list.
    // `hashes` holds only hashes made by key_of from canonical forms, which decode.
    #[allow(clippy::expect_used)]
    pub fn class(&self, v: VertexId) -> Labelled {
        hash::unhash(self.hashes[v as usize]).expect("stored hashes decode")
    }

    /// The vertex whose hash is `h`.
    pub fn id_of_hash(&self, h: u32) -> Option<VertexId> {
        self.hashes.binary_search(&h).ok().map(|i| i as VertexId)
    }

    /// The vertex whose key (hash as a decimal string) is `key`.
    pub fn id_of_key(&self, key: &str) -> Result<VertexId, Error> {
        key.trim()
            .parse::<u32>()
            .ok()
            .and_then(|h| self.id_of_hash(h))
            .ok_or_else(|| Error::new(ErrorKind::Hash(key.to_string())))
    }

    /// The vertex of any labelled form over this space's op list.
    pub fn id_of_labelled(&self, x: &Labelled) -> Option<VertexId> {
        if !x.ops.iter().all(|&op| self.list.contains(op)) {
            return None;
        }
        self.id_of_hash(key_of(&canonical(x)))
    }
}

/// The hash of a canonical form (its link vector is always a pattern).
// Callers pass canonical() forms only, whose link vector is a pattern.
#[allow(clippy::expect_used)]
fn key_of(c: &Labelled) -> u32 {
    hash::hash(c).expect("canonical forms have a pattern link vector")
}
