//! Writing a `.nasl` file from any [`Neighbourhood`], atomically.
//!
//! The file is written to a temporary [`AtomicFile`] beside the destination, reopened and
//! verified by the reader (so a writer bug cannot leave an unreadable file), checked for
//! symmetry, and only then committed (fsync, rename, directory fsync). With zstd, the
//! verified temporary is compressed into a second temporary, which is committed instead.
//!
//! Neighbour lists are packed in parallel, chunk by chunk, in bounded memory: the space
//! is never materialised as a list of `u32`s, so a product space of 10^7 vertices packs
//! straight from its arithmetic neighbourhood.

use super::bits::{self, BitSink};
use super::format::{
    self, ColumnType, DirEntry, Direction, Header, KeyEncoding, SectionKind, FLAG_FIXED_DEGREE,
    FLAG_SYMMETRIC, HEADER_LEN, VERSION,
};
use super::reader::Table;
use crate::atomic::AtomicFile;
use crate::error::{fail, Error};
use nasland_core::space::{Neighbourhood, VertexId};
use rayon::prelude::*;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

type Result<T, E = Error> = std::result::Result<T, E>;

/// How the vertices of a table are named.
#[derive(Clone, Debug)]
pub enum KeySource {
    /// Vertex v is called `v` (random graphs).
    Ids,
    /// Names computed by the product space with this spec (`nb201`, `5^10`).
    Product(String),
    /// One string per vertex, in id order; no two equal.
    Strings(Vec<String>),
}

/// A metric column to store.
#[derive(Clone, Debug)]
pub struct ColumnSource {
    /// The name callers select the column by (1 to 65535 bytes, unique in the table).
    pub name: String,
    /// Which way is better, if known; recorded so `analyze` need not be told.
    pub direction: Direction,
    /// One finite value per vertex, in the metric's own units.
    pub values: Vec<f64>,
}

/// Everything a table holds.
pub struct Contents<'a, N: Neighbourhood> {
    /// The neighbour relation, streamed chunk by chunk (never materialised).
    pub graph: &'a N,
    /// How the vertices are named.
    pub keys: KeySource,
    /// The metric columns, in the order they will be stored.
    pub columns: Vec<ColumnSource>,
    /// Provenance, stored as the meta section (a JSON object).
    pub meta: serde_json::Map<String, serde_json::Value>,
}

/// Options of [`write()`].
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteOptions {
    /// Compress the whole file with zstd at this level (1..=22).
    pub zstd_level: Option<i32>,
}

/// Vertices per packing chunk (a few MB of packed bytes for degree 40).
const CHUNK: usize = 1 << 14;
/// Chunks packed in parallel before they are written (bounds memory).
const WINDOW: usize = 32;

/// The type a column is stored as: f32 when every value survives the round trip through
/// f32 exactly (DESIGN.md, "Precision"), else f64.
pub(crate) fn column_type(values: &[f64]) -> ColumnType {
    if values.par_iter().all(|&x| (x as f32) as f64 == x) {
        ColumnType::F32
    } else {
        ColumnType::F64
    }
}

/// Writes `contents` to `path` atomically: on success `path` holds the complete, verified
/// table; on error it is untouched and no temporary file is left behind.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the contents cannot be
/// stored (a self-loop, a repeated neighbour, a column of the wrong length or with a
/// non-finite value, keys that do not match the vertices), found before the destination is
/// touched; [`ErrorKind::Io`](crate::ErrorKind::Io) when the file system refuses. Every
/// message starts with "cannot write" and the path.
pub fn write<N: Neighbourhood>(
    path: &Path,
    contents: &Contents<N>,
    opts: WriteOptions,
) -> Result<()> {
    write_inner(path, contents, opts)
        .map_err(|e| e.context(format!("cannot write {}", path.display())))
}

