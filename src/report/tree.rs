//! The paper's basin-tree figure: the LS edges inside the basins of the nine best local
//! minima, drawn as trees (the minimum at the top, each start one level per LS step
//! below it), one panel per minimum in a 3×3 grid.
//!
//! Drawn as hand-written SVG rather than with plotters: a basin can hold most of the
//! space (11,700 of NB201's 15,625 starts), and one SVG element per edge would make the
//! page megabytes long. Here all edges of one colour in one panel are one `<path>`, at
//! about 20 bytes per edge. Edges are coloured by the child's loss (six bands of the
//! space's range, dark = good); nodes are drawn as dots when a basin is small enough to
//! see them.
//!
//! Layout (a "tidy" layered tree): leaves are placed left to right in depth-first order,
//! children visited by increasing (loss, id); a parent sits midway between its first and
//! last child; depth is the path length to the minimum.

use crate::landscape::Landscape;
use crate::space::VertexId;
use std::fmt::Write;

/// Panel size and grid of one landscape's block.
const PANEL: (f64, f64) = (190.0, 150.0);
const GRID: usize = 3;
const BLOCK_GAP: f64 = 30.0;
const TITLE: f64 = 28.0;
/// Basins up to this size get node dots.
const DOTS_UP_TO: usize = 400;
/// Dark (good) to light (bad): six bands of a viridis-like scale.
const BANDS: [&str; 6] = [
    "#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725",
];

/// One landscape to draw: a title, its loss (lower is better), its landscape, and how to
/// show a loss as a metric value.
pub struct TreePanel<'a> {
    pub title: String,
    pub loss: &'a [f64],
    pub landscape: &'a Landscape,
    pub value: &'a dyn Fn(f64) -> String,
}

/// SVG of the blocks side by side.
pub fn basin_trees(blocks: &[TreePanel]) -> String {
    let block_w = PANEL.0 * GRID as f64;
    let block_h = TITLE + PANEL.1 * GRID as f64;
    let width = blocks.len() as f64 * block_w + (blocks.len().saturating_sub(1)) as f64 * BLOCK_GAP;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{block_h:.0}" viewBox="0 0 {width:.0} {block_h:.0}" font-family="sans-serif">"#
    );
    let _ = write!(
        s,
        r#"<rect width="{width:.0}" height="{block_h:.0}" fill="white"/>"#
    );
    for (b, block) in blocks.iter().enumerate() {
        let x0 = b as f64 * (block_w + BLOCK_GAP);
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="18" font-size="14" text-anchor="middle">{}</text>"#,
            x0 + block_w / 2.0,
            super::markup::escape(&block.title)
        );
        draw_block(&mut s, block, x0, TITLE);
    }
    s.push_str("</svg>");
    s
}

