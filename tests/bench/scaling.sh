#!/usr/bin/env bash
# Measures what a second event loop costs: server CPU µs per h2 request at --workers=1 and --workers=2, same load.
#
#   tests/bench/scaling.sh [RUNS]       (default 3; runs alternate 1, 2, 1, 2, ...)
#
# Both servers are pinned to the same cores (0 and 1) and so is h2load (2 threads, 64 connections x 32 streams,
# /healthz): the machine has two cores, so no placement keeps the load generator off the server's cores; CPU time
# per request (utime + stime of the server process over the measured window, from /proc) is what is compared, and
# the ratio of medians (workers=2 / workers=1) is the result: 1.00 means a second loop costs nothing per request.
# Builds the server with --config=opt first.
set -euo pipefail

RUNS=${1:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
bazel build --config=opt //server:apiserver >/dev/null 2>&1
BIN="$(bazel info --config=opt bazel-bin 2>/dev/null)/server/apiserver"
WORK=$(mktemp -d)
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# measure WORKERS: prints "<µs per request> <req/s>"
measure() {
  local port=$((20000 + RANDOM % 20000))
  taskset -c 0,1 "$BIN" --workers="$1" --bind-address=127.0.0.1 --secure-port="$port" \
    --tls-cert-file="$WORK/cert.pem" --tls-private-key-file="$WORK/key.pem" \
    --feature-gates=UnauthenticatedHTTP2DOSMitigation=false >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 50); do grep -q "Serving securely" "$WORK/server.log" && break; sleep 0.1; done
  local url="https://127.0.0.1:$port/healthz"
  taskset -c 0,1 h2load -c 64 -m 32 -t 2 -D 2 "$url" >/dev/null 2>&1  # warm-up
  local before after
  before=$(ticks "$SERVER")
  local out
  out=$(taskset -c 0,1 h2load -c 64 -m 32 -t 2 -D 8 "$url" 2>&1)
  after=$(ticks "$SERVER")
  kill "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
  local done_requests rps
  done_requests=$(echo "$out" | awk '/^requests:/{print $8}')
  rps=$(echo "$out" | awk '/^finished in/{print $4}')
  awk -v t=$((after - before)) -v n="$done_requests" -v hz="$(getconf CLK_TCK)" -v rps="$rps" \
    'BEGIN { printf "%.2f %s\n", t / hz * 1e6 / n, rps }'
}

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

one=()
two=()
echo "| run | workers=1 µs/req (req/s) | workers=2 µs/req (req/s) |"
echo "|---|---|---|"
for run in $(seq "$RUNS"); do
  read -r us1 rps1 < <(measure 1)
  read -r us2 rps2 < <(measure 2)
  one+=("$us1")
  two+=("$us2")
  echo "| $run | $us1 ($rps1) | $us2 ($rps2) |"
done
m1=$(printf '%s\n' "${one[@]}" | median)
m2=$(printf '%s\n' "${two[@]}" | median)
echo
awk -v a="$m1" -v b="$m2" 'BEGIN { printf "median µs/req: workers=1 %.2f, workers=2 %.2f; ratio workers=2/workers=1 = %.2f\n", a, b, b / a }'
