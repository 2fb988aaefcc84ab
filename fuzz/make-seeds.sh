#!/bin/sh
# Writes the seed corpus of the `read_table` fuzz target (fuzz/corpus/read_table/,
# committed, as are the seeds of csv_import and cli_args): small valid tables of every shape — fixed and
# varying degree, product/string/id keys, f32 and f64 columns, zstd-compressed.
# Usage (from the repository root): sh fuzz/make-seeds.sh
set -eu
cargo build --release --quiet
nasland=target/release/nasland
out=fuzz/corpus/read_table
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
{
    echo "arch,acc,lat"
    for b in 0 1 2 3; do for a in 0 1 2; do
        echo "$a-$b,$(( (a * 7 + b * 3) % 5 )).5,$a.$b"
    done; done
} > "$tmp/small.csv"
printf 'a,b\n0-0,1-0\n1-0,2-0\n0-0,0-1\n0-1,0-2\n2-2,2-3\n1-1,2-2\n' > "$tmp/edges.csv"
$nasland pack --space 3x4 --table "$tmp/small.csv" --maximize acc -o "$out/product.nasl"
$nasland pack --space 3x4 --table "$tmp/small.csv" --zstd -o "$out/product.nasl.zst"
$nasland pack --edges "$tmp/edges.csv" --table "$tmp/small.csv" --key arch -o "$out/edges.nasl"
$nasland pack --random-regular 16,3 --seed 2 -o "$out/rr.nasl"
$nasland pack --space 2^3 -o "$out/cube.nasl"