fn draw_block(s: &mut String, p: &TreePanel, x0: f64, y0: f64) {
    let loss = p.loss;
    let land = p.landscape;
    let n = loss.len();
    let (lo, hi) = crate::range::min_max(loss.iter().copied());
    let band = |l: f64| -> usize {
        if hi > lo {
            (((l - lo) / (hi - lo)) * BANDS.len() as f64).min(BANDS.len() as f64 - 1.0) as usize
        } else {
            0
        }
    };
    // The nine best minima by (loss, id).
    let mut minima: Vec<VertexId> = (0..n as VertexId)
        .filter(|&v| land.ls[v as usize] == v)
        .collect();
    minima.sort_unstable_by(|&a, &b| {
        loss[a as usize]
            .total_cmp(&loss[b as usize])
            .then(a.cmp(&b))
    });
    minima.truncate(GRID * GRID);

    // Children lists of the LS forest, as CSR over parents, each sorted by (loss, id).
    let mut count = vec![0u32; n + 1];
    for v in 0..n {
        let p = land.ls[v] as usize;
        if p != v {
            count[p + 1] += 1;
        }
    }
    for v in 0..n {
        count[v + 1] += count[v];
    }
    let mut fill = count.clone();
    let mut children = vec![0 as VertexId; count[n] as usize];
    for v in 0..n {
        let p = land.ls[v] as usize;
        if p != v {
            children[fill[p] as usize] = v as VertexId;
            fill[p] += 1;
        }
    }
    for p in 0..n {
        children[count[p] as usize..count[p + 1] as usize].sort_unstable_by(|&a, &b| {
            loss[a as usize]
                .total_cmp(&loss[b as usize])
                .then(a.cmp(&b))
        });
    }
    let kids = |v: VertexId| &children[count[v as usize] as usize..count[v as usize + 1] as usize];

    for (k, &m) in minima.iter().enumerate() {
        let px = x0 + (k % GRID) as f64 * PANEL.0;
        let py = y0 + (k / GRID) as f64 * PANEL.1;
        // Depth-first order (pre-order, children by (loss, id)); leaves numbered in it.
        let mut order: Vec<VertexId> = Vec::new();
        let mut stack = vec![m];
        while let Some(v) = stack.pop() {
            order.push(v);
            stack.extend(kids(v).iter().rev());
        }
        let size = order.len();
        let mut xpos = vec![0.0f64; 0];
        xpos.resize(size, 0.0);
        let mut index = std::collections::BTreeMap::new();
        for (i, &v) in order.iter().enumerate() {
            index.insert(v, i);
        }
        let mut leaves = 0usize;
        for (i, &v) in order.iter().enumerate() {
            if kids(v).is_empty() {
                xpos[i] = leaves as f64;
                leaves += 1;
            }
        }
        // Parents after their children: reverse pre-order.
        for (i, &v) in order.iter().enumerate().rev() {
            let c = kids(v);
            if let (Some(first), Some(last)) = (c.first(), c.last()) {
                xpos[i] = (xpos[index[first]] + xpos[index[last]]) / 2.0;
            }
        }
        let depth = order
            .iter()
            .map(|&v| land.steps[v as usize])
            .max()
            .unwrap_or(0);
        let (pad, top, bottom) = (8.0, 30.0, 8.0);
        let w = PANEL.0 - 2.0 * pad;
        let h = PANEL.1 - top - bottom;
        let x_of = |i: usize| {
            if leaves > 1 {
                px + pad + xpos[i] / (leaves - 1) as f64 * w
            } else {
                px + PANEL.0 / 2.0
            }
        };
        let y_of = |v: VertexId| {
            if depth > 0 {
                py + top + land.steps[v as usize] as f64 / depth as f64 * h
            } else {
                py + top
            }
        };
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#ddd"/>"##,
            px + 1.0,
            py + 1.0,
            PANEL.0 - 2.0,
            PANEL.1 - 2.0
        );
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">#{} {} · basin {}</text>"#,
            px + PANEL.0 / 2.0,
            py + 16.0,
            k + 1,
            super::markup::escape(&(p.value)(loss[m as usize])),
            size
        );
        // Edges child → parent, one path per colour band.
        let mut paths: Vec<String> = vec![String::new(); BANDS.len()];
        let mut dots: Vec<String> = vec![String::new(); BANDS.len()];
        for (i, &v) in order.iter().enumerate() {
            let b = band(loss[v as usize]);
            if v != m {
                let parent = land.ls[v as usize];
                let _ = write!(
                    paths[b],
                    "M{:.0} {:.0}L{:.0} {:.0}",
                    x_of(i),
                    y_of(v),
                    x_of(index[&parent]),
                    y_of(parent)
                );
            }
            if size <= DOTS_UP_TO {
                let _ = write!(dots[b], "M{:.0} {:.0}h0", x_of(i), y_of(v));
            }
        }
        for (b, d) in paths.iter().enumerate() {
            if !d.is_empty() {
                let _ = write!(
                    s,
                    r#"<path d="{d}" stroke="{}" stroke-width="0.6" fill="none"/>"#,
                    BANDS[b]
                );
            }
        }
        for (b, d) in dots.iter().enumerate() {
            if !d.is_empty() {
                let _ = write!(
                    s,
                    r#"<path d="{d}" stroke="{}" stroke-width="4" stroke-linecap="round" fill="none"/>"#,
                    BANDS[b]
                );
            }
        }
        let _ = write!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="4.5" fill="red" stroke="black" stroke-width="0.8"/>"#,
            x_of(0),
            y_of(m)
        );
    }
}
