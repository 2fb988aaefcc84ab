//! The local optima network drawn the way the LON literature draws it (Ochoa & Veerapen):
//! one disc per local minimum, its area proportional to its basin, coloured by value, the
//! global optimum red; improving edges dark, the others light.
//!
//! The layout is layered and deterministic, not force-directed, so the same input gives
//! the same bytes without a seed: the y axis is the value rank (binned into at most
//! [`LEVELS`] levels, the best at the bottom, where funnels end); the x axis gives each
//! funnel its own band (best sink on the left, width by its share of the drawn minima),
//! and within a band each level is ordered by the barycentre of the edges to the minima
//! already placed below it, which keeps the edges of one funnel short.
//!
//! A big LON (625 minima on iid NB201, 52,000 on 5^9) cannot be read as a picture, so only
//! the [`CAP`] largest basins are drawn, plus every global optimum; the caption says so.
//! Hand-written SVG rather than plotters: all edges of one kind are one `<path>`, and each
//! disc carries its node id (`data-node`, as in `nasland lon --out`'s nodes.csv) and a
//! tooltip.

use super::markup::escape;
use crate::lon::Built;
use crate::space::VertexId;
use nasland_core::lon::EdgeKind;
use std::fmt::Write;

/// Largest basins drawn.
pub const CAP: usize = 100;
/// Value levels at most.
pub const LEVELS: usize = 12;

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 400.0;
const MARGIN: f64 = 28.0;
const R_MAX: f64 = 14.0;
/// Smallest radius, so that a tiny basin stays visible; below it area is no longer
/// proportional to the basin (the caption says so).
const R_MIN: f64 = 1.5;
/// Dark (good) to light (bad): six bands of a viridis-like scale, as in the tree figure.
const BANDS: [&str; 6] = [
    "#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725",
];

/// The figure's SVG and what its caption needs to say.
pub struct Drawing {
    pub svg: String,
    /// Minima drawn.
    pub drawn: usize,
    /// Minima in the LON.
    pub total: usize,
}

