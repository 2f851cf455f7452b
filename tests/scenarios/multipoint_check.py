#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""nlbgen's multi-point preset: each point's pcap holds what the modelled switch sent to its port.
Checked from the files' bytes (not from nlbgen's own counters alone): clock offsets, the frames to
the VIP each point got before and after the switch learned the cluster MAC, broadcasts at every
point, and byte-identical output for the same seed.
usage: multipoint_check.py NLBGEN OUTDIR"""
import filecmp, json, os, struct, subprocess, sys

VIP = bytes([10, 20, 30, 40])


def frames(path):
    with open(path, 'rb') as f:
        data = f.read()
    assert struct.unpack('<I', data[:4])[0] == 0xa1b2c3d4, path
    off, out = 24, []
    while off < len(data):
        sec, usec, cap, _ = struct.unpack('<IIII', data[off:off + 16])
        out.append((sec * 1000000 + usec, data[off + 16:off + 16 + cap]))
        off += 16 + cap
    return out


def to_vip(fr):
    return fr[12:14] == b'\x08\x00' and fr[30:34] == VIP and fr[6:12] == bytes.fromhex('00005e00010a')


def main():
    nlbgen, out = sys.argv[1], sys.argv[2]
    runs = [os.path.join(out, 'mp-a'), os.path.join(out, 'mp-b')]
    os.makedirs(out, exist_ok=True)
    for d in runs:
        subprocess.run([nlbgen, '--scenario', 'multipoint', '-w', d, '--expected', os.path.join(d, 'expected.json')],
                       check=True, stderr=subprocess.DEVNULL)
    # a third run with other clocks, for the analysis tests (test_vantage, nlbreplay)
    d = os.path.join(out, 'mp-c')
    subprocess.run([nlbgen, '--scenario', 'multipoint', '-w', d, '--expected', os.path.join(d, 'expected.json'),
                    '--point-offset', 'host2=-1.987654', '--point-offset', 'host3=1.234567',
                    '--point-offset', 'span=-2.0'], check=True, stderr=subprocess.DEVNULL)
    truth = json.load(open(os.path.join(runs[0], 'expected.json')))
    fails = []
    for p in truth['points']:
        if not filecmp.cmp(os.path.join(runs[0], p['file']), os.path.join(runs[1], p['file']), shallow=False):
            fails.append('%s: not byte-identical for the same seed' % p['file'])
    learn = round(truth['delivery']['from'] * 1e6)
    hb = {}
    for p in truth['points']:
        fr = frames(os.path.join(runs[0], p['file']))
        off = round(p['offset'] * 1e6)
        before = sum(1 for t, b in fr if to_vip(b) and t - off < learn)
        after = sum(1 for t, b in fr if to_vip(b) and t - off >= learn)
        hb[p['label']] = sorted(t - off for t, b in fr if b[12:14] == b'\x88\x6f')
        if (before, after) != (p['to_vip_before'], p['to_vip_after']):
            fails.append('%s: to VIP before/after %d/%d, truth says %d/%d' % (p['label'], before, after,
                                                                            p['to_vip_before'], p['to_vip_after']))
        if p['label'] != truth['delivery']['only'] and after != 0:
            fails.append('%s: %d frames to the VIP after the switch learned 02-BF' % (p['label'], after))
    only = next(p for p in truth['points'] if p['label'] == truth['delivery']['only'])
    if only['to_vip_after'] != truth['delivery']['to_vip_after'] or only['to_vip_after'] < 100:
        fails.append('%s got %d of %d frames after learning' % (only['label'], only['to_vip_after'],
                                                                 truth['delivery']['to_vip_after']))
    ref = hb['host1']
    for label, times in hb.items():
        if times != ref:
            fails.append('%s: heartbeat times (offset removed) differ from host1\'s' % label)
    if len(truth['points']) != 4 or sorted(abs(p['offset']) for p in truth['points'])[-1] != 2.0:
        fails.append('expected 4 points with offsets up to 2 s: %s' % truth['points'])
    for f in fails:
        print('FAIL', f)
    print('points %d, learned at %.6f, %d frames to the VIP after it, all at %s' % (
        len(truth['points']), truth['delivery']['from'], only['to_vip_after'], only['label']))
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
