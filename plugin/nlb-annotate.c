/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Annotations of every other frame (a postdissector): cluster MAC forms as source or
 * destination, GARP/RARP announcements and the emulated owner of VIP flows. */
#include <string.h>

#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <epan/tap.h>
#include <wiretap/wtap.h>

#include "nlb.h"
#include "nlb-fields.h"

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

int dissect_nlb_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!pref_annotate || !nlb_capture_open())
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
    guint nv;
    const guint32 *vips = nlb_known_vips(&nv);
    if (!nlb_frame_may_matter(lt, bytes, caplen, vips, nv))
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
