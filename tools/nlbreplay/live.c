/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay -i: live capture through the same tracker as file replay. What differs from a file
 * is time: nothing arrives when a host dies, so the tracker is ticked on the wall clock every
 * second, and diagnostics are re-derived then, so silence and unanswered VIPs surface while
 * they happen rather than at the end. The final report is the file mode's. */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include "out.h"
#include "session.h"

#define EXIT_USAGE 2
#define TICK_US INT64_C(1000000)
/* Ticks trail the wall clock a little: a frame stamped just before the tick may still sit in
 * the kernel ring, and the tracker never goes back in time for it. */
#define TICK_LAG_US INT64_C(100000)

/* The handler may only call pcap_breakloop(); the main loop learns of the signal from ppoll()
 * failing with EINTR (the stop signals are unblocked only inside ppoll) or from
 * pcap_dispatch() returning PCAP_ERROR_BREAK. */
static pcap_t *volatile g_live;

static void on_stop_signal(int sig)
{
    (void)sig;
    if (g_live)
        pcap_breakloop(g_live);
}

typedef struct live_ctx {
    rp_run *r;
    rp_input *in;
    pcap_t *p;
    pcap_dumper_t *dump;
    int fd;
    nlb_usec clock;
    bool watch, lines;
    uint64_t gen;                /* the tracker's generation when changes were last surfaced */
    nlb_change *chg;             /* the buffer nlb_tracker_changes fills */
    size_t chg_cap;
    rp_alerts alerts;
    int ioc_fd;                  /* for SIOCGIFFLAGS, -1 = none */
    bool link_up;
    bool count_reached;
    double start;                /* monotonic seconds */
    sigset_t old_mask, in_poll;  /* in_poll: what ppoll runs with, the stop signals unblocked */
    struct sigaction old_int, old_term;
} live_ctx;

static nlb_usec wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (nlb_usec)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    static nlb_packet pkt; /* large: reused, never on the stack per frame */
    live_ctx *c = (live_ctx *)user;
    rp_run *r = c->r;
    if (r->opt.count && r->fed >= r->opt.count)
        return;
    rp_input *in = c->in;
    in->frames++;
    in->matched++; /* the kernel applied the filter: every frame here matched */
    in->rec.data = bytes;
    in->rec.caplen = h->caplen;
    in->rec.len = h->len;
    in->rec.ts = (nlb_usec)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
    if (c->dump)
        pcap_dump((u_char *)c->dump, h, bytes);
    rp_feed(r, in, &pkt, &c->clock);
    if (r->opt.count && r->fed >= r->opt.count) {
        c->count_reached = true;
        pcap_breakloop(c->p);
    }
}

/* An error diagnostic runs the alert command when it appears or becomes an error. */
static void alert(live_ctx *c, const nlb_diag *d)
{
    if (!c->r->opt.alert_cmd)
        return;
    /* the command must not hold the capture socket or the -w file open */
    int fds[2] = {c->fd, c->dump ? fileno(pcap_dump_file(c->dump)) : -1};
    rp_alert_run(&c->alerts, c->r->opt.alert_cmd, d, fds, c->dump ? 2 : 1);
}

/* Print what the tracker changed since the last call: new events, and diagnostics when they
 * appear and again when their severity changes (a silence that ends drops from error to
 * warning; a burst becomes an error once the connections after it go unanswered). */
static void surface(live_ctx *c)
{
    const nlb_tracker *t = c->r->t;
    uint64_t gen;
    size_t n = nlb_tracker_changes(t, c->gen, c->chg, c->chg_cap, &gen);
    if (n > c->chg_cap) {
        size_t cap = n * 2;
        nlb_change *nc = realloc(c->chg, cap * sizeof *nc);
        if (!nc)
            return; /* try again next time */
        c->chg = nc;
        c->chg_cap = cap;
        n = nlb_tracker_changes(t, c->gen, c->chg, c->chg_cap, &gen);
    }
    c->gen = gen;
    bool json = c->r->opt.format == RP_FMT_JSON;
    for (size_t i = 0; i < n; i++) {
        const nlb_change *ch = &c->chg[i];
        if (ch->what == NLB_CHANGE_EVENT) {
            if ((ch->how & NLB_CHANGED_NEW) && c->lines) {
                if (json)
                    rp_json_event_line(stdout, c->r, ch->event);
                else
                    rp_text_event_line(stdout, c->r, ch->event);
            }
            continue;
        }
        if (!(ch->how & (NLB_CHANGED_NEW | NLB_CHANGED_SEVERITY)))
            continue;
        if (c->lines) {
            if (json)
                rp_json_diag_line(stdout, c->r, ch->diag);
            else
                rp_text_diag_line(stdout, c->r, ch->diag, c->r->opt.colour);
        }
        if (ch->diag->severity == NLB_SEV_ERROR)
            alert(c, ch->diag);
    }
}

