/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture-wide state the first pass builds: clusters, hosts, silence, duplicate priorities,
 * configuration comparison, bin checks, VIP discovery and the owner view of each cluster. What
 * it learns about a frame goes into a record the dissectors keep per frame, so later passes
 * (and the GUI) show the same. */
#include <string.h>

#include <wireshark.h>
#include <epan/packet.h>
#include <wsutil/bits_ctz.h>

#include "nlb.h"

/* ---- per-capture state ------------------------------------------------------------------- */

typedef struct {
    guint64 heartbeats;
    nlb_usec first, last;
    guint32 dip;               /* of the first claimant of this priority */
    guint8 mac[6];
    gboolean has_maps;         /* the last membership heartbeat carried every current map */
    guint16 num_rules;
    guint8 rules_present;      /* rule codes captured */
    guint16 default_host;      /* priority it names as default host, 0 = unknown */
    guint16 conv_state;
    guint64 cur_map[NLB_MAX_RULES];
    guint32 rule_code[NLB_MAX_RULES];
} plug_host;

typedef struct {
    guint32 vip;
    nlb_usec first_seen;
    guint16 default_host;      /* priority, 0 = unknown */
    plug_host hosts[NLB_MAX_PRIORITY + 1]; /* by priority */
    plug_host dups[NLB_MAX_PRIORITY + 1];  /* a second claimant of a priority: its bins still count */
    nlb_emu_cache emu;                     /* emulated maps per slot, moved as the live set changes */
    unsigned last_twice, last_nobody;      /* to report map problems when they change */
    nlb_usec bins_since;                   /* when the current map problem was first seen */
    nlb_usec dup_since[NLB_MAX_PRIORITY + 1];
    guint32 trunc_n, trunc_mask;           /* truncated heartbeats so far, and whose */
    guint32 cms_n, marp_n;                 /* cluster MAC as source / multicast ARP frames so far */
    nlb_usec cms_since, marp_since;
    guint32 hb_mask;                       /* hosts[] that sent a heartbeat (bit p-1 = priority p) */
    guint32 maps_gen;                      /* bumped when a host's maps, map count or rule count change */
    /* nlb_predict's view of the live hosts, refilled only when the live set (view_mask) or the
     * maps (view_gen against maps_gen) change: a few times a second, not per frame. */
    guint32 view_mask, view_gen;
    nlb_owner_view view;
    /* nlb_predict's owner of a bin in multiple-host mode (heartbeat maps or emulation) per slot,
     * valid while the view is (pc_valid, cleared when the view is refilled): most frames then
     * cost a bin computation and a table read. */
    guint64 pc_valid[NLB_MAX_RULES];
    guint8 pc_host[NLB_MAX_RULES][NLB_BINS_MAX];
    guint64 pc_maps[NLB_MAX_RULES];        /* bit b: pc_host[][b] came from the heartbeat maps */
} plug_cluster;

static wmem_map_t *g_clusters;   /* vip -> plug_cluster, wmem_file_scope */
static wmem_array_t *g_vips;     /* known VIPs (preferences first, then heartbeats) */
static plug_cluster *g_last_cluster; /* last one cluster_get found: most frames name the same VIP */
/* nlb_predict's inputs for a VIP known only from the preferences: no hosts heard yet. */
static const nlb_owner_view g_no_view;
static nlb_emu_cache g_no_emu;

void nlb_init(void)
{
    g_clusters = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    g_last_cluster = NULL;
    memset(&g_no_emu, 0, sizeof g_no_emu);
    g_vips = wmem_array_new(wmem_file_scope(), sizeof(guint32));
    for (guint i = 0; i < g_n_pref_vips; i++)
        wmem_array_append_one(g_vips, g_pref_vips[i]);
}

void nlb_cleanup(void)
{
    g_clusters = NULL; /* freed with the file scope */
    g_vips = NULL;
    g_last_cluster = NULL;
}

