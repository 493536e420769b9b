# Shared by the kubectl checks (tests/e2e/kubectl_explain_check.sh, examples/sample-apiserver/kubectl_check.sh and
# kubectl_delegation_check.sh): source it after setting `dir` (the check's temporary directory). It defines
# free_port, wait_for, kubeconfig, and the run / expect / expect_rc0 steps that count `failures`.

failures=0

# free_port prints a free TCP port on 127.0.0.1.
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_for FILE PATTERN PID: until FILE has a line matching PATTERN (10 s), or PID exits (then FILE is printed and the
# check exits 1).
wait_for() {
  for _ in $(seq 1 200); do
    grep -q -- "$2" "$1" && return 0
    kill -0 "$3" 2>/dev/null || { cat "$1"; echo "FAIL: process $3 exited"; exit 1; }
    sleep 0.05
  done
  cat "$1"
  echo "FAIL: no /$2/ in $1"
  exit 1
}

# kubeconfig PORT TOKEN: prints a kubeconfig for https://127.0.0.1:PORT (certificate not verified) with bearer TOKEN,
# namespace default.
kubeconfig() {
  cat <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: apiserve
  cluster: {server: "https://127.0.0.1:$1", insecure-skip-tls-verify: true}
users:
- name: alice
  user: {token: "$2"}
contexts:
- name: apiserve
  context: {cluster: apiserve, user: alice, namespace: default}
current-context: apiserve
KUBECONFIG
}

# run CMD...: prints "$ CMD" and its output, with KUBECONFIG=$KC (default $dir/kubeconfig) and its cache in $dir;
# OUT holds stdout+stderr, RC the exit status.
run() {
  echo "\$ $*"
  set +e
  OUT=$(KUBECONFIG="${KC:-$dir/kubeconfig}" "$@" --cache-dir="$dir/cache" 2>&1)
  RC=$?
  set -e
  [ -n "$OUT" ] && echo "$OUT"
  return 0
}

# expect DESCRIPTION EXTENDED-REGEX: OUT must match.
expect() {
  if grep -Eq -- "$2" <<<"$OUT"; then echo "  ok: $1"; else echo "  FAIL: $1 (no match for /$2/)"; failures=$((failures + 1)); fi
}

# expect_rc0: the last run exited 0.
expect_rc0() {
  if [ "$RC" -eq 0 ]; then echo "  ok: exit status 0"; else echo "  FAIL: exit status $RC"; failures=$((failures + 1)); fi
}
