//! `nasland lon`: the exact local optima network, its funnels, and exact ILS success.

use super::args::InputArgs;
use crate::format::{percent, thousands, value};
use crate::input::Input;
use crate::lon::{self, Built, Document};
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use nasland_core::lon::{Accept, EdgeModel, Lon};
use nasland_table::atomic::write_atomic;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Exact local optima network: minima, escape edges, funnels, exact ILS success.
///
/// Nodes are the local minima of best-improvement local search. Escape edges count every
/// perturbation of strength D from each minimum followed by local search; basin edges
/// count neighbours across basins. Funnels are the sinks of the compressed monotonic LON;
/// ILS success is solved exactly as an absorbing Markov chain. Definitions: docs/LON.md.
#[derive(Args, Debug)]
pub struct LonArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Perturbation strength D: positions changed (product spaces) or distance moved
    /// (graphs) by one escape perturbation [default: 2].
    // No clap default, so that a --strength given with --edges basin can be told from
    // the default and warned about.
    #[arg(long, value_name = "D")]
    pub strength: Option<usize>,

    /// escape (perturbation then local search) or basin (basin-transition
    /// probabilities of Verel, Ochoa & Tomassini).
    #[arg(long, value_enum, default_value_t = EdgesArg::Escape)]
    pub edges: EdgesArg,

    /// ILS acceptance: better (strictly lower value only) or equal (not worse).
    #[arg(long, value_enum, default_value_t = AcceptArg::Equal)]
    pub accept: AcceptArg,

    /// Print one JSON object instead of the summary.
    #[arg(long)]
    pub json: bool,

    /// Write nodes.csv and edges.csv into this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Write the LON as GraphML (networkx, igraph, Gephi).
    #[arg(long, value_name = "FILE")]
    pub graphml: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EdgesArg {
    Escape,
    Basin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AcceptArg {
    Better,
    Equal,
}

impl LonArgs {
    /// --strength, or its default.
    fn strength(&self) -> usize {
        self.strength.unwrap_or(2)
    }
}

/// Checks --strength before any work: not 0, and within the positions of a product space
/// named on the command line (exit 2 naming the option).
pub fn check(args: &LonArgs) -> Result<()> {
    if args.edges != EdgesArg::Escape {
        return Ok(());
    }
    let dims = args.input.product_space().map(|p| p.radices().len());
    nasland_core::lon::escape::check_strength(args.strength(), dims).map_err(super::Usage::wrap)
}

pub fn run(args: LonArgs) -> Result<()> {
    let start = Instant::now();
    if let (EdgesArg::Basin, Some(d)) = (args.edges, args.strength) {
        errln!("nasland: warning: --strength {d} has no effect with --edges basin (basin edges need no perturbation); ignored");
    }
    let input = args.input.load()?;
    args.input
        .warn_if_seed_ignored("lon", super::args::values_file(&input));
    let loaded = start.elapsed();
    let model = match args.edges {
        EdgesArg::Escape => EdgeModel::Escape {
            strength: args.strength(),
        },
        EdgesArg::Basin => EdgeModel::Basin,
    };
    let accept = match args.accept {
        AcceptArg::Better => Accept::Better,
        AcceptArg::Equal => Accept::Equal,
    };
    let opts = lon::Options { model, accept };
    let land = input.space.landscape(&input.loss);
    let landscaped = start.elapsed();
    // A strength the space cannot take is the command line's fault (exit 2), also when
    // only the packed table tells the space (--graph).
    let built = lon::build(&input, &land, &opts).map_err(|e| {
        if e.is::<nasland_core::lon::Error>() {
            super::Usage::wrap(e)
        } else {
            e
        }
    })?;
    let built_at = start.elapsed();
    let report = lon::document(&input, &built, &opts);
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the output directory {}", dir.display()))?;
        write_atomic(&dir.join("nodes.csv"), |w| {
            write_nodes(w, &input, &built)?;
            Ok::<(), anyhow::Error>(())
        })?;
        write_atomic(&dir.join("edges.csv"), |w| {
            write_edges(w, &built.lon)?;
            Ok::<(), anyhow::Error>(())
        })?;
    }
    if let Some(path) = &args.graphml {
        write_graphml_file(path, &input, &built)?;
    }
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_human(&input, &report);
    }
    errln!(
        "nasland: loaded in {:.1} ms, landscape in {:.1} ms, LON and chain in {:.1} ms, output in {:.1} ms",
        loaded.as_secs_f64() * 1e3,
        (landscaped - loaded).as_secs_f64() * 1e3,
        (built_at - landscaped).as_secs_f64() * 1e3,
        (start.elapsed() - built_at).as_secs_f64() * 1e3,
    );
    Ok(())
}

