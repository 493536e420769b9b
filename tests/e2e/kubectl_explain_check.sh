#!/usr/bin/env bash
# kubectl explain against the demo binary (//cmd/apiserver), through both OpenAPI documents it reads: v3 (the
# default) and v2 in its protobuf form (--output=plaintext-openapiv2: client-go's OpenAPISchema() asks for
# application/com.github.proto-openapi.spec.v2@v1.0+protobuf only, and has no JSON fallback). Run by .ci/run when
# kubectl is on PATH; run it by hand the same way. Prints each command and its output; exits 1 if a check failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v kubectl >/dev/null || { echo "kubectl is not on PATH"; exit 1; }

bazel build //cmd/apiserver:apiserver 2>/dev/null
binary="$(bazel info bazel-bin 2>/dev/null)/cmd/apiserver/apiserver"
dir=$(mktemp -d)
source tests/e2e/kubectl_check_lib.sh
port=$(free_port)
"$binary" --bind-address=127.0.0.1 --secure-port="$port" --cert-dir="$dir/certs" 2>"$dir/server.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
# Ready when /readyz answers 200 (post-start hooks done).
for _ in $(seq 1 200); do
  [ "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/readyz" || true)" = 200 ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/server.log"; exit 1; }
  sleep 0.05
done
kubeconfig "$port" anything >"$dir/kubeconfig"

run kubectl explain ticks --output=plaintext-openapiv2
expect_rc0
expect "v2 (protobuf): the kind" '^KIND: +Tick$'
expect "v2 (protobuf): the description" 'One line of the ticks\?count=N&interval=I stream\.'
expect "v2 (protobuf): a field with its type" '^ +tick\s+<integer>$'
run kubectl explain ticks.tick --output=plaintext-openapiv2
expect_rc0
expect "v2 (protobuf): one field" '^FIELD: +tick +<integer>$'
expect "v2 (protobuf): the field's description" "The tick's number, from 1\."
run kubectl explain delay --output=plaintext-openapiv2
expect_rc0
expect "v2 (protobuf): another kind" '^KIND: +Delay$'
run kubectl explain ticks
expect_rc0
expect "v3 (default): the kind" '^KIND: +Tick$'

echo
if [ "$failures" -eq 0 ]; then echo "kubectl_explain_check: all checks passed"; else echo "kubectl_explain_check: $failures failed"; exit 1; fi
