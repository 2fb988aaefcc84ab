"""`summary()` equals `nasland analyze --json` on every numeric column of the real tables.

Each column is analysed in both directions with the same flag on both sides, so the
test does not depend on guessing which columns are accuracies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nasland
from conftest import shared_data


def metric_columns(name: str, key: str) -> list[str]:
    """Every numeric column but the key and plain row counters (as `nasland pack` picks)."""
    df = pd.read_csv(shared_data(name))
    out = []
    for c in df.columns:
        if c == key or not pd.api.types.is_numeric_dtype(df[c]):
            continue
        x = df[c].to_numpy(dtype=float)
        rows = np.arange(len(x), dtype=float)
        if np.array_equal(x, rows) or np.array_equal(x, rows + 1):
            continue
        out.append(c)
    return out


NB201 = metric_columns("nb201.csv", "arch_str")
TNB101 = metric_columns("tnb101_micro.csv", "tnb_arch_str")


def test_the_tables_have_the_columns_we_expect():
    assert len(NB201) == 15 and "c100_test_200_mean" in NB201
    assert len(TNB101) == 7 and "jigsaw" in TNB101


def cli_args(space, csv, key, metric, maximize):
    args = ["analyze", "--space", space, "--table", str(csv), "--key", key,
            "--metric", metric, "--json"]
    return args + (["--maximize"] if maximize else ["--minimize"])


def assert_same_but_source_path(py: dict, cli: dict, label: str):
    assert py["source"]["path"] == label
    py = dict(py, source={k: v for k, v in py["source"].items() if k != "path"})
    cli = dict(cli, source={k: v for k, v in cli["source"].items() if k != "path"})
    assert py == cli


@pytest.mark.parametrize("maximize", [True, False])
@pytest.mark.parametrize("metric", NB201)
def test_nb201_dataframe_matches_cli(run_json, nb201_csv, nb201_df, metric, maximize):
    cli = run_json(*cli_args("nb201", nb201_csv, "arch_str", metric, maximize))
    a = nasland.analyze("nb201", nb201_df, key="arch_str", metric=metric, maximize=maximize)
    assert_same_but_source_path(a.summary(), cli, "DataFrame")
    assert "hardness" in cli


@pytest.mark.parametrize("maximize", [True, False])
@pytest.mark.parametrize("metric", TNB101)
def test_tnb101_dataframe_matches_cli(run_json, tnb101_csv, tnb101_df, metric, maximize):
    cli = run_json(*cli_args("tnb101", tnb101_csv, "tnb_arch_str", metric, maximize))
    a = nasland.analyze("tnb101", tnb101_df, key="tnb_arch_str", metric=metric,
                        maximize=maximize)
    assert_same_but_source_path(a.summary(), cli, "DataFrame")


def test_table_path_matches_cli_exactly(run_json, nb201_csv):
    args = cli_args("nb201", nb201_csv, "arch_str", "c10_test_200_mean", True)
    cli = run_json(*args, "--eps", "0,0.5,1", "--top", "5")
    a = nasland.analyze("nb201", table=str(nb201_csv), key="arch_str",
                        metric="c10_test_200_mean", maximize=True, eps=[0, 0.5, 1], top=5)
    assert a.summary() == cli


def test_synthetic_matches_cli_exactly(run_json):
    cli = run_json("analyze", "--space", "3x4x5", "--synthetic", "levels:4", "--seed", "7",
                   "--json")
    a = nasland.analyze("3x4x5", synthetic="levels:4", seed=7)
    assert a.summary() == cli


def test_no_hardness_matches_cli(run_json):
    cli = run_json("analyze", "--space", "4^5", "--json", "--no-hardness")
    a = nasland.analyze("4^5", hardness=False)
    assert a.summary() == cli
    assert "hardness" not in a.summary()


def test_series_equals_dataframe(nb201_df):
    s = nb201_df.set_index("arch_str")["c100_test_200_mean"]
    by_series = nasland.analyze("nb201", s, maximize=True).summary()
    by_frame = nasland.analyze("nb201", nb201_df, key="arch_str", metric="c100_test_200_mean",
                               maximize=True).summary()
    by_series.pop("source")
    by_frame.pop("source")
    assert by_series == by_frame
