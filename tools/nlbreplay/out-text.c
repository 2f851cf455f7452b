/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the text report. The first screen (inputs, clusters, hosts, top diagnostics,
 * ownership) is what an engineer reads in the middle of an outage, so it fits 80 columns and
 * puts the most severe findings first; details follow only on request (--events, --flows). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "points.h"

typedef struct tx {
    FILE *f;
    bool colour;
} tx;

static const char *sev_colour(nlb_severity s)
{
    switch (s) {
    case NLB_SEV_ERROR: return "\033[1;31m";
    case NLB_SEV_WARNING: return "\033[1;33m";
    default: return "\033[36m";
    }
}

static void heading(const tx *x, const char *s)
{
    if (x->colour)
        fprintf(x->f, "\033[1m%s\033[0m\n", s);
    else
        fprintf(x->f, "%s\n", s);
}

static void fmt_dur(nlb_usec d, char *buf, size_t len)
{
    double s = d / 1e6;
    if (s < 100)
        snprintf(buf, len, "%.1fs", s);
    else if (s < 100 * 60)
        snprintf(buf, len, "%.1fm", s / 60);
    else if (s < 48 * 3600)
        snprintf(buf, len, "%.1fh", s / 3600);
    else
        snprintf(buf, len, "%.1fd", s / 86400);
}

/* One input: its line, then its errors and notes. */
static void write_input(FILE *f, const rp_run *r, const rp_input *in)
{
    const char *name = strcmp(in->name, "-") ? in->name : "(stdin)";
    char live_name[96], numbered[RP_MSG];
    if (in->live) {
        snprintf(live_name, sizeof live_name, "%s (live)", in->name);
        name = live_name;
    }
    /* Several inputs: numbered as frame references name them ("[2]#1234"). */
    if (r->n_inputs > 1) {
        snprintf(numbered, sizeof numbered, "[%zu] %s", (size_t)(in - r->inputs) + 1, name);
        name = numbered;
    }
    if (in->opened) {
        char line[RP_MSG + 64];
        /* The format only when libwiretap read it: pcap and pcapng are the usual case. */
        char fmt[64] = "";
        if (in->wt || in->compression[0])
            snprintf(fmt, sizeof fmt, " (%s%s%s)", in->format, in->compression[0] ? ", " : "", in->compression);
        int n = snprintf(line, sizeof line, "  %s: %s%s, %llu frames", name,
                         in->linkname[0] ? in->linkname : "no frame read", fmt, (unsigned long long)in->frames);
        if (in->other_link)
            n += snprintf(line + n, sizeof line - (size_t)n, " (%llu skipped: other link types, or not packets)",
                          (unsigned long long)in->other_link);
        if (r->filter_note[0])
            n += snprintf(line + n, sizeof line - (size_t)n, " (%llu matched)", (unsigned long long)in->matched);
        if (in->truncated_frames)
            n += snprintf(line + n, sizeof line - (size_t)n, ", %llu cut by snaplen",
                          (unsigned long long)in->truncated_frames);
        if (in->malformed)
            n += snprintf(line + n, sizeof line - (size_t)n, ", %llu malformed", (unsigned long long)in->malformed);
        if (in->reordered)
            n += snprintf(line + n, sizeof line - (size_t)n, ", %llu out of time order", (unsigned long long)in->reordered);
        /* Merged inputs: what each one covers, so an input ending early is seen as such. */
        if (r->n_inputs > 1 && in->first_ts) {
            char a[16], b[16];
            n += snprintf(line + n, sizeof line - (size_t)n, ", %s to %s%s", nlb_time_str(in->first_ts, a),
                          nlb_time_str(in->last_ts, b), in->ended_early ? " (ended before the others)" : "");
        }
        /* A live capture that lost frames is a partial view: say so next to the count. */
        if (in->live)
            snprintf(line + n, sizeof line - (size_t)n, ", %llu dropped by the kernel, %llu by the interface",
                     (unsigned long long)in->dropped, (unsigned long long)in->ifdropped);
        rp_wrap(f, line, 0, 4);
    } else {
        fprintf(f, "  %s: not read\n", name);
    }
    for (unsigned k = 0; k < in->n_errors; k++) {
        char line[RP_MSG + 32];
        snprintf(line, sizeof line, "    ERROR: %s", in->errors[k]);
        rp_wrap(f, line, 0, 6);
    }
    for (unsigned k = 0; k < in->n_notes; k++) {
        char line[RP_MSG + 8];
        snprintf(line, sizeof line, "    %s", in->notes[k]);
        rp_wrap(f, line, 0, 6);
    }
    if (in->malformed > RP_MAX_MALFORMED_NOTES)
        fprintf(f, "    (%llu more malformed frames)\n",
                (unsigned long long)(in->malformed - RP_MAX_MALFORMED_NOTES));
}

