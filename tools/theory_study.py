#!/usr/bin/env python3
"""Regenerates every number of the validation study in docs/THEORY.md.

Runs `nasland theory --json` (the release binary of this checkout) on
  A. iid uniform losses on random simple 24-regular graphs (several sizes and seeds),
  B. iid uniform losses on the NB201 graph (several seeds),
  C. every metric column of the shared NB201, NB201-latency and TNB101 tables,
  D. iid uniform losses on the Hamming spaces 5^6 (NB201), 4^8, 8^5 and 3^10, where the
     cactus recursion is set beside tree-exact and the paper's,
  E. the real columns again with the `empirical` pdf_e: tree-exact against cactus,
and rewrites the parts of docs/THEORY.md between `<!-- study:NAME -->` and
`<!-- /study:NAME -->` markers, and the figures in docs/theory/.

Usage: python3 tools/theory_study.py [--data DIR] [--quick] [--only NAME,...]
  --data   the shared benchmark tables (default: ../shared/data beside the checkout)
  --quick  fewer seeds and smaller graphs, to try the script (numbers are then not the
           documented ones)
  --only   regenerate only these parts: random-regular, nb201-uniform, real, hamming,
           real-cactus, figures (default: all)
Only the standard library is needed. Takes about ten minutes on 2 cores.
"""

import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "nasland")
DOC = os.path.join(ROOT, "docs", "THEORY.md")
FIGS = os.path.join(ROOT, "docs", "theory")
EPS_CHECK = [0.003, 0.01, 0.03, 0.1]
EPS_GRID = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3]
MODELS = ["paper", "empirical", "iid"]
RECURSIONS = ["tree-exact", "paper"]


