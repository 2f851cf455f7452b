/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbgen's shared state: the scenario options, the cluster and flow model, the event heap and
 * the ground truth collected while frames are emitted. One generator run is single-threaded and
 * owns one gen; the files split it by concept (main: options, sched: time and output, cluster:
 * hosts and flows, scenarios: presets and timelines, truth: expected.json). */
#ifndef NLBGEN_GEN_H
#define NLBGEN_GEN_H


#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "nlbproto/nlbproto.h"

#ifndef NLBGEN_VERSION
#define NLBGEN_VERSION "0.1.0"
#endif

#define SEC 1000000LL
#define MS 1000LL
/* 2026-03-14 05:42:00 UTC: a fixed epoch keeps outputs stable. */
#define EPOCH_S 1773466920LL
#define MAXH NLB_MAX_PRIORITY
#define FRAME_CAP 2048
#define MAX_EVENTS 256

/* splitmix64: tiny, fast and fully specified, so output is identical across libcs. */
typedef struct rng { uint64_t s; } rng;

/* ---------------------------------------------------------------- scenarios and options */

typedef enum sc_kind {
    SC_HEALTHY, SC_INCIDENT, SC_MULTICAST, SC_IGMP, SC_MISCONFIG, SC_LOOKALIKE, SC_BENCH,
    SC_MULTIPOINT   /* one run seen from several capture points (points.c) */
} sc_kind;

/* What the capture point lets through, applied to the built frame as a capture filter would:
 * the generator's model runs unchanged (same PRNG draws), only what reaches the file differs. */
typedef struct capture_pt {
    unsigned snaplen;          /* bytes kept per frame; 0 = whole frames (65535) */
    bool only_vip;             /* as `ip host VIP`: IPv4 frames from or to the VIP only */
    bool no_heartbeats;        /* as `not ether proto 0x886f` */
    double lose_at;            /* seconds; from then on no frame of the cluster's hosts or to the cluster MAC; 0 = never */
    double win_start, win_end; /* seconds; keep frames in [start, end); end 0 = no window */
    double offset;             /* seconds added to every timestamp (the point's clock error) */
    double ov_start, ov_end;   /* truth only: count the frames in [start, end) (the overlap of two windows) */
} capture_pt;

/* Scenario variants a preset switches on (flags). */
enum {
    PF_MALFORMED_HB = 1u << 0, /* one heartbeat of host 2 announces 200 rules */
    PF_DUP_PRIO = 1u << 1,     /* host 3 of 4 claims priority 2 (different dedicated IP) */
    PF_BACKGROUND = 1u << 2,   /* east-west traffic of other servers, unrelated to NLB */
    PF_LEGACY = 1u << 3,       /* host 3 also sends 0xBF01 heartbeats from +8 s; LQSR and Xbox on 0x886F */
    PF_REMOTE_PING = 1u << 4,  /* remote control to the VIP from inside and outside; a ping answered by hosts 1, 2 */
    PF_CONTINUITY = 1u << 5    /* convergence at +20 s: a few flows answered by a second host (continuity.c) */
};

/* Options a preset fixes: giving one is an error that says why (opt bits). */
enum {
    OPT_MODE = 1u << 0, OPT_VIP = 1u << 1, OPT_HOSTS = 1u << 2, OPT_RULES = 1u << 3,
    OPT_FLOWS = 1u << 4, OPT_AFFINITY = 1u << 5, OPT_DURATION = 1u << 6, OPT_CAPTURE = 1u << 7
};

typedef struct preset {
    const char *name;
    sc_kind kind;
    nlb_mode mode;
    const char *vip;
    unsigned hosts, rules, flows;
    double duration;
    const char *desc;
    unsigned flags;            /* PF_* */
    capture_pt cap;            /* the capture point's defaults */
    unsigned fixed;            /* OPT_* the preset does not take */
    const char *why_fixed;     /* said when one of them is given */
} preset;

#define MAX_POINTS 8

/* One capture point of a multi-point run: the mirror of one switch port (an NLB host's port, or
 * a port without NLB host), written to its own file with its own clock error. */
typedef struct gpoint {
    char label[16];
    unsigned host;             /* host slot (1-based) on this port; 0 = no NLB host */
    double offset;             /* seconds added to every timestamp */
    char path[512];
    pcap_t *pd;
    pcap_dumper_t *dump;
    FILE *fp;
    /* truth: what reached the point */
    uint64_t frames, to_vip_before, to_vip_after, syn_after, heartbeats;
} gpoint;

typedef struct opts {
    const preset *p;
    nlb_mode mode;
    uint32_t vip;
    unsigned hosts, rules, flows;
    nlb_affinity affinity;
    uint64_t seed;
    unsigned clients;          /* client addresses the flows come from; 0 = any of 508 */
    uint32_t hash_seed;        /* seed of the emulated hash the answering hosts use (analysis assumes 0) */
    nlb_usec duration;
    unsigned flags;
    capture_pt cap;
    const char *out, *expected;
    unsigned n_offsets;        /* --point-offset LABEL=S given */
    char off_label[MAX_POINTS][16];
    double off_value[MAX_POINTS];
} opts;

