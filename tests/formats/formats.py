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
            # when a host's longest gap ended: its heartbeat gaps are all 1.000 s once rounded,
            # so the first of the equal ones is the longest.
            editcap(["-F", "netmon1", os.path.join(src, CAP), t("x.cap")])
            same(orig, report(nlbreplay, src, [t("x.cap")]), "netmon1", tol=0.0021, fmt="netmon1",
                 drop=("max_gap_end",))
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
        else:
            fail("unknown case %s" % case)
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
