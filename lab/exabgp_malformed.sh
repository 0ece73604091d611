#!/usr/bin/env bash
# ExaBGP sends bgpfa an UPDATE with a malformed COMMUNITIES attribute (length 5): RFC 7606
# treat-as-withdraw. bgpfa logs the error with code/subcode/offset, the session stays up, and
# the well-formed route from the same peer is kept.
# Usage: lab/exabgp_malformed.sh BGPFA_BINARY
source "$(dirname "$0")/lib.sh"
bgpfa=$1
lab_init exa
lab_need exabgp

ns_a=$(lab_ns a)
ns_b=$(lab_ns b)
read -r if_a if_b < <(lab_link "$ns_a" 10.255.2.1/30 "$ns_b" 10.255.2.2/30)

cat >"$LAB_DIR/exabgp.conf" <<CONF
neighbor 10.255.2.1 {
  router-id 10.255.2.2;
  local-address 10.255.2.2;
  local-as 65010;
  peer-as 65515;
  hold-time 9;
  static {
    route 10.7.0.0/16 next-hop 10.255.2.2;
    route 10.8.0.0/16 next-hop 10.255.2.2 attribute [ 0x08 0xc0 0x0102030405 ];
  }
}
CONF
cat >"$LAB_DIR/bgpfa.conf" <<CONF
router bgp 65515
 bgp router-id 10.255.2.1
 neighbor 10.255.2.2 remote-as 65010
 neighbor 10.255.2.2 passive
 neighbor 10.255.2.2 gateway vpn instance 0
CONF
lab_spawn "$ns_a" bgpfa "$bgpfa" serve -c "$LAB_DIR/bgpfa.conf" --listen 10.255.2.1 --port 179 \
  --capture "$LAB_DIR/capture" --state-file "$LAB_DIR/state" --report json -o "$LAB_DIR/report.json" >/dev/null
bgpfa_pid=${LAB_PIDS[-1]}
lab_spawn "$ns_b" exabgp env exabgp_daemon_user=root exabgp_daemon_drop=false exabgp_tcp_bind= \
  exabgp_log_destination=stdout exabgp_api_cli=false exabgp "$LAB_DIR/exabgp.conf" >/dev/null

established() { grep -q "10.255.2.2 Established" "$LAB_DIR/state"; }
lab_wait 40 established
lab_wait 20 grep -q "COMMUNITIES length 5 is not a multiple of 4 (treat-as-withdraw)" "$LAB_DIR/bgpfa.log"
grep -q "UPDATE Message Error/Attribute Length Error" "$LAB_DIR/bgpfa.log"
echo "ok: malformed COMMUNITIES detected with RFC 7606 treat-as-withdraw"
sleep 12  # longer than the hold time: the session must survive
established
! grep -q "sending NOTIFICATION" "$LAB_DIR/bgpfa.log"
echo "ok: the session survived (no NOTIFICATION, still Established after the hold time)"
kill -TERM "$bgpfa_pid"
lab_wait 10 test -s "$LAB_DIR/report.json"
grep -q '"prefix":"10.7.0.0/16","active":{"kind":"vpn"' "$LAB_DIR/report.json"
! grep -q '"prefix":"10.8.0.0/16","active":{"kind":"vpn"' "$LAB_DIR/report.json"
echo "ok: the well-formed route is active, the malformed one was treated as withdrawn"
