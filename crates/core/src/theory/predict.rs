//! Predictions of the independence model: E[#local minima] and P(ε), with their
//! numerical accuracy.
//!
//! E[#local minima] = n ∫_0^1 pdf_n(x) S(x)^s dx and
//! P(ε) = ∫_0^ε w(x) dx / ∫_0^1 w(x) dx with w(x) = pdf_n(x) · P_lm(x) · E[basin | x]
//! (the recursion decides what E[basin | x] is; [`super::recursion`]).
//!
//! Accuracy is stated, not assumed: everything is computed twice on the same panels, with
//! `order` and `order + 4` Gauss–Legendre nodes per panel, and the larger-order values are
//! reported together with their difference from the smaller-order ones.

use super::cactus::{self, Cliques};
use super::density::PdfN;
use super::edge::PdfE;
use super::quad::Grid;
use super::recursion::{solve, Recursion, Solution};
use serde::Serialize;

/// Fixed breakpoints that grade the grid towards x = 0, where small ε are read.
const GRADING: [f64; 7] = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1];
/// Panel width bounds: never wider than 1/100, never narrower than 1/500.
const WIDEST: f64 = 0.01;
const NARROWEST: f64 = 0.002;

/// The model whose consequences are predicted.
#[derive(Clone, Copy, Debug)]
pub struct Model<'a> {
    /// Density of a vertex's normalised loss.
    pub pdf_n: &'a PdfN,
    /// Density of a neighbour's loss given the vertex's.
    pub pdf_e: &'a PdfE,
    /// Neighbours per vertex.
    pub s: usize,
    /// Vertices.
    pub n: usize,
}

/// What to predict and how precisely.
#[derive(Clone, Debug)]
pub struct Options {
    /// Which preimage recursion counts the basins.
    pub recursion: Recursion,
    /// ε values in normalised units.
    pub eps_norm: Vec<f64>,
    /// Losses x at which to report P_lm and the preimage sizes.
    pub profile_x: Vec<f64>,
    /// Gauss–Legendre nodes per panel (the check uses order + 4).
    pub order: usize,
    /// The space's clique structure, which `Recursion::Cactus` needs (D(K − 1) = s).
    pub cliques: Option<Cliques>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            recursion: Recursion::TreeExact,
            eps_norm: vec![0.001, 0.003, 0.01, 0.03, 0.1, 0.3],
            profile_x: vec![0.0, 0.001, 0.01, 0.1, 0.3],
            order: 10,
            cliques: None,
        }
    }
}

/// One predicted point of the P(ε) curve.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PredictedPoint {
    /// Normalised ε of this point.
    pub eps_norm: f64,
    /// Predicted share of starts whose LS* is within ε of the optimum.
    pub p: f64,
}

/// The model's local picture at one loss x.
#[derive(Clone, Debug, Serialize)]
pub struct ProfilePoint {
    /// The normalised loss this point describes.
    pub x: f64,
    /// P(a vertex at x is a local minimum).
    pub p_min: f64,
    /// E|LS^{-k}(v)| for k = 1, 2, … (listed while above 10⁻⁹).
    pub preimage: Vec<f64>,
    /// E|LS*^{-1}(v)| = 1 + Σ_k E|LS^{-k}(v)|.
    pub basin: f64,
    /// The basin a minimum at x gets in P(ε): E[basin | x, v is a minimum] for
    /// `tree-exact` and `cactus`, the unconditional basin for `paper`.
    pub basin_of_minimum: f64,
}

/// How accurate the numbers are.
#[derive(Clone, Debug, Serialize)]
pub struct Accuracy {
    /// Integration panels on [0, 1].
    pub panels: usize,
    /// Gauss–Legendre nodes per panel.
    pub order: usize,
    /// Total quadrature nodes, panels × order.
    pub nodes: usize,
    /// max over ε of |P(ε) at order − P(ε) at order − 4|.
    pub p_abs: f64,
    /// |E[#LM] at order − at order − 4| / E[#LM].
    pub local_minima_rel: f64,
    /// Preimage levels summed.
    pub levels: usize,
    /// The level sum met its tolerance.
    pub converged: bool,
}

/// Everything predicted.
#[derive(Clone, Debug, Serialize)]
pub struct Prediction {
    /// Expected number of local minima.
    pub local_minima: f64,
    /// Predicted P(ε), one point per ε asked.
    pub eps_curve: Vec<PredictedPoint>,
    /// ∫_0^1 w: 1 for an exact model of a finite-basin landscape; how far the recursion
    /// is from counting every start exactly once.
    pub normaliser: f64,
    /// P_lm and preimage sizes at each loss asked for.
    pub profile: Vec<ProfilePoint>,
    /// How far the numbers can be trusted.
    pub accuracy: Accuracy,
    #[serde(skip)]
    curve: Curve,
}

impl Prediction {
    /// P(ε) at any ε ∈ [0, 1] (normalised units), e.g. for a plot.
    pub fn p(&self, eps_norm: f64) -> f64 {
        self.curve.p(eps_norm)
    }
}

#[derive(Clone, Debug)]
struct Curve {
    grid: Grid,
    weight: Vec<f64>,
    total: f64,
}

impl Curve {
    fn p(&self, eps: f64) -> f64 {
        self.p_of_integral(self.grid.integral_to(&self.weight, eps))
    }

