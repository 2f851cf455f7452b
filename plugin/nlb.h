/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the plugin's files share: the protocol and tap ids, the preferences, the per-frame
 * records the first pass keeps, and each file's entry points. Every fact about the protocol
 * comes from libnlbproto; these files only map those facts onto epan. */
#ifndef NLB_PLUGIN_H
#define NLB_PLUGIN_H

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/prefs.h>

#include <nlbproto/nlbproto.h>

#include "nlb-compat.h"

/* packet-nlb.c: registration, handoff and preferences */
extern int proto_nlb;
extern int nlb_tap;
extern const enum_val_t affinity_vals[];
extern nlb_pref_bool pref_annotate;
/* The tracker configuration the preferences describe (period, tolerance, VIPs, port rules). */
void nlb_prefs_tracker_config(nlb_tracker_config *cfg);

static inline nlb_usec frame_usec(const packet_info *pinfo)
{
    return (nlb_usec)pinfo->abs_ts.secs * 1000000 + pinfo->abs_ts.nsecs / 1000;
}

/* One record per NLB-relevant frame for the stats tree. */
typedef struct {
    gboolean heartbeat;
    guint32 vip;
    guint8 prio;
    guint32 dip;
    nlb_hb_kind kind;
    gboolean truncated;
    nlb_usec gap;
    nlb_mac_kind src_kind, dst_kind;
    gboolean src_confirmed, dst_confirmed;
    guint8 announce;           /* NLB_TAP_GARP, NLB_TAP_RARP, 0 */
    gboolean flow;
} nlb_tap_rec;
enum { NLB_TAP_GARP = 1, NLB_TAP_RARP = 2 };

/* Packet-scope proto data: the heartbeat dissector showed this frame's capture-wide facts. */
#define NLB_KEY_SHOWN 2

/* nlb-expert.c: the capture-wide facts at this frame (diagnostics, burst, convergence) under t. */
void nlb_show_capture(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, guint32 vip, gboolean announce);

/* nlb-fields.c: the field, subtree and expert tables */
void nlb_register_fields(void);
/* nlb-heartbeat.c, nlb-annotate.c: the dissectors */
int dissect_nlb_hb(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);
/* Ethertype 0xBF01: legacy WLBS/Convoy heartbeats, common header only (nlb-heartbeat.c). */
int dissect_nlb_legacy(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);
int dissect_nlb_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);

/* nlb-msnlb.c: the built-in msnlb's fields too (hidden), for msnlb.* filters */
void nlb_msnlb_fields(dissector_handle_t msnlb, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);

/* nlb-stats.c */
void register_nlb_stats(void);

#endif
