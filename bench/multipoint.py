#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark: nlbreplay --at on a 4-point set (nlbgen's multipoint preset scaled up: about 4M
frames over the four files by default) against the time it takes to read the files
(nlbfloor, libpcap alone). Prints the ratio; nothing is judged (no timed test).
usage: multipoint.py [--build DIR] [--out DIR] [--flows N] [--duration S] [--reps N] [--quick]"""
import argparse, json, os, resource, subprocess, sys, time


def wall(cmd, reps):
    best = None
    for _ in range(reps):
        t0 = time.monotonic()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t = time.monotonic() - t0
        best = t if best is None or t < best else best
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.environ.get('NLB_BUILD', 'build'))
    ap.add_argument('--out', default='/tmp/nlb-bench-multipoint')
    ap.add_argument('--flows', type=int, default=400000)
    ap.add_argument('--duration', type=float, default=120)
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--quick', action='store_true', help='tiny set: check the harness runs')
    a = ap.parse_args()
    if a.quick:
        a.flows, a.duration, a.reps = 2000, 60, 1
    b = a.build
    nlbgen = os.path.join(b, 'tools/nlbgen/nlbgen')
    nlbreplay = os.path.join(b, 'tools/nlbreplay/nlbreplay')
    floor = os.path.join(b, 'bench/nlbfloor')
    subprocess.run([nlbgen, '--scenario', 'multipoint', '-w', a.out, '--flows', str(a.flows), '--duration',
                    str(a.duration), '--expected', os.path.join(a.out, 'expected.json')], check=True,
                   stderr=subprocess.DEVNULL)
    truth = json.load(open(os.path.join(a.out, 'expected.json')))
    files = [os.path.join(a.out, p['file']) for p in truth['points']]
    frames = sum(p['frames'] for p in truth['points'])
    read_s = 0.0
    for f in files:
        best = None
        for _ in range(a.reps):
            r = json.loads(subprocess.run([floor, f], check=True, capture_output=True, text=True).stdout)
            best = r['seconds'] if best is None or r['seconds'] < best else best
        read_s += best
    cmd = [nlbreplay, '-q', '--format', 'json', '--max-flows', str(max(262144, 2 * a.flows))]
    for p, f in zip(truth['points'], files):
        cmd += ['--at', '%s=%s' % (p['label'], f)]
    replay_s = wall(cmd, a.reps)
    rep = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    stops = [x for x in rep['vantage']['diagnostics'] if x['code'] == 'NLB-017']
    res = {'points': len(files), 'frames': frames, 'read_seconds': round(read_s, 4),
           'nlbreplay_seconds': round(replay_s, 4), 'ratio': round(replay_s / read_s, 2) if read_s else None,
           'nlbreplay_max_rss_mb': round(rss_kb / 1024, 1),
           'window_overflow': rep['vantage']['counts']['window_overflow'],
           'delivery_change_found': bool(stops)}
    print(json.dumps(res))
    print('multipoint: %d frames in %d files; reading them %.3f s, nlbreplay --at %.3f s: %.2fx' % (
        frames, len(files), read_s, replay_s, res['ratio'] or 0), file=sys.stderr)
    return 0 if stops else 1


if __name__ == '__main__':
    sys.exit(main())
