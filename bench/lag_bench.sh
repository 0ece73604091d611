#!/usr/bin/env bash
# Scale lag benchmark (not a test; root for tshark on lo): a CE announces ROUTES generated /24s over
# both links of an ExpressRoute circuit to `bgpfa serve` on loopback (bench/lag_peer.py: sessions
# from 127.0.0.2, the primary, and 127.0.0.3, the secondary); then the primary fails (`withdraw`:
# every prefix withdrawn on it; `reset`: its TCP connection reset). It prints bgpfa's lag from the
# arrival of the last UPDATE (withdraw) or of the RST (reset) on lo, by tshark's capture, to the
# analysis being complete (every change recorded in the analyzer, by bgpfa's own clock: its log
# line for the episode), bgpfa's own part of it (session thread's receipt to analysis), the CPU
# bgpfa used for the failure and its memory.
# Usage: bench/lag_bench.sh [ROUTES] [withdraw|reset]   (defaults 100000 withdraw)
set -euo pipefail
cd "$(dirname "$0")/.."
routes=${1:-100000}
mode=${2:-withdraw}
bgpfa=$(readlink -f "${BGPFA:-build/app/bgpfa}")
[[ -x $bgpfa ]] || { echo "no $bgpfa: build it first (ninja -C build bgpfa)" >&2; exit 2; }
command -v tshark >/dev/null || { echo "tshark is needed (apt-get install tshark)" >&2; exit 2; }
source bench/lib.sh
bench_temp_dir bgpfa-lag-bench
work=$dir
port=$(free_port)
cat >"$work/bgpfa.conf" <<CONF
router bgp 65515
 bgp router-id 127.0.0.1
 neighbor 127.0.0.2 remote-as 65001
 neighbor 127.0.0.2 passive
 neighbor 127.0.0.2 gateway expressroute circuit er1 link primary
 neighbor 127.0.0.3 remote-as 65001
 neighbor 127.0.0.3 passive
 neighbor 127.0.0.3 gateway expressroute circuit er1 link secondary
!
analyzer
 quiet-period 1s
 prefix-limits off
CONF
tshark -i lo -f "tcp port $port" -w "$work/lo.pcap" -q 2>"$work/tshark.log" &
tshark_pid=$!
pids+=("$tshark_pid")
for _ in $(seq 100); do grep -q "Capturing on" "$work/tshark.log" 2>/dev/null && break; sleep 0.1; done
"$bgpfa" serve -c "$work/bgpfa.conf" --listen 127.0.0.1 --port "$port" --grpc off --state-file "$work/state" \
  --report json -o /dev/null 2>"$work/serve.log" &
serve_pid=$!
pids+=("$serve_pid")
if [[ -n ${PERF_OUT:-} ]]; then  # PERF_OUT=FILE: perf record of serve for the whole run (PERF_ARGS: its options, default -g)
  perf record ${PERF_ARGS:--g} -o "$PERF_OUT" -p "$serve_pid" 2>/dev/null &
  pids+=("$!")
fi
for _ in $(seq 100); do grep -q "serving 2 neighbours" "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
python3 bench/lag_peer.py --port "$port" --routes "$routes" --mode "$mode" --state "$work/state" --log "$work/serve.log" \
  --pid "$serve_pid" >"$work/peer.json"
sleep 1  # the capture ring hands dumpcap a block only after its 250 ms timeout (lab/topo.sh fo_verify)
kill -INT "$tshark_pid"
wait "$tshark_pid" 2>/dev/null || true
kill -TERM "$serve_pid"
wait "$serve_pid" 2>/dev/null || true
if [[ $mode == withdraw ]]; then filter='ip.src==127.0.0.2 && bgp.type==2'; pick=tail; else filter='ip.src==127.0.0.2 && tcp.flags.reset==1'; pick=head; fi
arrival=$(tshark -r "$work/lo.pcap" -d "tcp.port==$port,bgp" -Y "$filter" -T fields -e frame.time_epoch 2>/dev/null | $pick -1)
grep -h "initial table from\|episode #1 closed" "$work/serve.log" | sed 's/^/  /'
python3 - "$work/peer.json" "$work/serve.log" "$arrival" <<'PY'
import datetime, json, re, sys
peer = json.load(open(sys.argv[1]))
log = open(sys.argv[2]).read()
m = re.search(r"episode #1 closed: (.*?): (\d+) prefixes changed in ([\d.]+) ms; its last change came in a message "
              r"received at (\S+), analysis complete ([\d.]+) ms later \(([\d.]+) ms of the core's CPU\)", log)
if not m:
    sys.exit("no episode line with its lag in bgpfa's log")
received = datetime.datetime.strptime(m.group(4), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()
done = received + float(m.group(5)) / 1e3
arrival = float(sys.argv[3])
b, a = peer["bgpfa_before"], peer["bgpfa_after"]
print(f"routes {peer['routes']}, primary {peer['mode']}; trigger: {m.group(1)}; {m.group(2)} prefixes changed")
print(f"  tables loaded (both links, first UPDATE to bgpfa's state file): {peer['load_s']:.3f} s")
print(f"  lag, last {'UPDATE' if peer['mode'] == 'withdraw' else 'packet (RST)'} on lo (tshark) -> analysis complete: "
      f"{(done - arrival) * 1e3:.1f} ms")
print(f"  of which bgpfa's receipt -> analysis complete: {float(m.group(5)):.1f} ms, the analysis itself "
      f"{float(m.group(6)):.1f} ms of the core thread's CPU; episode span (trigger -> last change): {float(m.group(3)):.1f} ms")
print(f"  bgpfa's core thread (RIBs, analyzer) for the failure: {a['core_run_ms'] - b['core_run_ms']:.1f} ms on a CPU, "
      f"{a['core_wait_ms'] - b['core_wait_ms']:.1f} ms waiting for one; whole process {a['cpu_s'] - b['cpu_s']:.2f} s CPU")
print(f"  bgpfa memory: RSS {a['rss_mb']} MB, peak {a['hwm_mb']} MB; load average {open('/proc/loadavg').read().split()[0]}")
PY
