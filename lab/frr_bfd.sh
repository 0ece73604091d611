#!/usr/bin/env bash
# FRR's bfdd <-> bgpfa's BFD endpoint (bgpfa-bfd-probe) over a veth pair, IPv4 and IPv6, 300 ms x 3:
# the sessions come Up on both sides; the link is cut (netem 100 % loss both ways) and both
# sides see Down in under 1 s by the harness's clock, with the cut inside bgpfa's failure window
# (after the last packet heard, before detection); the link returns and the sessions come back;
# FRR's administrative shutdown reaches bgpfa as Neighbor Signaled Session Down.
# Usage: lab/frr_bfd.sh BGPFA_BFD_PROBE
source "$(dirname "$0")/lib.sh"
probe=$1
lab_init bfdt
lab_need /usr/lib/frr/bfdd vtysh

ns_a=$(lab_ns a)  # bgpfa
ns_b=$(lab_ns b)  # FRR bfdd
read -r if_a if_b < <(lab_link "$ns_a" 10.255.1.1/30 "$ns_b" 10.255.1.2/30 fd00:bfd::1/64 fd00:bfd::2/64)

mkdir -p "$LAB_DIR/frr"
cat >"$LAB_DIR/frr/bfdd.conf" <<CONF
hostname lab-bfdd
log stdout debugging
bfd
 peer 10.255.1.1 local-address 10.255.1.2
  receive-interval 300
  transmit-interval 300
  detect-multiplier 3
 !
 peer fd00:bfd::1 local-address fd00:bfd::2
  receive-interval 300
  transmit-interval 300
  detect-multiplier 3
 !
!
CONF
lab_bfdd "$ns_b" frr
lab_spawn "$ns_a" probe4 "$probe" --peer 10.255.1.2 --local 10.255.1.1 --interval 300 --multiplier 3 >/dev/null
probe4_pid=${LAB_PIDS[-1]}
lab_spawn "$ns_a" probe6 "$probe" --peer fd00:bfd::2 --local fd00:bfd::1 --interval 300 --multiplier 3 >/dev/null
probe6_pid=${LAB_PIDS[-1]}

