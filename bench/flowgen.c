/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbflowgen: the flow-heavy benchmark capture. nlbgen's bench scenario spends ~10 frames on
 * each client flow (handshake, request, response, close), so the flow table is touched by one
 * new flow every ~10 frames; here every flow is one request and its reply (TCP SYN + SYN-ACK,
 * or a UDP datagram and its answer), so >= 1 frame in 3 opens a flow and the table's cache
 * misses dominate. Also: heartbeats of the hosts (1 s), background UDP between other servers.
 * Frames are built only with the library's encoders; the reply comes from the host the
 * library's emulation names as owner, so nlbreplay sees a healthy cluster, not a mess. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <nlbproto/nlbproto.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEC 1000000LL
#define MAXH 8
#define FIFO 4096 /* replies in flight: flows start every ~80 us and are answered within 2 ms */

typedef struct {
    uint8_t prio, src[6];
    uint32_t dip, code_seed;
} host;

typedef struct {
    long long due;
    uint32_t cip;
    uint16_t cport, vport;
    uint8_t proto, owner;
    uint16_t len;
} reply;

typedef struct {
    pcap_dumper_t *dump;
    uint8_t buf[1600];
    uint64_t s; /* xorshift state: same seed, same file */
    unsigned long long frames, bytes, flows, replies, bg, hb;
} gen;

static uint64_t rnd(gen *g)
{
    g->s ^= g->s << 13;
    g->s ^= g->s >> 7;
    g->s ^= g->s << 17;
    return g->s;
}

static void emit(gen *g, long long t, size_t len)
{
    if (!len) {
        fprintf(stderr, "nlbflowgen: an encoder refused a frame\n");
        exit(1);
    }
    struct pcap_pkthdr ph;
    ph.ts.tv_sec = (time_t)(t / SEC);
    ph.ts.tv_usec = (suseconds_t)(t % SEC);
    ph.caplen = ph.len = (bpf_u_int32)len;
    pcap_dump((u_char *)g->dump, &ph, g->buf);
    g->frames++;
    g->bytes += len;
}

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t GW[6] = { 0x00, 0x00, 0x5e, 0x00, 0x01, 0x0a };
static const uint16_t PORTS[2] = { 80, 443 };

static uint32_t rule_code(uint16_t start, uint16_t end)
{
    return (uint32_t)start | (uint32_t)end << 12 | 0x61u << 24; /* (guess) encoding, as nlbgen */
}

static void heartbeat(gen *g, const host *h, const nlb_binmap *maps, uint32_t vip, long long t)
{
    nlb_heartbeat hb;
    nlb_hb_init_membership(&hb, vip, h->dip, h->prio);
    hb.num_rules = 3; /* two user rules and the default slot */
    hb.host_code = h->code_seed;
    hb.packets_handled = (uint32_t)g->replies;
    for (unsigned i = 0; i < 3; i++) {
        nlb_hb_rule *ru = &hb.rules[i];
        ru->code = i < 2 ? rule_code(PORTS[i], PORTS[i]) : 0;
        /* the default slot's bins go to the default host (priority 1), as in nlbgen */
        ru->cur_map = i < 2 ? nlb_binmap_mask(&maps[i], h->prio) : h->prio == 1 ? (1ull << 60) - 1 : 0;
        ru->new_map = ru->ready_map = ru->cur_map;
        ru->load_weight = i < 2 ? 100 : 0;
    }
    emit(g, t, nlb_build_heartbeat(g->buf, sizeof g->buf, BCAST, h->src, 0, &hb));
    g->hb++;
}

