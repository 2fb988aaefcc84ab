//! Closed forms for iid continuous losses, which hold on any graph.
//!
//! With iid continuous losses a vertex is a local minimum exactly when it is the smallest
//! of its closed neighbourhood, so P(v is a minimum) = 1/(deg(v) + 1) and
//! E[#local minima] = Σ_v 1/(deg(v) + 1) whatever the graph.

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
