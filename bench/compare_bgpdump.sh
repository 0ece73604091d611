#!/usr/bin/env bash
# Whole-program comparison: bgpdump -m vs bgpfa mrt dump -m on the same files, interleaved runs
# in one invocation (machines are noisy: read the ratio). Checks the bytes are identical and
# reports peak RSS from /usr/bin/time -v.
# Usage: bench/compare_bgpdump.sh [RUNS] [FILE...]   (defaults: 7 runs, the issue's two files)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
shift || true
files=("$@")
if ((${#files[@]} == 0)); then
  files=(../shared/fixtures/mrt/ris/bview.20020722.2337.gz ../shared/fixtures/mrt/ris/updates.20071015.1505.gz)
fi
bgpfa=${BGPFA:-build/app/bgpfa}
command -v bgpdump >/dev/null || { echo "bgpdump not installed (apt-get install bgpdump)" >&2; exit 2; }
[[ -x $bgpfa ]] || { echo "build bgpfa first (scripts/build.sh)" >&2; exit 2; }

seconds() {  # wall seconds of one run, output discarded (EPOCHREALTIME: no extra processes)
  local start=$EPOCHREALTIME
  "$@" >/dev/null 2>&1
  local end=$EPOCHREALTIME
  echo "scale=6; ${end/./} / 1000000 - ${start/./} / 1000000" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
peak_kb() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}'; }

printf '%-34s %10s %10s %8s %10s %10s %s\n' file bgpdump_s bgpfa_s ratio bgpdump_KB bgpfa_KB bytes
for f in "${files[@]}"; do
  if cmp -s <(bgpdump -m "$f" 2>/dev/null) <("$bgpfa" mrt dump -m "$f" 2>/dev/null); then same=identical; else same=DIFFERENT; fi
  a=(); b=()
  for ((i = 0; i < runs; i++)); do
    a+=("$(seconds bgpdump -m "$f")")
    b+=("$(seconds "$bgpfa" mrt dump -m "$f")")
  done
  ma=$(printf '%s\n' "${a[@]}" | median)
  mb=$(printf '%s\n' "${b[@]}" | median)
  ratio=$(echo "scale=1; $ma / $mb" | bc)
  printf '%-34s %10s %10s %7sx %10s %10s %s\n' "$(basename "$f")" "$ma" "$mb" "$ratio" \
    "$(peak_kb bgpdump -m "$f")" "$(peak_kb "$bgpfa" mrt dump -m "$f")" "$same"
done
