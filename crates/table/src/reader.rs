//! Opening a `.nasl` (or `.nasl.zst`) file: memory-map it, check the header and the
//! directory, and hand out its sections — verified lazily, each on first use in one
//! streaming pass.
//!
//! Opening costs O(number of sections), not O(file): the header, the directory, the
//! padding between sections and the small sections (meta, keys, column index) are
//! checked at once; the large ones (neighbours with their offsets, key strings, each
//! metric column) are checked the first time they are asked for, by one parallel pass
//! that computes the section's CRC-32 and checks its structure on the same bytes while
//! they are in cache. A file that passes is safe to decode without further checks: every
//! index is below n, every list strictly increasing, every value finite.
//!
//! The contract of the memory map is stated on [`Table::open`].

use super::bits;
use super::format::{
    self, ColumnType, DirEntry, Direction, Header, KeyEncoding, SectionKind, MAGIC, ZSTD_MAGIC,
};
use super::graph::{Geometry, PackedGraph};
use crate::error::{fail, Error, ErrorKind, IoResultExt};
use memmap2::{Mmap, MmapMut};
use nasland_core::space::{ProductSpace, VertexId};
use rayon::prelude::*;
use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

type Result<T, E = Error> = std::result::Result<T, E>;

/// How vertices are named.
#[derive(Clone, Debug)]
pub enum Keys {
    /// Vertex v is called `v`.
    Ids,
    /// Names computed by a product space's codec.
    Product(ProductSpace),
    /// A stored string table: `n + 1` offsets then the bytes (ranges in the file).
    Strings {
        /// Byte range in the file of the `n + 1` little-endian u64 offsets.
        offsets: Range<usize>,
        /// Byte range in the file of the concatenated UTF-8 keys.
        bytes: Range<usize>,
    },
}

/// One metric column as the column index describes it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ColumnInfo {
    /// The name `--metric` selects it by.
    pub name: String,
    /// How values are stored (f32 only when that is lossless).
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// Which way is better, if the packer was told.
    pub direction: Direction,
    /// Index of its section in the directory.
    #[serde(skip)]
    pub section: usize,
}

/// A metric column's values, in place in the map.
#[derive(Clone, Copy, Debug)]
pub enum Values<'a> {
    /// Stored as binary64.
    F64(&'a [f64]),
    /// Stored as binary32 (every value was exactly representable).
    F32(&'a [f32]),
}

impl Values<'_> {
    /// Number of values (the table's n).
    pub fn len(&self) -> usize {
        match self {
            Values::F64(v) => v.len(),
            Values::F32(v) => v.len(),
        }
    }

    /// Whether there are no values (never, for a verified table).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i` as f64 (exact: f32 columns are f32 only when that is lossless).
    pub fn get(&self, i: usize) -> f64 {
        match self {
            Values::F64(v) => v[i],
            Values::F32(v) => v[i] as f64,
        }
    }

    /// `sign · value` for every vertex (the loss vector of an analysis).
    pub fn to_loss(&self, sign: f64) -> Vec<f64> {
        match self {
            Values::F64(v) => v.par_iter().map(|&x| sign * x).collect(),
            Values::F32(v) => v.par_iter().map(|&x| sign * x as f64).collect(),
        }
    }
}

/// An open table. Cheap to clone (the map is shared).
#[derive(Clone)]
pub struct Table {
    pub(crate) data: Arc<TableData>,
}

type Check = OnceLock<Result<()>>;

pub(crate) struct TableData {
    pub name: String,
    pub map: Mmap,
    pub compressed_size: Option<u64>,
    pub header: Header,
    pub sections: Vec<DirEntry>,
    pub meta: serde_json::Value,
    pub keys: Keys,
    pub columns: Vec<ColumnInfo>,
    pub neighbours: usize,
    pub offsets: Option<usize>,
    /// The CSR offsets' check (trivially passed by a fixed-degree table).
    offsets_check: Check,
    /// The neighbour lists' check: by [`verify_neighbours`], or fused into the LS pass
    /// of a deferred graph ([`PackedGraph::step_verified`]).
    pub(crate) neighbours_check: Check,
    keys_check: Check,
    column_checks: Vec<Check>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("name", &self.data.name)
            .field("n", &self.data.header.n)
            .finish()
    }
}

impl Table {
    /// Opens a `.nasl` file, or a zstd-compressed one (recognised by its first bytes,
    /// whatever its name), which is decompressed into anonymous memory.
    ///
    /// # The memory-map contract
    ///
    /// An uncompressed table is not read: it is memory-mapped, and the [`Table`], every
    /// [`PackedGraph`] and every [`Values`] slice taken from it read the file's pages in
    /// place, for as long as any of them is alive. That is what makes opening a
    /// gigabyte table instant and lets several processes share one copy in the page
    /// cache, and it comes with a condition the caller must keep: **no process may
    /// truncate or rewrite the file in place while it is open.** The operating system
    /// does not enforce this, and Rust cannot check it:
    ///
    /// - if the file is truncated, touching a page past the new end raises `SIGBUS` and
    ///   the process dies (on Linux and macOS; other systems differ);
    /// - if bytes are rewritten in place, the checks already passed no longer describe
    ///   the bytes read: results are garbage, a decoder may panic on an index that is no
    ///   longer valid, and, since the program was promised immutable memory, the
    ///   behaviour is formally undefined.
    ///
    /// Replacing the file by rename is safe: the map keeps the old file's pages until
    /// it is dropped. Every writer in nasland ([`write`](crate::write),
    /// [`atomic`](crate::atomic)) replaces files that way, so nasland never breaks the
    /// contract for another nasland process; a `cp` over the file or an editor saving in
    /// place can. A compressed table is decompressed into private memory and has no such
    /// condition.
    ///
    /// What the library does guarantee: every bound it reads by — the number of
    /// vertices, bits per index, where each section starts and ends — comes from the
    /// copy of the header and directory taken and verified at open, never re-read from
    /// the map, and every index is checked against the map's length as it was when
    /// mapped. A truncated or damaged file on disk at open time is reported as an
    /// [`Error`] ([`ErrorKind::Truncated`], [`ErrorKind::ChecksumMismatch`], …), never a
    /// crash; a file that cannot be opened or mapped is an [`ErrorKind::Io`] error naming
    /// `path`.
    pub fn open(path: &Path) -> Result<Table> {
        let name = path.display().to_string();
        Self::open_inner(path, name.clone())
            .map_err(|e| e.context(format!("cannot open table {name}")))
    }

