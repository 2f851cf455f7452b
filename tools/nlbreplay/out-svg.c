/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: --svg, a self-contained timeline (no scripts, no external styles or fonts).
 * One <g class="host"> per host with its heartbeat ticks and highlighted gaps, convergence
 * episodes shaded over the cluster's rows, failover bursts as vertical marks, and the number
 * of unanswered VIP flows per time bucket as a bar chart at the bottom. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

#define W 1000
#define X0 200              /* plot starts after the host labels */
#define X1 (W - 20)
#define ROW 20
#define TICK_H 12
#define BAR_H 60
#define MAX_BUCKETS ((X1 - X0) / 2) /* bars at least 2 px wide */

typedef struct sv {
    FILE *f;
    nlb_usec t0, t1;
} sv;

static double xpos(const sv *s, nlb_usec t)
{
    if (t < s->t0)
        t = s->t0;
    if (t > s->t1)
        t = s->t1;
    return X0 + (double)(t - s->t0) * (X1 - X0) / (double)(s->t1 - s->t0);
}

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            /* XML 1.0 forbids most control characters even escaped. */
            if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
                fputc(*s, f);
            break;
        }
    }
}

static const rp_series *find_series(const rp_run *r, uint32_t vip, uint8_t prio)
{
    for (size_t i = 0; i < r->n_series; i++)
        if (r->series[i].vip == vip && r->series[i].prio == prio)
            return &r->series[i];
    return NULL;
}

static void axis(const sv *s, int y, int height)
{
    static const long steps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
                                 43200, 86400, 172800, 604800};
    double span = (double)(s->t1 - s->t0) / 1e6;
    long step = 0;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && !step; i++)
        if (span / (double)steps[i] <= 8)
            step = steps[i];
    if (!step)
        for (step = steps[sizeof steps / sizeof steps[0] - 1]; span / (double)step > 8;)
            step *= 2;
    nlb_usec us = (nlb_usec)step * 1000000;
    nlb_usec t = (s->t0 + us - 1) / us * us;
    fprintf(s->f, "<g class=\"axis\">\n");
    for (; t <= s->t1; t += us) {
        char ts[32];
        if (step >= 86400) {
            rp_datetime_str(t, ts);
            ts[10] = '\0'; /* whole days: the date */
        } else {
            nlb_time_str(t, ts);
            ts[8] = '\0'; /* whole seconds on the axis */
        }
        double x = xpos(s, t);
        fprintf(s->f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>", x, y, x, y + height);
        fprintf(s->f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, y - 4, ts);
    }
    fprintf(s->f, "</g>\n");
}

static void host_row(const sv *s, const rp_run *r, const nlb_cluster_info *c, const nlb_host_info *h, int y)
{
    FILE *f = s->f;
    char ip[16], vip[16], mac[18], ls[16];
    nlb_ip4_str(h->dedicated_ip, ip);
    nlb_ip4_str(c->vip, vip);
    fprintf(f, "<g class=\"host\" data-vip=\"%s\" data-priority=\"%u\">\n", vip, h->priority);
    fprintf(f, "<title>host %u %s %s: %llu heartbeats, last %s, %s</title>\n", h->priority, ip,
            nlb_mac_str(h->mac, mac), (unsigned long long)h->heartbeats, nlb_time_str(h->last_seen, ls),
            h->state == NLB_HOST_UNSEEN ? "unseen after the capture stopped seeing the cluster"
            : h->state == NLB_HOST_SILENT ? "SILENT at the end" : nlb_host_state_name(h->state));
    fprintf(f, "<text x=\"8\" y=\"%d\"%s>host %u  %s</text>\n", y + 14, h->state == NLB_HOST_SILENT ? " fill=\"#c00\"" : "",
            h->priority, ip);
    fprintf(f, "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f6f6f6\"/>\n", X0, y + 2,
            X1 - X0, ROW - 4);

    const rp_series *se = find_series(r, c->vip, h->priority);
    nlb_usec limit = c->silence_limit;
    if (se && se->n) {
        /* Gaps first so the ticks draw over them. */
        for (size_t i = 1; i < se->n; i++) {
            nlb_usec d = se->t[i] - se->t[i - 1];
            if (d > limit) {
                double a = xpos(s, se->t[i - 1]), b = xpos(s, se->t[i]);
                fprintf(f, "<rect class=\"gap\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#e33\" "
                        "fill-opacity=\"0.5\"><title>no heartbeat for %.1f s</title></rect>\n",
                        a, y + 2, b - a > 1 ? b - a : 1, ROW - 4, d / 1e6);
            }
        }
        if (h->state == NLB_HOST_SILENT && s->t1 > se->t[se->n - 1]) {
            double a = xpos(s, se->t[se->n - 1]);
            fprintf(f, "<rect class=\"gap\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#e33\" "
                    "fill-opacity=\"0.5\"><title>silent until the end of the capture (%.1f s)</title></rect>\n",
                    a, y + 2, X1 - a > 1 ? X1 - a : 1, ROW - 4, (s->t1 - se->t[se->n - 1]) / 1e6);
        }
        /* One path for all ticks, at most one per pixel column: a day of heartbeats stays small. */
        fprintf(f, "<path class=\"hb\" stroke=\"#246\" stroke-width=\"1\" d=\"");
        long lastpx = -1;
        for (size_t i = 0; i < se->n; i++) {
            double x = xpos(s, se->t[i]);
            long px = (long)(x * 2);
            if (px == lastpx)
                continue;
            lastpx = px;
            fprintf(f, "M%.1f %dv%d", x, y + (ROW - TICK_H) / 2, TICK_H);
        }
        fprintf(f, "\"/>\n");
    }
    fprintf(f, "</g>\n");
}

