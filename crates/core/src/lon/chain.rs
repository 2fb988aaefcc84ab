//! Iterated local search on the LON as an absorbing Markov chain, solved exactly.
//!
//! ILS at minimum m draws a perturbation, runs local search to m' (probability w(m → m'),
//! the escape edge) and moves there if the acceptance rule allows, else stays. With
//! `better` an accepted move strictly lowers the loss, so the accepted moves form a DAG
//! over values and one sweep in value order solves the chain. With `equal` moves between
//! minima of equal loss are accepted too: they form strongly connected groups (found by
//! Tarjan's algorithm on the equal edges), and each group is one small linear system
//! ([`super::linear`]) whose right-hand side the groups below it have already fixed.
//!
//! A group with no accepted move out of it is closed: the chain stays there forever, so
//! it is where ILS ends. Success means reaching a minimum of the best loss; that set is
//! closed under accepted moves, so success is the probability of being absorbed into it.

use super::edges::{EdgeKind, Edges};
use super::linear::{Method, System};
use super::nodes::Nodes;

/// Which perturbed minima ILS moves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Accept {
    /// Strictly lower loss only.
    Better,
    /// Lower or equal loss (another minimum of the same loss too).
    Equal,
}

/// How the groups of the chain were solved.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct SolverStats {
    /// Strongly connected groups of accepted moves (singletons included).
    pub groups: usize,
    /// Closed groups: where ILS ends.
    pub closed_groups: usize,
    /// Members of the largest group.
    pub largest_group: usize,
    /// Groups of two or more minima solved by dense elimination.
    pub dense_groups: usize,
    /// Groups above the dense limit solved by Gauss–Seidel.
    pub iterative_groups: usize,
    /// Largest residual |M x − b| of any group system (0 when none was needed).
    pub max_residual: f64,
}

/// The exact ILS statistics of a LON.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// P(ILS from node i reaches a minimum of the best loss).
    pub success: Vec<f64>,
    /// Expected number of perturbations from node i until the chain is absorbed.
    pub perturbations: Vec<f64>,
    /// Share of all starts (a uniformly random vertex, then LS*) absorbed in the closed
    /// group that contains node i, credited to the node where they entered it.
    pub absorbed: Vec<f64>,
    /// Success from a uniformly random start: Σ basin(i) · success(i) / n.
    pub start_success: f64,
    /// Expected perturbations from a uniformly random start.
    pub start_perturbations: f64,
    /// How the equal-value groups were solved, and how exactly.
    pub solver: SolverStats,
}

impl Chain {
    /// Solves the chain of `nodes` with escape (or basin) `edges` under `accept`.
    pub fn solve(nodes: &Nodes, edges: &Edges, accept: Accept) -> Self {
        Self::solve_typed(nodes, edges, &edges.kinds(nodes), accept)
    }

    /// [`Chain::solve`] with the edges' types already known ([`Edges::kinds`]): the
    /// sweeps then read a byte an edge instead of the target's loss.
    pub fn solve_typed(nodes: &Nodes, edges: &Edges, kinds: &[EdgeKind], accept: Accept) -> Self {
        Solver::new(nodes, edges, kinds, accept).run()
    }
}

struct Solver<'a> {
    nodes: &'a Nodes,
    edges: &'a Edges,
    kinds: &'a [EdgeKind],
    /// Bit k set: edges of kind k (as u8) are accepted moves.
    accepted_kinds: u8,
    best: f64,
    /// Groups in solving order (every accepted move out of a group goes to an earlier one).
    groups: Vec<Vec<u32>>,
    group_of: Vec<u32>,
    /// Each node's position within its group.
    local_of: Vec<u32>,
}

impl<'a> Solver<'a> {
    fn new(nodes: &'a Nodes, edges: &'a Edges, kinds: &'a [EdgeKind], accept: Accept) -> Self {
        let groups = match accept {
            Accept::Better => {
                let mut order: Vec<u32> = (0..nodes.len() as u32).collect();
                order.sort_by(|&a, &b| nodes.loss[a as usize].total_cmp(&nodes.loss[b as usize]));
                order.into_iter().map(|i| vec![i]).collect()
            }
            Accept::Equal => {
                let mut groups = tarjan(nodes, edges, kinds);
                // Tarjan emits sinks first; a stable sort by loss keeps that order among
                // groups of one loss, the only ones equal moves join.
                groups.sort_by(|a, b| {
                    nodes.loss[a[0] as usize].total_cmp(&nodes.loss[b[0] as usize])
                });
                groups
            }
        };
        let mut group_of = vec![0u32; nodes.len()];
        let mut local_of = vec![0u32; nodes.len()];
        for (g, members) in groups.iter().enumerate() {
            for (local, &m) in members.iter().enumerate() {
                group_of[m as usize] = g as u32;
                local_of[m as usize] = local as u32;
            }
        }
        Solver {
            nodes,
            edges,
            kinds,
            accepted_kinds: match accept {
                Accept::Better => 1 << EdgeKind::Improving as u8,
                Accept::Equal => 1 << EdgeKind::Improving as u8 | 1 << EdgeKind::Equal as u8,
            },
            best: nodes.best_loss(),
            groups,
            group_of,
            local_of,
        }
    }

