//! The report's charts, drawn with plotters into SVG strings.
//!
//! Every function returns the SVG text of one figure; the bytes depend only on the data
//! (plotters' SVG backend writes no timestamp or id), so a report is byte-identical for
//! the same input and seed. Charts with one mark per architecture (success against
//! value) merge marks that fall on the same 2-pixel cell, so a figure stays small
//! whatever the size of the space, and shows exactly the same picture.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Width and height of a chart, pixels.
pub const SIZE: (u32, u32) = (560, 360);

const BLUE_: RGBColor = RGBColor(31, 119, 180);
const ORANGE_: RGBColor = RGBColor(255, 127, 14);
const GREEN_: RGBColor = RGBColor(44, 160, 44);
const PURPLE_: RGBColor = RGBColor(148, 103, 189);
const GREY_: RGBColor = RGBColor(120, 120, 120);

/// Series colours, in order.
pub const COLOURS: [RGBColor; 4] = [BLUE_, ORANGE_, GREEN_, PURPLE_];

fn svg(draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<()>) -> Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(out)
}

/// Range of finite values, widened when empty or flat so that an axis can be drawn.
fn span(xs: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = crate::range::min_max(xs.filter(|x| x.is_finite()));
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi <= lo {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    }
}

/// Short axis label of a number.
fn tick(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() >= 1e4 || x.abs() < 1e-3 {
        format!("{x:.0e}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Histogram of `values` in `bins` equal-width bins over [min, max], as densities (so an
/// overlaid density curve is on the same scale). `curve`: optional (x, density) points.
pub fn histogram(
    values: &[f64],
    bins: usize,
    x_label: &str,
    curve: Option<(&str, &[(f64, f64)])>,
) -> Result<String> {
    let (lo, hi) = span(values.iter().copied());
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u64; bins];
    for &x in values {
        let b = (((x - lo) / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let n = values.len().max(1) as f64;
    let density: Vec<f64> = counts.iter().map(|&c| c as f64 / n / width).collect();
    let top = density
        .iter()
        .copied()
        .chain(curve.iter().flat_map(|c| c.1.iter().map(|p| p.1)))
        .fold(0.0, f64::max)
        .max(1e-12)
        * 1.05;
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..hi, 0.0..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(x_label)
            .y_desc("density")
            .x_label_formatter(&|x| tick(*x))
            .y_label_formatter(&|y| tick(*y))
            .draw()?;
        chart.draw_series(density.iter().enumerate().map(|(i, &d)| {
            let x0 = lo + i as f64 * width;
            Rectangle::new([(x0, 0.0), (x0 + width, d)], BLUE_.mix(0.6).filled())
        }))?;
        if let Some((label, points)) = curve {
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    ORANGE_.stroke_width(2),
                ))?
                .label(label)
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], ORANGE_));
            chart
                .configure_series_labels()
                .border_style(BLACK)
                .background_style(WHITE.mix(0.8))
                .draw()?;
        }
        Ok(())
    })
}

/// One named curve of (x, y) points.
pub struct Curve {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub dashed: bool,
}

/// P(ε) curves against ε on a log axis (ε > 0 points only), y in [0, 1].
pub fn eps_curves(curves: &[Curve], x_label: &str) -> Result<String> {
    let (lo, hi) = span(
        curves
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.0))
            .filter(|&x| x > 0.0),
    );
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d((lo..hi).log_scale(), 0.0..1.0)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc("P(ε)")
            .x_label_formatter(&|x| tick(*x))
            .draw()?;
        for (i, c) in curves.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let style = colour.stroke_width(2);
            let pts = c.points.iter().copied().filter(|p| p.0 > 0.0);
            let legend = move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style);
            if c.dashed {
                chart
                    .draw_series(DashedLineSeries::new(pts, 6, 4, style))?
                    .label(c.label.as_str())
                    .legend(legend);
            } else {
                chart
                    .draw_series(LineSeries::new(pts, style))?
                    .label(c.label.as_str())
                    .legend(legend);
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .border_style(BLACK)
            .background_style(WHITE.mix(0.8))
            .draw()?;
        Ok(())
    })
}

