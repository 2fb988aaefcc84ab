//! NAS-Bench-101: the 423,624 cells, their neighbours, and the benchmark's own keys.
//!
//! NAS-Bench-101 is not a product space. A cell is a DAG of at most 7 vertices and 9
//! edges from an input to an output vertex, with one of three operations on each vertex
//! between; vertices on no input→output path are pruned, and isomorphic cells are one
//! architecture. [`Nb101::build`] constructs the whole space in a few seconds:
//!
//! 1. [`enumerate`] walks every labelled cell and merges isomorphs by the exact
//!    [`canonical()`] form (not by a hash);
//! 2. [`hash`] gives each class the official module hash, the key of the benchmark's own
//!    tables; vertex ids are the ranks of these keys (vertex 0 has the smallest hash), and
//!    the build fails if two classes share a hash;
//! 3. [`neighbours`] lists, for every cell, the cells one move away (docs/NB101.md states
//!    the rule), stored as a [`Csr`] with each list sorted by id.
//!
//! ```no_run
//! use nasland_core::space::nb101::Nb101;
//! let space = Nb101::build(&nasland_core::progress::Silent).unwrap();
//! assert_eq!(space.len(), 423_624);
//! let v = space.id_of_hash("00005c142e6f48ac74fdcf73e3439874").unwrap();
//! println!("{} has {} neighbours", space.cell(v), space.csr().neighbours(v).len());
//! ```

// Vertex indices address several per-vertex arrays and bit masks at once here.
#![allow(clippy::needless_range_loop)]

pub mod canonical;
pub mod cell;
pub mod enumerate;
pub mod hash;
pub mod index;
pub mod neighbours;
pub mod shape;

pub use canonical::{canonical, CanonicalKey};
pub use cell::Cell;
pub use hash::module_hash;

use super::{Csr, VertexId};
use crate::progress::Progress;
use anyhow::{bail, Result};
use rayon::prelude::*;
use std::time::Instant;

/// The number of unique cells the benchmark reports.
pub const NUM_CELLS: usize = 423_624;

/// The whole NAS-Bench-101 space: keys, cells and neighbour lists, indexed by vertex id.
#[derive(Clone, Debug)]
pub struct Nb101 {
    /// Official module hash of each vertex, ascending.
    keys: Vec<String>,
    /// Canonical form of each vertex.
    classes: Vec<CanonicalKey>,
    /// All canonical forms ascending, and the vertex id of each: the lookup by cell.
    sorted_classes: Vec<CanonicalKey>,
    id_of_sorted: Vec<VertexId>,
    csr: Csr,
    stats: BuildStats,
}

/// What the build counted and how long each phase took.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct BuildStats {
    /// Labelled cells walked (vertex-ordered matrices × op assignments).
    pub labelled_cells: u64,
    /// Isomorphism classes found by the canonical form.
    pub classes: usize,
    /// Distinct module hashes among the classes (equal to `classes` when the hash has no
    /// collision on the space; the build fails otherwise).
    pub distinct_hashes: usize,
    /// Wall time of the enumeration of labelled cells.
    pub enumerate_seconds: f64,
    /// Wall time of hashing the classes.
    pub hash_seconds: f64,
    /// Wall time of building the neighbour lists.
    pub neighbours_seconds: f64,
}

