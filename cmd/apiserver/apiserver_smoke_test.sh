#!/usr/bin/env bash
# Smoke test of the apiserver binary: start on a free port with a fresh cert dir, `curl --http2` and `--http1.1` get
# `ok` from /healthz, SIGTERM drains and exits 0 after kube's graceful-termination lines.
set -euo pipefail
WORK="$(mktemp -d "${TEST_TMPDIR:-/tmp}/smoke.XXXXXX")"
LOG="$WORK/apiserver.log"

source "${TEST_SRCDIR}/${TEST_WORKSPACE}/cmd/apiserver/start_apiserver_for_test.sh"
PID=""
trap '[ -n "$PID" ] && kill -9 $PID 2>/dev/null || true' EXIT
start_apiserver "$LOG" --cert-dir="$WORK/certs" --workers=2 -v=1

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
