//! Bad `.nasl` files: each class of damage gives an error of the right kind whose message
//! names what is wrong, never a wrong number and never a panic.

use crate::util::nasland;

use nasland::space::{Csr, Neighbourhood, ProductSpace, VertexId};
use nasland::table::format::{self, Direction, Header, DIR_ENTRY_LEN, HEADER_LEN};
use nasland::table::{
    self, bits, ColumnSource, Contents, ErrorKind, KeySource, Region, Table, WriteOptions,
};

pub(crate) fn write_bytes<N: Neighbourhood>(
    graph: &N,
    keys: KeySource,
    columns: Vec<ColumnSource>,
    zstd: Option<i32>,
) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.nasl");
    table::write(
        &path,
        &Contents {
            graph,
            keys,
            columns,
            meta: Default::default(),
        },
        WriteOptions { zstd_level: zstd },
    )
    .unwrap();
    std::fs::read(path).unwrap()
}

/// A fixed-degree product space (n = 60, 6-bit indices, so indices ≥ n are encodable)
/// with one f64 column last.
pub(crate) fn product_file(zstd: Option<i32>) -> Vec<u8> {
    let space = ProductSpace::parse("3x4x5").unwrap();
    let values = (0..60).map(|v| (v as f64 * 0.37).sin()).collect();
    write_bytes(
        &space,
        KeySource::Product("3x4x5".into()),
        vec![ColumnSource {
            name: "acc".into(),
            direction: Direction::Maximize,
            values,
        }],
        zstd,
    )
}

/// A varying-degree graph with string keys, an f32 and an f64 column.
pub(crate) fn graph_file() -> Vec<u8> {
    let edges = [
        (0, 1),
        (1, 2),
        (1, 3),
        (3, 4),
        (4, 5),
        (5, 6),
        (6, 7),
        (2, 7),
        (1, 8),
        (8, 9),
        (0, 9),
        (3, 7),
    ];
    let g = Csr::from_undirected_edges(11, &edges).unwrap(); // vertex 10 isolated
    let keys = (0..11).map(|v| format!("arch-{v}")).collect();
    let columns = vec![
        ColumnSource {
            name: "f32able".into(),
            direction: Direction::Unspecified,
            values: (0..11).map(|v| v as f64 / 4.0).collect(),
        },
        ColumnSource {
            name: "loss".into(),
            direction: Direction::Minimize,
            values: (0..11).map(|v| 1.0 / (v as f64 + 3.0)).collect(),
        },
    ];
    write_bytes(&g, KeySource::Strings(keys), columns, None)
}

/// Opens and uses everything: verification, every key, every neighbour, every value.
fn open_all(bytes: &[u8]) -> Result<(), table::Error> {
    let t = Table::from_bytes(bytes, "test.nasl")?;
    t.verify_all()?;
    let g = t.graph()?;
    let mut sum = 0u64;
    for v in 0..g.len() as VertexId {
        sum += t.key(v).len() as u64;
        g.for_each_neighbour(v, |u| sum += u as u64);
    }
    for i in 0..t.columns().len() {
        let c = t.column(i)?;
        for v in 0..c.len() {
            assert!(c.get(v).is_finite());
        }
    }
    assert!(sum > 0);
    Ok(())
}

fn err(bytes: &[u8]) -> table::Error {
    open_all(bytes).expect_err("damaged table accepted")
}

/// The whole message as the CLI prints it, context and causes included.
pub(crate) fn text(e: &table::Error) -> String {
    format!("{:#}", anyhow::Error::from(e.clone()))
}

/// The error is a structural one whose message names `what` (the vertex, the column).
fn assert_structure(e: &table::Error, what: &[&str]) {
    assert_eq!(e.kind(), &ErrorKind::Structure, "{}", text(e));
    let t = text(e);
    assert!(what.iter().all(|w| t.contains(w)), "{t}");
}

