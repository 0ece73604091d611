#!/usr/bin/env bash
# Graceful restart with End-of-RIB (RFC 4724), bgpfa as receiving speaker, bgpfa active: FRR
# (graceful-restart, preserve-fw-state) is killed; bgpfa keeps its routes as stale, the analyzer
# keeps them active; FRR comes back with one route fewer and, at its End-of-RIB, only that one
# goes. FRR, restarting, waits for bgpfa's own End-of-RIB before it advertises anything.
# Usage: lab/frr_graceful_restart.sh BGPFA_BINARY
source "$(dirname "$0")/lib.sh"
bgpfa=$1
lab_init frrgr
lab_need /usr/lib/frr/bgpd

ns_a=$(lab_ns a)  # bgpfa
ns_b=$(lab_ns b)  # FRR
lab_link "$ns_a" 10.255.2.1/30 "$ns_b" 10.255.2.2/30 >/dev/null

frr_config() {
  printf 'hostname lab-frr-gr
router bgp 65020
 bgp router-id 10.255.2.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp graceful-restart
 bgp graceful-restart preserve-fw-state
 bgp graceful-restart restart-time 60
 neighbor 10.255.2.1 remote-as 65515
 neighbor 10.255.2.1 passive
 address-family ipv4 unicast
%s exit-address-family
!' "$1"
}
lab_frr "$ns_b" frr "$(frr_config '  network 10.1.0.0/16
  network 10.2.0.0/16
')"
frr_pid=${LAB_PIDS[-1]}

cat >"$LAB_DIR/bgpfa.conf" <<CONF
router bgp 65515
 bgp router-id 10.255.2.1
 neighbor 10.255.2.2 remote-as 65020
 neighbor 10.255.2.2 gateway expressroute circuit er1 link primary
CONF
lab_spawn "$ns_a" bgpfa "$bgpfa" serve -c "$LAB_DIR/bgpfa.conf" --listen 10.255.2.1 --port 179 \
  --capture "$LAB_DIR/capture" --state-file "$LAB_DIR/state" --report json -o "$LAB_DIR/report.json" >/dev/null
bgpfa_pid=${LAB_PIDS[-1]}

state_is() { grep -qE "^10.255.2.2 $1$" "$LAB_DIR/state"; }  # state routes stale
lab_wait 40 state_is "Established 2 0"
grep -q "graceful restart yes (restart time 60 s" "$LAB_DIR/bgpfa.log"
eor_from_bgpfa() {
  lab_vtysh frr -c "show bgp neighbors 10.255.2.1 json" |
    python3 -c 'import json,sys; n=json.load(sys.stdin)["10.255.2.1"]; sys.exit(0 if n["gracefulRestartInfo"]["ipv4Unicast"]["endOfRibStatus"]["endOfRibRecv"] else 1)'
}
lab_wait 20 eor_from_bgpfa
echo "ok: graceful restart negotiated; FRR received bgpfa's End-of-RIB"

kill -9 "$frr_pid"; wait "$frr_pid" 2>/dev/null || true
lab_wait 20 grep -q "graceful restart: 2 routes kept as stale for up to 60 s" "$LAB_DIR/bgpfa.log"
lab_wait 20 state_is "(Idle|Connect|Active) 2 2"
sleep 2
state_is "(Idle|Connect|Active) 2 2"
echo "ok: FRR killed; bgpfa keeps both routes, marked stale"

lab_frr "$ns_b" frr "$(frr_config '  network 10.1.0.0/16
')"
lab_wait 60 state_is "Established 1 0"
grep -q "peer restarted" "$LAB_DIR/bgpfa.log"
echo "ok: FRR back (restart bit set); at its End-of-RIB only the route it did not re-announce went"

kill -TERM "$bgpfa_pid"
lab_wait 10 test -s "$LAB_DIR/report.json"
python3 - "$LAB_DIR/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
text = json.dumps(r)
events = [e for e in r["events"] if e["prefix"] in ("10.1.0.0/16", "10.2.0.0/16")]
# 10.1/16 was never lost; 10.2/16 went at End-of-RIB, not when FRR died.
assert not any(e["prefix"] == "10.1.0.0/16" and e["to"]["kind"] == "none" for e in events), events
gone = [e for e in events if e["prefix"] == "10.2.0.0/16" and e["to"]["kind"] == "none"]
assert len(gone) == 1 and gone[0]["cause"].startswith("End-of-RIB"), gone
PY
"$bgpfa" replay -q -c "$LAB_DIR/bgpfa.conf" --report json "$LAB_DIR"/capture/*.mrt >"$LAB_DIR/replay.json"
extract() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(json.dumps([r["active_paths"], r["events"]], sort_keys=True))' "$1"; }
[[ "$(extract "$LAB_DIR/report.json")" == "$(extract "$LAB_DIR/replay.json")" ]]
echo "ok: the live report shows no outage for 10.1/16; replay of the capture gives the same paths and events"
