/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: replay captures through libnlbproto's tracker and report what the NLB cluster did.
 * This file does options, input (libpcap, several files merged by timestamp) and exit codes;
 * the protocol knowledge lives in libnlbproto and the layout in the writers. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nlbreplay.h"

#define EXIT_FINDINGS 1
#define EXIT_USAGE 2
#define PROGRESS_MIN_BYTES (64u << 20) /* smaller inputs finish before a progress line helps */
#define RULES_MAX_BYTES (1u << 20)

static void usage(FILE *f)
{
    fputs("Usage: nlbreplay [options] FILE... [-- FILTER]\n"
          "       nlbreplay [options] -r FILE [-r FILE]... [FILTER]\n"
          "       nlbreplay [options] -i IFACE [-w FILE] [FILTER]\n"
          "Replay pcap/pcapng captures (\"-\" = stdin), or capture live on IFACE, through the\n"
          "NLB tracker and report clusters, hosts, failovers, unanswered VIP flows and\n"
          "diagnostics. FILTER is a pcap-filter(7) expression applied to every input.\n"
          "\n"
          "Input:\n"
          "  -r FILE              read FILE (repeatable); other words are then the FILTER\n"
          "  -c N                 stop after N frames (all inputs together)\n"
          "Live capture (needs CAP_NET_RAW, and CAP_NET_ADMIN for promiscuous mode):\n"
          "  -i IFACE             capture on IFACE (promiscuous); other words are the FILTER;\n"
          "                       on a terminal a watch screen refreshed every second, else\n"
          "                       one line per event and diagnostic as they arise; Ctrl-C\n"
          "                       (SIGINT/SIGTERM) stops and prints the final report\n"
          "  -w FILE              also save the captured frames to FILE (pcap)\n"
          "  --duration S         stop after S seconds\n"
          "  --alert-cmd CMD      run CMD with /bin/sh once per new error diagnostic, with\n"
          "                       NLB_CODE, NLB_SEVERITY, NLB_MESSAGE and NLB_TIME set\n"
          "Cluster knowledge and model (ownership is an EMULATION, not the Windows hash):\n"
          "  --vip A.B.C.D        a cluster IP known to you (repeatable, up to 16)\n"
          "  --rules FILE         port rules (format in nlbreplay(1))\n"
          "  --affinity MODE      none|single|classc when no rule applies (default single)\n"
          "  --bins N             bins per rule, 1..64 (default 60)\n"
          "  --period MS          AliveMsgPeriod in ms (default 1000)\n"
          "  --tolerance N        AliveMsgTolerance, missed periods (default 5)\n"
          "  --without-host N     what-if: flows that move if host priority N leaves\n"
          "  --max-flows N        flow table capacity (default 262144); beyond it flows are\n"
          "                       counted as evicted\n"
          "Output:\n"
          "  --format FMT         text (default), json or csv (the flow table)\n"
          "  --flows              text: add the flow table; json: list every flow\n"
          "  --events             text: add the event timeline\n"
          "  --svg FILE           also write an SVG timeline to FILE\n"
          "  --fail-on SEV        exit 1 when a diagnostic of SEV (error|warning) or worse\n"
          "                       is found (default: none)\n"
          "  -q, --quiet          no progress and no per-frame notes on stderr\n"
          "  -h, --help           this help\n"
          "  -V, --version        version\n"
          "Exit status: 0 ok, 1 findings (--fail-on), 2 usage or input error.\n",
          f);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("nlbreplay: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'nlbreplay --help'.\n", stderr);
    return EXIT_USAGE;
}

