#!/usr/bin/env bash
# Scale scenario (issue 12): what a production ExpressRoute + VPN gateway sees, a full table on
# both ExpressRoute links and both VPN instances, IPv4 and IPv6 sessions of their own.
#  replay: bgpfa-table-gen --full V4 --ipv6 V6 (4 x V4 IPv4 routes + 4 x V6 IPv6 routes, one
#          TABLE_DUMP_V2 file) through `bgpfa replay --stats` with a JSON report to /dev/null:
#          wall and CPU seconds, the RIB + analyzer stage's routes/s, peak RSS, RIB bytes per route.
#  live:   (with `live`) the same IPv4 table into `bgpfa serve` over four real sessions on
#          loopback, one bgp-blast each (../shared/tools; IPv4 only, hence no IPv6 live): seconds
#          from the first UPDATE sent to every route in bgpfa's RIB (its state file), RSS.
# Usage: bench/scale_bench.sh [V4] [V6] [live]   (defaults 1000000 200000; no root needed)
set -euo pipefail
cd "$(dirname "$0")/.."
v4=${1:-1000000}
v6=${2:-200000}
mode=${3:-}
bgpfa=$(readlink -f "${BGPFA:-build/app/bgpfa}")
gen=$(readlink -f "${BGPFA_TABLE_GEN:-build/tools/scenario/bgpfa-table-gen}")
for tool in "$bgpfa" "$gen"; do [[ -x $tool ]] || { echo "scale_bench: $tool is not built" >&2; exit 2; }; done
source bench/lib.sh
bench_temp_dir bgpfa-scale
stat_of() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$2"; }

echo "generating 4 x $v4 IPv4 + 4 x $v6 IPv6 routes ..." >&2
"$gen" "$dir/table.mrt" "$v4" --ipv6 "$v6" --full
echo "table: $(du -m "$dir/table.mrt" | cut -f1) MB, $((4 * v4 + 4 * v6)) routes, $((v4 + v6)) prefixes"
/usr/bin/time -f "wall=%e user=%U sys=%S maxrss_kb=%M" -o "$dir/time" \
  "$bgpfa" replay -q --stats -c bench/generated-table.conf --report json -o /dev/null "$dir/table.mrt" 2>"$dir/stats"
grep -q "bgpfa: stats" "$dir/stats" || { cat "$dir/stats" >&2; exit 1; }
routes=$(stat_of routes_in_rib "$dir/stats")
t() { sed "s/.*$1=\([^ ]*\).*/\1/" "$dir/time"; }
printf 'replay: %s routes in the RIB, whole run %s s wall (%s s user, %s s sys), peak RSS %d MB\n' "$routes" \
  "$(t wall)" "$(t user)" "$(t sys)" "$(($(t maxrss_kb) / 1024))"
printf 'replay: RIB + analyzer stage %s s, %s routes/s; RIB %s bytes, %s bytes per route\n' \
  "$(stat_of rib_analyzer_seconds "$dir/stats")" "$(stat_of routes_per_second "$dir/stats")" \
  "$(stat_of rib_bytes "$dir/stats")" "$(stat_of bytes_per_route "$dir/stats")"
[[ $routes == $((4 * v4 + 4 * v6)) ]] || { echo "scale_bench: expected $((4 * v4 + 4 * v6)) routes in the RIB" >&2; exit 1; }

[[ $mode == live ]] || exit 0
blast=../shared/tools/bgp-blast
[[ -x $blast ]] || { echo "scale_bench: live needs $blast" >&2; exit 2; }
# bgp-blast reads bgpdump -m text and sends the routes of the peer with the most: the primary's.
"$bgpfa" mrt dump -m "$dir/table.mrt" | grep '|192\.0\.2\.1|' >"$dir/table.txt"
port=$(free_port)
{
  echo "router bgp 65515"
  echo " bgp router-id 127.0.0.1"
  roles=("expressroute circuit er1 link primary" "expressroute circuit er1 link secondary" "vpn instance 0" "vpn instance 1")
  for i in 0 1 2 3; do
    echo " neighbor 127.0.0.$((i + 2)) remote-as 6500$i"
    echo " neighbor 127.0.0.$((i + 2)) passive"
    echo " neighbor 127.0.0.$((i + 2)) gateway ${roles[$i]}"
  done
  printf '!\nanalyzer\n prefix-limits off\n!\n'
} >"$dir/live.conf"
"$bgpfa" serve -c "$dir/live.conf" --listen 127.0.0.1 --port "$port" --grpc off --metrics off \
  --state-file "$dir/state" --report json -o /dev/null 2>"$dir/serve.log" &
spid=$!
pids+=("$spid")
until grep -q "serving 4 neighbours" "$dir/serve.log" 2>/dev/null; do
  kill -0 "$spid" 2>/dev/null || { cat "$dir/serve.log" >&2; exit 2; }
  sleep 0.1
done
rss0=$(awk '/VmRSS/ {print $2}' "/proc/$spid/status")
echo "live: building 4 sessions' UPDATEs of $v4 routes each (bgp-blast, Python) ..." >&2
for i in 0 1 2 3; do
  "$blast" --table "$dir/table.txt" --receiver 127.0.0.1 --port "$port" --local-as "6500$i" \
    --local-ip "127.0.0.$((i + 2))" --hold-open 600 >"$dir/blast$i.json" 2>&1 &
  pids+=("$!")
done
want=$((4 * v4))
until [[ $(awk '{s += $3} END {print s + 0}' "$dir/state" 2>/dev/null || echo 0) -ge $want ]]; do
  kill -0 "$spid" 2>/dev/null || { cat "$dir/serve.log" >&2; exit 1; }
  sleep 0.05
done
done_at=$EPOCHREALTIME
first=$(python3 -c 'import json, sys; print(min(json.loads(open(f).readline())["first_update_wall"] for f in sys.argv[1:]))' "$dir"/blast?.json)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$spid/status")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$spid/status")
secs=$(echo "$done_at - $first" | bc -l)
printf 'live: %d routes over 4 sessions in %.2f s from the first UPDATE sent (%.0f routes/s); RSS %d MB (peak %d MB), %.0f bytes per route over the idle RSS\n' \
  "$want" "$secs" "$(echo "$want / $secs" | bc -l)" $((rss / 1024)) $((hwm / 1024)) "$(echo "($rss - $rss0) * 1024 / $want" | bc -l)"
echo "live: NOTIFICATIONs in bgpfa's log: $(grep -c NOTIFICATION "$dir/serve.log" || true) (0: no session broke under load)"
