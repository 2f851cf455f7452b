/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clusters and hosts from heartbeats: mode evidence, hosts, silence, convergence episodes,
 * bins owned twice or by nobody. */
#include <stdlib.h>
#include <string.h>

#include "tracker_int.h"

void trk_update_mode(cluster_rt *c)
{
    const uint64_t *e = c->evid;
    nlb_mode m = NLB_MODE_UNKNOWN;
    uint64_t best = 0;
    if (e[EVID_UNICAST] > best) { m = NLB_MODE_UNICAST; best = e[EVID_UNICAST]; }
    if (e[EVID_MULTICAST] > best) { m = NLB_MODE_MULTICAST; best = e[EVID_MULTICAST]; }
    if (e[EVID_IGMP] > best) { m = NLB_MODE_IGMP; best = e[EVID_IGMP]; }
    if (m == c->info.mode) return;
    c->info.mode = m;
    switch (m) {
    case NLB_MODE_UNICAST: nlb_mac_make(NLB_MAC_UNICAST, c->info.vip, 0, c->info.cluster_mac); break;
    case NLB_MODE_MULTICAST: nlb_mac_make(NLB_MAC_MULTICAST, c->info.vip, 0, c->info.cluster_mac); break;
    case NLB_MODE_IGMP: nlb_mac_make(NLB_MAC_IGMP, c->info.vip, 0, c->info.cluster_mac); break;
    case NLB_MODE_UNKNOWN: memset(c->info.cluster_mac, 0, 6); break;
    }
}

cluster_rt *trk_cluster_get(nlb_tracker *t, uint32_t vip, nlb_found_by by, nlb_usec ts)
{
    int i = vip_find(t, vip);
    if (i >= 0) return &t->cl[i];
    if (!vip || vip == 0xFFFFFFFFu)
        return NULL;
    if (t->n_cl >= t->cfg.max_clusters) {
        trk_refuse_cluster(t, vip);
        return NULL;
    }
    cluster_rt *c = &t->cl[t->n_cl];
    memset(c, 0, sizeof *c);
    c->info.vip = vip;
    c->info.found_by = (uint8_t)by;
    c->info.first_seen = c->info.last_seen = ts;
    memset(c->slot_of, -1, sizeof c->slot_of);
    c->conv_idx = -1;
    c->cmas_ev = -1;
    c->ep = -1;
    trk_vip_put(t, vip, (uint16_t)t->n_cl);
    t->n_cl++;
    if (by != NLB_FOUND_BY_CONFIG) {
        int e = trk_add_event(t, ts, NLB_EV_CLUSTER_FOUND, vip, 0);
        if (e >= 0) t->ev[e].count = by;
    }
    return c;
}

static nlb_host_info *host_add(cluster_rt *c, unsigned prio)
{
    unsigned n = c->info.n_hosts, at = 0;
    while (at < n && c->info.hosts[at].priority < prio) at++;
    memmove(&c->info.hosts[at + 1], &c->info.hosts[at], (n - at) * sizeof(nlb_host_info));
    c->info.n_hosts++;
    for (unsigned i = at; i < c->info.n_hosts; i++)
        c->slot_of[c->info.hosts[i].priority] = (int8_t)i;
    nlb_host_info *h = &c->info.hosts[at];
    memset(h, 0, sizeof *h);
    h->priority = (uint8_t)prio;
    c->slot_of[prio] = (int8_t)at;
    c->h[prio].ev_silent = -1;
    return h;
}

static void conv_signal(nlb_tracker *t, cluster_rt *c, nlb_usec time, unsigned host, nlb_conv_trigger why, nlb_usec gap)
{
    if (!c->converging) {
        bool maps = false;
        for (unsigned i = 0; i < c->info.n_hosts; i++) maps = maps || c->info.hosts[i].has_maps;
        if (!maps) trk_learn_forget_all(c);
        c->converging = true;
        c->conv_start = c->conv_last = time;
        c->conv_host = (uint8_t)host;
        c->conv_idx = -1;
        if (c->info.n_convergence < NLB_MAX_CONVERGENCE) {
            c->conv_idx = (int)c->info.n_convergence++;
            nlb_convergence *cv = &c->info.convergence[c->conv_idx];
            memset(cv, 0, sizeof *cv);
            cv->start = time;
            cv->trigger_host = (uint8_t)host;
            cv->trigger_gap = gap;
            cv->trigger = (uint8_t)why;
        }
        nlb_event *e = ev_at(t, trk_add_event(t, time, NLB_EV_CONVERGENCE_START, c->info.vip, (uint8_t)host));
        if (e) {
            e->count = why;
            e->duration = gap;
        }
    }
    if (time > c->conv_last)
        c->conv_last = time;
}

