#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""nlbreplay end-to-end checks, one subcommand per ctest test.

  golden   run nlbreplay on a bundled capture and compare with tests/golden/NAME.FMT
           (UPDATE_GOLDEN=1 rewrites the file instead: review it by eye before keeping it)
  keys     validate --format json against the keys and types of NLBREPLAY-OUTPUT.md
  svg      --svg is well-formed XML (xmllint) with one <g class="host"> per host
  badinput bad inputs give exit 2, a one-line error naming the file, and the good
           files are still processed
  expected nlbreplay's json agrees with the generator's NAME.expected.json
  cli      usage errors, stdin, merging, -c, filters, --fail-on

Captures are named relative to the source tree and nlbreplay runs from there, so the
paths printed in reports (and kept in golden files) do not depend on the checkout.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"


def run(nlbreplay, src, args, stdin=None):
    p = subprocess.run([nlbreplay] + args, cwd=src, input=stdin, capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


# Extra per-capture arguments for the golden runs: text also shows the event timeline.
FORMAT_ARGS = {"text": ["--events"], "json": [], "csv": ["--format", "csv"]}


def cmd_golden(nlbreplay, src, capture, fmt, golden):
    args = list(FORMAT_ARGS[fmt])
    if fmt == "json":
        args = ["--format", "json"]
    rc, out, err = run(nlbreplay, src, args + [capture])
    if rc != 0:
        fail("nlbreplay %s exited %d: %s" % (" ".join(args + [capture]), rc, err))
    if os.environ.get("UPDATE_GOLDEN"):
        with open(golden, "wb") as f:
            f.write(out)
        print("updated %s (review it before keeping it)" % golden)
        return
    if not os.path.exists(golden):
        fail("%s missing: run UPDATE_GOLDEN=1 ctest -R golden, then review it" % golden)
    with open(golden, "rb") as f:
        want = f.read()
    if out != want:
        import difflib
        diff = difflib.unified_diff(want.decode(errors="replace").splitlines(True),
                                    out.decode(errors="replace").splitlines(True),
                                    golden, "nlbreplay output")
        sys.stdout.writelines(diff)
        fail("output differs from %s (UPDATE_GOLDEN=1 to accept after review)" % golden)
    print("ok: %s" % golden)


# ---- json keys -------------------------------------------------------------------------

INT, NUM, STR, BOOL, LIST, DICT = "int", "num", "str", "bool", "list", "dict"
IP_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
ENDPOINT_RE = re.compile(r"^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\]):\d{1,5}$")


def is_type(v, t):
    if t == INT:
        return isinstance(v, int) and not isinstance(v, bool)
    if t == NUM:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, {STR: str, BOOL: bool, LIST: list, DICT: dict}[t])


def check_obj(obj, spec, where, errs):
    if not isinstance(obj, dict):
        errs.append("%s: not an object" % where)
        return
    for key, t in spec.items():
        nullable = t.endswith("?")
        t = t.rstrip("?")
        if key not in obj:
            errs.append("%s: missing key %r" % (where, key))
        elif obj[key] is None and nullable:
            pass
        elif not is_type(obj[key], t):
            errs.append("%s.%s: %r is not %s" % (where, key, obj[key], t))


