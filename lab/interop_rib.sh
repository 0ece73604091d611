#!/usr/bin/env bash
# Routes from FRR (eBGP and iBGP), GoBGP and BIRD arrive in bgpfa's RIB with exactly the
# attributes each router shows for them in its own view (vtysh json, gobgp -j, birdc): AS paths
# with prepends, origin, MED, LOCAL_PREF (iBGP), communities and large communities. Sessions:
# FRR eBGP over IPv4 and GoBGP and BIRD over IPv6 with bgpfa dialling (they are passive), FRR
# iBGP over IPv6 with bgpfa passive. The RIB is read from a snapshot taken on SIGUSR1.
# Usage: lab/interop_rib.sh BGPFA_BINARY
source "$(dirname "$0")/lib.sh"
bgpfa=$1
here=$(cd "$(dirname "$0")" && pwd)
lab_init rib
lab_need /usr/lib/frr/bgpd gobgpd bird

ns_a=$(lab_ns a)
ns_e=$(lab_ns e) ns_i=$(lab_ns i) ns_g=$(lab_ns g) ns_r=$(lab_ns r)
lab_link "$ns_a" 10.255.5.1/30 "$ns_e" 10.255.5.2/30 >/dev/null
lab_link "$ns_a" 10.255.6.1/30 "$ns_i" 10.255.6.2/30 fd00:256::1/64 fd00:256::2/64 >/dev/null
lab_link "$ns_a" 10.255.7.1/30 "$ns_g" 10.255.7.2/30 fd00:257::1/64 fd00:257::2/64 >/dev/null
lab_link "$ns_a" 10.255.8.1/30 "$ns_r" 10.255.8.2/30 fd00:258::1/64 fd00:258::2/64 >/dev/null

# FRR, eBGP from 4-octet AS 4200000001: 20 prefixes, four kinds of attributes.
networks=""
for n in $(seq 0 19); do networks+="  network 10.20.$n.0/24 route-map K$((n % 4))"$'\n'; done
lab_frr "$ns_e" frre "hostname frr-ebgp
router bgp 4200000001
 bgp router-id 10.255.5.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 10.255.5.1 remote-as 65515
 neighbor 10.255.5.1 passive
 address-family ipv4 unicast
$networks exit-address-family
!
route-map K0 permit 10
 set community 12076:1 12076:2
 set large-community 4200000001:1:2 4200000001:3:4
 set metric 50
route-map K1 permit 10
 set as-path prepend 4200000001 4200000001
 set origin incomplete
route-map K2 permit 10
 set metric 7
 set community 65535:666
route-map K3 permit 10
!"

# FRR, iBGP (AS 65515, bgpfa's own): IPv6 prefixes with LOCAL_PREF.
lab_frr "$ns_i" frri "hostname frr-ibgp
router bgp 65515
 bgp router-id 10.255.6.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor fd00:256::1 remote-as 65515
 address-family ipv6 unicast
  neighbor fd00:256::1 activate
  network fd20:1::/48 route-map LP200
  network fd20:2::/48 route-map LP200
  network fd20:3::/48 route-map LP300
  network fd20:4::/48 route-map LP300
  network fd20:5::/48
  network fd20:6::/48 route-map LP300
 exit-address-family
!
route-map LP200 permit 10
 set local-preference 200
 set community 65515:200
route-map LP300 permit 10
 set local-preference 300
 set metric 30
 set large-community 65515:3:0
!"

