/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbgen: deterministic NLB scenario captures (pcap) plus the ground truth the generator knows
 * (expected.json). The captures are the tests' fixtures and the users' examples at once, so
 * every frame goes through libnlbproto's encoders and a fixed seed gives byte-identical output
 * on every machine: no rand(), no clock, no allocation that depends on the environment.
 *
 * Ownership (which host answers a flow) uses the library's EMULATION model (owner.h): the
 * Windows hash is not public, so the captures agree with the emulation by construction, not
 * with a real cluster. The expected.json says so too. */
#define _DEFAULT_SOURCE /* pcap.h needs u_int/u_char, hidden by strict C11 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nlbproto/nlbproto.h"

#ifndef NLBGEN_VERSION
#define NLBGEN_VERSION "0.1.0"
#endif

#define SEC 1000000LL
#define MS 1000LL
/* 2026-03-14 05:42:00 UTC: a fixed epoch keeps outputs stable. */
#define EPOCH_S 1773466920LL
#define MAXH NLB_MAX_PRIORITY
#define FRAME_CAP 2048
#define MAX_EVENTS 256

/* ---------------------------------------------------------------- PRNG */

/* splitmix64: tiny, fast and fully specified, so output is identical across libcs. */
typedef struct rng { uint64_t s; } rng;

static uint64_t rnd64(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n); the modulo bias is irrelevant at these sizes and keeps it reproducible. */
static uint64_t rnd_below(rng *r, uint64_t n) { return n ? rnd64(r) % n : 0; }
static int64_t rnd_range(rng *r, int64_t lo, int64_t hi) { return lo + (int64_t)rnd_below(r, (uint64_t)(hi - lo + 1)); }

/* ---------------------------------------------------------------- scenarios and options */

typedef enum sc_kind {
    SC_HEALTHY, SC_INCIDENT, SC_MULTICAST, SC_IGMP, SC_MISCONFIG, SC_LOOKALIKE, SC_BENCH
} sc_kind;

typedef struct preset {
    const char *name;
    sc_kind kind;
    nlb_mode mode;
    const char *vip;
    unsigned hosts, rules, flows;
    double duration;
    const char *desc;
} preset;

static const preset PRESETS[] = {
    { "unicast-healthy", SC_HEALTHY, NLB_MODE_UNICAST, "10.20.30.40", 3, 2, 300, 60,
      "unicast cluster of 3 hosts, 1 s heartbeats, extended heartbeats, client TCP/UDP flows answered by their owners" },
    { "incident", SC_INCIDENT, NLB_MODE_UNICAST, "10.20.30.40", 3, 2, 200, 60,
      "ESXi uplink failover at +30 s: RARP burst without the NLB hosts, host 3 silent 8 s, convergence, unanswered SYNs, 02-BF as source" },
    { "multicast", SC_MULTICAST, NLB_MODE_MULTICAST, "10.20.30.50", 2, 2, 120, 60,
      "multicast cluster of 2 hosts: 03-BF cluster MAC, heartbeats and replies from NIC MACs" },
    { "igmp", SC_IGMP, NLB_MODE_IGMP, "10.20.30.60", 2, 2, 120, 125,
      "IGMP multicast cluster of 2 hosts: 01-00-5E-7F cluster MAC, IGMPv2 reports every 60 s" },
    { "misconfig", SC_MISCONFIG, NLB_MODE_UNICAST, "10.20.30.70", 4, 2, 0, 20,
      "configuration faults: duplicate priority, rule mismatch, two default hosts, a bin owned twice, a bin owned by nobody" },
    { "lookalike", SC_LOOKALIKE, NLB_MODE_UNKNOWN, "0.0.0.0", 0, 0, 0, 60,
      "no NLB at all: SSDP, IGMP, Xbox 0x886F, Docker and lab-router 02-xx MACs, a router GARP, RARP 0.0.0.0" },
    { "bench", SC_BENCH, NLB_MODE_UNICAST, "10.20.30.40", 8, 4, 200000, 120,
      "size knob for benchmarks: heartbeats of 8 hosts, flows with replies, background traffic, GARP/RARP" },
};
#define N_PRESETS (sizeof PRESETS / sizeof PRESETS[0])

typedef struct opts {
    const preset *p;
    nlb_mode mode;
    uint32_t vip;
    unsigned hosts, rules, flows;
    nlb_affinity affinity;
    uint64_t seed;
    nlb_usec duration;
    const char *out, *expected;
} opts;

/* ---------------------------------------------------------------- generator state */

typedef struct ghost {
    uint8_t prio;             /* claimed priority (misconfig: two hosts claim 2) */
    uint8_t slot;             /* 1-based identity inside the generator, key into the bin maps */
    uint32_t dip;
    uint8_t nic[6];           /* own NIC MAC (multicast/IGMP modes) */
    uint8_t src[6];           /* what it sends from: masked MAC (unicast) or NIC MAC */
    uint32_t host_code;
    uint16_t default_id;      /* claimed default host id, 0-based */
    unsigned n_user_rules;
    uint32_t codes[NLB_MAX_RULES];
    uint64_t set_bits[NLB_MAX_RULES], clr_bits[NLB_MAX_RULES]; /* injected map faults */
    char name[32];
    bool joining;             /* rejoining: owns nothing until convergence ends */
    uint32_t packets;
    /* ground truth as emitted */
    uint64_t hb, hb_ext, replies;
    nlb_usec first, last, max_gap, max_gap_at;
    uint8_t last_bins[NLB_MAX_RULES];
} ghost;

typedef struct gflow {
    uint8_t proto;            /* 6 or 17 */
    uint8_t owner;            /* slot of the answering host, 0 = nobody answers */
    uint8_t step, steps;
    uint32_t cip;
    uint16_t cport, vport;
    uint32_t cseq, sseq;
    uint16_t req, resp;
    nlb_usec rtt;
    int next_free;
} gflow;

enum agent_kind { A_HB, A_EXT, A_IGMP, A_SPAWN, A_FLOW, A_ONESHOT, A_BG };

typedef struct agent {
    nlb_usec t;
    uint64_t seq;             /* tie-break: equal times pop in insertion order (deterministic) */
    uint32_t kind, idx;
} agent;

enum oneshot_kind {
    O_PHASE, O_ARP_VIP, O_RARP, O_GARP, O_CLUSTER_SRC, O_SSDP, O_IGMP_JOIN, O_XBOX,
    O_DOCKER, O_LABROUTER, O_RARP_ZERO, O_ROUTER_GARP
};

typedef struct oneshot { uint32_t kind, arg; } oneshot;

typedef struct gevent {
    nlb_usec t;
    const char *kind;
    char detail[160];
} gevent;

typedef struct conv_ep { nlb_usec start, end; char trigger[64]; } conv_ep;

typedef struct gen {
    opts o;
    rng r;
    pcap_dumper_t *dump;
    FILE *fp;
    nlb_usec t0, end;
    uint8_t buf[FRAME_CAP];
    uint8_t cluster_mac[6], gw_mac[6];
    uint32_t gw_ip;
    /* cluster */
    unsigned nh;
    ghost h[MAXH];
    nlb_model model;
    nlb_binmap maps0[NLB_MAX_RULES], maps1[NLB_MAX_RULES], maps2[NLB_MAX_RULES];
    nlb_binmap *cur, *next;
    bool converging;
    /* incident timeline */
    nlb_usec fail_t;
    /* flows */
    gflow *flows;
    int n_flow_slots, free_flow;
    unsigned spawned, answered, unanswered;
    unsigned tcp_flows, udp_flows;
    nlb_usec first_unanswered;
    /* heap */
    agent *heap;
    size_t heap_n, heap_cap;
    uint64_t seq;
    oneshot *shots;
    unsigned n_shots, cap_shots;
    /* truth */
    uint64_t frames, bytes, heartbeats, heartbeats_ext, foreign, garp, rarp, cluster_src, igmp;
    gevent ev[MAX_EVENTS];
    unsigned n_ev;
    conv_ep conv[8];
    unsigned n_conv;
    bool conv_open;
    uint32_t bins_twice_rule, bins_twice_bin, bins_nobody_bin, mismatch_slot;
} gen;

static _Noreturn void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("nlbgen: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p) die(1, "out of memory");
    return p;
}

/* ---------------------------------------------------------------- heap */

