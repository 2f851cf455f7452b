/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wireshark 4.0 plugin "nlb": Microsoft NLB heartbeats, cluster-MAC / GARP / RARP annotations,
 * emulated flow ownership, expert infos and a stats tree. Every decode and every fact about the
 * protocol comes from libnlbproto; this file only maps those facts onto epan (fields, tree,
 * columns, expert info, taps), so nlbreplay and Wireshark never disagree. */
#include <string.h>

#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>
#include <wiretap/wtap.h>
#include <wsutil/bits_ctz.h>
#include <wsutil/pint.h>
#include <wsutil/report_message.h>
#include <wsutil/utf8_entities.h>

#include <nlbproto/nlbproto.h>

#ifndef NLB_WS_MAJOR
#define NLB_WS_MAJOR 4
#define NLB_WS_MINOR 0
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = NLBPROTO_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = NLB_WS_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = NLB_WS_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

static int proto_nlb = -1;
static int nlb_tap = -1;
static dissector_handle_t nlb_hb_handle;
static dissector_handle_t nlb_886f_handle;
static dissector_handle_t msnlb_handle;   /* the built-in msnlb, kept for "--disable-protocol nlb" */
static dissector_handle_t nlb_post_handle;

/* heartbeat */
static int hf_hb_signature = -1, hf_hb_kind = -1, hf_hb_version = -1;
static int hf_hb_priority = -1, hf_hb_cluster_ip = -1, hf_hb_dedicated_ip = -1;
static int hf_hb_my_host_id = -1, hf_hb_default_host_id = -1, hf_hb_conv_state = -1;
static int hf_hb_rules = -1, hf_hb_host_code = -1, hf_hb_packets = -1;
static int hf_hb_teaming = -1, hf_hb_team_active = -1, hf_hb_team_master = -1;
static int hf_hb_team_reverse = -1, hf_hb_team_participants = -1, hf_hb_team_xor = -1;
static int hf_hb_reserved = -1;
static int hf_hb_rule = -1, hf_hb_rule_index = -1, hf_hb_rule_code = -1;
static int hf_hb_rule_start = -1, hf_hb_rule_end = -1, hf_hb_rule_weight = -1;
static int hf_hb_map_cur = -1, hf_hb_map_new = -1, hf_hb_map_idle = -1, hf_hb_map_ready = -1;
static int hf_hb_bins_owned = -1, hf_hb_bins_list = -1;
static int hf_hb_tlv = -1, hf_hb_tlv_type = -1, hf_hb_tlv_length = -1;
static int hf_hb_host_name = -1, hf_hb_address4 = -1, hf_hb_address6 = -1;
static int hf_hb_truncated = -1, hf_hb_gap = -1;
/* annotations */
static int hf_mac_src = -1, hf_mac_dst = -1;
static int hf_mac_kind = -1, hf_mac_vip = -1, hf_mac_priority = -1, hf_mac_confirmed = -1;
static int hf_garp = -1, hf_rarp = -1, hf_announced_host = -1;
static int hf_flow = -1, hf_flow_vip = -1, hf_flow_bin = -1, hf_flow_rule = -1;
static int hf_flow_predicted = -1, hf_flow_observed = -1, hf_flow_source = -1;

static gint ett_nlb = -1, ett_hb_team = -1, ett_hb_rule = -1, ett_hb_tlv = -1;
static gint ett_ann = -1, ett_mac = -1, ett_flow = -1;

static expert_field ei_truncated = EI_INIT;
static expert_field ei_unknown_signature = EI_INIT;
static expert_field ei_malformed = EI_INIT;
static expert_field ei_rule_count = EI_INIT;
static expert_field ei_cluster_mac_source = EI_INIT;
static expert_field ei_dup_priority = EI_INIT;
static expert_field ei_host_silent = EI_INIT;
static expert_field ei_bin_twice = EI_INIT;
static expert_field ei_bin_nobody = EI_INIT;
static expert_field ei_owner_mismatch = EI_INIT;
static expert_field ei_mcast_arp = EI_INIT;
static expert_field ei_rule_mismatch = EI_INIT;
static expert_field ei_multi_default = EI_INIT;

/* Value strings filled from the library's own names at registration, so wording has one home. */
static value_string vs_hb_kind[5];
static value_string vs_mac_kind[6];
static value_string vs_signature[4];
static value_string vs_conv_state[4];

/* ---- preferences ------------------------------------------------------------------------- */

static const enum_val_t affinity_vals[] = {
    { "none", "None (client IP + port)", NLB_AFF_NONE },
    { "single", "Single (client IP)", NLB_AFF_SINGLE },
    { "classc", "Class C (client /24)", NLB_AFF_CLASSC },
    { NULL, NULL, 0 }
};

static const char *pref_vips = "";
static const char *pref_rules_file = "";
static guint pref_bins = NLB_BINS_DEFAULT;
static gint pref_affinity = NLB_AFF_SINGLE;
static guint pref_period_ms = 1000;
static guint pref_tolerance = 5;
static gboolean pref_annotate = TRUE;

/* Derived from the preferences in apply_prefs(). */
static nlb_model g_model;
static guint32 g_pref_vips[NLB_MAX_USER_VIPS];
static guint g_n_pref_vips;

static void apply_prefs(void)
{
    g_n_pref_vips = 0;
    if (pref_vips) {
        gchar **tok = g_strsplit_set(pref_vips, ",; \t", -1);
        for (gchar **t = tok; *t; t++) {
            guint32 ip;
            if (!**t)
                continue;
            if (!nlb_ip4_parse(*t, &ip))
                report_failure("NLB (nlbproto): \"%s\" in the VIP list is not an IPv4 address", *t);
            else if (g_n_pref_vips < NLB_MAX_USER_VIPS)
                g_pref_vips[g_n_pref_vips++] = ip;
        }
        g_strfreev(tok);
    }
    nlb_model_init(&g_model);
    if (pref_rules_file && *pref_rules_file) {
        gchar *text = NULL;
        char err[160];
        if (!g_file_get_contents(pref_rules_file, &text, NULL, NULL)) {
            report_failure("NLB (nlbproto): cannot read port rules file %s", pref_rules_file);
        } else if (!nlb_model_load_rules(&g_model, text, err, sizeof err)) {
            report_failure("NLB (nlbproto): port rules file %s: %s", pref_rules_file, err);
            nlb_model_init(&g_model); /* half a rule set would mislead more than none */
        }
        g_free(text);
    }
    /* As with nlbreplay's options: a preference changed from its default wins over the file. */
    if (pref_bins != NLB_BINS_DEFAULT || !(pref_rules_file && *pref_rules_file))
        g_model.bins = pref_bins < 1 ? 1 : pref_bins > NLB_BINS_MAX ? NLB_BINS_MAX : pref_bins;
    if (pref_affinity != NLB_AFF_SINGLE || !(pref_rules_file && *pref_rules_file))
        g_model.default_affinity = (nlb_affinity)pref_affinity;
}

static nlb_usec threshold_usec(void)
{
    return (nlb_usec)pref_period_ms * 1000 * (nlb_usec)pref_tolerance;
}

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

static void nlb_init(void)
{
    g_clusters = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    g_last_cluster = NULL;
    memset(&g_no_emu, 0, sizeof g_no_emu);
    g_vips = wmem_array_new(wmem_file_scope(), sizeof(guint32));
    for (guint i = 0; i < g_n_pref_vips; i++)
        wmem_array_append_one(g_vips, g_pref_vips[i]);
}

static void nlb_cleanup(void)
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

static nlb_usec frame_usec(const packet_info *pinfo)
{
    return (nlb_usec)pinfo->abs_ts.secs * 1000000 + pinfo->abs_ts.nsecs / 1000;
}

/* What the first pass learnt about a frame, so later passes (and the GUI) show the same. */
/* Counts are "so far in the capture" and times "first seen", as the diag.h table expects. */
typedef struct {
    guint8 dup_of_dip_valid;
    guint32 dup_dip;           /* dedicated IP of the first host that claimed this priority */
    nlb_usec dup_since;
    nlb_usec gap;              /* > 0: silence longer than period x tolerance ended here */
    unsigned twice, nobody;    /* bins owned twice / by nobody, when they changed here */
    guint32 twice_mask;        /* hosts owning the doubly owned bins */
    nlb_usec bins_since;
    int bad_rule;              /* rule slot (0-based) the counts refer to */
    guint32 trunc_n, trunc_mask;
    guint32 rules_mask, rules_n1, rules_n2, rules_n3; /* NLB-007, as diag.c reads them */
    guint32 default_mask;      /* NLB-008: the hosts named as default */
} hb_frame;

enum { ANN_NONE = 0, ANN_GARP = 1, ANN_RARP = 2 };

