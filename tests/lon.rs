//! Local optima networks against brute force: explicit perturbations and a per-start
//! climber, a Monte Carlo ILS, a hand-made landscape with known funnels, and the CLI's
//! files (CSV and GraphML) read back.

use crate::util::{json, nasland, oracle, shared_data};
use nasland::landscape::Landscape;
use nasland::space::{Csr, ProductSpace};
use nasland_core::lon::error::ErrorKind;
use nasland_core::lon::{Accept, Chain, Cmlon, EdgeKind, EdgeModel, Lon};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

fn spec_of(radices: &[usize]) -> String {
    let mut spec = radices
        .iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join("x");
    if radices.len() == 1 {
        spec += "^1";
    }
    spec
}

/// Small product spaces with heavy ties (few loss levels) and a strength that fits.
fn product_case() -> impl Strategy<Value = (Vec<usize>, Vec<f64>, usize)> {
    prop::collection::vec(2usize..5, 1..5).prop_flat_map(|radices| {
        let n: usize = radices.iter().product();
        let d = radices.len();
        (
            Just(radices),
            (1u32..12).prop_flat_map(move |k| {
                prop::collection::vec((0..k).prop_map(|x| x as f64 * 0.25), n)
            }),
            1..=d,
        )
    })
}

/// Small random graphs given as neighbour lists, directed or not, with tied losses.
fn graph_case() -> impl Strategy<Value = (Vec<Vec<usize>>, Vec<f64>, usize)> {
    (2usize..14, any::<bool>()).prop_flat_map(|(n, symmetric)| {
        (
            prop::collection::vec(prop::collection::vec(any::<bool>(), n), n),
            prop::collection::vec((0u32..6).prop_map(|x| x as f64), n),
            1usize..4,
        )
            .prop_map(move |(adj, loss, d)| {
                let lists = (0..n)
                    .map(|v| {
                        (0..n)
                            .filter(|&u| u != v && (adj[v][u] || (symmetric && adj[u][v])))
                            .collect()
                    })
                    .collect();
                (lists, loss, d)
            })
    })
}

fn csr_of(lists: &[Vec<usize>]) -> Csr {
    let mut offsets = vec![0u64];
    let mut targets = Vec::new();
    for l in lists {
        targets.extend(l.iter().map(|&u| u as u32));
        offsets.push(targets.len() as u64);
    }
    Csr::new(offsets, targets).unwrap()
}

/// Vertices at shortest-path distance exactly `d` from `v`, by plain BFS.
fn at_distance(lists: &[Vec<usize>], v: usize, d: usize) -> Vec<usize> {
    let mut dist = vec![usize::MAX; lists.len()];
    dist[v] = 0;
    let mut queue = std::collections::VecDeque::from([v]);
    while let Some(x) = queue.pop_front() {
        for &u in &lists[x] {
            if dist[u] == usize::MAX {
                dist[u] = dist[x] + 1;
                queue.push_back(u);
            }
        }
    }
    (0..lists.len()).filter(|&u| dist[u] == d).collect()
}

/// The oracle's escape edges: for each minimum (in vertex order), target minimum → weight.
fn oracle_escape(
    loss: &[f64],
    lists: &[Vec<usize>],
    d: usize,
) -> (Vec<usize>, Vec<BTreeMap<usize, f64>>) {
    let c = oracle::climb_lists(loss, lists);
    let minima: Vec<usize> = (0..loss.len()).filter(|&v| c.end[v] == v).collect();
    let index = |v: usize| minima.binary_search(&v).unwrap();
    let edges = minima
        .iter()
        .map(|&m| {
            let ring = at_distance(lists, m, d);
            let mut out = BTreeMap::new();
            if ring.is_empty() {
                out.insert(index(m), 1.0);
            }
            let mut counts = BTreeMap::new();
            for &u in &ring {
                *counts.entry(index(c.end[u])).or_insert(0u32) += 1;
            }
            for (j, k) in counts {
                out.insert(j, k as f64 / ring.len() as f64);
            }
            out
        })
        .collect();
    (minima, edges)
}

