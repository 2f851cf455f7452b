/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin's field, subtree and expert ids (registered in nlb-fields.c). */
#ifndef NLB_FIELDS_H
#define NLB_FIELDS_H

#include <epan/expert.h>

/* heartbeat */
extern int hf_hb_signature, hf_hb_kind, hf_hb_version;
extern int hf_hb_priority, hf_hb_cluster_ip, hf_hb_dedicated_ip;
extern int hf_hb_my_host_id, hf_hb_default_host_id, hf_hb_conv_state;
extern int hf_hb_rules, hf_hb_host_code, hf_hb_packets;
extern int hf_hb_teaming, hf_hb_team_active, hf_hb_team_master;
extern int hf_hb_team_reverse, hf_hb_team_participants, hf_hb_team_xor;
extern int hf_hb_reserved;
extern int hf_hb_rule, hf_hb_rule_index, hf_hb_rule_code;
extern int hf_hb_rule_start, hf_hb_rule_end, hf_hb_rule_weight;
extern int hf_hb_map_cur, hf_hb_map_new, hf_hb_map_idle, hf_hb_map_ready;
extern int hf_hb_bins_owned, hf_hb_bins_list;
extern int hf_hb_tlv, hf_hb_tlv_type, hf_hb_tlv_length;
extern int hf_hb_host_name, hf_hb_address4, hf_hb_address6;
extern int hf_hb_truncated, hf_hb_gap, hf_hb_legacy;
/* annotations */
extern int hf_mac_src, hf_mac_dst;
extern int hf_mac_kind, hf_mac_vip, hf_mac_priority, hf_mac_confirmed;
extern int hf_garp, hf_rarp, hf_announced_host;
extern int hf_flow, hf_flow_vip, hf_flow_bin, hf_flow_rule;
extern int hf_flow_predicted, hf_flow_observed, hf_flow_source;
extern int hf_flow_vip6, hf_flow_verdict;
extern int hf_flow_psource, hf_flow_learned, hf_flow_emulated;
/* capture-wide facts */
extern int hf_diag, hf_diag_severity, hf_diag_message, hf_diag_vip, hf_diag_hosts, hf_diag_duration;
extern int hf_burst, hf_burst_unannounced, hf_conv;

extern gint ett_nlb, ett_hb_team, ett_hb_rule, ett_hb_tlv;
extern gint ett_ann, ett_mac, ett_flow, ett_diag, ett_burst;

extern expert_field ei_snaplen_cut;
extern expert_field ei_unknown_signature;
extern expert_field ei_malformed;
extern expert_field ei_rule_count;
extern expert_field ei_reply_host_differs;

/* nlb-expert.c: one expert info per library diagnostic code and severity */
void nlb_register_diag_experts(expert_module_t *em);

#endif
