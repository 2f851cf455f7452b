/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay -i: live capture through the same tracker as file replay. What differs from a file
 * is time: nothing arrives when a host dies, so the tracker is ticked on the wall clock every
 * second, and diagnostics are re-derived then, so silence and unanswered VIPs surface while
 * they happen rather than at the end. The final report is the file mode's, written by main.c. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nlbreplay.h"

#define EXIT_USAGE 2
#define TICK_US INT64_C(1000000)
/* Ticks trail the wall clock a little: a frame stamped just before the tick may still sit in
 * the kernel ring, and the tracker never goes back in time for it. */
#define TICK_LAG_US INT64_C(100000)
/* What the tracker reads: the largest NLB frame is a 1510-byte heartbeat (1518 with two VLAN
 * tags); flows need only their headers. Frames saved with -w are kept whole for other tools. */
#define LIVE_SNAPLEN 1600
#define LIVE_SNAPLEN_SAVE 65535
/* The kernel ring: at 1.5 M minimum-size frames/s (~150 bytes each in a TPACKET_V3 block)
 * 64 MiB absorbs ~0.3 s of the tracker not reading (a slow terminal, an alert command). */
#define LIVE_BUFFER_BYTES (64 << 20)
/* Immediate mode off: libpcap then uses TPACKET_V3, whose blocks pack frames at their length
 * and are handed over when full or this old (immediate mode would fall back to TPACKET_V2,
 * one fixed snaplen-sized slot per frame: ~30 slots of a 2 MiB ring at snaplen 65535). Below
 * TICK_LAG_US, so a tick never passes a frame still in the ring. */
#define LIVE_BLOCK_TIMEOUT_MS 50
#define MAX_ALERT_CHILDREN 16
#define FLOW_WINDOW_US INT64_C(10000000)

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

/* What was already printed: the tracker re-derives its diagnostics from scratch on every
 * nlb_tracker_diagnose() and inserts late-detected events in the past, so "new" is decided
 * here by identity, not by index. */
typedef struct seen_key {
    nlb_usec time;
    uint32_t vip;
    uint16_t a, b;               /* event: kind, host; diagnostic: code, ordinal */
    int8_t severity;             /* diagnostics: last severity printed */
    bool alerted;
} seen_key;

typedef struct seen_set {
    size_t n, cap;
    seen_key *k;
} seen_set;

static int key_cmp(const seen_key *x, const seen_key *y)
{
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->vip != y->vip)
        return x->vip < y->vip ? -1 : 1;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

/* The entry equal to *k, inserting it (severity -1, not alerted) when absent; NULL on no memory. */
static seen_key *seen_get(seen_set *s, const seen_key *k, bool *added)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = key_cmp(&s->k[mid], k);
        if (c == 0) {
            *added = false;
            return &s->k[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        seen_key *nk = realloc(s->k, nc * sizeof *nk);
        if (!nk)
            return NULL;
        s->k = nk;
        s->cap = nc;
    }
    memmove(&s->k[lo + 1], &s->k[lo], (s->n - lo) * sizeof *s->k);
    s->n++;
    s->k[lo] = *k;
    s->k[lo].severity = -1;
    s->k[lo].alerted = false;
    *added = true;
    return &s->k[lo];
}

typedef struct live_ctx {
    rp_run *r;
    rp_input *in;
    pcap_t *p;
    pcap_dumper_t *dump;
    int fd;
    nlb_usec clock;
    bool watch, lines;
    seen_set ev_seen, dg_seen;
    size_t ev_count_seen;        /* nlb_tracker_event_count() when events were last surfaced */
    unsigned children;
    int ioc_fd;                  /* for SIOCGIFFLAGS, -1 = none */
    bool link_up;
    bool alert_full_said;
    bool count_reached;
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
    in->hdr = (struct pcap_pkthdr *)h;
    in->data = bytes;
    in->ts = (nlb_usec)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
    if (c->dump)
        pcap_dump((u_char *)c->dump, h, bytes);
    rp_feed(r, in, &pkt, &c->clock);
    if (r->opt.count && r->fed >= r->opt.count) {
        c->count_reached = true;
        pcap_breakloop(c->p);
    }
}

