/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the json report (schema 1, ../shared/NLBREPLAY-OUTPUT.md). Keys documented there
 * keep their meaning; extra keys are additions. Written with the tools' shared emitter
 * (tools/common/json.h): a flow or an event is one line of the file. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "columns.h"
#include "points.h"

#define JW_BUF (64 * 1024)
/* A json report of a million flows is a few hundred million small writes: the emitter's buffer
 * keeps stdio's per-call locking and format parsing out of them. Static: too large for the
 * stack, and the writers run one at a time. */
static char jw_buf[JW_BUF];

#define K JW_K
#define NOKEY JW_NOKEY

/* Addresses are digits, dots, colons and hex: nothing to escape. */
static void jw_ip4(jw *w, const char *key, size_t kn, uint32_t ip)
{
    char *p = jw_value_begin(w, key, kn, 17);
    if (!p)
        return;
    *p++ = '"';
    p = nlb_ip4_put(ip, p);
    *p++ = '"';
    jw_commit(w, p);
}

static void jw_mac(jw *w, const char *key, size_t kn, const uint8_t mac[6])
{
    char *p = jw_value_begin(w, key, kn, 19);
    if (!p)
        return;
    *p++ = '"';
    p = nlb_mac_put(mac, p);
    *p++ = '"';
    jw_commit(w, p);
}

static void jw_hosts(jw *w, const char *key, size_t kn, uint32_t mask)
{
    jw_arr(w, key, kn);
    for (unsigned p = 1; p <= NLB_MAX_PRIORITY; p++)
        if (mask & (1u << (p - 1)))
            jw_uint(w, NOKEY, p);
    jw_end_arr(w);
}

static const char *affinity_name(nlb_affinity a)
{
    switch (a) {
    case NLB_AFF_NONE: return "none";
    case NLB_AFF_SINGLE: return "single";
    case NLB_AFF_CLASSC: return "classc";
    }
    return "?";
}

static void write_model(jw *w, const rp_run *r)
{
    const nlb_model *m = nlb_tracker_model(r->t);
    jw_obj(w, K("model"));
    jw_str(w, K("name"), "emulation");
    jw_uint(w, K("bins"), m->bins);
    jw_str(w, K("hash"), m->hash_name ? m->hash_name : "?");
    jw_str(w, K("note"), "not the Windows hash: predicted owners come from a documented emulation");
    jw_uint(w, K("seed"), m->seed);
    jw_str(w, K("affinity"), affinity_name(m->default_affinity));
    jw_uint(w, K("port_rules"), m->n_rules);
    jw_uint(w, K("period_ms"), r->cfg.period_ms);
    jw_uint(w, K("tolerance"), r->cfg.tolerance);
    jw_end_obj(w);
}

static void write_inputs(jw *w, const rp_run *r)
{
    jw_arr(w, K("inputs"));
    for (size_t i = 0; i < r->n_inputs; i++) {
        const rp_input *in = &r->inputs[i];
        jw_obj(w, NOKEY);
        jw_str(w, K("file"), in->name);
        if (in->opened && in->linkname[0])
            jw_str(w, K("linktype"), in->linkname);
        else
            jw_null(w, K("linktype"));
        if (in->format[0] && !in->live)
            jw_str(w, K("format"), in->format);
        else
            jw_null(w, K("format"));
        if (in->compression[0])
            jw_str(w, K("compression"), in->compression);
        else
            jw_null(w, K("compression"));
        jw_uint(w, K("frames"), in->frames);
        jw_uint(w, K("other_link_frames"), in->other_link);
        jw_uint(w, K("truncated_frames"), in->truncated_frames);
        jw_arr(w, K("errors"));
        for (unsigned k = 0; k < in->n_errors; k++)
            jw_str(w, NOKEY, in->errors[k]);
        jw_end_arr(w);
        jw_bool(w, K("read"), in->opened);
        if (r->opt.filter)
            jw_uint(w, K("matched_frames"), in->matched);
        jw_uint(w, K("malformed_frames"), in->malformed);
        jw_arr(w, K("notes"));
        for (unsigned k = 0; k < in->n_notes; k++)
            jw_str(w, NOKEY, in->notes[k]);
        jw_end_arr(w);
        jw_uint(w, K("reordered_frames"), in->reordered);
        if (r->n_inputs > 1 && in->first_ts) {
            /* merged inputs: the span each one covers (one input covers the run's) */
            jw_micro(w, K("first_ts"), in->first_ts);
            jw_micro(w, K("last_ts"), in->last_ts);
            jw_bool(w, K("ended_early"), in->ended_early);
        }
        if (in->live) {
            /* "file" holds the interface name; these say so and what the kernel lost. */
            jw_bool(w, K("live"), true);
            jw_uint(w, K("dropped_frames"), in->dropped);
            jw_uint(w, K("interface_dropped_frames"), in->ifdropped);
        }
        jw_end_obj(w);
    }
    jw_end_arr(w);
}

