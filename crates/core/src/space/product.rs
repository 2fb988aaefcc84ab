//! Categorical product spaces k_0 × … × k_{d-1} under Hamming-1 neighbourhood, and the
//! architecture-string codecs of the benchmarks that are such products.
//!
//! A vertex id is the mixed-radix number Σ c_i · stride_i with stride_i = Π_{j<i} k_j
//! (DESIGN.md §1), so the neighbours of v are computed, never stored: change one digit.

use super::{Neighbourhood, VertexId};
use std::fmt;

/// Why a space name or an architecture string was refused.
///
/// The kind lets a caller react (an input layer can tell "this key belongs to another
/// space" from "this key is garbled"); the message says what is wrong in the user's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    kind: ParseErrorKind,
    message: String,
}

/// What kind of [`ParseError`] occurred.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The space name is neither a benchmark nor a `K^D` / `K0xK1x…` shape.
    UnknownSpace {
        /// The name as given.
        spec: String,
    },
    /// A dimension has fewer than two choices, or there is no dimension.
    Degenerate,
    /// The space has more vertices than a `u32` vertex id can name.
    TooLarge,
    /// An NAS-Bench-201 string names an operation that is not one of [`NB201_OPS`].
    UnknownOperation {
        /// The operation as written.
        op: String,
    },
    /// An architecture string has the wrong number of positions for the space.
    WrongLength {
        /// Positions in the string.
        found: usize,
        /// Dimensions of the space.
        expected: usize,
    },
    /// A position holds a choice beyond its dimension's range.
    OutOfRange {
        /// The position (dimension), 0-based.
        position: usize,
        /// The choice found there.
        choice: u32,
        /// Number of choices of that dimension.
        choices: u32,
    },
    /// The string does not follow the space's architecture-string syntax.
    Malformed,
}

impl ParseError {
    fn new(kind: ParseErrorKind, message: impl Into<String>) -> Self {
        ParseError {
            kind,
            message: message.into(),
        }
    }

    fn malformed(message: impl Into<String>) -> Self {
        Self::new(ParseErrorKind::Malformed, message)
    }

    /// What went wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

type Result<T, E = ParseError> = std::result::Result<T, E>;

/// NAS-Bench-201 operation names, indexed by op code (DESIGN.md §1).
pub const NB201_OPS: [&str; 5] = [
    "none",
    "skip_connect",
    "nor_conv_1x1",
    "nor_conv_3x3",
    "avg_pool_3x3",
];

/// The input node of each of NB201's six edges, in string order.
const NB201_EDGE_INPUTS: [usize; 6] = [0, 0, 1, 0, 1, 2];

/// How architecture strings of a space are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Codec {
    /// `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`.
    Nb201,
    /// TransNAS-Bench-101 micro: `64-41414-a_bc_def`.
    Tnb101,
    /// NATS-Bench size space: `c1:c2:c3:c4:c5`, channels 8, 16, …, 64.
    NatsSss,
    /// Any `k^d` or `k0xk1x…`: the digits joined by `-`, position 0 first.
    Digits,
}

/// A categorical product space with Hamming-1 neighbourhood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductSpace {
    name: String,
    radices: Vec<u32>,
    strides: Vec<u64>,
    codec: Codec,
}

impl ProductSpace {
    /// Parses a space name: `nb201`, `tnb101`, `nats-sss`, `K^D` (e.g. `5^9`) or
    /// `K0xK1x…` (e.g. `3x4x5`).
    pub fn parse(spec: &str) -> Result<Self> {
        let spec = spec.trim();
        match spec {
            "nb201" => return Self::new("nb201", vec![5; 6], Codec::Nb201),
            "tnb101" => return Self::new("tnb101", vec![4; 6], Codec::Tnb101),
            "nats-sss" => return Self::new("nats-sss", vec![8; 5], Codec::NatsSss),
            _ => {}
        }
        let radices = if let Some((k, d)) = spec.split_once('^') {
            let k: u32 = k.parse().map_err(|_| bad_spec(spec))?;
            let d: usize = d.parse().map_err(|_| bad_spec(spec))?;
            vec![k; d]
        } else if spec.contains('x') {
            spec.split('x')
                .map(|k| k.parse::<u32>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| bad_spec(spec))?
        } else {
            return Err(bad_spec(spec));
        };
        Self::new(spec, radices, Codec::Digits)
    }

    fn new(name: &str, radices: Vec<u32>, codec: Codec) -> Result<Self> {
        if radices.is_empty() || radices.iter().any(|&k| k < 2) {
            return Err(ParseError::new(
                ParseErrorKind::Degenerate,
                format!("space {name}: every dimension needs at least 2 choices and there must be at least one dimension"),
            ));
        }
        let mut strides = Vec::with_capacity(radices.len());
        let mut n: u64 = 1;
        for &k in &radices {
            strides.push(n);
            n = n
                .checked_mul(k as u64)
                .filter(|&n| n <= u32::MAX as u64)
                .ok_or_else(|| {
                    ParseError::new(
                        ParseErrorKind::TooLarge,
                        format!("space {name} has more than 2^32 - 1 vertices; nasland enumerates at most that"),
                    )
                })?;
        }
        Ok(ProductSpace {
            name: name.to_string(),
            radices,
            strides,
            codec,
        })
    }

