#!/usr/bin/env bash
# Speaker benchmark (root): ../shared/tools/peer-bench feeds one table from bgp-blast to FRR,
# BIRD, GoBGP and bgpfa serve (session + RIB + analyzer live) side by side in one run and
# prints seconds from the first UPDATE to the last route accepted and RSS growth per route.
# A full table on one ExpressRoute session is far over Azure's 4,000-route limit, which would drop
# the session (and make every prefix an orphan): the bench turns the limits off, as the others do.
# Usage: bench/speaker_bench.sh [ROUTES] [ATTR_SETS] [receivers...]
#   defaults: 1000000 routes, 300000 attribute sets, frr bird gobgp and bgpfa
set -euo pipefail
cd "$(dirname "$0")/.."
routes=${1:-1000000}
export ATTR_SETS=${2:-300000}
shift $(($# > 2 ? 2 : $#)) || true
receivers=("$@")
((${#receivers[@]})) || receivers=(frr bird gobgp)
bgpfa=$(readlink -f "${BGPFA:-build/app/bgpfa}")
work=$(mktemp -d /tmp/bgpfa-speaker-bench.XXXX)
chmod 755 "$work"
report() {
  grep -h "bgpfa: stopped" "$work/serve.log" 2>/dev/null || true
  # The last NOTIFICATION is bgpfa's own Cease when peer-bench stops it; anything more means the
  # session broke under load (e.g. a missed keepalive).
  echo "bgpfa NOTIFICATION lines: $(grep -c NOTIFICATION "$work/serve.log" 2>/dev/null || true) (1 = only the Cease at shutdown)"
  rm -rf "$work"
}
trap report EXIT
cat >"$work/bgpfa.conf" <<CONF
router bgp 65002
 bgp router-id 10.255.0.2
 neighbor 10.255.0.1 remote-as 65001
 neighbor 10.255.0.1 passive
 neighbor 10.255.0.1 gateway expressroute circuit er1 link primary
!
analyzer
 prefix-limits off
CONF
state="$work/state"
../shared/tools/peer-bench ../shared/fixtures/mrt/ris/bview.20020722.2337.gz "$routes" "${receivers[@]}" \
  count:"awk '{s+=\$3} END {print s+0}' $state 2>/dev/null || echo 0" \
  cmd:"exec $bgpfa serve -c $work/bgpfa.conf --listen {ADDR} --port {PORT} --state-file $state --report json -o /dev/null 2>$work/serve.log"