static void write_counts(jw *w, const rp_run *r)
{
    const nlb_counts *c = nlb_tracker_counts(r->t);
    jw_obj(w, K("counts"));
    jw_uint(w, K("frames"), c->frames);
    jw_uint(w, K("heartbeats"), c->heartbeats);
    jw_uint(w, K("heartbeats_extended"), c->heartbeats_extended);
    jw_uint(w, K("foreign_886f"), c->foreign_886f);
    jw_uint(w, K("garp"), c->garp);
    jw_uint(w, K("rarp"), c->rarp);
    jw_uint(w, K("cluster_mac_as_source"), c->cluster_mac_as_source);
    jw_uint(w, K("vip_flows"), c->vip_flows);
    jw_uint(w, K("truncated"), c->truncated);
    jw_uint(w, K("malformed"), c->malformed);
    jw_uint(w, K("flows_evicted"), c->flows_evicted);
    jw_uint(w, K("events_dropped"), c->events_dropped);
    jw_uint(w, K("diags_dropped"), c->diags_dropped);
    jw_uint(w, K("clusters_dropped"), c->clusters_dropped);
    jw_uint(w, K("heartbeats_malformed"), c->heartbeats_malformed);
    jw_end_obj(w);
}

static void write_host(jw *w, const nlb_host_info *h)
{
    char b[16];
    jw_obj(w, NOKEY);
    jw_uint(w, K("priority"), h->priority);
    jw_ip4(w, K("dedicated_ip"), h->dedicated_ip);
    jw_mac(w, K("mac"), h->mac);
    jw_uint(w, K("heartbeats"), h->heartbeats);
    jw_micro(w, K("first_seen"), h->first_seen);
    jw_micro(w, K("last_seen"), h->last_seen);
    jw_micro(w, K("max_gap"), h->max_gap);
    jw_uint(w, K("port_rules"), h->num_rules);
    snprintf(b, sizeof b, "0x%08" PRIx32, h->host_code);
    jw_str(w, K("host_code"), b);
    jw_uint(w, K("default_host"), h->default_host);
    jw_obj(w, K("bins_owned"));
    unsigned n = h->num_rules < NLB_MAX_RULES ? h->num_rules : NLB_MAX_RULES;
    if (h->has_maps)
        for (unsigned i = 0; i < n; i++) {
            char k[24];
            int kn = snprintf(k, sizeof k, "\"rule%u\": ", i + 1);
            jw_uint(w, k, (size_t)kn, h->bins_owned[i]);
        }
    jw_end_obj(w);
    jw_str(w, K("state"), nlb_host_state_name(h->state));
    jw_bool(w, K("maps_known"), h->has_maps);
    jw_uint(w, K("heartbeats_extended"), h->heartbeats_extended);
    if (h->max_gap_at)
        jw_micro(w, K("max_gap_end"), h->max_gap_at);
    jw_uint(w, K("convergence_state"), h->conv_state);
    if (h->host_name[0])
        jw_str(w, K("host_name"), h->host_name);
    jw_uint(w, K("truncated_heartbeats"), h->truncated_heartbeats);
    jw_arr(w, K("evidence"));
    if (h->evidence & NLB_HEV_HEARTBEAT) jw_str(w, NOKEY, "heartbeats");
    if (h->evidence & NLB_HEV_ARP) jw_str(w, NOKEY, "arp");
    if (h->evidence & NLB_HEV_REPLIES) jw_str(w, NOKEY, "replies");
    jw_end_arr(w);
    jw_uint(w, K("evidence_frames"), h->evidence_frames);
    if (h->malformed_heartbeats)
        jw_uint(w, K("malformed_heartbeats"), h->malformed_heartbeats);
    if (h->dup_dedicated_ip) {
        jw_obj(w, K("duplicate"));
        jw_ip4(w, K("dedicated_ip"), h->dup_dedicated_ip);
        jw_micro(w, K("first_seen"), h->dup_seen);
        jw_uint(w, K("heartbeats"), h->dup_heartbeats);
        jw_end_obj(w);
    }
    int save = w->inline_from;
    w->inline_from = w->depth + 1;
    jw_arr(w, K("rule_codes"));
    for (unsigned i = 0; i < n; i++) {
        snprintf(b, sizeof b, "0x%08" PRIx32, h->rule_codes[i]);
        jw_str(w, NOKEY, b);
    }
    jw_end_arr(w);
    w->inline_from = save;
    jw_end_obj(w);
}