    /// P(ε) from ∫_0^ε of the weight.
    fn p_of_integral(&self, integral: f64) -> f64 {
        if self.total > 0.0 {
            (integral / self.total).clamp(0.0, 1.0)
        } else {
            f64::NAN
        }
    }
}

/// Up to this many ε values become grid breakpoints (see [`predict`]).
const EPS_BREAKPOINTS: usize = 64;

/// Predicts E[#local minima] and P(ε) for `model`.
///
/// # Panics
///
/// With `Recursion::Cactus` and no `opts.cliques`, or cliques whose degree D(K − 1) is not
/// `model.s`: the caller decides what the space's cliques are (and refuses spaces that
/// have none).
// The cactus recursion without cliques is a caller's bug, not an input: every caller
// (cli, python, fit) refuses spaces without cliques before it gets here.
#[allow(clippy::expect_used)]
pub fn predict(model: Model, opts: &Options) -> Prediction {
    if opts.recursion == Recursion::Cactus {
        let c = opts
            .cliques
            .expect("the cactus recursion needs the space's cliques");
        assert_eq!(
            c.degree(),
            model.s,
            "cliques {c:?} do not give s neighbours"
        );
    }
    let mut breaks = model.pdf_n.breakpoints();
    breaks.extend(model.pdf_e.breakpoints());
    // Each ε as a breakpoint makes P(ε) an integral over whole panels, but k of them
    // make the grid, and the k × k kernel tables over it, grow with k (k = 2000 took
    // 3.5 GB). Beyond a few, the panel holding ε is integrated through its interpolant,
    // which the coarse-versus-fine comparison in `accuracy` covers.
    if opts.eps_norm.len() <= EPS_BREAKPOINTS {
        breaks.extend(&opts.eps_norm);
    }
    breaks.extend(&opts.profile_x);
    breaks.extend(GRADING);
    let width = model
        .pdf_n
        .max_width()
        .min(model.pdf_e.max_width())
        .clamp(NARROWEST, WIDEST);
    let coarse = evaluate(model, opts, &breaks, width, opts.order);
    let fine = evaluate(model, opts, &breaks, width, opts.order + 4);
    let p_abs = fine
        .eps_curve
        .iter()
        .zip(&coarse.eps_curve)
        .map(|(a, b)| (a.p - b.p).abs())
        .fold(0.0, f64::max);
    let local_minima_rel =
        (fine.local_minima - coarse.local_minima).abs() / fine.local_minima.abs().max(1e-300);
    Prediction {
        accuracy: Accuracy {
            panels: fine.curve.grid.panels(),
            order: fine.curve.grid.order(),
            nodes: fine.curve.grid.len(),
            p_abs,
            local_minima_rel,
            levels: fine.levels,
            converged: fine.converged,
        },
        local_minima: fine.local_minima,
        eps_curve: fine.eps_curve,
        normaliser: fine.curve.total,
        profile: fine.profile,
        curve: fine.curve,
    }
}

struct Evaluated {
    local_minima: f64,
    eps_curve: Vec<PredictedPoint>,
    profile: Vec<ProfilePoint>,
    levels: usize,
    converged: bool,
    curve: Curve,
}

fn evaluate(model: Model, opts: &Options, breaks: &[f64], width: f64, order: usize) -> Evaluated {
    let grid = Grid::new(breaks, width, order);
    let tables = model.pdf_e.tables(model.pdf_n, &grid.nodes);
    let sol: Solution = match (opts.recursion, opts.cliques) {
        (Recursion::Cactus, Some(c)) => cactus::solve(&grid, &tables, c),
        (recursion, _) => solve(&grid, &tables, model.s, recursion),
    };
    let pdf_n: Vec<f64> = grid.nodes.iter().map(|&x| model.pdf_n.density(x)).collect();
    let lm: Vec<f64> = pdf_n.iter().zip(&sol.p_min).map(|(a, b)| a * b).collect();
    let weight: Vec<f64> = pdf_n
        .iter()
        .zip(&sol.min_times_basin)
        .map(|(a, b)| a * b)
        .collect();
    let total = grid.integral(&weight);
    let curve = Curve {
        grid,
        weight,
        total,
    };
    let eps_curve = curve
        .grid
        .integrals_to(&curve.weight, &opts.eps_norm)
        .into_iter()
        .zip(&opts.eps_norm)
        .map(|(integral, &e)| PredictedPoint {
            eps_norm: e,
            p: curve.p_of_integral(integral),
        })
        .collect();
    let profile = opts
        .profile_x
        .iter()
        .map(|&x| {
            let g = &curve.grid;
            let mut preimage = vec![];
            for level in &sol.levels {
                let v = g.interpolate(level, x);
                if v < 1e-9 || preimage.len() >= 40 {
                    break;
                }
                preimage.push(v);
            }
            let all: f64 = sol.levels.iter().map(|l| g.interpolate(l, x)).sum();
            let p_min = g.interpolate(&sol.p_min, x).clamp(0.0, 1.0);
            let mtb = g.interpolate(&sol.min_times_basin, x);
            ProfilePoint {
                x,
                p_min,
                preimage,
                basin: 1.0 + all,
                basin_of_minimum: if p_min > 0.0 { mtb / p_min } else { f64::NAN },
            }
        })
        .collect();
    Evaluated {
        local_minima: model.n as f64 * curve.grid.integral(&lm),
        eps_curve,
        profile,
        levels: sol.levels.len(),
        converged: sol.converged,
        curve,
    }
}
