#!/usr/bin/env bash
# Fuzz campaign: builds the libFuzzer targets with clang (ASan + UBSan, libraries instrumented
# for coverage) in build-fuzz, runs each target for RUNS executions (default 1000000) one after
# another, and prints per target: coverage edges, features, executions, exec/s, corpus growth and
# findings. Logs and findings (crash-/leak-/timeout-/oom- inputs) land in $FUZZ_OUT (default
# build-fuzz/findings/DATE); minimise one with `build-fuzz/fuzz/fuzz_T -minimize_crash=1 FILE`.
#   bench/fuzz.sh [RUNS] [TARGET...]      (default: every fuzz/fuzz_*.cpp) e.g. bench/fuzz.sh 10000000 mrt
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1000000}
shift || true
targets=("$@")
((${#targets[@]})) || targets=($(cd fuzz && ls fuzz_*.cpp | sed "s/^fuzz_//; s/\.cpp$//"))  # every harness in fuzz/
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DBGPFA_FUZZ=ON -DBGPFA_TESTS=OFF -DBGPFA_SANITIZE=address,undefined >/dev/null
nice cmake --build build-fuzz --target "${targets[@]/#/fuzz_}" >/dev/null
out=${FUZZ_OUT:-$PWD/build-fuzz/findings/$(date -u +%Y%m%dT%H%M%S)}
mkdir -p "$out"
printf '%-18s %7s %8s %11s %8s %8s %11s %s\n' target edges features executions seconds exec/s corpus findings
for t in "${targets[@]}"; do
  work=$(mktemp -d)
  cp -r "fuzz/corpus/$t/." "$work/" 2>/dev/null || true
  seeds=$(find "$work" -type f | wc -l)
  if [[ $t == mrt && -d ../shared/fixtures/mrt/samples ]]; then extra=(../shared/fixtures/mrt/samples); else extra=(); fi
  log=$out/fuzz_$t.log
  # -runs counts executions of the fuzzing loop; the seed corpus is read first (not counted).
  start=$(date +%s.%N)
  nice build-fuzz/fuzz/fuzz_"$t" -runs="$runs" -max_len=65536 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$out/$t-" "$work" "${extra[@]}" >"$log" 2>&1 || true
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  edges=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  feats=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
  rate=$(awk -v n="${execs:-0}" -v s="$secs" 'BEGIN { printf("%d", (s > 0 ? n / s : 0)) }')  # libFuzzer's own rounds to whole seconds
  corpus=$(find "$work" -type f | wc -l)
  found=$(cd "$out" && ls | grep -E "^$t-(crash|leak|timeout|oom)-" || true)
  findings=$(grep -c . <<<"$found" || true)
  printf '%-18s %7s %8s %11s %8s %8s %11s %s\n' "fuzz_$t" "${edges:-?}" "${feats:-?}" "${execs:-?}" "$secs" "$rate" \
    "$seeds->$corpus" "$findings${found:+ ($(echo $found))}"
  rm -rf "$work"
done
echo "logs and findings: $out"
