#!/usr/bin/env bash
# A/B of two server binaries (e.g. the optimized build of two commits), in alternating rounds of the same loads:
# server CPU per HTTP/2 request (h2load 64 connections x 32 streams, anonymous, UnauthenticatedHTTP2DOSMitigation
# off as in the peers' table), per HTTP/1.1 request (wrk, 64 connections) and per full TLS handshake (batches of
# h2load -c 500 -n 500 -m 1: every connection a new client, one GET, close). Each figure is the server's utime + stime
# (from /proc) over the load, divided by what the load completed; the script prints every round and the medians.
# Alternating rounds and medians are what make a few-percent difference visible on a noisy 2-core machine.
#
#   tests/bench/ab_binaries.sh BIN_A BIN_B [ROUNDS]       (ROUNDS default 5; server on core 0, load on core 1)
#
# To get BIN_A for an older commit: `git worktree add /tmp/old <rev>` and `bazel build --config=release
# //cmd/apiserver:apiserver` there, then copy $(bazel info --config=release bazel-bin)/cmd/apiserver/apiserver out.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,12p' "$0"; exit 2; }
A=$1 B=$2 ROUNDS=${3:-5}
source "$(dirname "$0")/lib.sh"  # bench_median
WORK=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1
HZ=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# one_round BIN LABEL: appends "h2 h1 hs" (µs) to $WORK/LABEL.
one_round() {
  local bin=$1 label=$2 port=$((20000 + RANDOM % 20000))
  taskset -c 0 "$bin" --workers=1 --bind-address=127.0.0.1 --secure-port="$port" --tls-cert-file="$WORK/cert.pem" \
    --tls-private-key-file="$WORK/key.pem" --feature-gates=UnauthenticatedHTTP2DOSMitigation=false \
    >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 50); do grep -q "Serving securely" "$WORK/server.log" && break; sleep 0.1; done
  local url="https://127.0.0.1:$port/healthz" t0 t1 n h2 h1 hs
  taskset -c 1 h2load -c 64 -m 32 -t 1 -n 200000 "$url" >/dev/null 2>&1  # warm-up
  t0=$(ticks "$SERVER")
  n=$(taskset -c 1 h2load -c 64 -m 32 -t 1 -n 1000000 "$url" 2>&1 | awk '/^requests:/{print $8}')
  t1=$(ticks "$SERVER")
  h2=$(awk -v t=$((t1 - t0)) -v n="$n" -v hz="$HZ" 'BEGIN{printf "%.3f", t / hz * 1e6 / n}')
  t0=$(ticks "$SERVER")
  n=$(taskset -c 1 wrk -t1 -c64 -d5s "$url" 2>&1 | awk '/requests in/{print $1}')
  t1=$(ticks "$SERVER")
  h1=$(awk -v t=$((t1 - t0)) -v n="$n" -v hz="$HZ" 'BEGIN{printf "%.3f", t / hz * 1e6 / n}')
  t0=$(ticks "$SERVER")
  n=0
  for _ in $(seq 8); do
    n=$((n + $(taskset -c 1 h2load -c 500 -n 500 -m 1 -t 1 "$url" 2>&1 | awk '/^requests:/{print $8}')))
  done
  t1=$(ticks "$SERVER")
  hs=$(awk -v t=$((t1 - t0)) -v n="$n" -v hz="$HZ" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}')
  kill "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
  echo "$h2 $h1 $hs" >>"$WORK/$label"
  printf "round %-3s %s  h2 %s us/req  h1 %s us/req  handshake %s us\n" "$3" "$label" "$h2" "$h1" "$hs"
}

ulimit -n 65536 2>/dev/null || true
for r in $(seq "$ROUNDS"); do
  one_round "$A" A "$r"
  one_round "$B" B "$r"
done
for label in A B; do
  printf "median %s  h2 %s  h1 %s  handshake %s\n" "$label" \
    "$(awk '{print $1}' "$WORK/$label" | bench_median)" "$(awk '{print $2}' "$WORK/$label" | bench_median)" \
    "$(awk '{print $3}' "$WORK/$label" | bench_median)"
done