static void conv_end(nlb_tracker *t, cluster_rt *c, nlb_usec end)
{
    c->converging = false;
    if (c->conv_idx >= 0)
        c->info.convergence[c->conv_idx].end = end;
    nlb_event *e = ev_at(t, trk_add_event(t, end, NLB_EV_CONVERGENCE_END, c->info.vip, c->conv_host));
    if (e) e->duration = end - c->conv_start;
    c->maps_dirty = true; /* stable again: check the maps */
}

/* Mark the live hosts of c whose last heartbeat lies in [from, to] unseen: the capture point lost
 * them at the latest of those heartbeats. Returns the hosts marked (bit p-1). */
static uint32_t mark_unseen(nlb_tracker *t, cluster_rt *c, nlb_usec from, nlb_usec to, nlb_lost_by why, nlb_usec at)
{
    uint32_t mask = 0;
    nlb_usec last = 0;
    for (unsigned i = 0; i < c->info.n_hosts; i++) {
        nlb_host_info *h = &c->info.hosts[i];
        if (!live(c, h) || h->last_seen < from || h->last_seen > to) continue;
        c->h[h->priority].unseen = true;
        h->unseen = true;
        mask |= bit(h->priority);
        if (h->last_seen > last) last = h->last_seen;
    }
    if (!mask) return 0;
    c->view_ok = false;
    c->maps_dirty = true;
    c->info.lost_at = last;
    c->info.lost_by = (uint8_t)why;
    c->info.lost_hosts |= mask;
    nlb_event *e = ev_at(t, trk_add_event(t, why == NLB_LOST_INPUT_END ? at : last, NLB_EV_CAPTURE_LOST,
                                          c->info.vip, 0));
    if (e) {
        e->count = why;
        e->hosts_mask = mask;
        e->duration = last - from > 0 && why == NLB_LOST_TOGETHER ? last - from : 0;
    }
    return mask;
}

/* h (the first live host of c to stop) falls silent: is it the capture point that stopped
 * seeing it? An input that ended with its heartbeats, or every live host stopping within one
 * period and a quarter (hosts keep their own phase: together they only stop at the capture). */
static bool capture_lost(nlb_tracker *t, cluster_rt *c, const nlb_host_info *h)
{
    nlb_usec slack = t->period + t->period / 4;
    for (unsigned k = 0; k < t->n_in_end; k++) {
        nlb_usec e = t->in_end[k];
        if (h->last_seen <= e && e - h->last_seen <= slack)
            return mark_unseen(t, c, e - slack, e, NLB_LOST_INPUT_END, e) != 0;
    }
    unsigned n = 0;
    nlb_usec last = h->last_seen;
    for (unsigned i = 0; i < c->info.n_hosts; i++) {
        const nlb_host_info *o = &c->info.hosts[i];
        if (!live(c, o)) continue;
        n++;
        if (o->last_seen > last) last = o->last_seen;
    }
    if (n < 2 || last - h->last_seen > slack) return false;
    return mark_unseen(t, c, h->last_seen, last, NLB_LOST_TOGETHER, last) != 0;
}

void nlb_tracker_input_end(nlb_tracker *t, nlb_usec last)
{
    if (t && t->n_in_end < NLB_MAX_INPUT_ENDS) t->in_end[t->n_in_end++] = last;
}

