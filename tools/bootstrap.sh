#!/usr/bin/env bash
# Makes a Debian 12 machine ready to build, run and test apiserve. Idempotent: installs only the packages that are
# missing, and does nothing (no apt-get update either) when all are present. Run as root.
set -euo pipefail

# Everything the build and the tests need, in one list (see ../README.md and third_party/deps.bzl).
PACKAGES=(
  bazel-bootstrap            # Bazel 4.2.3, WORKSPACE mode
  g++                        # the compiler (Debian 12: GCC 12)
  libabsl-dev                # Abseil 20220623
  android-libboringssl-dev   # BoringSSL
  libnghttp2-dev             # nghttp2 1.52 (HTTP/2)
  libuv1-dev                 # libuv 1.44 (event loops)
  node-llhttp                # llhttp 8.1 C sources (HTTP/1.1)
  zlib1g-dev                 # gzip for the OpenAPI documents
  libyaml-dev                # libyaml 0.2.5: kubeconfig/ reads kubeconfig files
  libgtest-dev libgmock-dev  # GoogleTest / GoogleMock 1.12
  curl nghttp2-client openssl python3 python3-h2  # real clients used by the end-to-end tests
  python3-kubernetes         # kube's Python client: drives examples/sample-apiserver end to end
  clang libclang-rt-14-dev   # libFuzzer + ASan/UBSan runtimes for tools/fuzz.sh (CI runs a smoke of every target)
  prometheus                 # promtool: tests/metrics checks /metrics with Prometheus's own parser
  haproxy                    # HAProxy 2.6: tests/scaleout rolls replicas behind it (TCP and HTTP modes)
  protobuf-compiler          # protoc: chain/openapi_proto_test decodes /openapi/v2's protobuf form
)

die() { echo "bootstrap: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs Debian packages with apt-get)"
if [ ! -r /etc/os-release ] || ! grep -qE '^ID=debian$' /etc/os-release; then
  die "this script supports Debian 12 (bookworm) only; /etc/os-release says: $(grep -E '^PRETTY_NAME=' /etc/os-release 2>/dev/null || echo unknown)"
fi
command -v apt-get >/dev/null || die "apt-get not found"

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$package")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "bootstrap: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || die "apt-get update failed"
apt-get install -y -qq --no-install-recommends "${missing[@]}" || die "apt-get install failed for: ${missing[*]}"
echo "bootstrap: done"
