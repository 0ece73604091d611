#!/usr/bin/env bash
# Failover lab, VNet-to-VNet with spokes (lab/topologies/vnet-to-vnet.topo): the remote VNet's
# gateway announces its VNet, an on-premises prefix and a default route; the hub carries the
# first two over VPN, not the default. The remote gateway shuts the session down (maintenance):
# both go, and come back with it. Checked against bgpfa's carrying paths and ground truth
# (harness clock, tshark, replay); then the spokes' views from the replayed capture: spoke1
# (use-remote-gateway) reaches them through the hub's gateway, spoke2 (no transit) does not.
# Usage: lab/failover_vnet.sh BGPFA_BINARY
source "$(dirname "$0")/topo.sh"
fo_test failover_vnet "$1" "$(dirname "$0")/topologies/vnet-to-vnet.topo"
G=10.20.255.4
normal=("10.20.0.0/16=vpn:$G/0" "10.70.0.0/16=vpn:$G/0" "0.0.0.0/0=gone")
fo_expect "the remote VNet's routes over VPN, not its default route" "${normal[@]}"
fo_quiet
cut=$(topo_bgp vnet2 65516 "neighbor 10.12.255.4 shutdown message maintenance")
fo_expect "remote gateway shut down" "10.20.0.0/16=gone" "10.70.0.0/16=gone" "0.0.0.0/0=gone"
fo_step "remote VNet gateway shutdown" "$cut" "NOTIFICATION from $G .*Administrative Shutdown" "vpn->none=2" 0 2/0/0
fo_quiet
t=$(topo_now)
topo_bgp vnet2 65516 "no neighbor 10.12.255.4 shutdown" >/dev/null
fo_expect "remote gateway back" "${normal[@]}"
fo_step "remote VNet gateway back" "$t $t" "^session up $G |^first update after a quiet period" "(none->none=2,)?none->vpn=2" 0 none
fo_verify

# The spokes' views of the same capture.
spoke() {
  "$TOPO_BGPFA" replay -q -c "$TOPO_DIR/bgpfa.conf" --vnet "$1" --report json "$TOPO_DIR"/capture/*.mrt |
    python3 -c 'import json, sys; print(" ".join(a["prefix"] + "=" + a["active"]["kind"] for a in json.load(sys.stdin)["active_paths"]))'
}
[[ $(spoke spoke1) == "0.0.0.0/0=none 10.20.0.0/16=vpn 10.70.0.0/16=vpn" ]] || { echo "FAILED: spoke1 sees $(spoke spoke1)"; exit 1; }
echo "ok: spoke1 (use-remote-gateway) reaches 10.20.0.0/16 and 10.70.0.0/16 through the hub's gateway"
[[ $(spoke spoke2) == "0.0.0.0/0=none 10.20.0.0/16=none 10.70.0.0/16=none" ]] || { echo "FAILED: spoke2 sees $(spoke spoke2)"; exit 1; }
echo "ok: spoke2 (no gateway transit) has no route to them"