    fn open_inner(path: &Path, name: String) -> Result<Table> {
        let mut file = File::open(path).at(path)?;
        let len = file.metadata().at(path)?.len();
        if len == 0 {
            return Err(Error::new(
                ErrorKind::NotATable,
                "the file is empty; make a table with `nasland pack`",
            ));
        }
        let mut head = [0u8; 4];
        let got = read_prefix(&mut file, &mut head).at(path)?;
        if got == 4 && head == ZSTD_MAGIC {
            let map = decompress(path, len)?;
            return Self::from_map(map, name, Some(len));
        }
        // SAFETY: the map is read-only; that the file is not truncated or rewritten while
        // it is mapped is the caller's side of the contract documented above.
        let map = unsafe { Mmap::map(&file) }
            .map_err(|e| Error::io_msg(path, format!("cannot memory-map {}", path.display()), e))?;
        Self::from_map(map, name, None)
    }

    /// Opens a table held in memory (tests, fuzzing): the bytes are copied into an
    /// anonymous map, so alignment is the same as for a file.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Table> {
        if bytes.is_empty() {
            return Err(Error::new(
                ErrorKind::NotATable,
                format!("{name}: the table is empty"),
            ));
        }
        if bytes.len() >= 4 && bytes[..4] == ZSTD_MAGIC {
            let map = decompress_from(bytes, bytes.len() as u64, Path::new(name))?;
            return Self::from_map(map, name.to_string(), Some(bytes.len() as u64));
        }
        let mut map = MmapMut::map_anon(bytes.len()).map_err(|e| reserve_error(name, e))?;
        map.copy_from_slice(bytes);
        let map = map.make_read_only().at(Path::new(name))?;
        Self::from_map(map, name.to_string(), None)
    }

    fn from_map(map: Mmap, name: String, compressed_size: Option<u64>) -> Result<Table> {
        if cfg!(target_endian = "big") {
            fail!(unsupported, "nasland tables are little-endian and this machine is big-endian; use a little-endian machine");
        }
        let bytes: &[u8] = &map;
        let header = Header::decode(bytes)?;
        let sections = format::decode_directory(bytes, &header)?;
        let find = |kind: SectionKind| -> Result<Option<usize>> {
            let mut it = sections
                .iter()
                .enumerate()
                .filter(|(_, e)| e.kind == kind)
                .map(|(i, _)| i);
            let first = it.next();
            if it.next().is_some() {
                fail!(
                    structure,
                    "the directory lists the {} section twice",
                    kind.name()
                );
            }
            Ok(first)
        };
        let need = |kind: SectionKind| -> Result<usize> {
            find(kind)?.ok_or_else(|| {
                Error::structure(format!("the directory has no {} section", kind.name()))
            })
        };

        // Small sections: verified now.
        let meta_i = need(SectionKind::Meta)?;
        let meta_bytes = verified(bytes, &sections[meta_i])?;
        let meta: serde_json::Value = std::str::from_utf8(meta_bytes)
            .ok()
            .and_then(|s| serde_json::from_str(s).ok())
            .filter(|v: &serde_json::Value| v.is_object())
            .ok_or_else(|| Error::structure("the meta section is not a UTF-8 JSON object"))?;

        let keys_i = need(SectionKind::Keys)?;
        let key_strings_i = find(SectionKind::KeyStrings)?;
        let keys = parse_keys(
            bytes,
            &header,
            verified(bytes, &sections[keys_i])?,
            key_strings_i.map(|i| &sections[i]),
        )?;

        let columns_i = need(SectionKind::Columns)?;
        let columns = parse_columns(verified(bytes, &sections[columns_i])?, &sections)?;
        let n = header.n;
        for c in &columns {
            let e = &sections[c.section];
            let want = n * c.ty.width();
            if e.length != want {
                fail!(
                    structure,
                    "metric column {:?} has {} bytes, but {n} {:?} values need {want}; \
                     the column has the wrong length",
                    c.name,
                    e.length,
                    c.ty
                );
            }
        }

        let neighbours = need(SectionKind::Neighbours)?;
        let want = format::packed_len(header.entries, header.index_bits)
            .ok_or_else(|| Error::structure("header: neighbour section size overflows"))?;
        expect_len(&sections[neighbours], want, "neighbour entries")?;
        let offsets = find(SectionKind::Offsets)?;
        match (header.fixed_degree(), offsets) {
            (true, Some(_)) => fail!(structure, "fixed-degree table with an offsets section"),
            (false, None) => fail!(
                structure,
                "the degree varies but the directory has no offsets section"
            ),
            (false, Some(i)) => {
                let want = format::packed_len(n + 1, header.offset_bits)
                    .ok_or_else(|| Error::structure("header: offsets section size overflows"))?;
                expect_len(&sections[i], want, "CSR offsets")?;
            }
            (true, None) => {}
        }
        let column_checks = columns.iter().map(|_| OnceLock::new()).collect();
        Ok(Table {
            data: Arc::new(TableData {
                name,
                map,
                compressed_size,
                header,
                sections,
                meta,
                keys,
                columns,
                neighbours,
                offsets,
                offsets_check: OnceLock::new(),
                neighbours_check: OnceLock::new(),
                keys_check: OnceLock::new(),
                column_checks,
            }),
        })
    }

    /// The name the table was opened under (its path).
    pub fn name(&self) -> &str {
        &self.data.name
    }

    /// The verified header: sizes, degrees, bit widths, flags.
    pub fn header(&self) -> &Header {
        &self.data.header
    }

    /// The directory, in file order of the entries.
    pub fn sections(&self) -> &[DirEntry] {
        &self.data.sections
    }

    /// Provenance recorded by the writer.
    pub fn meta(&self) -> &serde_json::Value {
        &self.data.meta
    }

    /// How the vertices are named (what `nasland keys` prints).
    pub fn keys(&self) -> &Keys {
        &self.data.keys
    }

    /// The metric columns, in stored order; their index is what [`Table::column`] takes.
    pub fn columns(&self) -> &[ColumnInfo] {
        &self.data.columns
    }

    /// Bytes of the (decompressed) table.
    pub fn len_bytes(&self) -> u64 {
        self.data.map.len() as u64
    }

    /// Bytes of the compressed file, for a `.nasl.zst`.
    pub fn compressed_size(&self) -> Option<u64> {
        self.data.compressed_size
    }

    /// Bytes the content needs at its stored widths with no framing: bit-packed indices
    /// and offsets, column values, key bytes with bit-packed key offsets.
    pub fn ideal_bytes(&self) -> u64 {
        let h = &self.data.header;
        let mut bits = h.entries * h.index_bits as u64 + (h.n + 1) * h.offset_bits as u64;
        if let Keys::Strings { bytes, .. } = &self.data.keys {
            let total = bytes.len() as u64;
            bits += 8 * total + (h.n + 1) * format::ceil_log2(total + 1) as u64;
        }
        let columns: u64 = self.data.columns.iter().map(|c| h.n * c.ty.width()).sum();
        bits.div_ceil(8) + columns
    }

    /// The index of the column called `name`; the error lists the columns there are.
    pub fn column_index(&self, name: &str) -> Result<usize> {
        self.data
            .columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.data.columns.iter().map(|c| c.name.as_str()).collect();
                Error::new(
                    ErrorKind::NoSuchColumn {
                        name: name.to_string(),
                    },
                    format!(
                        "{} has no metric column {name:?}; its columns are: {}",
                        self.data.name,
                        if names.is_empty() {
                            "(none — analyse it with synthetic losses)".to_string()
                        } else {
                            names.join(", ")
                        }
                    ),
                )
            })
    }

    /// The values of column `i`, verified on first use (checksum, every value finite).
    pub fn column(&self, i: usize) -> Result<Values<'_>> {
        let d = &self.data;
        let info = &d.columns[i];
        let e = &d.sections[info.section];
        once(&d.column_checks[i], || verify_column(&d.map, e, info))
            .map_err(|e| e.context(format!("{}: metric column {:?}", d.name, info.name)))?;
        let bytes = &d.map[e.range()];
        match info.ty {
            ColumnType::F64 => Ok(Values::F64(cast(bytes)?)),
            ColumnType::F32 => Ok(Values::F32(cast(bytes)?)),
        }
    }

    /// The neighbour relation, verified on first use (checksums of offsets and
    /// neighbours, and their structure), with the keys verified too.
    pub fn graph(&self) -> Result<PackedGraph> {
        let graph = self.graph_deferred();
        graph.verify()?;
        Ok(graph)
    }

    /// The neighbour relation with its checks still to run: the caller must call
    /// [`PackedGraph::verify`] or [`PackedGraph::step_verified`] (which checks the lists
    /// while its landscape pass reads them, so the file is read once instead of twice)
    /// before using it in any other way, and must give up on an error. Until then the
    /// graph is memory-safe to read (every range is clamped to the verified header) but
    /// its answers mean nothing on a damaged file. `analyze` uses it; everything else
    /// takes [`Table::graph`].
    pub fn graph_deferred(&self) -> PackedGraph {
        PackedGraph::new(self.data.clone())
    }

    /// Verifies the key strings (checksum, offsets, UTF-8, no key twice).
    pub fn verify_keys(&self) -> Result<()> {
        verify_graph_keys(&self.data)
    }

    /// Verifies every section now (what `nasland info --verify` runs), and the header's
    /// claim that the relation is symmetric: algorithms that assume an undirected graph
    /// (the exact iid standard deviation) trust that flag, so a crafted or damaged file
    /// that claims it falsely would give wrong answers, not errors. One parallel pass
    /// with a binary search per arc ([`PackedGraph::compute_symmetric`]).
    pub fn verify_all(&self) -> Result<()> {
        let graph = self.graph()?;
        if self.data.header.symmetric() && !graph.compute_symmetric() {
            return Err(Error::structure(
                "the header claims a symmetric (undirected) relation, but some arc u → v has no \
                 reverse v → u; the file was altered or not written by `nasland pack`: pack it again",
            )
            .context(self.data.name.clone()));
        }
        for i in 0..self.data.columns.len() {
            self.column(i)?;
        }
        Ok(())
    }

    /// The key of vertex `v`; keys must have been verified ([`Table::graph`] does).
    pub fn key(&self, v: VertexId) -> String {
        key_of(&self.data, v)
    }
}