static void write_inputs(const tx *x, const rp_run *r)
{
    FILE *f = x->f;
    char a[32], b[32];
    if (r->fed) {
        rp_datetime_str(r->first_ts, a);
        rp_datetime_str(r->last_ts, b);
        /* Same day: show the date once. */
        const char *end = strncmp(a, b, 10) == 0 ? b + 11 : b;
        char d[16];
        fmt_dur(r->last_ts - r->first_ts, d, sizeof d);
        char line[160];
        snprintf(line, sizeof line, "nlbreplay: %llu frames, %s to %s UTC (%s)", (unsigned long long)r->fed, a, end, d);
        rp_wrap(f, line, 0, 4);
    } else {
        fprintf(f, "nlbreplay: no frames\n");
    }
    if (r->inputs_with_errors)
        fprintf(f, "PARTIAL REPORT: %u of %zu inputs had errors (below)\n", r->inputs_with_errors, r->n_inputs);
    if (r->filter_note[0])
        fprintf(f, "filter: %s\n", r->filter_note);
    if (r->opt.count && r->fed >= r->opt.count)
        fprintf(f, "stopped after %llu frames (-c)\n", (unsigned long long)r->fed);
    if (r->opt.iface && r->stop_reason && strcmp(r->stop_reason, "count") != 0)
        fprintf(f, "live capture stopped by %s\n", !strcmp(r->stop_reason, "duration") ? "--duration"
                                                    : !strcmp(r->stop_reason, "signal") ? "a signal"
                                                    : "an error (below)");
    for (size_t i = 0; i < r->n_inputs; i++)
        write_input(f, r, &r->inputs[i]);
    const nlb_counts *c = nlb_tracker_counts(r->t);
    if (r->fed) {
        char line[512]; /* every part at its longest fits: no snprintf below can be cut */
        int n = snprintf(line, sizeof line, "seen: heartbeats %llu", (unsigned long long)c->heartbeats);
        if (c->heartbeats_malformed)
            n += snprintf(line + n, sizeof line - (size_t)n, " (%llu malformed)",
                          (unsigned long long)c->heartbeats_malformed);
        if (c->heartbeats_extended)
            n += snprintf(line + n, sizeof line - (size_t)n, " (+%llu extended)",
                          (unsigned long long)c->heartbeats_extended);
        n += snprintf(line + n, sizeof line - (size_t)n, ", GARP %llu, RARP %llu, VIP flows %llu",
                      (unsigned long long)c->garp, (unsigned long long)c->rarp, (unsigned long long)c->vip_flows);
        if (c->foreign_886f)
            n += snprintf(line + n, sizeof line - (size_t)n, ", %llu foreign 0x886F frames (not NLB%s",
                          (unsigned long long)c->foreign_886f, c->foreign_xbox || c->foreign_lqsr ? ":" : ")");
        if (c->foreign_xbox)
            n += snprintf(line + n, sizeof line - (size_t)n, " %llu %s%s", (unsigned long long)c->foreign_xbox,
                          nlb_foreign_name(NLB_FOREIGN_XBOX), c->foreign_lqsr ? "," : ")");
        if (c->foreign_lqsr)
            n += snprintf(line + n, sizeof line - (size_t)n, " %llu %s)", (unsigned long long)c->foreign_lqsr,
                          nlb_foreign_name(NLB_FOREIGN_LQSR));
        if (c->legacy_heartbeats)
            n += snprintf(line + n, sizeof line - (size_t)n, ", %llu legacy 0xBF01 heartbeats (WLBS/Convoy)",
                          (unsigned long long)c->legacy_heartbeats);
        if (c->cluster_mac_as_source)
            snprintf(line + n, sizeof line - (size_t)n, ", %llu sent from the unicast cluster MAC",
                     (unsigned long long)c->cluster_mac_as_source);
        rp_wrap(f, line, 0, 4);
        /* Only the first max_clusters cluster IPs are tracked; say how many more there were. */
        if (c->clusters_dropped) {
            snprintf(line, sizeof line, "  %llu more cluster IPs not tracked: the cluster table holds %u clusters",
                     (unsigned long long)c->clusters_dropped, r->cfg.max_clusters);
            rp_wrap(f, line, 0, 4);
        }
    }
}

