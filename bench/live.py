# SPDX-License-Identifier: GPL-2.0-or-later
"""The live part of bench/run: the highest rate `nlbreplay -i` keeps up with, 0 kernel drops.

A veth pair inside a network namespace of the bench's own (removed afterwards, whatever
happens); nothing leaves it. nlbblast (bench/blast.c) sends the flow-heavy capture's frames out
of one end at a paced rate for a bounded time and count, `nlbreplay -i --format json` captures
on the other end and is stopped with SIGINT; its final report carries libpcap's pcap_stats()
(dropped_frames = ps_drop, the socket ring's drops; interface_dropped_frames = ps_ifdrop) and
the receiving veth's rx_dropped counts what never reached the socket. A trial passes when
nlbreplay saw every frame sent and nothing was dropped. Rates go up until a trial fails or the
sender cannot reach the rate asked. "sender alone" is the same sender with nobody capturing:
the ceiling of this machine's veth path, the reason when it is below the target.

Commands run in the namespace with `nsenter --net=/run/netns/NS` (ip netns exec needs a
mountable /sys, which chroots often lack). Needs root; otherwise skipped."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

FULL = {"rates": [50e3, 100e3, 250e3, 500e3, 750e3, 1e6, 1.25e6, 1.5e6, 2e6, 3e6], "seconds": 2.0}
QUICK = {"rates": [20e3], "seconds": 0.5}
TARGET_FPS = 1.5e6


def _sh(args, check=True):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()[-500:]))
    return p.stdout


class Netns:
    def __init__(self):
        pid = os.getpid()
        self.name = "nlbbench%d" % pid
        self.tx, self.rx = "bta%d" % pid, "btb%d" % pid
        self.enter = ["nsenter", "--net=/run/netns/" + self.name]

    def __enter__(self):
        _sh(["ip", "netns", "add", self.name])
        try:
            _sh(self.enter + ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                              "net.ipv6.conf.default.disable_ipv6=1"], check=False)
            _sh(self.enter + ["ip", "link", "add", self.tx, "type", "veth", "peer", "name", self.rx])
            # no IPv6, no addresses: the kernel sends nothing of its own on the pair
            _sh(self.enter + ["ip", "link", "set", self.tx, "up"])
            _sh(self.enter + ["ip", "link", "set", self.rx, "up"])
        except Exception:
            self.__exit__()
            raise
        return self

    def __exit__(self, *a):
        subprocess.run(["ip", "netns", "del", self.name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def rx_stats(self):
        # ip -j, not /sys/class/net: nsenter --net keeps the host's sysfs mount
        rx = json.loads(_sh(self.enter + ["ip", "-j", "-s", "link", "show", "dev", self.rx]))[0]["stats64"]["rx"]
        return {"rx_packets": rx["packets"], "rx_dropped": rx["dropped"]}


def _blast(ns, bins, capture, rate, seconds):
    count = max(1, int(rate * seconds))
    out = _sh(ns.enter + [bins["nlbblast"], ns.tx, capture, "%.0f" % rate, str(count), "%.3f" % (seconds * 1.5 + 1)])
    return json.loads(out.strip().splitlines()[-1])


def _trial(ns, bins, capture, rate, seconds, log):
    with tempfile.TemporaryFile() as so, tempfile.NamedTemporaryFile(prefix="nlb-live-err.") as se:
        cap = subprocess.Popen(ns.enter + [bins["nlbreplay"], "-i", ns.rx, "--format", "json"],
                               stdout=so, stderr=se)
        try:
            t_end = time.monotonic() + 10
            banner = ""
            while "capturing on" not in banner:
                if cap.poll() is not None or time.monotonic() > t_end:
                    raise RuntimeError("nlbreplay -i did not start: " + open(se.name).read()[-500:])
                time.sleep(0.05)
                banner = open(se.name).read()
            before = ns.rx_stats()
            s = _blast(ns, bins, capture, rate, seconds)
            time.sleep(0.3)  # let nlbreplay drain its ring before it is told to stop
            after = ns.rx_stats()
            cap.send_signal(signal.SIGINT)
            _, status, ru = os.wait4(cap.pid, 0)
        finally:
            if cap.returncode is None and cap.poll() is None:
                cap.kill()
                cap.wait()
        so.seek(0)
        lines = so.read().decode("utf-8", "replace").strip().splitlines()
        err = open(se.name).read()
    rep = json.loads(lines[-1]) if lines else {}
    inp = (rep.get("inputs") or [{}])[0]
    got, drop = inp.get("frames"), inp.get("dropped_frames")
    t = {"rate_asked": rate, "rate_achieved": s["rate_achieved"], "sent": s["sent"], "received": got,
         "pcap_dropped": drop, "pcap_ifdropped": inp.get("interface_dropped_frames"),
         "veth_rx_dropped": after["rx_dropped"] - before["rx_dropped"],
         "veth_rx_packets": after["rx_packets"] - before["rx_packets"],
         "nlbreplay_cpu_seconds": round(ru.ru_utime + ru.ru_stime, 3),
         "nlbreplay_exit": os.waitstatus_to_exitcode(status), "settings": banner.strip().splitlines()[0][:200]}
    t["nlbreplay_cpu_ns_per_frame"] = round(t["nlbreplay_cpu_seconds"] * 1e9 / got, 1) if got else None
    t["zero_drop"] = bool(got is not None and got >= s["sent"] and drop == 0 and t["veth_rx_dropped"] == 0)
    if not lines:
        t["error"] = err[-300:]
    log("bench:   live %8.0f fps asked, %8.0f sent/s, %s received, %s dropped (pcap), %d (veth)%s" %
        (rate, s["rate_achieved"], got, drop, t["veth_rx_dropped"], "" if t["zero_drop"] else "  <- drops"))
    return t


def run(bins, capture, quick, log):
    if os.geteuid() != 0:
        return {"skipped": "needs root (a network namespace and a veth pair of its own)"}
    for tool in ("ip", "nsenter"):
        if not shutil.which(tool):
            return {"skipped": "%s not found" % tool}
    cfg = QUICK if quick else FULL
    try:
        with Netns() as ns:
            alone = _blast(ns, bins, capture, 1e9, cfg["seconds"] / 2)
            log("bench:   live sender alone (nobody capturing): %.0f frames/s" % alone["rate_achieved"])
            trials = []
            for rate in cfg["rates"]:
                t = _trial(ns, bins, capture, rate, cfg["seconds"], log)
                trials.append(t)
                if not t["zero_drop"] or t["rate_achieved"] < 0.9 * rate:
                    break  # higher rates fail as well, or the sender is the limit
    except (RuntimeError, OSError, ValueError) as e:
        return {"skipped": "live benchmark failed: %s" % e}
    ok = [t["rate_achieved"] for t in trials if t["zero_drop"]]
    return {"capture": capture, "seconds_per_trial": cfg["seconds"], "target_fps": TARGET_FPS,
            "sender_alone_fps": alone["rate_achieved"], "trials": trials,
            "max_zero_drop_fps": round(max(ok)) if ok else None,
            "limited_by": None if not trials else
            ("sender" if trials[-1]["zero_drop"] and trials[-1]["rate_achieved"] < 0.9 * trials[-1]["rate_asked"]
             else "capture drops" if not trials[-1]["zero_drop"] else "rates tried")}
