#!/usr/bin/env bash
# Replay benchmark: a full-table-sized RIB dump plus an updates file through RIB + analyzer.
# Every peer of the dumps gets a role (ER primary/secondary over several circuits, VPN), so every
# route is kept. Prints the RIB+analyzer stage's routes/s and bytes per route, bgpfa's whole-run
# time and peak RSS, and bgpdump -m's time on the same input in the same run (ratio).
# Usage: bench/replay_bench.sh [DUMP...]
set -euo pipefail
cd "$(dirname "$0")/.."
dumps=("$@")
if ((${#dumps[@]} == 0)); then
  dumps=(../shared/fixtures/mrt/ris/bview.20020722.2337.gz ../shared/fixtures/mrt/ris/updates.20020722.2238.gz)
fi
bgpfa=${BGPFA:-build/app/bgpfa}
conf=$(mktemp --suffix=.conf)
trap 'rm -f "$conf"' EXIT
{
  echo "router bgp 65515"
  i=0
  for dump in "${dumps[@]}"; do "$bgpfa" mrt dump -m "$dump" 2>/dev/null; done | awk -F'|' '$3!="STATE"{print $4"|"$5}' | sort -u |
    while IFS='|' read -r ip asn; do
      echo " neighbor $ip remote-as $asn"
      case $((i % 3)) in
        0) echo " neighbor $ip gateway expressroute circuit c$((i / 3)) link primary" ;;
        1) echo " neighbor $ip gateway expressroute circuit c$((i / 3)) link secondary" ;;
        2) echo " neighbor $ip gateway vpn instance $(((i / 3) % 2))" ;;
      esac
      i=$((i + 1))
    done
  # A full table per session is far above Azure's limits (4,000 routes): analyse it anyway.
  [[ "${BENCH_AZURE_LIMITS:-off}" == off ]] && printf 'analyzer\n prefix-limits off\n'
} >"$conf"
t0=$EPOCHREALTIME
/usr/bin/time -v "$bgpfa" replay --stats -q --report json -o /dev/null -c "$conf" "${dumps[@]}" 2>/tmp/bgpfa-replay-bench.err
t1=$EPOCHREALTIME
for d in "${dumps[@]}"; do bgpdump -m "$d" >/dev/null 2>&1; done
t2=$EPOCHREALTIME
grep '^bgpfa: stats' /tmp/bgpfa-replay-bench.err
rss=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' /tmp/bgpfa-replay-bench.err)
bgpfa_s=$(echo "${t1/./} / 1000000 - ${t0/./} / 1000000" | bc -l)
bgpdump_s=$(echo "${t2/./} / 1000000 - ${t1/./} / 1000000" | bc -l)
printf 'bgpfa replay (whole run): %.3f s, peak RSS %s KB; bgpdump -m on the same files: %.3f s; ratio %.1fx\n' \
  "$bgpfa_s" "$rss" "$bgpdump_s" "$(echo "$bgpdump_s / $bgpfa_s" | bc -l)"