static gboolean vip_known(guint32 vip)
{
    guint n = wmem_array_get_count(g_vips);
    const guint32 *v = (const guint32 *)wmem_array_get_raw(g_vips);
    for (guint i = 0; i < n; i++)
        if (v[i] == vip)
            return TRUE;
    return FALSE;
}

static plug_cluster *cluster_get(guint32 vip, nlb_usec ts, gboolean create)
{
    if (g_last_cluster && g_last_cluster->vip == vip)
        return g_last_cluster;
    plug_cluster *c = (plug_cluster *)wmem_map_lookup(g_clusters, GUINT_TO_POINTER(vip));
    if (!c && create) {
        c = wmem_new0(wmem_file_scope(), plug_cluster);
        c->vip = vip;
        c->first_seen = ts;
        c->maps_gen = 1; /* view_gen starts at 0: no view filled yet */
        wmem_map_insert(g_clusters, GUINT_TO_POINTER(vip), c);
        if (!vip_known(vip))
            wmem_array_append_one(g_vips, vip);
    }
    if (c)
        g_last_cluster = c;
    return c;
}

static gboolean host_live(const plug_host *h, nlb_usec ts)
{
    return h->heartbeats && ts - h->last <= threshold_usec();
}

gboolean nlb_capture_open(void)
{
    return g_clusters != NULL;
}

const guint32 *nlb_known_vips(guint *n)
{
    *n = wmem_array_get_count(g_vips);
    return (const guint32 *)wmem_array_get_raw(g_vips);
}

/* ---- heartbeats --------------------------------------------------------------------------- */

/* Port rules and default host against the live host with the lowest priority number (the
 * others'): fills NLB-007/NLB-008 as diag.c reads them, lower priority number first. */
static void compare_config(const plug_cluster *c, guint32 prio, const plug_host *h, nlb_usec ts, hb_frame *hf)
{
    const plug_host *ref = NULL;
    unsigned rp = 0;
    for (unsigned p = 1; p <= NLB_MAX_PRIORITY && !ref; p++) {
        if (p != prio && host_live(&c->hosts[p], ts) && c->hosts[p].num_rules) {
            ref = &c->hosts[p];
            rp = p;
        }
    }
    if (!ref || !h->num_rules)
        return;
    /* the pair, lower priority number first: the library takes hosts[0] as the reference */
    nlb_host_config hc[2];
    const plug_host *pair[2] = { rp < prio ? ref : h, rp < prio ? h : ref };
    const unsigned pp[2] = { rp < prio ? rp : prio, rp < prio ? prio : rp };
    for (int k = 0; k < 2; k++) {
        hc[k].priority = (guint8)pp[k];
        hc[k].num_rules = pair[k]->num_rules;
        hc[k].codes_present = pair[k]->rules_present;
        hc[k].codes = pair[k]->rule_code;
        hc[k].default_host = pair[k]->default_host;
    }
    nlb_config_diff cd;
    nlb_config_compare(hc, 2, &cd);
    if (cd.rules_mask) {
        hf->rules_mask = cd.rules_mask;
        hf->rules_n1 = cd.rules_n1;
        hf->rules_n2 = cd.rules_n2;
        hf->rules_n3 = cd.rules_n3;
    }
    if (cd.multi_default)
        hf->default_mask = cd.default_mask;
}

