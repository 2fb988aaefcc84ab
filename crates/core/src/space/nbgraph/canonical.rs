//! The benchmark's canonical form of a labelled cell (what `Arch.valid_hash()` hashes).
//!
//! Three steps, each undoing one way two labelled forms can name the same network:
//!
//! 1. **relabel**: the 24 link vectors fall into 9 shapes; a cell whose link vector is not
//!    the shape's representative ([`PATTERNS`]) has its layers renumbered onto it. The
//!    renumbering for each of the 15 other vectors is the benchmark's ([`RELABEL`]); where
//!    a shape has symmetries the choice matters only up to step 3.
//! 2. **hoist skips**: a `skip` layer computes nothing. Scanning positions 0..4 in order,
//!    a skip layer that is read by a later layer, or has no sibling (no other layer with
//!    the same source), or is the input itself (it and every layer on its path back to the
//!    input are skips), is moved to position 0 and fed by the input; references are
//!    renumbered so every layer still computes the same function (readers of the input
//!    read the hoisted skip, readers of the skip read its source). The two shapes this can
//!    leave outside [`PATTERNS`] are relabelled again as in step 1.
//! 3. **sort equal parts**: layers that the shape cannot tell apart get their ops sorted
//!    by op code (for `0-0-1-2`, the two chains are swapped when the first is larger).
//!
//! This is a procedure, not an isomorphism test: it is exactly what makes the benchmark's
//! 26,206 classes, and it is checked against the benchmark's own hash of every labelled
//! form (tests/nbgraph.rs).

use super::labelled::{Labelled, LAYERS, SKIP};

/// The 9 link shapes the benchmark keeps, in the order of its hash's leading digit.
pub const PATTERNS: [[u8; LAYERS]; 9] = [
    [0, 0, 0, 0],
    [0, 0, 0, 1],
    [0, 0, 1, 1],
    [0, 0, 1, 2],
    [0, 0, 1, 3],
    [0, 1, 1, 1],
    [0, 1, 1, 2],
    [0, 1, 2, 2],
    [0, 1, 2, 3],
];

/// For each link vector outside [`PATTERNS`]: its shape's representative, and which old
/// layer each new position takes (`new.ops[j] = old.ops[take[j]]`).
pub const RELABEL: [([u8; LAYERS], [u8; LAYERS], [usize; LAYERS]); 15] = [
    ([0, 0, 0, 2], [0, 0, 0, 1], [1, 0, 2, 3]),
    ([0, 0, 0, 3], [0, 0, 0, 1], [2, 0, 1, 3]),
    ([0, 0, 1, 0], [0, 0, 0, 1], [0, 1, 3, 2]),
    ([0, 0, 2, 0], [0, 0, 0, 1], [1, 0, 3, 2]),
    ([0, 0, 2, 1], [0, 0, 1, 2], [1, 0, 2, 3]),
    ([0, 0, 2, 2], [0, 0, 1, 1], [1, 0, 2, 3]),
    ([0, 0, 2, 3], [0, 0, 1, 3], [1, 0, 2, 3]),
    ([0, 1, 0, 0], [0, 0, 0, 1], [0, 2, 3, 1]),
    ([0, 1, 0, 1], [0, 0, 1, 1], [0, 2, 1, 3]),
    ([0, 1, 0, 2], [0, 0, 1, 3], [0, 2, 1, 3]),
    ([0, 1, 0, 3], [0, 0, 1, 2], [0, 2, 1, 3]),
    ([0, 1, 1, 0], [0, 0, 1, 1], [0, 3, 1, 2]),
    ([0, 1, 1, 3], [0, 1, 1, 2], [0, 2, 1, 3]),
    ([0, 1, 2, 0], [0, 0, 1, 3], [0, 3, 1, 2]),
    ([0, 1, 2, 1], [0, 1, 1, 2], [0, 1, 3, 2]),
];

/// The canonical form of `x`: its link vector is one of [`PATTERNS`], and two labelled
/// forms name the same architecture iff their canonical forms are equal.
pub fn canonical(x: &Labelled) -> Labelled {
    sort_equal_parts(relabel(hoist_skips(relabel(*x))))
}

/// The index of `link` in [`PATTERNS`].
pub fn pattern_index(link: &[u8; LAYERS]) -> Option<usize> {
    PATTERNS.iter().position(|p| p == link)
}

/// Step 1: renumber the layers onto the shape's representative.
fn relabel(x: Labelled) -> Labelled {
    match RELABEL.iter().find(|(from, _, _)| *from == x.link) {
        None => x,
        Some((_, to, take)) => Labelled {
            link: *to,
            ops: take.map(|i| x.ops[i]),
        },
    }
}

/// Step 2: move redundant skip layers to the front.
fn hoist_skips(mut x: Labelled) -> Labelled {
    for i in 0..LAYERS {
        if x.ops[i] == SKIP && skip_is_redundant(&x, i) {
            x = hoist(&x, i);
        }
    }
    x
}

/// Whether the skip at position `i` is moved: read by a later layer, without a sibling,
/// or an identity of the input.
fn skip_is_redundant(x: &Labelled, i: usize) -> bool {
    let source = x.link[i];
    let read = x.link.iter().any(|&l| l as usize == i + 1);
    let sibling = (0..LAYERS).any(|j| j != i && x.link[j] == source);
    read || !sibling || is_input_identity(x, i)
}

/// True when layer `i` and every layer on its path back to the input are skips.
fn is_input_identity(x: &Labelled, i: usize) -> bool {
    let mut at = Some(i);
    while let Some(k) = at {
        if x.ops[k] != SKIP {
            return false;
        }
        at = (x.link[k] as usize).checked_sub(1);
    }
    true
}

/// Moves layer `k` to position 0, reading the input, and renumbers every reference.
fn hoist(x: &Labelled, k: usize) -> Labelled {
    // Where a reference (0 = input, m + 1 = layer m) points after the move.
    let moved = |r: u8| -> u8 {
        match (r as usize).checked_sub(1) {
            None => 1,
            Some(m) if m < k => r + 1,
            Some(_) => r,
        }
    };
    let mut out = Labelled {
        link: [0; LAYERS],
        ops: [x.ops[k]; LAYERS],
    };
    for (p, i) in (1..).zip((0..LAYERS).filter(|&i| i != k)) {
        let r = x.link[i];
        out.link[p] = if r as usize == k + 1 {
            moved(x.link[k])
        } else {
            moved(r)
        };
        out.ops[p] = x.ops[i];
    }
    out
}

/// Step 3: sort the ops of layers the shape cannot tell apart.
fn sort_equal_parts(mut x: Labelled) -> Labelled {
    let interchangeable: &[usize] = match x.link {
        [0, 0, 0, 0] => &[0, 1, 2, 3],
        [0, 0, 0, 1] => &[1, 2],
        [0, 0, 1, 1] | [0, 1, 2, 2] => &[2, 3],
        [0, 1, 1, 1] => &[1, 2, 3],
        [0, 0, 1, 2] => {
            let o = x.ops;
            if (o[0], o[2]) > (o[1], o[3]) {
                x.ops = [o[1], o[0], o[3], o[2]];
            }
            &[]
        }
        _ => &[],
    };
    let mut sorted: Vec<u8> = interchangeable.iter().map(|&i| x.ops[i]).collect();
    sorted.sort_unstable();
    for (&i, op) in interchangeable.iter().zip(sorted) {
        x.ops[i] = op;
    }
    x
}
