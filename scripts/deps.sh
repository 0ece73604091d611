#!/usr/bin/env bash
# Installs bgpfa's dependencies from Debian 12 packages (only what is missing).
#   scripts/deps.sh          build and test dependencies (scripts/test.sh)
#   scripts/deps.sh build    only what building bgpfa needs (scripts/demo.sh)
#   scripts/deps.sh --list [build|test]   print the package names and exit
set -euo pipefail
list=0
if [[ "${1:-}" == --list ]]; then list=1; shift; fi
set_name="${1:-test}"
build_packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-dev libboost-iostreams-dev libfmt-dev libcli11-dev
  zlib1g-dev libisal-dev libbz2-dev liblzma-dev libzstd-dev libabsl-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  libsystemd-dev
)
# The tests also need Catch2, bgpdump (byte-compatibility), the routers of the lab tests,
# tshark (the failover lab's ground truth), what the package test uses, Chromium for the HTML
# report's headless test, and promtool (package prometheus) to lint the /metrics answer.
test_packages=(catch2 bgpdump frr gobgpd bird2 exabgp iproute2 tshark python3 python3-grpcio python3-protobuf man-db chromium prometheus)
case "$set_name" in
  build) packages=("${build_packages[@]}") ;;
  test) packages=("${build_packages[@]}" "${test_packages[@]}") ;;
  *) echo "scripts/deps.sh: unknown set \"$set_name\" (build or test)" >&2; exit 2 ;;
esac
if [[ "${BGPFA_BENCH_DEPS:-0}" == 1 ]]; then packages+=(libbenchmark-dev time bc); fi
if ((list)); then printf '%s\n' "${packages[@]}"; exit 0; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "bgpfa: installing ${missing[*]}" >&2
  # wireshark-common asks whether non-root users may capture; answer no, without a prompt
  if printf '%s\n' "${missing[@]}" | grep -qx tshark; then
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