def check_json(doc):
    errs = []
    check_obj(doc, {"schema": INT, "model": DICT, "inputs": LIST, "counts": DICT, "clusters": LIST,
                    "flows": LIST, "ownership": DICT, "events": LIST, "diagnostics": LIST}, "$", errs)
    if errs:
        return errs
    if doc["schema"] != 1:
        errs.append("schema is %r, not 1" % doc["schema"])
    check_obj(doc["model"], {"name": STR, "bins": INT, "hash": STR, "note": STR}, "model", errs)
    if doc["model"].get("name") != "emulation":
        errs.append("model.name must say emulation")
    for i, inp in enumerate(doc["inputs"]):
        check_obj(inp, {"file": STR, "linktype": "str?", "format": "str?", "compression": "str?", "frames": INT,
                        "other_link_frames": INT, "truncated_frames": INT, "errors": LIST}, "inputs[%d]" % i, errs)
        for e in inp.get("errors", []):
            if not isinstance(e, str):
                errs.append("inputs[%d].errors: %r is not a string" % (i, e))
    check_obj(doc["counts"], {k: INT for k in ("frames", "heartbeats", "heartbeats_extended", "foreign_886f",
                                               "garp", "rarp", "cluster_mac_as_source", "vip_flows")},
              "counts", errs)
    for i, c in enumerate(doc["clusters"]):
        w = "clusters[%d]" % i
        check_obj(c, {"vip": STR, "mode": STR, "cluster_mac": STR, "hosts": LIST, "convergence": LIST}, w, errs)
        if not IP_RE.match(str(c.get("vip"))):
            errs.append("%s.vip %r is not dotted" % (w, c.get("vip")))
        if c.get("mode") not in ("unicast", "multicast", "igmp", "unknown"):
            errs.append("%s.mode %r" % (w, c.get("mode")))
        if not MAC_RE.match(str(c.get("cluster_mac"))):
            errs.append("%s.cluster_mac %r" % (w, c.get("cluster_mac")))
        for j, h in enumerate(c.get("hosts", [])):
            hw = "%s.hosts[%d]" % (w, j)
            check_obj(h, {"priority": INT, "dedicated_ip": STR, "mac": STR, "heartbeats": INT, "first_seen": NUM,
                          "last_seen": NUM, "max_gap": NUM, "port_rules": INT, "host_code": STR,
                          "default_host": INT, "bins_owned": DICT}, hw, errs)
            if not MAC_RE.match(str(h.get("mac"))):
                errs.append("%s.mac %r" % (hw, h.get("mac")))
            if not IP_RE.match(str(h.get("dedicated_ip"))):
                errs.append("%s.dedicated_ip %r" % (hw, h.get("dedicated_ip")))
            if not re.match(r"^0x[0-9a-f]{8}$", str(h.get("host_code"))):
                errs.append("%s.host_code %r" % (hw, h.get("host_code")))
            for k, v in h.get("bins_owned", {}).items():
                if not is_type(v, INT):
                    errs.append("%s.bins_owned.%s: %r" % (hw, k, v))
        for j, cv in enumerate(c.get("convergence", [])):
            check_obj(cv, {"start": NUM, "end": NUM, "trigger": STR}, "%s.convergence[%d]" % (w, j), errs)
    for i, fl in enumerate(doc["flows"]):
        w = "flows[%d]" % i
        check_obj(fl, {"proto": STR, "client": STR, "vip": STR, "first_seen": NUM, "bin": INT,
                       "predicted_host": "int?", "observed_host": "int?", "answered": BOOL}, w, errs)
        for k in ("client", "vip"):
            if not ENDPOINT_RE.match(str(fl.get(k))):
                errs.append("%s.%s %r is not ip:port" % (w, k, fl.get(k)))
    check_obj(doc["ownership"], {"flows": INT, "with_observed": INT, "agree": INT, "agreement": NUM},
              "ownership", errs)
    for i, ev in enumerate(doc["events"]):
        check_obj(ev, {"time": NUM, "kind": STR, "detail": STR}, "events[%d]" % i, errs)
    for i, d in enumerate(doc["diagnostics"]):
        w = "diagnostics[%d]" % i
        check_obj(d, {"code": STR, "severity": STR, "time": NUM, "message": STR}, w, errs)
        if not re.match(r"^NLB-\d{3}$", str(d.get("code"))):
            errs.append("%s.code %r" % (w, d.get("code")))
        if d.get("severity") not in ("error", "warning", "info"):
            errs.append("%s.severity %r" % (w, d.get("severity")))
    return errs


