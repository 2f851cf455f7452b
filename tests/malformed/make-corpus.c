/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Generator of the malformed-capture corpus and of the resource-bound captures. The bytes come
 * from here (and the library's encoders), never from hand-edited files, so every case says in
 * code what is wrong with it and can be regenerated at test time into the build tree.
 *
 *   make-corpus DIR                 every case of expected.txt into DIR
 *   make-corpus --flows N FILE      heartbeats of one cluster, then N client SYNs from N distinct
 *                                   (client IP, port) pairs to the VIP: N distinct flows
 *   make-corpus --clusters N FILE   one membership heartbeat from each of N distinct cluster IPs
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nlbproto/nlbproto.h"

#define VIP 0x0A141E28u /* 10.20.30.40 */
#define T0 1354600000u  /* seconds: any fixed epoch keeps the files reproducible */

static const char *dir;
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static FILE *create(const char *name)
{
    char path[4096];
    if (dir)
        snprintf(path, sizeof path, "%s/%s", dir, name);
    else
        snprintf(path, sizeof path, "%s", name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "make-corpus: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    /* large captures are written in big chunks */
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

static void done(FILE *f, const char *name)
{
    if (ferror(f) || fclose(f) != 0) {
        fprintf(stderr, "make-corpus: %s: write error\n", name);
        exit(1);
    }
}

static void le32(FILE *f, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    fwrite(b, 1, 4, f);
}

static void le16(FILE *f, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    fwrite(b, 1, 2, f);
}

static void pcap_header(FILE *f, uint32_t snaplen, uint32_t linktype)
{
    le32(f, 0xa1b2c3d4u);
    le16(f, 2);
    le16(f, 4);
    le32(f, 0);
    le32(f, 0);
    le32(f, snaplen);
    le32(f, linktype);
}

/* One record; caplen bytes of data are written, the header may claim otherwise (incl, orig). */
static void pcap_record(FILE *f, uint64_t usec, uint32_t incl, uint32_t orig, const uint8_t *data, size_t caplen)
{
    le32(f, (uint32_t)(T0 + usec / 1000000));
    le32(f, (uint32_t)(usec % 1000000));
    le32(f, incl);
    le32(f, orig);
    if (caplen)
        fwrite(data, 1, caplen, f);
}

static void membership(nlb_heartbeat *hb, uint32_t vip, unsigned prio)
{
    nlb_hb_init_membership(hb, vip, vip + prio, prio);
    hb->num_rules = 2;
    hb->host_code = 0x4F3BE335u + prio;
    hb->rules[0].code = 0x61050050u; /* port 80 (guess layout, as in the real capture) */
    for (unsigned b = 0; b < 60; b++)
        if (b % 2 == prio - 1)
            hb->rules[0].cur_map |= 1ull << b;
    hb->rules[1].cur_map = prio == 1 ? (1ull << 60) - 1 : 0;
}

static size_t hb_frame(uint8_t *buf, size_t cap, uint32_t vip, unsigned prio, const nlb_heartbeat *custom)
{
    nlb_heartbeat hb;
    uint8_t src[6];
    if (custom)
        hb = *custom;
    else
        membership(&hb, vip, prio);
    nlb_mac_make(NLB_MAC_MASKED, vip, (uint8_t)prio, src);
    return nlb_build_heartbeat(buf, cap, bcast, src, 0, &hb);
}

/* A capture of one Ethernet frame (frame[0..caplen) of a wirelen-byte frame) after a healthy
 * heartbeat, so the report has a cluster and the bad frame is frame 2. */
static void one_bad_frame(const char *name, const uint8_t *frame, size_t caplen, size_t wirelen)
{
    uint8_t good[2048];
    size_t n = hb_frame(good, sizeof good, VIP, 1, NULL);
    FILE *f = create(name);
    pcap_header(f, 65535, 1);
    pcap_record(f, 0, (uint32_t)n, (uint32_t)n, good, n);
    pcap_record(f, 500000, (uint32_t)caplen, (uint32_t)wirelen, frame, caplen);
    done(f, name);
}

static void truncated_heartbeats(void)
{
    static const unsigned lens[] = { 0, 3, 4, 19, 20, 27, 43, 44, 175, 176, 1495 };
    uint8_t fr[2048];
    size_t n = hb_frame(fr, sizeof fr, VIP, 2, NULL);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        char name[64];
        /* cut by the capture's snaplen: the wire frame was whole */
        snprintf(name, sizeof name, "hb-cut-%u.pcap", lens[i]);
        one_bad_frame(name, fr, 14 + lens[i], n);
        /* as short on the wire as in the file: the sender sent less than the format holds */
        snprintf(name, sizeof name, "hb-short-%u.pcap", lens[i]);
        one_bad_frame(name, fr, 14 + lens[i], 14 + lens[i]);
    }
}

static void bad_heartbeats(void)
{
    uint8_t fr[2048];
    nlb_heartbeat hb;
    size_t n;

    membership(&hb, VIP, 2);
    hb.signature = 0xC0DE01AAu; /* NLB-looking, unknown kind */
    hb.kind = NLB_HB_MEMBERSHIP; /* so the encoder writes the whole body */
    n = hb_frame(fr, sizeof fr, VIP, 2, &hb);
    one_bad_frame("hb-unknown-signature.pcap", fr, n, n);

    n = hb_frame(fr, sizeof fr, VIP, 2, NULL);
    memcpy(fr + 14, "XBOX", 4); /* the other user of 0x886F */
    one_bad_frame("hb-xbox.pcap", fr, 60, 60);

    membership(&hb, VIP, 2);
    hb.num_rules = 200;
    n = hb_frame(fr, sizeof fr, VIP, 2, &hb);
    one_bad_frame("hb-rules-200.pcap", fr, n, n);

    membership(&hb, VIP, 40); /* priority outside 1..32 */
    n = hb_frame(fr, sizeof fr, VIP, 2, &hb);
    one_bad_frame("hb-priority-40.pcap", fr, n, n);

    /* extended heartbeats: a host-name TLV, then the broken one */
    memset(&hb, 0, sizeof hb);
    hb.kind = NLB_HB_EXTENDED;
    hb.signature = NLB_SIG_EXTENDED;
    hb.version = 0x206;
    hb.priority = 2;
    hb.cluster_ip = VIP;
    hb.dedicated_ip = VIP + 2;
    snprintf(hb.host_name, sizeof hb.host_name, "WEB02");
    n = hb_frame(fr, sizeof fr, VIP, 2, &hb);
    /* after the host-name TLV: "WEB02" + NUL in UTF-16 = 12 bytes + 8 of TLV header = 24 */
    size_t tlv = 14 + NLB_HB_COMMON_LEN + 24;
    memset(fr + tlv, 0, 64);
    fr[tlv] = 2;          /* address TLV */
    fr[tlv + 1] = 255;    /* 2040 bytes: far past the end of the frame */
    fr[tlv + 8] = 0x02;
    memcpy(fr + tlv + 10, "\x0a\x14\x1e\x2a", 4);
    one_bad_frame("hb-tlv-past-end.pcap", fr, tlv + 16, tlv + 16);
    fr[tlv + 1] = 0;      /* zero length: the walk must stop, not loop */
    one_bad_frame("hb-tlv-zero-length.pcap", fr, tlv + 16, tlv + 16);
    fr[tlv + 1] = 2;
    one_bad_frame("hb-tlv-cut-by-snaplen.pcap", fr, tlv + 12, tlv + 16);
}

static void file_level(void)
{
    uint8_t fr[2048];
    size_t n = hb_frame(fr, sizeof fr, VIP, 1, NULL);
    FILE *f;

    f = create("empty.pcap");
    done(f, "empty.pcap");

    f = create("header-only.pcap");
    pcap_header(f, 65535, 1);
    done(f, "header-only.pcap");

    f = create("short-header.pcap"); /* 10 of the 24 bytes of a file header */
    le32(f, 0xa1b2c3d4u);
    le16(f, 2);
    le16(f, 4);
    le16(f, 0);
    done(f, "short-header.pcap");

    f = create("truncated-record-data.pcap"); /* the last frame's bytes stop mid-frame */
    pcap_header(f, 65535, 1);
    pcap_record(f, 0, (uint32_t)n, (uint32_t)n, fr, n);
    pcap_record(f, 1000000, (uint32_t)n, (uint32_t)n, fr, 100);
    done(f, "truncated-record-data.pcap");

    f = create("truncated-record-header.pcap"); /* the last record header stops after 7 bytes */
    pcap_header(f, 65535, 1);
    pcap_record(f, 0, (uint32_t)n, (uint32_t)n, fr, n);
    fwrite("\x01\x02\x03\x04\x05\x06\x07", 1, 7, f);
    done(f, "truncated-record-header.pcap");

    f = create("snaplen-2g.pcap"); /* header claims 2^31: libpcap clamps it, frames still read */
    pcap_header(f, 0x80000000u, 1);
    pcap_record(f, 0, (uint32_t)n, (uint32_t)n, fr, n);
    pcap_record(f, 1000000, (uint32_t)n, (uint32_t)n, fr, n);
    done(f, "snaplen-2g.pcap");

    f = create("caplen-2g.pcap"); /* a record claiming 2^31 captured bytes */
    pcap_header(f, 65535, 1);
    pcap_record(f, 0, (uint32_t)n, (uint32_t)n, fr, n);
    pcap_record(f, 1000000, 0x80000000u, 0x80000000u, fr, n);
    done(f, "caplen-2g.pcap");

    f = create("caplen-over-wirelen.pcap"); /* captured more than was on the wire */
    pcap_header(f, 65535, 1);
    pcap_record(f, 0, (uint32_t)n, 60, fr, n);
    done(f, "caplen-over-wirelen.pcap");

    f = create("linktype-raw.pcap"); /* LINKTYPE_RAW: a link type nlbreplay does not read */
    pcap_header(f, 65535, 101);
    pcap_record(f, 0, (uint32_t)(n - 14), (uint32_t)(n - 14), fr + 14, n - 14);
    done(f, "linktype-raw.pcap");

    f = create("text.pcap");
    fputs("This is not a capture.\nIt is a text file someone named .pcap by mistake.\n", f);
    done(f, "text.pcap");
}

/* pcapng blocks by hand: SHB, IDBs, EPBs (little-endian, options omitted). */
static void ng_block(FILE *f, uint32_t type, const uint8_t *body, size_t len)
{
    size_t pad = (4 - len % 4) % 4;
    uint32_t total = (uint32_t)(12 + len + pad);
    le32(f, type);
    le32(f, total);
    fwrite(body, 1, len, f);
    fwrite("\0\0\0", 1, pad, f);
    le32(f, total);
}

static void ng_shb(FILE *f)
{
    uint8_t b[16];
    memset(b, 0, sizeof b);
    b[0] = 0x4D; b[1] = 0x3C; b[2] = 0x2B; b[3] = 0x1A; /* byte-order magic */
    b[4] = 1;                                           /* version 1.0 */
    memset(b + 8, 0xFF, 8);                             /* section length unknown */
    ng_block(f, 0x0A0D0D0Au, b, sizeof b);
}

static void ng_idb(FILE *f, uint16_t linktype)
{
    uint8_t b[8] = { (uint8_t)linktype, (uint8_t)(linktype >> 8), 0, 0, 0xFF, 0xFF, 0, 0 };
    ng_block(f, 1, b, sizeof b);
}

static void ng_epb(FILE *f, uint32_t ifid, uint64_t usec, const uint8_t *data, size_t n)
{
    uint8_t b[2048 + 20];
    uint64_t ts = (uint64_t)T0 * 1000000 + usec;
    uint32_t w[5] = { ifid, (uint32_t)(ts >> 32), (uint32_t)ts, (uint32_t)n, (uint32_t)n };
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 4; k++)
            b[4 * i + k] = (uint8_t)(w[i] >> (8 * k));
    memcpy(b + 20, data, n);
    ng_block(f, 6, b, 20 + n);
}

/* Ethernet -> SLL2 (20-byte header), the payload unchanged. */
static size_t to_sll2(const uint8_t *eth, size_t n, uint8_t *out)
{
    memset(out, 0, 20);
    out[0] = eth[12]; out[1] = eth[13];
    out[7] = 1;
    out[9] = 1;
    out[10] = 1;
    out[11] = 6;
    memcpy(out + 12, eth + 6, 6);
    memcpy(out + 20, eth + 14, n - 14);
    return n + 6;
}

static void pcapng(void)
{
    uint8_t fr[2048], sl[2048];
    size_t n1 = hb_frame(fr, sizeof fr, VIP, 1, NULL);
    FILE *f = create("pcapng-one-linktype.pcapng");
    ng_shb(f);
    ng_idb(f, 1);
    ng_epb(f, 0, 0, fr, n1);
    ng_epb(f, 0, 1000000, fr, n1);
    done(f, "pcapng-one-linktype.pcapng");

    f = create("pcapng-two-linktypes.pcapng");
    ng_shb(f);
    ng_idb(f, 1);
    ng_epb(f, 0, 0, fr, n1);
    size_t n2 = to_sll2(fr, n1, sl);
    ng_idb(f, 276); /* LINKTYPE_LINUX_SLL2 on the second interface */
    ng_epb(f, 1, 500000, sl, n2);
    ng_epb(f, 0, 1000000, fr, n1);
    done(f, "pcapng-two-linktypes.pcapng");
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545F4914F6CDD1Dull) >> 32);
}

