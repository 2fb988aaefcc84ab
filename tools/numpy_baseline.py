#!/usr/bin/env python3
"""Vectorised numpy baseline of nasland's core pass, for BENCHMARKS.md.

Computes, for iid uniform losses on a k^d product space, the same things as
`nasland analyze --space k^d --synthetic uniform`: LS(v) for every vertex (best
neighbour by (loss, id), moved to only if strictly better), LS* by pointer jumping,
path lengths, basin sizes and the local-minima count. The losses differ from nasland's
(numpy's generator, not ChaCha), so compare times, and counts only statistically.

Usage: python3 tools/numpy_baseline.py 5 9 [--seed 1]
"""
import argparse
import time

import numpy as np


def analyse(k: int, d: int, seed: int):
    n = k**d
    t0 = time.perf_counter()
    loss = np.random.default_rng(seed).random(n)
    ids = np.arange(n, dtype=np.int64)
    cube = loss.reshape((k,) * d)  # C order: axis d-1-i is digit i
    idcube = ids.reshape((k,) * d)
    best_loss = np.full(cube.shape, np.inf)
    best_id = np.full(cube.shape, n, dtype=np.int64)
    for axis in range(d):
        for shift in range(1, k):
            nl = np.roll(cube, shift, axis=axis)
            ni = np.roll(idcube, shift, axis=axis)
            better = (nl < best_loss) | ((nl == best_loss) & (ni < best_id))
            best_loss = np.where(better, nl, best_loss)
            best_id = np.where(better, ni, best_id)
    best_loss = best_loss.reshape(n)
    best_id = best_id.reshape(n)
    ls = np.where(best_loss < loss, best_id, ids)
    minima = int(np.count_nonzero(ls == ids))
    # LS* and path lengths by pointer jumping.
    target = ls.copy()
    steps = (ls != ids).astype(np.int64)
    while True:
        nxt = target[target]
        if np.array_equal(nxt, target):
            break
        steps = steps + steps[target]
        target = nxt
    basin = np.bincount(target, minlength=n)
    elapsed = time.perf_counter() - t0
    return elapsed, minima, float(steps.mean()), int(steps.max()), int(basin.max())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("k", type=int)
    p.add_argument("d", type=int)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    elapsed, minima, mean, mx, big = analyse(a.k, a.d, a.seed)
    s = a.d * (a.k - 1)
    print(f"{a.k}^{a.d}: {elapsed:.3f} s, local minima {minima} (iid expectation {a.k**a.d / (s + 1):.1f}), "
          f"path mean {mean:.3f} max {mx}, largest basin {big}")


if __name__ == "__main__":
    main()
