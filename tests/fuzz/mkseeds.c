/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Seed corpora for the fuzz targets, written into OUTDIR/{heartbeat,tlv,frame,tracker,rules}/:
 * frames of the classic pcap files given (the bundled captures), plus frames built with the
 * library's encoders for what no capture holds (extended heartbeats with odd TLVs, IPv6
 * extension headers, QinQ, SLL/SLL2 forms, broken signatures). Deterministic: the same inputs give the same files, so the committed corpus can be
 * regenerated and diffed (`cmake --build B --target fuzz-seeds`).
 *
 *   mkseeds OUTDIR [CAPTURE.pcap...] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nlbproto/nlbproto.h"
#include "tracker_input.h"

static const char *outdir;
static size_t files_written, bytes_written;

static void put(const char *target, const char *name, const uint8_t *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", outdir, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        fprintf(stderr, "mkseeds: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    files_written++;
    bytes_written += n;
}

/* frame seeds carry the link-type selector byte of fuzz_frame in front */
static void put_frame(const char *name, unsigned sel, const uint8_t *p, size_t n)
{
    uint8_t buf[4096];
    if (n + 1 > sizeof buf) n = sizeof buf - 1;
    buf[0] = (uint8_t)sel;
    memcpy(buf + 1, p, n);
    put("frame", name, buf, n + 1);
}

/* Ethernet -> Linux cooked (SLL, 16 bytes; SLL2, 20 bytes): same payload, source MAC kept. */
static size_t to_sll(const uint8_t *eth, size_t n, uint8_t *out, int v2)
{
    if (n < 14) return 0;
    size_t h = v2 ? 20 : 16;
    memset(out, 0, h);
    if (v2) {
        out[0] = eth[12]; out[1] = eth[13];        /* protocol */
        out[7] = 2;                                 /* interface index */
        out[9] = 1;                                 /* ARPHRD_ETHER */
        out[10] = (eth[0] & 1) ? 1 : 0;             /* broadcast/multicast or to us */
        out[11] = 6;
        memcpy(out + 12, eth + 6, 6);
    } else {
        out[1] = (eth[0] & 1) ? 1 : 0;
        out[3] = 1;
        out[5] = 6;
        memcpy(out + 6, eth + 6, 6);
        out[14] = eth[12]; out[15] = eth[13];
    }
    memcpy(out + h, eth + 14, n - 14);
    return h + n - 14;
}

/* ---- tracker scenario builder ---- */
static uint8_t scen[65536];
static size_t scen_len;

static void scen_begin(uint8_t cfg) { scen[0] = cfg; scen_len = 1; }

static void scen_add(uint8_t dt, const uint8_t *p, size_t n)
{
    if (scen_len + TRK_FRAME_HDR + n > sizeof scen) return;
    scen[scen_len] = dt;
    scen[scen_len + 1] = (uint8_t)n;
    scen[scen_len + 2] = (uint8_t)(n >> 8);
    memcpy(scen + scen_len + 3, p, n);
    scen_len += TRK_FRAME_HDR + n;
}

static void scen_end(const char *name) { put("tracker", name, scen, scen_len); }

/* ---- synthetic frames ---- */
#define VIP 0x0A141E28u /* 10.20.30.40 */
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void mac_of(nlb_mac_kind k, unsigned prio, uint8_t out[6]) { nlb_mac_make(k, VIP, (uint8_t)prio, out); }

/* A full membership heartbeat of host prio among n equal hosts: rule 0 is port 80 and the
 * default rule takes the last slot (guess from the protocol doc); bins split round-robin. */
static void membership(nlb_heartbeat *hb, unsigned prio, unsigned n, unsigned nrules)
{
    nlb_hb_init_membership(hb, VIP, VIP + prio, prio);
    hb->num_rules = (uint16_t)nrules;
    hb->host_code = 0x4F3BE335u + prio;
    hb->packets_handled = 1000 * prio;
    for (unsigned r = 0; r < nrules; r++) {
        nlb_hb_rule *ru = &hb->rules[r];
        ru->code = r + 1 == nrules ? 0 : 0x61000000u | (80u + r) << 12 | (80u + r);
        for (unsigned b = 0; b < 60; b++)
            if (b % n == prio - 1)
                ru->cur_map |= 1ull << b;
        ru->new_map = ru->cur_map;
        ru->ready_map = ru->cur_map;
        ru->load_weight = 100;
    }
}

