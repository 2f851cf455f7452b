#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""nlbreplay -i end to end, on a veth pair inside a network namespace of the test's own.

  incident  replay captures/incident.pcap into one veth end at recorded speed (1x) while
            `nlbreplay -i` captures on the other with --format json --duration and -w; the
            live lines and the final report must tell the file run's story (same events and
            diagnostics), and the -w file must hold every frame
  quiet     the first 2 s of the incident, then nothing: every host stops at once, which is the
            capture point losing the cluster, not the cluster failing; it must be detected live
            (tick on the wall clock) and printed as such, with no NLB-003 and so no
            --alert-cmd run (alerts are per error diagnostic), and SIGINT must stop with the
            final report
  count     -c stops by itself; -w holds exactly that many frames
  errors    unknown interface, interface down, no privileges (setpriv to nobody), and SIGTERM
            on an idle interface: exit status and messages

Why recorded speed: the tracker's timers (heartbeat silence after period x tolerance, the 1 s
failover-burst window, the 3 s answer timeout) then run on the real clock exactly as in
production, ticks included. A time-scaled replay would need a test-only clock in nlbreplay
and would multiply the scheduling jitter by the factor; 60 s of test time is the price.

Needs root, `ip netns` and nsenter (the test creates and deletes its own namespace); where the
environment cannot give it a namespace with a veth pair it exits 77 (ctest: skipped) with the
reason. Commands enter the namespace with `nsenter --net=/run/netns/NS`, not `ip netns exec`:
the latter remounts / as a slave and fails in a chroot, where / is not a mount point. Nothing leaves the namespace: both veth ends live inside it.
"""
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

PID = os.getpid()
NS = "nlblive%d" % PID
VA = "la%d" % PID          # injecting end
VB = "lb%d" % PID          # capturing end
VD = "ld%d" % PID          # a pair left down
VD_PEER = "le%d" % PID
CAPTURE = "captures/incident.pcap"
SPAN = 59.44               # seconds from the first to the last frame of the incident
SKIP = 77


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(SKIP)


def nsexec(args, **kw):
    return ["nsenter", "--net=/run/netns/" + NS] + args


def sh(args, check=True):
    p = subprocess.run(args, capture_output=True, text=True)
    if check and p.returncode != 0:
        fail("%s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
    return p


class Netns:
    """The namespace and its veth pairs; removed on exit whatever happens."""

    def __enter__(self):
        if os.geteuid() != 0:
            skip("needs root to create a network namespace (run ctest as root, or ctest -LE live)")
        for tool, pkg in (("ip", "iproute2"), ("nsenter", "util-linux")):
            if not shutil.which(tool):
                skip("%s not found (apt-get install %s)" % (tool, pkg))
        p = subprocess.run(["ip", "netns", "add", NS], capture_output=True, text=True)
        if p.returncode != 0:
            skip("cannot create a network namespace here: %s" % p.stderr.strip())
        try:
            # No IPv6 and no addresses: the kernel then sends nothing of its own on the pair,
            # so the capture holds exactly the injected frames.
            sh(nsexec(["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                       "net.ipv6.conf.default.disable_ipv6=1"]), check=False)
            # The environment, not nlbreplay, is at fault when these fail (no veth, no nsenter
            # into the namespace): skip with the reason rather than fail.
            for args in (["ip", "link", "add", VA, "type", "veth", "peer", "name", VB],
                         ["ip", "link", "set", VA, "up"], ["ip", "link", "set", VB, "up"],
                         ["ip", "link", "add", VD, "type", "veth", "peer", "name", VD_PEER]):
                p = sh(nsexec(args), check=False)
                if p.returncode != 0:
                    skip("cannot set up a veth pair in the namespace: %s: %s"
                         % (" ".join(nsexec(args)), p.stderr.strip()))
        except SystemExit:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *a):
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)


def pcap_frames(path):
    """Number of records of a classic pcap file, failing on anything malformed."""
    with open(path, "rb") as f:
        d = f.read()
    if len(d) < 24:
        fail("%s: %d bytes, not even a pcap header" % (path, len(d)))
    magic = struct.unpack("<I", d[:4])[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        fail("%s: bad pcap magic %08x" % (path, magic))
    linktype = struct.unpack("<I", d[20:24])[0]
    if linktype != 1:
        fail("%s: link type %d, expected 1 (Ethernet)" % (path, linktype))
    o, n = 24, 0
    while o < len(d):
        if o + 16 > len(d):
            fail("%s: truncated record header after %d frames" % (path, n))
        caplen = struct.unpack("<I", d[o + 8:o + 12])[0]
        o += 16 + caplen
        if o > len(d):
            fail("%s: truncated record %d" % (path, n + 1))
        n += 1
    return n


class Live:
    """nlbreplay -i running in the namespace; waits until it says it is capturing."""

    def __init__(self, nlbreplay, src, args, out):
        self.err_path = out + ".stderr"
        self.errf = open(self.err_path, "w+")
        self.p = subprocess.Popen(nsexec([nlbreplay] + args), cwd=src, stdout=subprocess.PIPE,
                                  stderr=self.errf, text=True)
        # stdout is read as it comes, so a test can wait for a line while nlbreplay runs.
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if "capturing on" in self.stderr():
                return
            if self.p.poll() is not None:
                fail("nlbreplay exited %d before capturing: %s" % (self.p.returncode, self.stderr()))
            time.sleep(0.02)
        self.p.kill()
        fail("nlbreplay did not start capturing within 10 s: %s" % self.stderr())

    def _read(self):
        for line in self.p.stdout:
            self.lines.append(line)

    def wait_for(self, pattern, count, timeout):
        """Until `count` stdout lines match `pattern` (while nlbreplay runs); False on timeout."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(1 for l in list(self.lines) if rx.search(l)) >= count:
                return True
            if self.p.poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def stderr(self):
        with open(self.err_path) as f:
            return f.read()

    def wait(self, timeout):
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            fail("nlbreplay did not stop by itself within %.0f s" % timeout)
        self.reader.join(5)
        return self.p.returncode, "".join(self.lines)


