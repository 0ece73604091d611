#!/usr/bin/env python3
"""Compares the routes a router sends bgpfa, as the router itself shows them, with what bgpfa
holds in its RIB (`bgpfa mrt dump -m -l` of a `--rib-snapshot`). Exits 1 listing every
difference. The router's view is read with its own tool (vtysh json, gobgp -j, birdc).

usage: compare_rib.py SNAPSHOT_DUMP PEER_ADDRESS ROUTER_AS {ebgp,ibgp} NEXT_HOP {frr,gobgp,bird} CMD...
"""
import json
import re
import subprocess
import sys

ORIGINS = {0: "IGP", 1: "EGP", 2: "INCOMPLETE"}
# Well-known communities (RFC 1997, 7999, 8326 ...) as FRR names them; bgpdump prints numbers.
WELL_KNOWN = {"graceful-shutdown": "65535:0", "accept-own": "65535:1", "llgr-stale": "65535:6", "no-llgr": "65535:7",
              "blackhole": "65535:666", "no-export": "65535:65281", "no-advertise": "65535:65282",
              "local-AS": "65535:65283", "noPeer": "65535:65284"}


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def route(path, origin, med=0, local_pref=0, communities=(), large=()):
    return {"as_path": " ".join(str(a) for a in path), "origin": origin, "med": int(med), "local_pref": int(local_pref),
            "communities": sorted(WELL_KNOWN.get(c, c) for c in communities), "large_communities": sorted(large)}


def frr_view(cmd):
    out = {}
    for afi in ("ipv4", "ipv6"):
        table = json.loads(run(cmd + ["-c", f"show bgp {afi} unicast json"]))
        for prefix in table.get("routes", {}):
            detail = json.loads(run(cmd + ["-c", f"show bgp {afi} unicast {prefix} json"]))
            best = next(p for p in detail["paths"] if p.get("bestpath", {}).get("overall"))
            path = [a for s in best["aspath"]["segments"] if s["type"] == "as-sequence" for a in s["list"]]
            out[prefix] = route(path, best["origin"].upper(), best.get("metric", 0), best.get("locPrf", 0),
                                best.get("community", {}).get("list", []), best.get("largeCommunity", {}).get("list", []))
    return out


def gobgp_view(cmd):
    out = {}
    for afi in ("ipv4", "ipv6"):
        for prefix, paths in json.loads(run(cmd + ["global", "rib", "-a", afi, "-j"]) or "{}").items():
            best = next(p for p in paths if p.get("best"))
            a = {x["type"]: x for x in best["attrs"]}
            path = [n for s in a.get(2, {}).get("as_paths", []) if s["segment_type"] == 2 for n in s["asns"]]
            comms = [f"{c >> 16}:{c & 0xffff}" for c in a.get(8, {}).get("communities", [])]
            large = [f"{v['ASN']}:{v['LocalData1']}:{v['LocalData2']}" for v in a.get(32, {}).get("value", [])]
            out[prefix] = route(path, ORIGINS[a[1]["value"]], a.get(4, {}).get("metric", 0), a.get(5, {}).get("value", 0),
                                comms, large)
    return out


def bird_view(cmd):
    """`show route export P all`: attributes after the export filter, before BGP's own changes."""
    out, prefix, attrs = {}, None, {}

    def flush():
        if prefix:
            path = [int(a) for a in attrs.get("as_path", "").split()]
            comms = [f"{a}:{b}" for a, b in re.findall(r"\((\d+),\s*(\d+)\)", attrs.get("community", ""))]
            large = [f"{a}:{b}:{c}" for a, b, c in re.findall(r"\((\d+),\s*(\d+),\s*(\d+)\)", attrs.get("large_community", ""))]
            out[prefix] = route(path, attrs.get("origin", "IGP").upper(), attrs.get("med", 0), attrs.get("local_pref", 0),
                                comms, large)

    for line in run(cmd).splitlines():
        m = re.match(r"^([0-9a-fA-F.:]+/\d+)\s", line)
        if m:
            flush()
            prefix, attrs = m.group(1), {}
            continue
        m = re.match(r"^\s+BGP\.(\w+):\s*(.*)$", line)
        if m and prefix:
            attrs[m.group(1)] = m.group(2).strip()
    flush()
    return out


def bgpfa_view(dump, peer, next_hop):
    out, problems = {}, []
    for line in open(dump):
        f = line.rstrip("\n").split("|")
        if len(f) < 13 or f[3] != peer:
            continue
        if f[5] in out:
            problems.append(f"{f[5]}: more than one route from {peer} in bgpfa's RIB")
        if f[8] != next_hop:
            problems.append(f"{f[5]}: next hop {f[8]} in bgpfa's RIB, expected {next_hop}")
        out[f[5]] = route(f[6].split(), f[7], f[10], f[9], f[11].split(), f[12].split())
    return out, problems


def main():
    dump, peer, router_as, session, next_hop, kind = sys.argv[1:7]
    cmd = sys.argv[7:]
    theirs = {"frr": frr_view, "gobgp": gobgp_view, "bird": bird_view}[kind](cmd)
    ours, problems = bgpfa_view(dump, peer, next_hop)
    for prefix, r in theirs.items():
        if session == "ebgp":  # what goes on the wire: the router's AS first, no LOCAL_PREF
            r["as_path"] = f"{router_as} {r['as_path']}".strip()
            r["local_pref"] = 0
        elif not r["local_pref"]:  # iBGP always carries LOCAL_PREF; routers show none for the default
            r["local_pref"] = 100
        got = ours.pop(prefix, None)
        if got is None:
            problems.append(f"{prefix}: in {kind}'s view, not in bgpfa's RIB")
        elif got != r:
            problems.append(f"{prefix}: {kind} says {r}, bgpfa holds {got}")
    problems += [f"{p}: in bgpfa's RIB from {peer}, not in {kind}'s view" for p in ours]
    for p in problems:
        print(p, file=sys.stderr)
    if not theirs:
        print(f"{kind} shows no routes", file=sys.stderr)
        return 1
    if problems:
        return 1
    print(f"{kind} ({peer}): {len(theirs)} routes, each identical in bgpfa's RIB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
