/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Diagnostics from the tracker state (codes, default severities and titles in diag.def; wording
 * in diag.c). */
#include <stdlib.h>
#include <string.h>

#include "tracker_int.h"

bool nlb_config_compare(const nlb_host_config *hosts, size_t n, nlb_config_diff *out)
{
    nlb_config_diff d;
    memset(&d, 0, sizeof d);
    uint32_t count_diff = 0, code_diff = 0;
    const nlb_host_config *ref = n && hosts ? &hosts[0] : NULL;
    for (size_t k = 0; ref && k < n; k++) {
        const nlb_host_config *h = &hosts[k];
        if (h->default_host >= 1 && h->default_host <= NLB_MAX_PRIORITY) {
            d.default_mask |= bit(h->default_host);
            d.claimers++;
        }
        if (!k) continue;
        if (h->num_rules != ref->num_rules) {
            if (!count_diff) d.rules_n2 = h->num_rules;
            count_diff |= bit(h->priority);
            continue; /* codes of a different rule count are not comparable slot by slot */
        }
        unsigned m = h->num_rules;
        unsigned ka = ref->codes ? ref->codes_present : 0, kb = h->codes ? h->codes_present : 0;
        if (m > ka) m = ka;
        if (m > kb) m = kb;
        for (unsigned s = 0; s < m && s < NLB_MAX_RULES; s++)
            if (h->codes[s] != ref->codes[s]) {
                if (!code_diff && !count_diff) { d.rules_n3 = s + 1; d.rules_n1 = ref->codes[s]; d.rules_n2 = h->codes[s]; }
                code_diff |= bit(h->priority);
                break;
            }
    }
    /* a count mismatch explains any code mismatch: report it alone */
    if (count_diff) {
        d.rules_mask = bit(ref->priority) | count_diff;
        d.rules_n1 = ref->num_rules;
        d.rules_n3 = 0;
    } else if (code_diff) {
        d.rules_mask = bit(ref->priority) | code_diff;
    } else {
        d.rules_n1 = d.rules_n2 = d.rules_n3 = 0;
    }
    d.multi_default = __builtin_popcount(d.default_mask) > 1;
    if (out) *out = d;
    return d.rules_mask || d.multi_default;
}

static void diag_config(nlb_tracker *t, const cluster_rt *c)
{
    const nlb_cluster_info *ci = &c->info;
    /* duplicate priorities */
    for (unsigned k = 0; k < ci->n_hosts; k++) {
        const nlb_host_info *h = &ci->hosts[k];
        if (!h->dup_dedicated_ip) continue;
        nlb_diag *d = trk_add_diag(t, NLB_D_DUP_PRIORITY, h->dup_seen, c);
        if (d) {
            d->hosts_mask = bit(h->priority);
            d->n1 = h->dedicated_ip;
            d->n2 = h->dup_dedicated_ip;
        }
    }
    /* every host ever heard, live or not, against the highest-priority one */
    nlb_host_config hc[NLB_MAX_PRIORITY];
    size_t n = 0;
    for (unsigned k = 0; k < ci->n_hosts && n < NLB_MAX_PRIORITY; k++) {
        const nlb_host_info *h = &ci->hosts[k];
        if (!h->heartbeats) continue;
        hc[n].priority = h->priority;
        hc[n].num_rules = h->num_rules;
        hc[n].codes_present = c->h[h->priority].codes_known;
        hc[n].codes = h->rule_codes;
        hc[n].default_host = h->default_host;
        n++;
    }
    nlb_config_diff cd;
    nlb_config_compare(hc, n, &cd);
    if (cd.rules_mask) {
        nlb_diag *d = trk_add_diag(t, NLB_D_RULE_MISMATCH, ci->first_seen, c);
        if (d) { d->hosts_mask = cd.rules_mask; d->n1 = cd.rules_n1; d->n2 = cd.rules_n2; d->n3 = cd.rules_n3; }
    }
    if (cd.multi_default) {
        nlb_diag *d = trk_add_diag(t, NLB_D_MULTI_DEFAULT, ci->first_seen, c);
        if (d) { d->hosts_mask = cd.default_mask; d->n1 = cd.claimers; }
    }
    if (c->twice_n) {
        nlb_diag *d = trk_add_diag(t, NLB_D_BIN_TWICE, c->twice_first, c);
        if (d) { d->n1 = c->twice_n; d->n2 = c->twice_slot; d->hosts_mask = c->twice_hosts; }
    }
    if (c->nobody_n) {
        nlb_diag *d = trk_add_diag(t, NLB_D_BIN_NOBODY, c->nobody_first, c);
        if (d) { d->n1 = c->nobody_n; d->n2 = c->nobody_slot; }
    }
}

