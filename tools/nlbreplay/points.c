/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: inputs taken at several capture points (--at). Every conclusion is libnlbproto's
 * vantage (vantage.h); this file names the points, runs its two passes over the files
 * (calibration: merged by their own clocks until the offsets are known; then merged on the
 * reference clock), and feeds the tracker each frame once, its first copy, so the cluster is
 * seen as the union of the points. */
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "reader.h"
#include "session.h"

/* The first pcapng interface's name or description (options 2 and 3 of its IDB), if any. */
static bool pcapng_if_label(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    uint8_t b[4096];
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    if (n < 28 || memcmp(b, "\x0a\x0d\x0d\x0a", 4))
        return false;
    bool le = b[8] == 0x4d; /* byte-order magic 0x1A2B3C4D */
#define U32(p) (le ? (uint32_t)(p)[0] | (uint32_t)(p)[1] << 8 | (uint32_t)(p)[2] << 16 | (uint32_t)(p)[3] << 24 \
                   : (uint32_t)(p)[3] | (uint32_t)(p)[2] << 8 | (uint32_t)(p)[1] << 16 | (uint32_t)(p)[0] << 24)
#define U16(p) (le ? (uint16_t)((p)[0] | (p)[1] << 8) : (uint16_t)((p)[1] | (p)[0] << 8))
    size_t off = U32(b + 4);
    while (off + 12 <= n) {
        uint32_t type = U32(b + off), blen = U32(b + off + 4);
        if (blen < 12 || off + blen > n)
            return false;
        if (type == 1) { /* interface description block */
            bool found = false;
            for (size_t o = off + 16; o + 4 <= off + blen - 4;) {
                uint16_t code = U16(b + o), olen = U16(b + o + 2);
                if (!code || o + 4 + olen > off + blen - 4)
                    break;
                if ((code == 2 || (code == 3 && !found)) && olen > 0) {
                    size_t k = olen < len - 1 ? olen : len - 1;
                    memcpy(out, b + o + 4, k);
                    out[k] = '\0';
                    found = true;
                    if (code == 2)
                        return true;
                }
                o += 4 + ((olen + 3u) & ~3u);
            }
            return found;
        }
        off += blen;
    }
    return false;
#undef U32
#undef U16
}

/* The label of input i: --at's, the pcapng interface's name or description, or the file name
 * without directory and extension. */
static void infer_label(rp_run *r, size_t i)
{
    rp_input *in = &r->inputs[i];
    if (r->at_label[i][0]) {
        snprintf(in->label, sizeof in->label, "%s", r->at_label[i]);
        return;
    }
    if (pcapng_if_label(in->name, in->label, sizeof in->label))
        return;
    const char *base = strrchr(in->name, '/');
    base = base ? base + 1 : in->name;
    size_t k = strcspn(base, ".");
    if (k >= sizeof in->label)
        k = sizeof in->label - 1;
    memcpy(in->label, base, k);
    in->label[k] = '\0';
}

static void unique_labels(rp_run *r)
{
    for (size_t i = 0; i < r->n_inputs; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(r->inputs[i].label, r->inputs[j].label)) {
                char was[NLB_VANTAGE_LABEL_MAX], msg[RP_MSG];
                snprintf(was, sizeof was, "%s", r->inputs[i].label);
                snprintf(r->inputs[i].label, sizeof r->inputs[i].label, "%.20s#%u", was, (unsigned)(i + 1));
                snprintf(msg, sizeof msg, "capture point label '%s' is also input %zu's: this one is called '%s'",
                         was, j + 1, r->inputs[i].label);
                rp_add_note(r, &r->inputs[i], msg);
                j = (size_t)-1; /* the new label may clash again */
            }
}

/* Read every opened input merged by its own timestamps into the calibration until the vantage
 * has what it needs or the inputs end. */
static void calibrate(rp_run *r)
{
    static nlb_packet pkt;
    size_t n = r->n_inputs;
    bool more[NLB_VANTAGE_MAX_POINTS];
    for (size_t i = 0; i < n; i++)
        more[i] = r->inputs[i].opened && rp_reader_next(r, &r->inputs[i]);
    while (!nlb_vantage_calibrated(r->v)) {
        size_t k = n;
        for (size_t i = 0; i < n; i++)
            if (more[i] && (k == n || r->inputs[i].rec.ts < r->inputs[k].rec.ts))
                k = i;
        if (k == n)
            break;
        rp_input *in = &r->inputs[k];
        nlb_packet_decode(in->rec.linktype, in->rec.data, in->rec.caplen, in->rec.len, &pkt);
        nlb_vantage_calibrate(r->v, (unsigned)k, &pkt, in->rec.ts);
        more[k] = rp_reader_next(r, in);
    }
}

/* Back to the start of every input for the real pass: what pass one counted is forgotten, its
 * its notes are kept, read errors are met again (an input that could not be opened is not tried again). */
static void reopen(rp_run *r)
{
    static rp_input keep; /* large: errors and notes */
    for (size_t i = 0; i < r->n_inputs; i++) {
        rp_input *in = &r->inputs[i];
        if (!in->opened)
            continue;
        rp_reader_close(in);
        keep = *in;
        memset(in, 0, sizeof *in);
        in->name = keep.name;
        memcpy(in->label, keep.label, sizeof in->label);
        if (keep.n_errors)
            r->inputs_with_errors--; /* a read error of pass one: pass two meets and reports it again */
        rp_reader_open(r, in);
        memcpy(in->notes, keep.notes, sizeof in->notes);
        in->n_notes = keep.n_notes;
    }
}