typedef struct {
    gboolean show;             /* something NLB-related to show (else only counted in stats) */
    nlb_mac_info src, dst;
    gboolean has_dst;
    guint8 src_addr[6], dst_addr[6];
    gboolean cluster_mac_source;
    guint8 announce;
    guint16 arp_op;
    guint32 arp_spa;
    guint8 announced_mac[6];
    guint8 announced_host;     /* NLB host owning the announced MAC, 0 = none */
    gboolean mcast_arp;        /* ARP maps a unicast IP to a cluster multicast MAC */
    guint32 cms_n, marp_n;     /* so far in the capture, for the diagnostic's wording */
    nlb_usec cms_since, marp_since;
    gboolean flow, reply, rules_configured, from_maps, has_bin, dropped, single;
    guint32 vip;
    guint16 vport;
    guint8 ip_proto;
    int rule;
    guint8 bin, predicted, observed;
    nlb_affinity aff;
} ann_frame;

/* What later passes need of an ann_frame, packed: most kept frames are VIP flow frames, and a
 * capture has a million of them. ARP/RARP and cluster-MAC-as-source details live apart. */
enum {
    AR_SHOW = 1u << 0, AR_HAS_DST = 1u << 1, AR_SRC_CONFIRMED = 1u << 2, AR_DST_CONFIRMED = 1u << 3,
    AR_CMS = 1u << 4, AR_MCAST_ARP = 1u << 5, AR_FLOW = 1u << 6, AR_REPLY = 1u << 7,
    AR_RULES = 1u << 8, AR_FROM_MAPS = 1u << 9, AR_HAS_BIN = 1u << 10, AR_DROPPED = 1u << 11,
    AR_SINGLE = 1u << 12
};

typedef struct {
    guint16 arp_op;
    guint8 announced_mac[6];
    guint8 announced_host;
    guint32 arp_spa;
    guint32 cms_n, marp_n;
    nlb_usec cms_since, marp_since;
} ann_rare;

typedef struct {
    guint16 flags;             /* AR_* */
    guint8 src_kind, dst_kind, src_prio, dst_prio;
    guint8 announce, ip_proto, bin, predicted, observed, aff;
    gint16 rule;
    guint16 vport;
    guint32 src_vip, dst_vip, vip;
    guint8 src_addr[6], dst_addr[6];
    ann_rare *rare;            /* NULL unless announce, mcast_arp or cluster_mac_source */
} ann_rec;

static ann_rec *ann_pack(const ann_frame *af)
{
    ann_rec *r = wmem_new0(wmem_file_scope(), ann_rec);
    r->flags = (guint16)((af->show ? AR_SHOW : 0) | (af->has_dst ? AR_HAS_DST : 0) |
                         (af->src.confirmed ? AR_SRC_CONFIRMED : 0) | (af->dst.confirmed ? AR_DST_CONFIRMED : 0) |
                         (af->cluster_mac_source ? AR_CMS : 0) | (af->mcast_arp ? AR_MCAST_ARP : 0) |
                         (af->flow ? AR_FLOW : 0) | (af->reply ? AR_REPLY : 0) |
                         (af->rules_configured ? AR_RULES : 0) | (af->from_maps ? AR_FROM_MAPS : 0) |
                         (af->has_bin ? AR_HAS_BIN : 0) | (af->dropped ? AR_DROPPED : 0) | (af->single ? AR_SINGLE : 0));
    r->src_kind = (guint8)af->src.kind;
    r->dst_kind = (guint8)af->dst.kind;
    r->src_prio = af->src.priority;
    r->dst_prio = af->dst.priority;
    r->src_vip = af->src.vip;
    r->dst_vip = af->dst.vip;
    memcpy(r->src_addr, af->src_addr, 6);
    memcpy(r->dst_addr, af->dst_addr, 6);
    r->announce = af->announce;
    r->ip_proto = af->ip_proto;
    r->bin = af->bin;
    r->predicted = af->predicted;
    r->observed = af->observed;
    r->aff = (guint8)af->aff;
    r->rule = (gint16)af->rule;
    r->vport = af->vport;
    r->vip = af->vip;
    if (af->announce || af->mcast_arp || af->cluster_mac_source) {
        ann_rare *x = wmem_new0(wmem_file_scope(), ann_rare);
        x->arp_op = af->arp_op;
        x->arp_spa = af->arp_spa;
        memcpy(x->announced_mac, af->announced_mac, 6);
        x->announced_host = af->announced_host;
        x->cms_n = af->cms_n;
        x->marp_n = af->marp_n;
        x->cms_since = af->cms_since;
        x->marp_since = af->marp_since;
        r->rare = x;
    }
    return r;
}

static void mac_unpack(nlb_mac_info *mi, guint8 kind, guint8 prio, guint32 vip, gboolean confirmed)
{
    mi->kind = (nlb_mac_kind)kind;
    mi->priority = prio;
    mi->vip = vip;
    mi->confirmed = confirmed;
    mi->vip_mask = kind == NLB_MAC_NONE ? 0 : kind == NLB_MAC_IGMP && !confirmed ? 0xFFFFu : 0xFFFFFFFFu;
}

static void ann_unpack(const ann_rec *r, ann_frame *af)
{
    memset(af, 0, sizeof *af);
    af->show = !!(r->flags & AR_SHOW);
    af->has_dst = !!(r->flags & AR_HAS_DST);
    mac_unpack(&af->src, r->src_kind, r->src_prio, r->src_vip, !!(r->flags & AR_SRC_CONFIRMED));
    mac_unpack(&af->dst, r->dst_kind, r->dst_prio, r->dst_vip, !!(r->flags & AR_DST_CONFIRMED));
    memcpy(af->src_addr, r->src_addr, 6);
    memcpy(af->dst_addr, r->dst_addr, 6);
    af->cluster_mac_source = !!(r->flags & AR_CMS);
    af->mcast_arp = !!(r->flags & AR_MCAST_ARP);
    af->flow = !!(r->flags & AR_FLOW);
    af->reply = !!(r->flags & AR_REPLY);
    af->rules_configured = !!(r->flags & AR_RULES);
    af->from_maps = !!(r->flags & AR_FROM_MAPS);
    af->has_bin = !!(r->flags & AR_HAS_BIN);
    af->dropped = !!(r->flags & AR_DROPPED);
    af->single = !!(r->flags & AR_SINGLE);
    af->announce = r->announce;
    af->ip_proto = r->ip_proto;
    af->bin = r->bin;
    af->predicted = r->predicted;
    af->observed = r->observed;
    af->aff = (nlb_affinity)r->aff;
    af->rule = r->rule;
    af->vport = r->vport;
    af->vip = r->vip;
    if (r->rare) {
        const ann_rare *x = r->rare;
        af->arp_op = x->arp_op;
        af->arp_spa = x->arp_spa;
        memcpy(af->announced_mac, x->announced_mac, 6);
        af->announced_host = x->announced_host;
        af->cms_n = x->cms_n;
        af->marp_n = x->marp_n;
        af->cms_since = x->cms_since;
        af->marp_since = x->marp_since;
    }
}

/* One record per NLB-relevant frame for the stats tree. */
typedef struct {
    gboolean heartbeat;
    guint32 vip;
    guint8 prio;
    guint32 dip;
    nlb_hb_kind kind;
    gboolean truncated;
    nlb_usec gap;
    nlb_mac_kind src_kind, dst_kind;
    gboolean src_confirmed, dst_confirmed;
    guint8 announce;
    gboolean flow;
} nlb_tap_rec;

/* ---- wording helpers ---------------------------------------------------------------------- */

static void hb_version_fmt(gchar *buf, guint32 v)
{
    char s[16];
    g_snprintf(buf, ITEM_LABEL_LENGTH, "%s (0x%08x)", nlb_hb_version_str(v, s), v);
}

/* The message of a library diagnostic, so nlbreplay and the plugin use the same sentence. */
static const char *diag_msg(wmem_allocator_t *pool, const nlb_diag *d)
{
    char buf[512];
    if (!nlb_diag_format(d, buf, sizeof buf))
        g_strlcpy(buf, nlb_diag_code_str(d->code), sizeof buf);
    return wmem_strdup_printf(pool, "%s: %s", nlb_diag_code_str(d->code), buf);
}

