/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tracker's records as they change: stable ids and generations of events and diagnostics,
 * nlb_tracker_changes since a generation (what live mode prints), and the facts of one frame. */
#include <string.h>

#include "testutil.h"

#define VIP 0x0A141E28u /* 10.20.30.40 */
#define SEC INT64_C(1000000)
#define MS INT64_C(1000)
#define T0 (INT64_C(1699920000) * SEC)

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static nlb_tracker *T;
static uint8_t buf[2048];
static nlb_frame_facts F;

static void feed(size_t len, nlb_usec ts)
{
    static nlb_packet p;
    CU_ASSERT_FATAL(len > 0);
    nlb_packet_decode(NLB_LINK_ETHERNET, buf, len, len, &p);
    nlb_tracker_feed_facts(T, &p, ts, &F);
}

static void hb(unsigned prio, nlb_usec ts)
{
    nlb_heartbeat h;
    nlb_hb_init_membership(&h, VIP, (VIP & ~0xFFu) | (40 + prio), prio);
    h.num_rules = 1;
    uint8_t src[6];
    nlb_mac_make(NLB_MAC_MASKED, VIP, (uint8_t)prio, src);
    feed(nlb_build_heartbeat(buf, sizeof buf, BCAST, src, 0, &h), ts);
}

static size_t changes(uint64_t since, nlb_change *out, size_t cap, uint64_t *gen)
{
    return nlb_tracker_changes(T, since, out, cap, gen);
}

static const nlb_change *find(const nlb_change *c, size_t n, uint8_t what, unsigned kind_or_code)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].what == what && (what == NLB_CHANGE_EVENT ? (unsigned)c[i].event->kind : (unsigned)c[i].diag->code) == kind_or_code)
            return &c[i];
    return NULL;
}

static void test_changes_and_ids(void)
{
    nlb_tracker_config cfg;
    nlb_tracker_config_default(&cfg);
    cfg.max_flows = 64;
    T = nlb_tracker_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(T);
    /* hosts 1 and 2 for 6 s, then host 2 stops until 20 s */
    for (int s = 0; s <= 12; s++)
        for (unsigned p = 1; p <= 2; p++)
            if (p == 1 || s <= 6) hb(p, T0 + s * SEC + p * 100 * MS);
    nlb_tracker_diagnose(T);
    nlb_change c[64];
    uint64_t g1;
    size_t n = changes(0, c, 64, &g1);
    CU_ASSERT_TRUE(n <= 64);
    const nlb_change *sil = find(c, n, NLB_CHANGE_EVENT, NLB_EV_HOST_SILENT);
    const nlb_change *d3 = find(c, n, NLB_CHANGE_DIAG, NLB_D_HOST_SILENT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sil);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d3);
    CU_ASSERT_EQUAL(sil->how, NLB_CHANGED_NEW);
    CU_ASSERT_EQUAL(sil->event->host, 2);
    CU_ASSERT_EQUAL(d3->how, NLB_CHANGED_NEW);
    CU_ASSERT_EQUAL(d3->diag->severity, NLB_SEV_ERROR);
    uint32_t sil_id = sil->id, d3_id = d3->id;
    CU_ASSERT_PTR_EQUAL(nlb_tracker_event_by_id(T, sil_id), sil->event);
    /* nothing happened since: no changes, even after deriving the diagnostics again */
    nlb_tracker_diagnose(T);
    uint64_t g2;
    CU_ASSERT_EQUAL(changes(g1, c, 64, &g2), 0u);
    CU_ASSERT_EQUAL(g2, g1);
    /* host 2 comes back: the silence event is updated (its gap), a host_back event opens, and
     * NLB-003 keeps its id but drops to a warning */
    hb(2, T0 + 13 * SEC + 200 * MS);
    CU_ASSERT_TRUE(F.n_events >= 2);
    bool touched_sil = false;
    for (unsigned i = 0; i < F.n_events; i++) {
        touched_sil |= F.events[i] == sil_id;
        CU_ASSERT_PTR_NOT_NULL(nlb_tracker_event_by_id(T, F.events[i]));
    }
    CU_ASSERT_TRUE(touched_sil);
    nlb_tracker_diagnose(T);
    n = changes(g2, c, 64, &g1);
    sil = find(c, n, NLB_CHANGE_EVENT, NLB_EV_HOST_SILENT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sil);
    CU_ASSERT_EQUAL(sil->id, sil_id);
    CU_ASSERT_EQUAL(sil->how, NLB_CHANGED_DETAIL);
    CU_ASSERT_EQUAL(sil->event->duration, 7 * SEC);
    const nlb_change *back = find(c, n, NLB_CHANGE_EVENT, NLB_EV_HOST_BACK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_EQUAL(back->how, NLB_CHANGED_NEW);
    d3 = find(c, n, NLB_CHANGE_DIAG, NLB_D_HOST_SILENT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d3);
    CU_ASSERT_EQUAL(d3->id, d3_id);
    CU_ASSERT_TRUE(d3->how & NLB_CHANGED_SEVERITY);
    CU_ASSERT_EQUAL(d3->diag->severity, NLB_SEV_WARNING);
    CU_ASSERT_EQUAL(changes(g1, NULL, 0, NULL), 0u);

    /* a SYN to the VIP and its answer: the frame's flow, by id, and the owners */
    const uint8_t cmac[6] = { 0x00, 0x0c, 0x29, 0x11, 0x22, 0x33 };
    uint8_t uc[6], m1[6];
    nlb_mac_make(NLB_MAC_UNICAST, VIP, 0, uc);
    nlb_mac_make(NLB_MAC_MASKED, VIP, 1, m1);
    feed(nlb_build_tcp4(buf, sizeof buf, uc, cmac, 0, 0xC6336401u, VIP, 40001, 80, NLB_TCP_SYN, 1, 0, 0), T0 + 14 * SEC);
    CU_ASSERT_EQUAL(F.flow_id, 1u);
    CU_ASSERT_FALSE(F.reply);
    CU_ASSERT_EQUAL(F.observed_host, 0);
    uint8_t predicted = F.predicted_host;
    CU_ASSERT_TRUE(predicted == 1 || predicted == 2);
    feed(nlb_build_tcp4(buf, sizeof buf, cmac, m1, 0, VIP, 0xC6336401u, 80, 40001, NLB_TCP_SYN | NLB_TCP_ACK, 5, 2, 0),
         T0 + 14 * SEC + MS);
    CU_ASSERT_EQUAL(F.flow_id, 1u);
    CU_ASSERT_TRUE(F.reply);
    CU_ASSERT_EQUAL(F.observed_host, 1);
    CU_ASSERT_EQUAL(F.predicted_host, predicted);
    const nlb_flow_info *fl = nlb_tracker_flow_by_id(T, F.flow_id);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fl);
    CU_ASSERT_EQUAL(fl->cport, 40001);
    CU_ASSERT_EQUAL(fl->verdict, NLB_FLOW_ANSWERED);
    CU_ASSERT_PTR_NULL(nlb_tracker_flow_by_id(T, 2));
    CU_ASSERT_PTR_NULL(nlb_tracker_flow_by_id(T, 0));
    hb(1, T0 + 15 * SEC);
    CU_ASSERT_EQUAL(F.flow_id, 0u);
    nlb_tracker_free(T);
}

int main(void)
{
    CU_initialize_registry();
    NLBT_SUITE("changes", NLBT(test_changes_and_ids));
    return nlbt_run();
}
