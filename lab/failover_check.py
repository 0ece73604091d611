#!/usr/bin/env python3
"""Checks of the failover lab (lab/topo.sh).

  failover_check.py paths EXPECT... < `bgpfa paths --json`
      exit 0 when every prefix's carrying paths are EXPECT, else print the difference, exit 1.
      EXPECT: PREFIX=KIND:PEER+PEER... (a VPN path is PEER/INSTANCE), PREFIX=via:COVERING (no
      route of its own, it follows COVERING), or PREFIX=gone (no row, or kind none); prefixes
      bgpfa has and EXPECT does not name are a difference too.
  failover_check.py verify DIR BGPFA
      the run in DIR (lab/topo.sh's TOPO_DIR, bgpfa stopped, report.json written) against
      ground truth: steps.tsv (the harness's clock at each failure), dumpcap's captures on the
      cloud side of every link (UPDATE arrivals, read with tshark; kept as truth.tsv), and a
      replay of bgpfa's own capture. Prints one summary block per step and the deviations.
      DIR may also be a bundled fixture (fixtures/lab/NAME: bgpfa.conf, capture.mrt,
      expected-report.json, steps.tsv, truth.tsv): the same checks without root or tshark.
"""
import datetime
import glob
import json
import os
import re
import subprocess
import sys

# bgpfa's UPDATE time against the capture on the cloud side of the veth. Both clocks are the
# same machine's; bgpfa stamps a message when its session thread reads it (user space), after
# the kernel's packet tap stamped the frame, so the difference is the scheduling delay of that
# thread. 2 ms is the goal: it holds for the median (asserted, FLAB_UPDATE_MEDIAN_MS, default
# 2) and for most UPDATEs, but on the shared 2-core machine at load average 13-16 (other builds
# and tests running) single UPDATEs were read 7, 24 and 28 ms late, and once one was 321 ms
# apart (not diagnosed; every pair more than 2 ms apart is printed now). Each UPDATE is
# therefore held to FLAB_UPDATE_TOLERANCE_MS (default 1000: catches a wrong clock, a wrong
# unit or a stale timestamp, not a loaded scheduler), and every deviation is printed.
UPDATE_MEDIAN_MS = float(os.environ.get("FLAB_UPDATE_MEDIAN_MS", "2"))
UPDATE_TOL_MS = float(os.environ.get("FLAB_UPDATE_TOLERANCE_MS", "1000"))
# The harness stamps its clock right before and right after the command that makes the
# failure; FRR's KEEPALIVE / bfdd's packet timers can fire a little late under load, so the
# window is widened by this much on each side.
WINDOW_TOL_MS = float(os.environ.get("FLAB_WINDOW_TOLERANCE_MS", "50"))

KINDS = {"PATH_KIND_ER_PRIMARY": "er-primary", "PATH_KIND_ER_SECONDARY": "er-secondary",
         "PATH_KIND_ER_ECMP": "er-ecmp", "PATH_KIND_VPN": "vpn", "PATH_KIND_NONE": "none",
         "PATH_KIND_SYSTEM": "system"}


def entry_text(c):
    peer = c.get("peerAddress", "?")
    if c.get("gateway") == "GATEWAY_VPN":
        return f"{peer}/{c.get('vpnInstance', 0)}"
    return peer


def paths_of(lines):
    got = {}
    for line in lines:
        line = line.strip()
        if not line:
            continue
        p = json.loads(line)
        kind = KINDS.get(p.get("kind", ""), p.get("kind", ""))
        if kind == "none":
            continue
        if p.get("viaCovering"):  # no route of its own: it follows a less specific prefix
            got[p["prefix"]] = "via:" + p.get("coveringPrefix", "?")
            continue
        got[p["prefix"]] = kind + ":" + "+".join(sorted(entry_text(c) for c in p.get("carrying", [])))
    return got


