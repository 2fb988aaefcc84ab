//! The labelled NAS-Bench-101 space (`--space nb101-labelled`) on 5 vertices, checked
//! state by state against a brute-force walk written from naszilla's rules: used edges by
//! listing every input→output path, validity by the benchmark's pruning, LS by scanning
//! each neighbour list, LS* by walking.

use nasland::space::nb101::canonical::canonical;
use nasland::space::nb101::cell::Cell;
use nasland::space::nb101_labelled::{landscape, Labelled};
use std::collections::BTreeSet;

const V: usize = 5;
const OPSETS: usize = 27;

/// The matrix and ops of raw index `idx`, decoded without the space's helpers: bits run
/// over the upper triangle column by column (0→1, 0→2, 1→2, 0→3, …).
fn decode(idx: usize) -> ([[bool; V]; V], [u8; V]) {
    let (mask, ops) = (idx / OPSETS, idx % OPSETS);
    let mut m = [[false; V]; V];
    let mut bit = 0;
    for j in 1..V {
        for (i, row) in m.iter_mut().enumerate().take(j) {
            row[j] = mask >> bit & 1 == 1;
            bit += 1;
            let _ = i;
        }
    }
    let mut o = [0u8; V];
    let mut x = ops;
    for op in o.iter_mut().take(V - 1).skip(1) {
        *op = (x % 3) as u8;
        x /= 3;
    }
    (m, o)
}

fn encode(m: &[[bool; V]; V], o: &[u8; V]) -> usize {
    let mut mask = 0;
    let mut bit = 0;
    for j in 1..V {
        for row in m.iter().take(j) {
            if row[j] {
                mask |= 1 << bit;
            }
            bit += 1;
        }
    }
    let ops: usize = (1..V - 1).rev().fold(0, |acc, v| acc * 3 + o[v] as usize);
    mask * OPSETS + ops
}

fn cell(m: &[[bool; V]; V], o: &[u8; V]) -> Cell {
    let mut edges = vec![];
    for (i, row) in m.iter().enumerate() {
        for (j, &e) in row.iter().enumerate() {
            if e {
                edges.push((i, j));
            }
        }
    }
    Cell::new(&o[1..V - 1], &edges).unwrap()
}

