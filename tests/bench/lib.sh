# Shared by the side-by-side scripts of tests/bench (sourced, not run): builds the optimized server, makes a
# throw-away ECDSA P-256 certificate, and measures server CPU per request under h2load.
#
# After `bench_setup`: BIN (the opt binary), WORK (temp dir, removed on exit).
#   bench_measure SERVER_CPUS CLIENT_CPUS H2LOAD_THREADS PATH [server flags...]
# starts the server on SERVER_CPUS with the flags, warms up 2 s, runs h2load (64 connections x 32 streams) for 8 s
# on CLIENT_CPUS and prints "<server µs per request> <req/s>": utime + stime of the server process over the run
# (from /proc), divided by the requests completed. With BENCH_AUTH_HEADER set (e.g. "Authorization: Bearer T"),
# h2load sends it on every request.
#   bench_median: the median of the numbers on stdin.
#   bench_ab: see below.

bench_setup() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  (cd "$root" && bazel build --config=release //cmd/apiserver:apiserver >/dev/null 2>&1)
  BIN="$(cd "$root" && bazel info --config=release bazel-bin 2>/dev/null)/cmd/apiserver/apiserver"
  WORK=$(mktemp -d)
  BENCH_SERVER=""
  trap 'bench_stop; rm -rf "$WORK"' EXIT
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1
}

bench_stop() {
  if [ -n "${BENCH_SERVER:-}" ]; then
    kill "$BENCH_SERVER" 2>/dev/null || true
    wait "$BENCH_SERVER" 2>/dev/null || true
    BENCH_SERVER=""
  fi
}

bench_measure() {
  local server_cpus=$1 client_cpus=$2 threads=$3 path=$4
  shift 4
  local port=$((20000 + RANDOM % 20000))
  taskset -c "$server_cpus" "$BIN" --bind-address=127.0.0.1 --secure-port="$port" \
    --tls-cert-file="$WORK/cert.pem" --tls-private-key-file="$WORK/key.pem" "$@" >"$WORK/server.log" 2>&1 &
  BENCH_SERVER=$!
  for _ in $(seq 50); do grep -q "Serving securely" "$WORK/server.log" && break; sleep 0.1; done
  local url="https://127.0.0.1:$port$path"
  local header=()
  [ -n "${BENCH_AUTH_HEADER:-}" ] && header=(-H "$BENCH_AUTH_HEADER")
  taskset -c "$client_cpus" h2load -c 64 -m 32 -t "$threads" -D 2 "${header[@]}" "$url" >/dev/null 2>&1
  local before after out
  before=$(awk '{print $14 + $15}' "/proc/$BENCH_SERVER/stat")
  out=$(taskset -c "$client_cpus" h2load -c 64 -m 32 -t "$threads" -D 8 "${header[@]}" "$url" 2>&1)
  after=$(awk '{print $14 + $15}' "/proc/$BENCH_SERVER/stat")
  bench_stop
  local requests rps
  requests=$(echo "$out" | awk '/^requests:/{print $8}')
  rps=$(echo "$out" | awk '/^finished in/{print $4}')
  echo "$out" | grep -q "status codes: .* 0 3xx, 0 4xx, 0 5xx" || echo "non-2xx: $(echo "$out" | grep 'status codes')" >&2
  awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" -v rps="$rps" \
    'BEGIN { printf "%.2f %s\n", t / hz * 1e6 / n, rps }'
}

bench_median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# bench_ab LABEL_A LABEL_B RUNS: runs the caller's measure_a and measure_b RUNS times each, in ABBA order, prints a
# table of the runs and the medians with the ratio B / A.
bench_ab() {
  local label_a=$1 label_b=$2 runs=$3 run us_a rps_a us_b rps_b
  local a=() b=()
  echo "| run | $label_a µs/req (req/s) | $label_b µs/req (req/s) |"
  echo "|---|---|---|"
  for run in $(seq "$runs"); do
    # ABBA order: whatever drifts during a run (turbo, a neighbour's load) does not favour one side.
    if [ $((run % 2)) -eq 1 ]; then
      read -r us_a rps_a < <(measure_a)
      read -r us_b rps_b < <(measure_b)
    else
      read -r us_b rps_b < <(measure_b)
      read -r us_a rps_a < <(measure_a)
    fi
    a+=("$us_a")
    b+=("$us_b")
    echo "| $run | $us_a ($rps_a) | $us_b ($rps_b) |"
  done
  local m_a m_b
  m_a=$(printf '%s\n' "${a[@]}" | bench_median)
  m_b=$(printf '%s\n' "${b[@]}" | bench_median)
  echo
  awk -v la="$label_a" -v lb="$label_b" -v a="$m_a" -v b="$m_b" \
    'BEGIN { printf "median µs/req: %s %.2f, %s %.2f; ratio %.3f (%+.1f%%)\n", la, a, lb, b, b / a, (b / a - 1) * 100 }'
}
