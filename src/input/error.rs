//! Why an input was refused: a typed error a caller can match, with a message that says
//! where (file, line, column) and what to do.
//!
//! Messages never name command-line flags: the command line adds its own hint (see
//! `cli::hint`), so a library or Python caller is not told to pass `--key`.

use std::fmt;
use std::path::{Path, PathBuf};

/// A refused input: a bad table, edge list, output name or combination of inputs.
///
/// Match on [`Error::kind`]; the `Display` text is for people. Rows are 0-based data rows
/// (the first line after the header is row 0, which the message calls line 2).
#[derive(Debug)]
pub struct Error(Box<Inner>);

/// Boxed so that a `Result` carrying an [`Error`] stays one pointer wide.
#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    message: String,
    path: Option<PathBuf>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    /// Display the source's text instead of `message` (errors passed through unchanged).
    transparent: bool,
}

/// What kind of input [`Error`] occurred.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A key that is not an architecture of the space; the source says why.
    UnknownArchitecture {
        /// Data row (0-based).
        row: usize,
        /// The key as written.
        key: String,
    },
    /// The same architecture (or key) on two rows.
    Duplicate {
        /// The key of the second row.
        key: String,
        /// The first and the second data row (0-based).
        rows: [usize; 2],
    },
    /// Architectures of the space that have no row.
    Missing {
        /// How many are missing.
        count: usize,
        /// The one with the smallest vertex id.
        first: String,
    },
    /// A metric value that is empty, not a number, NaN or infinite.
    NotANumber {
        /// Data row (0-based).
        row: usize,
        /// The metric column.
        column: String,
        /// The field as written.
        value: String,
    },
    /// The table's first key is an architecture of another benchmark space.
    WrongSpace {
        /// The space the table was read as.
        space: String,
        /// The space its first key belongs to.
        found: String,
    },
    /// A column the table does not have.
    UnknownColumn {
        /// The column asked for.
        name: String,
        /// The table's columns, in file order.
        available: Vec<String>,
    },
    /// A key field that is empty or absent.
    EmptyKey {
        /// Data row (0-based).
        row: usize,
    },
    /// A CSV file that the parser refused (ragged record, bad UTF-8, …).
    Csv {
        /// The 1-based line of the record, when known.
        line: Option<u64>,
    },
    /// A file that could not be opened or read; [`Error::path`] names it.
    Io,
    /// A file given as a CSV table that is not text: a packed `.nasl` table, a
    /// compressed or a binary file.
    NotText {
        /// What the first bytes say the file is.
        what: String,
    },
    /// A first line longer than the reader holds, such as `/dev/zero`'s.
    HeaderTooLong,
    /// A header naming the same column twice.
    DuplicateColumn {
        /// The name.
        name: String,
    },
    /// An edge list whose first line names one key of the table: neither clearly a
    /// header nor clearly an edge.
    EdgeHeaderNamesKey {
        /// The field that is a key.
        key: String,
    },
    /// A run that needs more memory than is available; the source is a
    /// [`crate::memory::TooBig`] with the estimate.
    TooBig,
    /// A table with no data row.
    NoData,
    /// A table with more rows than a `u32` vertex id can name.
    TooManyRows,
    /// A table with no numeric column to store besides its key.
    NoMetric,
    /// An edge list was given without the table column holding the keys it names.
    KeyNeeded,
    /// A column to be maximised that is not among the columns being packed.
    MaximizeUnknown {
        /// The column named.
        column: String,
        /// The columns being packed.
        available: Vec<String>,
    },
    /// A column to be minimised that is not among the columns being packed.
    MinimizeUnknown {
        /// The column named.
        column: String,
        /// The columns being packed.
        available: Vec<String>,
    },
    /// A column listed both to be maximised and to be minimised.
    DirectionTwice {
        /// The column.
        column: String,
    },
    /// An edge list whose header does not have two columns.
    EdgeHeader {
        /// Number of header columns.
        columns: usize,
    },
    /// An edge list whose first line is an edge, so it has no header.
    EdgeListWithoutHeader,
    /// An edge-list line that does not have exactly two keys.
    EdgeFields {
        /// Data row (0-based).
        row: usize,
        /// Number of fields.
        fields: usize,
    },
    /// An edge list with unknown keys, self-loops or repeated edges.
    NotASimpleGraph {
        /// Keys not in the table.
        unknown_keys: usize,
        /// Edges from a vertex to itself.
        self_loops: usize,
        /// Edges given more than once (either direction).
        repeated_edges: usize,
    },
    /// An output file name whose extension is neither `.csv` nor `.npy`.
    UnknownFormat,
    /// Losses from a table and from a synthetic model were both asked for.
    TableAndSynthetic,
    /// A table was given without the metric column to analyse.
    MetricNeeded,
    /// A metric or key column was named without a table to take it from.
    ColumnWithoutTable,
    /// A packed graph was given together with a CSV table or key column.
    GraphAndTable,
    /// A stored metric column and a synthetic model were both asked for.
    MetricAndSynthetic,
    /// A column asked to be analysed in the direction opposite to the one its `.nasl`
    /// file recorded.
    DirectionConflict {
        /// The column.
        column: String,
        /// The recorded direction: true when packed as higher-is-better.
        recorded: bool,
    },
    /// A table metric with no direction: neither said by the caller nor recorded in its
    /// file. Never guessed, because tables mix accuracies with losses and latencies.
    DirectionNeeded {
        /// The column.
        column: String,
        /// What the column's name and values suggest (true: higher is better), if anything;
        /// shown, never acted on.
        suggestion: Option<bool>,
    },
    /// The space name was refused; the source is a [`nasland_core::space::ParseError`].
    Space,
    /// The synthetic model name was refused.
    Model,
    /// The packed `.nasl` table could not be read; the source is the table's error.
    Table,
    /// A `.npy` file of losses was given together with another source of losses.
    LossesAndOther,
    /// A file that is not a readable `.npy` array (bad magic, header, or truncated).
    NpyHeader,
    /// A `.npy` array whose dtype is not little-endian float32 or float64.
    NpyDtype {
        /// The dtype string of the header (`'<i8'`, `'>f8'`, …).
        descr: String,
    },
    /// A `.npy` array stored in Fortran order.
    NpyOrder,
    /// A `.npy` array that is not one-dimensional.
    NpyShape {
        /// Its shape.
        shape: Vec<usize>,
    },
    /// A `.npy` array whose length is not the number of vertices.
    NpyLength {
        /// Vertices of the space.
        expected: usize,
        /// Values in the file.
        found: usize,
    },
    /// A `.npy` value that is NaN or infinite.
    NpyNotFinite {
        /// Its index (the vertex id).
        index: usize,
    },
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            path: None,
            source: None,
            transparent: false,
        }))
    }

    pub(crate) fn with_path(mut self, path: &Path) -> Self {
        self.0.path = Some(path.to_path_buf());
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        self.0.source = Some(source.into());
        self
    }

    /// Wraps an error from a lower layer under `kind`, showing its text unchanged.
    pub(crate) fn wrap(
        kind: ErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        let mut e = Self::new(kind, String::new()).with_source(source);
        e.0.transparent = true;
        e
    }

    /// A CSV error: an I/O failure becomes [`ErrorKind::Io`], anything else
    /// [`ErrorKind::Csv`] with the record's line.
    pub(crate) fn csv(
        path: &Path,
        what: impl FnOnce(Option<u64>) -> String,
        e: csv::Error,
    ) -> Self {
        let line = e.position().map(|p| p.line());
        let kind = if e.is_io_error() {
            ErrorKind::Io
        } else {
            ErrorKind::Csv { line }
        };
        Self::new(kind, what(line)).with_path(path).with_source(e)
    }

    /// The error this one wraps, taken out (to re-wrap it under another kind).
    pub(crate) fn into_source(self) -> Option<Box<dyn std::error::Error + Send + Sync + 'static>> {
        self.0.source
    }

    /// The lower layer's error this one wraps (the table's or the space's error under
    /// [`ErrorKind::Table`] and [`ErrorKind::Space`]), for callers that map kinds.
    pub fn inner(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.0.source.as_deref()
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The file the error is about, if it is about one.
    pub fn path(&self) -> Option<&Path> {
        self.0.path.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.0.source, self.0.transparent) {
            (Some(source), true) => source.fmt(f),
            _ => f.write_str(&self.0.message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let source = self.0.source.as_deref()?;
        if self.0.transparent {
            source.source()
        } else {
            Some(source)
        }
    }
}
