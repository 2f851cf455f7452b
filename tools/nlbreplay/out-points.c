/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the capture-point sections of the text and json reports. They lay out what the
 * vantage (libnlbproto) concluded: points and offsets, the delivery matrix, its diagnostics. */
#include <inttypes.h>
#include <string.h>

#include "out.h"
#include "points.h"

#define K JW_K
#define NOKEY JW_NOKEY

static void put_offset(char *buf, size_t len, const nlb_vantage *v, const nlb_vantage_point *pt)
{
    switch ((nlb_offset_source)pt->offset_source) {
    case NLB_OFFSET_REFERENCE: snprintf(buf, len, "reference clock"); break;
    case NLB_OFFSET_GIVEN: snprintf(buf, len, "%+.6f s (given)", pt->offset / 1e6); break;
    case NLB_OFFSET_ESTIMATED:
        snprintf(buf, len, "%+.6f s (%" PRIu32 " frames also at %s, spread %lld us)", pt->offset / 1e6,
                 pt->offset_samples, nlb_vantage_point_at(v, pt->offset_via)->label, (long long)pt->offset_spread);
        break;
    case NLB_OFFSET_UNKNOWN: snprintf(buf, len, "unknown: no frame in common with the others, none guessed"); break;
    }
}

/* msg wrapped at 80 columns, continuation lines indented by 4. */
static void wrapped(FILE *f, const char *lead, const char *msg)
{
    size_t col = (size_t)fprintf(f, "%s", lead);
    while (*msg) {
        size_t w = strcspn(msg, " ");
        if (col + 1 + w > 80 && col > 4) {
            fputs("\n   ", f);
            col = 3;
        }
        fprintf(f, " %.*s", (int)w, msg);
        col += 1 + w;
        msg += w;
        while (*msg == ' ')
            msg++;
    }
    fputc('\n', f);
}

static void text_points(FILE *f, const rp_run *r)
{
    const nlb_vantage *v = r->v;
    fprintf(f, "\nCapture points: %zu, times on %s's clock (offsets from frames seen at several points)\n",
            nlb_vantage_point_count(v), nlb_vantage_point_at(v, 0)->label);
    for (unsigned p = 0; p < nlb_vantage_point_count(v); p++) {
        const nlb_vantage_point *pt = nlb_vantage_point_at(v, p);
        char off[160], hosts[128] = "";
        put_offset(off, sizeof off, v, pt);
        if (pt->hosts_mask)
            nlb_hosts_str(pt->hosts_mask, hosts, sizeof hosts);
        fprintf(f, "  %-12s %s\n", pt->label, r->inputs[p].name);
        fprintf(f, "      offset %s\n", off);
        fprintf(f, "      %" PRIu64 " frames, %" PRIu64 " also seen elsewhere, %" PRIu64 " only here; %s\n",
                pt->frames, pt->shared, pt->alone, pt->hosts_mask ? hosts : "no NLB host sent its own frames here");
    }
    const nlb_vantage_counts *c = nlb_vantage_counts_get(v);
    if (c->window_overflow)
        fprintf(f, "  (%" PRIu64 " frames left the matching window early: it was full)\n", c->window_overflow);
}

static void text_matrix(FILE *f, const rp_run *r)
{
    const nlb_vantage *v = r->v;
    size_t n = nlb_vantage_delivery_count(v);
    if (!n) {
        fputs("\nDelivery of client frames to the VIP: none seen (no VIP known or no client frame)\n", f);
        return;
    }
    fputs("\nDelivery of client frames to the VIP, per point (share got, segment by segment)\n", f);
    uint32_t last_vip = 0;
    for (size_t i = 0; i < n; i++) {
        const nlb_delivery *d = nlb_vantage_delivery(v, i);
        char ip[16], a[16], b[16];
        if (d->vip != last_vip)
            fprintf(f, "  %s\n", nlb_ip4_str(d->vip, ip));
        last_vip = d->vip;
        fprintf(f, "    %-12s", nlb_vantage_point_at(v, d->point)->label);
        for (unsigned s = 0; s < d->n_segments; s++) {
            const nlb_delivery_segment *g = &d->seg[s];
            fprintf(f, "%s%s-%s %3.0f%% (%" PRIu64 "/%" PRIu64, s ? "\n                " : " ",
                    nlb_time_str(g->start, a), nlb_time_str(g->end, b), g->frames ? 100.0 * g->got / g->frames : 0.0,
                    g->got, g->frames);
            if (g->syns)
                fprintf(f, ", SYNs %" PRIu64 "/%" PRIu64, g->syns_got, g->syns);
            fputs(")", f);
        }
        fputc('\n', f);
    }
}

void rp_points_text(FILE *f, const rp_run *r)
{
    if (!r->v)
        return;
    text_points(f, r);
    text_matrix(f, r);
    size_t nd = nlb_vantage_diag_count(r->v);
    fprintf(f, "\nCapture-point diagnostics%s\n", nd ? "" : ": none");
    for (size_t i = 0; i < nd; i++) {
        const nlb_diag *d = nlb_vantage_diag(r->v, i);
        char msg[1536], lead[64], t[16];
        nlb_vantage_diag_format(r->v, d, msg, sizeof msg);
        snprintf(lead, sizeof lead, "  %-7s %s %s", nlb_severity_name(d->severity), nlb_diag_code_str(d->code),
                 nlb_time_str(d->time, t));
        wrapped(f, lead, msg);
    }
}