def cmd_paths(expect):
    got = paths_of(sys.stdin)
    want = {}
    for e in expect:
        prefix, _, what = e.partition("=")
        if what != "gone":
            kind, _, peers = what.partition(":")
            want[prefix] = kind + ":" + "+".join(sorted(peers.split("+")))
    diff = [f"  {p}: want {want.get(p, 'gone')}, have {got.get(p, 'gone')}"
            for p in sorted(set(want) | set(got)) if want.get(p) != got.get(p)]
    if diff:
        print("carrying paths differ:\n" + "\n".join(diff))
        return 1
    return 0


def us(t):
    d = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


def hms(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]


def tshark_messages(pcap):
    """(time, source, destination, BGP message type) of every BGP message in a capture."""
    out = subprocess.run(["tshark", "-r", pcap, "-Y", "bgp && !tcp.analysis.retransmission", "-T", "fields",
                          "-e", "frame.time_epoch", "-e", "ip.src", "-e", "ip.dst", "-e", "bgp.type"],
                         check=True, capture_output=True, text=True).stdout
    msgs = []
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 4 or not f[3]:
            continue
        for t in f[3].split(","):
            msgs.append((float(f[0]), f[1], f[2], int(t)))
    return msgs


def mrt_received(paths):
    """(time, peer, local, BGP message type) of every message bgpfa received, from its
    BGP4MP_ET capture (RFC 6396 4.4.3/4.4.4: MESSAGE and MESSAGE_AS4; *_LOCAL are its own)."""
    import ipaddress
    import struct
    msgs = []
    for path in paths:
        data = open(path, "rb").read()
        off = 0
        while off + 12 <= len(data):
            ts, typ, sub, length = struct.unpack_from("!IHHI", data, off)
            body = data[off + 12:off + 12 + length]
            off += 12 + length
            if typ != 17 or sub not in (1, 4):  # BGP4MP_ET MESSAGE / MESSAGE_AS4
                continue
            usec = struct.unpack_from("!I", body, 0)[0]
            p = 4 + (8 if sub == 4 else 4) + 2  # AS numbers, interface index
            afi = struct.unpack_from("!H", body, p)[0]
            n = 4 if afi == 1 else 16
            peer = str(ipaddress.ip_address(body[p + 2:p + 2 + n]))
            local = str(ipaddress.ip_address(body[p + 2 + n:p + 2 + 2 * n]))
            msgs.append((ts + usec / 1e6, peer, local, body[p + 2 + 2 * n + 18]))
    return msgs


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


