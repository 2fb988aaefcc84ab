#!/usr/bin/env python3
"""Checks tools/nb101_export.py against a stand-in for the official API (no data needed).

    python3 tools/test_nb101_export.py
"""
import csv
import os
import subprocess
import sys
import tempfile
import textwrap

FAKE = textwrap.dedent(
    '''
    # Stand-ins: tensorflow (2.x layout) and nasbench.api with two cells.
    import sys, types
    tf = types.ModuleType("tensorflow")
    tf.compat = types.SimpleNamespace(v1=types.SimpleNamespace(python_io=object()))
    sys.modules["tensorflow"] = tf

    class Matrix(list):
        def sum(self):
            return sum(map(sum, self))

    def run(v, t):
        return {"final_validation_accuracy": v, "final_test_accuracy": t, "final_training_time": 10.0}

    CELLS = {
        "ff00": ({"module_adjacency": Matrix([[0, 1], [0, 0]]), "module_operations": ["input", "output"],
                  "trainable_parameters": 5}, {108: [run(0.1, 0.2), run(0.3, 0.4), run(0.5, 0.6)]}),
        "0a11": ({"module_adjacency": Matrix([[0, 1, 0], [0, 0, 1], [0, 0, 0]]),
                  "module_operations": ["input", "maxpool3x3", "output"], "trainable_parameters": 7},
                 {108: [run(0.7, 0.8), run(0.9, 0.91), run(0.92, 0.93)]}),
    }

    class NASBench:
        config = {"available_ops": ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]}
        def __init__(self, path):
            assert tf.python_io is tf.compat.v1.python_io
        def hash_iterator(self):
            return CELLS.keys()
        def get_metrics_from_hash(self, h):
            return CELLS[h]

    class ModelSpec:
        def __init__(self, matrix, ops):
            self.ops = ops
        def hash_spec(self, ops):
            return "ff00" if len(self.ops) == 2 else "0a11"

    nasbench = types.ModuleType("nasbench")
    api = types.ModuleType("nasbench.api")
    api.NASBench, api.ModelSpec = NASBench, ModelSpec
    nasbench.api = api
    sys.modules["nasbench"], sys.modules["nasbench.api"] = nasbench, api
    '''
)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "sitecustomize.py"), "w") as f:
            f.write(FAKE)
        record = os.path.join(d, "fake.tfrecord")
        open(record, "w").close()
        out = os.path.join(d, "out.csv")
        env = dict(os.environ, PYTHONPATH=d)
        cmd = [sys.executable, os.path.join(here, "nb101_export.py"), "--record", record, "--out", out, "--verify"]
        subprocess.run(cmd, check=True, env=env)
        with open(out) as f:
            table = list(csv.DictReader(f))
        assert [r["hash"] for r in table] == ["0a11", "ff00"], table  # sorted by hash
        first = table[0]
        assert first["num_vertices"] == "3" and first["num_edges"] == "2" and first["params"] == "7"
        assert float(first["val_acc_1"]) == 0.9 and float(first["test_acc_2"]) == 0.93
        assert float(first["val_acc_mean"]) == (0.7 + 0.9 + 0.92) / 3
        assert float(table[1]["test_acc_mean"]) == (0.2 + 0.4 + 0.6) / 3
        assert sorted(os.listdir(d)) == ["__pycache__", "fake.tfrecord", "out.csv", "sitecustomize.py"] or sorted(
            os.listdir(d)
        ) == ["fake.tfrecord", "out.csv", "sitecustomize.py"], os.listdir(d)
        bad = subprocess.run(cmd[:-1] + ["--epochs", "36"], env=env, capture_output=True, text=True)
        assert bad.returncode != 0 and "36 epochs" in bad.stderr, bad.stderr
    print("nb101_export.py: ok")


if __name__ == "__main__":
    main()
