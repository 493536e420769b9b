#!/usr/bin/env bash
# Rolling restart behind HAProxy (issue 20, DESIGN §11): N replicas of the real apiserver binary behind Debian's
# HAProxy, HTTP/1.1 and HTTP/2 load (h2load) through it, every replica rolled (SIGTERM, wait, restart on the same
# port). Passes when the clients saw 0 failed requests, 0 errors, 0 timeouts and 0 non-2xx responses.
#
#   rolling_restart.sh [tcp|http ...]      default: both modes
#
# tcp:  TLS passthrough (mode tcp); health check GET /readyz over TLS every 300 ms, fall 1 rise 2.
# http: HAProxy terminates TLS and speaks HTTP/2 over TLS to the replicas (ALPN h2), same health check.
#
# Environment: APISERVER (binary; default: the Bazel runfile), REPLICAS (3), LOAD_SECONDS (per mode, 16),
# SHUTDOWN_DELAY (2s), EXTRA_FLAGS (added to every replica, e.g. --shutdown-drain-connections=false).
# Loopback only; skipped (exit 0 with a note) when haproxy or h2load is missing.
set -euo pipefail

MODES=("$@")
[[ ${#MODES[@]} -eq 0 ]] && MODES=(tcp http)
REPLICAS=${REPLICAS:-3}
LOAD_SECONDS=${LOAD_SECONDS:-16}
SHUTDOWN_DELAY=${SHUTDOWN_DELAY:-2s}
EXTRA_FLAGS=${EXTRA_FLAGS:-}
TOKEN=scaleout-token

if [[ -z "${APISERVER:-}" ]]; then
  for candidate in "${TEST_SRCDIR:-}/apiserve/cmd/apiserver/apiserver" "$(dirname "$0")/../../cmd/apiserver/apiserver"; do
    if [[ -x "$candidate" ]]; then APISERVER=$candidate; break; fi
  done
fi
[[ -x "${APISERVER:-}" ]] || { echo "FAIL: apiserver binary not found (set APISERVER)"; exit 1; }
HAPROXY=$(command -v haproxy || ls /usr/sbin/haproxy 2>/dev/null || true)
if [[ -z "$HAPROXY" ]] || ! command -v h2load >/dev/null; then
  echo "SKIP: haproxy or h2load not installed (tools/bootstrap.sh installs both)"
  exit 0
fi

WORK=$(mktemp -d "${TEST_TMPDIR:-/tmp}/scaleout.XXXXXX")
PIDS=()
HAPROXY_PID=
cleanup() {
  for pid in "${PIDS[@]}" $HAPROXY_PID; do
    [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# free_ports N prints N distinct ports that were free a moment ago (the kernel picks them).
free_ports() {
  /usr/bin/python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

printf '%s,scaleout,1,"system:masters"\n' "$TOKEN" >"$WORK/tokens.csv"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout "$WORK/lb.key" -out "$WORK/lb.crt" \
  >/dev/null 2>&1
cat "$WORK/lb.crt" "$WORK/lb.key" >"$WORK/lb.pem"

# start_replica I PORT starts replica I on PORT and waits until its /readyz answers 200.
start_replica() {
  local i=$1 port=$2
  mkdir -p "$WORK/r$i"
  # shellcheck disable=SC2086
  "$APISERVER" --bind-address=127.0.0.1 --secure-port="$port" --cert-dir="$WORK/r$i" --workers=1 \
    --shutdown-delay-duration="$SHUTDOWN_DELAY" --token-auth-file="$WORK/tokens.csv" -v=1 $EXTRA_FLAGS \
    >>"$WORK/r$i.log" 2>&1 &
  PIDS[i]=$!
  for _ in $(seq 1 200); do
    if [[ "$(curl -sk -o /dev/null -w '%{http_code}' --max-time 1 "https://127.0.0.1:$port/readyz")" == 200 ]]; then
      return 0
    fi
    kill -0 "${PIDS[i]}" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL: replica $i on port $port did not become ready"; tail -20 "$WORK/r$i.log"; return 1
}

write_haproxy_config() {
  local mode=$1 frontend=$2; shift 2
  local ports=("$@")
  {
    cat <<EOF
global
  maxconn 4096
  log stdout format short local0 ${HAPROXY_LOG_LEVEL:-notice}
defaults
  log global
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout check 1s
  retries 3
  option redispatch
  option httplog
EOF
    if [[ $mode == tcp ]]; then
      cat <<EOF
frontend fe
  mode tcp
  bind 127.0.0.1:$frontend
  default_backend replicas
backend replicas
  mode tcp
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server check check-ssl verify none inter 300ms fall 1 rise 2
EOF
      for i in "${!ports[@]}"; do echo "  server r$i 127.0.0.1:${ports[i]}"; done
    else
      cat <<EOF
frontend fe
  mode http
  bind 127.0.0.1:$frontend ssl crt $WORK/lb.pem alpn h2,http/1.1
  # HTTP/2 responses have no reason phrase and HAProxy 2.6 relays "HTTP/1.1 200 " to HTTP/1.1 clients, which
  # h2load's parser rejects: put the phrase back.
  http-response set-status 200 reason OK if { status 200 }
  default_backend replicas
backend replicas
  mode http
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server check check-alpn http/1.1 verify none inter 300ms fall 1 rise 2
EOF
      # HTTP/2 to the replicas: ALPN h2 selects HAProxy's h2 mux. `proto h2` would force it too, but HAProxy 2.6
      # then fails every health check ("Socket error"), whatever check-proto/check-alpn say; `check-ssl` with
      # check-alpn fails the same way. The check inherits `ssl` and speaks HTTP/1.1.
      for i in "${!ports[@]}"; do echo "  server r$i 127.0.0.1:${ports[i]} ssl verify none alpn h2"; done
    fi
  } >"$WORK/haproxy-$mode.cfg"
}

# load PROTO SECONDS PORT OUT: h2load for SECONDS through the balancer.
load() {
  local proto=$1 seconds=$2 port=$3 out=$4
  local args=(-c8 -m4)
  [[ $proto == h1 ]] && args=(--h1 -c16 -m1)
  h2load "${args[@]}" -D "$seconds" -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$port/version" >"$out" 2>&1
}

# curl_h2_load SECONDS PORT OUT: 4 curl processes, each one HTTP/2 connection with 4 streams in flight, in a loop
# for SECONDS; one line per request: the status code (000: the request failed). curl is a client that honours
# GOAWAY as RFC 9113 §8.1/§6.8 allow: a request the server did not process is retried on a new connection.
curl_h2_load() {
  local seconds=$1 port=$2 out=$3
  local i
  for i in $(seq 1 500); do printf 'url = "https://127.0.0.1:%s/version"\noutput = "/dev/null"\n' "$port"; done \
    >"$WORK/urls-$port.cfg"
  local end=$((SECONDS + seconds)) pids=()
  for i in 1 2 3 4; do
    (while [[ $SECONDS -lt $end ]]; do
      curl -sk --http2 --parallel --parallel-max 4 -H "Authorization: Bearer $TOKEN" -K "$WORK/urls-$port.cfg" \
        -w '%{http_code}\n' 2>/dev/null || true
    done) >"$out.$i" &
    pids+=($!)
  done
  wait "${pids[@]}"
  cat "$out".? >"$out"
}

# check_curl NAME FILE: every line 200.
check_curl() {
  local total ok
  total=$(wc -l <"$2")
  ok=$(grep -c '^200$' "$2" || true)
  echo "  $1: $total requests, $ok 200, $((total - ok)) failed or non-2xx"
  [[ $total -gt 0 && $ok -eq $total ]]
}

# check_counts NAME FILE prints the client's counts and fails on any lost request.
check_counts() {
  local name=$1 file=$2
  local requests codes
  requests=$(grep -E '^requests:' "$file" || true)
  codes=$(grep -E '^status codes:' "$file" || true)
  echo "  $name: $requests | $codes"
  /usr/bin/python3 - "$requests" "$codes" <<'EOF'
import re, sys
req, codes = sys.argv[1], sys.argv[2]
def n(pattern, text):
    m = re.search(pattern, text)
    return int(m.group(1)) if m else -1
succeeded, failed, errored, timeout = (n(r"(\d+) " + w, req) for w in ("succeeded", "failed", "errored", "timeout"))
non2xx = sum(n(r"(\d+) " + c, codes) for c in ("3xx", "4xx", "5xx"))
ok = succeeded > 0 and failed == 0 and errored == 0 and timeout == 0 and non2xx == 0
sys.exit(0 if ok else 1)
EOF
}

FAILED=0
for mode in "${MODES[@]}"; do
  read -r -a ports <<<"$(free_ports $((REPLICAS + 1)))"
  frontend=${ports[REPLICAS]}
  ports=("${ports[@]:0:REPLICAS}")
  echo "== mode $mode: $REPLICAS replicas on ${ports[*]}, HAProxy on $frontend"
  for i in "${!ports[@]}"; do start_replica "$i" "${ports[i]}"; done
  write_haproxy_config "$mode" "$frontend" "${ports[@]}"
  "$HAPROXY" -db -f "$WORK/haproxy-$mode.cfg" >"$WORK/haproxy-$mode.log" 2>&1 &
  HAPROXY_PID=$!
  for _ in $(seq 1 100); do
    if [[ "$(curl -sk -o /dev/null -w '%{http_code}' --max-time 1 -H "Authorization: Bearer $TOKEN" \
      "https://127.0.0.1:$frontend/version")" == 200 ]]; then break; fi
    sleep 0.1
  done
  sleep 1  # every replica seen up (rise 2)

  load h1 "$LOAD_SECONDS" "$frontend" "$WORK/$mode-h1.out" &
  h1_pid=$!
  load h2 "$LOAD_SECONDS" "$frontend" "$WORK/$mode-h2.out" &
  h2_pid=$!
  curl_pid=
  if [[ $mode == tcp ]]; then
    curl_h2_load "$LOAD_SECONDS" "$frontend" "$WORK/$mode-curl-h2.out" &
    curl_pid=$!
  fi
  sleep 1
  for i in "${!ports[@]}"; do
    started=$(date +%s.%N)
    kill -TERM "${PIDS[i]}"
    wait "${PIDS[i]}" || { echo "FAIL: replica $i exited non-zero"; FAILED=1; }
    stopped=$(date +%s.%N)
    start_replica "$i" "${ports[i]}"
    printf '  rolled r%d: exit after %.1fs, ready again after %.1fs\n' "$i" "$(echo "$stopped - $started" | bc)" \
      "$(echo "$(date +%s.%N) - $started" | bc)"
    sleep 1.5  # HAProxy marks it up (rise 2 × 300 ms) before the next one goes
  done
  wait "$h1_pid" || true
  wait "$h2_pid" || true
  [[ -n "$curl_pid" ]] && wait "$curl_pid"
  check_counts "$mode h1 (h2load --h1 -c16)" "$WORK/$mode-h1.out" || FAILED=1
  if [[ $mode == tcp ]]; then
    # In passthrough mode h2load talks to the replicas themselves, and h2load counts a request it declines to send
    # after a GOAWAY (nghttp2_session_check_request_allowed) as failed although no server saw it: reported, not
    # asserted. curl, which retries what the server did not process, is asserted.
    check_counts "$mode h2 (h2load -c8 -m4, informational)" "$WORK/$mode-h2.out" || true
    check_curl "$mode h2 (curl --http2 --parallel, 4x4)" "$WORK/$mode-curl-h2.out" || FAILED=1
  else
    check_counts "$mode h2 (h2load -c8 -m4)" "$WORK/$mode-h2.out" || FAILED=1
  fi
  kill -TERM "$HAPROXY_PID" 2>/dev/null || true
  wait "$HAPROXY_PID" 2>/dev/null || true
  HAPROXY_PID=
  for i in "${!ports[@]}"; do kill -TERM "${PIDS[i]}" 2>/dev/null || true; done
  for i in "${!ports[@]}"; do wait "${PIDS[i]}" 2>/dev/null || true; done
  PIDS=()
done

if [[ $FAILED -ne 0 ]]; then
  echo "FAIL: requests were lost during the rolling restart (logs in $WORK)"
  for f in "$WORK"/*-h?.out; do echo "--- $f"; tail -15 "$f"; done
  exit 1
fi
echo "PASS"
