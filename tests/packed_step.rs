//! The packed table's own LS kernel (`PackedGraph::step`: byte-aligned decoding, one
//! comparison per entry) against the generic explicit kernel, on the same lists read
//! in place and held in memory: the steps must be identical, ties and all.

use nasland::landscape::{explicit, Loss, Step};
use nasland::space::{random_regular, Csr, Neighbourhood, ProductSpace, VertexId};
use nasland::synth::Model;
use nasland::table::{KeySource, Table, WriteOptions};

fn packed(dir: &std::path::Path, name: &str, g: &Csr) -> Table {
    let path = dir.join(name);
    nasland::table::write(
        &path,
        &nasland::table::Contents {
            graph: g,
            keys: KeySource::Ids,
            columns: vec![],
            meta: Default::default(),
        },
        WriteOptions::default(),
    )
    .unwrap();
    Table::open(&path).unwrap()
}

/// A directed graph with 0..=max_degree out-neighbours per vertex, sorted, no self-loop.
pub(crate) fn directed(n: usize, max_degree: u64, seed: u64) -> Csr {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let (mut offsets, mut targets) = (vec![0u64], Vec::new());
    for v in 0..n as VertexId {
        let mut list: Vec<VertexId> = (0..next() % (max_degree + 1))
            .map(|_| (next() % n as u64) as VertexId)
            .filter(|&u| u != v)
            .collect();
        list.sort_unstable();
        list.dedup();
        targets.extend(list);
        offsets.push(targets.len() as u64);
    }
    Csr::new(offsets, targets).unwrap()
}

/// The degree statistics a table answers from its header (`regular_degree`) equal the
/// per-vertex ones of the same lists in memory, bit for bit.
fn same_degree_figures(table: &Table, csr: &Csr) {
    use nasland::space::degree_histogram;
    use nasland::theory::{iid, iid_directed, iid_graph};
    let graph = table.graph().unwrap();
    let degrees: Vec<usize> = (0..csr.len() as VertexId).map(|v| csr.degree(v)).collect();
    let regular = degrees.iter().all(|&d| d == degrees[0]);
    assert_eq!(graph.regular_degree(), regular.then_some(degrees[0]));
    assert_eq!(csr.regular_degree(), None);
    assert_eq!(degree_histogram(&graph), degree_histogram(csr));
    let bits = |x: f64| x.to_bits();
    assert_eq!(
        bits(iid::expected_local_minima(&graph)),
        bits(iid::expected_local_minima(csr))
    );
    assert_eq!(
        iid_graph::local_minima_variance_if_cheap(&graph).map(bits),
        iid_graph::local_minima_variance_if_cheap(csr).map(bits)
    );
    assert_eq!(
        bits(iid_directed::local_minima_variance_bound_of(&graph)),
        bits(iid_directed::local_minima_variance_bound_of(csr))
    );
}

fn same_step<L: Loss>(table: &Table, csr: &Csr, loss: &[L]) {
    let graph = table.graph().unwrap();
    let fast: Step = graph.step(loss);
    assert_eq!(fast, explicit::step(&graph, loss));
    assert_eq!(fast, explicit::step(csr, loss));
}

fn check(table: &Table, csr: &Csr) {
    same_degree_figures(table, csr);
    let n = csr.len();
    for (model, seed) in [
        (Model::Uniform, 1),
        (Model::Levels(3), 2),
        (Model::Levels(40), 3),
    ] {
        let narrow = model.draw_f32(n, seed);
        same_step(table, csr, &narrow);
        let wide: Vec<f64> = narrow.iter().map(|&x| x as f64 / 3.0).collect();
        same_step(table, csr, &wide);
    }
}

#[test]
fn packed_step_equals_the_explicit_kernel() {
    let dir = tempfile::tempdir().unwrap();
    // 4^5: 1024 vertices, 10-bit indices (bit-packed path), symmetric, fixed degree.
    let product = Csr::from_neighbourhood(&ProductSpace::parse("4^5").unwrap());
    check(&packed(dir.path(), "p.nasl", &product), &product);
    // 256 vertices: 8-bit indices (the byte path); 3^7 = 2187: 12 bits.
    for (i, g) in [
        random_regular::generate(256, 6, 5).unwrap(),
        Csr::from_neighbourhood(&ProductSpace::parse("3^7").unwrap()),
        random_regular::generate(40_000, 5, 6).unwrap(),
    ]
    .iter()
    .enumerate()
    {
        check(&packed(dir.path(), &format!("r{i}.nasl"), g), g);
    }
    // Directed and irregular (variable offsets, empty lists): 8-, 9- and 16-bit indices.
    for (i, n) in [200usize, 300, 50_000].into_iter().enumerate() {
        let g = directed(n, 12, i as u64 + 1);
        check(&packed(dir.path(), &format!("d{i}.nasl"), &g), &g);
    }
}