/* NLB-019 remote control and NLB-020 ping census (evidence gathered in flows.c). */
static void diag_vip_checks(nlb_tracker *t, const cluster_rt *c)
{
    if (c->rc_n) {
        bool out = c->rc_out > 0;
        nlb_diag *d = trk_add_diag(t, NLB_D_REMOTE_CONTROL, out ? c->rc_out_first : c->rc_first, c);
        if (d) {
            if (out) d->severity = NLB_SEV_WARNING; /* reachable from outside: a security finding */
            d->port = out ? c->rc_out_port : c->rc_port;
            d->n1 = c->rc_n;
            d->n2 = c->rc_out;
            d->n3 = out ? c->rc_out_src : c->rc_src;
        }
    }
    if (c->ping_req) {
        uint32_t heard = 0;
        for (unsigned k = 0; k < c->info.n_hosts; k++)
            if (c->info.hosts[k].heartbeats) heard |= bit(c->info.hosts[k].priority);
        nlb_diag *d = trk_add_diag(t, NLB_D_PING_CENSUS, c->ping_first, c);
        if (d) {
            /* a host heard in heartbeats that never answers does not receive the VIP's traffic */
            if (!c->ping_hosts || (heard & ~c->ping_hosts)) d->severity = NLB_SEV_WARNING;
            d->hosts_mask = c->ping_hosts;
            d->n1 = c->ping_req;
            d->n2 = c->ping_max;
            d->n3 = heard;
            d->n4 = c->ping_unknown;
        }
    }
}

static void diag_cluster(nlb_tracker *t, const cluster_rt *c)
{
    const nlb_cluster_info *ci = &c->info;
    diag_config(t, c);
    for (unsigned k = 0; k < ci->n_convergence; k++) {
        const nlb_convergence *cv = &ci->convergence[k];
        nlb_usec dur = (cv->end ? cv->end : t->now) - cv->start;
        bool open = cv->end == 0;
        nlb_diag *d = trk_add_diag(t, NLB_D_CONVERGENCE, cv->start, c);
        if (d) {
            if (open || dur > CONV_LONG_US) d->severity = NLB_SEV_WARNING;
            d->duration = dur;
            d->hosts_mask = bit(cv->trigger_host);
            d->n1 = cv->trigger;
            d->n2 = open;
            d->n3 = (uint32_t)(cv->trigger_gap / 1000);
        }
    }
    if (ci->cluster_mac_as_source) {
        nlb_diag *d = trk_add_diag(t, NLB_D_CLUSTER_MAC_SOURCE, c->cmas_first, c);
        if (d) {
            d->n1 = (uint32_t)ci->cluster_mac_as_source;
            nlb_mac_make(NLB_MAC_UNICAST, ci->vip, 0, d->mac);
        }
    }
    if (ci->mcast_arp) {
        nlb_diag *d = trk_add_diag(t, NLB_D_MCAST_ARP, c->mcast_arp_first, c);
        if (d) {
            /* harmless while the VIP's connections are answered: the router accepted it */
            if (c->unanswered_n || !c->answered_n) d->severity = NLB_SEV_WARNING;
            d->n1 = (uint32_t)ci->mcast_arp;
            memcpy(d->mac, c->mcast_arp_mac, 6);
        }
    }
    if (ci->mode == NLB_MODE_IGMP && !ci->igmp_reports && t->now - ci->first_seen >= IGMP_MIN_SPAN_US) {
        nlb_diag *d = trk_add_diag(t, NLB_D_IGMP_MISSING, ci->first_seen, c);
        if (d) d->duration = t->now - ci->first_seen;
    }
    if (c->legacy_n) {
        nlb_diag *d = trk_add_diag(t, NLB_D_LEGACY_HEARTBEATS, c->legacy_first, c);
        if (d) {
            if (c->has_hb) d->severity = NLB_SEV_WARNING; /* modern and legacy at once: reverted */
            d->n1 = (uint32_t)c->legacy_n;
            d->n2 = c->has_hb;
            d->hosts_mask = c->legacy_hosts;
        }
    }
    diag_vip_checks(t, c);
    uint64_t trunc = 0, cut = 0;
    uint32_t nomaps = 0;
    nlb_usec first_trunc = 0;
    for (unsigned k = 0; k < ci->n_hosts; k++) {
        const nlb_host_info *h = &ci->hosts[k];
        if (!h->truncated_heartbeats) continue;
        trunc += h->truncated_heartbeats;
        cut += c->h[h->priority].cut_sender;
        if (!h->has_maps) nomaps |= bit(h->priority);
        if (!first_trunc || h->first_seen < first_trunc) first_trunc = h->first_seen;
    }
    if (trunc) {
        nlb_diag *d = trk_add_diag(t, NLB_D_TRUNCATED, first_trunc, c);
        if (d) { d->n1 = (uint32_t)trunc; d->n2 = (uint32_t)cut; d->hosts_mask = nomaps; }
    }
}

