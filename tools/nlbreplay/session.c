/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "session.h"

#include <stdarg.h>
#include <stdlib.h>

void rp_input_error(rp_run *r, rp_input *in, const char *fmt, ...)
{
    char msg[RP_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "nlbreplay: %s: %s\n", in->name, msg);
    if (in->n_errors == 0)
        r->inputs_with_errors++;
    if (in->n_errors < RP_MAX_INPUT_ERRORS)
        snprintf(in->errors[in->n_errors++], RP_MSG, "%s", msg);
}

void rp_add_note(rp_run *r, rp_input *in, const char *msg)
{
    if (in->n_notes >= RP_MAX_NOTES)
        return;
    snprintf(in->notes[in->n_notes++], RP_MSG, "%s", msg);
    if (!r->opt.quiet)
        fprintf(stderr, "nlbreplay: %s: %s\n", in->name, msg);
}

void rp_note_malformed(rp_run *r, rp_input *in, const nlb_packet *pkt)
{
    in->malformed++;
    if (in->malformed <= RP_MAX_MALFORMED_NOTES) {
        char msg[RP_MSG];
        snprintf(msg, sizeof msg, "frame %llu: malformed %s", (unsigned long long)in->frames,
                 nlb_field_name(pkt->bad_field));
        rp_add_note(r, in, msg);
    }
}

static void record_tick(rp_run *r, uint32_t vip, uint8_t prio, nlb_usec ts)
{
    static size_t last = 0;
    rp_series *s = NULL;
    if (last < r->n_series && r->series[last].vip == vip && r->series[last].prio == prio) {
        s = &r->series[last];
    } else {
        for (size_t i = 0; i < r->n_series; i++)
            if (r->series[i].vip == vip && r->series[i].prio == prio) {
                s = &r->series[i];
                last = i;
                break;
            }
    }
    if (!s) {
        if (r->n_series == r->cap_series) {
            size_t nc = r->cap_series ? r->cap_series * 2 : 16;
            rp_series *ns = realloc(r->series, nc * sizeof *ns);
            if (!ns)
                return;
            r->series = ns;
            r->cap_series = nc;
        }
        s = &r->series[r->n_series];
        memset(s, 0, sizeof *s);
        s->vip = vip;
        s->prio = prio;
        last = r->n_series++;
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        nlb_usec *nt = realloc(s->t, nc * sizeof *nt);
        if (!nt)
            return; /* the SVG then shows fewer ticks; the report itself is unaffected */
        s->t = nt;
        s->cap = nc;
    }
    s->t[s->n++] = ts;
}
void rp_svg_tick(rp_run *r, const nlb_packet *pkt, nlb_usec ts)
{
    if (pkt->kind == NLB_FK_HEARTBEAT && pkt->hb.status != NLB_MALFORMED && pkt->hb.priority >= 1
        && pkt->hb.priority <= NLB_MAX_PRIORITY)
        record_tick(r, pkt->hb.cluster_ip, (uint8_t)pkt->hb.priority, ts);
}

void rp_feed(rp_run *r, rp_input *in, nlb_packet *pkt, nlb_usec *clock)
{
    nlb_usec ts = rp_feed_frame(r, in, pkt, in->rec.data, in->rec.caplen, in->rec.len, in->rec.ts, clock);
    if (r->fed == 0)
        r->first_ts = ts;
    r->last_ts = ts;
    if (!in->first_ts)
        in->first_ts = ts;
    in->last_ts = ts;
    r->fed++;
}

void rp_mark_frame(rp_run *r, uint64_t ref, nlb_usec ts)
{
    if (r->ff_n == r->ff_cap) {
        if (r->ff_cap && !r->ff_ts)
            return; /* an earlier growth failed: frame references are left out, not wrong */
        size_t cap = r->ff_cap ? 2 * r->ff_cap : 4096;
        nlb_usec *t = realloc(r->ff_ts, cap * sizeof *t);
        uint64_t *a = t ? realloc(r->ff_first, cap * sizeof *a) : NULL;
        uint64_t *b = a ? realloc(r->ff_last, cap * sizeof *b) : NULL;
        if (t)
            r->ff_ts = t;
        if (a)
            r->ff_first = a;
        if (b)
            r->ff_last = b;
        if (!b) {
            free(r->ff_ts);
            free(r->ff_first);
            free(r->ff_last);
            r->ff_ts = NULL;
            r->ff_first = r->ff_last = NULL;
            r->ff_n = 0;
            return;
        }
        r->ff_cap = cap;
    }
    r->ff_ts[r->ff_n] = ts;
    r->ff_first[r->ff_n] = ref;
    r->ff_last[r->ff_n++] = ref;
}

static rp_frame_ref unpack(uint64_t ref)
{
    return (rp_frame_ref){.frame = ref & ((UINT64_C(1) << 48) - 1), .file = (unsigned)(ref >> 48)};
}

/* Index of the first entry with a time at or after t (ff_n when none). */
static size_t lower_bound(const rp_run *r, nlb_usec t)
{
    size_t lo = 0, hi = r->ff_n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->ff_ts[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

rp_frame_ref rp_frame_from(const rp_run *r, nlb_usec t)
{
    if (!r->ff_n)
        return (rp_frame_ref){0, 0};
    size_t i = lower_bound(r, t);
    return i < r->ff_n ? unpack(r->ff_first[i]) : unpack(r->ff_last[r->ff_n - 1]);
}

rp_frame_ref rp_frame_until(const rp_run *r, nlb_usec t)
{
    if (!r->ff_n)
        return (rp_frame_ref){0, 0};
    size_t i = lower_bound(r, t);
    if (i < r->ff_n && r->ff_ts[i] == t)
        return unpack(r->ff_last[i]);
    return i ? unpack(r->ff_last[i - 1]) : unpack(r->ff_first[0]);
}
