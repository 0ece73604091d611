#!/usr/bin/env bash
# Failover lab, multi-site VPN (lab/topologies/vpn-multisite.topo): both sites carry the shared
# 10.60.0.0/16, each its own /16. Site a's device dies (SIGKILL): its own prefix has no path
# and site b carries the shared one alone; the device restarts and all is as before. Checked
# against bgpfa's carrying paths and ground truth (harness clock, tshark, replay).
# Usage: lab/failover_vpn_multisite.sh BGPFA_BINARY
source "$(dirname "$0")/topo.sh"
fo_test failover_vpn_multisite "$1" "$(dirname "$0")/topologies/vpn-multisite.topo"
A=10.12.255.61 B=10.12.255.62
normal=("10.60.0.0/16=vpn:$A/0+$B/0" "10.61.0.0/16=vpn:$A/0" "10.62.0.0/16=vpn:$B/0")
fo_expect "both sites carry the shared prefix" "${normal[@]}"
fo_quiet
cut=$(topo_kill sitea)
fo_expect "site a down" "10.60.0.0/16=vpn:$B/0" "10.61.0.0/16=gone" "10.62.0.0/16=vpn:$B/0"
# FRR's helper-only graceful restart keeps nothing: the trigger must not say it does
fo_step "site a's device killed" "$cut" "^session down $A \\(vpn 0 site a\\): Established -> Idle$" "vpn->none=1,vpn->vpn=1" 0 2/0/0
fo_quiet
t=$(topo_now)
topo_restart sitea
fo_expect "site a back" "${normal[@]}"
fo_step "site a back" "$t $t" "^session up $A |^first update after a quiet period" "none->vpn=1,vpn->vpn=1" 0 none
fo_verify
