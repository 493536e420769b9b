#!/usr/bin/env bash
# Benchmarks apiserve beside the Go reference server (goseed) and h2o in one run, with ../shared/peers/compare.sh:
# every server pinned to core 0, load generators on core 1; h2 (h2load 64 conns x 32 streams) and h1 (wrk) CPU per
# request and latency, full TLS handshakes, KiB per idle TLS+h2 connection. Ratios between the rows are the result;
# absolute figures move with the machine's load.
#
# Then one more row, apiserve only: server CPU per *authenticated* HTTP/2 request (/healthz with a bearer token through
# the token-file authenticator, what real clients send), beside the table's anonymous h2 figure (which needs
# UnauthenticatedHTTP2DOSMitigation=false, or it measures kube's GOAWAY to anonymous clients).
#
#   tests/bench/compare.sh [RUNS] [TARGETS...]     e.g. tests/bench/compare.sh 2 apiserve goseed h2o
#
# It builds the server with --config=release first. Needs root to install the peers' packages the first time.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS=${APISERVE_PEERS:-$ROOT/../shared/peers}
[ -x "$PEERS/compare.sh" ] || { echo "compare.sh not found under $PEERS (set APISERVE_PEERS)" >&2; exit 2; }

cd "$ROOT"
bazel build --config=release //cmd/apiserver:apiserver
BIN="$(bazel info --config=release bazel-bin)/cmd/apiserver/apiserver"

# compare.sh runs ./bazel-bin/server/apiserver from its working directory: give it a directory whose bazel-bin is
# the optimized build, whatever configuration the workspace's own bazel-bin symlink points at.
PEERS_WORK=$(mktemp -d)
trap 'rm -rf "$PEERS_WORK"' EXIT
mkdir -p "$PEERS_WORK/bazel-bin/server"
ln -s "$BIN" "$PEERS_WORK/bazel-bin/server/apiserver"
# The table's h2 load generator is anonymous: without this gate apiserve answers it with kube's GOAWAY to anonymous
# HTTP/2 clients, and the h2 and memory cells measure that instead of the server. APISERVE_FLAGS overrides it.
(cd "$PEERS_WORK" &&
  APISERVE_FLAGS="${APISERVE_FLAGS-"--feature-gates=UnauthenticatedHTTP2DOSMitigation=false"}" \
    "$PEERS/compare.sh" "${1:-1}" "${@:2}")
rm -rf "$PEERS_WORK"

# shellcheck source=tests/bench/lib.sh
source "$ROOT/tests/bench/lib.sh"
bench_setup
echo 'bench-token,bench,uid-bench,"system:authenticated"' >"$WORK/tokens.csv"
echo
echo "| apiserve, authenticated h2 (bearer token, /healthz) | server µs / h2 req | req/s |"
echo "|---|---|---|"
for _ in $(seq "${1:-1}"); do
  read -r us rps < <(BENCH_AUTH_HEADER="Authorization: Bearer bench-token" \
    bench_measure 0 1 1 /healthz --token-auth-file="$WORK/tokens.csv")
  echo "| | $us | $rps |"
done
