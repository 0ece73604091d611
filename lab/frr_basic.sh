#!/usr/bin/env bash
# FRRouting <-> bgpfa serve over a veth pair: the session comes up (bgpfa passive, then active),
# FRR's routes arrive with their attributes, the hold timer expires when the link is cut, and a
# replay of bgpfa's capture gives the same active paths as the live run.
# Usage: lab/frr_basic.sh BGPFA_BINARY
source "$(dirname "$0")/lib.sh"
bgpfa=$1
lab_init frr
lab_need /usr/lib/frr/bgpd

ns_a=$(lab_ns a)  # bgpfa
ns_b=$(lab_ns b)  # FRR
read -r if_a if_b < <(lab_link "$ns_a" 10.255.0.1/30 "$ns_b" 10.255.0.2/30)

lab_frr "$ns_b" frr "hostname lab-frr
router bgp 4200000001
 bgp router-id 10.255.0.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 10.255.0.1 remote-as 65515
 neighbor 10.255.0.1 timers 3 9
 address-family ipv4 unicast
  network 10.1.0.0/16 route-map TAG
  network 10.2.0.0/16 route-map TAG
  network 10.3.0.0/24 route-map PREPEND
 exit-address-family
!
route-map TAG permit 10
 set community 12076:1 12076:2
 set large-community 4200000001:1:2
 set metric 50
!
route-map PREPEND permit 10
 set as-path prepend 4200000001 4200000001
!"

cat >"$LAB_DIR/bgpfa.conf" <<CONF
router bgp 65515
 bgp router-id 10.255.0.1
 neighbor 10.255.0.2 remote-as 4200000001
 neighbor 10.255.0.2 timers holdtime 9
 neighbor 10.255.0.2 gateway expressroute circuit er1 link primary
analyzer
 quiet-period 2s
CONF
lab_spawn "$ns_a" bgpfa "$bgpfa" serve -c "$LAB_DIR/bgpfa.conf" --listen 10.255.0.1 --port 179 \
  --capture "$LAB_DIR/capture" --state-file "$LAB_DIR/state" --report json -o "$LAB_DIR/report.json" >/dev/null
bgpfa_pid=${LAB_PIDS[-1]}

established() { grep -q "10.255.0.2 Established" "$LAB_DIR/state"; }
lab_wait 40 established
echo "ok: session established (4-octet AS 4200000001)"

routes_in() { [[ $(ls "$LAB_DIR"/capture/*.mrt 2>/dev/null | wc -l) -ge 1 ]] && "$bgpfa" mrt dump -m "$LAB_DIR"/capture/*.mrt 2>/dev/null | grep -c '|A|' | grep -qx 3; }
lab_wait 20 routes_in
"$bgpfa" mrt dump -m "$LAB_DIR"/capture/*.mrt | grep '|A|' >"$LAB_DIR/announced.txt"
grep -q '|10.1.0.0/16|4200000001|IGP|10.255.0.2|0|50|12076:1 12076:2|NAG||' "$LAB_DIR/announced.txt"
grep -q '|10.3.0.0/24|4200000001 4200000001 4200000001|IGP|10.255.0.2|0|0||NAG||' "$LAB_DIR/announced.txt"
"$bgpfa" mrt dump -m -l "$LAB_DIR"/capture/*.mrt | grep -q '|12076:1 12076:2|4200000001:1:2|NAG||'
echo "ok: FRR's routes arrived with communities, large communities, MED and prepends"

# Over gRPC (inside bgpfa's namespace): the active path, then a watcher of 10.1/16 sees the change.
ip netns exec "$ns_a" "$bgpfa" paths 10.1.7.7 | grep -q '^10.1.0.0/16 *er-primary \[er1\]$'
ip netns exec "$ns_a" "$bgpfa" peers | grep -qE '^10.255.0.2 +er1 primary +4200000001 +[0-9:dh]+ Established +3 +3$'
ip netns exec "$ns_a" "$bgpfa" watch -n 1 --no-snapshot 10.1.0.0/16 >"$LAB_DIR/watch.log" 2>&1 &
watch_pid=$!
LAB_PIDS+=("$watch_pid")
lab_wait 10 grep -q "snapshot at change" "$LAB_DIR/watch.log"
echo "ok: gRPC: paths (longest match) and peers answer; a watcher is subscribed"

# Cut the link: no keepalives, bgpfa's hold timer (9 s) expires.
ip -n "$ns_b" link set "$if_b" down
idle() { ! grep -q "10.255.0.2 Established" "$LAB_DIR/state"; }
lab_wait 15 idle
grep -q "HoldTimerExpires" "$LAB_DIR/bgpfa.log"
grep -q "sending NOTIFICATION Hold Timer Expired" "$LAB_DIR/bgpfa.log"
echo "ok: hold timer expired after the link was cut"
lab_wait 15 grep -q "er-primary \\[er1\\] -> none" "$LAB_DIR/watch.log"
grep -qE '10.1.0.0/16 +er-primary \[er1\] -> none  \(session down 10.255.0.2 \(er1 primary\): Established -> Idle\)' "$LAB_DIR/watch.log"
echo "ok: the gRPC watcher saw 10.1.0.0/16 go from er-primary to none when the session went down"
ip -n "$ns_b" link set "$if_b" up
lab_wait 40 established
echo "ok: session re-established after the link came back"
sleep 3

kill -TERM "$bgpfa_pid"
lab_wait 10 test -s "$LAB_DIR/report.json"
grep -q '"prefix":"10.1.0.0/16","active":{"kind":"er-primary"' "$LAB_DIR/report.json"
grep -q '"trigger":"hold timer expired: to 10.255.0.2 (er1 primary): Hold Timer Expired' "$LAB_DIR/report.json"
echo "ok: live report: active paths and the hold-timer episode"

# Capture then replay: the same active paths as the live run.
"$bgpfa" replay -q -c "$LAB_DIR/bgpfa.conf" --report json "$LAB_DIR"/capture/*.mrt >"$LAB_DIR/replay.json"
extract() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["active_paths"], sort_keys=True))' "$1"; }
[[ "$(extract "$LAB_DIR/report.json")" == "$(extract "$LAB_DIR/replay.json")" ]]
echo "ok: replay of the capture gives the live run's active paths"
triggers() { python3 -c 'import json,sys; print(json.dumps([(e["start"], e["trigger"]) for e in json.load(open(sys.argv[1]))["episodes"]]))' "$1"; }
[[ "$(triggers "$LAB_DIR/report.json")" == "$(triggers "$LAB_DIR/replay.json")" ]]
echo "ok: and the same episodes: the same triggers, with the same text, at the same times"