def cmd_verify(d, bgpfa):
    fixture = not os.path.exists(os.path.join(d, "report.json"))
    live = json.load(open(os.path.join(d, "expected-report.json" if fixture else "report.json")))
    mrts = sorted(glob.glob(os.path.join(d, "capture", "*.mrt"))) or [os.path.join(d, "capture.mrt")]
    replay = json.loads(subprocess.run([bgpfa, "replay", "-q", "-c", os.path.join(d, "bgpfa.conf"), "--report",
                                        "json", *mrts], check=True, capture_output=True, text=True).stdout)
    msgs = []
    if fixture:
        for line in open(os.path.join(d, "truth.tsv")):
            t, src, dst, typ = line.split()
            msgs.append((float(t), src, dst, int(typ)))
    else:
        for pcap in sorted(glob.glob(os.path.join(d, "*.pcapng"))):
            msgs += tshark_messages(pcap)
        with open(os.path.join(d, "truth.tsv"), "w") as f:
            f.writelines(f"{t:.6f}\t{src}\t{dst}\t{typ}\n" for t, src, dst, typ in sorted(msgs))
    notifications = sorted((t, src) for t, src, dst, typ in msgs if typ == 3)
    failures = []

    # Every UPDATE bgpfa received (its capture: the time it stamped, peer and local address) at
    # the time tshark saw that session's UPDATE arrive on the cloud side of the veth.
    wire = {}
    for t, src, dst, typ in msgs:
        if typ == 2:
            wire.setdefault((src, dst), []).append(t)
    received = [(t, peer, local) for t, peer, local, typ in mrt_received(mrts) if typ == 2]
    # Paired one to one, in order, per session: the k-th UPDATE bgpfa read on a session is the
    # k-th tshark saw arrive on it (several UPDATEs in one segment share its time).
    mine = {}
    for t, peer, local in received:
        mine.setdefault((peer, local), []).append(t)
    devs = []
    unseen = 0
    for key, ts in sorted(mine.items()):
        frames = sorted(wire.get(key, []))
        if len(frames) != len(ts):
            unseen += len(frames) - len(ts)
            failures.append(f"session {key[0]} -> {key[1]}: bgpfa read {len(ts)} UPDATEs, tshark saw {len(frames)} arrive")
            continue
        devs += [((t - ft) * 1000, hms(t), f"{key[0]} -> {key[1]}", hms(ft)) for t, ft in zip(sorted(ts), frames)]
    if devs:
        worst = max(devs, key=lambda x: abs(x[0]))
        absd = sorted(abs(x[0]) for x in devs)
        print(f"UPDATE arrivals: {len(devs)} UPDATEs bgpfa read, each paired with tshark's on its session: "
              f"bgpfa - tshark median {absd[len(absd) // 2]:.3f} ms, max {worst[0]:.3f} ms ({worst[2]} at {worst[1]}); "
              f"within 2 ms: {sum(1 for x in absd if x <= 2.0)}/{len(absd)}, within 50 ms: "
              f"{sum(1 for x in absd if x <= 50.0)}/{len(absd)}")
        late = [x for x in devs if abs(x[0]) > 2.0]
        if late:
            print("   more than 2 ms apart (bgpfa's time, tshark's, difference): "
                  + ", ".join(f"{x[1]} / {x[3]} {x[0]:+.3f} ms on {x[2]}" for x in late[:8]))
        if os.environ.get("FLAB_DEVIATIONS_LOG"):
            with open(os.environ["FLAB_DEVIATIONS_LOG"], "a") as f:
                f.write(f"{os.path.basename(d.rstrip('/'))}\t{len(absd)}\t{absd[len(absd) // 2]:.3f}\t{worst[0]:.3f}\t"
                        f"{sum(1 for x in absd if x <= 2.0)}\t{' '.join(f'{x[0]:.3f}' for x in devs)}\n")
        if absd[len(absd) // 2] > UPDATE_MEDIAN_MS:
            failures.append(f"UPDATE times: median deviation {absd[len(absd) // 2]:.3f} ms from tshark's (> {UPDATE_MEDIAN_MS} ms)")
        if abs(worst[0]) > UPDATE_TOL_MS:
            failures.append(f"UPDATE {worst[2]} at {worst[1]} is {worst[0]:.3f} ms from tshark's (> {UPDATE_TOL_MS} ms)")
    check(devs or unseen, "no UPDATE received to compare with tshark")
    sessions = {k for k in wire if k[1] in {local for _, _, local in received} and k not in mine}
    for key in sessions:
        failures.append(f"session {key[0]} -> {key[1]}: tshark saw {len(wire[key])} UPDATEs arrive, bgpfa read none")
    # Every change an UPDATE caused is at that UPDATE's time.
    times = {round(t * 1e6) for t, _, _ in received}
    for e in live["events"]:
        if e["cause"].startswith("UPDATE from") and round(us(e["time"]) * 1e6) not in times:
            failures.append(f"event {e['time']} {e['prefix']} ({e['cause']}): no UPDATE received at that time")

    # Each step: its episode, the failure window holding the cut, the true failover in the range.
    episodes = live["episodes"]
    used = set()
    for line in open(os.path.join(d, "steps.tsv")):
        name, t0, t1, trig, transitions, window = line.rstrip("\n").split("\t")
        t0, t1 = float(t0), float(t1)
        # The failure's episode: the first one (by trigger time) at or after the cut whose trigger
        # matches; the steps wait a quiet period between failures, so episodes do not merge.
        cands = sorted((i for i, e in enumerate(episodes) if i not in used and us(e["trigger_time"]) >= t0 - 0.001
                        and re.search(trig, e["trigger"])), key=lambda i: us(episodes[i]["trigger_time"]))
        print(f"-- {name}: cut at {hms(t0)} (+{(t1 - t0) * 1000:.1f} ms for the command)")
        if not cands:
            failures.append(f"{name}: no episode after {hms(t0)} whose trigger matches /{trig}/; episodes: "
                            + "; ".join(f"{x['trigger_time']} {x['trigger']}" for x in episodes if us(x['trigger_time']) >= t0 - 1))
            continue
        i = cands[0]
        used.add(i)
        e = episodes[i]
        tr = ",".join(f"{k}={v}" for k, v in sorted(e["transitions"].items()))
        print(f"   episode #{i + 1}: {e['trigger']} at {hms(us(e['trigger_time']))} "
              f"({(us(e['trigger_time']) - t0) * 1000:.1f} ms after the cut); {e['prefixes_changed']} prefixes: {tr}")
        if transitions and not re.fullmatch(transitions, tr):
            failures.append(f"{name}: transitions {tr}, expected {transitions}")
        true_min = (us(e["end"]) - t1) * 1000
        true_max = (us(e["end"]) - t0) * 1000
        if e.get("failure_after"):
            a, b = us(e["failure_after"]), us(e["failure_before"])
            print(f"   failure window {hms(a)}-{hms(b)}, cut {(t0 - a) * 1000:.1f} ms after its start, "
                  f"{(b - t1) * 1000:.1f} ms before its end; detected by {e['detected_by']} "
                  f"{e['detection_min_ms']:.0f}-{e['detection_max_ms']:.0f} ms later")
            print(f"   true failover (cut -> last change) {true_min:.1f}-{true_max:.1f} ms; reported "
                  f"{e['failover_min_ms']:.1f}-{e['failover_max_ms']:.1f} ms")
            tol = WINDOW_TOL_MS / 1000
            if not (a - tol <= t1 and t0 <= b + tol):
                failures.append(f"{name}: cut {hms(t0)}-{hms(t1)} outside the failure window {hms(a)}-{hms(b)}")
            if not (e["failover_min_ms"] - WINDOW_TOL_MS <= true_max and true_min <= e["failover_max_ms"] + WINDOW_TOL_MS):
                failures.append(f"{name}: true failover {true_min:.1f}-{true_max:.1f} ms outside the reported "
                                f"{e['failover_min_ms']}-{e['failover_max_ms']} ms")
        elif window == "1":
            failures.append(f"{name}: episode has no failure window ({e.get('detection')})")
        else:
            print(f"   true failover (action -> last change) {true_min:.1f}-{true_max:.1f} ms; failure window: "
                  f"{e.get('detection') or 'none (the trigger is the failure)'}")
        if e["trigger"].startswith("NOTIFICATION from"):
            peer = e["trigger"].split()[2]
            frames = [ft for ft, src in notifications if src == peer]
            if frames:
                dev = (us(e["trigger_time"]) - min(frames, key=lambda ft: abs(ft - us(e["trigger_time"])))) * 1000
                print(f"   trigger vs tshark's NOTIFICATION arrival: {dev:.3f} ms")
                if abs(dev) > UPDATE_TOL_MS:
                    failures.append(f"{name}: NOTIFICATION time {dev:.3f} ms from tshark's")

    # The live run's capture, replayed, gives the same report: every section of it.
    for key in sorted(set(live) | set(replay)):
        if live.get(key) != replay.get(key):
            a, b = live.get(key, []), replay.get(key, [])
            if not isinstance(a, list) or not isinstance(b, list):
                failures.append(f"replay differs in {key}: live {json.dumps(a)[:700]} / replay {json.dumps(b)[:700]}")
                continue
            first = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
            failures.append(f"replay differs in {key} ({len(a)} live, {len(b)} replayed), first at #{first}: "
                            f"live {json.dumps(a[first]) if first < len(a) else '-'} / replay "
                            f"{json.dumps(b[first]) if first < len(b) else '-'}"[:1500])
    print(f"replay of the capture: {'the same' if not any(f.startswith('replay') for f in failures) else 'a DIFFERENT'} "
          f"report (summary, peers, active paths, events ({len(live['events'])}), episodes ({len(live['episodes'])}), findings)")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    return 0


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "paths":
        return cmd_paths(sys.argv[2:])
    if len(sys.argv) == 4 and sys.argv[1] == "verify":
        return cmd_verify(sys.argv[2], sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
