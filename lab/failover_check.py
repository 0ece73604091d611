#!/usr/bin/env python3
"""Checks of the failover lab (lab/topo.sh).

  failover_check.py paths EXPECT... < `bgpfa paths --json`
      exit 0 when every prefix's carrying paths are EXPECT, else print the difference, exit 1.
      EXPECT: PREFIX=KIND:PEER+PEER... (a VPN path is PEER/INSTANCE), PREFIX=via:COVERING (no
      route of its own, it follows COVERING), or PREFIX=gone (no row, or kind none); prefixes
      bgpfa has and EXPECT does not name are a difference too.
  failover_check.py verify DIR BGPFA
      the run in DIR (lab/topo.sh's TOPO_DIR, bgpfa stopped, report.json written) against
      ground truth: steps.tsv (the harness's clock at each failure, the episode, transitions,
      failure window and prediction against outcome it must have: lab/topo.sh fo_step),
      dumpcap's captures on the cloud side of every link (UPDATE arrivals within 2 ms, read with
      tshark; kept as truth.tsv), and a replay of bgpfa's own capture. Prints one summary block
      per step and the deviations.
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

# bgpfa's UPDATE time against the capture on the cloud side of the veth. bgpfa times a message
# by the kernel's receive stamp of the segment that completed it (SO_TIMESTAMPNS), taken a few µs
# from the packet tap's, so each UPDATE is held to FLAB_UPDATE_TOLERANCE_MS (default 2, the
# issue's bound). What can still move it: segments the kernel merged in the socket while bgpfa's
# session thread was busy keep the last one's stamp, and the core never goes back in time (a
# message stamped before something it already handled takes that later time). Every pair more
# than 2 ms apart is printed; FLAB_DEVIATIONS_LOG=FILE appends every deviation measured.
UPDATE_TOL_MS = float(os.environ.get("FLAB_UPDATE_TOLERANCE_MS", "2"))
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
                          "-e", "frame.time_epoch", "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst",
                          "-e", "bgp.type"], check=True, capture_output=True, text=True).stdout
    msgs = []
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 6 or not f[5]:
            continue
        src, dst = (f[1], f[2]) if f[1] else (f[3], f[4])  # IPv4 or IPv6
        for t in f[5].split(","):
            msgs.append((float(f[0]), src, dst, int(t)))
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


def prediction_text(p):
    tr = lambda m: ", ".join(f"{k} {v}" for k, v in sorted(m.items())) or "nothing"
    return (f"predicted {tr(p['predicted'])}; observed {tr(p['observed'])}; matched {p['matched']}, "
            f"differed {p['differed']}, unpredicted {p['unpredicted']}")


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
        over = [x for x in devs if abs(x[0]) > UPDATE_TOL_MS]
        if over:
            failures.append(f"UPDATE times: {len(over)} of {len(devs)} more than {UPDATE_TOL_MS} ms from tshark's, the "
                            f"worst {worst[2]} at {worst[1]}, {worst[0]:+.3f} ms")
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
        fields = line.rstrip("\n").split("\t")
        if len(fields) < 7 or not fields[6]:
            failures.append(f"steps.tsv: step {fields[0]!r} says no prediction to expect (fo_step's PREDICTION: "
                            "MATCHED/DIFFERED/UNPREDICTED or none)")
            continue
        name, t0, t1, trig, transitions, window, prediction = fields[:7]
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
        # The prediction (what-if of the failed sessions at the trigger) against the outcome.
        p = e.get("prediction")
        if prediction == "none":
            if p:
                failures.append(f"{name}: the episode has a prediction ({prediction_text(p)}), expected none")
        else:
            want = tuple(int(x) for x in prediction.split("/"))
            if not p:
                failures.append(f"{name}: the episode has no prediction, expected {prediction} (matched/differed/unpredicted)")
            else:
                print(f"   prediction for {', '.join(p['failed'])}: {prediction_text(p)}")
                got = (p["matched"], p["differed"], p["unpredicted"])
                if got != want:
                    failures.append(f"{name}: prediction {prediction_text(p)}, expected matched/differed/unpredicted {prediction}")
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