static size_t hb_frame(uint8_t *buf, size_t cap, unsigned prio, unsigned n, unsigned nrules)
{
    nlb_heartbeat hb;
    uint8_t src[6];
    membership(&hb, prio, n, nrules);
    mac_of(NLB_MAC_MASKED, prio, src);
    return nlb_build_heartbeat(buf, cap, bcast, src, 0, &hb);
}

static size_t ext_frame(uint8_t *buf, size_t cap, unsigned prio, const char *name)
{
    nlb_heartbeat hb;
    memset(&hb, 0, sizeof hb);
    hb.kind = NLB_HB_EXTENDED;
    hb.signature = NLB_SIG_EXTENDED;
    hb.version = 0x206;
    hb.priority = prio;
    hb.cluster_ip = VIP;
    hb.dedicated_ip = VIP + prio;
    snprintf(hb.host_name, sizeof hb.host_name, "%s", name);
    hb.addrs[hb.n_addrs++] = nlb_ipaddr_v4(VIP + prio);
    nlb_ipaddr v6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)prio } };
    hb.addrs[hb.n_addrs++] = v6;
    uint8_t src[6];
    mac_of(NLB_MAC_MASKED, prio, src);
    return nlb_build_heartbeat(buf, cap, bcast, src, 0, &hb);
}

static size_t arp_frame(uint8_t *buf, size_t cap, uint16_t op, const uint8_t esrc[6], const uint8_t sha[6],
                        uint32_t spa, uint32_t tpa, int rarp)
{
    nlb_arp a;
    memset(&a, 0, sizeof a);
    a.op = op;
    a.rarp = rarp;
    memcpy(a.sha, sha, 6);
    if (rarp) memcpy(a.tha, sha, 6);
    a.spa = spa;
    a.tpa = tpa;
    return nlb_build_arp(buf, cap, bcast, esrc, 0, &a);
}

