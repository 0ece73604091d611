#!/usr/bin/env bash
# Replay benchmark: a full-table-sized RIB dump plus an updates file through RIB + analyzer.
# Every peer of the dumps gets a role (ER primary/secondary over several circuits, VPN), so every
# route is kept. Prints the RIB+analyzer stage's routes/s and bytes per route, bgpfa's whole-run
# time and peak RSS, and bgpdump -m's time on the same input in the same run (ratio).
# Usage: [RUNS=5] [BGPFA=build/app/bgpfa] [BGPFA_BEFORE=old-bgpfa] bench/replay_bench.sh [DUMP...]
set -euo pipefail
cd "$(dirname "$0")/.."
dumps=("$@")
if ((${#dumps[@]} == 0)); then
  dumps=(../shared/fixtures/mrt/ris/bview.20020722.2337.gz ../shared/fixtures/mrt/ris/updates.20020722.2238.gz)
fi
bgpfa=${BGPFA:-build/app/bgpfa}
conf=$(mktemp --suffix=.conf)
trap 'rm -f "$conf"' EXIT
bench/roles_conf.sh "$bgpfa" "${dumps[@]}" >"$conf"
# One --stats run for the stage figures and peak RSS, then RUNS rounds of bgpfa (and BGPFA_BEFORE,
# an older binary put aside) and bgpdump -m alternated; medians of wall seconds.
/usr/bin/time -v "$bgpfa" replay --stats -q --report json -o /dev/null -c "$conf" "${dumps[@]}" 2>/tmp/bgpfa-replay-bench.err
grep '^bgpfa: stats' /tmp/bgpfa-replay-bench.err
rss=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' /tmp/bgpfa-replay-bench.err)
wall() {  # seconds of one run, output discarded
  local t0=$EPOCHREALTIME
  "$@" >/dev/null 2>&1
  local t1=$EPOCHREALTIME
  echo "${t1/./} / 1000000 - ${t0/./} / 1000000" | bc -l
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
runs=${RUNS:-5}
fa=() bd=() ob=()
for ((i = 0; i < runs; i++)); do
  fa+=("$(wall "$bgpfa" replay -q --report json -o /dev/null -c "$conf" "${dumps[@]}")")
  bd+=("$(wall sh -c 'for d in "$@"; do bgpdump -m "$d"; done' sh "${dumps[@]}")")
  [[ -n ${BGPFA_BEFORE:-} ]] && ob+=("$(wall "$BGPFA_BEFORE" replay -q --report json -o /dev/null -c "$conf" "${dumps[@]}")")
done
bgpfa_s=$(printf '%s\n' "${fa[@]}" | median)
bgpdump_s=$(printf '%s\n' "${bd[@]}" | median)
printf 'bgpfa replay (whole run, median of %d): %.3f s, peak RSS %s KB; bgpdump -m on the same files: %.3f s; ratio %.1fx\n' \
  "$runs" "$bgpfa_s" "$rss" "$bgpdump_s" "$(echo "$bgpdump_s / $bgpfa_s" | bc -l)"
if ((${#ob[@]})); then
  before_s=$(printf '%s\n' "${ob[@]}" | median)
  printf 'before (%s): %.3f s, ratio to bgpdump %.1fx; before/now %.2fx\n' "$BGPFA_BEFORE" "$before_s" \
    "$(echo "$bgpdump_s / $before_s" | bc -l)" "$(echo "$before_s / $bgpfa_s" | bc -l)"
fi