def theory(*args):
    cmd = [BIN, "theory", "--json", *map(str, args)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return json.loads(out.stdout)


def mean_se(xs):
    m = sum(xs) / len(xs)
    if len(xs) < 2:
        return m, float("nan")
    var = sum((x - m) ** 2 for x in xs) / (len(xs) - 1)
    return m, math.sqrt(var / len(xs))


def pct(p, digits=2):
    return f"{100 * p:.{digits}f}%"


def curve(doc, side):
    return {round(p["eps_norm"], 12): p["p"] for p in doc[side]["eps_curve"]}


def iid_uniform_study(label, base_args, seeds, eps, cmd_note):
    """Exact P(ε) over seeds beside both recursions' (seed-independent) predictions."""
    exact = {e: [] for e in eps}
    minima = []
    pred = {}
    for r in RECURSIONS:
        for i, seed in enumerate(seeds):
            if r == "paper" and i > 0:
                break  # the prediction does not depend on the seed
            doc = theory(*base_args, "--seed", seed, "--pdf-n", "uniform", "--pdf-e", "iid",
                         "--recursion", r, "--eps-norm", ",".join(map(str, eps)))
            pred[r] = (doc["predicted"]["local_minima"], curve(doc, "predicted"),
                       doc["predicted"]["accuracy"]["p_abs"], doc["model"]["s"], doc["n"])
            if r == "tree-exact":
                c = curve(doc, "exact")
                for e in eps:
                    exact[e].append(c[e])
                minima.append(doc["exact"]["local_minima"])
    lm_pred, _, _, s, n = pred["tree-exact"]
    m, se = mean_se(minima)
    rows = [f"**{label}** — n = {n:,}, s = {s}, {len(seeds)} seeds ({cmd_note})", "",
            "| quantity | exact: mean ± s.e. | tree-exact | (pred − exact)/s.e. | paper | (pred − exact)/s.e. |",
            "|---|---|---|---|---|---|",
            f"| local minima | {m:,.1f} ± {se:.1f} | {lm_pred:,.1f} | {(lm_pred - m) / se:+.1f} | "
            f"{pred['paper'][0]:,.1f} | {(pred['paper'][0] - m) / se:+.1f} |"]
    for e in eps:
        m, se = mean_se(exact[e])
        t, p = pred["tree-exact"][1][e], pred["paper"][1][e]
        rows.append(f"| P(ε = {e}) | {pct(m, 3)} ± {pct(se, 3)} | {pct(t, 3)} | {(t - m) / se:+.1f} | "
                    f"{pct(p, 3)} | {(p - m) / se:+.1f} |")
    acc = max(pred[r][2] for r in RECURSIONS)
    rows += ["", f"Stated integration accuracy of the predictions: |ΔP| ≤ {acc:.0e}."]
    return "\n".join(rows)


HAMMING = [("NB201", "nb201"), ("4^8", "4^8"), ("8^5", "8^5"), ("3^10", "3^10")]
HAMMING_RECURSIONS = ["cactus", "tree-exact", "paper"]


def hamming_study(seeds, eps):
    """Exact P(ε) and minima over seeds on each Hamming space beside all three recursions."""
    rows = ["| space | n | s | quantity | exact: mean ± s.e. | cactus | z | tree-exact | z | paper | z |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    worst = 0.0
    for label, space in HAMMING:
        exact = {e: [] for e in eps}
        minima = []
        pred = {}
        for r in HAMMING_RECURSIONS:
            for i, seed in enumerate(seeds):
                if r != "cactus" and i > 0:
                    break  # the prediction does not depend on the seed
                doc = theory("--space", space, "--seed", seed, "--pdf-n", "uniform", "--pdf-e",
                             "iid", "--recursion", r, "--eps-norm", ",".join(map(str, eps)))
                pred[r] = (doc["predicted"]["local_minima"], curve(doc, "predicted"),
                           doc["model"]["s"], doc["n"])
                if r == "cactus":
                    c = curve(doc, "exact")
                    for e in eps:
                        exact[e].append(c[e])
                    minima.append(doc["exact"]["local_minima"])
        _, _, s, n = pred["cactus"]
        quantities = [("local minima", minima, {r: pred[r][0] for r in pred}, False)]
        quantities += [(f"P(ε = {e})", exact[e], {r: pred[r][1][e] for r in pred}, True)
                       for e in eps]
        for name, xs, p, is_p in quantities:
            m, se = mean_se(xs)
            fmt = (lambda v: pct(v, 3)) if is_p else (lambda v: f"{v:,.1f}")
            cells = []
            for r in HAMMING_RECURSIONS:
                z = (p[r] - m) / se
                if r == "cactus":
                    worst = max(worst, abs(z))
                cells += [fmt(p[r]), f"{z:+.1f}"]
            rows.append(f"| {label} | {n:,} | {s} | {name} | {fmt(m)} ± {fmt(se)} | " + " | ".join(cells) + " |")
    note = (f"{len(seeds)} seeds per space (`nasland theory --space SPACE --seed K --pdf-n uniform "
            f"--pdf-e iid --recursion R`); z = (pred − exact)/s.e. Largest |z| of the cactus "
            f"recursion: {worst:.1f}.")
    return "\n".join(rows) + "\n\n" + note


def real_cactus(data):
    """Tree-exact and cactus side by side on every real column, empirical pdf_e."""
    tables = [
        ("NB201", "nb201", os.path.join(data, "nb201.csv"), {"index"}, True),
        ("NB201 latency", "nb201", os.path.join(data, "nb201_latency_ms.csv"), {"nb201_index"}, False),
        ("TNB101 micro", "tnb101", os.path.join(data, "tnb101_micro.csv"), set(), True),
    ]
    rows = ["| table | columns | median pred/exact LM (both) | mean \\|ΔP\\| tree-exact | mean \\|ΔP\\| cactus | "
            "share of the gap closed | columns where cactus is closer | mean ΔP tree-exact | mean ΔP cactus |",
            "|---|---|---|---|---|---|---|---|---|"]
    for label, space, path, skip, maximize in tables:
        per = []
        for col in numeric_columns(path, skip):
            docs = {}
            for r in ["tree-exact", "cactus"]:
                args = ["--space", space, "--table", path, "--metric", col,
                        "--pdf-e", "empirical", "--recursion", r]
                args.append("--maximize" if maximize else "--minimize")
                docs[r] = theory(*args)
            per.append(docs)
        t = [mean_abs_dp(d["tree-exact"]) for d in per]
        c = [mean_abs_dp(d["cactus"]) for d in per]
        signed = lambda d: sum(curve(d, "predicted")[k] - curve(d, "exact")[k]
                               for k in curve(d, "exact")) / len(curve(d, "exact"))
        st = sum(signed(d["tree-exact"]) for d in per) / len(per)
        sc = sum(signed(d["cactus"]) for d in per) / len(per)
        ratios = sorted(lm_ratio(d["cactus"]) for d in per)
        mt, mc = sum(t) / len(t), sum(c) / len(c)
        closer = sum(1 for a, b in zip(t, c) if b < a)
        rows.append(f"| {label} | {len(per)} | {ratios[len(ratios) // 2]:.2f} | {pct(mt)} | {pct(mc)} | "
                    f"{100 * (mt - mc) / mt:.1f}% | {closer} | {100 * st:+.2f}pp | {100 * sc:+.2f}pp |")
    return "\n".join(rows)


def numeric_columns(path, skip):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        first = next(reader)
    cols = []
    for name, v in zip(header, first):
        if name in skip:
            continue
        try:
            float(v)
            cols.append(name)
        except ValueError:
            pass
    return cols


def real_tables(data):
    tables = [
        ("NB201", "nb201", os.path.join(data, "nb201.csv"), {"index"}, True),
        ("NB201 latency", "nb201", os.path.join(data, "nb201_latency_ms.csv"), {"nb201_index"}, False),
        ("TNB101 micro", "tnb101", os.path.join(data, "tnb101_micro.csv"), set(), True),
    ]
    results = []  # (table, column, model, recursion, doc)
    for label, space, path, skip, maximize in tables:
        for col in numeric_columns(path, skip):
            for model in MODELS:
                for r in RECURSIONS:
                    args = ["--space", space, "--table", path, "--metric", col,
                            "--pdf-e", model, "--recursion", r]
                    args.append("--maximize" if maximize else "--minimize")
                    results.append((label, col, model, r, theory(*args)))
    return results


def mean_abs_dp(doc):
    p, e = curve(doc, "predicted"), curve(doc, "exact")
    return sum(abs(p[k] - e[k]) for k in p) / len(p)


def lm_ratio(doc):
    return doc["predicted"]["local_minima"] / max(doc["exact"]["local_minima"], 1)


def summary_table(results):
    rows = ["| table | columns | recursion | pdf_e | median pred/exact local minima | "
            "mean \\|ΔP(ε)\\| | columns where best |", "|---|---|---|---|---|---|---|"]
    labels = list(dict.fromkeys(r[0] for r in results))
    verdict = []
    for label in labels:
        sub = [r for r in results if r[0] == label]
        cols = list(dict.fromkeys(r[1] for r in sub))
        for rec in RECURSIONS:
            best = {m: 0 for m in MODELS}
            for col in cols:
                errs = {r[2]: mean_abs_dp(r[4]) for r in sub if r[1] == col and r[3] == rec}
                best[min(errs, key=errs.get)] += 1
            for m in MODELS:
                docs = [r[4] for r in sub if r[2] == m and r[3] == rec]
                ratios = sorted(lm_ratio(d) for d in docs)
                med = ratios[len(ratios) // 2]
                dp = sum(mean_abs_dp(d) for d in docs) / len(docs)
                rows.append(f"| {label} | {len(cols)} | {rec} | {m} | {med:.2f} | {pct(dp)} | {best[m]} |")
            if rec == "tree-exact":
                winner = max(best, key=best.get)
                verdict.append(f"{label}: `{winner}` is best on {best[winner]} of {len(cols)} columns")
    return "\n".join(rows), "; ".join(verdict) + " (tree-exact recursion, mean |ΔP| over the ε grid)."


def column_table(results, label):
    sub = [r for r in results if r[0] == label and r[3] == "tree-exact"]
    cols = list(dict.fromkeys(r[1] for r in sub))
    head = ("| column | exact LM | LM paper / empirical / iid | exact P(0.01) | "
            "P(0.01) paper / empirical / iid | σ (paper) | mean \\|ΔP\\| paper / empirical / iid |")
    rows = [head, "|---|---|---|---|---|---|---|"]
    for col in cols:
        d = {r[2]: r[4] for r in sub if r[1] == col}
        ex = d["paper"]
        lms = " / ".join(f"{d[m]['predicted']['local_minima']:.0f}" for m in MODELS)
        p01 = " / ".join(pct(curve(d[m], "predicted")[0.01], 1) for m in MODELS)
        dps = " / ".join(pct(mean_abs_dp(d[m]), 1) for m in MODELS)
        sigma = ex["model"]["pdf_e"]["sigma"]
        rows.append(f"| {col} | {ex['exact']['local_minima']} | {lms} | {pct(curve(ex, 'exact')[0.01], 1)} | "
                    f"{p01} | {sigma:.3f} | {dps} |")
    return "\n".join(rows)


def replace_section(text, name, body):
    pattern = re.compile(rf"(<!-- study:{name} -->\n).*?(\n<!-- /study:{name} -->)", re.S)
    if not pattern.search(text):
        sys.exit(f"docs/THEORY.md has no <!-- study:{name} --> section")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def figure(path, *args):
    subprocess.run([BIN, "theory", *map(str, args), "--plot", path], check=True,
                   capture_output=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(os.path.dirname(ROOT), "shared", "data"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-build", action="store_true",
                    help="use target/release/nasland as it is")
    ap.add_argument("--only", default="random-regular,nb201-uniform,real,hamming,real-cactus,figures")
    a = ap.parse_args()
    only = set(a.only.split(","))
    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    os.makedirs(FIGS, exist_ok=True)

    sections = {}
    rr = [(100_000, 3)] if a.quick else [(1_000_000, 10), (4_000_000, 3)]
    if "random-regular" in only:
        parts = []
        for n, seeds in rr:
            parts.append(iid_uniform_study(
                f"random 24-regular graph", ["--random-regular", f"{n},24"], list(range(1, seeds + 1)),
                EPS_CHECK, f"`nasland theory --random-regular {n},24 --seed K --pdf-n uniform --pdf-e iid`"))
        sections["random-regular"] = "\n\n".join(parts)
    nb_seeds = 5 if a.quick else 40
    if "nb201-uniform" in only:
        sections["nb201-uniform"] = iid_uniform_study(
            "NB201 graph", ["--space", "nb201"], list(range(1, nb_seeds + 1)), EPS_CHECK,
            "`nasland theory --space nb201 --seed K --pdf-n uniform --pdf-e iid`")
    if "hamming" in only:
        sections["hamming-uniform"] = hamming_study(list(range(1, nb_seeds + 1)), EPS_CHECK)
    if "real-cactus" in only:
        sections["real-cactus"] = real_cactus(a.data)
    if "real" in only:
        results = real_tables(a.data)
        table, verdict = summary_table(results)
        sections["real-summary"] = table + "\n\n" + verdict
        for key, label in [("real-nb201", "NB201"), ("real-latency", "NB201 latency"),
                           ("real-tnb101", "TNB101 micro")]:
            sections[key] = column_table(results, label)
    if "figures" in only:
        figures(a, rr)

    with open(DOC) as f:
        text = f.read()
    for name, body in sections.items():
        text = replace_section(text, name, body)
    with tempfile.NamedTemporaryFile("w", dir=os.path.dirname(DOC), delete=False) as f:
        f.write(text)
    os.replace(f.name, DOC)
    print(f"rewrote {len(sections)} sections of {DOC}")


def figures(a, rr):
    figure(os.path.join(FIGS, "random_regular_iid.svg"), "--random-regular",
           f"{rr[0][0]},24", "--seed", 1, "--pdf-n", "uniform", "--pdf-e", "iid")
    figure(os.path.join(FIGS, "nb201_c100_paper.svg"), "--space", "nb201", "--table",
           os.path.join(a.data, "nb201.csv"), "--metric", "c100_test_200_mean", "--maximize",
           "--pdf-e", "paper")
    figure(os.path.join(FIGS, "nb201_c100_empirical.svg"), "--space", "nb201", "--table",
           os.path.join(a.data, "nb201.csv"), "--metric", "c100_test_200_mean", "--maximize",
           "--pdf-e", "empirical")


if __name__ == "__main__":
    main()