static nlb_diag diag_make(nlb_diag_code code, nlb_severity sev, nlb_usec t, guint32 vip)
{
    nlb_diag d;
    memset(&d, 0, sizeof d);
    d.code = code;
    d.severity = sev;
    d.time = t;
    d.vip = vip;
    return d;
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

/* First pass only: fold one heartbeat into the capture state and note what it revealed. */
static hb_frame *hb_learn(packet_info *pinfo, const nlb_heartbeat *hb)
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

static proto_item *add_map(proto_tree *tree, int hf, tvbuff_t *tvb, const nlb_heartbeat *hb, size_t off, guint64 v)
{
    if (!nlb_hb_has(hb, off, 8))
        return NULL;
    return proto_tree_add_uint64(tree, hf, tvb, (gint)off, 8, v);
}

static void hb_rules_tree(proto_tree *tree, tvbuff_t *tvb, const nlb_heartbeat *hb, unsigned *bmin, unsigned *bmax)
{
    unsigned nr = hb->num_rules > NLB_MAX_RULES ? NLB_MAX_RULES : hb->num_rules;
    *bmin = G_MAXUINT;
    *bmax = 0;
    for (unsigned i = 0; i < nr; i++) {
        size_t coff = NLB_OFF_RULE_CODES + 4 * (size_t)i;
        if (!nlb_hb_has(hb, coff, 4))
            break; /* the truncated marker follows */
        const nlb_hb_rule *ru = &hb->rules[i];
        proto_item *ti = proto_tree_add_none_format(tree, hf_hb_rule, tvb, (gint)coff, 4,
                                                    "Port rule %u: code 0x%08x", i + 1, ru->code);
        proto_tree *rt = proto_item_add_subtree(ti, ett_hb_rule);
        proto_item *it = proto_tree_add_uint(rt, hf_hb_rule_index, tvb, (gint)coff, 4, i + 1);
        proto_item_set_generated(it);
        proto_tree_add_uint(rt, hf_hb_rule_code, tvb, (gint)coff, 4, ru->code);
        guint16 ps, pe;
        if (nlb_rule_code_ports(ru->code, &ps, &pe)) {
            it = proto_tree_add_uint(rt, hf_hb_rule_start, tvb, (gint)coff, 4, ps);
            proto_item_set_generated(it);
            it = proto_tree_add_uint(rt, hf_hb_rule_end, tvb, (gint)coff, 4, pe);
            proto_item_set_generated(it);
            proto_item_append_text(ti, ", ports %u-%u (guess)", ps, pe);
        } else if (ru->code == 0 && i + 1 == nr) {
            proto_item_append_text(ti, " (default rule slot, guess)");
        }
        size_t moff = NLB_OFF_CUR_MAP + 8 * (size_t)i;
        if (nlb_hb_has(hb, moff, 8)) {
            add_map(rt, hf_hb_map_cur, tvb, hb, moff, ru->cur_map);
            unsigned cnt = nlb_map_count(ru->cur_map);
            it = proto_tree_add_uint(rt, hf_hb_bins_owned, tvb, (gint)moff, 8, cnt);
            proto_item_set_generated(it);
            if (proto_field_is_referenced(rt, hf_hb_bins_list)) {
                char bl[NLB_BINS_STR_LEN];
                nlb_bins_str(ru->cur_map, 64, bl, sizeof bl); /* every bit: the wire map is 64 wide */
                it = proto_tree_add_string(rt, hf_hb_bins_list, tvb, (gint)moff, 8, bl);
                proto_item_set_generated(it);
            }
            proto_item_append_text(ti, ", owns %u bin%s", cnt, cnt == 1 ? "" : "s");
            if (ru->code) {
                if (cnt < *bmin) *bmin = cnt;
                if (cnt > *bmax) *bmax = cnt;
            }
        }
        add_map(rt, hf_hb_map_new, tvb, hb, NLB_OFF_NEW_MAP + 8 * (size_t)i, ru->new_map);
        add_map(rt, hf_hb_map_idle, tvb, hb, NLB_OFF_IDLE_MAP + 8 * (size_t)i, ru->idle_map);
        add_map(rt, hf_hb_map_ready, tvb, hb, NLB_OFF_READY_MAP + 8 * (size_t)i, ru->ready_map);
        if (nlb_hb_has(hb, NLB_OFF_WEIGHTS + 4 * (size_t)i, 4))
            proto_tree_add_uint(rt, hf_hb_rule_weight, tvb, NLB_OFF_WEIGHTS + 4 * (gint)i, 4, ru->load_weight);
    }
}

static void hb_tlv_tree(proto_tree *tree, tvbuff_t *tvb, const nlb_heartbeat *hb)
{
    unsigned addr = 0;
    for (unsigned i = 0; i < hb->n_tlvs; i++) {
        const nlb_hb_tlv *t = &hb->tlvs[i];
        gboolean whole = nlb_hb_has(hb, t->offset, t->length);
        gint len = whole ? t->length : (gint)(hb->captured - t->offset);
        proto_item *ti = proto_tree_add_none_format(tree, hf_hb_tlv, tvb, t->offset, len,
                                                    "TLV type %u, %u bytes", t->type, t->length);
        proto_tree *tt = proto_item_add_subtree(ti, ett_hb_tlv);
        proto_tree_add_uint(tt, hf_hb_tlv_type, tvb, t->offset, 1, t->type);
        if (nlb_hb_has(hb, t->offset + 1u, 1))
            proto_tree_add_uint(tt, hf_hb_tlv_length, tvb, t->offset + 1, 1, t->length);
        if (!whole)
            continue; /* never show a value whose bytes were not captured */
        if (t->type == 1 && hb->host_name[0]) {
            proto_tree_add_string(tt, hf_hb_host_name, tvb, t->offset, t->length, hb->host_name);
            proto_item_append_text(ti, ": host name \"%s\"", hb->host_name);
        } else if (t->type == 2 && addr < hb->n_addrs && hb->status != NLB_MALFORMED) {
            /* The decoder keeps addresses in TLV order; a malformed TLV would break the pairing. */
            const nlb_ipaddr *a = &hb->addrs[addr++];
            char s[64];
            if (a->family == 4) {
                guint32 v4;
                memcpy(&v4, a->a, 4);
                proto_tree_add_ipv4(tt, hf_hb_address4, tvb, t->offset, t->length, v4);
            } else {
                proto_tree_add_ipv6(tt, hf_hb_address6, tvb, t->offset, t->length, (const ws_in6_addr *)a->a);
            }
            proto_item_append_text(ti, ": address %s", nlb_ipaddr_str(a, s));
        }
    }
    /* Addresses a malformed TLV sequence left unpaired are still facts the decoder vouched for. */
    for (; hb->status == NLB_MALFORMED && addr < hb->n_addrs; addr++) {
        const nlb_ipaddr *a = &hb->addrs[addr];
        if (a->family == 4) {
            guint32 v4;
            memcpy(&v4, a->a, 4);
            proto_tree_add_ipv4(tree, hf_hb_address4, tvb, 0, 0, v4);
        } else {
            proto_tree_add_ipv6(tree, hf_hb_address6, tvb, 0, 0, (const ws_in6_addr *)a->a);
        }
    }
}

static int dissect_nlb_hb(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    guint caplen = tvb_captured_length(tvb);
    guint wirelen = tvb_reported_length(tvb);
    const guint8 *p = tvb_get_ptr(tvb, 0, caplen);
    nlb_heartbeat *hb = wmem_new(pinfo->pool, nlb_heartbeat);
    nlb_status st = nlb_hb_decode(p, caplen, hb);
    if (st == NLB_NOT_NLB)
        return 0; /* e.g. Xbox "XBOX" on 0x886F: the ethertype dissector hands it to "data" */
    /* Same rule as nlb_packet_decode: short while nothing was cut at capture = the sender lied. */
    if (st == NLB_TRUNCATED && caplen >= wirelen) {
        hb->status = st = NLB_MALFORMED;
    }
    gboolean cut = hb->truncated && st != NLB_MALFORMED;

    hb_frame *hf;
    if (!PINFO_FD_VISITED(pinfo)) {
        hf = hb_learn(pinfo, hb);
        p_add_proto_data(wmem_file_scope(), pinfo, proto_nlb, 0, hf);
    } else {
        hf = (hb_frame *)p_get_proto_data(wmem_file_scope(), pinfo, proto_nlb, 0);
    }

    col_set_str(pinfo->cinfo, COL_PROTOCOL, "NLB");
    char vip[16], s[64];
    gboolean have_hdr = nlb_hb_has(hb, NLB_OFF_DEDICATED_IP, 4);
    const char *what = hb->kind == NLB_HB_MEMBERSHIP ? "Heartbeat"
                       : hb->kind == NLB_HB_EXTENDED ? "Extended heartbeat"
                       : hb->kind == NLB_HB_IDENTITY ? "Identity message (guess)"
                       : nlb_hb_has(hb, 0, 4) ? "Unknown NLB message" : "NLB message";
    col_clear(pinfo->cinfo, COL_INFO);
    if (hb->kind == NLB_HB_UNKNOWN && nlb_hb_has(hb, 0, 4))
        col_add_fstr(pinfo->cinfo, COL_INFO, "%s 0x%08x", what, hb->signature);
    else if (nlb_hb_has(hb, NLB_OFF_CLUSTER_IP, 4))
        col_add_fstr(pinfo->cinfo, COL_INFO, "%s host %u " UTF8_RIGHTWARDS_ARROW " cluster %s", what,
                     hb->priority, nlb_ip4_str(hb->cluster_ip, vip));
    else if (nlb_hb_has(hb, NLB_OFF_PRIORITY, 4))
        col_add_fstr(pinfo->cinfo, COL_INFO, "%s host %u", what, hb->priority);
    else
        col_add_str(pinfo->cinfo, COL_INFO, what);

    proto_item *top = proto_tree_add_item(tree, proto_nlb, tvb, 0, -1, ENC_NA);
    proto_item_append_text(top, ", %s", what);
    proto_tree *t = proto_item_add_subtree(top, ett_nlb);
    proto_item *pi_prio = NULL, *pi_rules = NULL, *pi_my = NULL, *pi_sig = NULL, *it;

    if (nlb_hb_has(hb, NLB_OFF_SIGNATURE, 4)) {
        pi_sig = proto_tree_add_uint(t, hf_hb_signature, tvb, NLB_OFF_SIGNATURE, 4, hb->signature);
        it = proto_tree_add_uint(t, hf_hb_kind, tvb, NLB_OFF_SIGNATURE, 4, hb->kind);
        proto_item_set_generated(it);
    }
    if (nlb_hb_has(hb, NLB_OFF_VERSION, 4))
        proto_tree_add_uint(t, hf_hb_version, tvb, NLB_OFF_VERSION, 4, hb->version);
    if (nlb_hb_has(hb, NLB_OFF_PRIORITY, 4)) {
        pi_prio = proto_tree_add_uint(t, hf_hb_priority, tvb, NLB_OFF_PRIORITY, 4, hb->priority);
        proto_item_append_text(top, ", host %u", hb->priority);
    }
    if (nlb_hb_has(hb, NLB_OFF_CLUSTER_IP, 4)) {
        proto_tree_add_ipv4(t, hf_hb_cluster_ip, tvb, NLB_OFF_CLUSTER_IP, 4, g_htonl(hb->cluster_ip));
        proto_item_append_text(top, " " UTF8_RIGHTWARDS_ARROW " cluster %s", nlb_ip4_str(hb->cluster_ip, vip));
    }
    if (have_hdr)
        proto_tree_add_ipv4(t, hf_hb_dedicated_ip, tvb, NLB_OFF_DEDICATED_IP, 4, g_htonl(hb->dedicated_ip));

    unsigned bmin = G_MAXUINT, bmax = 0;
    if (hb->kind == NLB_HB_MEMBERSHIP) {
        if (nlb_hb_has(hb, NLB_OFF_MY_HOST_ID, 2))
            pi_my = proto_tree_add_uint(t, hf_hb_my_host_id, tvb, NLB_OFF_MY_HOST_ID, 2, hb->my_host_id);
        if (nlb_hb_has(hb, NLB_OFF_DEFAULT_HOST_ID, 2))
            proto_tree_add_uint(t, hf_hb_default_host_id, tvb, NLB_OFF_DEFAULT_HOST_ID, 2, hb->default_host_id);
        if (nlb_hb_has(hb, NLB_OFF_CONV_STATE, 2))
            proto_tree_add_uint(t, hf_hb_conv_state, tvb, NLB_OFF_CONV_STATE, 2, hb->conv_state);
        if (nlb_hb_has(hb, NLB_OFF_NUM_RULES, 2))
            pi_rules = proto_tree_add_uint(t, hf_hb_rules, tvb, NLB_OFF_NUM_RULES, 2, hb->num_rules);
        if (nlb_hb_has(hb, NLB_OFF_HOST_CODE, 4))
            proto_tree_add_uint(t, hf_hb_host_code, tvb, NLB_OFF_HOST_CODE, 4, hb->host_code);
        if (nlb_hb_has(hb, NLB_OFF_PACKETS, 4))
            proto_tree_add_uint(t, hf_hb_packets, tvb, NLB_OFF_PACKETS, 4, hb->packets_handled);
        if (nlb_hb_has(hb, NLB_OFF_TEAMING, 4)) {
            guint32 tm = hb->teaming;
            proto_item *ti = proto_tree_add_uint(t, hf_hb_teaming, tvb, NLB_OFF_TEAMING, 4, tm);
            proto_tree *tt = proto_item_add_subtree(ti, ett_hb_team);
            proto_tree_add_boolean(tt, hf_hb_team_active, tvb, NLB_OFF_TEAMING, 4, nlb_team_active(tm));
            proto_tree_add_boolean(tt, hf_hb_team_master, tvb, NLB_OFF_TEAMING, 4, nlb_team_master(tm));
            proto_tree_add_boolean(tt, hf_hb_team_reverse, tvb, NLB_OFF_TEAMING, 4, nlb_team_reverse(tm));
            proto_tree_add_uint(tt, hf_hb_team_participants, tvb, NLB_OFF_TEAMING, 4, nlb_team_participants(tm));
            proto_tree_add_uint(tt, hf_hb_team_xor, tvb, NLB_OFF_TEAMING, 4, nlb_team_xor(tm));
        }
        if (nlb_hb_has(hb, NLB_OFF_RESERVED, 4))
            proto_tree_add_uint(t, hf_hb_reserved, tvb, NLB_OFF_RESERVED, 4, hb->reserved);
        hb_rules_tree(t, tvb, hb, &bmin, &bmax);
    } else if (hb->kind == NLB_HB_EXTENDED) {
        hb_tlv_tree(t, tvb, hb);
    }

    /* Info column tail: what the heartbeat says about load, or why it cannot. */
    if (hb->kind == NLB_HB_MEMBERSHIP && nlb_hb_has(hb, NLB_OFF_NUM_RULES, 2)) {
        if (bmax && bmin == bmax)
            g_snprintf(s, sizeof s, " (%u rule%s, %u bins)", hb->num_rules, hb->num_rules == 1 ? "" : "s", bmax);
        else if (bmax)
            g_snprintf(s, sizeof s, " (%u rule%s, %u-%u bins)", hb->num_rules, hb->num_rules == 1 ? "" : "s", bmin, bmax);
        else
            g_snprintf(s, sizeof s, " (%u rule%s%s)", hb->num_rules, hb->num_rules == 1 ? "" : "s",
                       cut ? ", truncated" : "");
        col_append_str(pinfo->cinfo, COL_INFO, s);
    } else if (hb->kind == NLB_HB_EXTENDED && hb->host_name[0]) {
        col_append_fstr(pinfo->cinfo, COL_INFO, " (%s)", hb->host_name);
    }
    if (cut && !(hb->kind == NLB_HB_MEMBERSHIP && nlb_hb_has(hb, NLB_OFF_NUM_RULES, 2) && !bmax))
        col_append_str(pinfo->cinfo, COL_INFO, " [truncated]");
    if (st == NLB_MALFORMED && hb->kind != NLB_HB_UNKNOWN)
        col_append_fstr(pinfo->cinfo, COL_INFO, " [malformed: %s]",
                        hb->bad_field == NLB_F_NONE ? "too short" : nlb_field_name(hb->bad_field));

    /* Generated facts from the capture-wide state. */
    nlb_usec ts = frame_usec(pinfo);
    if (hf && hf->gap) {
        it = proto_tree_add_uint64_format_value(t, hf_hb_gap, tvb, 0, 0, (guint64)(hf->gap / 1000),
                                                "%.3f s since this host's previous heartbeat",
                                                (double)hf->gap / 1e6);
        proto_item_set_generated(it);
        nlb_diag d = diag_make(NLB_D_HOST_SILENT, NLB_SEV_WARNING, ts - hf->gap, hb->cluster_ip);
        d.hosts_mask = 1u << (hb->priority - 1);
        d.duration = hf->gap;
        d.n1 = 0; /* it came back: this very heartbeat */
        d.n2 = (guint32)(threshold_usec() / 1000);
        expert_add_info_format(pinfo, it, &ei_host_silent, "%s", diag_msg(pinfo->pool, &d));
        col_append_fstr(pinfo->cinfo, COL_INFO, " [back after %.1f s]", (double)hf->gap / 1e6);
    }
    if (hf && hf->dup_of_dip_valid) {
        nlb_diag d = diag_make(NLB_D_DUP_PRIORITY, NLB_SEV_WARNING, hf->dup_since, hb->cluster_ip);
        d.hosts_mask = 1u << (hb->priority - 1);
        d.n1 = hf->dup_dip;
        d.n2 = hb->dedicated_ip;
        expert_add_info_format(pinfo, pi_prio ? pi_prio : top, &ei_dup_priority, "%s", diag_msg(pinfo->pool, &d));
    }
    if (hf && hf->rules_mask) {
        nlb_diag d = diag_make(NLB_D_RULE_MISMATCH, NLB_SEV_WARNING, ts, hb->cluster_ip);
        d.hosts_mask = hf->rules_mask;
        d.n1 = hf->rules_n1;
        d.n2 = hf->rules_n2;
        d.n3 = hf->rules_n3;
        expert_add_info_format(pinfo, pi_rules ? pi_rules : top, &ei_rule_mismatch, "%s", diag_msg(pinfo->pool, &d));
    }
    if (hf && hf->default_mask) {
        nlb_diag d = diag_make(NLB_D_MULTI_DEFAULT, NLB_SEV_WARNING, ts, hb->cluster_ip);
        d.hosts_mask = hf->default_mask;
        d.n1 = 2;
        expert_add_info_format(pinfo, top, &ei_multi_default, "%s", diag_msg(pinfo->pool, &d));
    }
    if (hf && (hf->twice || hf->nobody)) {
        if (hf->twice) {
            nlb_diag d = diag_make(NLB_D_BIN_TWICE, NLB_SEV_WARNING, hf->bins_since, hb->cluster_ip);
            d.n1 = hf->twice;
            d.n2 = (guint32)(hf->bad_rule + 1);
            d.hosts_mask = hf->twice_mask;
            expert_add_info_format(pinfo, top, &ei_bin_twice, "%s", diag_msg(pinfo->pool, &d));
        }
        if (hf->nobody) {
            nlb_diag d = diag_make(NLB_D_BIN_NOBODY, NLB_SEV_WARNING, hf->bins_since, hb->cluster_ip);
            d.n1 = hf->nobody;
            d.n2 = (guint32)(hf->bad_rule + 1);
            expert_add_info_format(pinfo, top, &ei_bin_nobody, "%s", diag_msg(pinfo->pool, &d));
        }
    }

    /* Problems of this very frame. */
    if (hb->kind == NLB_HB_UNKNOWN && nlb_hb_has(hb, NLB_OFF_SIGNATURE, 4)) {
        expert_add_info_format(pinfo, pi_sig ? pi_sig : top, &ei_unknown_signature,
                               "Unknown NLB signature 0x%08x: only the common header is decoded", hb->signature);
    } else if (st == NLB_MALFORMED) {
        proto_item *at = top;
        if (hb->bad_field == NLB_F_HOST_PRIORITY && pi_prio) at = pi_prio;
        else if (hb->bad_field == NLB_F_RULE_COUNT && pi_rules) at = pi_rules;
        else if (hb->bad_field == NLB_F_MY_HOST_ID && pi_my) at = pi_my;
        if (hb->bad_field == NLB_F_RULE_COUNT)
            expert_add_info_format(pinfo, at, &ei_rule_count, "Malformed heartbeat: %s %u exceeds the %u slots on the wire",
                                   nlb_field_name(hb->bad_field), hb->num_rules, NLB_MAX_RULES);
        else if (hb->bad_field == NLB_F_NONE && hb->truncated)
            expert_add_info_format(pinfo, at, &ei_malformed, "Malformed heartbeat: %u bytes, shorter than its format, though nothing was cut at capture",
                                   caplen);
        else
            expert_add_info_format(pinfo, at, &ei_malformed, "Malformed heartbeat: %s", nlb_field_name(hb->bad_field));
    }
    if (cut) {
        guint expect = hb->kind == NLB_HB_MEMBERSHIP ? NLB_HB_MEMBERSHIP_LEN : wirelen;
        it = proto_tree_add_none_format(t, hf_hb_truncated, tvb, 0, 0,
                                        "Truncated: %u of %u payload bytes captured; fields past them are not shown",
                                        caplen, expect);
        proto_item_set_generated(it);
        if (hf && hf->trunc_n) {
            nlb_diag d = diag_make(NLB_D_TRUNCATED, NLB_SEV_WARNING, ts, hb->cluster_ip);
            d.n1 = hf->trunc_n;
            d.hosts_mask = hf->trunc_mask;
            expert_add_info_format(pinfo, it, &ei_truncated, "%s", diag_msg(pinfo->pool, &d));
        } else {
            /* Cut inside the common header: no cluster or host to name, so no diagnostic. */
            expert_add_info_format(pinfo, it, &ei_truncated, "Heartbeat cut by the snaplen after %u bytes, inside its common header",
                                   caplen);
        }
    }

    if (have_tap_listener(nlb_tap)) {
        nlb_tap_rec *rec = wmem_new0(pinfo->pool, nlb_tap_rec);
        rec->heartbeat = TRUE;
        rec->vip = have_hdr ? hb->cluster_ip : 0;
        rec->prio = have_hdr && hb->priority <= NLB_MAX_PRIORITY ? (guint8)hb->priority : 0;
        rec->dip = have_hdr ? hb->dedicated_ip : 0;
        rec->kind = hb->kind;
        rec->truncated = cut;
        rec->gap = hf ? hf->gap : 0;
        tap_queue_packet(nlb_tap, pinfo, rec);
    }
    return (int)caplen;
}

/* Owns 0x886F without belonging to a protocol, so that disabling "nlb" (Analyze > Enabled
 * Protocols, --disable-protocol nlb) gives the frames back to the built-in msnlb dissector
 * instead of leaving them to "data". */
static int dissect_nlb_886f(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (proto_is_protocol_enabled(find_protocol_by_id(proto_nlb)))
        return call_dissector_only(nlb_hb_handle, tvb, pinfo, tree, data);
    if (msnlb_handle)
        return call_dissector_only(msnlb_handle, tvb, pinfo, tree, data);
    return 0;
}

/* ---- annotations of every frame ----------------------------------------------------------- */

static int encap_to_linktype(const packet_info *pinfo)
{
    if (!pinfo->rec || pinfo->rec->rec_type != REC_TYPE_PACKET)
        return 0;
    switch (pinfo->rec->rec_header.packet_header.pkt_encap) {
    case WTAP_ENCAP_ETHERNET: return NLB_LINK_ETHERNET;
    case WTAP_ENCAP_SLL: return NLB_LINK_SLL;
    case WTAP_ENCAP_SLL2: return NLB_LINK_SLL2;
    default: return 0;
    }
}

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

/* First pass only: classify one frame against what the capture has taught us so far into *af;
 * returns whether it has anything to show or count. */
static gboolean ann_learn(packet_info *pinfo, const nlb_packet *pkt, ann_frame *af)
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

/* Labels are for eyes only: a tree nobody will look at (tshark -q with a tap, -T fields, a
 * display filter) gets the items, which filters and taps need, but no text formatted for them. */
static gboolean tree_visible(const proto_tree *tree)
{
    return tree && PTREE_DATA(tree)->visible;
}

static void ann_mac_tree(proto_tree *tree, int hf, tvbuff_t *tvb, const nlb_mac_info *mi, const guint8 *addr)
{
    if (!tree)
        return;
    proto_item *ti;
    if (tree_visible(tree)) {
        char v[16], m[18];
        ti = proto_tree_add_none_format(tree, hf, tvb, 0, 0, "%s %s: %s, VIP %s",
                                        hf == hf_mac_src ? "Source" : "Destination",
                                        nlb_mac_str(addr, m), nlb_mac_kind_name(mi->kind),
                                        nlb_ip4_str(mi->vip, v));
        if (mi->kind == NLB_MAC_MASKED)
            proto_item_append_text(ti, ", host %u", mi->priority);
    } else {
        ti = proto_tree_add_item(tree, hf, tvb, 0, 0, ENC_NA);
    }
    proto_item_set_generated(ti);
    proto_tree *mt = proto_item_add_subtree(ti, ett_mac);
    proto_item *it = proto_tree_add_uint(mt, hf_mac_kind, tvb, 0, 0, mi->kind);
    proto_item_set_generated(it);
    it = proto_tree_add_ipv4(mt, hf_mac_vip, tvb, 0, 0, g_htonl(mi->vip));
    proto_item_set_generated(it);
    if (mi->kind == NLB_MAC_MASKED) {
        it = proto_tree_add_uint(mt, hf_mac_priority, tvb, 0, 0, mi->priority);
        proto_item_set_generated(it);
    }
    it = proto_tree_add_boolean(mt, hf_mac_confirmed, tvb, 0, 0, mi->confirmed);
    proto_item_set_generated(it);
}

static const char *aff_name(nlb_affinity a)
{
    for (const enum_val_t *e = affinity_vals; e->name; e++)
        if (e->value == (gint)a)
            return e->description;
    return "?";
}

static int dissect_nlb_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!pref_annotate || !g_clusters)
        return 0;
    int lt = encap_to_linktype(pinfo);
    if (!lt)
        return 0;
    guint caplen = tvb_captured_length(tvb);
    const guint8 *bytes = tvb_get_ptr(tvb, 0, caplen);
    /* Could ann_learn find anything here? Only with a cluster MAC form as an address, in
     * ARP/RARP/0x886F, or in IPv4 to or from a known VIP: everything else (nearly all traffic of
     * a busy capture) is turned away with a few byte compares, before any decode or allocation.
     * On later passes too: the VIPs known then include those of the first pass, so a frame
     * turned away now had nothing kept either. */
    if (!nlb_frame_may_matter(lt, bytes, caplen, (const guint32 *)wmem_array_get_raw(g_vips),
                              wmem_array_get_count(g_vips)))
        return 0;
    ann_frame frame, *af = &frame;
    if (!PINFO_FD_VISITED(pinfo)) {
        nlb_packet pkt; /* on the stack: most frames leave nothing behind */
        nlb_packet_decode(lt, bytes, caplen, tvb_reported_length(tvb), &pkt);
        if (!ann_learn(pinfo, &pkt, af))
            return 0;
        p_add_proto_data(wmem_file_scope(), pinfo, proto_nlb, 1, ann_pack(af));
    } else {
        const ann_rec *r = (const ann_rec *)p_get_proto_data(wmem_file_scope(), pinfo, proto_nlb, 1);
        if (!r)
            return 0;
        ann_unpack(r, af);
    }

    if (have_tap_listener(nlb_tap)) {
        nlb_tap_rec *rec = wmem_new0(pinfo->pool, nlb_tap_rec);
        rec->src_kind = af->src.kind;
        rec->dst_kind = af->has_dst ? af->dst.kind : NLB_MAC_NONE;
        rec->src_confirmed = af->src.confirmed;
        rec->dst_confirmed = af->has_dst && af->dst.confirmed;
        rec->announce = af->announce;
        rec->flow = af->flow;
        rec->vip = af->vip;
        tap_queue_packet(nlb_tap, pinfo, rec);
    }
    if (!af->show)
        return 0;

    char a[46], m[18];
    gboolean vis = tree_visible(tree);
    /* Under the protocol item too, so "nlb" matches every frame the plugin has something to say about. */
    proto_item *pi = proto_tree_add_item(tree, proto_nlb, tvb, 0, 0, ENC_NA);
    proto_item_append_text(pi, ", annotations");
    proto_item_set_generated(pi);
    proto_tree *t = proto_item_add_subtree(pi, ett_ann);
    proto_item *top = pi;
    proto_item *it;
    if (af->src.kind != NLB_MAC_NONE && af->src.confirmed) {
        ann_mac_tree(t, hf_mac_src, tvb, &af->src, af->src_addr);
        if (af->cluster_mac_source) {
            nlb_diag d = diag_make(NLB_D_CLUSTER_MAC_SOURCE, NLB_SEV_ERROR, af->cms_since, af->src.vip);
            memcpy(d.mac, af->src_addr, 6);
            d.n1 = af->cms_n;
            expert_add_info_format(pinfo, top, &ei_cluster_mac_source, "%s", diag_msg(pinfo->pool, &d));
        }
    }
    if (af->has_dst && af->dst.kind != NLB_MAC_NONE && af->dst.confirmed)
        ann_mac_tree(t, hf_mac_dst, tvb, &af->dst, af->dst_addr);

    if (af->announce == ANN_GARP) {
        if (vis)
            it = proto_tree_add_ipv4_format_value(t, hf_garp, tvb, 0, 0, g_htonl(af->arp_spa),
                                                  "%s is-at %s (gratuitous ARP %s: switches relearn this MAC's port)",
                                                  nlb_ip4_str(af->arp_spa, a), nlb_mac_str(af->announced_mac, m),
                                                  nlb_arp_op_name(af->arp_op));
        else
            it = proto_tree_add_ipv4(t, hf_garp, tvb, 0, 0, g_htonl(af->arp_spa));
        proto_item_set_generated(it);
    } else if (af->announce == ANN_RARP) {
        if (vis)
            it = proto_tree_add_ether_format_value(t, hf_rarp, tvb, 0, 0, af->announced_mac,
                                                   "%s (%s: a hypervisor announcing a moved MAC, e.g. ESXi Notify Switches)",
                                                   nlb_mac_str(af->announced_mac, m), nlb_arp_op_name(af->arp_op));
        else
            it = proto_tree_add_ether(t, hf_rarp, tvb, 0, 0, af->announced_mac);
        proto_item_set_generated(it);
    }
    if (af->announce && af->announced_host) {
        it = proto_tree_add_uint(t, hf_announced_host, tvb, 0, 0, af->announced_host);
        proto_item_set_generated(it);
    }
    if (af->mcast_arp) {
        nlb_diag d = diag_make(NLB_D_MCAST_ARP, NLB_SEV_WARNING, af->marp_since, af->arp_spa);
        memcpy(d.mac, af->announced_mac, 6);
        d.n1 = af->marp_n;
        expert_add_info_format(pinfo, top, &ei_mcast_arp, "%s", diag_msg(pinfo->pool, &d));
    }

    if (af->flow) {
        proto_item *ft = vis ? proto_tree_add_none_format(t, hf_flow, tvb, 0, 0, "%s %s VIP %s:%u (ownership emulation: not the Windows hash)",
                                                          af->ip_proto == 6 ? "TCP" : "UDP",
                                                          af->reply ? "reply from" : "to",
                                                          nlb_ip4_str(af->vip, a), af->vport)
                             : proto_tree_add_item(t, hf_flow, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(ft);
        proto_tree *fl = proto_item_add_subtree(ft, ett_flow);
        it = proto_tree_add_ipv4(fl, hf_flow_vip, tvb, 0, 0, g_htonl(af->vip));
        proto_item_set_generated(it);
        if (af->rules_configured) {
            gint32 r1 = af->rule < 0 ? -1 : af->rule + 1;
            it = proto_tree_add_int_format_value(fl, hf_flow_rule, tvb, 0, 0, r1,
                                                 r1 < 0 ? "%d (no rule covers the port: default host)" : "%d", r1);
            proto_item_set_generated(it);
        }
        if (af->has_bin) {
            it = proto_tree_add_uint_format_value(fl, hf_flow_bin, tvb, 0, 0, af->bin, "%u of %u (affinity %s%s)",
                                                  af->bin, g_model.bins, aff_name(af->aff),
                                                  af->rules_configured ? "" : ", no port rules configured");
            proto_item_set_generated(it);
        }
        if (af->predicted) {
            it = proto_tree_add_uint(fl, hf_flow_predicted, tvb, 0, 0, af->predicted);
            proto_item_set_generated(it);
            it = proto_tree_add_string(fl, hf_flow_source, tvb, 0, 0,
                                       af->from_maps ? "bin owner from the hosts' heartbeat maps"
                                       : af->has_bin ? "emulated assignment over the live hosts"
                                       : af->single ? "single-host rule: lowest handling priority"
                                                     : "default host");
            proto_item_set_generated(it);
            proto_item_append_text(ft, ", predicted host %u", af->predicted);
        }
        if (af->dropped) {
            it = proto_tree_add_string(fl, hf_flow_source, tvb, 0, 0, "rule filtering mode disabled: every host drops it");
            proto_item_set_generated(it);
        }
        if (af->observed) {
            it = proto_tree_add_uint(fl, hf_flow_observed, tvb, 0, 0, af->observed);
            proto_item_set_generated(it);
            proto_item_append_text(ft, ", observed host %u", af->observed);
            if (af->predicted && af->predicted != af->observed)
                expert_add_info_format(pinfo, it, &ei_owner_mismatch,
                                       "Host %u answered; the emulation predicted host %u (the Windows hash is not public: calibrate the model)",
                                       af->observed, af->predicted);
        }
    }
    return 0;
}

