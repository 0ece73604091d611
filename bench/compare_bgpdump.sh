#!/usr/bin/env bash
# Whole-program comparison on the same files, interleaved in one invocation (machines are noisy:
# read the ratios): `zcat > /dev/null` (plain decompression, the floor), `bgpdump -m` and
# `bgpfa mrt dump -m`. Checks bgpfa's bytes are bgpdump's and reports peak RSS (/usr/bin/time -v).
# Times are medians of wall seconds; cpu is bgpfa's median user+sys (its decompression thread
# included), which a loaded machine distorts less than wall time.
# Usage: bench/compare_bgpdump.sh [RUNS] [FILE...]   (defaults: 7 runs, the issue's two files;
# updates.et-header.2015.gz is looked for in ../shared/fixtures/mrt/ris and $BGPFA_BENCH_FILES)
# BGPFA=path: the bgpfa to measure (default build/app/bgpfa); BGPFA_BEFORE=path: also an older
# bgpfa (a copy put aside), run in the same rounds, with new/old ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
shift || true
files=("$@")
if ((${#files[@]} == 0)); then
  files=(../shared/fixtures/mrt/ris/bview.20020722.2337.gz)
  et=""
  for d in ../shared/fixtures/mrt/ris ${BGPFA_BENCH_FILES:-}; do
    [[ -f $d/updates.et-header.2015.gz ]] && { et=$d/updates.et-header.2015.gz; break; }
  done
  if [[ -n $et ]]; then files+=("$et"); else
    echo "note: updates.et-header.2015.gz (bgpdump's test_data) not found; using updates.20071015.1505.gz" >&2
    files+=(../shared/fixtures/mrt/ris/updates.20071015.1505.gz)
  fi
fi
bgpfa=${BGPFA:-build/app/bgpfa}
command -v bgpdump >/dev/null || { echo "bgpdump not installed (apt-get install bgpdump)" >&2; exit 2; }
[[ -x $bgpfa ]] || { echo "build bgpfa first (scripts/build.sh)" >&2; exit 2; }
before=${BGPFA_BEFORE:-}

# "wall cpu" seconds of one run, output discarded (bash's time keyword: no extra process).
run() {
  local TIMEFORMAT='%R %U %S' t
  t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
  awk '{printf "%s %.3f\n", $1, $2 + $3}' <<<"$t"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
peak_kb() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}'; }

printf '%-28s %15s %15s %15s %12s %12s %13s %s\n' file zcat_s bgpdump_s bgpfa_s vs_bgpdump vs_zcat \
  RSS_KB_bd/fa bytes
printf '%-28s %15s %15s %15s %12s %12s\n' '' 'wall (cpu)' 'wall (cpu)' 'wall (cpu)' 'wall (cpu)' 'wall (cpu)'
for f in "${files[@]}"; do
  if cmp -s <(bgpdump -m "$f" 2>/dev/null) <("$bgpfa" mrt dump -m "$f" 2>/dev/null); then same=identical; else same=DIFFERENT; fi
  zw=() zc=() aw=() ac=() bw=() bc=() ow=() oc=()
  for ((i = 0; i < runs; i++)); do
    read -r w u < <(run zcat "$f"); zw+=("$w"); zc+=("$u")
    read -r w u < <(run bgpdump -m "$f"); aw+=("$w"); ac+=("$u")
    read -r w u < <(run "$bgpfa" mrt dump -m "$f"); bw+=("$w"); bc+=("$u")
    if [[ -n $before ]]; then read -r w u < <(run "$before" mrt dump -m "$f"); ow+=("$w"); oc+=("$u"); fi
  done
  m() { printf '%s\n' "$@" | median; }
  mzw=$(m "${zw[@]}") mzc=$(m "${zc[@]}") maw=$(m "${aw[@]}") mac=$(m "${ac[@]}") mbw=$(m "${bw[@]}") mbc=$(m "${bc[@]}")
  r() { echo "$1 / $2" | bc -l; }
  printf '%-28s %6s (%6s) %6s (%6s) %6s (%6s) %5.1fx (%4.1fx) %4.2fx (%4.2fx) %13s %s\n' "$(basename "$f")" \
    "$mzw" "$mzc" "$maw" "$mac" "$mbw" "$mbc" "$(r "$maw" "$mbw")" "$(r "$mac" "$mbc")" "$(r "$mbw" "$mzw")" \
    "$(r "$mbc" "$mzc")" "$(peak_kb bgpdump -m "$f")/$(peak_kb "$bgpfa" mrt dump -m "$f")" "$same"
  if [[ -n $before ]]; then
    mow=$(m "${ow[@]}") moc=$(m "${oc[@]}")
    printf '%-28s before: %6s (%6s)  before/now %4.2fx (%4.2fx)  before vs bgpdump %5.1fx  vs zcat %4.2fx\n' '' "$mow" "$moc" \
      "$(r "$mow" "$mbw")" "$(r "$moc" "$mbc")" "$(r "$maw" "$mow")" "$(r "$mow" "$mzw")"
  fi
done
