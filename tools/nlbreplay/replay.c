/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: capture files in: open them (libpcap), apply the filter, and feed their frames
 * to the tracker, several files merged by timestamp. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "replay.h"
#include "session.h"

#define PROGRESS_MIN_BYTES (64u << 20) /* smaller inputs finish before a progress line helps */

/* libpcap's wording for these cases names neither the file nor the way out. */
static void read_error(rp_run *r, rp_input *in, const char *perr)
{
    unsigned long long n = (unsigned long long)in->frames + 1;
    if (strstr(perr, "different from the type") || strstr(perr, "link-layer type")
        || strstr(perr, "link-layer header type")) {
        char where[48];
        if (n > 1)
            snprintf(where, sizeof where, "after frame %llu", n - 1);
        else
            snprintf(where, sizeof where, "before the first frame");
        rp_input_error(r, in, "%s: this pcapng file mixes link types, which libpcap cannot read (%s); "
                    "split it per interface first (tshark -r FILE -Y 'frame.interface_id == 0' -w OUT)",
                    where, perr);
    }
    else if (strstr(perr, "truncated"))
        rp_input_error(r, in, "frame %llu: truncated record, the capture ends mid-frame (%s); "
                    "frames before it were processed", n, perr);
    else
        rp_input_error(r, in, "frame %llu: %s; frames before it were processed", n, perr);
}
/* libpcap silently clamps a classic pcap header's snapshot length; an absurd one hints at a
 * damaged or hand-made file, so say so (the frames themselves are still read). */
static void check_snaplen(rp_run *r, rp_input *in)
{
    FILE *f = fopen(in->name, "rb");
    uint8_t h[24];
    if (!f)
        return;
    size_t n = fread(h, 1, sizeof h, f);
    fclose(f);
    if (n < sizeof h)
        return;
    uint32_t le = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    bool little = le == 0xa1b2c3d4u || le == 0xa1b23c4du;
    bool big = le == 0xd4c3b2a1u || le == 0x4d3cb2a1u;
    if (!little && !big)
        return;
    uint32_t snap = little ? (uint32_t)h[16] | (uint32_t)h[17] << 8 | (uint32_t)h[18] << 16 | (uint32_t)h[19] << 24
                           : (uint32_t)h[19] | (uint32_t)h[18] << 8 | (uint32_t)h[17] << 16 | (uint32_t)h[16] << 24;
    if (snap == 0 || snap > 262144) {
        char msg[RP_MSG];
        snprintf(msg, sizeof msg, "the file header declares an absurd snapshot length (%lu); libpcap reads "
                 "it as its maximum, frames larger than that are errors", (unsigned long)snap);
        rp_add_note(r, in, msg);
    }
}

void rp_open_input(rp_run *r, rp_input *in)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    bool is_stdin = strcmp(in->name, "-") == 0;
    if (!is_stdin) {
        struct stat st;
        if (stat(in->name, &st) != 0) {
            rp_input_error(r, in, "cannot open: %s", strerror(errno));
            return;
        }
        if (S_ISDIR(st.st_mode)) {
            rp_input_error(r, in, "is a directory, not a capture");
            return;
        }
        if (S_ISREG(st.st_mode)) {
            if (st.st_size == 0) {
                rp_input_error(r, in, "empty file (0 bytes), not a capture");
                return;
            }
            in->size = (uint64_t)st.st_size;
            check_snaplen(r, in);
        }
        in->p = pcap_open_offline_with_tstamp_precision(in->name, PCAP_TSTAMP_PRECISION_MICRO, err);
    } else {
        in->p = pcap_fopen_offline_with_tstamp_precision(stdin, PCAP_TSTAMP_PRECISION_MICRO, err);
    }
    if (!in->p) {
        if (strstr(err, "unknown file format"))
            rp_input_error(r, in, "not a pcap or pcapng capture (%s)", err);
        else if (strstr(err, "truncated"))
            rp_input_error(r, in, "too short to be a capture (%s)", err);
        else
            rp_input_error(r, in, "%s", err);
        return;
    }
    in->linktype = pcap_datalink(in->p);
    const char *ln = pcap_datalink_val_to_name(in->linktype);
    snprintf(in->linkname, sizeof in->linkname, "%s", ln ? ln : "unknown");
    if (!nlb_linktype_supported(in->linktype)) {
        rp_input_error(r, in, "unsupported link type %s (%d): nlbreplay reads Ethernet, Linux cooked (SLL) "
                    "and SLL2 captures", in->linkname, in->linktype);
        pcap_close(in->p);
        in->p = NULL;
        return;
    }
    if (r->opt.filter) {
        if (pcap_compile(in->p, &in->prog, r->opt.filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            rp_input_error(r, in, "filter '%s': %s", r->opt.filter, pcap_geterr(in->p));
            pcap_close(in->p);
            in->p = NULL;
            return;
        }
        in->has_prog = true;
    }
    in->opened = true;
}

