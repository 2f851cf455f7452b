/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the live watch screen (-i on a terminal), redrawn every second. */
#include <stdio.h>
#include <string.h>

#include "out.h"

#define FLOW_WINDOW_US INT64_C(10000000)

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

/* One cluster: its state, its hosts, and its recent VIP connections. */
static void watch_cluster(const rp_run *r, const nlb_cluster_info *cl, FILE *f, nlb_usec now, unsigned *rowp,
                          unsigned body, unsigned cols)
{
    char line[1200];
    unsigned row = *rowp;
    size_t nfl = nlb_tracker_flow_count(r->t);
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
        const char *st = hi->state == NLB_HOST_SILENT ? "SILENT" : nlb_host_state_name(hi->state);
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
        if (fl->verdict == NLB_FLOW_UNANSWERED)
            unans++;
    }
    snprintf(line, sizeof line, " VIP connections in the last 10 s: %u new, %u unanswered%s", fresh, unans,
             unans ? "  <<<" : "");
    put_line(f, &row, body, cols, line);
    *rowp = row;
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
    size_t nc = nlb_tracker_cluster_count(r->t);
    if (nc == 0) {
        put_line(f, &row, body, cols, "");
        put_line(f, &row, body, cols, "No NLB cluster seen yet (heartbeats, or ARP for a VIP with a cluster MAC).");
    }
    for (size_t ci = 0; ci < nc; ci++)
        watch_cluster(r, nlb_tracker_cluster(r->t, ci), f, now, &row, body, cols);
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
