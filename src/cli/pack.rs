//! `nasland pack`: make a `.nasl` table from a product space, an edge list or a random
//! regular graph.

use crate::format::thousands;
use crate::pack::{self, Directions, Listed, TableColumns};
use crate::table::{Table, WriteOptions};
use anyhow::{bail, Result};
use clap::{ArgGroup, Args};
use std::path::PathBuf;
use std::time::Instant;

/// Pack a space, its neighbour lists and metric columns into one memory-mapped,
/// bit-packed table (.nasl) that `analyze --graph` reads.
///
/// Exactly one of --space, --edges, --random-regular says where the graph comes from.
/// Examples:
///   nasland pack --space nb201 --table nb201.csv --maximize -o nb201.nasl
///   nasland pack --space nb101 --table nb101_108.csv --maximize -o nb101.nasl
///   nasland pack --edges edges.csv --table nbgraph_cora.csv --key hash \
///       --maximize valid_perf,test_perf -o cora.nasl
///   nasland pack --random-regular 1000000,24 --seed 7 -o rr.nasl
#[derive(Args, Debug)]
#[command(
    group(ArgGroup::new("graph_source").required(true).args(["space", "edges", "random_regular"])),
    verbatim_doc_comment
)]
pub struct PackArgs {
    /// Product space to make explicit: nb201, tnb101, nats-sss, K^D or K0xK1x…
    /// (vertex ids and keys as in `analyze --space`); or nb101: NAS-Bench-101's 423,624
    /// cells keyed by module hash (--key defaults to `hash`; docs/NB101.md); or nbgraph /
    /// nbgraph-proteins: NAS-Bench-Graph's 26,206 / 2,021 architectures keyed by the
    /// benchmark's hash (--key defaults to `hash`; docs/NBGRAPH.md).
    #[arg(long)]
    pub space: Option<String>,

    /// Undirected edge list over the rows of --table: CSV with a header line, then two
    /// keys (values of --key) per line. Vertex ids follow the table's row order.
    #[arg(long, value_name = "EDGES.csv", requires = "table")]
    pub edges: Option<PathBuf>,

    /// A random simple S-regular graph on N vertices (N·S even), seeded by --seed;
    /// configuration model repaired by random edge switches. Keys are the vertex ids.
    #[arg(long, value_name = "N,S", value_parser = super::args::parse_random_regular,
          conflicts_with_all = ["table", "key", "metrics", "maximize", "minimize"])]
    pub random_regular: Option<(usize, usize)>,

    /// CSV table whose numeric columns are stored as metrics (keyed by --key).
    #[arg(long, value_name = "PATH")]
    pub table: Option<PathBuf>,

    /// Column of --table holding the architecture keys [default with --space: arch_str
    /// for nb201, tnb_arch_str for tnb101, hash for nb101 and nbgraph, arch otherwise; required with
    /// --edges].
    #[arg(long, value_name = "COLUMN")]
    pub key: Option<String>,

    /// Columns of --table to store [default: every numeric column except the key and
    /// row counters].
    #[arg(long, value_name = "A,B,…", value_delimiter = ',', requires = "table")]
    pub metrics: Option<Vec<String>>,

    /// Record stored columns as higher-is-better (accuracy): all of them (but those
    /// given to --minimize), or only those listed.
    #[arg(long, value_name = "A,B,…", num_args = 0..=1, default_missing_value = "", requires = "table")]
    pub maximize: Option<String>,

    /// Record stored columns as lower-is-better (loss, latency): all of them (but those
    /// given to --maximize), or only those listed. A column named by neither is recorded
    /// without a direction, and analysing it then needs --maximize or --minimize.
    #[arg(long, value_name = "A,B,…", num_args = 0..=1, default_missing_value = "", requires = "table")]
    pub minimize: Option<String>,

    /// Seed of --random-regular [default: 1].
    #[arg(long, value_name = "SEED")]
    pub seed: Option<u64>,

    /// Output file. Written to a temporary file beside it, verified, then renamed.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,

    /// Compress the whole file with zstd for distribution (implied by a .zst name);
    /// `analyze --graph` reads both forms.
    #[arg(long)]
    pub zstd: bool,

    /// zstd compression level, 1 (fast) to 22 (small) [default: 9].
    #[arg(long, value_parser = clap::value_parser!(i32).range(1..=22))]
    pub zstd_level: Option<i32>,
}

/// Option combinations clap's rules cannot say, refused before any file is read: usage
/// errors (exit 2) naming the options.
pub fn check(args: &PackArgs) -> Result<()> {
    if args.maximize.as_deref() == Some("") && args.minimize.as_deref() == Some("") {
        return Err(super::Usage::wrap(anyhow::anyhow!(
            "--maximize and --minimize without a list both name every column: list the columns of one of them"
        )));
    }
    if args.key.is_some() && args.table.is_none() {
        return Err(super::Usage::wrap(anyhow::anyhow!(
            "--key names the key column of a --table; none was given"
        )));
    }
    Ok(())
}

