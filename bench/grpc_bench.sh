#!/usr/bin/env bash
# ListPaths of a large table over gRPC: bgpfa's C++ client against `bgpfa replay --serve`, and
# `gobgp global rib` against gobgpd holding the same routes, side by side in one run.
# The table: bgpfa-table-gen's PREFIXES /24s on four peers (an ExpressRoute circuit's two links,
# every 8th prefix also on two VPN peers), replayed once to write bgpfa's own RIB snapshot
# (TABLE_DUMP_V2), which bgpfa serves; gobgpd gets the same routes (see below). Prints the median wall time of RUNS runs of
# each client, bgpfa's server CPU per ListPaths, the ratios, and bgpfa's RSS before and after.
# Usage: bench/grpc_bench.sh [PREFIXES] [RUNS]   (default 1000000 3; needs gobgpd and gobgp)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${2:-3}
bgpfa=${BGPFA:-build/app/bgpfa}
gen=${BGPFA_TABLE_GEN:-build/tools/scenario/bgpfa-table-gen}
for tool in "$bgpfa" "$gen"; do [[ -x $tool ]] || { echo "grpc_bench: $tool is not built" >&2; exit 2; }; done
command -v gobgpd >/dev/null && command -v gobgp >/dev/null || { echo "grpc_bench: needs gobgpd and gobgp (Debian: gobgpd)" >&2; exit 2; }
source bench/lib.sh
bench_temp_dir bgpfa-grpc-bench
cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }  # user + system seconds
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
now() { echo "$EPOCHREALTIME"; }
elapsed() { echo "$2 - $1" | bc -l; }
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "generating $n prefixes ..." >&2
"$gen" "$dir/gen.mrt" "$n"
"$bgpfa" replay -q -c bench/generated-table.conf --report json -o /dev/null --rib-snapshot "$dir/table.mrt" "$dir/gen.mrt"
routes_of() { "$bgpfa" mrt dump -m "$1" | cut -d'|' -f3- | sort; }
cmp -s <(routes_of "$dir/gen.mrt") <(routes_of "$dir/table.mrt") || { echo "grpc_bench: the snapshot's routes differ from the table's" >&2; exit 1; }

bport=$(free_port)
"$bgpfa" replay -q --stats -c bench/generated-table.conf --report json -o /dev/null --serve "127.0.0.1:$bport" "$dir/table.mrt" \
  2>"$dir/bgpfa.err" &
bpid=$!
pids+=("$bpid")
until grep -q "results are served" "$dir/bgpfa.err"; do
  kill -0 "$bpid" 2>/dev/null || { cat "$dir/bgpfa.err" >&2; exit 2; }
  sleep 0.2
done
rib_bytes=$(sed -n 's/.*rib_bytes=\([0-9]*\).*/\1/p' "$dir/bgpfa.err")
routes=$(sed -n 's/.*routes_in_rib=\([0-9]*\).*/\1/p' "$dir/bgpfa.err")

gport=$(free_port)
printf '[global.config]\n  as = 65515\n  router-id = "192.0.2.100"\n  port = -1\n' >"$dir/gobgpd.toml"
gobgpd -f "$dir/gobgpd.toml" --api-hosts "127.0.0.1:$gport" --pprof-disable -l warn >"$dir/gobgpd.log" 2>&1 &
gpid=$!
pids+=("$gpid")
until gobgp -p "$gport" global rib summary >/dev/null 2>&1; do sleep 0.2; done
echo "injecting the snapshot into gobgpd ..." >&2
# The generated table, not bgpfa's snapshot of it: the snapshot's PEER_INDEX_TABLE has BGP ID 0
# for every peer (a replay of RIB dumps does not learn them), and gobgpd keeps one path per
# (BGP ID, AS), so it would hold half the routes. The routes are the same (checked below).
# gobgp's inject drops the last routes still in flight when it closes its stream: the table is
# sent twice (the second copy replaces each route with itself), and the count is checked.
cat "$dir/gen.mrt" "$dir/gen.mrt" >"$dir/inject.mrt"
gobgp -p "$gport" mrt inject global "$dir/inject.mrt"
until [[ $(gobgp -p "$gport" global rib summary | sed -n 's/.*Destination: \([0-9]*\), Path: \([0-9]*\).*/\1 \2/p') == "$n $routes" ]]; do
  sleep 1
  kill -0 "$gpid" 2>/dev/null || { echo "grpc_bench: gobgpd died" >&2; exit 2; }
