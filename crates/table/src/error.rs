//! The one error type of the table crate.
//!
//! A caller decides what to do from [`Error::kind`] (re-pack a corrupt file, upgrade for a
//! newer one, fix the path of a missing one) and shows the person at the keyboard the
//! [`Display`](std::fmt::Display) text, which names the file, the byte, the vertex or the
//! section and says what to do. Context is layered the way `anyhow` layers it: an outer
//! error ("cannot open table x.nasl") has the inner one as its [`source`](std::error::Error::source),
//! and both carry the same kind, so walking the chain prints what the CLI always printed.

use crate::format::SectionKind;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a table could not be opened, verified or written.
///
/// Opaque on purpose: the representation (message, context, source) may change without
/// breaking callers, who match [`Error::kind`] instead of parsing text. Cheap to clone, so
/// a verification outcome can be cached and handed out again.
#[derive(Clone)]
pub struct Error(Box<Repr>);

/// The private representation behind [`Error`].
#[derive(Clone)]
struct Repr {
    kind: ErrorKind,
    /// What went wrong, in words; `None` only for a bare I/O error awaiting its context.
    message: Option<String>,
    /// The inner error: an [`Error`] this one adds context to, an `std::io::Error`, or the
    /// error of a lower layer (a product-space spec that does not parse).
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

/// What kind of failure an [`Error`] is, for callers that react differently to each.
///
/// New kinds may be added (a newer format may fail in new ways), so a `match` needs a
/// wildcard arm.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The operating system refused a read, write, rename or memory map of `path` (the
    /// table, or the destination of a write); the `std::io::Error` is the source.
    Io {
        /// The file the operation was about.
        path: PathBuf,
    },
    /// The file ends before the bytes its own header or directory promise: it was cut short
    /// in a copy or a download, and copying it again is the fix.
    Truncated,
    /// The file does not start with the `.nasl` or zstd magic bytes: it is some other file.
    NotATable,
    /// The file was written in a format version newer than this build reads.
    NewerVersion {
        /// The version recorded in the file.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// A stored CRC-32 disagrees with the bytes it covers: the file was damaged after it was
    /// written.
    ChecksumMismatch {
        /// Which part of the file the checksum covers.
        section: Region,
        /// The checksum recorded in the file.
        stored: u32,
        /// The checksum of the bytes as they are.
        computed: u32,
    },
    /// The checksums agree but the content breaks a rule of the format (an index not below
    /// n, a list out of order, a length that does not match the header, …); the message says
    /// what and where.
    Structure,
    /// A `.nasl.zst` file whose compressed stream cannot be decoded.
    Zstd,
    /// The contents handed to [`write`](crate::write) cannot be stored (a vertex that lists
    /// itself, a column of the wrong length, a non-finite value, …).
    InvalidInput,
    /// A metric column asked for by name is not in the table; the message lists those that
    /// are.
    NoSuchColumn {
        /// The name that was asked for.
        name: String,
    },
    /// The file is valid but this machine cannot read it in place (it is big-endian).
    Unsupported,
    /// A check that cannot fail did: a bug in this crate, worth a report.
    Internal,
    /// An output path names a file the same command reads (same device and inode), so
    /// writing it would destroy the input.
    OutputIsInput {
        /// The output as given.
        output: PathBuf,
        /// The input it is the same file as.
        input: PathBuf,
    },
    /// An output path names something that cannot take a file's contents (a directory,
    /// a socket, a block device).
    NotAFile {
        /// The output as given.
        path: PathBuf,
    },
}

/// The part of a file a checksum covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// The fixed 64-byte header.
    Header,
    /// The section directory.
    Directory,
    /// One section of the directory.
    Section {
        /// What the section holds.
        kind: SectionKind,
        /// The column number for a metric column, else 0.
        index: u32,
    },
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Region::Header => f.write_str("header"),
            Region::Directory => f.write_str("directory"),
            Region::Section {
                kind: SectionKind::Column,
                index,
            } => write!(f, "column {index}"),
            Region::Section { kind, .. } => f.write_str(kind.name()),
        }
    }
}

