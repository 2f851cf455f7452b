# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers shared by bench/run and its parts (flowheavy.py, live.py): running tools, timing
them best of N with peak RSS, callgrind instruction counts, tshark as an unprivileged user."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

def log(msg):
    print(msg, file=sys.stderr, flush=True)


class ToolError(Exception):
    pass


def run_quiet(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if r.returncode != 0:
        raise ToolError("%s failed (exit %d):\n%s" % (" ".join(cmd), r.returncode, r.stdout[-3000:]))
    return r.stdout



# ---------- measuring ----------

GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def measure_once(cmd, stdin_path=None, env=None):
    """Run cmd with stdout to /dev/null; return (wall s, cpu s, peak RSS KiB, exit, stderr tail).
    Peak RSS comes from GNU time (-f %M) when present: a child forked from this Python process
    inherits its RSS high-water mark across exec, so getrusage on it would report Python's."""
    with tempfile.NamedTemporaryFile(prefix="nlb-bench-rss.") as rssf, tempfile.TemporaryFile() as err, \
            open(os.devnull, "wb") as null:
        full = ([GNU_TIME, "-f", "%M", "-o", rssf.name] if GNU_TIME else []) + cmd
        fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        try:
            t0 = time.perf_counter()
            p = subprocess.Popen(full, stdin=fin, stdout=null, stderr=err, env=env)
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.perf_counter() - t0
        finally:
            if stdin_path:
                fin.close()
        rc = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-2000:]
        maxrss = ru.ru_maxrss
        if GNU_TIME:
            m = re.search(r"^(\d+)\s*$", open(rssf.name).read(), re.M)
            maxrss = int(m.group(1)) if m else None
    return wall, (ru.ru_utime, ru.ru_stime), maxrss, rc, tail


def measure(name, cmd, reps, frames, nbytes, stdin_path=None, env=None, shown=None):
    walls, cpus, rss, us = [], [], [], []
    for i in range(reps):
        wall, (ut, st), maxrss, rc, tail = measure_once(cmd, stdin_path, env)
        if rc != 0:
            raise ToolError("%s: %s exited %d\n%s" % (name, " ".join(cmd), rc, tail))
        cpu = ut + st
        walls.append(wall)
        cpus.append(cpu)
        us.append((ut, st))
        rss.append(maxrss or 0)
        log("bench:   %-20s rep %d/%d  %8.3f s  cpu %8.3f s  rss %7.1f MB" % (name, i + 1, reps, wall, cpu, (maxrss or 0) / 1024))
    best = min(walls)
    ib = cpus.index(min(cpus))
    return {
        "user_seconds": round(us[ib][0], 6),
        "sys_seconds": round(us[ib][1], 6),
        # single-threaded tools: a best wall time well above the CPU time means other load
        "contended": best > 1.3 * min(cpus) + 0.02,
        "cmd": shown or cmd,
        "reps": reps,
        "seconds": round(best, 6),
        "seconds_all": [round(w, 6) for w in walls],
        "cpu_seconds": round(min(cpus), 6),
        "frames_per_s": round(frames / best, 1),
        "mb_per_s": round(nbytes / best / 1e6, 2),
        "ns_per_frame": round(best * 1e9 / frames, 1) if frames else None,
        "max_rss_kb": max(rss),
        "rss_from": "GNU time %M" if GNU_TIME else "wait4 ru_maxrss (includes the harness's own RSS: an upper bound)",
    }


