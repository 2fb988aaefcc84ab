//! Closed forms for iid continuous losses, which hold on any graph.
//!
//! With iid continuous losses a vertex is a local minimum exactly when it is the smallest
//! of its closed neighbourhood, so P(v is a minimum) = 1/(deg(v) + 1) and
//! E[#local minima] = Σ_v 1/(deg(v) + 1) whatever the graph.
//!
//! For iid U[0, 1] losses and s neighbours, both preimage recursions of
//! [`super::recursion`] solve in closed form (docs/THEORY.md §4): with q = 1 − x,
//! - P_lm(x) = q^s;
//! - `paper`: E|LS^{-k}(v)| = a_k q^{ks}, a_1 = s, a_k = a_{k−1} · s/((k−1)s + 1);
//! - `tree-exact`: E|LS^{-k}(v)| = d_k q^{k(s−1)+1}, d_1 = s,
//!   d_k = d_{k−1} · (s−1)/((k−1)(s−1) + 2);
//! - the P(ε) weight w(x) = q^s (1 + Σ a_k q^{ks}) (`paper`) or
//!   q^s + Σ d_k q^{(k+1)(s−1)+1} (`tree-exact`), integrated term by term.
//!
//! Knowing only s, `cactus` here is the cactus of single edges, which is the tree; the
//! closed forms for cliques of K are [`super::cactus::uniform_p_eps`] and its siblings.

use super::recursion::Recursion;
use crate::space::{degree_histogram, Neighbourhood};

/// E[#local minima] = Σ_v 1/(deg(v) + 1) under iid continuous losses, summed per degree
/// so that the result does not depend on the thread count.
pub fn expected_local_minima<N: Neighbourhood>(space: &N) -> f64 {
    degree_histogram(space)
        .iter()
        .enumerate()
        .map(|(d, &count)| count as f64 / (d as f64 + 1.0))
        .sum()
}

/// Exact variance of the number of local minima of a Hamming product space
/// k_0 × … × k_{d−1} under iid continuous losses.
///
/// With s = Σ(k_i − 1) and p = 1/(s + 1): adjacent vertices are never both minima
/// (covariance −p²); vertices at distance 2 share exactly 2 neighbours, so their closed
/// neighbourhoods cover m = 2s vertices, and both are minima iff the smaller of the two is
/// the minimum of all m and the other the minimum of its own s + 1 — probability
/// 2/(m(s + 1)); vertices further apart have disjoint closed neighbourhoods and are
/// independent. Summing over ordered pairs gives
/// Var = n[p(1 − p) − s·p² + D₂(2/(2s(s + 1)) − p²)], D₂ = Σ_{i<j}(k_i − 1)(k_j − 1).
pub fn hamming_local_minima_variance(radices: &[u32]) -> f64 {
    let n: f64 = radices.iter().map(|&k| k as f64).product();
    let s: f64 = radices.iter().map(|&k| k as f64 - 1.0).sum();
    let p = 1.0 / (s + 1.0);
    let mut d2 = 0.0;
    for i in 0..radices.len() {
        for j in i + 1..radices.len() {
            d2 += (radices[i] as f64 - 1.0) * (radices[j] as f64 - 1.0);
        }
    }
    let both_at_distance_two = if s > 0.0 {
        2.0 / (2.0 * s * (s + 1.0))
    } else {
        0.0
    };
    n * (p * (1.0 - p) - s * p * p + d2 * (both_at_distance_two - p * p))
}

/// P(a vertex at loss x is a local minimum), iid U[0, 1] losses, s neighbours.
pub fn uniform_min_prob(s: usize, x: f64) -> f64 {
    (1.0 - x).powi(s as i32)
}

/// Coefficient c_k and exponent m_k of E|LS^{-k}(v)| = c_k (1 − x)^{m_k}, k ≥ 1.
fn uniform_level(recursion: Recursion, s: usize, k: usize) -> (f64, f64) {
    let s = s as f64;
    let mut c = s;
    for j in 1..k {
        c *= match recursion {
            Recursion::Paper => s / (j as f64 * s + 1.0),
            Recursion::TreeExact | Recursion::Cactus => (s - 1.0) / (j as f64 * (s - 1.0) + 2.0),
        };
    }
    let m = match recursion {
        Recursion::Paper => k as f64 * s,
        Recursion::TreeExact | Recursion::Cactus => k as f64 * (s - 1.0) + 1.0,
    };
    (c, m)
}

/// E|LS^{-k}(v)| given loss x, iid U[0, 1] losses, s neighbours, k ≥ 1.
pub fn uniform_preimage(recursion: Recursion, s: usize, k: usize, x: f64) -> f64 {
    let (c, m) = uniform_level(recursion, s, k);
    c * (1.0 - x).powf(m)
}