/* The host table of one cluster, with its footnotes. */
static void write_hosts(const tx *x, const rp_run *r, const nlb_cluster_info *c)
{
    FILE *f = x->f;
    char line[160];
    if (c->n_hosts) {
        fprintf(f, " %3s %-15s %-17s %5s %-12s %6s %-6s %s\n", "pri", "dedicated IP", "MAC", "hb", "last seen",
                "max gap", "state", "bins");
        for (unsigned h = 0; h < c->n_hosts; h++) {
            const nlb_host_info *hi = &c->hosts[h];
            char ip[16], hm[18], ls[16], gap[16], bins[24];
            nlb_time_str(hi->last_seen, ls);
            if (hi->heartbeats > 1)
                fmt_dur(hi->max_gap, gap, sizeof gap);
            else
                strcpy(gap, "-");
            /* the one state shouted: silent at the end */
            const char *st = hi->state == NLB_HOST_SILENT ? "SILENT" : hi->state == NLB_HOST_UNKNOWN ? "-"
                           : nlb_host_state_name(hi->state);
            if (!hi->dedicated_ip) strcpy(ip, "-"); else nlb_ip4_str(hi->dedicated_ip, ip);
            fprintf(f, " %3u %-15s %-17s %5llu %-12s %6s ", hi->priority, ip,
                    nlb_mac_str(hi->mac, hm), (unsigned long long)hi->heartbeats, ls, gap);
            if (x->colour && st[0] != 'o' && st[0] != '-')
                fprintf(f, "%s%-6s\033[0m", sev_colour(hi->state == NLB_HOST_SILENT ? NLB_SEV_ERROR : NLB_SEV_WARNING), st);
            else
                fprintf(f, "%-6s", st);
            fprintf(f, " %s\n", rp_bins_str(hi, bins, sizeof bins));
            if (hi->dup_dedicated_ip) {
                char dip[16], ds[16];
                fprintf(f, "     priority %u also claimed by %s (%llu heartbeats from %s)\n", hi->priority,
                        nlb_ip4_str(hi->dup_dedicated_ip, dip), (unsigned long long)hi->dup_heartbeats,
                        nlb_time_str(hi->dup_seen, ds));
            }
        }
        /* "20/20/60" reads as a riddle under pressure: say once what the slashes are. */
        bool per_rule = false;
        for (unsigned h = 0; h < c->n_hosts; h++)
            per_rule |= strchr(rp_bins_str(&c->hosts[h], line, sizeof line), '/') != NULL;
        if (per_rule)
            fprintf(f, "     bins: owned per port-rule slot, rule 1 first; the last slot is the default\n"
                       "     rule (guess)\n");
        /* hosts named without a heartbeat: say by what, and what is therefore unknown */
        char ev[256];
        size_t en = 0;
        for (unsigned h = 0; h < c->n_hosts && en < sizeof ev; h++) {
            const nlb_host_info *hi = &c->hosts[h];
            if (hi->heartbeats) continue;
            en += (size_t)snprintf(ev + en, sizeof ev - en, "%s%u (%s)", en ? ", " : "", hi->priority,
                                   hi->evidence & NLB_HEV_REPLIES && hi->evidence & NLB_HEV_ARP ? "ARP, replies"
                                   : hi->evidence & NLB_HEV_ARP ? "ARP" : "replies");
        }
        if (en) {
            char note[400];
            snprintf(note, sizeof note, "     known without a heartbeat, from frames sent from their masked MAC "
                     "02-pp-VIP: host %s; their dedicated IP, maps and silence are unknown", ev);
            rp_wrap(f, note, 0, 5);
        }
        if (c->lost_at) {
            char at[16], note[320];
            snprintf(note, sizeof note, "     unseen: not seen after the capture stopped seeing the cluster "
                     "(last heartbeat %s, %s): a fact about the capture point, not diagnosed",
                     nlb_time_str(c->lost_at, at), c->lost_by == NLB_LOST_INPUT_END
                     ? "an input ended" : "every host stopped at once");
            rp_wrap(f, note, 0, 5);
        }
    }
}

