/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: capture files in: feed the frames their readers (reader.h) return to the
 * tracker, several files merged by timestamp. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reader.h"
#include "replay.h"
#include "session.h"

#define PROGRESS_MIN_BYTES (64u << 20) /* smaller inputs finish before a progress line helps */

/* Read the next record that passes the filter; false at the end. */
static bool advance(rp_run *r, rp_input *in)
{
    return rp_reader_next(r, in);
}
static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct progress {
    bool on;
    uint64_t total;
    double last;
    bool shown;
} progress;

static void progress_show(const rp_run *r, progress *pg, bool final)
{
    if (!pg->on)
        return;
    if (final) {
        if (pg->shown)
            fputs("\r\033[K", stderr);
        return;
    }
    double now = monotonic_s();
    if (now - pg->last < 0.25)
        return;
    pg->last = now;
    uint64_t done = 0;
    for (size_t i = 0; i < r->n_inputs; i++) {
        const rp_input *in = &r->inputs[i];
        if (!in->opened)
            continue;
        done += rp_reader_pos(in);
    }
    fprintf(stderr, "\rnlbreplay: %3u%%  %llu frames", (unsigned)(pg->total ? done * 100 / pg->total : 0),
            (unsigned long long)r->fed);
    pg->shown = true;
}
/* One input (the common case): no merging, and the loop state in locals rather than in *r,
 * which every call into the library would force back to memory. Same order of work and the
 * same counts as the merging loop: feed, then read ahead. */
static void replay_one(rp_run *r, rp_input *in, nlb_packet *pkt, progress *pg, uint64_t limit)
{
    nlb_usec clock = INT64_MIN, ts = in->rec.ts;
    uint64_t fed = 0;
    r->first_ts = ts;
    for (;;) {
        ts = rp_feed_frame(r, in, pkt, in->rec.data, in->rec.caplen, in->rec.len, ts, &clock);
        fed++;
        if ((fed & 0x3FFF) == 0) {
            r->fed = fed;
            progress_show(r, pg, false);
        }
        if (!rp_reader_next(r, in))
            break;
        if (fed >= limit) {
            /* Stopped by -c: the record read ahead was not processed; do not count it. */
            in->frames--;
            in->matched--;
            break;
        }
        ts = in->rec.ts;
    }
    r->fed = fed;
    r->last_ts = ts;
    in->first_ts = r->first_ts;
    in->last_ts = ts;
}

void rp_replay(rp_run *r)
{
    static nlb_packet pkt; /* large (heartbeat maps): reused, never on the stack per frame */
    nlb_usec clock = INT64_MIN;
    progress pg = {0};
    for (size_t i = 0; i < r->n_inputs; i++)
        pg.total += r->inputs[i].size;
    pg.on = !r->opt.quiet && isatty(2) && pg.total >= PROGRESS_MIN_BYTES;
    pg.last = monotonic_s();

    size_t n_active = 0;
    rp_input **active = calloc(r->n_inputs ? r->n_inputs : 1, sizeof *active);
    if (!active)
        return;
    for (size_t i = 0; i < r->n_inputs; i++) {
        rp_input *in = &r->inputs[i];
        if (in->opened && advance(r, in))
            active[n_active++] = in;
    }
    uint64_t limit = r->opt.count ? r->opt.count : UINT64_MAX;
    if (n_active == 1) {
        replay_one(r, active[0], &pkt, &pg, limit);
        n_active = 0;
    }
    while (n_active > 0 && r->fed < limit) {
        /* Min selection by next timestamp: inputs are few, so a linear scan beats a heap.
         * Ties keep command-line order. */
        size_t k = 0;
        for (size_t i = 1; i < n_active; i++)
            if (active[i]->rec.ts < active[k]->rec.ts)
                k = i;
        rp_input *in = active[k];
        rp_feed(r, in, &pkt, &clock);
        if ((r->fed & 0x3FFF) == 0)
            progress_show(r, &pg, false);
        if (!advance(r, in)) {
            if (n_active > 1) {
                /* what only this input saw stops here: a fact about the capture, not the cluster */
                in->ended_early = true;
                nlb_tracker_input_end(r->t, in->last_ts);
            }
            memmove(&active[k], &active[k + 1], (n_active - k - 1) * sizeof *active);
            n_active--;
        }
    }
    /* Stopped by -c: the record each input read ahead was not processed; do not count it. */
    for (size_t i = 0; i < n_active; i++) {
        active[i]->frames--;
        active[i]->matched--;
    }
    free(active);
    progress_show(r, &pg, true);
}