static void write_clusters(jw *w, const rp_run *r)
{
    size_t nc = nlb_tracker_cluster_count(r->t);
    jw_arr(w, K("clusters"));
    for (size_t ci = 0; ci < nc; ci++) {
        const nlb_cluster_info *c = nlb_tracker_cluster(r->t, ci);
        jw_obj(w, NOKEY);
        jw_ip4(w, K("vip"), c->vip);
        jw_str(w, K("mode"), nlb_mode_name(c->mode));
        jw_mac(w, K("cluster_mac"), c->cluster_mac);
        jw_arr(w, K("hosts"));
        int save = w->inline_from;
        w->inline_from = 0;
        for (unsigned h = 0; h < c->n_hosts; h++)
            write_host(w, &c->hosts[h]);
        w->inline_from = save;
        jw_end_arr(w);
        jw_arr(w, K("convergence"));
        for (unsigned k = 0; k < c->n_convergence; k++) {
            const nlb_convergence *cv = &c->convergence[k];
            char trig[64];
            w->inline_from = w->depth + 1;
            jw_obj(w, NOKEY);
            jw_micro(w, K("start"), cv->start);
            /* Still converging at the end: end is the last frame's time, flagged ongoing, so
             * "end" stays a number for consumers. */
            jw_micro(w, K("end"), cv->end ? cv->end : r->last_ts);
            nlb_conv_trigger_format(cv, trig, sizeof trig);
            jw_str(w, K("trigger"), trig);
            jw_bool(w, K("ongoing"), cv->end == 0);
            if (cv->trigger_host)
                jw_uint(w, K("trigger_host"), cv->trigger_host);
            jw_end_obj(w);
            w->inline_from = save;
        }
        jw_end_arr(w);
        jw_bool(w, K("from_heartbeats"), c->from_heartbeats);
        jw_str(w, K("found_by"), c->found_by == NLB_FOUND_BY_HEARTBEAT ? "heartbeats"
                              : c->found_by == NLB_FOUND_BY_TRAFFIC ? "traffic"
                              : c->found_by == NLB_FOUND_BY_ARP ? "arp"
                              : c->found_by == NLB_FOUND_BY_CONFIG ? "config" : "unknown");
        jw_micro(w, K("first_seen"), c->first_seen);
        jw_micro(w, K("last_seen"), c->last_seen);
        jw_uint(w, K("cluster_mac_as_source"), c->cluster_mac_as_source);
        jw_uint(w, K("multicast_arp_replies"), c->mcast_arp);
        jw_uint(w, K("vip_flows"), c->vip_flows);
        jw_uint(w, K("frames_to_cluster_mac"), c->frames_to_cluster_mac);
        jw_uint(w, K("igmp_reports"), c->igmp_reports);
        if (c->lost_at) {
            /* the capture point, not the cluster: the hosts it lost are "unseen" */
            jw_obj(w, K("capture_lost"));
            jw_micro(w, K("at"), c->lost_at);
            jw_str(w, K("by"), c->lost_by == NLB_LOST_INPUT_END ? "input_end" : "together");
            jw_arr(w, K("hosts"));
            for (unsigned p = 1; p <= NLB_MAX_PRIORITY; p++)
                if (c->lost_hosts >> (p - 1) & 1u)
                    jw_uint(w, NOKEY, p);
            jw_end_arr(w);
            jw_end_obj(w);
        }
        jw_end_obj(w);
    }
    jw_end_arr(w);
}

#define FLOW_LINE_MAX (RP_FLOW_NCOLS * (RP_FLOW_CELL_MAX + 32) + 2)

/* One flow: the hot loop of a big report, so its line is built in one reserved stretch of the
 * buffer, with columns.h's keys in columns.h's order. */