fn print_human(input: &Input, r: &Document) {
    let edges = match r.strength {
        Some(d) => format!("escape edges, strength {d}"),
        None => "basin-transition edges".into(),
    };
    let accept = match r.accept {
        Accept::Better => "better",
        Accept::Equal => "equal",
    };
    outln!(
        "nasland lon · {} · {} architectures · {edges} · accept {accept}",
        r.space,
        thousands(r.n as u64)
    );
    outln!("metric        {}", crate::format::describe_input(input));
    outln!(
        "  {:<6} {:>10} {:>11} {:>11} {:>11} {:>11} {:>11} {:>10}",
        "",
        "nodes",
        "edges",
        "improving",
        "equal",
        "worsening",
        "self",
        "self-loop"
    );
    for (name, c) in [("LON", &r.lon), ("MLON", &r.mlon), ("CMLON", &r.cmlon)] {
        outln!(
            "  {:<6} {:>10} {:>11} {:>11} {:>11} {:>11} {:>11} {:>10}",
            name,
            thousands(c.nodes as u64),
            thousands(c.edges as u64),
            thousands(c.improving as u64),
            thousands(c.equal as u64),
            thousands(c.worsening as u64),
            thousands(c.self_loops as u64),
            percent(c.self_loop_share)
        );
    }
    outln!(
        "funnels       {} (sinks of the CMLON; the same for LON, MLON and CMLON)",
        thousands(r.funnels as u64)
    );
    outln!(
        "global funnel {} of ILS runs end in it{}",
        percent(r.global_funnel_share),
        if r.outside_funnel_share > 0.0 {
            format!(
                "; {} end outside every funnel",
                percent(r.outside_funnel_share)
            )
        } else {
            String::new()
        }
    );
    outln!(
        "exact ILS     success {} from a random start; {:.2} perturbations until it stops (expected)",
        percent(r.ils.success),
        r.ils.expected_perturbations
    );
    let s = &r.ils.solver;
    if s.dense_groups + s.iterative_groups > 0 {
        outln!(
            "              {} plateau groups solved ({} dense, {} iterative; largest {} minima; residual ≤ {:.1e})",
            s.dense_groups + s.iterative_groups,
            s.dense_groups,
            s.iterative_groups,
            s.largest_group,
            s.max_residual
        );
    }
    if !r.funnel_list.is_empty() {
        outln!("best funnels:");
        outln!(
            "  {:>4}  {:>12}  {:>8}  {:>6}  {:>8}  arch of the sink",
            "id",
            "value",
            "minima",
            "depth",
            "share"
        );
        for f in r.funnel_list.iter().take(10) {
            outln!(
                "  {:>4}  {:>12}  {:>8}  {:>6}  {:>8}  {}{}",
                f.id,
                value(f.value),
                thousands(f.minima as u64),
                f.depth,
                percent(f.share),
                f.arch,
                if f.global { "  (global)" } else { "" }
            );
        }
        if r.funnel_list.len() > 10 {
            outln!("  … and {} more", r.funnel_list.len() - 10);
        }
    }
}

fn write_nodes(w: &mut dyn Write, input: &Input, b: &Built) -> std::io::Result<()> {
    let nodes = &b.lon.nodes;
    writeln!(
        w,
        "id,arch,value,basin,funnel,cmlon,ils_success,ils_perturbations"
    )?;
    for i in 0..nodes.len() {
        let v = nodes.vertex[i];
        writeln!(
            w,
            "{i},{},{},{},{},{},{},{}",
            csv_field(&input.space.arch(v)),
            input.value(v),
            nodes.basin[i],
            b.cmlon.funnel_of(i as u32),
            b.cmlon.group_of[i],
            b.chain.success[i],
            b.chain.perturbations[i]
        )?;
    }
    Ok(())
}

fn write_edges(w: &mut dyn Write, lon: &Lon) -> std::io::Result<()> {
    writeln!(w, "src,dst,weight,type")?;
    let mut result = Ok(());
    lon.edges.for_each(|i, e| {
        if result.is_ok() {
            result = writeln!(
                w,
                "{i},{},{},{}",
                lon.edges.dst[e],
                lon.edges.weight[e],
                lon.kind(i, e)
            );
        }
    });
    result
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_graphml_file(path: &Path, input: &Input, b: &Built) -> Result<()> {
    write_atomic(path, |w| {
        write_graphml(w, input, b)?;
        Ok::<(), anyhow::Error>(())
    })
}

/// GraphML with declared keys; key ids equal attribute names, which is what networkx,
/// igraph and Gephi show.
fn write_graphml(w: &mut dyn Write, input: &Input, b: &Built) -> std::io::Result<()> {
    let nodes = &b.lon.nodes;
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    for (id, domain, ty) in [
        ("arch", "node", "string"),
        ("value", "node", "double"),
        ("basin", "node", "long"),
        ("funnel", "node", "int"),
        ("cmlon", "node", "int"),
        ("ils_success", "node", "double"),
        ("ils_perturbations", "node", "double"),
        ("weight", "edge", "double"),
        ("type", "edge", "string"),
    ] {
        writeln!(
            w,
            r#"  <key id="{id}" for="{domain}" attr.name="{id}" attr.type="{ty}"/>"#
        )?;
    }
    writeln!(w, r#"  <graph id="lon" edgedefault="directed">"#)?;
    for i in 0..nodes.len() {
        let v = nodes.vertex[i];
        writeln!(
            w,
            r#"    <node id="n{i}"><data key="arch">{}</data><data key="value">{}</data><data key="basin">{}</data><data key="funnel">{}</data><data key="cmlon">{}</data><data key="ils_success">{}</data><data key="ils_perturbations">{}</data></node>"#,
            crate::report::markup::escape(&input.space.arch(v)),
            input.value(v),
            nodes.basin[i],
            b.cmlon.funnel_of(i as u32),
            b.cmlon.group_of[i],
            b.chain.success[i],
            b.chain.perturbations[i]
        )?;
    }
    let edges = &b.lon.edges;
    let mut result = Ok(());
    edges.for_each(|i, e| {
        if result.is_ok() {
            result = writeln!(
                w,
                r#"    <edge id="e{e}" source="n{i}" target="n{}"><data key="weight">{}</data><data key="type">{}</data></edge>"#,
                edges.dst[e],
                edges.weight[e],
                b.lon.kind(i, e)
            );
        }
    });
    result?;
    writeln!(w, "  </graph>")?;
    writeln!(w, "</graphml>")
}
