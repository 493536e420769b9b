#!/usr/bin/env bash
# Starts the sample apiserver on a free loopback port (self-signed certificate in --cert-dir, a bearer token in
# --token-auth-file) and drives it with python3-kubernetes' DynamicClient (python_client_test.py); then SIGTERM and
# a clean exit 0.
set -euo pipefail
if ! /usr/bin/python3 -c 'import kubernetes' 2>/dev/null; then
  echo "python3-kubernetes is not installed (tools/bootstrap.sh installs it)"
  exit 1
fi
dir=$(mktemp -d "${TEST_TMPDIR:-/tmp}/sample.XXXXXX")
token="sample-token-$RANDOM$RANDOM"
echo "$token,alice,uid-alice,\"system:masters\"" >"$dir/tokens.csv"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="$dir/server.log"
./sample-apiserver --bind-address=127.0.0.1 --secure-port="$port" --cert-dir="$dir/certs" \
  --token-auth-file="$dir/tokens.csv" 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  grep -q "Serving securely" "$log" && break
  kill -0 "$pid" 2>/dev/null || { echo "server exited at start:"; cat "$log"; exit 1; }
  sleep 0.05
done
grep -q "Serving securely" "$log" || { echo "server did not start:"; cat "$log"; exit 1; }

status=0
/usr/bin/python3 python_client_test.py "$port" "$token" "$dir" || status=$?

kill -TERM "$pid"
exit_code=0
wait "$pid" || exit_code=$?
trap - EXIT
if [ "$exit_code" -ne 0 ]; then
  echo "server exited $exit_code after SIGTERM:"
  cat "$log"
  exit 1
fi
[ "$status" -eq 0 ] || { echo "server log:"; tail -50 "$log"; }
exit "$status"
