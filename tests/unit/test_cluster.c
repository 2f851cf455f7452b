/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tracker, driven with frames built by the library's encoders and decoded by
 * nlb_packet_decode, at chosen timestamps: healthy cluster, silent host, the ESXi failover
 * incident, cluster MAC as source, configuration disagreement, multicast/IGMP mode, truncated
 * heartbeats, look-alikes, flow table limits, what-if. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define VIP 0x0A141E28u /* 10.20.30.40 */
#define SEC INT64_C(1000000)
#define MS INT64_C(1000)
/* 2023-11-15 05:42:00 UTC: times print as 05:42:SS.mmm */
#define T0 ((INT64_C(1699920000) + 86400 + 5 * 3600 + 42 * 60) * SEC)

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static nlb_tracker *T;
static uint8_t buf[2048];

static void feed_n(size_t len, size_t caplen, nlb_usec ts)
{
    static nlb_packet p;
    CU_ASSERT_FATAL(len > 0);
    nlb_packet_decode(NLB_LINK_ETHERNET, buf, caplen, len, &p);
    nlb_tracker_feed(T, &p, ts);
}

static void feed(size_t len, nlb_usec ts) { feed_n(len, len, ts); }

static nlb_tracker *mk(void (*tweak)(nlb_tracker_config *))
{
    nlb_tracker_config cfg;
    nlb_tracker_config_default(&cfg);
    cfg.max_flows = 1024;
    if (tweak) tweak(&cfg);
    nlb_tracker *t = nlb_tracker_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

typedef struct hbopt {
    uint32_t vip, dip;
    uint16_t num_rules, default_id, conv;
    uint32_t code0;
    uint64_t map0;
    bool multicast; /* source = NIC MAC, destination 03-BF */
} hbopt;

static uint32_t dip_of(unsigned prio) { return (VIP & ~0xFFu) | (40 + prio); }

/* Map of an equal 3-host split: host p owns bins (p-1)*20 .. p*20-1. */
static uint64_t split3(unsigned p) { return 0xFFFFFull << ((p - 1) * 20); }

static void hb_full(unsigned prio, nlb_usec ts, const hbopt *o)
{
    nlb_heartbeat hb;
    uint32_t vip = o && o->vip ? o->vip : VIP;
    nlb_hb_init_membership(&hb, vip, o && o->dip ? o->dip : dip_of(prio), prio);
    hb.num_rules = o && o->num_rules ? o->num_rules : 2;
    hb.default_host_id = o ? o->default_id : 0;
    hb.conv_state = o && o->conv ? o->conv : 1;
    hb.host_code = 1329324853u + prio * 86;
    hb.rules[0].code = o && o->code0 ? o->code0 : 0x61050050u; /* port 80 (guess) */
    hb.rules[0].cur_map = o && o->map0 ? o->map0 : split3(prio);
    hb.rules[0].load_weight = 50;
    uint8_t src[6], dst[6];
    if (o && o->multicast) {
        const uint8_t nic[6] = { 0x00, 0x15, 0x5d, 0x00, 0x00, (uint8_t)prio };
        memcpy(src, nic, 6);
        nlb_mac_make(NLB_MAC_MULTICAST, vip, 0, dst);
    } else {
        nlb_mac_make(NLB_MAC_MASKED, vip, (uint8_t)prio, src);
        memcpy(dst, BCAST, 6);
    }
    feed(nlb_build_heartbeat(buf, sizeof buf, dst, src, 0, &hb), ts);
}

static void hb(unsigned prio, nlb_usec ts) { hb_full(prio, ts, NULL); }

static void syn(uint32_t client, uint16_t cport, uint16_t vport, nlb_usec ts)
{
    const uint8_t cmac[6] = { 0x00, 0x0c, 0x29, 0x11, 0x22, 0x33 };
    uint8_t dst[6];
    nlb_mac_make(NLB_MAC_UNICAST, VIP, 0, dst);
    feed(nlb_build_tcp4(buf, sizeof buf, dst, cmac, 0, client, VIP, cport, vport, NLB_TCP_SYN, 1000, 0, 0), ts);
}

static void synack(unsigned from_prio, uint32_t client, uint16_t cport, uint16_t vport, nlb_usec ts)
{
    const uint8_t cmac[6] = { 0x00, 0x0c, 0x29, 0x11, 0x22, 0x33 };
    uint8_t src[6];
    nlb_mac_make(NLB_MAC_MASKED, VIP, (uint8_t)from_prio, src);
    feed(nlb_build_tcp4(buf, sizeof buf, cmac, src, 0, VIP, client, vport, cport, NLB_TCP_SYN | NLB_TCP_ACK, 5000, 1001, 0), ts);
}

static void rarp(const uint8_t mac[6], nlb_usec ts)
{
    nlb_arp a;
    memset(&a, 0, sizeof a);
    a.op = NLB_RARP_REQUEST;
    a.rarp = true;
    memcpy(a.sha, mac, 6);
    memcpy(a.tha, mac, 6);
    feed(nlb_build_arp(buf, sizeof buf, BCAST, mac, 0, &a), ts);
}

static void arp_reply(const uint8_t eth_src[6], const uint8_t sha[6], uint32_t spa, nlb_usec ts)
{
    nlb_arp a;
    memset(&a, 0, sizeof a);
    a.op = NLB_ARP_REPLY;
    memcpy(a.sha, sha, 6);
    a.spa = spa;
    const uint8_t req[6] = { 0x00, 0x1b, 0x21, 0x00, 0x00, 0x01 };
    memcpy(a.tha, req, 6);
    a.tpa = 0x0A141E01u;
    feed(nlb_build_arp(buf, sizeof buf, req, eth_src, 0, &a), ts);
}

static void garp(const uint8_t mac[6], uint32_t ip, nlb_usec ts)
{
    nlb_arp a;
    memset(&a, 0, sizeof a);
    a.op = NLB_ARP_REQUEST;
    memcpy(a.sha, mac, 6);
    a.spa = a.tpa = ip;
    feed(nlb_build_arp(buf, sizeof buf, BCAST, mac, 0, &a), ts);
}

static size_t count_events(nlb_event_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < nlb_tracker_event_count(T); i++)
        n += nlb_tracker_event(T, i)->kind == k;
    return n;
}

static const nlb_event *nth_event(nlb_event_kind k, size_t nth)
{
    for (size_t i = 0; i < nlb_tracker_event_count(T); i++) {
        const nlb_event *e = nlb_tracker_event(T, i);
        if (e->kind == k && nth-- == 0) return e;
    }
    return NULL;
}

/* Which tests found each code (filled by find_diag, read by test_diag_table_covered). */
#define HITS_MAX 8
static const char *diag_hits[NLB_D_CODE_COUNT_][HITS_MAX];

static void note_hit(nlb_diag_code code)
{
    CU_pTest cur = CU_get_current_test();
    if (!cur || (unsigned)code >= NLB_D_CODE_COUNT_) return;
    for (unsigned i = 0; i < HITS_MAX; i++) {
        if (diag_hits[code][i] && !strcmp(diag_hits[code][i], cur->pName)) return;
        if (!diag_hits[code][i]) { diag_hits[code][i] = cur->pName; return; }
    }
}

static const nlb_diag *find_diag(nlb_diag_code code)
{
    for (size_t i = 0; i < nlb_tracker_diag_count(T); i++)
        if (nlb_tracker_diag(T, i)->code == code) {
            note_hit(code);
            return nlb_tracker_diag(T, i);
        }
    return NULL;
}

static void dump(void)
{
    char line[1024], tb[16];
    for (size_t i = 0; i < nlb_tracker_event_count(T); i++) {
        const nlb_event *e = nlb_tracker_event(T, i);
        nlb_event_format(e, line, sizeof line);
        printf("    ev %s %s: %s\n", nlb_time_str(e->time, tb), nlb_event_kind_key(e->kind), line);
    }
    for (size_t i = 0; i < nlb_tracker_diag_count(T); i++) {
        const nlb_diag *d = nlb_tracker_diag(T, i);
        nlb_diag_format(d, line, sizeof line);
        printf("    %s %s: %s\n", nlb_diag_code_str(d->code), nlb_severity_name(d->severity), line);
    }
}

/* Three hosts, heartbeats every second from second 0 to last (host p offset by p x 100 ms). */
static void healthy_run(int first, int last)
{
    for (int s = first; s <= last; s++)
        for (unsigned p = 1; p <= 3; p++)
            hb(p, T0 + s * SEC + p * 100 * MS);
}

/* Owner of a client under the default model from the split3 maps. */
static unsigned owner_of(uint32_t client)
{
    nlb_model m;
    nlb_model_init(&m);
    nlb_ipaddr c = nlb_ipaddr_v4(client);
    return nlb_model_bin(&m, NLB_AFF_SINGLE, &c, 0) / 20 + 1;
}

