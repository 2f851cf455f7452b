/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: what one fed frame did to the tracker (nlb_tracker_feed_facts in cluster.h), so a
 * front end that keeps per-frame state (Wireshark's first pass) stores the tracker's word
 * instead of working it out again. */
#ifndef NLBPROTO_FACTS_H
#define NLBPROTO_FACTS_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NLB_FACTS_MAX_EVENTS 8

typedef struct nlb_frame_facts {
    uint32_t flow_id;          /* its VIP flow (nlb_tracker_flow_by_id), 0 = none */
    bool reply;                /* the flow frame was sent by the VIP */
    uint8_t predicted_host;    /* the emulation's owner of that flow, 0 = unknown */
    uint8_t observed_host;     /* the host seen answering it so far, 0 = none */
    uint8_t n_events;          /* ids of the events this frame opened or updated, in order */
    uint32_t events[NLB_FACTS_MAX_EVENTS];
    uint32_t events_more;      /* further ones not listed */
} nlb_frame_facts;
/* Diagnostics are derived from events and state by nlb_tracker_diagnose, not per frame: the
 * events a frame touched are what it contributed. */

#ifdef __cplusplus
}
#endif
#endif
