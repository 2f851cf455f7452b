/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: the cluster state tracker. The caller feeds timestamped decoded frames
 * (nlb_packet) in time order; the tracker builds clusters, hosts, events and diagnostics.
 * Memory: everything is sized by nlb_tracker_config at nlb_tracker_new() (the one allocation);
 * what does not fit is dropped and counted (counts.flows_evicted, counts.events_dropped). */
#ifndef NLBPROTO_CLUSTER_H
#define NLBPROTO_CLUSTER_H

#include "diag.h"
#include "facts.h"
#include "frame.h"
#include "learn.h"
#include "owner.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NLB_MAX_USER_VIPS 16
#define NLB_MAX_CONVERGENCE 32
/* Largest heartbeat timing the tracker takes (nlbreplay's --period and --tolerance ranges): it
 * clamps a configuration beyond them (0 is refused), so period x tolerance and times offset by it
 * always fit in nlb_usec. */
#define NLB_PERIOD_MS_MAX 3600000u
#define NLB_TOLERANCE_MAX 1000u

typedef struct nlb_tracker nlb_tracker;

typedef struct nlb_tracker_config {
    uint32_t period_ms;        /* AliveMsgPeriod, default 1000 */
    unsigned tolerance;        /* AliveMsgTolerance, default 5 */
    unsigned max_clusters;     /* default 64 */
    size_t max_flows;          /* flow table capacity, default 262144 */
    size_t max_events;         /* default 4096 */
    nlb_usec burst_window;     /* failover burst window, default 1 s */
    unsigned burst_min_macs;   /* distinct announced MACs that make a burst, default 3 */
    nlb_usec answer_timeout;   /* a SYN with no SYN-ACK after this is unanswered, default 3 s */
    unsigned n_vips;
    uint32_t vips[NLB_MAX_USER_VIPS]; /* VIPs known from the user (--vip) */
    nlb_model model;           /* ownership emulation: rules, bins, hash */
    uint8_t without_host;      /* what-if: predict as if this priority left (0 = off) */
    size_t max_learned;        /* client keys and bins learned from answers (learn.h), default 65536, at most 2 x max_flows + 4096; 0 = learn nothing */
} nlb_tracker_config;

typedef enum nlb_mode {
    NLB_MODE_UNKNOWN = 0, NLB_MODE_UNICAST, NLB_MODE_MULTICAST, NLB_MODE_IGMP
} nlb_mode;

/* A host's state as the tracker judges it (nlb_host_info.state). Since 0.2. */
typedef enum nlb_host_state {
    NLB_HOST_OK = 0,           /* heard within the silence limit throughout */
    NLB_HOST_GAP,              /* silent longer than the limit at some point, heard again since */
    NLB_HOST_SILENT,           /* silent longer than the limit now (at the end of the capture) */
    NLB_HOST_UNSEEN,           /* not seen after the capture stopped seeing the cluster: a fact about
                                * the capture point, neither silent nor diagnosed */
    NLB_HOST_UNKNOWN           /* known from traffic alone (no heartbeat): silence cannot be judged */
} nlb_host_state;

