//! Numerical integration on [0, 1]: composite Gauss–Legendre panels.
//!
//! Every quantity of the theory is a function of a normalised loss x ∈ [0, 1], smooth
//! between a few known breakpoints (histogram bin edges, the ε values) and evaluated only
//! at the quadrature nodes. A [`Grid`] splits [0, 1] at those breakpoints into panels no
//! wider than asked, and puts `p` Gauss–Legendre nodes in each. On a panel where the
//! integrand is a polynomial of degree < 2p the panel rule is exact; smooth integrands
//! converge like (width)^{2p}.
//!
//! The recursions need integrals that *start at a node*, ∫_{x_i}^1 f. The node sits inside
//! its panel, so the panel's part is done by integrating the degree p − 1 interpolant of f
//! through that panel's nodes from x_i to the panel end (a fixed p × p matrix on the
//! reference panel), and later panels by their full rule. This is exact for polynomials
//! of degree < p on the node's panel, so f must be smooth across the whole panel,
//! including just below x_i: callers pass the smooth continuation of their integrand.

/// Nodes and weights of p-point Gauss–Legendre on [−1, 1], by Newton's method on P_p.
pub fn gauss_legendre(p: usize) -> (Vec<f64>, Vec<f64>) {
    assert!(
        (1..=64).contains(&p),
        "Gauss–Legendre order {p} out of range"
    );
    let mut nodes = vec![0.0; p];
    let mut weights = vec![0.0; p];
    for i in 0..p {
        let mut t = (std::f64::consts::PI * (i as f64 + 0.75) / (p as f64 + 0.5)).cos();
        let mut der = 1.0;
        for _ in 0..100 {
            // P_p(t) and P_{p-1}(t) by the three-term recurrence; P_p' from both.
            let (mut p0, mut p1) = (1.0, t);
            for k in 2..=p {
                let p2 = ((2 * k - 1) as f64 * t * p1 - (k - 1) as f64 * p0) / k as f64;
                p0 = p1;
                p1 = p2;
            }
            der = p as f64 * (t * p1 - p0) / (t * t - 1.0);
            let dt = p1 / der;
            t -= dt;
            if dt.abs() < 1e-16 {
                break;
            }
        }
        nodes[p - 1 - i] = t;
        weights[p - 1 - i] = 2.0 / ((1.0 - t * t) * der * der);
    }
    (nodes, weights)
}

/// Composite Gauss–Legendre nodes on [0, 1] with interpolation and partial integrals.
#[derive(Clone, Debug)]
pub struct Grid {
    /// Panel ends, `panels + 1` increasing values from 0 to 1.
    edges: Vec<f64>,
    p: usize,
    /// All nodes, panel after panel, increasing.
    pub nodes: Vec<f64>,
    /// Full-rule weights: Σ w_i f(x_i) ≈ ∫_0^1 f.
    pub weights: Vec<f64>,
    ref_nodes: Vec<f64>,
    ref_weights: Vec<f64>,
    bary: Vec<f64>,
    /// `partial[r * p + j]` = ∫_{t_r}^{1} ℓ_j(t) dt on the reference panel [−1, 1].
    partial: Vec<f64>,
}

