//! Benchmark tables as CSV: one row per architecture, keyed by its architecture string.
//!
//! The import is strict because a wrong number is worse than no number: every
//! architecture of the space must appear exactly once, and every metric value must be a
//! finite number. Errors name the file, the physical line (header = line 1, blank lines
//! and the lines of quoted multi-line fields counted) and what to do.
//!
//! A table is read from its path exactly once ([`CsvText::read`]) and parsed from memory
//! as often as needed: a FIFO or `/dev/stdin` cannot be opened twice, and a file changed
//! between two reads would mix two versions.

use crate::input::{Error, ErrorKind};
use crate::space::VertexId;
use std::io::Read;
use std::path::{Path, PathBuf};

type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a key is not a vertex, as a [`KeyCodec`] reports it (the source of
/// [`ErrorKind::UnknownArchitecture`]).
pub type KeyError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The longest header line accepted: bounds what a file with no line break (such as
/// `/dev/zero`) makes the reader hold before it is refused.
pub const MAX_HEADER_LINE: usize = 1 << 20;

/// The bytes of one CSV file, read once and checked to be text.
#[derive(Clone, Debug)]
pub struct CsvText {
    path: PathBuf,
    bytes: Vec<u8>,
}

impl CsvText {
    /// Reads `path` to its end, after checking that its first bytes are CSV text: a
    /// packed `.nasl` table, a compressed or binary file, and a header line longer than
    /// [`MAX_HEADER_LINE`] are refused before the rest is read.
    pub fn read(path: &Path) -> Result<CsvText> {
        let io_error = |e: std::io::Error, what: &str| {
            let hint = match e.raw_os_error() {
                Some(36) => " (the file name is too long)",
                Some(21) => " (it is a directory)",
                _ => "",
            };
            Error::new(
                ErrorKind::Io,
                format!("cannot {what} {}: {e}{hint}", path.display()),
            )
            .with_path(path)
            .with_source(e)
        };
        let file = std::fs::File::open(path).map_err(|e| io_error(e, "open table"))?;
        let mut bytes = Vec::new();
        let mut probe = file.take(MAX_HEADER_LINE as u64 + 1);
        probe
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(e, "read"))?;
        if let Some(what) = not_text(&bytes) {
            return Err(Error::new(
                ErrorKind::NotText { what: what.clone() },
                format!("{} is {what}, not a CSV text table", path.display()),
            )
            .with_path(path));
        }
        if bytes.len() > MAX_HEADER_LINE && !bytes[..MAX_HEADER_LINE].contains(&b'\n') {
            return Err(Error::new(
                ErrorKind::HeaderTooLong,
                format!(
                    "{}: the first line is longer than {} bytes; a table starts with a header line naming its columns",
                    path.display(),
                    MAX_HEADER_LINE
                ),
            )
            .with_path(path));
        }
        let mut file = probe.into_inner();
        file.read_to_end(&mut bytes)
            .map_err(|e| io_error(e, "read"))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::new(
                ErrorKind::NoData,
                format!(
                    "{} is empty; a table has a header line naming its columns, then one row per architecture",
                    path.display()
                ),
            )
            .with_path(path));
        }
        Ok(CsvText {
            path: path.to_path_buf(),
            bytes,
        })
    }

    /// A table held in memory, named `path` in messages.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> CsvText {
        CsvText {
            path: path.to_path_buf(),
            bytes,
        }
    }

    /// The file the text came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn reader(&self) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(&self.bytes[..])
    }

    /// The column names; a name given twice is refused, since either column could be
    /// meant.
    pub fn headers(&self) -> Result<Vec<String>> {
        let path = &self.path;
        let mut r = self.reader();
        let h = r.headers().map_err(|e| {
            Error::csv(
                path,
                |_| format!("cannot read the header line of {}", path.display()),
                e,
            )
        })?;
        let names: Vec<String> = h.iter().map(str::to_string).collect();
        for (i, name) in names.iter().enumerate() {
            if let Some(j) = names[i + 1..].iter().position(|n| n == name) {
                return Err(Error::new(
                    ErrorKind::DuplicateColumn { name: name.clone() },
                    format!(
                        "{} line 1: column {} appears twice (columns {} and {}); rename one so that each column has its own name",
                        path.display(),
                        printable(name),
                        i + 1,
                        i + j + 2
                    ),
                )
                .with_path(path));
            }
        }
        Ok(names)
    }

    /// A hint when the header line looks separated by something other than commas.
    fn delimiter_hint(&self, headers: &[String]) -> &'static str {
        match headers {
            [only] if only.contains(';') => {
                "; the header looks semicolon-separated, and nasland reads comma-separated CSV: convert the file (e.g. replace ; by ,)"
            }
            [only] if only.contains('\t') => {
                "; the header looks tab-separated, and nasland reads comma-separated CSV: convert the file (e.g. tr '\\t' ',')"
            }
            _ => "",
        }
    }
}