fn edges_of(lon: &Lon) -> Vec<BTreeMap<usize, f64>> {
    (0..lon.nodes.len() as u32)
        .map(|i| {
            lon.edges
                .range(i)
                .map(|e| (lon.edges.dst[e] as usize, lon.edges.weight[e]))
                .collect()
        })
        .collect()
}

fn assert_rows_sum_to_one(lon: &Lon) {
    for i in 0..lon.nodes.len() as u32 {
        let s: f64 = lon.edges.range(i).map(|e| lon.edges.weight[e]).sum();
        assert!((s - 1.0).abs() <= 1e-12, "node {i}: weights sum to {s}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn product_escape_edges_match_explicit_perturbations((radices, loss, d) in product_case()) {
        let space = ProductSpace::parse(&spec_of(&radices)).unwrap();
        let lists: Vec<Vec<usize>> = (0..loss.len()).map(|v| oracle::neighbours(v, &radices)).collect();
        let (minima, expected) = oracle_escape(&loss, &lists, d);
        let land = Landscape::of_product(&space, &loss);
        let model = EdgeModel::Escape { strength: d };
        let lon = Lon::of_product(&space, &loss, &land, model).unwrap();
        let nodes: Vec<usize> = lon.nodes.vertex.iter().map(|&v| v as usize).collect();
        prop_assert_eq!(&nodes, &minima);
        prop_assert_eq!(lon.nodes.basin.iter().sum::<u64>(), loss.len() as u64);
        prop_assert_eq!(&edges_of(&lon), &expected);
        assert_rows_sum_to_one(&lon);
        // The graph walker sees the same perturbations: Hamming distance is graph distance.
        let csr = Csr::from_neighbourhood(&space);
        let by_graph = Lon::of_graph(&csr, &loss, &Landscape::of_graph(&csr, &loss), model).unwrap();
        prop_assert_eq!(&by_graph.edges, &lon.edges);
    }

    #[test]
    fn graph_escape_edges_match_explicit_perturbations((lists, loss, d) in graph_case()) {
        let csr = csr_of(&lists);
        let (minima, expected) = oracle_escape(&loss, &lists, d);
        let land = Landscape::of_graph(&csr, &loss);
        let lon = Lon::of_graph(&csr, &loss, &land, EdgeModel::Escape { strength: d }).unwrap();
        let nodes: Vec<usize> = lon.nodes.vertex.iter().map(|&v| v as usize).collect();
        prop_assert_eq!(&nodes, &minima);
        prop_assert_eq!(&edges_of(&lon), &expected);
        assert_rows_sum_to_one(&lon);
    }

    #[test]
    fn basin_edges_match_their_definition((lists, loss, _d) in graph_case()) {
        let csr = csr_of(&lists);
        let c = oracle::climb_lists(&loss, &lists);
        let minima: Vec<usize> = (0..loss.len()).filter(|&v| c.end[v] == v).collect();
        let index = |v: usize| minima.binary_search(&v).unwrap();
        let lon = Lon::of_graph(&csr, &loss, &Landscape::of_graph(&csr, &loss), EdgeModel::Basin).unwrap();
        let got = edges_of(&lon);
        for (i, &m) in minima.iter().enumerate() {
            let basin: Vec<usize> = (0..loss.len()).filter(|&v| c.end[v] == m).collect();
            let mut want: BTreeMap<usize, f64> = BTreeMap::new();
            for &v in &basin {
                if lists[v].is_empty() {
                    *want.entry(i).or_default() += 1.0 / basin.len() as f64;
                }
                for &u in &lists[v] {
                    *want.entry(index(c.end[u])).or_default() += 1.0 / (lists[v].len() * basin.len()) as f64;
                }
            }
            prop_assert_eq!(got[i].keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>());
            for (j, w) in &want {
                prop_assert!((got[i][j] - w).abs() < 1e-12, "{} → {}: {} vs {}", i, j, got[i][j], w);
            }
        }
        assert_rows_sum_to_one(&lon);
    }
}

/// One ILS run on the oracle's own data: perturb uniformly among the explicit
/// perturbations, climb, accept by the rule, for `steps` perturbations.
struct Ils<'a> {
    loss: &'a [f64],
    end: &'a [usize],
    ring: &'a [Vec<usize>],
    accept: Accept,
}

