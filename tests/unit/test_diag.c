/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The shared wording table: codes, severities, host lists, times, every diagnostic's message,
 * event lines, and that no formatter overflows a short buffer. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define VIP 0x0A141E28u
#define SEC INT64_C(1000000)
#define MS INT64_C(1000)
#define T0 ((INT64_C(1699920000) + 86400 + 5 * 3600 + 42 * 60 + 7) * SEC) /* 05:42:07 UTC */

static void test_codes(void)
{
    CU_ASSERT_STRING_EQUAL(nlb_diag_code_str(NLB_D_FAILOVER_UNANNOUNCED), "NLB-001");
    CU_ASSERT_STRING_EQUAL(nlb_diag_code_str(NLB_D_VIP_UNANSWERED), "NLB-002");
    CU_ASSERT_STRING_EQUAL(nlb_diag_code_str(NLB_D_TRUNCATED), "NLB-013");
    CU_ASSERT_STRING_EQUAL(nlb_diag_code_str(NLB_D_FLOWS_EVICTED), "NLB-015");
    CU_ASSERT_STRING_EQUAL(nlb_diag_code_str((nlb_diag_code)0), "NLB-000");
    CU_ASSERT_STRING_EQUAL(nlb_diag_code_str((nlb_diag_code)99), "NLB-000");
    for (int c = 1; c < NLB_D_CODE_COUNT_; c++) {
        char want[8];
        snprintf(want, sizeof want, "NLB-%03d", c);
        CU_ASSERT_STRING_EQUAL(nlb_diag_code_str((nlb_diag_code)c), want);
    }
    CU_ASSERT_STRING_EQUAL(nlb_severity_name(NLB_SEV_INFO), "info");
    CU_ASSERT_STRING_EQUAL(nlb_severity_name(NLB_SEV_WARNING), "warning");
    CU_ASSERT_STRING_EQUAL(nlb_severity_name(NLB_SEV_ERROR), "error");
    CU_ASSERT_STRING_EQUAL(nlb_mode_name(NLB_MODE_UNICAST), "unicast");
    CU_ASSERT_STRING_EQUAL(nlb_mode_name(NLB_MODE_MULTICAST), "multicast");
    CU_ASSERT_STRING_EQUAL(nlb_mode_name(NLB_MODE_IGMP), "igmp");
    CU_ASSERT_STRING_EQUAL(nlb_mode_name(NLB_MODE_UNKNOWN), "unknown");
    CU_ASSERT_STRING_EQUAL(nlb_event_kind_key(NLB_EV_FAILOVER_BURST), "failover_burst");
    CU_ASSERT_STRING_EQUAL(nlb_event_kind_key(NLB_EV_HOST_SILENT), "host_silent");
    CU_ASSERT_STRING_EQUAL(nlb_event_kind_key(NLB_EV_CLUSTER_MAC_AS_SOURCE), "cluster_mac_as_source");
    CU_ASSERT_STRING_EQUAL(nlb_event_kind_key(NLB_EV_MAP_CHANGED), "map_changed");
    CU_ASSERT_STRING_EQUAL(nlb_event_kind_key(NLB_EV_KIND_COUNT_), "unknown");
}

/* The vantage's codes worded without a vantage at hand: points by number, the counts kept. */
static void test_vantage_wording(void)
{
    nlb_diag d;
    memset(&d, 0, sizeof d);
    d.code = NLB_D_DELIVERY_PARTIAL;
    d.vip = 0x0A141E28u;
    d.time = INT64_C(1773466950200000);
    d.hosts_mask = 1u;
    d.n3 = 6u;
    d.n4 = 484;
    nlb_mac_make(NLB_MAC_UNICAST, d.vip, 0, d.mac);
    char buf[1024];
    nlb_diag_format(&d, buf, sizeof buf);
    CU_ASSERT(strstr(buf, "from 05:42:30.200 the switch delivers 10.20.30.40's traffic to point 1 only "
                          "(point 2: none of 484 frames, point 3: none of 484 frames)") != NULL);
    CU_ASSERT(strstr(buf, "no frame from the unicast cluster MAC 02:bf:0a:14:1e:28 was captured") != NULL);
    d.n1 = 1;
    d.n2 = 1045;
    nlb_diag_format(&d, buf, sizeof buf);
    CU_ASSERT(strstr(buf, "(frame 1045 of point 1's capture) made the switch learn 02:bf:0a:14:1e:28 on point 1's port") != NULL);
    d.code = NLB_D_FLOODING_NO_HOST;
    d.hosts_mask = 8u;
    d.n1 = 750;
    d.n2 = 1234;
    nlb_diag_format(&d, buf, sizeof buf);
    CU_ASSERT(strncmp(buf, "point 4, a capture point where no NLB host of 10.20.30.40 sent a frame of its own, got 750 of 1234", 98) == 0);
}