hb_frame *hb_learn(packet_info *pinfo, const nlb_heartbeat *hb)
{
    hb_frame *hf = wmem_new0(wmem_file_scope(), hb_frame);
    hf->bad_rule = -1;
    nlb_usec ts = frame_usec(pinfo);
    if (!g_clusters)
        return hf;
    if (hb->kind == NLB_HB_UNKNOWN || !nlb_hb_has(hb, NLB_OFF_DEDICATED_IP, 4) ||
        hb->priority < 1 || hb->priority > NLB_MAX_PRIORITY)
        return hf;
    plug_cluster *c = cluster_get(hb->cluster_ip, ts, TRUE);
    plug_host *h = &c->hosts[hb->priority];
    if (h->heartbeats && h->dip != hb->dedicated_ip) {
        /* Another machine claims a taken priority: keep the first claimant's timeline clean. */
        hf->dup_of_dip_valid = 1;
        hf->dup_dip = h->dip;
        if (!c->dup_since[hb->priority])
            c->dup_since[hb->priority] = ts;
        hf->dup_since = c->dup_since[hb->priority];
        h = &c->dups[hb->priority];
        if (!h->heartbeats)
            h->dip = hb->dedicated_ip;
    }
    if (h->heartbeats && ts - h->last > threshold_usec() && !hf->dup_of_dip_valid)
        hf->gap = ts - h->last;
    if (hb->truncated && hb->status != NLB_MALFORMED) {
        c->trunc_n++;
        c->trunc_mask |= 1u << (hb->priority - 1);
    }
    hf->trunc_n = c->trunc_n;
    hf->trunc_mask = c->trunc_mask;
    if (!h->heartbeats) {
        h->first = ts;
        h->dip = hb->dedicated_ip;
    }
    h->heartbeats++;
    h->last = ts;
    if (h == &c->hosts[hb->priority])
        c->hb_mask |= 1u << (hb->priority - 1);
    if (pinfo->dl_src.type == AT_ETHER && pinfo->dl_src.len == 6)
        memcpy(h->mac, pinfo->dl_src.data, 6);
    if (hb->kind != NLB_HB_MEMBERSHIP)
        return hf;
    if (nlb_hb_has(hb, NLB_OFF_DEFAULT_HOST_ID, 2)) {
        h->default_host = (guint16)(hb->default_host_id + 1);
        if (!hf->dup_of_dip_valid)
            c->default_host = h->default_host;
    }
    if (nlb_hb_has(hb, NLB_OFF_CONV_STATE, 2))
        h->conv_state = hb->conv_state;
    unsigned nr = hb->num_rules > NLB_MAX_RULES ? NLB_MAX_RULES : hb->num_rules;
    guint16 old_rules = h->num_rules;
    gboolean old_has_maps = h->has_maps, maps_changed = FALSE;
    h->num_rules = nlb_hb_has(hb, NLB_OFF_NUM_RULES, 2) ? hb->num_rules : 0;
    h->rules_present = hb->rules_present;
    h->has_maps = nlb_hb_has(hb, NLB_OFF_NUM_RULES, 2) && nr > 0 &&
                  nlb_hb_has(hb, NLB_OFF_CUR_MAP, 8 * (size_t)nr);
    for (unsigned r = 0; r < NLB_MAX_RULES; r++) {
        guint64 m = h->has_maps ? hb->rules[r].cur_map : 0;
        maps_changed |= h->cur_map[r] != m;
        h->rule_code[r] = r < hb->rules_present ? hb->rules[r].code : 0;
        h->cur_map[r] = m;
    }
    if (maps_changed || old_rules != h->num_rules || old_has_maps != h->has_maps)
        c->maps_gen++; /* cluster_view's cached view is stale */
    if (!hf->dup_of_dip_valid)
        compare_config(c, hb->priority, h, ts, hf);
    if (!h->has_maps || hf->dup_of_dip_valid)
        return hf; /* the duplicate's maps count below, but its heartbeats judge nothing */

    /* Judge ownership only once every live host has had period x tolerance to show up and
     * nobody is converging: before that, "owned by nobody" is just a host we have not heard. */
    if (ts - c->first_seen < threshold_usec())
        return hf;
    guint8 prios[2 * NLB_MAX_PRIORITY];
    const plug_host *who[2 * NLB_MAX_PRIORITY];
    size_t n = 0;
    unsigned minrules = nr;
    for (unsigned p = 1; p <= NLB_MAX_PRIORITY; p++) {
        for (int d = 0; d < 2; d++) {
            const plug_host *o = d ? &c->dups[p] : &c->hosts[p];
            if (!host_live(o, ts))
                continue;
            if (!o->has_maps || o->conv_state == NLB_CONV_CONVERGING)
                return hf;
            if (o->num_rules < minrules)
                minrules = o->num_rules;
            who[n] = o;
            prios[n++] = (guint8)p;
        }
    }
    unsigned twice = 0, nobody = 0;
    guint32 tmask = 0;
    int bad = -1;
    for (unsigned r = 0; r < minrules && bad < 0; r++) {
        if (!h->rule_code[r])
            continue; /* the default rule's slot (code 0, guess) has no bins of its own */
        guint64 maps[2 * NLB_MAX_PRIORITY];
        for (size_t k = 0; k < n; k++)
            maps[k] = who[k]->cur_map[r];
        nlb_binmap bm;
        unsigned nb = 0;
        unsigned tw = nlb_binmap_from_maps(&bm, g_model.bins, prios, maps, n, &nb);
        if (tw || nb) {
            twice = tw;
            nobody = nb;
            bad = (int)r;
            for (unsigned b = 0; b < g_model.bins; b++) {
                guint32 owners = 0;
                for (size_t k = 0; k < n; k++)
                    if (maps[k] >> b & 1)
                        owners |= 1u << (prios[k] - 1);
                if (owners & (owners - 1))
                    tmask |= owners;
            }
        }
    }
    if (twice != c->last_twice || nobody != c->last_nobody) {
        hf->twice = twice;
        hf->nobody = nobody;
        hf->twice_mask = tmask;
        hf->bad_rule = bad;
        c->bins_since = ts;
    }
    hf->bins_since = c->bins_since;
    c->last_twice = twice;
    c->last_nobody = nobody;
    return hf;
}

