/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Event and diagnostic records: stable slots, the time-ordered views. */
#include <stdlib.h>
#include <string.h>

#include "tracker_int.h"

int trk_add_event(nlb_tracker *t, nlb_usec time, nlb_event_kind kind, uint32_t vip, uint8_t host)
{
    if (t->n_ev >= t->ev_cap) {
        t->counts.events_dropped++;
        return -1;
    }
    size_t i = t->n_ev++;
    nlb_event *e = &t->ev[i];
    memset(e, 0, sizeof *e);
    e->time = time;
    e->kind = kind;
    e->vip = vip;
    e->host = host;
    t->ev_order[i] = (uint32_t)i;
    /* late detections (silence, bursts) are timed in the past: the sorted view is rebuilt lazily */
    if (i && t->ev[t->ev_order[i - 1]].time > time)
        t->ev_dirty = true;
    return (int)i;
}

void trk_sort_events(nlb_tracker *t)
{
    if (!t->ev_dirty) return;
    /* insertion sort: the order is nearly sorted, and stable by slot for equal times */
    for (size_t i = 0; i < t->n_ev; i++) t->ev_order[i] = (uint32_t)i;
    for (size_t i = 1; i < t->n_ev; i++) {
        uint32_t x = t->ev_order[i];
        size_t j = i;
        while (j && t->ev[t->ev_order[j - 1]].time > t->ev[x].time) {
            t->ev_order[j] = t->ev_order[j - 1];
            j--;
        }
        t->ev_order[j] = x;
    }
    t->ev_dirty = false;
}

/* A new diagnostic at its table severity (diag.def); detectors whose evidence moves it set it after. */
nlb_diag *trk_add_diag(nlb_tracker *t, nlb_diag_code code, nlb_usec time, const cluster_rt *c)
{
    if (t->n_dg >= NLB_DIAG_CAP) {
        t->counts.diags_dropped++;
        return NULL;
    }
    nlb_diag *d = &t->dg[t->n_dg++];
    memset(d, 0, sizeof *d);
    d->code = code;
    d->severity = nlb_diag_info(code)->severity;
    d->time = time;
    if (c) {
        d->vip = c->info.vip;
        d->mode = (uint8_t)c->info.mode;
    }
    return d;
}

void trk_sort_diags(nlb_tracker *t)
{
    for (size_t i = 1; i < t->n_dg; i++) {
        nlb_diag x = t->dg[i];
        size_t j = i;
        while (j && (t->dg[j - 1].time > x.time || (t->dg[j - 1].time == x.time && t->dg[j - 1].code > x.code))) {
            t->dg[j] = t->dg[j - 1];
            j--;
        }
        t->dg[j] = x;
    }
}
