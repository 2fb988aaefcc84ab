//! The byte layout of a `.nasl` file: constants, the header, the section directory.
//!
//! `docs/FORMAT.md` is the specification; this module is its executable form. Everything
//! is little-endian. A file is a 64-byte [`Header`], a directory of 32-byte [`DirEntry`]s
//! followed by its CRC-32, then the sections, each starting on a 64-byte boundary so that
//! metric columns can be read in place from a memory map. Gaps are zero bytes.

use crate::error::{fail, Error, Region};

type Result<T> = std::result::Result<T, Error>;

/// The first 8 bytes of every `.nasl` file: a non-ASCII byte (catches 7-bit transfers),
/// the name, then CR LF and Ctrl-Z (catch newline translation), as PNG does.
pub const MAGIC: [u8; 8] = *b"\x89NASL\r\n\x1a";

/// The first 4 bytes of a zstd frame: how a compressed `.nasl.zst` is recognised.
pub const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The format version this build writes and the newest it reads.
pub const VERSION: u32 = 1;

/// Bytes of the fixed header.
pub const HEADER_LEN: usize = 64;

/// Bytes of one directory entry.
pub const DIR_ENTRY_LEN: usize = 32;

/// Every section starts at a multiple of this (a cache line; more than any column needs).
pub const ALIGN: u64 = 64;

/// Zero bytes after the last packed value of a bit-packed section, so a decoder may load
/// a whole little-endian `u64` at the byte holding the first bit of any value.
pub const SLACK: u64 = 8;

/// Upper bound on the number of sections (a corrupt count is rejected before any use).
pub(crate) const MAX_SECTIONS: u32 = 1 << 16;

/// Header flag: every vertex has the same degree; there is no offsets section.
pub const FLAG_FIXED_DEGREE: u32 = 1;
/// Header flag: u is a neighbour of v exactly when v is a neighbour of u (checked by the
/// writer on the data it wrote).
pub const FLAG_SYMMETRIC: u32 = 2;
const KNOWN_FLAGS: u32 = FLAG_FIXED_DEGREE | FLAG_SYMMETRIC;

/// What a section holds (the `kind` field of a directory entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SectionKind {
    /// UTF-8 JSON object: provenance (what was packed from what, by which version).
    Meta = 1,
    /// How vertices are named: ids, a product-space codec, or a string table.
    Keys = 2,
    /// The string table: `n + 1` u64 offsets, then the UTF-8 bytes of all keys.
    KeyStrings = 3,
    /// CSR offsets, bit-packed (only when the degree varies).
    Offsets = 4,
    /// Neighbour indices, bit-packed, list after list.
    Neighbours = 5,
    /// The metric-column index: name, type, direction of each column.
    Columns = 6,
    /// One metric column's values (`index` = column number).
    Column = 7,
}

impl SectionKind {
    /// The kind with this on-disk code, if this build knows it.
    pub(crate) fn from_u32(x: u32) -> Option<Self> {
        Some(match x {
            1 => Self::Meta,
            2 => Self::Keys,
            3 => Self::KeyStrings,
            4 => Self::Offsets,
            5 => Self::Neighbours,
            6 => Self::Columns,
            7 => Self::Column,
            _ => return None,
        })
    }

    /// The name used in messages and `nasland info`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Meta => "meta",
            Self::Keys => "keys",
            Self::KeyStrings => "key-strings",
            Self::Offsets => "offsets",
            Self::Neighbours => "neighbours",
            Self::Columns => "columns",
            Self::Column => "column",
        }
    }
}

/// How architecture keys are stored (first u32 of the keys section).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyEncoding {
    /// The key of vertex v is v in decimal (random graphs).
    Ids = 0,
    /// The key of v is the architecture string of id v in a product space, whose spec
    /// (`nb201`, `5^10`, …) follows; strings are computed, not stored.
    Product = 1,
    /// The keys are stored in the key-strings section.
    Strings = 2,
}

