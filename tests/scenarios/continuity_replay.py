#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Connection continuity on one capture: nlbgen's continuity preset (a convergence during which
3 TCP connections are answered by a second host, 2 are reset by a second host and 2 UDP flows
move) through nlbreplay's json: every twisted flow is reported under its code with its 5-tuple,
both hosts in order, and the frame numbers of the first host's first reply and of the second
host's first reply, exactly as the generator wrote them; bundled captures without such flows
report none.
usage: continuity_replay.py NLBGEN NLBREPLAY SRCDIR OUTDIR"""
import json, os, re, subprocess, sys

fails = []
CODES = ('NLB-021', 'NLB-022', 'NLB-023')


def check(cond, what):
    if not cond:
        fails.append(what)


def replay(exe, args):
    p = subprocess.run([exe, '-q', '--format', 'json'] + args, capture_output=True, text=True)
    check(p.returncode == 0, 'nlbreplay %s: exit %d (%s)' % (args, p.returncode, p.stderr.strip()))
    return json.loads(p.stdout)


def main():
    gen, exe, src, out = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    pcap, exp = os.path.join(out, 'continuity.pcap'), os.path.join(out, 'continuity.json')
    subprocess.run([gen, '--scenario', 'continuity', '-w', pcap, '--expected', exp], check=True,
                   capture_output=True)
    truth = json.load(open(exp))['continuity']
    # the scenario's design: a test of the checks below, not of the generator's luck
    check(truth['counts'] == {'NLB-021': 3, 'NLB-022': 2, 'NLB-023': 2}, 'truth counts %s' % truth['counts'])
    rep = replay(exe, [pcap])
    diags = [d for d in rep['diagnostics'] if d['code'] in CODES]
    for code in CODES:
        got = [d for d in diags if d['code'] == code]
        want = truth['counts'][code]
        check(len(got) == want, '%s: %d diagnostics, truth %d' % (code, len(got), want))
        for d in got:
            m = re.search(r'; (\d+) such ', d['message'])
            check(m and int(m.group(1)) == want, '%s: count in "%s", truth %d' % (code, d['message'], want))
            check(d['severity'] == ('info' if code == 'NLB-023' else 'warning'), '%s: severity %s' % (code, d['severity']))
    for f in truth['flows']:
        tup = '%s %s:%d -> 10.20.30.40:%d ' % (f['proto'].upper(), f['client'], f['cport'], f['vport'])
        hit = [d for d in diags if d['message'].startswith(tup)]
        check(len(hit) == 1, '%s: %d diagnostics name it' % (tup, len(hit)))
        if not hit:
            continue
        d = hit[0]
        check(d['code'] == f['code'], '%s: %s, truth %s' % (tup, d['code'], f['code']))
        check(d['hosts'] == sorted([f['from'], f['to']]), '%s: hosts %s' % (tup, d['hosts']))
        how = 'reset (RST) by' if f['code'] == 'NLB-022' else 'by'
        order = 'answered by host %d, then %s host %d ' % (f['from'], how, f['to'])
        check(order in d['message'], '%s: "%s" not in "%s"' % (tup, order, d['message']))
        check('during a convergence' in d['message'], '%s: not during a convergence' % tup)
        check(d['first_frame'] == f['frame_from'], '%s: first_frame %s, truth %d' % (tup, d['first_frame'], f['frame_from']))
        check(d['last_frame'] == f['frame_to'], '%s: last_frame %s, truth %d' % (tup, d['last_frame'], f['frame_to']))
        check(d['port'] == f['vport'], '%s: port %s' % (tup, d.get('port')))
    # captures where every flow keeps its host: none of the codes
    for name in ('unicast-healthy', 'incident', 'multicast'):
        rep = replay(exe, [os.path.join(src, 'captures', name + '.pcap')])
        extra = [d['code'] for d in rep['diagnostics'] if d['code'] in CODES]
        check(not extra, '%s: %s' % (name, extra))
    for f in fails:
        print('FAIL:', f)
    print('continuity: %d flows checked, %d failures' % (len(truth['flows']), len(fails)))
    return 1 if fails else 0


sys.exit(main())
