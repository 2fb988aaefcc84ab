//! `nasland report`: the page is well-formed, announces exactly what it contains, carries
//! the right checksum and numbers, and is byte-identical across runs and thread counts.

use crate::util::nasland;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::BTreeSet;
use std::path::Path;

/// What a strict XML parse of the page finds.
struct Page {
    ids: BTreeSet<String>,
    hrefs: Vec<String>,
    figures: BTreeSet<String>,
    tables: BTreeSet<String>,
    svgs: usize,
}

/// Parses the page as XML (fails on any unclosed or mismatched element or bad attribute).
fn parse(html: &str) -> Page {
    let mut reader = Reader::from_str(html);
    reader.config_mut().check_end_names = true;
    let mut page = Page {
        ids: BTreeSet::new(),
        hrefs: Vec::new(),
        figures: BTreeSet::new(),
        tables: BTreeSet::new(),
        svgs: 0,
    };
    let mut depth = 0i64;
    loop {
        let ev = reader.read_event().unwrap_or_else(|e| {
            panic!("not well-formed at byte {}: {e}", reader.buffer_position())
        });
        match ev {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                if matches!(ev, Event::Start(_)) {
                    depth += 1;
                }
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                for a in e.attributes() {
                    let a = a.expect("well-formed attribute");
                    let v = a.unescape_value().expect("escaped attribute").to_string();
                    match a.key.as_ref() {
                        b"id" => {
                            assert!(page.ids.insert(v.clone()), "duplicate id {v}");
                            if name == "figure" {
                                page.figures.insert(v.clone());
                            }
                            if name == "table" {
                                page.tables.insert(v);
                            }
                        }
                        b"href" => page.hrefs.push(v),
                        _ => {}
                    }
                }
                if name == "svg" {
                    page.svgs += 1;
                }
            }
            Event::End(_) => depth -= 1,
            Event::Text(t) => {
                t.unescape().expect("text escapes are valid");
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    page
}

/// Every announced anchor exists, and every figure and table is announced.
fn check_announced(page: &Page) {
    let announced: BTreeSet<String> = page
        .hrefs
        .iter()
        .filter_map(|h| h.strip_prefix('#'))
        .map(str::to_string)
        .collect();
    for a in &announced {
        assert!(
            page.ids.contains(a),
            "contents announce #{a}, which is missing"
        );
    }
    for f in page.figures.iter().chain(&page.tables) {
        assert!(announced.contains(f), "#{f} is not in the contents");
    }
}

/// The discs of the LON figure `figure_id`: (node id, fill colour), from a strict parse.
fn lon_discs(html: &str, figure_id: &str) -> Vec<(usize, String)> {
    let mut reader = Reader::from_str(html);
    let mut inside = false;
    let mut discs = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let attr = |k: &[u8]| {
                    e.attributes()
                        .map(|a| a.unwrap())
                        .find(|a| a.key.as_ref() == k)
                        .map(|a| a.unescape_value().unwrap().into_owned())
                };
                if e.name().as_ref() == b"figure" {
                    inside = attr(b"id").as_deref() == Some(figure_id);
                }
                if inside
                    && e.name().as_ref() == b"circle"
                    && attr(b"class").as_deref() == Some("lon-node")
                {
                    discs.push((
                        attr(b"data-node").unwrap().parse().unwrap(),
                        attr(b"fill").unwrap(),
                    ));
                }
            }
            Event::End(e) if e.name().as_ref() == b"figure" => inside = false,
            _ => {}
        }
    }
    assert!(!discs.is_empty(), "no LON figure {figure_id}");
    discs
}

fn run_report(dir: &Path, args: &[&str], threads: &str) -> Vec<u8> {
    // Same output name (it is printed in the page), one directory per run.
    let sub = dir.join(format!("threads-{threads}-{}", args.join("-").len()));
    std::fs::create_dir_all(&sub).unwrap();
    nasland()
        .current_dir(&sub)
        .env("RAYON_NUM_THREADS", threads)
        .arg("report")
        .args(args)
        .args(["-o", "report.html"])
        .assert()
        .success();
    std::fs::read(sub.join("report.html")).unwrap()
}