typedef struct nlb_host_info {
    uint8_t priority;          /* 1..32 */
    uint32_t dedicated_ip;     /* host order */
    uint8_t mac[6];            /* source MAC of its heartbeats (masked MAC in unicast mode) */
    uint64_t heartbeats;
    uint64_t heartbeats_extended;
    nlb_usec first_seen, last_seen;
    nlb_usec max_gap;          /* longest interval between two of its heartbeats */
    nlb_usec max_gap_at;       /* time the longest gap ended */
    uint16_t num_rules;        /* as on the wire */
    uint32_t host_code;
    uint16_t default_host;     /* claimed default host, as a priority (default host id + 1) */
    uint16_t conv_state;       /* last seen */
    uint32_t rule_codes[NLB_MAX_RULES];
    uint64_t cur_map[NLB_MAX_RULES];
    uint8_t bins_owned[NLB_MAX_RULES]; /* popcount of the last current map per rule */
    bool has_maps;             /* its heartbeats carried current maps (not truncated) */
    bool silent;               /* silent longer than period x tolerance at the end of the capture */
    char host_name[64];        /* from extended heartbeats, UTF-8 */
    /* added for issue 5 */
    uint64_t truncated_heartbeats; /* membership heartbeats whose maps were cut by the snaplen */
    uint32_t dup_dedicated_ip; /* another dedicated IP claiming this priority (0 = none) */
    nlb_usec dup_seen;         /* first time it was seen */
    uint64_t dup_heartbeats;   /* heartbeats of the duplicate (only its maps are used: bin checks) */
    /* Not seen after the capture stopped seeing the cluster (nlb_cluster_info.lost_at): a fact
     * about the capture point, so the host is neither silent nor diagnosed. Since 0.2. */
    bool unseen;
    /* nlb_host_state: unseen, else silent, else gap (max_gap over the cluster's silence_limit),
     * else ok. Writers show it instead of deriving their own. Since 0.2. */
    uint8_t state;
    /* What names the host (NLB_HEV_* bits): a host known from traffic alone has no heartbeats,
     * no dedicated IP (0) and no maps; first/last_seen are then those of its frames. Since 0.2. */
    uint8_t evidence;
    uint64_t evidence_frames;  /* frames other than heartbeats that name it (ARP, replies) */
    uint64_t malformed_heartbeats; /* counted in heartbeats; only fields before the bad one used */
} nlb_host_info;

/* Evidence of a host (nlb_host_info.evidence). */
#define NLB_HEV_HEARTBEAT 0x01u  /* its heartbeats (priority, or the masked source MAC 02-pp-VIP
                                  * when the snaplen cut them before the priority) */
#define NLB_HEV_ARP 0x02u        /* ARP for the VIP sent from its masked MAC 02-pp-VIP */
#define NLB_HEV_REPLIES 0x04u    /* IPv4 from the VIP sent from its masked MAC 02-pp-VIP */

typedef struct nlb_convergence {
    nlb_usec start, end;       /* end == 0: still converging at the end of the capture */
    uint8_t trigger_host;      /* host whose silence or arrival started it; 0 = unknown */
    nlb_usec trigger_gap;      /* silence that triggered it, 0 if joined/unknown */
    uint8_t trigger;           /* nlb_conv_trigger (added for issue 5) */
} nlb_convergence;

/* What started a convergence episode (nlb_convergence.trigger, convergence_start event count). */
typedef enum nlb_conv_trigger {
    NLB_CONV_TRIGGER_UNKNOWN = 0,
    NLB_CONV_TRIGGER_SILENCE,  /* a host silent longer than period x tolerance */
    NLB_CONV_TRIGGER_JOIN,     /* a host appeared or came back after the cluster was established */
    NLB_CONV_TRIGGER_STATE,    /* a heartbeat carried convergence state 3 (guess) */
    NLB_CONV_TRIGGER_FAST,     /* heartbeats at about half the period */
    NLB_CONV_TRIGGER_MAP       /* a host's current bin map changed */
} nlb_conv_trigger;

/* Evidence a cluster was first found by (cluster_found event count, nlb_cluster_info.found_by). */
typedef enum nlb_found_by {
    NLB_FOUND_BY_HEARTBEAT = 1, NLB_FOUND_BY_ARP = 2, NLB_FOUND_BY_CONFIG = 3,
    NLB_FOUND_BY_TRAFFIC = 4   /* since 0.2: IPv4 to the VIP sent to the cluster MAC that embeds
                                * exactly it (02-BF/03-BF-VIP, 01-00-5E-7F-v3-v4), or from the VIP
                                * sent from a masked MAC 02-pp-VIP */
} nlb_found_by;

/* Why the capture stopped seeing a cluster (nlb_cluster_info.lost_by, capture_lost event count). */
typedef enum nlb_lost_by {
    NLB_LOST_NONE = 0,
    NLB_LOST_TOGETHER,         /* every live host's heartbeats ended within one period and a quarter */
    NLB_LOST_INPUT_END         /* an input ended (nlb_tracker_input_end) with the hosts' heartbeats */
} nlb_lost_by;

