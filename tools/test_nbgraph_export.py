#!/usr/bin/env python3
"""Checks tools/nbgraph_export.py on a small pickle written here (no package needed).

    python3 tools/test_nbgraph_export.py      (or python3 -m pytest tools/test_nbgraph_export.py)
"""
import csv
import os
import pickle
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "nbgraph_export.py")


def record(valid, test, latency, para):
    return {"valid_perf": valid, "perf": test, "latency": latency, "para": para}


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True)


class Export(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.d = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

    def bench(self, name, content):
        path = os.path.join(self.d, name)
        with open(path, "wb") as f:
            pickle.dump(content, f)
        return path

    def test_rows_are_sorted_decoded_and_exact(self):
        path = self.bench(
            "tiny.bench",
            {
                88887: record(0.5, 0.25, 0.001, 1.3698629999999998),
                0: record(0.7733333333333334, 0.797, 0.005922238032023112, 1.736711),
                31412: record(1, 0, 2.5, 3),
            },
        )
        out = os.path.join(self.d, "tiny.csv")
        r = run("--bench", path, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            self.assertEqual(f.readline().strip(), "hash,link,ops,valid_perf,test_perf,latency,params_M")
        with open(out) as f:
            table = list(csv.DictReader(f))
        self.assertEqual([row["hash"] for row in table], ["0", "31412", "88887"])
        self.assertEqual((table[0]["link"], table[0]["ops"]), ("0-0-0-0", "gat-gat-gat-gat"))
        self.assertEqual((table[1]["link"], table[1]["ops"]), ("0-0-1-2", "gcn-sage-gcn-gin"))
        self.assertEqual((table[2]["link"], table[2]["ops"]), ("0-1-2-3", "skip-skip-skip-fc"))
        self.assertEqual(float(table[0]["valid_perf"]), 0.7733333333333334)
        self.assertEqual(table[2]["params_M"], "1.3698629999999998")
        self.assertEqual((table[1]["valid_perf"], table[1]["test_perf"]), ("1.0", "0.0"))
        self.assertEqual(sorted(os.listdir(self.d)), ["tiny.bench", "tiny.csv"])

    def test_out_dir_names_files_by_input(self):
        a = self.bench("cora.bench", {0: record(0.1, 0.2, 0.3, 0.4)})
        b = self.bench("pubmed.bench", {1: record(0.1, 0.2, 0.3, 0.4)})
        r = run("--bench", a, b, "--out-dir", self.d)
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in ["nbgraph_cora.csv", "nbgraph_pubmed.csv"]:
            self.assertTrue(os.path.isfile(os.path.join(self.d, name)), name)

    def test_bad_keys_and_records_fail_and_leave_no_file(self):
        out = os.path.join(self.d, "bad.csv")
        for content in [
            {90000: record(0, 0, 0, 0)},  # shape 9 does not exist
            {19: record(0, 0, 0, 0)},  # op digit 9 does not exist
            {88888: record(0, 0, 0, 0)},  # all skip
            {"0": record(0, 0, 0, 0)},  # not an integer
            {0: {"valid_perf": 0.1}},  # fields missing
        ]:
            path = self.bench("bad.bench", content)
            r = run("--bench", path, "--out", out)
            self.assertNotEqual(r.returncode, 0, content)
            self.assertEqual(sorted(os.listdir(self.d)), ["bad.bench"], content)
        path = self.bench("list.bench", [1, 2])
        self.assertNotEqual(run("--bench", path, "--out", out).returncode, 0)

    def test_out_takes_one_input(self):
        a = self.bench("a.bench", {0: record(0.1, 0.2, 0.3, 0.4)})
        r = run("--bench", a, a, "--out", os.path.join(self.d, "x.csv"))
        self.assertNotEqual(r.returncode, 0)


if __name__ == "__main__":
    unittest.main()
