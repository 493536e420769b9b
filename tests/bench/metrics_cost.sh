#!/usr/bin/env bash
# Measures what the request metrics cost: server CPU µs per h2 request with and without --enable-request-metrics,
# side by side (runs alternate), as the bench pins it: server on core 0 with one worker, h2load on core 1
# (64 connections x 32 streams, /healthz, 8 s after a 2 s warm-up).
#
#   tests/bench/metrics_cost.sh [RUNS]   (default 5)
#
# Prints each run and the ratio of medians (with / without). Builds the server with --config=opt first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${1:-5}
bench_setup
FLAGS=(--workers=1 --feature-gates=UnauthenticatedHTTP2DOSMitigation=false)

with=()
without=()
echo "| run | with metrics µs/req (req/s) | without µs/req (req/s) |"
echo "|---|---|---|"
for run in $(seq "$RUNS"); do
  read -r us_on rps_on < <(bench_measure 0 1 1 /healthz "${FLAGS[@]}")
  read -r us_off rps_off < <(bench_measure 0 1 1 /healthz "${FLAGS[@]}" --enable-request-metrics=false)
  with+=("$us_on")
  without+=("$us_off")
  echo "| $run | $us_on ($rps_on) | $us_off ($rps_off) |"
done
m_on=$(printf '%s\n' "${with[@]}" | bench_median)
m_off=$(printf '%s\n' "${without[@]}" | bench_median)
echo
awk -v a="$m_on" -v b="$m_off" 'BEGIN { printf "median µs/req: with metrics %.2f, without %.2f; cost +%.1f%%\n", a, b, (a / b - 1) * 100 }'
