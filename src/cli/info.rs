//! `nasland info`: what a table holds, from its header and directory (no full read).

use super::output;
use crate::format::{percent, thousands};
use crate::table::format::SectionKind;
use crate::table::{ColumnInfo, Keys, Table};
use anyhow::Result;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// Describe a table: vertices, neighbour entries, degrees, bits per index, symmetry,
/// metric columns and the bytes of each section. Reads the header and the directory
/// only, unless --verify.
#[derive(Args, Debug)]
pub struct InfoArgs {
    /// A .nasl or .nasl.zst table.
    pub file: PathBuf,

    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,

    /// Also verify every section (checksums and structure) and report the time taken.
    #[arg(long)]
    pub verify: bool,
}

#[derive(Serialize)]
struct Degree {
    min: u32,
    mean: f64,
    max: u32,
    fixed: bool,
}

#[derive(Serialize)]
struct Section {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<u32>,
    offset: u64,
    bytes: u64,
    crc32: String,
}

#[derive(Serialize)]
struct InfoJson<'a> {
    file: String,
    format_version: u32,
    bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    zstd_bytes: Option<u64>,
    n: u64,
    neighbour_entries: u64,
    degree: Degree,
    bits_per_index: u32,
    bits_per_offset: u32,
    symmetric: bool,
    keys: serde_json::Value,
    metrics: &'a [ColumnInfo],
    sections: Vec<Section>,
    ideal_bytes: u64,
    overhead: f64,
    meta: &'a serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    verified_seconds: Option<f64>,
}

pub fn run(args: InfoArgs) -> Result<()> {
    let start = Instant::now();
    let table = Table::open(&args.file)?;
    let opened = start.elapsed();
    let verified = if args.verify {
        let t = Instant::now();
        table.verify_all()?;
        Some(t.elapsed().as_secs_f64())
    } else {
        None
    };
    let h = table.header();
    let keys = match table.keys() {
        Keys::Ids => serde_json::json!({"encoding": "ids"}),
        Keys::Product(p) => serde_json::json!({"encoding": "product", "space": p.name()}),
        Keys::Strings { bytes, .. } => {
            serde_json::json!({"encoding": "strings", "bytes": bytes.len()})
        }
    };
    let ideal = table.ideal_bytes();
    let doc = InfoJson {
        file: args.file.display().to_string(),
        format_version: h.version,
        bytes: table.len_bytes(),
        zstd_bytes: table.compressed_size(),
        n: h.n,
        neighbour_entries: h.entries,
        degree: Degree {
            min: h.degree_min,
            mean: h.entries as f64 / h.n as f64,
            max: h.degree_max,
            fixed: h.fixed_degree(),
        },
        bits_per_index: h.index_bits,
        bits_per_offset: h.offset_bits,
        symmetric: h.symmetric(),
        keys,
        metrics: table.columns(),
        sections: table
            .sections()
            .iter()
            .map(|e| Section {
                kind: e.kind.name(),
                column: (e.kind == SectionKind::Column).then_some(e.index),
                offset: e.offset,
                bytes: e.length,
                crc32: format!("{:08x}", e.crc),
            })
            .collect(),
        ideal_bytes: ideal,
        overhead: table.len_bytes() as f64 / ideal.max(1) as f64 - 1.0,
        meta: table.meta(),
        verified_seconds: verified,
    };
    output::print(&doc, args.json, |d| print_human(d, &table))?;
    errln!(
        "nasland: opened in {:.2} ms{}",
        opened.as_secs_f64() * 1e3,
        match verified {
            Some(s) => format!(", every section verified in {:.1} ms", s * 1e3),
            None => String::new(),
        }
    );
    Ok(())
}

fn print_human(d: &InfoJson, table: &Table) {
    let size = match d.zstd_bytes {
        Some(z) => format!(
            "{} bytes, zstd-compressed to {}",
            thousands(d.bytes),
            thousands(z)
        ),
        None => format!("{} bytes", thousands(d.bytes)),
    };
    outln!(
        "table       {} (format version {}, {size})",
        d.file,
        d.format_version
    );
    outln!("vertices    {}", thousands(d.n));
    let degree = if d.degree.fixed {
        format!("degree {} for every vertex", d.degree.min)
    } else {
        format!(
            "degree min {}, mean {:.3}, max {}",
            d.degree.min, d.degree.mean, d.degree.max
        )
    };
    outln!(
        "neighbours  {} entries; {degree}",
        thousands(d.neighbour_entries)
    );
    let offsets = if d.degree.fixed {
        "no offsets (fixed degree)".to_string()
    } else {
        format!("{} bits per CSR offset", d.bits_per_offset)
    };
    outln!("packing     {} bits per index; {offsets}", d.bits_per_index);
    outln!(
        "symmetric   {}",
        if d.symmetric {
            "yes (undirected)"
        } else {
            "no"
        }
    );
    let keys = match table.keys() {
        Keys::Ids => "vertex ids".to_string(),
        Keys::Product(p) => format!("computed by product space {}", p.name()),
        Keys::Strings { bytes, .. } => {
            format!("stored strings, {} bytes", thousands(bytes.len() as u64))
        }
    };
    outln!("keys        {keys}");
    if d.metrics.is_empty() {
        outln!("metrics     none (analyse with --synthetic)");
    } else {
        outln!("metrics     {} columns:", d.metrics.len());
        for c in d.metrics {
            outln!(
                "              {} ({}, {})",
                c.name,
                serde_json::to_value(c.ty)
                    .ok()
                    .as_ref()
                    .and_then(|v| v.as_str())
                    .unwrap_or("?"),
                serde_json::to_value(c.direction)
                    .ok()
                    .as_ref()
                    .and_then(|v| v.as_str())
                    .unwrap_or("?")
            );
        }
    }
    outln!(
        "sections    {:<14} {:>14} {:>16}  crc32",
        "kind",
        "offset",
        "bytes"
    );
    for s in &d.sections {
        let kind = match s.column {
            Some(i) => format!("{} {i}", s.kind),
            None => s.kind.to_string(),
        };
        outln!(
            "            {:<14} {:>14} {:>16}  {}",
            kind,
            thousands(s.offset),
            thousands(s.bytes),
            s.crc32
        );
    }
    outln!(
        "size        {} bytes; bit-packed ideal {} bytes; overhead {}",
        thousands(d.bytes),
        thousands(d.ideal_bytes),
        percent(d.overhead)
    );
    outln!("provenance  {}", d.meta);
}