static bool parse_uint(const char *s, unsigned long long min, unsigned long long max, unsigned long long *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static void input_error(rp_run *r, rp_input *in, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void input_error(rp_run *r, rp_input *in, const char *fmt, ...)
{
    char msg[RP_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Errors go to stderr at once (the engineer sees them even if the report scrolls away)
     * and into the report, so no report is silently partial. */
    fprintf(stderr, "nlbreplay: %s: %s\n", in->name, msg);
    if (in->n_errors == 0)
        r->inputs_with_errors++;
    if (in->n_errors < RP_MAX_INPUT_ERRORS)
        snprintf(in->errors[in->n_errors++], RP_MSG, "%s", msg);
}

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
        input_error(r, in, "%s: this pcapng file mixes link types, which libpcap cannot read (%s); "
                    "split it per interface first (tshark -r FILE -Y 'frame.interface_id == 0' -w OUT)",
                    where, perr);
    }
    else if (strstr(perr, "truncated"))
        input_error(r, in, "frame %llu: truncated record, the capture ends mid-frame (%s); "
                    "frames before it were processed", n, perr);
    else
        input_error(r, in, "frame %llu: %s; frames before it were processed", n, perr);
}

static void add_note(rp_run *r, rp_input *in, const char *msg)
{
    if (in->n_notes >= RP_MAX_NOTES)
        return;
    snprintf(in->notes[in->n_notes++], RP_MSG, "%s", msg);
    if (!r->opt.quiet)
        fprintf(stderr, "nlbreplay: %s: %s\n", in->name, msg);
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
        add_note(r, in, msg);
    }
}

