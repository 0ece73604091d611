#!/usr/bin/env bash
# Builds the fuzz targets with clang (ASan + UBSan + libFuzzer) and runs each for SECONDS
# (default 20) on its in-tree corpus, plus the shared MRT fixtures as extra seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DBGPFA_FUZZ=ON -DBGPFA_TESTS=OFF -DBGPFA_SANITIZE=address,undefined >/dev/null
cmake --build build-fuzz --target fuzz_update fuzz_mrt fuzz_config fuzz_message fuzz_bfd
for t in update mrt config message bfd; do
  work=$(mktemp -d)
  seeds=(fuzz/corpus/$t)
  if [[ $t == mrt && -d ../shared/fixtures/mrt/samples ]]; then seeds+=(../shared/fixtures/mrt/samples); fi
  echo "fuzz_$t: ${seconds}s"
  build-fuzz/fuzz/fuzz_$t -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 "$work" "${seeds[@]}" 2>&1 |
    grep -E "stat::number_of_executed_units|ERROR|SUMMARY" || true
  rm -rf "$work"
done
if ls crash-* leak-* timeout-* >/dev/null 2>&1; then
  echo "fuzzing found inputs that fail: $(ls crash-* leak-* timeout-* 2>/dev/null)" >&2
  exit 1
fi
