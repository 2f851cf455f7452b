/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbgen's continuity scenario: a convergence during which a few flows get replies from a
 * second host (what NLB must not do to an established TCP connection, and may do to a UDP flow),
 * with the truth: which flow, which hosts, which frames. */
#include <inttypes.h>
#include <string.h>

#include "gen.h"

/* How many flows of each kind the scenario twists (the first ones due during the convergence). */
static const unsigned WANT[CT_KINDS] = { 3, 2, 2 };
static const int CODE[CT_KINDS] = { NLB_D_TCP_OWNER_MOVED, NLB_D_RST_NOT_OWNER, NLB_D_UDP_OWNER_MOVED };

#define CT_START (20 * SEC)
#define CT_END (22 * SEC)

void cont_schedule(gen *g)
{
    if (!(g->o.flags & PF_CONTINUITY)) return;
    shot(g, CT_START, O_CONTINUITY, 1);
    shot(g, CT_END, O_CONTINUITY, 0);
}

/* The convergence: heartbeats say converging, no bin moves (the flows' owners stay). */
void cont_oneshot(gen *g, uint32_t arg, nlb_usec t)
{
    g->converging = arg != 0;
    add_event(g, t, arg ? "convergence_signal" : "convergence_signal_end", "%s",
              arg ? "hosts send converging heartbeats (no bin moves)" : "hosts send normal heartbeats");
}

/* The host sending reply `reply` (0-based) of flow f, owned by h: the next host for a twisted
 * flow. *rst is set when that reply must be an RST|ACK ending the flow. */
ghost *cont_replier(gen *g, gflow *f, ghost *h, unsigned reply, bool *rst)
{
    *rst = false;
    if (!(g->o.flags & PF_CONTINUITY) || !h || g->nh < 2) return h;
    if (!f->twist && g->converging && reply >= 1) {
        /* TCP: reply 1 is the response (moved), reply 2 the FIN-ACK (reset instead) */
        unsigned kind = f->proto == NLB_IPPROTO_UDP ? CT_UDP : reply == 1 ? CT_TCP : CT_RST;
        if (g->n_ct[kind] < WANT[kind] && g->n_ctx < CT_MAX) {
            f->twist = (uint8_t)(kind + 1);
            g->n_ct[kind]++;
            ct_truth *x = &g->ctx[g->n_ctx++];
            memset(x, 0, sizeof *x);
            x->kind = (uint8_t)kind;
            x->cip = f->cip;
            x->cport = f->cport;
            x->vport = f->vport;
            x->from = h->prio;
            x->to = g->h[h->slot % g->nh].prio;
            x->frame_from = f->first_frame;
            x->t_from = f->first_t;
            f->ct = (uint8_t)(g->n_ctx - 1);
            f->ct_pending = true;
        }
    }
    if (!f->twist) return h;
    *rst = f->twist == CT_RST + 1;
    return &g->h[h->slot % g->nh];
}

/* After emitting reply `reply` of flow f at t (seen: it reached the file). */
void cont_sent(gen *g, gflow *f, unsigned reply, nlb_usec t, bool seen)
{
    if (!seen) return;
    if (!reply) {
        f->first_frame = g->frames;
        f->first_t = t;
    }
    if (f->ct_pending) {
        g->ctx[f->ct].frame_to = g->frames;
        g->ctx[f->ct].t_to = t;
        f->ct_pending = false;
    }
}

void cont_truth(const gen *g, FILE *f)
{
    if (!(g->o.flags & PF_CONTINUITY)) return;
    char ip[16];
    fprintf(f, "  \"continuity\": {\"note\": \"flows answered by a second host during the convergence signal; frames are "
               "this file's frame numbers (first host's first reply, second host's first reply)\",\n    \"counts\": {");
    for (unsigned k = 0; k < CT_KINDS; k++)
        fprintf(f, "%s\"NLB-%03d\": %u", k ? ", " : "", CODE[k], g->n_ct[k]);
    fprintf(f, "},\n    \"flows\": [");
    for (unsigned i = 0; i < g->n_ctx; i++) {
        const ct_truth *x = &g->ctx[i];
        fprintf(f, "%s\n      {\"code\": \"NLB-%03d\", \"proto\": \"%s\", \"client\": \"%s\", \"cport\": %u, \"vport\": %u, "
                   "\"from\": %u, \"to\": %u, \"frame_from\": %" PRIu64 ", \"frame_to\": %" PRIu64 "}",
                i ? "," : "", CODE[x->kind], x->kind == CT_UDP ? "udp" : "tcp", nlb_ip4_str(x->cip, ip), x->cport,
                x->vport, x->from, x->to, x->frame_from, x->frame_to);
    }
    fprintf(f, "\n    ]},\n");
}

unsigned cont_diag_truth(const gen *g, jdiag *d, unsigned nd, unsigned cap)
{
    if (!(g->o.flags & PF_CONTINUITY)) return nd;
    for (unsigned i = 0; i < g->n_ctx && nd < cap; i++) {
        const ct_truth *x = &g->ctx[i];
        d[nd].code = CODE[x->kind];
        d[nd].severity = x->kind == CT_UDP ? "info" : "warning";
        d[nd].t = x->t_from;
        snprintf(d[nd].detail, sizeof d[nd].detail, "client port %u: host %u answered, then host %u%s", x->cport, x->from,
                 x->to, x->kind == CT_RST ? " reset it" : "");
        nd++;
    }
    return nd;
}