static void synth_heartbeats(void)
{
    uint8_t f[2048], p[2048];
    nlb_heartbeat hb;
    size_t n;

    membership(&hb, 1, 2, 3);
    n = nlb_hb_encode(&hb, p, sizeof p);
    put("heartbeat", "synth-membership-full", p, n);
    put("heartbeat", "synth-membership-cut96", p, 82);
    membership(&hb, 2, 2, 33);
    n = nlb_hb_encode(&hb, p, sizeof p);
    put("heartbeat", "synth-membership-33rules", p, n);
    hb.conv_state = NLB_CONV_CONVERGING;
    hb.num_rules = 34; /* one more than the wire holds */
    n = nlb_hb_encode(&hb, p, sizeof p);
    put("heartbeat", "synth-membership-34rules", p, n);

    n = ext_frame(f, sizeof f, 1, "WEB01.example.test");
    put("heartbeat", "synth-extended", f + 14, n - 14);
    put("tlv", "synth-extended", f + 14 + NLB_HB_COMMON_LEN, n - 14 - NLB_HB_COMMON_LEN);
    n = ext_frame(f, sizeof f, 2, "h\xc3\xb4te-\xe2\x82\xac-\xf0\x9f\x98\x80"); /* 2-, 3- and 4-byte UTF-8 */
    put("heartbeat", "synth-extended-utf8", f + 14, n - 14);
    put("tlv", "synth-extended-utf8", f + 14 + NLB_HB_COMMON_LEN, n - 14 - NLB_HB_COMMON_LEN);
    /* TLV edge cases the decoder must stop cleanly on */
    static const uint8_t tlv_zero_len[] = { 1, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t tlv_past_end[] = { 1, 200, 0, 0, 0, 0, 0, 0, 'A', 0, 'B', 0 };
    static const uint8_t tlv_bad_family[] = { 2, 2, 0, 0, 0, 0, 0, 0, 0x05, 0, 1, 2, 3, 4, 0, 0 };
    static const uint8_t tlv_lone_surrogate[] = { 1, 2, 0, 0, 0, 0, 0, 0, 0x00, 0xD8, 'x', 0, 0, 0xDC, 0, 0 };
    put("tlv", "tlv-zero-length", tlv_zero_len, sizeof tlv_zero_len);
    put("tlv", "tlv-past-end", tlv_past_end, sizeof tlv_past_end);
    put("tlv", "tlv-bad-family", tlv_bad_family, sizeof tlv_bad_family);
    put("tlv", "tlv-lone-surrogate", tlv_lone_surrogate, sizeof tlv_lone_surrogate);

    static const uint8_t identity[20] = { 0xDE, 0x01, 0xDE, 0xC0, 0x06, 0x02, 0, 0, 3, 0, 0, 0, 10, 20, 30, 40, 10, 20, 30, 43 };
    put("heartbeat", "synth-identity", identity, sizeof identity);
    static const uint8_t xbox[] = { 'X', 'B', 'O', 'X', 1, 2, 3, 4 };
    put("heartbeat", "foreign-xbox", xbox, sizeof xbox);
    static const uint8_t unknown_sig[] = { 0xAA, 0x01, 0xDE, 0xC0, 6, 2, 0, 0, 1, 0, 0, 0 };
    put("heartbeat", "unknown-signature", unknown_sig, sizeof unknown_sig);
    static const uint8_t short_sig[] = { 0xBF, 0x01, 0xDE };
    put("heartbeat", "cut-signature", short_sig, sizeof short_sig);
}

static void synth_frames(void)
{
    uint8_t f[2048], g[2048], m1[6], m2[6], cl[6];
    size_t n;
    mac_of(NLB_MAC_MASKED, 1, m1);
    mac_of(NLB_MAC_MASKED, 2, m2);
    mac_of(NLB_MAC_UNICAST, 0, cl);
    static const uint8_t client_mac[6] = { 0x00, 0x50, 0x56, 0x11, 0x22, 0x33 };
    static const uint8_t vm_mac[6] = { 0x00, 0x50, 0x56, 0xaa, 0xbb, 0x01 };

    n = hb_frame(f, sizeof f, 1, 2, 3);
    put_frame("eth-heartbeat", 0, f, n);
    put_frame("eth-heartbeat-cut", 4, f, 96);
    size_t k = to_sll(f, n, g, 0);
    put_frame("sll-heartbeat", 1, g, k);
    k = to_sll(f, n, g, 1);
    put_frame("sll2-heartbeat", 2, g, k);
    /* 802.1Q then 802.1ad outer tag around the same heartbeat */
    {
        nlb_heartbeat hb;
        membership(&hb, 1, 2, 2);
        n = nlb_build_heartbeat(f, sizeof f, bcast, m1, 10, &hb);
        put_frame("eth-vlan-heartbeat", 0, f, n > 200 ? 200 : n);
        memmove(f + 16, f + 12, n - 12);
        f[12] = 0x88; f[13] = 0xA8; f[14] = 0x00; f[15] = 0x64;
        put_frame("eth-qinq-heartbeat", 4, f, 200);
    }
    n = ext_frame(f, sizeof f, 2, "WEB02");
    put_frame("eth-extended", 0, f, n);

    n = arp_frame(f, sizeof f, NLB_ARP_REPLY, m1, cl, VIP, VIP, 0);
    put_frame("eth-garp-unicast-nlb", 0, f, n);
    k = to_sll(f, n, g, 1);
    put_frame("sll2-garp", 2, g, k);
    uint8_t mc[6];
    mac_of(NLB_MAC_MULTICAST, 0, mc);
    n = arp_frame(f, sizeof f, NLB_ARP_REPLY, client_mac, mc, VIP, 0x0A141E01u, 0);
    put_frame("eth-arp-multicast-mac", 0, f, n);
    n = arp_frame(f, sizeof f, NLB_RARP_REQUEST, vm_mac, vm_mac, 0, 0, 1);
    put_frame("eth-rarp-notify", 0, f, n);
    k = to_sll(f, n, g, 0);
    put_frame("sll-rarp", 1, g, k);

    n = nlb_build_tcp4(f, sizeof f, cl, client_mac, 0, 0xC6336407u, VIP, 50123, 80, NLB_TCP_SYN, 1, 0, 0);
    put_frame("eth-tcp-syn-to-vip", 0, f, n);
    n = nlb_build_tcp4(f, sizeof f, client_mac, m2, 0, VIP, 0xC6336407u, 80, 50123, NLB_TCP_SYN | NLB_TCP_ACK, 7, 2, 0);
    put_frame("eth-tcp-synack-from-host", 0, f, n);
    n = nlb_build_tcp4(f, sizeof f, client_mac, cl, 0, VIP, 0xC6336407u, 80, 50124, NLB_TCP_ACK, 7, 2, 0);
    put_frame("eth-cluster-mac-source", 0, f, n);
    n = nlb_build_udp4(f, sizeof f, cl, client_mac, 3, 0xC6336407u, VIP, 5353, 53, 12);
    put_frame("eth-udp-vlan", 0, f, n);
    static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 }, v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x28 };
    n = nlb_build_tcp6(f, sizeof f, cl, client_mac, 0, v6a, v6b, 40000, 443, NLB_TCP_SYN, 9, 0);
    put_frame("eth-tcp6-syn", 0, f, n);
    k = to_sll(f, n, g, 1);
    put_frame("sll2-tcp6-syn", 2, g, k);
    /* IPv6 with a hop-by-hop and a fragment header in front of TCP */
    memmove(f + 14 + 40 + 16, f + 14 + 40, n - 54);
    f[14 + 6] = 0;                          /* next: hop-by-hop */
    memset(f + 54, 0, 16);
    f[54] = 44; f[55] = 0;                  /* hop-by-hop: next fragment, 8 bytes */
    f[62] = 6;                              /* fragment: next TCP, offset 0 */
    put_frame("eth-tcp6-exthdrs", 0, f, n + 16);
    n = nlb_build_igmp_report(f, sizeof f, m1, VIP, 0xEFFF1E28u);
    put_frame("eth-igmp-join", 0, f, n);
    static const uint8_t xbox_frame[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x50, 0xf2, 1, 2, 3, 0x88, 0x6f, 'X', 'B', 'O', 'X', 0, 0 };
    put_frame("eth-foreign-886f", 0, xbox_frame, sizeof xbox_frame);
}

