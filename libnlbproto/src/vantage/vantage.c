/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vantage's life: config, its one block of memory, what each frame tells it (clusters,
 * client->VIP frames, frames from the cluster MAC, NLB hosts behind a point), accessors. */
#include <stdio.h>
#include <stdlib.h>

#include "vantage_int.h"

void nlb_vantage_config_default(nlb_vantage_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->n_points = 2;
    cfg->max_offset = 5000000;
    cfg->window_frames = (size_t)1 << 20;
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 16;
    while (c < n) c <<= 1;
    return c;
}

static size_t carve(size_t *off, size_t size)
{
    size_t at = (*off + 15) & ~(size_t)15;
    *off = at + size;
    return at;
}

typedef struct layout { size_t v, ent, idx, dl, st, pairs, total, idx_cap; } layout;

static bool plan(const nlb_vantage_config *cfg, layout *l)
{
    if (!cfg || cfg->n_points < 1 || cfg->n_points > NLB_VANTAGE_MAX_POINTS || cfg->max_offset < 0 ||
        cfg->window_frames < 1 || cfg->window_frames > ((size_t)1 << 26) || cfg->n_vips > 16)
        return false;
    size_t off = 0, cells = NLB_VANTAGE_MAX_CLUSTERS * NLB_VANTAGE_MAX_POINTS;
    l->idx_cap = pow2_at_least(2 * cfg->window_frames);
    l->v = carve(&off, sizeof(nlb_vantage));
    l->ent = carve(&off, cfg->window_frames * sizeof(vent));
    l->idx = carve(&off, l->idx_cap * sizeof(uint32_t));
    l->dl = carve(&off, cells * sizeof(nlb_delivery));
    l->st = carve(&off, cells * sizeof(dstreak));
    l->pairs = carve(&off, N_PAIRS * sizeof(pair_samples));
    l->total = off;
    return true;
}

size_t nlb_vantage_memsize(const nlb_vantage_config *cfg)
{
    layout l;
    return plan(cfg, &l) ? l.total : 0;
}

static int vc_find(const nlb_vantage *v, uint32_t vip)
{
    for (unsigned i = 0; i < v->n_cl; i++)
        if (v->cl[i].vip == vip) return (int)i;
    return -1;
}

static int vc_get(nlb_vantage *v, uint32_t vip)
{
    int k = vc_find(v, vip);
    if (k >= 0 || !vip) return k;
    if (v->n_cl >= NLB_VANTAGE_MAX_CLUSTERS) {
        v->counts.clusters_dropped++;
        return -1;
    }
    memset(&v->cl[v->n_cl], 0, sizeof v->cl[0]);
    v->cl[v->n_cl].vip = vip;
    return (int)v->n_cl++;
}

nlb_vantage *nlb_vantage_init(void *mem, size_t size, const nlb_vantage_config *cfg)
{
    layout l;
    if (!mem || ((uintptr_t)mem & 15) || !plan(cfg, &l) || size < l.total) return NULL;
    char *m = mem;
    memset(m, 0, l.total);
    nlb_vantage *v = (nlb_vantage *)(void *)(m + l.v);
    v->cfg = *cfg;
    v->ent = (vent *)(void *)(m + l.ent);
    v->cap = cfg->window_frames;
    v->idx = (uint32_t *)(void *)(m + l.idx);
    v->idx_cap = l.idx_cap;
    v->dl = (nlb_delivery *)(void *)(m + l.dl);
    v->st = (dstreak *)(void *)(m + l.st);
    v->pairs = (pair_samples *)(void *)(m + l.pairs);
    for (unsigned p = 0; p < cfg->n_points; p++)
        snprintf(v->pt[p].label, sizeof v->pt[p].label, "point%u", p + 1);
    for (unsigned i = 0; i < cfg->n_vips; i++)
        vc_get(v, cfg->vips[i]);
    return v;
}

nlb_vantage *nlb_vantage_new(const nlb_vantage_config *cfg)
{
    size_t n = nlb_vantage_memsize(cfg);
    void *mem = n ? aligned_alloc(16, (n + 15) & ~(size_t)15) : NULL; /* the one allocation */
    nlb_vantage *v = mem ? nlb_vantage_init(mem, n, cfg) : NULL;
    if (!v) free(mem);
    return v;
}

void nlb_vantage_free(nlb_vantage *v)
{
    free(v); /* the vantage sits at the start of its block */
}

bool nlb_vantage_set_label(nlb_vantage *v, unsigned p, const char *label)
{
    if (!v || p >= v->cfg.n_points || !label) return false;
    snprintf(v->pt[p].label, sizeof v->pt[p].label, "%s", label);
    return true;
}

bool nlb_vantage_set_offset(nlb_vantage *v, unsigned p, nlb_usec offset)
{
    if (!v || p >= v->cfg.n_points || v->settled) return false;
    v->given[p] = p != 0;
    v->pt[p].offset = p ? offset : 0;
    return p != 0;
}

static void learn_cluster(nlb_vantage *v, const nlb_packet *pkt)
{
    if (pkt->kind == NLB_FK_HEARTBEAT && pkt->hb.status != NLB_MALFORMED && pkt->hb.status != NLB_NOT_NLB)
        vc_get(v, pkt->hb.cluster_ip);
}

void nlb_vantage_calibrate(nlb_vantage *v, unsigned p, const nlb_packet *pkt, nlb_usec ts)
{
    if (!v || !pkt || p >= v->cfg.n_points || v->settled) return;
    learn_cluster(v, pkt);
    v->counts.calib_frames++;
    vt_retire(v, ts - 2 * v->cfg.max_offset);
    vt_calib_frame(v, p, vt_frame_hash(pkt), ts);
}

