//! Why a string is not a NAS-Bench-Graph architecture.

use std::fmt;

/// A labelled form or hash that the space does not contain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
}

/// What was wrong, with the offending text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Not four numbers `l[0]-l[1]-l[2]-l[3]` with `l[i] ≤ i`.
    Link(String),
    /// An op name (or code) outside the op list, or not four of them.
    Op(String),
    /// Every layer is `skip`: the benchmark excludes that cell.
    AllSkip,
    /// Not the hash of an architecture of the space.
    Hash(String),
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Error { kind }
    }

    /// What was wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Link(s) => write!(
                f,
                "{s:?} is not a link vector: write four numbers l0-l1-l2-l3 with l[i] <= i (e.g. 0-0-1-2)"
            ),
            ErrorKind::Op(s) => write!(
                f,
                "{s:?} is not four ops of gat, gcn, gin, cheb, sage, arma, graph, fc, skip joined by '-'"
            ),
            ErrorKind::AllSkip => write!(f, "a cell of only skip layers is not in the space"),
            ErrorKind::Hash(s) => write!(
                f,
                "{s:?} is not the hash of a NAS-Bench-Graph architecture (Arch.valid_hash(), a decimal integer)"
            ),
        }
    }
}

impl std::error::Error for Error {}