/* ---- stats tree --------------------------------------------------------------------------- */

static const char st_clusters[] = "Heartbeats by cluster and host";
static const char st_gaps[] = "Heartbeat gaps > period x tolerance";
static const char st_trunc[] = "Truncated heartbeats";
static const char st_macs[] = "Frames by cluster MAC form";
static const char st_ann[] = "Announcements and VIP flows";
static int st_node_clusters, st_node_gaps, st_node_trunc, st_node_macs, st_node_ann;

static void nlb_stats_init(stats_tree *st)
{
    st_node_clusters = stats_tree_create_node(st, st_clusters, 0, STAT_DT_INT, TRUE);
    st_node_gaps = stats_tree_create_node(st, st_gaps, 0, STAT_DT_INT, TRUE);
    st_node_trunc = stats_tree_create_node(st, st_trunc, 0, STAT_DT_INT, FALSE);
    st_node_macs = stats_tree_create_node(st, st_macs, 0, STAT_DT_INT, TRUE);
    st_node_ann = stats_tree_create_node(st, st_ann, 0, STAT_DT_INT, TRUE);
}

static void st_mac(stats_tree *st, nlb_mac_kind k, gboolean confirmed, const char *role)
{
    if (k == NLB_MAC_NONE)
        return;
    char name[96];
    g_snprintf(name, sizeof name, "%s as %s%s", nlb_mac_kind_name(k), role, confirmed ? "" : " (candidate, VIP unknown)");
    tick_stat_node(st, name, st_node_macs, FALSE);
}