#[test]
fn default_report_from_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // No argument at all: writes nasland-report.html in the working directory; stderr
    // is not a terminal, so no progress bar, only the closing line.
    let assert = nasland()
        .current_dir(dir.path())
        .arg("report")
        .assert()
        .success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("nasland: wrote nasland-report.html (3 inputs"),
        "{stderr}"
    );
    let html = std::fs::read_to_string(dir.path().join("nasland-report.html")).unwrap();
    let page = parse(&html);
    check_announced(&page);
    // Three inputs, seven figures each (the tree figure is one SVG), five kinds of tables.
    assert_eq!(page.figures.len(), 21);
    assert_eq!(page.svgs, 21);
    for t in [
        "table-hardness",
        "table-inputs",
        "table-funnels",
        "table-summary-0",
        "table-summary-2",
    ] {
        assert!(page.tables.contains(t), "{t}");
    }
    for model in [
        "synthetic uniform",
        "synthetic levels:10",
        "synthetic smooth",
    ] {
        assert!(html.contains(&format!("nb201 · {model}")), "{model}");
    }
    assert!(html.contains("nasland analyze --space nb201 --synthetic smooth --seed 1 --json"));
    // iid uniform NB201 has about 625 minima: the LON figure draws the largest basins only
    // (and the global optimum, red), and says so.
    let discs = lon_discs(&html, "nb201---synthetic-uniform-lon");
    let lon = crate::util::json(&[
        "lon",
        "--space",
        "nb201",
        "--synthetic",
        "uniform",
        "--seed",
        "1",
        "--json",
    ]);
    let minima = lon["lon"]["nodes"].as_u64().unwrap() as usize;
    assert!(minima > 100);
    // The one global optimum is among the 100 largest basins or drawn beside them.
    assert!((100..=101).contains(&discs.len()), "{} discs", discs.len());
    assert_eq!(discs.iter().filter(|d| d.1 == "red").count(), 1);
    assert!(html.contains(&format!(
        "The 100 largest basins of {minima} local minima and every global optimum ({} drawn)",
        discs.len()
    )));
    // No leftover temporary file from the atomic write.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn same_bytes_across_runs_and_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--seed", "7", "--quiet"];
    let a = run_report(dir.path(), &args, "1");
    let b = run_report(dir.path(), &args, "2");
    assert!(a == b, "the report differs between 1 and 2 threads");
    let c = run_report(dir.path(), &["--seed", "8", "--quiet"], "2");
    assert!(a != c, "another seed gives another report");
}

