//! A graph whose lists are verified inside the LS pass (`Table::graph_deferred` then
//! `PackedGraph::step_verified`, what `analyze --graph` runs) against the graph verified
//! first (`Table::graph`): on a valid file the same step, whatever the thread count; on
//! a damaged one the same error, kind and text, and no step.

use crate::packed_step::directed;
use crate::table_bad_input::{graph_file, product_file, resign, text, write_bytes};
use crate::util::nasland;
use nasland::landscape::Step;
use nasland::space::{random_regular, ProductSpace};
use nasland::synth::Model;
use nasland::table::{self, KeySource, Table};
use proptest::prelude::*;

/// What the two routes give on `bytes`: the error of either, or the step of both.
fn both(bytes: &[u8], loss: &[f32]) -> (Result<Step, table::Error>, Result<Step, table::Error>) {
    let first = Table::from_bytes(bytes, "t.nasl").and_then(|t| Ok(t.graph()?.step(loss)));
    let fused = Table::from_bytes(bytes, "t.nasl").and_then(|t| {
        let g = t.graph_deferred();
        let step = g.step_verified(loss);
        // The outcome is remembered: asking again, or verifying, gives the same answer.
        let again = g.step_verified(loss);
        assert_eq!(
            step.as_ref().map_err(text),
            again.as_ref().map_err(text),
            "second step_verified"
        );
        assert_eq!(
            step.as_ref().err().map(text),
            g.verify().err().map(|e| text(&e))
        );
        step
    });
    (first, fused)
}

fn assert_same(bytes: &[u8], loss: &[f32], what: &str) -> bool {
    let (first, fused) = both(bytes, loss);
    match (&first, &fused) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}"),
        (Err(a), Err(b)) => {
            assert_eq!(a.kind(), b.kind(), "{what}");
            assert_eq!(text(a), text(b), "{what}");
        }
        _ => panic!(
            "{what}: verified first {:?}, in the pass {:?}",
            first.as_ref().map(drop).map_err(text),
            fused.as_ref().map(drop).map_err(text)
        ),
    }
    first.is_err()
}

/// Byte positions of the offsets and neighbour sections of `bytes`, `limit` at most,
/// spread evenly (every byte of a small section).
fn list_bytes(bytes: &[u8], limit: usize) -> Vec<usize> {
    let t = Table::from_bytes(bytes, "t").unwrap();
    let mut at = Vec::new();
    for e in t.sections() {
        if ["offsets", "neighbours"].contains(&e.label().as_str()) {
            let (o, l) = (e.offset as usize, e.length as usize);
            let step = l.div_ceil(limit).max(1);
            at.extend((o..o + l).step_by(step));
        }
    }
    at
}

/// Tables of every shape the kernel distinguishes: fixed and varying degree,
/// bit-packed and byte-aligned indices, one chunk and several (4096 vertices each).
fn files() -> Vec<(&'static str, Vec<u8>)> {
    let nine = ProductSpace::parse("3^9").unwrap(); // 19,683 vertices, 15 bits, 5 chunks
    vec![
        ("3x4x5", product_file(None)),
        ("strings", graph_file()),
        (
            "3^9",
            write_bytes(&nine, KeySource::Product("3^9".into()), vec![], None),
        ),
        (
            "directed",
            write_bytes(&directed(9000, 9, 4), KeySource::Ids, vec![], None),
        ),
        (
            "rr 256",
            write_bytes(
                &random_regular::generate(256, 6, 5).unwrap(),
                KeySource::Ids,
                vec![],
                None,
            ),
        ),
    ]
}

#[test]
fn damaged_lists_fail_in_the_pass_as_they_fail_first() {
    for (name, bytes) in files() {
        let n = Table::from_bytes(&bytes, "t").unwrap().header().n as usize;
        let loss = Model::Levels(3).draw_f32(n, 7);
        assert!(!assert_same(&bytes, &loss, name), "{name} is valid");
        let (mut caught, mut structural) = (0, 0);
        for (k, i) in list_bytes(&bytes, 40).into_iter().enumerate() {
            let mut c = bytes.clone();
            c[i] ^= [0x01u8, 0x80][k % 2];
            // A checksum mismatch...
            assert!(assert_same(&c, &loss, &format!("{name}: flip at {i}")));
            caught += 1;
            // ...and with the checksums recomputed, the structure alone.
            resign(&mut c);
            structural += assert_same(&c, &loss, &format!("{name}: resigned flip at {i}")) as usize;
        }
        assert!(
            caught > 0 && structural > 0,
            "{name}: {caught} {structural}"
        );
    }
}

#[test]
fn a_truncated_list_section_fails_in_the_pass_as_it_fails_first() {
    // A list section cut short of its slack, every checksum recomputed: the tail check
    // (or the section's length) must still refuse it, by either route.
    let bytes = files().swap_remove(2).1;
    let loss = Model::Uniform.draw_f32(19_683, 1);
    let t = Table::from_bytes(&bytes, "t").unwrap();
    let e = t
        .sections()
        .iter()
        .find(|e| e.label() == "neighbours")
        .unwrap();
    let last = (e.offset + e.length - 1) as usize;
    let mut c = bytes.clone();
    c[last] = 0xff; // a slack byte set
    resign(&mut c);
    assert!(assert_same(&c, &loss, "slack"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    /// Valid files, ties (few loss levels) and all: the fused pass gives the step of the
    /// verified graph, across 1, 2 and 4 threads.
    #[test]
    fn the_fused_pass_equals_the_plain_one(n in 2usize..12_000, degree in 0u64..12, levels in 1u32..6, seed in 0u64..1000) {
        let bytes = write_bytes(&directed(n, degree, seed), KeySource::Ids, vec![], None);
        let loss = Model::Levels(levels).draw_f32(n, seed);
        let plain = Table::from_bytes(&bytes, "t").unwrap().graph().unwrap().step(&loss);
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let fused = pool.install(|| {
                Table::from_bytes(&bytes, "t").unwrap().graph_deferred().step_verified(&loss).unwrap()
            });
            prop_assert_eq!(&fused, &plain);
        }
    }
}

/// The command line: a damaged list section is refused by `analyze --graph` with or
/// without the hardness block (the pass that verifies, or the verification first), with
/// the same message naming the file and status 1, and no number on standard output.
#[test]
fn analyze_refuses_damaged_lists_on_both_paths() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = files().swap_remove(2).1;
    let damaged = |at: usize, resigned: bool| {
        let mut c = bytes.clone();
        c[at] ^= 0x40;
        if resigned {
            resign(&mut c);
        }
        c
    };
    // A flip that breaks a list (not every flip does, once re-signed).
    let at = list_bytes(&bytes, 300)
        .into_iter()
        .find(|&i| {
            Table::from_bytes(&damaged(i, true), "t")
                .and_then(|t| t.graph())
                .is_err()
        })
        .unwrap();
    for resigned in [false, true] {
        let c = damaged(at, resigned);
        let path = dir.path().join("bad.nasl");
        std::fs::write(&path, &c).unwrap();
        let run = |extra: &[&str]| {
            let out = nasland()
                .args(["analyze", "--graph", path.to_str().unwrap(), "--json"])
                .args(extra)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{extra:?}");
            assert!(out.stdout.is_empty(), "{extra:?}");
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(stderr.contains("bad.nasl"), "{stderr}");
            assert!(
                stderr.contains(if resigned {
                    "vertex"
                } else {
                    "checksum mismatch"
                }),
                "{stderr}"
            );
            stderr
        };
        assert_eq!(run(&["--no-hardness"]), run(&[]));
    }
}
