/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture-wide facts at a frame: each library diagnostic as an expert info on its first
 * frame, with the table's short title (Wireshark groups expert infos by text and cuts long
 * ones) and the details (full sentence with counts and advice, hosts, VIP, duration) as
 * generated items; the failover burst an announcement belongs to; the convergence episode a
 * cluster's frame falls in. The expert infos are registered from the library's table, one per
 * code and severity it can take. */
#include <string.h>

#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>

#include "nlb.h"
#include "nlb-capture.h"
#include "nlb-fields.h"

#define N_SEV 3
static expert_field ei_diag[NLB_D_CODE_COUNT_][N_SEV];


static int pi_sev(int sev)
{
    return sev == NLB_SEV_ERROR ? PI_ERROR : sev == NLB_SEV_WARNING ? PI_WARN : PI_NOTE;
}

static int pi_group(nlb_diag_code c)
{
    switch (c) {
    case NLB_D_HOST_SILENT:
    case NLB_D_CONVERGENCE: return PI_SEQUENCE;
    case NLB_D_TRUNCATED: return PI_UNDECODED;
    default: return PI_PROTOCOL;
    }
}

/* Expert fields "nlb.expert.<key>" at the code's default severity and
 * "nlb.expert.<key>.<severity>" at the others it can take: Wireshark fixes an expert info's
 * severity at registration. */
void nlb_register_diag_experts(expert_module_t *em)
{
    for (int c = 0; c < NLB_D_CODE_COUNT_; c++)
        for (int s = 0; s < N_SEV; s++)
            ei_diag[c][s] = (expert_field)EI_INIT;
    for (int c = 1; c < NLB_D_CODE_COUNT_; c++) {
        const nlb_diag_desc *d = nlb_diag_info((nlb_diag_code)c);
        if (!d)
            continue;
        const char *key = d->key, *title = d->title;
        int dflt = d->severity;
        unsigned sevs = d->severities | 1u << d->severity;
        ei_register_info *ei = g_new0(ei_register_info, N_SEV);
        int n = 0;
        for (int s = 0; s < N_SEV; s++) {
            if (!(sevs >> s & 1))
                continue;
            ei[n].ids = &ei_diag[c][s];
            ei[n].eiinfo.name = s == dflt ? g_strdup_printf("nlb.expert.%s", key)
                                          : g_strdup_printf("nlb.expert.%s.%s", key, nlb_severity_name((nlb_severity)s));
            ei[n].eiinfo.group = pi_group((nlb_diag_code)c);
            ei[n].eiinfo.severity = pi_sev(s);
            ei[n].eiinfo.summary = g_strdup_printf("%s: %s", nlb_diag_code_str((nlb_diag_code)c), title);
            ei[n].eiinfo.hf_info.hfinfo.id = -1; /* as EXPFILL's HFILL leaves them */
            ei[n].eiinfo.hf_info.hfinfo.same_name_prev_id = -1;
            n++;
        }
        expert_register_field_array(em, ei, n);
    }
}

static void show_diag(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, const nlb_diag *d)
{
    char msg[512], s[64];
    if (!nlb_diag_format(d, msg, sizeof msg))
        msg[0] = 0;
    const char *code = nlb_diag_code_str(d->code);
    proto_item *di = proto_tree_add_string_format(t, hf_diag, tvb, 0, 0, code, "%s: %s", code, msg);
    proto_item_set_generated(di);
    proto_tree *dt = proto_item_add_subtree(di, ett_diag);
    proto_item *it = proto_tree_add_string(dt, hf_diag_severity, tvb, 0, 0, nlb_severity_name(d->severity));
    proto_item_set_generated(it);
    it = proto_tree_add_string(dt, hf_diag_message, tvb, 0, 0, msg);
    proto_item_set_generated(it);
    if (d->vip) {
        it = proto_tree_add_ipv4(dt, hf_diag_vip, tvb, 0, 0, g_htonl(d->vip));
        proto_item_set_generated(it);
    }
    if (d->hosts_mask) {
        nlb_hosts_str(d->hosts_mask, s, sizeof s);
        it = proto_tree_add_string(dt, hf_diag_hosts, tvb, 0, 0, s);
        proto_item_set_generated(it);
    }
    if (d->duration) {
        it = proto_tree_add_double(dt, hf_diag_duration, tvb, 0, 0, (double)d->duration / 1e6);
        proto_item_set_generated(it);
    }
    int sev = d->severity >= 0 && d->severity < N_SEV ? (int)d->severity : NLB_SEV_ERROR;
    if ((unsigned)d->code < NLB_D_CODE_COUNT_ && ei_diag[d->code][sev].ei >= 0)
        expert_add_info(pinfo, di, &ei_diag[d->code][sev]);
}

static void show_burst(proto_tree *t, tvbuff_t *tvb, const nlb_event *e)
{
    char s[64];
    proto_item *bi = proto_tree_add_uint_format_value(t, hf_burst, tvb, 0, 0, e->count,
                                                      "%u MACs announced within %.3f s", e->count,
                                                      (double)e->duration / 1e6);
    proto_item_set_generated(bi);
    if (e->hosts_mask) {
        proto_tree *bt = proto_item_add_subtree(bi, ett_burst);
        nlb_hosts_str(e->hosts_mask, s, sizeof s);
        proto_item *it = proto_tree_add_string(bt, hf_burst_unannounced, tvb, 0, 0, s);
        proto_item_set_generated(it);
        proto_item_append_text(bi, ", NLB %s not announced", s);
    }
}

static void show_conv(proto_tree *t, tvbuff_t *tvb, const nlb_convergence *cv, gboolean ongoing)
{
    char s[96];
    nlb_conv_trigger_format(cv, s, sizeof s);
    proto_item *ci = proto_tree_add_string_format_value(t, hf_conv, tvb, 0, 0, s, "converging since %s (%s)%s",
                                                        nlb_time_str(cv->start, (char[24]){ 0 }), s,
                                                        ongoing ? ", still at the end of the capture" : "");
    proto_item_set_generated(ci);
}

void nlb_show_capture(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, guint32 vip, gboolean announce)
{
    if (!nlb_capture_final(pinfo))
        return; /* the first pass cannot know how things end: tshark -2 or the GUI shows these */
    nlb_usec ts = nlb_capture_ts(pinfo);
    const nlb_event *e = announce ? nlb_capture_burst(pinfo, ts) : NULL;
    if (e)
        show_burst(t, tvb, e);
    gboolean ongoing = FALSE;
    const nlb_convergence *cv = nlb_capture_conv(pinfo, vip, ts, &ongoing);
    if (cv)
        show_conv(t, tvb, cv, ongoing);
    guint n;
    const guint32 *idx = nlb_capture_diags(pinfo, &n);
    for (guint i = 0; i < n; i++)
        show_diag(t, tvb, pinfo, nlb_tracker_diag(nlb_capture_tracker(), idx[i]));
}
