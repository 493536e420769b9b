#!/usr/bin/env bash
# Smoke test of the apiserver binary: start on a free port with a fresh cert dir, `curl --http2` and `--http1.1` get
# `ok` from /healthz, SIGTERM drains and exits 0 after kube's graceful-termination lines.
set -euo pipefail
BIN="${TEST_SRCDIR}/${TEST_WORKSPACE}/server/apiserver"
WORK="$(mktemp -d "${TEST_TMPDIR:-/tmp}/smoke.XXXXXX")"
LOG="$WORK/apiserver.log"

# kube rejects --secure-port=0, so take a free port from the kernel first.
FREE_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
: >"$LOG"  # exists before the background start opens it: the polling below must not race its creation
"$BIN" --secure-port="$FREE_PORT" --bind-address=127.0.0.1 --cert-dir="$WORK/certs" --workers=2 -v=1 2>"$LOG" &
PID=$!
trap 'kill -9 $PID 2>/dev/null || true' EXIT

PORT=""
for _ in $(seq 1 100); do
  PORT=$(sed -n 's/.*Serving securely on .*:\([0-9][0-9]*\)$/\1/p' "$LOG" | head -1)
  [ -n "$PORT" ] && break
  sleep 0.05
done
[ -n "$PORT" ] || { echo "server did not start:"; cat "$LOG"; exit 1; }

fail() { echo "FAIL: $*"; cat "$LOG"; exit 1; }
H2=$(curl -sk --http2 --max-time 10 -w ' %{http_version}' "https://127.0.0.1:$PORT/healthz")
[ "$H2" = "ok 2" ] || fail "h2 /healthz: '$H2'"
H1=$(curl -sk --http1.1 --max-time 10 -w ' %{http_version}' "https://127.0.0.1:$PORT/healthz")
[ "$H1" = "ok 1.1" ] || fail "h1 /healthz: '$H1'"
[ -f "$WORK/certs/apiserver.crt" ] && [ -f "$WORK/certs/apiserver.key" ] || fail "no self-signed pair in --cert-dir"

kill -TERM $PID
STATUS=0
wait $PID || STATUS=$?
trap - EXIT
[ "$STATUS" -eq 0 ] || fail "exit status $STATUS after SIGTERM"
for line in '"\[graceful-termination\] shutdown event" name="ShutdownInitiated"' \
            '"\[graceful-termination\] shutdown event" name="NotAcceptingNewRequest"' \
            '"\[graceful-termination\] shutdown event" name="InFlightRequestsDrained"' \
            '\[graceful-termination\] apiserver is exiting'; do
  grep -q "$line" "$LOG" || fail "missing log line: $line"
done
echo "PASS: h2 and h1 /healthz ok on port $PORT, SIGTERM exit 0"