/// Recomputes every checksum after a deliberate edit, so only the structural check can
/// catch it.
pub(crate) fn resign(bytes: &mut [u8]) {
    let h = Header::decode_unchecked(bytes);
    let count = h.section_count as usize;
    let mut d = Vec::new();
    for i in 0..count {
        let at = HEADER_LEN + i * DIR_ENTRY_LEN;
        let e = &mut bytes[at..at + DIR_ENTRY_LEN];
        let offset = u64::from_le_bytes(e[8..16].try_into().unwrap()) as usize;
        let length = u64::from_le_bytes(e[16..24].try_into().unwrap()) as usize;
        let _ = (offset, length);
        d.push((at, offset, length));
    }
    for (at, offset, length) in d {
        let crc = crc32fast::hash(&bytes[offset..offset + length]);
        bytes[at + 24..at + 28].copy_from_slice(&crc.to_le_bytes());
    }
    let end = HEADER_LEN + count * DIR_ENTRY_LEN;
    let crc = crc32fast::hash(&bytes[HEADER_LEN..end]);
    bytes[end..end + 4].copy_from_slice(&crc.to_le_bytes());
    let header = h.encode();
    bytes[..HEADER_LEN].copy_from_slice(&header);
}

fn section(bytes: &[u8], kind: &str) -> (usize, usize) {
    let t = Table::from_bytes(bytes, "t").unwrap();
    let e = t
        .sections()
        .iter()
        .find(|e| e.label() == kind)
        .unwrap_or_else(|| panic!("no {kind}"));
    (e.offset as usize, e.length as usize)
}

fn put(data: &mut [u8], i: u64, w: u32, x: u64) {
    for j in 0..w as u64 {
        let bit = i * w as u64 + j;
        let (byte, b) = ((bit / 8) as usize, bit % 8);
        if x >> j & 1 == 1 {
            data[byte] |= 1 << b;
        } else {
            data[byte] &= !(1 << b);
        }
    }
}

#[test]
fn valid_files_open() {
    open_all(&product_file(None)).unwrap();
    open_all(&product_file(Some(3))).unwrap();
    open_all(&graph_file()).unwrap();
}

#[test]
fn wrong_magic() {
    let mut b = product_file(None);
    b[1] = b'X';
    assert_eq!(err(&b).kind(), &ErrorKind::NotATable);
    let e = err(b"name,acc\nfoo,1\n");
    assert_eq!(e.kind(), &ErrorKind::NotATable);
    // What to do: the message points at the command that makes tables.
    assert!(text(&e).contains("nasland pack"), "{}", text(&e));
    assert_eq!(err(b"").kind(), &ErrorKind::NotATable);
}

#[test]
fn future_version() {
    let mut b = product_file(None);
    b[8..12].copy_from_slice(&2u32.to_le_bytes());
    let newer = ErrorKind::NewerVersion {
        found: 2,
        supported: format::VERSION,
    };
    assert_eq!(err(&b).kind(), &newer);
    // The version is checked before the header checksum: a newer header may differ.
    resign(&mut b);
    assert_eq!(err(&b).kind(), &newer);
}

#[test]
fn truncation_anywhere_says_truncated() {
    for b in [product_file(None), graph_file()] {
        for len in 1..b.len() {
            let e = err(&b[..len]);
            assert_eq!(
                e.kind(),
                &ErrorKind::Truncated,
                "cut at {len}: {}",
                text(&e)
            );
        }
    }
}

#[test]
fn truncation_inside_each_section_is_named() {
    let b = graph_file();
    let t = Table::from_bytes(&b, "t").unwrap();
    for e in t.sections() {
        let cut = (e.offset + e.length / 2) as usize;
        let err = err(&b[..cut]);
        assert_eq!(err.kind(), &ErrorKind::Truncated, "{}", e.label());
        // Where: the message gives the length the file has.
        let msg = text(&err);
        assert!(msg.contains(&format!("has {cut}")), "{}: {msg}", e.label());
    }
}

/// Every single byte of the file is covered: header and directory by their CRCs, gaps by
/// the zero-padding rule, each section by its CRC.
#[test]
fn any_flipped_byte_is_detected() {
    for b in [product_file(None), graph_file()] {
        for i in 0..b.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut c = b.clone();
                c[i] ^= mask;
                assert!(open_all(&c).is_err(), "flip {mask:#x} at byte {i} accepted");
            }
        }
    }
}