static bool agent_before(const agent *a, const agent *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void push(gen *g, nlb_usec t, uint32_t kind, uint32_t idx)
{
    if (g->heap_n == g->heap_cap) {
        g->heap_cap = g->heap_cap ? g->heap_cap * 2 : 256;
        g->heap = realloc(g->heap, g->heap_cap * sizeof *g->heap);
        if (!g->heap) die(1, "out of memory");
    }
    size_t i = g->heap_n++;
    agent a = { t, g->seq++, kind, idx };
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!agent_before(&a, &g->heap[p])) break;
        g->heap[i] = g->heap[p];
        i = p;
    }
    g->heap[i] = a;
}

static agent pop(gen *g)
{
    agent top = g->heap[0];
    agent last = g->heap[--g->heap_n];
    size_t i = 0, n = g->heap_n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && agent_before(&g->heap[c + 1], &g->heap[c])) c++;
        if (!agent_before(&g->heap[c], &last)) break;
        g->heap[i] = g->heap[c];
        i = c;
    }
    if (n) g->heap[i] = last;
    return top;
}

static void shot(gen *g, nlb_usec t, uint32_t kind, uint32_t arg)
{
    if (g->n_shots == g->cap_shots) {
        g->cap_shots = g->cap_shots ? g->cap_shots * 2 : 256;
        g->shots = realloc(g->shots, g->cap_shots * sizeof *g->shots);
        if (!g->shots) die(1, "out of memory");
    }
    g->shots[g->n_shots] = (oneshot){ kind, arg };
    push(g, t, A_ONESHOT, g->n_shots++);
}

/* ---------------------------------------------------------------- output */

static void emit(gen *g, nlb_usec t, size_t len)
{
    if (!len) die(1, "internal: an encoder refused a frame");
    struct pcap_pkthdr ph;
    ph.ts.tv_sec = (time_t)(t / SEC);
    ph.ts.tv_usec = (suseconds_t)(t % SEC);
    ph.caplen = ph.len = (bpf_u_int32)len;
    pcap_dump((u_char *)g->dump, &ph, g->buf);
    g->frames++;
    g->bytes += len;
}

static void add_event(gen *g, nlb_usec t, const char *kind, const char *fmt, ...)
{
    if (g->n_ev >= MAX_EVENTS) return;
    gevent *e = &g->ev[g->n_ev++];
    e->t = t;
    e->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
}

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* The library's UDP encoder writes a zero payload; SSDP needs text, so the payload is copied in
 * and the UDP checksum recomputed here (a library encoder with payload bytes would remove this). */
static size_t udp4_with_payload(gen *g, const uint8_t dst[6], const uint8_t src[6], uint32_t sip, uint32_t dip,
                                uint16_t sport, uint16_t dport, const void *payload, size_t plen)
{
    size_t n = nlb_build_udp4(g->buf, sizeof g->buf, dst, src, 0, sip, dip, sport, dport, plen);
    if (!n) return 0;
    uint8_t *ip = g->buf + 14, *u = ip + 20;
    memcpy(u + 8, payload, plen);
    u[6] = u[7] = 0;
    uint32_t acc = 0;
    for (int i = 12; i < 20; i += 2) acc += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    acc += 17 + (uint32_t)(8 + plen);
    size_t l4 = 8 + plen;
    for (size_t i = 0; i + 1 < l4; i += 2) acc += (uint32_t)(u[i] << 8 | u[i + 1]);
    if (l4 & 1) acc += (uint32_t)u[l4 - 1] << 8;
    while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
    uint16_t c = (uint16_t)~acc;
    put_be16(u + 6, c ? c : 0xFFFF);
    return n;
}

/* ---------------------------------------------------------------- cluster model */

static const uint16_t RULE_PORTS[] = { 80, 443, 25, 53, 110, 143, 993, 995, 1433, 3389, 21, 389, 636, 1723 };

static uint16_t rule_port(unsigned i)
{
    return i < sizeof RULE_PORTS / sizeof RULE_PORTS[0] ? RULE_PORTS[i] : (uint16_t)(1000 + i);
}

/* Rule code per the (guess) encoding start | end << 12 | 0x61 << 24 fitted to the real capture. */
static uint32_t rule_code(uint16_t start, uint16_t end)
{
    return (uint32_t)start | (uint32_t)end << 12 | 0x61u << 24;
}

static uint64_t all_bins(unsigned bins) { return bins >= 64 ? ~0ull : (1ull << bins) - 1; }

/* Current map of one rule slot as host h announces it. The default rule's slot (code 0) has no
 * bins of its own: we let the host that believes it is the default host own all of them, so a
 * naive per-slot partition check still holds in a healthy cluster (our choice, guess). */
static uint64_t host_map(const gen *g, const ghost *h, const nlb_binmap *maps, unsigned slot_i)
{
    unsigned bins = g->model.bins;
    uint64_t m;
    if (slot_i < h->n_user_rules) {
        if (slot_i < g->model.n_rules)
            m = nlb_binmap_mask(&maps[slot_i], h->slot);
        else
            m = all_bins(bins); /* an extra rule only this host has: nobody shares it */
    } else {
        m = (unsigned)h->default_id + 1 == h->prio ? all_bins(bins) : 0;
    }
    m |= h->set_bits[slot_i];
    m &= ~h->clr_bits[slot_i];
    return m;
}

static void build_cluster(gen *g)
{
    const opts *o = &g->o;
    nlb_model_init(&g->model);
    for (unsigned i = 0; i < o->rules; i++) {
        nlb_port_rule pr;
        memset(&pr, 0, sizeof pr);
        pr.vip = o->vip;
        pr.start = pr.end = rule_port(i);
        pr.proto = i == 0 ? NLB_RP_TCP : NLB_RP_BOTH; /* 443 as "both": QUIC flows are covered */
        pr.mode = NLB_FILTER_MULTIPLE;
        pr.affinity = o->affinity;
        pr.equal_load = true;
        if (!nlb_model_add_rule(&g->model, &pr)) die(2, "--rules: at most 32 user rules");
    }
    g->nh = o->hosts;
    uint8_t prios[MAXH], weights[MAXH];
    for (unsigned i = 0; i < g->nh; i++) {
        ghost *h = &g->h[i];
        memset(h, 0, sizeof *h);
        h->slot = h->prio = (uint8_t)(i + 1);
        h->dip = o->vip + 1 + i;
        /* Hyper-V OUI: the NIC MAC a multicast-mode host really sends from */
        uint8_t nic[6] = { 0x00, 0x15, 0x5d, (uint8_t)(o->vip >> 8), (uint8_t)o->vip, (uint8_t)(i + 1) };
        memcpy(h->nic, nic, 6);
        if (o->mode == NLB_MODE_UNICAST)
            nlb_mac_make(NLB_MAC_MASKED, o->vip, h->prio, h->src);
        else
            memcpy(h->src, nic, 6);
        /* differs per host by design (real capture: 1329324853 vs 1329324767) */
        h->host_code = 1329324000u + (uint32_t)rnd_below(&g->r, 1000);
        h->n_user_rules = o->rules;
        for (unsigned k = 0; k < o->rules; k++)
            h->codes[k] = rule_code(g->model.rules[k].start, g->model.rules[k].end);
        snprintf(h->name, sizeof h->name, "NLBWEB%02u", i + 1);
        h->first = -1;
        prios[i] = h->slot;
        weights[i] = 0;
    }
    for (unsigned k = 0; k < g->model.n_rules; k++) {
        memset(&g->maps0[k], 0, sizeof g->maps0[k]);
        g->maps0[k].bins = g->model.bins;
        nlb_binmap_assign(&g->maps0[k], prios, weights, g->nh);
    }
    g->cur = g->next = g->maps0;
}

/* ---------------------------------------------------------------- frames */

