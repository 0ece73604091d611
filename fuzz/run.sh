#!/usr/bin/env bash
# Builds the fuzz targets with clang (ASan + UBSan + libFuzzer, libraries instrumented for
# coverage) and runs each for SECONDS (default 20) on its in-tree corpus, plus the shared MRT
# fixtures as extra seeds; fails when a target finds a failing input. CI runs it (15 s per
# target); bench/fuzz.sh runs a longer campaign with a report per target.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
targets=($(cd fuzz && ls fuzz_*.cpp | sed "s/^fuzz_//; s/\.cpp$//"))  # every harness in fuzz/
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DBGPFA_FUZZ=ON -DBGPFA_TESTS=OFF -DBGPFA_SANITIZE=address,undefined >/dev/null
cmake --build build-fuzz --target "${targets[@]/#/fuzz_}"
fail=0
for t in "${targets[@]}"; do
  work=$(mktemp -d)
  seeds=(fuzz/corpus/$t)
  if [[ $t == mrt && -d ../shared/fixtures/mrt/samples ]]; then seeds+=(../shared/fixtures/mrt/samples); fi
  log=$work.log
  rc=0
  build-fuzz/fuzz/fuzz_$t -max_total_time="$seconds" -max_len=65536 -timeout=10 -print_final_stats=1 "$work" \
    "${seeds[@]}" >"$log" 2>&1 || rc=$?
  echo "fuzz_$t: ${seconds}s, $(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+'),"\
       "$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1 executions/p' "$log")"
  if ((rc != 0)); then
    fail=1
    grep -E "ERROR|SUMMARY|Test unit written" "$log" || tail -20 "$log"
  fi
  rm -rf "$work" "$log"
done
if ((fail)) || ls crash-* leak-* timeout-* oom-* >/dev/null 2>&1; then
  echo "fuzzing found inputs that fail: $(ls crash-* leak-* timeout-* oom-* 2>/dev/null)" >&2
  exit 1
fi