#[test]
fn flipped_byte_in_each_section_names_it() {
    let b = graph_file();
    let t = Table::from_bytes(&b, "t").unwrap();
    for e in t.sections() {
        let mut c = b.clone();
        c[(e.offset + e.length / 2) as usize] ^= 0x10;
        let err = err(&c);
        match err.kind() {
            ErrorKind::ChecksumMismatch {
                section,
                stored,
                computed,
            } => {
                assert_eq!(*section, e.region(), "{}", e.label());
                assert_eq!(section.to_string(), e.label());
                assert_eq!(*stored, e.crc);
                assert_ne!(computed, stored);
            }
            k => panic!("{}: {k:?}: {}", e.label(), text(&err)),
        }
    }
    let checksum_of = |c: &[u8]| match err(c).kind() {
        ErrorKind::ChecksumMismatch { section, .. } => *section,
        k => panic!("{k:?}"),
    };
    let mut c = b.clone();
    c[20] ^= 1;
    assert_eq!(checksum_of(&c), Region::Header);
    let mut c = b.clone();
    c[HEADER_LEN + 9] ^= 1;
    assert_eq!(checksum_of(&c), Region::Directory);
}

#[test]
fn neighbour_index_out_of_range() {
    let mut b = product_file(None);
    let (off, len) = section(&b, "neighbours");
    // Vertex 0's first neighbour (1) becomes 63: encodable in 6 bits, but n = 60.
    assert_eq!(bits::get(&b[off..off + len], 0, 6), 1);
    put(&mut b[off..off + len], 0, 6, 63);
    resign(&mut b);
    assert_structure(&err(&b), &["vertex 0", "63", "n = 60"]);
}

#[test]
fn neighbour_lists_must_be_simple_and_sorted() {
    let mut b = product_file(None);
    let (off, len) = section(&b, "neighbours");
    put(&mut b[off..off + len], 0, 6, 0); // vertex 0 lists itself
    resign(&mut b);
    assert_structure(&err(&b), &["vertex 0 lists itself"]);

    let mut b = product_file(None);
    let data = &mut b[off..off + len];
    let (x, y) = (bits::get(data, 0, 6), bits::get(data, 1, 6));
    put(data, 0, 6, y);
    put(data, 1, 6, x);
    resign(&mut b);
    assert_structure(&err(&b), &["vertex 0", "not strictly increasing"]);
}

#[test]
fn csr_offsets_not_monotone() {
    let mut b = graph_file();
    let t = Table::from_bytes(&b, "t").unwrap();
    let ob = t.header().offset_bits;
    let (off, len) = section(&b, "offsets");
    let data = &mut b[off..off + len];
    // Offsets of vertices 2 and 3 swapped: 3 starts before 2.
    let (x, y) = (bits::get(data, 2, ob), bits::get(data, 3, ob));
    assert!(x < y);
    put(data, 2, ob, y);
    put(data, 3, ob, x);
    resign(&mut b);
    assert_structure(&err(&b), &["CSR offsets", "vertex 2"]);

    // Offsets that end short of the entries.
    let mut b = graph_file();
    let n = t.header().n;
    let data = &mut b[off..off + len];
    let last = bits::get(data, n, ob);
    assert_eq!(bits::get(data, n - 1, ob), last); // vertex 10 is isolated
    put(data, n - 1, ob, last - 1);
    put(data, n, ob, last - 1);
    resign(&mut b);
    assert_structure(&err(&b), &["last offset"]);
}

