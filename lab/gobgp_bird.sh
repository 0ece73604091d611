#!/usr/bin/env bash
# GoBGP and BIRD 2 each peer with bgpfa over IPv4, bgpfa passive (they dial; interop_rib.sh has
# bgpfa dial them over IPv6): sessions establish and their routes arrive with the attributes
# they set.
# Usage: lab/gobgp_bird.sh BGPFA_BINARY
source "$(dirname "$0")/lib.sh"
bgpfa=$1
lab_init gb
ns_a=$(lab_ns a)
ns_g=$(lab_ns g)
ns_r=$(lab_ns r)
lab_link "$ns_a" 10.255.3.1/30 "$ns_g" 10.255.3.2/30 >/dev/null
lab_link "$ns_a" 10.255.4.1/30 "$ns_r" 10.255.4.2/30 >/dev/null
have_gobgp=0 have_bird=0
command -v gobgpd >/dev/null && have_gobgp=1
command -v bird >/dev/null && have_bird=1
((have_gobgp || have_bird)) || { echo "SKIP: neither gobgpd nor bird is installed"; exit 0; }

cat >"$LAB_DIR/bgpfa.conf" <<CONF
router bgp 65515
 bgp router-id 10.255.3.1
 neighbor 10.255.3.2 remote-as 65020
 neighbor 10.255.3.2 passive
 neighbor 10.255.3.2 gateway expressroute circuit er1 link primary
 neighbor 10.255.4.2 remote-as 65030
 neighbor 10.255.4.2 passive
 neighbor 10.255.4.2 gateway expressroute circuit er1 link secondary
CONF
lab_spawn "$ns_a" bgpfa "$bgpfa" serve -c "$LAB_DIR/bgpfa.conf" --listen 0.0.0.0 --port 179 \
  --capture "$LAB_DIR/capture" --state-file "$LAB_DIR/state" --report json -o "$LAB_DIR/report.json" >/dev/null
bgpfa_pid=${LAB_PIDS[-1]}
dump() { "$bgpfa" mrt dump -m "$LAB_DIR"/capture/*.mrt 2>/dev/null; }
have() { dump | grep -q -- "$1"; }

if ((have_gobgp)); then
  cat >"$LAB_DIR/gobgpd.toml" <<CONF
[global.config]
  as = 65020
  router-id = "10.255.3.2"
  port = -1
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.255.3.1"
    peer-as = 65515
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 5
CONF
  lab_spawn "$ns_g" gobgpd gobgpd -f "$LAB_DIR/gobgpd.toml" -t toml --api-hosts 127.0.0.1:50051 >/dev/null
  lab_wait 40 grep -q "10.255.3.2 Established" "$LAB_DIR/state"
  ip netns exec "$ns_g" gobgp -u 127.0.0.1 -p 50051 global rib add 10.9.0.0/16 -a ipv4 community 65020:7 med 30
  lab_wait 20 have '|A|10.255.3.2|65020|10.9.0.0/16|65020|INCOMPLETE|10.255.3.2|0|30|65020:7|NAG||'
  echo "ok: GoBGP session established; its route arrived with community and MED"
fi

if ((have_bird)); then
  cat >"$LAB_DIR/bird.conf" <<CONF
router id 10.255.4.2;
protocol device {}
protocol static { ipv4; route 10.11.0.0/16 blackhole; }
protocol bgp bgpfa {
  local 10.255.4.2 as 65030;
  neighbor 10.255.4.1 as 65515;
  hold time 9;
  connect retry time 5;
  ipv4 { import none; export filter { bgp_large_community.add((65030, 1, 2)); accept; }; };
}
CONF
  lab_spawn "$ns_r" bird bird -f -c "$LAB_DIR/bird.conf" -s "$LAB_DIR/bird.ctl" -P "$LAB_DIR/bird.pid" >/dev/null
  lab_wait 40 grep -q "10.255.4.2 Established" "$LAB_DIR/state"
  lab_wait 20 bash -c "\"$bgpfa\" mrt dump -m -l $LAB_DIR/capture/*.mrt 2>/dev/null | grep -q '|A|10.255.4.2|65030|10.11.0.0/16|65030|IGP|10.255.4.2|0|0||65030:1:2|NAG||'"
  echo "ok: BIRD session established; its route arrived with a large community"
fi

kill -TERM "$bgpfa_pid"
lab_wait 10 test -s "$LAB_DIR/report.json"
((have_gobgp)) && grep -q '"prefix":"10.9.0.0/16","active":{"kind":"er-primary"' "$LAB_DIR/report.json"
((have_bird)) && grep -q '"prefix":"10.11.0.0/16","active":{"kind":"er-secondary"' "$LAB_DIR/report.json"
echo "ok: the analyzer placed GoBGP's route on the primary link and BIRD's on the secondary"
