"""Inputs: pandas in any row order, arrays by vertex id, and every error kind."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nasland

METRIC = "c100_test_200_mean"


def nb201(df, **kw):
    kw.setdefault("maximize", True)
    return nasland.analyze("nb201", df, key="arch_str", metric=METRIC, **kw)


def test_shuffled_rows_give_identical_results(nb201_df):
    a = nb201(nb201_df)
    shuffled = nb201_df.sample(frac=1.0, random_state=12345)
    assert not shuffled.index.equals(nb201_df.index)
    b = nb201(shuffled)
    assert a.summary() == b.summary()
    for name in ["ls", "ls_star", "path_length", "is_local_min", "basin_size", "minima"]:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_arrays_are_consistent(nb201_df):
    a = nb201(nb201_df)
    n = 15625
    assert a.ls.shape == a.ls_star.shape == a.path_length.shape == (n,)
    assert a.ls.dtype == np.uint32 and a.is_local_min.dtype == np.bool_
    assert np.array_equal(a.minima, np.flatnonzero(a.ls == np.arange(n)))
    assert np.array_equal(a.is_local_min, a.ls == np.arange(n))
    assert a.basin_size.sum() == n
    assert np.array_equal(np.flatnonzero(a.basin_size), a.minima)
    assert np.array_equal(a.basin_size, np.bincount(a.ls_star, minlength=n))
    s = a.summary()
    assert len(a.minima) == s["local_minima"]
    assert a.path_length.max() == s["path_length"]["max"]
    for m in s["minima"]:
        assert a.basin_size[m["id"]] == m["basin"]


def test_values_by_vertex_id_match_the_dataframe(nb201_df, tmp_path, nb201_csv):
    t = nasland.pack(tmp_path / "nb201.nasl", space="nb201", table=nb201_csv,
                     metrics=[METRIC])
    values = np.array(t.column(METRIC))
    a = nasland.analyze("nb201", values, maximize=True, metric=METRIC)
    b = nb201(nb201_df)
    sa, sb = a.summary(), b.summary()
    sa.pop("source"), sb.pop("source")
    assert sa == sb


def test_other_dtypes_are_accepted():
    v = np.arange(4 ** 3, dtype=np.int32)[::-1]
    a = nasland.analyze("4^3", v)
    assert a.summary()["local_minima"] == 1
    assert list(a.minima) == [4 ** 3 - 1]


def expect(cls, kind, f, *args, **kw):
    with pytest.raises(cls) as e:
        f(*args, **kw)
    assert isinstance(e.value, nasland.Error)
    assert e.value.kind == kind, f"{e.value.kind!r} != {kind!r}: {e.value}"
    return e.value


def test_unknown_architecture(nb201_df):
    df = nb201_df.copy()
    df.loc[5, "arch_str"] = "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|"
    e = expect(nasland.InputError, "unknown_architecture", nb201, df)
    assert "line 7" in str(e)  # row 5, counted like a CSV with a header


def test_duplicate(nb201_df):
    df = pd.concat([nb201_df, nb201_df.iloc[[3]]])
    expect(nasland.InputError, "duplicate", nb201, df)


def test_missing(nb201_df):
    expect(nasland.InputError, "missing", nb201, nb201_df.iloc[1:])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_not_finite_in_a_frame(nb201_df, bad):
    df = nb201_df.copy()
    df.loc[10, METRIC] = bad
    expect(nasland.InputError, "not_a_number", nb201, df)


def test_not_a_number_in_a_frame(nb201_df):
    df = nb201_df.copy()
    df[METRIC] = df[METRIC].astype(object)
    df.loc[10, METRIC] = "n/a"
    expect(nasland.InputError, "not_a_number", nb201, df)


def test_not_finite_in_an_array():
    v = np.zeros(3 ** 3)
    v[4] = np.nan
    e = expect(nasland.InputError, "not_a_number", nasland.analyze, "3^3", v)
    assert "values[4]" in str(e)


def test_wrong_length_and_shape():
    expect(nasland.InputError, "wrong_length", nasland.analyze, "3^3", np.zeros(26))
    expect(nasland.InputError, "wrong_shape", nasland.analyze, "3^3", np.zeros((3, 9)))


def test_maximize_is_required_for_pandas(nb201_df):
    e = expect(nasland.InputError, "maximize_required", nasland.analyze, "nb201", nb201_df,
               key="arch_str", metric=METRIC)
    assert "maximize=True" in str(e) and "maximize=False" in str(e)
    s = nb201_df.set_index("arch_str")[METRIC]
    expect(nasland.InputError, "maximize_required", nasland.analyze, "nb201", s)


def test_unknown_column(nb201_df, nb201_csv):
    expect(nasland.InputError, "unknown_column", nb201, nb201_df.drop(columns=[METRIC]))
    expect(nasland.InputError, "column_required", nasland.analyze, "nb201", nb201_df,
           maximize=True)
    expect(nasland.InputError, "unknown_column", nasland.analyze, "nb201",
           table=str(nb201_csv), key="arch_str", metric="no_such_column")


def test_conflicting_inputs():
    expect(nasland.InputError, "conflicting_inputs", nasland.analyze, "3^3", np.zeros(27),
           synthetic="uniform")


def test_bad_eps_and_variant():
    expect(nasland.InputError, "bad_eps", nasland.analyze, "3^3", eps=[-1])
    expect(nasland.InputError, "variant", nasland.starts, "3^3", variant="worst")


def test_missing_csv_file(tmp_path):
    expect(nasland.InputError, "io", nasland.analyze, "nb201",
           table=str(tmp_path / "nope.csv"), metric="x")


@pytest.mark.parametrize("spec,kind", [("7^zz", "unknown_space"), ("1^3", "degenerate"),
                                       ("banana", "unknown_space")])
def test_space_errors(spec, kind):
    expect(nasland.SpaceError, kind, nasland.analyze, spec)


def test_direction_conflict(tmp_path, nb201_csv):
    path = tmp_path / "t.nasl"
    nasland.pack(path, space="nb201", table=nb201_csv, metrics=[METRIC, "in16_test_200_mean"],
                 maximize=["in16_test_200_mean"], minimize=[METRIC])
    expect(nasland.InputError, "direction_conflict", nasland.analyze, graph=str(path),
           metric=METRIC, maximize=True)


def test_direction_is_required_for_a_table(nb201_csv):
    e = expect(nasland.InputError, "direction_needed", nasland.analyze, "nb201",
               table=str(nb201_csv), metric=METRIC)
    assert METRIC in str(e)
    expect(nasland.InputError, "direction_needed", nasland.starts, "nb201",
           table=str(nb201_csv), metric=METRIC)
    expect(nasland.InputError, "direction_needed", nasland.theory, "nb201",
           table=str(nb201_csv), metric=METRIC)


def test_maximize_must_be_a_bool(nb201_csv, nb201_df):
    for bad in ("yes", 1, [True]):
        with pytest.raises(TypeError, match="maximize="):
            nasland.analyze("nb201", table=str(nb201_csv), metric=METRIC, maximize=bad)
        with pytest.raises(TypeError, match="maximize="):
            nb201(nb201_df, maximize=bad)


def test_packed_directions_recorded_and_unspecified(tmp_path, nb201_csv):
    path = tmp_path / "t.nasl"
    cols = [METRIC, "in16_test_200_mean", "c10_test_200_mean"]
    t = nasland.pack(path, space="nb201", table=nb201_csv, metrics=cols,
                     maximize=[METRIC], minimize=["in16_test_200_mean"])
    assert t.directions == ["maximize", "minimize", "unspecified"]
    recorded = nasland.analyze(graph=str(path), metric=METRIC, hardness=False).summary()
    assert recorded["maximize"] is True
    by_csv = nasland.analyze("nb201", table=str(nb201_csv), metric=METRIC, maximize=True,
                             hardness=False).summary()
    assert recorded["local_minima"] == by_csv["local_minima"]
    expect(nasland.InputError, "direction_needed", nasland.analyze, graph=str(path),
           metric="c10_test_200_mean")
    low = nasland.analyze(graph=str(path), metric="c10_test_200_mean", maximize=False,
                          hardness=False).summary()
    assert low["maximize"] is False


def test_synthetic_losses_need_no_direction():
    plain = nasland.analyze("3^4", synthetic="uniform").summary()
    with pytest.warns(UserWarning, match="synthetic"):
        flagged = nasland.analyze("3^4", synthetic="uniform", maximize=True).summary()
    assert flagged == plain and flagged["maximize"] is False


def test_report_needs_a_direction_per_column(tmp_path, tnb101_csv):
    expect(nasland.InputError, "direction_needed", nasland.report, tmp_path / "r.html",
           space="tnb101", table=tnb101_csv, metrics=["jigsaw", "normal"],
           maximize={"jigsaw": True})
    assert not (tmp_path / "r.html").exists()


def test_hierarchy():
    for cls in (nasland.InputError, nasland.TableError, nasland.SpaceError):
        assert issubclass(cls, nasland.Error)
    assert issubclass(nasland.Error, Exception)
