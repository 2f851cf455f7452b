/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture-wide state: libnlbproto's tracker, fed every frame in the first pass, and what
 * the dissectors keep per frame (p_add_proto_data). Later passes (tshark -2, the GUI) read the
 * tracker's final state, so they show what nlbreplay reports on the same file. */
#ifndef NLB_CAPTURE_H
#define NLB_CAPTURE_H

#include <wireshark.h>
#include <epan/packet.h>

#include <nlbproto/nlbproto.h>

/* What the first pass learnt about a frame, beyond what decoding it again shows. */
enum {
    NF_SRC_CONFIRMED = 1u << 0, /* its source MAC form embeds a VIP known at that frame */
    NF_DST_CONFIRMED = 1u << 1,
    NF_ANNOUNCE = 1u << 2,      /* GARP or RARP while an NLB cluster was known */
    NF_MCAST_ARP = 1u << 3,     /* ARP reply mapping an IP to a confirmed multicast cluster MAC */
    NF_CMS = 1u << 4,           /* confirmed unicast cluster MAC as Ethernet source */
    NF_REPLY = 1u << 5,         /* flow frame sent by the VIP */
    NF_FLOW = 1u << 6           /* flow is a tracker flow index */
};

typedef struct nlb_frame_rec {
    guint16 flags;              /* NF_* */
    guint8 announced_host;      /* NLB host (priority) owning the announced MAC, 0 = none */
    guint8 back_host;           /* this heartbeat ended the silence of that host, 0 = none */
    guint32 flow;               /* tracker flow id (NF_FLOW, nlb_tracker_flow_by_id) */
    guint32 vip;                /* cluster the frame concerns (IPv4, host order), 0 = none */
    nlb_usec ts;                /* the time fed to the tracker (never earlier than the frame before) */
    nlb_usec gap;               /* back_host's silence */
} nlb_frame_rec;

/* Init and cleanup routines: a new tracker per capture, from the preferences. */
void nlb_capture_init(void);
void nlb_capture_cleanup(void);
/* Whether a capture is open (the init routine ran and the tracker exists). */
gboolean nlb_capture_open(void);

/* This frame's record: in the first pass the frame is decoded from its first data source and
 * fed to the tracker (once, whichever dissector asks first); later passes return what was
 * stored. *pkt receives the frame's decode in every pass (NULL record: nothing learnt).
 * *decoded is FALSE when the link type is not one libnlbproto reads. */
const nlb_frame_rec *nlb_capture_frame(tvbuff_t *tvb, packet_info *pinfo, nlb_packet *pkt, gboolean *decoded);
/* Whether the final view is in use (a later pass after the first one ended). */
gboolean nlb_capture_final(packet_info *pinfo);

/* The VIPs known so far (host order), to confirm MAC forms. */
const guint32 *nlb_known_vips(guint *n);
/* The tracker (for the model and the clusters); NULL without a capture. */
const nlb_tracker *nlb_capture_tracker(void);
/* Flow of a record with NF_FLOW, NULL when evicted since. */
const nlb_flow_info *nlb_capture_flow(const nlb_frame_rec *r);
/* The tracker's verdict on a record's flow: final in later passes, as known so far in the first. */
nlb_flow_verdict nlb_capture_verdict(const nlb_frame_rec *r);
/* The failover burst (event) an announcement at ts belongs to, NULL if none (final view only). */
const nlb_event *nlb_capture_burst(packet_info *pinfo, nlb_usec ts);
/* The convergence episode of cluster vip that ts falls in, NULL if none (final view only).
 * *ongoing tells whether it was still open at the end of the capture. */
const nlb_convergence *nlb_capture_conv(packet_info *pinfo, guint32 vip, nlb_usec ts, gboolean *ongoing);
/* The time the tracker was fed this frame at (the frame's own time before the first pass). */
nlb_usec nlb_capture_ts(packet_info *pinfo);
/* Diagnostics whose first frame is this one (final view only): *n of them, as tracker indexes. */
const guint32 *nlb_capture_diags(packet_info *pinfo, guint *n);

#endif