static void synth_tracker(void)
{
    uint8_t f[2048], cl[6], mc[6];
    size_t n;
    static const uint8_t client_mac[6] = { 0x00, 0x50, 0x56, 0x11, 0x22, 0x33 };
    mac_of(NLB_MAC_UNICAST, 0, cl);
    mac_of(NLB_MAC_MULTICAST, 0, mc);

    /* healthy: two hosts, 1 s heartbeats, one answered connection */
    scen_begin(TRK_CFG_RULES | TRK_CFG_EPOCH);
    for (int s = 0; s < 4; s++) {
        n = hb_frame(f, sizeof f, 1, 2, 2); scen_add(s ? 99 : 0, f, n);
        n = hb_frame(f, sizeof f, 2, 2, 2); scen_add(1, f, n);
    }
    uint8_t m2[6];
    mac_of(NLB_MAC_MASKED, 2, m2);
    n = nlb_build_tcp4(f, sizeof f, cl, client_mac, 0, 0xC6336407u, VIP, 50123, 80, NLB_TCP_SYN, 1, 0, 0);
    scen_add(5, f, n);
    n = nlb_build_tcp4(f, sizeof f, client_mac, m2, 0, VIP, 0xC6336407u, 80, 50123, NLB_TCP_SYN | NLB_TCP_ACK, 7, 2, 0);
    scen_add(1, f, n);
    scen_end("synth-healthy");

    /* the incident: RARP burst without the NLB hosts, host 2 silent, SYNs unanswered, host 2 back */
    scen_begin(TRK_CFG_USER_VIPS | TRK_CFG_EPOCH);
    for (int s = 0; s < 3; s++) {
        n = hb_frame(f, sizeof f, 1, 2, 2); scen_add(s ? 100 : 0, f, n);
        n = hb_frame(f, sizeof f, 2, 2, 2); scen_add(0, f, n);
    }
    for (uint8_t v = 1; v <= 5; v++) {
        uint8_t vm[6] = { 0x00, 0x50, 0x56, 0xaa, 0xbb, v };
        n = arp_frame(f, sizeof f, NLB_RARP_REQUEST, vm, vm, 0, 0, 1);
        scen_add(2, f, n);
    }
    for (int s = 0; s < 8; s++) {
        n = hb_frame(f, sizeof f, 1, 1, 2); scen_add(100, f, n);
        n = nlb_build_tcp4(f, sizeof f, cl, client_mac, 0, 0xC6336407u + (uint32_t)(s & 1), VIP, (uint16_t)(50000 + (s & 1)), 80, NLB_TCP_SYN, 1, 0, 0);
        scen_add(3, f, n);
    }
    n = hb_frame(f, sizeof f, 2, 2, 2); scen_add(201, f, n);
    n = hb_frame(f, sizeof f, 1, 2, 2); scen_add(50, f, n);
    scen_end("synth-incident");

    /* configuration trouble: duplicate priority, rule mismatch, bins twice, 02-BF as source,
     * multicast-MAC ARP, IGMP join, truncated and extended heartbeats */
    scen_begin(TRK_CFG_RULES | (1u << TRK_CFG_AFF_SHIFT) | TRK_CFG_WITHOUT);
    n = hb_frame(f, sizeof f, 1, 1, 2); scen_add(0, f, n);
    n = hb_frame(f, sizeof f, 1, 1, 3); scen_add(1, f, n);
    n = hb_frame(f, sizeof f, 3, 1, 2); scen_add(1, f, n);
    n = hb_frame(f, sizeof f, 3, 1, 2); scen_add(1, f, 96);
    n = ext_frame(f, sizeof f, 3, "WEB03"); scen_add(1, f, n);
    n = nlb_build_tcp4(f, sizeof f, client_mac, cl, 0, VIP, 0xC6336407u, 80, 50123, NLB_TCP_ACK, 7, 2, 0);
    scen_add(10, f, n);
    n = arp_frame(f, sizeof f, NLB_ARP_REPLY, client_mac, mc, VIP, 0x0A141E01u, 0);
    scen_add(10, f, n);
    n = nlb_build_igmp_report(f, sizeof f, client_mac, VIP, 0xEFFF1E28u);
    scen_add(10, f, n);
    n = nlb_build_udp4(f, sizeof f, cl, client_mac, 0, 0xC6336408u, VIP, 5353, 53, 0);
    scen_add(10, f, n);
    scen_end("synth-config-trouble");
}

