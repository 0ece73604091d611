#!/usr/bin/env python3
"""lag_peer: a CE behind two ExpressRoute links, scripted for bench/lag_bench.sh.

Opens two eBGP sessions to `bgpfa serve` on loopback (from 127.0.0.2, the primary link, and
127.0.0.3, the secondary), announces the same N generated /24 prefixes on both (packed UPDATEs,
then End-of-RIB), waits until bgpfa's state file holds N routes for each and its initial tables
are said, then fails the primary: `withdraw` sends every prefix as withdrawn on it (the edge
router losing the CE), `reset` resets its TCP connection (RST, no NOTIFICATION). It then waits
for bgpfa's log to say the episode closed and prints one JSON line: the wall time of the last
byte written, bgpfa's CPU seconds (user+system) and memory (VmRSS, VmHWM) before and after.
Standard library only; every loop is bounded in time.
"""
import argparse, json, socket, struct, sys, time

def msg(mtype, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body

def open_msg(asn, bgp_id, hold=90):
    caps = bytes([65, 4]) + struct.pack("!I", asn)          # 4-octet AS
    caps += bytes([1, 4]) + struct.pack("!HBB", 1, 0, 1)    # multiprotocol IPv4 unicast
    opt = bytes([2, len(caps)]) + caps
    return msg(1, struct.pack("!BHHI", 4, 23456 if asn > 65535 else asn, hold, bgp_id) + bytes([len(opt)]) + opt)

def prefixes(n):
    base = 11 << 24  # 11.0.0.0/24 upwards: n distinct /24s
    return [struct.pack("!B", 24) + struct.pack("!I", base + (i << 8))[:3] for i in range(n)]

def packed(items, fixed):
    """Chunks of items whose bytes fit one 4096-octet message beside `fixed` octets."""
    room = 4096 - 19 - fixed
    out, cur, size = [], [], 0
    for it in items:
        if size + len(it) > room:
            out.append(b"".join(cur)); cur, size = [], 0
        cur.append(it); size += len(it)
    if cur:
        out.append(b"".join(cur))
    return out

def announcements(nlri, asn, next_hop):
    attrs = bytes([0x40, 1, 1, 0])                                             # ORIGIN IGP
    attrs += bytes([0x40, 2, 6, 2, 1]) + struct.pack("!I", asn)                # AS_PATH asn
    attrs += bytes([0x40, 3, 4]) + socket.inet_aton(next_hop)                  # NEXT_HOP
    return [msg(2, struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + chunk)
            for chunk in packed(nlri, 4 + len(attrs))]

def withdrawals(nlri):
    return [msg(2, struct.pack("!H", len(chunk)) + chunk + struct.pack("!H", 0)) for chunk in packed(nlri, 4)]

def read_msg(s, deadline):
    buf = b""
    while len(buf) < 19:
        s.settimeout(max(0.1, deadline - time.time()))
        part = s.recv(19 - len(buf))
        if not part:
            raise SystemExit("bgpfa closed the session")
        buf += part
    length = struct.unpack("!H", buf[16:18])[0]
    while len(buf) < length:
        part = s.recv(length - len(buf))
        if not part:
            raise SystemExit("bgpfa closed the session")
        buf += part
    return buf[18], buf[19:]

def session(local, port, asn):
    s = socket.socket()
    s.bind((local, 0))
    s.connect(("127.0.0.1", port))
    s.sendall(open_msg(asn, struct.unpack("!I", socket.inet_aton(local))[0]))
    deadline = time.time() + 10
    types = []
    while 4 not in types or 1 not in types:
        t, _ = read_msg(s, deadline)
        types.append(t)
    s.sendall(msg(4, b""))
    return s

def proc(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / 100.0  # utime + stime, clock ticks of 10 ms
    mem = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                mem[k] = int(v.split()[0]) // 1024
    # The main thread is serve's core (RIBs, analyzer): its time on a CPU and waiting for one (ns).
    with open(f"/proc/{pid}/schedstat") as f:
        run_ns, wait_ns = (int(x) for x in f.read().split()[:2])
    return {"cpu_s": cpu, "rss_mb": mem.get("VmRSS"), "hwm_mb": mem.get("VmHWM"),
            "core_run_ms": run_ns / 1e6, "core_wait_ms": wait_ns / 1e6}

def wait_for(pred, seconds, what):
    end = time.time() + seconds
    while time.time() < end:
        if pred():
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--routes", type=int, default=100000)
    ap.add_argument("--mode", choices=("withdraw", "reset"), default="withdraw")
    ap.add_argument("--state", required=True, help="bgpfa's --state-file")
    ap.add_argument("--log", required=True, help="bgpfa's stderr")
    ap.add_argument("--pid", type=int, required=True)
    a = ap.parse_args()
    nlri = prefixes(a.routes)
    primary = session("127.0.0.2", a.port, 65001)
    secondary = session("127.0.0.3", a.port, 65001)
    t_announce = time.time()
    for s, nh in ((primary, "127.0.0.2"), (secondary, "127.0.0.3")):
        s.sendall(b"".join(announcements(nlri, 65001, nh)) + msg(2, b"\x00\x00\x00\x00"))  # then End-of-RIB
    def loaded():
        try:
            lines = open(a.state).read().split("\n")
        except OSError:
            return False
        return sum(1 for l in lines if l.split()[2:3] == [str(a.routes)]) == 2
    wait_for(loaded, 120, "both sessions' tables in bgpfa")
    wait_for(lambda: open(a.log).read().count("initial table from") == 2, 60, "bgpfa's initial tables")
    t_loaded = time.time()
    time.sleep(2.0)  # quiet: nothing else is going on when the primary fails
    for s in (primary, secondary):
        s.sendall(msg(4, b""))
    time.sleep(0.2)
    before = proc(a.pid)
    if a.mode == "withdraw":
        primary.sendall(b"".join(withdrawals(nlri)))
    else:
        primary.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        primary.close()
    t_fail = time.time()
    wait_for(lambda: "episode #1 closed" in open(a.log).read(), 60, "the episode's close in bgpfa's log")
    after = proc(a.pid)
    secondary.sendall(msg(4, b""))
    print(json.dumps({"routes": a.routes, "mode": a.mode, "load_s": round(t_loaded - t_announce, 3),
                      "fail_written_at": t_fail, "bgpfa_before": before, "bgpfa_after": after}))

if __name__ == "__main__":
    main()