#[test]
fn metric_column_of_the_wrong_length() {
    let mut b = product_file(None);
    let t = Table::from_bytes(&b, "t").unwrap();
    let e = *t.sections().last().unwrap();
    assert_eq!(e.label(), "column 0");
    // Drop the last value: shorten the section and the file, re-sign everything.
    let at = t.sections().iter().position(|x| *x == e).unwrap();
    let entry = HEADER_LEN + at * DIR_ENTRY_LEN;
    b[entry + 16..entry + 24].copy_from_slice(&(e.length - 8).to_le_bytes());
    b.truncate(b.len() - 8);
    let size = b.len() as u64;
    b[48..56].copy_from_slice(&size.to_le_bytes());
    resign(&mut b);
    assert_structure(&err(&b), &["metric column \"acc\""]);
}

#[test]
fn non_finite_value() {
    let mut b = product_file(None);
    let (off, _) = section(&b, "column 0");
    b[off + 8 * 7..off + 8 * 8].copy_from_slice(&f64::NAN.to_le_bytes());
    resign(&mut b);
    assert_structure(&err(&b), &["\"acc\"", "vertex 7"]);
}

#[test]
fn corrupt_zstd_stream() {
    let b = product_file(Some(3));
    assert_eq!(b[..4], format::ZSTD_MAGIC);
    for i in (4..b.len()).step_by(7) {
        let mut c = b.clone();
        c[i] ^= 0x5a;
        let e = err(&c);
        // zstd's own frame checksum, or a table checksum when the damage decodes, or the
        // magic check made after the first decompressed bytes.
        assert!(
            matches!(
                e.kind(),
                ErrorKind::Zstd
                    | ErrorKind::Truncated
                    | ErrorKind::NotATable
                    | ErrorKind::ChecksumMismatch { .. }
            ),
            "flip at {i}: {}",
            text(&e)
        );
    }
    let e = err(&b[..b.len() / 2]);
    assert!(
        matches!(e.kind(), ErrorKind::Truncated | ErrorKind::Zstd),
        "{}",
        text(&e)
    );
    assert_eq!(err(&b[..6]).kind(), &ErrorKind::Zstd);
}

#[test]
fn cli_reports_damage_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = product_file(Some(3));
    let mid = b.len() / 2;
    b[mid] ^= 0xff;
    let path = dir.path().join("bad.nasl.zst");
    std::fs::write(&path, &b).unwrap();
    for cmd in [&["analyze", "--graph"][..], &["info"], &["keys"]] {
        let mut args: Vec<&str> = cmd.to_vec();
        args.push(path.to_str().unwrap());
        let out = nasland().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("bad.nasl.zst") && stderr.contains("zstd"),
            "{stderr}"
        );
    }
}

/// Edge lists: self-loops, repeated edges (either direction) and unknown keys are all
/// reported with their lines, and nothing is written.
#[test]
fn bad_edge_lists_are_rejected_with_their_lines() {
    use nasland::pack::{self, Directions, TableColumns};
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t.csv");
    std::fs::write(&table, "name,acc\na,0.5\nb,0.25\nc,0.75\nd,1.5\n").unwrap();
    let cols = TableColumns {
        path: table.clone(),
        key: Some("name".into()),
        metrics: None,
        directions: Directions::unspecified(),
    };
    let out = dir.path().join("g.nasl");
    let run = |edges: &str| {
        let path = dir.path().join("e.csv");
        std::fs::write(&path, edges).unwrap();
        pack::edges(&path, &cols, &out, WriteOptions::default())
            .map(|_| ())
            .map_err(|e| format!("{e:#}"))
    };
    run("x,y\na,b\nb,c\nc,d\n").unwrap();
    let g = Table::open(&out).unwrap();
    assert_eq!(g.header().entries, 6);
    assert_eq!(g.header().degree_min, 1);
    std::fs::remove_file(&out).unwrap();

    let e = run("x,y\na,b\nc,c\nb,a\nd,e\nq,a\n").unwrap_err();
    assert!(
        e.contains("2 keys are not in the table (line 5: \"e\"; line 6: \"q\")"),
        "{e}"
    );
    assert!(e.contains("1 self-loops (line 3: \"c\")"), "{e}");
    assert!(
        e.contains("1 repeated edges") && e.contains("lines 2 and 4"),
        "{e}"
    );
    assert!(!out.exists());

    let e = run("a,b\nb,c\n").unwrap_err();
    assert!(e.contains("line 1") && e.contains("not a header"), "{e}");
    let e = run("x,y,z\na,b,c\n").unwrap_err();
    assert!(e.contains("exactly two"), "{e}");

    // Keys must be unique in the table.
    std::fs::write(&table, "name,acc\na,0.5\nb,0.25\na,0.75\n").unwrap();
    let e = run("x,y\na,b\n").unwrap_err();
    assert!(e.contains("line 4") && e.contains("appears twice"), "{e}");
}

