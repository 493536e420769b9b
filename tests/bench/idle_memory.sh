#!/usr/bin/env bash
# Memory per idle TLS + HTTP/2 connection, apiserve beside h2o in one run: step "d" of ../shared/peers/bench.sh
# alone (the same h2load hold script, the same RSS difference), without the throughput and handshake steps.
#
#   tests/bench/idle_memory.sh [RUNS] [CONNS]        defaults: 1 run, 2000 connections
#
# Each run starts apiserve (--config=release, --workers=1) and h2o (one thread, the peers' config) fresh on core 0,
# records the server's VmRSS, opens CONNS TLS + h2 connections from core 1 that each make one GET and then idle,
# waits 2 s, and records VmRSS again: (after - before) / accepted connections. Prints one line per server and run.
# Needs ../shared/peers/compare.sh to have run once (it writes the shared certificate and h2o.conf).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${1:-1}
CONNS=${2:-2000}
PEERS_WORK=${TMPDIR:-/tmp}/apiserve-peers
[ -s "$PEERS_WORK/cert.pem" ] && [ -s "$PEERS_WORK/h2o.conf" ] ||
  { echo "run ../shared/peers/compare.sh once first (it makes $PEERS_WORK/cert.pem and h2o.conf)" >&2; exit 2; }
(cd "$ROOT" && bazel build --config=release //cmd/apiserver:apiserver >/dev/null 2>&1)
BIN="$(cd "$ROOT" && bazel info --config=release bazel-bin 2>/dev/null)/cmd/apiserver/apiserver"
OUT=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$OUT"' EXIT
ulimit -n 65536 2>/dev/null || ulimit -n 20000

rss() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }

measure() {  # NAME PORT: the server is $SERVER
  local name=$1 port=$2 url="https://127.0.0.1:$2/healthz" before after est hold
  for _ in $(seq 100); do ss -Hltn "sport = :$port" | grep -q LISTEN && break; sleep 0.1; done
  sleep 1.5
  before=$(rss "$SERVER")
  printf '0.0\t%s\n600000.0\t%s\n' "$url" "$url" >"$OUT/hold.txt"
  taskset -c 1 h2load -c "$CONNS" -t 1 -n 2 -m 1 --timing-script-file="$OUT/hold.txt" "$url" >"$OUT/h2load.txt" 2>&1 &
  hold=$!
  for _ in $(seq 600); do grep -q '50% done' "$OUT/h2load.txt" && break; sleep 0.1; done
  sleep 2
  est=$(ss -Htnp state established "sport = :$port" | grep -c 'users:' || true)
  after=$(rss "$SERVER")
  kill "$hold" 2>/dev/null || true
  wait "$hold" 2>/dev/null || true
  awk -v n="$name" -v a="$before" -v b="$after" -v c="$est" \
    'BEGIN { printf "%-9s rss_idle=%s kB rss_conns=%s kB accepted=%s KiB/conn=%.1f\n", n, a, b, c, (c > 0) ? (b - a) / c : 0 }'
  kill -TERM "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
  sleep 1
}

for _ in $(seq "$RUNS"); do
  taskset -c 0 "$BIN" --workers=1 --bind-address=127.0.0.1 --secure-port=8446 --tls-cert-file="$PEERS_WORK/cert.pem" \
    --tls-private-key-file="$PEERS_WORK/key.pem" ${APISERVE_FLAGS:---feature-gates=UnauthenticatedHTTP2DOSMitigation=false} >"$OUT/apiserve.log" 2>&1 &
  SERVER=$!
  measure apiserve 8446
  taskset -c 0 h2o -c "$PEERS_WORK/h2o.conf" >"$OUT/h2o.log" 2>&1 &
  SERVER=$!
  measure h2o 8444
done
