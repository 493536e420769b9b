#!/usr/bin/env bash
# End-to-end observability test of the apiserver binary: requests move the counters, /metrics and /metrics/slis
# pass `promtool check metrics`, specific series are there, PUT /debug/flags/v turns the -v=3 access log on, and
# /version carries kube's version.Info fields.
set -euo pipefail
WORK="$(mktemp -d "${TEST_TMPDIR:-/tmp}/metrics.XXXXXX")"
LOG="$WORK/apiserver.log"
PROMTOOL="${PROMTOOL:-/usr/bin/promtool}"
[ -x "$PROMTOOL" ] || { echo "promtool not found (apt-get install prometheus; see tools/bootstrap.sh)"; exit 1; }

source "${TEST_SRCDIR}/${TEST_WORKSPACE}/cmd/apiserver/start_apiserver_for_test.sh"
PID=""
trap '[ -n "$PID" ] && kill -9 $PID 2>/dev/null || true' EXIT
start_apiserver "$LOG" --cert-dir="$WORK/certs" --workers=2 -v=1
URL="https://127.0.0.1:$PORT"

fail() { echo "FAIL: $*"; echo "--- server log"; tail -50 "$LOG"; exit 1; }
get() { curl -sk --max-time 10 "$@"; }
# has <file> <fixed string>: the exposition contains the line prefix.
has() { grep -qF -- "$2" "$1" || fail "$1 lacks: $2"; }
# value <file> <series>: the value of one series (exact name and labels).
value() { awk -v s="$2" 'index($0, s " ") == 1 { print $NF }' "$1"; }

# Traffic: h2 and h1 health checks, a 404, and a failed TLS handshake (plain HTTP on the TLS port).
for _ in 1 2 3; do [ "$(get --http2 "$URL/healthz")" = ok ] || fail "h2 /healthz"; done
[ "$(get --http1.1 "$URL/healthz")" = ok ] || fail "h1 /healthz"
[ "$(get --http2 "$URL/readyz")" = ok ] || fail "/readyz"
[ "$(get -o /dev/null -w '%{http_code}' "$URL/no/such/path")" = 404 ] || fail "404"
curl -s --max-time 5 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 || true

# /metrics: a valid exposition with the series we promise.
get --http2 -D "$WORK/metrics.headers" "$URL/metrics" >"$WORK/metrics.txt" || fail "scrape /metrics"
grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$WORK/metrics.headers" || fail "content type"
"$PROMTOOL" check metrics <"$WORK/metrics.txt" >"$WORK/promtool.out" 2>&1 ||
  { cat "$WORK/promtool.out"; fail "promtool check metrics /metrics"; }
M="$WORK/metrics.txt"
HEALTHZ='apiserver_request_total{code="200",component="",dry_run="",group="",resource="",scope="",subresource="/healthz",verb="GET",version=""}'
[ "$(value "$M" "$HEALTHZ")" = 4 ] || fail "expected 4 /healthz requests: $(grep -F "$HEALTHZ" "$M")"
has "$M" 'apiserver_request_total{code="404",component="",dry_run="",group="",resource="",scope="",subresource="",verb="GET",version=""} 1'
has "$M" 'apiserver_request_duration_seconds_bucket{component="",dry_run="",group="",resource="",scope="",subresource="/healthz",verb="GET",version="",le="0.005"}'
has "$M" 'apiserver_response_sizes_count{component="",group="",resource="",scope="",subresource="/readyz",verb="GET",version=""} 1'
has "$M" 'apiserver_current_inflight_requests{request_kind="readOnly"} 1'
has "$M" 'apiserver_current_inflight_requests{request_kind="mutating"} 0'
has "$M" '# TYPE apiserver_tls_handshake_errors_total counter'
[ "$(value "$M" apiserver_tls_handshake_errors_total)" -ge 1 ] || fail "handshake error not counted"
has "$M" 'apiserve_tls_handshake_errors_by_kind_total{kind="not_tls"} 1'
has "$M" 'apiserve_open_connections{protocol="h2"} 1'
[ "$(value "$M" apiserve_connections_accepted_total)" -ge 8 ] || fail "accepted connections"
has "$M" 'apiserve_http2_floods_total{kind="rapid_reset"} 0'
has "$M" 'apiserve_http2_goaways_sent_total{kind="graceful"}'
for name in process_start_time_seconds process_cpu_seconds_total process_resident_memory_bytes process_open_fds \
            process_max_fds; do
  [ -n "$(value "$M" "$name")" ] || fail "no $name"