/// Draws `b`. `arch` and `value` name a vertex and show a loss in the metric's units.
pub fn draw(
    b: &Built,
    arch: &dyn Fn(VertexId) -> String,
    value: &dyn Fn(f64) -> String,
) -> Drawing {
    let nodes = &b.lon.nodes;
    let edges = &b.lon.edges;
    let k = nodes.len();
    let best = nodes.best_loss();
    if k == 0 {
        return Drawing {
            svg: format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0}" height="{HEIGHT:.0}"><rect width="{WIDTH:.0}" height="{HEIGHT:.0}" fill="white"/></svg>"#
            ),
            drawn: 0,
            total: 0,
        };
    }

    // The largest basins (ties: better value, then lower id), and every global optimum.
    let mut by_basin: Vec<u32> = (0..k as u32).collect();
    by_basin.sort_by(|&a, &c| {
        let (a, c) = (a as usize, c as usize);
        nodes.basin[c]
            .cmp(&nodes.basin[a])
            .then(nodes.loss[a].total_cmp(&nodes.loss[c]))
            .then(a.cmp(&c))
    });
    let mut keep = vec![false; k];
    for &i in by_basin.iter().take(CAP) {
        keep[i as usize] = true;
    }
    for (kept, &l) in keep.iter_mut().zip(&nodes.loss) {
        *kept |= l == best;
    }
    let chosen: Vec<u32> = (0..k as u32).filter(|&i| keep[i as usize]).collect();

    // Levels by value rank among the drawn minima.
    let mut values: Vec<f64> = chosen.iter().map(|&i| nodes.loss[i as usize]).collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let levels = values.len().clamp(1, LEVELS);
    let level_of = |i: u32| {
        let l = nodes.loss[i as usize];
        let rank = values.partition_point(|&v| v < l);
        rank * levels / values.len().max(1)
    };

    // Funnel bands, best sink first; width by drawn minima.
    let funnels = b.cmlon.funnels.len().max(1);
    let mut per_funnel = vec![0usize; funnels];
    for &i in &chosen {
        per_funnel[b.cmlon.funnel_of(i) as usize] += 1;
    }
    let inner = WIDTH - 2.0 * MARGIN;
    let mut band = vec![(0.0, 0.0); funnels];
    let mut x0 = MARGIN;
    for f in 0..funnels {
        let w = inner * per_funnel[f] as f64 / chosen.len().max(1) as f64;
        band[f] = (x0, w);
        x0 += w;
    }

    // Place level by level from the best, each node at the barycentre of its edges to
    // nodes already placed.
    let mut x = vec![f64::NAN; k];
    let mut y = vec![0.0; k];
    let step = (HEIGHT - 2.0 * MARGIN - 2.0 * R_MAX) / (levels.max(2) - 1) as f64;
    for level in 0..levels {
        let mut row: Vec<(u32, f64)> = chosen
            .iter()
            .copied()
            .filter(|&i| level_of(i) == level)
            .map(|i| {
                let (mut sum, mut weight) = (0.0, 0.0);
                for e in edges.range(i) {
                    let j = edges.dst[e] as usize;
                    if j != i as usize && x[j].is_finite() {
                        sum += edges.weight[e] * x[j];
                        weight += edges.weight[e];
                    }
                }
                let (b0, bw) = band[b.cmlon.funnel_of(i) as usize];
                let bary = if weight > 0.0 {
                    sum / weight
                } else {
                    b0 + bw / 2.0
                };
                (i, bary)
            })
            .collect();
        row.sort_by(|a, c| {
            b.cmlon
                .funnel_of(a.0)
                .cmp(&b.cmlon.funnel_of(c.0))
                .then(a.1.total_cmp(&c.1))
                .then(a.0.cmp(&c.0))
        });
        let mut f_start = 0;
        while f_start < row.len() {
            let f = b.cmlon.funnel_of(row[f_start].0);
            let f_end = f_start
                + row[f_start..]
                    .iter()
                    .take_while(|r| b.cmlon.funnel_of(r.0) == f)
                    .count();
            let (b0, bw) = band[f as usize];
            let count = (f_end - f_start) as f64;
            for (slot, r) in row[f_start..f_end].iter().enumerate() {
                let i = r.0 as usize;
                x[i] = b0 + bw * (slot as f64 + 0.5) / count;
                y[i] = HEIGHT - MARGIN - R_MAX - step * level as f64;
            }
            f_start = f_end;
        }
    }

    let max_basin = chosen
        .iter()
        .map(|&i| nodes.basin[i as usize])
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let (lo, hi) = (values[0], *values.last().unwrap_or(&values[0]));
    let colour = |l: f64| {
        let t = if hi > lo { (l - lo) / (hi - lo) } else { 0.0 };
        BANDS[((t * BANDS.len() as f64) as usize).min(BANDS.len() - 1)]
    };

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0}" height="{HEIGHT:.0}" viewBox="0 0 {WIDTH:.0} {HEIGHT:.0}" font-family="sans-serif">"#
    );
    let _ = write!(
        s,
        r#"<rect width="{WIDTH:.0}" height="{HEIGHT:.0}" fill="white"/>"#
    );
    let _ = write!(
        s,
        r##"<text x="4" y="14" font-size="11" fill="#444">worse ({})</text><text x="4" y="{:.0}" font-size="11" fill="#444">better ({})</text>"##,
        escape(&value(hi)),
        HEIGHT - 4.0,
        escape(&value(lo))
    );
    // Light edges first, improving edges over them, discs on top.
    let (mut light, mut dark) = (String::new(), String::new());
    for &i in &chosen {
        for e in edges.range(i) {
            let j = edges.dst[e];
            if j == i || !keep[j as usize] {
                continue;
            }
            let path = if b.lon.kind(i, e) == EdgeKind::Improving {
                &mut dark
            } else {
                &mut light
            };
            let _ = write!(
                path,
                "M{:.1} {:.1}L{:.1} {:.1}",
                x[i as usize], y[i as usize], x[j as usize], y[j as usize]
            );
        }
    }
    if !light.is_empty() {
        let _ = write!(
            s,
            r##"<path class="lon-other" d="{light}" stroke="#bbbbbb" stroke-width="0.6" stroke-opacity="0.6" fill="none"/>"##
        );
    }
    if !dark.is_empty() {
        let _ = write!(
            s,
            r##"<path class="lon-improving" d="{dark}" stroke="#222222" stroke-width="0.8" stroke-opacity="0.7" fill="none"/>"##
        );
    }
    // Big discs first, so small ones stay visible on top of them.
    let mut order = chosen.clone();
    order.sort_by(|&a, &c| {
        nodes.basin[c as usize]
            .cmp(&nodes.basin[a as usize])
            .then(a.cmp(&c))
    });
    for i in order {
        let iu = i as usize;
        let r = (R_MAX * (nodes.basin[iu] as f64 / max_basin).sqrt()).max(R_MIN);
        let fill = if nodes.loss[iu] == best {
            "red"
        } else {
            colour(nodes.loss[iu])
        };
        let _ = write!(
            s,
            r#"<circle class="lon-node" data-node="{i}" cx="{:.1}" cy="{:.1}" r="{r:.2}" fill="{fill}" stroke="black" stroke-width="0.4"><title>{} · value {} · basin {} · funnel {}</title></circle>"#,
            x[iu],
            y[iu],
            escape(&arch(nodes.vertex[iu])),
            escape(&value(nodes.loss[iu])),
            nodes.basin[iu],
            b.cmlon.funnel_of(i)
        );
    }
    s.push_str("</svg>");
    Drawing {
        svg: s,
        drawn: chosen.len(),
        total: k,
    }
}
