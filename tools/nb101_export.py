#!/usr/bin/env python3
"""Export NAS-Bench-101 accuracies to a CSV keyed by module hash, for `nasland pack`.

Reads the official record file through the official `nasbench` API and writes one row
per cell (423,624 rows for the full space), sorted by module hash -- the same order as
nasland's vertex ids:

    hash, num_vertices, num_edges, params,
    val_acc_0, val_acc_1, val_acc_2, val_acc_mean,
    test_acc_0, test_acc_1, test_acc_2, test_acc_mean,
    train_time_mean

at the requested epoch budget (default 108). `_0.._2` are the benchmark's three
independent training runs of each cell in the order the record file stores them; `_mean`
is their arithmetic mean. Accuracies are fractions in [0, 1] (`final_validation_accuracy`,
`final_test_accuracy`), written with Python's `repr`, which round-trips every value
exactly.

Usage (the record file is `nasbench_only108.tfrecord` or `nasbench_full.tfrecord` from the
benchmark's release; the `nasbench` package is google-research/nasbench, installed with
`pip install` from its repository, and needs TensorFlow):

    python3 tools/nb101_export.py --record nasbench_only108.tfrecord --out nb101_108.csv
    nasland pack --space nb101 --table nb101_108.csv --key hash -o nb101.nasl

The output is written to a temporary file beside --out and renamed into place only when
complete. With --verify, every hash is recomputed from the stored matrix and operations
with the API's own `ModelSpec.hash_spec` and must match the record's key.
"""
import argparse
import os
import sys
import tempfile

COLUMNS = [
    "hash",
    "num_vertices",
    "num_edges",
    "params",
    "val_acc_0",
    "val_acc_1",
    "val_acc_2",
    "val_acc_mean",
    "test_acc_0",
    "test_acc_1",
    "test_acc_2",
    "test_acc_mean",
    "train_time_mean",
]
RUNS = 3


def load_api(record):
    """Opens the record file with the official API (TensorFlow 1.x, or 2.x via compat)."""
    import tensorflow as tf

    if not hasattr(tf, "python_io"):
        # The official API reads records with tf.python_io, which TensorFlow 2 moved.
        tf.python_io = tf.compat.v1.python_io
    from nasbench import api

    return api, api.NASBench(record)


def rows(api, nb, epochs, verify):
    available_ops = nb.config["available_ops"]
    for module_hash in sorted(nb.hash_iterator()):
        fixed, computed = nb.get_metrics_from_hash(module_hash)
        runs = computed.get(epochs)
        if runs is None:
            raise SystemExit(
                f"cell {module_hash} has no runs at {epochs} epochs "
                f"(the record file has {sorted(computed)}); choose --epochs from those"
            )
        if len(runs) != RUNS:
            raise SystemExit(f"cell {module_hash} has {len(runs)} runs at {epochs} epochs, expected {RUNS}")
        matrix = fixed["module_adjacency"]
        ops = fixed["module_operations"]
        if verify:
            spec = api.ModelSpec(matrix=matrix, ops=ops)
            again = spec.hash_spec(available_ops)
            if again != module_hash:
                raise SystemExit(f"record key {module_hash} but its cell hashes to {again}")
        val = [r["final_validation_accuracy"] for r in runs]
        test = [r["final_test_accuracy"] for r in runs]
        time = [r["final_training_time"] for r in runs]
        yield [
            module_hash,
            len(ops),
            int(matrix.sum()),
            fixed["trainable_parameters"],
            *val,
            sum(val) / RUNS,
            *test,
            sum(test) / RUNS,
            sum(time) / RUNS,
        ]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--record", required=True, help="official NAS-Bench-101 .tfrecord file")
    p.add_argument("--out", required=True, help="CSV file to write")
    p.add_argument("--epochs", type=int, default=108, help="epoch budget (108; 4, 12, 36 in the full file)")
    p.add_argument("--verify", action="store_true", help="recompute every hash with the official API")
    args = p.parse_args()

    if not os.path.isfile(args.record):
        raise SystemExit(f"no record file at {args.record}")
    api, nb = load_api(args.record)
    out_dir = os.path.dirname(os.path.abspath(args.out))
    fd, tmp = tempfile.mkstemp(prefix=".nb101_export.", suffix=".csv", dir=out_dir)
    count = 0
    try:
        with os.fdopen(fd, "w", newline="") as f:
            f.write(",".join(COLUMNS) + "\n")
            for row in rows(api, nb, args.epochs, args.verify):
                f.write(",".join(x if isinstance(x, str) else repr(x) for x in row) + "\n")
                count += 1
        os.replace(tmp, args.out)
    except BaseException:
        os.unlink(tmp)
        raise
    print(f"wrote {count} cells to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
