#!/usr/bin/env bash
# Produces the NAS-Bench-201 tables of docs/SEARCH.md from the shared table.
#   usage: tools/search_nb201.sh [path/to/nb201.csv]   (needs jq and a release build)
# Every number printed comes from one of the nasland commands below.
set -euo pipefail
T=${1:-../shared/data/nb201.csv}
N=${NASLAND:-target/release/nasland}
COLS="c10_test_200_mean c100_test_200_mean in16_test_200_mean
c10_test_200_oneseed c100_test_200_oneseed in16_test_200_oneseed
c10v_valid_200_mean c10v_test_200_mean c10v_train_200_mean
cifar10_test_12 cifar10_val_12 cifar100_test_12 cifar100_val_12 imagenet_test_12 imagenet_val_12"

echo "## Success probability by variant (ε = 0) and exact search cost of independent restarts"
echo
echo "| column | minima | P best | P best-random-ties | P first | evals/search best | evals/search first | E[evals until found], restarts: best-random-ties | first |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in $COLS; do
  b=$($N starts --table "$T" --metric "$c" --maximize --variant best --json)
  r=$($N starts --table "$T" --metric "$c" --maximize --variant best-random-ties --json)
  f=$($N starts --table "$T" --metric "$c" --maximize --variant first --json)
  printf '| %s | %s | %.4f | %.4f | %.4f | %.1f | %.1f | %.1f | %.1f |\n' "$c" \
    "$(jq .local_minima <<<"$b")" \
    "$(jq .p_success <<<"$b")" "$(jq .p_success <<<"$r")" "$(jq .p_success <<<"$f")" \
    "$(jq .expected_evaluations <<<"$b")" "$(jq .expected_evaluations <<<"$f")" \
    "$(jq .search_cost.until_found <<<"$r")" "$(jq .search_cost.until_found <<<"$f")"
done
echo

echo "## The paper's setting: architectures evaluated until the best architecture is found"
echo
echo "Simulated with \`--variant best-random-ties --cache paper --num-init 1 --runs 10000 --seed 1\` (mean ± standard error, median, 90th percentile; no budget), beside the exact cost without a cache and the share found within the paper's 500-query budget (\`--budget 500\`)."
echo
echo "| column | simulated mean ± se | median | p90 | found within 500 | exact, no cache | restarts (exact) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for c in $COLS; do
  s=$($N simulate --table "$T" --metric "$c" --maximize --runs 10000 --seed 1 --json 2>/dev/null)
  s5=$($N simulate --table "$T" --metric "$c" --maximize --runs 10000 --seed 1 --budget 500 --json 2>/dev/null)
  printf '| %s | %.1f ± %.1f | %s | %s | %.4f | %.1f | %.3f |\n' "$c" \
    "$(jq .found.mean <<<"$s")" "$(jq .found.se <<<"$s")" "$(jq .found.median <<<"$s")" "$(jq .found.p90 <<<"$s")" \
    "$(jq .found_within_budget <<<"$s5")" \
    "$(jq .exact_independent.until_found <<<"$s")" "$(jq .exact_independent.restarts <<<"$s")"
done
echo

echo "## Noise: local minima and P(success) as σ falls (c100_test_200_mean, best, ε = 0, 100 draws, seed 1)"
echo
echo "| σ (accuracy points) | local minima mean [min, max] | P(end at the mean optimum) |"
echo "|---:|---:|---:|"
$N noise --table "$T" --metric c100_test_200_mean --maximize --sigma 2,1,0.5,0.25,0.1,0.05,0 --draws 100 --seed 1 --json \
  | jq -r '.[] | "| \(.sigma) | \(.local_minima.mean) [\(.local_minima.min), \(.local_minima.max)] | \(.p_success * 10000 | round / 10000) |"'
echo

echo "## Noise estimated from the one-seed columns (best, ε = 0, 100 draws, seed 1)"
echo
echo "| dataset | σ̂ = sd(one-seed − mean) | minima: mean column | minima: one-seed column | minima: draws at σ̂ mean [min, max] | P: mean | P: one-seed | P: draws |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for d in c10 c100 in16; do
  j=$($N noise --table "$T" --maximize --sigma-from ${d}_test_200_mean,${d}_test_200_oneseed --draws 100 --seed 1 --json)
  printf '| %s | %.4f | %s | %s | %s [%s, %s] | %.4f | %.4f | %.4f |\n' "$d" \
    "$(jq .sigma <<<"$j")" "$(jq .noiseless.local_minima <<<"$j")" "$(jq .observed_oneseed.local_minima <<<"$j")" \
    "$(jq .local_minima.mean <<<"$j")" "$(jq .local_minima.min <<<"$j")" "$(jq .local_minima.max <<<"$j")" \
    "$(jq .noiseless.p_success <<<"$j")" "$(jq .observed_oneseed.p_success <<<"$j")" "$(jq .p_success <<<"$j")"
done