/// The type of a metric column's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// IEEE-754 binary64.
    F64 = 1,
    /// IEEE-754 binary32, used only when every value of the column converts exactly.
    F32 = 2,
}

impl ColumnType {
    /// Bytes per value, to size and slice a column.
    pub fn width(self) -> u64 {
        match self {
            Self::F64 => 8,
            Self::F32 => 4,
        }
    }
}

/// Which way a metric is better, as recorded when packing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Not recorded: whoever analyses the column must say which way is better.
    #[default]
    Unspecified = 0,
    /// Lower is better (a loss, an error rate).
    Minimize = 1,
    /// Higher is better (an accuracy): analysed as its negation.
    Maximize = 2,
}

impl Direction {
    /// The direction with this on-disk code, if valid.
    pub(crate) fn from_u8(x: u8) -> Option<Self> {
        Some(match x {
            0 => Self::Unspecified,
            1 => Self::Minimize,
            2 => Self::Maximize,
            _ => return None,
        })
    }
}

/// ⌈log2 x⌉ for x ≥ 1: the bits needed to write every value in `0..x`.
pub(crate) fn ceil_log2(x: u64) -> u32 {
    if x <= 1 {
        0
    } else {
        64 - (x - 1).leading_zeros()
    }
}

/// Bytes of a bit-packed array of `count` values of `bits` bits, slack included; `None`
/// on overflow.
pub(crate) fn packed_len(count: u64, bits: u32) -> Option<u64> {
    count
        .checked_mul(bits as u64)?
        .div_ceil(8)
        .checked_add(SLACK)
}

/// `x` rounded up to a multiple of [`ALIGN`]; `None` on overflow.
pub(crate) fn align_up(x: u64) -> Option<u64> {
    x.checked_add(ALIGN - 1).map(|y| y / ALIGN * ALIGN)
}

/// The fixed 64-byte header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Format version the file was written in (at most [`VERSION`] once decoded).
    pub version: u32,
    /// [`FLAG_FIXED_DEGREE`], [`FLAG_SYMMETRIC`]; unknown bits are rejected.
    pub flags: u32,
    /// Number of vertices (ids `0..n`).
    pub n: u64,
    /// Number of neighbour entries (Σ degree).
    pub entries: u64,
    /// Smallest degree of any vertex (sizes buffers, checks the offsets).
    pub degree_min: u32,
    /// Largest degree of any vertex.
    pub degree_max: u32,
    /// Bits per neighbour index: ⌈log2 n⌉.
    pub index_bits: u32,
    /// Bits per CSR offset: ⌈log2(entries + 1)⌉, or 0 with [`FLAG_FIXED_DEGREE`].
    pub offset_bits: u32,
    /// Total bytes of the file.
    pub file_size: u64,
    /// Entries in the directory.
    pub section_count: u32,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

impl Header {
    /// Whether every vertex has the same degree (then there is no offsets section).
    pub fn fixed_degree(&self) -> bool {
        self.flags & FLAG_FIXED_DEGREE != 0
    }

    /// Whether the writer found the neighbour relation symmetric (an undirected graph),
    /// which algorithms that walk arcs backwards need to know.
    pub fn symmetric(&self) -> bool {
        self.flags & FLAG_SYMMETRIC != 0
    }

