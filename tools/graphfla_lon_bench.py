#!/usr/bin/env python3
"""Times GraphFLA's exhaustive LON on K^D with iid uniform losses, for BENCHMARKS.md.

Run it in a scratch virtual environment, never the project's (GraphFLA is not a
dependency of nasland):

    python3 -m venv /tmp/gfvenv && /tmp/gfvenv/bin/pip install graphfla
    /usr/bin/time -v /tmp/gfvenv/bin/python tools/graphfla_lon_bench.py --k 5 --d 8

It builds the landscape (Hamming-1 neighbours over categorical positions), then the LON
with GraphFLA's defaults, and prints the seconds of each step and the LON's size. The
losses are iid uniform (numpy, --seed), minimised, as `nasland lon --space K^D
--synthetic uniform` draws them (not the same draws: the comparison is of cost).
"""

import argparse
import itertools
import time

import numpy as np
import pandas as pd


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--d", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    from graphfla.landscape import Landscape

    t0 = time.perf_counter()
    X = pd.DataFrame(
        list(itertools.product(range(args.k), repeat=args.d)),
        columns=[f"x{i}" for i in range(args.d)],
    )
    f = np.random.default_rng(args.seed).random(len(X))
    land = Landscape(maximize=False)
    land.build_from_data(X, f, data_types={c: "categorical" for c in X.columns}, verbose=False)
    t1 = time.perf_counter()
    lon = land.get_lon(verbose=False)
    t2 = time.perf_counter()
    print(f"vertices {len(X)}; local optima {len(land.lo_index) if hasattr(land, 'lo_index') else '?'}")
    print(f"LON nodes {lon.vcount()}, edges {lon.ecount()}")
    print(f"landscape build {t1 - t0:.1f} s, LON {t2 - t1:.1f} s, total {t2 - t0:.1f} s")


if __name__ == "__main__":
    main()
