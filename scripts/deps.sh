#!/usr/bin/env bash
# Installs bgpfa's build and test dependencies from Debian 12 packages (only what is missing).
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-dev libboost-iostreams-dev libfmt-dev libcli11-dev catch2 bgpdump
  zlib1g-dev libbz2-dev liblzma-dev libzstd-dev libabsl-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  frr gobgpd bird2 exabgp iproute2 python3 python3-grpcio python3-protobuf
)
if [[ "${BGPFA_BENCH_DEPS:-0}" == 1 ]]; then packages+=(libbenchmark-dev time bc); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "bgpfa: installing ${missing[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
