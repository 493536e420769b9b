#!/usr/bin/env bash
# Issue 16 #4: how much memory the server keeps after spikes of connections. Starts the server, reads its RSS idle,
# then ROUNDS times opens CONNECTIONS TLS (h2) connections at once with h2load (one request each), closes them, and
# reads the RSS right after and once the loops' idle trim has run (--idle-trim-delay is 1 s: read 3 s later).
#
#   tests/adversarial/rss_after_spike.sh [BINARY] [ROUNDS] [CONNECTIONS]
#
# BINARY defaults to the --config=release build of //cmd/apiserver:apiserver (built first). Prints one line per reading (RSS
# in MB from /proc/PID/status VmRSS). Not a test: the figures go in notes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-}
ROUNDS=${2:-5}
CONNECTIONS=${3:-2000}
if [ -z "$BIN" ]; then
  (cd "$root" && bazel build --config=release //cmd/apiserver:apiserver >/dev/null 2>&1)
  BIN="$(cd "$root" && bazel info --config=release bazel-bin 2>/dev/null)/cmd/apiserver/apiserver"
fi
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
ulimit -n "$(ulimit -Hn)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1
port=$((20000 + RANDOM % 20000))
"$BIN" --bind-address=127.0.0.1 --secure-port="$port" --tls-cert-file="$WORK/cert.pem" \
  --tls-private-key-file="$WORK/key.pem" --feature-gates=UnauthenticatedHTTP2DOSMitigation=false \
  >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do grep -q "Serving securely" "$WORK/server.log" && break; sleep 0.1; done
rss() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER/status"; }
sleep 2
echo "idle: $(rss) MB"
for round in $(seq "$ROUNDS"); do
  out=$(h2load -c "$CONNECTIONS" -n "$CONNECTIONS" -t 2 "https://127.0.0.1:$port/healthz" 2>&1)
  ok=$(echo "$out" | awk '/^requests:/ {print $8}')
  now=$(rss)
  sleep 3
  echo "round $round: $ok/$CONNECTIONS requests ok; RSS $now MB right after, $(rss) MB 3 s later"
done