done

# /metrics/slis: the health-check SLIs only.
get "$URL/metrics/slis" >"$WORK/slis.txt" || fail "scrape /metrics/slis"
"$PROMTOOL" check metrics <"$WORK/slis.txt" >"$WORK/promtool-slis.out" 2>&1 ||
  { cat "$WORK/promtool-slis.out"; fail "promtool check metrics /metrics/slis"; }
has "$WORK/slis.txt" 'kubernetes_healthcheck{name="ping",type="healthz"} 1'
has "$WORK/slis.txt" 'kubernetes_healthcheck{name="log",type="readyz"} 1'
[ "$(value "$WORK/slis.txt" 'kubernetes_healthchecks_total{name="ping",status="success",type="healthz"}')" = 4 ] ||
  fail "ping success count: $(grep ping "$WORK/slis.txt")"
grep -q apiserver_request_total "$WORK/slis.txt" && fail "/metrics/slis has more than the SLIs"

# Verbosity at run time: no access log at -v=1; PUT /debug/flags/v 3 turns it on.
grep -q '"HTTP" verb=' "$LOG" && fail "access log at -v=1"
[ "$(get -X PUT --data-binary 3 "$URL/debug/flags/v")" = "successfully set klog.logging.verbosity to 3" ] ||
  fail "PUT /debug/flags/v"
[ "$(get -o /dev/null -w '%{http_code}' -X PUT --data-binary x "$URL/debug/flags/v")" = 400 ] || fail "bad level"
[ "$(get -o /dev/null -w '%{http_code}' "$URL/debug/flags/v")" = 406 ] || fail "GET /debug/flags/v"
get --http2 -A "metrics-e2e/1.0" "$URL/healthz?x=1" >/dev/null
ACCESS='"HTTP" verb="GET" URI="/healthz?x=1" latency="'
for _ in $(seq 1 50); do grep -qF "$ACCESS" "$LOG" && break; sleep 0.05; done
LINE=$(grep -F "$ACCESS" "$LOG" | head -1)
[ -n "$LINE" ] || fail "no access log line after PUT /debug/flags/v 3"
for part in 'userAgent="metrics-e2e/1.0"' 'srcIP="127.0.0.1:' 'resp=200' 'protocol="HTTP/2.0"'; do
  [[ "$LINE" == *"$part"* ]] || fail "access log line lacks $part: $LINE"
done

# /version: kube's version.Info fields.
get "$URL/version" >"$WORK/version.json"
/usr/bin/python3 - "$WORK/version.json" <<'PY' || fail "/version: $(cat "$WORK/version.json")"
import json, re, sys
info = json.load(open(sys.argv[1]))
for key in ("major", "minor", "gitVersion", "gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"):
    assert isinstance(info.get(key), str) and info[key], key
assert re.fullmatch(r"[0-9a-f]{40}|unknown", info["gitCommit"]), info["gitCommit"]
assert info["gitTreeState"] in ("clean", "dirty", "unknown"), info["gitTreeState"]
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|unknown", info["buildDate"]), info["buildDate"]
assert info["gitVersion"].startswith("v1.32.0-apiserve.0.1.0"), info["gitVersion"]  # the demo's (no kubectl skew)
assert (info["major"], info["minor"]) == ("1", "32"), info
assert info["platform"].startswith("linux/"), info["platform"]
PY

kill -TERM $PID
STATUS=0
wait $PID || STATUS=$?
trap - EXIT
[ "$STATUS" -eq 0 ] || fail "exit status $STATUS after SIGTERM"
echo "PASS: /metrics and /metrics/slis pass promtool; counters, verbosity and /version as expected"
