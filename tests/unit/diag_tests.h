/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which test program and test make the tracker report each code of the table (diag.def). A new
 * row without a detector and a test here fails test_diag_table_covered (test_cluster checks
 * that every row is listed and drives its own; test_expert drives the rows it names). */
#ifndef NLB_DIAG_TESTS_H
#define NLB_DIAG_TESTS_H

static const struct { nlb_diag_code code; const char *file, *test; } diag_tests[] = {
    { NLB_D_FAILOVER_UNANNOUNCED, "test_cluster", "test_incident" },
    { NLB_D_VIP_UNANSWERED, "test_cluster", "test_incident" },
    { NLB_D_HOST_SILENT, "test_cluster", "test_silent_host" },
    { NLB_D_CONVERGENCE, "test_cluster", "test_silent_host" },
    { NLB_D_CLUSTER_MAC_SOURCE, "test_cluster", "test_cluster_mac_as_source" },
    { NLB_D_DUP_PRIORITY, "test_cluster", "test_config_disagreement" },
    { NLB_D_RULE_MISMATCH, "test_cluster", "test_config_disagreement" },
    { NLB_D_MULTI_DEFAULT, "test_cluster", "test_config_disagreement" },
    { NLB_D_BIN_TWICE, "test_cluster", "test_config_disagreement" },
    { NLB_D_BIN_NOBODY, "test_cluster", "test_config_disagreement" },
    { NLB_D_MCAST_ARP, "test_cluster", "test_multicast_and_igmp" },
    { NLB_D_IGMP_MISSING, "test_cluster", "test_multicast_and_igmp" },
    { NLB_D_TRUNCATED, "test_cluster", "test_truncated" },
    { NLB_D_OWNER_MISMATCH, "test_cluster", "test_owner_mismatch" },
    { NLB_D_FLOWS_EVICTED, "test_cluster", "test_flow_eviction" },
    { NLB_D_LEGACY_HEARTBEATS, "test_expert", "test_legacy_heartbeats" },
    /* detected by the vantage (several capture points), asserted by tests/scenarios/test_vantage.c */
    { NLB_D_DELIVERY_PARTIAL, "test_vantage", "test_default_offsets" },
    { NLB_D_FLOODING_NO_HOST, "test_vantage", "test_default_offsets" },
    { NLB_D_REMOTE_CONTROL, "test_expert", "test_remote_control" },
    { NLB_D_PING_CENSUS, "test_expert", "test_ping_census" },
    { NLB_D_TCP_OWNER_MOVED, "test_cluster", "test_continuity" },
    { NLB_D_RST_NOT_OWNER, "test_cluster", "test_continuity" },
    { NLB_D_UDP_OWNER_MOVED, "test_cluster", "test_continuity" },
};

#endif
