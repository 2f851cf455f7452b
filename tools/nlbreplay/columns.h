/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the flow table's columns, declared once for the csv, json and text writers. A
 * column added here appears in all three (text shows the ones with a width), in this order:
 * csv's column order, json's key order, text's column order. */
#ifndef NLBREPLAY_COLUMNS_H
#define NLBREPLAY_COLUMNS_H

#include <stdbool.h>
#include <string.h>

#include "out.h"

/* X(id, csv header (an endpoint is two cells), json key, text header, text width (0 = not in
 *   the text table), text right-aligned). predicted_host is the owner the library settled on and
 *   predicted_source says from what (learned from earlier answers, heartbeat map, emulation,
 *   default host); predicted_host_emulated / emulated_host is the maps' or EMULATION's owner
 *   alone, as the csv name says. */
#define RP_FLOW_COLUMNS(X)                                                          \
    X(PROTO, "proto", "proto", "pro", 3, false)                                     \
    X(CLIENT, "client,client_port", "client", "client", 21, false)                  \
    X(VIP, "vip,vip_port", "vip", "vip", 21, false)                                 \
    X(FIRST_SEEN, "first_seen", "first_seen", "first seen", 12, false)              \
    X(LAST_SEEN, "last_seen", "last_seen", "", 0, false)                            \
    X(RULE, "rule", "rule", "", 0, false)                                           \
    X(BIN, "bin", "bin", "bin", 3, true)                                            \
    X(PREDICTED, "predicted_host", "predicted_host", "pred", 4, true)               \
    X(SOURCE, "predicted_source", "predicted_source", "source", 8, false)          \
    X(LEARNED, "learned_host", "learned_host", "", 0, false)                       \
    X(EMULATED, "predicted_host_emulated", "emulated_host", "", 0, false)          \
    X(OBSERVED, "observed_host", "observed_host", "obs", 3, true)                   \
    X(ANSWERED, "answered", "answered", "reply", 1, false)                          \
    X(SYNS, "syns", "syns", "", 0, false)                                           \
    X(FRAMES, "frames", "frames", "", 0, false)                                     \
    X(FIRST_FRAME, "first_frame", "first_frame", "frame", 9, true)                  \
    X(FIRST_FILE, "first_file", "first_file", "", 0, false)                         \
    X(LAST_FRAME, "last_frame", "last_frame", "", 0, false)                         \
    X(LAST_FILE, "last_file", "last_file", "", 0, false)

typedef enum rp_flow_col {
#define RP_COL_ENUM(id, csv, json, text, width, right) RP_COL_##id,
    RP_FLOW_COLUMNS(RP_COL_ENUM)
#undef RP_COL_ENUM
    RP_FLOW_NCOLS
} rp_flow_col;

typedef struct rp_flow_column {
    const char *csv;      /* header cell(s) */
    const char *json_key; /* "\"key\": ", ready to copy */
    unsigned json_key_len;
    const char *text;
    unsigned width;
    bool right;
} rp_flow_column;

extern const rp_flow_column rp_flow_columns[RP_FLOW_NCOLS];

typedef enum rp_cell_style {
    RP_CELL_CSV,  /* bare value; unknown = empty cell; an endpoint is "ip,port" */
    RP_CELL_JSON, /* JSON value; unknown = null */
    RP_CELL_TEXT  /* for a person; unknown = "-" */
} rp_cell_style;

#define RP_FLOW_CELL_MAX 64 /* the longest cell: a bracketed IPv6 endpoint, quoted */

/* Where a flow is in the inputs: the frames fed at its first_seen and its last_seen. */
typedef struct rp_flow_refs {
    const rp_run *r;
    rp_frame_ref first, last;
} rp_flow_refs;

static inline rp_flow_refs rp_flow_refs_of(const rp_run *r, const nlb_flow_info *fl)
{
    return (rp_flow_refs){r, rp_frame_from(r, fl->first_seen), rp_frame_until(r, fl->last_seen)};
}