/* 100 000 frames that all claim to be NLB (0x886F and a valid signature) but hold random bytes:
 * every field a decoder or the tracker looks at takes arbitrary values, many times over. */
static void random_heartbeats(void)
{
    static const uint32_t sigs[3] = { NLB_SIG_MEMBERSHIP, NLB_SIG_EXTENDED, NLB_SIG_IDENTITY };
    uint8_t fr[2048];
    const char *name = "hb-100k-random.pcap";
    FILE *f = create(name);
    pcap_header(f, 65535, 1);
    for (uint32_t i = 0; i < 100000; i++) {
        uint32_t vip = VIP + (rnd() & 7); /* few clusters: hosts meet each other's data */
        uint8_t src[6];
        nlb_mac_make(NLB_MAC_MASKED, vip, (uint8_t)(1 + rnd() % 32), src);
        size_t h = nlb_build_eth(fr, sizeof fr, bcast, src, 0, NLB_ETHERTYPE);
        uint32_t sig = sigs[rnd() % 3];
        for (int k = 0; k < 4; k++)
            fr[h + k] = (uint8_t)(sig >> (8 * k));
        /* mostly short, sometimes the full membership length so the maps get decoded */
        size_t body = rnd() % 64 == 0 ? NLB_HB_MEMBERSHIP_LEN - 4 : rnd() % 96;
        for (size_t k = 0; k < body; k++)
            fr[h + 4 + k] = (uint8_t)rnd();
        if (body >= 12) { /* a plausible header often enough to reach the bodies */
            fr[h + 8] = (uint8_t)(rnd() % 34);
            fr[h + 9] = fr[h + 10] = fr[h + 11] = 0;
        }
        size_t n = h + 4 + body;
        pcap_record(f, (uint64_t)i * 10000, (uint32_t)n, (uint32_t)n, fr, n);
    }
    done(f, name);
}

