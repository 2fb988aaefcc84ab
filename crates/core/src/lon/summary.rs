//! Counts that describe a LON, MLON or CMLON: nodes, edges by type, self-loop share.

use super::edges::{EdgeKind, Edges};

/// The census of one network.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Census {
    /// Nodes (local minima, or merged groups in the CMLON).
    pub nodes: usize,
    /// Edges of every type, self-loops included.
    pub edges: usize,
    /// Edges to a strictly better node.
    pub improving: usize,
    /// Edges to another node of equal value.
    pub equal: usize,
    /// Edges to a strictly worse node.
    pub worsening: usize,
    #[serde(rename = "self")]
    /// Edges from a node to itself (perturbations that do not escape).
    pub self_loops: usize,
    /// Self-loop weight over all edge weight: for the LON, the mean probability that a
    /// perturbation of a minimum falls back into its own basin.
    pub self_loop_share: f64,
}

impl Census {
    /// Counts the edges of `edges` whose type `keep` accepts; `loss` is per node. Fixed
    /// chunks of sources are counted in parallel and added in order, so the share does
    /// not depend on the thread count.
    pub fn of(loss: &[f64], edges: &Edges, keep: impl Fn(EdgeKind) -> bool + Sync) -> Self {
        Self::pass(loss, edges, &[&keep]).swap_remove(0)
    }

    /// The censuses of the LON and of its MLON in one pass over the edges: the same
    /// numbers, added in the same order, as two calls of [`Census::of`].
    pub fn lon_and_mlon(loss: &[f64], edges: &Edges) -> (Self, Self) {
        // `pass` returns one census per filter, in order: both are there.
        let mut both =
            Self::pass(loss, edges, &[&|_| true, &EdgeKind::non_deteriorating]).into_iter();
        let lon = both.next().unwrap_or_default();
        (lon, both.next().unwrap_or_default())
    }

    /// [`Census::lon_and_mlon`] with the edges' types already known ([`Edges::kinds`]):
    /// the same numbers, added in the same order, from one byte an edge.
    pub fn lon_and_mlon_typed(nodes: usize, edges: &Edges, kinds: &[EdgeKind]) -> (Self, Self) {
        use rayon::prelude::*;
        const CHUNK: usize = 4096;
        let k = edges.nodes();
        // Per chunk: counts by kind, then self-loop weight, all weight, MLON weight.
        let parts: Vec<([usize; 4], [f64; 3])> = (0..k)
            .into_par_iter()
            .step_by(CHUNK)
            .map(|start| {
                let mut count = [0usize; 4];
                let (mut own, mut all, mut mlon) = (0.0, 0.0, 0.0);
                let first = edges.offsets[start] as usize;
                let last = edges.offsets[(start + CHUNK).min(k)] as usize;
                for (&kind, &w) in kinds[first..last].iter().zip(&edges.weight[first..last]) {
                    count[kind as usize] += 1;
                    all += w;
                    if kind.non_deteriorating() {
                        mlon += w;
                    }
                    if kind == EdgeKind::SelfLoop {
                        own += w;
                    }
                }
                (count, [own, all, mlon])
            })
            .collect();
        let mut lon = Census {
            nodes,
            ..Census::default()
        };
        let (mut own, mut all, mut mlon_all) = (0.0, 0.0, 0.0);
        for (count, [o, a, m]) in &parts {
            lon.improving += count[EdgeKind::Improving as usize];
            lon.equal += count[EdgeKind::Equal as usize];
            lon.worsening += count[EdgeKind::Worsening as usize];
            lon.self_loops += count[EdgeKind::SelfLoop as usize];
            own += o;
            all += a;
            mlon_all += m;
        }
        lon.edges = lon.improving + lon.equal + lon.worsening + lon.self_loops;
        let mut mlon = Census {
            worsening: 0,
            ..lon.clone()
        };
        mlon.edges -= lon.worsening;
        lon.self_loop_share = if all > 0.0 { own / all } else { 0.0 };
        mlon.self_loop_share = if mlon_all > 0.0 { own / mlon_all } else { 0.0 };
        (lon, mlon)
    }