def inject(injector, src, speed=1.0, frames=0):
    args = [injector, VA, CAPTURE, str(speed)] + ([str(frames)] if frames else [])
    p = subprocess.run(nsexec(args), cwd=src, capture_output=True, text=True)
    if p.returncode != 0:
        fail("injector: exit %d: %s" % (p.returncode, p.stderr.strip()))
    return int(p.stdout.strip())


def json_lines(out):
    recs = []
    for i, line in enumerate(out.splitlines()):
        try:
            recs.append(json.loads(line))
        except ValueError as e:
            fail("stdout line %d is not JSON (%s): %r" % (i + 1, e, line[:200]))
    return recs


def file_report(nlbreplay, src, path):
    p = subprocess.run([nlbreplay, "--format", "json", path], cwd=src, capture_output=True, text=True)
    if p.returncode != 0:
        fail("nlbreplay %s: exit %d: %s" % (path, p.returncode, p.stderr))
    return json.loads(p.stdout)


# Event fields that do not depend on when the frames were sent.
EV_FACTS = ("kind", "vip", "host", "dedicated_ip", "macs", "not_announced", "first_mac", "mac",
            "frames", "port", "connections", "predicted_owners_emulated", "rule_slots")
TOL = 0.25   # seconds: send and capture jitter on relative times and durations


def ev_facts(e):
    return tuple((k, json.dumps(e.get(k))) for k in EV_FACTS)


TIME_RE = re.compile(r"\b\d\d:\d\d:\d\d\.\d{3}\b")
DUR_RE = re.compile(r"\b\d+(\.\d+)? s\b")


def dg_facts(d):
    # Messages name clock times and rounded durations; everything else must match.
    msg = DUR_RE.sub("<dur>", TIME_RE.sub("<time>", d["message"]))
    return (d["code"], d["severity"], d.get("vip"), json.dumps(d.get("hosts")), d.get("port"), msg)


