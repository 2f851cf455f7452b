#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""nlbreplay reads every capture format with the same report as the pcap original.

  formats.py NLBREPLAY SRC CASE

Each CASE makes its file from a bundled capture (python's gzip, editcap, mergecap) into a
temporary directory and compares nlbreplay's --format json report with the report of the
pcap it came from: everything equal except the inputs' file, format and compression. Exit 77
(ctest: skipped, with the reason) when editcap/mergecap are missing or nlbreplay was built
without libwiretap.
"""
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
import golden  # noqa: E402  (cooked(), pcapng_mixed())

CAP = "captures/incident.pcap"      # flows, events, diagnostics, several hosts
SECOND = "captures/multicast.pcap"  # same clock as CAP: merged inputs interleave


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(77)


def report(nlbreplay, src, files, env=None):
    e = dict(os.environ)
    e.pop("NLBREPLAY_READER", None)
    e.update(env or {})
    p = subprocess.run([nlbreplay, "-q", "--format", "json"] + files, cwd=src, capture_output=True, env=e)
    if p.returncode != 0:
        fail("nlbreplay %s exited %d: %s" % (" ".join(files), p.returncode, p.stderr.decode(errors="replace")))
    return json.loads(p.stdout)


def comparable(doc, merge_inputs=False, drop=()):
    """The report without what names the file or its format (and the keys in drop)."""
    doc = json.loads(json.dumps(doc))
    for c in doc["clusters"]:
        for h in c["hosts"]:
            for k in drop:
                h.pop(k, None)
    for sect in ("diagnostics", "events", "flows"):
        for item in doc.get(sect, []):
            for k in drop:
                item.pop(k, None)
    for i in doc["inputs"]:
        for k in ("file", "format", "compression", "linktype"):
            i.pop(k, None)
    if merge_inputs:
        # Frame references name a frame of one input: of the pcaps on one side, of the merged
        # pcapng on the other. They are checked against their own files elsewhere.
        for sect in ("diagnostics", "events", "flows"):
            for item in doc.get(sect, []):
                for k in [k for k in item if k.endswith("frame") or k.endswith("file")]:
                    del item[k]
    if merge_inputs:  # several pcaps vs one merged pcapng: compare the totals
        tot = {}
        for i in doc["inputs"]:
            for k, v in i.items():
                if isinstance(v, int) and not isinstance(v, bool):
                    tot[k] = tot.get(k, 0) + v
        doc["inputs"] = [tot]
    return doc


def diff(a, b, tol, path=""):
    """First difference between two json values, None when equal (floats within tol)."""
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or abs(a - b) > tol:
            return "%s: %r vs %r" % (path, a, b)
        return None
    if type(a) is not type(b):
        return "%s: %r vs %r" % (path, a, b)
    if isinstance(a, dict):
        if set(a) != set(b):
            return "%s: keys %s" % (path, sorted(set(a) ^ set(b)))
        for k in a:
            d = diff(a[k], b[k], tol, path + "." + k)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d vs %d items" % (path, len(a), len(b))
        for n, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, tol, "%s[%d]" % (path, n))
            if d:
                return d
        return None
    return None if a == b else "%s: %r vs %r" % (path, a, b)


def same(want, got, what, tol=0.0, merge_inputs=False, fmt=None, drop=()):
    if fmt and got["inputs"][0].get("format") != fmt:
        fail("%s: format %r, want %r" % (what, got["inputs"][0].get("format"), fmt))
    d = diff(comparable(want, merge_inputs, drop), comparable(got, merge_inputs, drop), tol)
    if d:
        fail("%s: report differs from the pcap original's at %s" % (what, d))
    if got["counts"]["frames"] == 0:
        fail("%s: nothing read (%d frames)" % (what, got["counts"]["frames"]))
    print("ok: %s: %d frames, %d flows, %d events, %d diagnostics as the original" % (
        what, got["counts"]["frames"], len(got["flows"]), len(got["events"]), len(got["diagnostics"])))


def pcap_times(path):
    """Timestamps (microseconds) of a little-endian classic pcap's frames, frame 1 first."""
    data = open(path, "rb").read()
    out, off = [], 24
    while off + 16 <= len(data):
        s, us, cl, _ = struct.unpack_from("<IIII", data, off)
        out.append(s * 1000000 + us)
        off += 16 + cl
    return out


def frame_refs(nlbreplay, src, t):
    """Events, diagnostics and flows name the frame in its own file (json and csv agree), for
    one input and for two merged: the first frame fed at or after the time (flows: at
    first_seen, and the last at last_seen; diagnostics: the last at time + duration)."""
    editcap(["-F", "pcap", "-t", "0.000333", os.path.join(src, SECOND), t("second.pcap")])
    for files in ([CAP], [CAP, t("second.pcap")]):
        times = [pcap_times(os.path.join(src, f)) for f in files]
        fed = sorted((ts, fi, n + 1) for fi, tl in enumerate(times) for n, ts in enumerate(tl))
        us = lambda x: int(round(x * 1e6))  # noqa: E731
        doc = report(nlbreplay, src, files)

        def at(ref_file, ref_frame):
            return times[ref_file][ref_frame - 1]

        def first_from(x):
            return next(((fi, n) for ts, fi, n in fed if ts >= x), (fed[-1][1], fed[-1][2]))

        def last_until(x):
            cand = [(fi, n) for ts, fi, n in fed if ts <= x]
            return cand[-1] if cand else (fed[0][1], fed[0][2])
        checked = 0
        for ev in doc["events"]:
            if (ev["file"], ev["frame"]) != first_from(us(ev["time"])):
                fail("%d inputs: event %r names frame %r" % (len(files), ev, first_from(us(ev["time"]))))
            checked += 1
        for d in doc["diagnostics"]:
            end = us(d["time"]) + us(d.get("duration", 0))
            if (d["first_file"], d["first_frame"]) != first_from(us(d["time"])) or \
                    (d["last_file"], d["last_frame"]) != last_until(end):
                fail("%d inputs: diagnostic %s names %r..%r" % (len(files), d["code"], first_from(us(d["time"])),
                                                             last_until(end)))
            checked += 1
        for fl in doc["flows"]:
            if at(fl["first_file"], fl["first_frame"]) != us(fl["first_seen"]) or \
                    at(fl["last_file"], fl["last_frame"]) != us(fl["last_seen"]):
                fail("%d inputs: flow %r: frames at other times" % (len(files), fl))
            checked += 1
        if len(files) == 2 and not any(ev["file"] == 1 for ev in doc["events"]):
            fail("two inputs: no event names the second file")
        csv = subprocess.run([nlbreplay, "-q", "--format", "csv"] + files, cwd=src, capture_output=True,
                             text=True).stdout.splitlines()
        head = csv[0].split(",")
        for row, fl in zip(csv[1:], doc["flows"]):
            cells = dict(zip(head, row.split(",")))
            if [int(cells[k]) for k in ("first_frame", "first_file", "last_frame", "last_file")] != \
                    [fl["first_frame"], fl["first_file"], fl["last_frame"], fl["last_file"]]:
                fail("csv and json disagree on flow %r" % fl)
        print("ok: %d inputs: %d events, diagnostics and flows name the right frame of the right file" % (
            len(files), checked))


def editcap(args):
    p = subprocess.run(["editcap"] + args, capture_output=True)
    if p.returncode != 0:
        fail("editcap %s: %s" % (" ".join(args), p.stderr.decode(errors="replace")))


def main():
    nlbreplay, src, case = sys.argv[1:4]
    v = subprocess.run([nlbreplay, "--version"], capture_output=True).stdout.decode()
    if "without libwiretap" in v:
        skip("nlbreplay was built without libwiretap (apt-get install libwiretap-dev and re-run cmake)")
    for tool in ("editcap", "mergecap"):
        if not shutil.which(tool):
            skip("%s not found (apt-get install wireshark-common or tshark)" % tool)
    tmp = tempfile.mkdtemp(prefix="nlbreplay-fmt-")
    try:
        t = lambda name: os.path.join(tmp, name)  # noqa: E731
        orig = report(nlbreplay, src, [CAP])
        if case == "pcap_gz":
            with open(os.path.join(src, CAP), "rb") as f, gzip.open(t("x.pcap.gz"), "wb") as g:
                g.write(f.read())
            got = report(nlbreplay, src, [t("x.pcap.gz")])
            if got["inputs"][0]["compression"] != "gzip":
                fail("pcap.gz: compression %r" % got["inputs"][0]["compression"])
            same(orig, got, ".pcap.gz", fmt="pcap")
        elif case == "pcapng_gz":
            editcap(["-F", "pcapng", os.path.join(src, CAP), t("x.pcapng")])
            with open(t("x.pcapng"), "rb") as f, gzip.open(t("x.pcapng.gz"), "wb") as g:
                g.write(f.read())
            same(orig, report(nlbreplay, src, [t("x.pcapng.gz")]), ".pcapng.gz", fmt="pcapng")
        elif case == "netmon2":
            editcap(["-F", "netmon2", os.path.join(src, CAP), t("x.cap")])
            same(orig, report(nlbreplay, src, [t("x.cap")]), "netmon2", fmt="netmon2")
        elif case == "netmon1":
            # Network Monitor 1.x keeps milliseconds: times agree to the millisecond (a gap or
            # duration, the difference of two times, to two), everything else exactly, except
            # when a host's longest gap ended (its heartbeat gaps are all 1.000 s once rounded,
            # so the first of the equal ones is the longest) and the last frame at a time
            # or the first (frames a few microseconds apart now share a millisecond).
            editcap(["-F", "netmon1", os.path.join(src, CAP), t("x.cap")])
            same(orig, report(nlbreplay, src, [t("x.cap")]), "netmon1", tol=0.0021, fmt="netmon1",
                 drop=("max_gap_end", "first_frame", "first_file", "last_frame", "last_file", "frame", "file"))
        elif case == "snaplen_netmon2":
            # Truncation carried through: frames cut by the snapshot length stay cut.
            editcap(["-s", "100", os.path.join(src, CAP), t("cut.pcap")])
            editcap(["-F", "netmon2", t("cut.pcap"), t("cut.cap")])
            want = report(nlbreplay, src, [t("cut.pcap")])
            got = report(nlbreplay, src, [t("cut.cap")])
            if got["inputs"][0]["truncated_frames"] == 0:
                fail("snaplen: no frame cut")
            same(want, got, "netmon2 cut at 100 bytes", fmt="netmon2")
        elif case == "mixed_links":
            # A pcapng with an Ethernet and a Linux cooked (SLL) interface, as mergecap makes it
            # from two captures: the same report as the two pcaps merged by nlbreplay itself.
            with open(t("sll0.pcap"), "wb") as f:
                f.write(golden.cooked(os.path.join(src, SECOND), 113))
            # Both captures start at the same microsecond: shift one so that no two frames tie,
            # the order of equal times being each merger's own choice.
            editcap(["-t", "0.000333", t("sll0.pcap"), t("sll.pcap")])
            subprocess.run(["mergecap", "-F", "pcapng", "-w", t("mixed.pcapng"), os.path.join(src, CAP),
                            t("sll.pcap")], check=True)
            want = report(nlbreplay, src, [CAP, t("sll.pcap")])
            got = report(nlbreplay, src, [t("mixed.pcapng")])
            if sorted(got["inputs"][0]["linktype"].split("+")) != ["EN10MB", "LINUX_SLL"]:
                fail("mixed: linktype %r" % got["inputs"][0]["linktype"])
            if len(got["clusters"]) < 2:
                fail("mixed: %d clusters, want both captures' clusters" % len(got["clusters"]))
            same(want, got, "pcapng Ethernet + SLL (mergecap)", merge_inputs=True, fmt="pcapng")
        elif case == "other_link":
            # Interfaces nlbreplay does not decode (802.11 here) are counted and skipped.
            with open(t("w.pcapng"), "wb") as f:
                f.write(golden.pcapng_mixed(os.path.join(src, "captures/msnlb.pcap")))
            got = report(nlbreplay, src, [t("w.pcapng")])
            i = got["inputs"][0]
            if (i["frames"], i["other_link_frames"], got["counts"]["frames"], i["linktype"]) != (2, 1, 1, "EN10MB"):
                fail("other link: %r, counts.frames %d" % (i, got["counts"]["frames"]))
            if not any("ieee-802-11" in n for n in i["notes"]):
                fail("other link: the note does not name the link type: %r" % i["notes"])
            print("ok: 802.11 interface: 2 frames, 1 skipped and named, 1 decoded")
        elif case == "same_reader":
            # libwiretap on the files libpcap reads gives the same report (frame numbers too).
            for cap in sorted(os.listdir(os.path.join(src, "captures"))):
                if cap.endswith(".pcap"):
                    c = "captures/" + cap
                    same(report(nlbreplay, src, [c]), report(nlbreplay, src, [c], {"NLBREPLAY_READER": "wiretap"}),
                         "%s via libwiretap" % cap)
        elif case == "snoop":
            editcap(["-F", "snoop", os.path.join(src, CAP), t("x.snoop")])
            same(orig, report(nlbreplay, src, [t("x.snoop")]), "snoop", fmt="snoop")
        elif case in ("zstd", "lz4"):
            # Compressed by the tool itself; Wireshark must read the result too (its libwiretap
            # may be built without the library), or the case is skipped.
            if not shutil.which(case):
                skip("%s not found (apt-get install %s)" % (case, "zstd" if case == "zstd" else "lz4"))
            editcap(["-F", "pcapng", os.path.join(src, CAP), t("x.pcapng")])
            out = t("x.pcapng." + ("zst" if case == "zstd" else "lz4"))
            cmd = [case, "-q", "-f", t("x.pcapng")] + (["-o", out] if case == "zstd" else [out])
            subprocess.run(cmd, check=True)
            if shutil.which("capinfos") and subprocess.run(["capinfos", out], capture_output=True).returncode != 0:
                skip("this Wireshark's libwiretap does not read %s-compressed files" % case)
            got = report(nlbreplay, src, [out])
            if got["inputs"][0]["compression"] != case:
                fail("%s: compression %r" % (case, got["inputs"][0]["compression"]))
            same(orig, got, ".pcapng compressed by " + case, fmt="pcapng")
        elif case == "frame_refs":
            frame_refs(nlbreplay, src, t)
        else:
            fail("unknown case %s" % case)
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