/// Terms of the level sums, until they stop mattering.
fn uniform_terms(recursion: Recursion, s: usize) -> impl Iterator<Item = (f64, f64)> {
    (1..)
        .map(move |k| uniform_level(recursion, s, k))
        .take_while(|&(c, _)| c > 1e-20)
}

/// E|LS*^{-1}(v)| = 1 + Σ_k E|LS^{-k}(v)| given loss x, iid U[0, 1] losses.
pub fn uniform_basin(recursion: Recursion, s: usize, x: f64) -> f64 {
    1.0 + uniform_terms(recursion, s)
        .map(|(c, m)| c * (1.0 - x).powf(m))
        .sum::<f64>()
}

/// ∫_0^ε w(x) dx, the unnormalised P(ε) of a recursion, iid U[0, 1] losses.
pub fn uniform_eps_mass(recursion: Recursion, s: usize, eps: f64) -> f64 {
    let q = 1.0 - eps.clamp(0.0, 1.0);
    let sf = s as f64;
    // ∫_0^ε (1 − x)^a dx = (1 − q^{a+1})/(a + 1).
    let int = |a: f64| (1.0 - q.powf(a + 1.0)) / (a + 1.0);
    int(sf)
        + uniform_terms(recursion, s)
            .map(|(c, m)| match recursion {
                Recursion::Paper => c * int(sf + m),
                Recursion::TreeExact | Recursion::Cactus => c * int(sf - 1.0 + m),
            })
            .sum::<f64>()
}

/// P(ε) predicted by a recursion for iid U[0, 1] losses: the mass below ε over the total.
pub fn uniform_p_eps(recursion: Recursion, s: usize, eps: f64) -> f64 {
    uniform_eps_mass(recursion, s, eps) / uniform_eps_mass(recursion, s, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::ProductSpace;

    #[test]
    fn nb201_figures() {
        let space = ProductSpace::parse("nb201").unwrap();
        assert!((expected_local_minima(&space) - 625.0).abs() < 1e-9);
        assert!((hamming_local_minima_variance(&[5; 6]) - 250.0).abs() < 1e-9);
    }

    /// On 2^2 (a 4-cycle) enumerate all 24 orderings of the losses.
    #[test]
    fn variance_matches_enumeration_on_the_square() {
        let space = ProductSpace::parse("2^2").unwrap();
        let mut perms = vec![];
        permute(&mut vec![0, 1, 2, 3], 0, &mut perms);
        let counts: Vec<f64> = perms
            .iter()
            .map(|p| {
                let loss: Vec<f64> = p.iter().map(|&x| x as f64).collect();
                crate::landscape::Landscape::of_product(&space, &loss).local_minima as f64
            })
            .collect();
        let mean = counts.iter().sum::<f64>() / 24.0;
        let var = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / 24.0;
        assert!((mean - 4.0 / 3.0).abs() < 1e-12);
        assert!(
            (var - hamming_local_minima_variance(&[2, 2])).abs() < 1e-12,
            "{var}"
        );
    }

    fn permute(v: &mut Vec<u32>, k: usize, out: &mut Vec<Vec<u32>>) {
        if k == v.len() {
            out.push(v.clone());
            return;
        }
        for i in k..v.len() {
            v.swap(k, i);
            permute(v, k + 1, out);
            v.swap(k, i);
        }
    }
}

#[cfg(test)]
mod uniform_tests {
    use super::*;

    /// On the infinite tree every start ends in exactly one minimum, so the tree-exact
    /// weights integrate to 1; s = 1 (pairs) and s = 2 (the line) by hand.
    #[test]
    fn tree_exact_counts_every_start_once() {
        for s in [1, 2, 3, 5, 24] {
            let total = uniform_eps_mass(Recursion::TreeExact, s, 1.0);
            assert!((total - 1.0).abs() < 1e-12, "s={s}: {total}");
        }
        // s = 2: d_k = 4/(k+1)!, levels q^{k+1}.
        let x: f64 = 0.3;
        let want = 1.0
            + (1..30)
                .map(|k| {
                    let f: f64 = (1..=k + 1).map(|i| i as f64).product();
                    4.0 / f * (1.0 - x).powi(k + 1)
                })
                .sum::<f64>();
        assert!((uniform_basin(Recursion::TreeExact, 2, x) - want).abs() < 1e-12);
    }

    #[test]
    fn first_level_is_the_same_for_both() {
        for x in [0.0, 0.2, 0.9] {
            let a = uniform_preimage(Recursion::Paper, 24, 1, x);
            let b = uniform_preimage(Recursion::TreeExact, 24, 1, x);
            assert!((a - b).abs() < 1e-15 && (a - 24.0 * (1.0 - x).powi(24)).abs() < 1e-12);
        }
        assert!(
            uniform_preimage(Recursion::Paper, 24, 2, 0.0)
                > uniform_preimage(Recursion::TreeExact, 24, 2, 0.0)
        );
    }
}