impl Ils<'_> {
    /// The minimum reached after `steps` perturbations, and how many perturbations it took
    /// until no accepted move could leave (for `better` only; `None` otherwise).
    fn run(&self, rng: &mut ChaCha8Rng, from: usize, steps: usize) -> (usize, Option<usize>) {
        let mut m = from;
        let mut absorbed_at = None;
        for t in 0..steps {
            if self.accept == Accept::Better
                && absorbed_at.is_none()
                && self.ring[m]
                    .iter()
                    .all(|&u| self.loss[self.end[u]] >= self.loss[m])
            {
                absorbed_at = Some(t);
            }
            if self.ring[m].is_empty() {
                break;
            }
            let next = self.end[self.ring[m][rng.gen_range(0..self.ring[m].len())]];
            let take = match self.accept {
                Accept::Better => self.loss[next] < self.loss[m],
                Accept::Equal => self.loss[next] <= self.loss[m],
            };
            if take {
                m = next;
            }
        }
        (m, absorbed_at)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn ils_success_matches_monte_carlo(
        (radices, loss, d) in product_case(),
        equal in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let accept = if equal { Accept::Equal } else { Accept::Better };
        let space = ProductSpace::parse(&spec_of(&radices)).unwrap();
        let land = Landscape::of_product(&space, &loss);
        let lon = Lon::of_product(&space, &loss, &land, EdgeModel::Escape { strength: d }).unwrap();
        let chain = Chain::solve(&lon.nodes, &lon.edges, accept);
        let c = oracle::climb(&loss, &radices);
        let ring: Vec<Vec<usize>> = (0..loss.len())
            .map(|v| {
                (0..loss.len())
                    .filter(|&u| {
                        let (a, b) = (oracle::digits(u, &radices), oracle::digits(v, &radices));
                        a.iter().zip(&b).filter(|(x, y)| x != y).count() == d
                    })
                    .collect()
            })
            .collect();
        let ils = Ils { loss: &loss, end: &c.end, ring: &ring, accept };
        let best = loss.iter().cloned().fold(f64::INFINITY, f64::min);
        let t_max = chain.perturbations.iter().cloned().fold(0.0, f64::max);
        let steps = (60.0 * t_max) as usize + 200;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let five_se = |p: f64, runs: usize| {
            let p = p.clamp(0.0, 1.0);
            5.0 * (p * (1.0 - p) / runs as f64).sqrt() + 1e-9
        };

        let runs = 3000;
        let mut hits = 0;
        let mut times = Vec::new();
        for _ in 0..runs {
            let start = rng.gen_range(0..loss.len());
            let (m, t) = ils.run(&mut rng, c.end[start], steps);
            hits += (loss[m] == best) as usize;
            times.extend(t);
        }
        let p = chain.start_success;
        let mc = hits as f64 / runs as f64;
        prop_assert!((mc - p).abs() <= five_se(p, runs),
            "seed {seed}, {accept:?}: exact {p}, Monte Carlo {mc} over {runs} runs");
        let forward: f64 = chain.absorbed.iter().zip(&lon.nodes.loss).filter(|(_, &l)| l == best).map(|(a, _)| a).sum();
        prop_assert!((forward - p).abs() < 1e-9, "forward {forward} vs backward {p}");
        if accept == Accept::Better {
            prop_assert_eq!(times.len(), runs, "seed {}: some run was not absorbed in {} steps", seed, steps);
            let mean = times.iter().sum::<usize>() as f64 / runs as f64;
            let var = times.iter().map(|&t| (t as f64 - mean).powi(2)).sum::<f64>() / (runs - 1) as f64;
            let exact = chain.start_perturbations;
            prop_assert!((mean - exact).abs() <= 5.0 * (var / runs as f64).sqrt() + 1e-9,
                "seed {seed}: exact {exact} perturbations, Monte Carlo {mean}");
        }
        for (i, &m) in lon.nodes.vertex.iter().enumerate() {
            let runs = 300;
            let hits = (0..runs).filter(|_| loss[ils.run(&mut rng, m as usize, steps).0] == best).count();
            let (p, mc) = (chain.success[i], hits as f64 / runs as f64);
            prop_assert!((mc - p).abs() <= five_se(p, runs),
                "seed {seed}, {accept:?}, minimum {m}: exact {p}, Monte Carlo {mc}");
        }
    }
}