static void flows(unsigned long n, const char *path)
{
    uint8_t fr[2048], cl[6];
    static const uint8_t client_mac[6] = { 0x00, 0x50, 0x56, 0x11, 0x22, 0x33 };
    nlb_mac_make(NLB_MAC_UNICAST, VIP, 0, cl);
    dir = NULL;
    FILE *f = create(path);
    pcap_header(f, 65535, 1);
    uint64_t t = 0;
    for (unsigned p = 1; p <= 2; p++) {
        size_t k = hb_frame(fr, sizeof fr, VIP, p, NULL);
        pcap_record(f, t, (uint32_t)k, (uint32_t)k, fr, k);
    }
    /* client i: 100.64.0.0/10 address and port from i, so every SYN opens a new flow */
    for (unsigned long i = 0; i < n; i++) {
        uint32_t cip = 0x64400000u + (uint32_t)(i / 50000);
        uint16_t cport = (uint16_t)(10000 + i % 50000);
        size_t k = nlb_build_tcp4(fr, sizeof fr, cl, client_mac, 0, cip, VIP, cport, 80, NLB_TCP_SYN,
                                  (uint32_t)i, 0, 0);
        t += 10; /* 100 000 SYN/s: heartbeats every second keep the hosts alive */
        pcap_record(f, t, (uint32_t)k, (uint32_t)k, fr, k);
        if (i % 100000 == 99999)
            for (unsigned p = 1; p <= 2; p++) {
                size_t h = hb_frame(fr, sizeof fr, VIP, p, NULL);
                pcap_record(f, t, (uint32_t)h, (uint32_t)h, fr, h);
            }
    }
    done(f, path);
}