impl Error {
    /// What kind of failure this is; the same at every level of context.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Box::new(Repr {
            kind,
            message: Some(message.into()),
            source: None,
        }))
    }

    /// An I/O failure on `path` whose message the caller's context supplies (see
    /// [`Error::context`]).
    pub(crate) fn io(path: &Path, err: std::io::Error) -> Error {
        Error(Box::new(Repr {
            kind: ErrorKind::Io {
                path: path.to_path_buf(),
            },
            message: None,
            source: Some(Arc::new(err)),
        }))
    }

    /// An I/O failure on `path` with its own message.
    pub(crate) fn io_msg(path: &Path, message: impl Into<String>, err: std::io::Error) -> Error {
        Error::io(path, err).context(message)
    }

    pub(crate) fn truncated(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Truncated, message)
    }

    pub(crate) fn structure(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Structure, message)
    }

    pub(crate) fn zstd(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Zstd, message)
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn unsupported(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Unsupported, message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, message)
    }

    pub(crate) fn checksum(section: Region, stored: u32, computed: u32, message: String) -> Error {
        Error::new(
            ErrorKind::ChecksumMismatch {
                section,
                stored,
                computed,
            },
            message,
        )
    }

    /// The same error with `source` as its cause (an error of another layer).
    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Error {
        self.0.source = Some(Arc::from(source.into()));
        self
    }

    /// Adds context: a bare I/O error takes `message` as its own; any other error becomes
    /// the source of a new one that says `message` and keeps the kind.
    pub(crate) fn context(self, message: impl Into<String>) -> Error {
        if self.0.message.is_none() {
            let mut e = self;
            e.0.message = Some(message.into());
            return e;
        }
        Error(Box::new(Repr {
            kind: self.0.kind.clone(),
            message: Some(message.into()),
            source: Some(Arc::new(self)),
        }))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.0.message, &self.0.kind) {
            (Some(m), _) => f.write_str(m),
            (None, ErrorKind::Io { path }) => write!(f, "I/O error on {}", path.display()),
            (None, kind) => write!(f, "{kind:?}"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.0.kind);
        d.field("message", &self.to_string());
        if let Some(s) = &self.0.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// `?`-friendly I/O context: the error names the file it was about.
pub(crate) trait IoResultExt<T> {
    /// Turns an I/O error into an [`ErrorKind::Io`] error on `path`.
    fn at(self, path: &Path) -> Result<T, Error>;
}

impl<T> IoResultExt<T> for std::io::Result<T> {
    fn at(self, path: &Path) -> Result<T, Error> {
        self.map_err(|e| Error::io(path, e))
    }
}

/// Returns early with an [`Error`] of the given constructor and a formatted message.
macro_rules! fail {
    ($ctor:ident, $($arg:tt)*) => {
        return Err($crate::error::Error::$ctor(format!($($arg)*)))
    };
}
pub(crate) use fail;

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn context_keeps_the_kind_and_chains_the_cause() {
        let inner = Error::structure("vertex 3 lists itself as a neighbour");
        let outer = inner.context("cannot open table t.nasl");
        assert_eq!(outer.kind(), &ErrorKind::Structure);
        assert_eq!(outer.to_string(), "cannot open table t.nasl");
        let cause = outer.source().unwrap();
        assert_eq!(cause.to_string(), "vertex 3 lists itself as a neighbour");
        assert!(cause.source().is_none());
    }

    #[test]
    fn bare_io_error_takes_its_context_as_message() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e = Error::io(Path::new("x.nasl"), io).context("cannot open table x.nasl");
        assert_eq!(
            e.kind(),
            &ErrorKind::Io {
                path: "x.nasl".into()
            }
        );
        assert_eq!(e.to_string(), "cannot open table x.nasl");
        let src = e.source().unwrap();
        assert_eq!(src.to_string(), "gone");
        assert!(src.downcast_ref::<std::io::Error>().is_some());
    }

    #[test]
    fn errors_cross_threads() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
    }
}