static tap_packet_status nlb_stats_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                          const void *p, tap_flags_t flags _U_)
{
    const nlb_tap_rec *r = (const nlb_tap_rec *)p;
    char c[48], h[64], ip[16];
    if (r->heartbeat) {
        if (!r->vip || !r->prio)
            return TAP_PACKET_DONT_REDRAW;
        g_snprintf(c, sizeof c, "cluster %s", nlb_ip4_str(r->vip, ip));
        g_snprintf(h, sizeof h, "host %u (%s)", r->prio, nlb_ip4_str(r->dip, ip));
        tick_stat_node(st, st_clusters, 0, TRUE);
        int cid = tick_stat_node(st, c, st_node_clusters, TRUE);
        int hid = tick_stat_node(st, h, cid, TRUE);
        tick_stat_node(st, nlb_hb_kind_name(r->kind), hid, FALSE);
        if (r->gap) {
            tick_stat_node(st, st_gaps, 0, TRUE);
            int gc = tick_stat_node(st, c, st_node_gaps, TRUE);
            tick_stat_node(st, h, gc, FALSE);
        }
        if (r->truncated)
            tick_stat_node(st, st_trunc, 0, FALSE);
        return TAP_PACKET_REDRAW;
    }
    tick_stat_node(st, st_macs, 0, TRUE);
    st_mac(st, r->src_kind, r->src_confirmed, "source");
    st_mac(st, r->dst_kind, r->dst_confirmed, "destination");
    if (r->announce || r->flow)
        tick_stat_node(st, st_ann, 0, TRUE);
    if (r->announce == ANN_GARP)
        tick_stat_node(st, "gratuitous ARP", st_node_ann, FALSE);
    else if (r->announce == ANN_RARP)
        tick_stat_node(st, "RARP", st_node_ann, FALSE);
    if (r->flow) {
        g_snprintf(c, sizeof c, "TCP/UDP with VIP %s", nlb_ip4_str(r->vip, ip));
        tick_stat_node(st, c, st_node_ann, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

static void register_nlb_stats(void)
{
    stats_tree_register_plugin("nlb", "nlb", "NLB (nlbproto)/Clusters, hosts and MAC forms", 0,
                               nlb_stats_packet, nlb_stats_init, NULL);
}

/* ---- registration ------------------------------------------------------------------------- */

static void fill_names(void)
{
    for (int k = 0; k <= NLB_HB_IDENTITY; k++) {
        vs_hb_kind[k].value = (guint32)k;
        vs_hb_kind[k].strptr = nlb_hb_kind_name((nlb_hb_kind)k);
    }
    for (int k = 0; k <= NLB_MAC_IGMP; k++) {
        vs_mac_kind[k].value = (guint32)k;
        vs_mac_kind[k].strptr = nlb_mac_kind_name((nlb_mac_kind)k);
    }
    static const guint32 sigs[] = { NLB_SIG_MEMBERSHIP, NLB_SIG_EXTENDED, NLB_SIG_IDENTITY };
    static const nlb_hb_kind kinds[] = { NLB_HB_MEMBERSHIP, NLB_HB_EXTENDED, NLB_HB_IDENTITY };
    for (int k = 0; k < 3; k++) {
        vs_signature[k].value = sigs[k];
        vs_signature[k].strptr = nlb_hb_kind_name(kinds[k]);
    }
    static const nlb_conv_state states[] = { NLB_CONV_NORMAL, NLB_CONV_STABLE, NLB_CONV_CONVERGING };
    for (int k = 0; k < 3; k++) {
        vs_conv_state[k].value = states[k];
        vs_conv_state[k].strptr = nlb_conv_state_name(states[k]);
    }
}

static void proto_register_nlb(void)
{
    fill_names();
    static hf_register_info hf[] = {
        /* heartbeat */
        { &hf_hb_signature, { "Signature", "nlb.hb.signature", FT_UINT32, BASE_HEX, VALS(vs_signature), 0, NULL, HFILL } },
        { &hf_hb_kind, { "Message kind", "nlb.hb.kind", FT_UINT8, BASE_DEC, VALS(vs_hb_kind), 0,
            "Kind derived from the signature (identity message: guess)", HFILL } },
        { &hf_hb_version, { "Version", "nlb.hb.version", FT_UINT32, BASE_CUSTOM, CF_FUNC(hb_version_fmt), 0, NULL, HFILL } },
        { &hf_hb_priority, { "Host priority (unique host ID)", "nlb.hb.priority", FT_UINT32, BASE_DEC, NULL, 0,
            "1..32, 1 = highest", HFILL } },
        { &hf_hb_cluster_ip, { "Cluster IP (primary VIP)", "nlb.hb.cluster_ip", FT_IPv4, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_hb_dedicated_ip, { "Dedicated IP", "nlb.hb.dedicated_ip", FT_IPv4, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_hb_my_host_id, { "My host ID", "nlb.hb.my_host_id", FT_UINT16, BASE_DEC, NULL, 0, "0-based, = priority - 1", HFILL } },
        { &hf_hb_default_host_id, { "Default host ID", "nlb.hb.default_host_id", FT_UINT16, BASE_DEC, NULL, 0,
            "0-based; the host that takes traffic no rule covers", HFILL } },
        { &hf_hb_conv_state, { "Convergence state", "nlb.hb.conv_state", FT_UINT16, BASE_DEC, VALS(vs_conv_state), 0,
            "1 normal, 2 stable, 3 converging (guess)", HFILL } },
        { &hf_hb_rules, { "Port rules on the wire", "nlb.hb.rules", FT_UINT16, BASE_DEC, NULL, 0,
            "User rules + 1: the default rule takes the last slot (guess)", HFILL } },
        { &hf_hb_host_code, { "Unique host code", "nlb.hb.host_code", FT_UINT32, BASE_DEC_HEX, NULL, 0,
            "Differs per host by design: no evidence of a rule mismatch", HFILL } },
        { &hf_hb_packets, { "Packets handled", "nlb.hb.packets", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_hb_teaming, { "Teaming", "nlb.hb.teaming", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_hb_team_active, { "Active", "nlb.hb.teaming.active", FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_hb_team_master, { "Master", "nlb.hb.teaming.master", FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_hb_team_reverse, { "Reverse hashing", "nlb.hb.teaming.reverse", FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_hb_team_participants, { "Participants", "nlb.hb.teaming.participants", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_hb_team_xor, { "XOR of members' cluster IP low 16 bits", "nlb.hb.teaming.xor", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_hb_reserved, { "Reserved", "nlb.hb.reserved", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_hb_rule, { "Port rule", "nlb.hb.rule", FT_NONE, BASE_NONE, NULL, 0,
            "One rule slot, gathered from the heartbeat's parallel arrays", HFILL } },
        { &hf_hb_rule_index, { "Rule index", "nlb.hb.rule.index", FT_UINT8, BASE_DEC, NULL, 0, "1-based slot number", HFILL } },
        { &hf_hb_rule_code, { "Rule code", "nlb.hb.rule.code", FT_UINT32, BASE_HEX, NULL, 0,
            "Compare across hosts to find rule mismatches", HFILL } },
        { &hf_hb_rule_start, { "Start port (guess)", "nlb.hb.rule.start_port", FT_UINT16, BASE_DEC, NULL, 0,
            "From code = start | end << 12 | 0x61 << 24 (guess), only where the code fits", HFILL } },
        { &hf_hb_rule_end, { "End port (guess)", "nlb.hb.rule.end_port", FT_UINT16, BASE_DEC, NULL, 0,
            "From code = start | end << 12 | 0x61 << 24 (guess), only where the code fits", HFILL } },
        { &hf_hb_map_cur, { "Current map", "nlb.hb.map.current", FT_UINT64, BASE_HEX, NULL, 0,
            "Bit i set: this host owns bin i now", HFILL } },
        { &hf_hb_map_new, { "New map", "nlb.hb.map.new", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_hb_map_idle, { "Idle map", "nlb.hb.map.idle", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_hb_map_ready, { "Ready map", "nlb.hb.map.ready", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_hb_bins_owned, { "Bins owned", "nlb.hb.bins_owned", FT_UINT32, BASE_DEC, NULL, 0,
            "Bits set in the current map", HFILL } },
        { &hf_hb_bins_list, { "Owned bins", "nlb.hb.bins", FT_STRING, BASE_NONE, NULL, 0,
            "Bits set in the current map, as ranges", HFILL } },
        { &hf_hb_rule_weight, { "Load weight", "nlb.hb.rule.weight", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_hb_tlv, { "TLV", "nlb.hb.tlv", FT_NONE, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_hb_tlv_type, { "Type", "nlb.hb.tlv.type", FT_UINT8, BASE_DEC, NULL, 0, "1 host name, 2 IP address", HFILL } },
        { &hf_hb_tlv_length, { "Length", "nlb.hb.tlv.length", FT_UINT16, BASE_DEC, NULL, 0,
            "Total TLV bytes (length byte x 8, guess)", HFILL } },
        { &hf_hb_host_name, { "Host name", "nlb.hb.host_name", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_hb_address4, { "Address", "nlb.hb.address", FT_IPv4, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_hb_address6, { "Address", "nlb.hb.address", FT_IPv6, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_hb_truncated, { "Truncated", "nlb.hb.truncated", FT_NONE, BASE_NONE, NULL, 0,
            "The capture cut this heartbeat (snaplen); later fields are unknown", HFILL } },
        { &hf_hb_gap, { "Silent for (ms)", "nlb.hb.gap", FT_UINT64, BASE_DEC, NULL, 0,
            "This host's previous heartbeat is older than period x tolerance", HFILL } },
        /* annotations */
        { &hf_mac_src, { "Source cluster MAC", "nlb.mac.src", FT_NONE, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_mac_dst, { "Destination cluster MAC", "nlb.mac.dst", FT_NONE, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_mac_kind, { "MAC form", "nlb.mac.kind", FT_UINT8, BASE_DEC, VALS(vs_mac_kind), 0, NULL, HFILL } },
        { &hf_mac_vip, { "Embedded VIP", "nlb.mac.vip", FT_IPv4, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_mac_priority, { "Host priority in the MAC", "nlb.mac.priority", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_mac_confirmed, { "Confirmed", "nlb.mac.confirmed", FT_BOOLEAN, BASE_NONE, NULL, 0,
            "The embedded VIP is known from heartbeats seen earlier or from the VIP preference", HFILL } },
        { &hf_garp, { "Gratuitous ARP", "nlb.garp", FT_IPv4, BASE_NONE, NULL, 0, "Announced IP address", HFILL } },
        { &hf_rarp, { "RARP announcement", "nlb.rarp", FT_ETHER, BASE_NONE, NULL, 0, "Announced MAC address", HFILL } },
        { &hf_announced_host, { "Announces NLB host", "nlb.announced_host", FT_UINT8, BASE_DEC, NULL, 0,
            "The announced MAC belongs to this NLB host (priority)", HFILL } },
        { &hf_flow, { "VIP flow", "nlb.flow", FT_NONE, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_flow_vip, { "VIP", "nlb.flow.vip", FT_IPv4, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_flow_rule, { "Port rule (configured)", "nlb.flow.rule", FT_INT32, BASE_DEC, NULL, 0,
            "1-based rule of the port-rules preference; -1: no rule covers it", HFILL } },
        { &hf_flow_bin, { "Bin (emulation)", "nlb.flow.bin", FT_UINT8, BASE_DEC, NULL, 0,
            "Emulated: the Windows hash is not public", HFILL } },
        { &hf_flow_predicted, { "Predicted host (emulation)", "nlb.flow.predicted_host", FT_UINT8, BASE_DEC, NULL, 0,
            "Emulated owner of the flow's bin: the Windows hash is not public", HFILL } },
        { &hf_flow_source, { "Prediction from", "nlb.flow.prediction_source", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_flow_observed, { "Observed host", "nlb.flow.observed_host", FT_UINT8, BASE_DEC, NULL, 0,
            "Host that sent this reply (masked source MAC or heartbeat NIC MAC)", HFILL } },
    };
    static gint *ett[] = { &ett_nlb, &ett_hb_team, &ett_hb_rule, &ett_hb_tlv, &ett_ann, &ett_mac, &ett_flow };
    static ei_register_info ei[] = {
        { &ei_truncated, { "nlb.expert.truncated", PI_UNDECODED, PI_WARN, "Heartbeat truncated", EXPFILL } },
        { &ei_unknown_signature, { "nlb.expert.unknown_signature", PI_PROTOCOL, PI_WARN, "Unknown NLB signature", EXPFILL } },
        { &ei_malformed, { "nlb.expert.malformed", PI_MALFORMED, PI_ERROR, "Malformed heartbeat", EXPFILL } },
        { &ei_rule_count, { "nlb.expert.rule_count", PI_MALFORMED, PI_ERROR, "Rule count exceeds 33", EXPFILL } },
        { &ei_cluster_mac_source, { "nlb.expert.cluster_mac_source", PI_PROTOCOL, PI_ERROR,
            "Unicast cluster MAC used as Ethernet source", EXPFILL } },
        { &ei_dup_priority, { "nlb.expert.dup_priority", PI_PROTOCOL, PI_WARN, "Duplicate host priority", EXPFILL } },
        { &ei_host_silent, { "nlb.expert.host_silent", PI_SEQUENCE, PI_WARN, "Host silent longer than period x tolerance", EXPFILL } },
        { &ei_bin_twice, { "nlb.expert.bin_twice", PI_PROTOCOL, PI_WARN, "Bins owned by two hosts", EXPFILL } },
        { &ei_bin_nobody, { "nlb.expert.bin_nobody", PI_PROTOCOL, PI_WARN, "Bins owned by nobody", EXPFILL } },
        { &ei_owner_mismatch, { "nlb.expert.owner_mismatch", PI_PROTOCOL, PI_NOTE,
            "Observed host differs from the emulated prediction", EXPFILL } },
        { &ei_rule_mismatch, { "nlb.expert.rule_mismatch", PI_PROTOCOL, PI_WARN,
            "Hosts disagree on port rules", EXPFILL } },
        { &ei_multi_default, { "nlb.expert.multi_default", PI_PROTOCOL, PI_WARN,
            "Hosts disagree on the default host", EXPFILL } },
        { &ei_mcast_arp, { "nlb.expert.mcast_arp", PI_PROTOCOL, PI_WARN,
            "ARP maps a unicast IP to a cluster multicast MAC", EXPFILL } },
    };

    proto_nlb = proto_register_protocol("Microsoft NLB (nlbproto)", "NLB (nlbproto)", "nlb");
    proto_register_field_array(proto_nlb, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_nlb);
    expert_register_field_array(em, ei, array_length(ei));

    module_t *m = prefs_register_protocol(proto_nlb, apply_prefs);
    prefs_register_string_preference(m, "vips", "Cluster VIPs",
        "Comma-separated cluster IPs known in advance; cluster MACs embedding them count as confirmed "
        "even before a heartbeat names them", &pref_vips);
    prefs_register_uint_preference(m, "bins", "Bins per rule (emulation)",
        "Bins per port rule in the ownership emulation, 1..64 (default 60)", 10, &pref_bins);
    prefs_register_enum_preference(m, "affinity", "Affinity when no port rule is configured (emulation)",
        "Hash key of the ownership emulation for flows not covered by a configured rule",
        &pref_affinity, affinity_vals, FALSE);
    prefs_register_filename_preference(m, "rules_file", "Port rules file (emulation)",
        "Port rules in nlbreplay's format (see nlbreplay(1)); empty: one all-ports rule", &pref_rules_file, FALSE);
    prefs_register_uint_preference(m, "period_ms", "Heartbeat period (ms)",
        "AliveMsgPeriod of the cluster (default 1000)", 10, &pref_period_ms);
    prefs_register_uint_preference(m, "tolerance", "Heartbeat tolerance",
        "AliveMsgTolerance: missed periods before a host counts as silent (default 5)", 10, &pref_tolerance);
    prefs_register_bool_preference(m, "annotate", "Annotate non-heartbeat frames",
        "Cluster MAC forms, GARP/RARP announcements and emulated VIP flow ownership", &pref_annotate);

    register_init_routine(nlb_init);
    register_cleanup_routine(nlb_cleanup);
    nlb_tap = register_tap("nlb");
    nlb_hb_handle = register_dissector("nlb", dissect_nlb_hb, proto_nlb);
    nlb_886f_handle = create_dissector_handle_with_name_and_description(dissect_nlb_886f, -1, "nlb_0x886f",
        "Microsoft NLB (nlbproto); the built-in msnlb when nlb is disabled");
    nlb_post_handle = register_dissector("nlb_annotations", dissect_nlb_post, proto_nlb);
    apply_prefs();
}

static void proto_reg_handoff_nlb(void)
{
    /* Plugin handoffs run after the built-in ones: this replaces msnlb on 0x886F. */
    msnlb_handle = dissector_get_uint_handle(find_dissector_table("ethertype"), NLB_ETHERTYPE);
    if (msnlb_handle == nlb_886f_handle)
        msnlb_handle = NULL;
    dissector_add_uint("ethertype", NLB_ETHERTYPE, nlb_886f_handle);
    dissector_add_for_decode_as("ethertype", nlb_hb_handle);
    register_postdissector(nlb_post_handle);
}

void plugin_register(void)
{
    static proto_plugin plug;
    plug.register_protoinfo = proto_register_nlb;
    plug.register_handoff = proto_reg_handoff_nlb;
    proto_register_plugin(&plug);
    static tap_plugin tplug;
    tplug.register_tap_listener = register_nlb_stats;
    tap_register_plugin(&tplug);
}