/* Port-rules files in nlbreplay's format (man/nlbreplay.1): every statement and key once. */
static void synth_rules(void)
{
    static const char *const files[][2] = {
        { "rules-basic", "# web farm\nrule vip=10.20.30.40 ports=80 proto=tcp affinity=single\n"
                         "rule vip=10.20.30.40 ports=443 proto=both affinity=single\n" },
        { "rules-all-keys", "bins=60\nseed=0x1234abcd\naffinity=classc\n"
                            "rule vip=all ports=0-65535 proto=udp mode=multiple affinity=none load=1:50,2:30,3:20\n"
                            "rule vip=10.20.30.40 port=25 proto=tcp mode=single handling=1:2,2:1\n"
                            "rule vip=10.20.30.41 ports=1000-2000 mode=disabled load=equal\r\n" },
        { "rules-bad", "rule vip=10.20.30.300 ports=90-80 proto=icmp\nbins=0\nfrobnicate=1\n" },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        put("rules", files[i][0], (const uint8_t *)files[i][1], strlen(files[i][1]));
}

/* Classic pcap only (what captures/ holds). A capture of thousands of look-alike frames would
 * bloat the corpus without adding paths, so frames are kept by "shape" (what the decoders made of
 * them): one frame/heartbeat seed per shape over all captures, and per capture one tracker seed
 * that keeps up to 4 frames of each shape, in order, with their time gaps, within 32 KB. */
static uint32_t rd32(const uint8_t *p, int swap)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return swap ? __builtin_bswap32(v) : v;
}

#define MAX_SHAPES 4096
typedef struct shape_set {
    uint64_t key[MAX_SHAPES];
    unsigned count[MAX_SHAPES];
    size_t n;
} shape_set;

/* Returns how many times key was seen before (and counts this one). */
static unsigned shape_seen(shape_set *s, uint64_t key)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->key[i] == key)
            return s->count[i]++;
    if (s->n < MAX_SHAPES) {
        s->key[s->n] = key;
        s->count[s->n++] = 1;
    }
    return 0;
}

static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001B3ull; }