static void test_healthy(void)
{
    T = mk(NULL);
    healthy_run(0, 30);
    /* ten clients answered by the owner of their bin */
    for (uint32_t i = 0; i < 10; i++) {
        uint32_t client = 0xC6336400u + i;
        syn(client, (uint16_t)(50000 + i), 80, T0 + 10 * SEC + i * 50 * MS);
        synack(owner_of(client), client, (uint16_t)(50000 + i), 80, T0 + 10 * SEC + i * 50 * MS + 2 * MS);
    }
    nlb_tracker_finish(T);
    if (nlb_tracker_diag_count(T)) dump();
    CU_ASSERT_EQUAL_FATAL(nlb_tracker_cluster_count(T), 1u);
    const nlb_cluster_info *c = nlb_tracker_cluster(T, 0);
    CU_ASSERT_PTR_EQUAL(c, nlb_tracker_find_cluster(T, VIP));
    CU_ASSERT_PTR_NULL(nlb_tracker_find_cluster(T, VIP + 1));
    CU_ASSERT_EQUAL(c->vip, VIP);
    CU_ASSERT_EQUAL(c->mode, NLB_MODE_UNICAST);
    const uint8_t cmac[6] = { 0x02, 0xbf, 10, 20, 30, 40 };
    CU_ASSERT_EQUAL(memcmp(c->cluster_mac, cmac, 6), 0);
    CU_ASSERT_TRUE(c->from_heartbeats);
    CU_ASSERT_EQUAL(c->found_by, NLB_FOUND_BY_HEARTBEAT);
    CU_ASSERT_EQUAL_FATAL(c->n_hosts, 3u);
    for (unsigned i = 0; i < 3; i++) {
        const nlb_host_info *h = &c->hosts[i];
        CU_ASSERT_EQUAL(h->priority, i + 1);
        CU_ASSERT_EQUAL(h->dedicated_ip, dip_of(i + 1));
        CU_ASSERT_EQUAL(h->heartbeats, 31u);
        CU_ASSERT_EQUAL(h->first_seen, T0 + (i + 1) * 100 * MS);
        CU_ASSERT_EQUAL(h->last_seen, T0 + 30 * SEC + (i + 1) * 100 * MS);
        CU_ASSERT_EQUAL(h->max_gap, SEC);
        CU_ASSERT_EQUAL(h->max_gap_at, T0 + 1 * SEC + (i + 1) * 100 * MS);
        CU_ASSERT_EQUAL(h->num_rules, 2);
        CU_ASSERT_EQUAL(h->default_host, 1);
        CU_ASSERT_EQUAL(h->conv_state, 1);
        CU_ASSERT_EQUAL(h->host_code, 1329324853u + (i + 1) * 86);
        CU_ASSERT_EQUAL(h->rule_codes[0], 0x61050050u);
        CU_ASSERT_TRUE(h->has_maps);
        CU_ASSERT_EQUAL(h->cur_map[0], split3(i + 1));
        CU_ASSERT_EQUAL(h->bins_owned[0], 20);
        CU_ASSERT_FALSE(h->silent);
        const uint8_t mm[6] = { 0x02, (uint8_t)(i + 1), 10, 20, 30, 40 };
        CU_ASSERT_EQUAL(memcmp(h->mac, mm, 6), 0);
    }
    CU_ASSERT_EQUAL(c->n_convergence, 0u);
    CU_ASSERT_EQUAL(nlb_tracker_diag_count(T), 0u);
    CU_ASSERT_EQUAL(nlb_tracker_event_count(T), 4u);
    CU_ASSERT_EQUAL(nlb_tracker_event(T, 0)->kind, NLB_EV_CLUSTER_FOUND);
    CU_ASSERT_EQUAL(count_events(NLB_EV_HOST_JOINED), 3u);
    const nlb_counts *n = nlb_tracker_counts(T);
    CU_ASSERT_EQUAL(n->heartbeats, 93u);
    CU_ASSERT_EQUAL(n->frames, 113u);
    CU_ASSERT_EQUAL(n->vip_flows, 10u);
    CU_ASSERT_EQUAL(n->cluster_mac_as_source, 0u);
    CU_ASSERT_EQUAL(nlb_tracker_flow_count(T), 10u);
    for (size_t i = 0; i < 10; i++) {
        const nlb_flow_info *f = nlb_tracker_flow(T, i);
        CU_ASSERT_EQUAL(f->cport, 50000 + i);
        CU_ASSERT_EQUAL(f->proto, 6);
        CU_ASSERT_TRUE(f->answered);
        CU_ASSERT_EQUAL(f->syns, 1u);
        CU_ASSERT_EQUAL(f->frames, 2u);
        CU_ASSERT_EQUAL(f->rule, 0);
        CU_ASSERT_EQUAL(f->predicted_host, owner_of(0xC6336400u + (uint32_t)i));
        CU_ASSERT_EQUAL(f->observed_host, f->predicted_host);
    }
    nlb_ownership_summary s = nlb_tracker_ownership(T);
    CU_ASSERT_EQUAL(s.flows, 10u);
    CU_ASSERT_EQUAL(s.with_observed, 10u);
    CU_ASSERT_EQUAL(s.agree, 10u);
    CU_ASSERT_DOUBLE_EQUAL(s.agreement, 1.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(s.calibration_consistency, 1.0, 1e-9);
    const nlb_calib *cb = nlb_tracker_calib(T, 0, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cb);
    const nlb_flow_info *f0 = nlb_tracker_flow(T, 0);
    CU_ASSERT_EQUAL(cb->owner[f0->bin], f0->observed_host);
    CU_ASSERT(cb->total[f0->bin] >= 1);
    CU_ASSERT_PTR_NULL(nlb_tracker_calib(T, 1, 0));
    CU_ASSERT_PTR_NULL(nlb_tracker_calib(T, 0, NLB_MAX_RULES));
    nlb_tracker_free(T);
}

static void test_silent_host(void)
{
    T = mk(NULL);
    /* host 2 stops after its heartbeat at 10.2 s and comes back at 25.2 s; the default rule
     * alone (no user rule), so the static maps say nothing about bins */
    for (int s = 0; s <= 30; s++)
        for (unsigned p = 1; p <= 3; p++)
            if (p != 2 || s <= 10 || s >= 25)
                hb_full(p, T0 + s * SEC + p * 100 * MS, &(hbopt){ .num_rules = 1 });
    nlb_tracker_finish(T);
    const nlb_cluster_info *c = nlb_tracker_find_cluster(T, VIP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const nlb_host_info *h2 = &c->hosts[1];
    CU_ASSERT_EQUAL(h2->priority, 2);
    CU_ASSERT_EQUAL(h2->heartbeats, 17u);
    CU_ASSERT_EQUAL(h2->max_gap, 15 * SEC);
    CU_ASSERT_EQUAL(h2->max_gap_at, T0 + 25 * SEC + 200 * MS);
    CU_ASSERT_FALSE(h2->silent);
    /* back after 15 s over a 5 s limit: a gap, while the others stayed ok */
    CU_ASSERT_EQUAL(c->silence_limit, 5 * SEC);
    CU_ASSERT_EQUAL(h2->state, NLB_HOST_GAP);
    CU_ASSERT_EQUAL(c->hosts[0].state, NLB_HOST_OK);
    CU_ASSERT_EQUAL(c->hosts[2].state, NLB_HOST_OK);
    CU_ASSERT_STRING_EQUAL(nlb_host_state_name(NLB_HOST_GAP), "gap");

    const nlb_event *sil = nth_event(NLB_EV_HOST_SILENT, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sil);
    CU_ASSERT_EQUAL(sil->time, T0 + 15 * SEC + 200 * MS); /* last_seen + 5 s exactly */
    CU_ASSERT_EQUAL(sil->host, 2);
    CU_ASSERT_EQUAL(sil->duration, 15 * SEC);
    const nlb_event *back = nth_event(NLB_EV_HOST_BACK, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_EQUAL(back->time, T0 + 25 * SEC + 200 * MS);
    CU_ASSERT_EQUAL(back->duration, 15 * SEC);

    CU_ASSERT_EQUAL_FATAL(c->n_convergence, 2u);
    CU_ASSERT_EQUAL(c->convergence[0].start, T0 + 15 * SEC + 200 * MS);
    CU_ASSERT_EQUAL(c->convergence[0].end, T0 + 18 * SEC + 200 * MS);
    CU_ASSERT_EQUAL(c->convergence[0].trigger_host, 2);
    CU_ASSERT_EQUAL(c->convergence[0].trigger_gap, 5 * SEC);
    CU_ASSERT_EQUAL(c->convergence[0].trigger, NLB_CONV_TRIGGER_SILENCE);
    CU_ASSERT_EQUAL(c->convergence[1].start, T0 + 25 * SEC + 200 * MS);
    CU_ASSERT_EQUAL(c->convergence[1].end, T0 + 28 * SEC + 200 * MS);
    CU_ASSERT_EQUAL(c->convergence[1].trigger, NLB_CONV_TRIGGER_JOIN);
    CU_ASSERT_EQUAL(count_events(NLB_EV_CONVERGENCE_START), 2u);
    CU_ASSERT_EQUAL(count_events(NLB_EV_CONVERGENCE_END), 2u);
    CU_ASSERT_EQUAL(nth_event(NLB_EV_CONVERGENCE_END, 0)->duration, 3 * SEC);
    /* events come out in time order */
    for (size_t i = 1; i < nlb_tracker_event_count(T); i++)
        CU_ASSERT(nlb_tracker_event(T, i - 1)->time <= nlb_tracker_event(T, i)->time);

    if (nlb_tracker_diag_count(T) != 3) dump();
    CU_ASSERT_EQUAL(nlb_tracker_diag_count(T), 3u);
    const nlb_diag *d = find_diag(NLB_D_HOST_SILENT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_WARNING);
    CU_ASSERT_EQUAL(d->time, T0 + 10 * SEC + 200 * MS);
    CU_ASSERT_EQUAL(d->duration, 15 * SEC);
    CU_ASSERT_EQUAL(d->hosts_mask, 2u);
    char msg[1024];
    nlb_diag_format(d, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "host 2 of 10.20.30.40 sent no heartbeat for 15.0 s from 05:42:10.200"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "came back"));
    d = find_diag(NLB_D_CONVERGENCE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_INFO);
    CU_ASSERT_EQUAL(d->duration, 3 * SEC);
    nlb_tracker_free(T);

    /* never comes back: silent at the end, error, convergence ended */
    T = mk(NULL);
    for (int s = 0; s <= 30; s++)
        for (unsigned p = 1; p <= 3; p++)
            if (p != 3 || s <= 10)
                hb_full(p, T0 + s * SEC + p * 100 * MS, &(hbopt){ .num_rules = 1 });
    nlb_tracker_finish(T);
    c = nlb_tracker_find_cluster(T, VIP);
    CU_ASSERT_TRUE(c->hosts[2].silent);
    sil = nth_event(NLB_EV_HOST_SILENT, 0);
    CU_ASSERT_EQUAL(sil->time, T0 + 15 * SEC + 300 * MS);
    CU_ASSERT_EQUAL(sil->duration, 20 * SEC - 100 * MS); /* until the last frame (30.2 s) */
    d = find_diag(NLB_D_HOST_SILENT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_ERROR);
    CU_ASSERT_EQUAL(d->n1, 1u);
    CU_ASSERT_EQUAL(d->n2, 5000u);
    CU_ASSERT_EQUAL(c->n_convergence, 1u);
    nlb_tracker_free(T);

    /* live mode: the silence is found by a tick while the wire is quiet (hosts 1 and 2 go on
     * until 12 s, host 3 stops at 10.3 s) */
    T = mk(NULL);
    healthy_run(0, 10);
    for (unsigned p = 1; p <= 2; p++) {
        hb(p, T0 + 11 * SEC + p * 100 * MS);
        hb(p, T0 + 12 * SEC + p * 100 * MS);
    }
    nlb_tracker_tick(T, T0 + 15 * SEC + 300 * MS); /* deadline of host 3, not passed */
    CU_ASSERT_EQUAL(count_events(NLB_EV_HOST_SILENT), 0u);
    nlb_tracker_tick(T, T0 + 15 * SEC + 350 * MS);
    CU_ASSERT_EQUAL(count_events(NLB_EV_HOST_SILENT), 1u);
    CU_ASSERT_EQUAL(count_events(NLB_EV_CAPTURE_LOST), 0u);
    /* hosts 1 and 2 then stop together: the capture point lost them, no silence */
    nlb_tracker_tick(T, T0 + 18 * SEC);
    CU_ASSERT_EQUAL(count_events(NLB_EV_HOST_SILENT), 1u);
    CU_ASSERT_EQUAL(count_events(NLB_EV_CAPTURE_LOST), 1u);
    nlb_tracker_free(T);
}

/* Every host stopping at once is the capture point, not the cluster: hosts unseen, no silence,
 * no convergence, no NLB-003; heard again, they are no join. An input ending does the same for
 * the hosts whose heartbeats ended with it, even a single one. */
static void test_capture_lost(void)
{
    T = mk(NULL);
    healthy_run(0, 10);
    nlb_tracker_tick(T, T0 + 20 * SEC);
    const nlb_cluster_info *c = nlb_tracker_find_cluster(T, VIP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->lost_at, T0 + 10 * SEC + 300 * MS);
    CU_ASSERT_EQUAL(c->lost_by, NLB_LOST_TOGETHER);
    CU_ASSERT_EQUAL(c->lost_hosts, 7u);
    for (unsigned k = 0; k < 3; k++) CU_ASSERT_TRUE(c->hosts[k].unseen);
    CU_ASSERT_EQUAL(count_events(NLB_EV_HOST_SILENT), 0u);
    CU_ASSERT_EQUAL(count_events(NLB_EV_CONVERGENCE_START), 0u);
    const nlb_event *e = nth_event(NLB_EV_CAPTURE_LOST, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->time, T0 + 10 * SEC + 300 * MS);
    CU_ASSERT_EQUAL(e->hosts_mask, 7u);
    CU_ASSERT_EQUAL(e->duration, 200 * MS);
    healthy_run(30, 40); /* the capture point sees them again */
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL(c->lost_hosts, 0u);
    for (unsigned k = 0; k < 3; k++) CU_ASSERT_FALSE(c->hosts[k].unseen);
    CU_ASSERT_EQUAL(count_events(NLB_EV_HOST_BACK), 0u);
    CU_ASSERT_EQUAL(c->n_convergence, 0u);
    CU_ASSERT_PTR_NULL(find_diag(NLB_D_HOST_SILENT));
    CU_ASSERT_PTR_NULL(find_diag(NLB_D_CONVERGENCE));
    nlb_tracker_free(T);

    /* one host, its input ends at 10.15 s while another input goes on until 30 s */
    T = mk(NULL);
    for (int s = 0; s <= 10; s++) hb(1, T0 + s * SEC + 100 * MS);
    nlb_tracker_input_end(T, T0 + 10 * SEC + 150 * MS);
    nlb_tracker_tick(T, T0 + 30 * SEC);
    nlb_tracker_finish(T);
    c = nlb_tracker_find_cluster(T, VIP);
    CU_ASSERT_EQUAL(c->lost_by, NLB_LOST_INPUT_END);
    CU_ASSERT_TRUE(c->hosts[0].unseen);
    CU_ASSERT_FALSE(c->hosts[0].silent);
    e = nth_event(NLB_EV_CAPTURE_LOST, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->time, T0 + 10 * SEC + 150 * MS);
    CU_ASSERT_EQUAL(count_events(NLB_EV_HOST_SILENT), 0u);
    CU_ASSERT_PTR_NULL(find_diag(NLB_D_HOST_SILENT));
    nlb_tracker_free(T);
}

static void test_fast_heartbeats(void)
{
    T = mk(NULL);
    healthy_run(0, 10);
    /* host 3 falls back to half-period heartbeats for 3 s (guess: convergence cadence) */
    for (int k = 1; k <= 6; k++)
        hb(3, T0 + 10 * SEC + 300 * MS + k * 500 * MS);
    healthy_run(14, 20);
    nlb_tracker_finish(T);
    const nlb_cluster_info *c = nlb_tracker_find_cluster(T, VIP);
    CU_ASSERT_EQUAL_FATAL(c->n_convergence, 1u);
    CU_ASSERT_EQUAL(c->convergence[0].trigger, NLB_CONV_TRIGGER_FAST);
    CU_ASSERT_EQUAL(c->convergence[0].start, T0 + 11 * SEC + 300 * MS);
    /* 13.3 s is the last short interval; 14.3 s (1 s) resets the streak */
    CU_ASSERT_EQUAL(c->convergence[0].end, T0 + 16 * SEC + 300 * MS);
    nlb_tracker_free(T);

    /* convergence state 3 (guess) and a map change */
    T = mk(NULL);
    healthy_run(0, 10);
    hbopt o = { .conv = 3 };
    hb_full(2, T0 + 11 * SEC + 200 * MS, &o);
    hbopt m = { .map0 = split3(3) | 1 };
    hb_full(3, T0 + 11 * SEC + 300 * MS, &m);
    healthy_run(12, 20); /* host 3 goes back to its old map at 12.3 s: the last signal */
    nlb_tracker_finish(T);
    c = nlb_tracker_find_cluster(T, VIP);
    CU_ASSERT_EQUAL_FATAL(c->n_convergence, 1u);
    CU_ASSERT_EQUAL(c->convergence[0].trigger, NLB_CONV_TRIGGER_STATE);
    CU_ASSERT_EQUAL(c->convergence[0].trigger_host, 2);
    CU_ASSERT_EQUAL(c->convergence[0].start, T0 + 11 * SEC + 200 * MS);
    CU_ASSERT_EQUAL(c->convergence[0].end, T0 + 15 * SEC + 300 * MS);
    CU_ASSERT_EQUAL(count_events(NLB_EV_MAP_CHANGED), 2u);
    /* bin 0 owned by hosts 1 and 3 only during the convergence: not diagnosed */
    CU_ASSERT_PTR_NULL(find_diag(NLB_D_BIN_TWICE));
    CU_ASSERT_EQUAL(nth_event(NLB_EV_MAP_CHANGED, 0)->host, 3);
    CU_ASSERT_EQUAL(nth_event(NLB_EV_MAP_CHANGED, 0)->count, 1u);
    nlb_tracker_free(T);
}

/* The incident: ESXi announces 20 ordinary VMs by RARP after an uplink failover but not the NLB
 * hosts; clients' SYNs to the VIP go unanswered from then on. */
static void test_incident(void)
{
    const nlb_usec TB = T0 + 30 * SEC + 500 * MS;
    T = mk(NULL);
    int clients_before = 0, clients_after = 0;
    for (int s = 0; s <= 60; s++) {
        for (unsigned p = 1; p <= 2; p++)
            hb_full(p, T0 + s * SEC + p * 100 * MS, &(hbopt){ .map0 = p == 1 ? 0x3FFFFFFFull : 0xFFFFFFFC0000000ull });
        nlb_usec base = T0 + s * SEC;
        if (s >= 20 && s < 30) { /* answered before the failover */
            uint32_t cl = 0xC6336400u + (uint32_t)s;
            syn(cl, 40000, 80, base + 300 * MS);
            nlb_model m;
            nlb_model_init(&m);
            nlb_ipaddr ca = nlb_ipaddr_v4(cl);
            synack(nlb_model_bin(&m, NLB_AFF_SINGLE, &ca, 0) < 30 ? 1 : 2, cl, 40000, 80, base + 301 * MS);
            clients_before++;
        }
        if (s == 30) {
            for (int k = 0; k < 3; k++) /* three RARPs per VM within the burst */
                for (int v = 0; v < 20; v++) {
                    const uint8_t vm[6] = { 0x00, 0x50, 0x56, 0x9a, 0x00, (uint8_t)v };
                    rarp(vm, TB + k * 100 * MS + v * MS);
                }
        }
        if (s >= 31 && s < 50) { /* 37 new connections after it, never answered */
            for (int k = 0; k < 2 && clients_after < 37; k++) {
                uint32_t cl = 0xCB007100u + (uint32_t)clients_after;
                syn(cl, (uint16_t)(41000 + clients_after), 80, base + 400 * MS + k * 100 * MS);
                clients_after++;
            }
            if (s >= 34) /* retransmissions of the first client */
                syn(0xCB007100u, 41000, 80, base + 700 * MS);
        }
    }
    nlb_tracker_tick(T, T0 + 61 * SEC);
    nlb_tracker_finish(T);

    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->rarp, 60u);
    CU_ASSERT_EQUAL(count_events(NLB_EV_FAILOVER_BURST), 1u);
    const nlb_event *b = nth_event(NLB_EV_FAILOVER_BURST, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(b->time, TB);
    CU_ASSERT_EQUAL(b->vip, VIP);
    CU_ASSERT_EQUAL(b->count, 20u);
    CU_ASSERT_EQUAL(b->hosts_mask, 3u); /* hosts 1 and 2 not announced */
    CU_ASSERT_EQUAL(b->duration, 219 * MS);

    CU_ASSERT_EQUAL(count_events(NLB_EV_VIP_UNANSWERED), 1u);
    const nlb_event *u = nth_event(NLB_EV_VIP_UNANSWERED, 0);
    CU_ASSERT_EQUAL(u->time, T0 + 31 * SEC + 400 * MS);
    CU_ASSERT_EQUAL(u->count, 37u);
    CU_ASSERT_EQUAL(u->port, 80);

    CU_ASSERT_EQUAL(nlb_tracker_flow_count(T), 47u);
    const nlb_flow_info *f = nlb_tracker_flow(T, 10);
    CU_ASSERT_EQUAL(f->syns, 17u); /* 1 + retransmissions from 34 s to 49 s */
    CU_ASSERT_FALSE(f->answered);
    /* the verdicts in the public records: 10 answered before the failover, 37 unanswered */
    unsigned verdicts[4] = { 0 };
    for (size_t i = 0; i < nlb_tracker_flow_count(T); i++)
        verdicts[nlb_tracker_flow(T, i)->verdict]++;
    CU_ASSERT_EQUAL(verdicts[NLB_FLOW_ANSWERED], 10u);
    CU_ASSERT_EQUAL(verdicts[NLB_FLOW_UNANSWERED], 37u);
    CU_ASSERT_EQUAL(verdicts[NLB_FLOW_PENDING] + verdicts[NLB_FLOW_NO_SYN], 0u);
    CU_ASSERT_EQUAL(f->verdict, NLB_FLOW_UNANSWERED);
    CU_ASSERT_STRING_EQUAL(nlb_flow_verdict_name(NLB_FLOW_UNANSWERED), "unanswered");

    const nlb_diag *d = find_diag(NLB_D_FAILOVER_UNANNOUNCED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_ERROR);
    CU_ASSERT_EQUAL(d->time, TB);
    CU_ASSERT_EQUAL(d->n1, 20u);
    CU_ASSERT_EQUAL(d->n3, 37u);
    CU_ASSERT_EQUAL(d->n4, 37u);
    CU_ASSERT_EQUAL(d->port, 80);
    CU_ASSERT_EQUAL(d->hosts_mask, 3u);
    char msg[1024];
    nlb_diag_format(d, msg, sizeof msg);
    CU_ASSERT_STRING_EQUAL(msg,
        "after the failover burst at 05:42:30.500 (20 MACs announced by RARP/GARP) no RARP/GARP announced "
        "NLB hosts 1 and 2 of 10.20.30.40; 37 of 37 new connections to 10.20.30.40:80 went unanswered "
        "after it; unicast NLB on ESXi: check 'Notify Switches' on the NLB port group (VMware KB 1556) "
        "and the upstream switch's MAC address table");
    d = find_diag(NLB_D_VIP_UNANSWERED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_ERROR);
    CU_ASSERT_EQUAL(d->n1, 37u);
    CU_ASSERT_EQUAL(d->n2, 37u);
    CU_ASSERT_EQUAL(d->n3, 37u + 16u);
    CU_ASSERT_EQUAL(d->port, 80);
    /* the first diagnostic in time is the burst */
    CU_ASSERT_EQUAL(nlb_tracker_diag(T, 0)->code, NLB_D_FAILOVER_UNANNOUNCED);
    if (nlb_tracker_diag_count(T) != 2) dump();
    CU_ASSERT_EQUAL(nlb_tracker_diag_count(T), 2u);
    nlb_tracker_free(T);

    /* the same burst announcing host 1's masked MAC: only host 2 is missing; no flows after it */
    T = mk(NULL);
    healthy_run(0, 10);
    const uint8_t m1[6] = { 0x02, 0x01, 10, 20, 30, 40 };
    for (int v = 0; v < 5; v++) {
        const uint8_t vm[6] = { 0x00, 0x50, 0x56, 0x9a, 0x01, (uint8_t)v };
        rarp(vm, T0 + 11 * SEC + v * 10 * MS);
    }
    garp(m1, dip_of(1), T0 + 11 * SEC + 60 * MS);
    /* host 3 announced through its dedicated IP from some NIC MAC */
    const uint8_t nic3[6] = { 0x00, 0x15, 0x5d, 0x00, 0x00, 0x33 };
    garp(nic3, dip_of(3), T0 + 11 * SEC + 70 * MS);
    healthy_run(12, 14);
    nlb_tracker_finish(T);
    b = nth_event(NLB_EV_FAILOVER_BURST, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(b->count, 7u);
    CU_ASSERT_EQUAL(b->hosts_mask, 2u);
    d = find_diag(NLB_D_FAILOVER_UNANNOUNCED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->n4, 0u);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_WARNING);
    nlb_diag_format(d, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "announced NLB host 2 of 10.20.30.40; no new connection"));
    nlb_tracker_free(T);

    /* a burst without the NLB hosts, but connections after it are answered: info only */
    T = mk(NULL);
    healthy_run(0, 10);
    for (int v = 0; v < 4; v++) {
        const uint8_t vm[6] = { 0x00, 0x50, 0x56, 0x9a, 0x03, (uint8_t)v };
        rarp(vm, T0 + 11 * SEC + v * 10 * MS);
    }
    syn(0xC6336401u, 50000, 80, T0 + 12 * SEC);
    synack(owner_of(0xC6336401u), 0xC6336401u, 50000, 80, T0 + 12 * SEC + MS);
    healthy_run(12, 16);
    nlb_tracker_finish(T);
    d = find_diag(NLB_D_FAILOVER_UNANNOUNCED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_INFO);
    CU_ASSERT_EQUAL(d->hosts_mask, 7u);
    CU_ASSERT_EQUAL(d->n3, 0u);
    CU_ASSERT_EQUAL(d->n4, 1u);
    CU_ASSERT_EQUAL(nlb_tracker_diag_count(T), 1u);
    nlb_tracker_free(T);
}

static void test_cluster_mac_as_source(void)
{
    T = mk(NULL);
    healthy_run(0, 5);
    uint8_t bad[6];
    nlb_mac_make(NLB_MAC_UNICAST, VIP, 0, bad);
    const uint8_t cmac[6] = { 0x00, 0x0c, 0x29, 0x11, 0x22, 0x33 };
    const nlb_usec at[5] = { 2 * SEC, 2 * SEC + 200 * MS, 2 * SEC + 900 * MS, 3 * SEC + 500 * MS, 3 * SEC + 600 * MS };
    for (int i = 0; i < 5; i++)
        feed(nlb_build_tcp4(buf, sizeof buf, cmac, bad, 0, VIP, 0xC6336407u, 80, 50000, NLB_TCP_ACK, 1, 1, 10), T0 + 5 * SEC + at[i]);
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->cluster_mac_as_source, 5u);
    CU_ASSERT_EQUAL(nlb_tracker_find_cluster(T, VIP)->cluster_mac_as_source, 5u);
    CU_ASSERT_EQUAL(count_events(NLB_EV_CLUSTER_MAC_AS_SOURCE), 2u);
    CU_ASSERT_EQUAL(nth_event(NLB_EV_CLUSTER_MAC_AS_SOURCE, 0)->count, 3u);
    CU_ASSERT_EQUAL(nth_event(NLB_EV_CLUSTER_MAC_AS_SOURCE, 1)->count, 2u);
    CU_ASSERT_EQUAL(nth_event(NLB_EV_CLUSTER_MAC_AS_SOURCE, 1)->time, T0 + 8 * SEC + 500 * MS);
    const nlb_diag *d = find_diag(NLB_D_CLUSTER_MAC_SOURCE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_ERROR);
    CU_ASSERT_EQUAL(d->n1, 5u);
    CU_ASSERT_EQUAL(d->time, T0 + 7 * SEC);
    CU_ASSERT_EQUAL(memcmp(d->mac, bad, 6), 0);
    char msg[1024];
    nlb_diag_format(d, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "the switch will learn 02:bf:0a:14:1e:28"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "stop flooding"));
    CU_ASSERT_EQUAL(nlb_tracker_diag_count(T), 1u);
    nlb_tracker_free(T);

    /* 02-BF of an unknown VIP: not counted, no cluster */
    T = mk(NULL);
    feed(nlb_build_tcp4(buf, sizeof buf, cmac, bad, 0, VIP, 0xC6336407u, 80, 50000, NLB_TCP_ACK, 1, 1, 10), T0);
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL(nlb_tracker_cluster_count(T), 0u);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->cluster_mac_as_source, 0u);
    nlb_tracker_free(T);
}

