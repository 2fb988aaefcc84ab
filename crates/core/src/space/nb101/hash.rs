//! The benchmark's own key: the official `nasbench` module hash, re-implemented.
//!
//! Tables exported from the official dataset are keyed by this hex MD5 string
//! (`nasbench.hash_iterator()`), so nasland computes exactly the same string for each
//! cell. The official algorithm (`graph_util.hash_module` in google-research/nasbench,
//! applied to the pruned matrix with labels −1 input, −2 output, op index otherwise) is an
//! iterated colour refinement with MD5 as the colour function:
//!
//! 1. each vertex starts as `md5(str((out_degree, in_degree, label)))`, where `str` of a
//!    Python tuple of ints is e.g. `(2, 0, -1)`;
//! 2. `n` times (n = number of vertices), every vertex becomes
//!    `md5(concat(sorted in-neighbour hashes) + "|" + concat(sorted out-neighbour
//!    hashes) + "|" + own hash)`, all vertices updated from the previous round's values;
//! 3. the fingerprint is `md5(str(sorted(hashes)))`, `str` of a Python list of strings,
//!    e.g. `['0a…', '1b…']`.
//!
//! Every hash is the 32-character lower-case hex digest, and the hex text (not the raw
//! bytes) is what is concatenated and sorted. The result is invariant under relabelling
//! by construction; that it also separates the 423,624 classes is checked against the
//! exact canonical form on every cell (see the `nb101` tests).

use super::cell::{Cell, MAX_VERTICES};
use md5::{Digest, Md5};

/// A hex MD5 digest, as ASCII.
pub type Hex = [u8; 32];

/// The official module hash of `cell` as a 32-character hex string.
// module_hash_hex writes only the ASCII digits 0-9a-f.
#[allow(clippy::expect_used)]
pub fn module_hash(cell: &Cell) -> String {
    String::from_utf8(module_hash_hex(cell).to_vec()).expect("hex digits are ASCII")
}

/// The official module hash of `cell` as ASCII hex bytes (no allocation).
pub fn module_hash_hex(cell: &Cell) -> Hex {
    let n = cell.n();
    let mut pred = [0u8; MAX_VERTICES];
    for v in 0..n {
        pred[v] = cell.predecessors(v);
    }

    let initial = initial_hashes();
    let mut hashes = [[0u8; 32]; MAX_VERTICES];
    for v in 0..n {
        let out = cell.successors(v).count_ones() as usize;
        let inn = pred[v].count_ones() as usize;
        hashes[v] = initial[initial_index(out, inn, cell.hash_label(v))];
    }

    let mut next = [[0u8; 32]; MAX_VERTICES];
    let mut buf = [[0u8; 32]; MAX_VERTICES];
    for _ in 0..n {
        for v in 0..n {
            let mut h = Md5::new();
            feed_sorted(&mut h, &hashes, pred[v], &mut buf);
            h.update(b"|");
            feed_sorted(&mut h, &hashes, cell.successors(v), &mut buf);
            h.update(b"|");
            h.update(hashes[v]);
            next[v] = hex(&h.finalize().into());
        }
        hashes[..n].copy_from_slice(&next[..n]);
    }

    hashes[..n].sort_unstable();
    let mut h = Md5::new();
    h.update(b"[");
    for (i, x) in hashes[..n].iter().enumerate() {
        if i > 0 {
            h.update(b", ");
        }
        h.update(b"'");
        h.update(x);
        h.update(b"'");
    }
    h.update(b"]");
    hex(&h.finalize().into())
}

/// Index of `(out_degree, in_degree, label)` in [`initial_hashes`].
#[inline]
fn initial_index(out: usize, inn: usize, label: i8) -> usize {
    (out * MAX_VERTICES + inn) * 5 + (label + 2) as usize
}

/// `md5(str((out_degree, in_degree, label)))` for every degree pair and label, computed
/// once: the first round of every cell's hash is a table look-up.
fn initial_hashes() -> &'static [Hex] {
    static TABLE: std::sync::OnceLock<Vec<Hex>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![[0u8; 32]; MAX_VERTICES * MAX_VERTICES * 5];
        for out in 0..MAX_VERTICES {
            for inn in 0..MAX_VERTICES {
                for label in -2i8..=2 {
                    let text = format!("({out}, {inn}, {label})");
                    table[initial_index(out, inn, label)] = md5_hex(&[text.as_bytes()]);
                }
            }
        }
        table
    })
}

/// Feeds the hashes of the vertices in `set`, sorted, into `h`.
#[inline]
fn feed_sorted(h: &mut Md5, hashes: &[Hex; MAX_VERTICES], set: u8, buf: &mut [Hex; MAX_VERTICES]) {
    let mut k = 0;
    let mut m = set;
    while m != 0 {
        let w = m.trailing_zeros() as usize;
        m &= m - 1;
        buf[k] = hashes[w];
        k += 1;
    }
    buf[..k].sort_unstable();
    for x in &buf[..k] {
        h.update(x);
    }
}

fn md5_hex(parts: &[&[u8]]) -> Hex {
    let mut h = Md5::new();
    for p in parts {
        h.update(p);
    }
    hex(&h.finalize().into())
}

fn hex(digest: &[u8; 16]) -> Hex {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 32];
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = DIGITS[(b >> 4) as usize];
        out[2 * i + 1] = DIGITS[(b & 15) as usize];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hash published with its matrix and ops: the first cell of the official record
    /// file, printed in the NNI benchmark example notebook
    /// (`docs/en_US/NAS/BenchmarksExample.ipynb`, microsoft/nni v1.7) and in several other
    /// projects' tests.
    #[test]
    fn published_hash() {
        let matrix = [
            [0u8, 1, 0, 0, 1, 1, 0],
            [0, 0, 1, 0, 0, 0, 0],
            [0, 0, 0, 1, 0, 0, 1],
            [0, 0, 0, 0, 0, 1, 0],
            [0, 0, 0, 0, 0, 1, 0],
            [0, 0, 0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0, 0, 0],
        ];
        let ops = [
            "input",
            "conv3x3-bn-relu",
            "maxpool3x3",
            "conv3x3-bn-relu",
            "conv3x3-bn-relu",
            "conv1x1-bn-relu",
            "output",
        ];
        let cell = Cell::from_spec(&matrix, &ops).unwrap();
        assert_eq!(module_hash(&cell), "00005c142e6f48ac74fdcf73e3439874");
    }

    #[test]
    fn md5_hex_is_the_usual_digest() {
        assert_eq!(&md5_hex(&[b""]), b"d41d8cd98f00b204e9800998ecf8427e");
    }
}