/* The diagnostic table (diag.def): one row per code 1..N, stable keys, severities, short titles. */
static void test_table(void)
{
    CU_ASSERT_EQUAL(nlb_diag_info_count(), 23u);
    CU_ASSERT_EQUAL((size_t)NLB_D_CODE_COUNT_, nlb_diag_info_count() + 1);
    CU_ASSERT_PTR_NULL(nlb_diag_info((nlb_diag_code)0));
    CU_ASSERT_PTR_NULL(nlb_diag_info(NLB_D_CODE_COUNT_));
    CU_ASSERT_PTR_NULL(nlb_diag_info_at(nlb_diag_info_count()));
    for (size_t i = 0; i < nlb_diag_info_count(); i++) {
        const nlb_diag_desc *r = nlb_diag_info_at(i);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL((size_t)r->code, i + 1);
        CU_ASSERT_PTR_EQUAL(nlb_diag_info(r->code), r);
        char want[8];
        snprintf(want, sizeof want, "NLB-%03u", (unsigned)(i + 1));
        CU_ASSERT_STRING_EQUAL(r->code_str, want);
        size_t n = strlen(r->title);
        CU_ASSERT(n > 10 && n <= NLB_DIAG_TITLE_MAX);
        CU_ASSERT(strcspn(r->title, "0123456789%") == n); /* no counts */
        CU_ASSERT(strspn(r->key, "abcdefghijklmnopqrstuvwxyz_") == strlen(r->key) && r->key[0]);
        CU_ASSERT(r->severities & (1u << r->severity)); /* the default is one it reports */
        CU_ASSERT((r->severities & ~NLB_SEVS_ALL) == 0);
        for (size_t k = 0; k < i; k++)
            CU_ASSERT(strcmp(nlb_diag_info_at(k)->key, r->key) != 0);
    }
    /* the plugin's existing expert field names are API: these keys must never change */
    CU_ASSERT_STRING_EQUAL(nlb_diag_info(NLB_D_HOST_SILENT)->key, "host_silent");
    CU_ASSERT_STRING_EQUAL(nlb_diag_info(NLB_D_CLUSTER_MAC_SOURCE)->key, "cluster_mac_source");
    CU_ASSERT_STRING_EQUAL(nlb_diag_info(NLB_D_DUP_PRIORITY)->key, "dup_priority");
    CU_ASSERT_STRING_EQUAL(nlb_diag_info(NLB_D_RULE_MISMATCH)->key, "rule_mismatch");
    CU_ASSERT_STRING_EQUAL(nlb_diag_info(NLB_D_MULTI_DEFAULT)->key, "multi_default");
    CU_ASSERT_STRING_EQUAL(nlb_diag_info(NLB_D_BIN_TWICE)->key, "bin_twice");
    CU_ASSERT_STRING_EQUAL(nlb_diag_info(NLB_D_BIN_NOBODY)->key, "bin_nobody");
    CU_ASSERT_STRING_EQUAL(nlb_diag_info(NLB_D_MCAST_ARP)->key, "mcast_arp");
    CU_ASSERT_STRING_EQUAL(nlb_diag_info(NLB_D_TRUNCATED)->key, "truncated");
    CU_ASSERT_STRING_EQUAL(nlb_diag_info(NLB_D_OWNER_MISMATCH)->key, "owner_mismatch");
    /* default severities, the same in every front end */
    static const nlb_severity sev[16] = {
        [1] = NLB_SEV_ERROR, [2] = NLB_SEV_ERROR, [3] = NLB_SEV_ERROR, [4] = NLB_SEV_INFO,
        [5] = NLB_SEV_ERROR, [6] = NLB_SEV_ERROR, [7] = NLB_SEV_ERROR, [8] = NLB_SEV_ERROR,
        [9] = NLB_SEV_ERROR, [10] = NLB_SEV_ERROR, [11] = NLB_SEV_INFO, [12] = NLB_SEV_WARNING,
        [13] = NLB_SEV_INFO, [14] = NLB_SEV_INFO, [15] = NLB_SEV_WARNING,
    };
    for (unsigned c = 1; c <= 15; c++)
        CU_ASSERT_EQUAL(nlb_diag_info((nlb_diag_code)c)->severity, sev[c]);
    CU_ASSERT_EQUAL(nlb_diag_info(NLB_D_FAILOVER_UNANNOUNCED)->severities, NLB_SEVS_ALL);
    CU_ASSERT_EQUAL(nlb_diag_info(NLB_D_HOST_SILENT)->severities, NLB_SEVS_WARNING | NLB_SEVS_ERROR);
    CU_ASSERT_EQUAL(nlb_diag_info(NLB_D_MCAST_ARP)->severities, NLB_SEVS_INFO | NLB_SEVS_WARNING);
    CU_ASSERT_STRING_EQUAL(nlb_diag_info(NLB_D_VIP_UNANSWERED)->title, "Connections to the VIP went unanswered");
}

