"""`nasland.lon`: the exact local optima network as DataFrames, equal to the CLI's."""

from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd
import pytest

import nasland

METRIC = "c100_test_200_mean"


@pytest.fixture(scope="module")
def nb201_lon(nb201_df):
    return nasland.lon("nb201", nb201_df, key="arch_str", metric=METRIC, maximize=True)


def test_nodes_are_analyze_minima_and_weights_sum_to_one(nb201_lon, nb201_df):
    nodes, edges, summary = nb201_lon
    a = nasland.analyze("nb201", nb201_df, key="arch_str", metric=METRIC, maximize=True)
    assert list(nodes.columns[:8]) == ["id", "arch", "value", "basin", "funnel", "cmlon",
                                       "ils_success", "ils_perturbations"]
    assert np.array_equal(nodes["vertex"].to_numpy(), a.minima)
    assert np.array_equal(nodes["basin"].to_numpy(), a.basin_size[a.minima])
    assert summary["lon"]["nodes"] == len(nodes) == a.summary()["local_minima"]
    assert summary["lon"]["edges"] == len(edges)
    sums = edges.groupby("src")["weight"].sum()
    assert len(sums) == len(nodes)
    assert np.allclose(sums.to_numpy(), 1.0, rtol=0, atol=1e-12)
    assert list(edges["type"].cat.categories) == list(nasland.EDGE_TYPES)
    # Accuracy is maximised: an improving edge goes to a higher value.
    value = nodes["value"].to_numpy()
    src, dst = edges["src"].to_numpy(), edges["dst"].to_numpy()
    improving = (edges["type"] == "improving").to_numpy()
    assert improving.any() and (value[dst[improving]] > value[src[improving]]).all()
    assert ((edges["type"] == "self").to_numpy() == (src == dst)).all()


def test_frames_equal_the_cli_csv_files(nb201_lon, cli, nb201_csv, run_json, tmp_path):
    nodes, edges, summary = nb201_lon
    out = tmp_path / "out"
    args = ["lon", "--space", "nb201", "--table", str(nb201_csv), "--key", "arch_str",
            "--metric", METRIC, "--maximize"]
    subprocess.run([str(cli), *args, "--out", str(out)], check=True, capture_output=True)
    cli_nodes = pd.read_csv(out / "nodes.csv")
    cli_edges = pd.read_csv(out / "edges.csv")
    pd.testing.assert_frame_equal(nodes[cli_nodes.columns].astype(cli_nodes.dtypes.to_dict()),
                                  cli_nodes, check_exact=True)
    ours = edges.assign(type=edges["type"].astype(str))
    pd.testing.assert_frame_equal(ours.astype(cli_edges.dtypes.to_dict()), cli_edges,
                                  check_exact=True)
    # The summary is the CLI's JSON, number for number.
    assert summary == run_json(*args, "--json")


def test_synthetic_basin_edges_and_accept_better(run_json):
    nodes, edges, summary = nasland.lon("4^5", synthetic="levels:6", seed=3, edges="basin",
                                        accept="better")
    assert summary == run_json("lon", "--space", "4^5", "--synthetic", "levels:6", "--seed",
                               "3", "--edges", "basin", "--accept", "better", "--json")
    assert summary["strength"] is None and summary["accept"] == "better"
    sums = edges.groupby("src")["weight"].sum().to_numpy()
    assert np.allclose(sums, 1.0, rtol=0, atol=1e-12)
    assert (nodes["ils_success"].between(0, 1)).all()


def test_bad_options_are_input_errors():
    with pytest.raises(nasland.InputError) as e:
        nasland.lon("3^3", synthetic="uniform", accept="sometimes")
    assert e.value.kind == "accept"
    with pytest.raises(nasland.Error) as e:
        nasland.lon("3^2", synthetic="uniform", strength=3)
    assert "strength" in str(e.value)