pub(crate) fn key_of(d: &TableData, v: VertexId) -> String {
    match &d.keys {
        Keys::Ids => v.to_string(),
        Keys::Product(p) => p.encode(v),
        Keys::Strings { offsets, bytes } => {
            let off = &d.map[offsets.clone()];
            // The offsets section holds n + 1 verified u64 values, so 8 bytes at 8·i for
            // i ≤ n is in range by the section's verified length; `try_into` of an
            // 8-byte slice cannot fail.
            let at = |i: usize| u64::from_le_bytes(bits::array(off, 8 * i));
            let strings = &d.map[bytes.clone()];
            // Verified at first use, but the map is the file's pages (see the contract
            // of `Table::open`): clamped to the section, so a file rewritten in place
            // gives a wrong key, never an out-of-range slice.
            let b = (at(v as usize + 1) as usize).min(strings.len());
            let a = (at(v as usize) as usize).min(b);
            String::from_utf8_lossy(&strings[a..b]).into_owned()
        }
    }
}

/// Runs `f` once and remembers its outcome.
fn once(cell: &Check, f: impl FnOnce() -> Result<()>) -> Result<()> {
    cell.get_or_init(f).clone()
}

fn read_prefix(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..])? {
            0 => break,
            k => got += k,
        }
    }
    Ok(got)
}

