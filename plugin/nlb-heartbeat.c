/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Heartbeats (ethertype 0x886F): the decoded message as a tree, the Info column, and the
 * capture-wide facts the first pass noted at this frame as generated items and expert infos. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <epan/tap.h>
#include <wsutil/utf8_entities.h>

#include "nlb.h"
#include "nlb-capture.h"
#include "nlb-fields.h"

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

typedef struct hb_items {
    proto_item *top, *prio, *rules, *my, *sig; /* where this frame's expert infos attach */
} hb_items;

static const char *hb_what(const nlb_heartbeat *hb)
{
    return hb->kind == NLB_HB_MEMBERSHIP ? "Heartbeat"
           : hb->kind == NLB_HB_EXTENDED ? "Extended heartbeat"
           : hb->kind == NLB_HB_IDENTITY ? "Identity message (guess)"
           : nlb_hb_has(hb, 0, 4) ? "Unknown NLB message" : "NLB message";
}

static void hb_info_head(packet_info *pinfo, const nlb_heartbeat *hb, const char *what)
{
    char vip[16];
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "NLB");
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
}

/* The common header, every message kind. */
static void hb_header_tree(proto_tree *t, tvbuff_t *tvb, const nlb_heartbeat *hb, hb_items *pi)
{
    char vip[16];
    if (nlb_hb_has(hb, NLB_OFF_SIGNATURE, 4)) {
        pi->sig = proto_tree_add_uint(t, hf_hb_signature, tvb, NLB_OFF_SIGNATURE, 4, hb->signature);
        proto_item *it = proto_tree_add_uint(t, hf_hb_kind, tvb, NLB_OFF_SIGNATURE, 4, hb->kind);
        proto_item_set_generated(it);
    }
    if (nlb_hb_has(hb, NLB_OFF_VERSION, 4))
        proto_tree_add_uint(t, hf_hb_version, tvb, NLB_OFF_VERSION, 4, hb->version);
    if (nlb_hb_has(hb, NLB_OFF_PRIORITY, 4)) {
        pi->prio = proto_tree_add_uint(t, hf_hb_priority, tvb, NLB_OFF_PRIORITY, 4, hb->priority);
        proto_item_append_text(pi->top, ", host %u", hb->priority);
    }
    if (nlb_hb_has(hb, NLB_OFF_CLUSTER_IP, 4)) {
        proto_tree_add_ipv4(t, hf_hb_cluster_ip, tvb, NLB_OFF_CLUSTER_IP, 4, g_htonl(hb->cluster_ip));
        proto_item_append_text(pi->top, " " UTF8_RIGHTWARDS_ARROW " cluster %s", nlb_ip4_str(hb->cluster_ip, vip));
    }
    if (nlb_hb_has(hb, NLB_OFF_DEDICATED_IP, 4))
        proto_tree_add_ipv4(t, hf_hb_dedicated_ip, tvb, NLB_OFF_DEDICATED_IP, 4, g_htonl(hb->dedicated_ip));
}

/* The membership heartbeat's own fields, then its rules and maps (bin counts into bmin, bmax). */
static void hb_membership_tree(proto_tree *t, tvbuff_t *tvb, const nlb_heartbeat *hb, hb_items *pi,
                               unsigned *bmin, unsigned *bmax)
{
    if (nlb_hb_has(hb, NLB_OFF_MY_HOST_ID, 2))
        pi->my = proto_tree_add_uint(t, hf_hb_my_host_id, tvb, NLB_OFF_MY_HOST_ID, 2, hb->my_host_id);
    if (nlb_hb_has(hb, NLB_OFF_DEFAULT_HOST_ID, 2))
        proto_tree_add_uint(t, hf_hb_default_host_id, tvb, NLB_OFF_DEFAULT_HOST_ID, 2, hb->default_host_id);
    if (nlb_hb_has(hb, NLB_OFF_CONV_STATE, 2))
        proto_tree_add_uint(t, hf_hb_conv_state, tvb, NLB_OFF_CONV_STATE, 2, hb->conv_state);
    if (nlb_hb_has(hb, NLB_OFF_NUM_RULES, 2))
        pi->rules = proto_tree_add_uint(t, hf_hb_rules, tvb, NLB_OFF_NUM_RULES, 2, hb->num_rules);
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
    hb_rules_tree(t, tvb, hb, bmin, bmax);
}

