#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes data/synthetic.pcap: hand-made frames for the plugin's edge cases that the real
capture (truncated) and the nlbgen scenarios do not pin down one by one: full maps, foreign
0x886F, extended TLVs with IPv6, unknown signature, rule count > 33, duplicate priority, a
heartbeat gap, overlapping bins, 02-BF as source, GARP, RARP and a VIP flow with its reply.
Layouts follow shared NLB-PROTOCOL.md; rerun only when the expected outputs change on purpose."""
import struct, sys, os

VIP = (10, 20, 30, 40)
def ip(t): return bytes(t)
def mac(*b): return bytes(b)
BCAST = b'\xff' * 6
def masked(p): return mac(2, p, *VIP)
UNICAST = mac(2, 0xBF, *VIP)

def eth(dst, src, et, payload):
    f = dst + src + struct.pack('>H', et) + payload
    return f + b'\0' * max(0, 60 - len(f))

def common(sig, prio, vip, dip):
    return struct.pack('<III', sig, 0x206, prio) + ip(vip) + ip(dip)

def membership(prio, dip, maps, codes, vip=VIP, nrules=None, conv=1, default=0):
    p = bytearray(1496)
    p[0:20] = common(0xC0DE01BF, prio, vip, dip)
    n = len(codes) if nrules is None else nrules
    struct.pack_into('<HHHHIIII', p, 20, prio - 1, default, conv, n, 1329324000 + prio, 1000 * prio, 0, 0)
    for i, c in enumerate(codes):
        struct.pack_into('<I', p, 44 + 4 * i, c)
        struct.pack_into('<Q', p, 176 + 8 * i, maps[i])
        struct.pack_into('<Q', p, 440 + 8 * i, maps[i])
        struct.pack_into('<I', p, 1232 + 4 * i, 50)
    return bytes(p)

def bins(a, b): return sum(1 << i for i in range(a, b + 1))

def tlv_name(name):
    u = (name + '\0').encode('utf-16-le')
    ln = (8 + len(u) + 7) & ~7
    return bytes([1, ln // 8]) + b'\0' * 6 + u + b'\0' * (ln - 8 - len(u))

def tlv_addr(fam, a):
    ln = (8 + 2 + len(a) + 7) & ~7
    return bytes([2, ln // 8]) + b'\0' * 6 + struct.pack('<H', fam) + a + b'\0' * (ln - 10 - len(a))

def arp(op, sha, spa, tha, tpa):
    return struct.pack('>HHBBH', 1, 0x0800, 6, 4, op) + sha + ip(spa) + tha + ip(tpa)

def tcp4(src, dst, sport, dport, flags):
    tcp = struct.pack('>HHIIBBHHH', sport, dport, 1000, 0, 5 << 4, flags, 65535, 0, 0)
    hdr = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, ip(src), ip(dst))
    s = sum(struct.unpack('>10H', hdr)); s = (s & 0xffff) + (s >> 16); s = (s & 0xffff) + (s >> 16)
    hdr = hdr[:10] + struct.pack('>H', ~s & 0xffff) + hdr[12:]
    return hdr + tcp

R80 = 0x61050050
frames = []
def add(t, f): frames.append((t, f))
H1 = (10, 20, 30, 41); H2 = (10, 20, 30, 42); H3 = (10, 20, 30, 43)
for s in range(0, 7):
    add(s + 0.0, eth(BCAST, masked(1), 0x886F, membership(1, H1, [bins(0, 29), 0], [R80, 0])))
    add(s + 0.1, eth(BCAST, masked(2), 0x886F, membership(2, H2, [bins(30, 59), 0], [R80, 0])))
add(2.5, eth(BCAST, mac(0x00, 0x50, 0xf2, 1, 2, 3), 0x886F, b'XBOX' + b'\x01\x02' * 20))
client = (192, 0, 2, 7)
add(3.0, eth(UNICAST, mac(0x00, 0x11, 0x22, 0x33, 0x44, 0x55), 0x0800, tcp4(client, VIP, 50123, 80, 0x02)))
add(3.001, eth(mac(0x00, 0x11, 0x22, 0x33, 0x44, 0x55), masked(2), 0x0800, tcp4(VIP, client, 80, 50123, 0x12)))
add(4.0, eth(BCAST, mac(0x00, 0x50, 0x56, 0xaa, 0xbb, 0xcc), 0x0806,
             arp(1, mac(0x00, 0x50, 0x56, 0xaa, 0xbb, 0xcc), (10, 20, 30, 99), b'\0' * 6, (10, 20, 30, 99))))
add(4.1, eth(BCAST, masked(1), 0x8035, arp(3, masked(1), (0, 0, 0, 0), masked(1), (0, 0, 0, 0))))
add(5.5, eth(mac(0x00, 0x11, 0x22, 0x33, 0x44, 0x55), UNICAST, 0x0806,
             arp(2, UNICAST, VIP, mac(0x00, 0x11, 0x22, 0x33, 0x44, 0x55), client)))
add(6.5, eth(BCAST, masked(2), 0x886F, membership(2, H3, [bins(30, 59), 0], [R80, 0])))
ext = common(0xC0DE01C0, 1, VIP, H1) + tlv_name('web1') + tlv_addr(2, ip(H1)) + \
      tlv_addr(0x17, bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [0x41]))
add(7.0, eth(BCAST, masked(1), 0x886F, ext))
add(7.5, eth(BCAST, masked(1), 0x886F, membership(1, H1, [bins(0, 34), 0], [R80, 0])))
add(8.0, eth(BCAST, masked(3), 0x886F, common(0xC0DE01AA, 3, VIP, H3) + b'\0' * 8))
OTHER = (10, 99, 0, 1)
add(9.0, eth(BCAST, mac(2, 1, *OTHER), 0x886F, membership(1, (10, 99, 0, 2), [0], [R80], vip=OTHER, nrules=40)))
add(14.0, eth(BCAST, masked(2), 0x886F, membership(2, H2, [bins(30, 59), 0], [R80, 0])))

frames.sort(key=lambda x: x[0])
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'synthetic.pcap')
with open(out, 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    base = 1700000000
    for t, fr in frames:
        sec = base + int(t); usec = int(round((t - int(t)) * 1e6))
        f.write(struct.pack('<IIII', sec, usec, len(fr), len(fr)) + fr)
print(out, len(frames), 'frames')
