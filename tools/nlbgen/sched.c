/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbgen's clock and output: the PRNG, the event heap that orders every emitted frame, and
 * the pcap writer. Equal times pop in insertion order, so a seed fixes the whole capture. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

uint64_t rnd64(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t rnd_below(rng *r, uint64_t n) { return n ? rnd64(r) % n : 0; }
int64_t rnd_range(rng *r, int64_t lo, int64_t hi) { return lo + (int64_t)rnd_below(r, (uint64_t)(hi - lo + 1)); }

_Noreturn void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("nlbgen: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

void *xcalloc(size_t n, size_t sz)
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

void push(gen *g, nlb_usec t, uint32_t kind, uint32_t idx)
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

void shot(gen *g, nlb_usec t, uint32_t kind, uint32_t arg)
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

static bool mac_eq(const uint8_t *a, const uint8_t *b) { return !memcmp(a, b, 6); }

/* A frame of the cluster: sent by one of its hosts (masked or NIC MAC) or from the cluster MAC,
 * sent to the cluster MAC, or a heartbeat. */
static bool cluster_frame(const gen *g, const nlb_packet *pk)
{
    if (pk->ethertype == NLB_ETHERTYPE || mac_eq(pk->src, g->cluster_mac) || mac_eq(pk->dst, g->cluster_mac))
        return true;
    for (unsigned i = 0; i < g->nh; i++)
        if (mac_eq(pk->src, g->h[i].src) || mac_eq(pk->src, g->h[i].nic)) return true;
    return false;
}

/* The capture point's verdict on one built frame; rel = seconds since the capture start. */
static bool point_sees(gen *g, double rel, size_t len)
{
    const capture_pt *c = &g->o.cap;
    if (c->win_end > 0 && (rel < c->win_start || rel >= c->win_end)) return false;
    if (!c->only_vip && !c->no_heartbeats && c->lose_at <= 0) return true;
    static nlb_packet pk; /* large: keep it off the stack */
    nlb_packet_decode(NLB_LINK_ETHERNET, g->buf, len, len, &pk);
    if (c->no_heartbeats && pk.ethertype == NLB_ETHERTYPE) return false;
    if (c->only_vip && !(pk.ip_src.family == 4 && nlb_ipaddr_to_v4(&pk.ip_src) == g->o.vip) &&
        !(pk.ip_dst.family == 4 && nlb_ipaddr_to_v4(&pk.ip_dst) == g->o.vip))
        return false;
    if (c->lose_at > 0 && cluster_frame(g, &pk)) {
        if (rel >= c->lose_at) return false;
        g->last_cluster_frame = g->t0 + (nlb_usec)(rel * SEC + 0.5);
    }
    return true;
}

bool emit(gen *g, nlb_usec t, size_t len)
{
    if (!len) die(1, "internal: an encoder refused a frame");
    if (points_enabled(g)) {
        if (points_emit(g, t, len)) {
            g->frames++;
            g->bytes += len;
            return true;
        }
        g->dropped++;
        return false;
    }
    const capture_pt *c = &g->o.cap;
    double rel = (double)(t - g->t0) / SEC;
    if (!point_sees(g, rel, len)) {
        g->dropped++;
        return false;
    }
    if (c->ov_end > 0 && rel >= c->ov_start && rel < c->ov_end) g->overlap_frames++;
    t += (nlb_usec)(c->offset * SEC + (c->offset < 0 ? -0.5 : 0.5)); /* the point's clock error */
    size_t caplen = c->snaplen && len > c->snaplen ? c->snaplen : len;
    if (caplen < len) g->truncated++;
    struct pcap_pkthdr ph;
    ph.ts.tv_sec = (time_t)(t / SEC);
    ph.ts.tv_usec = (suseconds_t)(t % SEC);
    ph.caplen = (bpf_u_int32)caplen;
    ph.len = (bpf_u_int32)len;
    pcap_dump((u_char *)g->dump, &ph, g->buf);
    g->frames++;
    g->bytes += caplen;
    return true;
}

void add_event(gen *g, nlb_usec t, const char *kind, const char *fmt, ...)
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

/* Pacing shared by the run loop's handlers. */
typedef struct pace {
    nlb_usec window, slot, bg_gap; /* flow spawn window and slot, mean background gap */
    unsigned bg_n;
} pace;

static void on_heartbeat(gen *g, const agent *a)
{
    ghost *h = &g->h[a->idx];
    nlb_usec t = a->t;
    if (g->o.p->kind == SC_INCIDENT && a->idx == 2 && t >= g->fail_t && t < g->fail_t + 8 * SEC) {
        /* host 3 silent from T for 8 s; it comes back exactly at T + 8 s (PH_BACK) */
        add_event(g, h->last, "host_silent", "host 3: no heartbeat for %.1f s (> 5 x 1 s period)",
                  (double)(g->t0 + g->fail_t + 8 * SEC - h->last) / SEC);
        push(g, g->fail_t + 8 * SEC, A_HB, a->idx);
        return;
    }
    send_heartbeat(g, h, g->t0 + t);
    nlb_usec period = g->converging ? 500 * MS : SEC;
    push(g, t + period + rnd_range(&g->r, -10 * MS, 10 * MS), A_HB, a->idx);
}

static void on_spawn(gen *g, const agent *a, const pace *pc)
{
    const opts *o = &g->o;
    bool incident = o->p->kind == SC_INCIDENT;
    bool cut = incident || o->p->kind == SC_MULTIPOINT; /* a switch-over at fail_t */
    nlb_usec t = a->t;
    /* stratified: flow i starts somewhere in slot i of the window, so exactly --flows flows fit
     * and they spread evenly over the capture. From T on nothing answers in the incident. */
    spawn_flow(g, t, incident && t >= g->fail_t - SEC);
    unsigned i = a->idx + 1;
    if (i >= o->flows) return;
    nlb_usec nt = 500 * MS + (nlb_usec)((double)pc->window * i / o->flows) + rnd_range(&g->r, 0, pc->slot - 1);
    /* flows due in the last second before T move after it: no answered flow spans T */
    if (cut && nt >= g->fail_t - SEC && nt < g->fail_t) nt += SEC;
    push(g, nt > t ? nt : t, A_SPAWN, i);
}

/* East-west traffic between ordinary servers: not NLB, not to the VIP. */
static void on_background(gen *g, const agent *a, pace *pc)
{
    nlb_usec abs = g->t0 + a->t;
    unsigned a1 = 10 + (unsigned)rnd_below(&g->r, 200), a2 = 10 + (unsigned)rnd_below(&g->r, 200);
    uint8_t m1[6] = { 0x00, 0x50, 0x56, 0x8b, 0x00, (uint8_t)a1 }, m2[6] = { 0x00, 0x50, 0x56, 0x8b, 0x00, (uint8_t)a2 };
    uint32_t s1 = 0x0A142800u + a1, s2 = 0x0A142800u + a2;
    unsigned n = pc->bg_n++;
    if (n & 1)
        emit(g, abs, nlb_build_tcp4(g->buf, sizeof g->buf, m2, m1, 0, s1, s2, (uint16_t)(50000 + (n + 1) % 10000), 445,
                                    NLB_TCP_ACK | NLB_TCP_PSH, (n + 1) * 1000u, (n + 1) * 7u, 100 + (n + 1) % 1200));
    else
        emit(g, abs, nlb_build_udp4(g->buf, sizeof g->buf, m2, m1, 0, s1, s2, 53000, 53, 60));
    push(g, a->t + rnd_range(&g->r, 1, 2 * pc->bg_gap), A_BG, 0);
}

void run(gen *g)
{
    const opts *o = &g->o;
    nlb_usec D = o->duration;
    /* flows spawn over [0.5 s, D - tail) so that every one completes inside the capture */
    nlb_usec tail = o->p->kind == SC_INCIDENT || o->p->kind == SC_MULTIPOINT ? 8 * SEC : 2 * SEC;
    pace pc = { .window = D - tail - 500 * MS };
    nlb_usec mean = o->flows ? pc.window / o->flows : SEC;
    if (mean < 1) mean = 1;
    pc.slot = mean;
    pc.bg_gap = o->flows ? (nlb_usec)(mean / 3 > 0 ? mean / 3 : 1) : SEC;
    while (g->heap_n) {
        agent a = pop(g);
        if (a.t >= D) continue; /* nothing is emitted at or after the end */
        nlb_usec abs = g->t0 + a.t;
        switch (a.kind) {
        case A_HB: on_heartbeat(g, &a); break;
        case A_EXT:
            send_extended(g, &g->h[a.idx], abs);
            push(g, a.t + 10 * SEC, A_EXT, a.idx);
            break;
        case A_IGMP: {
            uint32_t group = 0xEFFF0000u | (o->vip & 0xFFFFu); /* 239.255.v3.v4 */
            if (emit(g, abs, nlb_build_igmp_report(g->buf, sizeof g->buf, g->h[a.idx].nic, o->vip, group))) g->igmp++;
            push(g, a.t + 60 * SEC, A_IGMP, a.idx);
            break;
        }
        case A_SPAWN: on_spawn(g, &a, &pc); break;
        case A_FLOW: {
            gflow *f = &g->flows[a.idx];
            nlb_usec d = flow_step(g, f, abs);
            if (d >= 0) push(g, a.t + d, A_FLOW, a.idx);
            else { f->next_free = g->free_flow; g->free_flow = (int)a.idx; }
            break;
        }
        case A_ONESHOT: do_oneshot(g, &g->shots[a.idx], abs); break;
        case A_BG: on_background(g, &a, &pc); break;
        }
    }
    if (g->conv_open) g->conv[g->n_conv++].end = 0;
}
