//! P(ε) against ε on a log axis, predicted beside exact, as an SVG (like the paper's
//! figure of local-search success against distance to the optimum).

use anyhow::{Context, Result};
use plotters::prelude::*;
use std::path::Path;

/// One curve: (ε in normalised units, P(ε)) points, ε > 0 increasing.
pub struct Series<'a> {
    pub label: &'a str,
    pub points: &'a [(f64, f64)],
    /// Dashed when false (the prediction), solid when true (the exact curve).
    pub solid: bool,
}

/// Writes the plot to `path` atomically ([`nasland_table::atomic`]).
pub fn write_svg(path: &Path, title: &str, series: &[Series]) -> Result<()> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 480)).into_drawing_area();
        root.fill(&WHITE)?;
        let (lo, hi) =
            crate::range::min_max(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
        let hi = hi.max(0.0);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(56)
            .build_cartesian_2d((lo..hi).log_scale(), 0.0..1.0)?;
        chart
            .configure_mesh()
            .x_desc("ε (normalised: share of the loss range)")
            .y_desc("P(ε): share of starts within ε of the optimum")
            .x_label_formatter(&|x| format!("{x}"))
            .draw()?;
        let colours = [BLACK, RED, BLUE, GREEN, MAGENTA, CYAN];
        for (i, s) in series.iter().enumerate() {
            let style = colours[i % colours.len()].stroke_width(2);
            let points = s.points.iter().copied();
            if s.solid {
                chart
                    .draw_series(LineSeries::new(points, style))?
                    .label(s.label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            } else {
                chart
                    .draw_series(DashedLineSeries::new(points, 8, 5, style))?
                    .label(s.label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    nasland_table::atomic::write_atomic(path, |out| -> Result<()> {
        out.write_all(svg.as_bytes())?;
        Ok(())
    })
    .with_context(|| format!("could not write the plot to {}", path.display()))
}
