//! Times each stage of the compact product-space pass in-process, in wall and CPU time
//! (CPU time because the machine is shared): a profiling aid, not a benchmark.
//!
//! `cargo run --release -p nasland-core --example stages -- 5^11`
mod laps;

use laps::Laps;
use nasland_core::landscape::Compact;
use nasland_core::space::{Neighbourhood, ProductSpace};
use nasland_core::stats::summary::{summarize_compact, SummaryOptions};

fn main() {
    let spec = std::env::args().nth(1).unwrap_or_else(|| "5^10".into());
    let space = ProductSpace::parse(&spec).expect("a product space such as 5^10");
    let laps = Laps::start();
    let loss = nasland_core::synth::Model::Uniform.draw_f32(space.len(), 1);
    laps.lap("draw");
    let landscape = Compact::of_product(&space, &loss, &laps);
    let opts = SummaryOptions {
        eps: vec![0.0, 1e-3, 1e-2, 1e-1],
        top: 10,
        max_optimum_archs: 20,
    };
    let summary = summarize_compact(&loss, &landscape, 1.0, &|v| v.to_string(), &opts);
    laps.lap("summary");
    eprintln!(
        "{} local minima, longest path {}",
        summary.local_minima, summary.path_length.max
    );
}