/// What the first bytes say a file is, when it is not text.
fn not_text(head: &[u8]) -> Option<String> {
    const GZIP: [u8; 2] = [0x1f, 0x8b];
    if head.starts_with(&nasland_table::format::MAGIC) {
        return Some("a packed .nasl table (open it as a graph)".into());
    }
    if head.starts_with(&nasland_table::format::ZSTD_MAGIC) {
        return Some(
            "zstd-compressed (a .nasl.zst table opens as a graph; a compressed CSV needs `zstd -d` first)"
                .into(),
        );
    }
    if head.starts_with(&GZIP) {
        return Some("gzip-compressed (decompress it first: `gunzip`)".into());
    }
    let sniff = &head[..head.len().min(8192)];
    sniff
        .iter()
        .position(|&b| b == 0)
        .map(|at| format!("binary (a NUL byte at offset {at})"))
}

/// `s` quoted, with control characters escaped, so that a key or column name cannot
/// move the cursor or rewrite the terminal when printed.
pub fn printable(s: &str) -> String {
    format!("{s:?}")
}

/// The 1-based physical line where a record starts, counting blank lines and the lines
/// of quoted multi-line fields (the csv crate tracks it, but places a record after blank
/// lines at the first blank line, so those are stepped over here; `fallback` if it did
/// not track it).
fn line_of(bytes: &[u8], rec: &csv::StringRecord, fallback: usize) -> usize {
    let Some(p) = rec.position() else {
        return fallback;
    };
    let mut line = p.line() as usize;
    let start = (p.byte() as usize).min(bytes.len());
    for &b in bytes[start..]
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
    {
        line += usize::from(b == b'\n');
    }
    line
}

/// Metric columns of a table, indexed by vertex id.
#[derive(Clone, Debug)]
pub struct Columns {
    /// For each vertex, its 0-based data row in the file (the benchmark's own order).
    pub row_of: Vec<u32>,
    /// One vector per requested metric, in request order, indexed by vertex id.
    pub values: Vec<Vec<f64>>,
}

/// How a table's keys map onto a space's vertices.
pub struct KeyCodec<'a> {
    /// Number of vertices; every one must appear once.
    pub n: usize,
    /// Architecture string → vertex id, or why the string is not an architecture.
    pub decode: &'a dyn Fn(&str) -> Result<VertexId, KeyError>,
    /// Vertex id → architecture string (names missing architectures in errors).
    pub encode: &'a dyn Fn(VertexId) -> String,
}

/// A column the automatic choice of metrics leaves out, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct LeftOut {
    /// The column.
    pub column: String,
    /// Why, naming the first line that decided it.
    pub why: String,
}

/// The columns that can serve as metrics, and the ones left out with the reason.
#[derive(Clone, Debug)]
pub struct NumericColumns {
    /// Every value a finite number, not the key, not a plain row counter.
    pub metrics: Vec<String>,
    /// Text columns and row counters (values exactly 0, 1, 2, … or 1, 2, 3, … in file
    /// order, such as NB201's `index`).
    pub left_out: Vec<LeftOut>,
}

/// The column names of a CSV file.
pub fn headers(path: &Path) -> Result<Vec<String>> {
    CsvText::read(path)?.headers()
}

/// The position of column `name`; `what` says what it is for ("key", "metric").
pub fn column_index(headers: &[String], name: &str, what: &str, path: &Path) -> Result<usize> {
    column_index_hinted(headers, name, what, path, "")
}

