/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The delivery matrix: each client->VIP frame, once its copies had time to arrive, counted at
 * every point that was capturing then as got or missed; per cluster and point a run of segments
 * (receiving / missing); and the diagnostics drawn from them (NLB-016, NLB-017). */
#include "vantage_int.h"

static bool covers(const nlb_vantage *v, unsigned p, nlb_usec t)
{
    const nlb_vantage_point *pt = &v->pt[p];
    if (pt->offset_source == NLB_OFFSET_UNKNOWN || !pt->frames || pt->first_ts > t) return false;
    return !pt->ended || t <= pt->last_ts;
}

static void add_obs(nlb_delivery_segment *g, nlb_usec t, bool got, bool syn)
{
    g->frames++;
    g->got += got;
    g->syns += syn;
    g->syns_got += syn && got;
    g->end = t;
}

static void merge_streak(nlb_delivery_segment *g, dstreak *s)
{
    g->frames += s->frames;
    g->got += s->got;
    g->syns += s->syns;
    g->syns_got += s->syns_got;
    nlb_usec keep = s->last_got;
    memset(s, 0, sizeof *s);
    s->last_got = keep;
}

static void observe(nlb_vantage *v, unsigned cell, nlb_usec t, bool got, bool syn)
{
    nlb_delivery *d = &v->dl[cell];
    dstreak *s = &v->st[cell];
    if (!d->frames) {
        d->vip = v->cl[cell / NLB_VANTAGE_MAX_POINTS].vip;
        d->point = cell % NLB_VANTAGE_MAX_POINTS;
        v->cells[v->n_cells++] = cell;
    }
    d->frames++;
    d->got += got;
    if (got && !d->first_got) d->first_got = t;
    if (!d->n_segments) {
        nlb_delivery_segment *g = &d->seg[d->n_segments++];
        memset(g, 0, sizeof *g);
        g->state = got ? NLB_DELIVERY_RECEIVING : NLB_DELIVERY_MISSING;
        g->start = t;
    }
    nlb_delivery_segment *g = &d->seg[d->n_segments - 1];
    if (got == (g->state == NLB_DELIVERY_RECEIVING)) {
        if (s->frames) merge_streak(g, s);
        add_obs(g, t, got, syn);
        if (got) s->last_got = t;
        return;
    }
    if (!s->frames) {
        s->start = t;
        s->prev = s->last_got;
    }
    s->frames++;
    s->got += got;
    s->syns += syn;
    s->syns_got += syn && got;
    if (got) s->last_got = t;
    if (s->frames < DELIVERY_STREAK) return;
    if (d->n_segments == NLB_VANTAGE_MAX_SEGMENTS) {
        d->segments_dropped++; /* the last segment keeps the rest, whatever its state */
        merge_streak(g, s);
        g->end = t;
        return;
    }
    nlb_delivery_segment *n = &d->seg[d->n_segments++];
    memset(n, 0, sizeof *n);
    n->state = got ? NLB_DELIVERY_RECEIVING : NLB_DELIVERY_MISSING;
    n->start = s->start;
    n->prev = got ? 0 : s->prev;
    n->end = t;
    merge_streak(n, s);
}

void vt_account(nlb_vantage *v, const vent *e)
{
    bool shared = (e->mask & (e->mask - 1)) != 0;
    for (unsigned p = 0; p < v->cfg.n_points; p++)
        if (e->mask >> p & 1u) {
            if (shared) v->pt[p].shared++;
            else v->pt[p].alone++;
        }
    if (!(e->flags & VE_TO_VIP)) return;
    v->counts.to_vip++;
    for (unsigned p = 0; p < v->cfg.n_points; p++)
        if (covers(v, p, e->ts))
            observe(v, e->cl * NLB_VANTAGE_MAX_POINTS + p, e->ts, e->mask >> p & 1u, e->flags & VE_SYN);
}

void vt_delivery_close(nlb_vantage *v)
{
    for (size_t i = 0; i < v->n_cells; i++) {
        nlb_delivery *d = &v->dl[v->cells[i]];
        dstreak *s = &v->st[v->cells[i]];
        if (s->frames && d->n_segments) merge_streak(&d->seg[d->n_segments - 1], s);
    }
}

/* The first receiving -> missing change of a cell; NULL if it never stopped receiving. */
static const nlb_delivery_segment *first_stop(const nlb_delivery *d)
{
    for (unsigned i = 1; i < d->n_segments; i++)
        if (d->seg[i].state == NLB_DELIVERY_MISSING && d->seg[i - 1].state == NLB_DELIVERY_RECEIVING)
            return &d->seg[i];
    return NULL;
}