    /// The 64 bytes of the header, CRC included.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..8].copy_from_slice(&MAGIC);
        b[8..12].copy_from_slice(&self.version.to_le_bytes());
        b[12..16].copy_from_slice(&self.flags.to_le_bytes());
        b[16..24].copy_from_slice(&self.n.to_le_bytes());
        b[24..32].copy_from_slice(&self.entries.to_le_bytes());
        b[32..36].copy_from_slice(&self.degree_min.to_le_bytes());
        b[36..40].copy_from_slice(&self.degree_max.to_le_bytes());
        b[40..44].copy_from_slice(&self.index_bits.to_le_bytes());
        b[44..48].copy_from_slice(&self.offset_bits.to_le_bytes());
        b[48..56].copy_from_slice(&self.file_size.to_le_bytes());
        b[56..60].copy_from_slice(&self.section_count.to_le_bytes());
        let crc = crc32fast::hash(&b[0..60]);
        b[60..64].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// The header fields of the first 64 bytes of `file`, without any check (for tools
    /// that repair or deliberately damage files). Panics if `file` is shorter.
    pub fn decode_unchecked(file: &[u8]) -> Header {
        Header {
            version: u32_at(file, 8),
            flags: u32_at(file, 12),
            n: u64_at(file, 16),
            entries: u64_at(file, 24),
            degree_min: u32_at(file, 32),
            degree_max: u32_at(file, 36),
            index_bits: u32_at(file, 40),
            offset_bits: u32_at(file, 44),
            file_size: u64_at(file, 48),
            section_count: u32_at(file, 56),
        }
    }

    /// Parses and checks the header at the start of `file` (whole file, for the length
    /// check). Checks in the order that gives the most useful message: magic, version,
    /// length, checksum, then the consistency of the fields.
    pub fn decode(file: &[u8]) -> Result<Header> {
        if file.len() < 8 && !file.is_empty() && MAGIC.starts_with(file) {
            fail!(truncated,
                "truncated: the file is {} bytes, the start of a nasland table cut short; copy or pack it again",
                file.len()
            );
        }
        if file.len() < 8 || file[0..8] != MAGIC {
            let shown: Vec<String> = file.iter().take(8).map(|b| format!("{b:02x}")).collect();
            return Err(Error::new(crate::ErrorKind::NotATable, format!(
                "not a nasland table: it starts with bytes [{}], where a .nasl file starts with \
                 [89 4e 41 53 4c 0d 0a 1a] and a .nasl.zst with [28 b5 2f fd]; make one with `nasland pack`",
                shown.join(" ")
            )));
        }
        if file.len() < 12 {
            fail!(
                truncated,
                "truncated: the file is {} bytes, too short for the format version field; \
                 the file was cut short — copy or pack it again",
                file.len()
            );
        }
        let version = u32_at(file, 8);
        if version > VERSION {
            return Err(Error::new(
                crate::ErrorKind::NewerVersion {
                    found: version,
                    supported: VERSION,
                },
                format!(
                    "format version {version} is newer than this nasland reads (version {VERSION}); \
                     upgrade nasland, or re-pack the table with this one"
                ),
            ));
        }
        if version == 0 {
            fail!(
                structure,
                "format version 0 does not exist; the header is corrupt"
            );
        }
        if file.len() < HEADER_LEN {
            fail!(
                truncated,
                "truncated: the header needs {HEADER_LEN} bytes but the file has {}; \
                 the file was cut short — copy or pack it again",
                file.len()
            );
        }
        let stored = u32_at(file, 60);
        let computed = crc32fast::hash(&file[0..60]);
        if stored != computed {
            return Err(Error::checksum(
                Region::Header,
                stored,
                computed,
                format!(
                    "header checksum mismatch (stored {stored:08x}, computed {computed:08x}): \
                     the header is corrupt; copy or pack the file again"
                ),
            ));
        }
        let h = Header::decode_unchecked(file);
        if h.file_size != file.len() as u64 {
            if h.file_size > file.len() as u64 {
                fail!(
                    truncated,
                    "truncated: the header says the file has {} bytes but it has {}; \
                     the file was cut short — copy or pack it again",
                    h.file_size,
                    file.len()
                );
            }
            fail!(
                structure,
                "the header says the file has {} bytes but it has {}: bytes were appended; \
                 copy or pack the file again",
                h.file_size,
                file.len()
            );
        }
        h.check()?;
        Ok(h)
    }