typedef struct nlb_cluster_info {
    uint32_t vip;              /* host order */
    nlb_mode mode;
    uint8_t cluster_mac[6];
    bool from_heartbeats;      /* evidence: heartbeats named this VIP */
    unsigned n_hosts;
    nlb_host_info hosts[NLB_MAX_PRIORITY]; /* sorted by priority */
    unsigned n_convergence;
    nlb_convergence convergence[NLB_MAX_CONVERGENCE];
    uint64_t frames_to_cluster_mac;
    uint64_t igmp_reports;
    /* added for issue 5 */
    uint8_t found_by;          /* nlb_found_by */
    nlb_usec first_seen, last_seen; /* first and last heartbeat or cluster-MAC ARP naming it */
    uint64_t cluster_mac_as_source; /* frames with source 02-BF-VIP */
    uint64_t mcast_arp;        /* ARP replies mapping the VIP to a multicast MAC */
    uint64_t vip_flows;        /* flows to this VIP */
    /* The capture point stopped seeing the cluster: time of the last heartbeat it saw from the
     * hosts it lost (0 = never), why (nlb_lost_by), and those hosts (bit p-1 = priority p; they
     * are unseen until heard again). Since 0.2. */
    nlb_usec lost_at;
    uint8_t lost_by;
    uint32_t lost_hosts;
    /* A host silent longer than this (AliveMsgPeriod x AliveMsgTolerance) is silent. Since 0.2. */
    nlb_usec silence_limit;
} nlb_cluster_info;

typedef enum nlb_event_kind {
    NLB_EV_CLUSTER_FOUND = 1,
    NLB_EV_HOST_JOINED,
    NLB_EV_HOST_SILENT,
    NLB_EV_HOST_BACK,
    NLB_EV_CONVERGENCE_START,
    NLB_EV_CONVERGENCE_END,
    NLB_EV_FAILOVER_BURST,
    NLB_EV_CLUSTER_MAC_AS_SOURCE,
    NLB_EV_VIP_UNANSWERED,
    NLB_EV_MAP_CHANGED,
    NLB_EV_CAPTURE_LOST,       /* since 0.2: the capture point stopped seeing hosts of a cluster */
    NLB_EV_KIND_COUNT_
} nlb_event_kind;

/* One timeline event; fields beyond time/kind/vip are meaningful per kind (see nlb_event_format). */
typedef struct nlb_event {
    nlb_usec time;
    nlb_event_kind kind;
    uint32_t vip;
    uint8_t host;              /* priority, 0 = none */
    uint32_t count;            /* e.g. MACs in a burst, unanswered flows */
    uint32_t hosts_mask;       /* bit p-1: host p (e.g. NLB hosts NOT announced in a burst) */
    nlb_usec duration;         /* e.g. the gap of a silent host */
    uint16_t port;
    uint8_t mac[6];
    /* Stable id (1-based, never reused) and generations: gen_added when the tracker opened it,
     * gen when it last updated it (nlb_tracker_changes). Since 0.2. */
    uint32_t id;
    uint64_t gen_added, gen;
} nlb_event;

/* What became of a VIP connection attempt (nlb_flow_info.verdict). Since 0.2. */
typedef enum nlb_flow_verdict {
    NLB_FLOW_NO_SYN = 0,       /* no TCP SYN from the client seen: nothing to judge (UDP, mid-stream) */
    NLB_FLOW_PENDING,          /* a SYN, and the answer timeout is not over yet */
    NLB_FLOW_ANSWERED,         /* a reply from the VIP within the answer timeout of the first SYN */
    NLB_FLOW_UNANSWERED        /* no reply within the answer timeout: what NLB-002 counts */
} nlb_flow_verdict;

