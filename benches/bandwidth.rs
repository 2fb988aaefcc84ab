//! This machine's memory bandwidth, the bound every streaming pass is measured against.
//!
//! STREAM-like kernels over arrays far larger than the last-level cache (3 × 256 MiB
//! against 32 MiB of L3), on all threads as the core pass runs:
//! - copy:  a[i] = b[i]            (16 bytes per element: 8 read, 8 written)
//! - triad: a[i] = b[i] + s·c[i]   (24 bytes per element: 16 read, 8 written)
//!
//! The byte counts are STREAM's (writes counted once); a write-allocate cache also
//! reads each written line first, so the traffic the memory sees is higher, which is
//! why the figures are quoted as STREAM quotes them. Criterion prints GiB/s.
//!
//! Run: `cargo bench --bench bandwidth`. Figures and machine in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;

/// Elements per array: 256 MiB of f64, 8× the L3.
const N: usize = 1 << 25;

/// Elements per parallel work item.
const CHUNK: usize = 1 << 16;

fn bandwidth(c: &mut Criterion) {
    let mut a = vec![0.0f64; N];
    let b: Vec<f64> = (0..N).into_par_iter().map(|i| i as f64).collect();
    let cc: Vec<f64> = (0..N).into_par_iter().map(|i| (N - i) as f64).collect();
    // Touch every page of `a` so page faults are not timed.
    a.par_iter_mut().for_each(|x| *x = 1.0);
    let mut group = c.benchmark_group("bandwidth");
    group.sample_size(10);
    group.throughput(Throughput::Bytes((16 * N) as u64));
    group.bench_function("copy", |bench| {
        bench.iter(|| {
            a.par_chunks_mut(CHUNK)
                .zip(b.par_chunks(CHUNK))
                .for_each(|(a, b)| a.copy_from_slice(b));
        })
    });
    group.throughput(Throughput::Bytes((24 * N) as u64));
    group.bench_function("triad", |bench| {
        let s = std::hint::black_box(3.0);
        bench.iter(|| {
            a.par_chunks_mut(CHUNK)
                .zip(b.par_chunks(CHUNK))
                .zip(cc.par_chunks(CHUNK))
                .for_each(|((a, b), c)| {
                    for ((a, &b), &c) in a.iter_mut().zip(b).zip(c) {
                        *a = b + s * c;
                    }
                });
        })
    });
    group.finish();
    std::hint::black_box(&a);
}

criterion_group!(benches, bandwidth);
criterion_main!(benches);