impl Grid {
    /// Splits [0, 1] at `breakpoints` (values outside (0, 1) are ignored), then each piece
    /// into equal panels no wider than `max_width`, with `p` nodes per panel.
    pub fn new(breakpoints: &[f64], max_width: f64, p: usize) -> Grid {
        assert!(max_width > 0.0 && p >= 2);
        let mut cuts: Vec<f64> = breakpoints
            .iter()
            .copied()
            .filter(|&b| b > 1e-12 && b < 1.0 - 1e-12)
            .collect();
        cuts.push(0.0);
        cuts.push(1.0);
        cuts.sort_by(f64::total_cmp);
        cuts.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
        let mut edges = vec![0.0];
        for w in cuts.windows(2) {
            let pieces = ((w[1] - w[0]) / max_width).ceil().max(1.0) as usize;
            for k in 1..=pieces {
                edges.push(if k == pieces {
                    w[1]
                } else {
                    w[0] + (w[1] - w[0]) * k as f64 / pieces as f64
                });
            }
        }
        let (ref_nodes, ref_weights) = gauss_legendre(p);
        let bary: Vec<f64> = (0..p)
            .map(|j| {
                1.0 / (0..p)
                    .filter(|&k| k != j)
                    .map(|k| ref_nodes[j] - ref_nodes[k])
                    .product::<f64>()
            })
            .collect();
        let mut grid = Grid {
            edges,
            p,
            nodes: vec![],
            weights: vec![],
            ref_nodes,
            ref_weights,
            bary,
            partial: vec![0.0; p * p],
        };
        for r in 0..p {
            let t0 = grid.ref_nodes[r];
            let half = (1.0 - t0) / 2.0;
            for q in 0..p {
                let tau = t0 + half * (grid.ref_nodes[q] + 1.0);
                let basis = grid.basis(tau);
                for (j, b) in basis.iter().enumerate() {
                    grid.partial[r * p + j] += half * grid.ref_weights[q] * b;
                }
            }
        }
        for w in grid.edges.clone().windows(2) {
            let (a, half) = (w[0], (w[1] - w[0]) / 2.0);
            for q in 0..p {
                grid.nodes.push(a + half * (grid.ref_nodes[q] + 1.0));
                grid.weights.push(half * grid.ref_weights[q]);
            }
        }
        grid
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True for a grid without nodes (never: every grid has a panel).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Nodes per panel.
    pub fn order(&self) -> usize {
        self.p
    }

    /// Number of panels.
    pub fn panels(&self) -> usize {
        self.edges.len() - 1
    }

    /// Index of the first node of node `i`'s panel.
    pub fn panel_start(&self, i: usize) -> usize {
        i - i % self.p
    }

    /// Weight of node `j ≥ panel_start(i)` in the rule for ∫_{x_i}^1 f.
    #[inline]
    pub fn tail_weight(&self, i: usize, j: usize) -> f64 {
        let start = self.panel_start(i);
        if j >= start + self.p {
            self.weights[j]
        } else {
            let half = (self.edges[i / self.p + 1] - self.edges[i / self.p]) / 2.0;
            half * self.partial[(i - start) * self.p + (j - start)]
        }
    }

    /// ∫_0^1 f from its node values.
    pub fn integral(&self, f: &[f64]) -> f64 {
        f.iter().zip(&self.weights).map(|(a, b)| a * b).sum()
    }

    /// ∫_0^t f from its node values (the panel holding t by its interpolant).
    pub fn integral_to(&self, f: &[f64], t: f64) -> f64 {
        let t = t.clamp(0.0, 1.0);
        let mut total = 0.0;
        for k in 0..self.panels() {
            let (a, b) = (self.edges[k], self.edges[k + 1]);
            let vals = &f[k * self.p..(k + 1) * self.p];
            if b <= t {
                total += vals
                    .iter()
                    .zip(&self.weights[k * self.p..(k + 1) * self.p])
                    .map(|(x, w)| x * w)
                    .sum::<f64>();
            } else {
                if t > a {
                    let half = (t - a) / 2.0;
                    for q in 0..self.p {
                        let x = a + half * (self.ref_nodes[q] + 1.0);
                        total += half * self.ref_weights[q] * self.interpolate_in(k, vals, x);
                    }
                }
                break;
            }
        }
        total
    }

    /// [`Grid::integral_to`] at every `t` of `ts`, in one sweep over the panels after one
    /// sort: O(k log k + nodes) for k values instead of O(k · nodes), with the same
    /// additions in the same order, so each result equals `integral_to(f, t)` exactly.
    pub fn integrals_to(&self, f: &[f64], ts: &[f64]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..ts.len()).collect();
        order.sort_by(|&i, &j| ts[i].clamp(0.0, 1.0).total_cmp(&ts[j].clamp(0.0, 1.0)));
        let mut out = vec![0.0; ts.len()];
        let mut total = 0.0;
        let mut k = 0;
        for i in order {
            let t = ts[i].clamp(0.0, 1.0);
            // Whole panels below t, added once for all the t that follow.
            while k < self.panels() && self.edges[k + 1] <= t {
                total += f[k * self.p..(k + 1) * self.p]
                    .iter()
                    .zip(&self.weights[k * self.p..(k + 1) * self.p])
                    .map(|(x, w)| x * w)
                    .sum::<f64>();
                k += 1;
            }
            let mut here = total;
            if k < self.panels() {
                let a = self.edges[k];
                if t > a {
                    let vals = &f[k * self.p..(k + 1) * self.p];
                    let half = (t - a) / 2.0;
                    for q in 0..self.p {
                        let x = a + half * (self.ref_nodes[q] + 1.0);
                        here += half * self.ref_weights[q] * self.interpolate_in(k, vals, x);
                    }
                }
            }
            out[i] = here;
        }
        out
    }