static void write_clusters(const tx *x, const rp_run *r)
{
    FILE *f = x->f;
    size_t nc = nlb_tracker_cluster_count(r->t);
    if (nc == 0) {
        fputs("\nNo NLB cluster found (no heartbeats, no cluster MAC of a known VIP).\n", f);
        return;
    }
    for (size_t ci = 0; ci < nc; ci++) {
        const nlb_cluster_info *c = nlb_tracker_cluster(r->t, ci);
        char vip[16], mac[18], line[160];
        snprintf(line, sizeof line, "Cluster %s  %s  cluster MAC %s  %u host%s", nlb_ip4_str(c->vip, vip),
                 nlb_mode_name(c->mode), nlb_mac_str(c->cluster_mac, mac), c->n_hosts, c->n_hosts == 1 ? "" : "s");
        fputc('\n', f);
        heading(x, line);
        write_hosts(x, r, c);
        /* Host names (extended heartbeats) do not fit the table: one line for all. */
        char names[256];
        size_t nn = 0;
        names[0] = '\0';
        for (unsigned h = 0; h < c->n_hosts && nn < sizeof names; h++)
            if (c->hosts[h].host_name[0])
                nn += (size_t)snprintf(names + nn, sizeof names - nn, "%s%u %s", nn ? ", " : " names: ",
                                       c->hosts[h].priority, c->hosts[h].host_name);
        if (nn)
            rp_wrap(f, names, 0, 8);
        /* A flapping cluster can have dozens of episodes: the first ones tell the story. */
        unsigned shown = c->n_convergence <= RP_TOP_CONVERGENCE + 1 ? c->n_convergence : RP_TOP_CONVERGENCE;
        for (unsigned k = 0; k < shown; k++) {
            const nlb_convergence *cv = &c->convergence[k];
            char s[16], e[16], trig[64], d[16];
            nlb_time_str(cv->start, s);
            nlb_conv_trigger_format(cv, trig, sizeof trig);
            if (cv->end) {
                nlb_time_str(cv->end, e);
                fmt_dur(cv->end - cv->start, d, sizeof d);
                snprintf(line, sizeof line, " convergence %s to %s (%s), trigger: %s", s, e, d, trig);
                rp_wrap(f, line, 0, 4);
            } else {
                snprintf(line, sizeof line, " convergence from %s, still converging at the end; trigger: %s", s, trig);
                rp_wrap(f, line, 0, 4);
            }
        }
        if (shown < c->n_convergence)
            fprintf(f, " ... %u more convergence episodes (--events, or --format json)\n", c->n_convergence - shown);
    }
}