    /// Whether ILS moves along edge `e`: improving (`better`), or improving or equal
    /// (`equal`); never a self-loop. Branch-free: which edges are accepted is as
    /// unpredictable as the losses, and the sweeps test every edge.
    #[inline(always)]
    fn accepted(&self, e: usize) -> bool {
        (self.accepted_kinds >> self.kinds[e] as u8) & 1 != 0
    }

    /// The accepted weight leaving each member, whether any accepted move leaves the
    /// group, and the group's own system.
    fn system(&self, g: usize) -> (System, bool) {
        let members = &self.groups[g];
        let mut system = System::default();
        let mut open = false;
        for (local, &i) in members.iter().enumerate() {
            let mut a = 0.0;
            for e in self.edges.range(i) {
                if self.accepted(e) {
                    a += self.edges.weight[e];
                    let j = self.edges.dst[e];
                    if self.group_of[j as usize] as usize == g {
                        let col = self.local_of[j as usize];
                        system.moves.push((local as u32, col, self.edges.weight[e]));
                    } else {
                        open = true;
                    }
                }
            }
            system.diag.push(a);
        }
        (system, !open)
    }

    /// The two sweeps are independent (the forward one needs only the accepted weight
    /// leaving each minimum, which it sums itself), so they run side by side.
    fn run(self) -> Chain {
        let n = self.nodes.vertices() as f64;
        let ((success, perturbations, mut stats), (absorbed, forward_residual)) =
            rayon::join(|| self.backward(), || self.forward());
        stats.max_residual = stats.max_residual.max(forward_residual);
        let weighted = |x: &[f64]| {
            x.iter()
                .zip(&self.nodes.basin)
                .map(|(x, &b)| x * b as f64)
                .sum::<f64>()
                / n
        };
        Chain {
            start_success: weighted(&success),
            start_perturbations: weighted(&perturbations),
            success,
            perturbations,
            absorbed,
            solver: stats,
        }
    }

    /// Backward: each group from the groups below it. Returns success, expected
    /// perturbations and the solver statistics.
    fn backward(&self) -> (Vec<f64>, Vec<f64>, SolverStats) {
        let k = self.nodes.len();
        let loss = &self.nodes.loss;
        let (dst, weight) = (&self.edges.dst, &self.edges.weight);
        // Success and expected perturbations side by side: an edge's target costs one
        // cache line, not two.
        let mut both = vec![[0.0f64; 2]; k];
        let mut stats = SolverStats {
            groups: self.groups.len(),
            ..SolverStats::default()
        };
        for (g, members) in self.groups.iter().enumerate() {
            stats.largest_group = stats.largest_group.max(members.len());
            if let [i] = members[..] {
                // A singleton: every accepted move leaves it. A rejected edge adds +0.0
                // (all terms are finite and non-negative), which leaves each sum exactly
                // as the accepted edges alone make it.
                let (mut a, mut h, mut t) = (0.0, 0.0, 1.0);
                for e in self.edges.range(i) {
                    let w = if self.accepted(e) { weight[e] } else { 0.0 };
                    let [s, p] = both[dst[e] as usize];
                    a += w;
                    h += w * s;
                    t += w * p;
                }
                if a == 0.0 {
                    stats.closed_groups += 1;
                    both[i as usize][0] = (loss[i as usize] == self.best) as u8 as f64;
                } else {
                    both[i as usize] = [h / a, t / a];
                }
                continue;
            }
            let (system, is_closed) = self.system(g);
            if is_closed {
                stats.closed_groups += 1;
                let hit = (loss[members[0] as usize] == self.best) as u8 as f64;
                for &i in members {
                    both[i as usize][0] = hit;
                }
                continue;
            }
            let mut exit_h = vec![0.0; members.len()];
            let mut exit_t = vec![1.0; members.len()];
            for (local, &i) in members.iter().enumerate() {
                for e in self.edges.range(i) {
                    let j = dst[e] as usize;
                    if self.accepted(e) && self.group_of[j] as usize != g {
                        exit_h[local] += weight[e] * both[j][0];
                        exit_t[local] += weight[e] * both[j][1];
                    }
                }
            }
            let (x, method, r) = system.solve(&[exit_h, exit_t], false);
            self.count(&mut stats, method, r);
            for (local, &i) in members.iter().enumerate() {
                both[i as usize] = [x[0][local], x[1][local]];
            }
        }
        let (success, perturbations): (Vec<f64>, Vec<f64>) =
            both.into_iter().map(|[s, p]| (s, p)).unzip();
        (success, perturbations, stats)
    }