static void send_heartbeat(gen *g, ghost *h, nlb_usec t)
{
    nlb_heartbeat hb;
    nlb_hb_init_membership(&hb, g->o.vip, h->dip, h->prio);
    hb.default_host_id = h->default_id;
    hb.conv_state = g->converging ? NLB_CONV_CONVERGING : NLB_CONV_NORMAL; /* (guess) values */
    hb.num_rules = (uint16_t)(h->n_user_rules + 1); /* user rules + default slot (guess) */
    hb.host_code = h->host_code;
    hb.packets_handled = h->packets;
    for (unsigned i = 0; i <= h->n_user_rules; i++) {
        nlb_hb_rule *ru = &hb.rules[i];
        ru->code = i < h->n_user_rules ? h->codes[i] : 0;
        ru->cur_map = h->joining ? 0 : host_map(g, h, g->cur, i);
        ru->new_map = host_map(g, h, g->next, i);
        ru->idle_map = 0;          /* meaning unknown: left clear */
        ru->ready_map = ru->new_map;
        ru->load_weight = i < h->n_user_rules ? 100 : 0; /* equal load (guess) */
        h->last_bins[i] = (uint8_t)nlb_map_count(ru->cur_map);
    }
    const uint8_t *dst = g->o.mode == NLB_MODE_UNICAST ? BCAST : g->cluster_mac;
    emit(g, t, nlb_build_heartbeat(g->buf, sizeof g->buf, dst, h->src, 0, &hb));
    g->heartbeats++;
    h->hb++;
    if (h->first < 0) h->first = t;
    else if (t - h->last > h->max_gap) { h->max_gap = t - h->last; h->max_gap_at = t; }
    h->last = t;
    if (g->converging) {
        if (!g->conv_open) {
            g->conv_open = true;
            g->conv[g->n_conv].start = t;
        }
    } else if (g->conv_open) {
        g->conv_open = false;
        g->conv[g->n_conv++].end = t;
    }
}

static void send_extended(gen *g, ghost *h, nlb_usec t)
{
    nlb_heartbeat hb;
    memset(&hb, 0, sizeof hb);
    hb.kind = NLB_HB_EXTENDED;
    hb.signature = NLB_SIG_EXTENDED;
    hb.version = 0x206;
    hb.priority = h->prio;
    hb.cluster_ip = g->o.vip;
    hb.dedicated_ip = h->dip;
    snprintf(hb.host_name, sizeof hb.host_name, "%s", h->name);
    hb.n_addrs = 1;
    hb.addrs[0] = nlb_ipaddr_v4(h->dip);
    const uint8_t *dst = g->o.mode == NLB_MODE_UNICAST ? BCAST : g->cluster_mac;
    emit(g, t, nlb_build_heartbeat(g->buf, sizeof g->buf, dst, h->src, 0, &hb));
    g->heartbeats_ext++;
    h->hb_ext++;
}

static void send_arp(gen *g, nlb_usec t, const uint8_t dst[6], const uint8_t src[6], uint16_t op,
                     const uint8_t sha[6], uint32_t spa, const uint8_t tha[6], uint32_t tpa, bool rarp)
{
    nlb_arp a;
    memset(&a, 0, sizeof a);
    a.op = op;
    memcpy(a.sha, sha, 6);
    a.spa = spa;
    memcpy(a.tha, tha, 6);
    a.tpa = tpa;
    a.rarp = rarp;
    emit(g, t, nlb_build_arp(g->buf, sizeof g->buf, dst, src, 0, &a));
    if (rarp) g->rarp++;
    else if (spa == tpa && spa != 0) g->garp++;
}

/* Gateway asks for the VIP; every host answers. In unicast mode the Ethernet source is the masked
 * MAC while the ARP payload names 02-BF-VIP; in multicast/IGMP modes the NIC MAC sends and the
 * payload names the multicast cluster MAC. */
static void arp_for_vip(gen *g, nlb_usec t)
{
    static const uint8_t zero[6] = { 0 };
    send_arp(g, t, BCAST, g->gw_mac, NLB_ARP_REQUEST, g->gw_mac, g->gw_ip, zero, g->o.vip, false);
    for (unsigned i = 0; i < g->nh; i++) {
        ghost *h = &g->h[i];
        send_arp(g, t + 150 + 40 * (nlb_usec)i, g->gw_mac, h->src, NLB_ARP_REPLY, g->cluster_mac, g->o.vip,
                 g->gw_mac, g->gw_ip, false);
    }
}

static ghost *slot_host(gen *g, uint8_t slot)
{
    return slot >= 1 && slot <= g->nh ? &g->h[slot - 1] : NULL;
}

/* One step of a client flow; returns the delay to its next step, or -1 when it is done. */
static nlb_usec flow_step(gen *g, gflow *f, nlb_usec t)
{
    ghost *h = slot_host(g, f->owner);
    const uint8_t *to_cluster = g->cluster_mac;
    uint32_t vip = g->o.vip;
    size_t n = 0;
    nlb_usec half = f->rtt / 2;
    if (f->proto == 17) {
        bool from_client = (f->step & 1) == 0;
        if (from_client)
            n = nlb_build_udp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport, f->req);
        else
            n = nlb_build_udp4(g->buf, sizeof g->buf, g->gw_mac, h->src, 0, vip, f->cip, f->vport, f->cport, f->resp);
        emit(g, t, n);
        if (!from_client) { h->packets++; h->replies++; }
        if (++f->step >= f->steps) return -1;
        return from_client ? half + 300 : half + 20 * MS;
    }
    if (!h) {
        /* unanswered: the SYN and its retransmissions after 1, 2 and 4 s */
        emit(g, t, nlb_build_tcp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport,
                                  NLB_TCP_SYN, f->cseq, 0, 0));
        static const nlb_usec backoff[] = { 1 * SEC, 2 * SEC, 4 * SEC };
        if (f->step >= 3) return -1;
        return backoff[f->step++];
    }
    const uint8_t A = NLB_TCP_ACK, S = NLB_TCP_SYN, F = NLB_TCP_FIN, P = 0x08;
    uint32_t c = f->cseq, s = f->sseq;
    switch (f->step++) {
    case 0: n = nlb_build_tcp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport, S, c, 0, 0); break;
    case 1: n = nlb_build_tcp4(g->buf, sizeof g->buf, g->gw_mac, h->src, 0, vip, f->cip, f->vport, f->cport, S | A, s, c + 1, 0); break;
    case 2: n = nlb_build_tcp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport, A, c + 1, s + 1, 0); break;
    case 3: n = nlb_build_tcp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport, P | A, c + 1, s + 1, f->req); break;
    case 4: n = nlb_build_tcp4(g->buf, sizeof g->buf, g->gw_mac, h->src, 0, vip, f->cip, f->vport, f->cport, P | A, s + 1, c + 1 + f->req, f->resp); break;
    case 5: n = nlb_build_tcp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport, F | A, c + 1 + f->req, s + 1 + f->resp, 0); break;
    case 6: n = nlb_build_tcp4(g->buf, sizeof g->buf, g->gw_mac, h->src, 0, vip, f->cip, f->vport, f->cport, F | A, s + 1 + f->resp, c + 2 + f->req, 0); break;
    default: n = nlb_build_tcp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport, A, c + 2 + f->req, s + 2 + f->resp, 0); break;
    }
    emit(g, t, n);
    unsigned st = f->step; /* the step just sent is st - 1 */
    if (st == 2 || st == 5 || st == 7) { h->packets++; h->replies++; }
    switch (st) {
    case 1: return half;                  /* SYN travels to the host */
    case 2: return f->rtt - half;         /* SYN-ACK back, ACK out */
    case 3: return 200;                   /* request right after the ACK */
    case 4: return f->rtt + 2 * MS;       /* server thinks a little */
    case 5: return half + 5 * MS;         /* client closes */
    case 6: return half;
    case 7: return f->rtt - half;
    default: return -1;
    }
}

static uint32_t client_ip(gen *g, unsigned idx)
{
    /* 254 addresses in each of TEST-NET-2 and TEST-NET-3; distinct (client, port) per flow index */
    unsigned k = (unsigned)((idx / 16384u) * 37u + (uint32_t)(rnd64(&g->r) % 508u)) % 508u;
    uint32_t base = k < 254 ? 0xC6336400u /* 198.51.100.0 */ : 0xCB007100u /* 203.0.113.0 */;
    return base + 1 + (k % 254);
}

