# SPDX-License-Identifier: GPL-2.0-or-later
"""The flow-heavy part of bench/run: a capture where >= 1 frame in 3 opens a new VIP flow
(bench/flowgen.c: ~2M frames, 750k flows each a request and its reply, heartbeats of 3 hosts,
background UDP), measured like the main capture (floor, nlbreplay full analysis) plus stock
`tshark -Y msnlb` (Wireshark's own MS NLB dissector, no plugin) on the same file.

nlbreplay runs with --max-flows 1048576 here: the point of this capture is a flow table that
holds every one of its 750k flows (the default 262144 slots would evict two thirds of them and
measure the eviction path instead); RSS per flow is over those 750k flows."""
import json
import os

from benchlib import ToolError, callgrind_instr, empty_pcap, log, measure, replay_counts, run_quiet

FULL = {"main": (750000, 500000, 60), "icount": (15000, 10000, 5)}
QUICK = {"main": (3000, 2000, 4), "icount": (600, 400, 3)}
MAX_FLOWS = "1048576"


def ensure(flowgen, out, tag, flows, background, duration):
    path = os.path.join(out, "flowheavy-%s.pcap" % tag)
    side = path[:-5] + ".json"
    want = {"tool": "nlbflowgen", "flows": flows, "background": background, "hosts": 3, "duration": duration}
    try:
        with open(side) as f:
            g = json.load(f)
        if all(g["generator"].get(k) == v for k, v in want.items()) and os.path.getsize(path) > 24:
            return path, g["counts"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    log("bench: generating %s (nlbflowgen --flows %d --background %d --duration %d)" % (path, flows, background, duration))
    tmp = path + ".tmp"
    run_quiet([flowgen, "--flows", str(flows), "--background", str(background), "--hosts", "3",
               "--duration", str(duration), "-w", tmp, "--expected", side])
    os.replace(tmp, path)
    os.chmod(path, 0o644)
    with open(side) as f:
        return path, json.load(f)["counts"]


def replay_cmd(nlbreplay, path):
    return [nlbreplay, "--max-flows", MAX_FLOWS, "--format", "json", "--flows", path]


def run(bins, out, work, reps, ts, ts_reps, quick, no_callgrind):
    """Everything measured on the flow-heavy capture; returns the results.json section."""
    caps = QUICK if quick else FULL
    path, gc = ensure(bins["nlbflowgen"], out, ("quick-" if quick else "") + "main", *caps["main"])
    frames, nbytes = gc["frames"], os.path.getsize(path)
    res = {"file": path, "frames": frames, "bytes": nbytes, "vip_flows": gc["vip_flows"],
           "frames_per_new_flow": round(frames / gc["vip_flows"], 3) if gc["vip_flows"] else None,
           "generator": "nlbflowgen --flows %d --background %d --hosts 3 --duration %d" % caps["main"],
           "replay_cmd": " ".join(replay_cmd("nlbreplay", "FILE"))}
    log("bench: flow-heavy capture %s (%d frames, %d flows)" % (path, frames, gc["vip_flows"]))
    runs = {"floor": measure("fh_floor", [bins["nlbfloor"], path], reps, frames, nbytes),
            "nlbreplay_full": measure("fh_nlbreplay_full", replay_cmd(bins["nlbreplay"], path), reps, frames, nbytes)}
    if ts is None:
        runs["tshark_msnlb"] = {"skipped": "tshark not run (--no-tshark or not installed)"}
    elif not ts.readable(path):
        runs["tshark_msnlb"] = {"skipped": "capture not readable by %s" % ts.user}
    else:
        healthy = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "captures", "unicast-healthy.pcap")
        if ts.readable(healthy):
            ts.sanity(False, ["-Y", "msnlb"], healthy, None, r"MS NLB")
        shown = ["tshark", "-r", path, "-Y", "msnlb", "(no plugin)"]
        runs["tshark_msnlb"] = measure("fh_tshark_msnlb", ts.cmd(False, ["-r", path, "-Y", "msnlb"]),
                                       ts_reps, frames, nbytes, shown=shown)
    res["runs"] = runs
    counts = replay_counts(bins["nlbreplay"], path, ["--max-flows", MAX_FLOWS])
    held = counts.get("vip_flows", 0) - counts.get("flows_evicted", 0)

    def secs(k, key="seconds"):
        return runs[k].get(key)

    def ratio(x, y, n=3):
        return round(x / y, n) if x is not None and y else None

    res["ratios"] = {
        "replay_vs_floor_fps": ratio(secs("floor"), secs("nlbreplay_full")),
        "replay_vs_floor_fps_cpu": ratio(secs("floor", "cpu_seconds"), secs("nlbreplay_full", "cpu_seconds")),
        "tshark_msnlb_vs_replay_time": ratio(secs("tshark_msnlb"), secs("nlbreplay_full"), 1),
        "tshark_msnlb_vs_replay_cpu": ratio(secs("tshark_msnlb", "cpu_seconds"), secs("nlbreplay_full", "cpu_seconds"), 1),
    }
    rss = runs["nlbreplay_full"]["max_rss_kb"]
    res["memory"] = {"replay_peak_rss_kb": rss, "flows_seen": counts.get("vip_flows", 0), "flows_held": held,
                     "flows_evicted": counts.get("flows_evicted", 0),
                     "rss_bytes_per_flow": round(rss * 1024 / held, 1) if held else None}
    res["icount"] = icount(bins, out, work, caps, quick) if not no_callgrind else {"skipped": "--no-callgrind"}
    return res


def icount(bins, out, work, caps, quick):
    ip, c = ensure(bins["nlbflowgen"], out, ("quick-" if quick else "") + "icount", *caps["icount"])
    empty = os.path.join(out, "bench-empty.pcap")
    empty_pcap(empty)
    per = {}
    for k, mk in (("floor", lambda f: [bins["nlbfloor"], f]),
                  ("nlbreplay_full", lambda f: replay_cmd(bins["nlbreplay"], f))):
        log("bench:   callgrind flow-heavy %s" % k)
        full = callgrind_instr(mk(ip), work, "fh." + k + ".full")
        base = callgrind_instr(mk(empty), work, "fh." + k + ".empty")
        per[k] = round((full - base) / c["frames"], 1)
    if not per["nlbreplay_full"]:
        raise ToolError("callgrind: no instructions counted for nlbreplay")
    return {"file": ip, "frames": c["frames"], "per_frame": per,
            "replay_full_vs_floor": round(per["floor"] / per["nlbreplay_full"], 3)}
