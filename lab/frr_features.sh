#!/usr/bin/env bash
# FRRouting <-> bgpfa over IPv6 transport with bgpfa passive: ADD-PATH (addpath-tx-all-paths),
# IPv6 routes, withdrawals and re-announcements, clear bgp, and an RFC 9003 shutdown message.
# Usage: lab/frr_features.sh BGPFA_BINARY
source "$(dirname "$0")/lib.sh"
bgpfa=$1
lab_init frrx
lab_need /usr/lib/frr/bgpd

ns_a=$(lab_ns a)
ns_b=$(lab_ns b)
lab_link "$ns_a" 10.255.1.1/30 "$ns_b" 10.255.1.2/30 fd00:255::1/64 fd00:255::2/64 >/dev/null

lab_frr "$ns_b" frr "hostname lab-frr6
router bgp 65010
 bgp router-id 10.255.1.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor fd00:255::1 remote-as 65515
 neighbor fd00:255::1 timers 3 9
 neighbor fd00:255::1 timers connect 5
 address-family ipv4 unicast
  neighbor fd00:255::1 activate
  neighbor fd00:255::1 addpath-tx-all-paths
  network 10.1.0.0/16
  network 10.2.0.0/16
 exit-address-family
 address-family ipv6 unicast
  neighbor fd00:255::1 activate
  network fd01:1::/48
 exit-address-family
!"

cat >"$LAB_DIR/bgpfa.conf" <<CONF
router bgp 65515
 bgp router-id 10.255.1.1
 neighbor fd00:255::2 remote-as 65010
 neighbor fd00:255::2 passive
 neighbor fd00:255::2 gateway vpn instance 0
CONF
lab_spawn "$ns_a" bgpfa "$bgpfa" serve -c "$LAB_DIR/bgpfa.conf" --listen :: --port 179 \
  --capture "$LAB_DIR/capture" --state-file "$LAB_DIR/state" --report json -o "$LAB_DIR/report.json" >/dev/null
bgpfa_pid=${LAB_PIDS[-1]}
vty() { lab_vtysh frr -c "$@"; }

established() { grep -q "fd00:255::2 Established" "$LAB_DIR/state"; }
lab_wait 40 established
grep -q "ADD-PATH receive yes" "$LAB_DIR/bgpfa.log"
echo "ok: passive bgpfa accepted FRR over IPv6; ADD-PATH negotiated"

dump() { "$bgpfa" mrt dump -m "$LAB_DIR"/capture/*.mrt 2>/dev/null; }
have() { dump | grep -q -- "$1"; }
lab_wait 20 have '|A|fd00:255::2|65010|fd01:1::/48|[0-9]*|65010|IGP|fd00:255::2|'
lab_wait 20 have 'BGP4MP_ET_AP|.*|A|fd00:255::2|65010|10.1.0.0/16|'
echo "ok: IPv6 route (MP_REACH_NLRI) and IPv4 routes with path identifiers"

vty "configure terminal" -c "router bgp 65010" -c "address-family ipv4 unicast" -c "no network 10.2.0.0/16"
lab_wait 20 have '|W|fd00:255::2|65010|10.2.0.0/16|'
vty "configure terminal" -c "router bgp 65010" -c "address-family ipv4 unicast" -c "network 10.2.0.0/16"
lab_wait 20 bash -c "\"$bgpfa\" mrt dump -m $LAB_DIR/capture/*.mrt 2>/dev/null | grep '10.2.0.0/16' | tail -1 | grep -q '|A|'"
echo "ok: withdrawal and re-announcement"

vty "clear bgp *"
lab_wait 30 bash -c "grep -c 'state OpenConfirm -> Established' $LAB_DIR/bgpfa.log | grep -qx 2"
lab_wait 20 established
readvertised() { [[ $(dump | grep -c '|A|fd00:255::2|65010|10.1.0.0/16|') -ge 2 ]]; }
lab_wait 20 readvertised
echo "ok: clear bgp reset the session and it came back with its routes"

vty "configure terminal" -c "router bgp 65010" -c "neighbor fd00:255::1 shutdown message planned maintenance"
lab_wait 20 grep -q 'received NOTIFICATION Cease/Administrative Shutdown: "planned maintenance"' "$LAB_DIR/bgpfa.log"
echo "ok: administrative shutdown message received and logged"

kill -TERM "$bgpfa_pid"
lab_wait 10 test -s "$LAB_DIR/report.json"
grep -q 'NOTIFICATION from fd00:255::2 (vpn 0): Cease/Administrative Shutdown: \\"planned maintenance\\"' "$LAB_DIR/report.json"
"$bgpfa" replay -q -c "$LAB_DIR/bgpfa.conf" --report json "$LAB_DIR"/capture/*.mrt >"$LAB_DIR/replay.json"
extract() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["active_paths"], sort_keys=True))' "$1"; }
[[ "$(extract "$LAB_DIR/report.json")" == "$(extract "$LAB_DIR/replay.json")" ]]
echo "ok: the shutdown is an episode trigger; replay of the capture matches the live run"
