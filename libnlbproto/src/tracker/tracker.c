/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tracker's life: config, the one allocation, the clock, frame dispatch, accessors. */
#include <stdlib.h>
#include <string.h>

#include "tracker_int.h"

void nlb_tracker_config_default(nlb_tracker_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->period_ms = 1000;
    cfg->tolerance = 5;
    cfg->max_clusters = 64;
    cfg->max_flows = 262144;
    cfg->max_events = 4096;
    cfg->burst_window = 1000000;
    cfg->burst_min_macs = 3;
    cfg->answer_timeout = 3000000;
    cfg->max_learned = 65536;
    nlb_model_init(&cfg->model);
}

static size_t carve(size_t *off, size_t size, size_t align)
{
    size_t at = (*off + align - 1) & ~(align - 1);
    *off = at + size;
    return at;
}

nlb_tracker *nlb_tracker_new(const nlb_tracker_config *cfg)
{
    if (!cfg || !cfg->period_ms || !cfg->tolerance || !cfg->max_clusters || cfg->max_clusters > 4096 ||
        cfg->n_vips > NLB_MAX_USER_VIPS || cfg->max_flows > ((size_t)1 << 28) ||
        cfg->max_events > ((size_t)1 << 26) || cfg->model.bins < 1 || cfg->model.bins > NLB_BINS_MAX ||
        cfg->model.n_rules > NLB_MAX_RULES || cfg->burst_window < 0 || cfg->answer_timeout < 0 ||
        cfg->without_host > NLB_MAX_PRIORITY || cfg->max_learned > ((size_t)1 << 26))
        return NULL;
    size_t ncl = cfg->max_clusters;
    size_t vip_cap = pow2_at_least(2 * ncl);
    size_t v6_cap = pow2_at_least(2 * ncl * NLB_HB_MAX_ADDRS);
    size_t idx_cap = pow2_at_least(ncl * NLB_MAX_PRIORITY * 4);
    size_t fl_cap = cfg->max_flows;
    size_t fidx_cap = fl_cap ? pow2_at_least(2 * fl_cap) : 16;
    size_t ev_cap = cfg->max_events;

    size_t off = 0;
    size_t o_t = carve(&off, sizeof(nlb_tracker), 16);
    size_t o_cl = carve(&off, ncl * sizeof(cluster_rt), 16);
    size_t o_vk = carve(&off, vip_cap * sizeof(uint32_t), 8);
    size_t o_vv = carve(&off, vip_cap * sizeof(uint16_t), 8);
    size_t o_v6 = carve(&off, v6_cap * sizeof(v6ent), 8);
    size_t o_ik = carve(&off, idx_cap * sizeof(uint64_t), 8);
    size_t o_iv = carve(&off, idx_cap * sizeof(uint32_t), 8);
    size_t o_ev = carve(&off, ev_cap * sizeof(nlb_event), 16);
    size_t o_eo = carve(&off, ev_cap * sizeof(uint32_t), 8);
    size_t o_dg = carve(&off, NLB_DIAG_CAP * sizeof(nlb_diag), 16);
    size_t o_dp = carve(&off, NLB_DIAG_CAP * sizeof(nlb_diag), 16);
    size_t o_fl = carve(&off, fl_cap * sizeof(nlb_flow_info), 16);
    size_t o_fr = carve(&off, fl_cap * sizeof(flow_rt), 16);
    size_t o_fi = carve(&off, fidx_cap * sizeof(uint64_t), 8);
    size_t o_co = carve(&off, fl_cap * sizeof(fcore) + 64, 16); /* aligned to 64 below */
    size_t o_q = carve(&off, (fl_cap ? fl_cap : 1) * sizeof(uint32_t), 8);
    size_t o_bs = carve(&off, BURST_SET_CAP * sizeof(uint64_t), 8);
    size_t o_wi = carve(&off, ncl * NLB_MAX_RULES * 2 * sizeof(nlb_binmap), 8);
    size_t o_rf = carve(&off, REFUSED_CAP * sizeof(uint32_t), 8);
    /* a flow teaches at most two client keys (Single, Class C); bins are 3 x 64 per scope */
    size_t learn_keys = cfg->max_learned < 2 * fl_cap + 4096 ? cfg->max_learned : 2 * fl_cap + 4096;
    size_t learn_bytes = learn_keys ? nlb_learn_bytes(learn_keys) : 0;
    size_t o_ln = carve(&off, learn_bytes, 16);

    char *mem = calloc(1, off); /* the one allocation of the tracker's life */
    if (!mem)
        return NULL;
    nlb_tracker *t = (nlb_tracker *)(mem + o_t);
    t->cfg = *cfg;
    if (!t->cfg.model.hash) t->cfg.model.hash = nlb_hash_oaat;
    if (!t->cfg.model.hash_name) t->cfg.model.hash_name = "one-at-a-time";
    if (t->cfg.period_ms > NLB_PERIOD_MS_MAX) t->cfg.period_ms = NLB_PERIOD_MS_MAX;
    if (t->cfg.tolerance > NLB_TOLERANCE_MAX) t->cfg.tolerance = NLB_TOLERANCE_MAX;
    t->period = (nlb_usec)t->cfg.period_ms * 1000;
    t->thr = t->period * (nlb_usec)t->cfg.tolerance;
    t->scan_every = t->period / 4 > 0 ? t->period / 4 : 1;
    t->cl = (cluster_rt *)(mem + o_cl);
    t->vip_key = (uint32_t *)(mem + o_vk);
    t->vip_val = (uint16_t *)(mem + o_vv);
    t->vip_cap = vip_cap;
    t->v6 = (v6ent *)(mem + o_v6);
    t->v6_cap = v6_cap;
    t->idx_key = (uint64_t *)(mem + o_ik);
    t->idx_val = (uint32_t *)(mem + o_iv);
    t->idx_cap = idx_cap;
    t->ev = (nlb_event *)(mem + o_ev);
    t->ev_order = (uint32_t *)(mem + o_eo);
    t->ev_cap = ev_cap;
    t->dg = (nlb_diag *)(mem + o_dg);
    t->dg_prev = (nlb_diag *)(mem + o_dp);
    t->fl = (nlb_flow_info *)(mem + o_fl);
    t->frt = (flow_rt *)(mem + o_fr);
    t->fl_cap = fl_cap;
    t->fidx = (uint64_t *)(mem + o_fi);
    t->fidx_cap = fidx_cap;
    /* records on cache-line boundaries: one never straddles two lines */
    t->core = (fcore *)(void *)(mem + o_co + (64 - ((uintptr_t)(mem + o_co) & 63)) % 64);
    t->q = (uint32_t *)(mem + o_q);
    t->q_due = INT64_MAX;
    t->b_set = (uint64_t *)(mem + o_bs);
    t->wi = (nlb_binmap *)(mem + o_wi);
    t->refused = (uint32_t *)(mem + o_rf);
    if (learn_bytes) nlb_learn_init(&t->learn, mem + o_ln, learn_bytes);
    return t;
}