static void clusters(unsigned long n, const char *path)
{
    uint8_t fr[2048];
    dir = NULL;
    FILE *f = create(path);
    pcap_header(f, 65535, 1);
    for (unsigned long i = 0; i < n; i++) {
        uint32_t vip = 0x0A000000u + (uint32_t)(i + 1) * 4; /* 10.0.0.4, 10.0.0.8, ... */
        size_t k = hb_frame(fr, sizeof fr, vip, 1, NULL);
        pcap_record(f, i * 100, (uint32_t)k, (uint32_t)k, fr, k);
    }
    done(f, path);
}

int main(int argc, char **argv)
{
    if (argc == 4 && (!strcmp(argv[1], "--flows") || !strcmp(argv[1], "--clusters"))) {
        char *end;
        unsigned long n = strtoul(argv[2], &end, 10);
        if (*end || !n) {
            fprintf(stderr, "make-corpus: %s wants a positive count\n", argv[1]);
            return 2;
        }
        if (!strcmp(argv[1], "--flows"))
            flows(n, argv[3]);
        else
            clusters(n, argv[3]);
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: make-corpus DIR | --flows N FILE | --clusters N FILE\n");
        return 2;
    }
    dir = argv[1];
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "make-corpus: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    truncated_heartbeats();
    bad_heartbeats();
    file_level();
    pcapng();
    random_heartbeats();
    return 0;
}
