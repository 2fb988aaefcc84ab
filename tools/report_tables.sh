#!/bin/sh
# The hardness report across every column of the shared NB201, latency and TNB101
# tables, and the accuracies of the shared NAS-Bench-Graph tables (docs/REPORT.md).
# Run from the project root; writes report-tables.html.
set -eu
DATA=${NASLAND_SHARED_DATA:-../shared/data}
cargo run --release --quiet -- report \
    --space nb201 --table "$DATA/nb201.csv" --metrics all:max \
    --space nb201 --table "$DATA/nb201_latency_ms.csv" --metrics all:min \
    --space tnb101 --table "$DATA/tnb101_micro.csv" --metrics all:max \
    --space nbgraph --table "$DATA/nbgraph_cora.csv" --metrics valid_perf:max,test_perf:max \
    --space nbgraph --table "$DATA/nbgraph_citeseer.csv" --metrics valid_perf:max,test_perf:max \
    --space nbgraph --table "$DATA/nbgraph_pubmed.csv" --metrics valid_perf:max,test_perf:max \
    --figures 3 -o "${1:-report-tables.html}"
