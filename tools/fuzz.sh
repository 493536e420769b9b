#!/usr/bin/env bash
# Builds the libFuzzer targets of //fuzz with clang (--config=fuzz, in its own output base so the gcc cache of the
# main one is untouched) and runs each for a while on its seed corpus (fuzz/corpus/<target>/). Fails on a build
# error or on any finding: a crash, a sanitizer report, a failed check, a timeout or running out of memory.
#
#   tools/fuzz.sh [--seconds N] [--output-base DIR] [--log-dir DIR] [target ...]
#
# N defaults to 20 per target; targets default to all of them. New inputs found on the way go to a scratch corpus
# (the checked-in seeds are not modified); a finding is saved as <log dir>/<target>-crash-<sha1> with the log
# beside it. Installs clang and libclang-rt-14-dev when they are missing (as root; see tools/bootstrap.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(
  http1_codec_fuzzer
  http2_codec_fuzzer
  tls_client_hello_fuzzer
  healthz_query_fuzzer
  path_mux_fuzzer
  flag_set_fuzzer
  cert_key_fuzzer
)
seconds=20
output_base="${HOME}/.cache/apiserve-fuzz"
log_dir=""
selected=()

die() { echo "fuzz: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) [ $# -ge 2 ] || die "--seconds needs a value"; seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --output-base) [ $# -ge 2 ] || die "--output-base needs a value"; output_base=$2; shift 2 ;;
    --output-base=*) output_base=${1#*=}; shift ;;
    --log-dir) [ $# -ge 2 ] || die "--log-dir needs a value"; log_dir=$2; shift 2 ;;
    --log-dir=*) log_dir=${1#*=}; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) selected+=("$1"); shift ;;
  esac
done
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || die "--seconds must be a positive integer, not \"$seconds\""
[ "${#selected[@]}" -gt 0 ] || selected=("${TARGETS[@]}")
for target in "${selected[@]}"; do
  [ -f "fuzz/${target}.cc" ] || die "unknown target $target (known: ${TARGETS[*]})"
done

# clang and its runtime libraries (libFuzzer, ASan, UBSan).
missing=()
for package in clang libclang-rt-14-dev; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)" = installed ] || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}: run tools/bootstrap.sh as root, or apt-get install them"
  echo "fuzz: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

bazel_fuzz() { bazel --output_base="$output_base" "$@"; }
trap 'bazel_fuzz shutdown >/dev/null 2>&1 || true' EXIT

# --symlink_prefix=/: no bazel-* links, so the workspace's links keep pointing at the main output base.
labels=()
for target in "${selected[@]}"; do labels+=("//fuzz:$target"); done
echo "fuzz: building ${selected[*]} (output base $output_base)"
bazel_fuzz build --config=fuzz --symlink_prefix=/ "${labels[@]}"
bin_dir=$(bazel_fuzz info --config=fuzz bazel-bin 2>/dev/null)

[ -n "$log_dir" ] || log_dir=$(mktemp -d /tmp/apiserve-fuzz.XXXXXX)
mkdir -p "$log_dir"
failed=()
for target in "${selected[@]}"; do
  seeds="fuzz/corpus/$target"
  [ -d "$seeds" ] || die "no seed corpus $seeds"
  scratch="$log_dir/$target-corpus"
  mkdir -p "$scratch"
  log="$log_dir/$target.log"
  echo "fuzz: $target for ${seconds}s (log $log)"
  # -timeout: one input taking this long is a finding; -rss_limit_mb likewise for memory.
  if "$bin_dir/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$log_dir/$target-" "$scratch" "$seeds" >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "fuzz: $target ok: ${execs:-?} runs, ${rate:-?} exec/s, corpus $(ls "$scratch" | wc -l) new + $(ls "$seeds" | wc -l) seeds"
  else
    echo "fuzz: $target FAILED; the end of its log:"
    tail -n 60 "$log" | sed 's/^/    /'
    failed+=("$target")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]} (artifacts and logs in $log_dir)"
  exit 1
fi
echo "fuzz: no findings in ${#selected[@]} targets (${seconds}s each)"
