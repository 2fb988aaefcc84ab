//! The exact per-start DP (one sort + one sweep) and the restart simulator.
//!
//! Run: `cargo bench --bench search`. Figures and machine in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion};
use nasland::search::dp::{solve, Target};
use nasland::search::simulate::{simulate, Cache, SimOptions};
use nasland::search::{within_eps, Variant};
use nasland::space::{Neighbourhood, ProductSpace};
use nasland::synth::Model;

fn dp(c: &mut Criterion) {
    let mut group = c.benchmark_group("starts-dp");
    group.sample_size(10);
    for spec in ["5^6", "5^8"] {
        let space = ProductSpace::parse(spec).unwrap();
        let loss = Model::Uniform.draw(space.len(), 1);
        for variant in Variant::ALL {
            group.bench_function(format!("{spec}/{variant}"), |b| {
                b.iter(|| solve(&space, &loss, variant, Target::Eps(0.0), 3).local_minima)
            });
        }
    }
    group.finish();
}

fn sim(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate");
    group.sample_size(10);
    let space = ProductSpace::parse("5^6").unwrap();
    let loss = Model::Levels(1000).draw(space.len(), 1);
    let ok = within_eps(&loss, 0.0);
    for cache in [Cache::Paper, Cache::None] {
        let opts = SimOptions {
            variant: Variant::BestRandomTies,
            num_init: 1,
            budget: None,
            cache,
            runs: 1000,
            seed: 1,
        };
        group.bench_function(format!("5^6/levels:1000/{cache}/1000-runs"), |b| {
            b.iter(|| simulate(&space, &loss, &ok, &opts).len())
        });
    }
    group.finish();
}

criterion_group!(benches, dp, sim);
criterion_main!(benches);
