/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cluster tracker's internal header (protocol doc sections 1-5): its state, the hot lookups
 * (static inline: the per-frame path must keep them inlined) and the functions its modules share.
 * One allocation at nlb_tracker_new, sized by
 * the config; nlb_tracker_feed is O(1) amortised: every lookup is an open-addressing table,
 * time-driven checks run once per quarter period of capture time (and per heartbeat for its
 * own cluster, at most 32 hosts).
 *
 * Rules chosen here (thresholds are part of the output's meaning; keep in sync with the docs):
 * - A cluster exists only on evidence that names its VIP: a heartbeat's cluster IP (or, cut
 *   before it, its masked source MAC 02-pp-VIP), an ARP reply or gratuitous ARP whose sender
 *   hardware address is 02-BF/03-BF-<sender IP> or 01-00-5E-7F-<low 16 bits of sender IP>,
 *   IPv4 to a unicast address sent to the cluster MAC embedding exactly it (02-BF/03-BF-<IP
 *   destination>, 01-00-5E-7F-<its low 16 bits>), IPv4 from the VIP sent from a masked MAC
 *   02-pp-<VIP>, or the user's --vip. A MAC form alone never does.
 * - Hosts: from heartbeats, and from traffic alone (ARP for the VIP or IPv4 from the VIP sent
 *   from the masked MAC 02-pp-VIP names host pp), labelled with that evidence. A host known
 *   from traffic has no heartbeats: it is never silent, its maps are unknown; it is expected
 *   to be announced in a failover burst like any host.
 * - A malformed membership heartbeat is still counted; its sender (fields before the bad one,
 *   its source MAC) is a host.
 * - Mode: the form seen most often among: heartbeats from masked 02-pp-VIP and frames to or ARP
 *   answers with 02-BF-VIP (unicast); 03-BF-VIP (multicast); 01-00-5E-7F-v3-v4 frames for the VIP
 *   or IGMP reports for 239.255.v3.v4 sent from the VIP (igmp).
 * - Silence: no membership heartbeat for more than period x tolerance; the event is timed at
 *   last heartbeat + period x tolerance, whenever it is detected.
 * - Capture point lost: when a host's silence falls due, if every live host of its cluster (two
 *   or more) sent its last heartbeat within 1.25 periods of the first one to stop, the capture
 *   point lost the cluster (a cluster whose hosts keep their own cadence never stops in step);
 *   likewise a host whose last heartbeat lies within 1.25 periods before the end of an input
 *   (nlb_tracker_input_end). Such hosts are unseen, not silent: no silence event, no NLB-003,
 *   no convergence start, no live-host duty (bins, bursts) until heard again, and coming back
 *   is no join.
 * - Established: period x tolerance after the cluster's first heartbeat. Hosts appearing before
 *   that are discovery, not joins.
 * - Convergence starts on: a host silent; a host appearing (after establishment) or coming back;
 *   convergence state 3 (guess); two consecutive heartbeat intervals of one host within
 *   [period/4, 3 period/4] (the ~half-period convergence cadence, guess); a current map change.
 *   It ends when 3 periods pass without any of these signals; the end time reported is the last
 *   signal + 3 periods (the confirmation window is included in the duration).
 * - Failover burst: RARP requests and gratuitous ARPs no more than burst_window apart form an
 *   episode; with >= burst_min_macs distinct Ethernet source MACs it is a burst. A host counts as
 *   announced when its heartbeat source MAC, masked MAC or dedicated IP (ARP sender) was in it;
 *   02-BF-VIP announces every host of the VIP.
 * - Unanswered: a TCP SYN to a VIP with no reply from the VIP within answer_timeout. An episode
 *   starts with the first such connection and ends once 5 consecutive connections (in SYN
 *   order) were answered and the last unanswered SYN is 10 s old, so a partial outage (one dead
 *   host among live ones) stays one episode; a later unanswered connection starts a new one.
 * - Cluster MAC as source: at most one event per VIP per second (count = frames in that second);
 *   every frame is counted.
 * - Flow table: fixed capacity; when full, the oldest flow (first seen earliest) is evicted,
 *   unless its SYN still awaits judgment, in which case the new flow is refused; both are
 *   counted in flows_evicted. Episode counts are kept outside the table and survive eviction;
 *   the ownership summary and the "after the burst" counts cover the flows still in the table.
 * - Diagnostics (nlb_tracker_diagnose; default severities and titles in diag.def, wording and
 *   field meanings in diag.c):
 *   NLB-001 per burst event leaving known NLB hosts unannounced: error when new connections
 *     after it went unanswered, warning when none was seen, info when all were answered; hosts
 *     already silent before the burst are not expected to be announced;
 *   NLB-002 per unanswered episode: error;
 *   NLB-003 per silence: warning when the host came back, error when still silent at the end;
 *   NLB-004 per convergence episode: info, warning when longer than 10 s or unfinished;
 *   NLB-005 per VIP seen as source 02-BF-VIP: error;
 *   NLB-006 per priority claimed by a second dedicated IP: error (the first stays the host, the
 *     duplicate's maps still count in the bin checks);
 *   NLB-007 rule count or rule codes differing from the highest-priority host: error (host codes
 *     differ per host by design and are never compared);
 *   NLB-008 more than one host named as default host: error;
 *   NLB-009/010 bins owned twice / by nobody among live hosts' current maps, checked only once
 *     established, outside convergence, when every live host's maps were captured and the rule
 *     counts agree, over the user rule slots (num_rules - 1) that someone owns: error;
 *   NLB-011 ARP answering the VIP with 03-BF-VIP or 01-00-5E-7F-..: info while the VIP's
 *     connections are answered (the router accepted it), warning when some went unanswered or
 *     none was judged;
 *   NLB-012 IGMP mode without any report for 239.255.v3.v4 over >= 120 s: warning;
 *   NLB-013 heartbeats cut before their maps: info;
 *   NLB-014 >= 20 answered flows the emulation predicted (maps or emulation, before learning)
 *     and the emulation right for below 80 % of them: info (a model limit, not a cluster fault;
 *     flows nobody predicted claim nothing);
 *   NLB-015 flows evicted or refused: warning;
 *   NLB-016 legacy 0xBF01 heartbeats naming the VIP: info, warning when the cluster also sends
 *     0x886F heartbeats (a mixed cluster that reverted, KB Q232711);
 *   NLB-019 UDP to the VIP's port 1717 or 2504 (remote control): info from inside the VIP's /24
 *     (guess: the mask is not on the wire), warning when any came from outside it;
 *   NLB-020 ICMP echo requests to the VIP: the hosts whose replies (by source MAC) answered
 *     them, against the hosts heard in heartbeats; info when they are the same, warning when a
 *     host heard in heartbeats never answered or no host answered at all;
 *   NLB-021/022/023 a flow's first answering host (the masked source 02-pp-VIP in unicast mode,
 *     the host's own MAC otherwise) is its owner; a later reply from another known host of the
 *     cluster is, for TCP, an RST (NLB-022: warning) or any other segment (NLB-021: warning), for
 *     UDP NLB-023 (info). Each flow counts once, under the first such reply; the first 4 flows of
 *     each kind per cluster are the examples, one diagnostic each. */
#ifndef NLB_TRACKER_INT_H
#define NLB_TRACKER_INT_H

#include <stdint.h>
#include <string.h>

#include "nlbproto/cluster.h"
#include "nlbproto/mac.h"
#include "../mix.h"

#define NLB_DIAG_CAP 1024
#define MAX_EPISODES 256
#define BURST_SET_CAP 4096   /* distinct MACs remembered per burst (more are still counted) */
#define ANSWERED_STREAK_END 5
#define UNANS_QUIET_US INT64_C(10000000)
#define OWNER_MIN_FLOWS 20
#define OWNER_MIN_AGREEMENT 0.8
#define CONV_LONG_US INT64_C(10000000)
#define PING_KEEP 16        /* echo requests whose replies are matched (identifier, sequence) */
#define RC_SUBNET_MASK 0xFFFFFF00u /* (guess) the VIP's subnet: the mask is not on the wire */
#define IGMP_MIN_SPAN_US INT64_C(120000000) /* two report periods of ~60 s (guess) */

enum { FS_NONE = 0, FS_PENDING, FS_ANSWERED, FS_UNANSWERED };
enum { EVID_UNICAST = 0, EVID_MULTICAST, EVID_IGMP };

typedef struct flow_rt {
    nlb_usec syn_at, answer_at;
    uint16_t cl;
    int16_t ep;
    uint8_t state;
    uint8_t slot;   /* map slot used for the prediction */
    nlb_usec owner_at; /* time of the reply that named observed_host */
} flow_rt;

/* The per-frame part of a flow, one 32-byte record per flow slot (t->core[k]), next to the index
 * t->fidx (open addressing, linear probing, power-of-two size, load <= 1/2, entries
 * hash32 << 32 | (k + 1), 0 = empty). A frame of a known flow reads one index entry and this
 * record and nothing else: nlb_flow_info (the public record, 80 bytes) is written when the flow
 * is created and on rare transitions (SYN, first answer, first observed owner); its
 * last_seen/frames are copied from here when it is read (nlb_tracker_flow).
 * Key: a canonical IPv4 flow (both addresses family 4, nothing after the 4 address bytes) keeps
 * client | vip << 32 as loaded from the address bytes; any other flow (IPv6) keeps a 64-bit
 * fingerprint and FC_LONG, and a fingerprint match is confirmed against nlb_flow_info. */
#define FC_LONG 0x01u       /* key is a fingerprint: compare the full tuple in t->fl */
#define FC_ANSWERED 0x02u   /* mirrors nlb_flow_info.answered */
#define FC_OBSERVED 0x04u   /* nlb_flow_info.observed_host is set */
#define FC_MOVED 0x08u      /* a reply came from another host (continuity.c), recorded once */
typedef struct fcore {
    uint64_t key;
    uint16_t cport, vport;
    uint8_t proto, flags;
    uint16_t pad_;
    nlb_usec last_seen;
    uint32_t frames;        /* low 32 bits of the frame count */
    uint32_t frames_hi;     /* high 32 bits */
} fcore;

#define REFUSED_CAP 16384   /* distinct refused VIPs remembered (counted exactly up to 3/4 of it) */

typedef struct host_rt {
    bool silent;
    bool unseen;             /* the capture point lost it (nlb_host_info.unseen) */
    uint64_t cut_sender;     /* heartbeats cut before priority or cluster IP (from the MAC) */
    int ev_silent;           /* event slot of the current silence, -1 */
    nlb_usec silent_at;      /* deadline at which it was declared silent */
    unsigned short_streak;
    uint8_t codes_known;     /* rule slots whose code was captured */
    bool dup_maps;           /* the duplicate of this priority sent maps: they own bins too */
    nlb_usec dup_last;       /* its last heartbeat: a duplicate gone silent owns nothing */
    uint64_t dup_map[NLB_MAX_RULES];
} host_rt;

typedef struct unans_ep {
    uint16_t cl;
    bool active;
    int ev;
    nlb_usec start, last;
    uint16_t port;
    uint32_t count, total, syns, hosts_mask;
} unans_ep;

/* Continuity (continuity.c): flows whose replies came from a second host, per kind; the first
 * CONT_EXAMPLES of each kind are kept as examples, the rest only counted. */
enum { CONT_TCP_MOVED = 0, CONT_RST, CONT_UDP_MOVED, CONT_KINDS };
#define CONT_EXAMPLES 4
typedef struct cont_ex {
    nlb_ipaddr client;
    uint16_t cport, vport;
    uint8_t from, to;        /* priorities: the flow's first answering host, the other one */
    bool converging;         /* the cluster was converging at the other host's reply */
    nlb_usec t_from, t_to;   /* the reply that named the first host, the other host's first */
} cont_ex;

typedef struct cluster_rt {
    nlb_cluster_info info;
    host_rt h[NLB_MAX_PRIORITY + 1];  /* by priority */
    int8_t slot_of[NLB_MAX_PRIORITY + 1]; /* priority -> index in info.hosts */
    uint64_t evid[3];
    bool has_hb;
    nlb_usec established_at;
    /* convergence */
    bool converging;
    int conv_idx;
    nlb_usec conv_start, conv_last;
    uint8_t conv_host;
    /* cluster MAC as source */
    nlb_usec cmas_first, cmas_ev_time;
    int cmas_ev;
    /* remote control to the VIP (UDP 1717/2504): all, and from outside the VIP's /24 (guess) */
    uint32_t rc_n, rc_out, rc_src, rc_out_src;
    nlb_usec rc_first, rc_out_first;
    uint16_t rc_port, rc_out_port;
    /* ping census: echo requests to the VIP and which hosts answered each (the last PING_KEEP) */
    uint32_t ping_req, ping_unknown, ping_hosts;
    uint8_t ping_max, ping_next, ping_used;
    nlb_usec ping_first;
    struct { uint32_t key, mask; } ping[PING_KEEP];
    /* legacy 0xBF01 heartbeats (WLBS/Convoy): counted, never interpreted */
    uint64_t legacy_n;
    uint32_t legacy_hosts;
    nlb_usec legacy_first;
    /* multicast ARP */
    nlb_usec mcast_arp_first;
    uint8_t mcast_arp_mac[6];
    /* bins owned twice / by nobody (outside convergence) */
    bool maps_dirty;
    uint32_t twice_n, nobody_n, twice_hosts;
    uint8_t twice_slot, nobody_slot;
    nlb_usec twice_first, nobody_first;
    nlb_emu_cache emu;       /* emulated maps per slot, moved minimally as the live set changes */
    /* unanswered episodes; connections judged (kept outside the flow table: survive eviction) */
    int ep;
    uint64_t answered_n, unanswered_n;
    unsigned answered_streak;
    /* burst: hosts announced in the open episode */
    uint32_t announced;
    bool announced_all;
    nlb_calib calib[NLB_MAX_RULES]; /* by map slot */
    nlb_learn_scope learn[NLB_MAX_RULES]; /* owners learned from answers, by map slot (id: cluster << 6 | slot) */
    uint32_t cont_n[CONT_KINDS];
    cont_ex cont[CONT_KINDS][CONT_EXAMPLES];
    /* fill_view(c, cfg.without_host) for predict: rebuilt after any heartbeat or silence */
    bool view_ok;
    nlb_owner_view view;
} cluster_rt;

typedef struct v6ent {
    uint8_t a[16];
    uint16_t cl;
    bool used;
} v6ent;

struct nlb_tracker {
    nlb_tracker_config cfg;
    nlb_usec period, thr, scan_every;
    nlb_counts counts;
    bool started;
    nlb_usec now, first_ts, next_scan;
    /* clusters and their indexes */
    cluster_rt *cl;
    unsigned n_cl;
    uint32_t *vip_key;
    uint16_t *vip_val;
    size_t vip_cap;
    v6ent *v6;
    size_t v6_cap, n_v6;
    uint64_t *idx_key;       /* MAC (tag 1) or dedicated IP (tag 2) -> cluster, priority */
    uint32_t *idx_val;
    size_t idx_cap, n_idx;
    /* events: stable slots, sorted view built lazily */
    nlb_event *ev;
    uint32_t *ev_order;
    size_t n_ev, ev_cap;
    bool ev_dirty;
    /* diagnostics */
    nlb_diag *dg;
    size_t n_dg;
    nlb_diag *dg_prev;       /* the previous derivation, to keep ids (trk_stamp_diags) */
    size_t n_dg_prev;
    uint32_t dg_ids;         /* ids handed out */
    uint64_t gen;            /* generation: bumped by every record update */
    nlb_frame_facts *facts;  /* the frame being fed reports here (nlb_tracker_feed_facts), or NULL */
    /* flows */
    nlb_flow_info *fl;
    flow_rt *frt;
    size_t n_fl, fl_cap, fl_head;  /* a ring once full: fl_head is the oldest flow */
    fcore *core;             /* per-frame fields of each flow slot (see fcore) */
    uint64_t *fidx;          /* hash32 << 32 | (slot + 1); 0 = empty */
    size_t fidx_cap;
    uint32_t *q;
    size_t q_head, q_tail;
    nlb_usec q_due;          /* deadline of the SYN at q_head (INT64_MAX: queue empty) */
    unans_ep ep[MAX_EPISODES];
    size_t n_ep;
    /* failover burst */
    bool b_open;
    nlb_usec b_start, b_last;
    uint32_t b_n;
    uint8_t b_first_mac[6];
    uint64_t *b_set;
    nlb_learn learn;         /* the learned-owner table of every cluster (learn.h) */
    /* what-if scratch: two maps per cluster and slot */
    nlb_binmap *wi;
    /* VIPs refused because max_clusters was reached (counts.clusters_dropped counts each once) */
    uint32_t *refused;
    size_t n_refused;
    /* inputs that ended while others went on (nlb_tracker_input_end) */
    nlb_usec in_end[NLB_MAX_INPUT_ENDS];
    unsigned n_in_end;
};

/* ---- hot helpers, inline on the per-frame path ---- */


static inline size_t pow2_at_least(size_t n)
{
    size_t c = 16;
    while (c < n) c <<= 1;
    return c;
}

static inline uint64_t mac48(const uint8_t m[6])
{
    return (uint64_t)m[0] << 40 | (uint64_t)m[1] << 32 | (uint64_t)m[2] << 24 | (uint64_t)m[3] << 16 |
           (uint64_t)m[4] << 8 | m[5];
}

static inline bool mac_zero(const uint8_t m[6])
{
    return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/* nlb_ipaddr_to_v4, inlined for the per-frame path. */
static inline uint32_t v4_of(const nlb_ipaddr *ip)
{
    if (ip->family != 4) return 0;
    return (uint32_t)ip->a[0] << 24 | (uint32_t)ip->a[1] << 16 | (uint32_t)ip->a[2] << 8 | ip->a[3];
}

static inline uint32_t bit(unsigned prio) { return prio >= 1 && prio <= 32 ? 1u << (prio - 1) : 0; }

/* Multiplicative hash of an IPv4 address (tables of at most a few thousand slots, load <= 1/2). */
static inline size_t hash32(uint32_t x)
{
    x *= 0x9E3779B1u;
    return x ^ x >> 15;
}

static inline int vip_find(const nlb_tracker *t, uint32_t vip)
{
    if (!vip || !t->n_cl) return -1;
    size_t mask = t->vip_cap - 1;
    for (size_t i = hash32(vip) & mask;; i = (i + 1) & mask) {
        if (t->vip_key[i] == vip) return t->vip_val[i];
        if (!t->vip_key[i]) return -1;
    }
}

static inline uint64_t hash16(const uint8_t a[16])
{
    uint64_t x, y;
    memcpy(&x, a, 8);
    memcpy(&y, a + 8, 8);
    return mix64(x ^ mix64(y));
}

static inline int v6_find(const nlb_tracker *t, const uint8_t a[16])
{
    if (!t->n_v6) return -1;
    size_t mask = t->v6_cap - 1;
    for (size_t i = hash16(a) & mask;; i = (i + 1) & mask) {
        if (!t->v6[i].used) return -1;
        if (!memcmp(t->v6[i].a, a, 16)) return t->v6[i].cl;
    }
}

#define IDX_MAC(m) ((uint64_t)1 << 60 | mac48(m))
#define IDX_IP(ip) ((uint64_t)2 << 60 | (uint64_t)(ip))

static inline bool idx_find(const nlb_tracker *t, uint64_t key, unsigned *cl, unsigned *prio)
{
    size_t mask = t->idx_cap - 1;
    for (size_t i = mix64(key) & mask;; i = (i + 1) & mask) {
        if (t->idx_key[i] == key) {
            *cl = t->idx_val[i] >> 8;
            *prio = t->idx_val[i] & 0xFF;
            return true;
        }
        if (!t->idx_key[i]) return false;
    }
}

/* The frame being fed touched event slot (its id is slot + 1). */
static inline void trk_touched(nlb_tracker *t, int slot)
{
    nlb_frame_facts *f = t->facts;
    t->ev[slot].gen = ++t->gen;
    if (!f || (f->n_events && f->events[f->n_events - 1] == (uint32_t)slot + 1)) return;
    if (f->n_events < NLB_FACTS_MAX_EVENTS) f->events[f->n_events++] = (uint32_t)slot + 1;
    else f->events_more++;
}

/* An event to update: stamped with a new generation (callers take it only to change it). */
static inline nlb_event *ev_at(nlb_tracker *t, int slot)
{
    if (slot < 0) return NULL;
    trk_touched(t, slot);
    return &t->ev[slot];
}

static inline unsigned cl_index(const nlb_tracker *t, const cluster_rt *c)
{
    return (unsigned)(c - t->cl);
}

static inline nlb_host_info *host_of(cluster_rt *c, unsigned prio)
{
    return c->slot_of[prio] >= 0 ? &c->info.hosts[c->slot_of[prio]] : NULL;
}

static inline bool live(const cluster_rt *c, const nlb_host_info *h)
{
    return h->heartbeats && !c->h[h->priority].silent && !c->h[h->priority].unseen;
}

/* Shared between the tracker's modules; hidden from the library's users. */
#define TRK_INTERNAL __attribute__((visibility("hidden")))

/* index.c: insertions into the fixed tables (full tables drop silently, see each) */
TRK_INTERNAL void trk_vip_put(nlb_tracker *t, uint32_t vip, uint16_t cl);
TRK_INTERNAL void trk_v6_put(nlb_tracker *t, const uint8_t a[16], uint16_t cl);
TRK_INTERNAL void trk_idx_put(nlb_tracker *t, uint64_t key, unsigned cl, unsigned prio);
TRK_INTERNAL void trk_refuse_cluster(nlb_tracker *t, uint32_t vip);
/* records.c */
TRK_INTERNAL int trk_add_event(nlb_tracker *t, nlb_usec time, nlb_event_kind kind, uint32_t vip, uint8_t host);
TRK_INTERNAL void trk_sort_events(nlb_tracker *t);
TRK_INTERNAL nlb_diag *trk_add_diag(nlb_tracker *t, nlb_diag_code code, nlb_usec time, const cluster_rt *c);
TRK_INTERNAL void trk_sort_diags(nlb_tracker *t);
TRK_INTERNAL void trk_stamp_diags(nlb_tracker *t);
/* members.c */
TRK_INTERNAL void trk_update_mode(cluster_rt *c);
TRK_INTERNAL cluster_rt *trk_cluster_get(nlb_tracker *t, uint32_t vip, nlb_found_by by, nlb_usec ts);
TRK_INTERNAL void trk_cluster_check(nlb_tracker *t, cluster_rt *c, nlb_usec now);
TRK_INTERNAL void trk_on_membership(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts);
TRK_INTERNAL void trk_on_membership_malformed(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts);
TRK_INTERNAL void trk_on_extended(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts);
TRK_INTERNAL void trk_on_legacy(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts);
TRK_INTERNAL void trk_host_from_traffic(nlb_tracker *t, cluster_rt *c, unsigned prio, const uint8_t mac[6], uint8_t ev,
                                        nlb_usec ts);
TRK_INTERNAL void trk_cluster_from_traffic(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts);
/* announce.c */
TRK_INTERNAL void trk_close_burst(nlb_tracker *t);
TRK_INTERNAL void trk_on_arp(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts);
TRK_INTERNAL void trk_on_igmp(nlb_tracker *t, const nlb_packet *pkt);
TRK_INTERNAL void trk_cluster_mac_source(nlb_tracker *t, cluster_rt *c, const nlb_packet *pkt, nlb_usec ts);
/* flows.c */
TRK_INTERNAL void trk_fill_view(const cluster_rt *c, uint8_t without, nlb_owner_view *v);
TRK_INTERNAL void trk_judge(nlb_tracker *t, size_t k);
TRK_INTERNAL uint8_t trk_flow_verdict(const nlb_tracker *t, size_t k);
TRK_INTERNAL void trk_on_ip(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts);
/* learned.c: owners learned from answers, kept only while the maps say they hold */
TRK_INTERNAL void trk_learn_predict(nlb_tracker *t, cluster_rt *c, nlb_flow_info *f, unsigned slot, nlb_affinity assumed);
TRK_INTERNAL void trk_learn_observe(nlb_tracker *t, cluster_rt *c, const nlb_flow_info *f, unsigned slot, uint8_t prio);
TRK_INTERNAL void trk_learn_maps(cluster_rt *c, unsigned prio, unsigned slot, uint64_t old_map, uint64_t new_map);
TRK_INTERNAL void trk_learn_forget_all(cluster_rt *c);
/* continuity.c: replies from a second host */
TRK_INTERNAL void trk_owner_moved(nlb_tracker *t, cluster_rt *c, size_t k, const nlb_packet *pkt, unsigned prio, nlb_usec ts);
TRK_INTERNAL void trk_diag_continuity(nlb_tracker *t, const cluster_rt *c);

/* ---- per-frame steps, inline (their rare branches call out) ---- */

/* One more frame of mode evidence; the mode can only change when it is not the current one's. */
static inline void trk_evidence(cluster_rt *c, int kind)
{
    static const uint8_t mode_of[3] = { NLB_MODE_UNICAST, NLB_MODE_MULTICAST, NLB_MODE_IGMP };
    c->evid[kind]++;
    if (c->info.mode != (nlb_mode)mode_of[kind]) trk_update_mode(c);
}

/* Cluster MAC forms of every frame: the unicast cluster MAC as source (announce.c), frames to a
 * cluster MAC as mode evidence. */
static inline void trk_l2_checks(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    if (pkt->src_mac.kind == NLB_MAC_UNICAST) {
        int k = vip_find(t, pkt->src_mac.vip);
        if (k >= 0) trk_cluster_mac_source(t, &t->cl[k], pkt, ts);
    } else if (pkt->src_mac.kind == NLB_MAC_MASKED && pkt->ip_src.family == 4 &&
               v4_of(&pkt->ip_src) == pkt->src_mac.vip) {
        trk_cluster_from_traffic(t, pkt, ts); /* a reply of host pp from the VIP */
    }
    if (!pkt->has_dst) return;
    const nlb_mac_info *d = &pkt->dst_mac;
    if (d->kind == NLB_MAC_UNICAST || d->kind == NLB_MAC_MULTICAST) {
        int k = vip_find(t, d->vip);
        if (k < 0 && pkt->ip_dst.family == 4 && v4_of(&pkt->ip_dst) == d->vip) {
            trk_cluster_from_traffic(t, pkt, ts); /* the MAC embeds exactly the IP destination */
            k = vip_find(t, d->vip);
        }
        if (k >= 0) {
            t->cl[k].info.frames_to_cluster_mac++;
            trk_evidence(&t->cl[k], d->kind == NLB_MAC_UNICAST ? EVID_UNICAST : EVID_MULTICAST);
        }
    } else if (d->kind == NLB_MAC_IGMP && pkt->ip_dst.family == 4) {
        /* 01-00-5E-7F-FF-FA is also SSDP's MAC: only frames addressed to the VIP itself count */
        uint32_t dip = v4_of(&pkt->ip_dst);
        int k = vip_find(t, dip);
        if (k < 0 && (dip & 0xFFFFu) == d->vip && dip < 0xE0000000u) {
            trk_cluster_from_traffic(t, pkt, ts); /* a unicast IP sent to its NLB IGMP group MAC */
            k = vip_find(t, dip);
        }
        if (k >= 0 && (dip & 0xFFFFu) == d->vip) {
            t->cl[k].info.frames_to_cluster_mac++;
            trk_evidence(&t->cl[k], EVID_IGMP);
        }
    }
}

#endif