static void reap(live_ctx *c)
{
    int st;
    while (c->children > 0 && waitpid(-1, &st, WNOHANG) > 0)
        c->children--;
}

/* ISO 8601 in UTC: sortable, and `date -d` reads it. */
static void iso_time(nlb_usec t, char *buf, size_t len)
{
    char dt[32];
    rp_datetime_str(t, dt);
    dt[10] = 'T';
    snprintf(buf, len, "%sZ", dt);
}

static void run_alert(live_ctx *c, const nlb_diag *d)
{
    reap(c);
    if (c->children >= MAX_ALERT_CHILDREN) {
        /* A hung alert command must not pile up processes; the diagnostic is still printed. */
        if (!c->alert_full_said)
            fprintf(stderr, "nlbreplay: --alert-cmd: %d commands still running, not starting more\n",
                    MAX_ALERT_CHILDREN);
        c->alert_full_said = true;
        return;
    }
    char msg[1024], when[40];
    nlb_diag_format(d, msg, sizeof msg);
    iso_time(d->time, when, sizeof when);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "nlbreplay: --alert-cmd: cannot start: %s\n", strerror(errno));
        return;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        /* The command must not hold the capture socket or the -w file open after we stop,
         * and its output must not interleave with the JSON lines on stdout. */
        close(c->fd);
        if (c->dump)
            close(fileno(pcap_dump_file(c->dump)));
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(2, 1);
        setenv("NLB_CODE", nlb_diag_code_str(d->code), 1);
        setenv("NLB_SEVERITY", nlb_severity_name(d->severity), 1);
        setenv("NLB_MESSAGE", msg, 1);
        setenv("NLB_TIME", when, 1);
        execl("/bin/sh", "sh", "-c", c->r->opt.alert_cmd, (char *)NULL);
        _exit(127);
    }
    c->children++;
}

static void surface_events(live_ctx *c)
{
    const nlb_tracker *t = c->r->t;
    size_t n = nlb_tracker_event_count(t);
    if (n == c->ev_count_seen)
        return; /* events are only ever appended */
    c->ev_count_seen = n;
    for (size_t i = 0; i < n; i++) {
        const nlb_event *ev = nlb_tracker_event(t, i);
        seen_key k = {ev->time, ev->vip, (uint16_t)ev->kind, ev->host, 0, false};
        bool added;
        if (!seen_get(&c->ev_seen, &k, &added) || !added)
            continue;
        if (!c->lines)
            continue;
        if (c->r->opt.format == RP_FMT_JSON)
            rp_json_event_line(stdout, ev);
        else
            rp_text_event_line(stdout, ev);
    }
}

