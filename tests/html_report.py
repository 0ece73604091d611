#!/usr/bin/env python3
"""The HTML report in headless Chromium: the bundled scenario's and a RIS replay's (113 k prefixes).

Each page must stay under 2 MB, load with its table built, decode the compact table data to
what the JSON report says (checksum), and its screenshot must be non-blank where the page says
its timeline and its table are. Prints the render times (never asserted: the machine is shared).
Usage: html_report.py BGPFA SOURCE_DIR SHARED_DIR [OUT_DIR]   (exit 77: skipped, no Chromium)
With OUT_DIR, the screenshots are kept there (scenario.png, ris.png).
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

CHROMIUM = "/usr/bin/chromium"
LIMIT = 2 * 1000 * 1000
WIDTH = 1280


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def chromium(tmp, args, url):
    cmd = [CHROMIUM, "--headless", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
           "--user-data-dir=" + os.path.join(tmp, "profile"), "--no-first-run"]
    if os.geteuid() == 0:
        cmd.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    t0 = time.monotonic()
    p = subprocess.run(cmd + args + [url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    elapsed = time.monotonic() - t0
    if p.returncode != 0:
        fail("chromium %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr.decode(errors="replace")[-800:]))
    return p.stdout.decode(errors="replace"), elapsed


def png_pixels(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA PNG, by zlib and the PNG filters."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + " is not a PNG")
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour not in (2, 6):
                fail("%s: PNG depth %d colour type %d not handled" % (path, depth, colour))
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows, channels


def region_ink(pixels, box):
    """Share of pixels in box (x, y, w, h) that are not the page's white, and distinct colours."""
    width, height, rows, ch = pixels
    x, y, w, h = box
    if w <= 0 or h <= 0 or x + w > width or y + h > height:
        fail("region %s is not inside the %dx%d screenshot" % (box, width, height))
    ink, colours = 0, set()
    for yy in range(y, y + h, 2):
        line = rows[yy]
        for xx in range(x, x + w, 2):
            px = line[xx * ch:xx * ch + 3]
            colours.add(px)
            if px != b"\xff\xff\xff":
                ink += 1
    total = ((h + 1) // 2) * ((w + 1) // 2)
    return ink / total, len(colours)


def fnv_rows(report):
    """The checksum the page's script computes over the rows it decoded (see kScript)."""
    changes = {}
    for e in report["events"]:
        changes[e["prefix"]] = changes.get(e["prefix"], 0) + 1
    x = 0x811C9DC5
    for row in report["active_paths"]:
        g = row["gateway_best"]
        v = "%s|%s|%s|%d\n" % (row["prefix"], g["expressroute"]["as_path"] if "expressroute" in g else "-",
                               g["vpn"]["as_path"] if "vpn" in g else "-", changes.get(row["prefix"], 0))
        for ch in v:
            x = ((x ^ ord(ch)) * 16777619) & 0xFFFFFFFF
    return "%x" % x


def attrs(dom):
    m = re.search(r"<html([^>]*)>", dom)
    if not m:
        fail("no <html> element in the dumped DOM")
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', m.group(1)))


def check_page(name, tmp, bgpfa, args, out_dir, must_contain=()):
    html = os.path.join(tmp, name + ".html")
    js = os.path.join(tmp, name + ".json")
    for fmt, path in (("html", html), ("json", js)):
        p = subprocess.run([bgpfa, "replay", "-q"] + args + ["--report", fmt, "-o", path], stderr=subprocess.PIPE)
        if p.returncode != 0:
            fail("bgpfa replay %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.decode()))
    size = os.path.getsize(html)
    text = open(html, encoding="utf-8").read()
    print("%s: HTML %d bytes (limit %d)" % (name, size, LIMIT))
    if size >= LIMIT:
        fail("%s: the page is %d bytes, not under %d" % (name, size, LIMIT))
    if re.search(r"""(src|href)=["']?(https?:)?//""", text):
        fail(name + ": the page refers to an external asset")
    for s in must_contain:
        if s not in text:
            fail("%s: the page does not show %r" % (name, s))
    report = json.load(open(js))
    url = "file://" + html
    dom, dump_s = chromium(tmp, ["--window-size=%d,1200" % WIDTH, "--dump-dom"], url)
    a = attrs(dom)
    for k in ("timeline", "table", "rows", "checksum", "build-ms", "ready-ms"):
        if k not in a:
            fail("%s: the page's script did not finish (no data-%s in the DOM)" % (name, k))
    n = len(report["active_paths"])
    if int(a["rows"]) != min(100, n):
        fail("%s: %s table rows built, expected %d" % (name, a["rows"], min(100, n)))
    if a["checksum"] != fnv_rows(report):
        fail("%s: the rows the page decoded differ from the JSON report's (checksum %s, expected %s)"
             % (name, a["checksum"], fnv_rows(report)))
    timeline = [int(v) for v in a["timeline"].split(",")]
    table = [int(v) for v in a["table"].split(",")]
    # The table's first rows are enough: a screenshot tall enough to hold them.
    table[3] = min(table[3], 400)
    height = max(timeline[1] + timeline[3], table[1] + table[3]) + 20
    png = os.path.join(tmp, name + ".png")
    _, shot_s = chromium(tmp, ["--window-size=%d,%d" % (WIDTH, height), "--screenshot=" + png], url)
    pixels = png_pixels(png)
    for what, box in (("timeline", timeline), ("table", table)):
        share, colours = region_ink(pixels, box)
        print("%s: %s region %s: %.1f %% ink, %d colours" % (name, what, box, 100 * share, colours))
        if share < 0.02 or colours < 3:
            fail("%s: the %s region of the screenshot is blank" % (name, what))
    print("%s: %d prefixes; page script %s ms (table built in %s ms); chromium --dump-dom %.2f s, --screenshot %.2f s"
          % (name, n, a["ready-ms"], a["build-ms"], dump_s, shot_s))
    if out_dir:
        shutil.copy(png, os.path.join(out_dir, name + ".png"))
    return html, a


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    bgpfa, src, shared = sys.argv[1:4]
    out_dir = sys.argv[4] if len(sys.argv) > 4 else None
    if not os.access(CHROMIUM, os.X_OK):
        print("SKIP: %s is not installed (Debian package chromium, in scripts/deps.sh test)" % CHROMIUM)
        return 77
    with tempfile.TemporaryDirectory(prefix="bgpfa-html-") as tmp:
        _, blank_s = chromium(tmp, ["--window-size=%d,600" % WIDTH, "--dump-dom"], "about:blank")
        print("chromium start-up (about:blank): %.2f s" % blank_s)
        fx = os.path.join(src, "fixtures", "failover")
        html, _ = check_page("scenario", tmp, bgpfa, ["-c", os.path.join(fx, "bgpfa.conf"), os.path.join(fx, "capture.mrt")],
                             out_dir, must_contain=["session down 192.0.2.2 (er1 secondary)", "id=\"tl\""])
        # The secondary failure (an "also" trigger of episode 3) is on the timeline, as a mark.
        tl = open(html, encoding="utf-8").read().split('<svg id="tl"', 1)[1].split("</svg>", 1)[0]
        if "session down: session down 192.0.2.2" not in tl:
            fail("scenario: the timeline has no session-down mark for 192.0.2.2")
        # A filter in the address: the prefixes that cover 10.1.5.7.
        dom, _ = chromium(tmp, ["--window-size=%d,1200" % WIDTH, "--dump-dom"], "file://" + html + "#q=10.1.5.7")
        a = attrs(dom)
        if a.get("matching") != "2" or a.get("first-row") != "10.1.5.0/24":
            fail("scenario: #q=10.1.5.7 matched %s rows, first %s (expected 2, 10.1.5.0/24)" % (a.get("matching"), a.get("first-row")))
        # IPv4 and IPv6 rows together (the compact data keeps IPv6 prefixes as text).
        ris = os.path.join(shared, "fixtures", "mrt", "ris")
        v4, v6 = os.path.join(ris, "bview.ipv4_unicast_add_path.gz"), os.path.join(ris, "bview.ipv6_unicast_add_path.gz")
        if os.path.exists(v4) and os.path.exists(v6):
            conf = os.path.join(tmp, "mixed.conf")
            with open(conf, "w") as f:
                f.write("router bgp 65515\n"
                        " neighbor 10.0.15.1 remote-as 65015\n"
                        " neighbor 10.0.15.1 gateway expressroute circuit er1 link primary\n"
                        " neighbor 2001:db8:15::1 remote-as 65015\n"
                        " neighbor 2001:db8:15::1 gateway expressroute circuit er1 link secondary\n"
                        " neighbor 2001:db8:16::2 remote-as 65017\n"
                        " neighbor 2001:db8:16::2 gateway vpn instance 0\n")
            _, a = check_page("mixed", tmp, bgpfa, ["-c", conf, v4, v6], None)
            rows = json.load(open(os.path.join(tmp, "mixed.json")))["active_paths"]
            if not any(":" in r["prefix"] for r in rows) or not any("." in r["prefix"] for r in rows):
                fail("mixed: the report does not hold both IPv4 and IPv6 prefixes")
        bview = os.path.join(ris, "bview.20020722.2337.gz")
        if not os.path.exists(bview):
            print("SKIP (RIS part): %s is not there" % bview)
            return 0
        conf = os.path.join(tmp, "ris.conf")
        with open(conf, "w") as f:
            f.write("router bgp 65515\n"
                    " neighbor 193.203.0.1 remote-as 1853\n"
                    " neighbor 193.203.0.1 gateway expressroute circuit er1 link primary\n"
                    " neighbor 193.203.0.65 remote-as 1273\n"
                    " neighbor 193.203.0.65 gateway expressroute circuit er1 link secondary\n"
                    " neighbor 193.203.0.19 remote-as 3257\n"
                    " neighbor 193.203.0.19 gateway vpn instance 0\n"
                    "analyzer\n prefix-limits off\n")
        _, a = check_page("ris", tmp, bgpfa, ["-c", conf, bview], out_dir)
        if int(a["matching"]) < 100000:
            fail("ris: only %s prefixes in the table" % a["matching"])
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