typedef struct nlb_flow_info {
    uint8_t proto;             /* 6 TCP, 17 UDP */
    nlb_ipaddr client, vip;
    uint16_t cport, vport;
    nlb_usec first_seen, last_seen;
    int rule;                  /* index in the model, -1 = default host */
    uint8_t bin;
    uint8_t predicted_host;    /* 0 = unknown */
    uint8_t observed_host;     /* 0 = no reply seen */
    bool answered;             /* any reply from the VIP, however late */
    uint8_t verdict;           /* nlb_flow_verdict; since 0.2 */
    uint32_t syns;             /* SYNs seen from the client (>1: retransmissions) */
    uint64_t frames;
    /* the prediction's evidence, when the flow was first seen */
    uint8_t predicted_source;  /* nlb_pred_source of predicted_host */
    uint8_t learned_host;      /* owner learned from earlier answers (learn.h), 0 = none known */
    uint8_t emulated_host;     /* what the maps, the emulation or the rule said, before learning */
    uint8_t learned_affinity;  /* nlb_affinity the learned owner was looked up with */
} nlb_flow_info;

typedef struct nlb_counts {
    uint64_t frames, heartbeats, heartbeats_extended, foreign_886f, garp, rarp;
    uint64_t cluster_mac_as_source, vip_flows, truncated, malformed;
    uint64_t flows_evicted, events_dropped, diags_dropped;
    /* added for issue 8 */
    uint64_t clusters_dropped; /* distinct VIPs refused because max_clusters was reached, each counted once
                                  * (exact up to 12288 of them, a lower bound beyond) */
    uint64_t foreign_xbox, foreign_lqsr; /* of foreign_886f: the ones named (nlb_foreign_kind) */
    uint64_t legacy_heartbeats; /* 0xBF01 frames with an NLB signature (WLBS/Convoy) */
    uint64_t heartbeats_malformed; /* since 0.2: membership heartbeats with a bad field, counted in heartbeats */
} nlb_counts;

typedef struct nlb_ownership_summary {
    uint64_t flows, with_observed, agree;
    double agreement;          /* agree / with_prediction, 1.0 when no flow has both owners */
    double calibration_consistency;
    uint64_t with_prediction;  /* since 0.2: flows with an observed and a predicted owner (the
                                * ones agreement is measured on; no prediction, no claim) */
} nlb_ownership_summary;

/* One host's configuration as its heartbeats state it (input of nlb_config_compare). */
typedef struct nlb_host_config {
    uint8_t priority;          /* 1..32 */
    uint16_t num_rules;        /* rule slots as on the wire */
    uint8_t codes_present;     /* rule codes captured: codes[0 .. codes_present-1] */
    const uint32_t *codes;     /* rule codes by slot; NULL = none captured */
    uint16_t default_host;     /* claimed default host as a priority (default host id + 1); outside 1..32 = no claim */
} nlb_host_config;

/* Disagreement on port rules (NLB-007) and on the default host (NLB-008), in the fields diag.c
 * reads. Host codes are never compared: they differ per host by design. */
typedef struct nlb_config_diff {
    uint32_t rules_mask;       /* NLB-007 hosts_mask: the reference and the hosts differing from it (count first); 0 = agree */
    uint32_t rules_n1, rules_n2; /* rule counts of the reference and the first host differing in count, else their codes */
    uint32_t rules_n3;         /* 0 for a count mismatch, else the 1-based slot of the first differing code */
    uint32_t default_mask;     /* every host named as default host (bit p-1 = priority p): NLB-008 hosts_mask */
    uint32_t claimers;         /* hosts naming one: NLB-008 n1 */
    bool multi_default;        /* NLB-008: more than one host is named */
} nlb_config_diff;