/* Apply, in time order, every silence deadline and convergence end that lies before now. */
void trk_cluster_check(nlb_tracker *t, cluster_rt *c, nlb_usec now)
{
    for (;;) {
        nlb_usec best = now;
        int what = 0; /* 0 none, -1 convergence end, p silence of host p */
        if (c->converging && c->conv_last + 3 * t->period < best) {
            best = c->conv_last + 3 * t->period;
            what = -1;
        }
        for (unsigned i = 0; i < c->info.n_hosts; i++) {
            nlb_host_info *h = &c->info.hosts[i];
            if (!live(c, h)) continue;
            nlb_usec d = h->last_seen + t->thr;
            if (d < best) {
                best = d;
                what = h->priority;
            }
        }
        if (!what) return;
        if (what < 0) {
            conv_end(t, c, best);
            continue;
        }
        if (capture_lost(t, c, host_of(c, (unsigned)what)))
            continue;
        host_rt *hr = &c->h[what];
        c->view_ok = false;
        hr->silent = true;
        hr->silent_at = best;
        host_of(c, (unsigned)what)->silent = true;
        c->maps_dirty = true;
        hr->ev_silent = trk_add_event(t, best, NLB_EV_HOST_SILENT, c->info.vip, (uint8_t)what);
        nlb_event *e = ev_at(t, hr->ev_silent);
        if (e) e->duration = t->thr; /* grows to the full gap when it comes back or at the end */
        /* the bins move to the hosts left: with none left there is nobody to converge */
        bool others = false;
        for (unsigned i = 0; i < c->info.n_hosts && !others; i++)
            others = live(c, &c->info.hosts[i]);
        if (others)
            conv_signal(t, c, best, (unsigned)what, NLB_CONV_TRIGGER_SILENCE, t->thr);
    }
}

/* Bins owned twice / by nobody among live hosts, only while stable and every live host's maps
 * are known; the rule slots checked are the user rules (num_rules - 1: the last slot is the
 * default rule, guess). Slots where no host owns anything (disabled rules) are skipped. */
static void bins_check(nlb_tracker *t, cluster_rt *c, nlb_usec ts)
{
    if (!c->maps_dirty || c->converging || ts < c->established_at)
        return;
    c->maps_dirty = false;
    /* a duplicate of a priority (another dedicated IP) owns the bins of its maps as well */
    uint8_t prios[2 * NLB_MAX_PRIORITY];
    const uint64_t *src[2 * NLB_MAX_PRIORITY];
    size_t n = 0;
    int nr = -1;
    for (unsigned i = 0; i < c->info.n_hosts; i++) {
        nlb_host_info *h = &c->info.hosts[i];
        if (!live(c, h)) continue;
        if (!h->has_maps) return;
        if (nr < 0) nr = h->num_rules;
        else if (nr != h->num_rules) return; /* a rule mismatch is reported on its own */
        prios[n] = h->priority;
        src[n++] = h->cur_map;
        if (c->h[h->priority].dup_maps && ts - c->h[h->priority].dup_last <= t->thr) {
            prios[n] = h->priority;
            src[n++] = c->h[h->priority].dup_map;
        }
    }
    if (n == 0 || nr < 2) return;
    unsigned bins = t->cfg.model.bins;
    for (int s = 0; s < nr - 1 && s < NLB_MAX_RULES; s++) {
        uint64_t maps[2 * NLB_MAX_PRIORITY], any = 0;
        for (size_t i = 0; i < n; i++) {
            maps[i] = src[i][s];
            any |= maps[i];
        }
        if (!any) continue;
        nlb_binmap bm;
        unsigned nobody = 0;
        unsigned twice = nlb_binmap_from_maps(&bm, bins, prios, maps, n, &nobody);
        if (twice) {
            if (!c->twice_n) { c->twice_first = ts; c->twice_slot = (uint8_t)(s + 1); }
            if (twice > c->twice_n) c->twice_n = twice;
            for (unsigned b = 0; b < bins; b++) {
                unsigned k = 0;
                uint32_t who = 0;
                for (size_t i = 0; i < n; i++)
                    if (maps[i] >> b & 1u) { k++; who |= bit(prios[i]); }
                if (k > 1) c->twice_hosts |= who;
            }
        }
        if (nobody) {
            if (!c->nobody_n) { c->nobody_first = ts; c->nobody_slot = (uint8_t)(s + 1); }
            if (nobody > c->nobody_n) c->nobody_n = nobody;
        }
    }
}

/* A heartbeat from a priority already held by another dedicated IP: keep the first as the host;
 * the duplicate's maps still own bins (bins_check). */
static void hb_duplicate(cluster_rt *c, nlb_host_info *h, host_rt *hr, const nlb_heartbeat *hb, nlb_usec ts)
{
    if (!h->dup_dedicated_ip) {
        h->dup_dedicated_ip = hb->dedicated_ip;
        h->dup_seen = ts;
    }
    h->dup_heartbeats++;
    hr->dup_last = ts;
    if (nlb_hb_has(hb, NLB_OFF_CUR_MAP, NLB_MAX_RULES * 8)) {
        for (unsigned i = 0; i < NLB_MAX_RULES; i++)
            hr->dup_map[i] = hb->rules[i].cur_map;
        hr->dup_maps = true;
        c->maps_dirty = true;
    }
}

