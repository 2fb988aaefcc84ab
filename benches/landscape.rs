//! Full analysis (synthetic losses → LS → LS* → summary) on k^d product spaces.
//!
//! Run: `cargo bench --bench landscape`. Figures and machine in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion};
use nasland::landscape::Landscape;
use nasland::space::ProductSpace;
use nasland::stats::{summarize, SummaryOptions};
use nasland::synth::Model;

fn full_analysis(c: &mut Criterion) {
    let mut group = c.benchmark_group("analyze-uniform");
    group.sample_size(10);
    for spec in ["5^6", "5^9", "5^10"] {
        let space = ProductSpace::parse(spec).unwrap();
        let n = nasland::space::Neighbourhood::len(&space);
        group.bench_function(spec, |b| {
            b.iter(|| {
                let loss = Model::Uniform.draw(n, 1);
                let land = Landscape::of_product(&space, &loss);
                let opts = SummaryOptions {
                    eps: vec![0.0, 0.001, 0.01, 0.1],
                    top: 10,
                    max_optimum_archs: 20,
                };
                summarize(&loss, &land, 1.0, &|v| space.encode(v), &opts).local_minima
            })
        });
    }
    group.finish();
}

criterion_group!(benches, full_analysis);
criterion_main!(benches);