static void surface_diags(live_ctx *c)
{
    const nlb_tracker *t = c->r->t;
    size_t n = nlb_tracker_diag_count(t);
    for (size_t i = 0; i < n; i++) {
        const nlb_diag *d = nlb_tracker_diag(t, i);
        /* Diagnostics come sorted by time: the ones sharing this one's time are just before it,
         * and the derivation order among them is stable, so an ordinal tells them apart. */
        uint16_t ord = 0;
        for (size_t j = i; j-- > 0;) {
            const nlb_diag *p = nlb_tracker_diag(t, j);
            if (p->time != d->time)
                break;
            ord += p->code == d->code && p->vip == d->vip;
        }
        seen_key k = {d->time, d->vip, (uint16_t)d->code, ord, 0, false};
        bool added;
        seen_key *s = seen_get(&c->dg_seen, &k, &added);
        if (!s)
            continue;
        /* A diagnostic is printed when it appears and again when its severity changes (a
         * silence that ends drops from error to warning; a burst becomes an error once the
         * connections after it go unanswered). */
        if (s->severity != (int8_t)d->severity) {
            s->severity = (int8_t)d->severity;
            if (c->lines) {
                if (c->r->opt.format == RP_FMT_JSON)
                    rp_json_diag_line(stdout, d);
                else
                    rp_text_diag_line(stdout, d, c->r->opt.colour);
            }
        }
        if (d->severity == NLB_SEV_ERROR && !s->alerted) {
            s->alerted = true;
            if (c->r->opt.alert_cmd)
                run_alert(c, d);
        }
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

static void list_interfaces(char *out, size_t len)
{
    pcap_if_t *all = NULL;
    char err[PCAP_ERRBUF_SIZE];
    out[0] = '\0';
    if (pcap_findalldevs(&all, err) != 0 || !all)
        return;
    size_t o = 0;
    unsigned n = 0;
    for (pcap_if_t *d = all; d && o < len; d = d->next) {
        /* pcap also lists pseudo devices (nflog, dbus-system, usbmon..): name network ones only */
        if (!strcmp(d->name, "any") || (d->flags & PCAP_IF_LOOPBACK) || if_nametoindex(d->name) == 0)
            continue;
        if (n == 12) {
            o += (size_t)snprintf(out + o, len - o, ", ...");
            break;
        }
        o += (size_t)snprintf(out + o, len - o, "%s%s", n ? ", " : "", d->name);
        n++;
    }
    pcap_freealldevs(all);
}

static void activate_error(const char *ifc, int rc, pcap_t *p)
{
    const char *detail = pcap_geterr(p);
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE: {
        char names[512];
        list_interfaces(names, sizeof names);
        if (names[0])
            fprintf(stderr, "nlbreplay: %s: no such interface (interfaces here: %s)\n", ifc, names);
        else
            fprintf(stderr, "nlbreplay: %s: no such interface ('ip link' lists them)\n", ifc);
        break;
    }
    case PCAP_ERROR_PERM_DENIED:
        fprintf(stderr, "nlbreplay: %s: permission denied: live capture needs CAP_NET_RAW (and CAP_NET_ADMIN "
                "for promiscuous mode); run it as root, or grant them once with "
                "'setcap cap_net_raw,cap_net_admin=eip $(command -v nlbreplay)' (%s)\n", ifc, detail);
        break;
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        fprintf(stderr, "nlbreplay: %s: permission denied for promiscuous mode: it needs CAP_NET_ADMIN "
                "(capturing itself needs CAP_NET_RAW) (%s)\n", ifc, detail);
        break;
    case PCAP_ERROR_IFACE_NOT_UP:
        fprintf(stderr, "nlbreplay: %s: the interface is down; bring it up first (ip link set %s up)\n", ifc, ifc);
        break;
#ifdef PCAP_ERROR_CAPTURE_NOTSUP
    case PCAP_ERROR_CAPTURE_NOTSUP:
        fprintf(stderr, "nlbreplay: %s: this interface does not support packet capture (%s)\n", ifc, detail);
        break;
#endif
    default:
        fprintf(stderr, "nlbreplay: %s: cannot capture: %s%s%s\n", ifc, pcap_statustostr(rc),
                detail && *detail ? ": " : "", detail && *detail ? detail : "");
        break;
    }
}

static void activate_warning(const char *ifc, int rc, pcap_t *p)
{
    if (rc == PCAP_WARNING_PROMISC_NOTSUP)
        fprintf(stderr, "nlbreplay: %s: warning: promiscuous mode is not supported here: only frames for this "
                "host, broadcast and multicast are seen, unicast NLB traffic only while the switch floods it\n", ifc);
    else
        fprintf(stderr, "nlbreplay: %s: warning: %s\n", ifc, pcap_geterr(p));
}

static int live_snaplen(const rp_run *r)
{
    return r->opt.write_file ? LIVE_SNAPLEN_SAVE : LIVE_SNAPLEN;
}

/* Open, configure and activate; NULL after printing why (exit 2). */
static pcap_t *open_live(rp_run *r, rp_input *in)
{
    const char *ifc = r->opt.iface;
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(ifc, err);
    if (!p) {
        fprintf(stderr, "nlbreplay: %s: cannot capture: %s\n", ifc, err);
        return NULL;
    }
    pcap_set_snaplen(p, live_snaplen(r));
    pcap_set_promisc(p, 1);
    pcap_set_immediate_mode(p, 0);
    pcap_set_buffer_size(p, LIVE_BUFFER_BYTES);
    pcap_set_timeout(p, LIVE_BLOCK_TIMEOUT_MS);
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
    int rc = pcap_activate(p);
    if (rc < 0) {
        activate_error(ifc, rc, p);
        pcap_close(p);
        return NULL;
    }
    if (rc > 0)
        activate_warning(ifc, rc, p);
    in->linktype = pcap_datalink(p);
    const char *ln = pcap_datalink_val_to_name(in->linktype);
    snprintf(in->linkname, sizeof in->linkname, "%s", ln ? ln : "unknown");
    if (!nlb_linktype_supported(in->linktype)) {
        fprintf(stderr, "nlbreplay: %s: unsupported link type %s (%d): nlbreplay reads Ethernet, Linux cooked "
                "(SLL) and SLL2\n", ifc, in->linkname, in->linktype);
        pcap_close(p);
        return NULL;
    }
    if (r->opt.filter) {
        struct bpf_program prog;
        bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
        if (pcap_lookupnet(ifc, &net, &mask, err) != 0)
            mask = PCAP_NETMASK_UNKNOWN; /* only "ip broadcast" needs it */
        if (pcap_compile(p, &prog, r->opt.filter, 1, mask) != 0) {
            fprintf(stderr, "nlbreplay: %s: filter '%s': %s\n", ifc, r->opt.filter, pcap_geterr(p));
            pcap_close(p);
            return NULL;
        }
        rc = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (rc != 0) {
            fprintf(stderr, "nlbreplay: %s: filter '%s': %s\n", ifc, r->opt.filter, pcap_geterr(p));
            pcap_close(p);
            return NULL;
        }
    }
    if (pcap_setnonblock(p, 1, err) != 0) {
        fprintf(stderr, "nlbreplay: %s: %s\n", ifc, err);
        pcap_close(p);
        return NULL;
    }
    return p;
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

    c->p = open_live(r, c->in);
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

    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, &old);
    sigset_t in_poll = old; /* what ppoll runs with: the stop signals get through only there */
    sigdelset(&in_poll, SIGINT);
    sigdelset(&in_poll, SIGTERM);
    g_live = c->p;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    if (!r->opt.quiet) {
        fprintf(stderr, "nlbreplay: capturing on %s (%s, promiscuous, snaplen %d)%s%s; Ctrl-C stops and reports\n",
                ifc, c->in->linkname, pcap_snapshot(c->p), r->opt.write_file ? ", saving to " : "",
                r->opt.write_file ? r->opt.write_file : "");
        fflush(stderr);
    }
    if (c->watch)
        fputs("\033[?1049h\033[?25l", stdout); /* alternate screen, no cursor: the report lands on the normal one */

    double start = mono_s();
    double end = r->opt.duration > 0 ? start + r->opt.duration : 0;
    double next_tick = start + 1.0;
    if (c->watch)
        redraw(c, wall_us(), 0);
    for (;;) {
        double now = mono_s();
        if (end && now >= end) {
            r->stop_reason = "duration";
            break;
        }
        double until = next_tick;
        if (end && end < until)
            until = end;
        double wait = until - now;
        if (wait < 0)
            wait = 0;
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        struct pollfd pfd = {c->fd, POLLIN, 0};
        int pr = ppoll(&pfd, 1, &ts, &in_poll);
        bool signalled = pr < 0 && errno == EINTR;
        if (pr < 0 && !signalled) {
            snprintf(c->in->errors[c->in->n_errors++], RP_MSG, "capture failed: %s", strerror(errno));
            r->inputs_with_errors++;
            r->stop_reason = "error";
            break;
        }
        int n = pcap_dispatch(c->p, -1, on_frame, (u_char *)c);
        surface_events(c);
        if (c->count_reached) {
            r->stop_reason = "count";
            break;
        }
        if (signalled || n == PCAP_ERROR_BREAK) {
            r->stop_reason = "signal";
            break;
        }
        if (n == PCAP_ERROR) {
            /* e.g. the interface went down or disappeared: report what was seen, exit 2 */
            fprintf(stderr, "nlbreplay: %s: capture failed: %s\n", ifc, pcap_geterr(c->p));
            snprintf(c->in->errors[c->in->n_errors++], RP_MSG, "capture failed: %s", pcap_geterr(c->p));
            r->inputs_with_errors++;
            r->stop_reason = "error";
            break;
        }
        now = mono_s();
        if (now >= next_tick) {
            nlb_usec wall = wall_us();
            /* Before the first frame there is nothing whose silence could be detected. */
            if (r->fed)
                nlb_tracker_tick(r->t, wall - TICK_LAG_US);
            nlb_tracker_diagnose(r->t);
            surface_events(c);
            surface_diags(c);
            if (c->dump)
                pcap_dump_flush(c->dump); /* a capture killed with SIGKILL still leaves its frames */
            reap(c);
            check_link(c, wall);
            if (c->watch)
                redraw(c, wall, now - start);
            next_tick += 1.0;
            if (next_tick < now)
                next_tick = now + 1.0; /* suspended or overloaded: no burst of catch-up ticks */
        }
    }

    /* The report describes the state at the stop: silence up to now counts. */
    if (r->fed)
        nlb_tracker_tick(r->t, wall_us() - TICK_LAG_US);
    nlb_tracker_diagnose(r->t);
    surface_events(c);
    surface_diags(c);
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
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    pcap_close(c->p);
    c->p = NULL;
    if (c->ioc_fd >= 0)
        close(c->ioc_fd);
    if (!r->opt.quiet)
        fprintf(stderr, "nlbreplay: %s: stopped (%s) after %.1f s: %llu frames, %llu dropped by the kernel%s%s\n", ifc,
                r->stop_reason, mono_s() - start, (unsigned long long)r->fed, (unsigned long long)c->in->dropped,
                r->opt.write_file ? ", saved to " : "", r->opt.write_file ? r->opt.write_file : "");
    free(c->ev_seen.k);
    free(c->dg_seen.k);
    return 0;
}

