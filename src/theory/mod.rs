//! What theory predicts about a landscape, to set beside the exact answer.

pub mod iid;
pub mod iid_graph;
