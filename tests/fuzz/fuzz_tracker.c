/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The whole-frame path: decode a short sequence of frames (format in tracker_input.h), feed them
 * to a tracker with small capacities so every "full, dropped" path runs, finish it and format
 * every cluster, event, diagnostic and flow the way the front ends will. */
#include "check_hb.h"
#include "tracker_input.h"

static const int linktypes[4] = { NLB_LINK_ETHERNET, NLB_LINK_SLL, NLB_LINK_SLL2, NLB_LINK_ETHERNET };

/* Format into a buffer of exactly len bytes, for a few lengths, so truncation paths run too. */
static void check_event(const nlb_event *ev)
{
    static const size_t lens[] = { 1, 7, 40, 512 };
    FUZZ_CHECK(ev->kind >= NLB_EV_CLUSTER_FOUND && ev->kind < NLB_EV_KIND_COUNT_);
    FUZZ_CHECK(nlb_event_kind_key(ev->kind) != NULL);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        char *buf = malloc(lens[i]);
        FUZZ_CHECK(buf != NULL);
        size_t n = nlb_event_format(ev, buf, lens[i]);
        fuzz_check_cstr(buf, lens[i]);
        if (lens[i] == 512)
            FUZZ_CHECK(n == strlen(buf)); /* nothing cut at 512: the return is the length */
        free(buf);
    }
}