/* ---- annotations ------------------------------------------------------------------------- */

/* NLB host (priority) that sends from mac in cluster c: masked MACs carry it, NIC MACs are
 * matched against the source MAC of that host's heartbeats (multicast mode). */
static guint8 host_of_mac(const plug_cluster *c, const guint8 mac[6], const nlb_mac_info *mi)
{
    if (mi->kind == NLB_MAC_MASKED && mi->confirmed && mi->vip == c->vip)
        return mi->priority;
    for (guint32 m = c->hb_mask; m; m &= m - 1) {
        unsigned p = ws_ctz(m) + 1;
        if (memcmp(c->hosts[p].mac, mac, 6) == 0)
            return (guint8)p;
    }
    return 0;
}

/* hosts[] of c that are live at ts (bit p-1 = priority p). */
static guint32 live_mask(const plug_cluster *c, nlb_usec ts)
{
    guint32 live = 0;
    for (guint32 m = c->hb_mask; m; m &= m - 1) {
        unsigned p = ws_ctz(m) + 1;
        if (host_live(&c->hosts[p], ts))
            live |= 1u << (p - 1);
    }
    return live;
}

/* nlb_predict's view of c's live hosts at ts. The default-host claim is the last one heard
 * (nlb_predict ignores it when that host is not live); with no rules configured the map slot is
 * 0 (codes NULL), as the plugin always read it. */
static const nlb_owner_view *cluster_view(plug_cluster *c, nlb_usec ts)
{
    guint32 live = live_mask(c, ts);
    nlb_owner_view *v = &c->view;
    if (live != c->view_mask || c->view_gen != c->maps_gen) {
        v->n = 0;
        for (guint32 m = live; m; m &= m - 1) {
            unsigned p = ws_ctz(m) + 1;
            const plug_host *h = &c->hosts[p];
            v->prio[v->n] = (guint8)p;
            v->cur_map[v->n] = h->has_maps ? h->cur_map : NULL;
            v->n++;
        }
        v->num_rules = 0;
        v->codes = NULL;
        c->view_mask = live;
        c->view_gen = c->maps_gen;
        memset(c->pc_valid, 0, sizeof c->pc_valid);
    }
    v->default_host = c->default_host <= NLB_MAX_PRIORITY ? (guint8)c->default_host : 0;
    return v;
}