/* The interval since the host's last heartbeat: longest gap, coming back, half-period cadence. */
static void hb_interval(nlb_tracker *t, cluster_rt *c, nlb_host_info *h, host_rt *hr, nlb_usec ts)
{
    unsigned prio = h->priority;
    nlb_usec gap = ts - h->last_seen;
    if (hr->unseen) {
        /* the capture point sees it again: the gap was the capture's, not the host's */
        hr->unseen = false;
        h->unseen = false;
        c->info.lost_hosts &= ~bit(prio);
        c->maps_dirty = true;
        hr->short_streak = 0;
        return;
    }
    if (gap > h->max_gap) {
        h->max_gap = gap;
        h->max_gap_at = ts;
    }
    if (hr->silent) {
        hr->silent = false;
        h->silent = false;
        c->maps_dirty = true;
        nlb_event *se = ev_at(t, hr->ev_silent);
        if (se) se->duration = gap;
        hr->ev_silent = -1;
        nlb_event *e = ev_at(t, trk_add_event(t, ts, NLB_EV_HOST_BACK, c->info.vip, (uint8_t)prio));
        if (e) e->duration = gap;
        conv_signal(t, c, ts, prio, NLB_CONV_TRIGGER_JOIN, 0);
    }
    if (gap >= t->period / 4 && gap <= 3 * t->period / 4) {
        if (++hr->short_streak >= 2)
            conv_signal(t, c, ts, prio, NLB_CONV_TRIGGER_FAST, 0);
    } else if (gap > 3 * t->period / 4) {
        hr->short_streak = 0;
    }
}

/* The fields a membership heartbeat states about its sender (what was captured of them). */
static void hb_fields(nlb_tracker *t, cluster_rt *c, nlb_host_info *h, host_rt *hr, const nlb_heartbeat *hb, nlb_usec ts,
                      bool malformed)
{
    unsigned prio = h->priority;
    if (nlb_hb_has(hb, NLB_OFF_NUM_RULES, 2)) h->num_rules = hb->num_rules;
    if (nlb_hb_has(hb, NLB_OFF_HOST_CODE, 4)) h->host_code = hb->host_code;
    if (nlb_hb_has(hb, NLB_OFF_DEFAULT_HOST_ID, 2)) h->default_host = (uint16_t)(hb->default_host_id + 1);
    if (nlb_hb_has(hb, NLB_OFF_CONV_STATE, 2)) {
        h->conv_state = hb->conv_state;
        if (hb->conv_state == NLB_CONV_CONVERGING)
            conv_signal(t, c, ts, prio, NLB_CONV_TRIGGER_STATE, 0);
    }
    for (unsigned i = 0; i < hb->rules_present && i < NLB_MAX_RULES; i++)
        h->rule_codes[i] = hb->rules[i].code;
    if (hb->rules_present > hr->codes_known) hr->codes_known = hb->rules_present;
    if (!nlb_hb_has(hb, NLB_OFF_CUR_MAP, NLB_MAX_RULES * 8)) {
        if (!malformed) h->truncated_heartbeats++; /* cut by the snaplen, not by a bad field */
        return;
    }
    uint64_t binmask = t->cfg.model.bins >= 64 ? ~0ULL : (((uint64_t)1 << t->cfg.model.bins) - 1);
    unsigned changed = 0;
    for (unsigned i = 0; i < NLB_MAX_RULES; i++) {
        uint64_t m = hb->rules[i].cur_map;
        if (h->has_maps && m != h->cur_map[i]) {
            changed++;
            trk_learn_maps(c, prio, i, h->cur_map[i] & binmask, m & binmask);
        }
        h->cur_map[i] = m;
        h->bins_owned[i] = (uint8_t)nlb_map_count(m & binmask);
    }
    if (!h->has_maps || changed) c->maps_dirty = true;
    h->has_maps = true;
    if (changed) {
        nlb_event *e = ev_at(t, trk_add_event(t, ts, NLB_EV_MAP_CHANGED, c->info.vip, (uint8_t)prio));
        if (e) e->count = changed;
        conv_signal(t, c, ts, prio, NLB_CONV_TRIGGER_MAP, 0);
    }
}

/* One membership heartbeat of host prio of cluster vip; for a malformed one (or one cut before
 * its priority), hb holds only the fields before the bad one (nlb_hb_has tells which). */