static void usage(void)
{
    fprintf(stderr, "usage: nlbflowgen [--flows N] [--background N] [--hosts N] [--duration S] [--seed N]\n"
                    "                  -w FILE [--expected FILE]\n"
                    "Defaults: 750000 flows (each a request and its reply), 500000 background UDP frames,\n"
                    "3 hosts, 60 s: ~2M frames, one new VIP flow every 2.7 frames.\n");
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long flows = 750000, bgn = 500000, nh = 3, dur = 60, seed = 19;
    const char *out = NULL, *side = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) usage();
        if (!strcmp(a, "--flows")) flows = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--background")) bgn = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--hosts")) nh = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--duration")) dur = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--seed")) seed = strtoul(v, NULL, 10);
        else if (!strcmp(a, "-w")) out = v;
        else if (!strcmp(a, "--expected")) side = v;
        else usage();
        i++;
    }
    if (!out || nh < 2 || nh > MAXH || dur < 3 || flows > 60000000ul) usage();

    gen g = { .s = seed * 2654435761u + 1 };
    uint32_t vip = 0x0A141E28u; /* 10.20.30.40 */
    uint8_t cmac[6];
    nlb_mac_make(NLB_MAC_UNICAST, vip, 0, cmac);
    nlb_model model;
    nlb_model_init(&model);
    for (unsigned k = 0; k < 2; k++) {
        nlb_port_rule pr;
        memset(&pr, 0, sizeof pr);
        pr.vip = vip;
        pr.start = pr.end = PORTS[k];
        pr.proto = k == 0 ? NLB_RP_TCP : NLB_RP_BOTH;
        pr.mode = NLB_FILTER_MULTIPLE;
        pr.affinity = NLB_AFF_SINGLE;
        pr.equal_load = true;
        nlb_model_add_rule(&model, &pr);
    }
    host h[MAXH];
    uint8_t prios[MAXH], weights[MAXH] = { 0 };
    for (unsigned i = 0; i < nh; i++) {
        h[i].prio = prios[i] = (uint8_t)(i + 1);
        h[i].dip = vip + 1 + i;
        h[i].code_seed = 1329324000u + (uint32_t)(rnd(&g) % 1000);
        nlb_mac_make(NLB_MAC_MASKED, vip, h[i].prio, h[i].src);
    }
    nlb_binmap maps[2];
    for (unsigned k = 0; k < 2; k++) {
        memset(&maps[k], 0, sizeof maps[k]);
        maps[k].bins = model.bins;
        nlb_binmap_assign(&maps[k], prios, weights, nh);
    }

    pcap_t *pd = pcap_open_dead(DLT_EN10MB, 65535);
    FILE *fp = fopen(out, "wb");
    if (!pd || !fp) {
        perror(out);
        return 1;
    }
    static char iobuf[1 << 20];
    setvbuf(fp, iobuf, _IOFBF, sizeof iobuf);
    g.dump = pcap_dump_fopen(pd, fp);
    if (!g.dump) return 1;

    const long long t0 = 1700000000LL * SEC, D = (long long)dur * SEC, win = D - 3 * SEC / 2;
    static reply fifo[FIFO];
    unsigned head = 0, tail = 0;
    long long last_due = 0, next_hb[MAXH];
    for (unsigned i = 0; i < nh; i++) next_hb[i] = 100000 + (long long)i * (SEC / (nh + 1));
    unsigned long fi = 0, bi = 0;
    for (;;) {
        long long t_flow = fi < flows ? SEC / 2 + (long long)((double)win * (double)fi / (double)flows) : -1;
        long long t_bg = bi < bgn ? (long long)((double)D * (double)bi / (double)bgn) + 7 : -1;
        long long t_rep = head != tail ? fifo[head % FIFO].due : -1;
        unsigned hi = 0;
        for (unsigned i = 1; i < nh; i++)
            if (next_hb[i] < next_hb[hi]) hi = i;
        long long t_hb = next_hb[hi] < D ? next_hb[hi] : -1;
        long long t = -1;
        int what = -1;
        long long cand[4] = { t_rep, t_flow, t_hb, t_bg };
        for (int k = 0; k < 4; k++)
            if (cand[k] >= 0 && (t < 0 || cand[k] < t)) t = cand[k], what = k;
        if (what < 0) break;
        if (what == 0) {
            reply *r = &fifo[head++ % FIFO];
            const host *o = &h[r->owner - 1];
            size_t n = r->proto == 6
                ? nlb_build_tcp4(g.buf, sizeof g.buf, GW, o->src, 0, vip, r->cip, r->vport, r->cport,
                                 NLB_TCP_SYN | NLB_TCP_ACK, (uint32_t)rnd(&g), 1, 0)
                : nlb_build_udp4(g.buf, sizeof g.buf, GW, o->src, 0, vip, r->cip, r->vport, r->cport, r->len);
            emit(&g, t0 + t, n);
            g.replies++;
        } else if (what == 1) {
            /* distinct (client, port) per flow: 65521 clients of 198.18.0.0/15, then the next port */
            uint32_t cip = 0xC6120000u + 1 + (uint32_t)((fi * 40503ul) % 65521ul);
            uint16_t cport = (uint16_t)(1024 + fi / 65521ul);
            unsigned pick = (unsigned)(rnd(&g) % 100);
            uint8_t proto = pick < 75 ? 6 : 17;
            uint16_t vport = pick < 45 ? 80 : 443;
            nlb_ipaddr cl = nlb_ipaddr_v4(cip);
            int rule = nlb_model_match(&model, vip, proto, vport);
            unsigned bin = nlb_model_bin(&model, model.rules[rule].affinity, &cl, cport);
            uint16_t len = (uint16_t)(20 + rnd(&g) % 80);
            size_t n = proto == 6
                ? nlb_build_tcp4(g.buf, sizeof g.buf, cmac, GW, 0, cip, vip, cport, vport, NLB_TCP_SYN,
                                 (uint32_t)rnd(&g), 0, 0)
                : nlb_build_udp4(g.buf, sizeof g.buf, cmac, GW, 0, cip, vip, cport, vport, len);
            emit(&g, t0 + t, n);
            g.flows++;
            fi++;
            if (tail - head == FIFO) {
                fprintf(stderr, "nlbflowgen: too many replies in flight\n");
                return 1;
            }
            long long due = t + 200 + (long long)(rnd(&g) % 1800);
            last_due = due > last_due ? due : last_due; /* the FIFO stays in time order */
            fifo[tail++ % FIFO] = (reply){ last_due, cip, cport, vport, proto, maps[rule].owner[bin], len };
        } else if (what == 2) {
            heartbeat(&g, &h[hi], maps, vip, t0 + t);
            next_hb[hi] += SEC + (long long)(rnd(&g) % 20000) - 10000;
        } else {
            /* east-west DNS between ordinary servers: not NLB, not to the VIP */
            unsigned a1 = 10 + (unsigned)(rnd(&g) % 200), a2 = 10 + (unsigned)(rnd(&g) % 200);
            uint8_t m1[6] = { 0x00, 0x50, 0x56, 0x8b, 0x00, (uint8_t)a1 }, m2[6] = { 0x00, 0x50, 0x56, 0x8b, 0x00, (uint8_t)a2 };
            emit(&g, t0 + t, nlb_build_udp4(g.buf, sizeof g.buf, m2, m1, 0, 0x0A142800u + a1, 0x0A142800u + a2,
                                            (uint16_t)(53000 + bi % 1000), 53, 40 + bi % 60));
            g.bg++;
            bi++;
        }
    }
    if (pcap_dump_flush(g.dump) != 0 || ferror(fp)) {
        fprintf(stderr, "nlbflowgen: %s: write error\n", out);
        return 1;
    }
    pcap_dump_close(g.dump);
    pcap_close(pd);
    FILE *sf = side ? fopen(side, "w") : NULL;
    if (side && !sf) {
        perror(side);
        return 1;
    }
    if (sf) {
        fprintf(sf, "{\"generator\": {\"tool\": \"nlbflowgen\", \"flows\": %lu, \"background\": %lu, \"hosts\": %lu, "
                    "\"duration\": %lu, \"seed\": %lu},\n \"counts\": {\"frames\": %llu, \"bytes\": %llu, "
                    "\"vip_flows\": %llu, \"replies\": %llu, \"background\": %llu, \"heartbeats\": %llu}}\n",
                flows, bgn, nh, dur, seed, g.frames, g.bytes, g.flows, g.replies, g.bg, g.hb);
        if (fclose(sf) != 0) return 1;
    }
    return 0;
}
