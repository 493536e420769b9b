#!/usr/bin/env bash
# kubectl against the sample extension API server (run by .ci/run when kubectl is on PATH; run it by hand the same
# way). Builds the sample, starts it on a free loopback port with a bearer token, and checks a kubectl session:
# api-resources, create -f note.yaml, get, get -o json by short name, label, annotate, edit, apply, explain, delete,
# and `get pods` (no such resource type). Prints each command and its output; exits 1 at the first failed check.
set -euo pipefail
cd "$(dirname "$0")"
command -v kubectl >/dev/null || { echo "kubectl is not on PATH"; exit 1; }

bazel build //:sample-apiserver 2>/dev/null
binary="$(bazel info bazel-bin 2>/dev/null)/sample-apiserver"
dir=$(mktemp -d)
source ../../tests/e2e/kubectl_check_lib.sh
token="kubectl-$RANDOM$RANDOM"
echo "$token,alice,uid-alice,\"system:masters\"" >"$dir/tokens.csv"
port=$(free_port)
: >"$dir/server.log"
"$binary" --bind-address=127.0.0.1 --secure-port="$port" --cert-dir="$dir/certs" --token-auth-file="$dir/tokens.csv" \
  2>"$dir/server.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
wait_for "$dir/server.log" "Serving securely" "$pid"
kubeconfig "$port" "$token" >"$dir/kubeconfig"

run kubectl api-resources --api-group=notes.example.io
expect "api-resources lists notes (short name nt, namespaced, kind Note)" '^notes +nt +notes.example.io/v1 +true +Note$'
# kubectl validates fields on the server: the group's OpenAPI v3 lists `fieldValidation` on the kind's PATCH
# operation, so kubectl sends fieldValidation=Strict and the sample refuses unknown fields.
validate=()
run kubectl create -f note.yaml
expect "create -f note.yaml" '^note.notes.example.io/hello created$'
printf 'apiVersion: notes.example.io/v1\nkind: Note\nmetadata:\n  name: typo\nspec:\n  txet: oops\n' >"$dir/typo.yaml"
run kubectl create -f "$dir/typo.yaml"
expect "an unknown field is refused (fieldValidation=Strict)" 'strict decoding error: unknown field "spec.txet"'
run kubectl get notes
expect "get notes lists hello" '^hello +[0-9]+s$'
echo "\$ kubectl get notes --watch --output-watch-events   (while another kubectl labels hello)"
KUBECONFIG="$dir/kubeconfig" timeout 4 kubectl get notes --watch --output-watch-events --cache-dir="$dir/cache" \
  >"$dir/watch.out" 2>&1 &
watcher=$!
sleep 1.5
KUBECONFIG="$dir/kubeconfig" kubectl label note hello watched=yes --cache-dir="$dir/cache" >/dev/null
wait "$watcher" || true
OUT=$(cat "$dir/watch.out")
echo "$OUT"
expect "watch lists hello as ADDED" '^ADDED +hello'
expect "watch sees the label as MODIFIED" '^MODIFIED +hello'
run kubectl get nt hello -o json
expect "get nt hello -o json is the Note" '"text": "Hello from kubectl"'
run kubectl label note hello k=v -v=7
expect "label note hello k=v" 'note.notes.example.io/hello labeled'
expect "label sends a JSON merge patch" 'Content-Type: application/merge-patch\+json'
run kubectl annotate note hello reviewed=yes
expect "annotate" 'note.notes.example.io/hello annotated'
EDITOR="sed -i s/Hello.from.kubectl/Edited/" run kubectl edit note hello -v=7 "${validate[@]}"
expect "edit" 'note.notes.example.io/hello edited'
expect "edit sends a JSON merge patch to a kind kubectl does not know" 'Content-Type: application/merge-patch\+json'
sed 's/Hello from kubectl/Applied/' note.yaml >"$dir/applied.yaml"
run kubectl apply -f "$dir/applied.yaml" -v=7 "${validate[@]}"
expect "apply (client-side) to an object created without last-applied" 'note.notes.example.io/hello configured'
expect "apply sends a JSON merge patch" 'Content-Type: application/merge-patch\+json'
run kubectl get note hello -o 'jsonpath={.spec.text} {.metadata.labels.k} {.metadata.annotations.reviewed}'
expect "edits, label and annotation all landed" '^Applied v yes$'
run kubectl explain notes
expect "explain notes finds the schema" 'KIND: +Note'
expect "explain notes shows spec" 'spec	<Object>'
run kubectl explain notes.spec.text
expect "explain notes.spec.text" "The note's text"
run kubectl delete note hello
expect "delete note hello" '^note.notes.example.io "hello" deleted$'
run kubectl get notes
expect "no notes left" 'No resources found in default namespace.'
run kubectl get pods
expect "get pods: no such resource type" "the server doesn't have a resource type \"pods\""

kill -TERM "$pid"
wait "$pid" && echo "server exited 0 after SIGTERM" || { echo "FAIL: server exit status $?"; failures=$((failures + 1)); }
trap 'rm -rf "$dir"' EXIT
echo "kubectl_check: $failures failures"
[ "$failures" -eq 0 ]