fn column_index_hinted(
    headers: &[String],
    name: &str,
    what: &str,
    path: &Path,
    hint: &str,
) -> Result<usize> {
    headers.iter().position(|h| h == name).ok_or_else(|| {
        let listed = if headers.iter().all(String::is_empty) {
            "its header line names no column".to_string()
        } else {
            format!(
                "its columns are: {}",
                headers
                    .iter()
                    .map(|h| printable_bare(h))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        Error::new(
            ErrorKind::UnknownColumn {
                name: name.to_string(),
                available: headers.to_vec(),
            },
            format!(
                "{} has no {what} column {}; {listed}{hint}",
                path.display(),
                printable(name)
            ),
        )
        .with_path(path)
    })
}

/// A column name as listed: bare when it is plain, quoted and escaped otherwise.
fn printable_bare(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| !c.is_control() && c != ',' && c != '"') {
        s.to_string()
    } else {
        printable(s)
    }
}

fn bad_record(path: &Path, e: csv::Error) -> Error {
    Error::csv(
        path,
        |line| match line {
            Some(line) => format!("{} line {line}: malformed CSV record", path.display()),
            None => format!("{}: malformed CSV record", path.display()),
        },
        e,
    )
}

impl CsvText {
    /// The position of column `name` among `headers`, with a delimiter hint when the
    /// header line looks separated by something other than commas.
    pub fn column_index(&self, headers: &[String], name: &str, what: &str) -> Result<usize> {
        column_index_hinted(
            headers,
            name,
            what,
            &self.path,
            self.delimiter_hint(headers),
        )
    }

    /// The columns that can serve as metrics (see [`NumericColumns`]). A column that is
    /// numeric on some rows but not on others is refused, naming the line and value:
    /// leaving it out silently would lose a metric over one bad cell.
    pub fn numeric_columns(&self, key: &str) -> Result<NumericColumns> {
        let path = &self.path;
        let headers = self.headers()?;
        self.column_index(&headers, key, "key")?;
        let cols = headers.len();
        // First finite and first non-finite (line, value) per column.
        let mut number: Vec<Option<(usize, String)>> = vec![None; cols];
        let mut other: Vec<Option<(usize, String)>> = vec![None; cols];
        let mut counter0 = vec![true; cols];
        let mut counter1 = vec![true; cols];
        let mut r = self.reader();
        for (row, rec) in r.records().enumerate() {
            let rec = rec.map_err(|e| bad_record(path, e))?;
            let line = line_of(&self.bytes, &rec, row + 2);
            for (c, field) in rec.iter().enumerate().take(cols) {
                match field.parse::<f64>() {
                    Ok(x) if x.is_finite() => {
                        counter0[c] &= x == row as f64;
                        counter1[c] &= x == row as f64 + 1.0;
                        number[c].get_or_insert_with(|| (line, field.to_string()));
                    }
                    _ => {
                        other[c].get_or_insert_with(|| (line, field.to_string()));
                    }
                }
            }
        }
        let mut out = NumericColumns {
            metrics: vec![],
            left_out: vec![],
        };
        for (c, h) in headers.iter().enumerate() {
            if h == key {
                continue;
            }
            match (&number[c], &other[c]) {
                (Some((nline, nvalue)), Some((line, value))) => {
                    return Err(Error::new(
                        ErrorKind::NotANumber {
                            row: line.saturating_sub(2),
                            column: h.clone(),
                            value: value.clone(),
                        },
                        format!(
                            "{} line {line}, column {}: {} is not a finite number, although the column holds numbers (line {nline}: {nvalue}); fix or impute the cell, or name the columns to store",
                            path.display(),
                            printable(h),
                            printable(value)
                        ),
                    )
                    .with_path(path));
                }
                (None, Some((line, value))) => out.left_out.push(LeftOut {
                    column: h.clone(),
                    why: format!("not numeric (line {line}: {})", printable(value)),
                }),
                (None, None) => out.left_out.push(LeftOut {
                    column: h.clone(),
                    why: "no data rows".into(),
                }),
                (Some(_), None) if counter0[c] => out.left_out.push(LeftOut {
                    column: h.clone(),
                    why: "a row counter (0, 1, 2, … in file order)".into(),
                }),
                (Some(_), None) if counter1[c] => out.left_out.push(LeftOut {
                    column: h.clone(),
                    why: "a row counter (1, 2, 3, … in file order)".into(),
                }),
                (Some(_), None) => out.metrics.push(h.clone()),
            }
        }
        Ok(out)
    }

    /// Reads `metrics` of every architecture, keyed by column `key`.
    pub fn read_columns(&self, key: &str, metrics: &[String], codec: &KeyCodec) -> Result<Columns> {
        let path = &self.path;
        let headers = self.headers()?;
        let key_col = self.column_index(&headers, key, "key")?;
        let metric_cols: Vec<usize> = metrics
            .iter()
            .map(|m| self.column_index(&headers, m, "metric"))
            .collect::<Result<_>>()?;

        const UNSEEN: u32 = u32::MAX;
        let mut row_of = vec![UNSEEN; codec.n];
        let mut line_of_row: Vec<usize> = Vec::new();
        let mut values = vec![vec![f64::NAN; codec.n]; metrics.len()];
        let mut r = self.reader();
        for (row, rec) in r.records().enumerate() {
            let rec = rec.map_err(|e| bad_record(path, e))?;
            let line = line_of(&self.bytes, &rec, row + 2);
            line_of_row.push(line);
            let arch = rec.get(key_col).ok_or_else(|| {
                Error::new(
                    ErrorKind::EmptyKey { row },
                    format!(
                        "{} line {line}: the row has no {} field",
                        path.display(),
                        printable(key)
                    ),
                )
                .with_path(path)
            })?;
            let v = (codec.decode)(arch).map_err(|e| {
                Error::new(
                    ErrorKind::UnknownArchitecture {
                        row,
                        key: arch.to_string(),
                    },
                    format!(
                        "{} line {line}: {} is not an architecture of this space; fix the row or choose another space or key column",
                        path.display(),
                        printable(arch)
                    ),
                )
                .with_path(path)
                .with_source(e)
            })? as usize;
            if v >= codec.n {
                return Err(Error::new(
                    ErrorKind::UnknownArchitecture {
                        row,
                        key: arch.to_string(),
                    },
                    format!(
                        "{} line {line}: {} names vertex {v}, beyond the space's {} vertices",
                        path.display(),
                        printable(arch),
                        codec.n
                    ),
                )
                .with_path(path));
            }
            if row_of[v] != UNSEEN {
                let first = row_of[v] as usize;
                return Err(Error::new(
                    ErrorKind::Duplicate {
                        key: arch.to_string(),
                        rows: [first, row],
                    },
                    format!(
                        "{} line {line}: architecture {} appears twice (first on line {}); each architecture must have exactly one row",
                        path.display(),
                        printable(arch),
                        line_of_row[first]
                    ),
                )
                .with_path(path));
            }
            if row >= UNSEEN as usize {
                return Err(Error::new(
                    ErrorKind::TooManyRows,
                    format!("{} has more than {} rows", path.display(), UNSEEN - 1),
                )
                .with_path(path));
            }
            row_of[v] = row as u32;
            for ((&c, name), column) in metric_cols.iter().zip(metrics).zip(values.iter_mut()) {
                let field = rec.get(c).unwrap_or("");
                let not_a_number = |message: String| {
                    Error::new(
                        ErrorKind::NotANumber {
                            row,
                            column: name.clone(),
                            value: field.to_string(),
                        },
                        message,
                    )
                    .with_path(path)
                };
                let x: f64 = field.parse().map_err(|_| {
                    not_a_number(format!(
                        "{} line {line}, column {}: {} is not a number",
                        path.display(),
                        printable(name),
                        printable(field)
                    ))
                })?;
                if !x.is_finite() {
                    return Err(not_a_number(format!(
                        "{} line {line}, column {}: value {} is not finite; remove or impute it before analysis",
                        path.display(),
                        printable(name),
                        printable(field)
                    )));
                }
                column[v] = x;
            }
        }
        let missing: Vec<VertexId> = (0..codec.n as VertexId)
            .filter(|&v| row_of[v as usize] == UNSEEN)
            .collect();
        if let Some(&first_missing) = missing.first() {
            let first: Vec<String> = missing
                .iter()
                .take(5)
                .map(|&v| printable_bare(&(codec.encode)(v)))
                .collect();
            return Err(Error::new(
                ErrorKind::Missing {
                    count: missing.len(),
                    first: (codec.encode)(first_missing),
                },
                format!(
                    "{} covers {} of the space's {} architectures: {} missing, first: {}; every architecture needs a row",
                    path.display(),
                    codec.n - missing.len(),
                    codec.n,
                    missing.len(),
                    first.join(", ")
                ),
            )
            .with_path(path));
        }
        Ok(Columns { row_of, values })
    }

    /// The records of the table with their physical line numbers, for readers with
    /// their own row rules (key lists, edge lists).
    pub fn records(&self) -> impl Iterator<Item = Result<(usize, csv::StringRecord)>> + '_ {
        self.reader()
            .into_records()
            .enumerate()
            .map(move |(row, rec)| {
                let rec = rec.map_err(|e| bad_record(&self.path, e))?;
                Ok((line_of(&self.bytes, &rec, row + 2), rec))
            })
    }
}

/// The columns of the table at `path` that can serve as metrics
/// ([`CsvText::numeric_columns`]).
pub fn numeric_columns(path: &Path, key: &str) -> Result<Vec<String>> {
    Ok(CsvText::read(path)?.numeric_columns(key)?.metrics)
}

/// Reads `metrics` of every architecture of the table at `path`, keyed by column `key`.
pub fn read_columns(
    path: &Path,
    key: &str,
    metrics: &[String],
    codec: &KeyCodec,
) -> Result<Columns> {
    CsvText::read(path)?.read_columns(key, metrics, codec)
}
