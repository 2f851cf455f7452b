/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: several capture points of one VLAN compared frame by frame (protocol doc section 6,
 * "what a single capture cannot show"). Beside the tracker and fed the same decoded frames, each
 * with the index of the point it was captured at:
 *  - frames are matched across points by a content hash of their L3 header and first payload
 *    bytes (never by timestamp), in a bounded window of recent hashes sized by the largest clock
 *    offset expected between points;
 *  - clock offsets between points are estimated from frames seen at several points (broadcast
 *    heartbeats reach every point) in a first, calibration pass over the start of the inputs;
 *  - the delivery matrix: per cluster and point, over time, the share of client->VIP frames that
 *    reached the point and the moment it changed, and the diagnostics drawn from it.
 * Memory: one block sized by nlb_vantage_memsize(cfg), the caller's (nlb_vantage_init) or one
 * allocation (nlb_vantage_new); feeding never allocates; what does not fit is counted.
 * Use: calibrate (inputs merged by their own timestamps) until nlb_vantage_calibrated() or the
 * inputs end, nlb_vantage_settle(), then feed from the start again merged by
 * nlb_vantage_reference_time(), nlb_vantage_point_end() as each input ends, nlb_vantage_finish().
 * Version notes: added in 0.1.0 (multi-point captures). */
#ifndef NLBPROTO_VANTAGE_H
#define NLBPROTO_VANTAGE_H

#include "diag.h"
#include "frame.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NLB_VANTAGE_MAX_POINTS 16
#define NLB_VANTAGE_MAX_CLUSTERS 16
#define NLB_VANTAGE_MAX_SEGMENTS 16
#define NLB_VANTAGE_LABEL_MAX 32

typedef struct nlb_vantage nlb_vantage;

typedef struct nlb_vantage_config {
    unsigned n_points;          /* 2..NLB_VANTAGE_MAX_POINTS (1 works, compares nothing) */
    nlb_usec max_offset;        /* largest clock error between two points, default 5 s: the
                                 * matching window (twice it while calibrating) */
    size_t window_frames;       /* frame hashes kept at once, all points together, default 1 << 20 */
    unsigned n_vips;
    uint32_t vips[16];          /* VIPs known from the user (host order); heartbeats add more */
} nlb_vantage_config;

/* Where a point's clock offset comes from. */
typedef enum nlb_offset_source {
    NLB_OFFSET_REFERENCE = 0,   /* point 0: the clock every time is reported in */
    NLB_OFFSET_GIVEN,           /* the user's */
    NLB_OFFSET_ESTIMATED,       /* from frames seen here and at an already placed point */
    NLB_OFFSET_UNKNOWN          /* no frame in common with any placed point: none guessed */
} nlb_offset_source;

typedef struct nlb_vantage_point {
    char label[NLB_VANTAGE_LABEL_MAX];
    nlb_usec offset;            /* this point's clock minus the reference's */
    uint8_t offset_source;      /* nlb_offset_source */
    uint8_t offset_via;         /* ESTIMATED: the point it was measured against */
    uint32_t offset_samples;    /* ESTIMATED: frames seen at both behind the estimate */
    nlb_usec offset_spread;     /* ESTIMATED: interquartile range of those samples */
    uint64_t frames;            /* fed after calibration */
    uint64_t shared, alone;     /* frames also seen at another point / only here */
    nlb_usec first_ts, last_ts; /* reference clock; 0 = nothing fed */
    uint32_t hosts_mask;        /* NLB hosts (bit p-1 = priority p) whose own unicast frames
                                 * (masked source MAC, unicast mode) were captured here */
    uint32_t hosts_vip;         /* their cluster */
    bool ended;                 /* its input ended (nlb_vantage_point_end) */
} nlb_vantage_point;

typedef enum nlb_delivery_state { NLB_DELIVERY_RECEIVING = 1, NLB_DELIVERY_MISSING = 2 } nlb_delivery_state;

/* A stretch of time in which a point got (or missed) the cluster's client->VIP frames. A state
 * changes after 8 frames in a row that disagree with it; the segment starts with the first. */
typedef struct nlb_delivery_segment {
    uint8_t state;              /* nlb_delivery_state */
    nlb_usec start, end;        /* first and last client->VIP frame of the segment (reference clock) */
    nlb_usec prev;              /* last frame the point got before start (0 = none): the change
                                 * happened in (prev, start] */
    uint64_t frames, got;       /* client->VIP frames sent while the point captured, and got here */
    uint64_t syns, syns_got;    /* of which TCP SYNs */
} nlb_delivery_segment;