/* ---------------------------------------------------------------- generator state */

typedef struct ghost {
    uint8_t prio;             /* claimed priority (misconfig: two hosts claim 2) */
    uint8_t slot;             /* 1-based identity inside the generator, key into the bin maps */
    uint32_t dip;
    uint8_t nic[6];           /* own NIC MAC (multicast/IGMP modes) */
    uint8_t src[6];           /* what it sends from: masked MAC (unicast) or NIC MAC */
    uint32_t host_code;
    uint16_t default_id;      /* claimed default host id, 0-based */
    unsigned n_user_rules;
    uint32_t codes[NLB_MAX_RULES];
    uint64_t set_bits[NLB_MAX_RULES], clr_bits[NLB_MAX_RULES]; /* injected map faults */
    char name[32];
    bool joining;             /* rejoining: owns nothing until convergence ends */
    uint32_t packets;
    /* ground truth as emitted */
    uint64_t hb, hb_ext, replies;
    nlb_usec first, last, max_gap, max_gap_at;
    uint8_t last_bins[NLB_MAX_RULES];
} ghost;

typedef struct gflow {
    uint8_t proto;            /* 6 or 17 */
    uint8_t owner;            /* slot of the answering host, 0 = nobody answers */
    uint8_t step, steps;
    uint32_t cip;
    uint16_t cport, vport;
    uint32_t cseq, sseq;
    uint16_t req, resp;
    nlb_usec rtt;
    int next_free;
    /* continuity.c: the first reply as written, and the twist (kind + 1, 0 = none) */
    uint64_t first_frame;
    nlb_usec first_t;
    uint8_t twist, ct;
    bool ct_pending;
} gflow;

/* A flow continuity.c twisted: what a correct analysis must report about it. */
enum { CT_TCP = 0, CT_RST, CT_UDP, CT_KINDS };
#define CT_MAX 16
typedef struct ct_truth {
    uint8_t kind, from, to;
    uint32_t cip;
    uint16_t cport, vport;
    uint64_t frame_from, frame_to;
    nlb_usec t_from, t_to;
} ct_truth;

enum agent_kind { A_HB, A_EXT, A_IGMP, A_SPAWN, A_FLOW, A_ONESHOT, A_BG };

typedef struct agent {
    nlb_usec t;
    uint64_t seq;             /* tie-break: equal times pop in insertion order (deterministic) */
    uint32_t kind, idx;
} agent;

enum oneshot_kind {
    O_PHASE, O_ARP_VIP, O_RARP, O_GARP, O_CLUSTER_SRC, O_SSDP, O_IGMP_JOIN, O_XBOX,
    O_DOCKER, O_LABROUTER, O_RARP_ZERO, O_ROUTER_GARP,
    O_EXPERT, /* expert.c's one-shots: arg = expert kind << 8 | argument */
    O_CONTINUITY /* continuity.c: arg 1 = convergence starts, 0 = ends */
};

typedef struct oneshot { uint32_t kind, arg; } oneshot;

typedef struct gevent {
    nlb_usec t;
    const char *kind;
    char detail[160];
} gevent;

/* start: first heartbeat with conv_state 3; last: the episode's last such heartbeat; end: the
 * first heartbeat after it with conv_state 1 (0 = the capture ended first). */
typedef struct conv_ep { nlb_usec start, last, end; } conv_ep;

typedef struct gen {
    opts o;
    rng r;
    pcap_t *pd;
    pcap_dumper_t *dump;
    FILE *fp;
    nlb_usec t0, end;
    uint8_t buf[FRAME_CAP];
    uint8_t cluster_mac[6], gw_mac[6];
    uint32_t gw_ip;
    /* cluster */
    unsigned nh;
    ghost h[MAXH];
    nlb_model model;
    nlb_binmap maps0[NLB_MAX_RULES], maps1[NLB_MAX_RULES], maps2[NLB_MAX_RULES];
    nlb_binmap *cur, *next;
    bool converging;
    /* incident timeline */
    nlb_usec fail_t;
    /* flows */
    gflow *flows;
    int n_flow_slots, free_flow;
    unsigned spawned, answered, unanswered;
    unsigned tcp_flows, udp_flows;
    nlb_usec first_unanswered;
    /* heap */
    agent *heap;
    size_t heap_n, heap_cap;
    uint64_t seq;
    oneshot *shots;
    unsigned n_shots, cap_shots;
    /* truth */
    uint64_t frames, bytes, heartbeats, heartbeats_ext, foreign, garp, rarp, cluster_src, igmp;
    gevent ev[MAX_EVENTS];
    unsigned n_ev;
    conv_ep conv[8];
    unsigned n_conv;
    bool conv_open;
    uint32_t bins_twice_rule, bins_twice_bin, bins_nobody_bin, mismatch_slot;
    /* what the capture point did: frames it dropped, frames both overlap windows hold */
    uint64_t dropped, truncated, overlap_frames, malformed_hb;
    nlb_usec malformed_at, last_cluster_frame;
    uint8_t malformed_prio;
    /* multi-point runs (points.c): the points and the switch's MAC table */
    unsigned n_pts;
    gpoint pts[MAX_POINTS];
    unsigned n_cam;
    uint64_t cam_mac[256];
    int cam_port[256];
    nlb_usec learn_t;          /* when the switch learned the cluster MAC (0 = never) */
    int learn_port;            /* on which port */
    uint64_t learn_frame;      /* frame number of the learning frame in that port's capture */
    uint64_t syn_after;        /* client SYNs to the VIP sent after learn_t (every copy the switch got) */
    uint64_t to_vip_after;     /* client frames to the VIP sent after learn_t */
    /* expert.c: what its scenarios emitted */
    uint64_t legacy_hb;
    nlb_usec legacy_first;
    uint32_t legacy_hosts;
    unsigned x_vip_flows;      /* VIP flows of expert.c's frames (remote control datagrams) */
    nlb_usec rc_out_first, ping_first;
    unsigned pings;
    /* continuity.c */
    unsigned n_ct[CT_KINDS], n_ctx;
    ct_truth ctx[CT_MAX];
} gen;

