#!/usr/bin/env bash
# Failover lab, ExpressRoute + VPN (lab/topologies/er-vpn-coexist.topo): ExpressRoute carries
# the prefixes both announce, VPN the more specific 10.2.1.0/24 it alone announces (a finding);
# both ExpressRoute links are cut at once: BFD ends both sessions and VPN takes over; they
# return and ExpressRoute carries again. Checked against bgpfa's carrying paths and ground
# truth (harness clock, tshark, replay).
# Usage: lab/failover_er_vpn.sh BGPFA_BINARY
source "$(dirname "$0")/topo.sh"
fo_test failover_er_vpn "$1" "$(dirname "$0")/topologies/er-vpn-coexist.topo"
P=10.255.31.2 S=10.255.32.2 V=10.12.255.10
normal=("10.1.0.0/16=er-ecmp:$P+$S" "10.2.0.0/16=er-ecmp:$P+$S" "10.2.1.0/24=vpn:$V/0")
fo_expect "ExpressRoute carries, VPN the more specific" "${normal[@]}"
topo_bgpfa findings | grep -q "10.2.1.0/24"
echo "ok: finding: $(topo_bgpfa findings | grep "10.2.1.0/24" | head -1)"
fo_quiet
c1=$(topo_link_down er1p)
c2=$(topo_link_down er1s)
fo_expect "both ExpressRoute links lost: VPN carries" "10.1.0.0/16=vpn:$V/0" "10.2.0.0/16=vpn:$V/0" "10.2.1.0/24=vpn:$V/0"
# The prediction covers both sessions (composed in order): every prefix predicted to the VPN, as observed.
fo_step "both ExpressRoute links lost" "${c1% *} ${c2#* }" "^BFD down: to ($P|$S) " "(er-ecmp->vpn=2|er-ecmp->er-(primary|secondary)=2,er-(primary|secondary)->vpn=2)" 1 2/0/0
fo_quiet
t=$(topo_now)
topo_link_up er1p
topo_link_up er1s
fo_expect "ExpressRoute back" "${normal[@]}"
# The two sessions may come back more than a quiet period apart: then this is the first of two episodes.
fo_step "recovery of ExpressRoute" "$t $t" "^session up ($P|$S) |^first update after a quiet period" "(vpn->er-ecmp=2|er-(primary|secondary)->er-ecmp=2,vpn->er-(primary|secondary)=2|vpn->er-(primary|secondary)=2)" 0 none
fo_verify
