//! Why a LON cannot be built.

use std::fmt;

/// A LON build error; [`Error::kind`] says which.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The perturbation strength is 0.
    ZeroStrength,
    /// The strength exceeds the number of positions of a product space.
    StrengthAboveDimensions {
        /// The strength asked for.
        strength: usize,
        /// Positions the space has.
        dimensions: usize,
    },
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Error { kind }
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::ZeroStrength => write!(
                f,
                "perturbation strength 0 changes nothing: use --strength 1 or more (default 2)"
            ),
            ErrorKind::StrengthAboveDimensions {
                strength,
                dimensions,
            } => write!(
                f,
                "perturbation strength {strength} exceeds the {dimensions} positions of the space: \
                 use --strength between 1 and {dimensions}"
            ),
        }
    }
}

impl std::error::Error for Error {}