static void test_config_disagreement(void)
{
    T = mk(NULL);
    for (int s = 0; s <= 12; s++) {
        nlb_usec base = T0 + s * SEC;
        /* host 1 and 2 both own bin 0; bin 59 owned by nobody */
        hb_full(1, base + 100 * MS, &(hbopt){ .map0 = 0xFFFFFull });
        hb_full(2, base + 200 * MS, &(hbopt){ .map0 = 0xFFFFFull << 20 | 1 });
        /* host 3: another rule code in slot 0, and it names itself the default host */
        hb_full(3, base + 300 * MS, &(hbopt){ .map0 = 0x7FFFFull << 40, .code0 = 0x61051051u, .default_id = 2 });
        /* a second machine claiming priority 2; it owns no bin (bit 63 is beyond the 60 bins) */
        hb_full(2, base + 400 * MS, &(hbopt){ .dip = 0x0A141E34u, .map0 = 1ull << 63 });
    }
    nlb_tracker_finish(T);
    const nlb_cluster_info *c = nlb_tracker_find_cluster(T, VIP);
    CU_ASSERT_EQUAL_FATAL(c->n_hosts, 3u);
    CU_ASSERT_EQUAL(c->hosts[1].dedicated_ip, dip_of(2));
    CU_ASSERT_EQUAL(c->hosts[1].dup_dedicated_ip, 0x0A141E34u);
    CU_ASSERT_EQUAL(c->hosts[1].dup_heartbeats, 13u);
    CU_ASSERT_EQUAL(c->hosts[1].heartbeats, 13u);
    CU_ASSERT_EQUAL(c->hosts[2].default_host, 3);
    if (nlb_tracker_diag_count(T) != 5) dump();
    CU_ASSERT_EQUAL(nlb_tracker_diag_count(T), 5u);

    const nlb_diag *d = find_diag(NLB_D_DUP_PRIORITY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->hosts_mask, 2u);
    CU_ASSERT_EQUAL(d->n1, dip_of(2));
    CU_ASSERT_EQUAL(d->n2, 0x0A141E34u);
    CU_ASSERT_EQUAL(d->time, T0 + 400 * MS);
    char msg[1024];
    nlb_diag_format(d, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "claim host priority 2: 10.20.30.42 and 10.20.30.52"));

    d = find_diag(NLB_D_RULE_MISMATCH);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->hosts_mask, 5u); /* reference host 1, differing host 3 */
    CU_ASSERT_EQUAL(d->n3, 1u);
    CU_ASSERT_EQUAL(d->n1, 0x61050050u);
    CU_ASSERT_EQUAL(d->n2, 0x61051051u);
    nlb_diag_format(d, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "host 1 has code 0x61050050, host 3 0x61051051"));

    d = find_diag(NLB_D_MULTI_DEFAULT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->hosts_mask, 5u);
    CU_ASSERT_EQUAL(d->n1, 3u);

    d = find_diag(NLB_D_BIN_TWICE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->n1, 1u);
    CU_ASSERT_EQUAL(d->n2, 1u);
    CU_ASSERT_EQUAL(d->hosts_mask, 3u);
    CU_ASSERT_EQUAL(d->time, T0 + 5 * SEC + 100 * MS); /* first check once established */
    d = find_diag(NLB_D_BIN_NOBODY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->n1, 1u);
    CU_ASSERT_PTR_NULL(find_diag(NLB_D_HOST_SILENT));
    nlb_tracker_free(T);

    /* the duplicate's maps count: two machines with priority 2 and the same bins own them twice */
    T = mk(NULL);
    for (int s = 0; s <= 8; s++) {
        hb(1, T0 + s * SEC + 100 * MS);
        hb(2, T0 + s * SEC + 200 * MS);
        hb(3, T0 + s * SEC + 300 * MS);
        hb_full(2, T0 + s * SEC + 400 * MS, &(hbopt){ .dip = 0x0A141E34u });
    }
    nlb_tracker_finish(T);
    d = find_diag(NLB_D_BIN_TWICE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->n1, 20u);
    CU_ASSERT_EQUAL(d->hosts_mask, 2u);
    CU_ASSERT_PTR_NULL(find_diag(NLB_D_BIN_NOBODY));
    CU_ASSERT_PTR_NOT_NULL(find_diag(NLB_D_DUP_PRIORITY));
    nlb_tracker_free(T);

    /* rule counts differ; host codes differ too but are never diagnosed */
    T = mk(NULL);
    for (int s = 0; s <= 8; s++) {
        hb_full(1, T0 + s * SEC + 100 * MS, &(hbopt){ .num_rules = 3 });
        hb_full(2, T0 + s * SEC + 200 * MS, &(hbopt){ .num_rules = 2 });
    }
    nlb_tracker_finish(T);
    d = find_diag(NLB_D_RULE_MISMATCH);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->n3, 0u);
    CU_ASSERT_EQUAL(d->n1, 3u);
    CU_ASSERT_EQUAL(d->n2, 2u);
    CU_ASSERT_EQUAL(nlb_tracker_diag_count(T), 1u);
    nlb_tracker_free(T);
}

