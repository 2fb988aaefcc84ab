//! The compressed LON (CMLON) and its funnels.
//!
//! The MLON keeps the non-deteriorating edges (improving, equal, self). The CMLON merges
//! minima of equal loss joined by an equal edge (in either direction, transitively) into
//! one node; edge weights between merged nodes are summed, as Ochoa et al. aggregate
//! them. Its only non-self edges are improving. A funnel is a sink of the CMLON: a merged
//! node with no improving edge out.

use super::edges::{EdgeKind, Edges, Tally};
use super::nodes::Nodes;

/// One funnel: a CMLON sink and what flows into it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Funnel {
    /// The CMLON node that is the sink.
    pub group: u32,
    /// Its loss (lower is better).
    pub loss: f64,
    /// Minima merged into the sink.
    pub sink_minima: usize,
    /// Minima whose funnel this is (see [`Cmlon::funnel_of`]).
    pub minima: usize,
    /// Edges of the longest improving CMLON path that ends at the sink.
    pub depth: u32,
    /// Whether the sink holds a global optimum.
    pub global: bool,
}

/// The CMLON of a LON.
#[derive(Clone, Debug, PartialEq)]
pub struct Cmlon {
    /// The CMLON node of every LON node; CMLON nodes are numbered by their lowest member.
    pub group_of: Vec<u32>,
    /// Minima merged into each CMLON node.
    pub size: Vec<u32>,
    /// Loss of each CMLON node.
    pub loss: Vec<f64>,
    /// Summed MLON weights between CMLON nodes (improving and self only).
    pub edges: Edges,
    /// Funnels, best sink first (then by CMLON node).
    pub funnels: Vec<Funnel>,
    /// The funnel of every CMLON node: its own if it is a sink, else that of the target of
    /// its heaviest improving edge (ties to the lower loss, then the lower node).
    pub funnel_of_group: Vec<u32>,
}

impl Cmlon {
    /// Merges and compresses the MLON of `edges`.
    pub fn new(nodes: &Nodes, edges: &Edges) -> Self {
        Self::new_typed(nodes, edges, &edges.kinds(nodes))
    }

    /// [`Cmlon::new`] with the edges' types already known ([`Edges::kinds`]).
    pub fn new_typed(nodes: &Nodes, edges: &Edges, kinds: &[EdgeKind]) -> Self {
        use rayon::prelude::*;
        let k = nodes.len();
        // Equal edges are few (ties only); finding them is a pass over every edge, so
        // it runs in parallel, and the unions, which do not depend on the order, after.
        let equal: Vec<(u32, u32)> = (0..k as u32)
            .into_par_iter()
            .with_min_len(1024)
            .flat_map_iter(|i| {
                edges
                    .range(i)
                    .filter(move |&e| kinds[e] == EdgeKind::Equal)
                    .map(move |e| (i, edges.dst[e]))
            })
            .collect();
        let mut parent: Vec<u32> = (0..k as u32).collect();
        for &(i, j) in &equal {
            union(&mut parent, i, j);
        }
        let mut label = vec![u32::MAX; k];
        let mut size = Vec::new();
        let mut loss = Vec::new();
        let group_of: Vec<u32> = (0..k)
            .map(|i| {
                let root = find(&mut parent, i as u32) as usize;
                if label[root] == u32::MAX {
                    label[root] = size.len() as u32;
                    size.push(0);
                    loss.push(nodes.loss[i]);
                }
                size[label[root] as usize] += 1;
                label[root]
            })
            .collect();
        let groups = size.len();
        // Members grouped by CMLON node (a counting sort, not a vector per node).
        let mut start = vec![0usize; groups + 1];
        for &g in &group_of {
            start[g as usize + 1] += 1;
        }
        for g in 0..groups {
            start[g + 1] += start[g];
        }
        let mut fill = start.clone();
        let mut members = vec![0u32; k];
        for (i, &g) in group_of.iter().enumerate() {
            members[fill[g as usize]] = i as u32;
            fill[g as usize] += 1;
        }
        // A node that is the lowest member of its group: its group's label was given
        // at it, so such nodes' labels rise with their ids.
        // One bit a node: small enough to stay in cache while every edge tests it.
        let mut lowest = vec![0u64; k.div_ceil(64)];
        for g in 0..groups {
            let m = members[start[g]] as usize;
            lowest[m >> 6] |= 1 << (m & 63);
        }
        let is_lowest = |j: u32| (lowest[j as usize >> 6] >> (j & 63)) & 1 != 0;
        // Each CMLON node's edges: its members' MLON edges, in member then edge order,
        // summed per target node, in target order. A lone minimum whose targets are all
        // the lowest members of their groups (every row, without merges) has distinct
        // targets already in that order, each sum being one weight: it is copied.
        // Only other rows need the tally, made on first need. Counting a copied row
        // needs only the types and the bits, not the targets' groups.
        let out = Edges::from_rows(
            groups,
            1024,
            || None::<Tally<f64>>,
            |tally, g, row, fill| {
                let g = g as usize;
                let mine = &members[start[g]..start[g + 1]];
                if let [i] = *mine {
                    let mut copy = true;
                    let mut len = 0;
                    for e in edges.range(i) {
                        if kinds[e].non_deteriorating() {
                            copy &= is_lowest(edges.dst[e]);
                            len += 1;
                        }
                    }
                    if copy {
                        if fill {
                            for e in edges.range(i) {
                                if kinds[e].non_deteriorating() {
                                    let j = edges.dst[e] as usize;
                                    row.push((group_of[j], edges.weight[e]));
                                }
                            }
                        }
                        return len;
                    }
                }
                let tally = tally.get_or_insert_with(|| Tally::new(groups));
                for &i in mine {
                    for e in edges.range(i) {
                        if kinds[e].non_deteriorating() {
                            tally.add(group_of[edges.dst[e] as usize], edges.weight[e]);
                        }
                    }
                }
                tally.drain(|t, w| row.push((t, w)));
                row.len()
            },
        );
        let mut cmlon = Cmlon {
            group_of,
            size,
            loss,
            edges: out,
            funnels: Vec::new(),
            funnel_of_group: Vec::new(),
        };
        cmlon.find_funnels(nodes.best_loss());
        cmlon
    }

