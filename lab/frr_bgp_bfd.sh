#!/usr/bin/env bash
# BFD ends the BGP session at once: FRR's bgpd (hold time 90 s) and bfdd (300 ms x 3) against
# bgpfa serve with `neighbor X bfd`. The link is cut; bgpfa resets the session with Cease/BFD
# Down within a second (the hold timer would take 60-90 s), the report's episode says "BFD down"
# with a failure window that holds the harness's cut time, and a replay of the capture agrees.
# Usage: lab/frr_bgp_bfd.sh BGPFA_BINARY
source "$(dirname "$0")/lib.sh"
bgpfa=$1
lab_init bgpbfd
lab_need /usr/lib/frr/bgpd /usr/lib/frr/bfdd python3

ns_a=$(lab_ns a)  # bgpfa
ns_b=$(lab_ns b)  # FRR: bgpd and bfdd
read -r if_a if_b < <(lab_link "$ns_a" 10.255.2.1/30 "$ns_b" 10.255.2.2/30)

lab_frr "$ns_b" frr "hostname lab-frr
router bgp 4200000001
 bgp router-id 10.255.2.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 10.255.2.1 remote-as 65515
 neighbor 10.255.2.1 timers 30 90
 address-family ipv4 unicast
  network 10.1.0.0/16
  network 10.2.0.0/16
 exit-address-family
!"
cat >"$LAB_DIR/frr/bfdd.conf" <<CONF
hostname lab-bfdd
bfd
 peer 10.255.2.1 local-address 10.255.2.2
  receive-interval 300
  transmit-interval 300
  detect-multiplier 3
 !
!
CONF
lab_bfdd "$ns_b" frr

cat >"$LAB_DIR/bgpfa.conf" <<CONF
router bgp 65515
 bgp router-id 10.255.2.1
 neighbor 10.255.2.2 remote-as 4200000001
 neighbor 10.255.2.2 timers 30 90
 neighbor 10.255.2.2 bfd interval 300 multiplier 3
 neighbor 10.255.2.2 gateway expressroute circuit er1 link primary
analyzer
 quiet-period 2s
CONF
lab_spawn "$ns_a" bgpfa "$bgpfa" serve -c "$LAB_DIR/bgpfa.conf" --listen 10.255.2.1 --port 179 --grpc off \
  --capture "$LAB_DIR/capture" --state-file "$LAB_DIR/state" --report json -o "$LAB_DIR/report.json" >/dev/null
bgpfa_pid=${LAB_PIDS[-1]}

established() { grep -q "10.255.2.2 Established 2 " "$LAB_DIR/state"; }
lab_wait 40 established
bfd_up() { grep -q "BFD .* -> Up" "$LAB_DIR/bgpfa.log"; }
lab_wait 20 bfd_up
echo "ok: BGP established with FRR's 2 routes, BFD up"
sleep 2  # keepalives and BFD packets flow

# Cut the link both ways (netem 100 % loss where the kernel has it, else the veth down).
now_us() { date +%s%6N; }
cut_us=$(now_us)
if ip netns exec "$ns_b" tc qdisc add dev "$if_b" root netem loss 100% 2>/dev/null; then
  ip netns exec "$ns_a" tc qdisc add dev "$if_a" root netem loss 100%
else
  ip -n "$ns_b" link set "$if_b" down
fi
down() { ! grep -q "10.255.2.2 Established" "$LAB_DIR/state"; }
lab_wait 10 down
noticed_us=$(now_us)
gap_ms=$(((noticed_us - cut_us) / 1000))
grep -q "BFD down (Control Detection Time Expired): session reset" "$LAB_DIR/bgpfa.log"
grep -q "sending NOTIFICATION Cease/BFD Down" "$LAB_DIR/bgpfa.log"
((gap_ms < 1500)) || { echo "FAILED: the session ended ${gap_ms} ms after the cut (BFD 300 ms x 3)"; exit 1; }
echo "ok: the session ended ${gap_ms} ms after the cut (harness clock), by BFD, not the 90 s hold timer"

kill -TERM "$bgpfa_pid"
lab_wait 10 test -s "$LAB_DIR/report.json"
"$bgpfa" replay -q -c "$LAB_DIR/bgpfa.conf" --report json "$LAB_DIR"/capture/*.mrt >"$LAB_DIR/replay.json"
python3 - "$LAB_DIR/report.json" "$LAB_DIR/replay.json" "$cut_us" <<'PY'
import json, sys, datetime
live, replay, cut = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
def us(t): return int(datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp() * 1e6)
eps = [e for e in live["episodes"] if e["trigger"].startswith("BFD down: to 10.255.2.2 (er1 primary): Cease/BFD Down")]
assert eps, [e["trigger"] for e in live["episodes"]]
e = eps[0]
after, before = us(e["failure_after"]), us(e["failure_before"])
# The cut lies in the failure window (50 ms allowed for the harness's own steps around it).
assert after - 50_000 <= cut <= before + 50_000, (after, cut, before)
assert e["detected_by"] == "BFD" and e["detection_max_ms"] <= 1000, e
assert e["transitions"].get("er-primary->none") == 2, e["transitions"]
rep = [x for x in replay["episodes"] if x["trigger"] == e["trigger"]]
assert rep and rep[0]["failure_after"] == e["failure_after"] and rep[0]["trigger_time"] == e["trigger_time"], rep
print(f"ok: episode 'BFD down', failure between {e['failure_after']} and {e['failure_before']} holds the cut "
      f"(off by {(cut - after) / 1000:.1f} ms from the window's start); detection {e['detection_min_ms']}-{e['detection_max_ms']} ms; "
      "the replay of the capture gives the same episode")
PY
