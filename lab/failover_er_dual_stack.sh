#!/usr/bin/env bash
# Failover lab, ExpressRoute dual stack (lab/topologies/er-dual-stack.topo): IPv4 and IPv6
# peering on both links of circuit er1, BFD (300 ms x 3) on all four sessions. The primary link
# is cut: BFD ends both of its sessions and the secondary carries both families; it comes back;
# then the secondary's IPv6 session alone is shut down (its IPv4 session goes on carrying).
# Each state is checked against bgpfa's carrying paths, and the run against ground truth
# (harness clock, tshark on the cloud side of both links, replay of the capture).
# Usage: lab/failover_er_dual_stack.sh BGPFA_BINARY
source "$(dirname "$0")/topo.sh"
fo_test failover_er_dual_stack "$1" "$(dirname "$0")/topologies/er-dual-stack.topo"
P4=10.255.41.2 P6=fd00:41::2 S4=10.255.42.2 S6=fd00:42::2
V4=10.1.0.0/16 V6=2001:db8:10::/48
fo_expect "both links carry both families" "$V4=er-ecmp:$P4+$S4" "$V6=er-ecmp:$P6+$S6"

# 1. The primary link is cut: its IPv4 and IPv6 sessions both go down by BFD, in one episode.
# The prediction covers both sessions (each one's what-if at its trigger, composed): both
# families' prefixes predicted, as observed.
fo_quiet
cut=$(topo_link_down er1p)
fo_expect "primary link lost: the secondary carries both families" "$V4=er-secondary:$S4" "$V6=er-secondary:$S6"
fo_step "primary link cut (IPv4 and IPv6)" "$cut" "^BFD down: to ($P4|$P6) " "er-ecmp->er-secondary=2" 1 2/0/0
fo_quiet
t=$(topo_now)
topo_link_up er1p
fo_expect "primary link back" "$V4=er-ecmp:$P4+$S4" "$V6=er-ecmp:$P6+$S6"
# The two sessions reconnect on their own timers: one episode, or two (the first then has one prefix).
fo_step "recovery of the primary link" "$t $t" "^session up ($P4|$P6) |^first update after a quiet period" "er-secondary->er-ecmp=[12]" 0 none

# 2. The secondary's IPv6 session is shut down on its edge router: only IPv6 moves.
fo_quiet
cut=$(topo_bgp pe2 65001 "neighbor fd00:42::1 shutdown message maintenance")
fo_expect "IPv6 session of the secondary shut down" "$V4=er-ecmp:$P4+$S4" "$V6=er-primary:$P6"
fo_step "IPv6 session shutdown" "$cut" "NOTIFICATION from $S6 .*Administrative Shutdown" "er-ecmp->er-primary=1" 0 1/0/0
fo_quiet
topo_bgp pe2 65001 "no neighbor fd00:42::1 shutdown" >/dev/null
fo_expect "IPv6 session back" "$V4=er-ecmp:$P4+$S4" "$V6=er-ecmp:$P6+$S6"
fo_verify