    /// The header's fields agree with each other.
    fn check(&self) -> Result<()> {
        let h = self;
        if h.flags & !KNOWN_FLAGS != 0 {
            fail!(structure,
                "header flags {:#x} include bits this nasland does not know ({:#x}); upgrade nasland",
                h.flags,
                h.flags & !KNOWN_FLAGS
            );
        }
        if h.n == 0 || h.n > u32::MAX as u64 {
            fail!(
                structure,
                "header: n = {} vertices; a table holds 1 to {} vertices",
                h.n,
                u32::MAX
            );
        }
        if h.index_bits != ceil_log2(h.n) {
            fail!(
                structure,
                "header: {} bits per index, but n = {} needs exactly {}",
                h.index_bits,
                h.n,
                ceil_log2(h.n)
            );
        }
        if h.degree_min > h.degree_max || h.degree_max as u64 >= h.n {
            fail!(
                structure,
                "header: degrees {}..{} are impossible on {} vertices (no self-loops, no repeats)",
                h.degree_min,
                h.degree_max,
                h.n
            );
        }
        let lo = h.n * h.degree_min as u64;
        let hi = h.n * h.degree_max as u64;
        if h.entries < lo || h.entries > hi {
            fail!(
                structure,
                "header: {} neighbour entries, but {} vertices of degree {}..{} have {lo}..{hi}",
                h.entries,
                h.n,
                h.degree_min,
                h.degree_max
            );
        }
        if h.fixed_degree() {
            if h.degree_min != h.degree_max || h.offset_bits != 0 {
                fail!(structure,
                    "header: fixed-degree flag with degrees {}..{} and {} offset bits (expected equal degrees and 0)",
                    h.degree_min,
                    h.degree_max,
                    h.offset_bits
                );
            }
        } else if h.offset_bits != ceil_log2(h.entries + 1) {
            fail!(
                structure,
                "header: {} bits per offset, but {} entries need exactly {}",
                h.offset_bits,
                h.entries,
                ceil_log2(h.entries + 1)
            );
        }
        if h.section_count == 0 || h.section_count > MAX_SECTIONS {
            fail!(
                structure,
                "header: {} sections; a table has 1 to {MAX_SECTIONS}",
                h.section_count
            );
        }
        Ok(())
    }
}

/// One entry of the section directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// What the section holds.
    pub kind: SectionKind,
    /// Column number for [`SectionKind::Column`], else 0.
    pub index: u32,
    /// Byte offset of the payload from the start of the file (a multiple of [`ALIGN`]).
    pub offset: u64,
    /// Payload bytes (padding excluded).
    pub length: u64,
    /// CRC-32 (IEEE, as zlib/gzip) of the payload.
    pub crc: u32,
}

impl DirEntry {
    /// The 32 bytes of the entry, as the directory stores them.
    pub fn encode(&self) -> [u8; DIR_ENTRY_LEN] {
        let mut b = [0u8; DIR_ENTRY_LEN];
        b[0..4].copy_from_slice(&(self.kind as u32).to_le_bytes());
        b[4..8].copy_from_slice(&self.index.to_le_bytes());
        b[8..16].copy_from_slice(&self.offset.to_le_bytes());
        b[16..24].copy_from_slice(&self.length.to_le_bytes());
        b[24..28].copy_from_slice(&self.crc.to_le_bytes());
        b
    }

    /// The payload's byte range in the file.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset as usize..(self.offset + self.length) as usize
    }

    /// The part of the file this entry's checksum covers, for
    /// [`ErrorKind::ChecksumMismatch`](crate::ErrorKind::ChecksumMismatch).
    pub fn region(&self) -> Region {
        Region::Section {
            kind: self.kind,
            index: self.index,
        }
    }

    /// A name for messages: `neighbours`, `column 3`.
    pub fn label(&self) -> String {
        match self.kind {
            SectionKind::Column => format!("column {}", self.index),
            k => k.name().to_string(),
        }
    }
}

/// Bytes from the start of the file to the end of the directory (its CRC included).
pub(crate) fn directory_end(section_count: u32) -> u64 {
    HEADER_LEN as u64 + section_count as u64 * DIR_ENTRY_LEN as u64 + 4
}