/// A file that cannot be opened is an I/O error naming the path, with the operating
/// system's error as its cause; the CLI's chain reads as it always has.
#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.nasl");
    let e = Table::open(&path).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Io { path: path.clone() });
    let cause = std::error::Error::source(&e).expect("the io::Error");
    let io = cause
        .downcast_ref::<std::io::Error>()
        .expect("an io::Error");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(
        e.to_string(),
        format!("cannot open table {}", path.display())
    );
}

/// Context keeps the kind: a damaged file opened by path is still a checksum mismatch,
/// and the outer message names the file.
#[test]
fn errors_from_a_path_keep_their_kind_under_context() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.nasl");
    let mut b = product_file(None);
    b[20] ^= 1;
    std::fs::write(&path, &b).unwrap();
    let e = Table::open(&path).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::ChecksumMismatch {
                section: Region::Header,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("bad.nasl"), "{e}");
    let inner = std::error::Error::source(&e).unwrap();
    assert!(inner.downcast_ref::<table::Error>().is_some());
}

#[test]
fn unknown_column_lists_the_columns() {
    let t = Table::from_bytes(&graph_file(), "t.nasl").unwrap();
    let e = t.column_index("accuracy").unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::NoSuchColumn {
            name: "accuracy".into()
        }
    );
    assert!(text(&e).contains("f32able, loss"), "{}", text(&e));
}

/// Contents the format cannot hold are refused before anything is written, and the
/// destination is left alone.
#[test]
fn invalid_contents_are_invalid_input_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.nasl");
    let space = ProductSpace::parse("3x4").unwrap();
    let write = |columns: Vec<ColumnSource>, keys: KeySource| {
        table::write(
            &path,
            &Contents {
                graph: &space,
                keys,
                columns,
                meta: Default::default(),
            },
            WriteOptions::default(),
        )
    };
    let column = |name: &str, values: Vec<f64>| ColumnSource {
        name: name.into(),
        direction: Direction::Unspecified,
        values,
    };
    let cases = [
        (vec![column("short", vec![1.0; 11])], KeySource::Ids),
        (
            vec![column(
                "nan",
                (0..12).map(|v| v as f64 / 0.0 - 1.0).collect(),
            )],
            KeySource::Ids,
        ),
        (vec![column("", vec![1.0; 12])], KeySource::Ids),
        (vec![], KeySource::Strings(vec!["a".into(); 3])),
    ];
    for (columns, keys) in cases {
        let e = write(columns, keys).unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::InvalidInput, "{}", text(&e));
        assert!(text(&e).contains("cannot write"), "{}", text(&e));
    }
    // A graph whose vertex lists itself.
    let g = Csr::from_undirected_edges(3, &[(0, 1)]).unwrap();
    struct Loop(Csr);
    impl Neighbourhood for Loop {
        fn len(&self) -> usize {
            self.0.len()
        }
        fn degree(&self, v: VertexId) -> usize {
            self.0.degree(v) + (v == 2) as usize
        }
        fn for_each_neighbour<F: FnMut(VertexId)>(&self, v: VertexId, mut f: F) {
            self.0.for_each_neighbour(v, &mut f);
            if v == 2 {
                f(2);
            }
        }
        fn is_symmetric(&self) -> bool {
            false
        }
    }
    let e = table::write(
        &path,
        &Contents {
            graph: &Loop(g),
            keys: KeySource::Ids,
            columns: vec![],
            meta: Default::default(),
        },
        WriteOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidInput, "{}", text(&e));
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