fn write_inner<N: Neighbourhood>(path: &Path, c: &Contents<N>, opts: WriteOptions) -> Result<()> {
    let graph = c.graph;
    let n = graph.len();
    if n == 0 || n as u64 > u32::MAX as u64 {
        fail!(
            invalid_input,
            "a table holds 1 to {} vertices; this space has {n}",
            u32::MAX
        );
    }
    let n64 = n as u64;

    // Degrees, chunk by chunk: entries before each chunk, min and max.
    let chunk_stats: Vec<(u64, u64, u64)> = (0..n)
        .into_par_iter()
        .step_by(CHUNK)
        .map(|a| {
            let (mut sum, mut lo, mut hi) = (0u64, u64::MAX, 0u64);
            for v in a..(a + CHUNK).min(n) {
                let d = graph.degree(v as VertexId) as u64;
                sum += d;
                lo = lo.min(d);
                hi = hi.max(d);
            }
            (sum, lo, hi)
        })
        .collect();
    let mut chunk_start = Vec::with_capacity(chunk_stats.len() + 1);
    let mut entries = 0u64;
    for &(s, _, _) in &chunk_stats {
        chunk_start.push(entries);
        entries += s;
    }
    chunk_start.push(entries);
    // n ≥ 1 (checked above), so there is at least one chunk; 0 is never used.
    let degree_min = chunk_stats.iter().map(|s| s.1).min().unwrap_or(0);
    let degree_max = chunk_stats.iter().map(|s| s.2).max().unwrap_or(0);
    if degree_max >= n64 {
        fail!(
            invalid_input,
            "a vertex has {degree_max} neighbours among {n} vertices: a self-loop or a repeat"
        );
    }
    let fixed = degree_min == degree_max;
    let w = format::ceil_log2(n64);
    let ob = if fixed {
        0
    } else {
        format::ceil_log2(entries + 1)
    };

    // Sections and their payload lengths, in file order.
    let meta = serde_json::to_vec(&c.meta).map_err(|e| {
        Error::invalid_input("the meta section cannot be written as JSON").with_source(e)
    })?;
    let keys_payload = match &c.keys {
        KeySource::Ids => key_header(KeyEncoding::Ids, b""),
        KeySource::Product(spec) => key_header(KeyEncoding::Product, spec.as_bytes()),
        KeySource::Strings(_) => key_header(KeyEncoding::Strings, b""),
    };
    let key_bytes: u64 = match &c.keys {
        KeySource::Strings(k) => {
            if k.len() != n {
                fail!(invalid_input, "{} keys for {n} vertices", k.len());
            }
            k.iter().map(|s| s.len() as u64).sum()
        }
        _ => 0,
    };
    let mut types = Vec::new();
    for col in &c.columns {
        if col.values.len() != n {
            fail!(
                invalid_input,
                "column {:?} has {} values for {n} vertices",
                col.name,
                col.values.len()
            );
        }
        if let Some(v) = col.values.iter().position(|x| !x.is_finite()) {
            fail!(
                invalid_input,
                "column {:?}: vertex {v} has the non-finite value {}",
                col.name,
                col.values[v]
            );
        }
        if col.name.is_empty() || col.name.len() > u16::MAX as usize {
            fail!(
                invalid_input,
                "column name {:?} must have 1 to 65535 bytes",
                col.name
            );
        }
        types.push(column_type(&col.values));
    }
    let mut column_index = Vec::new();
    column_index.extend_from_slice(&(c.columns.len() as u32).to_le_bytes());
    column_index.extend_from_slice(&[0; 4]);
    for (col, ty) in c.columns.iter().zip(&types) {
        column_index.push(*ty as u8);
        column_index.push(col.direction as u8);
        column_index.extend_from_slice(&(col.name.len() as u16).to_le_bytes());
        column_index.extend_from_slice(col.name.as_bytes());
    }

    let too_large = || Error::invalid_input("the table's sections would exceed 2^64 bytes");
    let mut plan: Vec<(SectionKind, u32, u64)> = vec![
        (SectionKind::Meta, 0, meta.len() as u64),
        (SectionKind::Keys, 0, keys_payload.len() as u64),
    ];
    if matches!(c.keys, KeySource::Strings(_)) {
        plan.push((SectionKind::KeyStrings, 0, 8 * (n64 + 1) + key_bytes));
    }
    if !fixed {
        plan.push((
            SectionKind::Offsets,
            0,
            format::packed_len(n64 + 1, ob).ok_or_else(too_large)?,
        ));
    }
    plan.push((
        SectionKind::Neighbours,
        0,
        format::packed_len(entries, w).ok_or_else(too_large)?,
    ));
    plan.push((SectionKind::Columns, 0, column_index.len() as u64));
    for (i, ty) in types.iter().enumerate() {
        plan.push((SectionKind::Column, i as u32, n64 * ty.width()));
    }
    let mut dir = Vec::with_capacity(plan.len());
    let mut pos =
        format::align_up(format::directory_end(plan.len() as u32)).ok_or_else(too_large)?;
    for &(kind, index, length) in &plan {
        dir.push(DirEntry {
            kind,
            index,
            offset: pos,
            length,
            crc: 0,
        });
        pos = pos
            .checked_add(length)
            .and_then(format::align_up)
            .ok_or_else(too_large)?;
    }
    let file_size = dir.last().map_or(pos, |e| e.offset + e.length);
    let mut header = Header {
        version: VERSION,
        flags: if fixed { FLAG_FIXED_DEGREE } else { 0 },
        n: n64,
        entries,
        degree_min: degree_min as u32,
        degree_max: degree_max as u32,
        index_bits: w,
        offset_bits: ob,
        file_size,
        section_count: dir.len() as u32,
    };

    let tmp = AtomicFile::create(path)?;
    let io = |e: std::io::Error| Error::io(path, e);
    let mut out = std::io::BufWriter::with_capacity(1 << 22, tmp.file());
    out.write_all(&vec![0u8; dir[0].offset as usize])
        .map_err(io)?;
    let mut written = dir[0].offset;
    for (i, e) in dir.clone().iter().enumerate() {
        out.write_all(&vec![0u8; (e.offset - written) as usize])
            .map_err(io)?;
        let mut sink = CrcWriter {
            out: &mut out,
            crc: crc32fast::Hasher::new(),
            bytes: 0,
        };
        match e.kind {
            SectionKind::Meta => sink.write_all(&meta).map_err(io)?,
            SectionKind::Keys => sink.write_all(&keys_payload).map_err(io)?,
            SectionKind::KeyStrings => {
                let KeySource::Strings(keys) = &c.keys else {
                    unreachable!()
                };
                let mut off = 0u64;
                sink.write_all(&off.to_le_bytes()).map_err(io)?;
                for k in keys {
                    off += k.len() as u64;
                    sink.write_all(&off.to_le_bytes()).map_err(io)?;
                }
                for k in keys {
                    sink.write_all(k.as_bytes()).map_err(io)?;
                }
            }
            SectionKind::Offsets => {
                let mut bs = BitSink::new(&mut sink);
                let mut off = 0u64;
                let (bytes, nbits) = bits::pack(std::iter::once(0), ob, 0);
                bs.push(bytes, nbits).map_err(io)?;
                for a in (0..n).step_by(CHUNK) {
                    let b = (a + CHUNK).min(n);
                    let vals: Vec<u64> = (a..b)
                        .map(|v| {
                            off += graph.degree(v as VertexId) as u64;
                            off
                        })
                        .collect();
                    let (bytes, nbits) = bits::pack(vals.into_iter(), ob, bs.phase());
                    bs.push(bytes, nbits).map_err(io)?;
                }
                bs.finish().map_err(io)?;
            }
            SectionKind::Neighbours => {
                let mut bs = BitSink::new(&mut sink);
                let chunks: Vec<usize> = (0..n).step_by(CHUNK).collect();
                for window in chunks.chunks(WINDOW) {
                    let packed: Vec<Result<(Vec<u8>, u64)>> = window
                        .par_iter()
                        .map(|&a| {
                            let phase = (chunk_start[a / CHUNK] * w as u64 % 8) as u32;
                            pack_lists(graph, a, (a + CHUNK).min(n), w, phase)
                        })
                        .collect();
                    for p in packed {
                        let (bytes, nbits) = p?;
                        bs.push(bytes, nbits).map_err(io)?;
                    }
                }
                bs.finish().map_err(io)?;
            }
            SectionKind::Columns => sink.write_all(&column_index).map_err(io)?,
            SectionKind::Column => {
                let col = &c.columns[e.index as usize];
                let mut buf = Vec::with_capacity(1 << 20);
                for chunk in col.values.chunks(1 << 17) {
                    buf.clear();
                    match types[e.index as usize] {
                        ColumnType::F64 => chunk
                            .iter()
                            .for_each(|x| buf.extend_from_slice(&x.to_le_bytes())),
                        ColumnType::F32 => chunk
                            .iter()
                            .for_each(|&x| buf.extend_from_slice(&(x as f32).to_le_bytes())),
                    }
                    sink.write_all(&buf).map_err(io)?;
                }
            }
        }
        if sink.bytes != e.length {
            fail!(
                internal,
                "internal error: section {} came out {} bytes long, planned {}",
                e.label(),
                sink.bytes,
                e.length
            );
        }
        dir[i].crc = sink.crc.finalize();
        written = e.offset + e.length;
    }
    // Header and directory now that the checksums are known; symmetric flag comes after
    // the self-check below.
    write_front(&mut out, &header, &dir).map_err(io)?;
    out.flush().map_err(io)?;
    drop(out);
    tmp.file().sync_all().map_err(io)?;

    // Read back what was written: the reader's full verification is the writer's test.
    let unverified = |e: Error| e.context("the table just written does not verify");
    let reopened = Table::open(tmp.path()).map_err(unverified)?;
    reopened.verify_all().map_err(unverified)?;
    if reopened.graph()?.compute_symmetric() {
        header.flags |= FLAG_SYMMETRIC;
    }
    drop(reopened);
    let mut f = tmp.file();
    write_front(&mut f, &header, &dir).map_err(io)?;

    match opts.zstd_level {
        None => tmp.commit()?,
        Some(level) => {
            let ztmp = AtomicFile::create(path)?;
            let mut enc = zstd::stream::write::Encoder::new(ztmp.file(), level).map_err(io)?;
            enc.include_checksum(true).map_err(io)?;
            enc.include_contentsize(true).map_err(io)?;
            enc.set_pledged_src_size(Some(file_size)).map_err(io)?;
            let src = std::fs::File::open(tmp.path()).map_err(io)?;
            let mut src = std::io::BufReader::with_capacity(1 << 22, src);
            std::io::copy(&mut src, &mut enc).map_err(io)?;
            enc.finish().map_err(io)?;
            ztmp.commit()?;
        }
    }
    Ok(())
}