void nlb_tracker_free(nlb_tracker *t)
{
    free(t); /* the tracker sits at the start of its one block */
}

/* What falls due at now: SYNs past the answer timeout, the end of a burst, the periodic scan. */
static void advance_due(nlb_tracker *t, nlb_usec now)
{
    if (now > t->q_due) {
        t->q_due = INT64_MAX;
        while (t->q_head != t->q_tail) {
            size_t k = t->q[t->q_head % t->fl_cap];
            if (t->frt[k].syn_at + t->cfg.answer_timeout >= now) {
                t->q_due = t->frt[k].syn_at + t->cfg.answer_timeout;
                break;
            }
            t->q_head++;
            trk_judge(t, k);
        }
    }
    if (t->b_open && now - t->b_last > t->cfg.burst_window)
        trk_close_burst(t);
    if (now >= t->next_scan) {
        for (unsigned i = 0; i < t->n_cl; i++)
            trk_cluster_check(t, &t->cl[i], now);
        t->next_scan = now + t->scan_every;
    }
}

/* The clock: three cheap tests per frame, the work in advance_due. */
static inline void advance(nlb_tracker *t, nlb_usec now)
{
    if (!t->started) {
        t->started = true;
        t->first_ts = now;
        t->next_scan = now;
    }
    if (now < t->now) now = t->now; /* input is supposed to be in time order; never go back */
    t->now = now;
    if (now > t->q_due || (t->b_open && now - t->b_last > t->cfg.burst_window) || now >= t->next_scan)
        advance_due(t, now);
}

