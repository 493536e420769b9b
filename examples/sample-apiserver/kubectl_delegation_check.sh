#!/usr/bin/env bash
# kubectl against the sample with delegated authentication and authorization (issue 18's Done-when; run by .ci/run
# when kubectl is on PATH; run it by hand the same way). Starts tests/fakecluster's fake_cluster_main (a fake
# kube-apiserver answering TokenReview, SubjectAccessReview and the extension-apiserver-authentication ConfigMap, which
# writes a kubeconfig for it) and the sample with --authentication-kubeconfig and --authorization-kubeconfig pointing
# at it. kubectl's bearer token is one the sample does not know: it is reviewed by the fake cluster (TokenReview) and
# every request authorized by it (SubjectAccessReview; the fake denies alice `delete`). Then 1 000 requests with the
# same token (h2load, or curl without it) and the fake cluster's review counters before and after: reviews per 1 000
# requests. Prints each command and its output; exits 1 if a check failed.
set -euo pipefail
cd "$(dirname "$0")"
command -v kubectl >/dev/null || { echo "kubectl is not on PATH"; exit 1; }

bazel build //:sample-apiserver 2>/dev/null
sample="$(bazel info bazel-bin 2>/dev/null)/sample-apiserver"
(cd ../.. && bazel build //tests/fakecluster:fake_cluster_main 2>/dev/null)
fake="$(cd ../.. && bazel info bazel-bin 2>/dev/null)/tests/fakecluster/fake_cluster_main"

dir=$(mktemp -d)
source ../../tests/e2e/kubectl_check_lib.sh
token="kubectl-$RANDOM$RANDOM"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
# The fake cluster: alice's token (group dev) is reviewed as alice; SubjectAccessReview allows alice everything but
# delete.
: >"$dir/fake.out"
"$fake" --kubeconfig="$dir/cluster.kubeconfig" --token="$token=alice:dev" --allow-user=alice --deny=alice:delete \
  >"$dir/fake.out" 2>"$dir/fake.log" &
fake_pid=$!
pids+=("$fake_pid")
wait_for "$dir/fake.out" "kubeconfig written" "$fake_pid"
head -1 "$dir/fake.out"

port=$(free_port)
: >"$dir/sample.log"
"$sample" --bind-address=127.0.0.1 --secure-port="$port" --cert-dir="$dir/certs" \
  --authentication-kubeconfig="$dir/cluster.kubeconfig" --authorization-kubeconfig="$dir/cluster.kubeconfig" \
  2>"$dir/sample.log" &
sample_pid=$!
pids+=("$sample_pid")
wait_for "$dir/sample.log" "Serving securely" "$sample_pid"
echo "sample serving on 127.0.0.1:$port with --authentication-kubeconfig and --authorization-kubeconfig"

kubeconfig "$port" "$token" >"$dir/kubeconfig"
kubeconfig "$port" "not-a-cluster-token" >"$dir/bad.kubeconfig"

# counts: the fake cluster's last counters line; sets TR and SAR.
counts() {
  sleep 0.1  # the fake prints a changed counter within 50 ms
  local line
  line=$(grep '^reviews:' "$dir/fake.out" | tail -1)
  TR=$(sed -E 's/^reviews: ([0-9]+) TokenReview.*/\1/' <<<"$line")
  SAR=$(sed -E 's/^reviews: [0-9]+ TokenReview, ([0-9]+) SubjectAccessReview.*/\1/' <<<"$line")
  echo "fake cluster: $line"
}

run kubectl api-resources --api-group=notes.example.io
expect "api-resources lists notes (discovery authorized by SubjectAccessReview)" '^notes +nt +notes.example.io/v1 +true +Note$'
run kubectl create -f note.yaml
expect "create -f note.yaml" '^note.notes.example.io/hello created$'
run kubectl get notes
expect "get notes lists hello" '^hello +[0-9]+s$'
run kubectl get nt hello -o jsonpath='{.spec.text}'
expect "get nt hello" '^Hello from kubectl$'
run kubectl delete note hello
expect "delete is denied with kube's Forbidden message and the review's reason" \
  '^Error from server \(Forbidden\): notes.notes.example.io "hello" is forbidden: User "alice" cannot delete resource "notes" in API group "notes.example.io" in the namespace "default": delete denied to alice by --deny$'
run kubectl get note hello -o name
expect "hello is still there" '^note.notes.example.io/hello$'
KC="$dir/bad.kubeconfig" run kubectl get notes
expect "a token the cluster does not know is 401" 'error: You must be logged in to the server \(Unauthorized\)'
counts
tr0=$TR sar0=$SAR
[ "$tr0" -ge 2 ] && [ "$sar0" -ge 1 ] && echo "  ok: kubectl's token and the unknown one were reviewed" ||
  { echo "  FAIL: expected TokenReviews and SubjectAccessReviews"; failures=$((failures + 1)); }

url="https://127.0.0.1:$port/apis/notes.example.io/v1/namespaces/default/notes"
if command -v h2load >/dev/null; then
  echo "\$ h2load -n 1000 -c 4 -m 10 -H 'Authorization: Bearer <kubectl's token>' $url"
  OUT=$(h2load -n 1000 -c 4 -m 10 -H "Authorization: Bearer $token" "$url" 2>&1)
  grep -E '^(finished in|requests:|status codes:)' <<<"$OUT"
  expect "1 000 requests answered 200" '^status codes: 1000 2xx, 0 3xx, 0 4xx, 0 5xx$'
else
  echo "\$ curl -k -H 'Authorization: Bearer <kubectl's token>' $url   (1 000 times, one connection)"
  for _ in $(seq 1 1000); do echo "url = \"$url\""; echo 'output = "/dev/null"'; echo 'write-out = "%{http_code}\n"'; done \
    >"$dir/curl.config"
  OUT=$(curl -sk -H "Authorization: Bearer $token" --config "$dir/curl.config" | sort | uniq -c)
  echo "$OUT"
  expect "1 000 requests answered 200" '^ *1000 200$'
fi
counts
echo "reviews per 1 000 requests with kubectl's token: $((TR - tr0)) TokenReview, $((SAR - sar0)) SubjectAccessReview"
# Within the 10 s TTLs both answers come from the caches; at most one review each if a TTL ran out meanwhile.
[ $((TR - tr0)) -le 1 ] && [ $((SAR - sar0)) -le 1 ] && echo "  ok: the caches answered" ||
  { echo "  FAIL: more than one review per TTL"; failures=$((failures + 1)); }

kill -TERM "$sample_pid"
wait "$sample_pid" && echo "sample exited 0 after SIGTERM" || { echo "FAIL: sample exit status $?"; failures=$((failures + 1)); }
kill -TERM "$fake_pid"
wait "$fake_pid" || true
pids=()
echo "kubectl_delegation_check: $failures failures"
[ "$failures" -eq 0 ]