#[test]
fn table_report_checksums_and_numbers() {
    let table = crate::util::shared_data("nb201.csv");
    let dir = tempfile::tempdir().unwrap();
    let t = table.to_str().unwrap();
    let args = [
        "--space",
        "nb201",
        "--table",
        t,
        "--key",
        "arch_str",
        "--metrics",
        "c10_test_200_mean,c100_test_200_mean",
        "--maximize",
        "--quiet",
    ];
    let html = String::from_utf8(run_report(dir.path(), &args, "2")).unwrap();
    let page = parse(&html);
    check_announced(&page);
    assert_eq!(page.figures.len(), 14);

    // The checksum is the one the data's SHA256SUMS lists (an independent computation).
    let sums = std::fs::read_to_string(crate::util::shared_data("SHA256SUMS")).unwrap();
    let sum = sums
        .lines()
        .find(|l| l.ends_with("nb201.csv"))
        .and_then(|l| l.split_whitespace().next())
        .expect("nb201.csv in SHA256SUMS");
    assert_eq!(sum.len(), 64);
    assert!(html.contains(sum), "checksum {sum} not in the report");

    // The hardness numbers are analyze's.
    for metric in ["c10_test_200_mean", "c100_test_200_mean"] {
        let out = nasland()
            .args([
                "analyze",
                "--space",
                "nb201",
                "--table",
                t,
                "--metric",
                metric,
                "--maximize",
                "--json",
            ])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let h = &json["hardness"];
        let row = format!(
            "<tr><td class=\"l\">nb201 · {metric} (max)</td><td>{}</td><td>{:.1}</td><td>{:.3}</td><td>{:.4}</td>",
            h["local_minima"],
            h["expected_local_minima_iid"].as_f64().unwrap(),
            h["local_minima_ratio"].as_f64().unwrap(),
            h["optimum_basin_share"].as_f64().unwrap()
        );
        assert!(html.contains(&row), "missing hardness row {row}");
        let cmd = format!("nasland analyze --space nb201 --table {t} --key arch_str --metric {metric} --maximize --json");
        assert!(html.contains(&cmd), "missing command {cmd}");

        // The funnel table is `nasland lon --json`'s, and the LON figure draws its nodes.
        let out_dir = dir.path().join(format!("lon-{metric}"));
        let lon = crate::util::json(&[
            "lon",
            "--space",
            "nb201",
            "--table",
            t,
            "--key",
            "arch_str",
            "--metric",
            metric,
            "--maximize",
            "--json",
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        let row = format!(
            "<tr><td class=\"l\">nb201 · {metric} (max)</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.4}</td><td>{:.4}</td><td>{:.3}</td></tr>",
            lon["lon"]["nodes"],
            lon["lon"]["edges"],
            lon["cmlon"]["nodes"],
            lon["funnels"],
            lon["global_funnel_share"].as_f64().unwrap(),
            lon["ils"]["success"].as_f64().unwrap(),
            lon["ils"]["expected_perturbations"].as_f64().unwrap()
        );
        assert!(html.contains(&row), "missing funnel row {row}");
        let cmd = format!("nasland lon --space nb201 --table {t} --key arch_str --metric {metric} --maximize --json");
        assert!(html.contains(&cmd), "missing command {cmd}");
        let nodes = std::fs::read_to_string(out_dir.join("nodes.csv")).unwrap();
        let values: Vec<f64> = nodes
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
            .collect();
        let best = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let slug = format!("nb201---{}--max--lon", metric.replace('_', "-"));
        let discs = lon_discs(&html, &slug);
        // Fewer minima than the cap: every node is drawn, once.
        assert_eq!(discs.len(), values.len());
        let ids: BTreeSet<usize> = discs.iter().map(|d| d.0).collect();
        assert_eq!(ids, (0..values.len()).collect());
        for (id, fill) in &discs {
            assert_eq!(
                fill == "red",
                values[*id] == best,
                "node {id}: red exactly for the global optimum"
            );
        }
        assert!(discs.iter().any(|d| d.1 == "red"));
    }
}

#[test]
fn figures_limit_and_bad_input() {
    let table = crate::util::shared_data("tnb101_micro.csv");
    let dir = tempfile::tempdir().unwrap();
    let t = table.to_str().unwrap();
    // All seven columns, figures for the first two only.
    let html = String::from_utf8(run_report(
        dir.path(),
        &[
            "--space",
            "tnb101",
            "--table",
            t,
            "--metrics",
            "all:max",
            "--figures",
            "2",
            "--quiet",
        ],
        "2",
    ))
    .unwrap();
    let page = parse(&html);
    check_announced(&page);
    assert_eq!(page.figures.len(), 14);
    assert_eq!(
        html.matches("<tr><td class=\"l\">tnb101 · ").count(),
        3 * 7,
        "hardness, funnel and inputs rows"
    );

    nasland()
        .current_dir(dir.path())
        .args([
            "report",
            "--space",
            "tnb101",
            "--table",
            t,
            "--metrics",
            "jigsaw,nope",
            "--maximize",
            "--quiet",
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains("nope"));
    nasland()
        .current_dir(dir.path())
        .args([
            "report", "--space", "tnb101", "--space", "nb201", "--table", t, "--quiet",
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "2 values of --space for 1 tables",
        ));
}