static void test_hosts_str(void)
{
    char b[128];
    CU_ASSERT_EQUAL(nlb_hosts_str(0, b, sizeof b), 7u);
    CU_ASSERT_STRING_EQUAL(b, "no host");
    nlb_hosts_str(1u << 1, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "host 2");
    nlb_hosts_str(3u, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "hosts 1 and 2");
    nlb_hosts_str(7u, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "hosts 1, 2 and 3");
    nlb_hosts_str(0x80000001u, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "hosts 1 and 32");
    size_t n = nlb_hosts_str(0xFFFFFFFFu, b, sizeof b);
    CU_ASSERT_EQUAL(n, strlen(b));
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "hosts 1, 2, 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "31 and 32"));
    char tiny[6];
    CU_ASSERT_EQUAL(nlb_hosts_str(7u, tiny, sizeof tiny), 5u);
    CU_ASSERT_STRING_EQUAL(tiny, "hosts");
}

static void test_time_str(void)
{
    char b[16];
    CU_ASSERT_STRING_EQUAL(nlb_time_str(T0, b), "05:42:07.000");
    CU_ASSERT_STRING_EQUAL(nlb_time_str(T0 + 123456, b), "05:42:07.123");
    CU_ASSERT_STRING_EQUAL(nlb_time_str(0, b), "00:00:00.000");
    CU_ASSERT_STRING_EQUAL(nlb_time_str(86399999999, b), "23:59:59.999");
    CU_ASSERT_STRING_EQUAL(nlb_time_str(-1000, b), "23:59:59.999");
}

static void fmt(const nlb_diag *d, char *msg, size_t len)
{
    size_t n = nlb_diag_format(d, msg, len);
    CU_ASSERT_EQUAL(n, strlen(msg));
}

static nlb_diag base(nlb_diag_code c, nlb_severity s)
{
    nlb_diag d;
    memset(&d, 0, sizeof d);
    d.code = c;
    d.severity = s;
    d.time = T0;
    d.vip = VIP;
    return d;
}

static void test_failover_message(void)
{
    char msg[1024];
    nlb_diag d = base(NLB_D_FAILOVER_UNANNOUNCED, NLB_SEV_ERROR);
    d.hosts_mask = 3;
    d.n1 = 23;
    d.n3 = 37;
    d.n4 = 37;
    d.port = 80;
    d.mode = NLB_MODE_UNICAST;
    fmt(&d, msg, sizeof msg);
    CU_ASSERT_STRING_EQUAL(msg,
        "after the failover burst at 05:42:07.000 (23 MACs announced by RARP/GARP) no RARP/GARP announced "
        "NLB hosts 1 and 2 of 10.20.30.40; 37 of 37 new connections to 10.20.30.40:80 went unanswered "
        "after it; unicast NLB on ESXi: check 'Notify Switches' on the NLB port group (VMware KB 1556) "
        "and the upstream switch's MAC address table");
    d.mode = NLB_MODE_MULTICAST;
    d.n4 = 0;
    fmt(&d, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "no new connection to 10.20.30.40 was seen after it"));
    CU_ASSERT_PTR_NULL(strstr(msg, "Notify Switches"));
    /* a short buffer is cut, never overflowed */
    char small[40];
    memset(small, 'x', sizeof small);
    size_t n = nlb_diag_format(&d, small, 32);
    CU_ASSERT_EQUAL(n, 31u);
    CU_ASSERT_EQUAL(small[31], 0);
    CU_ASSERT_EQUAL(small[32], 'x');
    CU_ASSERT_EQUAL(nlb_diag_format(&d, small, 0), 0u);
    CU_ASSERT_EQUAL(small[0], 'a');
}

