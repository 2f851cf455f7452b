/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wireshark plugin "nlb": Microsoft NLB heartbeats, cluster-MAC / GARP / RARP annotations,
 * emulated flow ownership, expert infos and a stats tree. Every decode and every fact about the
 * protocol comes from libnlbproto; the plugin only maps those facts onto epan (fields, tree,
 * columns, expert info, taps), so nlbreplay and Wireshark never disagree.
 * This file: the plugin's entry points, registration, handoff and preferences. The fields are in
 * nlb-fields.c, heartbeats in nlb-heartbeat.c, annotations of other frames in nlb-annotate.c,
 * the capture-wide state in nlb-capture.c, the stats tree in nlb-stats.c. */
#include <string.h>

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/tap.h>
#include <wsutil/report_message.h>

#include "nlb.h"
#include "nlb-capture.h"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = NLBPROTO_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = NLB_WS_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = NLB_WS_MINOR;
WS_DLL_PUBLIC void plugin_register(void);
#if NLB_WS_HAS_PLUGIN_DESCRIBE
#include <wsutil/plugins.h>
WS_DLL_PUBLIC uint32_t plugin_describe(void);
#endif

int proto_nlb = -1;
int nlb_tap = -1;
static dissector_handle_t nlb_hb_handle;
static dissector_handle_t nlb_886f_handle;
static dissector_handle_t msnlb_handle;   /* the built-in msnlb, kept for "--disable-protocol nlb" */
static dissector_handle_t nlb_post_handle;

/* ---- preferences ------------------------------------------------------------------------- */

const enum_val_t affinity_vals[] = {
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
nlb_pref_bool pref_annotate = NLB_PREF_TRUE;

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
    if (pref_period_ms > NLB_PERIOD_MS_MAX)
        report_failure("NLB (nlbproto): heartbeat period %u ms is over %u ms; using %u", pref_period_ms,
                       NLB_PERIOD_MS_MAX, NLB_PERIOD_MS_MAX);
    if (pref_tolerance > NLB_TOLERANCE_MAX)
        report_failure("NLB (nlbproto): heartbeat tolerance %u is over %u; using %u", pref_tolerance,
                       NLB_TOLERANCE_MAX, NLB_TOLERANCE_MAX);
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

void nlb_prefs_tracker_config(nlb_tracker_config *cfg)
{
    nlb_tracker_config_default(cfg);
    /* beyond the maximum the tracker clamps, as apply_prefs reported */
    cfg->period_ms = pref_period_ms ? pref_period_ms : 1;
    cfg->tolerance = pref_tolerance ? pref_tolerance : 1;
    cfg->model = g_model;
    cfg->n_vips = g_n_pref_vips;
    memcpy(cfg->vips, g_pref_vips, g_n_pref_vips * sizeof g_pref_vips[0]);
}

/* Owns 0x886F without belonging to a protocol, so that disabling "nlb" (Analyze > Enabled
 * Protocols, --disable-protocol nlb) gives the frames back to the built-in msnlb dissector
 * instead of leaving them to "data". With nlb on, msnlb still sees the heartbeats nlb decoded
 * (nlb-msnlb.c), so saved msnlb.* filters keep matching. */
static int dissect_nlb_886f(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (proto_is_protocol_enabled(find_protocol_by_id(proto_nlb))) {
        int n = call_dissector_only(nlb_hb_handle, tvb, pinfo, tree, data);
        if (n) {
            nlb_msnlb_fields(msnlb_handle, tvb, pinfo, tree, data);
            return n;
        }
        /* not NLB: say whose it is when the library knows (Xbox, LQSR), the bytes stay "data";
         * no nlb item is added, so "nlb" does not match it */
        guint caplen = tvb_captured_length(tvb);
        nlb_heartbeat *hb = wmem_new(pinfo->pool, nlb_heartbeat);
        nlb_hb_decode(tvb_get_ptr(tvb, 0, caplen), caplen, hb);
        const char *who = nlb_foreign_name((nlb_foreign_kind)hb->foreign);
        if (!who)
            return 0;
        col_set_str(pinfo->cinfo, COL_PROTOCOL, "0x886f");
        col_add_fstr(pinfo->cinfo, COL_INFO, "Not NLB: %s (shares ethertype 0x886F)", who);
        call_data_dissector(tvb, pinfo, tree);
        return (int)caplen;
    }
    if (msnlb_handle)
        return call_dissector_only(msnlb_handle, tvb, pinfo, tree, data);
    return 0;
}

/* ---- registration ------------------------------------------------------------------------- */

static void proto_register_nlb(void)
{
    proto_nlb = proto_register_protocol("Microsoft NLB (nlbproto)", "NLB (nlbproto)", "nlb");
    nlb_register_fields();

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

    register_init_routine(nlb_capture_init);
    register_cleanup_routine(nlb_capture_cleanup);
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
    dissector_add_uint("ethertype", NLB_ETHERTYPE_LEGACY,
                       create_dissector_handle_with_name_and_description(dissect_nlb_legacy, proto_nlb, "nlb_legacy",
                           "Microsoft NLB legacy WLBS/Convoy heartbeats (0xBF01)"));
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

#if NLB_WS_HAS_PLUGIN_DESCRIBE
/* What plugin_register() registers: a dissector and a tap listener (the stats tree). */
uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER;
}
#endif