extern const uint8_t BCAST[6];

/* sched.c: randomness, errors, the event heap, output */
uint64_t rnd64(rng *r);
/* Uniform in [0, n); the modulo bias is irrelevant at these sizes and keeps it reproducible. */
uint64_t rnd_below(rng *r, uint64_t n);
int64_t rnd_range(rng *r, int64_t lo, int64_t hi);
_Noreturn void die(int code, const char *fmt, ...);
void *xcalloc(size_t n, size_t sz);
void push(gen *g, nlb_usec t, uint32_t kind, uint32_t idx);
void shot(gen *g, nlb_usec t, uint32_t kind, uint32_t arg);
/* Write one frame through the capture point; false when the point did not see it (truth
 * counters are for frames in the capture, so callers count only on true). */
bool emit(gen *g, nlb_usec t, size_t len);
void add_event(gen *g, nlb_usec t, const char *kind, const char *fmt, ...);
void run(gen *g);

/* cluster.c: the cluster model, the frames hosts send, client flows */
uint32_t rule_code(uint16_t start, uint16_t end);
void build_cluster(gen *g);
void inject_misconfig(gen *g);
/* Host idx (0-based) claims priority prio (and, in unicast mode, the masked MAC that goes with it). */
void claim_priority(gen *g, unsigned idx, uint8_t prio);
void send_heartbeat(gen *g, ghost *h, nlb_usec t);
void send_extended(gen *g, ghost *h, nlb_usec t);
void send_arp(gen *g, nlb_usec t, const uint8_t dst[6], const uint8_t src[6], uint16_t op,
              const uint8_t sha[6], uint32_t spa, const uint8_t tha[6], uint32_t tpa, bool rarp);
void arp_for_vip(gen *g, nlb_usec t);
void spawn_flow(gen *g, nlb_usec t, bool unanswered);
/* One step of a client flow; returns the delay to its next step, or -1 when it is done. */
nlb_usec flow_step(gen *g, gflow *f, nlb_usec t);

/* scenarios.c: presets and their timelines */
const preset *preset_find(const char *name);
void preset_list(FILE *f);
/* Refuse option combinations a preset cannot model (exit 2 with the reason). */
void preset_check(opts *o);
/* Seed, addresses and the cluster for the chosen options. */
void gen_init(gen *g);
void schedule(gen *g);
void do_oneshot(gen *g, const oneshot *s, nlb_usec t);

/* points.c: multi-point runs (a switch with a MAC table, one pcap per port mirrored) */
bool points_enabled(const gen *g);
void points_open(gen *g);
void points_close(gen *g);
/* The frame in g->buf, as the switch forwards it: written to every point that sees it; false
 * when none did. */
bool points_emit(gen *g, nlb_usec t, size_t len);
void points_truth(gen *g, FILE *f);
/* expert.c: the scenarios of the field-expert diagnoses (flags PF_LEGACY ...) */
void expert_schedule(gen *g);
void expert_oneshot(gen *g, uint32_t arg, nlb_usec t);
/* One expected diagnostic of those scenarios (truth.c writes them). */
typedef struct jdiag { int code; const char *severity; nlb_usec t; char detail[200]; } jdiag;
/* Append the diagnostics the expert scenarios make certain; returns the new count (<= cap). */
unsigned expert_truth(const gen *g, jdiag *d, unsigned nd, unsigned cap);

/* continuity.c: the continuity scenario (PF_CONTINUITY) */
void cont_schedule(gen *g);
void cont_oneshot(gen *g, uint32_t arg, nlb_usec t);
ghost *cont_replier(gen *g, gflow *f, ghost *h, unsigned reply, bool *rst);
void cont_sent(gen *g, gflow *f, unsigned reply, nlb_usec t, bool seen);
void cont_truth(const gen *g, FILE *f);
unsigned cont_diag_truth(const gen *g, jdiag *d, unsigned nd, unsigned cap);

/* truth.c: expected.json */
void write_expected(gen *g, FILE *f);

#endif