static uint64_t frame_shape(const nlb_packet *pkt)
{
    uint64_t h = 0xCBF29CE484222325ull;
    h = mix(h, pkt->kind);
    h = mix(h, pkt->status);
    h = mix(h, pkt->ethertype);
    h = mix(h, pkt->n_vlans);
    h = mix(h, pkt->caplen < pkt->wirelen);
    h = mix(h, pkt->src_mac.kind);
    h = mix(h, pkt->dst_mac.kind);
    h = mix(h, pkt->ip_proto);
    h = mix(h, pkt->tcp_flags);
    if (pkt->kind == NLB_FK_ARP || pkt->kind == NLB_FK_RARP)
        h = mix(mix(h, pkt->arp.op), pkt->arp.gratuitous);
    if (pkt->kind == NLB_FK_HEARTBEAT)
        h = mix(mix(mix(h, pkt->hb.kind), pkt->hb.num_rules), pkt->hb.conv_state);
    return h;
}

static shape_set frame_shapes;

static void from_capture(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) { fprintf(stderr, "mkseeds: %s: %s\n", path, strerror(errno)); exit(1); }
    static uint8_t blob[16 << 20];
    size_t size = fread(blob, 1, sizeof blob, fp);
    fclose(fp);
    if (size < 24) return;
    uint32_t magic = rd32(blob, 0);
    int swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
    int nsec = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
    if (!swap && magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
        fprintf(stderr, "mkseeds: %s: not a classic pcap, skipped\n", path);
        return;
    }
    unsigned lt = rd32(blob + 20, swap) & 0x0FFFFFFF;
    unsigned sel = lt == NLB_LINK_SLL ? 1 : lt == NLB_LINK_SLL2 ? 2 : 0;
    if (!nlb_linktype_supported((int)lt)) return;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char stem[256];
    snprintf(stem, sizeof stem, "%s", base);
    char *dot = strrchr(stem, '.');
    if (dot) *dot = 0;

    static shape_set local;
    memset(&local, 0, sizeof local);
    static nlb_packet pkt;
    scen_begin((uint8_t)(sel | TRK_CFG_EPOCH));
    int64_t prev = -1;
    unsigned i = 0;
    for (size_t off = 24; off + 16 <= size; i++) {
        uint32_t sec = rd32(blob + off, swap), frac = rd32(blob + off + 4, swap);
        uint32_t incl = rd32(blob + off + 8, swap), orig = rd32(blob + off + 12, swap);
        if (incl > size - off - 16) break;
        const uint8_t *d = blob + off + 16;
        int64_t ts = (int64_t)sec * 1000000 + (nsec ? frac / 1000 : frac);
        off += 16 + incl;
        nlb_packet_decode((int)lt, d, incl, orig, &pkt);
        uint64_t shape = frame_shape(&pkt);
        char name[300];
        snprintf(name, sizeof name, "%s-%u", stem, i + 1);
        if (shape_seen(&frame_shapes, shape) == 0) {
            put_frame(name, sel | (orig > incl ? 4u : 0u), d, incl);
            if (pkt.kind == NLB_FK_HEARTBEAT || pkt.kind == NLB_FK_FOREIGN_886F)
                put("heartbeat", name, pkt.l3, pkt.l3_len);
        }
        if (shape_seen(&local, shape) >= 4 || scen_len + TRK_FRAME_HDR + incl > 32768)
            continue;
        /* the tracker seed keeps the capture's rhythm as well as one byte can say it */
        int64_t gap = prev < 0 ? 0 : ts - prev;
        uint8_t dt = gap < 2000000 ? (uint8_t)(gap / 10000) : gap / 1000000 > 56 ? 255 : (uint8_t)(199 + gap / 1000000);
        scen_add(dt, d, incl);
        prev = ts;
    }
    scen_end(stem);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: mkseeds OUTDIR [CAPTURE.pcap...]\n");
        return 2;
    }
    outdir = argv[1];
    const char *dirs[] = { "", "/heartbeat", "/tlv", "/frame", "/tracker", "/rules" };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s%s", outdir, dirs[i]);
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "mkseeds: %s: %s\n", path, strerror(errno));
            return 1;
        }
    }
    for (int i = 2; i < argc; i++)
        from_capture(argv[i]);
    synth_heartbeats();
    synth_frames();
    synth_tracker();
    synth_rules();
    printf("mkseeds: %zu files, %zu bytes in %s\n", files_written, bytes_written, outdir);
    return 0;
}