static void membership(nlb_tracker *t, const nlb_packet *pkt, const nlb_heartbeat *hb, unsigned prio,
                       uint32_t vip, nlb_usec ts, bool malformed)
{
    cluster_rt *c = trk_cluster_get(t, vip, NLB_FOUND_BY_HEARTBEAT, ts);
    if (!c) return;
    unsigned ci = cl_index(t, c);
    c->view_ok = false; /* hosts, their state or their maps may change below */
    trk_cluster_check(t, c, ts);
    c->info.from_heartbeats = true;
    c->info.last_seen = ts;
    if (!c->has_hb) {
        c->has_hb = true;
        c->established_at = ts + t->thr;
    }
    if (pkt->src_mac.kind == NLB_MAC_MASKED && pkt->src_mac.vip == vip)
        trk_evidence(c, EVID_UNICAST);

    nlb_host_info *h = host_of(c, prio);
    if (!h || !h->heartbeats) {
        bool known = h != NULL; /* from traffic: it already appeared */
        if (!h) {
            h = host_add(c, prio);
            h->first_seen = ts;
        }
        h->dedicated_ip = hb->dedicated_ip;
        if (!known) {
            nlb_event *e = ev_at(t, trk_add_event(t, ts, NLB_EV_HOST_JOINED, c->info.vip, (uint8_t)prio));
            if (e) { e->count = hb->dedicated_ip; e->port = NLB_HEV_HEARTBEAT; }
        }
        if (hb->dedicated_ip) trk_idx_put(t, IDX_IP(hb->dedicated_ip), ci, prio);
        c->maps_dirty = true;
        if (ts >= c->established_at && !known)
            conv_signal(t, c, ts, prio, NLB_CONV_TRIGGER_JOIN, 0);
    } else if (hb->dedicated_ip && h->dedicated_ip && hb->dedicated_ip != h->dedicated_ip) {
        hb_duplicate(c, h, &c->h[prio], hb, ts);
        return;
    } else {
        if (!h->dedicated_ip && hb->dedicated_ip) {
            h->dedicated_ip = hb->dedicated_ip; /* earlier ones were cut before it */
            trk_idx_put(t, IDX_IP(hb->dedicated_ip), ci, prio);
        }
        hb_interval(t, c, h, &c->h[prio], ts);
    }
    h->evidence |= NLB_HEV_HEARTBEAT;
    h->heartbeats++;
    if (!malformed && !nlb_hb_has(hb, NLB_OFF_CLUSTER_IP, 4)) c->h[prio].cut_sender++;
    if (malformed) h->malformed_heartbeats++;
    h->last_seen = ts;
    if (memcmp(h->mac, pkt->src, 6)) {
        memcpy(h->mac, pkt->src, 6);
        if (!mac_zero(pkt->src)) trk_idx_put(t, IDX_MAC(pkt->src), ci, prio);
    }
    hb_fields(t, c, h, &c->h[prio], hb, ts, malformed);
    bins_check(t, c, ts);
}

/* Priority and cluster IP of a heartbeat; what the snaplen (or a bad field) left out comes from
 * the masked source MAC 02-pp-VIP, which embeds both. False when neither names them. */
static bool hb_sender(const nlb_packet *pkt, const nlb_heartbeat *hb, unsigned *prio, uint32_t *vip)
{
    const nlb_mac_info *m = &pkt->src_mac;
    bool masked = m->kind == NLB_MAC_MASKED;
    *prio = nlb_hb_has(hb, NLB_OFF_PRIORITY, 4) ? hb->priority : masked ? m->priority : 0;
    *vip = nlb_hb_has(hb, NLB_OFF_CLUSTER_IP, 4) ? hb->cluster_ip : masked ? m->vip : 0;
    return *prio >= 1 && *prio <= NLB_MAX_PRIORITY && *vip;
}

void trk_on_membership(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    unsigned prio;
    uint32_t vip;
    if (hb_sender(pkt, &pkt->hb, &prio, &vip))
        membership(t, pkt, &pkt->hb, prio, vip, ts, false);
}

/* Where the fields stop being trustworthy in a malformed membership heartbeat. */
static size_t bad_field_offset(nlb_field f, size_t captured)
{
    switch (f) {
    case NLB_F_HOST_PRIORITY: return NLB_OFF_PRIORITY;
    case NLB_F_MY_HOST_ID: return NLB_OFF_MY_HOST_ID;
    case NLB_F_RULE_COUNT: return NLB_OFF_NUM_RULES;
    default: return captured; /* e.g. the frame length: every field is as sent */
    }
}