/* Info column tail: what the heartbeat says about load, or why it cannot. */
static void hb_info_tail(packet_info *pinfo, const nlb_heartbeat *hb, nlb_status st, gboolean cut,
                         unsigned bmin, unsigned bmax)
{
    char s[64];
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
}

/* Problems of this very frame: unknown signature, malformed field, snaplen cut. */
static void hb_problems(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, const nlb_heartbeat *hb, nlb_status st,
                        gboolean cut, const hb_items *pi)
{
    guint caplen = tvb_captured_length(tvb);
    if (hb->kind == NLB_HB_UNKNOWN && nlb_hb_has(hb, NLB_OFF_SIGNATURE, 4)) {
        expert_add_info_format(pinfo, pi->sig ? pi->sig : pi->top, &ei_unknown_signature,
                               "Unknown NLB signature 0x%08x: only the common header is decoded", hb->signature);
    } else if (st == NLB_MALFORMED) {
        proto_item *at = pi->top;
        if (hb->bad_field == NLB_F_HOST_PRIORITY && pi->prio) at = pi->prio;
        else if (hb->bad_field == NLB_F_RULE_COUNT && pi->rules) at = pi->rules;
        else if (hb->bad_field == NLB_F_MY_HOST_ID && pi->my) at = pi->my;
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
        guint expect = hb->kind == NLB_HB_MEMBERSHIP ? NLB_HB_MEMBERSHIP_LEN : tvb_reported_length(tvb);
        proto_item *it = proto_tree_add_none_format(t, hf_hb_truncated, tvb, 0, 0,
                                                    "Truncated: %u of %u payload bytes captured; fields past them are not shown",
                                                    caplen, expect);
        proto_item_set_generated(it);
        expert_add_info_format(pinfo, it, &ei_snaplen_cut, "Heartbeat cut by the snaplen after %u bytes: fields past them unknown",
                               caplen);
    }
}

static void hb_tap(packet_info *pinfo, const nlb_heartbeat *hb, gboolean cut, nlb_usec gap)
{
    gboolean have_hdr = nlb_hb_has(hb, NLB_OFF_DEDICATED_IP, 4);
    nlb_tap_rec *rec = wmem_new0(pinfo->pool, nlb_tap_rec);
    rec->heartbeat = TRUE;
    rec->vip = have_hdr ? hb->cluster_ip : 0;
    rec->prio = have_hdr && hb->priority <= NLB_MAX_PRIORITY ? (guint8)hb->priority : 0;
    rec->dip = have_hdr ? hb->dedicated_ip : 0;
    rec->kind = hb->kind;
    rec->truncated = cut;
    rec->gap = gap;
    tap_queue_packet(nlb_tap, pinfo, rec);
}

int dissect_nlb_hb(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
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

    /* The whole frame goes to the capture's tracker (first pass); what it learnt comes back. */
    nlb_packet *pkt = wmem_new(pinfo->pool, nlb_packet);
    gboolean decoded;
    const nlb_frame_rec *fr = nlb_capture_frame(tvb, pinfo, pkt, &decoded);
    nlb_usec gap = fr && fr->back_host && fr->back_host == hb->priority ? fr->gap : 0;

    const char *what = hb_what(hb);
    hb_info_head(pinfo, hb, what);
    hb_items pi = { 0 };
    pi.top = proto_tree_add_item(tree, proto_nlb, tvb, 0, -1, ENC_NA);
    proto_item_append_text(pi.top, ", %s", what);
    proto_tree *t = proto_item_add_subtree(pi.top, ett_nlb);
    hb_header_tree(t, tvb, hb, &pi);
    unsigned bmin = G_MAXUINT, bmax = 0;
    if (hb->kind == NLB_HB_MEMBERSHIP)
        hb_membership_tree(t, tvb, hb, &pi, &bmin, &bmax);
    else if (hb->kind == NLB_HB_EXTENDED)
        hb_tlv_tree(t, tvb, hb);
    hb_info_tail(pinfo, hb, st, cut, bmin, bmax);

    /* Generated facts from the capture-wide state. */
    if (gap) {
        proto_item *it = proto_tree_add_uint64_format_value(t, hf_hb_gap, tvb, 0, 0, (guint64)(gap / 1000),
                                                            "%.3f s since this host's previous heartbeat",
                                                            (double)gap / 1e6);
        proto_item_set_generated(it);
        col_append_fstr(pinfo->cinfo, COL_INFO, " [back after %.1f s]", (double)gap / 1e6);
    }
    hb_problems(t, tvb, pinfo, hb, st, cut, &pi);
    gboolean have_hdr = nlb_hb_has(hb, NLB_OFF_DEDICATED_IP, 4);
    if (nlb_capture_open()) {
        nlb_show_capture(t, tvb, pinfo, have_hdr ? hb->cluster_ip : 0, FALSE);
        p_add_proto_data(pinfo->pool, pinfo, proto_nlb, NLB_KEY_SHOWN, GINT_TO_POINTER(1));
    }
    if (have_tap_listener(nlb_tap))
        hb_tap(pinfo, hb, cut, gap);
    return (int)caplen;
}