now_us() { date +%s%6N; }
# frr_statuses: "PEER STATUS" lines, FRR's view (up, down, init, shutdown); awk, not python: the
# polling loop below must be quick to time the cut.
frr_statuses() {
  vtysh --vty_socket "$LAB_DIR/frr" -c "show bfd peers" 2>/dev/null |
    awk '$1 == "peer" {peer = $2} $1 == "Status:" {print peer, $2}'
}
frr_status() { frr_statuses | awk -v p="$1" '$1 == p {print $2}'; }
frr_is() { [[ $(frr_status "$1") == "$2" ]]; }
# changes N LOG: at least N state-change lines in the probe's log
changes() { (($(grep -c '^change ' "$LAB_DIR/$2.log") >= $1)); }
last_change() { grep '^change ' "$LAB_DIR/$1.log" | tail -1; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

lab_wait 20 grep -q -- '->Up ' "$LAB_DIR/probe4.log"
lab_wait 20 grep -q -- '->Up ' "$LAB_DIR/probe6.log"
lab_wait 10 frr_is 10.255.1.1 up
lab_wait 10 frr_is fd00:bfd::1 up
echo "ok: BFD sessions Up on both sides (IPv4 and IPv6): $(last_change probe4 | cut -d' ' -f4-6)"
sleep 3  # Poll Sequences done: both sides at 300 ms
vtysh --vty_socket "$LAB_DIR/frr" -c "show bfd peers" >"$LAB_DIR/frr-peers-up.log"
grep -A30 'peer 10.255.1.1' "$LAB_DIR/frr-peers-up.log" | grep -q 'Transmission interval: 300ms'
echo "ok: FRR negotiated 300 ms with bgpfa"
# RFC 5881 4: bgpfa sends from ports 49152-65535 (FRR accepting the packets shows the TTL was 255).
ports=$(ip netns exec "$ns_a" ss -uanp | awk '/bgpfa-bfd-prob/ {n = split($4, a, ":"); print a[n]}' | grep -vx 3784)
[[ $(wc -l <<<"$ports") -eq 2 ]]
for p in $ports; do ((p >= 49152 && p <= 65535)); done
echo "ok: source ports $(echo $ports)"
n4=$(grep -c '^change ' "$LAB_DIR/probe4.log")
n6=$(grep -c '^change ' "$LAB_DIR/probe6.log")

# Cut the link both ways (netem 100 % loss, or the veth down where the kernel has no netem);
# the harness's clock around the cut.
cut_start=$(now_us)
if ip netns exec "$ns_b" tc qdisc add dev "$if_b" root netem loss 100% 2>/dev/null; then
  ip netns exec "$ns_a" tc qdisc add dev "$if_a" root netem loss 100%
  cut=netem
else
  ip netns exec "$ns_b" sysctl -qw "net.ipv6.conf.$if_b.keep_addr_on_down=1"  # else IPv6 addresses go
  ip -n "$ns_b" link set "$if_b" down
  cut="link down"
fi
cut_end=$(now_us)
echo "cut ($cut) at $cut_start..$cut_end"
seen4= seen6= frr4= frr6=
deadline=$((cut_start + 5000000))
while [[ -z $seen4 || -z $seen6 || -z $frr4 || -z $frr6 ]] && (($(now_us) < deadline)); do
  [[ -z $seen4 ]] && changes $((n4 + 1)) probe4 && seen4=$(now_us)
  [[ -z $seen6 ]] && changes $((n6 + 1)) probe6 && seen6=$(now_us)
  if [[ -z $frr4 || -z $frr6 ]]; then
    st=$(frr_statuses)
    [[ -z $frr4 ]] && grep -qx "10.255.1.1 down" <<<"$st" && frr4=$(now_us)
    [[ -z $frr6 ]] && grep -qx "fd00:bfd::1 down" <<<"$st" && frr6=$(now_us)
  fi
  sleep 0.01
done
[[ -n $seen4 && -n $seen6 ]] || { echo "bgpfa did not see the cut within 5 s" >&2; exit 1; }
[[ -n $frr4 && -n $frr6 ]] || { echo "FRR did not see the cut within 5 s" >&2; exit 1; }
for fam in 4 6; do
  line=$(last_change probe$fam)
  echo "IPv$fam: $line"
  [[ $line == *'Up->Down diag=1 "Control Detection Time Expired" event=DetectionTimerExpired'* ]]
  at=$(field at_us "$line")
  last_rx=$(field last_rx_us "$line")
  seen_var=seen$fam frr_var=frr$fam
  # The cut lies in bgpfa's failure window, and detection came within 300 ms x 3 of it.
  ((last_rx <= cut_end && at >= cut_start))
  (((at - cut_start) < 1000000))
  # Measured from outside: the probe's line, and FRR's view, within 1 s plus a margin for polling.
  ((${!seen_var} - cut_start < 1500000))
  ((${!frr_var} - cut_start < 1500000))
  echo "ok: IPv$fam cut detected: bgpfa $(((at - cut_start) / 1000)) ms after the cut (window $(((at - last_rx) / 1000)) ms), seen by the harness after $(((${!seen_var} - cut_start) / 1000)) ms, FRR down after $(((${!frr_var} - cut_start) / 1000)) ms"
done
vtysh --vty_socket "$LAB_DIR/frr" -c "show bfd peers" >"$LAB_DIR/frr-peers-down.log"
grep -A12 'peer 10.255.1.1' "$LAB_DIR/frr-peers-down.log" | grep -q 'Diagnostics: control detection time expired'
echo "ok: FRR agrees: down, control detection time expired"

# The link returns: both sessions come back.
if [[ $cut == netem ]]; then
  ip netns exec "$ns_b" tc qdisc del dev "$if_b" root
  ip netns exec "$ns_a" tc qdisc del dev "$if_a" root
else
  ip -n "$ns_b" link set "$if_b" up
fi
lab_wait 20 bash -c "[[ \$(grep '^change ' '$LAB_DIR/probe4.log' | tail -1) == *'->Up '* ]]"
lab_wait 20 bash -c "[[ \$(grep '^change ' '$LAB_DIR/probe6.log' | tail -1) == *'->Up '* ]]"
lab_wait 10 frr_is 10.255.1.1 up
lab_wait 10 frr_is fd00:bfd::1 up
echo "ok: sessions Up again after the link returned"

# FRR shuts the peer down: bgpfa hears AdminDown (diag 3), then Up again after no shutdown.
vtysh --vty_socket "$LAB_DIR/frr" -c "configure terminal" -c "bfd" -c "peer 10.255.1.1 local-address 10.255.1.2" -c "shutdown" >/dev/null
lab_wait 10 bash -c "[[ \$(grep '^change ' '$LAB_DIR/probe4.log' | tail -1) == *'Up->Down diag=3 \"Neighbor Signaled Session Down\" event=RecvAdminDown'* ]]"
echo "ok: FRR's shutdown reached bgpfa as Neighbor Signaled Session Down"
vtysh --vty_socket "$LAB_DIR/frr" -c "configure terminal" -c "bfd" -c "peer 10.255.1.1 local-address 10.255.1.2" -c "no shutdown" >/dev/null
lab_wait 20 bash -c "[[ \$(grep '^change ' '$LAB_DIR/probe4.log' | tail -1) == *'->Up '* ]]"
lab_wait 10 frr_is 10.255.1.1 up
echo "ok: Up again after FRR's no shutdown"

# Every packet FRR sent passed the TTL 255 check; nothing was malformed.
kill -TERM "$probe4_pid" "$probe6_pid"
lab_wait 5 grep -q '^stats ' "$LAB_DIR/probe4.log"
lab_wait 5 grep -q '^stats ' "$LAB_DIR/probe6.log"
for fam in 4 6; do
  stats=$(grep '^stats ' "$LAB_DIR/probe$fam.log")
  [[ $stats == *' bad_ttl=0 malformed=0 no_session=0 wrong_source=0 '* ]] || { echo "IPv$fam: $stats" >&2; exit 1; }
done
echo "ok: no packet discarded (TTL 255 from FRR, none malformed): $(grep '^stats ' "$LAB_DIR/probe4.log")"