    /// Number of CMLON nodes.
    pub fn len(&self) -> usize {
        self.size.len()
    }

    /// True for an empty CMLON.
    pub fn is_empty(&self) -> bool {
        self.size.is_empty()
    }

    /// The funnel of LON node `i`.
    pub fn funnel_of(&self, i: u32) -> u32 {
        self.funnel_of_group[self.group_of[i as usize] as usize]
    }

    fn improving(&self, g: u32) -> impl Iterator<Item = usize> + '_ {
        self.edges.range(g).filter(move |&e| self.edges.dst[e] != g)
    }

    fn find_funnels(&mut self, best: f64) {
        let groups = self.len();
        let mut order: Vec<u32> = (0..groups as u32).collect();
        order.sort_by(|&a, &b| {
            self.loss[a as usize]
                .total_cmp(&self.loss[b as usize])
                .then(a.cmp(&b))
        });
        let sinks: Vec<u32> = order
            .iter()
            .copied()
            .filter(|&g| self.improving(g).next().is_none())
            .collect();
        // Longest improving path ending at each node: push along edges, worst first.
        let mut longest = vec![0u32; groups];
        for &g in order.iter().rev() {
            for e in self.improving(g) {
                let t = self.edges.dst[e] as usize;
                longest[t] = longest[t].max(longest[g as usize] + 1);
            }
        }
        let mut funnel_of_group = vec![u32::MAX; groups];
        for (f, &g) in sinks.iter().enumerate() {
            funnel_of_group[g as usize] = f as u32;
        }
        for &g in &order {
            if funnel_of_group[g as usize] != u32::MAX {
                continue;
            }
            let heaviest = self
                .improving(g)
                .min_by(|&a, &b| {
                    let (ta, tb) = (self.edges.dst[a], self.edges.dst[b]);
                    self.edges.weight[b]
                        .total_cmp(&self.edges.weight[a])
                        .then(self.loss[ta as usize].total_cmp(&self.loss[tb as usize]))
                        .then(ta.cmp(&tb))
                })
                .map(|e| self.edges.dst[e]);
            if let Some(t) = heaviest {
                funnel_of_group[g as usize] = funnel_of_group[t as usize];
            }
        }
        let mut minima = vec![0usize; sinks.len()];
        for g in 0..groups {
            minima[funnel_of_group[g] as usize] += self.size[g] as usize;
        }
        self.funnels = sinks
            .iter()
            .enumerate()
            .map(|(f, &g)| Funnel {
                group: g,
                loss: self.loss[g as usize],
                sink_minima: self.size[g as usize] as usize,
                minima: minima[f],
                depth: longest[g as usize],
                global: self.loss[g as usize] == best,
            })
            .collect();
        self.funnel_of_group = funnel_of_group;
    }

    /// Share of all starts whose ILS ends in each funnel, and the share that ends in a
    /// closed group outside every funnel (possible under `better`: a minimum with no
    /// improving edge whose equal edges join it to a node that has one).
    pub fn shares(&self, absorbed: &[f64]) -> (Vec<f64>, f64) {
        let mut share = vec![0.0; self.funnels.len()];
        let mut outside = 0.0;
        for (i, &a) in absorbed.iter().enumerate() {
            if a == 0.0 {
                continue;
            }
            let g = self.group_of[i];
            let f = self.funnel_of_group[g as usize] as usize;
            if self.funnels[f].group == g {
                share[f] += a;
            } else {
                outside += a;
            }
        }
        (share, outside)
    }
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        // The lower root wins, so labels do not depend on the edge order.
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        parent[hi as usize] = lo;
    }
}
