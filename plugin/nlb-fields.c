/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin's one field table (hf), its subtrees (ett) and expert infos (ei), with the value
 * strings filled from the library's own names so that wording has one home. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>

#include "nlb.h"
#include "nlb-fields.h"

/* heartbeat */
int hf_hb_signature = -1, hf_hb_kind = -1, hf_hb_version = -1;
int hf_hb_priority = -1, hf_hb_cluster_ip = -1, hf_hb_dedicated_ip = -1;
int hf_hb_my_host_id = -1, hf_hb_default_host_id = -1, hf_hb_conv_state = -1;
int hf_hb_rules = -1, hf_hb_host_code = -1, hf_hb_packets = -1;
int hf_hb_teaming = -1, hf_hb_team_active = -1, hf_hb_team_master = -1;
int hf_hb_team_reverse = -1, hf_hb_team_participants = -1, hf_hb_team_xor = -1;
int hf_hb_reserved = -1;
int hf_hb_rule = -1, hf_hb_rule_index = -1, hf_hb_rule_code = -1;
int hf_hb_rule_start = -1, hf_hb_rule_end = -1, hf_hb_rule_weight = -1;
int hf_hb_map_cur = -1, hf_hb_map_new = -1, hf_hb_map_idle = -1, hf_hb_map_ready = -1;
int hf_hb_bins_owned = -1, hf_hb_bins_list = -1;
int hf_hb_tlv = -1, hf_hb_tlv_type = -1, hf_hb_tlv_length = -1;
int hf_hb_host_name = -1, hf_hb_address4 = -1, hf_hb_address6 = -1;
int hf_hb_truncated = -1, hf_hb_gap = -1, hf_hb_legacy = -1;
/* annotations */
int hf_mac_src = -1, hf_mac_dst = -1;
int hf_mac_kind = -1, hf_mac_vip = -1, hf_mac_priority = -1, hf_mac_confirmed = -1;
int hf_garp = -1, hf_rarp = -1, hf_announced_host = -1;
int hf_flow = -1, hf_flow_vip = -1, hf_flow_bin = -1, hf_flow_rule = -1;
int hf_flow_predicted = -1, hf_flow_observed = -1, hf_flow_source = -1;
int hf_flow_vip6 = -1, hf_flow_verdict = -1;
int hf_flow_psource = -1, hf_flow_learned = -1, hf_flow_emulated = -1;
/* capture-wide facts */
int hf_diag = -1, hf_diag_severity = -1, hf_diag_message = -1, hf_diag_vip = -1, hf_diag_hosts = -1, hf_diag_duration = -1;
int hf_burst = -1, hf_burst_unannounced = -1, hf_conv = -1;

gint ett_nlb = -1, ett_hb_team = -1, ett_hb_rule = -1, ett_hb_tlv = -1;
gint ett_ann = -1, ett_mac = -1, ett_flow = -1, ett_diag = -1, ett_burst = -1;

expert_field ei_snaplen_cut = EI_INIT;
expert_field ei_unknown_signature = EI_INIT;
expert_field ei_malformed = EI_INIT;
expert_field ei_rule_count = EI_INIT;
expert_field ei_reply_host_differs = EI_INIT;

/* Value strings filled from the library's own names at registration, so wording has one home. */
static value_string vs_hb_kind[5];
static value_string vs_mac_kind[6];
static value_string vs_signature[4];
static value_string vs_conv_state[4];

