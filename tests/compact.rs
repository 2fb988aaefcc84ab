//! The compact core pass (f32 losses, tiled outer dimensions, LS* over LS, byte path
//! lengths, basins by rank) against the full pass, on the same values: every number of
//! the `analyze` document must be the same.

use nasland::analysis::{self, Options, Precision};
use nasland::input::{Input, Losses};
use nasland::landscape::{explicit, product, Compact, Landscape, PathLengths};
use nasland::progress::Silent;
use nasland::space::{Neighbourhood, ProductSpace, Space};
use nasland::synth::Model;

fn options() -> Options {
    Options {
        eps: None,
        top: 25,
        hardness: false,
    }
}

fn json(r: &analysis::Report) -> serde_json::Value {
    serde_json::to_value(r).unwrap()
}

/// The compact document of `input` equals the full one of the same values as f64.
fn same_document(input: Input<Losses>) {
    let wide = match &input.loss {
        Losses::F32(v) => v.iter().map(|&x| x as f64).collect::<Vec<f64>>(),
        Losses::F64(v) => v.clone(),
        Losses::Mapped(_) => unreachable!(),
    };
    let full = analysis::analyze(&input.clone_with(wide), &options()).report;
    let compact = analysis::report(input, &options(), Precision::Exact, &Silent).unwrap();
    assert_eq!(json(&compact), json(&full));
}

trait CloneWith {
    fn clone_with(&self, loss: Vec<f64>) -> Input;
}

impl CloneWith for Input<Losses> {
    fn clone_with(&self, loss: Vec<f64>) -> Input {
        Input {
            space: self.space.clone(),
            loss,
            metric: self.metric.clone(),
            maximize: self.maximize,
            source: self.source.clone(),
        }
    }
}

#[test]
fn compact_f32_document_equals_the_full_f64_one_at_5_9() {
    let space = Space::Product(ProductSpace::parse("5^9").unwrap());
    for model in [Model::Uniform, Model::Levels(20)] {
        let input = Input::synthetic_losses(space.clone(), model, 3);
        assert!(matches!(input.loss, Losses::F32(_)));
        same_document(input);
    }
}

/// The check at 5^11 that BENCHMARKS.md records (48.8 M vertices, about 2 GB and a
/// minute of two cores for the full path): run with
/// `cargo test --release --test tests compact_f32_document_equals_the_full_f64_one_at_5_11 -- --ignored`.
#[test]
#[ignore = "5^11: about 2 GB and a minute; run on request"]
fn compact_f32_document_equals_the_full_f64_one_at_5_11() {
    let space = Space::Product(ProductSpace::parse("5^11").unwrap());
    same_document(Input::synthetic_losses(space, Model::Uniform, 1));
}

#[test]
fn f64_values_that_fit_f32_are_narrowed_and_give_the_same_document() {
    // Multiples of 1/1024 below 4: exact in f32, analysed narrow; maximised, so the
    // reported values are negated too.
    let space = ProductSpace::parse("6^7").unwrap();
    let n = 6usize.pow(7);
    let loss: Vec<f64> = (0..n)
        .map(|v| ((v as u64 * 2654435761) % 4096) as f64 / 1024.0)
        .collect();
    let mut input = Input::synthetic(Space::Product(space), Model::Uniform, 1);
    input.loss = loss;
    input.maximize = true;
    same_document(input.into_losses());
}

#[test]
fn rounding_to_f32_is_reported() {
    let space = ProductSpace::parse("4^6").unwrap();
    let mut input = Input::synthetic(Space::Product(space), Model::Uniform, 1);
    input.loss = (0..input.loss.len()).map(|v| 0.1 * v as f64).collect();
    let exact = analysis::report(
        input.clone().into_losses(),
        &options(),
        Precision::Exact,
        &Silent,
    )
    .unwrap();
    assert_eq!(exact.f32_rounding, None);
    let rounded = analysis::report(
        input.clone().into_losses(),
        &options(),
        Precision::F32,
        &Silent,
    )
    .unwrap();
    let max = rounded.f32_rounding.expect("rounding reported");
    let worst = input
        .loss
        .iter()
        .map(|&x| (x as f32 as f64 - x).abs())
        .fold(0.0, f64::max);
    assert!(max > 0.0);
    assert_eq!(max, worst);
}

#[test]
fn tiled_step_equals_the_explicit_step_and_byte_paths_equal_u32_paths_at_5_9() {
    let space = ProductSpace::parse("5^9").unwrap();
    let loss = Model::Levels(50).draw_f32(space.len(), 7);
    let tiled = product::step(&space, &loss);
    assert_eq!(tiled, explicit::step(&space, &loss));
    let full = Landscape::of_product(&space, &loss);
    let compact = Compact::from_step(tiled, &Silent);
    assert!(matches!(compact.steps, PathLengths::U8(_)));
    assert_eq!(compact.steps.to_u32(), full.steps);
    assert_eq!(compact.ls_star, full.ls_star);
}
