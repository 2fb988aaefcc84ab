//! Moves on labelled forms, and the class graph they induce.
//!
//! A move changes one layer's op to another op of the list, or one `link[i]` to another
//! value in `0..=i`. Both are their own inverse, so the class graph — classes joined when
//! some member of one is one move from some member of the other — is symmetric by
//! construction. A move onto the all-skip cell leads out of the space and is dropped.

use super::canonical::canonical;
use super::labelled::{all_labelled, Labelled, OpList, LAYERS};
use rayon::prelude::*;

/// Calls `f` on every labelled form one move from `x` (inside the space).
pub fn for_each_move<F: FnMut(Labelled)>(x: &Labelled, list: OpList, mut f: F) {
    for i in 0..LAYERS {
        for &op in list.ops() {
            if op != x.ops[i] {
                let mut y = *x;
                y.ops[i] = op;
                if !y.is_all_skip() {
                    f(y);
                }
            }
        }
        for l in 0..=i as u8 {
            if l != x.link[i] {
                let mut y = *x;
                y.link[i] = l;
                f(y);
            }
        }
    }
}

/// Every pair of distinct classes `(a, b)`, `a < b`, joined by a move, as the classes'
/// canonical forms mapped through `class_of`; sorted, no repeats. Also returns how many
/// labelled forms were walked.
pub fn class_edges<K, F>(list: OpList, class_of: F) -> (Vec<(K, K)>, u64)
where
    K: Ord + Copy + Send,
    F: Fn(&Labelled) -> K + Sync,
{
    let forms = all_labelled(list);
    let mut edges: Vec<(K, K)> = forms
        .par_iter()
        .fold(Vec::new, |mut acc, x| {
            let a = class_of(&canonical(x));
            for_each_move(x, list, |y| {
                let b = class_of(&canonical(&y));
                if a < b {
                    acc.push((a, b));
                } else if b < a {
                    acc.push((b, a));
                }
            });
            acc
        })
        .flatten_iter()
        .collect();
    edges.par_sort_unstable();
    edges.dedup();
    (edges, forms.len() as u64)
}