/// A line of 13 vertices with four valleys: v1 (loss 3) escapes to v3 (1), v11 to v9.
fn line(loss11: f64) -> (Csr, Vec<f64>) {
    let loss = vec![9., 3., 4., 1., 6., 8., 9., 8., 6., 2., 7., loss11, 9.];
    let edges: Vec<(u32, u32)> = (0..12).map(|v| (v, v + 1)).collect();
    (Csr::from_undirected_edges(13, &edges).unwrap(), loss)
}

#[test]
fn hand_made_line_has_two_funnels() {
    let (csr, loss) = line(5.0);
    let land = Landscape::of_graph(&csr, &loss);
    let lon = Lon::of_graph(&csr, &loss, &land, EdgeModel::Escape { strength: 2 }).unwrap();
    assert_eq!(lon.nodes.vertex, [1, 3, 9, 11]);
    assert_eq!(lon.nodes.basin, [2, 5, 4, 2]);
    let want: Vec<BTreeMap<usize, f64>> = vec![
        [(1, 1.0)].into(),
        [(0, 0.5), (1, 0.5)].into(),
        [(2, 0.5), (3, 0.5)].into(),
        [(2, 1.0)].into(),
    ];
    assert_eq!(edges_of(&lon), want);
    assert_eq!(lon.kind(0, lon.edges.range(0).start), EdgeKind::Improving);
    let cmlon = Cmlon::new(&lon.nodes, &lon.edges);
    assert_eq!(cmlon.funnels.len(), 2);
    assert_eq!(cmlon.funnels[0].loss, 1.0);
    assert!(cmlon.funnels[0].global && !cmlon.funnels[1].global);
    assert_eq!(
        (0..4).map(|i| cmlon.funnel_of(i)).collect::<Vec<_>>(),
        [0, 0, 1, 1]
    );
    assert_eq!((cmlon.funnels[0].minima, cmlon.funnels[0].depth), (2, 1));
    for accept in [Accept::Better, Accept::Equal] {
        let chain = Chain::solve(&lon.nodes, &lon.edges, accept);
        assert!((chain.start_success - 7.0 / 13.0).abs() < 1e-15);
        assert!((chain.start_perturbations - 4.0 / 13.0).abs() < 1e-15);
        assert_eq!(chain.success, [1.0, 1.0, 0.0, 0.0]);
        let (share, outside) = cmlon.shares(&chain.absorbed);
        assert!((share[0] - 7.0 / 13.0).abs() < 1e-15 && outside == 0.0);
    }
}

