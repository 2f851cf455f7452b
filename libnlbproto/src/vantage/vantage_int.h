/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vantage's internal header: its state and what its files share.
 * Rules chosen here (part of the output's meaning; keep in sync with vantage.h and the docs):
 * - Frame identity: a 64-bit hash of the L3 header without the fields a hop may rewrite (IPv4
 *   TTL and header checksum, IPv6 hop limit) and the first 32 bytes after it; other ethertypes:
 *   the first 64 bytes after the Ethernet header. MACs and VLAN tags are left out (a SPAN port
 *   may keep a tag the host's NIC never sees).
 * - Calibration (inputs merged by their own clocks): a frame matches a hash first seen at
 *   another point within 2 x max_offset. The same bytes twice at one point inside that window
 *   (an idle host's identical heartbeats) make every copy ambiguous: no offset sample from them,
 *   since the period would alias the offset. Samples: the first 256 per pair of points.
 * - Offsets: point 0 is the reference. A point is placed from the pair with the most samples
 *   (>= 4) linking it to a placed point: offset = median of (its time - the placed point's).
 * - Matching after calibration (reference clock): the copy closest in time among the hashes of
 *   other points within max_offset; a frame is then accounted once max_offset has passed.
 * - Client->VIP frame: IPv4 to a known VIP (heartbeats' cluster IP or the user's) whose Ethernet
 *   source is no NLB host form of that VIP. A point covers a frame's time when it had fed a frame
 *   at or before it and had not ended before it.
 * - Delivery state per cluster and point: receiving or missing, flipped after DELIVERY_STREAK
 *   frames in a row that disagree; the new segment starts at the first of them.
 * - NLB-016: per cluster, the points that went from receiving to missing within 1 s of each
 *   other while at least one point kept receiving (or none did); time: the first frame they
 *   missed, or a frame from the unicast cluster MAC between their last frame got and it (the
 *   moment the switch learned it). Error.
 * - NLB-017: per cluster and point without NLB host (no host's own unicast frame captured there)
 *   that got client->VIP frames: info (unicast mode floods by design). */
#ifndef NLB_VANTAGE_INT_H
#define NLB_VANTAGE_INT_H

#include <string.h>

#include "nlbproto/mac.h"
#include "nlbproto/vantage.h"

#define VH_SAMPLES 256
#define VH_MIN_SAMPLES 4
#define VH_ENOUGH_SAMPLES 32
#define VH_DIAG_CAP 64
#define VH_RECENT_CMAS 32
#define DELIVERY_STREAK 8
#define GROUP_US INT64_C(1000000)
#define N_PAIRS (NLB_VANTAGE_MAX_POINTS * (NLB_VANTAGE_MAX_POINTS - 1) / 2)

#define VE_TO_VIP 0x01u
#define VE_SYN 0x02u
#define VE_AMBIG 0x04u

/* One frame hash in the window, in time order in a ring (v->ent), reachable from v->idx. */
typedef struct vent {
    uint64_t hash;
    nlb_usec ts;          /* first copy's time: own clock while calibrating, reference after */
    uint16_t mask;        /* points that saw it */
    uint8_t point;        /* first point */
    uint8_t flags;        /* VE_* */
    uint8_t cl;           /* cluster, with VE_TO_VIP */
    uint8_t pad_[3];
} vent;

/* A frame from the unicast cluster MAC: what makes a switch learn it on one port. */
typedef struct cmas {
    nlb_usec ts;
    uint64_t frame;
    uint8_t point;
} cmas;

typedef struct dstreak {
    nlb_usec start, prev;
    uint64_t frames, got, syns, syns_got;
    nlb_usec last_got;
} dstreak;

typedef struct vcluster {
    uint32_t vip;
    cmas recent[VH_RECENT_CMAS]; /* ring of the last frames from 02-BF-VIP */
    unsigned n_recent;
} vcluster;

typedef struct pair_samples {
    uint32_t n;           /* samples taken (only the first VH_SAMPLES kept) */
    nlb_usec d[VH_SAMPLES]; /* time at the higher point minus time at the lower one */
} pair_samples;

struct nlb_vantage {
    nlb_vantage_config cfg;
    bool settled;
    bool given[NLB_VANTAGE_MAX_POINTS];
    nlb_vantage_point pt[NLB_VANTAGE_MAX_POINTS];
    nlb_vantage_counts counts;
    nlb_usec now;
    /* window */
    vent *ent;
    size_t cap, head, n;  /* ring of cap entries, n in use from head */
    uint32_t *idx;        /* slot + 1, 0 = empty; open addressing by hash */
    size_t idx_cap;
    /* clusters and the delivery matrix (cell = cluster * MAX_POINTS + point) */
    unsigned n_cl;
    vcluster cl[NLB_VANTAGE_MAX_CLUSTERS];
    nlb_delivery *dl;
    dstreak *st;
    /* calibration */
    pair_samples *pairs;
    /* diagnostics and the public list of cells */
    nlb_diag dg[VH_DIAG_CAP];
    size_t n_dg;
    uint32_t cells[NLB_VANTAGE_MAX_CLUSTERS * NLB_VANTAGE_MAX_POINTS];
    size_t n_cells;
};

#define VT_INTERNAL __attribute__((visibility("hidden")))

static inline unsigned pair_index(unsigned a, unsigned b)
{
    /* a < b */
    return b * (b - 1) / 2 + a;
}

/* window.c */
VT_INTERNAL uint64_t vt_frame_hash(const nlb_packet *pkt);
VT_INTERNAL void vt_window_reset(nlb_vantage *v);
/* Account (after calibration) and drop every hash older than before. */
VT_INTERNAL void vt_retire(nlb_vantage *v, nlb_usec before);
/* Calibration: match or insert; returns true when a sample was taken. */
VT_INTERNAL void vt_calib_frame(nlb_vantage *v, unsigned p, uint64_t h, nlb_usec ts);
/* After calibration: match (returns the entry's mask before, non-zero) or insert (returns 0). */
VT_INTERNAL unsigned vt_match_frame(nlb_vantage *v, unsigned p, uint64_t h, nlb_usec ts, unsigned flags, unsigned cl);
/* offsets.c */
VT_INTERNAL void vt_sample(nlb_vantage *v, unsigned a, unsigned b, nlb_usec d);
VT_INTERNAL void vt_place_points(nlb_vantage *v);
/* delivery.c */
VT_INTERNAL void vt_account(nlb_vantage *v, const vent *e);
VT_INTERNAL void vt_delivery_close(nlb_vantage *v);
VT_INTERNAL void vt_diagnose(nlb_vantage *v);

#endif