static void test_multicast_and_igmp(void)
{
    /* multicast: heartbeats from NIC MACs to 03-BF, ARP answers 03-BF-VIP */
    T = mk(NULL);
    for (int s = 0; s <= 6; s++)
        for (unsigned p = 1; p <= 2; p++)
            hb_full(p, T0 + s * SEC + p * 100 * MS, &(hbopt){ .multicast = true, .num_rules = 1 });
    uint8_t mc[6];
    nlb_mac_make(NLB_MAC_MULTICAST, VIP, 0, mc);
    const uint8_t nic1[6] = { 0x00, 0x15, 0x5d, 0x00, 0x00, 0x01 };
    arp_reply(nic1, mc, VIP, T0 + 7 * SEC);
    /* a reply from host 2's NIC MAC is attributed to host 2 */
    syn(0xC6336407u, 50000, 80, T0 + 7 * SEC + 100 * MS);
    const uint8_t nic2[6] = { 0x00, 0x15, 0x5d, 0x00, 0x00, 0x02 };
    feed(nlb_build_tcp4(buf, sizeof buf, BCAST, nic2, 0, VIP, 0xC6336407u, 80, 50000, NLB_TCP_SYN | NLB_TCP_ACK, 1, 1, 0), T0 + 7 * SEC + 101 * MS);
    /* a pending connection proves nothing yet: the multicast ARP is a warning */
    nlb_tracker_diagnose(T);
    CU_ASSERT_EQUAL(find_diag(NLB_D_MCAST_ARP)->severity, NLB_SEV_WARNING);
    /* past the answer timeout the connection is judged answered: the router took the ARP */
    for (int s = 8; s <= 11; s++)
        for (unsigned p = 1; p <= 2; p++)
            hb_full(p, T0 + s * SEC + p * 100 * MS, &(hbopt){ .multicast = true, .num_rules = 1 });
    nlb_tracker_finish(T);
    const nlb_cluster_info *c = nlb_tracker_find_cluster(T, VIP);
    CU_ASSERT_EQUAL(c->mode, NLB_MODE_MULTICAST);
    CU_ASSERT_EQUAL(memcmp(c->cluster_mac, mc, 6), 0);
    CU_ASSERT_EQUAL(c->mcast_arp, 1u);
    CU_ASSERT_EQUAL(c->frames_to_cluster_mac, 22u);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 0)->observed_host, 2);
    const nlb_diag *d = find_diag(NLB_D_MCAST_ARP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_INFO);
    CU_ASSERT_EQUAL(memcmp(d->mac, mc, 6), 0);
    if (nlb_tracker_diag_count(T) != 1) dump();
    CU_ASSERT_EQUAL(nlb_tracker_diag_count(T), 1u);
    nlb_tracker_free(T);

    /* IGMP mode found by ARP alone, no joins in 130 s */
    T = mk(NULL);
    uint8_t ig[6];
    nlb_mac_make(NLB_MAC_IGMP, VIP, 0, ig);
    arp_reply(nic1, ig, VIP, T0);
    CU_ASSERT_EQUAL_FATAL(nlb_tracker_cluster_count(T), 1u);
    CU_ASSERT_EQUAL(nlb_tracker_cluster(T, 0)->found_by, NLB_FOUND_BY_ARP);
    CU_ASSERT_EQUAL(nth_event(NLB_EV_CLUSTER_FOUND, 0)->count, (uint32_t)NLB_FOUND_BY_ARP);
    nlb_tracker_tick(T, T0 + 130 * SEC);
    nlb_tracker_finish(T);
    c = nlb_tracker_cluster(T, 0);
    CU_ASSERT_EQUAL(c->mode, NLB_MODE_IGMP);
    CU_ASSERT_EQUAL(memcmp(c->cluster_mac, ig, 6), 0);
    CU_ASSERT_EQUAL(find_diag(NLB_D_IGMP_MISSING)->severity, NLB_SEV_WARNING);
    /* no VIP connection at all: nothing shows the router accepted it */
    CU_ASSERT_EQUAL(find_diag(NLB_D_MCAST_ARP)->severity, NLB_SEV_WARNING);
    nlb_tracker_free(T);

    /* with a join from the VIP: no IGMP diagnostic */
    T = mk(NULL);
    arp_reply(nic1, ig, VIP, T0);
    feed(nlb_build_igmp_report(buf, sizeof buf, nic1, VIP, 0xEFFF1E28u), T0 + 60 * SEC);
    nlb_tracker_tick(T, T0 + 130 * SEC);
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL(nlb_tracker_cluster(T, 0)->igmp_reports, 1u);
    CU_ASSERT_PTR_NULL(find_diag(NLB_D_IGMP_MISSING));
    nlb_tracker_free(T);

    /* v1 and v3 joins count as well (the v3 group sits in a record, not at offset 4); a v3
     * record in include mode with no sources is a leave, and a join to another group is not ours */
    static const unsigned versions[] = { 1, 3 };
    for (size_t v = 0; v < 2; v++) {
        T = mk(NULL);
        arp_reply(nic1, ig, VIP, T0);
        size_t n = versions[v] == 1
                       ? nlb_build_igmp(buf, sizeof buf, nic1, 0, VIP, 0xEFFF1E28u, NLB_IGMP_V1_REPORT, 0, 0xEFFF1E28u)
                       : nlb_build_igmp3_report(buf, sizeof buf, nic1, 0, VIP, 0xEFFF1E28u);
        feed(n, T0 + 60 * SEC);
        if (versions[v] == 3) {
            feed(nlb_build_igmp3_report(buf, sizeof buf, nic1, 0, VIP, 0xEFFF1E29u), T0 + 61 * SEC);
            nlb_build_igmp3_report(buf, sizeof buf, nic1, 0, VIP, 0xEFFF1E28u);
            buf[14 + 20 + 8] = 3; /* CHANGE_TO_INCLUDE_MODE, no sources */
            feed(n, T0 + 62 * SEC);
        }
        nlb_tracker_tick(T, T0 + 130 * SEC);
        nlb_tracker_finish(T);
        CU_ASSERT_EQUAL(nlb_tracker_cluster(T, 0)->mode, NLB_MODE_IGMP);
        CU_ASSERT_EQUAL(nlb_tracker_cluster(T, 0)->igmp_reports, 1u);
        CU_ASSERT_PTR_NULL(find_diag(NLB_D_IGMP_MISSING));
        nlb_tracker_free(T);
    }

    /* unicast ARP: 02-pp source, 02-BF sender hardware address */
    T = mk(NULL);
    uint8_t m2[6], uc[6];
    nlb_mac_make(NLB_MAC_MASKED, VIP, 2, m2);
    nlb_mac_make(NLB_MAC_UNICAST, VIP, 0, uc);
    arp_reply(m2, uc, VIP, T0);
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL(nlb_tracker_cluster(T, 0)->mode, NLB_MODE_UNICAST);
    CU_ASSERT_EQUAL(nlb_tracker_diag_count(T), 0u);
    nlb_tracker_free(T);
}