fn key_header(encoding: KeyEncoding, param: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(8 + param.len());
    b.extend_from_slice(&(encoding as u32).to_le_bytes());
    b.extend_from_slice(&(param.len() as u32).to_le_bytes());
    b.extend_from_slice(param);
    b
}

fn write_front<W: Write + Seek>(
    out: &mut W,
    header: &Header,
    dir: &[DirEntry],
) -> std::io::Result<()> {
    out.seek(SeekFrom::Start(0))?;
    out.write_all(&header.encode())?;
    let mut d = Vec::with_capacity(dir.len() * format::DIR_ENTRY_LEN + 4);
    for e in dir {
        d.extend_from_slice(&e.encode());
    }
    let crc = crc32fast::hash(&d);
    d.extend_from_slice(&crc.to_le_bytes());
    debug_assert_eq!(
        HEADER_LEN as u64 + d.len() as u64,
        format::directory_end(dir.len() as u32)
    );
    out.write_all(&d)?;
    out.seek(SeekFrom::End(0))?;
    Ok(())
}

/// Packs the sorted neighbour lists of vertices `a..b`, checking each.
fn pack_lists<N: Neighbourhood>(
    graph: &N,
    a: usize,
    b: usize,
    w: u32,
    phase: u32,
) -> Result<(Vec<u8>, u64)> {
    let n = graph.len() as u64;
    let mut all: Vec<u64> = Vec::new();
    let mut list: Vec<VertexId> = Vec::new();
    for v in a..b {
        list.clear();
        graph.for_each_neighbour(v as VertexId, |u| list.push(u));
        list.sort_unstable();
        if list.len() != graph.degree(v as VertexId) {
            fail!(
                invalid_input,
                "vertex {v}: degree {} but {} neighbours listed",
                graph.degree(v as VertexId),
                list.len()
            );
        }
        for (j, &u) in list.iter().enumerate() {
            if u as u64 >= n {
                fail!(
                    invalid_input,
                    "vertex {v} has neighbour {u}, but there are only {n} vertices"
                );
            }
            if u as usize == v {
                fail!(invalid_input, "vertex {v} lists itself as a neighbour");
            }
            if j > 0 && list[j - 1] == u {
                fail!(invalid_input, "vertex {v} lists neighbour {u} twice");
            }
        }
        all.extend(list.iter().map(|&u| u as u64));
    }
    Ok(bits::pack(all.into_iter(), w, phase))
}

/// Counts and checksums the bytes of one section on their way out.
struct CrcWriter<'a, W: Write> {
    out: &'a mut W,
    crc: crc32fast::Hasher,
    bytes: u64,
}

impl<W: Write> Write for CrcWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let k = self.out.write(buf)?;
        self.crc.update(&buf[..k]);
        self.bytes += k as u64;
        Ok(k)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
