/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tracker's field-expert diagnoses (protocol doc sections 1 and 6), driven with frames built
 * by the library's encoders at chosen timestamps: legacy 0xBF01 heartbeats, remote control and
 * ping census of a VIP, heartbeat transport health, multicast infrastructure, platforms. Every
 * test asserts the code, severity, hosts, times and the advice of the wording. */
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

static void feed(size_t len, nlb_usec ts)
{
    static nlb_packet p;
    CU_ASSERT_FATAL(len > 0);
    nlb_packet_decode(NLB_LINK_ETHERNET, buf, len, len, &p);
    nlb_tracker_feed(T, &p, ts);
}

static nlb_tracker *mk(void)
{
    nlb_tracker_config cfg;
    nlb_tracker_config_default(&cfg);
    cfg.max_flows = 1024;
    nlb_tracker *t = nlb_tracker_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

static uint32_t dip_of(unsigned prio) { return (VIP & ~0xFFu) | (40 + prio); }

/* A unicast-mode membership heartbeat of host prio (masked source MAC, broadcast). */
static void hb(unsigned prio, nlb_usec ts)
{
    nlb_heartbeat h;
    nlb_hb_init_membership(&h, VIP, dip_of(prio), prio);
    h.num_rules = 2;
    h.rules[0].code = 0x61050050u;
    h.rules[0].cur_map = prio == 1 ? 0x3FFFFFFFull : 0xFFFFFFFC0000000ull;
    uint8_t src[6];
    nlb_mac_make(NLB_MAC_MASKED, VIP, (uint8_t)prio, src);
    feed(nlb_build_heartbeat(buf, sizeof buf, BCAST, src, 0, &h), ts);
}

/* A 0xBF01 frame with the common header of host prio (the body: zeros, its layout is unknown). */
static void legacy_hb(unsigned prio, nlb_usec ts)
{
    uint8_t p[64] = { 0 };
    nlb_heartbeat h;
    nlb_hb_init_membership(&h, VIP, dip_of(prio), prio);
    uint8_t full[NLB_HB_MEMBERSHIP_LEN];
    nlb_hb_encode(&h, full, sizeof full);
    memcpy(p, full, NLB_HB_COMMON_LEN);
    uint8_t src[6];
    nlb_mac_make(NLB_MAC_MASKED, VIP, (uint8_t)prio, src);
    feed(nlb_build_raw(buf, sizeof buf, BCAST, src, 0, NLB_ETHERTYPE_LEGACY, p, sizeof p), ts);
}

/* Which tests found each code (filled by find_diag, read by test_diag_table_covered). */
#define HITS_MAX 8
static const char *diag_hits[NLB_D_CODE_COUNT_][HITS_MAX];

static const nlb_diag *find_diag(nlb_diag_code code)
{
    for (size_t i = 0; i < nlb_tracker_diag_count(T); i++) {
        if (nlb_tracker_diag(T, i)->code != code) continue;
        CU_pTest cur = CU_get_current_test();
        for (unsigned k = 0; cur && k < HITS_MAX; k++) {
            if (diag_hits[code][k] && !strcmp(diag_hits[code][k], cur->pName)) break;
            if (!diag_hits[code][k]) { diag_hits[code][k] = cur->pName; break; }
        }
        return nlb_tracker_diag(T, i);
    }
    return NULL;
}

static size_t count_diag(nlb_diag_code code)
{
    size_t n = 0;
    for (size_t i = 0; i < nlb_tracker_diag_count(T); i++)
        n += nlb_tracker_diag(T, i)->code == code;
    return n;
}

static const char *msg_of(const nlb_diag *d)
{
    static char m[2048];
    nlb_diag_format(d, m, sizeof m);
    return m;
}

static void dump(void)
{
    char tb[16];
    for (size_t i = 0; i < nlb_tracker_diag_count(T); i++) {
        const nlb_diag *d = nlb_tracker_diag(T, i);
        printf("    %s %s %s: %s\n", nlb_diag_code_str(d->code), nlb_time_str(d->time, tb),
               nlb_severity_name(d->severity), msg_of(d));
    }
}

#define HAS(msg, s) CU_ASSERT_PTR_NOT_NULL(strstr((msg), (s)))

/* ---- legacy 0xBF01 ------------------------------------------------------------------------ */

static void test_legacy_heartbeats(void)
{
    /* legacy alone: a WLBS cluster, info */
    T = mk();
    for (int s = 0; s < 5; s++) {
        legacy_hb(1, T0 + s * SEC);
        legacy_hb(3, T0 + s * SEC + 300 * MS);
    }
    nlb_tracker_finish(T);
    const nlb_diag *d = find_diag(NLB_D_LEGACY_HEARTBEATS);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_INFO);
    CU_ASSERT_EQUAL(d->vip, VIP);
    CU_ASSERT_EQUAL(d->time, T0);
    CU_ASSERT_EQUAL(d->n1, 10);
    CU_ASSERT_EQUAL(d->n2, 0);
    CU_ASSERT_EQUAL(d->hosts_mask, 0x5u);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->legacy_heartbeats, 10);
    CU_ASSERT_EQUAL(nlb_tracker_counts(T)->heartbeats, 0);
    /* the legacy body is never read: no host, no silence, no bins from it */
    const nlb_cluster_info *ci = nlb_tracker_find_cluster(T, VIP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ci);
    CU_ASSERT_EQUAL(ci->n_hosts, 0);
    CU_ASSERT_EQUAL(count_diag(NLB_D_HOST_SILENT), 0);
    const char *m = msg_of(d);
    HAS(m, "10 heartbeats of 10.20.30.40 on the legacy ethertype 0xBF01 (WLBS/Convoy) from hosts 1 and 3");
    HAS(m, "KB Q232711");
    HAS(m, "only the common header");
    nlb_tracker_free(T);

    /* a modern cluster where host 2 speaks the legacy format: it reverted, warning */
    T = mk();
    for (int s = 0; s < 8; s++) {
        hb(1, T0 + s * SEC);
        hb(2, T0 + s * SEC + 500 * MS);
        if (s >= 3) legacy_hb(2, T0 + s * SEC + 600 * MS);
    }
    nlb_tracker_finish(T);
    d = find_diag(NLB_D_LEGACY_HEARTBEATS);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_WARNING);
    CU_ASSERT_EQUAL(d->time, T0 + 3 * SEC + 600 * MS);
    CU_ASSERT_EQUAL(d->n1, 5);
    CU_ASSERT_EQUAL(d->n2, 1);
    CU_ASSERT_EQUAL(d->hosts_mask, 0x2u);
    HAS(msg_of(d), "the cluster also sends 0x886F heartbeats: a cluster with an older member reverts");
    if (CU_get_number_of_failures()) dump();
    nlb_tracker_free(T);
}

