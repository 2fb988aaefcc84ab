//! The landscape table on `5^10` (9,765,625 vertices, 40 neighbours, 24-bit indices):
//! the explicit pass over the packed, memory-mapped file against the streaming product
//! pass on the same space and losses; opening; the one-pass verification.
//!
//! Run: `cargo bench --bench table` (packs `target/bench-5^10.nasl` once, ~1.2 GB, and
//! reuses it). Figures and machine in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion};
use nasland::landscape::{explicit, product};
use nasland::space::{Csr, Neighbourhood, ProductSpace};
use nasland::synth::Model;
use nasland::table::{self, Table};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn packed(spec: &str) -> PathBuf {
    // The project's target directory: this package lives in benches/.
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target"))
        .join(format!("bench-{spec}.nasl"));
    if Table::open(&path).is_err() {
        let space = ProductSpace::parse(spec).unwrap();
        let t = Instant::now();
        table::write(
            &path,
            &table::Contents {
                graph: &space,
                keys: table::KeySource::Product(spec.into()),
                columns: vec![],
                meta: Default::default(),
            },
            Default::default(),
        )
        .unwrap();
        eprintln!("packed {spec} in {:.1} s", t.elapsed().as_secs_f64());
    }
    path
}

/// The large space when benchmarking (`cargo bench` passes `--bench`); the small one when
/// `cargo test --all-targets` only checks that the benchmarks run, so that the test
/// suite does not pack a 1.2 GB file.
fn large() -> &'static str {
    if std::env::args().any(|a| a == "--bench") {
        "5^10"
    } else {
        "5^6"
    }
}

fn step(c: &mut Criterion) {
    let mut specs = vec!["5^6", large()];
    specs.dedup();
    for spec in specs {
        let space = ProductSpace::parse(spec).unwrap();
        let loss = Model::Uniform.draw(space.len(), 1);
        let path = packed(spec);
        let graph = Table::open(&path).unwrap().graph().unwrap();
        let mut group = c.benchmark_group(format!("step-{spec}"));
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(15));
        group.bench_function("streaming-product", |b| {
            b.iter(|| product::step(&space, &loss).local_minima)
        });
        group.bench_function("explicit-packed-mmap", |b| {
            b.iter(|| explicit::step(&graph, &loss).local_minima)
        });
        group.bench_function("explicit-computed-product", |b| {
            b.iter(|| explicit::step(&space, &loss).local_minima)
        });
        if spec == "5^6" {
            // The same explicit pass over plain u32 lists (not done for 5^10: 1.6 GB).
            let csr = Csr::from_neighbourhood(&graph);
            group.bench_function("explicit-csr-u32", |b| {
                b.iter(|| explicit::step(&csr, &loss).local_minima)
            });
        }
        group.finish();
    }
}

fn open_and_verify(c: &mut Criterion) {
    let path = packed(large());
    let mut group = c.benchmark_group(format!("table-{}", large()));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    group.bench_function("open", |b| {
        b.iter(|| Table::open(&path).unwrap().header().n)
    });
    group.bench_function("open+verify-graph", |b| {
        b.iter(|| Table::open(&path).unwrap().graph().unwrap().len())
    });
    group.finish();
}

criterion_group!(benches, step, open_and_verify);
criterion_main!(benches);