/* t is relative to the capture start, like every heap time */
static void spawn_flow(gen *g, nlb_usec t, bool unanswered)
{
    if (g->free_flow < 0) {
        int old = g->n_flow_slots;
        g->n_flow_slots = old ? old * 2 : 1024;
        g->flows = realloc(g->flows, (size_t)g->n_flow_slots * sizeof *g->flows);
        if (!g->flows) die(1, "out of memory");
        for (int i = g->n_flow_slots - 1; i >= old; i--) {
            g->flows[i].next_free = g->free_flow;
            g->free_flow = i;
        }
    }
    int fi = g->free_flow;
    gflow *f = &g->flows[fi];
    g->free_flow = f->next_free;
    memset(f, 0, sizeof *f);
    unsigned idx = g->spawned++;
    f->cip = client_ip(g, idx);
    f->cport = (uint16_t)(49152 + idx % 16384);
    unsigned pick = (unsigned)rnd_below(&g->r, 100);
    if (unanswered || pick < 45) { f->proto = 6; f->vport = 80; }
    else if (pick < 75) { f->proto = 6; f->vport = 443; }
    else { f->proto = 17; f->vport = 443; }
    f->rtt = rnd_range(&g->r, 8 * MS, 60 * MS);
    f->cseq = (uint32_t)rnd64(&g->r);
    f->sseq = (uint32_t)rnd64(&g->r);
    /* small payloads keep the bundled captures well under 1 MB */
    f->req = (uint16_t)rnd_range(&g->r, 60, 300);
    f->resp = (uint16_t)rnd_range(&g->r, 100, 500);
    f->steps = f->proto == 17 ? (uint8_t)(2 * rnd_range(&g->r, 1, 3)) : 8;
    if (f->proto == 6) g->tcp_flows++;
    else g->udp_flows++;
    if (unanswered) {
        f->owner = 0;
    } else {
        nlb_ipaddr cl = nlb_ipaddr_v4(f->cip);
        int rule = nlb_model_match(&g->model, g->o.vip, f->proto, f->vport);
        if (rule < 0) {
            f->owner = 1; /* uncovered: the default host, priority 1 in these scenarios */
        } else {
            /* the EMULATION's bin (owner.h), owner read from the current maps */
            unsigned bin = nlb_model_bin(&g->model, g->model.rules[rule].affinity, &cl, f->cport);
            f->owner = g->cur[rule].owner[bin];
        }
    }
    if (f->owner) g->answered++;
    else {
        g->unanswered++;
        if (!g->first_unanswered) g->first_unanswered = g->t0 + t;
    }
    push(g, t, A_FLOW, (uint32_t)fi);
}

/* ---------------------------------------------------------------- lookalike frames */

static const uint8_t MAC_PI[6] = { 0xb8, 0x27, 0xeb, 0x12, 0x34, 0x56 };
static const uint8_t MAC_TV[6] = { 0x00, 0x09, 0xdf, 0x6a, 0x11, 0x02 };
static const uint8_t MAC_DOCKER[6] = { 0x02, 0x42, 0xc0, 0xa8, 0x02, 0x45 };
static const uint8_t MAC_LAB[6] = { 0x02, 0x01, 0x00, 0x01, 0x00, 0x00 };
static const uint8_t MAC_ROUTER[6] = { 0x00, 0x1b, 0x21, 0x3a, 0x4c, 0x5e };
static const uint8_t MAC_XBOX[6] = { 0x7c, 0xed, 0x8d, 0x41, 0x07, 0x33 };
static const uint8_t MAC_SSDP[6] = { 0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa };

static void send_ssdp(gen *g, nlb_usec t, unsigned dev, unsigned k)
{
    static const char *nt[] = { "upnp:rootdevice", "urn:schemas-upnp-org:device:MediaRenderer:1",
                                "urn:dial-multiscreen-org:service:dial:1" };
    char msg[400];
    int n = snprintf(msg, sizeof msg,
                     "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n"
                     "LOCATION: http://192.168.2.%u:49152/desc.xml\r\nNT: %s\r\nNTS: ssdp:alive\r\n"
                     "USN: uuid:4d696e69-444c-164e-9d41-%012u::%s\r\n\r\n",
                     dev ? 31u : 20u, nt[k % 3], dev + 1, nt[k % 3]);
    emit(g, t, udp4_with_payload(g, MAC_SSDP, dev ? MAC_TV : MAC_PI, dev ? 0xC0A8021Fu : 0xC0A80214u,
                                 0xEFFFFFFAu, 1900, 1900, msg, (size_t)n));
}

static void send_xbox(gen *g, nlb_usec t, unsigned k)
{
    size_t h = nlb_build_eth(g->buf, sizeof g->buf, BCAST, MAC_XBOX, 0, NLB_ETHERTYPE);
    uint8_t *p = g->buf + h;
    memset(p, 0, 46);
    memcpy(p, "XBOX", 4);
    p[4] = 0x01;
    p[5] = (uint8_t)k;
    emit(g, t, h + 46);
    g->foreign++;
}

/* ---------------------------------------------------------------- scenario timelines */

/* Phases of the incident, fired as one-shots so heartbeats after them see the new state. */
enum { PH_CONV1, PH_STABLE1, PH_BACK, PH_STABLE2 };

static void incident_phase(gen *g, unsigned ph, nlb_usec t)
{
    ghost *h3 = &g->h[2];
    uint8_t prios[MAXH], weights[MAXH] = { 0 };
    size_t n;
    switch (ph) {
    case PH_CONV1:
        /* host 3's bins go to the survivors: fewest moves (emulated assignment) */
        n = 0;
        for (unsigned i = 0; i < g->nh; i++)
            if (&g->h[i] != h3) prios[n++] = g->h[i].slot;
        for (unsigned k = 0; k < g->model.n_rules; k++) {
            g->maps1[k] = g->maps0[k];
            nlb_binmap_assign(&g->maps1[k], prios, weights, n);
        }
        g->cur = g->next = g->maps1;
        g->converging = true;
        break;
    case PH_STABLE1:
        g->converging = false;
        break;
    case PH_BACK:
        for (unsigned i = 0; i < g->nh; i++) prios[i] = g->h[i].slot;
        for (unsigned k = 0; k < g->model.n_rules; k++) {
            g->maps2[k] = g->maps1[k];
            nlb_binmap_assign(&g->maps2[k], prios, weights, g->nh);
        }
        g->next = g->maps2;
        h3->joining = true;
        g->converging = true;
        add_event(g, t, "host_back", "host 3 heartbeats again after %.1f s of silence", (double)(t - h3->last) / SEC);
        break;
    case PH_STABLE2:
        g->cur = g->maps2;
        h3->joining = false;
        g->converging = false;
        break;
    }
}

static void do_oneshot(gen *g, const oneshot *s, nlb_usec t)
{
    static const uint8_t zero[6] = { 0 };
    switch (s->kind) {
    case O_PHASE: incident_phase(g, s->arg, t); break;
    case O_ARP_VIP: arp_for_vip(g, t); break;
    case O_RARP: {
        /* ESXi "Notify Switches": RARP request from the VM's MAC, about itself */
        uint8_t vm[6] = { 0x00, 0x50, 0x56, 0x8a, (uint8_t)(0x10 + s->arg / 256), (uint8_t)(s->arg * 7 + 3) };
        send_arp(g, t, BCAST, vm, NLB_RARP_REQUEST, vm, 0, vm, 0, true);
        break;
    }
    case O_GARP: {
        uint8_t vm[6] = { 0x00, 0x50, 0x56, 0x8b, (uint8_t)(s->arg >> 8), (uint8_t)s->arg };
        uint32_t ip = 0x0A142800u + 10 + s->arg % 200; /* 10.20.40.x servers */
        send_arp(g, t, BCAST, vm, NLB_ARP_REQUEST, vm, ip, zero, ip, false);
        break;
    }
    case O_CLUSTER_SRC: {
        /* NetBIOS broadcast leaving with the unmasked cluster MAC: the switch learns 02-BF */
        uint32_t bcast = g->o.vip | 0xFFu;
        emit(g, t, nlb_build_udp4(g->buf, sizeof g->buf, BCAST, g->cluster_mac, 0, g->o.vip, bcast, 137, 137, 50));
        g->cluster_src++;
        add_event(g, t, "cluster_mac_as_source", "frame from the unicast cluster MAC 02-BF (NetBIOS broadcast from the VIP)");
        break;
    }
    case O_SSDP: send_ssdp(g, t, s->arg & 1, s->arg >> 1); break;
    case O_IGMP_JOIN: {
        const uint8_t *mac = s->arg ? MAC_TV : MAC_PI;
        emit(g, t, nlb_build_igmp_report(g->buf, sizeof g->buf, mac, s->arg ? 0xC0A8021Fu : 0xC0A80214u, 0xEFFFFFFAu));
        g->igmp++;
        break;
    }
    case O_XBOX: send_xbox(g, t, s->arg); break;
    case O_DOCKER:
        /* Docker: 02-42-<own IPv4>, application datagrams to a server behind the router */
        emit(g, t, nlb_build_udp4(g->buf, sizeof g->buf, MAC_ROUTER, MAC_DOCKER, 0, 0xC0A80245u, 0xC0A8020Au,
                                  (uint16_t)(40000 + s->arg), 9999, 40));
        break;
    case O_LABROUTER:
        send_arp(g, t, BCAST, MAC_LAB, NLB_ARP_REQUEST, MAC_LAB, 0xC0A802FEu, zero, 0xC0A80200u + 20 + s->arg % 40, false);
        break;
    case O_ROUTER_GARP:
        send_arp(g, t, BCAST, MAC_ROUTER, NLB_ARP_REQUEST, MAC_ROUTER, 0xC0A80201u, zero, 0xC0A80201u, false);
        break;
    case O_RARP_ZERO: {
        static const uint8_t vm[6] = { 0x00, 0x0c, 0x29, 0x5f, 0x10, 0x77 };
        send_arp(g, t, BCAST, vm, NLB_RARP_REQUEST, vm, 0, vm, 0, true);
        break;
    }
    }
}

