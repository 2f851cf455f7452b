#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""nlbreplay --at on nlbgen's multipoint runs (made by scenario_multipoint): the point(s) that
stopped receiving the VIP's traffic and the moment, within 0.1 s of the generated truth; the
+-2 s clock offsets within 1 ms; the union of the points in the tracker; bad inputs.
usage: multipoint_replay.py NLBREPLAY SRCDIR MULTIPOINT_DIR"""
import json, os, subprocess, sys

fails = []


def check(cond, what):
    if not cond:
        fails.append(what)


def replay(exe, args, fmt='json'):
    p = subprocess.run([exe, '-q', '--format', fmt] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def at_args(d, truth):
    return sum((['--at', '%s=%s' % (p['label'], os.path.join(d, p['file']))] for p in truth['points']), [])


def one_run(exe, d):
    truth = json.load(open(os.path.join(d, 'expected.json')))
    rc, out, err = replay(exe, at_args(d, truth))
    check(rc == 0, '%s: exit %d (%s)' % (d, rc, err.strip()))
    rep = json.loads(out)
    v = rep['vantage']
    ref = truth['points'][0]['offset']
    for tp, p in zip(truth['points'], v['points']):
        check(p['label'] == tp['label'], 'label %s != %s' % (p['label'], tp['label']))
        want = tp['offset'] - ref
        check(p['offset'] is not None and abs(p['offset'] - want) < 0.001,
              '%s: offset %s, truth %.6f' % (p['label'], p['offset'], want))
        check(p['offset_source'] == ('reference' if p is v['points'][0] else 'estimated'), p['offset_source'])
    stops = [x for x in v['diagnostics'] if x['code'] == 'NLB-017']
    check(len(stops) == 1, 'NLB-017 x %d' % len(stops))
    only = truth['delivery']['only']
    for x in stops:
        check(abs(x['time'] - ref - truth['delivery']['from']) < 0.1,
              'NLB-017 at %.6f, truth %.6f' % (x['time'] - ref, truth['delivery']['from']))
        check(x['points_receiving'] == [only], 'receiving %s, truth %s' % (x['points_receiving'], only))
        check(sorted(x['points']) == sorted(p['label'] for p in truth['points'] if p['label'] != only),
              'stopped: %s' % x['points'])
        check('to %s only (host2: 0 of %d SYNs' % (only, truth['delivery']['syn_after']) in x['message'], x['message'])
    flood = [x for x in v['diagnostics'] if x['code'] == 'NLB-018']
    check([x['points'] for x in flood] == [['span']], 'NLB-018 points %s' % [x['points'] for x in flood])
    # the tracker saw each frame once: the flows of the run, answered as the generator answered them
    check(rep['counts']['vip_flows'] == truth['counts']['vip_flows'],
          'vip_flows %s, truth %s' % (rep['counts']['vip_flows'], truth['counts']['vip_flows']))
    check(rep['ownership']['with_observed'] == truth['flows_summary']['answered'],
          'answered %s, truth %s' % (rep['ownership']['with_observed'], truth['flows_summary']['answered']))
    rc, text, _ = replay(exe, at_args(d, truth), 'text')
    check('Capture points: 4, times on host1\'s clock' in text and 'the switch delivers' in text, 'text sections')
    print('%s: offsets %s, NLB-017 at %.6f (truth %.6f), receiving %s' % (
        os.path.basename(d), [p['offset'] for p in v['points']], stops[0]['time'] - ref if stops else 0,
        truth['delivery']['from'], stops[0]['points_receiving'] if stops else None))
    return truth


def bad_inputs(exe, src, d, truth):
    args = at_args(d, truth)
    # a given offset is used, not estimated
    rc, out, _ = replay(exe, args + ['--clock-offset', 'host2=2.5'])
    p2 = json.loads(out)['vantage']['points'][1]
    check(p2['offset_source'] == 'given' and abs(p2['offset'] - 2.5) < 1e-6, 'given offset: %s' % p2)
    rc, _, err = replay(exe, args + ['--clock-offset', 'nosuch=1'])
    check(rc == 2 and "no capture point 'nosuch'" in err, 'unknown --clock-offset label: %d %s' % (rc, err))
    rc, _, err = replay(exe, args + ['--clock-offset', 'host1=1'])
    check(rc == 2 and 'reference point' in err, '--clock-offset of the reference: %d %s' % (rc, err))
    rc, _, err = replay(exe, ['--at', 'a=-', '--at', 'b=' + os.path.join(d, 'host1.pcap')])
    check(rc == 2 and 'stdin cannot be a capture point' in err, 'stdin: %d %s' % (rc, err))
    # duplicate labels, a point without one frame in common, an unreadable one: said, the rest analysed
    rc, out, err = replay(exe, ['--at', 'x=' + os.path.join(d, 'host1.pcap'), '--at', 'x=' + os.path.join(d, 'host2.pcap'),
                                '--at', 'old=' + os.path.join(src, 'captures/msnlb.pcap'), '--at', 'gone=/nonexistent.pcap'])
    check(rc == 2, 'bad inputs exit %d' % rc)
    rep = json.loads(out)
    pts = rep['vantage']['points']
    check([p['label'] for p in pts] == ['x', 'x#2', 'old', 'gone'], 'labels %s' % [p['label'] for p in pts])
    check(any("is also input 1's" in n for n in rep['inputs'][1].get('notes', [])), 'duplicate label note')
    check(pts[1]['offset_source'] == 'estimated' and abs(pts[1]['offset'] - 2.0) < 0.001, 'x#2 offset %s' % pts[1])
    check(pts[2]['offset_source'] == 'unknown' and pts[2]['offset'] is None, 'no common frames: %s' % pts[2])
    check(pts[3]['frames'] == 0 and rep['inputs'][3]['errors'], 'unreadable input: %s' % rep['inputs'][3])
    check(any(x['code'] == 'NLB-017' and x['points_receiving'] == ['x'] for x in rep['vantage']['diagnostics']),
          'the readable points still analysed')
    rc, text, _ = replay(exe, ['--at', 'x=' + os.path.join(d, 'host1.pcap'), '--at',
                               'old=' + os.path.join(src, 'captures/msnlb.pcap')], 'text')
    check('unknown: no frame in common with the others, none guessed' in text, 'text: unknown offset')


def main():
    exe, src, mp = sys.argv[1:4]
    for sub in ('mp-a', 'mp-c'):
        truth = one_run(exe, os.path.join(mp, sub))
    bad_inputs(exe, src, os.path.join(mp, 'mp-a'), json.load(open(os.path.join(mp, 'mp-a', 'expected.json'))))
    for f in fails:
        print('FAIL', f)
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
