//! The local-search landscape: LS(v) for every vertex at once, then LS* and path lengths.
//!
//! Two kernels compute LS, one contract (DESIGN.md §1): LS(v) is the neighbour with the
//! lowest (loss, id) if its loss is strictly lower than v's, else v itself.
//! - [`product`]: product spaces, streamed one dimension at a time over the loss array,
//!   O(n·d) work instead of O(n·s) and no neighbour list;
//! - [`explicit`]: any [`Neighbourhood`], one parallel sweep over vertices.
//!
//! [`descent`] then follows LS to its fixed point by pointer jumping.

pub mod compact;
pub mod descent;
pub mod explicit;
mod lines;
pub mod loss;
pub mod product;
mod transpose;

pub use compact::{Compact, PathLengths};
pub use loss::Loss;

use crate::space::{Neighbourhood, ProductSpace, VertexId};

/// One best-improvement step from every vertex, and what it says about minima.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// LS(v) for every v.
    pub ls: Vec<VertexId>,
    /// Vertices with no strictly better neighbour (LS(v) = v).
    pub local_minima: usize,
    /// Vertices whose every neighbour is strictly worse.
    pub strict_local_minima: usize,
}

/// The whole deterministic best-improvement landscape of one loss vector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Landscape {
    /// LS(v), one step.
    pub ls: Vec<VertexId>,
    /// LS*(v), the local minimum that v descends to.
    pub ls_star: Vec<VertexId>,
    /// Number of LS steps from v to LS*(v).
    pub steps: Vec<u32>,
    /// Number of local minima (plateau minima included).
    pub local_minima: usize,
    /// Number of strict local minima.
    pub strict_local_minima: usize,
}

impl Landscape {
    /// Analyses a product space with the streaming per-dimension kernel.
    pub fn of_product<L: Loss>(space: &ProductSpace, loss: &[L]) -> Self {
        Self::from_step(product::step(space, loss))
    }

    /// Analyses any neighbourhood with the explicit per-vertex kernel.
    pub fn of_graph<N: Neighbourhood, L: Loss>(space: &N, loss: &[L]) -> Self {
        Self::from_step(explicit::step(space, loss))
    }

    /// Descends from one LS step computed by any kernel (e.g. a packed table's own).
    pub fn from_step(step: Step) -> Self {
        let descent::Descent { ls_star, steps } = descent::descend(&step.ls);
        Landscape {
            ls: step.ls,
            ls_star,
            steps,
            local_minima: step.local_minima,
            strict_local_minima: step.strict_local_minima,
        }
    }

    /// Number of vertices.
    pub fn len(&self) -> usize {
        self.ls.len()
    }

    /// True for an empty landscape.
    pub fn is_empty(&self) -> bool {
        self.ls.is_empty()
    }
}

/// A candidate neighbour, ordered by (loss, id) as the tie rule demands.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Candidate {
    pub loss: f64,
    pub id: VertexId,
}

impl Candidate {
    pub const NONE: Candidate = Candidate {
        loss: f64::INFINITY,
        id: VertexId::MAX,
    };

    /// Strictly before `other` in (loss, id) order.
    #[inline(always)]
    pub fn before(self, other: Candidate) -> bool {
        self.loss < other.loss || (self.loss == other.loss && self.id < other.id)
    }
}
