#!/usr/bin/env bash
# Measures what the request metrics cost: server CPU µs per h2 request with and without --enable-request-metrics,
# side by side (runs alternate), as the bench pins it: server on core 0 with one worker, h2load on core 1
# (64 connections x 32 streams, /healthz, 8 s after a 2 s warm-up).
#
#   tests/bench/metrics_cost.sh [RUNS]   (default 5)
#
# Prints each run and the ratio of medians (without / with). Builds the server with --config=release first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup
FLAGS=(--workers=1 --feature-gates=UnauthenticatedHTTP2DOSMitigation=false)
measure_a() { bench_measure 0 1 1 /healthz "${FLAGS[@]}" --enable-request-metrics=false; }
measure_b() { bench_measure 0 1 1 /healthz "${FLAGS[@]}"; }
bench_ab "without request metrics" "with request metrics" "${1:-5}"