/// Number of minima against basin size, both on log axes.
pub fn basin_sizes(points: &[(u64, u64)]) -> Result<String> {
    let max_size = points.iter().map(|p| p.0).max().unwrap_or(1).max(2) as f64;
    let max_count = points.iter().map(|p| p.1).max().unwrap_or(1).max(2) as f64;
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(
                (0.8..max_size * 1.25).log_scale(),
                (0.8..max_count * 1.25).log_scale(),
            )?;
        chart
            .configure_mesh()
            .x_desc("basin size (starts)")
            .y_desc("number of local minima")
            .x_label_formatter(&|x| tick(*x))
            .y_label_formatter(&|y| tick(*y))
            .draw()?;
        chart.draw_series(
            points
                .iter()
                .map(|&(s, c)| Circle::new((s as f64, c as f64), 3, BLUE_.filled())),
        )?;
        Ok(())
    })
}

/// Per-start success probability against the start's value. Marks are merged per 3-pixel
/// cell and drawn as one compact SVG path (round dots), so the figure stays small.
pub fn success_scatter(points: &[(f64, f64)], x_label: &str, y_label: &str) -> Result<String> {
    let (lo, hi) = span(points.iter().map(|p| p.0));
    let mut pixels: Vec<(i32, i32)> = Vec::new();
    let mut out = svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..hi, -0.02..1.02)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_label_formatter(&|x| tick(*x))
            .draw()?;
        let coord = chart.as_coord_spec();
        pixels = points
            .iter()
            .map(|&(x, y)| {
                let (px, py) = coord.translate(&(x, y.clamp(0.0, 1.0)));
                (px / 3 * 3 + 1, py / 3 * 3 + 1)
            })
            .collect();
        Ok(())
    })?;
    pixels.sort_unstable();
    pixels.dedup();
    let mut path = String::with_capacity(pixels.len() * 12);
    for (x, y) in pixels {
        use std::fmt::Write;
        let _ = write!(path, "M{x} {y}h0");
    }
    let dots = format!(
        r#"<path d="{path}" stroke="rgb(31,119,180)" stroke-opacity="0.7" stroke-width="3.5" stroke-linecap="round" fill="none"/>"#
    );
    // plotters always closes the svg; without the tag the dots are left out, not misplaced.
    if let Some(at) = out.rfind("</svg>") {
        out.insert_str(at, &dots);
    }
    Ok(out)
}

/// Local minima against noise σ (log axis): mean with min–max bars; the noiseless count
/// as a dashed line.
pub fn noise_minima(points: &[(f64, f64, f64, f64)], noiseless: f64) -> Result<String> {
    let (lo, hi) = span(points.iter().map(|p| p.0).filter(|&s| s > 0.0));
    let top = points
        .iter()
        .map(|p| p.3)
        .fold(noiseless, f64::max)
        .max(1.0)
        * 1.1;
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d((lo * 0.8..hi * 1.25).log_scale(), 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc("noise σ (metric units)")
            .y_desc("local minima")
            .x_label_formatter(&|x| tick(*x))
            .draw()?;
        let pts: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p.0 > 0.0)
            .map(|p| (p.0, p.1))
            .collect();
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), BLUE_.stroke_width(2)))?
            .label("mean over draws (bars: min–max)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE_));
        chart.draw_series(
            points
                .iter()
                .filter(|p| p.0 > 0.0)
                .map(|p| PathElement::new(vec![(p.0, p.2), (p.0, p.3)], BLUE_.stroke_width(2))),
        )?;
        chart
            .draw_series(DashedLineSeries::new(
                [(lo * 0.8, noiseless), (hi * 1.25, noiseless)],
                6,
                4,
                GREY_.stroke_width(2),
            ))?
            .label("noiseless")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], GREY_));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .border_style(BLACK)
            .background_style(WHITE.mix(0.8))
            .draw()?;
        Ok(())
    })
}
