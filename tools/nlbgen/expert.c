/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbgen's scenarios of the field-expert diagnoses (protocol doc sections 1 and 6): what each
 * flag adds to a healthy cluster's timeline, and the diagnostics that makes certain. */
#include <string.h>

#include "gen.h"

enum { X_LEGACY_HB = 1, X_LQSR, X_XBOX, X_RC_IN, X_RC_OUT, X_PING };

#define XSHOT(g, t, kind, arg) shot((g), (t), O_EXPERT, (uint32_t)(kind) << 8 | (arg))

void expert_schedule(gen *g)
{
    nlb_usec D = g->o.duration;
    if (g->o.flags & PF_LEGACY) {
        for (nlb_usec t = 8 * SEC + 430 * MS; t < D; t += SEC) XSHOT(g, t, X_LEGACY_HB, 2);
        for (nlb_usec t = 3 * SEC + 170 * MS; t < D; t += 4 * SEC) XSHOT(g, t, X_LQSR, 0);
        XSHOT(g, 6 * SEC + 250 * MS, X_XBOX, 0);
    }
    if (g->o.flags & PF_REMOTE_PING) {
        XSHOT(g, 4 * SEC + 200 * MS, X_RC_IN, 0);
        XSHOT(g, 9 * SEC + 100 * MS, X_RC_OUT, 0);
        XSHOT(g, 9 * SEC + 600 * MS, X_RC_OUT, 1);
        for (unsigned k = 0; k < 3; k++) XSHOT(g, (12 + k) * SEC, X_PING, k + 1);
    }
}

/* nlb.exe remote control: a UDP datagram to the cluster IP (no reply: not modelled). */
static void send_remote(gen *g, nlb_usec t, bool outside, unsigned k)
{
    static const uint8_t admin[6] = { 0x00, 0x15, 0x5d, 0x0a, 0x00, 0xc8 };
    uint32_t src = outside ? 0xC6336400u + 77 : (g->o.vip & 0xFFFFFF00u) | 200; /* 198.51.100.77 / .200 */
    uint16_t port = k ? NLB_UDP_PORT_REMOTE_CONTROL_OLD : NLB_UDP_PORT_REMOTE_CONTROL;
    if (!emit(g, t, nlb_build_udp4(g->buf, sizeof g->buf, g->cluster_mac, outside ? g->gw_mac : admin, 0, src, g->o.vip,
                                   (uint16_t)(51000 + k), port, 64)))
        return;
    g->x_vip_flows++;
    if (outside && !g->rc_out_first) g->rc_out_first = t;
}

/* One echo request from a remote client to the VIP; hosts 1 and 2 answer, host 3 gets nothing. */
static void send_ping(gen *g, nlb_usec t, unsigned seq)
{
    uint32_t client = 0xCB00710Au; /* 203.0.113.10 */
    if (!emit(g, t, nlb_build_icmp4_echo(g->buf, sizeof g->buf, g->cluster_mac, g->gw_mac, 0, client, g->o.vip, false,
                                         0x0200, (uint16_t)seq, 32)))
        return;
    if (!g->pings++) g->ping_first = t;
    for (unsigned i = 0; i < 2 && i < g->nh; i++)
        emit(g, t + (nlb_usec)(i + 1) * 300, nlb_build_icmp4_echo(g->buf, sizeof g->buf, g->gw_mac, g->h[i].src, 0,
                                                                 g->o.vip, client, true, 0x0200, (uint16_t)seq, 32));
}

/* Host idx's common header on 0xBF01 (its body layout is not public: zeros here). */
static void send_legacy(gen *g, unsigned idx, nlb_usec t)
{
    ghost *h = &g->h[idx];
    nlb_heartbeat hb;
    nlb_hb_init_membership(&hb, g->o.vip, h->dip, h->prio);
    uint8_t full[NLB_HB_MEMBERSHIP_LEN], p[64] = { 0 };
    nlb_hb_encode(&hb, full, sizeof full);
    memcpy(p, full, NLB_HB_COMMON_LEN);
    if (!emit(g, t, nlb_build_raw(g->buf, sizeof g->buf, BCAST, h->src, 0, NLB_ETHERTYPE_LEGACY, p, sizeof p)))
        return;
    if (!g->legacy_hb) g->legacy_first = t;
    g->legacy_hb++;
    g->legacy_hosts |= 1u << (h->prio - 1);
}

static void send_foreign(gen *g, nlb_usec t, bool lqsr, unsigned k)
{
    static const uint8_t mesh[6] = { 0x00, 0x0d, 0x3a, 0x21, 0x43, 0x65 }, xbox[6] = { 0x7c, 0xed, 0x8d, 0x41, 0x07, 0x34 };
    uint8_t p[46] = { 0 };
    if (lqsr) { /* LQSR's signature, then an opaque body */
        p[0] = 0xF7; p[1] = 0x8A; p[2] = 0xDE; p[3] = 0xC0;
        p[4] = (uint8_t)k;
    } else {
        memcpy(p, "XBOX\x01", 5);
    }
    if (emit(g, t, nlb_build_raw(g->buf, sizeof g->buf, BCAST, lqsr ? mesh : xbox, 0, NLB_ETHERTYPE, p, sizeof p)))
        g->foreign++;
}

void expert_oneshot(gen *g, uint32_t arg, nlb_usec t)
{
    static unsigned lq;
    switch (arg >> 8) {
    case X_LEGACY_HB: send_legacy(g, arg & 0xFFu, t); break;
    case X_LQSR: send_foreign(g, t, true, lq++); break;
    case X_XBOX: send_foreign(g, t, false, 0); break;
    case X_RC_IN: send_remote(g, t, false, 0); break;
    case X_RC_OUT: send_remote(g, t, true, arg & 0xFFu); break;
    case X_PING: send_ping(g, t, arg & 0xFFu); break;
    }
}

unsigned expert_truth(const gen *g, jdiag *d, unsigned nd, unsigned cap)
{
    if (g->legacy_hb && nd < cap) {
        d[nd] = (jdiag){ NLB_D_LEGACY_HEARTBEATS, "warning", g->legacy_first, "" };
        snprintf(d[nd].detail, sizeof d[nd].detail, "%u legacy 0xBF01 heartbeats from host 3 in a cluster sending 0x886F",
                 (unsigned)g->legacy_hb);
        nd++;
    }
    if (g->rc_out_first && nd < cap) {
        d[nd] = (jdiag){ NLB_D_REMOTE_CONTROL, "warning", g->rc_out_first, "" };
        snprintf(d[nd].detail, sizeof d[nd].detail, "remote control from 198.51.100.77, outside the VIP's /24");
        nd++;
    }
    if (g->pings && nd < cap) {
        d[nd] = (jdiag){ NLB_D_PING_CENSUS, "warning", g->ping_first, "" };
        snprintf(d[nd].detail, sizeof d[nd].detail, "%u pings answered by hosts 1 and 2; host 3, heard in heartbeats, never answers",
                 g->pings);
        nd++;
    }
    return nd;
}