static void ann_flow(ann_frame *af, const nlb_packet *pkt, nlb_usec ts)
{
    guint32 dst = nlb_ipaddr_to_v4(&pkt->ip_dst), src = nlb_ipaddr_to_v4(&pkt->ip_src);
    const nlb_ipaddr *client;
    guint16 cport;
    if (pkt->ip_dst.family == 4 && vip_known(dst)) {
        af->vip = dst;
        af->vport = pkt->dport;
        client = &pkt->ip_src;
        cport = pkt->sport;
    } else if (pkt->ip_src.family == 4 && vip_known(src) && !(pkt->has_dst && (pkt->dst[0] & 1))) {
        /* Only unicast frames answer a client; the VIP broadcasting (NetBIOS...) is no reply. */
        af->reply = TRUE;
        af->vip = src;
        af->vport = pkt->sport;
        client = &pkt->ip_dst;
        cport = pkt->dport;
    } else {
        return;
    }
    af->flow = TRUE;
    af->show = TRUE;
    af->ip_proto = pkt->ip_proto;
    af->rules_configured = g_model.n_rules > 0;
    plug_cluster *c = cluster_get(af->vip, ts, FALSE);
    const nlb_owner_view *v = c ? cluster_view(c, ts) : &g_no_view;
    /* Cached answer for a multiple-host bin: the rule (if any) picks the slot and affinity, the
     * bin indexes the cache; whatever else (default host, single-host, disabled) asks the library. */
    int rule = g_model.n_rules ? nlb_model_match(&g_model, af->vip, pkt->ip_proto, af->vport) : -1;
    if (c && (!g_model.n_rules || (rule >= 0 && g_model.rules[rule].mode == NLB_FILTER_MULTIPLE))) {
        unsigned slot = rule >= 0 ? (unsigned)rule : 0;
        nlb_affinity aff = rule >= 0 ? g_model.rules[rule].affinity : g_model.default_affinity;
        unsigned bin = nlb_model_bin(&g_model, aff, client, cport);
        if (bin < NLB_BINS_MAX && (c->pc_valid[slot] >> bin & 1)) {
            af->rule = rule;
            af->predicted = c->pc_host[slot][bin];
            af->from_maps = (c->pc_maps[slot] >> bin & 1) != 0;
            af->has_bin = TRUE;
            af->bin = (guint8)bin;
            af->aff = aff;
            goto observed;
        }
    }
    nlb_prediction p = nlb_predict(&g_model, v, c ? &c->emu : &g_no_emu, af->vip, pkt->ip_proto, af->vport,
                                   client, cport);
    if (c && (p.source == NLB_PRED_MAPS || p.source == NLB_PRED_EMULATED) && p.slot >= 0 &&
        p.slot < NLB_MAX_RULES && p.bin < NLB_BINS_MAX && p.rule == rule && p.slot == (rule >= 0 ? rule : 0)) {
        guint64 b = (guint64)1 << p.bin;
        c->pc_valid[p.slot] |= b;
        c->pc_host[p.slot][p.bin] = p.host;
        c->pc_maps[p.slot] = p.source == NLB_PRED_MAPS ? c->pc_maps[p.slot] | b : c->pc_maps[p.slot] & ~b;
    }
    af->rule = p.rule;
    af->predicted = p.host;
    af->from_maps = p.source == NLB_PRED_MAPS;
    af->single = p.source == NLB_PRED_SINGLE_HOST;
    af->dropped = p.source == NLB_PRED_DROPPED;
    /* the bin is shown where it decided the owner (maps or emulation), as before */
    af->has_bin = p.source == NLB_PRED_MAPS || p.source == NLB_PRED_EMULATED;
    if (af->has_bin) {
        af->bin = p.bin;
        af->aff = p.affinity;
    }
observed:
    if (af->reply && c)
        af->observed = host_of_mac(c, pkt->src, &pkt->src_mac);
}