/* NLB-003 for one silence event (slot: its event slot). */
static void diag_silence(nlb_tracker *t, const cluster_rt *c, const nlb_event *e, int slot)
{
    const nlb_host_info *h = &c->info.hosts[c->slot_of[e->host]];
    bool still = c->h[e->host].silent && c->h[e->host].ev_silent == slot;
    nlb_diag *d = trk_add_diag(t, NLB_D_HOST_SILENT, e->time - t->thr, c);
    if (!d) return;
    if (!still) d->severity = NLB_SEV_WARNING;
    d->hosts_mask = bit(e->host);
    d->duration = still ? t->now - h->last_seen : e->duration;
    d->n1 = still;
    d->n2 = (uint32_t)(t->thr / 1000);
}

/* NLB-001 for one burst that left NLB hosts of cluster k unannounced: the new connections after
 * it, how many went unanswered, and to which port most of them. */
static void diag_burst(nlb_tracker *t, unsigned k, const nlb_event *e)
{
    uint32_t total = 0, unans = 0;
    uint16_t ports[16];
    uint32_t pc[16];
    unsigned np = 0;
    for (size_t f = 0; f < t->n_fl; f++) {
        const flow_rt *fr = &t->frt[f];
        if (fr->cl != k || fr->syn_at < e->time) continue;
        if (fr->state != FS_ANSWERED && fr->state != FS_UNANSWERED) continue;
        total++;
        if (fr->state != FS_UNANSWERED) continue;
        unans++;
        unsigned p = 0;
        while (p < np && ports[p] != t->fl[f].vport) p++;
        if (p == np && np < 16) { ports[np] = t->fl[f].vport; pc[np++] = 0; }
        if (p < np) pc[p]++;
    }
    unsigned best = 0;
    for (unsigned p = 1; p < np; p++) if (pc[p] > pc[best]) best = p;
    nlb_diag *d = trk_add_diag(t, NLB_D_FAILOVER_UNANNOUNCED, e->time, &t->cl[k]);
    if (!d) return;
    /* unanswered connections after it make it the incident; without any connection to judge it
     * is a risk; if every one was answered the switch still reached the hosts */
    d->severity = unans ? NLB_SEV_ERROR : total ? NLB_SEV_INFO : NLB_SEV_WARNING;
    d->hosts_mask = e->hosts_mask;
    d->n1 = e->count;
    d->n3 = unans;
    d->n4 = total;
    d->port = np ? ports[best] : 0;
    d->duration = e->duration;
    memcpy(d->mac, e->mac, 6);
}

void nlb_tracker_diagnose(nlb_tracker *t)
{
    if (!t) return;
    t->n_dg = 0;
    t->counts.diags_dropped = 0;
    trk_sort_events(t);
    for (unsigned i = 0; i < t->n_cl; i++) {
        diag_cluster(t, &t->cl[i]);
        trk_diag_continuity(t, &t->cl[i]);
    }
    /* per-event diagnostics: silences and failover bursts */
    for (size_t i = 0; i < t->n_ev; i++) {
        const nlb_event *e = &t->ev[t->ev_order[i]];
        int k = vip_find(t, e->vip);
        if (k < 0) continue;
        if (e->kind == NLB_EV_HOST_SILENT)
            diag_silence(t, &t->cl[k], e, (int)t->ev_order[i]);
        else if (e->kind == NLB_EV_FAILOVER_BURST && e->hosts_mask)
            diag_burst(t, (unsigned)k, e);
    }
    for (size_t e = 0; e < t->n_ep; e++) {
        const unans_ep *ep = &t->ep[e];
        nlb_diag *d = trk_add_diag(t, NLB_D_VIP_UNANSWERED, ep->start, &t->cl[ep->cl]);
        if (d) {
            d->port = ep->port;
            d->n1 = ep->count;
            d->n2 = ep->total;
            d->n3 = ep->syns;
            d->hosts_mask = ep->hosts_mask;
            d->duration = ep->last - ep->start;
        }
    }
    /* the emulation's own record, on the answered flows it predicted (no prediction, no
     * disagreement); learned predictions are judged apart (n3 of n4) */
    nlb_learn_summary ls = nlb_tracker_learned(t);
    if (ls.emulated_checked >= OWNER_MIN_FLOWS &&
        (double)ls.emulated_agree < OWNER_MIN_AGREEMENT * (double)ls.emulated_checked) {
        nlb_diag *d = trk_add_diag(t, NLB_D_OWNER_MISMATCH, t->first_ts, NULL);
        if (d) {
            d->n1 = (uint32_t)ls.emulated_agree;
            d->n2 = (uint32_t)ls.emulated_checked;
            d->n3 = (uint32_t)ls.learned_agree;
            d->n4 = (uint32_t)ls.learned_checked;
        }
    }
    if (t->counts.flows_evicted) {
        nlb_diag *d = trk_add_diag(t, NLB_D_FLOWS_EVICTED, t->first_ts, NULL);
        if (d) {
            d->n1 = (uint32_t)t->counts.flows_evicted;
            d->n2 = (uint32_t)t->fl_cap;
        }
    }
    trk_sort_diags(t);
    trk_stamp_diags(t);
}