def compare_reports(ref, got, what):
    """got (live, or a file run on the -w output) tells ref's story."""
    if len(ref["events"]) != len(got["events"]):
        fail("%s: %d events, the file run has %d:\n%s" % (what, len(got["events"]), len(ref["events"]),
             "\n".join(e["detail"] for e in got["events"])))
    for a, b in zip(ref["events"], got["events"]):
        if ev_facts(a) != ev_facts(b):
            fail("%s: event differs:\n  file: %s\n  live: %s" % (what, a, b))
        ra, rb = a["time"] - ref["first_frame"], b["time"] - got["first_frame"]
        if abs(ra - rb) > TOL:
            fail("%s: %s at +%.3f s, the file run has +%.3f s" % (what, a["kind"], rb, ra))
        if "duration" in a and abs(a["duration"] - b["duration"]) > TOL:
            fail("%s: %s lasted %.3f s, the file run %.3f s" % (what, a["kind"], b["duration"], a["duration"]))
    fa = sorted(dg_facts(d) for d in ref["diagnostics"])
    fb = sorted(dg_facts(d) for d in got["diagnostics"])
    if fa != fb:
        fail("%s: diagnostics differ:\n  file: %s\n  live: %s" % (what, fa, fb))
    for k in ("frames", "heartbeats", "rarp", "garp", "cluster_mac_as_source", "vip_flows"):
        if ref["counts"][k] != got["counts"][k]:
            fail("%s: counts.%s %d, the file run has %d" % (what, k, got["counts"][k], ref["counts"][k]))


def cmd_incident(nlbreplay, injector, src):
    ref = file_report(nlbreplay, src, CAPTURE)
    with Netns(), tempfile.TemporaryDirectory() as tmp:
        out_pcap = os.path.join(tmp, "out.pcap")
        # The stop comes ~2.5 s after the last frame: long enough for it to arrive, well
        # short of the 5 s after which the hosts would (rightly) be reported silent.
        duration = SPAN + 2.5
        t0 = time.monotonic()
        live = Live(nlbreplay, src, ["-i", VB, "--format", "json", "--duration", "%.1f" % duration,
                                     "-w", out_pcap], os.path.join(tmp, "live"))
        sent = inject(injector, src)
        rc, out = live.wait(duration + 15)
        took = time.monotonic() - t0
        if rc != 0:
            fail("nlbreplay -i exited %d: %s" % (rc, live.stderr()))
        recs = json_lines(out)
        if not recs or recs[-1].get("record") != "report":
            fail("the last line is not the final report")
        rep = recs[-1]
        lines = recs[:-1]
        bad = [r for r in lines if r.get("record") not in ("event", "diagnostic")]
        if bad:
            fail("unexpected live records: %s" % bad[:3])
        if sent != ref["counts"]["frames"]:
            fail("injected %d frames, the capture has %d" % (sent, ref["counts"]["frames"]))
        if rep["stopped_by"] != "duration":
            fail("stopped_by %r, expected duration" % rep["stopped_by"])
        inp = rep["inputs"][0]
        if not inp.get("live") or inp["file"] != VB or inp["dropped_frames"] != 0:
            fail("inputs[0] of the live report: %s" % inp)
        compare_reports(ref, rep, "live report")

        # The live lines: every event of the file run, in order of appearance, and each
        # diagnostic code with its final severity.
        ev_lines = [r for r in lines if r["record"] == "event"]
        want = sorted(ev_facts(e) for e in ref["events"])
        # Events are printed when they appear, before their counters settle (a burst's MAC
        # count, an unanswered episode's connections): compare who and what, not how many.
        def who(e):
            return (e["kind"], e.get("vip"), e.get("host"))
        if sorted(who(e) for e in ev_lines) != sorted(who(e) for e in ref["events"]):
            fail("live event lines differ from the file run's events:\n  live: %s\n  file: %s"
                 % ([who(e) for e in ev_lines], [who(e) for e in ref["events"]]))
        kinds = [e["kind"] for e in ev_lines]
        if kinds.index("host_silent") > kinds.index("host_back"):
            fail("host_silent was printed after host_back: silence not detected live")
        dg_lines = [r for r in lines if r["record"] == "diagnostic"]
        last = {}
        for d in dg_lines:
            last[(d["code"], d["time"])] = d["severity"]
        got_codes = sorted((c, s) for (c, _), s in last.items())
        want_codes = sorted((d["code"], d["severity"]) for d in ref["diagnostics"])
        if got_codes != want_codes:
            fail("live diagnostic lines (code, final severity) %s, the file run has %s" % (got_codes, want_codes))

        n = pcap_frames(out_pcap)
        if n != ref["counts"]["frames"]:
            fail("-w file holds %d frames, %d were sent" % (n, ref["counts"]["frames"]))
        compare_reports(ref, file_report(nlbreplay, src, out_pcap), "file run on the -w output")
        print("ok: %d frames live in %.1f s, %d event lines, %d diagnostic lines; report and -w file "
              "match the file run (%d events, diagnostics %s)"
              % (rep["counts"]["frames"], took, len(ev_lines), len(dg_lines), len(ref["events"]),
                 " ".join("%s/%s" % cs for cs in want_codes)))