/* " (frame #12)" or " (frames #12 to #40)" into buf (>= 80): where to look in Wireshark. */
static const char *diag_frames(const rp_run *r, const nlb_diag *d, char *buf)
{
    rp_frame_ref a = rp_frame_from(r, d->time), b = rp_frame_until(r, d->time + d->duration);
    char fa[32], fb[32];
    if (!a.frame)
        buf[0] = '\0';
    else if (!b.frame || (a.frame == b.frame && a.file == b.file))
        snprintf(buf, 80, " (frame %s)", rp_ref_str(r, a, fa));
    else
        snprintf(buf, 80, " (frames %s to %s)", rp_ref_str(r, a, fa), rp_ref_str(r, b, fb));
    return buf;
}

static void write_diag(const tx *x, const rp_run *r, const nlb_diag *d)
{
    FILE *f = x->f;
    char msg[1024], ts[16], line[1200], fr[80];
    nlb_diag_format(d, msg, sizeof msg);
    const char *sev = nlb_severity_name(d->severity);
    /* Severity, code and time lead the first line so the message starts on it: five long
     * messages must still leave the first screen readable. */
    if (x->colour)
        fprintf(f, "  %s%-7s\033[0m", sev_colour(d->severity), sev);
    else
        fprintf(f, "  %-7s", sev);
    snprintf(line, sizeof line, " %s %s %s%s", nlb_diag_code_str(d->code), d->time ? nlb_time_str(d->time, ts) : "",
             msg, diag_frames(r, d, fr));
    rp_wrap(f, line, 9, 4);
}

static void write_events(const tx *x, const rp_run *r)
{
    FILE *f = x->f;
    size_t n = nlb_tracker_event_count(r->t);
    char line[96];
    fputc('\n', f);
    snprintf(line, sizeof line, "Events (%zu)", n);
    heading(x, line);
    for (size_t i = 0; i < n; i++) {
        const nlb_event *ev = nlb_tracker_event(r->t, i);
        char ts[16], det[512], evl[560], ref[32];
        nlb_event_format(ev, det, sizeof det);
        /* The detail names the kind in words; json carries the stable key. The frame leads
         * the detail so the detail still wraps under itself. */
        fprintf(f, "  %s ", nlb_time_str(ev->time, ts));
        rp_ref_str(r, rp_frame_from(r, ev->time), ref);
        snprintf(evl, sizeof evl, "%s%s%s", ref, ref[0] ? " " : "", det);
        rp_wrap(f, evl, 15, 15);
    }
    const nlb_counts *c = nlb_tracker_counts(r->t);
    if (c->events_dropped)
        fprintf(f, "  (%llu events dropped: the event table was full)\n", (unsigned long long)c->events_dropped);
}

/* " " and s (n bytes) padded with spaces to the column's width: "%-*s" and "%*s" without printf. */
static inline char *put_cell(char *p, size_t width, bool right, const char *s, size_t n)
{
    *p++ = ' ';
    size_t pad = n < width ? width - n : 0;
    if (right)
        for (; pad; pad--)
            *p++ = ' ';
    memcpy(p, s, n);
    p += n;
    for (; pad; pad--) /* left-aligned: what is left of it */
        *p++ = ' ';
    return p;
}