static void json_point(jw *w, const rp_run *r, unsigned p)
{
    const nlb_vantage_point *pt = nlb_vantage_point_at(r->v, p);
    jw_obj(w, NOKEY);
    jw_str(w, K("label"), pt->label);
    jw_str(w, K("file"), r->inputs[p].name);
    jw_str(w, K("offset_source"), nlb_offset_source_name((nlb_offset_source)pt->offset_source));
    if (pt->offset_source == NLB_OFFSET_UNKNOWN)
        jw_null(w, K("offset"));
    else
        jw_micro(w, K("offset"), pt->offset);
    if (pt->offset_source == NLB_OFFSET_ESTIMATED) {
        jw_str(w, K("offset_via"), nlb_vantage_point_at(r->v, pt->offset_via)->label);
        jw_uint(w, K("offset_samples"), pt->offset_samples);
        jw_micro(w, K("offset_spread"), pt->offset_spread);
    }
    jw_uint(w, K("frames"), pt->frames);
    jw_uint(w, K("shared"), pt->shared);
    jw_uint(w, K("alone"), pt->alone);
    if (pt->frames) {
        jw_micro(w, K("first_ts"), pt->first_ts);
        jw_micro(w, K("last_ts"), pt->last_ts);
    }
    jw_arr(w, K("nlb_hosts"));
    for (unsigned h = 1; h <= 32; h++)
        if (pt->hosts_mask >> (h - 1) & 1u)
            jw_uint(w, NOKEY, h);
    jw_end_arr(w);
    jw_end_obj(w);
}

static void json_cell(jw *w, const rp_run *r, const nlb_delivery *d)
{
    char ip[16];
    jw_obj(w, NOKEY);
    jw_str(w, K("vip"), nlb_ip4_str(d->vip, ip));
    jw_str(w, K("point"), nlb_vantage_point_at(r->v, d->point)->label);
    jw_uint(w, K("frames"), d->frames);
    jw_uint(w, K("got"), d->got);
    jw_double(w, K("share"), d->frames ? (double)d->got / (double)d->frames : 0.0, 4);
    jw_arr(w, K("segments"));
    for (unsigned s = 0; s < d->n_segments; s++) {
        const nlb_delivery_segment *g = &d->seg[s];
        jw_obj(w, NOKEY);
        jw_str(w, K("state"), g->state == NLB_DELIVERY_RECEIVING ? "receiving" : "missing");
        jw_micro(w, K("start"), g->start);
        jw_micro(w, K("end"), g->end);
        if (g->prev)
            jw_micro(w, K("last_got_before"), g->prev);
        jw_uint(w, K("frames"), g->frames);
        jw_uint(w, K("got"), g->got);
        jw_uint(w, K("syns"), g->syns);
        jw_uint(w, K("syns_got"), g->syns_got);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_end_obj(w);
}

void rp_points_json(jw *w, const rp_run *r)
{
    if (!r->v)
        return;
    const nlb_vantage *v = r->v;
    jw_obj(w, K("vantage"));
    jw_str(w, K("reference"), nlb_vantage_point_at(v, 0)->label);
    jw_arr(w, K("points"));
    for (unsigned p = 0; p < nlb_vantage_point_count(v); p++)
        json_point(w, r, p);
    jw_end_arr(w);
    jw_arr(w, K("delivery"));
    for (size_t i = 0; i < nlb_vantage_delivery_count(v); i++)
        json_cell(w, r, nlb_vantage_delivery(v, i));
    jw_end_arr(w);
    jw_arr(w, K("diagnostics"));
    for (size_t i = 0; i < nlb_vantage_diag_count(v); i++) {
        const nlb_diag *d = nlb_vantage_diag(v, i);
        char msg[1536];
        nlb_vantage_diag_format(v, d, msg, sizeof msg);
        jw_obj(w, NOKEY);
        jw_str(w, K("code"), nlb_diag_code_str(d->code));
        jw_str(w, K("severity"), nlb_severity_name(d->severity));
        jw_micro(w, K("time"), d->time);
        jw_str(w, K("message"), msg);
        jw_arr(w, K("points_receiving"));
        for (unsigned p = 0; d->code == NLB_D_DELIVERY_PARTIAL && p < nlb_vantage_point_count(v); p++)
            if (d->hosts_mask >> p & 1u)
                jw_str(w, NOKEY, nlb_vantage_point_at(v, p)->label);
        jw_end_arr(w);
        jw_arr(w, K("points"));
        uint32_t m = d->code == NLB_D_DELIVERY_PARTIAL ? d->n3 : d->hosts_mask;
        for (unsigned p = 0; p < nlb_vantage_point_count(v); p++)
            if (m >> p & 1u)
                jw_str(w, NOKEY, nlb_vantage_point_at(v, p)->label);
        jw_end_arr(w);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    const nlb_vantage_counts *c = nlb_vantage_counts_get(v);
    jw_obj(w, K("counts"));
    jw_uint(w, K("calibration_frames"), c->calib_frames);
    jw_uint(w, K("calibration_matches"), c->calib_matches);
    jw_uint(w, K("calibration_ambiguous"), c->calib_ambiguous);
    jw_uint(w, K("frames"), c->frames);
    jw_uint(w, K("duplicates"), c->duplicates);
    jw_uint(w, K("window_overflow"), c->window_overflow);
    jw_uint(w, K("client_frames_to_vip"), c->to_vip);
    jw_end_obj(w);
    jw_end_obj(w);
}

int rp_points_worst(const rp_run *r)
{
    int worst = -1;
    for (size_t i = 0; r->v && i < nlb_vantage_diag_count(r->v); i++)
        if ((int)nlb_vantage_diag(r->v, i)->severity > worst)
            worst = (int)nlb_vantage_diag(r->v, i)->severity;
    return worst;
}
