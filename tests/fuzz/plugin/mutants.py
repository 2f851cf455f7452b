#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Mutation corpus for the plugin under tshark: N small classic-pcap captures cut from parent
captures (the bundled ones, nlbgen presets with 32 hosts and 32 port rules) and damaged.

  mutants.py OUTDIR N PARENT.pcap...

Each capture is a window of up to 48 frames of one parent, then one to three of: bit flips,
frames cut short (caplen < len, as a snaplen does), the file cut mid-record, length fields set to
extremes (IPv4 total length and IHL, UDP length, TCP data offset, the heartbeat's rule count,
TLV lengths), frames reordered, duplicated, timestamps run backwards, rule counts beyond 33,
priorities spread over 1..32 (32 hosts) and beyond, the link type rewritten to SLL or SLL2, odd
snapshot lengths in the file header. One capture in 50 instead holds thousands of VIPs: a
heartbeat repeated with 2000-4000 distinct cluster IPs (cut after its fixed fields but in one
capture in 500). The name says what was done
(NNNNN-op+op.pcap). Deterministic: the same parents and N give the same files."""
import os
import random
import struct
import sys

ETH, SLL, SLL2 = 1, 113, 276


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        e = ">"
    else:
        return 1, []
    link = struct.unpack(e + "I", data[20:24])[0]
    frames, at = [], 24
    while at + 16 <= len(data):
        ts, us, incl, orig = struct.unpack(e + "IIII", data[at:at + 16])
        at += 16
        frames.append([ts, us, data[at:at + incl], orig])
        at += incl
    return link, frames


def write_pcap(path, link, frames, snaplen=65535, cut=None):
    out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, link))
    for ts, us, b, orig in frames:
        out += struct.pack("<IIII", ts & 0xFFFFFFFF, us & 0xFFFFFFFF, len(b), max(orig, len(b)) & 0xFFFFFFFF)
        out += b
    if cut is not None:
        out = out[:24 + cut % max(1, len(out) - 24)]
    with open(path, "wb") as f:
        f.write(out)


def l3(b):
    """Offset of the ethertype's payload and the ethertype (one or two VLAN tags skipped)."""
    at = 12
    for _ in range(3):
        if at + 2 > len(b):
            return None, None
        et = b[at] << 8 | b[at + 1]
        if et in (0x8100, 0x88A8):
            at += 4
            continue
        return at + 2, et
    return None, None


def put16(b, at, v):
    if at + 2 <= len(b):
        b[at:at + 2] = struct.pack(">H", v & 0xFFFF)


def m_bitflip(r, fr):
    for _ in range(r.randint(1, 12)):
        f = r.choice(fr)
        if f[2]:
            b = bytearray(f[2])
            i = r.randrange(len(b))
            b[i] ^= 1 << r.randrange(8)
            f[2] = bytes(b)


def m_cut(r, fr):
    for _ in range(r.randint(1, 4)):
        f = r.choice(fr)
        f[3] = max(f[3], len(f[2]))
        f[2] = f[2][:r.choice((0, 1, 6, 13, 14, 15, 18, 20, 34, 40, 54, 60, 100)) if r.random() < .7 else r.randrange(len(f[2]) + 1)]


def m_lenfield(r, fr):
    extremes = (0, 1, 5, 15, 33, 34, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0xFFFF)
    for f in fr:
        if r.random() > .5:
            continue
        b = bytearray(f[2])
        p, et = l3(b)
        if p is None:
            continue
        if et == 0x0800 and p + 20 <= len(b):
            k = r.randrange(4)
            if k == 0:
                put16(b, p + 2, r.choice(extremes))
            elif k == 1:
                b[p] = 0x40 | r.randrange(16)
            else:
                ihl = (b[p] & 15) * 4
                if b[p + 9] == 17:
                    put16(b, p + ihl + 4, r.choice(extremes))
                elif b[p + 9] == 6 and p + ihl + 13 <= len(b):
                    b[p + ihl + 12] = r.randrange(16) << 4
        elif et == 0x886F and p + 28 <= len(b):
            k = r.randrange(3)
            if k == 0:
                put16(b, p + 26, r.choice(extremes))  # rule count
            elif k == 1 and p + 1380 <= len(b):
                i = p + 1372 + 8 * r.randrange(4)     # somewhere in the TLVs of an extended one
                if i + 2 <= len(b):
                    b[i + 1] = r.choice((0, 1, 2, 0x7F, 0xFF))
            else:
                b[p + 4:p + 8] = bytes(r.randrange(256) for _ in range(4))  # version
        f[2] = bytes(b)