static void schedule(gen *g)
{
    const opts *o = &g->o;
    sc_kind k = o->p->kind;
    nlb_usec D = o->duration;

    if (k == SC_LOOKALIKE) {
        for (unsigned i = 0; i < 2; i++) {
            shot(g, 200 * MS + i * 300 * MS, O_IGMP_JOIN, i);
            for (nlb_usec t = SEC + i * 700 * MS; t < D; t += 10 * SEC)
                for (unsigned m = 0; m < 3; m++)
                    shot(g, t + m * 30 * MS, O_SSDP, (m + (unsigned)(t / SEC)) << 1 | i);
            shot(g, 31 * SEC + i * 250 * MS, O_IGMP_JOIN, i);
        }
        unsigned x = 0;
        for (nlb_usec t = 2500 * MS; t < D; t += 5 * SEC) shot(g, t, O_XBOX, x++);
        unsigned d = 0;
        for (nlb_usec t = 3300 * MS; t < D; t += 7 * SEC) shot(g, t, O_DOCKER, d++);
        unsigned l = 0;
        for (nlb_usec t = 4100 * MS; t < D; t += 11 * SEC) shot(g, t, O_LABROUTER, l++);
        shot(g, 17 * SEC + 123 * MS, O_ROUTER_GARP, 0);
        shot(g, 42 * SEC + 7 * MS, O_RARP_ZERO, 0);
        return;
    }

    /* heartbeats: phase-shifted per host so they do not all land on one instant */
    for (unsigned i = 0; i < g->nh; i++) {
        nlb_usec ph = 100 * MS + (nlb_usec)i * (1000 * MS / (g->nh + 1)) + rnd_range(&g->r, 0, 50 * MS);
        push(g, ph, A_HB, i);
        if (k == SC_HEALTHY || k == SC_BENCH)
            push(g, ph + 5 * SEC + 20 * MS, A_EXT, i);
        if (o->mode == NLB_MODE_IGMP)
            push(g, ph + 300 * MS, A_IGMP, i);
    }
    shot(g, 50 * MS, O_ARP_VIP, 0);
    if (k == SC_BENCH) {
        for (nlb_usec t = 30 * SEC; t < D; t += 30 * SEC) shot(g, t, O_ARP_VIP, 0);
        unsigned n = 0;
        for (nlb_usec t = 5 * SEC; t < D; t += 5 * SEC) shot(g, t + 17 * MS, O_GARP, n++);
        for (nlb_usec t = 45 * SEC; t < D; t += 60 * SEC)
            for (unsigned vm = 0; vm < 10; vm++)
                for (unsigned r = 0; r < 3; r++)
                    shot(g, t + vm * 20 * MS + r * 150 * MS, O_RARP, 100 + vm);
        push(g, 0, A_BG, 0);
    }
    if (k == SC_INCIDENT) {
        nlb_usec T = g->fail_t = 30 * SEC;
        for (unsigned vm = 0; vm < 20; vm++)
            for (unsigned r = 0; r < 3; r++)
                shot(g, T + vm * 25 * MS + r * 180 * MS, O_RARP, vm);
        add_event(g, g->t0 + T, "failover_burst", "RARP from 20 VM MACs within 1 s; none of the %u NLB hosts announced", g->nh);
        shot(g, T + 2 * SEC, O_CLUSTER_SRC, 0);
        shot(g, T + 5 * SEC, O_PHASE, PH_CONV1);
        shot(g, T + 7 * SEC, O_PHASE, PH_STABLE1);
        shot(g, T + 8 * SEC, O_PHASE, PH_BACK);
        shot(g, T + 10 * SEC, O_PHASE, PH_STABLE2);
    }
    if (o->flows && k != SC_MISCONFIG)
        push(g, 500 * MS, A_SPAWN, 0);
}

static void run(gen *g)
{
    const opts *o = &g->o;
    sc_kind k = o->p->kind;
    nlb_usec D = o->duration;
    /* flows spawn over [0.5 s, D - tail) so that every one completes inside the capture */
    nlb_usec tail = k == SC_INCIDENT ? 8 * SEC : 2 * SEC;
    nlb_usec window = D - tail - 500 * MS;
    nlb_usec mean = o->flows ? window / o->flows : SEC;
    if (mean < 1) mean = 1;
    nlb_usec slot = mean;
    nlb_usec bg_gap = o->flows ? (nlb_usec)(mean / 3 > 0 ? mean / 3 : 1) : SEC;
    unsigned bg_n = 0;

    while (g->heap_n) {
        agent a = pop(g);
        if (a.t >= D) continue; /* nothing is emitted at or after the end */
        nlb_usec t = a.t;
        nlb_usec abs = g->t0 + t;
        switch (a.kind) {
        case A_HB: {
            ghost *h = &g->h[a.idx];
            if (k == SC_INCIDENT && a.idx == 2 && t >= g->fail_t && t < g->fail_t + 8 * SEC) {
                /* host 3 silent from T for 8 s; it comes back exactly at T + 8 s (PH_BACK) */
                add_event(g, h->last, "host_silent", "host 3: no heartbeat for %.1f s (> 5 x 1 s period)",
                          (double)(g->t0 + g->fail_t + 8 * SEC - h->last) / SEC);
                push(g, g->fail_t + 8 * SEC, A_HB, a.idx);
                break;
            }
            send_heartbeat(g, h, abs);
            nlb_usec period = g->converging ? 500 * MS : SEC;
            push(g, t + period + rnd_range(&g->r, -10 * MS, 10 * MS), A_HB, a.idx);
            break;
        }
        case A_EXT: {
            ghost *h = &g->h[a.idx];
            send_extended(g, h, abs);
            push(g, t + 10 * SEC, A_EXT, a.idx);
            break;
        }
        case A_IGMP: {
            ghost *h = &g->h[a.idx];
            uint32_t group = 0xEFFF0000u | (o->vip & 0xFFFFu); /* 239.255.v3.v4 */
            emit(g, abs, nlb_build_igmp_report(g->buf, sizeof g->buf, h->nic, o->vip, group));
            g->igmp++;
            push(g, t + 60 * SEC, A_IGMP, a.idx);
            break;
        }
        case A_SPAWN: {
            /* stratified: flow i starts somewhere in slot i of the window, so exactly --flows
             * flows fit and they spread evenly over the capture */
            bool unanswered = false;
            if (k == SC_INCIDENT && t >= g->fail_t - SEC)
                unanswered = true; /* from T on nothing answers; see the shift below */
            spawn_flow(g, t, unanswered);
            unsigned i = a.idx + 1;
            if (i >= o->flows) break;
            nlb_usec nt = 500 * MS + (nlb_usec)((double)window * i / o->flows) + rnd_range(&g->r, 0, slot - 1);
            /* flows due in the last second before T move after it: no answered flow spans T */
            if (k == SC_INCIDENT && nt >= g->fail_t - SEC && nt < g->fail_t) nt += SEC;
            push(g, nt > t ? nt : t, A_SPAWN, i);
            break;
        }
        case A_FLOW: {
            gflow *f = &g->flows[a.idx];
            nlb_usec d = flow_step(g, f, abs);
            if (d >= 0) push(g, t + d, A_FLOW, a.idx);
            else { f->next_free = g->free_flow; g->free_flow = (int)a.idx; }
            break;
        }
        case A_ONESHOT: {
            oneshot *s = &g->shots[a.idx];
            do_oneshot(g, s, abs);
            break;
        }
        case A_BG: {
            /* east-west traffic between ordinary servers: not NLB, not to the VIP */
            unsigned a1 = 10 + (unsigned)rnd_below(&g->r, 200), a2 = 10 + (unsigned)rnd_below(&g->r, 200);
            uint8_t m1[6] = { 0x00, 0x50, 0x56, 0x8b, 0x00, (uint8_t)a1 }, m2[6] = { 0x00, 0x50, 0x56, 0x8b, 0x00, (uint8_t)a2 };
            uint32_t s1 = 0x0A142800u + a1, s2 = 0x0A142800u + a2;
            if (bg_n++ & 1)
                emit(g, abs, nlb_build_tcp4(g->buf, sizeof g->buf, m2, m1, 0, s1, s2, (uint16_t)(50000 + bg_n % 10000), 445,
                                            NLB_TCP_ACK | 0x08, bg_n * 1000u, bg_n * 7u, 100 + bg_n % 1200));
            else
                emit(g, abs, nlb_build_udp4(g->buf, sizeof g->buf, m2, m1, 0, s1, s2, 53000, 53, 60));
            push(g, t + rnd_range(&g->r, 1, 2 * bg_gap), A_BG, 0);
            break;
        }
        }
    }
    if (g->conv_open) g->conv[g->n_conv++].end = 0;
}

