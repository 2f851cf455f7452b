#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin and nlbreplay must never disagree: both decode through libnlbproto, so on every
bundled capture the plugin's fields must say what nlbreplay's json says (hosts, heartbeats,
announcements, the emulated owner of every flow), and both must give the same diagnoses: the
set of (code, severity, first frame) from tshark -2 -z expert and nlb.diag equals nlbreplay's
json diagnostics. With NLB_AGREE_BREAK=CODE the plugin's answer for CODE is dropped before the
comparison, to prove the test fails when a front end drops a code.

usage: agree.py NLBREPLAY PLUGIN_SO TSHARK WS_VERSION CAPTURE...
Exit 0 all agree, 1 a disagreement, 77 skipped (cannot run tshark unprivileged)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) < 6:
        print(__doc__)
        return 2
    replay, plugin, tshark, wsver = sys.argv[1:5]
    captures = sys.argv[5:]
    tmp = tempfile.mkdtemp(prefix="nlb-agree.")
    try:
        return run(replay, plugin, tshark, wsver, captures, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(replay, plugin, tshark, wsver, captures, tmp):
    # tshark as root ignores personal plugin directories: run it as nobody with its own HOME.
    home = os.path.join(tmp, "home")
    pdir = os.path.join(home, ".local/lib/wireshark/plugins", wsver, "epan")
    os.makedirs(pdir)
    shutil.copy(plugin, os.path.join(pdir, "nlb.so"))
    capdir = os.path.join(tmp, "cap")
    os.makedirs(capdir)
    for c in captures:
        shutil.copy(c, capdir)
    for root, dirs, files in os.walk(tmp):
        for n in dirs + files:
            os.chmod(os.path.join(root, n), 0o777 if n in dirs else 0o644)
    os.chmod(tmp, 0o755)
    runas = []
    if os.getuid() == 0:
        if not shutil.which("setpriv"):
            print("SKIP: root without setpriv cannot run tshark with a personal plugin")
            return 77
        runas = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    env = ["env", "-i", "PATH=/usr/bin:/bin", "HOME=" + home, "TZ=UTC", "LC_ALL=C.UTF-8"]

    def ts(*args):
        opts = list(args) if args[0] == "-G" else ["-n"] + list(args)  # -G must come first
        out = subprocess.run(runas + env + [tshark] + opts, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit("tshark failed: %s" % out.stderr)
        return out.stdout

    if "nlb.so" not in ts("-G", "plugins"):
        print("FAIL: the nlb plugin did not load")
        return 1

    bad = 0

    def check(what, want, got):
        nonlocal bad
        if want == got:
            print("ok   %s" % what)
        else:
            bad += 1
            print("FAIL %s\n  nlbreplay: %s\n  plugin:    %s" % (what, want, got))

    for c in captures:
        name = os.path.basename(c)
        cap = os.path.join(capdir, name)
        rep = json.loads(subprocess.run([replay, "--format", "json", "--flows", "-q", c],
                                        capture_output=True, text=True).stdout)
        # hosts: (vip, priority) -> dedicated IP, membership and extended heartbeats
        want = {}
        for cl in rep["clusters"]:
            for h in cl["hosts"]:
                want[(cl["vip"], h["priority"])] = (h["dedicated_ip"], h["heartbeats"],
                                                     h.get("heartbeats_extended", 0))
        got = {}
        # a malformed membership heartbeat still counts (its fields before the bad one name its
        # sender); a malformed extended one does not
        for line in ts("-r", cap, "-Y", "nlb.hb.signature && !(nlb.expert.malformed && nlb.hb.kind == 2)",
                       "-T", "fields", "-E", "separator=,",
                       "-e", "nlb.hb.kind", "-e", "nlb.hb.cluster_ip", "-e", "nlb.hb.priority",
                       "-e", "nlb.hb.dedicated_ip").splitlines():
            kind, vip, prio, dip = line.split(",")
            if kind not in ("1", "2") or not prio:
                continue
            k = (vip, int(prio))
            if k in want and dip != want[k][0]:
                continue  # a second host claiming the priority: nlbreplay reports it as NLB-006
            v = got.setdefault(k, [dip, 0, 0])
            v[1 if kind == "1" else 2] += 1
        got = {k: tuple(v) for k, v in got.items()}
        check("%s: hosts and heartbeats" % name, want, got)

        if rep["clusters"]:
            # announcements are annotated once an NLB VIP is known, as nlbreplay counts them
            rarp = len([l for l in ts("-r", cap, "-Y", "nlb.rarp", "-T", "fields", "-e", "frame.number").splitlines() if l])
            garp = len([l for l in ts("-r", cap, "-Y", "nlb.garp", "-T", "fields", "-e", "frame.number").splitlines() if l])
            check("%s: RARP/GARP" % name, (rep["counts"]["rarp"], rep["counts"]["garp"]), (rarp, garp))

        # flows: the emulated owner of each flow's first frame and who answered it
        first = {}
        for line in ts("-r", cap, "-Y", "nlb.flow.predicted_host", "-T", "fields", "-E", "separator=,",
                       "-e", "ip.src", "-e", "tcp.srcport", "-e", "udp.srcport", "-e", "ip.dst",
                       "-e", "tcp.dstport", "-e", "udp.dstport", "-e", "nlb.flow.predicted_host").splitlines():
            src, tsp, usp, dst, tdp, udp_, pred = line.split(",")
            key = "%s:%s>%s:%s" % (src, tsp or usp, dst, tdp or udp_)
            first.setdefault(key, int(pred))
        wantf, gotf = {}, {}
        for f in rep["flows"]:
            key = "%s>%s" % (f["client"], f["vip"])
            if f["predicted_host"] is None or key not in first:
                continue
            wantf[key] = f["predicted_host"]
            gotf[key] = first[key]
        check("%s: predicted owner of %d flows (emulation)" % (name, len(wantf)), wantf, gotf)
        diagnoses(name, cap, rep, ts, check)
    return 1 if bad else 0


SEV = {"Errors": "error", "Warns": "warning", "Notes": "info", "Chats": "info"}


def expert_codes(out):
    """(code, severity) -> count from tshark -z expert, and the summaries of NLB-0nn lines."""
    got, titles, sev = {}, {}, None
    for line in out.splitlines():
        m = re.match(r"^(Errors|Warns|Notes|Chats) \(\d+\)$", line)
        if m:
            sev = SEV[m.group(1)]
            continue
        m = re.match(r"^\s+(\d+)\s+\S+\s+NLB \(nlbproto\)\s+(NLB-\d{3}): (.*)$", line)
        if m and sev:
            k = (m.group(2), sev)
            got[k] = got.get(k, 0) + int(m.group(1))
            titles[m.group(2)] = m.group(3)
    return got, titles


def diagnoses(name, cap, rep, ts, check):
    broken = os.environ.get("NLB_AGREE_BREAK", "")
    want = sorted((d["code"], d["severity"], d.get("first_frame")) for d in rep["diagnostics"])
    # Each diagnosis is known only once the whole capture was seen: two passes, as in the GUI.
    got = []
    for line in ts("-2", "-r", cap, "-Y", "nlb.diag", "-T", "fields", "-E", "separator=|",
                   "-E", "aggregator=;", "-e", "frame.number", "-e", "nlb.diag",
                   "-e", "nlb.diag.severity").splitlines():
        num, codes, sevs = line.split("|")
        for c, s in zip(codes.split(";"), sevs.split(";")):
            if c != broken:
                got.append((c, s, int(num)))
    check("%s: diagnostics (code, severity, first frame)" % name, want, sorted(got))
    ex, titles = expert_codes(ts("-2", "-r", cap, "-q", "-z", "expert"))
    ex = {k: v for k, v in ex.items() if k[0] != broken}
    wantx = {}
    for c, s, _ in want:
        wantx[(c, s)] = wantx.get((c, s), 0) + 1
    check("%s: -z expert (code, severity): count" % name, wantx, ex)
    long = {c: t for c, t in titles.items() if len(t) > 80}
    check("%s: expert titles short enough for Wireshark (<= 80 characters)" % name, {}, long)
    if name == "incident.pcap":
        check("incident.pcap: NLB-001..NLB-005 shown in Wireshark", ["NLB-001", "NLB-002", "NLB-003", "NLB-004", "NLB-005"],
              sorted(c for c in titles if c in ("NLB-001", "NLB-002", "NLB-003", "NLB-004", "NLB-005")))
        # the SYNs nlbreplay counts as unanswered: every SYN of a flow without an answer
        syns = sum(f["syns"] for f in rep["flows"] if f.get("syns") and not f["answered"])
        sel = [l for l in ts("-2", "-r", cap, "-Y", 'nlb.flow.verdict == "unanswered"', "-T", "fields",
                             "-e", "tcp.flags.syn", "-e", "tcp.flags.ack").splitlines() if l]
        check("incident.pcap: -Y 'nlb.flow.verdict == \"unanswered\"' selects the 356 unanswered SYNs",
              (356, 356, 356), (syns, len(sel), len([l for l in sel if l in ("1\t0", "True\tFalse")])))


if __name__ == "__main__":
    sys.exit(main())
