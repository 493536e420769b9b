#!/usr/bin/env bash
# End to end: x509 client certificates, static bearer tokens (with reload), anonymous requests, the Bootstrap
# authorizer, and the HTTP/2 DoS mitigation (GOAWAY after one anonymous request), against the apiserver binary.
set -euo pipefail
BIN="${TEST_SRCDIR}/${TEST_WORKSPACE}/cmd/apiserver/apiserver"
WORK="$(mktemp -d "${TEST_TMPDIR:-/tmp}/auth.XXXXXX")"
LOG="$WORK/apiserver.log"
PID=""
trap '[ -n "$PID" ] && kill -9 $PID 2>/dev/null || true' EXIT

fail() { echo "FAIL: $*"; cat "$LOG"; exit 1; }

# --- certificates: a trusted CA with two clients, and an untrusted CA with one ---
cd "$WORK"
new_ca() {  # new_ca <name>
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=$1" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$1.key" -out "$1.crt" 2>/dev/null
}
new_client() {  # new_client <name> <subject> <ca>
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr" \
    2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial -days 1 -extfile "$1.ext" \
    -out "$1.crt" 2>/dev/null
}
new_ca trusted-ca
new_ca other-ca
new_client alice "/O=dev/CN=alice" trusted-ca
new_client admin "/O=system:masters/CN=admin" trusted-ca
new_client mallory "/O=system:masters/CN=mallory" other-ca

printf 'old-token,bob,1002,"dev,ops"\n' >tokens.csv

source "${TEST_SRCDIR}/${TEST_WORKSPACE}/cmd/apiserver/start_apiserver_for_test.sh"
start_server() {  # start_server <extra flags...>
  start_apiserver "$LOG" --cert-dir="$WORK/certs" --workers=2 --client-ca-file="$WORK/trusted-ca.crt" \
    --token-auth-file="$WORK/tokens.csv" "$@"
  URL="https://127.0.0.1:$PORT"
}
stop_server() {
  kill -TERM $PID
  wait $PID || fail "exit status $? after SIGTERM"
  PID=""
}

# get <path> [curl args...]: prints "<status> <body>".
get() {
  local path="$1"
  shift
  curl -sk --http1.1 --max-time 10 -o "$WORK/body" -w '%{http_code}' "$@" "$URL$path" >"$WORK/code"
  echo "$(cat "$WORK/code") $(cat "$WORK/body")"
}
# code <path> [curl args...]: prints the status code only.
code() {
  get "$@" >/dev/null
  cat "$WORK/code"
}
expect() {  # expect <what> <expected> <actual>
  [ "$3" = "$2" ] || fail "$1: expected '$2', got '$3'"
  echo "ok: $1"
}

UNAUTHORIZED='{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}'
FORBIDDEN_API='{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \"system:anonymous\" cannot get path \"/apis\"","reason":"Forbidden","details":{},"code":403}'

# --- anonymous allowed, Bootstrap ---
start_server --authorization-mode=Bootstrap

expect "cert /apis" 200 "$(code /apis --cert alice.crt --key alice.key)"
expect "masters cert /readyz/etcd-like subpath" 200 "$(code /readyz/ping --cert admin.crt --key admin.key)"
expect "untrusted cert /readyz" "401 $UNAUTHORIZED" "$(get /readyz --cert mallory.crt --key mallory.key)"
expect "token /apis" 200 "$(code /apis -H 'Authorization: Bearer old-token')"
expect "bad token /readyz" "401 $UNAUTHORIZED" "$(get /readyz -H 'Authorization: Bearer nope')"
# kube's structured error line (klog.ErrorS).
for _ in $(seq 1 50); do grep -q '"Unable to authenticate the request" err="invalid bearer token"' "$LOG" && break; sleep 0.05; done
grep -q '"Unable to authenticate the request" err="invalid bearer token"' "$LOG" || fail "structured authentication error line"
expect "anonymous /readyz" "200 ok" "$(get /readyz)"
expect "anonymous /version" 200 "$(code /version)"
expect "anonymous /version/ (authorized; the demo has no such route)" 404 "$(code /version/)"
expect "anonymous /apis" "403 $FORBIDDEN_API" "$(get /apis)"
expect "anonymous /readyz/ping" 403 "$(code /readyz/ping)"

