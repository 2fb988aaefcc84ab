//! Fuzzes the `.nasl` reader: any bytes must give a table or an error, never a panic,
//! and a table that verifies must be fully usable (every key, neighbour and value).
//!
//! Each input is tried twice: as it is (the checksums reject almost every mutation, so
//! this exercises the outer checks and the zstd path), and "re-signed" — with the file
//! size and every checksum it can locate recomputed — so that mutations reach the
//! structural checks behind the checksums (directory tiling, lengths, key encodings,
//! column index, offsets, neighbour lists, values).
//!
//! Run for a bounded time (see docs/FORMAT.md, "Fuzzing"):
//!   RUSTC_BOOTSTRAP=1 cargo fuzz run read_table -- -max_total_time=600

#![no_main]

use libfuzzer_sys::fuzz_target;
use nasland_core::space::{Neighbourhood, VertexId};
use nasland_table::format::{Header, DIR_ENTRY_LEN, HEADER_LEN};
use nasland_table::Table;

fuzz_target!(|data: &[u8]| {
    exercise(data);
    if let Some(fixed) = resign(data) {
        exercise(&fixed);
    }
});

fn exercise(data: &[u8]) {
    let Ok(table) = Table::from_bytes(data, "fuzz.nasl") else {
        return;
    };
    // Keep each input cheap: a valid header may declare up to 2^32 - 1 vertices in a tiny
    // file (degree 0, no columns); walking those is slow, not wrong.
    if table.header().n > 1 << 16 {
        return;
    }
    let _ = table.ideal_bytes();
    let _ = table.meta().to_string();
    if let Ok(graph) = table.graph() {
        let mut sum = 0u64;
        for v in 0..graph.len() as VertexId {
            sum += graph.key(v).len() as u64 + graph.degree(v) as u64;
            graph.for_each_neighbour(v, |u| {
                assert!((u as usize) < graph.len());
                sum += u as u64;
            });
        }
        std::hint::black_box(sum);
    }
    for i in 0..table.columns().len() {
        if let Ok(values) = table.column(i) {
            for v in 0..values.len() {
                assert!(values.get(v).is_finite());
            }
        }
    }
}

/// The input with its file size, section checksums, directory checksum and header
/// checksum recomputed (as far as the bytes allow).
fn resign(data: &[u8]) -> Option<Vec<u8>> {
    if data.len() < HEADER_LEN + 4 || data[..4] == [0x28, 0xb5, 0x2f, 0xfd] {
        return None;
    }
    let mut b = data.to_vec();
    let len = b.len() as u64;
    b[48..56].copy_from_slice(&len.to_le_bytes());
    let h = Header::decode_unchecked(&b);
    let count = (h.section_count as usize).min((b.len() - HEADER_LEN - 4) / DIR_ENTRY_LEN);
    for i in 0..count {
        let at = HEADER_LEN + i * DIR_ENTRY_LEN;
        let offset = u64::from_le_bytes(b[at + 8..at + 16].try_into().unwrap());
        let length = u64::from_le_bytes(b[at + 16..at + 24].try_into().unwrap());
        if let Some(end) = offset.checked_add(length).filter(|&e| e <= len) {
            let crc = crc32fast::hash(&b[offset as usize..end as usize]);
            b[at + 24..at + 28].copy_from_slice(&crc.to_le_bytes());
        }
    }
    let end = HEADER_LEN + count * DIR_ENTRY_LEN;
    let crc = crc32fast::hash(&b[HEADER_LEN..end]);
    b[end..end + 4].copy_from_slice(&crc.to_le_bytes());
    let crc = crc32fast::hash(&b[..60]);
    b[60..64].copy_from_slice(&crc.to_le_bytes());
    Some(b)
}