gboolean ann_learn(packet_info *pinfo, const nlb_packet *pkt, ann_frame *af)
{
    memset(af, 0, sizeof *af);
    nlb_usec ts = frame_usec(pinfo);

    /* An ARP sender whose hardware address is a cluster form embedding its own IP names a VIP
     * (NLB-PROTOCOL.md section 2: VIPs are known from heartbeats, ARP or configuration). */
    if ((pkt->kind == NLB_FK_ARP) && pkt->arp.status != NLB_MALFORMED && pkt->arp.spa) {
        nlb_mac_info mi;
        nlb_mac_kind k = nlb_mac_classify(pkt->arp.sha, &mi);
        if ((k == NLB_MAC_UNICAST || k == NLB_MAC_MULTICAST || k == NLB_MAC_IGMP) &&
            (pkt->arp.spa & mi.vip_mask) == (mi.vip & mi.vip_mask) && !vip_known(pkt->arp.spa))
            cluster_get(pkt->arp.spa, ts, TRUE);
    }
    const guint32 *vips = (const guint32 *)wmem_array_get_raw(g_vips);
    guint nv = wmem_array_get_count(g_vips);

    af->src = pkt->src_mac;
    af->dst = pkt->dst_mac;
    af->has_dst = pkt->has_dst;
    memcpy(af->src_addr, pkt->src, 6);
    memcpy(af->dst_addr, pkt->dst, 6);
    if (af->src.kind != NLB_MAC_NONE && nlb_mac_confirm(&af->src, vips, nv))
        af->show = TRUE;
    if (af->has_dst && af->dst.kind != NLB_MAC_NONE && nlb_mac_confirm(&af->dst, vips, nv))
        af->show = TRUE;
    af->cluster_mac_source = af->src.kind == NLB_MAC_UNICAST && af->src.confirmed;
    if (af->cluster_mac_source) {
        plug_cluster *c = cluster_get(af->src.vip, ts, TRUE);
        if (!c->cms_n++)
            c->cms_since = ts;
        af->cms_n = c->cms_n;
        af->cms_since = c->cms_since;
    }

    /* Announcements only matter where there is a cluster: in a capture without NLB they are
     * someone else's business and must not make "-Y nlb" match. */
    if (nv && (pkt->kind == NLB_FK_RARP || (pkt->kind == NLB_FK_ARP && pkt->arp.gratuitous)) &&
        pkt->arp.status != NLB_MALFORMED) {
        af->announce = pkt->kind == NLB_FK_RARP ? ANN_RARP : ANN_GARP;
        af->arp_op = pkt->arp.op;
        af->arp_spa = pkt->arp.spa;
        /* RARP announces the Ethernet source (ESXi "Notify Switches"); GARP its sender. */
        memcpy(af->announced_mac, pkt->kind == NLB_FK_RARP ? pkt->src : pkt->arp.sha, 6);
        nlb_mac_info mi;
        nlb_mac_classify(af->announced_mac, &mi);
        nlb_mac_confirm(&mi, vips, nv);
        for (guint i = 0; i < nv && !af->announced_host; i++) {
            plug_cluster *c = cluster_get(vips[i], ts, FALSE);
            if (c)
                af->announced_host = host_of_mac(c, af->announced_mac, &mi);
        }
        af->show = TRUE;
    }
    if (nv && pkt->kind == NLB_FK_ARP && pkt->arp.op == NLB_ARP_REPLY && pkt->arp.status != NLB_MALFORMED) {
        nlb_mac_info mi;
        nlb_mac_classify(pkt->arp.sha, &mi);
        if ((mi.kind == NLB_MAC_MULTICAST || mi.kind == NLB_MAC_IGMP) && nlb_mac_confirm(&mi, vips, nv)) {
            af->mcast_arp = TRUE;
            af->arp_spa = pkt->arp.spa;
            plug_cluster *c = cluster_get(mi.vip, ts, TRUE);
            if (!c->marp_n++)
                c->marp_since = ts;
            af->marp_n = c->marp_n;
            af->marp_since = c->marp_since;
            memcpy(af->announced_mac, pkt->arp.sha, 6);
            af->show = TRUE;
        }
    }
    if (nv && pkt->kind == NLB_FK_IP && pkt->has_ports && (pkt->ip_proto == 6 || pkt->ip_proto == 17))
        ann_flow(af, pkt, ts);

    /* nothing at all: keep no per-frame memory */
    return af->show || af->src.kind != NLB_MAC_NONE || af->dst.kind != NLB_MAC_NONE;
}