/* NLB-021/022/023: the 5-tuple, both hosts in order, the count; IPv6 clients and short buffers. */
static void test_continuity_message(void)
{
    char msg[1024];
    nlb_diag d = base(NLB_D_RST_NOT_OWNER, NLB_SEV_WARNING);
    d.hosts_mask = 1 | 4;
    d.port = 80;
    d.n1 = 2;
    d.n2 = 0xC6336466u; /* 198.51.100.102 */
    d.n3 = 49309;
    d.n4 = 3 | 1 << 8 | 1 << 16;
    d.duration = 140000;
    fmt(&d, msg, sizeof msg);
    CU_ASSERT(strncmp(msg, "TCP 198.51.100.102:49309 -> 10.20.30.40:80 answered by host 3, then reset (RST) by host 1 at "
                           "05:42:07.140 during a convergence (0.140 s later); 2 such connections to 10.20.30.40 in all: ", 176) == 0);
    d.code = NLB_D_TCP_OWNER_MOVED;
    d.n1 = 1;
    d.n4 = 3 | 1 << 8;
    fmt(&d, msg, sizeof msg);
    CU_ASSERT(strstr(msg, "answered by host 3, then by host 1 at 05:42:07.140 (0.140 s later); 1 such connection to") != NULL);
    d.code = NLB_D_UDP_OWNER_MOVED;
    d.n2 = 0;
    fmt(&d, msg, sizeof msg);
    CU_ASSERT(strncmp(msg, "UDP (IPv6 client):49309 -> 10.20.30.40:80", 41) == 0);
    CU_ASSERT(strstr(msg, "1 such flow to 10.20.30.40 in all: NLB keeps no UDP connection state") != NULL);
    char small[40];
    memset(small, 'x', sizeof small);
    size_t n = nlb_diag_format(&d, small, 20);
    CU_ASSERT_EQUAL(n, 19u);
    CU_ASSERT_EQUAL(strlen(small), 19u);
    CU_ASSERT_EQUAL(small[20], 'x');
}