static void test_truncated(void)
{
    T = mk(NULL);
    for (int s = 0; s <= 3; s++)
        for (unsigned p = 1; p <= 2; p++) {
            nlb_heartbeat h;
            nlb_hb_init_membership(&h, VIP, dip_of(p), p);
            h.num_rules = 10;
            uint8_t src[6];
            nlb_mac_make(NLB_MAC_MASKED, VIP, (uint8_t)p, src);
            size_t len = nlb_build_heartbeat(buf, sizeof buf, BCAST, src, 0, &h);
            feed_n(len, 96, T0 + s * SEC + p * 100 * MS); /* snaplen 96 like tcpdump's msnlb.pcap */
        }
    nlb_tracker_finish(T);
    const nlb_cluster_info *c = nlb_tracker_find_cluster(T, VIP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->n_hosts, 2u);
    CU_ASSERT_FALSE(c->hosts[0].has_maps);
    CU_ASSERT_EQUAL(c->hosts[0].num_rules, 10);
    CU_ASSERT_EQUAL(c->hosts[0].truncated_heartbeats, 4u);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->truncated, 8u);
    CU_ASSERT_EQUAL(nlb_tracker_diag_count(T), 1u);
    const nlb_diag *d = find_diag(NLB_D_TRUNCATED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_INFO);
    CU_ASSERT_EQUAL(d->n1, 8u);
    CU_ASSERT_EQUAL(d->hosts_mask, 3u);
    nlb_tracker_free(T);
}

/* SSDP, IGMP for 239.255.255.250, Xbox 0x886F, Docker 02-42, a lab router's 02-01 MAC, a
 * router's ordinary GARP, RARP 0.0.0.0 and a GARP burst: no cluster, no diagnostic. */
static void test_lookalikes(void)
{
    T = mk(NULL);
    nlb_usec ts = T0;
    const uint8_t host[6] = { 0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc };
    const uint8_t ssdp[6] = { 0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa };
    for (int i = 0; i < 5; i++) {
        feed(nlb_build_udp4(buf, sizeof buf, ssdp, host, 0, 0xC0A8010Au, 0xEFFFFFFAu, 50000, 1900, 100), ts += 10 * MS);
        feed(nlb_build_igmp_report(buf, sizeof buf, host, 0xC0A8010Au, 0xEFFFFFFAu), ts += 10 * MS);
    }
    /* Xbox wireless adapter on 0x886F */
    size_t n = nlb_build_eth(buf, sizeof buf, BCAST, host, 0, 0x886F);
    memcpy(buf + n, "XBOX\x01\x02\x03\x04", 8);
    memset(buf + n + 8, 0, 60);
    feed(n + 68, ts += 10 * MS);
    /* Docker: 02:42:c0:a8:02:45 is 192.168.2.69 */
    const uint8_t docker[6] = { 0x02, 0x42, 0xc0, 0xa8, 0x02, 0x45 };
    arp_reply(docker, docker, 0xC0A80245u, ts += 10 * MS);
    garp(docker, 0xC0A80245u, ts += 10 * MS);
    feed(nlb_build_tcp4(buf, sizeof buf, host, docker, 0, 0xC0A80245u, 0xC0A8010Au, 80, 50000, NLB_TCP_SYN | NLB_TCP_ACK, 1, 1, 0), ts += 10 * MS);
    /* lab router 02:01:00:01:00:00 (a "masked" form of 0.1.0.0) */
    const uint8_t lab[6] = { 0x02, 0x01, 0x00, 0x01, 0x00, 0x00 };
    garp(lab, 0xC0A80101u, ts += 10 * MS);
    arp_reply(lab, lab, 0xC0A80101u, ts += 10 * MS);
    feed(nlb_build_udp4(buf, sizeof buf, host, lab, 0, 0x00010000u, 0xC0A8010Au, 53, 50000, 20), ts += 10 * MS);
    /* a router's ordinary GARP, RARP 0.0.0.0 */
    const uint8_t rtr[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
    garp(rtr, 0xC0A80101u, ts += 10 * MS);
    rarp(rtr, ts += 10 * MS);
    /* a GARP burst with no NLB cluster known: at most an info event */
    ts += 5 * SEC;
    for (int v = 0; v < 6; v++) {
        const uint8_t vm[6] = { 0x00, 0x50, 0x56, 0x9a, 0x02, (uint8_t)v };
        garp(vm, 0xC0A80200u + (uint32_t)v, ts += 20 * MS);
    }
    nlb_tracker_tick(T, ts + 10 * SEC);
    nlb_tracker_finish(T);
    if (nlb_tracker_diag_count(T)) dump();
    CU_ASSERT_EQUAL(nlb_tracker_cluster_count(T), 0u);
    CU_ASSERT_EQUAL(nlb_tracker_diag_count(T), 0u);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->foreign_886f, 1u);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->heartbeats, 0u);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->vip_flows, 0u);
    /* the GARPs/RARP of Docker, the lab router and the router fall within one second: that and
     * the later burst are info events naming no cluster */
    if (nlb_tracker_event_count(T) != 2) dump();
    CU_ASSERT_EQUAL(nlb_tracker_event_count(T), 2u);
    CU_ASSERT_EQUAL(count_events(NLB_EV_FAILOVER_BURST), 2u);
    for (size_t i = 0; i < nlb_tracker_event_count(T); i++)
        CU_ASSERT_EQUAL(nlb_tracker_event(T, i)->vip, 0u);
    const nlb_event *e = nth_event(NLB_EV_FAILOVER_BURST, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->count, 6u);
    CU_ASSERT_EQUAL(e->hosts_mask, 0u);
    nlb_tracker_free(T);
}

static void small_flows(nlb_tracker_config *c)
{
    c->max_flows = 4;
    c->n_vips = 1;
    c->vips[0] = VIP;
}

static void test_flow_eviction(void)
{
    /* ten SYNs within 10 ms: the first four await judgment and cannot be evicted, so the
     * other six are refused */
    T = mk(small_flows);
    for (uint32_t i = 0; i < 10; i++)
        syn(0xC6336400u + i, 50000, 443, T0 + i * MS);
    syn(0xC6336400u, 50000, 443, T0 + 20 * MS); /* a known flow still updates */
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL(nlb_tracker_cluster_count(T), 1u);
    CU_ASSERT_EQUAL(nlb_tracker_cluster(T, 0)->found_by, NLB_FOUND_BY_CONFIG);
    CU_ASSERT_EQUAL(nlb_tracker_flow_count(T), 4u);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->flows_evicted, 6u);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 0)->syns, 2u);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 3)->client.a[3], 3);
    CU_ASSERT_PTR_NULL(nlb_tracker_flow(T, 4));
    const nlb_diag *d = find_diag(NLB_D_FLOWS_EVICTED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->n1, 6u);
    CU_ASSERT_EQUAL(d->n2, 4u);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_WARNING);
    /* the SYNs were not judged: the capture ended within the answer timeout */
    CU_ASSERT_PTR_NULL(find_diag(NLB_D_VIP_UNANSWERED));
    nlb_tracker_free(T);

    /* one answered connection per second: once judged, the oldest flows make room */
    T = mk(small_flows);
    for (uint32_t i = 0; i < 10; i++) {
        syn(0xC6336400u + i, 50000, 443, T0 + i * SEC);
        synack(1, 0xC6336400u + i, 50000, 443, T0 + i * SEC + MS);
    }
    /* every remaining flow is still found (backward-shift deletion kept them reachable) */
    for (uint32_t i = 6; i < 10; i++)
        synack(1, 0xC6336400u + i, 50000, 443, T0 + 10 * SEC + i * MS);
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->flows_evicted, 6u);
    CU_ASSERT_EQUAL_FATAL(nlb_tracker_flow_count(T), 4u);
    for (uint32_t i = 0; i < 4; i++) { /* oldest first */
        const nlb_flow_info *f = nlb_tracker_flow(T, i);
        CU_ASSERT_EQUAL(f->client.a[3], 6 + i);
        CU_ASSERT_EQUAL(f->frames, 3u);
        CU_ASSERT_EQUAL(f->observed_host, 1);
    }
    nlb_tracker_free(T);

    /* a larger table under churn: 20000 flows through 256 slots, lookups stay exact */
    nlb_tracker_config cfg;
    nlb_tracker_config_default(&cfg);
    cfg.max_flows = 256;
    cfg.n_vips = 1;
    cfg.vips[0] = VIP;
    T = nlb_tracker_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(T);
    const uint8_t cmac[6] = { 0x00, 0x0c, 0x29, 0x11, 0x22, 0x33 };
    uint8_t dst[6];
    nlb_mac_make(NLB_MAC_UNICAST, VIP, 0, dst);
    for (uint32_t i = 0; i < 20000; i++) {
        uint32_t client = 0x0A000000u + i * 2654435761u % 1000003u;
        feed(nlb_build_udp4(buf, sizeof buf, dst, cmac, 0, client, VIP, (uint16_t)(1024 + i % 50000), 53, 10), T0 + i * MS);
        feed(nlb_build_udp4(buf, sizeof buf, dst, cmac, 0, client, VIP, (uint16_t)(1024 + i % 50000), 53, 10), T0 + i * MS + 1);
    }
    CU_ASSERT_EQUAL(nlb_tracker_flow_count(T), 256u);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->flows_evicted, 20000u - 256u);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->vip_flows, 20000u);
    for (size_t i = 0; i < 256; i++)
        CU_ASSERT_EQUAL(nlb_tracker_flow(T, i)->frames, 2u);
    nlb_tracker_free(T);
}