/* ---- remote control and the ping census (flows.c) ---------------------------------------- */

static const uint8_t GW[6] = { 0x00, 0x00, 0x5e, 0x00, 0x01, 0x0a };

static void udp_to_vip(uint32_t src, uint16_t dport, nlb_usec ts)
{
    uint8_t cmac[6];
    nlb_mac_make(NLB_MAC_UNICAST, VIP, 0, cmac);
    feed(nlb_build_udp4(buf, sizeof buf, cmac, GW, 0, src, VIP, 50000, dport, 40), ts);
}

static void ping(uint16_t seq, uint32_t answer_mask, nlb_usec ts)
{
    uint8_t cmac[6];
    nlb_mac_make(NLB_MAC_UNICAST, VIP, 0, cmac);
    const uint32_t client = 0xCB00710Au;
    feed(nlb_build_icmp4_echo(buf, sizeof buf, cmac, GW, 0, client, VIP, false, 0x0200, seq, 32), ts);
    for (unsigned p = 1; p <= 3; p++) {
        if (!(answer_mask >> (p - 1) & 1u)) continue;
        uint8_t src[6];
        nlb_mac_make(NLB_MAC_MASKED, VIP, (uint8_t)p, src);
        feed(nlb_build_icmp4_echo(buf, sizeof buf, GW, src, 0, VIP, client, true, 0x0200, seq, 32), ts + p * MS);
    }
}

static void three_hosts(int secs)
{
    for (int s = 0; s < secs; s++)
        for (unsigned p = 1; p <= 3; p++) hb(p, T0 + s * SEC + p * 100 * MS);
}

static void test_remote_control(void)
{
    /* from inside the VIP's /24 only: info */
    T = mk();
    three_hosts(2); /* the frames below come after the last heartbeat: time only goes forward */
    udp_to_vip(0x0A141EC8u, NLB_UDP_PORT_REMOTE_CONTROL, T0 + 1500 * MS); /* 10.20.30.200 */
    udp_to_vip(0x0A141EC8u, NLB_UDP_PORT_REMOTE_CONTROL, T0 + 1600 * MS);
    udp_to_vip(0x0A141EC8u, 53, T0 + 1700 * MS); /* another port: not remote control */
    nlb_tracker_finish(T);
    const nlb_diag *d = find_diag(NLB_D_REMOTE_CONTROL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_INFO);
    CU_ASSERT_EQUAL(d->time, T0 + 1500 * MS);
    CU_ASSERT_EQUAL(d->port, 2504);
    CU_ASSERT_EQUAL(d->n1, 2);
    CU_ASSERT_EQUAL(d->n2, 0);
    CU_ASSERT_EQUAL(d->n3, 0x0A141EC8u);
    HAS(msg_of(d), "2 datagrams to 10.20.30.40 (nlb.exe/wlbs remote control, UDP 1717/2504), all from inside the "
                   "VIP's subnet (assumed /24: the mask is not on the wire), the first from 10.20.30.200 to port 2504 "
                   "at 05:42:01.500");
    HAS(msg_of(d), "keep UDP 1717 and 2504 to 10.20.30.40 blocked from outside");
    nlb_tracker_free(T);

    /* and from outside: warning, timed at the first outside datagram, naming its source */
    T = mk();
    three_hosts(2); /* the frames below come after the last heartbeat: time only goes forward */
    udp_to_vip(0x0A141EC8u, NLB_UDP_PORT_REMOTE_CONTROL, T0 + 1500 * MS);
    udp_to_vip(0xC633644Du, NLB_UDP_PORT_REMOTE_CONTROL_OLD, T0 + 2200 * MS); /* 198.51.100.77 */
    udp_to_vip(0xC633644Du, NLB_UDP_PORT_REMOTE_CONTROL, T0 + 2300 * MS);
    nlb_tracker_finish(T);
    d = find_diag(NLB_D_REMOTE_CONTROL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_WARNING);
    CU_ASSERT_EQUAL(d->time, T0 + 2200 * MS);
    CU_ASSERT_EQUAL(d->port, 1717);
    CU_ASSERT_EQUAL(d->n1, 3);
    CU_ASSERT_EQUAL(d->n2, 2);
    CU_ASSERT_EQUAL(d->n3, 0xC633644Du);
    HAS(msg_of(d), "2 from outside the VIP's subnet (assumed /24: the mask is not on the wire), the first from "
                   "198.51.100.77 to port 1717 at 05:42:02.200: remote control reachable from outside is a security "
                   "finding: disable remote control on the hosts or block UDP 1717 and 2504 to 10.20.30.40");
    if (CU_get_number_of_failures()) dump();
    nlb_tracker_free(T);
}