void nlb_tracker_feed(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    if (!t || !pkt) return;
    if (!t->started && t->cfg.n_vips) {
        for (unsigned i = 0; i < t->cfg.n_vips; i++)
            trk_cluster_get(t, t->cfg.vips[i], NLB_FOUND_BY_CONFIG, ts);
    }
    advance(t, ts);
    ts = t->now;
    t->counts.frames++;
    if (pkt->status == NLB_TRUNCATED) t->counts.truncated++;
    else if (pkt->status == NLB_MALFORMED) t->counts.malformed++;
    trk_l2_checks(t, pkt, ts);
    switch (pkt->kind) {
    case NLB_FK_HEARTBEAT:
        if (pkt->hb.status == NLB_NOT_NLB) break;
        if (pkt->hb.kind == NLB_HB_MEMBERSHIP) {
            t->counts.heartbeats++;
            if (pkt->hb.status == NLB_MALFORMED) {
                t->counts.heartbeats_malformed++;
                trk_on_membership_malformed(t, pkt, ts);
            } else {
                trk_on_membership(t, pkt, ts);
            }
        } else if (pkt->hb.status == NLB_MALFORMED) {
            break;
        } else if (pkt->hb.kind == NLB_HB_EXTENDED) {
            t->counts.heartbeats_extended++;
            trk_on_extended(t, pkt, ts);
        }
        break;
    case NLB_FK_FOREIGN_886F:
        t->counts.foreign_886f++;
        if (pkt->hb.foreign == NLB_FOREIGN_XBOX) t->counts.foreign_xbox++;
        else if (pkt->hb.foreign == NLB_FOREIGN_LQSR) t->counts.foreign_lqsr++;
        break;
    case NLB_FK_LEGACY_HEARTBEAT:
        t->counts.legacy_heartbeats++;
        trk_on_legacy(t, pkt, ts);
        break;
    case NLB_FK_ARP:
    case NLB_FK_RARP:
        trk_on_arp(t, pkt, ts);
        break;
    case NLB_FK_IGMP:
        trk_on_igmp(t, pkt);
        break;
    case NLB_FK_IP:
        trk_on_ip(t, pkt, ts);
        break;
    case NLB_FK_OTHER:
        break;
    }
}

void nlb_tracker_feed_facts(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts, nlb_frame_facts *facts)
{
    if (facts) memset(facts, 0, sizeof *facts);
    if (!t) return;
    t->facts = facts;
    nlb_tracker_feed(t, pkt, ts);
    t->facts = NULL;
}

void nlb_tracker_tick(nlb_tracker *t, nlb_usec now)
{
    if (!t) return;
    if (!t->started && t->cfg.n_vips)
        for (unsigned i = 0; i < t->cfg.n_vips; i++)
            trk_cluster_get(t, t->cfg.vips[i], NLB_FOUND_BY_CONFIG, now);
    t->next_scan = now; /* ticks are rare: always look at the clusters */
    advance(t, now);
}

void nlb_tracker_finish(nlb_tracker *t)
{
    if (!t) return;
    if (t->started) {
        nlb_usec end = t->now;
        /* everything due up to and including the last timestamp */
        advance(t, end);
        for (unsigned i = 0; i < t->n_cl; i++)
            trk_cluster_check(t, &t->cl[i], end + 1);
        if (t->b_open)
            trk_close_burst(t); /* the capture ended: the episode is complete */
        for (unsigned i = 0; i < t->n_cl; i++) {
            cluster_rt *c = &t->cl[i];
            for (unsigned k = 0; k < c->info.n_hosts; k++) {
                nlb_host_info *h = &c->info.hosts[k];
                host_rt *hr = &c->h[h->priority];
                h->silent = hr->silent;
                h->unseen = hr->unseen;
                nlb_event *e = ev_at(t, hr->ev_silent);
                if (hr->silent && e) e->duration = end - h->last_seen;
            }
        }
    }
    nlb_tracker_diagnose(t);
}

