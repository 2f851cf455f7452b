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
extern gboolean pref_annotate;
extern nlb_model g_model;            /* the ownership emulation the preferences describe */
extern guint32 g_pref_vips[NLB_MAX_USER_VIPS];
extern guint g_n_pref_vips;
/* How long a host may stay silent: period x tolerance, from the preferences. */
nlb_usec threshold_usec(void);

static inline nlb_usec frame_usec(const packet_info *pinfo)
{
    return (nlb_usec)pinfo->abs_ts.secs * 1000000 + pinfo->abs_ts.nsecs / 1000;
}

/* What the first pass learnt about a frame, so later passes (and the GUI) show the same. */
/* Counts are "so far in the capture" and times "first seen", as the diag.h table expects. */
typedef struct {
    guint8 dup_of_dip_valid;
    guint32 dup_dip;           /* dedicated IP of the first host that claimed this priority */
    nlb_usec dup_since;
    nlb_usec gap;              /* > 0: silence longer than period x tolerance ended here */
    unsigned twice, nobody;    /* bins owned twice / by nobody, when they changed here */
    guint32 twice_mask;        /* hosts owning the doubly owned bins */
    nlb_usec bins_since;
    int bad_rule;              /* rule slot (0-based) the counts refer to */
    guint32 trunc_n, trunc_mask;
    guint32 rules_mask, rules_n1, rules_n2, rules_n3; /* NLB-007, as diag.c reads them */
    guint32 default_mask;      /* NLB-008: the hosts named as default */
} hb_frame;

enum { ANN_NONE = 0, ANN_GARP = 1, ANN_RARP = 2 };

typedef struct {
    gboolean show;             /* something NLB-related to show (else only counted in stats) */
    nlb_mac_info src, dst;
    gboolean has_dst;
    guint8 src_addr[6], dst_addr[6];
    gboolean cluster_mac_source;
    guint8 announce;
    guint16 arp_op;
    guint32 arp_spa;
    guint8 announced_mac[6];
    guint8 announced_host;     /* NLB host owning the announced MAC, 0 = none */
    gboolean mcast_arp;        /* ARP maps a unicast IP to a cluster multicast MAC */
    guint32 cms_n, marp_n;     /* so far in the capture, for the diagnostic's wording */
    nlb_usec cms_since, marp_since;
    gboolean flow, reply, rules_configured, from_maps, has_bin, dropped, single;
    guint32 vip;
    guint16 vport;
    guint8 ip_proto;
    int rule;
    guint8 bin, predicted, observed;
    nlb_affinity aff;
} ann_frame;

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
    guint8 announce;
    gboolean flow;
} nlb_tap_rec;

/* nlb-fields.c: the field, subtree and expert tables */
void nlb_register_fields(void);
/* The message of a library diagnostic, so nlbreplay and the plugin use the same sentence. */
const char *diag_msg(wmem_allocator_t *pool, const nlb_diag *d);
nlb_diag diag_make(nlb_diag_code code, nlb_severity sev, nlb_usec t, guint32 vip);

/* nlb-capture.c: the capture-wide state the first pass builds */
void nlb_init(void);
void nlb_cleanup(void);
/* Whether a capture is open (the init routine ran). */
gboolean nlb_capture_open(void);
/* The VIPs known so far: preferences first, then heartbeats and ARP. */
const guint32 *nlb_known_vips(guint *n);
/* First pass only: fold one heartbeat into the capture state and note what it revealed. */
hb_frame *hb_learn(packet_info *pinfo, const nlb_heartbeat *hb);
/* First pass only: classify one frame against what the capture has taught us so far into *af;
 * returns whether it has anything to show or count. */
gboolean ann_learn(packet_info *pinfo, const nlb_packet *pkt, ann_frame *af);

/* nlb-heartbeat.c, nlb-annotate.c: the dissectors */
int dissect_nlb_hb(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);
int dissect_nlb_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);

/* nlb-stats.c */
void register_nlb_stats(void);

#endif