def cmd_quiet(nlbreplay, injector, src):
    with Netns(), tempfile.TemporaryDirectory() as tmp:
        out_pcap = os.path.join(tmp, "quiet.pcap")
        alerts = os.path.join(tmp, "alerts")
        cmd = 'printf "%%s|%%s|%%s|%%s\\n" "$NLB_CODE" "$NLB_SEVERITY" "$NLB_TIME" "$NLB_MESSAGE" >> %s' % alerts
        live = Live(nlbreplay, src, ["-i", VB, "-w", out_pcap, "--alert-cmd", cmd, "--events"],
                    os.path.join(tmp, "live"))
        sent = inject(injector, src, 1.0, 58)  # the first 2 s: three hosts heard from
        # Then nothing arrives: every host stops at once, which only the ticks can find (5 s
        # after the first host's last heartbeat), and must be printed while nlbreplay runs.
        t_quiet = time.monotonic()
        lost = r"^\S+ event +(?:\S*#\d+ )?the capture stopped seeing 10\.20\.30\.40: the heartbeats of hosts 1, 2 and 3"
        if not live.wait_for(lost, 1, 12):
            live.p.kill()
            fail("the capture losing the 3 hosts was not printed within 12 s of the last frame:\n%s"
                 % "".join(live.lines))
        detected = time.monotonic() - t_quiet
        time.sleep(1.5)  # every host's own deadline has passed: none may be called silent
        live.p.send_signal(signal.SIGINT)
        rc, out = live.wait(10)
        if rc != 0:
            fail("nlbreplay -i exited %d after SIGINT: %s" % (rc, live.stderr()))
        head, sep, report = out.partition("nlbreplay: %d frames" % sent)
        if not sep:
            fail("no final text report after SIGINT:\n%s" % out)
        if re.search(r"^\S+ event +(?:\S*#\d+ )?host \d of 10\.20\.30\.40 silent|NLB-003|NLB-004", out, re.M):
            fail("a silence or convergence was made of the capture point losing the cluster:\n%s" % out)
        if "live capture stopped by a signal" not in report or report.count("unseen") < 3:
            fail("final report does not show the stop and the unseen hosts:\n%s" % report)
        n = pcap_frames(out_pcap)
        if n != sent:
            fail("-w file holds %d frames after SIGINT, %d were sent" % (n, sent))
        time.sleep(0.5)  # the alert commands run in the background
        got = open(alerts).read().splitlines() if os.path.exists(alerts) else []
        if got:
            fail("--alert-cmd ran for a capture-point fact:\n%s" % "\n".join(got))
        print("ok: the capture losing 3 hosts printed live %.1f s after the last frame, no NLB-003, "
              "no alert, SIGINT report, -w holds %d frames" % (detected, n))