/* ---------- the watch screen ---------- */

static void fmt_age(nlb_usec d, char *buf, size_t len)
{
    if (d < 0)
        d = 0;
    double s = d / 1e6;
    if (s < 100)
        snprintf(buf, len, "%.1fs", s);
    else if (s < 6000)
        snprintf(buf, len, "%.0fm", s / 60);
    else
        snprintf(buf, len, "%.0fh", s / 3600);
}

/* A line cut to the terminal width (bytes; the wording is ASCII). */
static void put_line(FILE *f, unsigned *row, unsigned rows, unsigned cols, const char *s)
{
    if (*row >= rows)
        return;
    fprintf(f, "%.*s\033[K\n", (int)cols, s);
    (*row)++;
}

void rp_watch_screen(const rp_run *r, FILE *f, nlb_usec now, double running_s, unsigned rows, unsigned cols)
{
    char line[1200], a[32], b[32];
    unsigned row = 0;
    unsigned body = rows > 2 ? rows - 1 : rows; /* the last row holds the hint */
    const rp_input *in = &r->inputs[0];
    unsigned run = (unsigned)running_s;
    snprintf(line, sizeof line, "nlbreplay -i %s   %s UTC   running %u:%02u:%02u   %llu frames", in->name,
             nlb_time_str(now, a), run / 3600, run / 60 % 60, run % 60, (unsigned long long)r->fed);
    put_line(f, &row, body, cols, line);
    if (r->opt.filter || r->opt.write_file) {
        snprintf(line, sizeof line, "%s%s%s%s", r->opt.filter ? "filter: " : "", r->opt.filter ? r->opt.filter : "",
                 r->opt.write_file ? (r->opt.filter ? "   saving to " : "saving to ") : "",
                 r->opt.write_file ? r->opt.write_file : "");
        put_line(f, &row, body, cols, line);
    }
    nlb_usec limit = (nlb_usec)r->cfg.period_ms * 1000 * r->cfg.tolerance;
    size_t nc = nlb_tracker_cluster_count(r->t);
    if (nc == 0) {
        put_line(f, &row, body, cols, "");
        put_line(f, &row, body, cols, "No NLB cluster seen yet (heartbeats, or ARP for a VIP with a cluster MAC).");
    }
    size_t nfl = nlb_tracker_flow_count(r->t);
    for (size_t ci = 0; ci < nc; ci++) {
        const nlb_cluster_info *cl = nlb_tracker_cluster(r->t, ci);
        char vip[16], mac[18], state[96];
        const nlb_convergence *cv = cl->n_convergence ? &cl->convergence[cl->n_convergence - 1] : NULL;
        if (cv && cv->end == 0) {
            char d[16];
            fmt_age(now - cv->start, d, sizeof d);
            snprintf(state, sizeof state, "CONVERGING for %s", d);
        } else {
            snprintf(state, sizeof state, "converged");
        }
        put_line(f, &row, body, cols, "");
        snprintf(line, sizeof line, "Cluster %s  %s  %s  %u host%s  %s", nlb_ip4_str(cl->vip, vip),
                 nlb_mode_name(cl->mode), nlb_mac_str(cl->cluster_mac, mac), cl->n_hosts, cl->n_hosts == 1 ? "" : "s",
                 state);
        put_line(f, &row, body, cols, line);
        if (cl->n_hosts)
            put_line(f, &row, body, cols, " pri dedicated IP      heartbeats  last hb  max gap  state");
        for (unsigned h = 0; h < cl->n_hosts; h++) {
            const nlb_host_info *hi = &cl->hosts[h];
            char ip[16], age[16], gap[16];
            fmt_age(now - hi->last_seen, age, sizeof age);
            fmt_age(hi->max_gap, gap, sizeof gap);
            const char *st = hi->silent ? "SILENT" : now - hi->last_seen > limit ? "SILENT?" : "ok";
            snprintf(line, sizeof line, " %3u %-15s %10llu  %7s  %7s  %s", hi->priority,
                     nlb_ip4_str(hi->dedicated_ip, ip), (unsigned long long)hi->heartbeats, age, gap, st);
            put_line(f, &row, body, cols, line);
        }
        /* Connections judged in the last 10 s: new ones old enough to have been answered. */
        nlb_usec hi_t = now - r->cfg.answer_timeout, lo_t = hi_t - FLOW_WINDOW_US;
        unsigned fresh = 0, unans = 0;
        for (size_t i = nfl; i-- > 0;) {
            const nlb_flow_info *fl = nlb_tracker_flow(r->t, i);
            if (fl->first_seen < lo_t)
                break;
            if (fl->first_seen >= hi_t || fl->vip.family != 4 || nlb_ipaddr_to_v4(&fl->vip) != cl->vip)
                continue;
            fresh++;
            if (fl->syns && !fl->answered)
                unans++;
        }
        snprintf(line, sizeof line, " VIP connections in the last 10 s: %u new, %u unanswered%s", fresh, unans,
                 unans ? "  <<<" : "");
        put_line(f, &row, body, cols, line);
    }
    size_t nd = nlb_tracker_diag_count(r->t);
    put_line(f, &row, body, cols, "");
    snprintf(line, sizeof line, "Diagnostics: %zu%s", nd, nd ? " (newest first)" : "");
    put_line(f, &row, body, cols, line);
    for (size_t i = nd; i-- > 0 && row < body;) {
        const nlb_diag *d = nlb_tracker_diag(r->t, i);
        char msg[1024];
        nlb_diag_format(d, msg, sizeof msg);
        snprintf(line, sizeof line, "  %-7s %s %s %s", nlb_severity_name(d->severity), nlb_diag_code_str(d->code),
                 nlb_time_str(d->time, b), msg);
        put_line(f, &row, body, cols, line);
    }
    while (row < body)
        put_line(f, &row, body, cols, "");
    fprintf(f, "%.*s\033[K", (int)cols, "Ctrl-C: stop and print the report");
}
