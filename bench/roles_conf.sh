#!/usr/bin/env bash
# The configuration the replay benchmarks use: every peer of the dumps gets a role, in turn an
# ExpressRoute primary, its secondary and a VPN instance (circuits c0, c1, ...). A full table per
# session is far above Azure's limits (4,000 routes): the limits are off unless
# BENCH_AZURE_LIMITS=on. Usage: bench/roles_conf.sh BGPFA DUMP... > CONF
set -euo pipefail
bgpfa=$1
shift
echo "router bgp 65515"
i=0
for dump in "$@"; do "$bgpfa" mrt dump -m "$dump" 2>/dev/null; done | awk -F'|' '$3!="STATE"{print $4"|"$5}' | sort -u |
  while IFS='|' read -r ip asn; do
    echo " neighbor $ip remote-as $asn"
    case $((i % 3)) in
      0) echo " neighbor $ip gateway expressroute circuit c$((i / 3)) link primary" ;;
      1) echo " neighbor $ip gateway expressroute circuit c$((i / 3)) link secondary" ;;
      2) echo " neighbor $ip gateway vpn instance $(((i / 3) % 2))" ;;
    esac
    i=$((i + 1))
  done
[[ "${BENCH_AZURE_LIMITS:-off}" == off ]] && printf 'analyzer\n prefix-limits off\n'
exit 0