static void test_every_message(void)
{
    char msg[1024];
    struct { nlb_diag_code c; const char *must; } want[] = {
        { NLB_D_VIP_UNANSWERED, "12 of 40 new connections to 10.20.30.40:443 from 05:42:07.000 on got no SYN-ACK" },
        { NLB_D_HOST_SILENT, "host 2 of 10.20.30.40 sent no heartbeat for 8.0 s from 05:42:07.000" },
        { NLB_D_CONVERGENCE, "10.20.30.40 converged from 05:42:07.000 for 8.0 s; trigger: host 2 silent 5.0 s" },
        { NLB_D_CLUSTER_MAC_SOURCE, "the switch will learn 02:bf:0a:14:1e:28 on one port and stop flooding" },
        { NLB_D_DUP_PRIORITY, "claim host priority 2: 10.20.30.42 and 10.20.30.52" },
        { NLB_D_RULE_MISMATCH, "host 1 sends 12 rule slots, host 2 40" },
        { NLB_D_MULTI_DEFAULT, "they name hosts 1 and 2" },
        { NLB_D_BIN_TWICE, "12 bins of port rule slot 40 of 10.20.30.40 are owned by two hosts at once (hosts 1 and 2)" },
        { NLB_D_BIN_NOBODY, "12 bins of port rule slot 40 of 10.20.30.40 are owned by no live host" },
        { NLB_D_MCAST_ARP, "to the multicast MAC 02:bf:0a:14:1e:28 (12 replies from 05:42:07.000)" },
        { NLB_D_IGMP_MISSING, "no IGMP membership report for 239.255.30.40 was seen in 8 s" },
        { NLB_D_TRUNCATED, "12 heartbeats of hosts 1 and 2 of 10.20.30.40 were cut by the capture's snaplen" },
        { NLB_D_OWNER_MISMATCH, "for only 12 of 40 flows (30%): predictions use the owners learned from the answers first (they matched 95 of the 99 answered flows they predicted" },
        { NLB_D_FLOWS_EVICTED, "the flow table was full (40 flows): 12 flows were evicted or not tracked" },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        nlb_diag d = base(want[i].c, NLB_SEV_WARNING);
        d.hosts_mask = want[i].c == NLB_D_HOST_SILENT || want[i].c == NLB_D_CONVERGENCE ? 2 : 3;
        d.n1 = 12;
        d.n2 = 40;
        d.n3 = 95;
        d.port = 443;
        d.duration = 8 * SEC;
        nlb_mac_make(NLB_MAC_UNICAST, VIP, 0, d.mac);
        if (want[i].c == NLB_D_DUP_PRIORITY) { d.n1 = 0x0A141E2Au; d.n2 = 0x0A141E34u; d.hosts_mask = 2; }
        if (want[i].c == NLB_D_RULE_MISMATCH) d.n3 = 0;
        if (want[i].c == NLB_D_OWNER_MISMATCH) d.n4 = 99;
        if (want[i].c == NLB_D_CONVERGENCE) { d.n1 = NLB_CONV_TRIGGER_SILENCE; d.n2 = 0; d.n3 = 5000; }
        fmt(&d, msg, sizeof msg);
        if (!strstr(msg, want[i].must)) {
            printf("\n  %s: %s\n  missing: %s\n", nlb_diag_code_str(d.code), msg, want[i].must);
            CU_FAIL("message");
        }
    }
    nlb_diag d = base(NLB_D_RULE_MISMATCH, NLB_SEV_ERROR);
    d.hosts_mask = 1 | 4 | 8;
    d.n1 = 0x61050050u;
    d.n2 = 0x61051051u;
    d.n3 = 2;
    fmt(&d, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "port rule slot 2: host 1 has code 0x61050050, hosts 3 and 4 0x61051051"));
    d = base(NLB_D_HOST_SILENT, NLB_SEV_ERROR);
    d.hosts_mask = 4;
    d.n1 = 1;
    d.n2 = 5000;
    fmt(&d, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "still silent at the end of the capture"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "limit 5000 ms"));
    d = base(NLB_D_CONVERGENCE, NLB_SEV_WARNING);
    d.n2 = 1;
    d.duration = 12 * SEC;
    fmt(&d, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "still converging at the end of the capture (12.0 s observed)"));
    d = base((nlb_diag_code)77, NLB_SEV_INFO);
    fmt(&d, msg, sizeof msg);
    CU_ASSERT_STRING_EQUAL(msg, "unknown diagnostic 77");
}

