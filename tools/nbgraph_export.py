#!/usr/bin/env python3
"""Export NAS-Bench-Graph results to CSV tables keyed by the benchmark's hash, for nasland.

The PyPI package `nas-bench-graph` (1.4.0) ships one pickled `.bench` file per dataset
(`nas_bench_graph/light/<dataset>.bench`): a dict from the architecture's hash
(`Arch.valid_hash()`) to its results. This script writes one row per architecture,
sorted by hash -- the order of nasland's vertex ids for `--space nbgraph`:

    hash, link, ops, valid_perf, test_perf, latency, params_M

`link` and `ops` are the canonical form the hash encodes (hash = shape * 10^4 + four op
digits; shapes and op list in docs/NBGRAPH.md), e.g. `0-0-1-2` and `gcn-gat-skip-fc`.
`valid_perf` and `test_perf` are the benchmark's `valid_perf` and `perf` (accuracy in
[0, 1]; proteins: its own metric), `latency` its `latency` (s) and `params_M` its `para`
(millions of parameters). Values are written with Python's `repr`, which round-trips.

Usage (the .bench files hold numpy scalars, so numpy must be installed to read them;
unpickling runs code from the file, so only read files you trust):

    pip install nas-bench-graph==1.4.0
    python3 tools/nbgraph_export.py --dataset cora --out nbgraph_cora.csv
    python3 tools/nbgraph_export.py --all --out-dir tables/
    python3 tools/nbgraph_export.py --bench path/to/cora.bench --out nbgraph_cora.csv
    nasland analyze --space nbgraph --table nbgraph_cora.csv --metric valid_perf --maximize

The proteins dataset uses the 5-op list: analyse it with `--space nbgraph-proteins`.
With --verify, every hash is recomputed from the decoded link and ops with the package's
own `Arch.valid_hash()` and must match. Each output is written to a temporary file
beside it and renamed into place only when complete.
"""
import argparse
import importlib.util
import os
import pickle
import sys
import tempfile

COLUMNS = ["hash", "link", "ops", "valid_perf", "test_perf", "latency", "params_M"]
# The benchmark's field for each value column, in COLUMNS order.
FIELDS = {"valid_perf": "valid_perf", "test_perf": "perf", "latency": "latency", "params_M": "para"}
# Op list and link shapes in the order the hash's digits number them.
OPS = ["gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip"]
SHAPES = [
    (0, 0, 0, 0),
    (0, 0, 0, 1),
    (0, 0, 1, 1),
    (0, 0, 1, 2),
    (0, 0, 1, 3),
    (0, 1, 1, 1),
    (0, 1, 1, 2),
    (0, 1, 2, 2),
    (0, 1, 2, 3),
]
DATASETS = ["arxiv", "citeseer", "computers", "cora", "cs", "photo", "physics", "proteins", "pubmed"]


def decode(h):
    """The (link, ops) strings a hash encodes; ValueError when it encodes none."""
    if not isinstance(h, int) or isinstance(h, bool) or not 0 <= h < 90000:
        raise ValueError(f"{h!r} is not a NAS-Bench-Graph hash (an integer in 0..89999)")
    digits = [h // 10**k % 10 for k in (3, 2, 1, 0)]
    shape = h // 10**4
    if shape >= len(SHAPES) or any(d >= len(OPS) for d in digits) or all(d == 8 for d in digits):
        raise ValueError(f"{h} is not a NAS-Bench-Graph hash (bad shape or op digit)")
    return "-".join(map(str, SHAPES[shape])), "-".join(OPS[d] for d in digits)


def load(path):
    try:
        with open(path, "rb") as f:
            bench = pickle.load(f)
    except ModuleNotFoundError as e:
        raise SystemExit(f"{path}: reading it needs the module {e.name!r} (pip install {e.name})")
    if not isinstance(bench, dict):
        raise SystemExit(f"{path}: expected a pickled dict keyed by hash, got {type(bench).__name__}")
    return bench


def rows(bench, path, verify):
    arch = None
    if verify:
        from nas_bench_graph.architecture import Arch as arch
    for h in sorted(bench):
        try:
            link, ops = decode(h)
        except ValueError as e:
            raise SystemExit(f"{path}: key {e}")
        if arch is not None:
            again = arch([int(x) for x in link.split("-")], ops.split("-")).valid_hash()
            if again != h:
                raise SystemExit(f"{path}: key {h} decodes to {link} {ops}, which hashes to {again}")
        record = bench[h]
        values = []
        for column in COLUMNS[3:]:
            field = FIELDS[column]
            if field not in record:
                raise SystemExit(f"{path}: architecture {h} has no {field!r} (it has {sorted(record)})")
            values.append(repr(float(record[field])))
        yield [str(h), link, ops, *values]


def export(path, out, verify):
    bench = load(path)
    out_dir = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(prefix=".nbgraph_export.", suffix=".csv", dir=out_dir)
    count = 0
    try:
        with os.fdopen(fd, "w", newline="") as f:
            f.write(",".join(COLUMNS) + "\n")
            for row in rows(bench, path, verify):
                f.write(",".join(row) + "\n")
                count += 1
        os.replace(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise
    print(f"wrote {count} architectures from {path} to {out}", file=sys.stderr)


def package_bench(dataset):
    spec = importlib.util.find_spec("nas_bench_graph")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the nas_bench_graph package is not installed: pip install nas-bench-graph==1.4.0")
    path = os.path.join(list(spec.submodule_search_locations)[0], "light", f"{dataset}.bench")
    if not os.path.isfile(path):
        raise SystemExit(f"the installed nas_bench_graph has no {path}")
    return path


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--bench", nargs="+", metavar="FILE", help=".bench files to convert")
    src.add_argument("--dataset", nargs="+", choices=DATASETS, help="datasets of the installed package")
    src.add_argument("--all", action="store_true", help="every dataset of the installed package")
    dst = p.add_mutually_exclusive_group(required=True)
    dst.add_argument("--out", help="CSV file to write (one input only)")
    dst.add_argument("--out-dir", help="directory for nbgraph_<name>.csv, one per input")
    p.add_argument("--verify", action="store_true", help="recompute every hash with the package's Arch.valid_hash()")
    args = p.parse_args()

    if args.bench:
        inputs = [(os.path.splitext(os.path.basename(b))[0], b) for b in args.bench]
    else:
        inputs = [(d, package_bench(d)) for d in (DATASETS if args.all else args.dataset)]
    for _, path in inputs:
        if not os.path.isfile(path):
            raise SystemExit(f"no .bench file at {path}")
    if args.out and len(inputs) != 1:
        raise SystemExit("--out takes one input; use --out-dir for several")
    for name, path in inputs:
        out = args.out or os.path.join(args.out_dir, f"nbgraph_{name}.csv")
        export(path, out, args.verify)


if __name__ == "__main__":
    main()
