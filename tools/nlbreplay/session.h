/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the feed step shared by file replay (replay.c) and live capture (live.c): clamp
 * the time, decode, feed the tracker, count what the report says about each input. */
#ifndef NLBREPLAY_SESSION_H
#define NLBREPLAY_SESSION_H

#include "nlbreplay.h"

/* An error of one input: on stderr at once (the engineer sees it even if the report scrolls
 * away) and in the report, so no report is silently partial. */
void rp_input_error(rp_run *r, rp_input *in, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A non-fatal note about one input (stderr unless -q, and the report). */
void rp_add_note(rp_run *r, rp_input *in, const char *msg);
/* Slow paths of the feed step, kept out of line. */
void rp_note_malformed(rp_run *r, rp_input *in, const nlb_packet *pkt) __attribute__((noinline, cold));
void rp_svg_tick(rp_run *r, const nlb_packet *pkt, nlb_usec ts);
/* Remember that the frame ref (RP_REF) was fed at ts, later than every frame before it: what
 * rp_frame_from()/rp_frame_until() look up. */
void rp_mark_frame(rp_run *r, uint64_t ref, nlb_usec ts) __attribute__((noinline));

/* One frame of `in`: clamp the time, decode, feed the tracker. Returns the time fed; r->fed and
 * the first/last times are the caller's to update (the one-input loop keeps them in locals).
 * Inline: it is the body of every input loop. */
static inline __attribute__((always_inline)) nlb_usec rp_feed_frame(rp_run *r, rp_input *in, nlb_packet *pkt,
                                                                    const uint8_t *data, uint32_t caplen,
                                                                    uint32_t len, nlb_usec ts, nlb_usec *clock)
{
    /* The tracker needs non-decreasing time; captures are sometimes slightly out of order. */
    if (ts < *clock) {
        ts = *clock;
        in->reordered++;
    }
    *clock = ts;
    if (caplen < len)
        in->truncated_frames++;
    nlb_packet_decode(in->rec.linktype, data, caplen, len, pkt);
    if (pkt->status == NLB_MALFORMED)
        rp_note_malformed(r, in, pkt);
    nlb_tracker_feed(r->t, pkt, ts);
    if (r->opt.svg)
        rp_svg_tick(r, pkt, ts);
    uint64_t ref = RP_REF(in - r->inputs, in->frames);
    if (r->ff_n && ts == r->ff_ts[r->ff_n - 1])
        r->ff_last[r->ff_n - 1] = ref;
    else
        rp_mark_frame(r, ref, ts);
    return ts;
}

/* The frame in->rec, counted in r->fed and the run's first/last times. */
void rp_feed(rp_run *r, rp_input *in, nlb_packet *pkt, nlb_usec *clock);

#endif