const nlb_counts *nlb_tracker_counts(const nlb_tracker *t) { return &t->counts; }

size_t nlb_tracker_cluster_count(const nlb_tracker *t) { return t ? t->n_cl : 0; }

/* The verdicts of cluster i's public record, brought up to date when it is read (the per-frame
 * path keeps only the facts they follow from). Writing through const: as in nlb_tracker_event. */
static const nlb_cluster_info *cluster_view(const nlb_tracker *t, size_t i)
{
    nlb_cluster_info *ci = &((nlb_tracker *)t)->cl[i].info;
    ci->silence_limit = t->thr;
    for (unsigned k = 0; k < ci->n_hosts; k++) {
        nlb_host_info *h = &ci->hosts[k];
        h->state = h->unseen ? NLB_HOST_UNSEEN : h->silent ? NLB_HOST_SILENT : !h->heartbeats ? NLB_HOST_UNKNOWN
                   : h->max_gap > t->thr ? NLB_HOST_GAP : NLB_HOST_OK;
    }
    return ci;
}

const nlb_cluster_info *nlb_tracker_cluster(const nlb_tracker *t, size_t i)
{
    return t && i < t->n_cl ? cluster_view(t, i) : NULL;
}

const nlb_cluster_info *nlb_tracker_find_cluster(const nlb_tracker *t, uint32_t vip)
{
    int k = t ? vip_find(t, vip) : -1;
    return k >= 0 ? cluster_view(t, (size_t)k) : NULL;
}

size_t nlb_tracker_event_count(const nlb_tracker *t) { return t ? t->n_ev : 0; }

const nlb_event *nlb_tracker_event(const nlb_tracker *t, size_t i)
{
    if (!t || i >= t->n_ev) return NULL;
    /* The tracker is never a const object (nlb_tracker_new hands out heap memory), so sorting the
     * view on first read is legitimate. Not thread-safe with a concurrent feed, like the rest. */
    trk_sort_events((nlb_tracker *)t);
    return &t->ev[t->ev_order[i]];
}

size_t nlb_tracker_diag_count(const nlb_tracker *t) { return t ? t->n_dg : 0; }

const nlb_diag *nlb_tracker_diag(const nlb_tracker *t, size_t i) { return t && i < t->n_dg ? &t->dg[i] : NULL; }

size_t nlb_tracker_flow_count(const nlb_tracker *t) { return t ? t->n_fl : 0; }

const nlb_flow_info *nlb_tracker_flow(const nlb_tracker *t, size_t i)
{
    if (!t || i >= t->n_fl) return NULL;
    size_t k = (t->fl_head + i) % t->fl_cap;
    /* the per-frame fields live in t->core (see fcore): bring the public record up to date.
     * Writing through const is legitimate here for the same reason as in nlb_tracker_event. */
    nlb_flow_info *f = &((nlb_tracker *)t)->fl[k];
    const fcore *c = &t->core[k];
    f->last_seen = c->last_seen;
    f->frames = (uint64_t)c->frames_hi << 32 | c->frames;
    f->verdict = trk_flow_verdict(t, k);
    return f;
}

/* Flows are numbered in order of creation; the table holds the last n_fl of them (a ring). */
const nlb_flow_info *nlb_tracker_flow_by_id(const nlb_tracker *t, uint32_t id)
{
    if (!t || !id || id > t->counts.vip_flows) return NULL;
    uint64_t first = t->counts.vip_flows - t->n_fl + 1;
    return id >= first ? nlb_tracker_flow(t, (size_t)(id - first)) : NULL;
}

const nlb_model *nlb_tracker_model(const nlb_tracker *t) { return &t->cfg.model; }

const nlb_calib *nlb_tracker_calib(const nlb_tracker *t, size_t cluster, unsigned slot)
{
    return t && cluster < t->n_cl && slot < NLB_MAX_RULES ? &t->cl[cluster].calib[slot] : NULL;
}
