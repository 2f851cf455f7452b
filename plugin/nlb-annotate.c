/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Annotations of every frame (a postdissector): cluster MAC forms as source or destination,
 * GARP/RARP announcements, the emulated owner and the verdict of VIP flows, and the
 * capture-wide facts (diagnostics, failover bursts, convergence) of frames that are no
 * heartbeat. Every fact comes from the capture's tracker (nlb-capture.c). */
#include <string.h>

#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <epan/tap.h>

#include "nlb.h"
#include "nlb-capture.h"
#include "nlb-fields.h"

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


static void ann_flow(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, const nlb_frame_rec *r, const nlb_packet *pkt)
{
    const nlb_flow_info *f = nlb_capture_flow(r);
    if (!f)
        return;
    const nlb_model *m = nlb_tracker_model(nlb_capture_tracker());
    gboolean reply = (r->flags & NF_REPLY) != 0;
    char a[46];
    proto_item *ft = tree_visible(t) ? proto_tree_add_none_format(t, hf_flow, tvb, 0, 0,
                                           "%s %s VIP %s:%u (ownership emulation: not the Windows hash)",
                                           f->proto == NLB_IPPROTO_TCP ? "TCP" : "UDP", reply ? "reply from" : "to",
                                           nlb_ipaddr_str(&f->vip, a), f->vport)
                                     : proto_tree_add_item(t, hf_flow, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(ft);
    proto_tree *fl = proto_item_add_subtree(ft, ett_flow);
    proto_item *it;
    if (f->vip.family == 4)
        it = proto_tree_add_ipv4(fl, hf_flow_vip, tvb, 0, 0, g_htonl(nlb_ipaddr_to_v4(&f->vip)));
    else
        it = proto_tree_add_ipv6(fl, hf_flow_vip6, tvb, 0, 0, (const ws_in6_addr *)f->vip.a);
    proto_item_set_generated(it);
    nlb_flow_verdict v = nlb_capture_verdict(r);
    if (v != NLB_FLOW_NO_SYN) {
        it = proto_tree_add_string(fl, hf_flow_verdict, tvb, 0, 0, nlb_flow_verdict_name(v));
        proto_item_set_generated(it);
        proto_item_append_text(ft, ", %s", nlb_flow_verdict_name(v));
    }
    gboolean no_rule = m->n_rules && f->rule < 0;
    if (m->n_rules) {
        gint32 r1 = f->rule < 0 ? -1 : f->rule + 1;
        it = proto_tree_add_int_format_value(fl, hf_flow_rule, tvb, 0, 0, r1,
                                             r1 < 0 ? "%d (no rule covers the port: default host)" : "%d", r1);
        proto_item_set_generated(it);
    }
    if (!no_rule && f->predicted_host) {
        nlb_affinity aff = m->n_rules ? m->rules[f->rule].affinity : m->default_affinity;
        it = proto_tree_add_uint_format_value(fl, hf_flow_bin, tvb, 0, 0, f->bin, "%u of %u (affinity %s%s)",
                                              f->bin, m->bins, aff_name(aff),
                                              m->n_rules ? "" : ", no port rules configured");
        proto_item_set_generated(it);
    }
    if (f->predicted_host) {
        it = proto_tree_add_uint(fl, hf_flow_predicted, tvb, 0, 0, f->predicted_host);
        proto_item_set_generated(it);
        it = proto_tree_add_string(fl, hf_flow_source, tvb, 0, 0, nlb_pred_source_name((nlb_pred_source)f->predicted_source));
        proto_item_set_generated(it);
        it = proto_tree_add_string(fl, hf_flow_psource, tvb, 0, 0, nlb_pred_source_key((nlb_pred_source)f->predicted_source));
        proto_item_set_generated(it);
        proto_item_append_text(ft, ", predicted host %u (%s)", f->predicted_host,
                               nlb_pred_source_key((nlb_pred_source)f->predicted_source));
    }
    if (f->learned_host) {
        it = proto_tree_add_uint(fl, hf_flow_learned, tvb, 0, 0, f->learned_host);
        proto_item_set_generated(it);
    }
    if (f->emulated_host && f->emulated_host != f->predicted_host) {
        it = proto_tree_add_uint(fl, hf_flow_emulated, tvb, 0, 0, f->emulated_host);
        proto_item_set_generated(it);
    }
    if (reply && f->observed_host) {
        it = proto_tree_add_uint(fl, hf_flow_observed, tvb, 0, 0, f->observed_host);
        proto_item_set_generated(it);
        proto_item_append_text(ft, ", observed host %u", f->observed_host);
        if (f->predicted_host && f->predicted_host != f->observed_host) {
            if (f->predicted_source == NLB_PRED_LEARNED)
                expert_add_info_format(pinfo, it, &ei_reply_host_differs,
                                       "Host %u answered; earlier answers of this client came from host %u (the owner moved, or the detected affinity is wrong)",
                                       f->observed_host, f->predicted_host);
            else
                expert_add_info_format(pinfo, it, &ei_reply_host_differs,
                                       "Host %u answered; predicted host %u from the %s (the Windows hash is not public: later flows of this client are predicted from this answer)",
                                       f->observed_host, f->predicted_host,
                                       nlb_pred_source_name((nlb_pred_source)f->predicted_source));
        }
    }
    (void)pkt;
}

static void ann_announce(proto_tree *t, tvbuff_t *tvb, const nlb_frame_rec *r, const nlb_packet *pkt)
{
    char a[16], m[18];
    gboolean vis = tree_visible(t);
    proto_item *it;
    if (pkt->kind == NLB_FK_RARP) {
        if (vis)
            it = proto_tree_add_ether_format_value(t, hf_rarp, tvb, 0, 0, pkt->src,
                                                   "%s (%s: a hypervisor announcing a moved MAC, e.g. ESXi Notify Switches)",
                                                   nlb_mac_str(pkt->src, m), nlb_arp_op_name(pkt->arp.op));
        else
            it = proto_tree_add_ether(t, hf_rarp, tvb, 0, 0, pkt->src);
    } else if (vis) {
        it = proto_tree_add_ipv4_format_value(t, hf_garp, tvb, 0, 0, g_htonl(pkt->arp.spa),
                                              "%s is-at %s (gratuitous ARP %s: switches relearn this MAC's port)",
                                              nlb_ip4_str(pkt->arp.spa, a), nlb_mac_str(pkt->arp.sha, m),
                                              nlb_arp_op_name(pkt->arp.op));
    } else {
        it = proto_tree_add_ipv4(t, hf_garp, tvb, 0, 0, g_htonl(pkt->arp.spa));
    }
    proto_item_set_generated(it);
    if (r->announced_host) {
        it = proto_tree_add_uint(t, hf_announced_host, tvb, 0, 0, r->announced_host);
        proto_item_set_generated(it);
    }
}

static void ann_tap(packet_info *pinfo, const nlb_frame_rec *r, const nlb_packet *pkt)
{
    if (!have_tap_listener(nlb_tap))
        return;
    nlb_tap_rec *rec = wmem_new0(pinfo->pool, nlb_tap_rec);
    rec->src_kind = pkt->src_mac.kind;
    rec->dst_kind = pkt->has_dst ? pkt->dst_mac.kind : NLB_MAC_NONE;
    rec->src_confirmed = (r->flags & NF_SRC_CONFIRMED) != 0;
    rec->dst_confirmed = (r->flags & NF_DST_CONFIRMED) != 0;
    rec->announce = !(r->flags & NF_ANNOUNCE) ? 0 : pkt->kind == NLB_FK_RARP ? NLB_TAP_RARP : NLB_TAP_GARP;
    rec->flow = (r->flags & NF_FLOW) != 0;
    rec->vip = r->vip;
    tap_queue_packet(nlb_tap, pinfo, rec);
}

int dissect_nlb_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!nlb_capture_open())
        return 0;
    /* fed here unless the heartbeat dissector already fed it; most frames leave nothing behind */
    nlb_packet *pkt = wmem_new(pinfo->pool, nlb_packet);
    gboolean decoded;
    const nlb_frame_rec *r = nlb_capture_frame(tvb, pinfo, pkt, &decoded);
    gboolean hb_shown = p_get_proto_data(pinfo->pool, pinfo, proto_nlb, NLB_KEY_SHOWN) != NULL;
    guint nd = 0;
    if (!hb_shown)
        nlb_capture_diags(pinfo, &nd);
    if (r && decoded)
        ann_tap(pinfo, r, pkt);
    gboolean ann = r && decoded && pref_annotate &&
                   (r->flags & (NF_SRC_CONFIRMED | NF_DST_CONFIRMED | NF_ANNOUNCE | NF_MCAST_ARP | NF_FLOW));
    gboolean facts = !hb_shown && (nd || (r && nlb_capture_final(pinfo)));
    if (!ann && !facts)
        return 0;

    /* Under the protocol item too, so "nlb" matches every frame the plugin has something to say about. */
    proto_item *pi = proto_tree_add_item(tree, proto_nlb, tvb, 0, 0, ENC_NA);
    proto_item_append_text(pi, ", annotations");
    proto_item_set_generated(pi);
    proto_tree *t = proto_item_add_subtree(pi, ett_ann);
    if (ann) {
        nlb_mac_info src = pkt->src_mac, dst = pkt->dst_mac;
        guint nv;
        const guint32 *vips = nlb_known_vips(&nv);
        if (r->flags & NF_SRC_CONFIRMED) {
            nlb_mac_confirm(&src, vips, nv);
            src.confirmed = TRUE;
            ann_mac_tree(t, hf_mac_src, tvb, &src, pkt->src);
        }
        if (r->flags & NF_DST_CONFIRMED) {
            nlb_mac_confirm(&dst, vips, nv);
            dst.confirmed = TRUE;
            ann_mac_tree(t, hf_mac_dst, tvb, &dst, pkt->dst);
        }
        if (r->flags & NF_ANNOUNCE)
            ann_announce(t, tvb, r, pkt);
        if (r->flags & NF_FLOW)
            ann_flow(t, tvb, pinfo, r, pkt);
    }
    if (!hb_shown)
        nlb_show_capture(t, tvb, pinfo, r ? r->vip : 0, r && (r->flags & NF_ANNOUNCE));
    return 0;
}
