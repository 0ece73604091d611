#!/usr/bin/env bash
# Failover lab, S2S VPN active-active (lab/topologies/vpn-active-active.topo): one on-premises
# device peers with both gateway instances; both carry. Instance 0 fails (its address goes
# away: the device's packets to it are dropped, no reset): bgpfa's hold timer (9 s) ends that
# session and instance 1 carries alone; instance 0 returns and both carry again. Checked
# against bgpfa's carrying paths and ground truth (harness clock, tshark, replay).
# Usage: lab/failover_vpn.sh BGPFA_BINARY
source "$(dirname "$0")/topo.sh"
fo_test failover_vpn "$1" "$(dirname "$0")/topologies/vpn-active-active.topo"
D=10.12.255.10
fo_expect "both instances carry" "10.50.0.0/16=vpn:$D/0+$D/1" "10.51.0.0/16=vpn:$D/0+$D/1"
fo_quiet
cut=$(topo_addr_del azure vpn 10.12.255.4/24)
fo_expect "instance 0 lost: instance 1 carries" "10.50.0.0/16=vpn:$D/1" "10.51.0.0/16=vpn:$D/1"
fo_step "VPN instance failover" "$cut" "^hold timer expired: to $D " "vpn->vpn=2" 1 2/0/0
fo_quiet
t=$(topo_now)
topo_addr_add azure vpn 10.12.255.4/24
fo_expect "instance 0 back" "10.50.0.0/16=vpn:$D/0+$D/1" "10.51.0.0/16=vpn:$D/0+$D/1"
fo_step "recovery of instance 0" "$t $t" "^session up $D |^first update after a quiet period" "vpn->vpn=2" 0 none
fo_verify
