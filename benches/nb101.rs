//! NAS-Bench-101 build phases, per cell, on 10,000 cells spread over the space:
//! canonical form, official module hash, and one cell's moves canonicalised.
//! The whole build is timed by `cargo run --release --example nb101_build`.
//!
//! Run: `cargo bench --bench nb101`. Figures and machine in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nasland::space::nb101::{canonical, enumerate, hash, neighbours, Cell};

fn phases(c: &mut Criterion) {
    let (classes, _) = enumerate::all_classes(|_| {});
    let cells: Vec<Cell> = classes
        .iter()
        .step_by(classes.len() / 10_000)
        .map(|k| k.cell())
        .collect();
    let mut group = c.benchmark_group("nb101-per-cell");
    group.sample_size(10);
    group.throughput(Throughput::Elements(cells.len() as u64));
    group.bench_function("canonical", |b| {
        b.iter(|| {
            cells
                .iter()
                .map(|c| canonical(c).raw())
                .fold(0, u64::wrapping_add)
        })
    });
    group.bench_function("module_hash", |b| {
        b.iter(|| {
            cells
                .iter()
                .map(|c| hash::module_hash_hex(c)[0] as u64)
                .sum::<u64>()
        })
    });
    group.bench_function("moves+canonical", |b| {
        b.iter(|| {
            let mut acc = 0u64;
            for c in &cells {
                neighbours::for_each_move(c, |m| acc = acc.wrapping_add(canonical(&m).raw()));
            }
            acc
        })
    });
    group.finish();
}

criterion_group!(benches, phases);
criterion_main!(benches);
