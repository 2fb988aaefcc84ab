//! One local optima network of one input: the LON, its exact ILS chain and its CMLON, and
//! the document `nasland lon --json` prints. The command line, the report and Python all
//! call [`build`] and [`document`], so a funnel share in the report page is the number
//! `lon --json` prints and the one Python returns.

use crate::input::Input;
use crate::landscape::Landscape;
use crate::space::Space;
use anyhow::Result;
use nasland_core::lon::chain::SolverStats;
use nasland_core::lon::{Accept, Census, Chain, Cmlon, EdgeModel, Lon};
use serde::Serialize;

/// Which LON to build and how ILS accepts moves on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Escape edges of a strength, or basin-transition edges.
    pub model: EdgeModel,
    /// ILS acceptance rule.
    pub accept: Accept,
}

impl Default for Options {
    /// The command line's defaults: escape edges of strength 2, accept if not worse.
    fn default() -> Self {
        Options {
            model: EdgeModel::Escape { strength: 2 },
            accept: Accept::Equal,
        }
    }
}

/// Everything computed about one LON.
pub struct Built {
    /// Nodes and weighted, typed edges.
    pub lon: Lon,
    /// Exact ILS on it.
    pub chain: Chain,
    /// The compressed monotonic LON and its funnels.
    pub cmlon: Cmlon,
}

/// The edge model as the JSON document names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgesName {
    /// Perturbation then local search.
    Escape,
    /// Basin-transition probabilities.
    Basin,
}

/// The `nasland lon --json` document.
#[derive(Clone, Debug, Serialize)]
pub struct Document {
    /// The space's name as the user wrote it.
    pub space: String,
    /// Number of architectures.
    pub n: usize,
    /// The analysed column (or synthetic model).
    pub metric: String,
    /// Whether higher values are better.
    pub maximize: bool,
    /// The edge model.
    pub edges: EdgesName,
    /// Perturbation strength (escape edges only).
    pub strength: Option<usize>,
    /// ILS acceptance rule.
    pub accept: Accept,
    /// Census of the LON.
    pub lon: Census,
    /// Census of the monotonic LON.
    pub mlon: Census,
    /// Census of the compressed monotonic LON.
    pub cmlon: Census,
    /// Number of funnels (CMLON sinks).
    pub funnels: usize,
    /// Share of starts whose ILS ends in the global funnel's sink.
    pub global_funnel_share: f64,
    /// Share of starts absorbed at a minimum outside every funnel (see docs/LON.md).
    pub outside_funnel_share: f64,
    /// Exact ILS figures.
    pub ils: Ils,
    /// Every funnel, best sink first.
    pub funnel_list: Vec<FunnelRow>,
}

/// Exact ILS figures from a uniformly random start.
#[derive(Clone, Debug, Serialize)]
pub struct Ils {
    /// P(ILS from a uniformly random start ends at a global optimum).
    pub success: f64,
    /// Expected perturbations until absorption, from a uniformly random start.
    pub expected_perturbations: f64,
    /// How the plateau groups were solved.
    pub solver: SolverStats,
}

/// One funnel in the document.
#[derive(Clone, Debug, Serialize)]
pub struct FunnelRow {
    /// Funnel number, best sink first.
    pub id: usize,
    /// The sink's value in the metric's units.
    pub value: f64,
    /// The sink's first minimum.
    pub arch: String,
    /// Minima merged into the sink.
    pub sink_minima: usize,
    /// Minima whose funnel this is.
    pub minima: usize,
    /// Longest improving CMLON path ending at the sink.
    pub depth: u32,
    /// Share of starts whose ILS ends in the sink.
    pub share: f64,
    /// Whether the sink holds a global optimum.
    pub global: bool,
}

/// Builds the LON of `input` over its landscape `land`, solves ILS and compresses it.
pub fn build(input: &Input, land: &Landscape, opts: &Options) -> Result<Built> {
    let lon = match &input.space {
        Space::Product(p) => Lon::of_product(p, &input.loss, land, opts.model)?,
        Space::Graph(g) => Lon::of_graph(g, &input.loss, land, opts.model)?,
        Space::Explicit(_) => Lon::of_graph(&input.space, &input.loss, land, opts.model)?,
    };
    // Independent; the chain's sweeps are sequential, so the CMLON runs beside them.
    let (chain, cmlon) = rayon::join(
        || Chain::solve_typed(&lon.nodes, &lon.edges, &lon.kinds, opts.accept),
        || Cmlon::new_typed(&lon.nodes, &lon.edges, &lon.kinds),
    );
    Ok(Built { lon, chain, cmlon })
}

/// The document of a built LON, values in the metric's units.
pub fn document(input: &Input, b: &Built, opts: &Options) -> Document {
    let loss = &b.lon.nodes.loss;
    let (shares, outside) = b.cmlon.shares(&b.chain.absorbed);
    let mut first_member = vec![u32::MAX; b.cmlon.len()];
    for (i, &g) in b.cmlon.group_of.iter().enumerate().rev() {
        first_member[g as usize] = i as u32;
    }
    let funnel_list: Vec<FunnelRow> = b
        .cmlon
        .funnels
        .iter()
        .enumerate()
        .map(|(id, f)| {
            let m = b.lon.nodes.vertex[first_member[f.group as usize] as usize];
            FunnelRow {
                id,
                value: input.value(m),
                arch: input.space.arch(m),
                sink_minima: f.sink_minima,
                minima: f.minima,
                depth: f.depth,
                share: shares[id],
                global: f.global,
            }
        })
        .collect();
    let (lon_census, mlon_census) =
        Census::lon_and_mlon_typed(loss.len(), &b.lon.edges, &b.lon.kinds);
    let (edges, strength) = match opts.model {
        EdgeModel::Escape { strength } => (EdgesName::Escape, Some(strength)),
        EdgeModel::Basin => (EdgesName::Basin, None),
    };
    Document {
        space: input.space.name(),
        n: input.loss.len(),
        metric: input.metric.clone(),
        maximize: input.maximize,
        edges,
        strength,
        accept: opts.accept,
        lon: lon_census,
        mlon: mlon_census,
        cmlon: Census::of(&b.cmlon.loss, &b.cmlon.edges, |_| true),
        funnels: b.cmlon.funnels.len(),
        global_funnel_share: funnel_list
            .iter()
            .filter(|f| f.global)
            .map(|f| f.share)
            .sum(),
        outside_funnel_share: outside,
        ils: Ils {
            success: b.chain.start_success,
            expected_perturbations: b.chain.start_perturbations,
            solver: b.chain.solver,
        },
        funnel_list,
    }
}
