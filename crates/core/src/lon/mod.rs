//! Exact local optima networks (LONs): every local minimum, every escape route, funnels,
//! and the exact success of iterated local search (ILS) on them.
//!
//! Sampling tools (Ochoa & Veerapen, PPSN 2022; lonkit) build a LON from a few thousand
//! ILS runs and cannot say what they missed. Here LS*(v) is already known for every
//! vertex, so each escape edge is a count over an explicit enumeration of perturbations
//! followed by one lookup, and each ILS statistic is the exact solution of an absorbing
//! Markov chain. Definitions and the solution method are written out in docs/LON.md.
//!
//! Modules, one job each:
//! - [`nodes`]: the minima, their values and basins, and the vertex → node map;
//! - [`perturb`]: which vertices a strength-D perturbation of a minimum can reach;
//! - [`escape`] and [`basin`]: the two edge models, as [`Edges`] in CSR form;
//! - [`edges`]: that CSR form and the improving / equal / worsening / self types;
//! - [`compress`]: the MLON, the CMLON and its funnels; [`summary`]: their censuses;
//! - [`chain`]: ILS as an absorbing Markov chain, solved per strongly connected group
//!   with the dense or iterative solvers of [`linear`].

pub mod basin;
pub mod chain;
pub mod compress;
pub mod edges;
pub mod error;
pub mod escape;
pub mod linear;
pub mod nodes;
pub mod perturb;
pub mod summary;

pub use chain::{Accept, Chain};
pub use compress::Cmlon;
pub use edges::{EdgeKind, Edges};
pub use error::Error;
pub use nodes::Nodes;
pub use summary::Census;

use crate::landscape::Landscape;
use crate::space::{Neighbourhood, ProductSpace};

/// Which edges join the minima.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeModel {
    /// Perturbation of strength D, then local search (Ochoa et al.'s escape edges).
    Escape {
        /// Positions changed (product spaces) or distance (graphs).
        strength: usize,
    },
    /// A uniformly random neighbour of a uniformly random basin vertex (Verel, Ochoa &
    /// Tomassini's basin-transition edges).
    Basin,
}

/// A local optima network: nodes and weighted, typed edges.
#[derive(Clone, Debug)]
pub struct Lon {
    /// The minima, their values and basins.
    pub nodes: Nodes,
    /// The weighted, typed edges between them, grouped by source.
    pub edges: Edges,
    /// The type of each edge ([`Edges::kinds`]), for the passes that read every edge.
    pub kinds: Vec<EdgeKind>,
}

impl Lon {
    /// The LON of a product space; escape perturbations change exactly D positions.
    pub fn of_product(
        space: &ProductSpace,
        loss: &[f64],
        land: &Landscape,
        model: EdgeModel,
    ) -> Result<Self, Error> {
        let nodes = Nodes::new(land, loss);
        let edges = match model {
            EdgeModel::Escape { strength } => escape::product(space, &nodes, strength)?,
            EdgeModel::Basin => basin::edges(space, &nodes),
        };
        let kinds = edges.kinds(&nodes);
        Ok(Lon {
            nodes,
            edges,
            kinds,
        })
    }

    /// The LON of any neighbourhood; escape perturbations move to a vertex at distance
    /// exactly D along arcs.
    pub fn of_graph<N: Neighbourhood>(
        space: &N,
        loss: &[f64],
        land: &Landscape,
        model: EdgeModel,
    ) -> Result<Self, Error> {
        let nodes = Nodes::new(land, loss);
        let edges = match model {
            EdgeModel::Escape { strength } => escape::graph(space, &nodes, strength)?,
            EdgeModel::Basin => basin::edges(space, &nodes),
        };
        let kinds = edges.kinds(&nodes);
        Ok(Lon {
            nodes,
            edges,
            kinds,
        })
    }

    /// The type of edge `e`.
    pub fn kind(&self, _src: u32, e: usize) -> EdgeKind {
        self.kinds[e]
    }
}