int dissect_nlb_legacy(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    guint caplen = tvb_captured_length(tvb);
    const guint8 *p = tvb_get_ptr(tvb, 0, caplen);
    nlb_heartbeat *hb = wmem_new(pinfo->pool, nlb_heartbeat);
    if (nlb_hb_decode_legacy(p, caplen, hb) == NLB_NOT_NLB)
        return 0; /* no NLB signature: someone else's use of 0xBF01 */
    nlb_packet *pkt = wmem_new(pinfo->pool, nlb_packet);
    gboolean decoded;
    nlb_capture_frame(tvb, pinfo, pkt, &decoded);

    col_set_str(pinfo->cinfo, COL_PROTOCOL, "NLB");
    char vip[16];
    gboolean have_hdr = nlb_hb_has(hb, NLB_OFF_DEDICATED_IP, 4);
    if (nlb_hb_has(hb, NLB_OFF_CLUSTER_IP, 4))
        col_add_fstr(pinfo->cinfo, COL_INFO, "Legacy WLBS/Convoy heartbeat host %u " UTF8_RIGHTWARDS_ARROW
                     " cluster %s (0xBF01, body not decoded)", hb->priority, nlb_ip4_str(hb->cluster_ip, vip));
    else
        col_set_str(pinfo->cinfo, COL_INFO, "Legacy WLBS/Convoy heartbeat (0xBF01) [truncated]");

    proto_item *top = proto_tree_add_item(tree, proto_nlb, tvb, 0, -1, ENC_NA);
    proto_item_append_text(top, ", legacy WLBS/Convoy heartbeat (ethertype 0xBF01)");
    proto_tree *t = proto_item_add_subtree(top, ett_nlb);
    proto_item *it = proto_tree_add_item(t, hf_hb_legacy, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(it);
    if (nlb_hb_has(hb, NLB_OFF_SIGNATURE, 4))
        proto_tree_add_uint(t, hf_hb_signature, tvb, NLB_OFF_SIGNATURE, 4, hb->signature);
    if (nlb_hb_has(hb, NLB_OFF_VERSION, 4))
        proto_tree_add_uint(t, hf_hb_version, tvb, NLB_OFF_VERSION, 4, hb->version);
    proto_item *pi_prio = NULL;
    if (nlb_hb_has(hb, NLB_OFF_PRIORITY, 4))
        pi_prio = proto_tree_add_uint(t, hf_hb_priority, tvb, NLB_OFF_PRIORITY, 4, hb->priority);
    if (nlb_hb_has(hb, NLB_OFF_CLUSTER_IP, 4))
        proto_tree_add_ipv4(t, hf_hb_cluster_ip, tvb, NLB_OFF_CLUSTER_IP, 4, g_htonl(hb->cluster_ip));
    if (have_hdr)
        proto_tree_add_ipv4(t, hf_hb_dedicated_ip, tvb, NLB_OFF_DEDICATED_IP, 4, g_htonl(hb->dedicated_ip));
    if (hb->status == NLB_MALFORMED)
        expert_add_info_format(pinfo, pi_prio ? pi_prio : top, &ei_malformed, "Malformed heartbeat: %s",
                               nlb_field_name(hb->bad_field));
    if (nlb_capture_open()) {
        nlb_show_capture(t, tvb, pinfo, have_hdr ? hb->cluster_ip : 0, FALSE);
        p_add_proto_data(pinfo->pool, pinfo, proto_nlb, NLB_KEY_SHOWN, GINT_TO_POINTER(1));
    }
    return (int)caplen;
}