/* One group per cluster: a lane per host, convergence drawn over the lanes. */
static void svg_clusters(const sv *sp, const rp_run *r, int top)
{
    const sv s = *sp;
    FILE *f = s.f;
    size_t nc = nlb_tracker_cluster_count(r->t);
    int y = top;
    for (size_t ci = 0; ci < nc; ci++) {
        const nlb_cluster_info *c = nlb_tracker_cluster(r->t, ci);
        char vip[16];
        fprintf(f, "<g class=\"cluster\" data-vip=\"%s\">\n", nlb_ip4_str(c->vip, vip));
        fprintf(f, "<text x=\"8\" y=\"%d\" font-weight=\"bold\">%s (%s)</text>\n", y + 14, vip, nlb_mode_name(c->mode));
        y += ROW;
        for (unsigned h = 0; h < c->n_hosts; h++, y += ROW)
            host_row(&s, r, c, &c->hosts[h], y);
        /* Drawn over the lanes, translucent, so the ticks stay visible through it. */
        int rows_y = y - (int)c->n_hosts * ROW;
        int rows_h = (int)c->n_hosts * ROW;
        for (unsigned k = 0; k < c->n_convergence && rows_h > 0; k++) {
            const nlb_convergence *cv = &c->convergence[k];
            double xa = xpos(&s, cv->start), xb = xpos(&s, cv->end ? cv->end : s.t1);
            char trig[64];
            nlb_conv_trigger_format(cv, trig, sizeof trig);
            fprintf(f, "<rect class=\"convergence\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#f90\" "
                    "fill-opacity=\"0.25\"><title>convergence: %s</title></rect>\n", xa, rows_y,
                    xb - xa > 1 ? xb - xa : 1, rows_h, trig);
        }
        fprintf(f, "</g>\n");
    }
}

/* Failover bursts as vertical marks across the lanes. */
static void svg_bursts(const sv *sp, const rp_run *r, int top, int plot_h)
{
    const sv s = *sp;
    FILE *f = s.f;
    size_t ne = nlb_tracker_event_count(r->t);
    fprintf(f, "<g class=\"bursts\">\n");
    /* Long captures can hold hundreds of bursts: one mark per pixel, labels where they fit. */
    double last_x = -1e9, last_label = -1e9;
    for (size_t i = 0; i < ne; i++) {
        const nlb_event *ev = nlb_tracker_event(r->t, i);
        if (ev->kind != NLB_EV_FAILOVER_BURST)
            continue;
        double x = xpos(&s, ev->time);
        if (x - last_x < 1)
            continue;
        last_x = x;
        char det[512];
        nlb_event_format(ev, det, sizeof det);
        fprintf(f, "<line class=\"burst\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#80c\" "
                "stroke-width=\"2\"><title>", x, top, x, top + plot_h);
        esc(f, det);
        fprintf(f, "</title></line>\n");
        if (x - last_label >= 60) {
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" fill=\"#80c\">failover</text>\n", x + 3, top + plot_h + 12);
            last_label = x;
        }
    }
    fprintf(f, "</g>\n");
}