static nlb_diag *add_diag(nlb_vantage *v, nlb_diag_code code, nlb_usec t, uint32_t vip)
{
    if (v->n_dg >= VH_DIAG_CAP) return NULL;
    nlb_diag *d = &v->dg[v->n_dg++];
    memset(d, 0, sizeof *d);
    d->code = code;
    d->severity = nlb_diag_info(code) ? nlb_diag_info(code)->severity : NLB_SEV_INFO;
    d->time = t;
    d->vip = vip;
    return d;
}

/* NLB-016 for the points of group (stopped within GROUP_US of t0) of cluster k. */
static void diag_stop(nlb_vantage *v, unsigned k, uint32_t group, nlb_usec t0)
{
    const vcluster *c = &v->cl[k];
    uint32_t still = 0;
    nlb_usec lo = 0;
    uint64_t missed = 0;
    for (unsigned p = 0; p < v->cfg.n_points; p++) {
        const nlb_delivery *d = &v->dl[k * NLB_VANTAGE_MAX_POINTS + p];
        if (!d->frames || !d->n_segments) continue;
        if (group >> p & 1u) {
            const nlb_delivery_segment *g = first_stop(d);
            if (g->prev > lo) lo = g->prev;
            if (g->frames > missed) missed = g->frames;
        } else if (d->seg[d->n_segments - 1].state == NLB_DELIVERY_RECEIVING && d->seg[d->n_segments - 1].end >= t0) {
            still |= 1u << p;
        }
    }
    /* a frame from the cluster MAC between the last frame got and the first missed: the moment
     * the switch learned it; the copy captured where the traffic still goes is the sender's */
    const cmas *best = NULL;
    unsigned n = c->n_recent < VH_RECENT_CMAS ? c->n_recent : VH_RECENT_CMAS;
    for (unsigned i = 0; i < n; i++) {
        const cmas *r = &c->recent[i];
        if (r->ts <= lo || r->ts > t0) continue;
        bool at_still = still >> r->point & 1u;
        if (!best || r->ts + 1000 < best->ts)
            best = r; /* an earlier frame */
        else if (r->ts <= best->ts + 1000 && at_still && !(still >> best->point & 1u))
            best = r; /* the same frame, where it was sent from */
    }
    nlb_diag *d = add_diag(v, NLB_D_DELIVERY_PARTIAL, best ? best->ts : t0, c->vip);
    if (!d) return;
    d->hosts_mask = still;
    d->n3 = group;
    d->n4 = (uint32_t)missed;
    nlb_mac_make(NLB_MAC_UNICAST, c->vip, 0, d->mac);
    if (best) {
        d->n1 = best->point + 1u;
        d->n2 = (uint32_t)best->frame;
        d->duration = t0 - best->ts;
    }
}

static void diag_cluster(nlb_vantage *v, unsigned k)
{
    uint32_t done = 0;
    for (;;) {
        /* the earliest stop not yet diagnosed, and every point stopping within GROUP_US of it */
        nlb_usec t0 = INT64_MAX;
        for (unsigned p = 0; p < v->cfg.n_points; p++) {
            const nlb_delivery_segment *g = first_stop(&v->dl[k * NLB_VANTAGE_MAX_POINTS + p]);
            if (g && !(done >> p & 1u) && g->start < t0) t0 = g->start;
        }
        if (t0 == INT64_MAX) break;
        uint32_t group = 0;
        for (unsigned p = 0; p < v->cfg.n_points; p++) {
            const nlb_delivery_segment *g = first_stop(&v->dl[k * NLB_VANTAGE_MAX_POINTS + p]);
            if (g && !(done >> p & 1u) && g->start - t0 <= GROUP_US) group |= 1u << p;
        }
        done |= group;
        diag_stop(v, k, group, t0);
    }
    for (unsigned p = 0; p < v->cfg.n_points; p++) {
        const nlb_delivery *d = &v->dl[k * NLB_VANTAGE_MAX_POINTS + p];
        const nlb_vantage_point *pt = &v->pt[p];
        if (!d->got || (pt->hosts_mask && pt->hosts_vip == v->cl[k].vip)) continue;
        nlb_diag *g = add_diag(v, NLB_D_FLOODING_NO_HOST, d->first_got, v->cl[k].vip);
        if (!g) return;
        g->hosts_mask = 1u << p;
        g->n1 = (uint32_t)d->got;
        g->n2 = (uint32_t)d->frames;
    }
}

void vt_diagnose(nlb_vantage *v)
{
    v->n_dg = 0;
    for (unsigned k = 0; k < v->n_cl; k++)
        diag_cluster(v, k);
    for (size_t i = 1; i < v->n_dg; i++) { /* time order; few rows */
        nlb_diag x = v->dg[i];
        size_t j = i;
        for (; j > 0 && v->dg[j - 1].time > x.time; j--)
            v->dg[j] = v->dg[j - 1];
        v->dg[j] = x;
    }
}
