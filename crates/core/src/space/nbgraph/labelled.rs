//! The labelled form of a NAS-Bench-Graph cell: a link vector and one op per layer.
//!
//! Layer `i` (0..4) reads the input when `link[i] = 0` and the output of layer
//! `link[i] − 1` otherwise, so `link[i] ≤ i` always. Ops are stored as their index in the
//! benchmark's 9-op list even for the 5-op proteins list, because the benchmark's hash and
//! its sort within equal parts both use that index.

use super::error::{Error, ErrorKind};
use std::fmt;

/// Layers of a cell.
pub const LAYERS: usize = 4;

/// The benchmark's 9-op list, in its own order: op code = position.
pub const OPS: [&str; 9] = [
    "gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip",
];

/// An op code: an index into [`OPS`].
pub type Op = u8;

/// The op code of `skip` (the identity layer).
pub const SKIP: Op = 8;

/// Which ops a layer may take: the benchmark's 9-op list, or the 5 ops trained on
/// the proteins dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpList {
    /// gat, gcn, gin, cheb, sage, arma, graph, fc, skip.
    Full,
    /// gcn, sage, arma, fc, skip.
    Proteins,
}

impl OpList {
    /// The op codes of the list, ascending.
    pub fn ops(self) -> &'static [Op] {
        match self {
            OpList::Full => &[0, 1, 2, 3, 4, 5, 6, 7, 8],
            OpList::Proteins => &[1, 4, 5, 7, 8],
        }
    }

    /// Whether `op` is in the list.
    pub fn contains(self, op: Op) -> bool {
        self.ops().contains(&op)
    }
}

/// One labelled cell. Not necessarily canonical: many labelled forms name one
/// architecture ([`super::canonical`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Labelled {
    /// `link[i]`: layer i reads layer `link[i] − 1`, or the input when 0.
    pub link: [u8; LAYERS],
    /// The op of each layer.
    pub ops: [Op; LAYERS],
}

impl Labelled {
    /// A labelled form after checking it: `link[i] ≤ i`, op codes below 9, not all skip.
    pub fn new(link: [u8; LAYERS], ops: [Op; LAYERS]) -> Result<Self, Error> {
        if link.iter().enumerate().any(|(i, &l)| l as usize > i) {
            return Err(Error::new(ErrorKind::Link(link_text(&link))));
        }
        if let Some(&op) = ops.iter().find(|&&op| op as usize >= OPS.len()) {
            return Err(Error::new(ErrorKind::Op(op.to_string())));
        }
        let x = Labelled { link, ops };
        if x.is_all_skip() {
            return Err(Error::new(ErrorKind::AllSkip));
        }
        Ok(x)
    }

    /// Reads the benchmark's notation: `0-0-1-2` and `gcn-gat-skip-fc`.
    pub fn parse(link: &str, ops: &str) -> Result<Self, Error> {
        let bad_link = || Error::new(ErrorKind::Link(link.to_string()));
        let mut l = [0u8; LAYERS];
        let mut parts = link.split('-');
        for slot in l.iter_mut() {
            *slot = parts
                .next()
                .and_then(|p| p.trim().parse().ok())
                .ok_or_else(bad_link)?;
        }
        if parts.next().is_some() {
            return Err(bad_link());
        }
        let mut o = [0u8; LAYERS];
        let mut parts = ops.split('-');
        for slot in o.iter_mut() {
            let name = parts
                .next()
                .ok_or_else(|| Error::new(ErrorKind::Op(ops.to_string())))?
                .trim();
            *slot = OPS
                .iter()
                .position(|&n| n == name)
                .ok_or_else(|| Error::new(ErrorKind::Op(name.to_string())))?
                as Op;
        }
        if parts.next().is_some() {
            return Err(Error::new(ErrorKind::Op(ops.to_string())));
        }
        Labelled::new(l, o)
    }

    /// True when every layer is `skip` (the benchmark excludes that cell).
    pub fn is_all_skip(&self) -> bool {
        self.ops.iter().all(|&op| op == SKIP)
    }

    /// The link vector as the benchmark writes it, `0-0-1-2`.
    pub fn link_string(&self) -> String {
        link_text(&self.link)
    }

    /// The ops as `gcn-gat-skip-fc`.
    pub fn ops_string(&self) -> String {
        self.ops
            .iter()
            .map(|&op| OPS[op as usize])
            .collect::<Vec<_>>()
            .join("-")
    }
}

impl fmt::Display for Labelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.link_string(), self.ops_string())
    }
}

fn link_text(link: &[u8]) -> String {
    link.iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("-")
}

/// The 24 link vectors (`link[i] ∈ 0..=i`), lexicographic.
pub fn all_links() -> Vec<[u8; LAYERS]> {
    let mut out = Vec::with_capacity(24);
    for a in 0..=1u8 {
        for b in 0..=2u8 {
            for c in 0..=3u8 {
                out.push([0, a, b, c]);
            }
        }
    }
    out
}

/// Every labelled form over `list`: 24 link vectors × (k⁴ − 1) op assignments, in
/// lexicographic order of (link, ops).
pub fn all_labelled(list: OpList) -> Vec<Labelled> {
    let ops = list.ops();
    let mut out = Vec::with_capacity(24 * (ops.len().pow(4) - 1));
    for link in all_links() {
        for &a in ops {
            for &b in ops {
                for &c in ops {
                    for &d in ops {
                        let x = Labelled {
                            link,
                            ops: [a, b, c, d],
                        };
                        if !x.is_all_skip() {
                            out.push(x);
                        }
                    }
                }
            }
        }
    }
    out
}