def cmd_keys(nlbreplay, src, capture):
    rc, out, err = run(nlbreplay, src, ["--format", "json", "--flows", capture])
    if rc != 0:
        fail("exit %d: %s" % (rc, err))
    try:
        doc = json.loads(out)
    except ValueError as e:
        fail("not JSON: %s" % e)
    errs = check_json(doc)
    if errs:
        fail("; ".join(errs[:20]))
    # text and json show the tracker's one host state: they must agree host by host
    rc, text, err = run(nlbreplay, src, [capture])
    if rc != 0:
        fail("text: exit %d: %s" % (rc, err))
    row = re.compile(r"^\s+(\d+) (\d+\.\d+\.\d+\.\d+)\s+([0-9a-f:]{17})\s+\d+ \S+\s+\S+ (\S+)\s")
    text_state = {}
    for line in (text.decode() if isinstance(text, bytes) else text).splitlines():
        m = row.match(line)
        if m:
            text_state[(int(m.group(1)), m.group(2), m.group(3))] = m.group(4).lower()
    states = {}
    for c in doc["clusters"]:
        for h in c["hosts"]:
            if h.get("state") not in ("ok", "gap", "silent", "unseen"):
                fail("host %s: state %r" % (h["dedicated_ip"], h.get("state")))
            states[(h["priority"], h["dedicated_ip"], h["mac"])] = h["state"]
    if states != text_state:
        fail("host states differ: json %r, text %r" % (sorted(states.items()), sorted(text_state.items())))
    print("ok: %s json keys (%d clusters, %d flows, %d diagnostics), %d host states as in text"
          % (capture, len(doc["clusters"]), len(doc["flows"]), len(doc["diagnostics"]), len(states)))


def cmd_svg(nlbreplay, src, capture):
    tmp = tempfile.mkdtemp(prefix="nlbreplay-svg-")
    try:
        svg = os.path.join(tmp, "t.svg")
        rc, out, err = run(nlbreplay, src, ["--format", "json", "--svg", svg, capture])
        if rc != 0:
            fail("exit %d: %s" % (rc, err))
        if shutil.which("xmllint"):
            x = subprocess.run(["xmllint", "--noout", svg], capture_output=True)
            if x.returncode != 0:
                fail("xmllint: " + x.stderr.decode(errors="replace"))
        root = ET.parse(svg).getroot()
        if root.tag != SVG_NS + "svg":
            fail("root element is %s" % root.tag)
        groups = [g for g in root.iter(SVG_NS + "g") if g.get("class") == "host"]
        doc = json.loads(out)
        want = sorted((c["vip"], h["priority"]) for c in doc["clusters"] for h in c["hosts"])
        got = sorted((g.get("data-vip"), int(g.get("data-priority"))) for g in groups)
        if got != want:
            fail("host rows %r, json hosts %r" % (got, want))
        print("ok: %s svg, %d host rows" % (capture, len(groups)))
    finally:
        shutil.rmtree(tmp)


# ---- bad inputs ------------------------------------------------------------------------

def pcapng_mixed(src_pcap):
    """A pcapng whose two interfaces have different link types (libpcap refuses it)."""
    data = open(src_pcap, "rb").read()

    def blk(t, body):
        body += b"\0" * ((4 - len(body) % 4) % 4)
        n = 12 + len(body)
        return struct.pack("<II", t, n) + body + struct.pack("<I", n)
    out = blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += blk(1, struct.pack("<HHI", 1, 0, 65535)) + blk(1, struct.pack("<HHI", 105, 0, 65535))
    off = 24
    ifid = 0
    while off + 16 <= len(data):
        s, us, cl, ol = struct.unpack("<IIII", data[off:off + 16])
        ts = s * 1000000 + us
        out += blk(6, struct.pack("<IIIII", ifid, ts >> 32, ts & 0xFFFFFFFF, cl, ol) + data[off + 16:off + 16 + cl])
        off += 16 + cl
        ifid = 1
    return out


def pcapng_corrupt(src_pcap):
    """pcapng_mixed() with the third block's length set to 1 (libpcap: "has a length of 1 < 12")."""
    data = bytearray(pcapng_mixed(src_pcap))
    off = 0
    for _ in range(3):
        off += struct.unpack_from("<I", data, off + 4)[0]
    struct.pack_into("<I", data, off + 4, 1)
    return bytes(data)


