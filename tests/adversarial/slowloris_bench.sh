#!/bin/bash
# slowloris_bench.sh: latency of a normal client while ~1000 TLS connections trickle header bytes.
#
#   tests/adversarial/slowloris_bench.sh [connections] [seconds]
#
# Builds //cmd/apiserver:apiserver, starts it on a free 127.0.0.1 port with --read-header-timeout=500ms, runs
# clients.py slowloris (which keeps a normal /healthz client running on fresh connections), and prints p50/p99/max
# of the normal client with and without the attack. Figures only: the tests assert behaviour, not latency.
set -euo pipefail
cd "$(dirname "$0")/../.."
connections="${1:-1000}"
seconds="${2:-20}"
bazel build //cmd/apiserver:apiserver >/dev/null 2>&1
dir="$(mktemp -d)"
port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
bazel-bin/cmd/apiserver/apiserver --bind-address=127.0.0.1 --secure-port="$port" --cert-dir="$dir/certs" \
  --read-header-timeout=500ms >"$dir/log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do grep -q "Serving securely on" "$dir/log" && break; sleep 0.1; done
echo "baseline (10 connections):"
/usr/bin/python3 tests/adversarial/clients.py slowloris --port "$port" --connections 10 --seconds 3
echo "under slowloris ($connections connections):"
/usr/bin/python3 tests/adversarial/clients.py slowloris --port "$port" --connections "$connections" --seconds "$seconds"
grep -E "VmRSS|VmHWM" "/proc/$pid/status"
