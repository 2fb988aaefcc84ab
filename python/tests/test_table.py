"""pack → Table.open → analyze, zero-copy columns, and damaged tables."""

from __future__ import annotations

import gc
import struct

import numpy as np
import pytest

import nasland

METRIC = "c100_test_200_mean"


@pytest.fixture(scope="module")
def packed(tmp_path_factory, nb201_csv):
    path = tmp_path_factory.mktemp("pack") / "nb201.nasl"
    t = nasland.pack(path, space="nb201", table=nb201_csv, maximize=True)
    return path, t


def test_round_trip(packed, nb201_df, run_json):
    path, _ = packed
    t = nasland.Table.open(path)
    assert t.n == len(t) == 15625
    numeric = [c for c in nb201_df.columns if c not in ("index", "arch_str")]
    assert t.columns == numeric
    assert t.directions == ["maximize"] * len(numeric)
    keys = t.keys()
    assert len(keys) == 15625 and keys[7] == t.key(7)
    # Columns by vertex id agree with the CSV by architecture string.
    col = t.column(METRIC)
    by_key = dict(zip(nb201_df["arch_str"], nb201_df[METRIC]))
    assert all(col[v] == by_key[keys[v]] for v in range(0, 15625, 97))
    # Neighbours: Hamming-1 over 6 positions of 5 ops.
    nb = t.neighbours(0)
    assert nb.dtype == np.uint32 and len(nb) == 24 == t.degree(0)
    assert list(nb) == sorted(nb)
    # The graph analysed from Python equals the CLI on the same file ...
    a = nasland.analyze(graph=str(path), metric=METRIC)
    assert a.summary() == run_json("analyze", "--graph", str(path), "--metric", METRIC, "--json")
    # ... and the product-space analysis of the same column.
    b = nasland.analyze("nb201", nb201_df, key="arch_str", metric=METRIC, maximize=True)
    for name in ["ls", "ls_star", "path_length", "basin_size"]:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.summary()["local_minima"] == b.summary()["local_minima"]


def test_random_regular_round_trip(tmp_path, run_json):
    path = tmp_path / "rr.nasl"
    t = nasland.pack(path, random_regular=(1000, 4), seed=3)
    assert t.n == 1000 and t.columns == [] and t.key(17) == "17"
    assert all(t.degree(v) == 4 for v in range(0, 1000, 50))
    a = nasland.analyze(graph=str(path), synthetic="uniform", seed=5)
    assert a.summary() == run_json("analyze", "--graph", str(path), "--synthetic", "uniform",
                                   "--seed", "5", "--json")
    # Values by vertex id on a graph.
    v = np.linspace(0.0, 1.0, 1000)
    g = nasland.analyze(graph=str(path), values=v)
    assert g.summary()["global_optimum"]["value"] == 0.0


def test_columns_are_zero_copy_views(packed):
    path, _ = packed
    t = nasland.Table.open(path)
    a = t.column(METRIC)
    b = t.column(METRIC)
    assert a.dtype in (np.float64, np.float32)
    assert not a.flags.owndata and a.base is t
    assert not a.flags.writeable
    assert np.shares_memory(a, b)
    assert not np.shares_memory(a, t.column("c10_test_200_mean"))
    with pytest.raises(ValueError):
        a[0] = 1.0


def test_a_view_keeps_the_table_alive(packed):
    path, _ = packed
    col = nasland.Table.open(path).column(METRIC)
    gc.collect()
    expected = nasland.Table.open(path).column(METRIC).copy()
    assert np.array_equal(col, expected)


def test_results_are_not_copied():
    a = nasland.analyze("4^4", hardness=False)
    for name in ["ls", "ls_star", "path_length", "is_local_min", "basin_size", "minima"]:
        arr = getattr(a, name)
        # numpy did not allocate: the buffer is the Rust vector, owned by arr.base.
        assert not arr.flags.owndata and arr.base is not None, name
    assert a.ls is a.ls  # the same array every time, not a fresh copy
    s = nasland.starts("4^4")
    assert not s.p_success.flags.owndata
    assert np.shares_memory(s.p_end, s.p_end.base)


def damaged(packed, tmp_path, edit):
    path, _ = packed
    data = bytearray(path.read_bytes())
    edit(data)
    out = tmp_path / "damaged.nasl"
    out.write_bytes(bytes(data))
    return out


def expect_table_error(kind, f, *args):
    with pytest.raises(nasland.TableError) as e:
        f(*args)
    assert e.value.kind == kind, f"{e.value.kind!r} != {kind!r}: {e.value}"


def test_not_a_table(tmp_path):
    p = tmp_path / "x.nasl"
    p.write_bytes(b"hello, this is not a table at all" * 4)
    expect_table_error("not_a_table", nasland.Table.open, p)


def test_truncated(packed, tmp_path):
    p = damaged(packed, tmp_path, lambda d: d.__delitem__(slice(len(d) // 2, None)))
    expect_table_error("truncated", nasland.Table.open, p)


def test_newer_version(packed, tmp_path):
    p = damaged(packed, tmp_path, lambda d: d.__setitem__(slice(8, 12), struct.pack("<I", 99)))
    expect_table_error("newer_version", nasland.Table.open, p)


def test_checksum_mismatch(packed, tmp_path, nb201_df):
    # Flip a byte inside the stored column: found by its first values' bytes.
    t = packed[1]
    needle = np.asarray(t.column(METRIC)[:4]).tobytes()

    def flip(d):
        at = bytes(d).find(needle)
        assert at > 0
        d[at + 3] ^= 0x40

    p = damaged(packed, tmp_path, flip)
    t2 = nasland.Table.open(p)  # lazy: the column is checked on first use
    expect_table_error("checksum_mismatch", t2.column, METRIC)


def test_missing_table_file(tmp_path):
    expect_table_error("io", nasland.Table.open, tmp_path / "nope.nasl")


def test_vertex_out_of_range(packed):
    with pytest.raises(nasland.InputError) as e:
        packed[1].neighbours(15625)
    assert e.value.kind == "vertex_out_of_range"