/* Column col of flow fl (at frames fr) at p in the given style, without a NUL; returns the
 * end. Inline: it is the inner loop of a flow table of a million rows. */
static inline char *rp_flow_cell(rp_flow_col col, rp_cell_style st, const nlb_flow_info *fl, const rp_flow_refs *fr,
                                 char *p)
{
    const bool json = st == RP_CELL_JSON;
    uint64_t v = 0;
    bool known = true;
    switch (col) {
    case RP_COL_PROTO:
    case RP_COL_CLIENT:
    case RP_COL_VIP:
        if (json)
            *p++ = '"';
        if (col == RP_COL_PROTO)
            p = rp_proto_put(fl->proto, p);
        else if (st == RP_CELL_CSV) {
            const nlb_ipaddr *ip = col == RP_COL_CLIENT ? &fl->client : &fl->vip;
            p = nlb_ipaddr_put(ip, p);
            *p++ = ',';
            p = cm_u64_put(col == RP_COL_CLIENT ? fl->cport : fl->vport, p);
        } else {
            p = col == RP_COL_CLIENT ? rp_endpoint_put(&fl->client, fl->cport, p)
                                     : rp_endpoint_put(&fl->vip, fl->vport, p);
        }
        if (json)
            *p++ = '"';
        return p;
    case RP_COL_FIRST_SEEN:
    case RP_COL_LAST_SEEN: {
        nlb_usec t = col == RP_COL_FIRST_SEEN ? fl->first_seen : fl->last_seen;
        if (st != RP_CELL_TEXT)
            return cm_micro_put(t, p);
        char ts[16];
        nlb_time_str(t, ts);
        size_t n = strlen(ts);
        memcpy(p, ts, n);
        return p + n;
    }
    case RP_COL_SOURCE: {
        const char *k = nlb_pred_source_key((nlb_pred_source)fl->predicted_source);
        size_t n = strlen(k);
        if (json) *p++ = '"';
        memcpy(p, k, n);
        p += n;
        if (json) *p++ = '"';
        return p;
    }
    case RP_COL_ANSWERED:
        if (st == RP_CELL_TEXT) {
            memcpy(p, fl->answered ? "yes" : "NO", fl->answered ? 3 : 2);
            return p + (fl->answered ? 3 : 2);
        }
        memcpy(p, fl->answered ? "true" : "false", fl->answered ? 4 : 5);
        return p + (fl->answered ? 4 : 5);
    case RP_COL_RULE: known = fl->rule >= 0; v = (uint64_t)fl->rule + 1; break;
    case RP_COL_BIN: v = fl->bin; break;
    case RP_COL_PREDICTED: known = fl->predicted_host != 0; v = fl->predicted_host; break;
    case RP_COL_LEARNED: known = fl->learned_host != 0; v = fl->learned_host; break;
    case RP_COL_EMULATED: known = fl->emulated_host != 0; v = fl->emulated_host; break;
    case RP_COL_OBSERVED: known = fl->observed_host != 0; v = fl->observed_host; break;
    case RP_COL_SYNS: v = fl->syns; break;
    case RP_COL_FRAMES: v = fl->frames; break;
    case RP_COL_FIRST_FRAME:
        if (st == RP_CELL_TEXT && fr->first.frame)
            return rp_ref_put(fr->r, fr->first, p);
        known = fr->first.frame != 0; v = fr->first.frame; break;
    case RP_COL_FIRST_FILE: known = fr->first.frame != 0; v = fr->first.file; break;
    case RP_COL_LAST_FRAME: known = fr->last.frame != 0; v = fr->last.frame; break;
    case RP_COL_LAST_FILE: known = fr->last.frame != 0; v = fr->last.file; break;
    case RP_FLOW_NCOLS: break;
    }
    if (known)
        return cm_u64_put(v, p);
    if (json) {
        memcpy(p, "null", 4);
        return p + 4;
    }
    if (st == RP_CELL_TEXT)
        *p++ = '-';
    return p;
}

#endif