fn expect_len(e: &DirEntry, want: u64, what: &str) -> Result<()> {
    if e.length != want {
        fail!(
            structure,
            "the {} section has {} bytes, but the header's sizes need {want} for its {what}",
            e.label(),
            e.length
        );
    }
    Ok(())
}

/// The payload of `e` after checking its CRC.
fn verified<'a>(file: &'a [u8], e: &DirEntry) -> Result<&'a [u8]> {
    let p = &file[e.range()];
    check_crc(e, crc32fast::hash(p))?;
    Ok(p)
}

fn check_crc(e: &DirEntry, computed: u32) -> Result<()> {
    if computed != e.crc {
        return Err(Error::checksum(
            e.region(),
            e.crc,
            computed,
            format!(
            "section {} (bytes {}..{}) checksum mismatch (stored {:08x}, computed {computed:08x}): \
             the file is corrupt; copy or pack it again",
            e.label(),
            e.offset,
            e.offset + e.length,
            e.crc
        ),
        ));
    }
    Ok(())
}

/// Reinterprets little-endian bytes as numbers in place.
fn cast<T: Number>(bytes: &[u8]) -> Result<&[T]> {
    // SAFETY: T is f64 or f32, for which every bit pattern is a valid value, and the
    // host is little-endian (checked at open), so the bytes read as the stored numbers.
    let (pre, mid, post) = unsafe { bytes.align_to::<T>() };
    if !pre.is_empty() || !post.is_empty() {
        fail!(
            internal,
            "a metric column is not aligned in memory; this is a bug in nasland"
        );
    }
    Ok(mid)
}

trait Number: Copy {}
impl Number for f64 {}
impl Number for f32 {}

fn parse_keys(file: &[u8], h: &Header, p: &[u8], strings: Option<&DirEntry>) -> Result<Keys> {
    if p.len() < 8 {
        fail!(
            structure,
            "the keys section has {} bytes; it needs at least 8",
            p.len()
        );
    }
    let encoding = u32::from_le_bytes(bits::array(p, 0));
    let param = u32::from_le_bytes(bits::array(p, 4)) as usize;
    if p.len() != 8 + param {
        fail!(
            structure,
            "the keys section has {} bytes, but its parameter length says {}",
            p.len(),
            8 + param
        );
    }
    let want_strings = encoding == KeyEncoding::Strings as u32;
    if want_strings != strings.is_some() {
        fail!(
            structure,
            "key encoding {encoding} {} a key-strings section, but the directory {} one",
            if want_strings {
                "needs"
            } else {
                "has no use for"
            },
            if strings.is_some() { "has" } else { "lacks" }
        );
    }
    match encoding {
        e if e == KeyEncoding::Ids as u32 && param == 0 => Ok(Keys::Ids),
        e if e == KeyEncoding::Product as u32 => {
            let spec = std::str::from_utf8(&p[8..]).map_err(|_| {
                Error::structure("the product-space spec in the keys section is not UTF-8")
            })?;
            let space = ProductSpace::parse(spec).map_err(|e| {
                Error::structure(format!("keys section: product space {spec:?}")).with_source(e)
            })?;
            let size = nasland_core::space::Neighbourhood::len(&space) as u64;
            if size != h.n {
                fail!(
                    structure,
                    "keys section: product space {spec} has {size} vertices but the table has {}",
                    h.n
                );
            }
            Ok(Keys::Product(space))
        }
        e if e == KeyEncoding::Strings as u32 && param == 0 => {
            let Some(e) = strings else {
                fail!(structure, "string keys without a key-strings section");
            };
            let off_len = (h.n + 1) * 8;
            if e.length < off_len {
                fail!(structure,
                    "the key-strings section has {} bytes, fewer than the {off_len} its {} offsets need",
                    e.length,
                    h.n + 1
                );
            }
            let start = e.offset as usize;
            let last = start + h.n as usize * 8;
            let total = u64::from_le_bytes(bits::array(file, last));
            if Some(e.length) != off_len.checked_add(total) {
                // Say "corrupt" rather than "inconsistent" when that is the cause.
                check_crc(e, crc32fast::hash(&file[e.range()]))?;
                fail!(structure,
                    "the key-strings section has {} bytes, but its offsets say {} key bytes follow {off_len} bytes of offsets",
                    e.length,
                    total
                );
            }
            Ok(Keys::Strings {
                offsets: start..start + off_len as usize,
                bytes: start + off_len as usize..start + e.length as usize,
            })
        }
        _ => fail!(
            structure,
            "unknown key encoding {encoding} (with {param} parameter bytes); \
             the file was written by a newer nasland or is corrupt"
        ),
    }
}