/* ---------------------------------------------------------------- expected.json */

static void jtime(FILE *f, nlb_usec t)
{
    fprintf(f, "%lld.%06lld", (long long)(t / SEC), (long long)(t % SEC));
}

static void jdur(FILE *f, nlb_usec d)
{
    fprintf(f, "%.6f", (double)d / SEC);
}

static const char *mode_key(nlb_mode m)
{
    switch (m) {
    case NLB_MODE_UNICAST: return "unicast";
    case NLB_MODE_MULTICAST: return "multicast";
    case NLB_MODE_IGMP: return "igmp";
    default: return "unknown";
    }
}

static const char *aff_key(nlb_affinity a)
{
    return a == NLB_AFF_NONE ? "none" : a == NLB_AFF_CLASSC ? "classc" : "single";
}

static int ev_cmp(const void *a, const void *b)
{
    const gevent *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

typedef struct jdiag { int code; const char *severity; nlb_usec t; char detail[200]; } jdiag;

static void write_expected(gen *g, FILE *f)
{
    const opts *o = &g->o;
    sc_kind k = o->p->kind;
    char ip[16], ip2[16], mac[18];
    fprintf(f, "{\n  \"schema\": 1,\n");
    fprintf(f, "  \"generator\": {\"name\": \"nlbgen\", \"version\": \"%s\", \"scenario\": \"%s\", \"seed\": %" PRIu64
               ", \"epoch\": %lld, \"duration\": %.1f,\n"
               "    \"hosts\": %u, \"rules\": %u, \"flows\": %u,\n"
               "    \"note\": \"ground truth known to the generator; ownership follows the emulation model (owner.h), not the Windows hash\"},\n",
            NLBGEN_VERSION, o->p->name, o->seed, (long long)EPOCH_S, (double)o->duration / SEC, o->hosts, o->rules, o->flows);
    fprintf(f, "  \"model\": {\"name\": \"emulation\", \"bins\": %u, \"hash\": \"%s\", \"affinity\": \"%s\", \"note\": \"not the Windows hash\"},\n",
            g->model.bins, g->model.hash_name ? g->model.hash_name : "?", aff_key(o->affinity));
    fprintf(f, "  \"counts\": {\"frames\": %" PRIu64 ", \"heartbeats\": %" PRIu64 ", \"heartbeats_extended\": %" PRIu64
               ", \"foreign_886f\": %" PRIu64 ", \"garp\": %" PRIu64 ", \"rarp\": %" PRIu64
               ", \"cluster_mac_as_source\": %" PRIu64 ", \"vip_flows\": %u, \"igmp_reports\": %" PRIu64 "},\n",
            g->frames, g->heartbeats, g->heartbeats_ext, g->foreign, g->garp, g->rarp, g->cluster_src, g->spawned, g->igmp);
    fprintf(f, "  \"flows_summary\": {\"tcp\": %u, \"udp\": %u, \"answered\": %u, \"unanswered\": %u", g->tcp_flows,
            g->udp_flows, g->answered, g->unanswered);
    if (g->unanswered) {
        fprintf(f, ", \"first_unanswered\": ");
        jtime(f, g->first_unanswered);
    }
    fprintf(f, ", \"replies_by_host\": {");
    for (unsigned i = 0; i < g->nh; i++)
        fprintf(f, "%s\"%u\": %" PRIu64, i ? ", " : "", g->h[i].slot, g->h[i].replies);
    fprintf(f, "}},\n");

    /* clusters */
    fprintf(f, "  \"clusters\": [");
    if (g->nh) {
        fprintf(f, "{\n    \"vip\": \"%s\", \"mode\": \"%s\", \"cluster_mac\": \"%s\",\n", nlb_ip4_str(o->vip, ip),
                mode_key(o->mode), nlb_mac_str(g->cluster_mac, mac));
        fprintf(f, "    \"rules\": [");
        for (unsigned r = 0; r < g->model.n_rules; r++) {
            const nlb_port_rule *pr = &g->model.rules[r];
            fprintf(f, "%s{\"slot\": %u, \"code\": \"0x%08x\", \"start\": %u, \"end\": %u, \"proto\": \"%s\", \"affinity\": \"%s\"}",
                    r ? ", " : "", r + 1, rule_code(pr->start, pr->end), pr->start, pr->end,
                    pr->proto == NLB_RP_TCP ? "tcp" : pr->proto == NLB_RP_UDP ? "udp" : "both", aff_key(pr->affinity));
        }
        fprintf(f, "%s{\"slot\": %u, \"code\": \"0x00000000\", \"default\": true}],\n", g->model.n_rules ? ", " : "",
                g->model.n_rules + 1);
        fprintf(f, "    \"hosts\": [\n");
        for (unsigned i = 0; i < g->nh; i++) {
            ghost *h = &g->h[i];
            fprintf(f, "      {\"priority\": %u, \"dedicated_ip\": \"%s\", \"mac\": \"%s\", \"heartbeats\": %" PRIu64
                       ", \"heartbeats_extended\": %" PRIu64 ", \"first_seen\": ",
                    h->prio, nlb_ip4_str(h->dip, ip2), nlb_mac_str(h->src, mac), h->hb, h->hb_ext);
            jtime(f, h->first);
            fprintf(f, ", \"last_seen\": ");
            jtime(f, h->last);
            fprintf(f, ", \"max_gap\": ");
            jdur(f, h->max_gap);
            fprintf(f, ",\n       \"port_rules\": %u, \"host_code\": \"0x%08x\", \"default_host\": %u", h->n_user_rules + 1,
                    h->host_code, h->default_id + 1u);
            if (h->hb_ext) fprintf(f, ", \"host_name\": \"%s\"", h->name);
            fprintf(f, ", \"replies\": %" PRIu64 ", \"bins_owned\": {", h->replies);
            for (unsigned r = 0; r <= h->n_user_rules; r++)
                fprintf(f, "%s\"rule%u\": %u", r ? ", " : "", r + 1, h->last_bins[r]);
            fprintf(f, "}}%s\n", i + 1 < g->nh ? "," : "");
        }
        fprintf(f, "    ],\n    \"convergence\": [");
        for (unsigned c = 0; c < g->n_conv; c++) {
            fprintf(f, "%s{\"start\": ", c ? ", " : "");
            jtime(f, g->conv[c].start);
            fprintf(f, ", \"end\": ");
            jtime(f, g->conv[c].end);
            fprintf(f, ", \"trigger\": \"%s\"}", c == 0 ? "host 3 silent" : "host 3 joined");
        }
        fprintf(f, "]\n  }");
    }
    fprintf(f, "],\n");

    /* events */
    if (k == SC_INCIDENT) {
        for (unsigned c = 0; c < g->n_conv; c++) {
            add_event(g, g->conv[c].start, "convergence_start", "%s", c == 0 ? "host 3 silent" : "host 3 joined");
            if (g->conv[c].end) add_event(g, g->conv[c].end, "convergence_end", "stable again");
        }
        if (g->unanswered)
            add_event(g, g->first_unanswered, "vip_unanswered", "%u client connections to %s:80 without SYN-ACK (SYN retransmitted after 1, 2, 4 s)",
                      g->unanswered, nlb_ip4_str(o->vip, ip));
    }
    qsort(g->ev, g->n_ev, sizeof g->ev[0], ev_cmp);
    fprintf(f, "  \"events\": [");
    for (unsigned e = 0; e < g->n_ev; e++) {
        fprintf(f, "%s\n    {\"time\": ", e ? "," : "");
        jtime(f, g->ev[e].t);
        fprintf(f, ", \"kind\": \"%s\", \"detail\": \"%s\"}", g->ev[e].kind, g->ev[e].detail);
    }
    fprintf(f, "%s],\n", g->n_ev ? "\n  " : "");

    /* diagnostics a correct analysis must report (codes from diag.h) */
    jdiag d[16];
    unsigned nd = 0;
#define DIAG(c, sev, tm, ...) do { d[nd].code = (c); d[nd].severity = (sev); d[nd].t = (tm); \
        snprintf(d[nd].detail, sizeof d[nd].detail, __VA_ARGS__); nd++; } while (0)
    nlb_usec t0 = g->t0;
    switch (k) {
    case SC_INCIDENT:
        DIAG(NLB_D_FAILOVER_UNANNOUNCED, "error", t0 + g->fail_t, "RARP burst from 20 MACs; none of the %u NLB hosts announced", g->nh);
        DIAG(NLB_D_VIP_UNANSWERED, "error", g->first_unanswered, "%u of %u connections to the VIP unanswered", g->unanswered, g->spawned);
        DIAG(NLB_D_HOST_SILENT, "warning", g->h[2].max_gap_at - g->h[2].max_gap, "host 3 silent %.1f s", (double)g->h[2].max_gap / SEC);
        DIAG(NLB_D_CONVERGENCE, "warning", g->n_conv ? g->conv[0].start : 0, "%u convergence episodes", g->n_conv);
        DIAG(NLB_D_CLUSTER_MAC_SOURCE, "error", t0 + g->fail_t + 2 * SEC, "02-BF cluster MAC seen as source");
        break;
    case SC_MULTICAST:
    case SC_IGMP:
        DIAG(NLB_D_MCAST_ARP, "warning", t0 + 50 * MS + 150, "ARP reply maps the VIP to the %s cluster MAC", k == SC_IGMP ? "IGMP" : "multicast");
        break;
    case SC_MISCONFIG:
        DIAG(NLB_D_DUP_PRIORITY, "error", 0, "priority 2 claimed by %s and %s", nlb_ip4_str(g->h[1].dip, ip), nlb_ip4_str(g->h[2].dip, ip2));
        DIAG(NLB_D_RULE_MISMATCH, "error", 0, "rule %u: host 4 announces code 0x%08x, the others 0x%08x", g->mismatch_slot + 1,
             g->h[3].codes[g->mismatch_slot], g->h[0].codes[g->mismatch_slot]);
        DIAG(NLB_D_MULTI_DEFAULT, "error", 0, "host 4 names host %u as default host, the others host 1", g->h[3].default_id + 1u);
        DIAG(NLB_D_BIN_TWICE, "error", 0, "rule %u bin %u owned by hosts 1 and 4", g->bins_twice_rule + 1, g->bins_twice_bin);
        DIAG(NLB_D_BIN_NOBODY, "error", 0, "rule %u bin %u owned by nobody", g->bins_twice_rule + 1, g->bins_nobody_bin);
        break;
    default:
        break;
    }
#undef DIAG
    fprintf(f, "  \"diagnostics\": [");
    for (unsigned i = 0; i < nd; i++) {
        fprintf(f, "%s\n    {\"code\": \"NLB-%03d\", \"severity\": \"%s\"", i ? "," : "", d[i].code, d[i].severity);
        if (d[i].t) {
            fprintf(f, ", \"time\": ");
            jtime(f, d[i].t);
        }
        fprintf(f, ", \"detail\": \"%s\"}", d[i].detail);
    }
    fprintf(f, "%s],\n", nd ? "\n  " : "");
    fprintf(f, "  \"not_diagnosed\": [\"host codes differ per host by design\"%s]\n}\n",
            k == SC_LOOKALIKE ? ", \"02-xx look-alike MACs (Docker 02:42:c0:a8:02:45, 02:01:00:01:00:00)\", \"SSDP 01:00:5e:7f:ff:fa\", \"Xbox 0x886F\"" : "");
}