pub fn run(args: PackArgs) -> Result<()> {
    let start = Instant::now();
    let compress = args.zstd || args.output.extension().is_some_and(|e| e == "zst");
    if let (false, Some(level)) = (compress, args.zstd_level) {
        errln!(
            "nasland: warning: --zstd-level {level} has no effect without --zstd (or a .zst output name); the table is written uncompressed"
        );
    }
    let opts = WriteOptions {
        zstd_level: compress.then_some(args.zstd_level.unwrap_or(9)),
    };
    if let (None, Some(seed)) = (args.random_regular, args.seed) {
        errln!("nasland: warning: --seed {seed} has no effect without --random-regular (nothing else pack makes is random); ignored");
    }
    let seed = args.seed.unwrap_or(1);
    let listed = |arg: &Option<String>| match arg.as_deref() {
        None => Listed::None,
        Some("") => Listed::All,
        Some(list) => Listed::Only(list.split(',').map(|s| s.trim().to_string()).collect()),
    };
    let directions = Directions {
        maximize: listed(&args.maximize),
        minimize: listed(&args.minimize),
    };
    let columns = args.table.clone().map(|path| TableColumns {
        path,
        key: args.key.clone(),
        metrics: args.metrics.clone(),
        directions,
    });
    if let Some(spec) = &args.space {
        if args.edges.is_some() || args.random_regular.is_some() {
            bail!("give one of --space, --edges, --random-regular");
        }
        if spec == "nb101" {
            let r = pack::nb101(
                columns.as_ref(),
                &args.output,
                opts,
                &super::progress::Bar::new(),
            )?;
            errln!(
                "nasland: NAS-Bench-101, {} cells ({} labelled cells merged by canonical form), \
                 {} arcs of which {} one-way; built in {:.1} s",
                thousands(r.stats.classes as u64),
                thousands(r.stats.labelled_cells),
                thousands(r.shape.arcs as u64),
                thousands(r.shape.one_way_arcs as u64),
                r.stats.enumerate_seconds + r.stats.hash_seconds + r.stats.neighbours_seconds
            );
        } else if spec == "nbgraph" || spec == "nbgraph-proteins" {
            let r = pack::nbgraph(spec, columns.as_ref(), &args.output, opts)?;
            errln!(
                "nasland: NAS-Bench-Graph ({spec}), {} architectures ({} labelled forms merged by the benchmark's hash), {} undirected edges",
                thousands(r.classes as u64),
                thousands(r.labelled_forms),
                thousands(r.edges as u64)
            );
        } else {
            pack::product(spec, columns.as_ref(), &args.output, opts)?;
            errln!("nasland: product space {spec}");
        }
    } else if let Some(edges) = &args.edges {
        // clap's `requires = "table"` on --edges makes `columns` Some here.
        #[allow(clippy::expect_used)]
        let columns = columns.expect("clap requires --table with --edges");
        let r = pack::edges(edges, &columns, &args.output, opts)?;
        errln!(
            "nasland: {} vertices, {} undirected edges from {}",
            thousands(r.vertices as u64),
            thousands(r.edges as u64),
            edges.display()
        );
        if r.isolated > 0 {
            errln!(
                "nasland: note: {} vertices have no edge; each is a local minimum of every landscape",
                thousands(r.isolated as u64)
            );
        }
    } else if let Some((n, s)) = args.random_regular {
        pack::random_regular(n, s, seed, &args.output, opts)?;
        errln!("nasland: random simple {s}-regular graph on {n} vertices, seed {seed}");
    }
    if !std::fs::metadata(&args.output).is_ok_and(|m| m.is_file()) {
        // A FIFO or device was written through (nasland_table::atomic): there is no file
        // to read the summary back from.
        outln!("wrote {}", args.output.display());
        errln!("nasland: packed in {:.2} s", start.elapsed().as_secs_f64());
        return Ok(());
    }
    let table = Table::open(&args.output)?;
    if let Some(left_out) = table.meta()["source"]["left_out"].as_array() {
        for l in left_out {
            errln!(
                "nasland: note: column {} not stored: {} (--metrics names the columns to store)",
                l["column"],
                l["why"].as_str().unwrap_or_default()
            );
        }
    }
    let h = table.header();
    let size = table.compressed_size().unwrap_or(table.len_bytes());
    outln!(
        "wrote {} · {} vertices · {} neighbour entries · {} bits per index · {} metric column{} · {} bytes{}",
        args.output.display(),
        thousands(h.n),
        thousands(h.entries),
        h.index_bits,
        table.columns().len(),
        if table.columns().len() == 1 { "" } else { "s" },
        thousands(size),
        if compressed_note(&table).is_empty() {
            String::new()
        } else {
            format!(" ({})", compressed_note(&table))
        }
    );
    let unspecified: Vec<&str> = table
        .columns()
        .iter()
        .filter(|c| c.direction == crate::table::format::Direction::Unspecified)
        .map(|c| c.name.as_str())
        .collect();
    if !unspecified.is_empty() {
        errln!(
            "nasland: no direction recorded for {}: analysing {} will need --maximize or --minimize (or re-pack with --maximize/--minimize COLUMNS)",
            unspecified.join(", "),
            if unspecified.len() == 1 { "it" } else { "them" }
        );
    }
    errln!("nasland: packed in {:.2} s", start.elapsed().as_secs_f64());
    Ok(())
}

fn compressed_note(t: &Table) -> String {
    match t.compressed_size() {
        Some(_) => format!("zstd; {} bytes uncompressed", thousands(t.len_bytes())),
        None => String::new(),
    }
}