fn parse_columns(p: &[u8], sections: &[DirEntry]) -> Result<Vec<ColumnInfo>> {
    if p.len() < 8 {
        fail!(
            structure,
            "the columns section has {} bytes; it needs at least 8",
            p.len()
        );
    }
    let count = u32::from_le_bytes(bits::array(p, 0)) as usize;
    if p[4..8] != [0; 4] {
        fail!(
            structure,
            "the columns section's reserved field is not zero"
        );
    }
    let mut at = 8;
    let mut columns = Vec::new();
    let mut names = HashSet::new();
    for i in 0..count {
        if p.len() < at + 4 {
            fail!(
                structure,
                "the columns section ends inside the description of column {i}"
            );
        }
        let ty = match p[at] {
            1 => ColumnType::F64,
            2 => ColumnType::F32,
            t => fail!(
                structure,
                "column {i}: unknown value type {t} (1 = f64, 2 = f32)"
            ),
        };
        let direction = Direction::from_u8(p[at + 1]).ok_or_else(|| {
            Error::structure(format!(
                "column {i}: unknown direction {} (0 unspecified, 1 minimize, 2 maximize)",
                p[at + 1]
            ))
        })?;
        let len = u16::from_le_bytes([p[at + 2], p[at + 3]]) as usize;
        at += 4;
        let name = p
            .get(at..at + len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::structure(format!(
                    "column {i}: its name is missing, empty or not UTF-8"
                ))
            })?
            .to_string();
        at += len;
        if !names.insert(name.clone()) {
            fail!(structure, "two metric columns are called {name:?}");
        }
        let section = sections
            .iter()
            .position(|e| e.kind == SectionKind::Column && e.index as usize == i)
            .ok_or_else(|| {
                Error::structure(format!(
                    "metric column {name:?} (number {i}) has no section"
                ))
            })?;
        if sections
            .iter()
            .filter(|e| e.kind == SectionKind::Column && e.index as usize == i)
            .count()
            > 1
        {
            fail!(
                structure,
                "metric column {name:?} (number {i}) has two sections"
            );
        }
        columns.push(ColumnInfo {
            name,
            ty,
            direction,
            section,
        });
    }
    if at != p.len() {
        fail!(
            structure,
            "the columns section has {} bytes after its {count} column descriptions",
            p.len() - at
        );
    }
    let stray = sections
        .iter()
        .filter(|e| e.kind == SectionKind::Column && e.index as usize >= count)
        .count();
    if stray > 0 {
        fail!(
            structure,
            "{stray} column sections have numbers beyond the {count} columns described"
        );
    }
    Ok(columns)
}

/// Bytes per chunk of a verification pass, roughly: small enough that the structural
/// check re-reads the bytes from L2 after the CRC has read them, large enough to
/// amortise a task.
const CHUNK_BYTES: u64 = 1 << 18;

/// One streaming pass over a section: CRC-32 of its bytes, computed in parallel over
/// `bounds` (byte offsets 0 = b_0 ≤ … ≤ b_k = len) and combined in order, with `check(j)`
/// run on chunk j in the same task. A checksum mismatch is reported before any
/// structural error (it explains them); otherwise the first failing chunk's error.
fn crc_and_check(
    e: &DirEntry,
    data: &[u8],
    bounds: &[usize],
    check: impl Fn(usize) -> Result<()> + Sync,
) -> Result<()> {
    let results: Vec<(crc32fast::Hasher, Result<()>)> = (0..bounds.len() - 1)
        .into_par_iter()
        .map(|j| {
            let mut h = crc32fast::Hasher::new();
            h.update(&data[bounds[j]..bounds[j + 1]]);
            (h, check(j))
        })
        .collect();
    let mut crc = crc32fast::Hasher::new();
    for (h, _) in &results {
        crc.combine(h);
    }
    check_crc(e, crc.finalize())?;
    results.into_iter().try_for_each(|(_, r)| r)
}

/// Chunk boundaries in items (vertices, values) of about `bits_per_item` bits each:
/// 0, c, 2c, …, count, with c items making about [`CHUNK_BYTES`].
fn item_chunks(count: u64, bits_per_item: u64) -> Vec<u64> {
    let c = (CHUNK_BYTES * 8 / bits_per_item.max(1)).max(64);
    let mut b: Vec<u64> = (0..count).step_by(c as usize).collect();
    b.push(count);
    b
}