    /// Forward: the starts' mass flows down from the top groups. Returns the mass each
    /// node keeps (closed groups only) and the largest residual of the transposed
    /// group systems.
    fn forward(&self) -> (Vec<f64>, f64) {
        let k = self.nodes.len();
        let n = self.nodes.vertices() as f64;
        let (dst, weight) = (&self.edges.dst, &self.edges.weight);
        let mut mass: Vec<f64> = self.nodes.basin.iter().map(|&b| b as f64 / n).collect();
        let mut absorbed = vec![0.0; k];
        let mut max_residual: f64 = 0.0;
        for (g, members) in self.groups.iter().enumerate().rev() {
            if let [i] = members[..] {
                let range = self.edges.range(i);
                // The accepted weight leaving i, summed as the backward sweep sums it.
                let mut a = 0.0;
                for e in range.clone() {
                    a += if self.accepted(e) { weight[e] } else { 0.0 };
                }
                if a == 0.0 {
                    absorbed[i as usize] = mass[i as usize];
                    continue;
                }
                // y = expected visits divided by a; the flow along i → j is y · w.
                let y = mass[i as usize] / a;
                if y == 0.0 {
                    continue;
                }
                for e in range {
                    if self.accepted(e) {
                        mass[dst[e] as usize] += y * weight[e];
                    }
                }
                continue;
            }
            let (system, is_closed) = self.system(g);
            if is_closed {
                for &i in members {
                    absorbed[i as usize] = mass[i as usize];
                }
                continue;
            }
            let mu: Vec<f64> = members.iter().map(|&i| mass[i as usize]).collect();
            let (mut x, _, r) = system.solve(&[mu], true);
            max_residual = max_residual.max(r);
            let y = x.swap_remove(0);
            for (local, &i) in members.iter().enumerate() {
                if y[local] == 0.0 {
                    continue;
                }
                for e in self.edges.range(i) {
                    let j = dst[e] as usize;
                    if self.accepted(e) && self.group_of[j] as usize != g {
                        mass[j] += y[local] * weight[e];
                    }
                }
            }
        }
        (absorbed, max_residual)
    }

    fn count(&self, stats: &mut SolverStats, method: Method, residual: f64) {
        match method {
            Method::Dense => stats.dense_groups += 1,
            Method::Iterative => stats.iterative_groups += 1,
        }
        stats.max_residual = stats.max_residual.max(residual);
    }
}

/// Strongly connected components of the equal edges (another node, the same loss), in
/// Tarjan's order: every component after all components it has an edge to. Iterative,
/// so a long plateau cannot overflow the stack.
fn tarjan(nodes: &Nodes, edges: &Edges, kinds: &[EdgeKind]) -> Vec<Vec<u32>> {
    const UNSEEN: u32 = u32::MAX;
    let k = nodes.len();
    let mut index = vec![UNSEEN; k];
    let mut low = vec![0u32; k];
    let mut on_stack = vec![false; k];
    let mut stack: Vec<u32> = Vec::new();
    let mut out: Vec<Vec<u32>> = Vec::new();
    let mut next = 0u32;
    let equal = |_: u32, e: usize| kinds[e] == EdgeKind::Equal;
    // Call frames: (node, next edge to look at).
    let mut frames: Vec<(u32, usize)> = Vec::new();
    for root in 0..k as u32 {
        if index[root as usize] != UNSEEN {
            continue;
        }
        frames.push((root, edges.range(root).start));
        index[root as usize] = next;
        low[root as usize] = next;
        next += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (v, ref mut e)) = frames.last_mut() {
            let end = edges.range(v).end;
            let mut descended = false;
            while *e < end {
                let edge = *e;
                *e += 1;
                if !equal(v, edge) {
                    continue;
                }
                let w = edges.dst[edge];
                if index[w as usize] == UNSEEN {
                    index[w as usize] = next;
                    low[w as usize] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    frames.push((w, edges.range(w).start));
                    descended = true;
                    break;
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
            }
            if descended {
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent as usize] = low[parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                let mut group = Vec::new();
                loop {
                    let w = stack.pop().unwrap_or(v);
                    on_stack[w as usize] = false;
                    group.push(w);
                    if w == v {
                        break;
                    }
                }
                group.sort_unstable();
                out.push(group);
            }
        }
    }
    out
}