def m_reorder(r, fr):
    i = r.randrange(len(fr))
    j = r.randrange(len(fr))
    fr[i], fr[j] = fr[j], fr[i]
    if r.random() < .3:
        r.shuffle(fr)


def m_dup(r, fr):
    for _ in range(r.randint(1, 6)):
        i = r.randrange(len(fr))
        fr[i:i] = [list(fr[i]) for _ in range(r.randint(1, 8))]


def m_time(r, fr):
    for f in fr:
        if r.random() < .3:
            f[0] = r.choice((0, f[0] - 3600, f[0] - 1, 0x7FFFFFFF, 0xFFFFFFFF, f[0] + 86400))
            f[1] = r.choice((0, 999999, 1000000, 0xFFFFFFFF, f[1]))


def hb_frames(fr):
    out = []
    for f in fr:
        p, et = l3(f[2])
        if et == 0x886F and p + 28 <= len(f[2]):
            out.append((f, p))
    return out


def m_rules(r, fr):
    for f, p in hb_frames(fr):
        b = bytearray(f[2])
        put16(b, p + 26, r.choice((33, 34, 64, 200, 1000, 0x7FFF, 0xFFFF)))
        f[2] = bytes(b)


def m_hosts(r, fr):
    for f, p in hb_frames(fr):
        b = bytearray(f[2])
        b[p + 8] = r.choice(list(range(1, 33)) + [0, 33, 64, 255])  # priority
        if r.random() < .5:
            b[p + 16:p + 20] = bytes((10, 20, 30, r.randrange(256)))  # dedicated IP
        f[2] = bytes(b)


def m_link(r, fr, state):
    v2 = r.random() < .4
    state["link"] = SLL2 if v2 else SLL
    for f in fr:
        e = f[2]
        if len(e) < 14:
            continue
        if v2:
            h = e[12:14] + b"\0\0" + b"\0\0\0\1" + b"\0\1" + bytes((1 if e[0] & 1 else 0, 6)) + e[6:12] + b"\0\0"
        else:
            h = b"\0" + bytes((1 if e[0] & 1 else 0,)) + b"\0\1\0\6" + e[6:12] + b"\0\0" + e[12:14]
        f[3] += len(h) - 14
        f[2] = h + e[14:]


OPS = [("flip", m_bitflip), ("cut", m_cut), ("len", m_lenfield), ("reorder", m_reorder), ("dup", m_dup),
       ("time", m_time), ("rules", m_rules), ("hosts", m_hosts)]


def many_vips(r, parents, full):
    hbs = [f for link, fr in parents if link == ETH for f in fr if l3(f[2])[1] == 0x886F]
    if not hbs:
        return None
    base = r.choice(hbs)
    p, _ = l3(base[2])
    out, ts = [], base[0]
    for i in range(r.randint(2000, 4000)):
        b = bytearray(base[2])
        b[p + 12:p + 16] = bytes((10, 100 + (i >> 16), (i >> 8) & 255, i & 255))  # cluster IP
        b[p + 8] = 1 + i % 32
        # cut after the fixed fields (as by a snaplen), all but rarely: the file stays small
        out.append([ts + i // 1000, (i % 1000) * 1000, bytes(b if full else b[:p + 48]), base[3]])
    return out


def main():
    outdir, n = sys.argv[1], int(sys.argv[2])
    parents = [read_pcap(p) for p in sys.argv[3:]]
    parents = [(l, fr) for l, fr in parents if fr]
    os.makedirs(outdir, exist_ok=True)
    for k in range(n):
        r = random.Random(k)
        if k % 50 == 49:
            fr = many_vips(r, parents, k % 500 == 499)
            if fr:
                write_pcap(os.path.join(outdir, f"{k:05d}-vips{len(fr)}.pcap"), ETH, fr)
                continue
        link, src = r.choice(parents)
        w = r.randint(1, 48)
        at = r.randrange(max(1, len(src) - w))
        fr = [list(f) for f in src[at:at + w]]
        names, state = [], {"link": link}
        for _ in range(r.randint(1, 3)):
            name, op = r.choice(OPS)
            op(r, fr)
            names.append(name)
            if not fr:
                break
        if link == ETH and r.random() < .15:
            m_link(r, fr, state)
            names.append("sll2" if state["link"] == SLL2 else "sll")
        snap = r.choice((65535,) * 12 + (0, 1, 14, 262144, 0xFFFFFFFF))
        cut = r.randrange(1 << 30) if r.random() < .05 else None
        if cut is not None:
            names.append("filecut")
        write_pcap(os.path.join(outdir, f"{k:05d}-{'+'.join(names)}.pcap"), state["link"], fr, snap, cut)
    print(f"mutants.py: {n} captures in {outdir}")


if __name__ == "__main__":
    main()