    /// The name the space was given (`nb201`, `5^9`, …).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of choices k_i of each dimension.
    pub fn radices(&self) -> &[u32] {
        &self.radices
    }

    /// Id distance between two vertices that differ by one in dimension i.
    pub(crate) fn strides(&self) -> &[u64] {
        &self.strides
    }

    /// Number of neighbours of every vertex: Σ (k_i − 1).
    pub fn uniform_degree(&self) -> usize {
        self.radices.iter().map(|&k| k as usize - 1).sum()
    }

    /// The digit of vertex `v` in dimension `i`.
    pub fn digit(&self, v: VertexId, i: usize) -> u32 {
        ((v as u64 / self.strides[i]) % self.radices[i] as u64) as u32
    }

    /// The vertex id of a digit vector (position 0 first).
    pub fn id_of(&self, digits: &[u32]) -> VertexId {
        digits
            .iter()
            .zip(&self.strides)
            .map(|(&c, &s)| c as u64 * s)
            .sum::<u64>() as VertexId
    }

    /// The architecture string of vertex `v`.
    pub fn encode(&self, v: VertexId) -> String {
        let d: Vec<u32> = (0..self.radices.len()).map(|i| self.digit(v, i)).collect();
        match self.codec {
            Codec::Nb201 => {
                let mut s = String::from("|");
                for (e, &c) in d.iter().enumerate() {
                    s.push_str(NB201_OPS[c as usize]);
                    s.push('~');
                    s.push_str(&NB201_EDGE_INPUTS[e].to_string());
                    s.push('|');
                    if e == 0 || e == 2 {
                        s.push_str("+|");
                    }
                }
                s
            }
            Codec::Tnb101 => format!(
                "64-41414-{}_{}{}_{}{}{}",
                d[0], d[1], d[2], d[3], d[4], d[5]
            ),
            Codec::NatsSss => d
                .iter()
                .map(|&c| (8 * (c + 1)).to_string())
                .collect::<Vec<_>>()
                .join(":"),
            Codec::Digits => d
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("-"),
        }
    }

    /// The vertex id of an architecture string; the error says what is wrong with it.
    pub fn decode(&self, arch: &str) -> Result<VertexId> {
        let digits = match self.codec {
            Codec::Nb201 => decode_nb201(arch)?,
            Codec::Tnb101 => decode_tnb101(arch)?,
            Codec::NatsSss => arch
                .split(':')
                .map(|c| match c.parse::<u32>() {
                    Ok(ch) if ch % 8 == 0 && (8..=64).contains(&ch) => Ok(ch / 8 - 1),
                    _ => Err(ParseError::malformed(format!(
                        "channel {c:?} is not one of 8, 16, …, 64"
                    ))),
                })
                .collect::<Result<Vec<_>>>()?,
            Codec::Digits => arch
                .split('-')
                .map(|c| {
                    c.parse::<u32>()
                        .map_err(|_| ParseError::malformed(format!("{c:?} is not a digit")))
                })
                .collect::<Result<Vec<_>>>()?,
        };
        if digits.len() != self.radices.len() {
            return Err(ParseError::new(
                ParseErrorKind::WrongLength {
                    found: digits.len(),
                    expected: self.radices.len(),
                },
                format!(
                    "{} positions where space {} has {}",
                    digits.len(),
                    self.name,
                    self.radices.len()
                ),
            ));
        }
        for (i, (&c, &k)) in digits.iter().zip(&self.radices).enumerate() {
            if c >= k {
                return Err(ParseError::new(
                    ParseErrorKind::OutOfRange {
                        position: i,
                        choice: c,
                        choices: k,
                    },
                    format!(
                        "position {i} has choice {c}, but that dimension has only {k} choices (0..{})",
                        k - 1
                    ),
                ));
            }
        }
        Ok(self.id_of(&digits))
    }
}

fn bad_spec(spec: &str) -> ParseError {
    ParseError::new(
        ParseErrorKind::UnknownSpace {
            spec: spec.to_string(),
        },
        format!("unknown space {spec:?}: use nb201, tnb101, nats-sss, K^D (e.g. 5^9) or K0xK1x... (e.g. 3x4x5)"),
    )
}