static void without2(nlb_tracker_config *c) { c->without_host = 2; }

static void test_emulation_and_whatif(void)
{
    /* maps with only bit 63 set (beyond the 60 bins): nobody owns a bin, the emulation predicts */
    T = mk(NULL);
    for (int s = 0; s <= 6; s++)
        for (unsigned p = 1; p <= 3; p++)
            hb_full(p, T0 + s * SEC + p * 100 * MS, &(hbopt){ .map0 = 1ull << 63, .num_rules = 1 });
    for (uint32_t i = 0; i < 300; i++)
        syn(0x0A000000u + i * 7919, 50000, 80, T0 + 7 * SEC + i * MS);
    nlb_tracker_finish(T);
    unsigned on[4] = { 0 };
    for (size_t i = 0; i < nlb_tracker_flow_count(T); i++) {
        const nlb_flow_info *f = nlb_tracker_flow(T, i);
        CU_ASSERT_FATAL(f->predicted_host >= 1 && f->predicted_host <= 3);
        on[f->predicted_host]++;
    }
    /* a leave moves only the leaver's flows; a newcomer takes a quarter of the bins */
    CU_ASSERT_EQUAL(nlb_tracker_whatif(T, 2, false), on[2]);
    size_t j = nlb_tracker_whatif(T, 4, true);
    CU_ASSERT(j > 0 && j < 300);
    CU_ASSERT_EQUAL(nlb_tracker_whatif(T, 9, false), 0u); /* not a member */
    nlb_tracker_free(T);

    /* the same traffic with --without 2: nobody is predicted on host 2 */
    T = mk(without2);
    for (int s = 0; s <= 6; s++)
        for (unsigned p = 1; p <= 3; p++)
            hb_full(p, T0 + s * SEC + p * 100 * MS, &(hbopt){ .map0 = 1ull << 63, .num_rules = 1 });
    for (uint32_t i = 0; i < 300; i++)
        syn(0x0A000000u + i * 7919, 50000, 80, T0 + 7 * SEC + i * MS);
    nlb_tracker_finish(T);
    for (size_t i = 0; i < nlb_tracker_flow_count(T); i++)
        CU_ASSERT_NOT_EQUAL(nlb_tracker_flow(T, i)->predicted_host, 2);
    nlb_tracker_free(T);
}

static void rules_cfg(nlb_tracker_config *c)
{
    char err[128];
    bool ok = nlb_model_load_rules(&c->model,
                                   "rule vip=10.20.30.40 ports=80 proto=tcp mode=multiple affinity=none\n"
                                   "rule ports=25 proto=tcp mode=single handling=1:3,2:1,3:2\n"
                                   "rule ports=23 proto=tcp mode=disabled\n", err, sizeof err);
    CU_ASSERT_TRUE(ok);
}

static void test_rules_in_tracker(void)
{
    T = mk(rules_cfg);
    healthy_run(0, 6);
    syn(0xC6336407u, 50000, 80, T0 + 7 * SEC);
    syn(0xC6336407u, 50001, 25, T0 + 7 * SEC + 1 * MS);
    syn(0xC6336407u, 50002, 23, T0 + 7 * SEC + 2 * MS);
    syn(0xC6336407u, 50003, 8080, T0 + 7 * SEC + 3 * MS);
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL_FATAL(nlb_tracker_flow_count(T), 4u);
    const nlb_flow_info *f = nlb_tracker_flow(T, 0);
    CU_ASSERT_EQUAL(f->rule, 0);
    nlb_model m;
    nlb_model_init(&m);
    CU_ASSERT_EQUAL(f->bin, nlb_model_bin(&m, NLB_AFF_NONE, &f->client, 50000));
    CU_ASSERT_EQUAL(f->predicted_host, f->bin / 20 + 1); /* from the captured maps */
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 1)->rule, 1);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 1)->predicted_host, 2); /* lowest handling priority */
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 2)->rule, 2);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 2)->predicted_host, 0); /* disabled: dropped */
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 3)->rule, -1);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 3)->predicted_host, 1); /* default host */
    CU_ASSERT_EQUAL(nlb_tracker_model(T)->n_rules, 3u);
    nlb_tracker_free(T);
}

static void test_ipv6_flows(void)
{
    T = mk(NULL);
    healthy_run(0, 2);
    nlb_heartbeat x;
    memset(&x, 0, sizeof x);
    x.kind = NLB_HB_EXTENDED;
    x.signature = NLB_SIG_EXTENDED;
    x.version = 0x206;
    x.priority = 1;
    x.cluster_ip = VIP;
    x.dedicated_ip = dip_of(1);
    snprintf(x.host_name, sizeof x.host_name, "WEB01");
    x.n_addrs = 1;
    x.addrs[0].family = 6;
    const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40 };
    memcpy(x.addrs[0].a, v6, 16);
    uint8_t src[6];
    nlb_mac_make(NLB_MAC_MASKED, VIP, 1, src);
    feed(nlb_build_heartbeat(buf, sizeof buf, BCAST, src, 0, &x), T0 + 3 * SEC);
    const uint8_t cl6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7 };
    const uint8_t cmac[6] = { 0x00, 0x0c, 0x29, 0x11, 0x22, 0x33 };
    uint8_t dst[6];
    nlb_mac_make(NLB_MAC_UNICAST, VIP, 0, dst);
    feed(nlb_build_tcp6(buf, sizeof buf, dst, cmac, 0, cl6, v6, 50000, 443, NLB_TCP_SYN, 1, 0), T0 + 3 * SEC + 10 * MS);
    uint8_t m2[6];
    nlb_mac_make(NLB_MAC_MASKED, VIP, 2, m2);
    feed(nlb_build_tcp6(buf, sizeof buf, cmac, m2, 0, v6, cl6, 443, 50000, NLB_TCP_SYN | NLB_TCP_ACK, 1, 2), T0 + 3 * SEC + 11 * MS);
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->heartbeats_extended, 1u);
    CU_ASSERT_STRING_EQUAL(nlb_tracker_cluster(T, 0)->hosts[0].host_name, "WEB01");
    CU_ASSERT_EQUAL(nlb_tracker_cluster(T, 0)->hosts[0].heartbeats_extended, 1u);
    CU_ASSERT_EQUAL_FATAL(nlb_tracker_flow_count(T), 1u);
    const nlb_flow_info *f = nlb_tracker_flow(T, 0);
    CU_ASSERT_EQUAL(f->vip.family, 6);
    CU_ASSERT_TRUE(f->answered);
    CU_ASSERT_EQUAL(f->observed_host, 2);
    CU_ASSERT(f->predicted_host >= 1 && f->predicted_host <= 3);
    nlb_tracker_free(T);
}

/* Answers consistently from another host than the maps say: the emulation is off, not the
 * cluster; calibration learns the observed owners. */
static void test_owner_mismatch(void)
{
    T = mk(NULL);
    healthy_run(0, 10);
    for (uint32_t i = 0; i < 30; i++) {
        uint32_t client = 0xC6336400u + i;
        syn(client, (uint16_t)(50000 + i), 80, T0 + 11 * SEC + i * 10 * MS);
        synack(owner_of(client) % 3 + 1, client, (uint16_t)(50000 + i), 80, T0 + 11 * SEC + i * 10 * MS + MS);
    }
    healthy_run(11, 15);
    nlb_tracker_finish(T);
    nlb_ownership_summary s = nlb_tracker_ownership(T);
    CU_ASSERT_EQUAL(s.with_observed, 30u);
    CU_ASSERT_EQUAL(s.agree, 0u);
    CU_ASSERT_DOUBLE_EQUAL(s.agreement, 0.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(s.calibration_consistency, 1.0, 1e-9);
    CU_ASSERT_EQUAL_FATAL(nlb_tracker_diag_count(T), 1u);
    const nlb_diag *d = find_diag(NLB_D_OWNER_MISMATCH);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_INFO);
    CU_ASSERT_EQUAL(d->n1, 0u);
    CU_ASSERT_EQUAL(d->n2, 30u);
    CU_ASSERT_EQUAL(d->n3, 0u); /* 30 new clients: nothing learned could predict them */
    CU_ASSERT_EQUAL(d->n4, 0u);
    char msg[512];
    nlb_diag_format(d, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "no owner could be learned from the answers yet"));
    const nlb_flow_info *f = nlb_tracker_flow(T, 0);
    CU_ASSERT_EQUAL(nlb_tracker_calib(T, 0, 0)->owner[f->bin], f->predicted_host % 3 + 1);
    nlb_tracker_free(T);
}

/* The same wrong-host answers, each of 15 clients connecting twice: the second connection is
 * predicted from the first answer (learned, right), the emulation stays wrong for all 30, and
 * NLB-014 reports both. */
static void test_owner_mismatch_learned(void)
{
    T = mk(NULL);
    healthy_run(0, 10);
    for (uint32_t i = 0; i < 30; i++) {
        uint32_t client = 0xC6336400u + i % 15;
        nlb_usec at = T0 + 11 * SEC + i * 10 * MS;
        syn(client, (uint16_t)(50000 + i), 80, at);
        synack(owner_of(client) % 3 + 1, client, (uint16_t)(50000 + i), 80, at + MS);
    }
    healthy_run(11, 15);
    nlb_tracker_finish(T);
    nlb_learn_summary l = nlb_tracker_learned(T);
    CU_ASSERT_EQUAL(l.answered, 30u);
    CU_ASSERT_EQUAL(l.learned_checked, 15u);
    CU_ASSERT_EQUAL(l.learned_agree, 15u);
    CU_ASSERT_EQUAL(l.emulated_checked, 30u);
    CU_ASSERT_EQUAL(l.emulated_agree, 0u);
    CU_ASSERT_EQUAL(l.by_source[NLB_PRED_LEARNED], 15u);
    CU_ASSERT_EQUAL(l.by_source[NLB_PRED_MAPS], 15u);
    const nlb_flow_info *f = nlb_tracker_flow(T, 20);
    CU_ASSERT_EQUAL(f->predicted_source, NLB_PRED_LEARNED);
    CU_ASSERT_EQUAL(f->learned_host, f->observed_host);
    CU_ASSERT_EQUAL(f->emulated_host % 3 + 1, f->observed_host);
    CU_ASSERT_EQUAL(nlb_tracker_ownership(T).agree, 15u);
    const nlb_diag *d = find_diag(NLB_D_OWNER_MISMATCH);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->n1, 0u);
    CU_ASSERT_EQUAL(d->n2, 30u);
    CU_ASSERT_EQUAL(d->n3, 15u);
    CU_ASSERT_EQUAL(d->n4, 15u);
    char msg[512];
    nlb_diag_format(d, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "they matched 15 of the 15 answered flows they predicted"));
    nlb_tracker_free(T);
}