static void test_ping_census(void)
{
    /* hosts 1 and 2 answer, host 3 (heard in heartbeats) never does: warning */
    T = mk();
    three_hosts(2);
    ping(1, 0x3, T0 + 2 * SEC);
    ping(1, 0x0, T0 + 2 * SEC + 500 * MS); /* the same request again: no new census slot */
    ping(2, 0x1, T0 + 3 * SEC);
    nlb_tracker_finish(T);
    const nlb_diag *d = find_diag(NLB_D_PING_CENSUS);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_WARNING);
    CU_ASSERT_EQUAL(d->time, T0 + 2 * SEC);
    CU_ASSERT_EQUAL(d->n1, 3);
    CU_ASSERT_EQUAL(d->n2, 2);
    CU_ASSERT_EQUAL(d->hosts_mask, 0x3u);
    CU_ASSERT_EQUAL(d->n3, 0x7u);
    CU_ASSERT_EQUAL(d->n4, 0);
    const char *m = msg_of(d);
    HAS(m, "3 ping requests to 10.20.30.40 from 05:42:02.000 on: hosts 1 and 2 answered (at most 2 per request); "
           "heard in heartbeats: hosts 1, 2 and 3");
    HAS(m, "host 3, heard in heartbeats, never answered: it does not receive the VIP's frames");
    CU_ASSERT_EQUAL(count_diag(NLB_D_PING_CENSUS), 1);
    nlb_tracker_free(T);

    /* every host answers: info */
    T = mk();
    three_hosts(2);
    ping(7, 0x7, T0 + 2 * SEC);
    nlb_tracker_finish(T);
    d = find_diag(NLB_D_PING_CENSUS);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_INFO);
    CU_ASSERT_EQUAL(d->hosts_mask, 0x7u);
    CU_ASSERT_EQUAL(d->n2, 3);
    HAS(msg_of(d), "every host heard in heartbeats receives the VIP's traffic");
    nlb_tracker_free(T);

    /* nobody answers: warning */
    T = mk();
    three_hosts(2);
    ping(9, 0, T0 + 2 * SEC);
    nlb_tracker_finish(T);
    d = find_diag(NLB_D_PING_CENSUS);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->severity, NLB_SEV_WARNING);
    CU_ASSERT_EQUAL(d->hosts_mask, 0);
    HAS(msg_of(d), "no known host answered");
    if (CU_get_number_of_failures()) dump();
    nlb_tracker_free(T);
}

/* ---- the table's rows this program drives ------------------------------------------------- */

#include "diag_tests.h"

static void test_diag_table_covered(void)
{
    for (size_t k = 0; k < sizeof diag_tests / sizeof diag_tests[0]; k++) {
        if (strcmp(diag_tests[k].file, "test_expert")) continue;
        nlb_diag_code c = diag_tests[k].code;
        bool hit = false;
        for (unsigned i = 0; i < HITS_MAX && diag_hits[c][i]; i++)
            hit = hit || !strcmp(diag_hits[c][i], diag_tests[k].test);
        if (!hit) printf("\n  %s: %s never saw the tracker report it\n", nlb_diag_code_str(c), diag_tests[k].test);
        CU_ASSERT_TRUE(hit);
    }
}

int main(void)
{
    CU_initialize_registry();
    NLBT_SUITE("expert", NLBT(test_legacy_heartbeats), NLBT(test_remote_control), NLBT(test_ping_census),
               NLBT(test_diag_table_covered));
    return nlbt_run();
}
