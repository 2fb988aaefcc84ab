//! Times the hardness block in-process beside the compact pass it follows, and its
//! first-improvement success alone, in wall and CPU time (CPU because the machine is
//! shared): a profiling aid, not a benchmark.
//!
//! `cargo run --release -p nasland-core --example hardness -- 5^10`
mod laps;

use laps::Laps;
use nasland_core::landscape::Compact;
use nasland_core::space::ProductSpace;
use nasland_core::stats::hardness::hardness_compact;

fn main() {
    let spec = std::env::args().nth(1).unwrap_or_else(|| "5^10".into());
    let space = ProductSpace::parse(&spec).expect("a product space such as 5^10");
    let loss: Vec<f64> = nasland_core::synth::Model::Uniform
        .draw_f32(nasland_core::space::Neighbourhood::len(&space), 1)
        .into_iter()
        .map(f64::from)
        .collect();
    let laps = Laps::start();
    let landscape = Compact::of_product(&space, &loss, &laps);
    laps.lap("compact landscape");
    let first = nasland_core::search::dp::first_improvement_success(&space, &loss);
    laps.lap("first improvement alone");
    let h = hardness_compact(&space, &loss, &landscape, 1.0, &[0.0, 0.01, 0.1]);
    laps.lap("hardness block");
    eprintln!("first p success {first:e} (block {:e})", h.first_p_success);
}