done
rm -f "$dir/inject.mrt"

# Both hold the whole table (gobgpd: its summary above); bgpfa's client prints every path (not timed).
got=$("$bgpfa" paths -s "127.0.0.1:$bport" --json | wc -l)
[[ $got == "$n" ]] || { echo "grpc_bench: bgpfa paths --json printed $got paths, not $n" >&2; exit 1; }

rss_before=$(rss_kb "$bpid")
rss_peak=$rss_before
declare -A times
for ((r = 0; r < runs; r++)); do
  for client in "bgpfa paths" "bgpfa paths --json" "gobgp global rib" "gobgp global rib -j"; do
    case $client in
      "bgpfa paths") cmd=("$bgpfa" paths -s "127.0.0.1:$bport") ;;
      "bgpfa paths --json") cmd=("$bgpfa" paths -s "127.0.0.1:$bport" --json) ;;
      "gobgp global rib") cmd=(gobgp -p "$gport" global rib) ;;
      "gobgp global rib -j") cmd=(gobgp -p "$gport" global rib -j) ;;
    esac
    c0=$(cpu "$bpid")
    t0=$(now)
    "${cmd[@]}" >/dev/null
    t1=$(now)
    c1=$(cpu "$bpid")
    times[$client]+="$(elapsed "$t0" "$t1") "
    [[ $client == bgpfa* ]] && times["$client cpu"]+="$(elapsed "$c0" "$c1") "
    rss=$(rss_kb "$bpid")
    ((rss > rss_peak)) && rss_peak=$rss
  done
done
rss_after=$(rss_kb "$bpid")
med() { tr ' ' '\n' <<<"${times[$1]}" | grep . | median; }

printf '\n%s prefixes, %s routes on 4 peers; %s runs each, median wall time (s)\n\n' "$n" "$routes" "$runs"
printf '| client | wall s | bgpfa server CPU s |\n|---|---|---|\n'
for client in "bgpfa paths" "bgpfa paths --json" "gobgp global rib" "gobgp global rib -j"; do
  if [[ $client == bgpfa* ]]; then cpu_col=$(med "$client cpu"); else cpu_col=-; fi
  printf '| `%s` | %.3f | %s |\n' "$client" "$(med "$client")" "$([[ $cpu_col == - ]] && echo - || printf '%.2f' "$cpu_col")"
done
printf '\nratio gobgp global rib / bgpfa paths: %.1fx; gobgp global rib -j / bgpfa paths --json: %.1fx\n' \
  "$(echo "$(med "gobgp global rib") / $(med "bgpfa paths")" | bc -l)" \
  "$(echo "$(med "gobgp global rib -j") / $(med "bgpfa paths --json")" | bc -l)"
printf 'bgpfa RIB %.1f MB; server RSS %.1f MB before, %.1f MB after, largest after a run %.1f MB (growth %.1f MB = %.1f%% of the RIB); gobgpd RSS %.1f MB\n' \
  "$(echo "$rib_bytes / 1048576" | bc -l)" "$(echo "$rss_before / 1024" | bc -l)" "$(echo "$rss_after / 1024" | bc -l)" \
  "$(echo "$rss_peak / 1024" | bc -l)" "$(echo "($rss_peak - $rss_before) / 1024" | bc -l)" \
  "$(echo "($rss_peak - $rss_before) * 1024 * 100 / $rib_bytes" | bc -l)" "$(echo "$(rss_kb "$gpid") / 1024" | bc -l)"