/// Parses the directory and checks that the sections tile the file: each starts on a
/// 64-byte boundary after the directory, none overlaps another, the last ends at the end
/// of the file, and every byte between them is zero.
pub(crate) fn decode_directory(file: &[u8], h: &Header) -> Result<Vec<DirEntry>> {
    let end = directory_end(h.section_count);
    if end > file.len() as u64 {
        fail!(
            truncated,
            "truncated: the directory of {} sections needs bytes up to {end} but the file has {}",
            h.section_count,
            file.len()
        );
    }
    let dir = &file[HEADER_LEN..end as usize - 4];
    let stored = u32_at(file, end as usize - 4);
    let computed = crc32fast::hash(dir);
    if stored != computed {
        return Err(Error::checksum(
            Region::Directory,
            stored,
            computed,
            format!(
                "section directory checksum mismatch (stored {stored:08x}, computed {computed:08x}): \
                 the directory is corrupt; copy or pack the file again"
            ),
        ));
    }
    let mut entries = Vec::with_capacity(h.section_count as usize);
    for (i, e) in dir.chunks_exact(DIR_ENTRY_LEN).enumerate() {
        let kind_raw = u32_at(e, 0);
        let kind = SectionKind::from_u32(kind_raw).ok_or_else(|| {
            Error::structure(format!(
                "directory entry {i}: unknown section kind {kind_raw}; the file was written by a newer nasland or is corrupt"
            ))
        })?;
        if u32_at(e, 28) != 0 {
            fail!(structure, "directory entry {i}: reserved field is not zero");
        }
        let entry = DirEntry {
            kind,
            index: u32_at(e, 4),
            offset: u64_at(e, 8),
            length: u64_at(e, 16),
            crc: u32_at(e, 24),
        };
        if entry.kind != SectionKind::Column && entry.index != 0 {
            fail!(
                structure,
                "directory entry {i} ({}): index {} where only column sections have one",
                entry.label(),
                entry.index
            );
        }
        entries.push(entry);
    }
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| entries[i].offset);
    let mut pos = end;
    for &i in &order {
        let e = &entries[i];
        let stop = e.offset.checked_add(e.length).filter(|&s| s <= h.file_size);
        let Some(stop) = stop else {
            fail!(
                truncated,
                "truncated: section {} claims bytes {}..{} but the file has {} bytes; \
                 the file was cut short — copy or pack it again",
                e.label(),
                e.offset,
                e.offset as u128 + e.length as u128,
                h.file_size
            );
        };
        if e.offset % ALIGN != 0 {
            fail!(
                structure,
                "section {} starts at byte {}, not a multiple of {ALIGN}",
                e.label(),
                e.offset
            );
        }
        if e.offset < pos {
            fail!(structure,
                "section {} (bytes {}..{stop}) overlaps the directory or another section (which ends at {pos})",
                e.label(),
                e.offset
            );
        }
        if let Some(b) = file[pos as usize..e.offset as usize]
            .iter()
            .position(|&b| b != 0)
        {
            fail!(
                structure,
                "byte {} (padding before section {}) is {:#04x}, not zero: the file is corrupt",
                pos as usize + b,
                e.label(),
                file[pos as usize + b]
            );
        }
        pos = stop;
    }
    if pos != h.file_size {
        fail!(structure,
            "{} bytes after the last section (byte {pos} on) belong to no section: the file is corrupt",
            h.file_size - pos
        );
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_log2_values() {
        assert_eq!(ceil_log2(1), 0);
        assert_eq!(ceil_log2(2), 1);
        assert_eq!(ceil_log2(3), 2);
        assert_eq!(ceil_log2(15_625), 14);
        assert_eq!(ceil_log2(9_765_625), 24);
        assert_eq!(ceil_log2(1 << 24), 24);
        assert_eq!(ceil_log2((1 << 24) + 1), 25);
        assert_eq!(ceil_log2(u32::MAX as u64), 32);
    }
}