/* Compare hosts[1..n-1] with hosts[0] (the reference, the highest-priority host) on rule count and codes, and collect default-host claims; true when NLB-007 or NLB-008 applies. */
bool nlb_config_compare(const nlb_host_config *hosts, size_t n, nlb_config_diff *out);
/* Fill *cfg with the documented defaults. */
void nlb_tracker_config_default(nlb_tracker_config *cfg);
/* Create a tracker; the only allocation of its life. NULL on bad config or no memory. */
nlb_tracker *nlb_tracker_new(const nlb_tracker_config *cfg);
/* Free a tracker (NULL is fine). */
void nlb_tracker_free(nlb_tracker *t);
/* Feed one decoded frame captured at ts (non-decreasing). */
void nlb_tracker_feed(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts);
/* One of several merged inputs ended; last is the time of its last frame. Frames fed after it
 * come from fewer capture points: hosts whose heartbeats ended with it are unseen, not silent.
 * At most NLB_MAX_INPUT_ENDS are kept (later ones are ignored). Since 0.2. */
#define NLB_MAX_INPUT_ENDS 16
void nlb_tracker_input_end(nlb_tracker *t, nlb_usec last);
/* Advance the clock without a frame (live mode: detects silence while the wire is quiet). */
void nlb_tracker_tick(nlb_tracker *t, nlb_usec now);
/* End of input: close open episodes, judge unanswered flows and derive the diagnostics. */
void nlb_tracker_finish(nlb_tracker *t);
/* Frame counters. */
const nlb_counts *nlb_tracker_counts(const nlb_tracker *t);
/* Number of clusters found. */
size_t nlb_tracker_cluster_count(const nlb_tracker *t);
/* Cluster i (0-based, in order of discovery), NULL when out of range. */
const nlb_cluster_info *nlb_tracker_cluster(const nlb_tracker *t, size_t i);
/* Cluster by VIP, NULL if unknown. */
const nlb_cluster_info *nlb_tracker_find_cluster(const nlb_tracker *t, uint32_t vip);
/* Number of events recorded. */
size_t nlb_tracker_event_count(const nlb_tracker *t);
/* Event i in time order. */
const nlb_event *nlb_tracker_event(const nlb_tracker *t, size_t i);
/* Derive the diagnostics from the state so far, without closing open episodes (live mode:
 * call it now and then; nlb_tracker_finish calls it too). Added for issue 5. */
void nlb_tracker_diagnose(nlb_tracker *t);
/* Number of diagnostics (complete after nlb_tracker_finish; live ones appear as they arise). */
size_t nlb_tracker_diag_count(const nlb_tracker *t);
/* Diagnostic i in time order. */
const nlb_diag *nlb_tracker_diag(const nlb_tracker *t, size_t i);
/* Number of VIP flows in the table. */
size_t nlb_tracker_flow_count(const nlb_tracker *t);
/* Flow i in order of first appearance. Its last_seen and frames are those at the time of the
 * call (the tracker keeps them elsewhere while feeding): after feeding more frames, call again
 * rather than re-reading an earlier pointer. */
const nlb_flow_info *nlb_tracker_flow(const nlb_tracker *t, size_t i);
/* Predicted vs observed owner summary. */
nlb_ownership_summary nlb_tracker_ownership(const nlb_tracker *t);
/* What-if: number of flows whose owner changes if host prio leaves (join = false) or joins (join = true).
 * On a leave, a flow whose owner the answers showed (observed, else learned) moves exactly when
 * that owner is prio; other flows follow the maps and the emulation. */
size_t nlb_tracker_whatif(const nlb_tracker *t, uint8_t prio, bool join);
/* The same, and *by_evidence (may be NULL) = how many of the moving flows were judged from answers. */
size_t nlb_tracker_whatif_split(const nlb_tracker *t, uint8_t prio, bool join, size_t *by_evidence);
/* Calibration learned from observed answers for cluster i and map slot (the model's rule index,
 * or the wire slot when no rule is configured); NULL when out of range. Added for issue 5. */
const nlb_calib *nlb_tracker_calib(const nlb_tracker *t, size_t cluster, unsigned slot);
/* Owners learned from answers: the scope of cluster i and map slot (as nlb_tracker_calib); NULL when out of range. */
const nlb_learn_scope *nlb_tracker_learn_scope(const nlb_tracker *t, size_t cluster, unsigned slot);
/* The affinity the answers of cluster i and map slot support (nlb_learn_detect against the
 * model's affinity for that slot); false when out of range or nothing was answered there. */