/// Unused bits of a packed section's last byte and its slack must be zero.
fn check_tail(e: &DirEntry, data: &[u8], used_bits: u64) -> Result<()> {
    let bits = data.view_bits_lsb0();
    if let Some(i) = bits[used_bits as usize..].first_one() {
        fail!(
            structure,
            "section {}: bit {} after the last packed value is set; padding and slack must be zero",
            e.label(),
            used_bits + i as u64
        );
    }
    Ok(())
}

trait ViewBits {
    fn view_bits_lsb0(&self) -> &bitvec::slice::BitSlice<u8, bitvec::order::Lsb0>;
}
impl ViewBits for [u8] {
    fn view_bits_lsb0(&self) -> &bitvec::slice::BitSlice<u8, bitvec::order::Lsb0> {
        bitvec::view::BitView::view_bits::<bitvec::order::Lsb0>(self)
    }
}

/// The graph's checks, each run once per open table and remembered: the CSR offsets,
/// the neighbour lists, then the keys (the order that gives the most useful message).
pub(crate) fn verify_graph(d: &TableData) -> Result<()> {
    verify_graph_offsets(d)?;
    once(&d.neighbours_check, || verify_neighbours(d)).map_err(|e| e.context(d.name.clone()))?;
    verify_graph_keys(d)
}

/// The offsets' check, once (the neighbour pass relies on them).
pub(crate) fn verify_graph_offsets(d: &TableData) -> Result<()> {
    once(&d.offsets_check, || verify_offsets(d)).map_err(|e| e.context(d.name.clone()))
}

/// The keys' check, once.
pub(crate) fn verify_graph_keys(d: &TableData) -> Result<()> {
    once(&d.keys_check, || verify_keys(d)).map_err(|e| e.context(d.name.clone()))
}

fn verify_offsets(d: &TableData) -> Result<()> {
    let h = &d.header;
    let n = h.n;
    let map: &[u8] = &d.map;
    if let Some(oi) = d.offsets {
        let e = &d.sections[oi];
        let data = &map[e.range()];
        let ob = h.offset_bits;
        let items = item_chunks(n + 1, ob as u64);
        let mut bounds: Vec<usize> = items
            .iter()
            .map(|&i| (i * ob as u64 / 8) as usize)
            .collect();
        if let Some(last) = bounds.last_mut() {
            *last = data.len();
        }
        let degree_range = std::sync::Mutex::new(Vec::new());
        crc_and_check(e, data, &bounds, |j| {
            let (a, b) = (items[j], items[j + 1]);
            let (mut lo, mut hi) = (u64::MAX, 0);
            // Order first: a decrease also makes a neighbouring degree absurd, and the
            // decrease is the better message.
            for v in a..b.min(n) {
                let (off, next) = (bits::get(data, v, ob), bits::get(data, v + 1, ob));
                if next < off {
                    return Err(Error::structure(format!(
                        "CSR offsets are not monotone: vertex {v} starts at {off} and vertex {} at {next}",
                        v + 1
                    )));
                }
            }
            for v in a..b {
                let off = bits::get(data, v, ob);
                if v == 0 && off != 0 {
                    fail!(structure, "CSR offsets: the first offset is not 0");
                }
                if v == n {
                    if off != h.entries {
                        return Err(Error::structure(format!(
                            "CSR offsets: the last offset is {off} but the header says {} entries",
                            h.entries
                        )));
                    }
                    continue;
                }
                let deg = bits::get(data, v + 1, ob) - off;
                if deg < h.degree_min as u64 || deg > h.degree_max as u64 {
                    return Err(Error::structure(format!(
                        "CSR offsets: vertex {v} has degree {deg}, outside the header's {}..{}",
                        h.degree_min, h.degree_max
                    )));
                }
                lo = lo.min(deg);
                hi = hi.max(deg);
            }
            degree_range
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((lo, hi));
            Ok(())
        })?;
        check_tail(e, data, (n + 1) * ob as u64)?;
        let seen = degree_range.into_inner().unwrap_or_else(|p| p.into_inner());
        let lo = seen.iter().map(|r| r.0).min().unwrap_or(0);
        let hi = seen.iter().map(|r| r.1).max().unwrap_or(0);
        if (lo, hi) != (h.degree_min as u64, h.degree_max as u64) {
            return Err(Error::structure(format!(
                "the header says degrees {}..{} but the offsets give {lo}..{hi}",
                h.degree_min, h.degree_max
            )));
        }
    }
    Ok(())
}

/// The neighbour lists' check on its own: one streaming pass (CRC and structure of each
/// chunk while it is in cache). The offsets must have passed.
fn verify_neighbours(d: &TableData) -> Result<()> {
    let h = &d.header;
    let n = h.n;
    let map: &[u8] = &d.map;
    let e = &d.sections[d.neighbours];
    let data = &map[e.range()];
    let w = h.index_bits;
    let geo = Geometry::of(d);
    let vertices = item_chunks(n, (h.entries * w as u64).div_ceil(n));
    let bounds = list_bounds(&geo, map, &vertices, data.len());
    crc_and_check(e, data, &bounds, |j| {
        for v in vertices[j]..vertices[j + 1] {
            let (a, b) = geo.entry_range(map, v);
            let mut list = ListCheck::new();
            bits::for_each_value(data, a, b, w, |u| list.see(u, v));
            if !list.passed(a, b, n) {
                return Err(Error::structure(list_error(data, w, n, v, a, b)));
            }
        }
        Ok(())
    })?;
    check_tail(e, data, h.entries * w as u64)
}

