# Sourced by the shell tests that run the apiserver binary (not run on its own).
#
#   start_apiserver LOG [flags...]
# starts ${TEST_SRCDIR}/${TEST_WORKSPACE}/cmd/apiserver/apiserver on a free loopback port with `flags`, its stderr in LOG,
# and waits for "Serving securely", then (at most 5 s) for /livez to stop answering 500 (post-start hooks have run;
# /livez, not /readyz or /healthz, so the tests' own counts of those stay exact): sets PID and PORT. kube rejects --secure-port=0, so the port is taken from the
# kernel first. Exits 1 with the log if the server exits or does not start within 10 s.

start_apiserver() {
  local log=$1
  shift
  local free_port
  free_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  : >"$log"  # exists before the background start opens it: the polling below must not race its creation
  "${TEST_SRCDIR}/${TEST_WORKSPACE}/cmd/apiserver/apiserver" --secure-port="$free_port" --bind-address=127.0.0.1 "$@" \
    2>"$log" &
  PID=$!
  PORT=""
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's/.*Serving securely on .*:\([0-9][0-9]*\)$/\1/p' "$log" | head -1)
    if [ -n "$PORT" ]; then
      for _ in $(seq 1 100); do
        case "$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "https://127.0.0.1:$PORT/livez" || true)" in
          000 | 500) sleep 0.05 ;;
          *) return 0 ;;
        esac
      done
      return 0
    fi
    if ! kill -0 "$PID" 2>/dev/null; then
      echo "server exited at start:"
      cat "$log"
      exit 1
    fi
    sleep 0.05
  done
  echo "server did not start:"
  cat "$log"
  exit 1
}
