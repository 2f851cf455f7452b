/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbgen's scenarios of the field-expert diagnoses (protocol doc sections 1 and 6): what each
 * flag adds to a healthy cluster's timeline, and the diagnostics that makes certain. */
#include <string.h>

#include "gen.h"

enum { X_LEGACY_HB = 1, X_LQSR, X_XBOX };

#define XSHOT(g, t, kind, arg) shot((g), (t), O_EXPERT, (uint32_t)(kind) << 8 | (arg))

void expert_schedule(gen *g)
{
    nlb_usec D = g->o.duration;
    if (g->o.flags & PF_LEGACY) {
        for (nlb_usec t = 8 * SEC + 430 * MS; t < D; t += SEC) XSHOT(g, t, X_LEGACY_HB, 2);
        for (nlb_usec t = 3 * SEC + 170 * MS; t < D; t += 4 * SEC) XSHOT(g, t, X_LQSR, 0);
        XSHOT(g, 6 * SEC + 250 * MS, X_XBOX, 0);
    }
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
    return nd;
}