static void open_input(rp_run *r, rp_input *in)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    bool is_stdin = strcmp(in->name, "-") == 0;
    if (!is_stdin) {
        struct stat st;
        if (stat(in->name, &st) != 0) {
            input_error(r, in, "cannot open: %s", strerror(errno));
            return;
        }
        if (S_ISDIR(st.st_mode)) {
            input_error(r, in, "is a directory, not a capture");
            return;
        }
        if (S_ISREG(st.st_mode)) {
            if (st.st_size == 0) {
                input_error(r, in, "empty file (0 bytes), not a capture");
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
            input_error(r, in, "not a pcap or pcapng capture (%s)", err);
        else if (strstr(err, "truncated"))
            input_error(r, in, "too short to be a capture (%s)", err);
        else
            input_error(r, in, "%s", err);
        return;
    }
    in->linktype = pcap_datalink(in->p);
    const char *ln = pcap_datalink_val_to_name(in->linktype);
    snprintf(in->linkname, sizeof in->linkname, "%s", ln ? ln : "unknown");
    if (!nlb_linktype_supported(in->linktype)) {
        input_error(r, in, "unsupported link type %s (%d): nlbreplay reads Ethernet, Linux cooked (SLL) "
                    "and SLL2 captures", in->linkname, in->linktype);
        pcap_close(in->p);
        in->p = NULL;
        return;
    }
    if (r->opt.filter) {
        if (pcap_compile(in->p, &in->prog, r->opt.filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            input_error(r, in, "filter '%s': %s", r->opt.filter, pcap_geterr(in->p));
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

/* Kept out of the per-frame path: malformed frames are rare. */
static void __attribute__((noinline, cold)) note_malformed(rp_run *r, rp_input *in, const nlb_packet *pkt)
{
    in->malformed++;
    if (in->malformed <= RP_MAX_MALFORMED_NOTES) {
        char msg[RP_MSG];
        snprintf(msg, sizeof msg, "frame %llu: malformed %s", (unsigned long long)in->frames,
                 nlb_field_name(pkt->bad_field));
        add_note(r, in, msg);
    }
}

static void svg_tick(rp_run *r, const nlb_packet *pkt, nlb_usec ts)
{
    if (pkt->kind == NLB_FK_HEARTBEAT && pkt->hb.status != NLB_MALFORMED && pkt->hb.priority >= 1
        && pkt->hb.priority <= NLB_MAX_PRIORITY)
        record_tick(r, pkt->hb.cluster_ip, (uint8_t)pkt->hb.priority, ts);
}

/* Remember that frame num was fed at ts (later than every frame before it). */
static void __attribute__((noinline)) mark_frame(rp_run *r, uint64_t num, nlb_usec ts)
{
    if (r->ff_n == r->ff_cap) {
        size_t cap = r->ff_cap ? 2 * r->ff_cap : 4096;
        uint64_t *n = realloc(r->ff_num, cap * sizeof *n);
        if (n) r->ff_num = n;
        nlb_usec *t = realloc(r->ff_ts, cap * sizeof *t);
        if (t) r->ff_ts = t;
        if (!n || !t) return; /* first_frame left out rather than wrong */
        r->ff_cap = cap;
    }
    r->ff_num[r->ff_n] = num;
    r->ff_ts[r->ff_n++] = ts;
}

uint64_t rp_first_frame(const rp_run *r, nlb_usec t)
{
    size_t lo = 0, hi = r->ff_n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->ff_ts[mid] < t) lo = mid + 1;
        else hi = mid;
    }
    return lo < r->ff_n ? r->ff_num[lo] : r->ff_n ? r->ff_num[r->ff_n - 1] : 0;
}

/* The per-frame work shared by every input loop: clamp the time, decode, feed the tracker.
 * Returns the time fed. r->fed and the first/last times are the caller's to update. */
static inline __attribute__((always_inline)) nlb_usec feed_frame(rp_run *r, rp_input *in, nlb_packet *pkt,
                                                                 const struct pcap_pkthdr *h, const uint8_t *data,
                                                                 nlb_usec ts, nlb_usec *clock)
{
    /* The tracker needs non-decreasing time; captures are sometimes slightly out of order. */
    if (ts < *clock) {
        ts = *clock;
        in->reordered++;
    }
    *clock = ts;
    if (h->caplen < h->len)
        in->truncated_frames++;
    nlb_packet_decode(in->linktype, data, h->caplen, h->len, pkt);
    if (pkt->status == NLB_MALFORMED)
        note_malformed(r, in, pkt);
    nlb_tracker_feed(r->t, pkt, ts);
    if (r->opt.svg)
        svg_tick(r, pkt, ts);
    if (r->n_inputs == 1 && (!r->ff_n || ts > r->ff_ts[r->ff_n - 1]))
        mark_frame(r, in->frames, ts);
    return ts;
}

static void feed(rp_run *r, rp_input *in, nlb_packet *pkt, nlb_usec *clock)
{
    nlb_usec ts = feed_frame(r, in, pkt, in->hdr, in->data, in->ts, clock);
    if (r->fed == 0)
        r->first_ts = ts;
    r->last_ts = ts;
    r->fed++;
}

void rp_feed(rp_run *r, rp_input *in, nlb_packet *pkt, nlb_usec *clock)
{
    feed(r, in, pkt, clock);
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
        ts = feed_frame(r, in, pkt, h, d, ts, &clock);
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

static void replay(rp_run *r)
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
        feed(r, in, &pkt, &clock);
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

static char *read_small_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    char *buf = malloc(RULES_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, RULES_MAX_BYTES + 1, f) : 0;
    bool bad = !buf || ferror(f);
    fclose(f);
    if (bad || n > RULES_MAX_BYTES) {
        snprintf(err, errlen, "%s", bad ? "read error" : "larger than 1 MiB, not a rules file");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

static char *join_words(char **w, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(w[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, w[i]);
    }
    return s;
}

enum {
    O_VIP = 256, O_RULES, O_AFFINITY, O_BINS, O_PERIOD, O_TOLERANCE, O_WITHOUT, O_FORMAT, O_FLOWS,
    O_EVENTS, O_SVG, O_FAILON, O_MAXFLOWS, O_DURATION, O_ALERT
};

static int run_main(int argc, char **argv, rp_run *R)
{
    static const struct option longopts[] = {
        {"vip", required_argument, NULL, O_VIP},
        {"rules", required_argument, NULL, O_RULES},
        {"affinity", required_argument, NULL, O_AFFINITY},
        {"bins", required_argument, NULL, O_BINS},
        {"period", required_argument, NULL, O_PERIOD},
        {"tolerance", required_argument, NULL, O_TOLERANCE},
        {"without-host", required_argument, NULL, O_WITHOUT},
        {"max-flows", required_argument, NULL, O_MAXFLOWS},
        {"format", required_argument, NULL, O_FORMAT},
        {"flows", no_argument, NULL, O_FLOWS},
        {"events", no_argument, NULL, O_EVENTS},
        {"svg", required_argument, NULL, O_SVG},
        {"fail-on", required_argument, NULL, O_FAILON},
        {"duration", required_argument, NULL, O_DURATION},
        {"alert-cmd", required_argument, NULL, O_ALERT},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    rp_options *o = &R->opt;
    o->fail_on = -1;
    nlb_tracker_config_default(&R->cfg);

    /* "--" ends the files and starts the filter; getopt would hide where it was. */
    int nopt = argc, dd = -1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            nopt = i;
            dd = i;
            break;
        }

    const char **rfiles = R->rfiles = calloc((size_t)argc, sizeof *rfiles);
    size_t n_rfiles = 0;
    if (!rfiles)
        return EXIT_USAGE;
    unsigned long long v;
    int c;
    int cli_affinity = -1;
    unsigned cli_bins = 0;
    opterr = 0;
    while ((c = getopt_long(nopt, argv, ":r:c:qhVi:w:", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': rfiles[n_rfiles++] = optarg; break;
        case 'c':
            if (!parse_uint(optarg, 1, UINT64_MAX, &v))
                return usage_error("-c wants a positive frame count, not '%s'", optarg);
            o->count = v;
            break;
        case 'q': o->quiet = true; break;
        case 'i':
            if (o->iface)
                return usage_error("-i: one interface per run (%s is a second one)", optarg);
            if (!*optarg)
                return usage_error("%s", "-i wants an interface name");
            o->iface = optarg;
            break;
        case 'w': o->write_file = optarg; break;
        case O_DURATION: {
            char *end;
            errno = 0;
            double d = strtod(optarg, &end);
            /* a year is far beyond any troubleshooting session and keeps the arithmetic exact */
            if (errno || end == optarg || *end || !(d > 0) || d > 366.0 * 86400)
                return usage_error("--duration wants a number of seconds > 0, not '%s'", optarg);
            o->duration = d;
            break;
        }
        case O_ALERT:
            if (!*optarg)
                return usage_error("%s", "--alert-cmd wants a command");
            o->alert_cmd = optarg;
            break;
        case 'h': usage(stdout); return 0;
        case 'V':
            printf("nlbreplay (nlbproto) %s\n%s\n", NLBPROTO_VERSION, pcap_lib_version());
            return 0;
        case O_VIP: {
            uint32_t ip;
            if (!nlb_ip4_parse(optarg, &ip))
                return usage_error("--vip wants a dotted IPv4 address, not '%s'", optarg);
            if (R->cfg.n_vips >= NLB_MAX_USER_VIPS)
                return usage_error("--vip: at most 16 (%s is one too many)", optarg);
            R->cfg.vips[R->cfg.n_vips++] = ip;
            break;
        }
        case O_RULES: o->rules_file = optarg; break;
        case O_AFFINITY:
            if (!strcmp(optarg, "none")) cli_affinity = NLB_AFF_NONE;
            else if (!strcmp(optarg, "single")) cli_affinity = NLB_AFF_SINGLE;
            else if (!strcmp(optarg, "classc")) cli_affinity = NLB_AFF_CLASSC;
            else return usage_error("--affinity wants none, single or classc, not '%s'", optarg);
            break;
        case O_BINS:
            if (!parse_uint(optarg, 1, NLB_BINS_MAX, &v))
                return usage_error("--bins wants 1..64, not '%s'", optarg);
            cli_bins = (unsigned)v;
            break;
        case O_PERIOD:
            if (!parse_uint(optarg, 1, 3600000, &v))
                return usage_error("--period wants milliseconds, 1..3600000, not '%s'", optarg);
            R->cfg.period_ms = (uint32_t)v;
            break;
        case O_TOLERANCE:
            if (!parse_uint(optarg, 1, 1000, &v))
                return usage_error("--tolerance wants a number of periods, 1..1000, not '%s'", optarg);
            R->cfg.tolerance = (unsigned)v;
            break;
        case O_WITHOUT:
            if (!parse_uint(optarg, 1, NLB_MAX_PRIORITY, &v))
                return usage_error("--without-host wants a host priority 1..32, not '%s'", optarg);
            R->whatif_host = (uint8_t)v;
            break;
        case O_MAXFLOWS:
            if (!parse_uint(optarg, 1, 1u << 26, &v))
                return usage_error("--max-flows wants 1..67108864, not '%s'", optarg);
            R->cfg.max_flows = (size_t)v;
            break;
        case O_FORMAT:
            if (!strcmp(optarg, "text")) o->format = RP_FMT_TEXT;
            else if (!strcmp(optarg, "json")) o->format = RP_FMT_JSON;
            else if (!strcmp(optarg, "csv")) o->format = RP_FMT_CSV;
            else return usage_error("--format wants text, json or csv, not '%s'", optarg);
            break;
        case O_FLOWS: o->flows = true; break;
        case O_EVENTS: o->events = true; break;
        case O_SVG: o->svg = optarg; break;
        case O_FAILON:
            if (!strcmp(optarg, "error")) o->fail_on = NLB_SEV_ERROR;
            else if (!strcmp(optarg, "warning")) o->fail_on = NLB_SEV_WARNING;
            else if (!strcmp(optarg, "none")) o->fail_on = -1;
            else return usage_error("--fail-on wants error or warning, not '%s'", optarg);
            break;
        case ':': return usage_error("option %s needs an argument", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }

    /* Files: with -r (tcpdump habit) every other word is the filter; without, the words are
     * files and the filter follows "--". */
    const char **files;
    size_t n_files;
    char **fw = argv + optind;
    int n_fw = nopt - optind;
    if (o->iface) {
        /* tcpdump habit: -i IFACE and the remaining words are the filter ("--" optional). */
        if (n_rfiles)
            return usage_error("-i captures live; read files without -i (-r %s)", rfiles[0]);
        if (dd >= 0 && n_fw > 0)
            return usage_error("with -i, the words after the options are the filter; '%s' is before '--'", fw[0]);
        if (dd >= 0) {
            fw = argv + dd + 1;
            n_fw = argc - dd - 1;
        }
        if (n_fw > 0)
            o->filter = join_words(fw, n_fw);
        static const char *live_name[1];
        live_name[0] = o->iface;
        files = live_name;
        n_files = 1;
    } else if (n_rfiles) {
        files = rfiles;
        n_files = n_rfiles;
        if (dd >= 0 && n_fw > 0)
            return usage_error("with -r, put the filter after the options (no '--'), not '%s'", fw[0]);
        if (dd >= 0) {
            fw = argv + dd + 1;
            n_fw = argc - dd - 1;
        }
        if (n_fw > 0)
            o->filter = join_words(fw, n_fw);
    } else {
        files = (const char **)fw;
        n_files = (size_t)n_fw;
        if (dd >= 0 && argc - dd - 1 > 0)
            o->filter = join_words(argv + dd + 1, argc - dd - 1);
    }
    if (!o->iface) {
        if (o->write_file)
            return usage_error("-w %s saves a live capture: it needs -i IFACE", o->write_file);
        if (o->duration > 0)
            return usage_error("%s", "--duration limits a live capture: it needs -i IFACE");
        if (o->alert_cmd)
            return usage_error("%s", "--alert-cmd watches a live capture: it needs -i IFACE");
    }
    if (n_files == 0)
        return usage_error("%s", "no capture file given (use '-' for stdin)");
    int n_stdin = 0;
    for (size_t i = 0; i < n_files; i++)
        n_stdin += strcmp(files[i], "-") == 0;
    if (n_stdin > 1)
        return usage_error("%s", "'-' (stdin) can be read only once");
    if (o->filter)
        snprintf(R->filter_note, sizeof R->filter_note, "%s", o->filter);

    if (o->rules_file) {
        char err[256];
        char *text = read_small_file(o->rules_file, err, sizeof err);
        if (!text) {
            fprintf(stderr, "nlbreplay: %s: %s\n", o->rules_file, err);
            return EXIT_USAGE;
        }
        err[0] = '\0';
        bool ok = nlb_model_load_rules(&R->cfg.model, text, err, sizeof err);
        free(text);
        if (!ok) {
            fprintf(stderr, "nlbreplay: %s: %s\n", o->rules_file, err[0] ? err : "invalid rules file");
            return EXIT_USAGE;
        }
    }
    /* The command line wins over the rules file's bins= and affinity=. */
    if (cli_bins)
        R->cfg.model.bins = cli_bins;
    if (cli_affinity >= 0)
        R->cfg.model.default_affinity = (nlb_affinity)cli_affinity;

    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    o->colour = isatty(1) && !(nc && *nc) && !(term && !strcmp(term, "dumb"));

    R->t = nlb_tracker_new(&R->cfg);
    if (!R->t) {
        fputs("nlbreplay: cannot create the tracker (out of memory or bad settings)\n", stderr);
        return EXIT_USAGE;
    }
    R->inputs = calloc(n_files, sizeof *R->inputs);
    if (!R->inputs)
        return EXIT_USAGE;
    R->n_inputs = n_files;
    size_t n_open = 0;
    for (size_t i = 0; i < n_files && !o->iface; i++) {
        R->inputs[i].name = files[i];
        open_input(R, &R->inputs[i]);
        n_open += R->inputs[i].opened;
    }
    if (o->iface) {
        R->inputs[0].name = o->iface;
        R->inputs[0].live = true;
        int lrc = rp_live(R);
        if (lrc != 0)
            return lrc; /* could not start: nothing to report, the reason is on stderr */
        n_open = 1;
    }
    /* Reports can be large (a json line per flow): write them in big blocks. */
    static char outbuf[1 << 20];
    if (!o->iface) /* live output was line buffered from the start (live.c) */
        setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    int status = 0;
    if (n_open == 0) {
        /* Nothing to report on: the errors above said why. */
        status = EXIT_USAGE;
    } else {
        if (!o->iface)
            replay(R);
        nlb_tracker_finish(R->t);
        int wr = 0;
        switch (o->format) {
        case RP_FMT_TEXT: wr = rp_write_text(R, stdout); break;
        case RP_FMT_JSON: wr = rp_write_json(R, stdout); break;
        case RP_FMT_CSV: wr = rp_write_csv(R, stdout); break;
        }
        if (fflush(stdout) != 0 || ferror(stdout) || wr != 0) {
            fprintf(stderr, "nlbreplay: writing the report: %s\n", strerror(errno));
            status = EXIT_USAGE;
        }
        if (o->svg && rp_write_svg(R, o->svg) != 0) {
            fprintf(stderr, "nlbreplay: %s: cannot write the SVG: %s\n", o->svg, strerror(errno));
            status = EXIT_USAGE;
        }
        if (o->fail_on >= 0 && status == 0) {
            size_t nd = nlb_tracker_diag_count(R->t);
            for (size_t i = 0; i < nd; i++)
                if ((int)nlb_tracker_diag(R->t, i)->severity >= o->fail_on) {
                    status = EXIT_FINDINGS;
                    break;
                }
        }
    }
    if (R->inputs_with_errors)
        status = EXIT_USAGE;

    return status;
}

/* One exit path for every allocation, usage errors included (ASan's leak check runs on them). */
static void cleanup(rp_run *R)
{
    for (size_t i = 0; i < R->n_inputs; i++) {
        if (R->inputs[i].has_prog)
            pcap_freecode(&R->inputs[i].prog);
        if (R->inputs[i].p)
            pcap_close(R->inputs[i].p);
    }
    for (size_t i = 0; i < R->n_series; i++)
        free(R->series[i].t);
    free(R->series);
    free(R->inputs);
    free((void *)R->opt.filter);
    free(R->rfiles);
    nlb_tracker_free(R->t);
    free(R->ff_num);
    free(R->ff_ts);
}

int main(int argc, char **argv)
{
    static rp_run run; /* static: large, and zeroed */
    int status = run_main(argc, argv, &run);
    cleanup(&run);
    return status;
}