/// The byte offsets that cut a neighbour section of `len` bytes at the first entry of
/// each vertex of `vertices` (0 = v_0 < … < v_k = n), for a pass that checksums it chunk
/// by chunk: 0 first, `len` last (the slack included), non-decreasing and within `len`
/// whatever the offsets say, so that no slice can panic.
pub(crate) fn list_bounds(geo: &Geometry, map: &[u8], vertices: &[u64], len: usize) -> Vec<usize> {
    let n = geo.n;
    let mut prev = 0usize;
    let mut bounds: Vec<usize> = vertices
        .iter()
        .map(|&v| {
            let at = (geo.entry_range(map, v.min(n - 1)).0 * geo.w as u64 / 8) as usize;
            prev = at.clamp(prev, len);
            prev
        })
        .collect();
    if let Some(first) = bounds.first_mut() {
        *first = 0;
    }
    if let Some(last) = bounds.last_mut() {
        *last = len;
    }
    bounds
}

/// The structure check of one neighbour list, fed its entries in order: the list is
/// fine iff it is strictly increasing, avoids its own vertex, and ends below n. Two
/// comparisons per entry folded into one flag; `prev + 1` starts at 0 (wrapping).
pub(crate) struct ListCheck {
    prev: u64,
    ok: bool,
}

impl ListCheck {
    #[inline(always)]
    pub(crate) fn new() -> Self {
        ListCheck {
            prev: u64::MAX,
            ok: true,
        }
    }

    /// Entry `u` of the list of `v`, as decoded (not clamped).
    #[inline(always)]
    pub(crate) fn see(&mut self, u: u64, v: u64) {
        self.ok &= (u >= self.prev.wrapping_add(1)) & (u != v);
        self.prev = u;
    }

    /// Whether the list of entries `a..b` passed.
    #[inline(always)]
    pub(crate) fn passed(&self, a: u64, b: u64, n: u64) -> bool {
        self.ok && (a == b || self.prev < n)
    }
}

/// The outcome of a chunked pass over the neighbour section `e` (its bytes `data`): the
/// chunks' CRCs in order, and each chunk's structural outcome. As [`crc_and_check`]: a
/// checksum mismatch first, then the first failing chunk's error, then the tail.
pub(crate) fn finish_neighbours(
    d: &TableData,
    chunks: impl IntoIterator<Item = (crc32fast::Hasher, Result<()>)>,
) -> Result<()> {
    let e = &d.sections[d.neighbours];
    let data = &d.map[e.range()];
    let mut crc = crc32fast::Hasher::new();
    let mut first_error = Ok(());
    for (h, r) in chunks {
        crc.combine(&h);
        if first_error.is_ok() {
            first_error = r;
        }
    }
    check_crc(e, crc.finalize())?;
    first_error?;
    check_tail(e, data, d.header.entries * d.header.index_bits as u64)
}

/// What is wrong with the neighbour list of `v` (entries `a..b`), known to be wrong.
pub(crate) fn list_error(data: &[u8], w: u32, n: u64, v: u64, a: u64, b: u64) -> String {
    for i in a..b {
        let u = bits::get(data, i, w);
        if u >= n {
            return format!("vertex {v}: neighbour index {u} is not below n = {n}");
        }
        if u == v {
            return format!("vertex {v} lists itself as a neighbour");
        }
        if i > a && bits::get(data, i - 1, w) >= u {
            return format!(
                "vertex {v}: neighbour list is not strictly increasing ({} then {u})",
                bits::get(data, i - 1, w)
            );
        }
    }
    format!("vertex {v}: invalid neighbour list")
}

fn verify_keys(d: &TableData) -> Result<()> {
    let Keys::Strings { offsets, bytes } = &d.keys else {
        return Ok(());
    };
    let e = d
        .sections
        .iter()
        .find(|e| e.kind == SectionKind::KeyStrings)
        .ok_or_else(|| Error::structure("string keys without a key-strings section"))?;
    check_crc(e, crc32fast::hash(&d.map[e.range()]))?;
    let off = &d.map[offsets.clone()];
    let text = &d.map[bytes.clone()];
    let at = |i: usize| u64::from_le_bytes(bits::array(off, 8 * i));
    if at(0) != 0 {
        fail!(structure, "key strings: the first offset is not 0");
    }
    let n = d.header.n as usize;
    let mut seen = HashSet::with_capacity(n);
    for v in 0..n {
        let (a, b) = (at(v), at(v + 1));
        if b < a || b > text.len() as u64 {
            return Err(Error::structure(format!(
                "key strings: offsets of vertex {v} ({a}..{b}) are decreasing or beyond the {} key bytes",
                text.len()
            )));
        }
        let key = std::str::from_utf8(&text[a as usize..b as usize]).map_err(|_| {
            Error::structure(format!("key strings: the key of vertex {v} is not UTF-8"))
        })?;
        if !seen.insert(key) {
            return Err(Error::structure(format!(
                "key strings: the key {key:?} names two vertices (the second is {v})"
            )));
        }
    }
    Ok(())
}