/* Read the next record that passes the filter into in->hdr/in->data; false at the end. */
static bool advance(rp_run *r, rp_input *in)
{
    for (;;) {
        int rc = pcap_next_ex(in->p, &in->hdr, (const u_char **)&in->data);
        if (rc == 1) {
            in->frames++;
            /* The offline filter is applied here rather than with pcap_setfilter() so frame
             * numbers in messages stay the file's own. */
            if (in->has_prog && !pcap_offline_filter(&in->prog, in->hdr, in->data))
                continue;
            in->matched++;
            in->ts = (nlb_usec)in->hdr->ts.tv_sec * 1000000 + in->hdr->ts.tv_usec;
            return true;
        }
        if (rc != PCAP_ERROR_BREAK)
            read_error(r, in, pcap_geterr(in->p));
        in->eof = true;
        return false;
    }
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
        if (in->eof) {
            done += in->size;
        } else {
            long pos = ftell(pcap_file(in->p));
            if (pos > 0)
                done += (uint64_t)pos;
        }
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
    nlb_usec clock = INT64_MIN, ts = in->ts;
    uint64_t fed = 0, filtered = 0;
    const uint64_t frames0 = in->frames;
    pcap_t *p = in->p;
    struct pcap_pkthdr *h = in->hdr;
    const u_char *d = in->data;
    const bool has_prog = in->has_prog;
    r->first_ts = ts;
    for (;;) {
        ts = rp_feed_frame(r, in, pkt, d, h->caplen, h->len, ts, &clock);
        fed++;
        if ((fed & 0x3FFF) == 0) {
            r->fed = fed;
            progress_show(r, pg, false);
        }
        /* Read ahead (advance(), inlined): the next record that passes the filter. */
        int rc;
        for (;;) {
            rc = pcap_next_ex(p, &h, &d);
            if (rc != 1)
                break;
            in->frames++;
            if (!has_prog || pcap_offline_filter(&in->prog, h, d))
                break;
            filtered++;
        }
        if (rc != 1) {
            if (rc != PCAP_ERROR_BREAK)
                read_error(r, in, pcap_geterr(p));
            in->eof = true;
            break;
        }
        if (fed >= limit) {
            /* Stopped by -c: the record read ahead was not processed; do not count it. */
            in->frames--;
            break;
        }
        ts = (nlb_usec)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
    }
    /* The records read here that passed the filter were all fed (the -c one is already
     * taken off in->frames); the first one, read by advance(), is already in matched. */
    in->matched += in->frames - frames0 - filtered;
    in->hdr = h;
    in->data = d;
    r->fed = fed;
    r->last_ts = ts;
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
            if (active[i]->ts < active[k]->ts)
                k = i;
        rp_input *in = active[k];
        rp_feed(r, in, &pkt, &clock);
        if ((r->fed & 0x3FFF) == 0)
            progress_show(r, &pg, false);
        if (!advance(r, in)) {
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