/* ---------------------------------------------------------------- misconfig faults */

static void inject_misconfig(gen *g)
{
    /* host slot 3 claims priority 2 as well: the duplicate */
    ghost *a = &g->h[0], *b = &g->h[1], *c = &g->h[2], *d = &g->h[3];
    c->prio = 2;
    if (g->o.mode == NLB_MODE_UNICAST)
        nlb_mac_make(NLB_MAC_MASKED, g->o.vip, c->prio, c->src); /* both now send from 02-02-VIP */
    /* host 4's last user rule ends one port later (a typo in NLB Manager): same rule count,
     * different code. A count mismatch would make analyses skip the bin checks (nlbreplay
     * does: slots no longer line up), hiding the two bin faults below. */
    unsigned last = d->n_user_rules - 1;
    d->codes[last] = rule_code(g->model.rules[last].start, (uint16_t)(g->model.rules[last].end + 1));
    g->mismatch_slot = last;
    /* host 4 names priority 2 as default host; the others name priority 1 */
    d->default_id = 1;
    /* rule 1: a bin host 4 owns is also claimed by host 1; a bin of host 2 is dropped by it */
    g->bins_twice_rule = 0;
    uint64_t m4 = nlb_binmap_mask(&g->maps0[0], d->slot), m2 = nlb_binmap_mask(&g->maps0[0], b->slot);
    unsigned bt = (unsigned)__builtin_ctzll(m4), bn = (unsigned)__builtin_ctzll(m2);
    a->set_bits[0] |= 1ull << bt;
    b->clr_bits[0] |= 1ull << bn;
    g->bins_twice_bin = bt;
    g->bins_nobody_bin = bn;
}

/* ---------------------------------------------------------------- CLI */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: nlbgen --scenario NAME [options] -w FILE|- [--expected FILE]\n"
            "Write a deterministic NLB scenario capture (pcap, Ethernet) and its ground truth.\n\n"
            "  --scenario NAME   preset (see --list)\n"
            "  --mode M          unicast | multicast | igmp\n"
            "  --vip A.B.C.D     cluster IP\n"
            "  --hosts N         2..32 hosts\n"
            "  --rules N         0..32 user port rules (the default slot is added)\n"
            "  --affinity A      none | single | classc\n"
            "  --seed N          PRNG seed (same seed -> byte-identical output)\n"
            "  --flows N         client flows to the VIP\n"
            "  --duration S      capture length in seconds\n"
            "  -w FILE           output pcap ('-' = stdout)\n"
            "  --expected FILE   write the ground truth as JSON\n"
            "  --list            list the presets\n"
            "  --help, --version\n"
            "Ownership follows libnlbproto's emulation model (owner.h), not the Windows hash.\n");
}

static unsigned long parse_num(const char *opt, const char *s, unsigned long lo, unsigned long hi)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || !*s || *end || s[0] == '-' || v < lo || v > hi)
        die(2, "%s: expected a number in %lu..%lu, got '%s'", opt, lo, hi, s);
    return v;
}