/// Edges on some input→output path, by listing the paths (naszilla's `get_utilized`).
fn used_edges(m: &[[bool; V]; V]) -> BTreeSet<(usize, usize)> {
    fn walk(
        m: &[[bool; V]; V],
        v: usize,
        path: &mut Vec<(usize, usize)>,
        out: &mut BTreeSet<(usize, usize)>,
    ) {
        if v == V - 1 {
            out.extend(path.iter().copied());
            return;
        }
        for w in v + 1..V {
            if m[v][w] {
                path.push((v, w));
                walk(m, w, path, out);
                path.pop();
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(m, 0, &mut vec![], &mut out);
    out
}

/// The benchmark's `is_valid`: after pruning the output is reachable and ≤ 9 edges remain.
fn is_valid(m: &[[bool; V]; V], o: &[u8; V]) -> bool {
    cell(m, o).prune().is_some_and(|p| p.num_edges() <= 9)
}

/// naszilla's `adj_neighborhood`, valid states only.
fn neighbours(idx: usize) -> BTreeSet<usize> {
    let (m, o) = decode(idx);
    let used = used_edges(&m);
    let used_vertices: BTreeSet<usize> = used.iter().flat_map(|&(a, b)| [a, b]).collect();
    let mut out = BTreeSet::new();
    for v in 1..V - 1 {
        if used_vertices.contains(&v) {
            for op in 0..3 {
                if op != o[v] {
                    let mut o2 = o;
                    o2[v] = op;
                    out.insert(encode(&m, &o2));
                }
            }
        }
    }
    for i in 0..V - 1 {
        for j in i + 1..V {
            let mut m2 = m;
            m2[i][j] = !m[i][j];
            let ok = if m[i][j] {
                used.contains(&(i, j))
            } else {
                used_edges(&m2).contains(&(i, j))
            };
            if ok && is_valid(&m2, &o) {
                out.insert(encode(&m2, &o));
            }
        }
    }
    out
}

#[test]
fn moves_match_naszillas_rules_state_by_state() {
    let space = Labelled::new(V);
    assert_eq!(space.opsets() as usize, OPSETS);
    let mut states = 0;
    let mut arcs = 0;
    for idx in 0..space.raw_len() as usize {
        let (m, o) = decode(idx);
        assert_eq!(space.is_state(idx as u64), is_valid(&m, &o), "state {idx}");
        if !is_valid(&m, &o) {
            continue;
        }
        states += 1;
        let want = neighbours(idx);
        let mut got = BTreeSet::new();
        space.for_each_neighbour(idx as u64, |u| {
            assert!(got.insert(u as usize), "{idx}: {u} twice");
        });
        assert_eq!(got, want, "neighbours of {idx}");
        arcs += want.len();
        // The relation is symmetric.
        for &u in &want {
            assert!(neighbours(u).contains(&idx), "{idx} → {u} has no way back");
        }
        assert_eq!(space.cell(idx as u64), cell(&m, &o));
    }
    assert_eq!(space.states(), states as u64);
    assert!(
        states > 1000 && arcs > 5 * states,
        "{states} states, {arcs} arcs"
    );
}

/// A loss per class with deliberate ties, so that the tie-break is exercised.
fn class_loss(key: u64, levels: u64) -> f64 {
    let mut z = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) % levels) as f64 / levels as f64
}

#[test]
fn landscape_matches_brute_force_walk() {
    let space = Labelled::new(V);
    let n = space.raw_len() as usize;
    // Classes: the canonical forms of the pruned cells, numbered in sorted order.
    let key_of = |idx: usize| {
        let (m, o) = decode(idx);
        canonical(&cell(&m, &o).prune().unwrap())
    };
    let valid: Vec<usize> = (0..n).filter(|&i| space.is_state(i as u64)).collect();
    let keys: Vec<_> = valid
        .iter()
        .map(|&i| key_of(i))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let class_of = |c: &Cell| {
        c.prune()
            .and_then(|p| keys.binary_search(&canonical(&p)).ok())
            .map(|i| i as u32)
    };
    let table = space.class_table(class_of);
    assert_eq!(table.missing, 0);
    for levels in [7u64, 1000, 1 << 40] {
        let loss: Vec<f64> = keys.iter().map(|k| class_loss(k.raw(), levels)).collect();
        let state_loss = |i: usize| loss[keys.binary_search(&key_of(i)).unwrap()];
        let eps = [0.01, 0.1, 0.3];
        let a = landscape::analyse(&space, &table, &loss, &eps, &nasland::progress::Silent);

        // Brute force.
        let mut ls = vec![usize::MAX; n];
        let (mut minima, mut strict) = (0u64, 0u64);
        let mut min_classes = BTreeSet::new();
        for &v in &valid {
            let nb = neighbours(v);
            let best = nb
                .iter()
                .map(|&u| (state_loss(u), u))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let me = state_loss(v);
            ls[v] = match best {
                Some((l, u)) if l < me => u,
                _ => {
                    minima += 1;
                    strict += best.is_none_or(|(l, _)| l > me) as u64;
                    min_classes.insert(key_of(v));
                    v
                }
            };
        }
        let star = |mut v: usize| {
            while ls[v] != v {
                v = ls[v];
            }
            v
        };
        let best = loss.iter().copied().fold(f64::INFINITY, f64::min);
        let mut basin = std::collections::HashMap::new();
        for &v in &valid {
            *basin.entry(star(v)).or_insert(0u64) += 1;
        }
        let what = format!("levels {levels}");
        assert_eq!(a.states, valid.len() as u64, "{what}");
        assert_eq!(a.classes, keys.len() as u64, "{what}");
        assert_eq!(a.local_minima, minima, "{what}");
        assert_eq!(a.strict_local_minima, strict, "{what}");
        assert_eq!(a.classes_with_minimum, min_classes.len() as u64, "{what}");
        assert_eq!(a.largest_basin, *basin.values().max().unwrap(), "{what}");
        assert_eq!(
            a.global_optimum_states,
            valid.iter().filter(|&&v| state_loss(v) == best).count() as u64
        );
        let arcs: usize = valid.iter().map(|&v| neighbours(v).len()).sum();
        assert_eq!(a.arcs, arcs as u64);
        assert_eq!(a.eps_curve.len(), 1 + eps.len());
        for p in &a.eps_curve {
            let good = |v: usize| state_loss(star(v)) <= best + p.eps;
            let by_states = valid.iter().filter(|&&v| good(v)).count() as f64 / valid.len() as f64;
            let mut per: std::collections::BTreeMap<_, (u64, u64)> = Default::default();
            for &v in &valid {
                let e = per.entry(key_of(v)).or_default();
                e.0 += 1;
                e.1 += good(v) as u64;
            }
            let by_classes =
                per.values().map(|&(t, g)| g as f64 / t as f64).sum::<f64>() / per.len() as f64;
            assert!((p.p_states - by_states).abs() < 1e-12, "{what} ε={}", p.eps);
            assert!(
                (p.p_classes - by_classes).abs() < 1e-12,
                "{what} ε={}",
                p.eps
            );
        }
        assert!((a.eps_curve[0].p_states - a.global_basin as f64 / a.states as f64).abs() < 1e-12);
    }
}

/// `--space nb101-labelled --table`: the table is joined on module hashes, in
/// tools/nb101_export.py's format (one row per class, `hash` first), and every state gets
/// the loss of its class's row; a hash the space does not know, or a class without a row,
/// is an error of its kind that names the file.
#[test]
fn table_joined_on_hash_gives_each_state_its_class_loss() {
    use nasland::input::Direction;
    use nasland::input::ErrorKind;
    use nasland::labelled::join_table;
    use nasland::space::nb101::hash::module_hash;

    let space = Labelled::new(V);
    let n = space.raw_len() as usize;
    let valid: Vec<usize> = (0..n).filter(|&i| space.is_state(i as u64)).collect();
    // The state's hash, from the test's own decoding of the index.
    let hash_of = |idx: usize| {
        let (m, o) = decode(idx);
        module_hash(&cell(&m, &o).prune().unwrap())
    };
    let hashes: Vec<String> = valid
        .iter()
        .map(|&i| hash_of(i))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(hashes.len() > 10 && hashes.iter().all(|h| h.len() == 32));
    let table = space.class_table(|c| {
        c.prune()
            .and_then(|p| hashes.binary_search(&module_hash(&p)).ok())
            .map(|i| i as u32)
    });
    assert_eq!(table.missing, 0);

    // Rows in reverse hash order, so that a join by position would fail; accuracies are
    // maximised.
    let acc = |h: &str| 0.5 + (u64::from_str_radix(&h[..8], 16).unwrap() % 997) as f64 / 2000.0;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, rows: &[String]| {
        let path = dir.path().join(name);
        let mut text =
            String::from("hash,num_vertices,num_edges,params,val_acc_mean,test_acc_mean\n");
        for h in rows.iter().rev() {
            text.push_str(&format!("{h},5,4,1000,{},{}\n", acc(h), acc(h) - 0.01));
        }
        std::fs::write(&path, text).unwrap();
        path
    };
    let good = write("good.csv", &hashes);
    let (loss, maximized) =
        join_table(&good, "hash", "val_acc_mean", Direction::Maximize, &hashes).unwrap();
    assert!(maximized);
    assert_eq!(loss.len(), hashes.len());
    for &v in &valid {
        let class = table.class(&space, v as u64) as usize;
        assert_eq!(loss[class], -acc(&hash_of(v)), "state {v}");
    }
    // The analysis sees the same best value.
    let a = landscape::analyse(&space, &table, &loss, &[0.0], &nasland::progress::Silent);
    let best = hashes.iter().map(|h| acc(h)).fold(f64::MIN, f64::max);
    assert_eq!(a.best_loss, -best);

    let kind = |path: &std::path::Path| {
        let e = join_table(path, "hash", "val_acc_mean", Direction::Maximize, &hashes).unwrap_err();
        assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        e.downcast::<nasland::input::Error>()
            .unwrap()
            .kind()
            .clone()
    };
    // A hash no valid state has.
    let mut unknown = hashes.clone();
    unknown.push("0123456789abcdef0123456789abcdef".into());
    let path = write("unknown.csv", &unknown);
    assert!(
        matches!(kind(&path), ErrorKind::UnknownArchitecture { ref key, .. } if key == "0123456789abcdef0123456789abcdef")
    );
    // A class without a row.
    let path = write("missing.csv", &hashes[1..]);
    assert!(
        matches!(kind(&path), ErrorKind::Missing { count: 1, ref first } if *first == hashes[0])
    );
}