static void write_flow(jw *w, const rp_run *r, const nlb_flow_info *fl)
{
    const rp_flow_refs fr = rp_flow_refs_of(r, fl);
    char *p = jw_value_begin(w, NOKEY, FLOW_LINE_MAX);
    if (!p)
        return;
    *p++ = '{';
    /* Unrolled by the column list: every cell call has a constant column and style, so each
     * compiles to just that column's code. */
#define JSON_CELL(id, csv, json, text, width, right)                   \
    if (RP_COL_##id != 0) {                                            \
        memcpy(p, ", ", 2);                                            \
        p += 2;                                                        \
    }                                                                  \
    memcpy(p, "\"" json "\": ", sizeof("\"" json "\": ") - 1);         \
    p += sizeof("\"" json "\": ") - 1;                                 \
    p = rp_flow_cell(RP_COL_##id, RP_CELL_JSON, fl, &fr, p);
    RP_FLOW_COLUMNS(JSON_CELL)
#undef JSON_CELL
    *p++ = '}';
    jw_commit(w, p);
}

static void write_flows(jw *w, const rp_run *r)
{
    size_t n = nlb_tracker_flow_count(r->t);
    size_t shown = r->opt.flows || n <= RP_JSON_FLOW_CAP ? n : RP_JSON_FLOW_CAP;
    jw_arr(w, K("flows"));
    for (size_t i = 0; i < shown; i++)
        write_flow(w, r, nlb_tracker_flow(r->t, i));
    jw_end_arr(w);
    jw_uint(w, K("flows_total"), n);
    jw_uint(w, K("flows_listed"), shown);
}

/* A frame reference as two keys: the frame number in its file, and the file's index in
 * inputs[]; both null when unknown. */
static void write_ref(jw *w, const char *fkey, size_t fkn, const char *ikey, size_t ikn, rp_frame_ref ref)
{
    if (ref.frame) {
        jw_uint(w, fkey, fkn, ref.frame);
        jw_uint(w, ikey, ikn, ref.file);
    } else {
        jw_null(w, fkey, fkn);
        jw_null(w, ikey, ikn);
    }
}

/* One event object; the file report's "events" entries and the live JSON lines share it. */
static void write_event(jw *w, const rp_run *r, const nlb_event *ev, const char *record)
{
    char det[512];
    nlb_event_format(ev, det, sizeof det);
    jw_obj(w, NOKEY);
    if (record)
        jw_str(w, K("record"), record);
    jw_micro(w, K("time"), ev->time);
    write_ref(w, K("frame"), K("file"), rp_frame_from(r, ev->time));
    jw_str(w, K("kind"), nlb_event_kind_key(ev->kind));
    jw_str(w, K("detail"), det);
    if (ev->vip)
        jw_ip4(w, K("vip"), ev->vip);
    if (ev->host)
        jw_uint(w, K("host"), ev->host);
    /* The numeric fields mean different things per kind (cluster.h); name them. */
    switch (ev->kind) {
    case NLB_EV_HOST_JOINED:
        if (ev->count)
            jw_ip4(w, K("dedicated_ip"), ev->count);
        else
            jw_null(w, K("dedicated_ip")); /* named by traffic, or cut before its dedicated IP */
        break;
    case NLB_EV_HOST_SILENT:
    case NLB_EV_HOST_BACK:
    case NLB_EV_CONVERGENCE_END:
        jw_micro(w, K("duration"), ev->duration);
        break;
    case NLB_EV_FAILOVER_BURST:
        jw_uint(w, K("macs"), ev->count);
        jw_hosts(w, K("not_announced"), ev->hosts_mask);
        jw_micro(w, K("duration"), ev->duration);
        jw_mac(w, K("first_mac"), ev->mac);
        break;
    case NLB_EV_CLUSTER_MAC_AS_SOURCE:
        jw_mac(w, K("mac"), ev->mac);
        jw_uint(w, K("frames"), ev->count);
        break;
    case NLB_EV_VIP_UNANSWERED:
        jw_uint(w, K("port"), ev->port);
        jw_uint(w, K("connections"), ev->count);
        jw_hosts(w, K("predicted_owners_emulated"), ev->hosts_mask);
        jw_micro(w, K("duration"), ev->duration);
        break;
    case NLB_EV_MAP_CHANGED:
        jw_uint(w, K("rule_slots"), ev->count);
        break;
    case NLB_EV_CAPTURE_LOST:
        jw_str(w, K("by"), ev->count == NLB_LOST_INPUT_END ? "input_end" : "together");
        jw_hosts(w, K("hosts"), ev->hosts_mask);
        break;
    default:
        break;
    }
    jw_end_obj(w);
}

static void write_events(jw *w, const rp_run *r)
{
    size_t n = nlb_tracker_event_count(r->t);
    int save = w->inline_from;
    jw_arr(w, K("events"));
    for (size_t i = 0; i < n; i++) {
        w->inline_from = w->depth + 1;
        write_event(w, r, nlb_tracker_event(r->t, i), NULL);
        w->inline_from = save;
    }
    jw_end_arr(w);
}

/* One diagnostic object; shared like write_event. */
static void write_diag(jw *w, const rp_run *r, const nlb_diag *d, const char *record)
{
    char msg[1024];
    nlb_diag_format(d, msg, sizeof msg);
    jw_obj(w, NOKEY);
    if (record)
        jw_str(w, K("record"), record);
    jw_str(w, K("code"), nlb_diag_code_str(d->code));
    jw_str(w, K("severity"), nlb_severity_name(d->severity));
    jw_micro(w, K("time"), d->time);
    /* Its first frame: at its time; its last: at its time plus its duration. */
    write_ref(w, K("first_frame"), K("first_file"), rp_frame_from(r, d->time));
    write_ref(w, K("last_frame"), K("last_file"), rp_frame_until(r, d->time + d->duration));
    jw_str(w, K("message"), msg);
    if (d->vip)
        jw_ip4(w, K("vip"), d->vip);
    if (d->hosts_mask)
        jw_hosts(w, K("hosts"), d->hosts_mask);
    if (d->duration)
        jw_micro(w, K("duration"), d->duration);
    if (d->port)
        jw_uint(w, K("port"), d->port);
    jw_end_obj(w);
}

static void write_diags(jw *w, const rp_run *r)
{
    size_t n;
    const nlb_diag **d = rp_sorted_diags(r->t, &n);
    int save = w->inline_from;
    jw_arr(w, K("diagnostics"));
    for (size_t i = 0; i < n; i++) {
        w->inline_from = w->depth + 1;
        write_diag(w, r, d[i], NULL);
        w->inline_from = save;
    }
    jw_end_arr(w);
    free(d);
}

static int write_json(const rp_run *r, FILE *f, bool one_line)
{
    jw w;
    jw_init(&w, f, jw_buf, sizeof jw_buf);
    w.one_line = one_line;
    jw_obj(&w, NOKEY);
    if (one_line)
        jw_str(&w, K("record"), "report");
    jw_uint(&w, K("schema"), 1);
    write_model(&w, r);
    write_inputs(&w, r);
    jw_bool(&w, K("partial"), r->inputs_with_errors > 0);
    if (r->opt.filter)
        jw_str(&w, K("filter"), r->opt.filter);
    jw_bool(&w, K("stopped_by_count"), r->opt.count && r->fed >= r->opt.count);
    if (r->opt.iface)
        jw_str(&w, K("stopped_by"), r->stop_reason ? r->stop_reason : "unknown");
    if (r->fed) {
        jw_micro(&w, K("first_frame"), r->first_ts);
        jw_micro(&w, K("last_frame"), r->last_ts);
    } else {
        jw_null(&w, K("first_frame"));
        jw_null(&w, K("last_frame"));
    }
    write_counts(&w, r);
    write_clusters(&w, r);
    write_flows(&w, r);
    rp_json_ownership(&w, r);
    write_events(&w, r);
    write_diags(&w, r);
    rp_points_json(&w, r);
    jw_end_obj(&w);
    jw_put(&w, "\n", 1);
    return jw_finish(&w);
}

int rp_write_json(const rp_run *r, FILE *f)
{
    /* Live capture streams JSON lines: its final report must be one line as well. */
    return write_json(r, f, r->opt.iface != NULL);
}

/* Live JSON lines: one event or diagnostic per line, with the keys of the report's entries
 * and a "record" key saying which it is. */
void rp_json_event_line(FILE *f, const rp_run *r, const nlb_event *ev)
{
    jw w;
    jw_init(&w, f, jw_buf, sizeof jw_buf);
    w.one_line = true;
    write_event(&w, r, ev, "event");
    jw_put(&w, "\n", 1);
    jw_finish(&w);
}

void rp_json_diag_line(FILE *f, const rp_run *r, const nlb_diag *d)
{
    jw w;
    jw_init(&w, f, jw_buf, sizeof jw_buf);
    w.one_line = true;
    write_diag(&w, r, d, "diagnostic");
    jw_put(&w, "\n", 1);
    jw_finish(&w);
}