fn decode_nb201(arch: &str) -> Result<Vec<u32>> {
    let nodes: Vec<&str> = arch.split('+').collect();
    if nodes.len() != 3 {
        return Err(ParseError::malformed(
            "expected 3 node groups separated by '+' (|op~0|+|op~0|op~1|+|op~0|op~1|op~2|)",
        ));
    }
    let mut digits = Vec::with_capacity(6);
    for (node, group) in nodes.iter().enumerate() {
        let inner = group
            .strip_prefix('|')
            .and_then(|g| g.strip_suffix('|'))
            .ok_or_else(|| {
                ParseError::malformed(format!("node group {group:?} must start and end with '|'"))
            })?;
        let edges: Vec<&str> = inner.split('|').collect();
        if edges.len() != node + 1 {
            return Err(ParseError::malformed(format!(
                "node group {} has {} edges, expected {}",
                node + 1,
                edges.len(),
                node + 1
            )));
        }
        for (input, edge) in edges.iter().enumerate() {
            let (op, from) = edge
                .split_once('~')
                .ok_or_else(|| ParseError::malformed(format!("edge {edge:?} is not op~input")))?;
            if from != input.to_string() {
                return Err(ParseError::malformed(format!(
                    "edge {edge:?} should come from node {input}"
                )));
            }
            let code = NB201_OPS.iter().position(|&o| o == op).ok_or_else(|| {
                ParseError::new(
                    ParseErrorKind::UnknownOperation { op: op.to_string() },
                    format!("unknown operation {op:?} (known: {})", NB201_OPS.join(", ")),
                )
            })?;
            digits.push(code as u32);
        }
    }
    Ok(digits)
}

fn decode_tnb101(arch: &str) -> Result<Vec<u32>> {
    let cell = arch.strip_prefix("64-41414-").ok_or_else(|| {
        ParseError::malformed("TransNAS-Bench-101 micro strings start with 64-41414-")
    })?;
    let groups: Vec<&str> = cell.split('_').collect();
    if groups.iter().map(|g| g.len()).collect::<Vec<_>>() != [1, 2, 3] {
        return Err(ParseError::malformed("the cell must read a_bc_def"));
    }
    groups
        .concat()
        .chars()
        .map(|c| {
            c.to_digit(10)
                .ok_or_else(|| ParseError::malformed(format!("{c:?} is not an op code 0..3")))
        })
        .collect()
}

impl Neighbourhood for ProductSpace {
    fn len(&self) -> usize {
        (self.strides[self.strides.len() - 1] * self.radices[self.radices.len() - 1] as u64)
            as usize
    }

    fn degree(&self, _v: VertexId) -> usize {
        self.uniform_degree()
    }

    fn is_symmetric(&self) -> bool {
        true
    }

    fn regular_degree(&self) -> Option<usize> {
        Some(self.uniform_degree())
    }

    fn as_product(&self) -> Option<&ProductSpace> {
        Some(self)
    }

    fn for_each_neighbour<F: FnMut(VertexId)>(&self, v: VertexId, mut f: F) {
        for (i, (&k, &s)) in self.radices.iter().zip(&self.strides).enumerate() {
            let c = self.digit(v, i) as u64;
            let base = v as u64 - c * s;
            for c2 in 0..k as u64 {
                if c2 != c {
                    f((base + c2 * s) as VertexId);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecs_round_trip_every_vertex() {
        for spec in ["nb201", "tnb101", "nats-sss", "3x4x5", "2^7"] {
            let space = ProductSpace::parse(spec).unwrap();
            for v in 0..space.len() as VertexId {
                assert_eq!(space.decode(&space.encode(v)).unwrap(), v, "{spec} {v}");
            }
        }
    }

    #[test]
    fn nb201_positions_follow_string_order() {
        let space = ProductSpace::parse("nb201").unwrap();
        let arch = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|";
        // codes 4,2,1,2,1,1 at positions 0..5
        let id = 4 + 2 * 5 + 25 + 2 * 125 + 625 + 3125;
        assert_eq!(space.decode(arch).unwrap(), id);
        assert_eq!(space.encode(id), arch);
    }

    #[test]
    fn bad_strings_say_why() {
        let space = ProductSpace::parse("nb201").unwrap();
        let err = space
            .decode("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|")
            .unwrap_err();
        assert_eq!(
            err.kind(),
            &ParseErrorKind::UnknownOperation { op: "conv".into() }
        );
        assert!(err.to_string().contains("unknown operation"), "{err}");
        let tnb = ProductSpace::parse("tnb101").unwrap();
        assert_eq!(
            tnb.decode("64-41414-4_00_000").unwrap_err().kind(),
            &ParseErrorKind::OutOfRange {
                position: 0,
                choice: 4,
                choices: 4
            }
        );
        assert_eq!(
            ProductSpace::parse("5^x").unwrap_err().kind(),
            &ParseErrorKind::UnknownSpace { spec: "5^x".into() }
        );
        assert_eq!(
            ProductSpace::parse("1x3").unwrap_err().kind(),
            &ParseErrorKind::Degenerate
        );
        assert_eq!(
            ProductSpace::parse("2^40").unwrap_err().kind(),
            &ParseErrorKind::TooLarge
        );
        assert_eq!(
            space.decode("1-2").unwrap_err().kind(),
            &ParseErrorKind::Malformed
        );
    }
}
