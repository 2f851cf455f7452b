/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Event and diagnostic records: stable slots and ids, generations, the time-ordered views, the
 * changes since a generation. */
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
    e->id = (uint32_t)i + 1;
    trk_touched(t, (int)i);
    e->gen_added = e->gen;
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

/* Which of the diagnostics sharing d[i]'s time, code and cluster it is (they keep their
 * derivation order: the sort is stable). */
static unsigned diag_ordinal(const nlb_diag *d, size_t i)
{
    unsigned n = 0;
    for (size_t j = i; j-- > 0 && d[j].time == d[i].time;)
        n += d[j].code == d[i].code && d[j].vip == d[i].vip;
    return n;
}

static bool diag_same(const nlb_diag *a, const nlb_diag *b)
{
    return a->hosts_mask == b->hosts_mask && a->n1 == b->n1 && a->n2 == b->n2 && a->n3 == b->n3 &&
           a->n4 == b->n4 && a->duration == b->duration && a->port == b->port && a->mode == b->mode &&
           !memcmp(a->mac, b->mac, 6);
}

/* Diagnostics are derived afresh each time: one that was there before (same code, cluster,
 * time and ordinal) keeps its id and generations, and gets a new generation where it changed. */
void trk_stamp_diags(nlb_tracker *t)
{
    size_t j0 = 0;
    for (size_t i = 0; i < t->n_dg; i++) {
        nlb_diag *d = &t->dg[i];
        unsigned ord = diag_ordinal(t->dg, i);
        while (j0 < t->n_dg_prev && t->dg_prev[j0].time < d->time) j0++;
        const nlb_diag *p = NULL;
        for (size_t j = j0; !p && j < t->n_dg_prev && t->dg_prev[j].time == d->time; j++)
            if (t->dg_prev[j].code == d->code && t->dg_prev[j].vip == d->vip && diag_ordinal(t->dg_prev, j) == ord)
                p = &t->dg_prev[j];
        if (!p) {
            d->id = ++t->dg_ids;
            d->gen_added = d->gen = d->gen_severity = ++t->gen;
            continue;
        }
        d->id = p->id;
        d->gen_added = p->gen_added;
        d->gen_severity = d->severity == p->severity ? p->gen_severity : ++t->gen;
        d->gen = d->severity == p->severity && diag_same(d, p) ? p->gen : d->gen_severity > p->gen ? d->gen_severity : ++t->gen;
    }
    memcpy(t->dg_prev, t->dg, t->n_dg * sizeof *t->dg);
    t->n_dg_prev = t->n_dg;
}

size_t nlb_tracker_changes(const nlb_tracker *t, uint64_t since, nlb_change *out, size_t cap, uint64_t *gen)
{
    if (gen) *gen = t ? t->gen : 0;
    if (!t) return 0;
    size_t n = 0;
    trk_sort_events((nlb_tracker *)t); /* a view, as in nlb_tracker_event */
    for (size_t i = 0; i < t->n_ev; i++) {
        const nlb_event *e = &t->ev[t->ev_order[i]];
        if (e->gen <= since) continue;
        if (out && n < cap)
            out[n] = (nlb_change){ NLB_CHANGE_EVENT, e->gen_added > since ? NLB_CHANGED_NEW : NLB_CHANGED_DETAIL,
                                   e->id, e, NULL };
        n++;
    }
    for (size_t i = 0; i < t->n_dg; i++) {
        const nlb_diag *d = &t->dg[i];
        if (d->gen <= since) continue;
        uint8_t how = d->gen_added > since ? NLB_CHANGED_NEW
                      : (uint8_t)((d->gen_severity > since ? NLB_CHANGED_SEVERITY : 0) |
                                  (d->gen > d->gen_severity ? NLB_CHANGED_DETAIL : 0));
        if (out && n < cap)
            out[n] = (nlb_change){ NLB_CHANGE_DIAG, how, d->id, NULL, d };
        n++;
    }
    return n;
}

const nlb_event *nlb_tracker_event_by_id(const nlb_tracker *t, uint32_t id)
{
    return t && id >= 1 && id <= t->n_ev ? &t->ev[id - 1] : NULL;
}
