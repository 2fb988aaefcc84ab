//! Per-vertex result tables (`starts --out`, `noise --out`): CSV quotes what needs it and
//! `.npy` is a structured array numpy reads in place; the extension picks the format.

use nasland::input::ErrorKind;
use nasland::io::columns::{Columns, Data};

fn sample() -> Columns {
    let mut c = Columns::new();
    c.push("id", Data::U32(vec![0, 1, 2]))
        .push(
            "arch",
            Data::Str(vec!["a".into(), "b,c".into(), "d".into()]),
        )
        .push("end", Data::I64(vec![-1, 5, 7]))
        .push("p", Data::F64(vec![0.5, 1.0, 0.125]));
    c
}

#[test]
fn csv_quotes_and_round_trips() {
    let mut out = vec![];
    sample().write_csv(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text,
        "id,arch,end,p\n0,a,-1,0.5\n1,\"b,c\",5,1\n2,d,7,0.125\n"
    );
}

#[test]
fn npy_header_and_records() {
    let mut out = vec![];
    sample().write_npy(&mut out).unwrap();
    assert_eq!(&out[..8], b"\x93NUMPY\x01\x00");
    let hlen = u16::from_le_bytes([out[8], out[9]]) as usize;
    assert_eq!((10 + hlen) % 64, 0, "header aligned to 64 bytes");
    let header = std::str::from_utf8(&out[10..10 + hlen]).unwrap();
    assert!(header.starts_with(
        "{'descr': [('id', '<u4'), ('end', '<i8'), ('p', '<f8')], 'fortran_order': False, 'shape': (3,), }"
    ));
    assert!(header.ends_with('\n'));
    let body = &out[10 + hlen..];
    assert_eq!(body.len(), 3 * (4 + 8 + 8));
    let rec = &body[20..40];
    assert_eq!(u32::from_le_bytes(rec[..4].try_into().unwrap()), 1);
    assert_eq!(i64::from_le_bytes(rec[4..12].try_into().unwrap()), 5);
    assert_eq!(f64::from_le_bytes(rec[12..20].try_into().unwrap()), 1.0);
}

#[test]
fn extension_chooses_format() {
    let dir = tempfile::tempdir().unwrap();
    let e = Columns::check_path(&dir.path().join("x.txt")).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::UnknownFormat);
    assert!(sample().write(&dir.path().join("x.txt")).is_err());
    sample().write(&dir.path().join("x.npy")).unwrap();
    sample().write(&dir.path().join("x.csv")).unwrap();
    let csv = std::fs::read_to_string(dir.path().join("x.csv")).unwrap();
    assert!(csv.starts_with("id,arch,end,p\n"), "{csv}");
    let npy = std::fs::read(dir.path().join("x.npy")).unwrap();
    assert_eq!(&npy[..6], b"\x93NUMPY");
}