/* tcpdump's real msnlb.pcap: two heartbeats cut at snaplen 96 (see captures/SOURCES.md). */
static void test_real_capture(void)
{
    nlbt_capture cap = nlbt_load("captures/msnlb.pcap");
    T = mk(NULL);
    static nlb_packet p;
    for (size_t i = 0; i < cap.n; i++) {
        nlb_packet_decode(cap.linktype, cap.frames[i].data, cap.frames[i].caplen, cap.frames[i].wirelen, &p);
        nlb_tracker_feed(T, &p, cap.frames[i].ts);
    }
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->heartbeats, 2u);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->truncated, 2u);
    CU_ASSERT_EQUAL_FATAL(nlb_tracker_cluster_count(T), 1u);
    const nlb_cluster_info *c = nlb_tracker_cluster(T, 0);
    CU_ASSERT_EQUAL(c->vip, 0xC0A86450u);
    CU_ASSERT_EQUAL(c->mode, NLB_MODE_UNICAST);
    CU_ASSERT_EQUAL_FATAL(c->n_hosts, 2u);
    for (unsigned i = 0; i < 2; i++) {
        const nlb_host_info *h = &c->hosts[i];
        CU_ASSERT_EQUAL(h->priority, i + 1);
        CU_ASSERT_EQUAL(h->dedicated_ip, 0xC0A86451u + i);
        const uint8_t mm[6] = { 0x02, (uint8_t)(i + 1), 0xc0, 0xa8, 0x64, 0x50 };
        CU_ASSERT_EQUAL(memcmp(h->mac, mm, 6), 0);
        CU_ASSERT_EQUAL(h->num_rules, 9);
        CU_ASSERT_EQUAL(h->conv_state, 1);
        CU_ASSERT_FALSE(h->has_maps);
        CU_ASSERT_EQUAL(h->truncated_heartbeats, 1u);
    }
    CU_ASSERT_EQUAL(c->hosts[0].host_code, 1329324767u); /* the codes differ by design */
    CU_ASSERT_EQUAL(c->hosts[1].host_code, 1329324853u);
    CU_ASSERT_EQUAL(c->hosts[0].rule_codes[0], c->hosts[1].rule_codes[0]);
    CU_ASSERT_EQUAL_FATAL(nlb_tracker_diag_count(T), 1u);
    const nlb_diag *d = nlb_tracker_diag(T, 0);
    CU_ASSERT_EQUAL(d->code, NLB_D_TRUNCATED);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_INFO);
    CU_ASSERT_EQUAL(d->n1, 2u);
    CU_ASSERT_EQUAL(d->hosts_mask, 3u);
    nlb_tracker_free(T);
    nlbt_free(&cap);
}

static void test_config_and_limits(void)
{
    nlb_tracker_config cfg;
    nlb_tracker_config_default(&cfg);
    CU_ASSERT_EQUAL(cfg.period_ms, 1000u);
    CU_ASSERT_EQUAL(cfg.tolerance, 5u);
    CU_ASSERT_EQUAL(cfg.max_clusters, 64u);
    CU_ASSERT_EQUAL(cfg.max_flows, 262144u);
    CU_ASSERT_EQUAL(cfg.max_events, 4096u);
    CU_ASSERT_EQUAL(cfg.burst_window, SEC);
    CU_ASSERT_EQUAL(cfg.burst_min_macs, 3u);
    CU_ASSERT_EQUAL(cfg.answer_timeout, 3 * SEC);
    CU_ASSERT_EQUAL(cfg.model.bins, 60u);
    nlb_tracker *t = nlb_tracker_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL(t);
    nlb_tracker_finish(t);
    CU_ASSERT_EQUAL(nlb_tracker_cluster_count(t), 0u);
    nlb_tracker_free(t);
    nlb_tracker_free(NULL);
    cfg.period_ms = 0;
    CU_ASSERT_PTR_NULL(nlb_tracker_new(&cfg));
    nlb_tracker_config_default(&cfg);
    cfg.model.bins = 65;
    CU_ASSERT_PTR_NULL(nlb_tracker_new(&cfg));
    CU_ASSERT_PTR_NULL(nlb_tracker_new(NULL));

    /* events bounded: drops counted */
    nlb_tracker_config_default(&cfg);
    cfg.max_events = 2;
    cfg.max_flows = 16;
    T = nlb_tracker_new(&cfg);
    healthy_run(0, 1);
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL(nlb_tracker_event_count(T), 2u);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->events_dropped, 2u);
    nlb_tracker_free(T);

    /* clusters bounded */
    nlb_tracker_config_default(&cfg);
    cfg.max_clusters = 1;
    cfg.max_flows = 16;
    T = nlb_tracker_new(&cfg);
    hb_full(1, T0, &(hbopt){ .vip = VIP });
    hb_full(1, T0 + 1, &(hbopt){ .vip = VIP + 256 });
    CU_ASSERT_EQUAL(nlb_tracker_cluster_count(T), 1u);
    CU_ASSERT_PTR_NULL(nlb_tracker_cluster(T, 1));
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->clusters_dropped, 1u);
    nlb_tracker_free(T);
}

/* frame.c classifies MACs inline on the per-frame path: it must agree with nlb_mac_classify
 * for every form (all first two octets, with and without the IGMP prefix). */
static bool same_mac_info(const nlb_mac_info *a, const nlb_mac_info *b)
{
    return a->kind == b->kind && a->vip == b->vip && a->vip_mask == b->vip_mask && a->priority == b->priority &&
           a->confirmed == b->confirmed;
}

static void test_frame_mac_forms(void)
{
    static nlb_packet p;
    uint8_t f[60];
    unsigned bad = 0;
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++)
            for (unsigned igmp = 0; igmp < 2; igmp++) {
                uint8_t m[6] = { (uint8_t)a, (uint8_t)b, igmp ? 0x5E : 0x0A, igmp ? 0x7F : 0x14, 0x1E, 0x28 };
                memset(f, 0, sizeof f);
                memcpy(f, m, 6);     /* destination */
                memcpy(f + 6, m, 6); /* source */
                f[12] = 0x08; /* IPv4 ethertype, empty payload: only the link layer matters */
                nlb_packet_decode(NLB_LINK_ETHERNET, f, 14, 14, &p);
                nlb_mac_info want;
                nlb_mac_classify(m, &want);
                bad += !same_mac_info(&p.src_mac, &want) + !same_mac_info(&p.dst_mac, &want);
                /* a frame cut after the addresses classifies them too */
                nlb_packet_decode(NLB_LINK_ETHERNET, f, 12, 60, &p);
                bad += !same_mac_info(&p.src_mac, &want) + !same_mac_info(&p.dst_mac, &want);
            }
    CU_ASSERT_EQUAL(bad, 0u);
}

/* counts.clusters_dropped (issue 8): each VIP refused for want of room counts once, however
 * many frames name it; 10000 distinct cluster IPs stay cheap (no quadratic blow-up). */
static void test_clusters_dropped(void)
{
    nlb_tracker_config cfg;
    nlb_tracker_config_default(&cfg);
    cfg.max_clusters = 2;
    cfg.max_flows = 16;
    T = nlb_tracker_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(T);
    for (unsigned round = 0; round < 3; round++)
        for (uint32_t v = 0; v < 5; v++)
            hb_full(1, T0 + round * SEC + v, &(hbopt){ .vip = VIP + 256 * v });
    CU_ASSERT_EQUAL(nlb_tracker_cluster_count(T), 2u);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->clusters_dropped, 3u);
    /* a cluster kept is never counted, nor is a look-alike that names no VIP */
    hb_full(2, T0 + 4 * SEC, &(hbopt){ .vip = VIP });
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->clusters_dropped, 3u);
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->clusters_dropped, 3u);
    nlb_tracker_free(T);

    /* 10000 distinct cluster IPs, each twice, into the default 64 clusters */
    nlb_tracker_config_default(&cfg);
    cfg.max_flows = 16;
    T = nlb_tracker_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(T);
    for (unsigned round = 0; round < 2; round++)
        for (uint32_t v = 0; v < 10000; v++)
            hb_full(1, T0 + round * SEC + v, &(hbopt){ .vip = 0x0B000000u + v * 7u });
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL(nlb_tracker_cluster_count(T), 64u);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->clusters_dropped, 10000u - 64u);
    nlb_tracker_free(T);
}

/* nlb_config_compare: the NLB-007/008 comparison shared with the plugin (web on 80, RDP-like 443
 * range, and the default rule's slot with code 0, as the scenarios send them). */
static void test_config_compare(void)
{
    static const uint32_t std[3] = { 0x61050050u /* 80 */, 0x611BB1BBu /* 443 */, 0 };
    static const uint32_t other0[3] = { 0x61051051u /* 81 */, 0x611BB1BBu, 0 };
    static const uint32_t other1[3] = { 0x61050050u, 0x611BC1BCu /* 444 */, 0 };
    nlb_host_config h[4] = {
        { .priority = 1, .num_rules = 3, .codes_present = 3, .codes = std, .default_host = 1 },
        { .priority = 2, .num_rules = 3, .codes_present = 3, .codes = std, .default_host = 1 },
        { .priority = 3, .num_rules = 3, .codes_present = 3, .codes = std, .default_host = 1 },
        { .priority = 5, .num_rules = 3, .codes_present = 3, .codes = std, .default_host = 0 },
    };
    nlb_config_diff d;
    CU_ASSERT_FALSE(nlb_config_compare(h, 4, &d));
    CU_ASSERT_EQUAL(d.rules_mask, 0u);
    CU_ASSERT_EQUAL(d.rules_n1, 0u);
    CU_ASSERT_EQUAL(d.default_mask, 1u);
    CU_ASSERT_EQUAL(d.claimers, 3u);
    CU_ASSERT_FALSE(d.multi_default);

    /* a code differs in slot 2 on host 3 and in slot 1 on host 5: both named, the first reported */
    h[2].codes = other1;
    h[3].codes = other0;
    CU_ASSERT_TRUE(nlb_config_compare(h, 4, &d));
    CU_ASSERT_EQUAL(d.rules_mask, 0x15u);
    CU_ASSERT_EQUAL(d.rules_n1, 0x611BB1BBu);
    CU_ASSERT_EQUAL(d.rules_n2, 0x611BC1BCu);
    CU_ASSERT_EQUAL(d.rules_n3, 2u);
    nlb_diag g;
    memset(&g, 0, sizeof g);
    g.code = NLB_D_RULE_MISMATCH;
    g.vip = VIP;
    g.hosts_mask = d.rules_mask;
    g.n1 = d.rules_n1; g.n2 = d.rules_n2; g.n3 = d.rules_n3;
    char msg[512];
    nlb_diag_format(&g, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "slot 2: host 1 has code 0x611bb1bb, hosts 3 and 5 0x611bc1bc"));

    /* a rule count mismatch (host 5 sends 4 slots) outranks code mismatches, before or after it */
    h[3].codes = std;
    h[3].num_rules = 4;
    CU_ASSERT_TRUE(nlb_config_compare(h, 4, &d));
    CU_ASSERT_EQUAL(d.rules_mask, 0x11u);
    CU_ASSERT_EQUAL(d.rules_n1, 3u);
    CU_ASSERT_EQUAL(d.rules_n2, 4u);
    CU_ASSERT_EQUAL(d.rules_n3, 0u);
    h[1].num_rules = 2; /* the first count mismatch names the count */
    CU_ASSERT_TRUE(nlb_config_compare(h, 4, &d));
    CU_ASSERT_EQUAL(d.rules_mask, 0x13u);
    CU_ASSERT_EQUAL(d.rules_n2, 2u);
    h[1].num_rules = 3;
    h[3].num_rules = 3;

    /* codes are compared only where both were captured, and only within the rule count */
    h[2].codes_present = 1;
    CU_ASSERT_FALSE(nlb_config_compare(h, 4, &d));
    h[2].codes_present = 3;
    h[2].codes = NULL;
    CU_ASSERT_FALSE(nlb_config_compare(h, 4, &d));
    h[2].codes = other1;
    for (unsigned k = 0; k < 4; k++) h[k].num_rules = 1;
    CU_ASSERT_FALSE(nlb_config_compare(h, 4, &d));
    for (unsigned k = 0; k < 4; k++) h[k].num_rules = 3;
    h[2].codes = std;

    /* host 5 names itself default host: two hosts named, by four claimers */
    h[3].default_host = 5;
    CU_ASSERT_TRUE(nlb_config_compare(h, 4, &d));
    CU_ASSERT_TRUE(d.multi_default);
    CU_ASSERT_EQUAL(d.default_mask, 0x11u);
    CU_ASSERT_EQUAL(d.claimers, 4u);
    CU_ASSERT_EQUAL(d.rules_mask, 0u);
    /* claims outside 1..32 are no claims (default host id 0xFFFF + 1 truncated, or 33) */
    h[3].default_host = 33;
    h[2].default_host = 0;
    CU_ASSERT_FALSE(nlb_config_compare(h, 4, &d));
    CU_ASSERT_EQUAL(d.claimers, 2u);

    /* the plugin's use: a pair, lower priority number first */
    nlb_host_config pair[2] = { h[0], h[3] };
    pair[1].codes = other0;
    pair[1].default_host = 2;
    CU_ASSERT_TRUE(nlb_config_compare(pair, 2, &d));
    CU_ASSERT_EQUAL(d.rules_mask, 0x11u);
    CU_ASSERT_EQUAL(d.rules_n1, 0x61050050u);
    CU_ASSERT_EQUAL(d.rules_n2, 0x61051051u);
    CU_ASSERT_EQUAL(d.rules_n3, 1u);
    CU_ASSERT_TRUE(d.multi_default);
    CU_ASSERT_EQUAL(d.default_mask, 3u);

    /* nothing to compare */
    CU_ASSERT_FALSE(nlb_config_compare(h, 1, &d));
    CU_ASSERT_EQUAL(d.default_mask, 1u);
    CU_ASSERT_FALSE(nlb_config_compare(h, 0, &d));
    CU_ASSERT_EQUAL(d.claimers, 0u);
    CU_ASSERT_FALSE(nlb_config_compare(NULL, 3, &d));
    CU_ASSERT_TRUE(nlb_config_compare(pair, 2, NULL));
}