static void svg_unanswered(const sv *sp, const rp_run *r, int chart_y)
{
    const sv s = *sp;
    FILE *f = s.f;
    /* Unanswered VIP flows per bucket of 10 s (wider when the capture is long). */
    nlb_usec bucket = 10000000;
    while ((s.t1 - s.t0) / bucket + 2 > MAX_BUCKETS)
        bucket *= 2;
    /* Buckets on round times (05:42:30, not 05:42:30.050): they read like the axis. */
    nlb_usec b0 = s.t0 - ((s.t0 % bucket) + bucket) % bucket;
    size_t nb = (size_t)((s.t1 - b0) / bucket + 1);
    unsigned *cnt = calloc(nb, sizeof *cnt);
    unsigned maxc = 0;
    size_t nf = nlb_tracker_flow_count(r->t);
    for (size_t i = 0; cnt && i < nf; i++) {
        const nlb_flow_info *fl = nlb_tracker_flow(r->t, i);
        if (fl->verdict != NLB_FLOW_UNANSWERED || fl->first_seen < s.t0)
            continue;
        size_t k = (size_t)((fl->first_seen - b0) / bucket);
        if (k < nb && ++cnt[k] > maxc)
            maxc = cnt[k];
    }
    fprintf(f, "<g class=\"unanswered\">\n");
    fprintf(f, "<text x=\"8\" y=\"%d\">unanswered VIP flows</text>\n", chart_y + 14);
    fprintf(f, "<text x=\"8\" y=\"%d\" fill=\"#555\">per %lld s, max %u</text>\n", chart_y + 28,
            (long long)(bucket / 1000000), maxc);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", X0, chart_y + BAR_H, X1,
            chart_y + BAR_H);
    for (size_t k = 0; cnt && k < nb; k++) {
        if (!cnt[k])
            continue;
        nlb_usec ta = b0 + (nlb_usec)k * bucket;
        double xa = xpos(&s, ta), xb = xpos(&s, ta + bucket);
        double hgt = (double)cnt[k] * BAR_H / maxc;
        char ts[16];
        fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#c33\">"
                "<title>%s: %u unanswered</title></rect>\n", xa, chart_y + BAR_H - hgt,
                xb - xa > 1.5 ? xb - xa - 0.5 : 1, hgt, nlb_time_str(ta, ts), cnt[k]);
    }
    fprintf(f, "</g>\n");
    free(cnt);
}

int rp_write_svg(const rp_run *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    sv s = {f, r->first_ts, r->last_ts};
    if (s.t1 <= s.t0)
        s.t1 = s.t0 + 1000000;

    size_t nc = nlb_tracker_cluster_count(r->t);
    int rows = 0;
    for (size_t ci = 0; ci < nc; ci++)
        rows += 1 + (int)nlb_tracker_cluster(r->t, ci)->n_hosts;
    int top = 50;
    int plot_h = rows * ROW;
    int chart_y = top + plot_h + 30;
    int height = chart_y + BAR_H + 40;

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "font-family=\"sans-serif\" font-size=\"11\">\n", W, height, W, height);
    char a[32], b[32];
    fprintf(f, "<title>nlbreplay timeline %s to %s UTC</title>\n", rp_datetime_str(s.t0, a), rp_datetime_str(s.t1, b));
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n");
    fprintf(f, "<text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"bold\">NLB timeline, %s to %s UTC</text>\n",
            a, b + (strncmp(a, b, 10) == 0 ? 11 : 0));
    fprintf(f, "<text x=\"8\" y=\"30\" fill=\"#555\">ticks: heartbeats; red: no heartbeat for more than %u x %u ms; "
            "orange: convergence; purple: failover burst (RARP/GARP)</text>\n", r->cfg.tolerance, r->cfg.period_ms);
    axis(&s, top, plot_h + 4);
    svg_clusters(&s, r, top);
    svg_bursts(&s, r, top, plot_h);
    svg_unanswered(&s, r, chart_y);

    fprintf(f, "</svg>\n");
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        if (!errno)
            errno = EIO;
        return -1;
    }
    return 0;
}
