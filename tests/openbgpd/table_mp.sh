#!/usr/bin/env bash
# OpenBGPD's own table-mp (BGP4MP_ENTRY) and table-v2 dumps of one RIB decode to the same routes:
# two bgpd (AS 4200000001, passive so that no connection collision delays the sessions, announcing IPv4 and IPv6 networks with communities, MED, prepends;
# AS 65002 dumping its RIB both ways every second) in a private network and PID namespace, so
# nothing outlives the test. Skips when not root or when OpenBGPD is not installed
# (Debian: apt-get install openbgpd).
set -euo pipefail
bgpfa=$1
[[ $(id -u) -eq 0 ]] || { echo "skipped: needs root (a private network namespace)"; exit 0; }
for p in bgpd bgpctl unshare ip; do
  command -v "$p" >/dev/null || { echo "skipped: $p is not installed"; exit 0; }
done
dir=$(mktemp -d /tmp/bgpfa-openbgpd.XXXX)
trap 'rm -rf "$dir"' EXIT
# bgpd's unprivileged processes chroot here (systemd creates it; without systemd nobody does).
mkdir -p /run/openbgpd

cat >"$dir/a.conf" <<CONF
AS 4200000001
router-id 10.255.0.1
socket "$dir/a.sock"
listen on 127.0.0.1
listen on 2001:db8::1
fib-update no
network 10.1.0.0/16 set { community 65001:100 large-community 4200000001:1:2 med 50 }
network 10.2.0.0/24 set { prepend-self 2 origin egp }
network 192.0.2.0/24 set { ext-community rt 65001:7 }
network 2001:db8:1::/48 set { community 65001:200 }
neighbor 127.0.0.2 {
 remote-as 65002
 local-address 127.0.0.1
 passive
}
neighbor 2001:db8::2 {
 remote-as 65002
 local-address 2001:db8::1
 announce IPv6 unicast
 passive
}
allow from any
allow to any
CONF
cat >"$dir/b.conf" <<CONF
AS 65002
router-id 10.255.0.2
connect-retry 1
socket "$dir/b.sock"
listen on 127.0.0.2
listen on 2001:db8::2
fib-update no
neighbor 127.0.0.1 {
 remote-as 4200000001
 local-address 127.0.0.2
}
neighbor 2001:db8::1 {
 remote-as 4200000001
 local-address 2001:db8::2
 announce IPv6 unicast
}
allow from any
allow to any
dump table-mp "$dir/mp-%s" 1
dump table-v2 "$dir/v2-%s" 1
CONF
for c in a b; do bgpd -n -f "$dir/$c.conf" >/dev/null 2>&1 || { echo "FAIL: bgpd rejects $c.conf"; exit 1; }; done

# In the namespaces: both daemons, then wait for all 4 routes at B and two dump rounds more.
timeout 60 unshare --net --pid --fork bash -c '
  set -e
  dir=$1
  ip link set lo up
  ip addr add 2001:db8::1/128 dev lo nodad
  ip addr add 2001:db8::2/128 dev lo nodad
  bgpd -d -f "$dir/a.conf" >"$dir/a.log" 2>&1 &
  for _ in $(seq 1 50); do bgpctl -s "$dir/a.sock" show summary >/dev/null 2>&1 && break; sleep 0.1; done
  bgpd -d -f "$dir/b.conf" >"$dir/b.log" 2>&1 &
  for _ in $(seq 1 100); do
    n=$(bgpctl -s "$dir/b.sock" show rib 2>/dev/null | grep -c "^\*>" || true)
    [[ $n -ge 4 ]] && break
    sleep 0.2
  done
  [[ $n -ge 4 ]] || { echo "FAIL: B has $n of 4 routes"; tail -n 30 "$dir"/*.log; exit 1; }
  sleep 2.5
' _ "$dir"

# The newest complete pair: the second newest timestamp (the newest may still be written).
stamp=$(ls "$dir" | sed -n "s/^mp-//p" | sort -n | tail -2 | head -1)
mp=$dir/mp-$stamp v2=$dir/v2-$stamp
[[ -s $mp && -s $v2 ]] || { echo "FAIL: no dump pair in $dir"; ls "$dir"; exit 1; }
fail=0
"$bgpfa" mrt dump -m "$mp" >"$dir/mp.txt" 2>"$dir/mp.err" || { echo "FAIL: bgpfa mrt dump -m $mp"; cat "$dir/mp.err"; fail=1; }
"$bgpfa" mrt dump -m "$v2" >"$dir/v2.txt"
[[ ! -s $dir/mp.err ]] || { echo "FAIL: errors on the table-mp dump:"; cat "$dir/mp.err"; fail=1; }
[[ $(wc -l <"$dir/mp.txt") -eq 4 ]] || { echo "FAIL: $(wc -l <"$dir/mp.txt") lines from table-mp, expected 4"; fail=1; }
# Same lines but for the time and the peer AS: BGP4MP_ENTRY's AS field has 2 octets (AS_TRANS).
if ! diff <(cut -d'|' -f1,3,4,6- "$dir/mp.txt") <(cut -d'|' -f1,3,4,6- "$dir/v2.txt"); then
  echo "FAIL: table-mp and table-v2 lines differ"; fail=1
fi
if cut -d'|' -f5 "$dir/mp.txt" | grep -vqx 23456; then echo "FAIL: peer AS is not AS_TRANS"; fail=1; fi
grep -q '|10.2.0.0/24|4200000001 4200000001 4200000001|EGP|127.0.0.1|' "$dir/mp.txt" ||
  { echo "FAIL: the AS4_PATH of a 2-octet record is not merged"; fail=1; }
# JSON: the same objects but for the record type, number, times and the peer AS.
strip() { sed -E 's/"mrt":"[^"]*","record":[0-9]+,"time":"[^"]*","timestamp_us":[0-9]+,//; s/"peer_as":[0-9]+,//' "$1"; }
"$bgpfa" mrt dump --json "$mp" >"$dir/mp.json"
"$bgpfa" mrt dump --json "$v2" | grep -v '"peer_index_table"' >"$dir/v2.json"
diff <(strip "$dir/mp.json") <(strip "$dir/v2.json") || { echo "FAIL: JSON of table-mp and table-v2 differ"; fail=1; }
if command -v bgpdump >/dev/null && ! bgpdump -m "$v2" 2>/dev/null | cmp -s - "$dir/v2.txt"; then
  echo "FAIL: bgpfa and bgpdump differ on the table-v2 dump"; fail=1
fi
[[ $fail -eq 0 ]] && echo "ok: table-mp and table-v2 of $(bgpd -V 2>&1 | head -1) agree ($(wc -l <"$dir/mp.txt") routes)"
exit $fail