int rp_points_setup(rp_run *r)
{
    if (r->n_inputs > NLB_VANTAGE_MAX_POINTS) {
        fprintf(stderr, "nlbreplay: --at: at most %d capture points\n", NLB_VANTAGE_MAX_POINTS);
        return 2;
    }
    for (size_t i = 0; i < r->n_inputs; i++) {
        if (!strcmp(r->inputs[i].name, "-")) {
            fprintf(stderr, "nlbreplay: --at: stdin cannot be a capture point (it is read twice: once to "
                            "estimate the clock offsets)\n");
            return 2;
        }
        infer_label(r, i);
    }
    unique_labels(r);
    nlb_vantage_config vc;
    nlb_vantage_config_default(&vc);
    vc.n_points = (unsigned)r->n_inputs;
    if (r->max_offset > 0)
        vc.max_offset = (nlb_usec)(r->max_offset * 1e6 + 0.5);
    vc.n_vips = r->cfg.n_vips;
    memcpy(vc.vips, r->cfg.vips, sizeof vc.vips);
    r->v = nlb_vantage_new(&vc);
    if (!r->v) {
        fputs("nlbreplay: cannot create the capture-point analysis (out of memory)\n", stderr);
        return 2;
    }
    for (size_t i = 0; i < r->n_inputs; i++)
        nlb_vantage_set_label(r->v, (unsigned)i, r->inputs[i].label);
    for (size_t k = 0; k < r->n_offsets; k++) {
        size_t i = 0;
        while (i < r->n_inputs && strcmp(r->inputs[i].label, r->off_label[k]))
            i++;
        if (i == r->n_inputs) {
            fprintf(stderr, "nlbreplay: --clock-offset: no capture point '%s'\n", r->off_label[k]);
            return 2;
        }
        if (i == 0) {
            fprintf(stderr, "nlbreplay: --clock-offset: '%s' is the reference point (the first input): times "
                            "are on its clock, its offset is 0 by definition\n", r->off_label[k]);
            return 2;
        }
        nlb_vantage_set_offset(r->v, (unsigned)i, (nlb_usec)(r->off_value[k] * 1e6 + (r->off_value[k] < 0 ? -0.5 : 0.5)));
    }
    calibrate(r);
    nlb_vantage_settle(r->v);
    reopen(r);
    return 0;
}

/* One frame: the vantage sees every copy, the tracker the first one only, on the reference clock. */
static void feed(rp_run *r, size_t k, nlb_packet *pkt, nlb_usec *clock)
{
    rp_input *in = &r->inputs[k];
    nlb_usec ts = nlb_vantage_reference_time(r->v, (unsigned)k, in->rec.ts);
    if (ts < *clock) {
        ts = *clock;
        in->reordered++;
    }
    *clock = ts;
    if (in->rec.caplen < in->rec.len)
        in->truncated_frames++;
    nlb_packet_decode(in->rec.linktype, in->rec.data, in->rec.caplen, in->rec.len, pkt);
    if (pkt->status == NLB_MALFORMED)
        rp_note_malformed(r, in, pkt);
    if (!in->first_ts)
        in->first_ts = ts;
    in->last_ts = ts;
    if (nlb_vantage_feed(r->v, (unsigned)k, pkt, in->rec.ts, in->frames) & NLB_VF_DUPLICATE)
        return;
    nlb_tracker_feed(r->t, pkt, ts);
    if (r->opt.svg)
        rp_svg_tick(r, pkt, ts);
    uint64_t ref = RP_REF(k, in->frames);
    if (r->ff_n && ts == r->ff_ts[r->ff_n - 1])
        r->ff_last[r->ff_n - 1] = ref;
    else
        rp_mark_frame(r, ref, ts);
    if (!r->fed)
        r->first_ts = ts;
    r->last_ts = ts;
    r->fed++;
}

void rp_points_replay(rp_run *r)
{
    static nlb_packet pkt;
    size_t n = r->n_inputs, live = 0;
    bool more[NLB_VANTAGE_MAX_POINTS];
    for (size_t i = 0; i < n; i++) {
        more[i] = r->inputs[i].opened && rp_reader_next(r, &r->inputs[i]);
        live += more[i];
        if (!more[i])
            nlb_vantage_point_end(r->v, (unsigned)i);
    }
    nlb_usec clock = INT64_MIN;
    uint64_t limit = r->opt.count ? r->opt.count : UINT64_MAX;
    while (live && r->fed < limit) {
        size_t k = n;
        nlb_usec best = 0;
        for (size_t i = 0; i < n; i++) {
            if (!more[i])
                continue;
            nlb_usec t = nlb_vantage_reference_time(r->v, (unsigned)i, r->inputs[i].rec.ts);
            if (k == n || t < best) {
                k = i;
                best = t;
            }
        }
        feed(r, k, &pkt, &clock);
        if (!(more[k] = rp_reader_next(r, &r->inputs[k]))) {
            live--;
            nlb_vantage_point_end(r->v, (unsigned)k);
            if (live) {
                r->inputs[k].ended_early = true;
                nlb_tracker_input_end(r->t, r->inputs[k].last_ts);
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        if (more[i]) { /* stopped by -c: the record read ahead was not processed */
            r->inputs[i].frames--;
            r->inputs[i].matched--;
        }
    nlb_vantage_finish(r->v);
}