fn verify_column(map: &[u8], e: &DirEntry, info: &ColumnInfo) -> Result<()> {
    let data = &map[e.range()];
    let width = info.ty.width();
    let n = e.length / width;
    let items = item_chunks(n, 8 * width);
    let bounds: Vec<usize> = items.iter().map(|&i| (i * width) as usize).collect();
    let value = |i: u64| -> f64 {
        let at = (i * width) as usize;
        match info.ty {
            ColumnType::F64 => f64::from_le_bytes(bits::array(data, at)),
            ColumnType::F32 => f32::from_le_bytes(bits::array(data, at)) as f64,
        }
    };
    crc_and_check(e, data, &bounds, |j| {
        for v in items[j]..items[j + 1] {
            let x = value(v);
            if !x.is_finite() {
                return Err(Error::structure(format!(
                    "vertex {v}: value {x} is not finite"
                )));
            }
        }
        Ok(())
    })
}

/// Decompresses a `.nasl.zst` file into anonymous memory.
fn decompress(path: &Path, compressed: u64) -> Result<Mmap> {
    let file = File::open(path).at(path)?;
    decompress_stream(std::io::BufReader::new(file), compressed, path, |buf| {
        let mut f = File::open(path)?;
        read_prefix(&mut f, buf)
    })
}

fn decompress_from(bytes: &[u8], compressed: u64, name: &Path) -> Result<Mmap> {
    decompress_stream(bytes, compressed, name, |buf| {
        let k = buf.len().min(bytes.len());
        buf[..k].copy_from_slice(&bytes[..k]);
        Ok(k)
    })
}

fn decompress_stream<R: std::io::BufRead>(
    input: R,
    compressed: u64,
    name: &Path,
    prefix: impl FnOnce(&mut [u8]) -> std::io::Result<usize>,
) -> Result<Mmap> {
    let mut head = [0u8; 18]; // the largest zstd frame header
    let got = prefix(&mut head).at(name)?;
    let size =
        match zstd::zstd_safe::get_frame_content_size(&head[..got]) {
            Ok(Some(size)) => size,
            Ok(None) => fail!(zstd,
            "the zstd frame does not record its decompressed size; decompress it with `zstd -d` \
             and open the .nasl, or re-compress it with nasland's packer, which records it"
        ),
            Err(_) => fail!(
                zstd,
                "corrupt zstd stream: the frame header is unreadable; copy the file again"
            ),
        };
    if size < format::HEADER_LEN as u64 || size > isize::MAX as u64 {
        fail!(
            zstd,
            "corrupt zstd stream: it declares {size} decompressed bytes, which no table has"
        );
    }
    let mut out = MmapMut::map_anon(size as usize).map_err(|e| {
        Error::io_msg(
            name,
            format!("cannot reserve {size} bytes of memory to decompress the table"),
            e,
        )
    })?;
    let mut dec = zstd::stream::read::Decoder::with_buffer(input)
        .map_err(|e| Error::zstd("cannot start the zstd decoder").with_source(e))?;
    let mut filled = 0usize;
    let mut checked = false;
    while filled < out.len() {
        if !checked && filled >= format::HEADER_LEN {
            // The header is in: before decompressing what may be gigabytes, check that
            // this is a table, and one of the size the frame declares.
            check_decompressed_header(&out[..format::HEADER_LEN], size)?;
            checked = true;
        }
        let end = if checked {
            out.len()
        } else {
            format::HEADER_LEN
        };
        match dec.read(&mut out[filled..end]) {
            Ok(0) => {
                fail!(truncated,
                "truncated zstd stream: it ended after {filled} of its {size} decompressed bytes \
                 ({compressed} compressed bytes); copy the file again"
            )
            }
            Ok(k) => filled += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                fail!(zstd,
                "corrupt zstd stream after {filled} decompressed bytes: {e}; copy the file again"
            )
            }
        }
    }
    // Reading past the declared size makes zstd finish the frame and check its checksum.
    let mut extra = [0u8; 1];
    loop {
        match dec.read(&mut extra) {
            Ok(0) => break,
            Ok(_) => {
                fail!(zstd,
                "corrupt zstd stream: it decompresses to more than the {size} bytes it declares"
            )
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => fail!(
                zstd,
                "corrupt zstd stream at its end: {e}; copy the file again"
            ),
        }
    }
    out.make_read_only().at(name)
}

/// Checks the first [`format::HEADER_LEN`] decompressed bytes of a `.nasl.zst`: the
/// magic, the header checksum and that the header's file size is the size the zstd frame
/// declares, so that a small file declaring gigabytes is refused after one block.
fn check_decompressed_header(head: &[u8], declared: u64) -> Result<()> {
    if head[..8] != MAGIC {
        return Err(Error::new(
            ErrorKind::NotATable,
            "a zstd file whose content is not a nasland table (its first decompressed bytes \
             are not the .nasl magic); decompress it with `zstd -d` to see what it is",
        ));
    }
    let h = Header::decode_unchecked(head);
    let stored = u32::from_le_bytes([head[60], head[61], head[62], head[63]]);
    if stored != crc32fast::hash(&head[0..60]) || h.file_size != declared {
        fail!(
            zstd,
            "corrupt zstd table: the frame declares {declared} decompressed bytes, but the \
             table header inside {}; copy or pack the file again",
            if stored != crc32fast::hash(&head[0..60]) {
                "is damaged (checksum mismatch)".to_string()
            } else {
                format!("says {} bytes", h.file_size)
            }
        );
    }
    Ok(())
}

/// The error of a failed anonymous map for a table held in memory.
fn reserve_error(name: &str, e: std::io::Error) -> Error {
    Error::io_msg(
        Path::new(name),
        format!("cannot reserve memory for the table {name}"),
        e,
    )
}