/* One cell of the delivery matrix: a cluster seen at a point, over time. */
typedef struct nlb_delivery {
    uint32_t vip;
    unsigned point;
    uint64_t frames, got;       /* over the whole capture */
    nlb_usec first_got;         /* first frame got here, 0 = none */
    unsigned n_segments;
    uint32_t segments_dropped;  /* changes beyond NLB_VANTAGE_MAX_SEGMENTS (merged into the last) */
    nlb_delivery_segment seg[NLB_VANTAGE_MAX_SEGMENTS];
} nlb_delivery;

typedef struct nlb_vantage_counts {
    uint64_t calib_frames, calib_matches, calib_ambiguous; /* ambiguous: the same bytes twice at one point */
    uint64_t frames, duplicates;    /* fed after calibration; copies of a frame already seen at another point */
    uint64_t window_overflow;       /* hashes dropped early because the window was full */
    uint64_t to_vip;                /* distinct client->VIP frames */
    uint32_t clusters_dropped;      /* VIPs beyond NLB_VANTAGE_MAX_CLUSTERS */
} nlb_vantage_counts;

/* Flags returned by nlb_vantage_feed. */
#define NLB_VF_DUPLICATE 0x1u   /* the same frame was already fed from another point: feed it to
                                 * a tracker once (the first copy) to see the union of the points */

void nlb_vantage_config_default(nlb_vantage_config *cfg);
/* Bytes nlb_vantage_init needs for cfg; 0 when cfg is invalid. */
size_t nlb_vantage_memsize(const nlb_vantage_config *cfg);
/* Lay a vantage out in mem (size >= nlb_vantage_memsize(cfg), 16-byte aligned); NULL if not. */
nlb_vantage *nlb_vantage_init(void *mem, size_t size, const nlb_vantage_config *cfg);
/* nlb_vantage_init in one allocation of its own; nlb_vantage_free releases it (NULL is fine). */
nlb_vantage *nlb_vantage_new(const nlb_vantage_config *cfg);
void nlb_vantage_free(nlb_vantage *v);

/* Name point p ("host2"; cut to NLB_VANTAGE_LABEL_MAX - 1). False when p is out of range. */
bool nlb_vantage_set_label(nlb_vantage *v, unsigned p, const char *label);
/* Point p's clock minus the reference's, given by the user: not estimated. Before settle. */
bool nlb_vantage_set_offset(nlb_vantage *v, unsigned p, nlb_usec offset);

/* Calibration: a frame of point p at its own clock ts (inputs merged by these times). */
void nlb_vantage_calibrate(nlb_vantage *v, unsigned p, const nlb_packet *pkt, nlb_usec ts);
/* True once every point is given or linked to a placed one by >= 32 matched frames. */
bool nlb_vantage_calibrated(const nlb_vantage *v);
/* End of calibration: place every point (offsets), empty the window. */
void nlb_vantage_settle(nlb_vantage *v);
/* ts of point p on the reference clock (ts unchanged for an unknown offset). */
nlb_usec nlb_vantage_reference_time(const nlb_vantage *v, unsigned p, nlb_usec ts);

/* A frame of point p at its own clock ts, frame number frame_no in p's input; call in the order
 * of nlb_vantage_reference_time(). Returns NLB_VF_* flags. */
unsigned nlb_vantage_feed(nlb_vantage *v, unsigned p, const nlb_packet *pkt, nlb_usec ts, uint64_t frame_no);
/* Point p's input ended: later frames of the others are no evidence about p. */
void nlb_vantage_point_end(nlb_vantage *v, unsigned p);
/* End of input: account the frames still in the window, derive the diagnostics. */
void nlb_vantage_finish(nlb_vantage *v);

size_t nlb_vantage_point_count(const nlb_vantage *v);
const nlb_vantage_point *nlb_vantage_point_at(const nlb_vantage *v, unsigned p);
const nlb_vantage_counts *nlb_vantage_counts_get(const nlb_vantage *v);
/* Cells of the delivery matrix, cluster by cluster, points in order. */
size_t nlb_vantage_delivery_count(const nlb_vantage *v);
const nlb_delivery *nlb_vantage_delivery(const nlb_vantage *v, size_t i);
/* The cell of (vip, point), NULL if none. */
const nlb_delivery *nlb_vantage_delivery_find(const nlb_vantage *v, uint32_t vip, unsigned p);
/* Diagnostics (NLB-016, NLB-017), in time order, after nlb_vantage_finish. */
size_t nlb_vantage_diag_count(const nlb_vantage *v);
const nlb_diag *nlb_vantage_diag(const nlb_vantage *v, size_t i);
/* nlb_diag_format with the points named by their labels and their own counts. */
size_t nlb_vantage_diag_format(const nlb_vantage *v, const nlb_diag *d, char *buf, size_t len);
/* "reference", "given", "estimated", "unknown". */
const char *nlb_offset_source_name(nlb_offset_source s);

#ifdef __cplusplus
}
#endif
#endif
