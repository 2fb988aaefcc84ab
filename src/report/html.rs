//! The report page: one self-contained HTML file (no script, no external resource),
//! figures inline as SVG.
//!
//! The page is also well-formed XML (every element closed, attributes quoted, text
//! escaped), so a strict parser can check it. Its contents list announces every table
//! and figure by anchor, and each announced anchor exists.

use super::markup::escape;
use super::profile::Profile;
use crate::format::value as fmt_value;
use std::fmt::Write;

/// What the page says about how it was made.
pub struct Meta {
    /// The `nasland report …` command line that writes this page.
    pub command: String,
    pub seed: u64,
    /// Inputs beyond this index have no figures (a note says so).
    pub figures_for: usize,
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{margin-bottom:0.2em}h2{border-bottom:1px solid #ccc;padding-bottom:0.2em;margin-top:2em}\
table{border-collapse:collapse;margin:0.8em 0;font-size:0.88em}\
th,td{border:1px solid #ccc;padding:0.25em 0.5em;text-align:right}\
th{background:#f3f3f3}td.l,th.l{text-align:left}\
.wide{overflow-x:auto}\
pre{background:#f6f6f6;padding:0.6em;overflow-x:auto;font-size:0.85em;white-space:pre-wrap}\
figure{display:inline-block;vertical-align:top;margin:0.6em 0.6em 1.2em 0;max-width:100%}\
figure svg{max-width:100%;height:auto}figcaption{font-size:0.85em;max-width:560px;color:#444}\
figure.wide figcaption{max-width:1100px}\
code{font-size:0.92em}dt{font-weight:bold}dd{margin:0 0 0.5em 1.5em}";

fn opt(x: Option<f64>, digits: usize) -> String {
    match x {
        Some(v) => format!("{v:.digits$}"),
        None => "–".into(),
    }
}

/// Renders the whole page.
pub fn render(meta: &Meta, profiles: &[Profile]) -> String {
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    let _ = writeln!(
        s,
        "<title>nasland report: {}</title>",
        escape(
            &profiles
                .iter()
                .map(|p| p.label.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    );
    let _ = writeln!(s, "<style>{STYLE}</style>\n</head>\n<body>");
    s.push_str("<h1>nasland report</h1>\n");
    let _ = writeln!(
        s,
        "<p>Exact local-search landscapes, computed by nasland {} from every start of each space. Written by</p>\n<pre>{}</pre>\n<p>Random choices (the permutation of the basin-tree figure, the noise draws) use seed {}; the same command writes the same bytes.</p>",
        env!("CARGO_PKG_VERSION"),
        escape(&meta.command),
        meta.seed
    );

    // Contents: every table and figure, by anchor.
    s.push_str("<h2 id=\"contents\">Contents</h2>\n<ul>\n");
    s.push_str("<li><a href=\"#table-hardness\">Table: hardness, side by side</a></li>\n");
    s.push_str(
        "<li><a href=\"#table-funnels\">Table: funnels and exact ILS, side by side</a></li>\n",
    );
    s.push_str("<li><a href=\"#table-inputs\">Table: inputs and checksums</a></li>\n");
    for (i, p) in profiles.iter().enumerate() {
        let _ = write!(
            s,
            "<li><a href=\"#input-{i}\">{}</a>: <a href=\"#table-summary-{i}\">summary table</a>",
            escape(&p.label)
        );
        if !p.summary.minima.is_empty() {
            let _ = write!(s, ", <a href=\"#table-minima-{i}\">best minima</a>");
        }
        for f in &p.figures {
            let _ = write!(
                s,
                ", <a href=\"#{}\">{}</a>",
                escape(&f.id),
                escape(&f.title)
            );
        }
        s.push_str("</li>\n");
    }
    s.push_str("<li><a href=\"#definitions\">Definitions</a></li>\n</ul>\n");

    // Hardness side by side.
    s.push_str("<h2>Hardness, side by side</h2>\n<p>One row per input, every figure exact over the whole space. Easier for local search: a low minima ratio, a large optimum basin, high P(ε), FDC near +1, ρ(1) near 1, a high first-improvement success. Definitions <a href=\"#definitions\">below</a>.</p>\n");
    let shares: Vec<f64> = profiles
        .first()
        .map(|p| p.hardness.eps_curve.iter().map(|e| e.eps_share).collect())
        .unwrap_or_default();
    s.push_str("<div class=\"wide\"><table id=\"table-hardness\">\n<tr><th class=\"l\">input</th><th>local minima</th><th>iid expectation</th><th>ratio</th><th>optimum basin</th>");
    for sh in &shares {
        let _ = write!(s, "<th>P(ε = {}% of range)</th>", sh * 100.0);
    }
    s.push_str("<th>path mean</th><th>path max</th><th>FDC</th><th>ρ(1)</th><th>corr. length</th><th>neutrality</th><th>largest plateau</th><th>P(first succeeds)</th></tr>\n");
    for p in profiles {
        let h = &p.hardness;
        let _ = write!(
            s,
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{:.1}</td><td>{:.3}</td><td>{:.4}</td>",
            escape(&p.label),
            h.local_minima,
            h.expected_local_minima_iid,
            h.local_minima_ratio,
            h.optimum_basin_share
        );
        for e in &h.eps_curve {
            let _ = write!(s, "<td>{:.4}</td>", e.p);
        }
        let _ = writeln!(
            s,
            "<td>{:.3}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.4}</td><td>{}</td><td>{:.4}</td></tr>",
            h.path_length_mean,
            h.path_length_max,
            opt(h.fdc, 3),
            opt(h.rho1, 3),
            opt(h.correlation_length, 2),
            h.neutrality,
            h.largest_plateau.size,
            h.first_p_success
        );
    }
    s.push_str("</table></div>\n");

    // Funnels beside hardness: the LON of each input (nasland lon's defaults).
    s.push_str("<h2>Funnels and iterated local search, side by side</h2>\n<p>The exact local optima network of each input (escape edges of strength 2, ILS accepts a move that is not worse: <code>nasland lon</code>'s defaults; docs/LON.md). Easier for iterated local search: few funnels, a large global-funnel share, high exact ILS success. Definitions <a href=\"#definitions\">below</a>.</p>\n");
    s.push_str("<div class=\"wide\"><table id=\"table-funnels\">\n<tr><th class=\"l\">input</th><th>LON nodes</th><th>LON edges</th><th>CMLON nodes</th><th>funnels</th><th>global-funnel share</th><th>exact ILS success</th><th>expected perturbations</th></tr>\n");
    for p in profiles {
        match &p.lon {
            Some(l) => {
                let _ = writeln!(
                    s,
                    "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.4}</td><td>{:.4}</td><td>{:.3}</td></tr>",
                    escape(&p.label),
                    l.lon.nodes,
                    l.lon.edges,
                    l.cmlon.nodes,
                    l.funnels,
                    l.global_funnel_share,
                    l.ils.success,
                    l.ils.expected_perturbations
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "<tr><td class=\"l\">{}</td><td colspan=\"7\" class=\"l\">– (no strength-2 perturbation in this space)</td></tr>",
                    escape(&p.label)
                );
            }
        }
    }
    s.push_str("</table></div>\n");

    // Inputs.
    s.push_str("<h2>Inputs</h2>\n<div class=\"wide\"><table id=\"table-inputs\">\n<tr><th class=\"l\">input</th><th>architectures</th><th class=\"l\">values</th><th class=\"l\">SHA-256 of the table file</th></tr>\n");
    for p in profiles {
        let _ = writeln!(
            s,
            "<tr><td class=\"l\">{}</td><td>{}</td><td class=\"l\">{}</td><td class=\"l\"><code>{}</code></td></tr>",
            escape(&p.label),
            p.n,
            escape(&p.source),
            escape(p.checksum.as_deref().unwrap_or("– (synthetic)"))
        );
    }
    s.push_str("</table></div>\n");

    // One section per input.
    for (i, p) in profiles.iter().enumerate() {
        let _ = writeln!(s, "<h2 id=\"input-{i}\">{}</h2>", escape(&p.label));
        let _ = writeln!(
            s,
            "<p>{} architectures of {}; {}.</p>",
            p.n,
            escape(&p.space),
            escape(&p.source)
        );
        let sm = &p.summary;
        let h = &p.hardness;
        let _ = writeln!(s, "<table id=\"table-summary-{i}\">");
        let mut row = |k: &str, v: String| {
            let _ = writeln!(
                s,
                "<tr><th class=\"l\">{}</th><td class=\"l\">{}</td></tr>",
                escape(k),
                escape(&v)
            );
        };
        row(
            "local minima",
            format!(
                "{} ({} strict); iid expectation {:.1}",
                sm.local_minima, sm.strict_local_minima, h.expected_local_minima_iid
            ),
        );
        let g = &sm.global_optimum;
        row(
            "best value",
            format!(
                "{} at {} architecture{}: {}{}",
                fmt_value(g.value),
                g.count,
                if g.count == 1 { "" } else { "s" },
                g.archs.join(", "),
                if g.count > g.archs.len() { ", …" } else { "" }
            ),
        );
        row(
            "starts reaching it",
            format!("{} ({:.2}%)", g.basin, 100.0 * g.basin as f64 / p.n as f64),
        );
        for e in &h.eps_curve {
            row(
                &format!("P(ε = {})", fmt_value(e.eps)),
                format!("{:.4} (ε = {}% of the range)", e.p, e.eps_share * 100.0),
            );
        }
        row(
            "path length",
            format!(
                "mean {:.3}, max {}",
                sm.path_length.mean, sm.path_length.max
            ),
        );
        row(
            "distance to the optimum",
            format!(
                "mean {:.3}, max {}{}",
                h.distance_mean,
                h.distance_max,
                if h.unreachable > 0 {
                    format!(", {} starts cannot reach it", h.unreachable)
                } else {
                    String::new()
                }
            ),
        );
        row(
            "largest plateau",
            format!(
                "{} architectures of value {} (from {})",
                h.largest_plateau.size,
                fmt_value(h.largest_plateau.value),
                p.hardness.largest_plateau.id
            ),
        );
        s.push_str("</table>\n");
        if !sm.minima.is_empty() {
            let _ = writeln!(s, "<table id=\"table-minima-{i}\">\n<tr><th>rank</th><th>value</th><th>basin</th><th class=\"l\">architecture</th></tr>");
            for (r, m) in sm.minima.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"l\"><code>{}</code></td></tr>",
                    r + 1,
                    fmt_value(m.value),
                    m.basin,
                    escape(&m.arch)
                );
            }
            s.push_str("</table>\n");
        }
        s.push_str("<p>Reproduce:</p>\n<pre>");
        for (what, cmd) in &p.commands {
            let _ = writeln!(s, "# {}\n{}", escape(what), escape(cmd));
        }
        s.push_str("</pre>\n");
        if p.figures.is_empty() {
            let _ = writeln!(
                s,
                "<p>No figures for this input: figures are drawn for the first {} inputs (<code>--figures N</code>).</p>",
                meta.figures_for
            );
        }
        for f in &p.figures {
            let wide = f.id.ends_with("-trees");
            let _ = writeln!(
                s,
                "<figure id=\"{}\"{}>\n{}\n<figcaption><b>{}.</b> {}</figcaption>\n</figure>",
                escape(&f.id),
                if wide { " class=\"wide\"" } else { "" },
                f.svg,
                escape(&f.title),
                escape(&f.caption)
            );
        }
    }

    s.push_str(DEFINITIONS);
    s.push_str("</body>\n</html>\n");
    s
}

const DEFINITIONS: &str = "<h2 id=\"definitions\">Definitions</h2>\n<dl>\n\
<dt>LS, local minimum, basin</dt><dd>LS(v) is the neighbour with the lowest (loss, id) if strictly better than v, else v; a local minimum has LS(v) = v; its basin is every start whose repeated LS ends there. Values are in the metric's own units and direction; internally a maximised metric is negated.</dd>\n\
<dt>iid expectation, ratio</dt><dd>Σ<sub>v</sub> 1/(deg(v)+1), the expected number of local minima for independent continuous values; the ratio is local minima / that expectation (below 1: smoother than random).</dd>\n\
<dt>optimum basin, P(ε)</dt><dd>Share of starts whose best-improvement descent ends at a global optimum, or within ε of the best value; ε in the hardness table is a share of the range (max − min) so that inputs in different units compare.</dd>\n\
<dt>FDC</dt><dd>Fitness–distance correlation: Pearson correlation of the loss (lower is better, whatever the metric's direction) with the shortest-path distance to the nearest global optimum.</dd>\n\
<dt>ρ(1), correlation length</dt><dd>Pearson correlation of the values at the two ends of every edge; correlation length −1/ln|ρ(1)|.</dd>\n\
<dt>neutrality, largest plateau</dt><dd>Share of edges whose two ends have exactly equal values; the largest connected set of architectures joined by such edges.</dd>\n\
<dt>LON, funnels, exact ILS success</dt><dd>The local optima network has one node per local minimum; an escape edge m → m′ carries the probability that changing two positions of m at random (or moving two steps, on a graph) and descending ends at m′. Its compressed monotonic form merges equal-valued minima; a funnel is a sink of it. Global-funnel share: the share of uniformly random starts whose iterated local search (accept if not worse) ends in the funnel of the best value; exact ILS success: the share that ends at a global optimum; expected perturbations until ILS can move no more. All solved exactly as an absorbing Markov chain (docs/LON.md).</dd>\n\
<dt>P(first succeeds)</dt><dd>Probability that first-improvement local search (neighbours tried in a uniformly random order) from a uniformly random start ends at a global optimum, exact.</dd>\n\
</dl>\n";
