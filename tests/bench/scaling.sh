#!/usr/bin/env bash
# Measures what a second event loop costs: server CPU µs per h2 request at --workers=1 and --workers=2, same load.
#
#   tests/bench/scaling.sh [RUNS]       (default 3; runs alternate 1, 2, 1, 2, ...)
#
# Both servers are pinned to the same cores (0 and 1) and so is h2load (2 threads, 64 connections x 32 streams,
# /healthz): the machine has two cores, so no placement keeps the load generator off the server's cores; CPU time
# per request is what is compared (see lib.sh), and the ratio of medians (workers=2 / workers=1) is the result:
# 1.00 means a second loop costs nothing per request. Builds the server with --config=release first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup
FLAGS=(--feature-gates=UnauthenticatedHTTP2DOSMitigation=false)
measure_a() { bench_measure 0,1 0,1 2 /healthz --workers=1 "${FLAGS[@]}"; }
measure_b() { bench_measure 0,1 0,1 2 /healthz --workers=2 "${FLAGS[@]}"; }
bench_ab "workers=1" "workers=2" "${1:-3}"
