#!/usr/bin/env bash
# Measures what a second event loop costs: server CPU µs per h2 request at --workers=1 and --workers=2, same load.
#
#   tests/bench/scaling.sh [RUNS]       (default 3; runs alternate 1, 2, 1, 2, ...)
#
# Both servers are pinned to the same cores (0 and 1) and so is h2load (2 threads, 64 connections x 32 streams,
# /healthz): the machine has two cores, so no placement keeps the load generator off the server's cores; CPU time
# per request is what is compared (see lib.sh), and the ratio of medians (workers=2 / workers=1) is the result:
# 1.00 means a second loop costs nothing per request. Builds the server with --config=opt first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS=${1:-3}
bench_setup
FLAGS=(--feature-gates=UnauthenticatedHTTP2DOSMitigation=false)

one=()
two=()
echo "| run | workers=1 µs/req (req/s) | workers=2 µs/req (req/s) |"
echo "|---|---|---|"
for run in $(seq "$RUNS"); do
  read -r us1 rps1 < <(bench_measure 0,1 0,1 2 /healthz --workers=1 "${FLAGS[@]}")
  read -r us2 rps2 < <(bench_measure 0,1 0,1 2 /healthz --workers=2 "${FLAGS[@]}")
  one+=("$us1")
  two+=("$us2")
  echo "| $run | $us1 ($rps1) | $us2 ($rps2) |"
done
m1=$(printf '%s\n' "${one[@]}" | bench_median)
m2=$(printf '%s\n' "${two[@]}" | bench_median)
echo
awk -v a="$m1" -v b="$m2" 'BEGIN { printf "median µs/req: workers=1 %.2f, workers=2 %.2f; ratio workers=2/workers=1 = %.2f\n", a, b, b / a }'