impl Nb101 {
    /// Builds the space, telling `progress` how far each of its three stages has come
    /// (pass [`crate::progress::Silent`] for none).
    pub fn build(progress: &dyn Progress) -> Result<Self> {
        let bar = |len: u64, what: &str| {
            progress.stage(what, len);
            progress
        };
        let mut stats = BuildStats::default();

        let t = Instant::now();
        let pb = bar(6, "cells n=2..7");
        let (sorted_classes, labelled) = enumerate::all_classes(|_| pb.advance(1));
        pb.finish();
        stats.labelled_cells = labelled;
        stats.classes = sorted_classes.len();
        stats.enumerate_seconds = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let pb = bar(sorted_classes.len() as u64, "hashes");
        let hashes: Vec<hash::Hex> = sorted_classes
            .par_chunks(4096)
            .flat_map_iter(|chunk| {
                pb.advance(chunk.len() as u64);
                chunk.iter().map(|k| hash::module_hash_hex(&k.cell()))
            })
            .collect();
        pb.finish();
        let mut by_hash: Vec<u32> = (0..sorted_classes.len() as u32).collect();
        by_hash.par_sort_unstable_by_key(|&i| hashes[i as usize]);
        let mut id_of_sorted = vec![0 as VertexId; sorted_classes.len()];
        for (id, &i) in by_hash.iter().enumerate() {
            id_of_sorted[i as usize] = id as VertexId;
        }
        let collisions: Vec<(u32, u32)> = by_hash
            .windows(2)
            .filter(|w| hashes[w[0] as usize] == hashes[w[1] as usize])
            .map(|w| (w[0], w[1]))
            .collect();
        stats.distinct_hashes = sorted_classes.len() - collisions.len();
        if let Some(&(a, b)) = collisions.first() {
            bail!(
                "{} pairs of non-isomorphic cells share a module hash, e.g. {} and {} (hash {}); \
                 the hash cannot serve as a key",
                collisions.len(),
                sorted_classes[a as usize].cell(),
                sorted_classes[b as usize].cell(),
                String::from_utf8_lossy(&hashes[a as usize])
            );
        }
        let keys: Vec<String> = by_hash
            .iter()
            .map(|&i| String::from_utf8_lossy(&hashes[i as usize]).into_owned())
            .collect();
        let classes: Vec<CanonicalKey> = by_hash
            .iter()
            .map(|&i| sorted_classes[i as usize])
            .collect();
        stats.hash_seconds = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let pb = bar(classes.len() as u64, "neighbours");
        let index = index::ClassIndex::new(&sorted_classes, &id_of_sorted);
        let parts: Vec<(Vec<u32>, Vec<VertexId>, usize)> = classes
            .par_chunks(4096)
            .enumerate()
            .map(|(chunk_index, chunk)| {
                let mut degrees = Vec::with_capacity(chunk.len());
                let mut targets = Vec::with_capacity(chunk.len() * 24);
                let mut missing = 0;
                let mut moves = Vec::with_capacity(64);
                for (i, key) in chunk.iter().enumerate() {
                    let v = (chunk_index * 4096 + i) as VertexId;
                    moves.clear();
                    neighbours::for_each_move(&key.cell(), |c| moves.push(canonical(&c)));
                    moves.sort_unstable();
                    moves.dedup();
                    let start = targets.len();
                    for &m in &moves {
                        match index.get(m) {
                            Some(u) if u != v => targets.push(u),
                            Some(_) => {}
                            None => missing += 1,
                        }
                    }
                    targets[start..].sort_unstable();
                    degrees.push((targets.len() - start) as u32);
                }
                pb.advance(chunk.len() as u64);
                (degrees, targets, missing)
            })
            .collect();
        pb.finish();
        let missing: usize = parts.iter().map(|p| p.2).sum();
        if missing > 0 {
            bail!(
                "{missing} moves led outside the enumerated space: the enumeration is incomplete"
            );
        }
        let mut offsets = Vec::with_capacity(classes.len() + 1);
        let mut end = 0u64;
        offsets.push(end);
        let mut targets = Vec::with_capacity(parts.iter().map(|p| p.1.len()).sum());
        for (degrees, t, _) in parts {
            for d in degrees {
                end += d as u64;
                offsets.push(end);
            }
            targets.extend(t);
        }
        let csr = Csr::new(offsets, targets)?;
        stats.neighbours_seconds = t.elapsed().as_secs_f64();

        Ok(Nb101 {
            keys,
            classes,
            sorted_classes,
            id_of_sorted,
            csr,
            stats,
        })
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when there is no cell (never, for a built space).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The official module hash of every vertex, ascending (vertex id = rank).
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The neighbour lists (out-neighbours; see [`shape`] on symmetry).
    pub fn csr(&self) -> &Csr {
        &self.csr
    }

    /// The canonical cell of vertex `v` (upper-triangular matrix).
    pub fn cell(&self, v: VertexId) -> Cell {
        self.classes[v as usize].cell()
    }

    /// The canonical form of vertex `v`.
    pub fn class(&self, v: VertexId) -> CanonicalKey {
        self.classes[v as usize]
    }

    /// The vertex whose module hash is `key`.
    pub fn id_of_hash(&self, key: &str) -> Option<VertexId> {
        self.keys
            .binary_search_by(|k| k.as_str().cmp(key))
            .ok()
            .map(|i| i as VertexId)
    }

    /// The vertex of any cell isomorphic to `cell` after pruning; `None` when the pruned
    /// cell is outside the space (disconnected, or more than 9 edges).
    pub fn id_of_cell(&self, cell: &Cell) -> Option<VertexId> {
        let pruned = cell.prune()?;
        if !pruned.is_in_space() {
            return None;
        }
        self.sorted_classes
            .binary_search(&canonical(&pruned))
            .ok()
            .map(|i| self.id_of_sorted[i])
    }

    /// Counts and timings of the build.
    pub fn stats(&self) -> BuildStats {
        self.stats
    }

    /// The keys and the neighbour lists, for packing into a table file.
    pub fn into_parts(self) -> (Vec<String>, Csr) {
        (self.keys, self.csr)
    }
}

impl super::Neighbourhood for Nb101 {
    fn len(&self) -> usize {
        self.keys.len()
    }

    fn degree(&self, v: VertexId) -> usize {
        self.csr.degree(v)
    }

    fn for_each_neighbour<F: FnMut(VertexId)>(&self, v: VertexId, f: F) {
        self.csr.for_each_neighbour(v, f)
    }

    fn is_symmetric(&self) -> bool {
        self.csr.is_symmetric()
    }
}
