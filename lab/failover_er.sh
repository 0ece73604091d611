#!/usr/bin/env bash
# Failover lab, ExpressRoute active-active (lab/topologies/er-active-active.topo), one bring-up
# for a sequence of failures, each checked before, during and after against bgpfa's carrying
# paths, and at the end against ground truth (the harness's clock, tshark on the cloud side):
# link cut detected by the hold timer (3/9), the same with BFD (300 ms x 3), edge router killed
# and restarted, admin shutdown, CE withdraws a prefix, active-passive by prepending and by a
# more specific route, a link flapping 3 times; recovery after each.
# Usage: lab/failover_er.sh BGPFA_BINARY
# shellcheck disable=SC2046,SC2086 # expectations are words without blanks, split on purpose
source "$(dirname "$0")/topo.sh"
fo_test failover_er "$1" "$(dirname "$0")/topologies/er-active-active.topo"
P=10.255.11.2 S=10.255.12.2
prefixes=(10.1.0.0/16 10.2.0.0/16 10.3.0.0/24)
all() { local p; for p in "${prefixes[@]}"; do printf '%s=%s ' "$p" "$1"; done; }
ecmp=$(all "er-ecmp:$P+$S")
fo_expect "both links carry every prefix" $ecmp

# 1. The primary link is cut: nothing more arrives; bgpfa's hold timer (9 s) notices.
fo_quiet
cut=$(topo_link_down er1p)
fo_expect "hold timer: the secondary carries" $(all "er-secondary:$S")
fo_step "link cut, hold timer" "$cut" "^hold timer expired: to $P " "er-ecmp->er-secondary=3" 1 3/0/0
fo_quiet
topo_link_up er1p
t=$(topo_now)
fo_expect "recovered" $ecmp
fo_step "recovery of the primary" "$t $t" "^session up $P |^first update after a quiet period" "er-secondary->er-ecmp=3" 0 none

# 2. The secondary link (BFD 300 ms x 3) is cut: BFD ends the session in under a second.
fo_quiet
  cut=$(topo_link_down er1s)
fo_expect "BFD: the primary carries" $(all "er-primary:$P")
fo_step "link cut, BFD" "$cut" "^BFD down: to $S " "er-ecmp->er-primary=3" 1 3/0/0
fo_quiet
topo_link_up er1s
fo_expect "recovered" $ecmp

# 3. The primary's edge router dies (SIGKILL): its kernel closes the TCP connection.
fo_quiet
cut=$(topo_kill pe1)
fo_expect "router killed: the secondary carries" $(all "er-secondary:$S")
# FRR advertises graceful restart in helper mode (no family): nothing is kept, the trigger must not say so
fo_step "edge router killed" "$cut" "^session down $P \\(er1 primary\\): Established -> Idle$" "er-ecmp->er-secondary=3" 0 3/0/0
fo_quiet
topo_restart pe1
fo_expect "router restarted" $ecmp

# 4. Admin shutdown of the secondary's session on its edge router.
fo_quiet
cut=$(topo_bgp pe2 65001 "neighbor 10.255.12.1 shutdown message maintenance")
fo_expect "admin shutdown: the primary carries" $(all "er-primary:$P")
fo_step "admin shutdown" "$cut" "NOTIFICATION from $S .*Administrative Shutdown" "er-ecmp->er-primary=3" 0 3/0/0
fo_quiet
topo_bgp pe2 65001 "no neighbor 10.255.12.1 shutdown" >/dev/null
fo_expect "back from shutdown" $ecmp

# 5. The CE withdraws 10.3.0.0/24: both edge routers withdraw it.
fo_quiet
cut=$(topo_bgp ce 65100 "address-family ipv4 unicast" "no network 10.3.0.0/24")
fo_expect "CE withdrew 10.3.0.0/24" "10.1.0.0/16=er-ecmp:$P+$S" "10.2.0.0/16=er-ecmp:$P+$S" "10.3.0.0/24=gone"
fo_step "CE withdraws a prefix" "$cut" "first update after a quiet period" "er-ecmp->er-(primary|secondary)=1,er-(primary|secondary)->none=1" 0 none
fo_quiet
topo_bgp ce 65100 "address-family ipv4 unicast" "network 10.3.0.0/24" >/dev/null
fo_expect "CE announces it again" $ecmp

# 6. Active-passive: the secondary's edge router prepends twice; only the primary carries.
fo_quiet
cut=$(topo_bgp pe2 65001 "address-family ipv4 unicast" "neighbor 10.255.12.1 route-map PREPEND out")
fo_expect "prepended secondary is passive" $(all "er-primary:$P")
fo_step "active-passive by prepending" "$cut" "first update after a quiet period" "er-ecmp->er-primary=3" 0 none
fo_quiet
topo_bgp pe2 65001 "address-family ipv4 unicast" "no neighbor 10.255.12.1 route-map PREPEND out" >/dev/null
fo_expect "active-active again" $ecmp

# 7. Active-passive by a more specific route: pe1 alone announces 10.1.1.0/24, which only the
# primary carries (10.1.0.0/16 still over both: longest match).
fo_quiet
cut=$(topo_bgp pe1 65001 "address-family ipv4 unicast" "network 10.1.1.0/24")
fo_expect "more specific on the primary only" $ecmp "10.1.1.0/24=er-primary:$P"
fo_step "active-passive by a more specific route" "$cut" "first update after a quiet period" ".*->er-primary=1" 0 none
fo_quiet
topo_bgp pe1 65001 "address-family ipv4 unicast" "no network 10.1.1.0/24" >/dev/null
fo_expect "more specific withdrawn: it follows 10.1.0.0/16 again" $ecmp "10.1.1.0/24=via:10.1.0.0/16"

# 8. The BFD link flaps 3 times; every flap is an episode and the paths come back each time.
ecmp="$ecmp 10.1.1.0/24=via:10.1.0.0/16"
for i in 1 2 3; do
  fo_quiet
  cut=$(topo_link_down er1s)
  fo_expect "flap $i down" $(all "er-primary:$P") 10.1.1.0/24=via:10.1.0.0/16
  fo_step "flap $i" "$cut" "^BFD down: to $S " "er-ecmp->er-primary=4" 1 4/0/0  # 10.1.1.0/24 follows 10.1.0.0/16
  topo_link_up er1s
  fo_expect "flap $i up" $ecmp
done

fo_verify