void nlb_vantage_settle(nlb_vantage *v)
{
    if (!v || v->settled) return;
    vt_place_points(v);
    vt_window_reset(v);
    v->settled = true;
}

nlb_usec nlb_vantage_reference_time(const nlb_vantage *v, unsigned p, nlb_usec ts)
{
    return v && p < v->cfg.n_points ? ts - v->pt[p].offset : ts;
}

/* Frames sent from 02-BF-VIP: kept per cluster, the last few, to time a switch's learning. */
static void note_cluster_mac_source(nlb_vantage *v, unsigned k, unsigned p, nlb_usec ts, uint64_t frame_no)
{
    vcluster *c = &v->cl[k];
    cmas *r = &c->recent[c->n_recent++ % VH_RECENT_CMAS];
    r->ts = ts;
    r->frame = frame_no;
    r->point = (uint8_t)p;
}

/* What a frame says beyond its hash: its class (VE_*) and cluster. */
static unsigned classify(nlb_vantage *v, unsigned p, const nlb_packet *pkt, nlb_usec ts, uint64_t frame_no, unsigned *cl)
{
    learn_cluster(v, pkt);
    const nlb_mac_info *s = &pkt->src_mac;
    if (s->kind == NLB_MAC_UNICAST || s->kind == NLB_MAC_MASKED) {
        int k = vc_find(v, s->vip);
        if (k >= 0 && s->kind == NLB_MAC_UNICAST) {
            note_cluster_mac_source(v, (unsigned)k, p, ts, frame_no);
        } else if (k >= 0 && pkt->has_dst && !(pkt->dst[0] & 1) && s->priority >= 1 && s->priority <= 32) {
            v->pt[p].hosts_mask |= 1u << (s->priority - 1);
            v->pt[p].hosts_vip = s->vip;
        }
        return 0; /* sent by the cluster: never a client's frame */
    }
    if (pkt->kind != NLB_FK_IP || pkt->ip_dst.family != 4) return 0;
    uint32_t dst = (uint32_t)pkt->ip_dst.a[0] << 24 | (uint32_t)pkt->ip_dst.a[1] << 16 |
                   (uint32_t)pkt->ip_dst.a[2] << 8 | pkt->ip_dst.a[3];
    int k = vc_find(v, dst);
    if (k < 0) return 0;
    *cl = (unsigned)k;
    bool syn = pkt->ip_proto == 6 && (pkt->tcp_flags & (NLB_TCP_SYN | NLB_TCP_ACK)) == NLB_TCP_SYN;
    return VE_TO_VIP | (syn ? VE_SYN : 0);
}

unsigned nlb_vantage_feed(nlb_vantage *v, unsigned p, const nlb_packet *pkt, nlb_usec ts, uint64_t frame_no)
{
    if (!v || !pkt || p >= v->cfg.n_points) return 0;
    if (!v->settled) nlb_vantage_settle(v);
    ts -= v->pt[p].offset;
    if (ts < v->now) ts = v->now; /* merged by reference time; never go back */
    v->now = ts;
    nlb_vantage_point *pt = &v->pt[p];
    if (!pt->frames) pt->first_ts = ts;
    pt->last_ts = ts;
    pt->frames++;
    v->counts.frames++;
    vt_retire(v, ts - v->cfg.max_offset);
    unsigned cl = 0;
    unsigned flags = classify(v, p, pkt, ts, frame_no, &cl);
    if (vt_match_frame(v, p, vt_frame_hash(pkt), ts, flags, cl)) {
        v->counts.duplicates++;
        return NLB_VF_DUPLICATE;
    }
    return 0;
}

void nlb_vantage_point_end(nlb_vantage *v, unsigned p)
{
    if (v && p < v->cfg.n_points) v->pt[p].ended = true;
}

void nlb_vantage_finish(nlb_vantage *v)
{
    if (!v) return;
    if (!v->settled) nlb_vantage_settle(v);
    vt_retire(v, INT64_MAX);
    vt_delivery_close(v);
    vt_diagnose(v);
}

size_t nlb_vantage_point_count(const nlb_vantage *v) { return v ? v->cfg.n_points : 0; }

const nlb_vantage_point *nlb_vantage_point_at(const nlb_vantage *v, unsigned p)
{
    return v && p < v->cfg.n_points ? &v->pt[p] : NULL;
}

const nlb_vantage_counts *nlb_vantage_counts_get(const nlb_vantage *v) { return v ? &v->counts : NULL; }

size_t nlb_vantage_delivery_count(const nlb_vantage *v) { return v ? v->n_cells : 0; }

const nlb_delivery *nlb_vantage_delivery(const nlb_vantage *v, size_t i)
{
    return v && i < v->n_cells ? &v->dl[v->cells[i]] : NULL;
}

const nlb_delivery *nlb_vantage_delivery_find(const nlb_vantage *v, uint32_t vip, unsigned p)
{
    int k = v ? vc_find(v, vip) : -1;
    if (k < 0 || p >= v->cfg.n_points) return NULL;
    const nlb_delivery *d = &v->dl[(unsigned)k * NLB_VANTAGE_MAX_POINTS + p];
    return d->frames ? d : NULL;
}

size_t nlb_vantage_diag_count(const nlb_vantage *v) { return v ? v->n_dg : 0; }

const nlb_diag *nlb_vantage_diag(const nlb_vantage *v, size_t i) { return v && i < v->n_dg ? &v->dg[i] : NULL; }

const char *nlb_offset_source_name(nlb_offset_source s)
{
    switch (s) {
    case NLB_OFFSET_REFERENCE: return "reference";
    case NLB_OFFSET_GIVEN: return "given";
    case NLB_OFFSET_ESTIMATED: return "estimated";
    case NLB_OFFSET_UNKNOWN: return "unknown";
    }
    return "?";
}
