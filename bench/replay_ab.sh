#!/usr/bin/env bash
# Old binary against new on the replay benchmark's input, alternated in one run (the machine is
# shared and noisy: compare ratios, not absolute figures). Prints each run's RIB + analyzer
# routes/s and RIB bytes per route, then the medians and new/old ratios.
# Usage: bench/replay_ab.sh OLD_BGPFA NEW_BGPFA [ROUNDS] [DUMP...]
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2
rounds=${3:-5}
shift $(($# > 3 ? 3 : $#))
dumps=("$@")
((${#dumps[@]})) || dumps=(../shared/fixtures/mrt/ris/bview.20020722.2337.gz ../shared/fixtures/mrt/ris/updates.20020722.2238.gz)
conf=$(mktemp --suffix=.conf)
trap 'rm -f "$conf"' EXIT
bench/roles_conf.sh "$new" "${dumps[@]}" >"$conf"
run() {
  "$1" replay --stats -q --report json -o /dev/null -c "$conf" "${dumps[@]}" 2>&1 |
    awk '/^bgpfa: stats/ {for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]} print v["routes_per_second"], v["bytes_per_route"]}'
}
declare -a old_rate new_rate
old_bytes=0 new_bytes=0
for ((r = 1; r <= rounds; r++)); do
  read -r rate bytes < <(run "$old"); old_rate+=("$rate"); old_bytes=$bytes
  read -r rate2 bytes2 < <(run "$new"); new_rate+=("$rate2"); new_bytes=$bytes2
  printf 'round %d: old %s routes/s %s B/route | new %s routes/s %s B/route\n' "$r" "$rate" "$bytes" "$rate2" "$bytes2"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
mo=$(median "${old_rate[@]}") mn=$(median "${new_rate[@]}")
printf 'median RIB+analyzer routes/s: old %.0f, new %.0f (%.2fx); RIB bytes/route: old %s, new %s (%.2fx)\n' \
  "$mo" "$mn" "$(echo "$mn / $mo" | bc -l)" "$old_bytes" "$new_bytes" "$(echo "$new_bytes / $old_bytes" | bc -l)"
