/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Connection continuity: flows whose replies come from a second host. NLB keeps an established
 * TCP connection on the host that accepted it across convergence (protocol doc section 4), so a
 * TCP reply or reset from another host means the client's packets reached a host without the
 * connection; a UDP flow has no connection state and may move with its bin. */
#include <string.h>

#include "tracker_int.h"

/* Reply of flow k from host prio, not the flow's observed owner: counted once per flow. */
void trk_owner_moved(nlb_tracker *t, cluster_rt *c, size_t k, const nlb_packet *pkt, unsigned prio, nlb_usec ts)
{
    const nlb_flow_info *f = &t->fl[k];
    unsigned kind = f->proto == NLB_IPPROTO_UDP ? CONT_UDP_MOVED
                    : (pkt->tcp_flags & NLB_TCP_RST) ? CONT_RST : CONT_TCP_MOVED;
    t->core[k].flags |= FC_MOVED;
    uint32_t n = c->cont_n[kind]++;
    if (n >= CONT_EXAMPLES) return;
    cont_ex *e = &c->cont[kind][n];
    e->client = f->client;
    e->cport = f->cport;
    e->vport = f->vport;
    e->from = f->observed_host;
    e->to = (uint8_t)prio;
    e->converging = c->converging;
    e->t_from = t->frt[k].owner_at;
    e->t_to = ts;
}

/* One diagnostic per example, each carrying the kind's count (field meanings: diag.c's table). */
void trk_diag_continuity(nlb_tracker *t, const cluster_rt *c)
{
    static const nlb_diag_code code[CONT_KINDS] = { NLB_D_TCP_OWNER_MOVED, NLB_D_RST_NOT_OWNER, NLB_D_UDP_OWNER_MOVED };
    for (unsigned kind = 0; kind < CONT_KINDS; kind++) {
        uint32_t n = c->cont_n[kind];
        for (uint32_t i = 0; i < n && i < CONT_EXAMPLES; i++) {
            const cont_ex *e = &c->cont[kind][i];
            nlb_diag *d = trk_add_diag(t, code[kind], e->t_from, c);
            if (!d) return;
            d->hosts_mask = bit(e->from) | bit(e->to);
            d->duration = e->t_to - e->t_from;
            d->port = e->vport;
            d->n1 = n;
            d->n2 = v4_of(&e->client);
            d->n3 = e->cport;
            d->n4 = (uint32_t)e->from | (uint32_t)e->to << 8 | (uint32_t)e->converging << 16;
        }
    }
}
