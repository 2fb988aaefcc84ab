"""Shared fixtures: the project's paths, the CLI binary, the benchmark tables.

The benchmark tables live in ../shared/data beside the project root. A missing file is
a failure naming it, never a skip: the parity tests are the point of this suite.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"


def shared_data(name: str) -> Path:
    path = DATA / name
    assert path.is_file(), (
        f"benchmark table {path} is missing: the Python tests read ../shared/data/{name} "
        "beside the project root (see ../shared/data/README.md)"
    )
    return path


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `nasland` binary cargo built (NASLAND_BIN overrides)."""
    path = Path(os.environ.get("NASLAND_BIN", ROOT / "target" / "release" / "nasland"))
    assert path.is_file(), (
        f"the nasland binary {path} is missing: run `cargo build --release` first "
        "(cargo xtask test does)"
    )
    return path


@pytest.fixture(scope="session")
def run_json(cli):
    """Runs the CLI with arguments and returns its JSON output."""

    def run(*args: str) -> dict:
        out = subprocess.run([str(cli), *args], capture_output=True, text=True, check=False)
        assert out.returncode == 0, f"nasland {' '.join(args)} failed:\n{out.stderr}"
        return json.loads(out.stdout)

    return run


@pytest.fixture(scope="session")
def nb201_csv() -> Path:
    return shared_data("nb201.csv")


@pytest.fixture(scope="session")
def tnb101_csv() -> Path:
    return shared_data("tnb101_micro.csv")


@pytest.fixture(scope="session")
def nb201_df(nb201_csv) -> pd.DataFrame:
    return pd.read_csv(nb201_csv)


@pytest.fixture(scope="session")
def tnb101_df(tnb101_csv) -> pd.DataFrame:
    return pd.read_csv(tnb101_csv)