static void test_event_format(void)
{
    char b[512];
    nlb_event e;
    memset(&e, 0, sizeof e);
    e.time = T0;
    e.vip = VIP;
    e.kind = NLB_EV_FAILOVER_BURST;
    e.count = 23;
    e.hosts_mask = 3;
    e.duration = 400000;
    CU_ASSERT_EQUAL(nlb_event_format(&e, b, sizeof b), strlen(b));
    CU_ASSERT_STRING_EQUAL(b, "failover burst: 23 MACs announced by RARP/GARP within 0.4 s; NLB hosts 1 and 2 of 10.20.30.40 not announced");
    e.hosts_mask = 0;
    nlb_event_format(&e, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "failover burst: 23 MACs announced by RARP/GARP within 0.4 s; every NLB host of 10.20.30.40 announced");
    e.vip = 0;
    nlb_event_format(&e, b, sizeof b);
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "(no NLB cluster known)"));
    e.vip = VIP;
    e.kind = NLB_EV_HOST_SILENT;
    e.host = 2;
    e.duration = 8 * SEC;
    nlb_event_format(&e, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "host 2 of 10.20.30.40 silent: no heartbeat for 8.0 s");
    e.kind = NLB_EV_CONVERGENCE_START;
    e.count = NLB_CONV_TRIGGER_SILENCE;
    e.duration = 5 * SEC;
    nlb_event_format(&e, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "10.20.30.40 started converging (host 2 silent 5.0 s)");
    e.kind = NLB_EV_HOST_JOINED;
    e.count = 0x0A141E2Au;
    nlb_event_format(&e, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "host 2 (10.20.30.42) of 10.20.30.40 appeared");
    e.kind = NLB_EV_VIP_UNANSWERED;
    e.count = 37;
    e.port = 80;
    e.hosts_mask = 0;
    nlb_event_format(&e, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "37 new connections to 10.20.30.40:80 unanswered (no SYN-ACK)");
    e.kind = NLB_EV_MAP_CHANGED;
    e.count = 1;
    nlb_event_format(&e, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "host 2 of 10.20.30.40 changed its current bin map in 1 rule slot");
    e.kind = NLB_EV_CLUSTER_FOUND;
    e.count = NLB_FOUND_BY_HEARTBEAT;
    nlb_event_format(&e, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "NLB cluster 10.20.30.40 found (heartbeats)");
    for (int k = 0; k <= NLB_EV_KIND_COUNT_; k++) { /* every kind formats into a tiny buffer */
        char tiny[8];
        e.kind = (nlb_event_kind)k;
        CU_ASSERT(nlb_event_format(&e, tiny, sizeof tiny) <= 7);
    }
}

/* nlb_conv_trigger_format: the words inside a convergence_start event's parentheses (issue 8). */
static void test_conv_trigger_format(void)
{
    char b[128], ev[256], want[160];
    nlb_convergence c;
    memset(&c, 0, sizeof c);
    c.start = T0;
    c.trigger_host = 3;
    c.trigger = NLB_CONV_TRIGGER_SILENCE;
    c.trigger_gap = 5 * SEC;
    CU_ASSERT_EQUAL(nlb_conv_trigger_format(&c, b, sizeof b), strlen(b));
    CU_ASSERT_STRING_EQUAL(b, "host 3 silent 5.0 s");
    /* the same text as the event's, for every trigger kind, with and without a host */
    nlb_event e;
    memset(&e, 0, sizeof e);
    e.kind = NLB_EV_CONVERGENCE_START;
    e.vip = VIP;
    for (unsigned host = 0; host <= 32; host += 32)
        for (unsigned k = NLB_CONV_TRIGGER_UNKNOWN; k <= NLB_CONV_TRIGGER_MAP + 1; k++) {
            c.trigger_host = (uint8_t)host;
            c.trigger = (uint8_t)k;
            c.trigger_gap = 2500 * MS;
            e.host = (uint8_t)host;
            e.count = k;
            e.duration = c.trigger_gap;
            nlb_event_format(&e, ev, sizeof ev);
            nlb_conv_trigger_format(&c, b, sizeof b);
            snprintf(want, sizeof want, "10.20.30.40 started converging (%s)", b);
            CU_ASSERT_STRING_EQUAL(ev, want);
        }
    c.trigger_host = 2;
    c.trigger = NLB_CONV_TRIGGER_JOIN;
    nlb_conv_trigger_format(&c, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "host 2 joined");
    /* bounded and always terminated */
    char tiny[6];
    CU_ASSERT_EQUAL(nlb_conv_trigger_format(&c, tiny, sizeof tiny), 5u);
    CU_ASSERT_STRING_EQUAL(tiny, "host ");
    CU_ASSERT_EQUAL(nlb_conv_trigger_format(&c, tiny, 0), 0u);
    CU_ASSERT_EQUAL(nlb_conv_trigger_format(NULL, b, sizeof b), 0u);
    CU_ASSERT_STRING_EQUAL(b, "");
}

int main(void)
{
    CU_initialize_registry();
    NLBT_SUITE("diag", NLBT(test_codes), NLBT(test_table), NLBT(test_vantage_wording), NLBT(test_hosts_str), NLBT(test_time_str),
               NLBT(test_failover_message), NLBT(test_continuity_message), NLBT(test_every_message), NLBT(test_event_format),
               NLBT(test_conv_trigger_format));
    return nlbt_run();
}