/* libpcap waits quietly while the interface is down (it may come back): say when it happens,
 * on stderr and in the report's notes, since frames are missing meanwhile. */
static void check_link(live_ctx *c, nlb_usec now)
{
    struct ifreq ifr;
    if (c->ioc_fd < 0)
        return;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", c->r->opt.iface);
    if (ioctl(c->ioc_fd, SIOCGIFFLAGS, &ifr) != 0)
        return; /* gone altogether: pcap_dispatch() reports that */
    bool up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
    if (up == c->link_up)
        return;
    c->link_up = up;
    char ts[16], msg[RP_MSG];
    nlb_time_str(now, ts);
    if (up)
        snprintf(msg, sizeof msg, "link back up at %s UTC", ts);
    else
        snprintf(msg, sizeof msg, "link down at %s UTC (set down or no carrier): frames are missing until it is back", ts);
    fprintf(stderr, "nlbreplay: %s: %s\n", c->r->opt.iface, msg);
    if (c->in->n_notes < RP_MAX_NOTES)
        snprintf(c->in->notes[c->in->n_notes++], RP_MSG, "%s", msg);
}

static void terminal_size(unsigned *rows, unsigned *cols)
{
    struct winsize ws;
    *rows = 24;
    *cols = 80;
    if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
        *rows = ws.ws_row;
        *cols = ws.ws_col;
    }
}

static void redraw(live_ctx *c, nlb_usec now, double running)
{
    unsigned rows, cols;
    terminal_size(&rows, &cols);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return;
    rp_watch_screen(c->r, m, now, running, rows, cols);
    fclose(m);
    /* One write per refresh: home, the screen, clear what the previous one left below. */
    fputs("\033[H", stdout);
    fwrite(buf, 1, len, stdout);
    fputs("\033[J", stdout);
    fflush(stdout);
    free(buf);
}

/* Open the interface and the -w file, and take over SIGINT/SIGTERM; 0 or EXIT_USAGE. */
static int live_start(live_ctx *c)
{
    rp_run *r = c->r;
    const char *ifc = r->opt.iface;
    c->p = rp_live_open(r, c->in);
    if (!c->p)
        return EXIT_USAGE;
    c->fd = pcap_get_selectable_fd(c->p);
    if (c->fd < 0) {
        fprintf(stderr, "nlbreplay: %s: no selectable descriptor for this capture\n", ifc);
        pcap_close(c->p);
        return EXIT_USAGE;
    }
    if (r->opt.write_file) {
        c->dump = pcap_dump_open(c->p, r->opt.write_file);
        if (!c->dump) {
            fprintf(stderr, "nlbreplay: %s: cannot write: %s\n", r->opt.write_file, pcap_geterr(c->p));
            pcap_close(c->p);
            return EXIT_USAGE;
        }
    }
    c->in->opened = true;
    c->link_up = true; /* pcap_activate() refuses an interface that is down */
    c->ioc_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, &c->old_mask);
    c->in_poll = c->old_mask; /* the stop signals get through only inside ppoll */
    sigdelset(&c->in_poll, SIGINT);
    sigdelset(&c->in_poll, SIGTERM);
    g_live = c->p;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &c->old_int);
    sigaction(SIGTERM, &sa, &c->old_term);
    return 0;
}

static void live_failed(live_ctx *c, const char *what)
{
    snprintf(c->in->errors[c->in->n_errors++], RP_MSG, "capture failed: %s", what);
    c->r->inputs_with_errors++;
    c->r->stop_reason = "error";
}

/* Wait for frames until `until` (monotonic s) and feed them; the stop reason, or NULL to go on. */
static const char *live_wait(live_ctx *c, double until)
{
    double wait = until - mono_s();
    if (wait < 0)
        wait = 0;
    struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
    struct pollfd pfd = {c->fd, POLLIN, 0};
    int pr = ppoll(&pfd, 1, &ts, &c->in_poll);
    bool signalled = pr < 0 && errno == EINTR;
    if (pr < 0 && !signalled) {
        live_failed(c, strerror(errno));
        return "error";
    }
    int n = pcap_dispatch(c->p, -1, on_frame, (u_char *)c);
    surface(c);
    if (c->count_reached)
        return "count";
    if (signalled || n == PCAP_ERROR_BREAK)
        return "signal";
    if (n == PCAP_ERROR) {
        /* e.g. the interface went down or disappeared: report what was seen, exit 2 */
        fprintf(stderr, "nlbreplay: %s: capture failed: %s\n", c->r->opt.iface, pcap_geterr(c->p));
        live_failed(c, pcap_geterr(c->p));
        return "error";
    }
    return NULL;
}