/* A malformed membership heartbeat still is one: its sender (from the fields before the bad one
 * and its source MAC) is a host. The copy is cut at the bad field so nothing after it is read. */
void trk_on_membership_malformed(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    nlb_heartbeat cut = pkt->hb;
    size_t off = bad_field_offset(cut.bad_field, cut.captured);
    if (off < cut.captured) cut.captured = off;
    unsigned codes = cut.captured > NLB_OFF_RULE_CODES ? (unsigned)((cut.captured - NLB_OFF_RULE_CODES) / 4) : 0;
    if (cut.rules_present > codes) cut.rules_present = (uint8_t)codes;
    if (!nlb_hb_has(&cut, NLB_OFF_DEDICATED_IP, 4)) cut.dedicated_ip = 0;
    unsigned prio;
    uint32_t vip;
    if (hb_sender(pkt, &cut, &prio, &vip))
        membership(t, pkt, &cut, prio, vip, ts, true);
}

/* A host named by traffic alone (ARP for the VIP or IPv4 from the VIP sent from its masked MAC
 * 02-pp-VIP): it appears with that evidence; heartbeats, if any, tell the rest. */
void trk_host_from_traffic(nlb_tracker *t, cluster_rt *c, unsigned prio, const uint8_t mac[6], uint8_t ev, nlb_usec ts)
{
    if (prio < 1 || prio > NLB_MAX_PRIORITY) return;
    nlb_host_info *h = host_of(c, prio);
    if (!h) {
        h = host_add(c, prio);
        h->first_seen = ts;
        memcpy(h->mac, mac, 6);
        trk_idx_put(t, IDX_MAC(mac), cl_index(t, c), prio);
        nlb_event *e = ev_at(t, trk_add_event(t, ts, NLB_EV_HOST_JOINED, c->info.vip, (uint8_t)prio));
        if (e) { e->port = ev; memcpy(e->mac, mac, 6); }
    }
    h->evidence |= ev;
    h->evidence_frames++;
    if (!h->heartbeats) h->last_seen = ts;
}

void trk_on_extended(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    const nlb_heartbeat *hb = &pkt->hb;
    cluster_rt *c = trk_cluster_get(t, hb->cluster_ip, NLB_FOUND_BY_HEARTBEAT, ts);
    if (!c) return;
    c->info.from_heartbeats = true;
    c->info.last_seen = ts;
    nlb_host_info *h = hb->priority >= 1 && hb->priority <= NLB_MAX_PRIORITY ? host_of(c, hb->priority) : NULL;
    if (h && (!hb->dedicated_ip || !h->dedicated_ip || hb->dedicated_ip == h->dedicated_ip)) {
        h->heartbeats_extended++;
        if (hb->host_name[0]) {
            /* cut a long name on a UTF-8 character boundary */
            size_t n = 0;
            while (n < sizeof h->host_name - 1 && hb->host_name[n]) n++;
            if (hb->host_name[n])
                while (n && ((unsigned char)hb->host_name[n] & 0xC0) == 0x80) n--;
            memcpy(h->host_name, hb->host_name, n);
            h->host_name[n] = 0;
        }
    }
    /* (guess) IPv6 addresses in extended heartbeats are taken as the cluster's IPv6 VIPs */
    for (unsigned i = 0; i < hb->n_addrs && i < NLB_HB_MAX_ADDRS; i++)
        if (hb->addrs[i].family == 6)
            trk_v6_put(t, hb->addrs[i].a, (uint16_t)cl_index(t, c));
}

/* 0xBF01 (WLBS/Convoy): the body layout is not public, so only the common header counts; the
 * cluster IP it names is evidence of the cluster, the priority of a member sending them. */
void trk_on_legacy(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    const nlb_heartbeat *hb = &pkt->hb;
    if (hb->status == NLB_MALFORMED || !nlb_hb_has(hb, NLB_OFF_CLUSTER_IP, 4)) return;
    cluster_rt *c = trk_cluster_get(t, hb->cluster_ip, NLB_FOUND_BY_HEARTBEAT, ts);
    if (!c) return;
    if (!c->legacy_n) c->legacy_first = ts;
    c->legacy_n++;
    c->legacy_hosts |= bit(hb->priority);
    c->info.last_seen = ts;
}
