/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbgen's multi-point runs: one run of the cluster seen from several switch ports at once, each
 * mirrored into its own pcap with its own clock error. The switch is a plain learning bridge:
 * broadcast, multicast and frames to an unknown unicast MAC are flooded to every port but the
 * one they came in on; a unicast MAC the switch has seen as a source goes to that port only.
 * Unicast NLB relies on the flooding: the hosts never send from 02-BF-VIP (they mask it), so the
 * switch never learns it. One frame from 02-BF-VIP (scenario: host 1's NetBIOS broadcast) and
 * from then on the switch delivers the VIP's traffic to that port only (protocol doc 2 and 5.4).
 * A point captures what leaves the switch on its port and what its host sends in. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "gen.h"

#define PORT_UPLINK 0      /* the gateway: clients' traffic comes in here */
#define PORT_OTHER (-1)    /* any other access port (VMs announcing themselves) */

bool points_enabled(const gen *g) { return g->n_pts > 0; }

static uint64_t mac_key(const uint8_t m[6])
{
    return (uint64_t)m[0] << 40 | (uint64_t)m[1] << 32 | (uint64_t)m[2] << 24 | (uint64_t)m[3] << 16 |
           (uint64_t)m[4] << 8 | m[5];
}

/* The port a frame enters the switch on, from its source MAC. */
static int ingress_port(const gen *g, const uint8_t src[6])
{
    if (!memcmp(src, g->gw_mac, 6)) return PORT_UPLINK;
    if (!memcmp(src, g->cluster_mac, 6)) return 1; /* the scenario's unmasked frame comes from host 1 */
    for (unsigned i = 0; i < g->nh; i++)
        if (!memcmp(src, g->h[i].src, 6) || !memcmp(src, g->h[i].nic, 6)) return (int)g->h[i].slot;
    return PORT_OTHER;
}

static int cam_find(const gen *g, uint64_t k)
{
    for (unsigned i = 0; i < g->n_cam; i++)
        if (g->cam_mac[i] == k) return g->cam_port[i];
    return -2;
}

static void cam_learn(gen *g, uint64_t k, int port, nlb_usec t)
{
    for (unsigned i = 0; i < g->n_cam; i++)
        if (g->cam_mac[i] == k) { g->cam_port[i] = port; return; }
    if (g->n_cam >= sizeof g->cam_mac / sizeof g->cam_mac[0]) return; /* a bigger table floods more: fine */
    g->cam_mac[g->n_cam] = k;
    g->cam_port[g->n_cam++] = port;
    if (k == mac_key(g->cluster_mac) && !g->learn_t) {
        g->learn_t = t;
        g->learn_port = port;
    }
}

static int point_port(const gen *g, const gpoint *p)
{
    return p->host ? (int)p->host : (int)g->nh + 1;
}

static void write_frame(gen *g, gpoint *p, nlb_usec t, size_t len)
{
    t += (nlb_usec)(p->offset * SEC + (p->offset < 0 ? -0.5 : 0.5));
    struct pcap_pkthdr ph;
    ph.ts.tv_sec = (time_t)(t / SEC);
    ph.ts.tv_usec = (suseconds_t)(t % SEC);
    ph.caplen = ph.len = (bpf_u_int32)len;
    pcap_dump((u_char *)p->dump, &ph, g->buf);
    p->frames++;
}

bool points_emit(gen *g, nlb_usec t, size_t len)
{
    static nlb_packet pk; /* large: keep it off the stack */
    nlb_packet_decode(NLB_LINK_ETHERNET, g->buf, len, len, &pk);
    int in = ingress_port(g, pk.src);
    uint64_t dk = mac_key(pk.dst);
    int out = (pk.dst[0] & 1) ? -2 : cam_find(g, dk); /* -2: flood */
    bool to_vip = pk.kind == NLB_FK_IP && pk.ip_dst.family == 4 && nlb_ipaddr_to_v4(&pk.ip_dst) == g->o.vip &&
                  in == PORT_UPLINK;
    bool syn = to_vip && pk.ip_proto == 6 && (pk.tcp_flags & (NLB_TCP_SYN | NLB_TCP_ACK)) == NLB_TCP_SYN;
    bool after = g->learn_t && t >= g->learn_t;
    if (to_vip && after) {
        g->to_vip_after++;
        g->syn_after += syn;
    }
    bool any = false;
    for (unsigned i = 0; i < g->n_pts; i++) {
        gpoint *p = &g->pts[i];
        int port = point_port(g, p);
        bool sees = port == in || (port != in && (out == -2 || out == port));
        if (!sees) continue;
        write_frame(g, p, t, len);
        any = true;
        if (to_vip) {
            if (after) { p->to_vip_after++; p->syn_after += syn; }
            else p->to_vip_before++;
        }
        if (pk.kind == NLB_FK_HEARTBEAT) p->heartbeats++;
    }
    bool was_learned = g->learn_t != 0;
    cam_learn(g, mac_key(pk.src), in, t);
    if (!was_learned && g->learn_t) {
        for (unsigned i = 0; i < g->n_pts; i++)
            if (point_port(g, &g->pts[i]) == in) g->learn_frame = g->pts[i].frames;
    }
    return any;
}

/* -w names a directory for multi-point runs: one LABEL.pcap per point in it. */
void points_open(gen *g)
{
    const opts *o = &g->o;
    if (o->p->kind != SC_MULTIPOINT) return;
    if (!strcmp(o->out, "-")) die(2, "%s writes one capture per point: -w names a directory, not stdout", o->p->name);
    if (mkdir(o->out, 0777) != 0 && errno != EEXIST) die(1, "%s: %s", o->out, strerror(errno));
    /* default clock errors: within the +-2 s the analysis is asked to recover */
    static const double def_off[MAX_POINTS] = { 0.0, 2.0, -2.0, 1.5, -0.75, 0.5, -1.25, 1.75 };
    g->n_pts = g->nh + 1 <= MAX_POINTS ? g->nh + 1 : MAX_POINTS;
    for (unsigned i = 0; i < g->n_pts; i++) {
        gpoint *p = &g->pts[i];
        p->host = i + 1 < g->n_pts ? i + 1 : 0;
        if (p->host) snprintf(p->label, sizeof p->label, "host%u", p->host);
        else snprintf(p->label, sizeof p->label, "span");
        p->offset = def_off[i];
    }
    for (unsigned k = 0; k < o->n_offsets; k++) {
        unsigned i = 0;
        while (i < g->n_pts && strcmp(g->pts[i].label, o->off_label[k])) i++;
        if (i == g->n_pts) die(2, "--point-offset: no point '%s' in %s (points: host1..host%u, span)", o->off_label[k], o->p->name, g->n_pts - 1);
        g->pts[i].offset = o->off_value[k];
    }
    for (unsigned i = 0; i < g->n_pts; i++) {
        gpoint *p = &g->pts[i];
        char label[sizeof p->label];
        memcpy(label, p->label, sizeof label);
        snprintf(p->path, sizeof p->path, "%s/%s.pcap", o->out, label);
        p->pd = pcap_open_dead(DLT_EN10MB, 65535);
        if (!p->pd) die(1, "pcap_open_dead failed");
        if (!(p->fp = fopen(p->path, "wb"))) die(1, "%s: %s", p->path, strerror(errno));
        p->dump = pcap_dump_fopen(p->pd, p->fp);
        if (!p->dump) die(1, "%s: %s", p->path, pcap_geterr(p->pd));
    }
}

void points_close(gen *g)
{
    for (unsigned i = 0; i < g->n_pts; i++) {
        gpoint *p = &g->pts[i];
        if (pcap_dump_flush(p->dump) != 0 || ferror(p->fp)) die(1, "%s: write error", p->path);
        pcap_dump_close(p->dump);
        pcap_close(p->pd);
    }
}

static void jtime(FILE *f, nlb_usec t)
{
    fprintf(f, "%lld.%06lld", (long long)(t / SEC), (long long)(t % SEC));
}

/* The "points" and "delivery" sections of expected.json. Times are true time (the generator's
 * clock); each point's file adds its offset. */
void points_truth(gen *g, FILE *f)
{
    char ip[16], mac[18];
    fprintf(f, "  \"points\": [");
    for (unsigned i = 0; i < g->n_pts; i++) {
        const gpoint *p = &g->pts[i];
        fprintf(f, "%s\n    {\"label\": \"%s\", \"file\": \"%s.pcap\", \"host\": %u, \"offset\": %.6f, \"frames\": %" PRIu64
                   ", \"heartbeats\": %" PRIu64 ", \"to_vip_before\": %" PRIu64 ", \"to_vip_after\": %" PRIu64
                   ", \"syn_after\": %" PRIu64 "}",
                i ? "," : "", p->label, p->label, p->host, p->offset, p->frames, p->heartbeats, p->to_vip_before,
                p->to_vip_after, p->syn_after);
    }
    fprintf(f, "\n  ],\n  \"delivery\": {\"vip\": \"%s\", \"learned_mac\": \"%s\"", nlb_ip4_str(g->o.vip, ip),
            nlb_mac_str(g->cluster_mac, mac));
    if (g->learn_t) {
        const gpoint *lp = NULL;
        for (unsigned i = 0; i < g->n_pts; i++)
            if ((int)g->pts[i].host == g->learn_port) lp = &g->pts[i];
        fprintf(f, ", \"from\": ");
        jtime(f, g->learn_t);
        fprintf(f, ", \"only\": \"%s\", \"source_frame\": {\"point\": \"%s\", \"frame\": %" PRIu64 "}",
                lp ? lp->label : "?", lp ? lp->label : "?", g->learn_frame);
        fprintf(f, ", \"to_vip_after\": %" PRIu64 ", \"syn_after\": %" PRIu64, g->to_vip_after, g->syn_after);
    }
    fprintf(f, "},\n");
}
