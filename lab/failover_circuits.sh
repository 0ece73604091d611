#!/usr/bin/env bash
# Failover lab, two ExpressRoute circuits (lab/topologies/er-two-circuits.topo), BFD on both.
#   weights: er1 has connection weight 100 and carries alone; its link is cut: er2 takes over
#            within a second (BFD), and er1 takes the traffic back when it returns
#   ecmp:    equal circuits share every prefix (ECMP across circuits: kind er-primary, as only
#            primary links are modelled, with both circuits carrying); er2 is cut: er1 alone
# Each state is checked against bgpfa's carrying paths, and the run against ground truth
# (harness clock, tshark on the cloud side, replay of the capture).
# Usage: lab/failover_circuits.sh BGPFA_BINARY weights|ecmp
source "$(dirname "$0")/topo.sh"
mode=$2
[[ $mode == ecmp ]] && export ECMP=1
fo_test "failover_circuits_$mode" "$1" "$(dirname "$0")/topologies/er-two-circuits.topo"
A=10.255.21.2 B=10.255.22.2
if [[ $mode == weights ]]; then
  fo_expect "er1 (weight 100) carries" "10.1.0.0/16=er-primary:$A" "10.2.0.0/16=er-primary:$A"
  fo_quiet
  cut=$(topo_link_down er1p)
  fo_expect "er1 lost: er2 carries" "10.1.0.0/16=er-primary:$B" "10.2.0.0/16=er-primary:$B"
  fo_step "circuit with weight 100 lost" "$cut" "^BFD down: to $A " "er-primary->er-primary=2" 1 2/0/0
  fo_quiet
  t=$(topo_now)
  topo_link_up er1p
  fo_expect "er1 back: it carries again" "10.1.0.0/16=er-primary:$A" "10.2.0.0/16=er-primary:$A"
  fo_step "recovery of er1" "$t $t" "^session up $A |^first update after a quiet period" "er-primary->er-primary=2" 0 none
else
  fo_expect "equal circuits: ECMP over er1 and er2" "10.1.0.0/16=er-primary:$A+$B" "10.2.0.0/16=er-primary:$A+$B"
  fo_quiet
  cut=$(topo_link_down er2p)
  fo_expect "er2 lost: er1 alone" "10.1.0.0/16=er-primary:$A" "10.2.0.0/16=er-primary:$A"
  fo_step "one of two equal circuits lost" "$cut" "^BFD down: to $B " "er-primary->er-primary=2" 1 2/0/0
  fo_quiet
  topo_link_up er2p
  fo_expect "er2 back: ECMP again" "10.1.0.0/16=er-primary:$A+$B" "10.2.0.0/16=er-primary:$A+$B"
fi
fo_verify