# GoBGP, passive: bgpfa dials it over IPv6.
cat >"$LAB_DIR/gobgpd.toml" <<CONF
[global.config]
  as = 65020
  router-id = "10.255.7.2"
  port = 179
  local-address-list = ["fd00:257::2"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "fd00:257::1"
    peer-as = 65515
  [neighbors.transport.config]
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
CONF
lab_spawn "$ns_g" gobgpd gobgpd -f "$LAB_DIR/gobgpd.toml" -t toml --api-hosts 127.0.0.1:50051 >/dev/null
gobgp() { ip netns exec "$ns_g" gobgp -u 127.0.0.1 -p 50051 "$@"; }

# BIRD 2, passive: bgpfa dials it over IPv6.
cat >"$LAB_DIR/bird.conf" <<CONF
router id 10.255.8.2;
protocol device {}
protocol static {
  ipv6;
  route fd40:1::/48 blackhole { bgp_community.add((65030,5)); bgp_community.add((65030,6)); };
  route fd40:2::/48 blackhole { bgp_path.prepend(65030); bgp_path.prepend(65030); };
  route fd40:3::/48 blackhole { bgp_origin = ORIGIN_EGP; bgp_large_community.add((65030,9,9)); };
  route fd40:4::/48 blackhole;
}
protocol bgp bgpfa {
  local fd00:258::2 as 65030;
  neighbor fd00:258::1 as 65515;
  passive on;
  ipv6 { import none; export filter { bgp_large_community.add((65030, 1, 2)); accept; }; };
}
CONF
lab_spawn "$ns_r" bird bird -f -c "$LAB_DIR/bird.conf" -s "$LAB_DIR/bird.ctl" -P "$LAB_DIR/bird.pid" >/dev/null

cat >"$LAB_DIR/bgpfa.conf" <<CONF
router bgp 65515
 bgp router-id 10.255.5.1
 neighbor 10.255.5.2 remote-as 4200000001
 neighbor 10.255.5.2 gateway expressroute circuit er1 link primary
 neighbor fd00:257::2 remote-as 65020
 neighbor fd00:257::2 gateway expressroute circuit er1 link secondary
 neighbor fd00:258::2 remote-as 65030
 neighbor fd00:258::2 gateway vpn instance 0
 neighbor fd00:256::2 remote-as 65515
 neighbor fd00:256::2 passive
 neighbor fd00:256::2 gateway vpn instance 1
CONF
lab_spawn "$ns_a" bgpfa "$bgpfa" serve -c "$LAB_DIR/bgpfa.conf" --listen :: --port 179 \
  --state-file "$LAB_DIR/state" --rib-snapshot "$LAB_DIR/rib.mrt" --capture "$LAB_DIR/capture" >/dev/null
bgpfa_pid=${LAB_PIDS[-1]}

# GoBGP's routes, once its API is up: attributes set per route on the command line.
lab_wait 30 gobgp global
gobgp global rib add -a ipv6 fd30:1::/48 community 65020:1 med 10
gobgp global rib add -a ipv6 fd30:2::/48 aspath 65001,65002 origin egp
gobgp global rib add -a ipv6 fd30:3::/48 large-community 65020:7:7 community 65020:2,65020:3
gobgp global rib add -a ipv6 fd30:4::/48 origin incomplete med 99

has_routes() { grep -qE "^$1 Established $2 " "$LAB_DIR/state"; }
lab_wait 60 has_routes 10.255.5.2 20
lab_wait 60 has_routes fd00:256::2 6
lab_wait 60 has_routes fd00:257::2 4
lab_wait 60 has_routes fd00:258::2 4
echo "ok: sessions up (bgpfa active to FRR over IPv4 and to GoBGP and BIRD over IPv6, passive for FRR iBGP over IPv6)"

kill -USR1 "$bgpfa_pid"
lab_wait 10 grep -q "RIB snapshot written" "$LAB_DIR/bgpfa.log"
"$bgpfa" mrt dump -m -l "$LAB_DIR/rib.mrt" >"$LAB_DIR/rib.txt"
cmp=("$here/compare_rib.py" "$LAB_DIR/rib.txt")
"${cmp[@]}" 10.255.5.2 4200000001 ebgp 10.255.5.2 frr vtysh --vty_socket "$LAB_DIR/frre"
"${cmp[@]}" fd00:256::2 65515 ibgp fd00:256::2 frr vtysh --vty_socket "$LAB_DIR/frri"
"${cmp[@]}" fd00:257::2 65020 ebgp fd00:257::2 gobgp ip netns exec "$ns_g" gobgp -u 127.0.0.1 -p 50051
"${cmp[@]}" fd00:258::2 65030 ebgp fd00:258::2 bird birdc -s "$LAB_DIR/bird.ctl" show route export bgpfa all
echo "ok: every route identical to the router's own view"