    /// The value at x of the panel interpolant of f (x in [a, b) uses the panel [a, b)).
    pub fn interpolate(&self, f: &[f64], x: f64) -> f64 {
        let x = x.clamp(0.0, 1.0);
        let k = self.edges[1..]
            .partition_point(|&b| b <= x)
            .min(self.panels() - 1);
        self.interpolate_in(k, &f[k * self.p..(k + 1) * self.p], x)
    }

    fn interpolate_in(&self, panel: usize, vals: &[f64], x: f64) -> f64 {
        let (a, b) = (self.edges[panel], self.edges[panel + 1]);
        let t = 2.0 * (x - a) / (b - a) - 1.0;
        self.basis(t).iter().zip(vals).map(|(l, v)| l * v).sum()
    }

    /// The Lagrange basis through the reference nodes, evaluated at t (barycentric form).
    fn basis(&self, t: f64) -> Vec<f64> {
        if let Some(j) = self.ref_nodes.iter().position(|&n| n == t) {
            let mut e = vec![0.0; self.p];
            e[j] = 1.0;
            return e;
        }
        let terms: Vec<f64> = (0..self.p)
            .map(|j| self.bary[j] / (t - self.ref_nodes[j]))
            .collect();
        let sum: f64 = terms.iter().sum();
        terms.iter().map(|x| x / sum).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sweep_gives_the_same_integrals_as_one_per_value() {
        let g = Grid::new(&[0.2, 0.7], 0.05, 6);
        let f: Vec<f64> = g.nodes.iter().map(|&x| (3.0 * x).sin() + x * x).collect();
        let ts = [0.9, 0.0, 0.33, -1.0, 1.5, 0.2, 0.33, 0.7001, 1.0];
        let swept = g.integrals_to(&f, &ts);
        for (t, got) in ts.iter().zip(swept) {
            assert_eq!(got, g.integral_to(&f, *t), "t = {t}");
        }
    }

    #[test]
    fn gauss_legendre_is_exact_to_degree_2p_minus_1() {
        for p in [2, 5, 10, 14] {
            let (t, w) = gauss_legendre(p);
            for d in 0..2 * p {
                let q: f64 = t.iter().zip(&w).map(|(t, w)| w * t.powi(d as i32)).sum();
                let exact = if d % 2 == 1 {
                    0.0
                } else {
                    2.0 / (d + 1) as f64
                };
                assert!((q - exact).abs() < 1e-13, "p={p} d={d}: {q} vs {exact}");
            }
        }
    }

    #[test]
    fn tails_interpolation_and_partial_integrals() {
        let grid = Grid::new(&[0.001, 0.3], 0.05, 8);
        let f: Vec<f64> = grid.nodes.iter().map(|&x| (3.0 * x).exp()).collect();
        let exact = |a: f64, b: f64| ((3.0 * b).exp() - (3.0 * a).exp()) / 3.0;
        assert!((grid.integral(&f) - exact(0.0, 1.0)).abs() < 1e-13);
        for t in [0.0, 0.0005, 0.001, 0.0123, 0.3, 0.77, 1.0] {
            assert!(
                (grid.integral_to(&f, t) - exact(0.0, t)).abs() < 1e-13,
                "{t}"
            );
            assert!(
                (grid.interpolate(&f, t) - (3.0 * t).exp()).abs() < 1e-12,
                "{t}"
            );
        }
        for i in [0, 3, 17, grid.len() - 1] {
            let start = grid.panel_start(i);
            let tail: f64 = (start..grid.len())
                .map(|j| grid.tail_weight(i, j) * f[j])
                .sum();
            assert!((tail - exact(grid.nodes[i], 1.0)).abs() < 1e-13, "{i}");
        }
    }
}
