"""The rest of the API: starts beside the CLI, the report, the GIL, help and HTML."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import nasland


@pytest.mark.parametrize("variant", ["best", "best-random-ties", "first"])
def test_starts_match_cli(run_json, nb201_csv, nb201_df, variant):
    cli = run_json("starts", "--space", "nb201", "--table", str(nb201_csv), "--key", "arch_str",
                   "--metric", "c10_test_200_mean", "--maximize", "--variant", variant,
                   "--eps", "0.5", "--json")
    s = nasland.starts("nb201", nb201_df, key="arch_str", metric="c10_test_200_mean",
                       maximize=True, variant=variant, eps=0.5)
    assert s.p_success_mean == cli["p_success"]
    assert s.expected_evaluations_mean == cli["expected_evaluations"]
    assert s.expected_moves_mean == cli["expected_moves"]
    assert s.local_minima == cli["local_minima"]
    assert [m["id"] for m in cli["best_minima"]] == list(s.top_minima)
    assert s.p_success.shape == (15625,) and s.p_end.shape == (15625, 3)
    assert np.all((s.p_success >= 0) & (s.p_success <= 1 + 1e-12))
    for j, m in enumerate(cli["best_minima"]):
        assert abs(s.p_end[:, j].mean() - m["p_end"]) < 1e-12
    if variant == "best":
        a = nasland.analyze("nb201", nb201_df, key="arch_str", metric="c10_test_200_mean",
                            maximize=True, hardness=False)
        assert np.array_equal(s.end, a.ls_star)
    else:
        assert len(s.end) == 0


def test_report_writes_a_page(tmp_path):
    out = nasland.report(tmp_path / "r.html", space="3^4", synthetic="uniform,levels:3",
                         noise_draws=1)
    text = open(out, encoding="utf-8").read()
    assert text.lstrip().lower().startswith("<!doctype html")
    assert "nasland report --space 3^4" in text


def test_report_from_a_table(tmp_path, tnb101_csv):
    out = nasland.report(tmp_path / "t.html", space="tnb101", table=tnb101_csv,
                         metrics=["jigsaw", "normal"], maximize=True, figures=1, noise_draws=1)
    text = open(out, encoding="utf-8").read()
    assert "jigsaw" in text and "normal" in text


def test_report_refuses_to_overwrite_its_table(tmp_path):
    table = tmp_path / "t.csv"
    rows = [f"{a}-{b},{(a * 3 + b * 5) % 9}" for a in range(3) for b in range(3)]
    table.write_text("arch,loss\n" + "\n".join(rows) + "\n")
    before = table.read_bytes()
    with pytest.raises(nasland.InputError) as e:
        nasland.report(table, space="3^2", table=table, key="arch", metrics=["loss"])
    assert e.value.kind == "output_is_input"
    assert str(table) in str(e.value)
    assert table.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_gil_is_released_during_analysis():
    ticks = 0
    stop = threading.Event()

    def ticker():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        time.sleep(0.05)
        before = ticks
        start = time.perf_counter()
        a = nasland.analyze("5^9", hardness=False)
        elapsed = time.perf_counter() - start
        during = ticks - before
    finally:
        stop.set()
        t.join()
    assert a.n == 5 ** 9
    assert elapsed > 0.05, "the analysis was too quick to tell"
    # With the GIL held the ticker could not run at all during the call.
    assert during >= 10, f"only {during} ticks in {elapsed:.2f} s"


def test_docstrings_and_html():
    for f in [nasland.analyze, nasland.starts, nasland.pack, nasland.report, nasland.theory,
              nasland.Table, nasland.Table.open, nasland.Table.column, nasland.Analysis,
              nasland.Analysis.summary, nasland.Starts, nasland.Error]:
        assert f.__doc__ and len(f.__doc__) > 20, f
    assert "maximize" in nasland.analyze.__doc__
    a = nasland.analyze("3^4")
    html = a._repr_html_()
    assert html.startswith("<table") and "local minima" in html
    assert "3^4" in repr(a)


@pytest.mark.parametrize("args,kw", [
    (["--space", "tnb101", "--key", "tnb_arch_str", "--metric", "jigsaw", "--maximize"],
     dict(space="tnb101", key="tnb_arch_str", metric="jigsaw", maximize=True)),
    (["--space", "4^5", "--synthetic", "uniform", "--seed", "4", "--pdf-e", "empirical",
      "--recursion", "paper", "--eps-norm", "0.01,0.1"],
     dict(space="4^5", synthetic="uniform", seed=4, pdf_e="empirical", recursion="paper",
          eps_norm=[0.01, 0.1])),
])
def test_theory_matches_cli(run_json, tnb101_csv, tnb101_df, args, kw):
    if "--key" in args:
        args = args + ["--table", str(tnb101_csv)]
        kw = dict(kw, values=tnb101_df)
    cli = run_json("theory", *args, "--json")
    doc = nasland.theory(**kw)
    if "values" in kw:
        assert doc["source"]["path"] == "DataFrame"
        doc["source"].pop("path"), cli["source"].pop("path")
    assert doc == cli


def test_theory_refuses_bad_options():
    with pytest.raises(nasland.InputError) as e:
        nasland.theory("3^4", pdf_e="magic")
    assert e.value.kind == "pdf_e"