def cmd_badinput(nlbreplay, src, good):
    tmp = tempfile.mkdtemp(prefix="nlbreplay-bad-")
    try:
        data = open(os.path.join(src, good), "rb").read()
        bad = {}

        def make(name, content):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(content)
            bad[name] = path
        make("empty.pcap", b"")
        make("text.pcap", b"this is a text file, not a capture\n" * 4)
        make("truncated.pcap", data[:-20])
        hdr = bytearray(data[:24])
        struct.pack_into("<I", hdr, 20, 105)  # IEEE 802.11
        make("linktype.pcap", bytes(hdr) + data[24:])
        rec = bytearray(data[24:])
        struct.pack_into("<I", rec, 8, 0x7FFFFFFF)  # first record's caplen
        make("caplen.pcap", data[:24] + bytes(rec))
        make("corrupt.pcapng", pcapng_corrupt(os.path.join(src, good)))
        missing = os.path.join(tmp, "missing.pcap")
        n_good = None
        for name, path in list(bad.items()) + [("missing.pcap", missing)]:
            rc, out, err = run(nlbreplay, src, ["--format", "json", path, good])
            if rc != 2:
                fail("%s: exit %d, want 2" % (name, rc))
            lines = [l for l in err.splitlines() if path in l]
            if not lines:
                fail("%s: stderr does not name the file: %r" % (name, err))
            doc = json.loads(out)
            by_file = {i["file"]: i for i in doc["inputs"]}
            if not by_file[path]["errors"]:
                fail("%s: the report does not list the error" % name)
            if not doc.get("partial"):
                fail("%s: the report does not say it is partial" % name)
            if by_file[good]["errors"] or by_file[good]["frames"] == 0:
                fail("%s: the good file was not processed" % name)
            if n_good is None:
                n_good = by_file[good]["frames"]
            if name == "truncated.pcap":
                if not re.search(r"frame \d+", lines[0]) or by_file[path]["frames"] < 1:
                    fail("truncated: want the frame number and the frames before it: %r" % lines[0])
            if name == "corrupt.pcapng" and not re.search(r"corrupt pcapng: block length 1 at offset \d+", lines[0]):
                fail("corrupt pcapng not said in words with the offset: %r" % lines[0])
            # text report too: it names the failed input.
            rc, out, err = run(nlbreplay, src, [path, good])
            if rc != 2 or b"PARTIAL REPORT" not in out or path.encode() not in out:
                fail("%s: text report does not flag the partial input (exit %d)" % (name, rc))
        # Nothing readable at all: no report, exit 2.
        rc, out, err = run(nlbreplay, src, [bad["empty.pcap"]])
        if rc != 2 or out:
            fail("only a bad input: exit %d, stdout %r" % (rc, out[:80]))
        print("ok: bad inputs (%d cases)" % (len(bad) + 1))
    finally:
        shutil.rmtree(tmp)


