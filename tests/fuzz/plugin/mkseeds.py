#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seeds for fuzz_plugin, converted from the library's corpora, into OUTDIR:
  - corpus/tracker/* (per bundled capture, its frames kept by shape, with their time gaps):
    each becomes an "NLBS" capture in four modes (plain, -V, -2 with revisits, -V -2), the
    preference combination cycling over the files;
  - corpus/frame/* (single frames of every link type, built and from the captures): an
    Ethernet frame as is (fed to the running session); SLL, SLL2 and snaplen-cut frames as a
    one-frame "NLBS" capture of that link type.
The committed corpus/plugin is this output merged by coverage (fuzz_plugin -merge=1), plus
regression inputs (regress-*). Usage: mkseeds.py CORPUS_DIR OUTDIR"""
import hashlib
import os
import sys


def put(outdir, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(data)


def main():
    corpus, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    n = 0
    tdir = os.path.join(corpus, "tracker")
    for i, name in enumerate(sorted(os.listdir(tdir))):
        seed = open(os.path.join(tdir, name), "rb").read()
        if not seed:
            continue
        for k, mode in enumerate((0x00, 0x04, 0x18, 0x0C)):
            cfg = (seed[0] & 3) | mode | (((i + k) % 8) << 5)
            put(outdir, b"NLBS" + bytes([cfg]) + seed[1:])
            n += 1
    fdir = os.path.join(corpus, "frame")
    for i, name in enumerate(sorted(os.listdir(fdir))):
        seed = open(os.path.join(fdir, name), "rb").read()
        if len(seed) < 2:
            continue
        sel, frame = seed[0], seed[1:32768]
        link = sel & 3
        if link in (0, 3) and not sel & 4:
            put(outdir, frame)
        else:
            cfg = (link if link != 3 else 0) | ((i % 8) << 5)
            length = len(frame) | (0x8000 if sel & 4 else 0)
            put(outdir, b"NLBS" + bytes([cfg, 100, length & 0xFF, length >> 8]) + frame)
        n += 1
    print(f"mkseeds.py: {n} seeds in {outdir}")


if __name__ == "__main__":
    main()