/* Once a second: tick the tracker on the wall clock and surface what changed. */
static void live_tick(live_ctx *c, double now)
{
    rp_run *r = c->r;
    nlb_usec wall = wall_us();
    /* Before the first frame there is nothing whose silence could be detected. */
    if (r->fed)
        nlb_tracker_tick(r->t, wall - TICK_LAG_US);
    nlb_tracker_diagnose(r->t);
    surface(c);
    if (c->dump)
        pcap_dump_flush(c->dump); /* a capture killed with SIGKILL still leaves its frames */
    rp_alerts_reap(&c->alerts);
    check_link(c, wall);
    if (c->watch)
        redraw(c, wall, now - c->start);
}

static void live_loop(live_ctx *c)
{
    rp_run *r = c->r;
    double end = r->opt.duration > 0 ? c->start + r->opt.duration : 0;
    double next_tick = c->start + 1.0;
    for (;;) {
        double now = mono_s();
        if (end && now >= end) {
            r->stop_reason = "duration";
            return;
        }
        const char *stop = live_wait(c, end && end < next_tick ? end : next_tick);
        if (stop) {
            r->stop_reason = stop;
            return;
        }
        now = mono_s();
        if (now >= next_tick) {
            live_tick(c, now);
            next_tick += 1.0;
            if (next_tick < now)
                next_tick = now + 1.0; /* suspended or overloaded: no burst of catch-up ticks */
        }
    }
}

/* The state at the stop (silence up to now counts), the kernel's drop counts, and everything
 * live_start took over handed back. */
static void live_stop(live_ctx *c)
{
    rp_run *r = c->r;
    if (r->fed)
        nlb_tracker_tick(r->t, wall_us() - TICK_LAG_US);
    nlb_tracker_diagnose(r->t);
    surface(c);
    struct pcap_stat st;
    if (pcap_stats(c->p, &st) == 0) {
        c->in->dropped = st.ps_drop;
        c->in->ifdropped = st.ps_ifdrop;
    }
    if (c->dump) {
        pcap_dump_flush(c->dump);
        if (ferror(pcap_dump_file(c->dump))) {
            fprintf(stderr, "nlbreplay: %s: write error: %s\n", r->opt.write_file, strerror(errno));
            snprintf(c->in->errors[c->in->n_errors++], RP_MSG, "-w %s: write error", r->opt.write_file);
            r->inputs_with_errors++;
        }
        pcap_dump_close(c->dump);
        c->dump = NULL;
    }
    if (c->watch) {
        fputs("\033[?25h\033[?1049l", stdout);
        fflush(stdout);
    }
    g_live = NULL;
    sigaction(SIGINT, &c->old_int, NULL);
    sigaction(SIGTERM, &c->old_term, NULL);
    sigprocmask(SIG_SETMASK, &c->old_mask, NULL);
    pcap_close(c->p);
    c->p = NULL;
    if (c->ioc_fd >= 0)
        close(c->ioc_fd);
}

int rp_live(rp_run *r)
{
    /* Lines must leave as they happen (a pipe to a log shipper, a test reading them). */
    setvbuf(stdout, NULL, _IOLBF, 0);
    static live_ctx ctx;
    live_ctx *c = &ctx;
    memset(c, 0, sizeof *c);
    c->r = r;
    c->in = &r->inputs[0];
    c->clock = INT64_MIN;
    c->watch = isatty(1) && r->opt.format == RP_FMT_TEXT;
    c->lines = !c->watch && r->opt.format != RP_FMT_CSV;
    const char *ifc = r->opt.iface;
    int rc = live_start(c);
    if (rc != 0)
        return rc;
    if (!r->opt.quiet) {
        fprintf(stderr, "nlbreplay: capturing on %s (%s, promiscuous, snaplen %d)%s%s; Ctrl-C stops and reports\n",
                ifc, c->in->linkname, pcap_snapshot(c->p), r->opt.write_file ? ", saving to " : "",
                r->opt.write_file ? r->opt.write_file : "");
        fflush(stderr);
    }
    if (c->watch)
        fputs("\033[?1049h\033[?25l", stdout); /* alternate screen, no cursor: the report lands on the normal one */
    c->start = mono_s();
    if (c->watch)
        redraw(c, wall_us(), 0);
    live_loop(c);
    live_stop(c);
    if (!r->opt.quiet)
        fprintf(stderr, "nlbreplay: %s: stopped (%s) after %.1f s: %llu frames, %llu dropped by the kernel%s%s\n", ifc,
                r->stop_reason, mono_s() - c->start, (unsigned long long)r->fed, (unsigned long long)c->in->dropped,
                r->opt.write_file ? ", saved to " : "", r->opt.write_file ? r->opt.write_file : "");
    free(c->chg);
    return 0;
}