# HTTP/2: an anonymous request gets GOAWAY (last stream = that request); curl's second request needs a new connection.
nghttp -v "$URL/readyz" >"$WORK/nghttp-anon.txt" 2>&1 || true
grep -Eq 'last_stream_id=[0-9]{1,9},' "$WORK/nghttp-anon.txt" || { cat "$WORK/nghttp-anon.txt"; fail "h2 anonymous: no GOAWAY"; }
echo "ok: h2 anonymous request gets GOAWAY (nghttp)"
curl -sk --http2 -v --max-time 10 "$URL/readyz" "$URL/livez" >/dev/null 2>"$WORK/curl-h2-anon.txt"
grep -q 'GOAWAY, error=0, last_stream=1$' "$WORK/curl-h2-anon.txt" || { cat "$WORK/curl-h2-anon.txt"; fail "h2 curl GOAWAY"; }
[ "$(grep -c '^\* Connected to' "$WORK/curl-h2-anon.txt")" = 2 ] || { cat "$WORK/curl-h2-anon.txt"; fail "h2 reused"; }
echo "ok: h2 anonymous: one request per connection (curl)"
nghttp -v -H 'Authorization: Bearer nope' "$URL/readyz" >"$WORK/nghttp-401.txt" 2>&1 || true
grep -q ':status: 401' "$WORK/nghttp-401.txt" || { cat "$WORK/nghttp-401.txt"; fail "h2 bad token: not 401"; }
grep -q 'recv GOAWAY frame' "$WORK/nghttp-401.txt" || { cat "$WORK/nghttp-401.txt"; fail "h2 401: no GOAWAY"; }
echo "ok: h2 401 gets GOAWAY"
nghttp -v -H 'Authorization: Bearer old-token' "$URL/readyz" "$URL/apis" >"$WORK/nghttp-user.txt" 2>&1 ||
  { cat "$WORK/nghttp-user.txt"; fail "h2 token requests failed"; }
if grep -q 'recv GOAWAY frame' "$WORK/nghttp-user.txt"; then cat "$WORK/nghttp-user.txt"; fail "h2 user got GOAWAY"; fi
[ "$(grep -c ':status: 200' "$WORK/nghttp-user.txt")" = 2 ] || { cat "$WORK/nghttp-user.txt"; fail "h2 user: not 2x200"; }
curl -sk --http2 -v --max-time 10 -H 'Authorization: Bearer old-token' "$URL/readyz" "$URL/livez" >/dev/null \
  2>"$WORK/curl-h2-user.txt"
[ "$(grep -c '^\* Connected to' "$WORK/curl-h2-user.txt")" = 1 ] || { cat "$WORK/curl-h2-user.txt"; fail "h2 user"; }
echo "ok: h2 authenticated connection kept open for two requests"
# HTTP/1.1 is never demoted: curl reuses the connection for a second anonymous request.
curl -sk --http1.1 -v --max-time 10 "$URL/readyz" "$URL/readyz" >/dev/null 2>"$WORK/curl-h1.txt"
grep -q 'Re-using existing connection' "$WORK/curl-h1.txt" || { cat "$WORK/curl-h1.txt"; fail "h1 not reused"; }
echo "ok: h1 anonymous connection reused"

# Token file reload: new token accepted, old rejected; a broken file keeps the current tokens.
printf 'new-token,carol,1003\n' >tokens.csv.tmp && mv tokens.csv.tmp tokens.csv
for _ in $(seq 1 100); do
  [ "$(code /apis -H 'Authorization: Bearer new-token')" = 200 ] && break
  sleep 0.1
done
expect "reloaded new token" 200 "$(code /apis -H 'Authorization: Bearer new-token')"
expect "reloaded old token" "401 $UNAUTHORIZED" "$(get /apis -H 'Authorization: Bearer old-token')"
printf 'broken-token,only-two-columns\n' >tokens.csv.tmp && mv tokens.csv.tmp tokens.csv
for _ in $(seq 1 100); do
  grep -q 'must have at least 3 columns' "$LOG" && break
  sleep 0.1
done
grep -q 'must have at least 3 columns (token, user name, user uid), found 2 on line 1; keeping the old tokens' "$LOG" ||
  fail "broken token file not logged"
expect "broken file keeps new token" 200 "$(code /apis -H 'Authorization: Bearer new-token')"
stop_server

# --- anonymous disabled ---
printf 'old-token,bob,1002\n' >tokens.csv
start_server --authorization-mode=Bootstrap --anonymous-auth=false
expect "no credentials, anonymous off" "401 $UNAUTHORIZED" "$(get /readyz)"
expect "token, anonymous off" "200 ok" "$(get /readyz -H 'Authorization: Bearer old-token')"
expect "cert, anonymous off" 200 "$(code /apis --cert alice.crt --key alice.key)"
stop_server

# --- a bad token file at start is exit 1 naming the file and line ---
printf 'a,b\n' >tokens.csv
STATUS=0
"$BIN" --secure-port=1 --cert-dir="$WORK/certs" --token-auth-file="$WORK/tokens.csv" 2>"$LOG" || STATUS=$?
expect "bad token file exit status" 1 "$STATUS"
grep -q "tokens.csv\" must have at least 3 columns (token, user name, user uid), found 2 on line 1" "$LOG" ||
  fail "bad token file message"
echo "PASS"