    /// One census per filter in `keeps`, each counted as [`Census::of`] counts it.
    fn pass(
        loss: &[f64],
        edges: &Edges,
        keeps: &[&(dyn Fn(EdgeKind) -> bool + Sync)],
    ) -> Vec<Self> {
        use rayon::prelude::*;
        const CHUNK: usize = 4096;
        let k = edges.nodes();
        let m = keeps.len();
        let parts: Vec<Vec<(Census, f64, f64)>> = (0..k)
            .into_par_iter()
            .step_by(CHUNK)
            .map(|start| {
                let mut out = vec![(Census::default(), 0.0, 0.0); m];
                for i in start as u32..(start + CHUNK).min(k) as u32 {
                    for e in edges.range(i) {
                        let j = edges.dst[e];
                        let kind = EdgeKind::of(i == j, loss[i as usize], loss[j as usize]);
                        for (keep, (c, own, all)) in keeps.iter().zip(out.iter_mut()) {
                            if !keep(kind) {
                                continue;
                            }
                            c.edges += 1;
                            *all += edges.weight[e];
                            match kind {
                                EdgeKind::Improving => c.improving += 1,
                                EdgeKind::Equal => c.equal += 1,
                                EdgeKind::Worsening => c.worsening += 1,
                                EdgeKind::SelfLoop => {
                                    c.self_loops += 1;
                                    *own += edges.weight[e];
                                }
                            }
                        }
                    }
                }
                out
            })
            .collect();
        (0..m)
            .map(|f| {
                let mut c = Census {
                    nodes: loss.len(),
                    ..Census::default()
                };
                let (mut own, mut all) = (0.0, 0.0);
                for part in &parts {
                    let (p, o, a) = &part[f];
                    c.edges += p.edges;
                    c.improving += p.improving;
                    c.equal += p.equal;
                    c.worsening += p.worsening;
                    c.self_loops += p.self_loops;
                    own += o;
                    all += a;
                }
                c.self_loop_share = if all > 0.0 { own / all } else { 0.0 };
                c
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass pair equals two separate censuses, bit for bit.
    #[test]
    fn lon_and_mlon_in_one_pass_equal_two_passes() {
        // 5000 nodes in a ring with mixed kinds: more than one parallel chunk.
        let k = 5000u32;
        let loss: Vec<f64> = (0..k).map(|i| (((i / 2) * 7919) % 13) as f64).collect();
        let mut e = Edges {
            offsets: vec![0],
            ..Edges::default()
        };
        for i in 0..k {
            for (d, w) in [(0, 0.125), (1, 0.375), (2, 0.5)] {
                e.dst.push((i + d) % k);
                e.weight.push(w / (1.0 + (i % 3) as f64));
            }
            e.offsets.push(e.dst.len() as u64);
        }
        let (lon, mlon) = Census::lon_and_mlon(&loss, &e);
        assert_eq!(lon, Census::of(&loss, &e, |_| true));
        assert_eq!(mlon, Census::of(&loss, &e, EdgeKind::non_deteriorating));
        assert!(lon.worsening > 0 && lon.improving > 0 && lon.equal > 0 && lon.self_loops > 0);
        assert_eq!(mlon.worsening, 0);
        let kinds: Vec<EdgeKind> = (0..k)
            .flat_map(|i| {
                let e = &e;
                let loss = &loss;
                e.range(i).map(move |x| {
                    EdgeKind::of(e.dst[x] == i, loss[i as usize], loss[e.dst[x] as usize])
                })
            })
            .collect();
        assert_eq!(
            Census::lon_and_mlon_typed(loss.len(), &e, &kinds),
            (lon, mlon)
        );
    }
}
