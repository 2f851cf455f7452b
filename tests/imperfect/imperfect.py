#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Imperfect captures: one subcommand per ctest test (imperfect_CASE).

  imperfect.py CASE NLBGEN NLBREPLAY SRC OUTDIR

Each case generates its capture(s) with nlbgen (a preset or capture-point options), runs
nlbreplay on them and asserts exact hosts, times and codes: what the wire shows is reported,
what only the capture point produced is never diagnosed.
"""
import json
import os
import subprocess
import sys

EPOCH = 1773466920  # nlbgen's default start: 2026-03-14 05:42:00 UTC


class Ctx:
    def __init__(self, nlbgen, nlbreplay, src, out):
        self.nlbgen, self.nlbreplay, self.src, self.out = nlbgen, nlbreplay, src, out
        self.errs = []

    def gen(self, name, *args):
        """nlbgen --scenario/options into OUTDIR/name.pcap (and name.expected.json)."""
        pcap = os.path.join(self.out, name + ".pcap")
        exp = os.path.join(self.out, name + ".expected.json")
        p = subprocess.run([self.nlbgen] + list(args) + ["-w", pcap, "--expected", exp],
                           capture_output=True, text=True)
        if p.returncode != 0:
            die("nlbgen %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr))
        return pcap

    def replay(self, *args, fmt="json", rc_ok=(0,)):
        cmd = [self.nlbreplay, "--format", fmt] + list(args)
        p = subprocess.run(cmd, cwd=self.src, capture_output=True, text=True)
        if p.returncode not in rc_ok:
            die("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr))
        return json.loads(p.stdout) if fmt == "json" else p.stdout

    def eq(self, what, got, want):
        if got != want:
            self.errs.append("%s = %r, want %r" % (what, got, want))

    def true(self, what, cond):
        if not cond:
            self.errs.append(what)

    def done(self, name):
        if self.errs:
            die(name + ": " + "; ".join(self.errs))
        print("ok: " + name)


def die(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def codes(doc):
    return sorted(d["code"] for d in doc["diagnostics"])


def cluster(doc, vip):
    for c in doc["clusters"]:
        if c["vip"] == vip:
            return c
    die("no cluster %s in %r" % (vip, [c["vip"] for c in doc["clusters"]]))


def kinds(doc):
    return [e["kind"] for e in doc["events"]]


def near(a, b, eps=0.001):
    return abs(a - b) <= eps


# ---- 1. the capture point lost the cluster / an input ended ---------------------------------

def case_lost_cluster(x):
    """From +25 s the capture sees nothing of the cluster while other traffic goes on: every
    host unseen after the last heartbeat (05:42:24.615), no NLB-003, no convergence."""
    pcap = x.gen("lost-cluster", "--scenario", "lost-cluster")
    doc = x.replay(pcap)
    c = cluster(doc, "10.20.30.40")
    x.eq("diagnostics", codes(doc), [])
    x.eq("host states", [(h["priority"], h["state"]) for h in c["hosts"]],
         [(1, "unseen"), (2, "unseen"), (3, "unseen")])
    x.eq("convergence", c["convergence"], [])
    lost = c.get("capture_lost", {})
    x.eq("capture_lost.by", lost.get("by"), "together")
    x.eq("capture_lost.hosts", lost.get("hosts"), [1, 2, 3])
    last = max(h["last_seen"] for h in c["hosts"])
    x.true("capture_lost.at %r is not the last heartbeat %r" % (lost.get("at"), last),
           lost.get("at") is not None and near(lost["at"], last))
    x.true("capture_lost.at %r not at +24.6 s" % lost.get("at"),
           lost.get("at") is not None and 24.5 < lost["at"] - EPOCH < 25.0)
    k = kinds(doc)
    x.eq("host_silent events", k.count("host_silent"), 0)
    x.eq("convergence_start events", k.count("convergence_start"), 0)
    x.eq("capture_lost events", k.count("capture_lost"), 1)
    text = x.replay(pcap, "--events", fmt="text")
    x.true("text names no silent host", "SILENT" not in text and "NLB-003" not in text)
    x.true("text says the capture stopped seeing the cluster",
           "not seen after the capture stopped seeing the cluster" in text)
    x.done("lost_cluster")


def case_input_end(x):
    """unicast-healthy (60 s) merged with misconfig (20 s): misconfig's hosts are not seen
    after its input ended; its configuration faults are still reported, no silence or
    convergence is made of the end of the shorter input; each input's span is shown."""
    doc = x.replay("captures/unicast-healthy.pcap", "captures/misconfig.pcap")
    x.eq("diagnostics", codes(doc), ["NLB-006", "NLB-007", "NLB-008", "NLB-009", "NLB-010"])
    m = cluster(doc, "10.20.30.70")
    x.eq("misconfig host states", sorted({h["state"] for h in m["hosts"]}), ["unseen"])
    x.eq("misconfig convergence", m["convergence"], [])
    x.eq("misconfig capture_lost.by", m.get("capture_lost", {}).get("by"), "input_end")
    u = cluster(doc, "10.20.30.40")
    x.eq("healthy host states", [h["state"] for h in u["hosts"]], ["ok", "ok", "ok"])
    x.true("healthy cluster not lost", "capture_lost" not in u)
    ins = {os.path.basename(i["file"]): i for i in doc["inputs"]}
    a, b = ins["unicast-healthy.pcap"], ins["misconfig.pcap"]
    x.eq("healthy ended_early", a.get("ended_early"), False)
    x.eq("misconfig ended_early", b.get("ended_early"), True)
    for i, lo, hi in ((a, 0.050, 59.695), (b, 0.050, 19.789)):
        span = (i.get("first_ts", 0) - EPOCH, i.get("last_ts", 0) - EPOCH)
        x.true("%s span %r, want (%r, %r)" % (i["file"], span, lo, hi),
               near(span[0], lo) and near(span[1], hi))
    k = kinds(doc)
    x.eq("host_silent events", k.count("host_silent"), 0)
    x.eq("convergence_start events", k.count("convergence_start"), 0)
    text = x.replay("captures/unicast-healthy.pcap", "captures/misconfig.pcap", fmt="text")
    x.true("text shows misconfig's span and early end",
           "05:42:00.050 to 05:42:19.789\n    (ended before the others)" in text
           or "05:42:00.050 to 05:42:19.789 (ended before the others)" in text)
    x.done("input_end")


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}


def main():
    if len(sys.argv) != 6 or sys.argv[1] not in CASES:
        print(__doc__)
        print("cases: " + " ".join(sorted(CASES)))
        sys.exit(2)
    case, nlbgen, nlbreplay, src, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    CASES[case](Ctx(nlbgen, nlbreplay, src, out))


if __name__ == "__main__":
    main()