int main(int argc, char **argv)
{
    enum { O_SCEN = 256, O_MODE, O_VIP, O_HOSTS, O_RULES, O_AFF, O_SEED, O_FLOWS, O_DUR, O_EXP, O_LIST, O_HELP, O_VER };
    static const struct option lo[] = {
        { "scenario", required_argument, 0, O_SCEN }, { "mode", required_argument, 0, O_MODE },
        { "vip", required_argument, 0, O_VIP }, { "hosts", required_argument, 0, O_HOSTS },
        { "rules", required_argument, 0, O_RULES }, { "affinity", required_argument, 0, O_AFF },
        { "seed", required_argument, 0, O_SEED }, { "flows", required_argument, 0, O_FLOWS },
        { "duration", required_argument, 0, O_DUR }, { "expected", required_argument, 0, O_EXP },
        { "list", no_argument, 0, O_LIST }, { "help", no_argument, 0, O_HELP },
        { "version", no_argument, 0, O_VER }, { 0, 0, 0, 0 }
    };
    const char *scen = NULL, *mode = NULL, *vip = NULL, *aff = NULL, *out = NULL, *exp = NULL;
    long hosts = -1, rules = -1, flows = -1;
    double dur = -1;
    uint64_t seed = 1;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":w:h", lo, NULL)) != -1) {
        switch (c) {
        case O_SCEN: scen = optarg; break;
        case O_MODE: mode = optarg; break;
        case O_VIP: vip = optarg; break;
        case O_HOSTS: hosts = (long)parse_num("--hosts", optarg, 2, 32); break;
        case O_RULES: rules = (long)parse_num("--rules", optarg, 0, 32); break;
        case O_AFF: aff = optarg; break;
        case O_SEED: {
            char *end;
            errno = 0;
            seed = strtoull(optarg, &end, 0);
            if (errno || !*optarg || *end || optarg[0] == '-') die(2, "--seed: expected a non-negative integer, got '%s'", optarg);
            break;
        }
        case O_FLOWS: flows = (long)parse_num("--flows", optarg, 0, 10000000); break;
        case O_DUR: {
            char *end;
            dur = strtod(optarg, &end);
            if (!*optarg || *end || !(dur >= 1 && dur <= 86400)) die(2, "--duration: expected seconds in 1..86400, got '%s'", optarg);
            break;
        }
        case 'w': out = optarg; break;
        case O_EXP: exp = optarg; break;
        case O_LIST:
            for (size_t i = 0; i < N_PRESETS; i++) printf("%-16s %s\n", PRESETS[i].name, PRESETS[i].desc);
            return 0;
        case 'h':
        case O_HELP: usage(stdout); return 0;
        case O_VER: printf("nlbgen %s\n", NLBGEN_VERSION); return 0;
        case ':': die(2, "%s needs an argument (try --help)", argv[optind - 1]);
        default: die(2, "unknown option '%s' (try --help)", argv[optind - 1]);
        }
    }
    if (optind < argc) die(2, "unexpected argument '%s' (try --help)", argv[optind]);
    if (!scen) die(2, "no --scenario given (try --list)");
    gen *g = xcalloc(1, sizeof *g);
    opts *o = &g->o;
    for (size_t i = 0; i < N_PRESETS; i++)
        if (!strcmp(PRESETS[i].name, scen)) o->p = &PRESETS[i];
    if (!o->p) die(2, "unknown scenario '%s' (try --list)", scen);
    if (!out) die(2, "no output: use -w FILE or -w - for stdout");
    o->mode = o->p->mode;
    nlb_ip4_parse(o->p->vip, &o->vip);
    o->hosts = o->p->hosts;
    o->rules = o->p->rules;
    o->flows = o->p->flows;
    o->duration = (nlb_usec)(o->p->duration * SEC);
    o->affinity = NLB_AFF_SINGLE;
    o->seed = seed;
    o->out = out;
    o->expected = exp;
    if (mode) {
        if (!strcmp(mode, "unicast")) o->mode = NLB_MODE_UNICAST;
        else if (!strcmp(mode, "multicast")) o->mode = NLB_MODE_MULTICAST;
        else if (!strcmp(mode, "igmp")) o->mode = NLB_MODE_IGMP;
        else die(2, "--mode: expected unicast, multicast or igmp, got '%s'", mode);
    }
    if (vip && (!nlb_ip4_parse(vip, &o->vip) || o->vip == 0 || (o->vip >> 24) >= 224))
        die(2, "--vip: expected a unicast IPv4 address, got '%s'", vip);
    if (aff) {
        if (!strcmp(aff, "none")) o->affinity = NLB_AFF_NONE;
        else if (!strcmp(aff, "single")) o->affinity = NLB_AFF_SINGLE;
        else if (!strcmp(aff, "classc")) o->affinity = NLB_AFF_CLASSC;
        else die(2, "--affinity: expected none, single or classc, got '%s'", aff);
    }
    if (hosts > 0) o->hosts = (unsigned)hosts;
    if (o->p->kind != SC_LOOKALIKE && (o->vip & 0xFFu) + o->hosts > 254)
        die(2, "--vip/--hosts: dedicated IPs VIP+1..VIP+%u must stay inside the VIP's /24", o->hosts);
    if (rules >= 0) o->rules = (unsigned)rules;
    if (flows >= 0) o->flows = (unsigned)flows;
    if (dur > 0) o->duration = (nlb_usec)(dur * SEC);
    sc_kind k = o->p->kind;
    if (k == SC_INCIDENT && (o->hosts < 3 || o->duration < 45 * SEC))
        die(2, "incident needs --hosts >= 3 and --duration >= 45 (failover at +30 s)");
    if (k == SC_INCIDENT && o->mode != NLB_MODE_UNICAST)
        die(2, "incident is a unicast-mode outage: --mode unicast only");
    if (k == SC_MISCONFIG && o->hosts != 4) die(2, "misconfig has exactly 4 hosts");
    if (k == SC_MISCONFIG && o->rules < 1) die(2, "misconfig needs --rules >= 1");
    if (k == SC_LOOKALIKE) { o->hosts = 0; o->flows = 0; o->mode = NLB_MODE_UNKNOWN; }

    g->r.s = seed;
    g->t0 = EPOCH_S * SEC;
    g->free_flow = -1;
    g->gw_ip = (o->vip & 0xFFFFFF00u) | 1;
    static const uint8_t gw[6] = { 0x00, 0x00, 0x5e, 0x00, 0x01, 0x0a }; /* VRRP virtual router MAC */
    memcpy(g->gw_mac, gw, 6);
    nlb_mac_make(o->mode == NLB_MODE_MULTICAST ? NLB_MAC_MULTICAST : o->mode == NLB_MODE_IGMP ? NLB_MAC_IGMP : NLB_MAC_UNICAST,
                 o->vip, 0, g->cluster_mac);
    if (k != SC_LOOKALIKE) build_cluster(g);
    else nlb_model_init(&g->model);
    if (k == SC_MISCONFIG) inject_misconfig(g);

    pcap_t *pd = pcap_open_dead(DLT_EN10MB, 65535);
    if (!pd) die(1, "pcap_open_dead failed");
    if (!strcmp(out, "-") && isatty(STDOUT_FILENO)) die(2, "refusing to write a pcap to a terminal: redirect stdout or use -w FILE");
    if (!strcmp(out, "-")) g->fp = stdout;
    else if (!(g->fp = fopen(out, "wb"))) die(1, "%s: %s", out, strerror(errno));
    /* a big stdio buffer: the bench writes millions of small records */
    static char iobuf[1 << 20];
    setvbuf(g->fp, iobuf, _IOFBF, sizeof iobuf);
    g->dump = pcap_dump_fopen(pd, g->fp);
    if (!g->dump) die(1, "%s: %s", out, pcap_geterr(pd));

    schedule(g);
    run(g);

    if (pcap_dump_flush(g->dump) != 0 || ferror(g->fp)) die(1, "%s: write error", out);
    if (g->fp == stdout) fflush(stdout);
    else pcap_dump_close(g->dump);
    pcap_close(pd);

    if (exp) {
        FILE *f = fopen(exp, "w");
        if (!f) die(1, "%s: %s", exp, strerror(errno));
        write_expected(g, f);
        if (fclose(f) != 0) die(1, "%s: write error", exp);
    }
    fprintf(stderr, "nlbgen: %s: %" PRIu64 " frames, %" PRIu64 " bytes\n", o->p->name, g->frames, g->bytes);
    free(g->flows);
    free(g->heap);
    free(g->shots);
    free(g);
    return 0;
}