#[test]
fn equal_minima_merge_into_one_funnel() {
    let (csr, loss) = line(2.0);
    let land = Landscape::of_graph(&csr, &loss);
    let lon = Lon::of_graph(&csr, &loss, &land, EdgeModel::Escape { strength: 2 }).unwrap();
    let cmlon = Cmlon::new(&lon.nodes, &lon.edges);
    assert_eq!(cmlon.len(), 3, "v9 and v11 merge");
    assert_eq!(cmlon.funnels.len(), 2);
    assert_eq!(cmlon.funnels[1].sink_minima, 2);
    let equal = Chain::solve(&lon.nodes, &lon.edges, Accept::Equal);
    assert_eq!(equal.solver.closed_groups, 2);
    assert_eq!(equal.perturbations[3], 0.0, "v11 sits in a closed plateau");
    let better = Chain::solve(&lon.nodes, &lon.edges, Accept::Better);
    assert_eq!(better.solver.closed_groups, 3);
    assert!((equal.start_success - 7.0 / 13.0).abs() < 1e-15);
}

#[test]
fn strength_errors_have_kinds() {
    let space = ProductSpace::parse("3^2").unwrap();
    let loss: Vec<f64> = (0..9).map(|v| v as f64).collect();
    let land = Landscape::of_product(&space, &loss);
    let e = |d| {
        Lon::of_product(&space, &loss, &land, EdgeModel::Escape { strength: d })
            .unwrap_err()
            .kind()
    };
    assert_eq!(e(0), ErrorKind::ZeroStrength);
    assert!(matches!(
        e(3),
        ErrorKind::StrengthAboveDimensions {
            strength: 3,
            dimensions: 2
        }
    ));
    nasland()
        .args(["lon", "--space", "3^2", "--strength", "3"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--strength between 1 and 2"));
}

const NB201: [&str; 4] = ["--metric", "c100_test_200_mean", "--maximize", "--table"];

#[test]
fn nodes_are_analyze_local_minima_on_nb201() {
    let table = shared_data("nb201.csv");
    let t = table.to_str().unwrap();
    let mut args = vec!["lon", "--json"];
    args.extend(NB201);
    args.push(t);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    args.extend(["--out", out.to_str().unwrap()]);
    let lon = json(&args);
    args.truncate(args.len() - 2);
    args[0] = "analyze";
    args.extend(["--top", "1000"]);
    let analyze = json(&args);
    assert_eq!(lon["lon"]["nodes"], analyze["local_minima"]);
    // Node for node: analyze's list of every minimum (arch, value, basin) is nodes.csv's.
    let nodes = parse_csv(&std::fs::read_to_string(out.join("nodes.csv")).unwrap());
    let from_lon: BTreeMap<String, (String, String)> = nodes
        .iter()
        .map(|r| (r[1].clone(), (r[2].clone(), r[3].clone())))
        .collect();
    let from_analyze: BTreeMap<String, (String, String)> = analyze["minima"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["arch"].as_str().unwrap().to_string(),
                (m["value"].to_string(), m["basin"].to_string()),
            )
        })
        .collect();
    assert_eq!(from_lon, from_analyze);
    assert_eq!(lon["lon"]["nodes"], 25);
    assert_eq!(lon["mlon"]["worsening"], 0);
    assert!(lon["cmlon"]["nodes"].as_u64() <= lon["lon"]["nodes"].as_u64());
    let s = lon["ils"]["success"].as_f64().unwrap();
    assert!(s > 0.0 && s <= 1.0);
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn csv_and_graphml_agree_and_parse_back() {
    use quick_xml::events::Event;
    let dir = tempfile::tempdir().unwrap();
    let gml = dir.path().join("lon.graphml");
    let out = dir.path().join("out");
    let table = shared_data("nb201.csv");
    nasland()
        .args(["lon", "--accept", "better"])
        .args(NB201)
        .arg(&table)
        .arg("--out")
        .arg(&out)
        .arg("--graphml")
        .arg(&gml)
        .assert()
        .success();
    let nodes_text = std::fs::read_to_string(out.join("nodes.csv")).unwrap();
    assert!(nodes_text.starts_with("id,arch,value,basin,funnel,"));
    let edges_text = std::fs::read_to_string(out.join("edges.csv")).unwrap();
    assert!(edges_text.starts_with("src,dst,weight,type\n"));
    let nodes = parse_csv(&nodes_text);
    let edges = parse_csv(&edges_text);
    let mut sums = vec![0.0; nodes.len()];
    for e in &edges {
        let (s, t): (usize, usize) = (e[0].parse().unwrap(), e[1].parse().unwrap());
        sums[s] += e[2].parse::<f64>().unwrap();
        let (vs, vt): (f64, f64) = (nodes[s][2].parse().unwrap(), nodes[t][2].parse().unwrap());
        // Accuracy is maximised: a higher value is an improvement.
        let want = if s == t {
            "self"
        } else if vt > vs {
            "improving"
        } else if vt == vs {
            "equal"
        } else {
            "worsening"
        };
        assert_eq!(e[3], want, "edge {s} → {t}");
    }
    assert!(sums.iter().all(|s| (s - 1.0).abs() <= 1e-12));

    // GraphML: keys declared, then every node and edge with its attributes.
    let xml = std::fs::read_to_string(&gml).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut keys = BTreeMap::new();
    let mut g_nodes: Vec<BTreeMap<String, String>> = Vec::new();
    let mut g_edges: Vec<BTreeMap<String, String>> = Vec::new();
    let mut current_key: Option<String> = None;
    let mut in_edge = false;
    let attrs = |e: &quick_xml::events::BytesStart| -> BTreeMap<String, String> {
        e.attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.unescape_value().unwrap().into_owned(),
                )
            })
            .collect()
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Eof => break,
            Event::Empty(e) if e.name().as_ref() == b"key" => {
                let a = attrs(&e);
                keys.insert(
                    a["id"].clone(),
                    (
                        a["for"].clone(),
                        a["attr.name"].clone(),
                        a["attr.type"].clone(),
                    ),
                );
            }
            Event::Start(e) => match e.name().as_ref() {
                b"node" => {
                    let a = attrs(&e);
                    g_nodes.push([("id".to_string(), a["id"].clone())].into());
                    in_edge = false;
                }
                b"edge" => {
                    let a = attrs(&e);
                    g_edges.push(
                        [
                            ("source".to_string(), a["source"].clone()),
                            ("target".to_string(), a["target"].clone()),
                        ]
                        .into(),
                    );
                    in_edge = true;
                }
                b"data" => current_key = Some(attrs(&e)["key"].clone()),
                _ => {}
            },
            Event::Text(t) => {
                if let Some(k) = current_key.take() {
                    assert!(keys.contains_key(&k), "data key {k} is declared");
                    let target = if in_edge {
                        g_edges.last_mut()
                    } else {
                        g_nodes.last_mut()
                    };
                    target
                        .unwrap()
                        .insert(k, t.unescape().unwrap().into_owned());
                }
            }
            _ => {}
        }
    }
    assert_eq!(
        keys["weight"],
        ("edge".into(), "weight".into(), "double".into())
    );
    assert_eq!(keys["basin"].0, "node");
    assert_eq!(g_nodes.len(), nodes.len());
    assert_eq!(g_edges.len(), edges.len());
    for (g, row) in g_nodes.iter().zip(&nodes) {
        assert_eq!(g["id"], format!("n{}", row[0]));
        assert_eq!(
            (&g["arch"], &g["value"], &g["basin"], &g["funnel"]),
            (&row[1], &row[2], &row[3], &row[4])
        );
    }
    for (g, row) in g_edges.iter().zip(&edges) {
        assert_eq!(
            (&g["source"], &g["target"]),
            (&format!("n{}", row[0]), &format!("n{}", row[1]))
        );
        assert_eq!((&g["weight"], &g["type"]), (&row[2], &row[3]));
    }
}