static void hb_version_fmt(gchar *buf, guint32 v)
{
    char s[16];
    g_snprintf(buf, ITEM_LABEL_LENGTH, "%s (0x%08x)", nlb_hb_version_str(v, s), v);
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

void nlb_register_fields(void)
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
        { &hf_hb_legacy, { "Legacy WLBS/Convoy heartbeat", "nlb.hb.legacy", FT_NONE, BASE_NONE, NULL, 0,
            "Ethertype 0xBF01 (KB Q232711): the body layout is not public, only the common header is shown", HFILL } },
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
        { &hf_flow_predicted, { "Predicted host", "nlb.flow.predicted_host", FT_UINT8, BASE_DEC, NULL, 0,
            "The owner libnlbproto settled on: learned from earlier answers where known, else the heartbeat maps or the emulation (the Windows hash is not public); nlb.flow.predicted_source says which", HFILL } },
        { &hf_flow_source, { "Prediction from", "nlb.flow.prediction_source", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_flow_psource, { "Prediction source", "nlb.flow.predicted_source", FT_STRING, BASE_NONE, NULL, 0,
            "learned, map, emulated, default host, single host or dropped", HFILL } },
        { &hf_flow_learned, { "Learned host", "nlb.flow.learned_host", FT_UINT8, BASE_DEC, NULL, 0,
            "Host that answered earlier flows of the same affinity key in this capture (evidence, not the emulation)", HFILL } },
        { &hf_flow_emulated, { "Emulated host", "nlb.flow.emulated_host", FT_UINT8, BASE_DEC, NULL, 0,
            "Owner by the heartbeat maps or the emulation alone (the Windows hash is not public)", HFILL } },
        { &hf_flow_vip6, { "VIP", "nlb.flow.vip", FT_IPv6, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_flow_verdict, { "Verdict", "nlb.flow.verdict", FT_STRING, BASE_NONE, NULL, 0,
            "TCP connection to the VIP: answered, unanswered (no reply within the answer timeout) or pending (not judged yet: final with tshark -2 and in the GUI)", HFILL } },
        /* capture-wide facts */
        { &hf_diag, { "Diagnosis", "nlb.diag", FT_STRING, BASE_NONE, NULL, 0,
            "A libnlbproto diagnostic (NLB-0nn code), shown on its first frame", HFILL } },
        { &hf_diag_severity, { "Severity", "nlb.diag.severity", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_diag_message, { "Details", "nlb.diag.message", FT_STRING, BASE_NONE, NULL, 0,
            "What happened, with counts, and what to check (the sentence nlbreplay prints)", HFILL } },
        { &hf_diag_vip, { "Cluster", "nlb.diag.vip", FT_IPv4, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_diag_hosts, { "Hosts", "nlb.diag.hosts", FT_STRING, BASE_NONE, NULL, 0, "Host priorities concerned", HFILL } },
        { &hf_diag_duration, { "Duration (s)", "nlb.diag.duration", FT_DOUBLE, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_burst, { "Failover burst", "nlb.burst", FT_UINT32, BASE_DEC, NULL, 0,
            "This announcement belongs to a failover burst (value: distinct MACs announced in it)", HFILL } },
        { &hf_burst_unannounced, { "Not announced", "nlb.burst.unannounced", FT_STRING, BASE_NONE, NULL, 0,
            "NLB hosts the burst did not announce", HFILL } },
        { &hf_conv, { "Convergence", "nlb.conv", FT_STRING, BASE_NONE, NULL, 0,
            "The cluster was converging at this frame (value: what started it)", HFILL } },
        { &hf_flow_observed, { "Observed host", "nlb.flow.observed_host", FT_UINT8, BASE_DEC, NULL, 0,
            "Host that sent this reply (masked source MAC or heartbeat NIC MAC)", HFILL } },
    };
    static gint *ett[] = { &ett_nlb, &ett_hb_team, &ett_hb_rule, &ett_hb_tlv, &ett_ann, &ett_mac, &ett_flow,
                           &ett_diag, &ett_burst };
    static ei_register_info ei[] = {
        { &ei_snaplen_cut, { "nlb.expert.snaplen_cut", PI_UNDECODED, PI_NOTE,
            "Heartbeat cut by the snaplen: fields past the captured bytes unknown", EXPFILL } },
        { &ei_unknown_signature, { "nlb.expert.unknown_signature", PI_PROTOCOL, PI_WARN, "Unknown NLB signature", EXPFILL } },
        { &ei_malformed, { "nlb.expert.malformed", PI_MALFORMED, PI_ERROR, "Malformed heartbeat", EXPFILL } },
        { &ei_rule_count, { "nlb.expert.rule_count", PI_MALFORMED, PI_ERROR, "Rule count exceeds 33", EXPFILL } },
        { &ei_reply_host_differs, { "nlb.expert.reply_host_differs", PI_PROTOCOL, PI_NOTE,
            "Observed host differs from the emulated prediction", EXPFILL } },
    };

    proto_register_field_array(proto_nlb, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_nlb);
    expert_register_field_array(em, ei, array_length(ei));
    nlb_register_diag_experts(em);
}