def cooked(src_pcap, linktype):
    """The Ethernet capture re-encapsulated as Linux cooked SLL (113) or SLL2 (276)."""
    data = open(src_pcap, "rb").read()
    hdr = bytearray(data[:24])
    struct.pack_into("<I", hdr, 20, linktype)
    out = bytes(hdr)
    off = 24
    while off + 16 <= len(data):
        s, us, cl, ol = struct.unpack("<IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + cl]
        src_mac, proto, payload = frame[6:12], frame[12:14], frame[14:]
        if linktype == 113:
            head = struct.pack(">HHH", 1, 1, 6) + src_mac + b"\0\0" + proto
        else:
            head = proto + b"\0\0" + struct.pack(">IHBB", 2, 1, 1, 6) + src_mac + b"\0\0"
        rec = head + payload
        out += struct.pack("<IIII", s, us, len(rec), ol - 14 + len(head)) + rec
        off += 16 + cl
    return out


def cmd_cli(nlbreplay, src, good):
    def expect(args, rc_want, stdin=None, what=""):
        rc, out, err = run(nlbreplay, src, args, stdin)
        if rc != rc_want:
            fail("%s %s: exit %d, want %d (%s)" % (what, args, rc, rc_want, err.strip()))
        return out, err
    for args in (["--format", "xml", good], ["--bins", "0", good], ["--bins", "65", good],
                 ["--vip", "10.0.0", good], ["--affinity", "sticky", good], ["--fail-on", "panic", good],
                 ["--nonsense", good], [], ["-", "-"], ["-c", "0", good], ["--without-host", "33", good],
                 ["--period"]):
        out, err = expect(args, 2, what="usage")
        if not err.startswith("nlbreplay: "):
            fail("usage error %s not explained: %r" % (args, err))
    out, _ = expect(["--help"], 0)
    for opt in ("-r", "-c", "--vip", "--rules", "--affinity", "--bins", "--period", "--tolerance",
                "--without-host", "--format", "--flows", "--events", "--svg", "--fail-on", "--quiet",
                "--help", "--version"):
        if opt.encode() not in out:
            fail("--help does not mention %s" % opt)
    expect(["--version"], 0)
    data = open(os.path.join(src, good), "rb").read()
    one = json.loads(expect(["--format", "json", good], 0)[0])
    n = one["counts"]["frames"]
    # stdin
    doc = json.loads(expect(["--format", "json", "-"], 0, stdin=data)[0])
    if doc["counts"]["frames"] != n:
        fail("stdin: %d frames, want %d" % (doc["counts"]["frames"], n))
    # two files merged by timestamp: twice the frames, none out of order
    doc = json.loads(expect(["--format", "json", good, good], 0)[0])
    if doc["counts"]["frames"] != 2 * n or any(i["reordered_frames"] for i in doc["inputs"]):
        fail("merge: %r" % doc["counts"])
    # the same with -r and with -c
    doc = json.loads(expect(["--format", "json", "-r", good, "-r", good, "-c", "1"], 0)[0])
    if doc["counts"]["frames"] != 1 or sum(i["frames"] for i in doc["inputs"]) != 1 \
            or not doc["stopped_by_count"]:
        fail("-c 1: %d frames, inputs %r" % (doc["counts"]["frames"], [i["frames"] for i in doc["inputs"]]))
    # filters, both spellings; a filter matching nothing leaves no frame
    for args in (["--format", "json", good, "--", "not", "ether", "proto", "0x886f"],
                 ["--format", "json", "-r", good, "not", "ether", "proto", "0x886f"]):
        doc = json.loads(expect(args, 0)[0])
        if doc["counts"]["heartbeats"] != 0 or doc["inputs"][0]["frames"] != n:
            fail("filter %s: %r" % (args, doc["counts"]))
    expect([good, "--", "no", "such", "(filter"], 2, what="bad filter")
    # Linux cooked captures (SLL, SLL2) read like Ethernet ones
    tmp = tempfile.mkdtemp(prefix="nlbreplay-cli-")
    try:
        for lt, name in ((113, "LINUX_SLL"), (276, "LINUX_SLL2")):
            path = os.path.join(tmp, "cooked-%d.pcap" % lt)
            with open(path, "wb") as f:
                f.write(cooked(os.path.join(src, good), lt))
            doc = json.loads(expect(["--format", "json", path], 0)[0])
            if doc["inputs"][0]["linktype"] != name or doc["counts"]["heartbeats"] != one["counts"]["heartbeats"]:
                fail("%s: %r %r" % (name, doc["inputs"][0]["linktype"], doc["counts"]))
    finally:
        shutil.rmtree(tmp)
    # csv: header + one row per flow
    out, _ = expect(["--format", "csv", good], 0)
    rows = out.decode().splitlines()
    if not rows or not rows[0].startswith("proto,client,"):
        fail("csv header: %r" % rows[:1])
    # --fail-on: exit 1 exactly when a diagnostic of that severity or worse exists
    sev = [d["severity"] for d in one["diagnostics"]]
    expect(["--fail-on", "error", good], 1 if "error" in sev else 0)
    expect(["--fail-on", "warning", good], 1 if ("error" in sev or "warning" in sev) else 0)
    # --without-host asks the what-if of the tracker; a host owning bins moves some flows
    healthy = "captures/unicast-healthy.pcap"
    if os.path.exists(os.path.join(src, healthy)):
        doc = json.loads(expect(["--format", "json", "--without-host", "1", healthy], 0)[0])
        moved = doc["ownership"].get("whatif", {}).get("flows_moved", 0)
        if not 0 < moved < doc["ownership"]["flows"]:
            fail("--without-host 1: %r flows moved of %d" % (moved, doc["ownership"]["flows"]))
        out, _ = expect(["--without-host", "1", healthy], 0)
        if b"what-if without host 1" not in out or b"emulation" not in out:
            fail("--without-host: the text report does not show the what-if")
    print("ok: cli")


def cmd_expected(nlbreplay, src, capture, expected):
    """nlbreplay's json against the generator's ground truth (captures/README.md says which
    keys are binding: counts, clusters and hosts, required events, the exact diagnostic codes)."""
    rc, out, err = run(nlbreplay, src, ["--format", "json", capture])
    if rc != 0:
        fail("exit %d: %s" % (rc, err))
    doc = json.loads(out)
    want = json.load(open(os.path.join(src, expected)))
    errs = []
    for k, v in want.get("counts", {}).items():
        if k in doc["counts"] and doc["counts"][k] != v:
            errs.append("counts.%s = %r, want %r" % (k, doc["counts"][k], v))
    got_c = {c["vip"]: c for c in doc["clusters"]}
    if sorted(got_c) != sorted(c["vip"] for c in want.get("clusters", [])):
        errs.append("clusters %r, want %r" % (sorted(got_c), [c["vip"] for c in want.get("clusters", [])]))
    for wc in want.get("clusters", []):
        gc = got_c.get(wc["vip"])
        if not gc:
            continue
        for k in ("mode", "cluster_mac"):
            if gc[k] != wc[k]:
                errs.append("%s.%s = %r, want %r" % (wc["vip"], k, gc[k], wc[k]))
        hosts = {(h["priority"], h["dedicated_ip"]): h for h in gc["hosts"]}
        dups = {(h["priority"], h["duplicate"]["dedicated_ip"]): h["duplicate"] for h in gc["hosts"]
                if "duplicate" in h}
        for wh in wc["hosts"]:
            key = (wh["priority"], wh["dedicated_ip"])
            if key in hosts:
                gh = hosts[key]
                for k in ("mac", "heartbeats", "port_rules", "default_host"):
                    if k in wh and gh.get(k) != wh[k]:
                        errs.append("%s host %r.%s = %r, want %r" % (wc["vip"], key, k, gh.get(k), wh[k]))
            elif key in dups:
                if dups[key]["heartbeats"] != wh["heartbeats"]:
                    errs.append("%s duplicate %r heartbeats %r, want %r" % (wc["vip"], key,
                                                                           dups[key]["heartbeats"], wh["heartbeats"]))
            else:
                errs.append("%s: host %r missing" % (wc["vip"], key))
    kinds = {e["kind"] for e in doc["events"]}
    for we in want.get("events", []):
        if we["kind"] not in kinds:
            errs.append("no %s event" % we["kind"])
    got_d = sorted({d["code"] for d in doc["diagnostics"]})
    want_d = sorted({d["code"] for d in want.get("diagnostics", [])})
    if got_d != want_d:
        errs.append("diagnostics %r, want %r" % (got_d, want_d))
    if errs:
        fail("; ".join(errs))
    print("ok: %s agrees with %s" % (capture, expected))


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        sys.exit(2)
    cmd, nlbreplay, src = sys.argv[1], sys.argv[2], sys.argv[3]
    rest = sys.argv[4:]
    {"golden": cmd_golden, "keys": cmd_keys, "expected": cmd_expected, "svg": cmd_svg, "badinput": cmd_badinput, "cli": cmd_cli}[cmd](
        nlbreplay, src, *rest)


if __name__ == "__main__":
    main()