def cmd_count(nlbreplay, injector, src):
    with Netns(), tempfile.TemporaryDirectory() as tmp:
        out_pcap = os.path.join(tmp, "count.pcap")
        t0 = time.monotonic()
        live = Live(nlbreplay, src, ["-i", VB, "-c", "50", "--duration", "30", "--format", "json",
                                     "-w", out_pcap], os.path.join(tmp, "live"))
        inject(injector, src, 4.0, 120)
        rc, out = live.wait(30)
        took = time.monotonic() - t0
        if rc != 0:
            fail("nlbreplay -c 50 exited %d: %s" % (rc, live.stderr()))
        rep = json_lines(out)[-1]
        if rep.get("stopped_by") != "count" or not rep["stopped_by_count"] or rep["counts"]["frames"] != 50:
            fail("-c 50: stopped_by %s, stopped_by_count %s, frames %s" % (rep.get("stopped_by"),
                 rep.get("stopped_by_count"), rep["counts"]["frames"]))
        if took > 20:
            fail("-c 50 took %.1f s: it should stop at the 50th frame" % took)
        n = pcap_frames(out_pcap)
        if n != 50:
            fail("-w holds %d frames with -c 50" % n)
        print("ok: -c 50 stopped by itself after %.1f s, -w holds 50 frames" % took)


def expect_error(args, rc_want, patterns, what, user=None):
    cmd = nsexec((["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if user else []) + args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    if p.returncode != rc_want:
        fail("%s: exit %d, expected %d: %s" % (what, p.returncode, rc_want, p.stderr))
    # one line of error; usage errors add "Try 'nlbreplay --help'."
    lines = [l for l in p.stderr.strip().splitlines() if not l.startswith("Try 'nlbreplay --help'")]
    if len(lines) != 1:
        fail("%s: expected one line of error, got: %s" % (what, p.stderr))
    for pat in patterns:
        if pat not in lines[0]:
            fail("%s: %r not in: %s" % (what, pat, lines[0]))
    if p.stdout:
        fail("%s: wrote to stdout: %s" % (what, p.stdout))
    print("ok: %s: %s" % (what, lines[0]))


def cmd_errors(nlbreplay, injector, src):
    with Netns(), tempfile.TemporaryDirectory() as tmp:
        expect_error([nlbreplay, "-i", "nosuch%d" % PID], 2, ["nosuch%d" % PID, "no such interface", VB],
                     "unknown interface")
        expect_error([nlbreplay, "-i", VD], 2, [VD, "down", "ip link set %s up" % VD], "interface down")
        if shutil.which("setpriv"):
            expect_error([nlbreplay, "-i", VB], 2, [VB, "permission denied", "CAP_NET_RAW", "CAP_NET_ADMIN"],
                         "unprivileged (nobody)", user="nobody")
        else:
            print("note: setpriv not found, the unprivileged case is not checked")
        expect_error([nlbreplay, "-i", VB, "not a filter ((("], 2, [VB, "filter"], "bad filter")
        expect_error([nlbreplay, "-w", os.path.join(tmp, "x.pcap"), CAPTURE], 2, ["-w", "needs -i"],
                     "-w without -i")
        # SIGTERM on an idle interface: a clean stop, a report, a valid empty -w file.
        out_pcap = os.path.join(tmp, "idle.pcap")
        live = Live(nlbreplay, src, ["-i", VB, "--format", "json", "-w", out_pcap], os.path.join(tmp, "idle"))
        time.sleep(1.2)
        live.p.send_signal(signal.SIGTERM)
        rc, out = live.wait(5)
        rep = json_lines(out)[-1] if out.strip() else {}
        if rc != 0 or rep.get("stopped_by") != "signal":
            fail("SIGTERM: exit %d, report %s: %s" % (rc, rep.get("stopped_by"), live.stderr()))
        if pcap_frames(out_pcap) != 0:
            fail("idle -w file is not an empty capture")
        print("ok: SIGTERM on an idle interface: exit 0, report, empty valid -w file")


def main():
    if len(sys.argv) != 5:
        print("usage: live.py incident|quiet|count|errors NLBREPLAY INJECTOR SRC_DIR")
        sys.exit(2)
    cmd, nlbreplay, injector, src = sys.argv[1:]
    {"incident": cmd_incident, "quiet": cmd_quiet, "count": cmd_count, "errors": cmd_errors}[cmd](
        os.path.abspath(nlbreplay), os.path.abspath(injector), os.path.abspath(src))


if __name__ == "__main__":
    main()