/* Verdicts as the public flow record carries them, read while feeding: answered as soon as a
 * reply arrives within the timeout, pending until the timeout is over, unanswered when the
 * reply came too late; flows without a SYN have none. */
static void test_flow_verdicts(void)
{
    T = mk(NULL);
    hb_full(1, T0, NULL);
    syn(0xC6336401u, 40001, 80, T0 + 1 * SEC);
    synack(1, 0xC6336401u, 40001, 80, T0 + 1 * SEC + 100 * MS);
    syn(0xC6336402u, 40002, 80, T0 + 1 * SEC + 200 * MS);
    syn(0xC6336403u, 40003, 80, T0 + 1 * SEC + 300 * MS);
    const uint8_t cmac[6] = { 0x00, 0x0c, 0x29, 0x11, 0x22, 0x33 };
    uint8_t uc[6];
    nlb_mac_make(NLB_MAC_UNICAST, VIP, 0, uc);
    feed(nlb_build_udp4(buf, sizeof buf, uc, cmac, 0, 0xC6336404u, VIP, 40004, 53, 20), T0 + 1 * SEC + 400 * MS);
    hb_full(1, T0 + 2 * SEC, NULL);
    CU_ASSERT_EQUAL_FATAL(nlb_tracker_flow_count(T), 4u);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 0)->verdict, NLB_FLOW_ANSWERED);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 1)->verdict, NLB_FLOW_PENDING);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 2)->verdict, NLB_FLOW_PENDING);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 3)->verdict, NLB_FLOW_NO_SYN);
    synack(1, 0xC6336403u, 40003, 80, T0 + 4 * SEC + 400 * MS); /* 3.1 s after its SYN: too late */
    for (int s = 3; s <= 6; s++)
        hb_full(1, T0 + s * SEC, NULL);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 0)->verdict, NLB_FLOW_ANSWERED);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 1)->verdict, NLB_FLOW_UNANSWERED);
    CU_ASSERT_TRUE(nlb_tracker_flow(T, 2)->answered);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 2)->verdict, NLB_FLOW_UNANSWERED);
    CU_ASSERT_EQUAL(nlb_tracker_flow(T, 3)->verdict, NLB_FLOW_NO_SYN);
    nlb_tracker_finish(T);
    CU_ASSERT_EQUAL(find_diag(NLB_D_VIP_UNANSWERED)->n1, 2u);
    nlb_tracker_free(T);
}

/* A reply from host prio of the VIP's flow (client, cport, vport), TCP with flags or UDP. */
static void reply_from(unsigned prio, uint8_t proto, uint8_t flags, uint32_t client, uint16_t cport, uint16_t vport, nlb_usec ts)
{
    const uint8_t cmac[6] = { 0x00, 0x0c, 0x29, 0x11, 0x22, 0x33 };
    uint8_t src[6];
    nlb_mac_make(NLB_MAC_MASKED, VIP, (uint8_t)prio, src);
    if (proto == NLB_IPPROTO_UDP)
        feed(nlb_build_udp4(buf, sizeof buf, cmac, src, 0, VIP, client, vport, cport, 40), ts);
    else
        feed(nlb_build_tcp4(buf, sizeof buf, cmac, src, 0, VIP, client, vport, cport, flags, 5001, 1001, 0), ts);
}

/* Continuity: a TCP segment from a second host (NLB-021), a reset from a second host (NLB-022),
 * a UDP reply from a second host (NLB-023), each counted once per flow with its first example;
 * a flow whose replies all come from one host, or from an unknown MAC, is none of them. */
static void test_continuity(void)
{
    T = mk(NULL);
    const uint8_t cmac[6] = { 0x00, 0x0c, 0x29, 0x11, 0x22, 0x33 }, other[6] = { 0x00, 0x50, 0x56, 0x01, 0x02, 0x03 };
    uint8_t uc[6];
    nlb_mac_make(NLB_MAC_UNICAST, VIP, 0, uc);
    hb_full(1, T0, NULL);
    hb_full(2, T0 + 10 * MS, NULL);
    nlb_usec t = T0 + 1 * SEC;
    /* moved twice (counted once) */
    syn(0xC6336401u, 40001, 80, t);
    synack(1, 0xC6336401u, 40001, 80, t + 10 * MS);
    reply_from(2, NLB_IPPROTO_TCP, NLB_TCP_ACK | NLB_TCP_PSH, 0xC6336401u, 40001, 80, t + 50 * MS);
    reply_from(2, NLB_IPPROTO_TCP, NLB_TCP_ACK | NLB_TCP_RST, 0xC6336401u, 40001, 80, t + 60 * MS);
    /* reset by host 1 after host 2 answered */
    syn(0xC6336402u, 40002, 443, t + 100 * MS);
    synack(2, 0xC6336402u, 40002, 443, t + 110 * MS);
    reply_from(1, NLB_IPPROTO_TCP, NLB_TCP_ACK | NLB_TCP_RST, 0xC6336402u, 40002, 443, t + 300 * MS);
    /* steady: one host throughout, its own reset included; an unknown source is no host */
    syn(0xC6336403u, 40003, 80, t + 400 * MS);
    synack(1, 0xC6336403u, 40003, 80, t + 410 * MS);
    reply_from(1, NLB_IPPROTO_TCP, NLB_TCP_ACK | NLB_TCP_RST, 0xC6336403u, 40003, 80, t + 420 * MS);
    feed(nlb_build_tcp4(buf, sizeof buf, cmac, other, 0, VIP, 0xC6336403u, 80, 40003, NLB_TCP_ACK, 1, 1, 0), t + 430 * MS);
    /* UDP */
    feed(nlb_build_udp4(buf, sizeof buf, uc, cmac, 0, 0xC6336404u, VIP, 40004, 53, 20), t + 500 * MS);
    reply_from(1, NLB_IPPROTO_UDP, 0, 0xC6336404u, 40004, 53, t + 510 * MS);
    reply_from(2, NLB_IPPROTO_UDP, 0, 0xC6336404u, 40004, 53, t + 900 * MS);
    hb_full(1, T0 + 2 * SEC, NULL);
    hb_full(2, T0 + 2 * SEC + 10 * MS, NULL);
    nlb_tracker_finish(T);
    size_t n19 = 0, n20 = 0, n21 = 0;
    for (size_t i = 0; i < nlb_tracker_diag_count(T); i++) {
        nlb_diag_code c = nlb_tracker_diag(T, i)->code;
        n19 += c == NLB_D_TCP_OWNER_MOVED;
        n20 += c == NLB_D_RST_NOT_OWNER;
        n21 += c == NLB_D_UDP_OWNER_MOVED;
    }
    CU_ASSERT_EQUAL(n19, 1u);
    CU_ASSERT_EQUAL(n20, 1u);
    CU_ASSERT_EQUAL(n21, 1u);
    const nlb_diag *d = find_diag(NLB_D_TCP_OWNER_MOVED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_WARNING);
    CU_ASSERT_EQUAL(d->time, t + 10 * MS);
    CU_ASSERT_EQUAL(d->duration, 40 * MS);
    CU_ASSERT_EQUAL(d->hosts_mask, 3u);
    CU_ASSERT_EQUAL(d->n1, 1u);
    CU_ASSERT_EQUAL(d->n2, 0xC6336401u);
    CU_ASSERT_EQUAL(d->n3, 40001u);
    CU_ASSERT_EQUAL(d->n4, 1u | 2u << 8);
    CU_ASSERT_EQUAL(d->port, 80);
    d = find_diag(NLB_D_RST_NOT_OWNER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->time, t + 110 * MS);
    CU_ASSERT_EQUAL(d->duration, 190 * MS);
    CU_ASSERT_EQUAL(d->n2, 0xC6336402u);
    CU_ASSERT_EQUAL(d->n4, 2u | 1u << 8);
    CU_ASSERT_EQUAL(d->port, 443);
    d = find_diag(NLB_D_UDP_OWNER_MOVED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_INFO);
    CU_ASSERT_EQUAL(d->time, t + 510 * MS);
    CU_ASSERT_EQUAL(d->duration, 390 * MS);
    CU_ASSERT_EQUAL(d->n3, 40004u);
    CU_ASSERT_EQUAL(d->n4, 1u | 2u << 8);
    nlb_tracker_free(T);
}

/* The test that makes the tracker's detector report each code: diag_tests.h (shared with
 * test_expert, which owns the rows it names). */
#include "diag_tests.h"
#define OWN "test_cluster"

/* Registered last: every row of the table has a detector that a named test drove to report it,
 * and a wording case of its own in nlb_diag_format. */
static void test_diag_table_covered(void)
{
    CU_ASSERT_EQUAL(nlb_diag_info_count(), sizeof diag_tests / sizeof diag_tests[0]);
    for (size_t i = 0; i < nlb_diag_info_count(); i++) {
        const nlb_diag_desc *row = nlb_diag_info_at(i);
        CU_ASSERT_PTR_NOT_NULL_FATAL(row);
        const char *test = NULL, *file = NULL;
        for (size_t k = 0; k < sizeof diag_tests / sizeof diag_tests[0]; k++)
            if (diag_tests[k].code == row->code) { test = diag_tests[k].test; file = diag_tests[k].file; }
        if (file && strcmp(file, OWN)) continue; /* another test program drives it */
        bool hit = false;
        for (unsigned k = 0; test && k < HITS_MAX && diag_hits[row->code][k]; k++)
            hit = hit || !strcmp(diag_hits[row->code][k], test);
        if (!test || !hit)
            printf("\n  %s (%s): %s\n", row->code_str, row->key,
                   !test ? "no test named in diag_tests" : "the named test never saw the tracker report it");
        CU_ASSERT_PTR_NOT_NULL(test);
        CU_ASSERT_TRUE(hit);
        nlb_diag d;
        memset(&d, 0, sizeof d);
        d.code = row->code;
        char msg[1024];
        nlb_diag_format(&d, msg, sizeof msg);
        CU_ASSERT_PTR_NULL(strstr(msg, "unknown diagnostic"));
    }
}

int main(void)
{
    CU_initialize_registry();
    NLBT_SUITE("cluster",
               NLBT(test_healthy), NLBT(test_silent_host), NLBT(test_capture_lost), NLBT(test_fast_heartbeats), NLBT(test_incident),
               NLBT(test_cluster_mac_as_source), NLBT(test_config_disagreement), NLBT(test_config_compare),
               NLBT(test_multicast_and_igmp), NLBT(test_truncated), NLBT(test_lookalikes),
               NLBT(test_flow_eviction), NLBT(test_emulation_and_whatif), NLBT(test_rules_in_tracker),
               NLBT(test_ipv6_flows), NLBT(test_real_capture), NLBT(test_owner_mismatch), NLBT(test_owner_mismatch_learned),
               NLBT(test_config_and_limits), NLBT(test_clusters_dropped),
               NLBT(test_frame_mac_forms), NLBT(test_flow_verdicts), NLBT(test_continuity), NLBT(test_diag_table_covered));
    return nlbt_run();
}
