/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The stats tree "nlb" (Statistics > NLB, tshark -z nlb,tree), fed by the dissectors' tap
 * records. */
#include <wireshark.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>

#include "nlb.h"

static const char st_clusters[] = "Heartbeats by cluster and host";
static const char st_gaps[] = "Heartbeat gaps > period x tolerance";
static const char st_trunc[] = "Truncated heartbeats";
static const char st_macs[] = "Frames by cluster MAC form";
static const char st_ann[] = "Announcements and VIP flows";
static int st_node_clusters, st_node_gaps, st_node_trunc, st_node_macs, st_node_ann;

static void nlb_stats_init(stats_tree *st)
{
    st_node_clusters = stats_tree_create_node(st, st_clusters, 0, STAT_DT_INT, TRUE);
    st_node_gaps = stats_tree_create_node(st, st_gaps, 0, STAT_DT_INT, TRUE);
    st_node_trunc = stats_tree_create_node(st, st_trunc, 0, STAT_DT_INT, FALSE);
    st_node_macs = stats_tree_create_node(st, st_macs, 0, STAT_DT_INT, TRUE);
    st_node_ann = stats_tree_create_node(st, st_ann, 0, STAT_DT_INT, TRUE);
}

static void st_mac(stats_tree *st, nlb_mac_kind k, gboolean confirmed, const char *role)
{
    if (k == NLB_MAC_NONE)
        return;
    char name[96];
    g_snprintf(name, sizeof name, "%s as %s%s", nlb_mac_kind_name(k), role, confirmed ? "" : " (candidate, VIP unknown)");
    tick_stat_node(st, name, st_node_macs, FALSE);
}

static tap_packet_status nlb_stats_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                          const void *p, tap_flags_t flags _U_)
{
    const nlb_tap_rec *r = (const nlb_tap_rec *)p;
    char c[48], h[64], ip[16];
    if (r->heartbeat) {
        if (!r->vip || !r->prio)
            return TAP_PACKET_DONT_REDRAW;
        g_snprintf(c, sizeof c, "cluster %s", nlb_ip4_str(r->vip, ip));
        g_snprintf(h, sizeof h, "host %u (%s)", r->prio, nlb_ip4_str(r->dip, ip));
        tick_stat_node(st, st_clusters, 0, TRUE);
        int cid = tick_stat_node(st, c, st_node_clusters, TRUE);
        int hid = tick_stat_node(st, h, cid, TRUE);
        tick_stat_node(st, nlb_hb_kind_name(r->kind), hid, FALSE);
        if (r->gap) {
            tick_stat_node(st, st_gaps, 0, TRUE);
            int gc = tick_stat_node(st, c, st_node_gaps, TRUE);
            tick_stat_node(st, h, gc, FALSE);
        }
        if (r->truncated)
            tick_stat_node(st, st_trunc, 0, FALSE);
        return TAP_PACKET_REDRAW;
    }
    tick_stat_node(st, st_macs, 0, TRUE);
    st_mac(st, r->src_kind, r->src_confirmed, "source");
    st_mac(st, r->dst_kind, r->dst_confirmed, "destination");
    if (r->announce || r->flow)
        tick_stat_node(st, st_ann, 0, TRUE);
    if (r->announce == NLB_TAP_GARP)
        tick_stat_node(st, "gratuitous ARP", st_node_ann, FALSE);
    else if (r->announce == NLB_TAP_RARP)
        tick_stat_node(st, "RARP", st_node_ann, FALSE);
    if (r->flow) {
        g_snprintf(c, sizeof c, "TCP/UDP with VIP %s", nlb_ip4_str(r->vip, ip));
        tick_stat_node(st, c, st_node_ann, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

void register_nlb_stats(void)
{
    stats_tree_register_plugin("nlb", "nlb", "NLB (nlbproto)/Clusters, hosts and MAC forms", 0,
                               nlb_stats_packet, nlb_stats_init, NULL);
}
