#!/usr/bin/env bash
# CI beyond the README's test command: the whole test suite under ASan + UBSan, and a short
# libFuzzer run of every decoder (fuzz/run.sh) with clang.
set -euo pipefail
cd "$(dirname "$0")/.."
need=(clang libclang-rt-14-dev)
missing=()
for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# -O1 -g1, as ASan's own docs advise: line tables are all a report's stack needs, and the build
# takes ~0.6x the compile time of -O2 -g (it was two thirds of this script on 2 cores).
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
  -DBGPFA_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -- -j"$(nproc)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$(nproc)" -LE "lab|package"  # both already ran in the main suite
fuzz/run.sh "${FUZZ_SECONDS:-15}"