bool nlb_tracker_affinity_verdict(const nlb_tracker *t, size_t cluster, unsigned slot, nlb_aff_verdict *out);
/* Learned-ownership figures over the flows in the table. */
typedef struct nlb_learn_summary {
    uint64_t by_source[NLB_PRED_LEARNED + 1]; /* flows by predicted_source */
    uint64_t answered;         /* flows with an observed owner */
    uint64_t learned_checked, learned_agree;   /* of those: predicted from learned owners, and right */
    uint64_t emulated_checked, emulated_agree; /* of those: the maps/emulation's owner (emulated_host), and right */
    uint64_t unanswered_learned; /* unanswered flows with a learned owner: "who should have answered" */
    uint64_t table_keys, table_refused;
} nlb_learn_summary;
nlb_learn_summary nlb_tracker_learned(const nlb_tracker *t);
/* The model in use (rules, bins, hash name). */
const nlb_model *nlb_tracker_model(const nlb_tracker *t);
/* Stable name of a host state ("ok", "gap", "silent", "unseen"). Since 0.2. */
const char *nlb_host_state_name(nlb_host_state s);
/* Stable name of a flow verdict ("none", "pending", "answered", "unanswered"). Since 0.2. */
const char *nlb_flow_verdict_name(nlb_flow_verdict v);
/* What changed after a generation (nlb_tracker_changes). Since 0.2. */
typedef enum nlb_change_what { NLB_CHANGE_EVENT = 1, NLB_CHANGE_DIAG = 2 } nlb_change_what;
#define NLB_CHANGED_NEW 1u       /* opened after the generation */
#define NLB_CHANGED_SEVERITY 2u  /* a diagnostic whose severity changed after it */
#define NLB_CHANGED_DETAIL 4u    /* other fields (counts, duration, hosts) changed after it */
typedef struct nlb_change {
    uint8_t what;              /* nlb_change_what */
    uint8_t how;               /* NLB_CHANGED_* bits */
    uint32_t id;               /* the record's id */
    const nlb_event *event;    /* NLB_CHANGE_EVENT; valid until the next feed, tick or diagnose */
    const nlb_diag *diag;      /* NLB_CHANGE_DIAG; likewise */
} nlb_change;
/* The events (in time order), then the diagnostics (in their order), opened or updated after
 * generation since, into out[0 .. cap); returns how many there are (more than cap: call again
 * with a larger buffer). *gen (may be NULL) receives the current generation: pass it as since
 * next time. Diagnostics keep their id across nlb_tracker_diagnose calls while their code,
 * cluster and time stay. No allocation. Since 0.2. */
size_t nlb_tracker_changes(const nlb_tracker *t, uint64_t since, nlb_change *out, size_t cap, uint64_t *gen);
/* The event with that id, NULL when none. Since 0.2. */
const nlb_event *nlb_tracker_event_by_id(const nlb_tracker *t, uint32_t id);
/* The flow with that id (nlb_frame_facts.flow_id), NULL when evicted or unknown. Since 0.2. */
const nlb_flow_info *nlb_tracker_flow_by_id(const nlb_tracker *t, uint32_t id);
/* nlb_tracker_feed, and what the frame did into *facts (facts.h). Since 0.2. */
void nlb_tracker_feed_facts(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts, nlb_frame_facts *facts);
/* Name of a mode ("unicast", "multicast", "igmp", "unknown"). */
const char *nlb_mode_name(nlb_mode m);
/* Stable key of an event kind ("failover_burst", "host_silent", ...). */
const char *nlb_event_kind_key(nlb_event_kind k);
/* One-line plain-language detail of an event into buf; returns strlen. */
size_t nlb_event_format(const nlb_event *ev, char *buf, size_t len);
/* What started a convergence episode, in the words nlb_event_format uses inside a convergence_start
 * event's parentheses ("host 3 silent 5.0 s", "host 2 joined", ...) into buf; returns strlen.
 * Added for issue 8. */
size_t nlb_conv_trigger_format(const nlb_convergence *c, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
