/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the wire announces: failover bursts of RARP/GARP, ARP for a VIP, IGMP reports, the
 * unicast cluster MAC as a source. */
#include <stdlib.h>
#include <string.h>

#include "tracker_int.h"

void trk_close_burst(nlb_tracker *t)
{
    t->b_open = false;
    if (t->b_n < t->cfg.burst_min_macs || t->b_n == 0)
        return;
    bool any = false;
    for (unsigned i = 0; i < t->n_cl; i++) {
        cluster_rt *c = &t->cl[i];
        uint32_t known = 0;
        for (unsigned k = 0; k < c->info.n_hosts; k++) {
            nlb_host_info *h = &c->info.hosts[k];
            host_rt *hr = &c->h[h->priority];
            /* hosts already silent before the burst are not expected to be announced */
            if (h->first_seen <= t->b_last && !(hr->silent && hr->silent_at <= t->b_start) &&
                !(hr->unseen && c->info.lost_at <= t->b_start))
                known |= bit(h->priority);
        }
        if (!known) continue;
        any = true;
        nlb_event *e = ev_at(t, trk_add_event(t, t->b_start, NLB_EV_FAILOVER_BURST, c->info.vip, 0));
        if (e) {
            e->count = t->b_n;
            e->hosts_mask = c->announced_all ? 0 : known & ~c->announced;
            e->duration = t->b_last - t->b_start;
            memcpy(e->mac, t->b_first_mac, 6);
        }
    }
    if (!any) {
        nlb_event *e = ev_at(t, trk_add_event(t, t->b_start, NLB_EV_FAILOVER_BURST, 0, 0));
        if (e) {
            e->count = t->b_n;
            e->duration = t->b_last - t->b_start;
            memcpy(e->mac, t->b_first_mac, 6);
        }
    }
}

static void announce(nlb_tracker *t, const uint8_t mac[6], uint32_t spa, nlb_usec ts)
{
    if (mac_zero(mac)) return;
    if (t->b_open && ts - t->b_last > t->cfg.burst_window)
        trk_close_burst(t);
    if (!t->b_open) {
        t->b_open = true;
        t->b_start = ts;
        t->b_n = 0;
        memcpy(t->b_first_mac, mac, 6);
        memset(t->b_set, 0, BURST_SET_CAP * sizeof(uint64_t));
        for (unsigned i = 0; i < t->n_cl; i++) {
            t->cl[i].announced = 0;
            t->cl[i].announced_all = false;
        }
    }
    t->b_last = ts;
    uint64_t key = (uint64_t)1 << 48 | mac48(mac);
    size_t mask = BURST_SET_CAP - 1;
    bool fresh = true;
    for (size_t i = mix64(key) & mask, probes = 0; probes < BURST_SET_CAP / 4 * 3; i = (i + 1) & mask, probes++) {
        if (t->b_set[i] == key) { fresh = false; break; }
        if (!t->b_set[i]) { t->b_set[i] = key; break; }
    }
    if (!fresh) return;
    t->b_n++;
    unsigned ci, prio;
    if (idx_find(t, IDX_MAC(mac), &ci, &prio))
        t->cl[ci].announced |= bit(prio);
    if (spa && idx_find(t, IDX_IP(spa), &ci, &prio))
        t->cl[ci].announced |= bit(prio);
    nlb_mac_info mi;
    nlb_mac_classify(mac, &mi);
    if (mi.kind == NLB_MAC_MASKED || mi.kind == NLB_MAC_UNICAST) {
        int k = vip_find(t, mi.vip);
        if (k >= 0) {
            if (mi.kind == NLB_MAC_MASKED) t->cl[k].announced |= bit(mi.priority);
            else t->cl[k].announced_all = true;
        }
    }
}

