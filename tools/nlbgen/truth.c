/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbgen's expected.json: the ground truth the generator knows, written after the capture. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

static void jtime(FILE *f, nlb_usec t)
{
    fprintf(f, "%lld.%06lld", (long long)(t / SEC), (long long)(t % SEC));
}

static void jdur(FILE *f, nlb_usec d)
{
    fprintf(f, "%.6f", (double)d / SEC);
}

static const char *mode_key(nlb_mode m)
{
    switch (m) {
    case NLB_MODE_UNICAST: return "unicast";
    case NLB_MODE_MULTICAST: return "multicast";
    case NLB_MODE_IGMP: return "igmp";
    default: return "unknown";
    }
}

static const char *aff_key(nlb_affinity a)
{
    return a == NLB_AFF_NONE ? "none" : a == NLB_AFF_CLASSC ? "classc" : "single";
}

static int ev_cmp(const void *a, const void *b)
{
    const gevent *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

void write_expected(gen *g, FILE *f)
{
    const opts *o = &g->o;
    sc_kind k = o->p->kind;
    char ip[16], ip2[16], mac[18];
    fprintf(f, "{\n  \"schema\": 1,\n");
    fprintf(f, "  \"generator\": {\"name\": \"nlbgen\", \"version\": \"%s\", \"scenario\": \"%s\", \"seed\": %" PRIu64
               ", \"epoch\": %lld, \"duration\": %.1f,\n"
               "    \"hosts\": %u, \"rules\": %u, \"flows\": %u,\n"
               "    \"note\": \"ground truth known to the generator; ownership follows the emulation model (owner.h), not the Windows hash\"},\n",
            NLBGEN_VERSION, o->p->name, o->seed, (long long)EPOCH_S, (double)o->duration / SEC, o->hosts, o->rules, o->flows);
    fprintf(f, "  \"model\": {\"name\": \"emulation\", \"bins\": %u, \"hash\": \"%s\", \"affinity\": \"%s\", ",
            g->model.bins, g->model.hash_name ? g->model.hash_name : "?", aff_key(o->affinity));
    /* only when asked for: the bundled expected.json files stay byte-identical */
    if (o->hash_seed) fprintf(f, "\"hash_seed\": %u, ", (unsigned)o->hash_seed);
    if (o->clients) fprintf(f, "\"clients\": %u, ", o->clients);
    fprintf(f, "\"note\": \"not the Windows hash\"},\n");
    fprintf(f, "  \"counts\": {\"frames\": %" PRIu64 ", \"heartbeats\": %" PRIu64 ", \"heartbeats_extended\": %" PRIu64
               ", \"foreign_886f\": %" PRIu64 ", \"garp\": %" PRIu64 ", \"rarp\": %" PRIu64
               ", \"cluster_mac_as_source\": %" PRIu64 ", \"vip_flows\": %u, \"igmp_reports\": %" PRIu64,
            g->frames, g->heartbeats, g->heartbeats_ext, g->foreign, g->garp, g->rarp, g->cluster_src,
            g->spawned + g->x_vip_flows, g->igmp);
    if (g->legacy_hb) fprintf(f, ", \"legacy_heartbeats\": %" PRIu64, g->legacy_hb); /* only where sent */
    fprintf(f, "},\n");
    fprintf(f, "  \"flows_summary\": {\"tcp\": %u, \"udp\": %u, \"answered\": %u, \"unanswered\": %u", g->tcp_flows,
            g->udp_flows, g->answered, g->unanswered);
    if (g->unanswered) {
        fprintf(f, ", \"first_unanswered\": ");
        jtime(f, g->first_unanswered);
    }
    fprintf(f, ", \"replies_by_host\": {");
    for (unsigned i = 0; i < g->nh; i++)
        fprintf(f, "%s\"%u\": %" PRIu64, i ? ", " : "", g->h[i].slot, g->h[i].replies);
    fprintf(f, "}},\n");

    /* clusters */
    fprintf(f, "  \"clusters\": [");
    if (g->nh) {
        fprintf(f, "{\n    \"vip\": \"%s\", \"mode\": \"%s\", \"cluster_mac\": \"%s\",\n", nlb_ip4_str(o->vip, ip),
                mode_key(o->mode), nlb_mac_str(g->cluster_mac, mac));
        fprintf(f, "    \"rules\": [");
        for (unsigned r = 0; r < g->model.n_rules; r++) {
            const nlb_port_rule *pr = &g->model.rules[r];
            fprintf(f, "%s{\"slot\": %u, \"code\": \"0x%08x\", \"start\": %u, \"end\": %u, \"proto\": \"%s\", \"affinity\": \"%s\"}",
                    r ? ", " : "", r + 1, rule_code(pr->start, pr->end), pr->start, pr->end,
                    pr->proto == NLB_RP_TCP ? "tcp" : pr->proto == NLB_RP_UDP ? "udp" : "both", aff_key(pr->affinity));
        }
        fprintf(f, "%s{\"slot\": %u, \"code\": \"0x00000000\", \"default\": true}],\n", g->model.n_rules ? ", " : "",
                g->model.n_rules + 1);
        fprintf(f, "    \"hosts\": [\n");
        for (unsigned i = 0; i < g->nh; i++) {
            ghost *h = &g->h[i];
            fprintf(f, "      {\"priority\": %u, \"dedicated_ip\": \"%s\", \"mac\": \"%s\", \"heartbeats\": %" PRIu64
                       ", \"heartbeats_extended\": %" PRIu64 ", \"first_seen\": ",
                    h->prio, nlb_ip4_str(h->dip, ip2), nlb_mac_str(h->src, mac), h->hb, h->hb_ext);
            /* no heartbeat captured (e.g. --no-heartbeats): no time to state */
            if (h->first < 0) fprintf(f, "null"); else jtime(f, h->first);
            fprintf(f, ", \"last_seen\": ");
            if (h->first < 0) fprintf(f, "null"); else jtime(f, h->last);
            fprintf(f, ", \"max_gap\": ");
            jdur(f, h->max_gap);
            fprintf(f, ",\n       \"port_rules\": %u, \"host_code\": \"0x%08x\", \"default_host\": %u", h->n_user_rules + 1,
                    h->host_code, h->default_id + 1u);
            if (h->hb_ext) fprintf(f, ", \"host_name\": \"%s\"", h->name);
            fprintf(f, ", \"replies\": %" PRIu64 ", \"bins_owned\": {", h->replies);
            for (unsigned r = 0; r <= h->n_user_rules; r++)
                fprintf(f, "%s\"rule%u\": %u", r ? ", " : "", r + 1, h->last_bins[r]);
            fprintf(f, "}}%s\n", i + 1 < g->nh ? "," : "");
        }
        fprintf(f, "    ],\n    \"convergence\": [");
        for (unsigned c = 0; c < g->n_conv; c++) {
            fprintf(f, "%s{\"start\": ", c ? ", " : "");
            jtime(f, g->conv[c].start);
            fprintf(f, ", \"end\": ");
            jtime(f, g->conv[c].end);
            fprintf(f, ", \"trigger\": \"%s\"}", (o->flags & PF_CONTINUITY) ? "converging heartbeats"
                                                   : c == 0 ? "host 3 silent" : "host 3 joined");
        }
        fprintf(f, "]\n  }");
    }
    fprintf(f, "],\n");

    if (points_enabled(g)) points_truth(g, f);
    cont_truth(g, f);

    /* events */
    if (k == SC_INCIDENT) {
        for (unsigned c = 0; c < g->n_conv; c++) {
            add_event(g, g->conv[c].start, "convergence_start", "%s", c == 0 ? "host 3 silent" : "host 3 joined");
            if (g->conv[c].end) add_event(g, g->conv[c].end, "convergence_end", "stable again");
        }
        if (g->unanswered)
            add_event(g, g->first_unanswered, "vip_unanswered", "%u client connections to %s:80 without SYN-ACK (SYN retransmitted after 1, 2, 4 s)",
                      g->unanswered, nlb_ip4_str(o->vip, ip));
    }
    qsort(g->ev, g->n_ev, sizeof g->ev[0], ev_cmp);
    fprintf(f, "  \"events\": [");
    for (unsigned e = 0; e < g->n_ev; e++) {
        fprintf(f, "%s\n    {\"time\": ", e ? "," : "");
        jtime(f, g->ev[e].t);
        fprintf(f, ", \"kind\": \"%s\", \"detail\": \"%s\"}", g->ev[e].kind, g->ev[e].detail);
    }
    fprintf(f, "%s],\n", g->n_ev ? "\n  " : "");

    /* diagnostics a correct analysis must report (codes from diag.h) */
    jdiag d[32];
    unsigned nd = 0;
#define DIAG(c, sev, tm, ...) do { d[nd].code = (c); d[nd].severity = (sev); d[nd].t = (tm); \
        snprintf(d[nd].detail, sizeof d[nd].detail, __VA_ARGS__); nd++; } while (0)
    nlb_usec t0 = g->t0;
    switch (k) {
    case SC_INCIDENT:
        DIAG(NLB_D_FAILOVER_UNANNOUNCED, "error", t0 + g->fail_t, "RARP burst from 20 MACs; none of the %u NLB hosts announced", g->nh);
        DIAG(NLB_D_VIP_UNANSWERED, "error", g->first_unanswered, "%u of %u connections to the VIP unanswered", g->unanswered, g->spawned);
        DIAG(NLB_D_HOST_SILENT, "warning", g->h[2].max_gap_at - g->h[2].max_gap, "host 3 silent %.1f s", (double)g->h[2].max_gap / SEC);
        DIAG(NLB_D_CONVERGENCE, "warning", g->n_conv ? g->conv[0].start : 0, "%u convergence episodes", g->n_conv);
        DIAG(NLB_D_CLUSTER_MAC_SOURCE, "error", t0 + g->fail_t + 2 * SEC, "02-BF cluster MAC seen as source");
        break;
    case SC_MULTIPOINT:
        DIAG(NLB_D_CLUSTER_MAC_SOURCE, "error", t0 + g->fail_t, "02-BF cluster MAC seen as source (host 1's NetBIOS broadcast)");
        DIAG(NLB_D_VIP_UNANSWERED, "error", g->first_unanswered, "%u of %u connections to the VIP unanswered (not owned by host 1)", g->unanswered, g->spawned);
        break;
    case SC_MULTICAST:
    case SC_IGMP:
        DIAG(NLB_D_MCAST_ARP, "warning", t0 + 50 * MS + 150, "ARP reply maps the VIP to the %s cluster MAC", k == SC_IGMP ? "IGMP" : "multicast");
        break;
    case SC_MISCONFIG:
        DIAG(NLB_D_DUP_PRIORITY, "error", 0, "priority 2 claimed by %s and %s", nlb_ip4_str(g->h[1].dip, ip), nlb_ip4_str(g->h[2].dip, ip2));
        DIAG(NLB_D_RULE_MISMATCH, "error", 0, "rule %u: host 4 announces code 0x%08x, the others 0x%08x", g->mismatch_slot + 1,
             g->h[3].codes[g->mismatch_slot], g->h[0].codes[g->mismatch_slot]);
        DIAG(NLB_D_MULTI_DEFAULT, "error", 0, "host 4 names host %u as default host, the others host 1", g->h[3].default_id + 1u);
        DIAG(NLB_D_BIN_TWICE, "error", 0, "rule %u bin %u owned by hosts 1 and 4", g->bins_twice_rule + 1, g->bins_twice_bin);
        DIAG(NLB_D_BIN_NOBODY, "error", 0, "rule %u bin %u owned by nobody", g->bins_twice_rule + 1, g->bins_nobody_bin);
        break;
    default:
        break;
    }
    nd = expert_truth(g, d, nd, sizeof d / sizeof d[0]);
    nd = cont_diag_truth(g, d, nd, sizeof d / sizeof d[0]);
#undef DIAG
    fprintf(f, "  \"diagnostics\": [");
    for (unsigned i = 0; i < nd; i++) {
        fprintf(f, "%s\n    {\"code\": \"NLB-%03d\", \"severity\": \"%s\"", i ? "," : "", d[i].code, d[i].severity);
        if (d[i].t) {
            fprintf(f, ", \"time\": ");
            jtime(f, d[i].t);
        }
        fprintf(f, ", \"detail\": \"%s\"}", d[i].detail);
    }
    fprintf(f, "%s],\n", nd ? "\n  " : "");
    fprintf(f, "  \"not_diagnosed\": [\"host codes differ per host by design\"%s]\n}\n",
            k == SC_LOOKALIKE ? ", \"02-xx look-alike MACs (Docker 02:42:c0:a8:02:45, 02:01:00:01:00:00)\", \"SSDP 01:00:5e:7f:ff:fa\", \"Xbox 0x886F\"" : "");
}