static void write_flows(const tx *x, const rp_run *r)
{
    FILE *f = x->f;
    size_t n = nlb_tracker_flow_count(r->t);
    char line[96];
    fputc('\n', f);
    snprintf(line, sizeof line, "Flows (%zu; predicted owner is an EMULATION)", n);
    heading(x, line);
    char row[RP_FLOW_NCOLS * (RP_FLOW_CELL_MAX + 2) + 1], cell[RP_FLOW_CELL_MAX], *p = row;
    for (unsigned c = 0; c < RP_FLOW_NCOLS; c++)
        if (rp_flow_columns[c].width)
            p = put_cell(p, rp_flow_columns[c].width, rp_flow_columns[c].right, rp_flow_columns[c].text,
                         strlen(rp_flow_columns[c].text));
    *p++ = '\n';
    fwrite(row, 1, (size_t)(p - row), f);
    for (size_t i = 0; i < n; i++) {
        const nlb_flow_info *fl = nlb_tracker_flow(r->t, i);
        const rp_flow_refs fr = rp_flow_refs_of(r, fl);
        p = row;
        /* Unrolled by the column list: constant column and style in every call. */
#define TEXT_CELL(id, csv, json, text, width, right)                                      \
    if (width) {                                                                          \
        size_t len = (size_t)(rp_flow_cell(RP_COL_##id, RP_CELL_TEXT, fl, &fr, cell) - cell);  \
        p = put_cell(p, width, right, cell, len);                                         \
    }
        RP_FLOW_COLUMNS(TEXT_CELL)
#undef TEXT_CELL
        *p++ = '\n';
        fwrite(row, 1, (size_t)(p - row), f);
    }
    const nlb_counts *c = nlb_tracker_counts(r->t);
    if (c->flows_evicted)
        fprintf(f, "  (%llu flows evicted: the flow table was full)\n", (unsigned long long)c->flows_evicted);
}

int rp_write_text(const rp_run *r, FILE *f)
{
    tx x = {f, r->opt.colour};
    write_inputs(&x, r);
    write_clusters(&x, r);

    size_t nd;
    const nlb_diag **d = rp_sorted_diags(r->t, &nd);
    unsigned cnt[3] = {0, 0, 0};
    for (size_t i = 0; i < nd; i++)
        cnt[d[i]->severity <= NLB_SEV_ERROR ? d[i]->severity : NLB_SEV_ERROR]++;
    char line[128];
    fputc('\n', f);
    if (nd == 0) {
        heading(&x, "Diagnostics: none");
    } else {
        snprintf(line, sizeof line, "Diagnostics: %u error%s, %u warning%s, %u info (most severe first)",
                 cnt[2], cnt[2] == 1 ? "" : "s", cnt[1], cnt[1] == 1 ? "" : "s", cnt[0]);
        heading(&x, line);
        for (size_t i = 0; i < nd && i < RP_TOP_DIAGS; i++)
            write_diag(&x, r, d[i]);
        if (nd > RP_TOP_DIAGS)
            fprintf(f, "  (%zu more below)\n", nd - RP_TOP_DIAGS);
    }
    rp_text_ownership(f, r, x.colour);
    if (nd > RP_TOP_DIAGS) {
        fputc('\n', f);
        heading(&x, "More diagnostics");
        size_t end = nd <= RP_MORE_DIAGS + RP_TOP_DIAGS ? nd : RP_MORE_DIAGS + RP_TOP_DIAGS;
        for (size_t i = RP_TOP_DIAGS; i < end; i++)
            write_diag(&x, r, d[i]);
        if (end < nd)
            fprintf(f, "  ... %zu more diagnostics (--format json lists them all)\n", nd - end);
    }
    free(d);
    rp_points_text(f, r);
    if (r->opt.events)
        write_events(&x, r);
    if (r->opt.flows)
        write_flows(&x, r);
    return ferror(f) ? -1 : 0;
}

/* Live lines (stdout not a terminal): one line each, never wrapped, so they grep and log well. */
void rp_text_event_line(FILE *f, const rp_run *r, const nlb_event *ev)
{
    char ts[16], det[512], ref[32];
    nlb_event_format(ev, det, sizeof det);
    rp_ref_str(r, rp_frame_from(r, ev->time), ref);
    fprintf(f, "%s %-7s %s%s%s\n", nlb_time_str(ev->time, ts), "event", ref, ref[0] ? " " : "", det);
}

void rp_text_diag_line(FILE *f, const rp_run *r, const nlb_diag *d, bool colour)
{
    char ts[16], msg[1024], fr[80];
    nlb_diag_format(d, msg, sizeof msg);
    const char *sev = nlb_severity_name(d->severity);
    fprintf(f, "%s ", nlb_time_str(d->time, ts));
    if (colour)
        fprintf(f, "%s%-7s\033[0m", sev_colour(d->severity), sev);
    else
        fprintf(f, "%-7s", sev);
    fprintf(f, " %s %s%s\n", nlb_diag_code_str(d->code), msg, diag_frames(r, d, fr));
}
