#!/usr/bin/env python3
"""Independent Python reference for the NAS-Bench-101 module hash (test fixture maker).

Writes tests/data/nb101_hash_reference.csv: random 7-vertex specs (upper-triangular
matrix + ops, before pruning) with the module hash the official `nasbench` code gives
them. It re-implements, in plain Python and without the `nasbench` package, what
`ModelSpec` (pruning) and `graph_util.hash_module` (hashing) do, so that Python's own
`str()` of tuples and lists -- which the official hash feeds to MD5 -- is the oracle for
the Rust implementation's text formatting.

    python3 tools/nb101_hash_reference.py > tests/data/nb101_hash_reference.csv

Deterministic (fixed seed). Needs only the standard library.
"""
import hashlib
import random
import sys

OPS = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]


def prune(matrix, ops):
    """Drops vertices not both reachable from the input and reaching the output."""
    n = len(matrix)
    fwd, stack = {0}, [0]
    while stack:
        u = stack.pop()
        for v in range(n):
            if matrix[u][v] and v not in fwd:
                fwd.add(v)
                stack.append(v)
    bwd, stack = {n - 1}, [n - 1]
    while stack:
        v = stack.pop()
        for u in range(n):
            if matrix[u][v] and u not in bwd:
                bwd.add(u)
                stack.append(u)
    keep = sorted(fwd & bwd)
    if 0 not in keep or n - 1 not in keep:
        return None
    return [[matrix[u][v] for v in keep] for u in keep], [ops[v] for v in keep]


def module_hash(matrix, ops):
    n = len(matrix)
    labels = [-1] + [OPS.index(o) for o in ops[1:-1]] + [-2]
    md5 = lambda s: hashlib.md5(s.encode("utf-8")).hexdigest()
    outs = [sum(matrix[v]) for v in range(n)]
    ins = [sum(matrix[u][v] for u in range(n)) for v in range(n)]
    h = [md5(str((outs[v], ins[v], labels[v]))) for v in range(n)]
    for _ in range(n):
        h = [
            md5(
                "".join(sorted(h[u] for u in range(n) if matrix[u][v]))
                + "|"
                + "".join(sorted(h[w] for w in range(n) if matrix[v][w]))
                + "|"
                + h[v]
            )
            for v in range(n)
        ]
    return md5(str(sorted(h)))


def main():
    rng = random.Random(20240607)
    out = sys.stdout
    out.write("matrix,ops,hash\n")
    written = 0
    while written < 400:
        n = rng.randint(2, 7)
        density = rng.uniform(0.2, 0.7)
        matrix = [[int(v > u and rng.random() < density) for v in range(n)] for u in range(n)]
        ops = ["input"] + [rng.choice(OPS) for _ in range(n - 2)] + ["output"]
        pruned = prune(matrix, ops)
        if pruned is None or sum(map(sum, pruned[0])) > 9:
            continue
        rows = "/".join("".join(map(str, r)) for r in matrix)
        out.write(f"{rows},{' '.join(ops)},{module_hash(*pruned)}\n")
        written += 1


if __name__ == "__main__":
    main()