def replay_counts(nlbreplay, path, extra=()):
    """One untimed run for the counts nlbreplay found (flows held, evictions)."""
    out = subprocess.run([nlbreplay, "-q", "--format", "json"] + list(extra) + [path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    if out.returncode not in (0, 1):
        raise ToolError("nlbreplay --format json %s exited %d\n%s" % (path, out.returncode, out.stderr[-2000:]))
    return json.loads(out.stdout)["counts"]


# ---------- tshark ----------

class Tshark:
    """tshark with exactly the nlb plugin, or with no plugin at all, as an unprivileged user."""

    def __init__(self, plugin, wsver, workdir):
        self.exe = shutil.which("tshark")
        self.plugin = plugin
        self.wsver = wsver
        self.dir = workdir
        self.with_dir = os.path.join(workdir, "with")
        self.without_dir = os.path.join(workdir, "without")
        self.home = os.path.join(workdir, "home")
        self.prefix = []
        self.user = None
        if not self.exe:
            return
        os.makedirs(self.without_dir)
        os.makedirs(self.home)
        if plugin:
            d = os.path.join(self.with_dir, wsver, "epan")
            os.makedirs(d)
            shutil.copy(plugin, os.path.join(d, "nlb.so"))
        for root, dirs, files in os.walk(workdir):
            for x in dirs + files:
                os.chmod(os.path.join(root, x), 0o755)
        os.chmod(workdir, 0o755)
        os.chmod(self.home, 0o777)
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                raise ToolError("running as root without setpriv: tshark would ignore WIRESHARK_PLUGIN_DIR")
            import pwd
            try:
                pw = pwd.getpwnam("nobody")
            except KeyError:
                raise ToolError("running as root and there is no user 'nobody' to run tshark as")
            # numeric ids: the group is "nogroup" on Debian, "nobody" elsewhere
            self.prefix = ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid, "--clear-groups"]
            self.user = "nobody"
        else:
            self.user = os.environ.get("USER") or str(os.geteuid())

    def version(self):
        out = run_quiet([self.exe, "--version"])
        m = re.search(r"^TShark.*$", out, re.M)
        return m.group(0) if m else None

    def cmd(self, with_plugin, args):
        pdir = self.with_dir if with_plugin else self.without_dir
        return self.prefix + ["env", "-i", "PATH=/usr/bin:/bin", "HOME=" + self.home, "LC_ALL=C.UTF-8",
                              "TZ=UTC", "WIRESHARK_PLUGIN_DIR=" + pdir, self.exe] + args

    def check_plugins(self):
        """Prove the plugin is loaded for "with" and absent for "without"."""
        out = run_quiet(self.cmd(True, ["-G", "plugins"]))
        want = os.path.join(self.with_dir, self.wsver, "epan", "nlb.so")
        if not re.search(r"^nlb\.so\s.*\s%s$" % re.escape(want), out, re.M):
            raise ToolError("tshark -G plugins does not list %s:\n%s" % (want, out[-2000:]))
        out2 = run_quiet(self.cmd(False, ["-G", "plugins"]))
        if re.search(r"^nlb\.so\s", out2, re.M):
            raise ToolError("tshark without the plugin still lists nlb.so:\n" + out2[-2000:])
        return want

    def readable(self, path):
        if not self.prefix:
            return os.access(path, os.R_OK)
        return subprocess.run(self.prefix + ["test", "-r", path]).returncode == 0

    def sanity(self, with_plugin, args, path, stdin_path, needle):
        """One untimed run whose output must show that dissection happened."""
        fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        try:
            r = subprocess.run(self.cmd(with_plugin, ["-r", path] + args), stdin=fin,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        finally:
            if stdin_path:
                fin.close()
        if r.returncode != 0 or not re.search(needle, r.stdout, re.M):
            raise ToolError("tshark %s: output lacks /%s/ (exit %d):\n%s" %
                            (" ".join(args), needle, r.returncode, r.stdout[-2000:]))
        return r.stdout


# ---------- callgrind instruction counts ----------

def callgrind_instr(cmd, workdir, tag, env=None, stdin_path=None):
    outf = os.path.join(workdir, "callgrind.%s.out" % tag)
    vg = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + outf]
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        r = subprocess.run(vg + cmd, stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True, env=env)
    finally:
        if stdin_path:
            fin.close()
    m = re.search(r"Collected\s*:\s*(\d+)", r.stderr)
    if r.returncode != 0 or not m:
        raise ToolError("callgrind %s failed (exit %d):\n%s" % (" ".join(cmd), r.returncode, r.stderr[-2000:]))
    return int(m.group(1))


def empty_pcap(path):
    import struct
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    os.chmod(path, 0o644)



def callgrind_ts(cmd):
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    m = re.search(r"Collected\s*:\s*(\d+)", r.stderr)
    if r.returncode != 0 or not m:
        raise ToolError("callgrind %s failed (exit %d):\n%s" % (" ".join(cmd), r.returncode, r.stderr[-2000:]))
    return int(m.group(1))