static void check_diag(const nlb_diag *d)
{
    static const size_t lens[] = { 1, 9, 64, 1024 };
    FUZZ_CHECK(d->code >= NLB_D_FAILOVER_UNANNOUNCED && d->code < NLB_D_CODE_COUNT_);
    FUZZ_CHECK(d->severity <= NLB_SEV_ERROR);
    FUZZ_CHECK(nlb_diag_code_str(d->code) != NULL && nlb_severity_name(d->severity) != NULL);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        char *buf = malloc(lens[i]);
        FUZZ_CHECK(buf != NULL);
        size_t n = nlb_diag_format(d, buf, lens[i]);
        fuzz_check_cstr(buf, lens[i]);
        if (lens[i] == 1024)
            FUZZ_CHECK(n == strlen(buf));
        free(buf);
    }
    char hosts[8];
    nlb_hosts_str(d->hosts_mask, hosts, sizeof hosts);
    fuzz_check_cstr(hosts, sizeof hosts);
    char t[16];
    nlb_time_str(d->time, t);
    fuzz_check_cstr(t, sizeof t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static nlb_packet pkt;
    if (size < 1)
        return 0;
    uint8_t cfgb = data[0];
    int lt = linktypes[cfgb & TRK_CFG_LINK_MASK];

    nlb_tracker_config cfg;
    nlb_tracker_config_default(&cfg);
    /* small capacities, zero included: the point is what happens when things do not fit. They
     * follow the input's length, which mutations change all the time, so the seeds' format
     * stays as it is. */
    cfg.max_clusters = 1 + size % 2;
    cfg.max_flows = (size / 2) % 3 == 0 ? 0 : 4;
    cfg.max_events = (size / 6) % 3 == 0 ? 0 : 8;
    if (cfgb & TRK_CFG_USER_VIPS) {
        cfg.vips[cfg.n_vips++] = 0x0A141E28u; /* 10.20.30.40 */
        cfg.vips[cfg.n_vips++] = 0xC0A86450u; /* 192.168.100.80 */
    }
    if (cfgb & TRK_CFG_RULES) {
        nlb_port_rule r;
        memset(&r, 0, sizeof r);
        r.start = 80;
        r.end = 443;
        r.proto = NLB_RP_TCP;
        r.mode = NLB_FILTER_MULTIPLE;
        r.affinity = (nlb_affinity)((cfgb >> TRK_CFG_AFF_SHIFT) % 3);
        r.equal_load = true;
        FUZZ_CHECK(nlb_model_add_rule(&cfg.model, &r));
        r.start = r.end = 53;
        r.proto = NLB_RP_UDP;
        r.mode = NLB_FILTER_SINGLE;
        r.handling[1] = 2;
        r.handling[2] = 1;
        FUZZ_CHECK(nlb_model_add_rule(&cfg.model, &r));
    }
    if (cfgb & TRK_CFG_WITHOUT)
        cfg.without_host = 2;
    nlb_tracker *t = nlb_tracker_new(&cfg);
    FUZZ_CHECK(t != NULL);

    nlb_usec ts = (cfgb & TRK_CFG_EPOCH) ? (nlb_usec)1354600000 * 1000000 : 0;
    size_t off = 1, frames = 0;
    while (off + TRK_FRAME_HDR <= size) {
        uint8_t dt = data[off];
        size_t len = (size_t)data[off + 1] | (size_t)data[off + 2] << 8;
        off += TRK_FRAME_HDR;
        if (len > size - off)
            len = size - off;
        ts += trk_dt_usec(dt);
        /* exact-size copy: the tracker must not keep pointers into a frame it was fed */
        uint8_t *f = malloc(len ? len : 1);
        FUZZ_CHECK(f != NULL);
        memcpy(f, data + off, len);
        /* every 4th frame claims a longer wire length, as a snaplen cut would */
        nlb_packet_decode(lt, f, len, (frames & 3) == 3 ? len + 100 : len, &pkt);
        nlb_tracker_feed(t, &pkt, ts);
        free(f);
        off += len;
        frames++;
        if (dt == 255)
            nlb_tracker_tick(t, ts + 1000); /* live mode: a quiet wire between frames */
    }
    nlb_tracker_finish(t);

    const nlb_counts *c = nlb_tracker_counts(t);
    FUZZ_CHECK(c != NULL && c->frames == frames);
    size_t nc = nlb_tracker_cluster_count(t);
    FUZZ_CHECK(nc <= cfg.max_clusters);
    FUZZ_CHECK(nlb_tracker_cluster(t, nc) == NULL);
    for (size_t i = 0; i < nc; i++) {
        const nlb_cluster_info *ci = nlb_tracker_cluster(t, i);
        FUZZ_CHECK(ci != NULL);
        FUZZ_CHECK(nlb_tracker_find_cluster(t, ci->vip) == ci);
        FUZZ_CHECK(nlb_mode_name(ci->mode) != NULL);
        FUZZ_CHECK(ci->n_hosts <= NLB_MAX_PRIORITY && ci->n_convergence <= NLB_MAX_CONVERGENCE);
        for (unsigned h = 0; h < ci->n_hosts; h++) {
            const nlb_host_info *hi = &ci->hosts[h];
            FUZZ_CHECK(hi->priority >= 1 && hi->priority <= NLB_MAX_PRIORITY);
            if (h)
                FUZZ_CHECK(ci->hosts[h - 1].priority <= hi->priority);
            FUZZ_CHECK(memchr(hi->host_name, 0, sizeof hi->host_name) != NULL);
            FUZZ_CHECK(hi->last_seen >= hi->first_seen && hi->max_gap >= 0);
        }
        for (unsigned k = 0; k < ci->n_convergence; k++)
            FUZZ_CHECK(ci->convergence[k].end == 0 || ci->convergence[k].end >= ci->convergence[k].start);
    }
    size_t ne = nlb_tracker_event_count(t);
    FUZZ_CHECK(ne <= cfg.max_events);
    nlb_usec prev = INT64_MIN;
    for (size_t i = 0; i < ne; i++) {
        const nlb_event *ev = nlb_tracker_event(t, i);
        FUZZ_CHECK(ev != NULL);
        FUZZ_CHECK(ev->time >= prev); /* documented: in time order */
        prev = ev->time;
        check_event(ev);
    }
    size_t nd = nlb_tracker_diag_count(t);
    for (size_t i = 0; i < nd; i++) {
        const nlb_diag *d = nlb_tracker_diag(t, i);
        FUZZ_CHECK(d != NULL);
        check_diag(d);
    }
    size_t nf = nlb_tracker_flow_count(t);
    FUZZ_CHECK(nf <= cfg.max_flows);
    for (size_t i = 0; i < nf; i++) {
        const nlb_flow_info *fl = nlb_tracker_flow(t, i);
        FUZZ_CHECK(fl != NULL);
        FUZZ_CHECK(fl->proto == 6 || fl->proto == 17);
        FUZZ_CHECK(fl->rule >= -1 && fl->rule < (int)NLB_MAX_RULES);
        FUZZ_CHECK(fl->bin < NLB_BINS_MAX);
        FUZZ_CHECK(fl->predicted_host <= NLB_MAX_PRIORITY && fl->observed_host <= NLB_MAX_PRIORITY);
        char a[46], b[46];
        nlb_ipaddr_str(&fl->client, a);
        nlb_ipaddr_str(&fl->vip, b);
    }
    nlb_ownership_summary o = nlb_tracker_ownership(t);
    FUZZ_CHECK(o.agree <= o.with_observed && o.with_observed <= o.flows);
    FUZZ_CHECK(o.agreement >= 0.0 && o.agreement <= 1.0);
    for (uint8_t p = 1; p <= 3; p++) {
        FUZZ_CHECK(nlb_tracker_whatif(t, p, false) <= nf);
        FUZZ_CHECK(nlb_tracker_whatif(t, p, true) <= nf);
    }
    const nlb_model *m = nlb_tracker_model(t);
    FUZZ_CHECK(m != NULL && m->bins >= 1 && m->bins <= NLB_BINS_MAX);
    nlb_tracker_free(t);
    return 0;
}
