//! The linear systems of one strongly connected group of the ILS chain.
//!
//! A group's matrix is M = diag(a) − W: a_m is the probability that a perturbation from m
//! is accepted and leaves m, W the accepted moves inside the group. Some move leaves the
//! group (otherwise it is closed and never solved), so M is a nonsingular, weakly
//! diagonally dominant M-matrix. Small groups are solved exactly enough by dense Gaussian
//! elimination with partial pivoting, O(k³); a group above [`DENSE_LIMIT`] would cost
//! seconds to minutes that way, so it is solved by Gauss–Seidel sweeps (which converge
//! for such matrices) until the largest change is below 1e-15 relative, and the residual
//! is reported so the caller can say how exact the answer is.

/// Largest group solved densely: 1,500³/3 ≈ 10^9 flops, about a second.
pub const DENSE_LIMIT: usize = 1500;

/// Most Gauss–Seidel sweeps before giving up (the residual then says how far off it is).
const MAX_SWEEPS: usize = 100_000;

/// One group's system: diagonal entries and the off-diagonal moves `(row, col, w)`,
/// meaning M[row][col] = −w.
#[derive(Clone, Debug, Default)]
pub struct System {
    /// The diagonal M[i][i] of each row.
    pub diag: Vec<f64>,
    /// Off-diagonal entries `(row, col, w)`: M[row][col] = −w.
    pub moves: Vec<(u32, u32, f64)>,
}

/// How a system was solved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Gaussian elimination on the dense matrix (small groups).
    Dense,
    /// Gauss–Seidel sweeps (groups too large to eliminate densely).
    Iterative,
}

impl System {
    /// Solves M x = b (or Mᵀ x = b) for each right-hand side; returns the solutions, the
    /// method and the largest absolute residual |M x − b|.
    pub fn solve(&self, rhs: &[Vec<f64>], transpose: bool) -> (Vec<Vec<f64>>, Method, f64) {
        let moves: Vec<(u32, u32, f64)> = if transpose {
            self.moves.iter().map(|&(r, c, w)| (c, r, w)).collect()
        } else {
            self.moves.clone()
        };
        let k = self.diag.len();
        let (x, method) = if k <= DENSE_LIMIT {
            (dense(&self.diag, &moves, rhs), Method::Dense)
        } else {
            (gauss_seidel(&self.diag, &moves, rhs), Method::Iterative)
        };
        let residual = x
            .iter()
            .zip(rhs)
            .map(|(x, b)| residual(&self.diag, &moves, x, b))
            .fold(0.0, f64::max);
        (x, method, residual)
    }
}

fn residual(diag: &[f64], moves: &[(u32, u32, f64)], x: &[f64], b: &[f64]) -> f64 {
    let mut r: Vec<f64> = diag
        .iter()
        .zip(x)
        .zip(b)
        .map(|((d, x), b)| d * x - b)
        .collect();
    for &(row, col, w) in moves {
        r[row as usize] -= w * x[col as usize];
    }
    r.iter().fold(0.0, |m, v| m.max(v.abs()))
}

fn dense(diag: &[f64], moves: &[(u32, u32, f64)], rhs: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = diag.len();
    let cols = k + rhs.len();
    let mut a = vec![0.0; k * cols];
    for (i, &d) in diag.iter().enumerate() {
        a[i * cols + i] = d;
        for (j, b) in rhs.iter().enumerate() {
            a[i * cols + k + j] = b[i];
        }
    }
    for &(r, c, w) in moves {
        a[r as usize * cols + c as usize] -= w;
    }
    for p in 0..k {
        let pivot = (p..k)
            .max_by(|&x, &y| a[x * cols + p].abs().total_cmp(&a[y * cols + p].abs()))
            .unwrap_or(p);
        if pivot != p {
            for c in 0..cols {
                a.swap(p * cols + c, pivot * cols + c);
            }
        }
        let d = a[p * cols + p];
        if d == 0.0 {
            continue;
        }
        let (top, rest) = a.split_at_mut((p + 1) * cols);
        let prow = &top[p * cols..];
        for row in rest.chunks_mut(cols) {
            let f = row[p] / d;
            if f != 0.0 {
                for c in p..cols {
                    row[c] -= f * prow[c];
                }
            }
        }
    }
    (0..rhs.len())
        .map(|j| {
            let mut x = vec![0.0; k];
            for i in (0..k).rev() {
                let mut s = a[i * cols + k + j];
                for c in i + 1..k {
                    s -= a[i * cols + c] * x[c];
                }
                let d = a[i * cols + i];
                x[i] = if d == 0.0 { 0.0 } else { s / d };
            }
            x
        })
        .collect()
}

fn gauss_seidel(diag: &[f64], moves: &[(u32, u32, f64)], rhs: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let k = diag.len();
    let mut start = vec![0usize; k + 1];
    for &(r, _, _) in moves {
        start[r as usize + 1] += 1;
    }
    for i in 0..k {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut row = vec![(0u32, 0.0); moves.len()];
    for &(r, c, w) in moves {
        row[fill[r as usize]] = (c, w);
        fill[r as usize] += 1;
    }
    rhs.iter()
        .map(|b| {
            let mut x: Vec<f64> = b.iter().zip(diag).map(|(b, d)| b / d).collect();
            for _ in 0..MAX_SWEEPS {
                let mut change: f64 = 0.0;
                let mut scale: f64 = 0.0;
                for i in 0..k {
                    let mut s = b[i];
                    for &(c, w) in &row[start[i]..start[i + 1]] {
                        s += w * x[c as usize];
                    }
                    let v = s / diag[i];
                    change = change.max((v - x[i]).abs());
                    scale = scale.max(v.abs());
                    x[i] = v;
                }
                if change <= 1e-15 * scale.max(1e-300) {
                    break;
                }
            }
            x
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn system() -> System {
        System {
            diag: vec![1.0, 0.8, 0.5],
            moves: vec![(0, 1, 0.5), (1, 0, 0.3), (1, 2, 0.2), (2, 0, 0.25)],
        }
    }

    #[test]
    fn dense_and_iterative_agree() {
        let s = system();
        let b = vec![vec![0.5, 0.3, 0.25], vec![1.0, 1.0, 1.0]];
        for t in [false, true] {
            let moves: Vec<_> = if t {
                s.moves.iter().map(|&(r, c, w)| (c, r, w)).collect()
            } else {
                s.moves.clone()
            };
            let d = dense(&s.diag, &moves, &b);
            let g = gauss_seidel(&s.diag, &moves, &b);
            for (x, y) in d.iter().flatten().zip(g.iter().flatten()) {
                assert!((x - y).abs() < 1e-12, "{x} vs {y}");
            }
            let (_, m, r) = s.solve(&b, t);
            assert_eq!(m, Method::Dense);
            assert!(r < 1e-14);
        }
    }
}