void trk_on_arp(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    const nlb_arp *a = &pkt->arp;
    if (a->status == NLB_MALFORMED) return;
    if (a->rarp) {
        t->counts.rarp++;
        if (a->op == NLB_RARP_REQUEST)
            announce(t, mac_zero(pkt->src) ? a->sha : pkt->src, 0, ts);
        return;
    }
    if (a->gratuitous) {
        t->counts.garp++;
        announce(t, mac_zero(pkt->src) ? a->sha : pkt->src, a->spa, ts);
    }
    if (!(a->op == NLB_ARP_REPLY || a->gratuitous) || !a->spa)
        return;
    nlb_mac_info mi;
    nlb_mac_classify(a->sha, &mi);
    int kind = -1;
    if ((mi.kind == NLB_MAC_UNICAST || mi.kind == NLB_MAC_MULTICAST) && mi.vip == a->spa)
        kind = mi.kind == NLB_MAC_UNICAST ? EVID_UNICAST : EVID_MULTICAST;
    else if (mi.kind == NLB_MAC_IGMP && (a->spa & 0xFFFFu) == mi.vip)
        kind = EVID_IGMP;
    if (kind < 0) return;
    cluster_rt *c = trk_cluster_get(t, a->spa, NLB_FOUND_BY_ARP, ts);
    if (!c) return;
    c->info.last_seen = ts;
    trk_evidence(c, kind);
    /* unicast mode masks the source MAC: 02-pp-VIP says which host answered */
    if (pkt->src_mac.kind == NLB_MAC_MASKED && pkt->src_mac.vip == a->spa)
        trk_host_from_traffic(t, c, pkt->src_mac.priority, pkt->src, NLB_HEV_ARP, ts);
    if (kind != EVID_UNICAST) {
        if (!c->info.mcast_arp) {
            c->mcast_arp_first = ts;
            memcpy(c->mcast_arp_mac, a->sha, 6);
        }
        c->info.mcast_arp++;
    }
}

/* Reports of every version count: NLB sends v1 up to Windows Server 2022 (KB 4494444), while a
 * host or switch in between may speak v2 or v3. A v3 record joins in exclude mode; include mode
 * with no sources would be a leave. */
static bool igmp_is_join(const nlb_packet *pkt)
{
    switch (pkt->igmp_type) {
    case NLB_IGMP_V1_REPORT:
    case NLB_IGMP_V2_REPORT:
        return true;
    case NLB_IGMP_V3_REPORT:
        return pkt->igmp3_record == NLB_IGMP3_MODE_IS_EXCLUDE || pkt->igmp3_record == NLB_IGMP3_CHANGE_TO_EXCLUDE;
    default:
        return false;
    }
}

void trk_on_igmp(nlb_tracker *t, const nlb_packet *pkt)
{
    if (!igmp_is_join(pkt)) return;
    if ((pkt->igmp_group >> 16) != NLB_IGMP_GROUP_PREFIX) return; /* 239.255.x.y */
    int k = vip_find(t, nlb_ipaddr_to_v4(&pkt->ip_src)); /* NLB reports come from the VIP */
    if (k < 0) return;
    cluster_rt *c = &t->cl[k];
    if ((c->info.vip & 0xFFFFu) != (pkt->igmp_group & 0xFFFFu)) return;
    c->info.igmp_reports++;
    trk_evidence(c, EVID_IGMP);
}

void trk_cluster_mac_source(nlb_tracker *t, cluster_rt *c, const nlb_packet *pkt, nlb_usec ts)
{
    t->counts.cluster_mac_as_source++;
    if (!c->info.cluster_mac_as_source) c->cmas_first = ts;
    c->info.cluster_mac_as_source++;
    nlb_event *e = ev_at(t, c->cmas_ev);
    if (c->cmas_ev >= 0 && ts - c->cmas_ev_time < 1000000) {
        if (e) e->count++;
        return;
    }
    c->cmas_ev = trk_add_event(t, ts, NLB_EV_CLUSTER_MAC_AS_SOURCE, c->info.vip, 0);
    c->cmas_ev_time = ts;
    e = ev_at(t, c->cmas_ev);
    if (e) {
        e->count = 1;
        memcpy(e->mac, pkt->src, 6);
    }
}

/* A cluster (and a host) named by IPv4 traffic alone (the cases in trk_l2_checks): a capture
 * without heartbeats (filtered to the VIP, or 'not ether proto 0x886f') still shows them. */
void trk_cluster_from_traffic(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    const nlb_mac_info *s = &pkt->src_mac;
    uint32_t vip = s->kind == NLB_MAC_MASKED ? s->vip : v4_of(&pkt->ip_dst);
    /* "this network" (0/8), loopback and multicast or broadcast are never a cluster IP: a MAC
     * like 02-01-00-01-00-00 with source 0.1.0.0 is a look-alike */
    if (vip >> 24 == 0 || vip >> 24 == 127 || vip >= 0xE0000000u)
        return;
    if (s->kind == NLB_MAC_MASKED) {
        cluster_rt *c = trk_cluster_get(t, s->vip, NLB_FOUND_BY_TRAFFIC, ts);
        if (!c) return;
        trk_evidence(c, EVID_UNICAST); /* only unicast mode masks the source MAC */
        trk_host_from_traffic(t, c, s->priority, pkt->src, NLB_HEV_REPLIES, ts);
        return;
    }
    trk_cluster_get(t, vip, NLB_FOUND_BY_TRAFFIC, ts);
}
