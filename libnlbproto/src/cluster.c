/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cluster tracker (protocol doc sections 1-5). One allocation at nlb_tracker_new, sized by
 * the config; nlb_tracker_feed is O(1) amortised: every lookup is an open-addressing table,
 * time-driven checks run once per quarter period of capture time (and per heartbeat for its
 * own cluster, at most 32 hosts).
 *
 * Rules chosen here (thresholds are part of the output's meaning; keep in sync with the docs):
 * - A cluster exists only on evidence that names its VIP: a heartbeat's cluster IP, an ARP reply
 *   or gratuitous ARP whose sender hardware address is 02-BF/03-BF-<sender IP> or
 *   01-00-5E-7F-<low 16 bits of sender IP>, or the user's --vip. A MAC form alone never does.
 * - Mode: the form seen most often among: heartbeats from masked 02-pp-VIP and frames to or ARP
 *   answers with 02-BF-VIP (unicast); 03-BF-VIP (multicast); 01-00-5E-7F-v3-v4 frames for the VIP
 *   or IGMP reports for 239.255.v3.v4 sent from the VIP (igmp).
 * - Silence: no membership heartbeat for more than period x tolerance; the event is timed at
 *   last heartbeat + period x tolerance, whenever it is detected.
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
 *   NLB-014 >= 20 flows with an observed owner and agreement below 80 %: info (a model limit,
 *     not a cluster fault);
 *   NLB-015 flows evicted or refused: warning. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nlbproto/cluster.h"
#include "nlbproto/mac.h"

#define NLB_DIAG_CAP 1024
#define MAX_EPISODES 256
#define BURST_SET_CAP 4096   /* distinct MACs remembered per burst (more are still counted) */
#define ANSWERED_STREAK_END 5
#define UNANS_QUIET_US INT64_C(10000000)
#define OWNER_MIN_FLOWS 20
#define OWNER_MIN_AGREEMENT 0.8
#define CONV_LONG_US INT64_C(10000000)
#define IGMP_MIN_SPAN_US INT64_C(120000000) /* two report periods of ~60 s (guess) */

enum { FS_NONE = 0, FS_PENDING, FS_ANSWERED, FS_UNANSWERED };
enum { EVID_UNICAST = 0, EVID_MULTICAST, EVID_IGMP };

typedef struct flow_rt {
    nlb_usec syn_at, answer_at;
    uint16_t cl;
    int16_t ep;
    uint8_t state;
    uint8_t slot;   /* map slot used for the prediction */
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
    /* what-if scratch: two maps per cluster and slot */
    nlb_binmap *wi;
    /* VIPs refused because max_clusters was reached (counts.clusters_dropped counts each once) */
    uint32_t *refused;
    size_t n_refused;
};

/* ---------- small helpers ---------- */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 16;
    while (c < n) c <<= 1;
    return c;
}

static uint64_t mac48(const uint8_t m[6])
{
    return (uint64_t)m[0] << 40 | (uint64_t)m[1] << 32 | (uint64_t)m[2] << 24 | (uint64_t)m[3] << 16 |
           (uint64_t)m[4] << 8 | m[5];
}

static bool mac_zero(const uint8_t m[6])
{
    return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/* nlb_ipaddr_to_v4, inlined for the per-frame path. */
static inline uint32_t v4_of(const nlb_ipaddr *ip)
{
    if (ip->family != 4) return 0;
    return (uint32_t)ip->a[0] << 24 | (uint32_t)ip->a[1] << 16 | (uint32_t)ip->a[2] << 8 | ip->a[3];
}

static uint32_t bit(unsigned prio) { return prio >= 1 && prio <= 32 ? 1u << (prio - 1) : 0; }

/* ---------- config ---------- */

void nlb_tracker_config_default(nlb_tracker_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->period_ms = 1000;
    cfg->tolerance = 5;
    cfg->max_clusters = 64;
    cfg->max_flows = 262144;
    cfg->max_events = 4096;
    cfg->burst_window = 1000000;
    cfg->burst_min_macs = 3;
    cfg->answer_timeout = 3000000;
    nlb_model_init(&cfg->model);
}

/* ---------- indexes ---------- */

/* Multiplicative hash of an IPv4 address (tables of at most a few thousand slots, load <= 1/2). */
static inline size_t hash32(uint32_t x)
{
    x *= 0x9E3779B1u;
    return x ^ x >> 15;
}

static int vip_find(const nlb_tracker *t, uint32_t vip)
{
    if (!vip || !t->n_cl) return -1;
    size_t mask = t->vip_cap - 1;
    for (size_t i = hash32(vip) & mask;; i = (i + 1) & mask) {
        if (t->vip_key[i] == vip) return t->vip_val[i];
        if (!t->vip_key[i]) return -1;
    }
}

static void vip_put(nlb_tracker *t, uint32_t vip, uint16_t cl)
{
    size_t mask = t->vip_cap - 1;
    for (size_t i = hash32(vip) & mask;; i = (i + 1) & mask) {
        if (!t->vip_key[i] || t->vip_key[i] == vip) {
            t->vip_key[i] = vip;
            t->vip_val[i] = cl;
            return;
        }
    }
}

static uint64_t hash16(const uint8_t a[16])
{
    uint64_t x, y;
    memcpy(&x, a, 8);
    memcpy(&y, a + 8, 8);
    return mix64(x ^ mix64(y));
}

static int v6_find(const nlb_tracker *t, const uint8_t a[16])
{
    if (!t->n_v6) return -1;
    size_t mask = t->v6_cap - 1;
    for (size_t i = hash16(a) & mask;; i = (i + 1) & mask) {
        if (!t->v6[i].used) return -1;
        if (!memcmp(t->v6[i].a, a, 16)) return t->v6[i].cl;
    }
}

static void v6_put(nlb_tracker *t, const uint8_t a[16], uint16_t cl)
{
    if (v6_find(t, a) >= 0 || (t->n_v6 + 1) * 4 > t->v6_cap * 3)
        return; /* known, or the table is full: the address is simply not tracked */
    size_t mask = t->v6_cap - 1;
    for (size_t i = hash16(a) & mask;; i = (i + 1) & mask) {
        if (!t->v6[i].used) {
            memcpy(t->v6[i].a, a, 16);
            t->v6[i].cl = cl;
            t->v6[i].used = true;
            t->n_v6++;
            return;
        }
    }
}

#define IDX_MAC(m) ((uint64_t)1 << 60 | mac48(m))
#define IDX_IP(ip) ((uint64_t)2 << 60 | (uint64_t)(ip))

static bool idx_find(const nlb_tracker *t, uint64_t key, unsigned *cl, unsigned *prio)
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

static void idx_put(nlb_tracker *t, uint64_t key, unsigned cl, unsigned prio)
{
    size_t mask = t->idx_cap - 1;
    for (size_t i = mix64(key) & mask;; i = (i + 1) & mask) {
        if (t->idx_key[i] == key) {
            t->idx_val[i] = (uint32_t)cl << 8 | prio;
            return;
        }
        if (!t->idx_key[i]) {
            if ((t->n_idx + 1) * 4 > t->idx_cap * 3)
                return; /* full: later lookups fall back to the MAC form */
            t->idx_key[i] = key;
            t->idx_val[i] = (uint32_t)cl << 8 | prio;
            t->n_idx++;
            return;
        }
    }
}

/* ---------- lifetime ---------- */

static size_t carve(size_t *off, size_t size, size_t align)
{
    size_t at = (*off + align - 1) & ~(align - 1);
    *off = at + size;
    return at;
}

nlb_tracker *nlb_tracker_new(const nlb_tracker_config *cfg)
{
    if (!cfg || !cfg->period_ms || !cfg->tolerance || !cfg->max_clusters || cfg->max_clusters > 4096 ||
        cfg->n_vips > NLB_MAX_USER_VIPS || cfg->max_flows > ((size_t)1 << 28) ||
        cfg->max_events > ((size_t)1 << 26) || cfg->model.bins < 1 || cfg->model.bins > NLB_BINS_MAX ||
        cfg->model.n_rules > NLB_MAX_RULES || cfg->burst_window < 0 || cfg->answer_timeout < 0 ||
        cfg->without_host > NLB_MAX_PRIORITY)
        return NULL;
    size_t ncl = cfg->max_clusters;
    size_t vip_cap = pow2_at_least(2 * ncl);
    size_t v6_cap = pow2_at_least(2 * ncl * NLB_HB_MAX_ADDRS);
    size_t idx_cap = pow2_at_least(ncl * NLB_MAX_PRIORITY * 4);
    size_t fl_cap = cfg->max_flows;
    size_t fidx_cap = fl_cap ? pow2_at_least(2 * fl_cap) : 16;
    size_t ev_cap = cfg->max_events;

    size_t off = 0;
    size_t o_t = carve(&off, sizeof(nlb_tracker), 16);
    size_t o_cl = carve(&off, ncl * sizeof(cluster_rt), 16);
    size_t o_vk = carve(&off, vip_cap * sizeof(uint32_t), 8);
    size_t o_vv = carve(&off, vip_cap * sizeof(uint16_t), 8);
    size_t o_v6 = carve(&off, v6_cap * sizeof(v6ent), 8);
    size_t o_ik = carve(&off, idx_cap * sizeof(uint64_t), 8);
    size_t o_iv = carve(&off, idx_cap * sizeof(uint32_t), 8);
    size_t o_ev = carve(&off, ev_cap * sizeof(nlb_event), 16);
    size_t o_eo = carve(&off, ev_cap * sizeof(uint32_t), 8);
    size_t o_dg = carve(&off, NLB_DIAG_CAP * sizeof(nlb_diag), 16);
    size_t o_fl = carve(&off, fl_cap * sizeof(nlb_flow_info), 16);
    size_t o_fr = carve(&off, fl_cap * sizeof(flow_rt), 16);
    size_t o_fi = carve(&off, fidx_cap * sizeof(uint64_t), 8);
    size_t o_co = carve(&off, fl_cap * sizeof(fcore) + 64, 16); /* aligned to 64 below */
    size_t o_q = carve(&off, (fl_cap ? fl_cap : 1) * sizeof(uint32_t), 8);
    size_t o_bs = carve(&off, BURST_SET_CAP * sizeof(uint64_t), 8);
    size_t o_wi = carve(&off, ncl * NLB_MAX_RULES * 2 * sizeof(nlb_binmap), 8);
    size_t o_rf = carve(&off, REFUSED_CAP * sizeof(uint32_t), 8);

    char *mem = calloc(1, off); /* the one allocation of the tracker's life */
    if (!mem)
        return NULL;
    nlb_tracker *t = (nlb_tracker *)(mem + o_t);
    t->cfg = *cfg;
    if (!t->cfg.model.hash) t->cfg.model.hash = nlb_hash_oaat;
    if (!t->cfg.model.hash_name) t->cfg.model.hash_name = "one-at-a-time";
    t->period = (nlb_usec)cfg->period_ms * 1000;
    t->thr = t->period * (nlb_usec)cfg->tolerance;
    t->scan_every = t->period / 4 > 0 ? t->period / 4 : 1;
    t->cl = (cluster_rt *)(mem + o_cl);
    t->vip_key = (uint32_t *)(mem + o_vk);
    t->vip_val = (uint16_t *)(mem + o_vv);
    t->vip_cap = vip_cap;
    t->v6 = (v6ent *)(mem + o_v6);
    t->v6_cap = v6_cap;
    t->idx_key = (uint64_t *)(mem + o_ik);
    t->idx_val = (uint32_t *)(mem + o_iv);
    t->idx_cap = idx_cap;
    t->ev = (nlb_event *)(mem + o_ev);
    t->ev_order = (uint32_t *)(mem + o_eo);
    t->ev_cap = ev_cap;
    t->dg = (nlb_diag *)(mem + o_dg);
    t->fl = (nlb_flow_info *)(mem + o_fl);
    t->frt = (flow_rt *)(mem + o_fr);
    t->fl_cap = fl_cap;
    t->fidx = (uint64_t *)(mem + o_fi);
    t->fidx_cap = fidx_cap;
    /* records on cache-line boundaries: one never straddles two lines */
    t->core = (fcore *)(void *)(mem + o_co + (64 - ((uintptr_t)(mem + o_co) & 63)) % 64);
    t->q = (uint32_t *)(mem + o_q);
    t->q_due = INT64_MAX;
    t->b_set = (uint64_t *)(mem + o_bs);
    t->wi = (nlb_binmap *)(mem + o_wi);
    t->refused = (uint32_t *)(mem + o_rf);
    return t;
}

void nlb_tracker_free(nlb_tracker *t)
{
    free(t); /* the tracker sits at the start of its one block */
}

/* ---------- events ---------- */

static int add_event(nlb_tracker *t, nlb_usec time, nlb_event_kind kind, uint32_t vip, uint8_t host)
{
    if (t->n_ev >= t->ev_cap) {
        t->counts.events_dropped++;
        return -1;
    }
    size_t i = t->n_ev++;
    nlb_event *e = &t->ev[i];
    memset(e, 0, sizeof *e);
    e->time = time;
    e->kind = kind;
    e->vip = vip;
    e->host = host;
    t->ev_order[i] = (uint32_t)i;
    /* late detections (silence, bursts) are timed in the past: the sorted view is rebuilt lazily */
    if (i && t->ev[t->ev_order[i - 1]].time > time)
        t->ev_dirty = true;
    return (int)i;
}

static nlb_event *ev_at(nlb_tracker *t, int slot)
{
    return slot >= 0 ? &t->ev[slot] : NULL;
}

static void sort_events(nlb_tracker *t)
{
    if (!t->ev_dirty) return;
    /* insertion sort: the order is nearly sorted, and stable by slot for equal times */
    for (size_t i = 0; i < t->n_ev; i++) t->ev_order[i] = (uint32_t)i;
    for (size_t i = 1; i < t->n_ev; i++) {
        uint32_t x = t->ev_order[i];
        size_t j = i;
        while (j && t->ev[t->ev_order[j - 1]].time > t->ev[x].time) {
            t->ev_order[j] = t->ev_order[j - 1];
            j--;
        }
        t->ev_order[j] = x;
    }
    t->ev_dirty = false;
}

/* ---------- clusters ---------- */

static void update_mode(cluster_rt *c)
{
    const uint64_t *e = c->evid;
    nlb_mode m = NLB_MODE_UNKNOWN;
    uint64_t best = 0;
    if (e[EVID_UNICAST] > best) { m = NLB_MODE_UNICAST; best = e[EVID_UNICAST]; }
    if (e[EVID_MULTICAST] > best) { m = NLB_MODE_MULTICAST; best = e[EVID_MULTICAST]; }
    if (e[EVID_IGMP] > best) { m = NLB_MODE_IGMP; best = e[EVID_IGMP]; }
    if (m == c->info.mode) return;
    c->info.mode = m;
    switch (m) {
    case NLB_MODE_UNICAST: nlb_mac_make(NLB_MAC_UNICAST, c->info.vip, 0, c->info.cluster_mac); break;
    case NLB_MODE_MULTICAST: nlb_mac_make(NLB_MAC_MULTICAST, c->info.vip, 0, c->info.cluster_mac); break;
    case NLB_MODE_IGMP: nlb_mac_make(NLB_MAC_IGMP, c->info.vip, 0, c->info.cluster_mac); break;
    case NLB_MODE_UNKNOWN: memset(c->info.cluster_mac, 0, 6); break;
    }
}

static void evidence(cluster_rt *c, int kind)
{
    c->evid[kind]++;
    update_mode(c);
}

/* Count a VIP refused for want of room once (exact up to 3/4 of REFUSED_CAP distinct VIPs; past
 * that, VIPs not remembered are no longer counted: a lower bound). O(1) per call. */
static void refuse_cluster(nlb_tracker *t, uint32_t vip)
{
    size_t mask = REFUSED_CAP - 1;
    for (size_t i = hash32(vip) & mask;; i = (i + 1) & mask) {
        if (t->refused[i] == vip) return;
        if (!t->refused[i]) {
            if ((t->n_refused + 1) * 4 > (size_t)REFUSED_CAP * 3) return;
            t->refused[i] = vip;
            t->n_refused++;
            t->counts.clusters_dropped++;
            return;
        }
    }
}

static cluster_rt *cluster_get(nlb_tracker *t, uint32_t vip, nlb_found_by by, nlb_usec ts)
{
    int i = vip_find(t, vip);
    if (i >= 0) return &t->cl[i];
    if (!vip || vip == 0xFFFFFFFFu)
        return NULL;
    if (t->n_cl >= t->cfg.max_clusters) {
        refuse_cluster(t, vip);
        return NULL;
    }
    cluster_rt *c = &t->cl[t->n_cl];
    memset(c, 0, sizeof *c);
    c->info.vip = vip;
    c->info.found_by = (uint8_t)by;
    c->info.first_seen = c->info.last_seen = ts;
    memset(c->slot_of, -1, sizeof c->slot_of);
    c->conv_idx = -1;
    c->cmas_ev = -1;
    c->ep = -1;
    vip_put(t, vip, (uint16_t)t->n_cl);
    t->n_cl++;
    if (by != NLB_FOUND_BY_CONFIG) {
        int e = add_event(t, ts, NLB_EV_CLUSTER_FOUND, vip, 0);
        if (e >= 0) t->ev[e].count = by;
    }
    return c;
}

static unsigned cl_index(const nlb_tracker *t, const cluster_rt *c)
{
    return (unsigned)(c - t->cl);
}

static nlb_host_info *host_of(cluster_rt *c, unsigned prio)
{
    return c->slot_of[prio] >= 0 ? &c->info.hosts[c->slot_of[prio]] : NULL;
}

static nlb_host_info *host_add(cluster_rt *c, unsigned prio)
{
    unsigned n = c->info.n_hosts, at = 0;
    while (at < n && c->info.hosts[at].priority < prio) at++;
    memmove(&c->info.hosts[at + 1], &c->info.hosts[at], (n - at) * sizeof(nlb_host_info));
    c->info.n_hosts++;
    for (unsigned i = at; i < c->info.n_hosts; i++)
        c->slot_of[c->info.hosts[i].priority] = (int8_t)i;
    nlb_host_info *h = &c->info.hosts[at];
    memset(h, 0, sizeof *h);
    h->priority = (uint8_t)prio;
    c->slot_of[prio] = (int8_t)at;
    c->h[prio].ev_silent = -1;
    return h;
}

/* ---------- convergence and silence ---------- */

static void conv_signal(nlb_tracker *t, cluster_rt *c, nlb_usec time, unsigned host, nlb_conv_trigger why, nlb_usec gap)
{
    if (!c->converging) {
        c->converging = true;
        c->conv_start = c->conv_last = time;
        c->conv_host = (uint8_t)host;
        c->conv_idx = -1;
        if (c->info.n_convergence < NLB_MAX_CONVERGENCE) {
            c->conv_idx = (int)c->info.n_convergence++;
            nlb_convergence *cv = &c->info.convergence[c->conv_idx];
            memset(cv, 0, sizeof *cv);
            cv->start = time;
            cv->trigger_host = (uint8_t)host;
            cv->trigger_gap = gap;
            cv->trigger = (uint8_t)why;
        }
        nlb_event *e = ev_at(t, add_event(t, time, NLB_EV_CONVERGENCE_START, c->info.vip, (uint8_t)host));
        if (e) {
            e->count = why;
            e->duration = gap;
        }
    }
    if (time > c->conv_last)
        c->conv_last = time;
}

static void conv_end(nlb_tracker *t, cluster_rt *c, nlb_usec end)
{
    c->converging = false;
    if (c->conv_idx >= 0)
        c->info.convergence[c->conv_idx].end = end;
    nlb_event *e = ev_at(t, add_event(t, end, NLB_EV_CONVERGENCE_END, c->info.vip, c->conv_host));
    if (e) e->duration = end - c->conv_start;
    c->maps_dirty = true; /* stable again: check the maps */
}

/* Apply, in time order, every silence deadline and convergence end that lies before now. */
static void cluster_check(nlb_tracker *t, cluster_rt *c, nlb_usec now)
{
    for (;;) {
        nlb_usec best = now;
        int what = 0; /* 0 none, -1 convergence end, p silence of host p */
        if (c->converging && c->conv_last + 3 * t->period < best) {
            best = c->conv_last + 3 * t->period;
            what = -1;
        }
        for (unsigned i = 0; i < c->info.n_hosts; i++) {
            nlb_host_info *h = &c->info.hosts[i];
            if (c->h[h->priority].silent || !h->heartbeats) continue;
            nlb_usec d = h->last_seen + t->thr;
            if (d < best) {
                best = d;
                what = h->priority;
            }
        }
        if (!what) return;
        if (what < 0) {
            conv_end(t, c, best);
            continue;
        }
        host_rt *hr = &c->h[what];
        c->view_ok = false;
        hr->silent = true;
        hr->silent_at = best;
        host_of(c, (unsigned)what)->silent = true;
        c->maps_dirty = true;
        hr->ev_silent = add_event(t, best, NLB_EV_HOST_SILENT, c->info.vip, (uint8_t)what);
        nlb_event *e = ev_at(t, hr->ev_silent);
        if (e) e->duration = t->thr; /* grows to the full gap when it comes back or at the end */
        conv_signal(t, c, best, (unsigned)what, NLB_CONV_TRIGGER_SILENCE, t->thr);
    }
}

/* Bins owned twice / by nobody among live hosts, only while stable and every live host's maps
 * are known; the rule slots checked are the user rules (num_rules - 1: the last slot is the
 * default rule, guess). Slots where no host owns anything (disabled rules) are skipped. */
static void bins_check(nlb_tracker *t, cluster_rt *c, nlb_usec ts)
{
    if (!c->maps_dirty || c->converging || ts < c->established_at)
        return;
    c->maps_dirty = false;
    /* a duplicate of a priority (another dedicated IP) owns the bins of its maps as well */
    uint8_t prios[2 * NLB_MAX_PRIORITY];
    const uint64_t *src[2 * NLB_MAX_PRIORITY];
    size_t n = 0;
    int nr = -1;
    for (unsigned i = 0; i < c->info.n_hosts; i++) {
        nlb_host_info *h = &c->info.hosts[i];
        if (c->h[h->priority].silent || !h->heartbeats) continue;
        if (!h->has_maps) return;
        if (nr < 0) nr = h->num_rules;
        else if (nr != h->num_rules) return; /* a rule mismatch is reported on its own */
        prios[n] = h->priority;
        src[n++] = h->cur_map;
        if (c->h[h->priority].dup_maps && ts - c->h[h->priority].dup_last <= t->thr) {
            prios[n] = h->priority;
            src[n++] = c->h[h->priority].dup_map;
        }
    }
    if (n == 0 || nr < 2) return;
    unsigned bins = t->cfg.model.bins;
    for (int s = 0; s < nr - 1 && s < NLB_MAX_RULES; s++) {
        uint64_t maps[2 * NLB_MAX_PRIORITY], any = 0;
        for (size_t i = 0; i < n; i++) {
            maps[i] = src[i][s];
            any |= maps[i];
        }
        if (!any) continue;
        nlb_binmap bm;
        unsigned nobody = 0;
        unsigned twice = nlb_binmap_from_maps(&bm, bins, prios, maps, n, &nobody);
        if (twice) {
            if (!c->twice_n) { c->twice_first = ts; c->twice_slot = (uint8_t)(s + 1); }
            if (twice > c->twice_n) c->twice_n = twice;
            for (unsigned b = 0; b < bins; b++) {
                unsigned k = 0;
                uint32_t who = 0;
                for (size_t i = 0; i < n; i++)
                    if (maps[i] >> b & 1u) { k++; who |= bit(prios[i]); }
                if (k > 1) c->twice_hosts |= who;
            }
        }
        if (nobody) {
            if (!c->nobody_n) { c->nobody_first = ts; c->nobody_slot = (uint8_t)(s + 1); }
            if (nobody > c->nobody_n) c->nobody_n = nobody;
        }
    }
}

/* ---------- heartbeats ---------- */

static void on_membership(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    const nlb_heartbeat *hb = &pkt->hb;
    unsigned prio = hb->priority;
    if (prio < 1 || prio > NLB_MAX_PRIORITY)
        return;
    cluster_rt *c = cluster_get(t, hb->cluster_ip, NLB_FOUND_BY_HEARTBEAT, ts);
    if (!c) return;
    unsigned ci = cl_index(t, c);
    c->view_ok = false; /* hosts, their state or their maps may change below */
    cluster_check(t, c, ts);
    c->info.from_heartbeats = true;
    c->info.last_seen = ts;
    if (!c->has_hb) {
        c->has_hb = true;
        c->established_at = ts + t->thr;
    }
    if (pkt->src_mac.kind == NLB_MAC_MASKED && pkt->src_mac.vip == hb->cluster_ip)
        evidence(c, EVID_UNICAST);

    host_rt *hr = &c->h[prio];
    nlb_host_info *h = host_of(c, prio);
    if (!h) {
        h = host_add(c, prio);
        hr = &c->h[prio];
        h->dedicated_ip = hb->dedicated_ip;
        h->first_seen = ts;
        nlb_event *e = ev_at(t, add_event(t, ts, NLB_EV_HOST_JOINED, c->info.vip, (uint8_t)prio));
        if (e) e->count = hb->dedicated_ip;
        if (hb->dedicated_ip) idx_put(t, IDX_IP(hb->dedicated_ip), ci, prio);
        c->maps_dirty = true;
        if (ts >= c->established_at)
            conv_signal(t, c, ts, prio, NLB_CONV_TRIGGER_JOIN, 0);
    } else if (hb->dedicated_ip && h->dedicated_ip && hb->dedicated_ip != h->dedicated_ip) {
        /* a second machine with the same priority: keep the first as the host */
        if (!h->dup_dedicated_ip) {
            h->dup_dedicated_ip = hb->dedicated_ip;
            h->dup_seen = ts;
        }
        h->dup_heartbeats++;
        hr->dup_last = ts;
        if (nlb_hb_has(hb, NLB_OFF_CUR_MAP, NLB_MAX_RULES * 8)) {
            for (unsigned i = 0; i < NLB_MAX_RULES; i++)
                hr->dup_map[i] = hb->rules[i].cur_map;
            hr->dup_maps = true;
            c->maps_dirty = true;
        }
        return;
    } else {
        nlb_usec gap = ts - h->last_seen;
        if (gap > h->max_gap) {
            h->max_gap = gap;
            h->max_gap_at = ts;
        }
        if (hr->silent) {
            hr->silent = false;
            h->silent = false;
            c->maps_dirty = true;
            nlb_event *se = ev_at(t, hr->ev_silent);
            if (se) se->duration = gap;
            hr->ev_silent = -1;
            nlb_event *e = ev_at(t, add_event(t, ts, NLB_EV_HOST_BACK, c->info.vip, (uint8_t)prio));
            if (e) e->duration = gap;
            conv_signal(t, c, ts, prio, NLB_CONV_TRIGGER_JOIN, 0);
        }
        if (gap >= t->period / 4 && gap <= 3 * t->period / 4) {
            if (++hr->short_streak >= 2)
                conv_signal(t, c, ts, prio, NLB_CONV_TRIGGER_FAST, 0);
        } else if (gap > 3 * t->period / 4) {
            hr->short_streak = 0;
        }
    }
    h->heartbeats++;
    h->last_seen = ts;
    if (memcmp(h->mac, pkt->src, 6)) {
        memcpy(h->mac, pkt->src, 6);
        if (!mac_zero(pkt->src)) idx_put(t, IDX_MAC(pkt->src), ci, prio);
    }
    if (nlb_hb_has(hb, NLB_OFF_NUM_RULES, 2)) h->num_rules = hb->num_rules;
    if (nlb_hb_has(hb, NLB_OFF_HOST_CODE, 4)) h->host_code = hb->host_code;
    if (nlb_hb_has(hb, NLB_OFF_DEFAULT_HOST_ID, 2)) h->default_host = (uint16_t)(hb->default_host_id + 1);
    if (nlb_hb_has(hb, NLB_OFF_CONV_STATE, 2)) {
        h->conv_state = hb->conv_state;
        if (hb->conv_state == NLB_CONV_CONVERGING)
            conv_signal(t, c, ts, prio, NLB_CONV_TRIGGER_STATE, 0);
    }
    for (unsigned i = 0; i < hb->rules_present && i < NLB_MAX_RULES; i++)
        h->rule_codes[i] = hb->rules[i].code;
    if (hb->rules_present > hr->codes_known) hr->codes_known = hb->rules_present;
    if (nlb_hb_has(hb, NLB_OFF_CUR_MAP, NLB_MAX_RULES * 8)) {
        uint64_t binmask = t->cfg.model.bins >= 64 ? ~0ULL : (((uint64_t)1 << t->cfg.model.bins) - 1);
        unsigned changed = 0;
        for (unsigned i = 0; i < NLB_MAX_RULES; i++) {
            uint64_t m = hb->rules[i].cur_map;
            if (h->has_maps && m != h->cur_map[i]) changed++;
            h->cur_map[i] = m;
            h->bins_owned[i] = (uint8_t)nlb_map_count(m & binmask);
        }
        if (!h->has_maps || changed) c->maps_dirty = true;
        h->has_maps = true;
        if (changed) {
            nlb_event *e = ev_at(t, add_event(t, ts, NLB_EV_MAP_CHANGED, c->info.vip, (uint8_t)prio));
            if (e) e->count = changed;
            conv_signal(t, c, ts, prio, NLB_CONV_TRIGGER_MAP, 0);
        }
    } else {
        h->truncated_heartbeats++;
    }
    bins_check(t, c, ts);
}

static void on_extended(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    const nlb_heartbeat *hb = &pkt->hb;
    cluster_rt *c = cluster_get(t, hb->cluster_ip, NLB_FOUND_BY_HEARTBEAT, ts);
    if (!c) return;
    c->info.from_heartbeats = true;
    c->info.last_seen = ts;
    nlb_host_info *h = hb->priority >= 1 && hb->priority <= NLB_MAX_PRIORITY ? host_of(c, hb->priority) : NULL;
    if (h && (!hb->dedicated_ip || !h->dedicated_ip || hb->dedicated_ip == h->dedicated_ip)) {
        h->heartbeats_extended++;
        if (hb->host_name[0]) {
            /* cut a long name on a UTF-8 character boundary */
            size_t n = 0;
            while (n < sizeof h->host_name - 1 && hb->host_name[n]) n++;
            if (hb->host_name[n])
                while (n && ((unsigned char)hb->host_name[n] & 0xC0) == 0x80) n--;
            memcpy(h->host_name, hb->host_name, n);
            h->host_name[n] = 0;
        }
    }
    /* (guess) IPv6 addresses in extended heartbeats are taken as the cluster's IPv6 VIPs */
    for (unsigned i = 0; i < hb->n_addrs && i < NLB_HB_MAX_ADDRS; i++)
        if (hb->addrs[i].family == 6)
            v6_put(t, hb->addrs[i].a, (uint16_t)cl_index(t, c));
}

/* ---------- failover bursts ---------- */

static void close_burst(nlb_tracker *t)
{
    t->b_open = false;
    if (t->b_n < t->cfg.burst_min_macs || t->b_n == 0)
        return;
    bool any = false;
    for (unsigned i = 0; i < t->n_cl; i++) {
        cluster_rt *c = &t->cl[i];
        uint32_t known = 0;
        for (unsigned k = 0; k < c->info.n_hosts; k++) {
            nlb_host_info *h = &c->info.hosts[k];
            host_rt *hr = &c->h[h->priority];
            /* hosts already silent before the burst are not expected to be announced */
            if (h->first_seen <= t->b_last && !(hr->silent && hr->silent_at <= t->b_start))
                known |= bit(h->priority);
        }
        if (!known) continue;
        any = true;
        nlb_event *e = ev_at(t, add_event(t, t->b_start, NLB_EV_FAILOVER_BURST, c->info.vip, 0));
        if (e) {
            e->count = t->b_n;
            e->hosts_mask = c->announced_all ? 0 : known & ~c->announced;
            e->duration = t->b_last - t->b_start;
            memcpy(e->mac, t->b_first_mac, 6);
        }
    }
    if (!any) {
        nlb_event *e = ev_at(t, add_event(t, t->b_start, NLB_EV_FAILOVER_BURST, 0, 0));
        if (e) {
            e->count = t->b_n;
            e->duration = t->b_last - t->b_start;
            memcpy(e->mac, t->b_first_mac, 6);
        }
    }
}

static void announce(nlb_tracker *t, const uint8_t mac[6], uint32_t spa, nlb_usec ts)
{
    if (mac_zero(mac)) return;
    if (t->b_open && ts - t->b_last > t->cfg.burst_window)
        close_burst(t);
    if (!t->b_open) {
        t->b_open = true;
        t->b_start = ts;
        t->b_n = 0;
        memcpy(t->b_first_mac, mac, 6);
        memset(t->b_set, 0, BURST_SET_CAP * sizeof(uint64_t));
        for (unsigned i = 0; i < t->n_cl; i++) {
            t->cl[i].announced = 0;
            t->cl[i].announced_all = false;
        }
    }
    t->b_last = ts;
    uint64_t key = (uint64_t)1 << 48 | mac48(mac);
    size_t mask = BURST_SET_CAP - 1;
    bool fresh = true;
    for (size_t i = mix64(key) & mask, probes = 0; probes < BURST_SET_CAP / 4 * 3; i = (i + 1) & mask, probes++) {
        if (t->b_set[i] == key) { fresh = false; break; }
        if (!t->b_set[i]) { t->b_set[i] = key; break; }
    }
    if (!fresh) return;
    t->b_n++;
    unsigned ci, prio;
    if (idx_find(t, IDX_MAC(mac), &ci, &prio))
        t->cl[ci].announced |= bit(prio);
    if (spa && idx_find(t, IDX_IP(spa), &ci, &prio))
        t->cl[ci].announced |= bit(prio);
    nlb_mac_info mi;
    nlb_mac_classify(mac, &mi);
    if (mi.kind == NLB_MAC_MASKED || mi.kind == NLB_MAC_UNICAST) {
        int k = vip_find(t, mi.vip);
        if (k >= 0) {
            if (mi.kind == NLB_MAC_MASKED) t->cl[k].announced |= bit(mi.priority);
            else t->cl[k].announced_all = true;
        }
    }
}

/* ---------- ARP, RARP, IGMP ---------- */

static void on_arp(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    const nlb_arp *a = &pkt->arp;
    if (a->status == NLB_MALFORMED) return;
    if (a->rarp) {
        t->counts.rarp++;
        if (a->op == NLB_RARP_REQUEST)
            announce(t, mac_zero(pkt->src) ? a->sha : pkt->src, 0, ts);
        return;
    }
    if (a->gratuitous) {
        t->counts.garp++;
        announce(t, mac_zero(pkt->src) ? a->sha : pkt->src, a->spa, ts);
    }
    if (!(a->op == NLB_ARP_REPLY || a->gratuitous) || !a->spa)
        return;
    nlb_mac_info mi;
    nlb_mac_classify(a->sha, &mi);
    int kind = -1;
    if ((mi.kind == NLB_MAC_UNICAST || mi.kind == NLB_MAC_MULTICAST) && mi.vip == a->spa)
        kind = mi.kind == NLB_MAC_UNICAST ? EVID_UNICAST : EVID_MULTICAST;
    else if (mi.kind == NLB_MAC_IGMP && (a->spa & 0xFFFFu) == mi.vip)
        kind = EVID_IGMP;
    if (kind < 0) return;
    cluster_rt *c = cluster_get(t, a->spa, NLB_FOUND_BY_ARP, ts);
    if (!c) return;
    c->info.last_seen = ts;
    evidence(c, kind);
    if (kind != EVID_UNICAST) {
        if (!c->info.mcast_arp) {
            c->mcast_arp_first = ts;
            memcpy(c->mcast_arp_mac, a->sha, 6);
        }
        c->info.mcast_arp++;
    }
}

static void on_igmp(nlb_tracker *t, const nlb_packet *pkt)
{
    if (pkt->igmp_type != 0x12 && pkt->igmp_type != 0x16) return; /* v1/v2 reports */
    if ((pkt->igmp_group >> 16) != 0xEFFFu) return; /* 239.255.x.y */
    int k = vip_find(t, nlb_ipaddr_to_v4(&pkt->ip_src)); /* NLB reports come from the VIP */
    if (k < 0) return;
    cluster_rt *c = &t->cl[k];
    if ((c->info.vip & 0xFFFFu) != (pkt->igmp_group & 0xFFFFu)) return;
    c->info.igmp_reports++;
    evidence(c, EVID_IGMP);
}

/* ---------- L2 checks on every frame ---------- */

static void l2_checks(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    if (pkt->src_mac.kind == NLB_MAC_UNICAST) {
        int k = vip_find(t, pkt->src_mac.vip);
        if (k >= 0) {
            cluster_rt *c = &t->cl[k];
            t->counts.cluster_mac_as_source++;
            if (!c->info.cluster_mac_as_source) c->cmas_first = ts;
            c->info.cluster_mac_as_source++;
            nlb_event *e = ev_at(t, c->cmas_ev);
            if (c->cmas_ev >= 0 && ts - c->cmas_ev_time < 1000000) {
                if (e) e->count++;
            } else {
                c->cmas_ev = add_event(t, ts, NLB_EV_CLUSTER_MAC_AS_SOURCE, c->info.vip, 0);
                c->cmas_ev_time = ts;
                e = ev_at(t, c->cmas_ev);
                if (e) {
                    e->count = 1;
                    memcpy(e->mac, pkt->src, 6);
                }
            }
        }
    }
    if (!pkt->has_dst) return;
    const nlb_mac_info *d = &pkt->dst_mac;
    if (d->kind == NLB_MAC_UNICAST || d->kind == NLB_MAC_MULTICAST) {
        int k = vip_find(t, d->vip);
        if (k >= 0) {
            t->cl[k].info.frames_to_cluster_mac++;
            evidence(&t->cl[k], d->kind == NLB_MAC_UNICAST ? EVID_UNICAST : EVID_MULTICAST);
        }
    } else if (d->kind == NLB_MAC_IGMP && pkt->ip_dst.family == 4) {
        /* 01-00-5E-7F-FF-FA is also SSDP's MAC: only frames addressed to the VIP itself count */
        uint32_t dip = nlb_ipaddr_to_v4(&pkt->ip_dst);
        int k = vip_find(t, dip);
        if (k >= 0 && (dip & 0xFFFFu) == d->vip) {
            t->cl[k].info.frames_to_cluster_mac++;
            evidence(&t->cl[k], EVID_IGMP);
        }
    }
}

/* ---------- ownership prediction ---------- */

static bool live(const cluster_rt *c, const nlb_host_info *h)
{
    return h->heartbeats && !c->h[h->priority].silent;
}

/* The live hosts of c except priority without (0 = none), as nlb_predict sees them. The
 * default-host claim is the highest-priority live host's; with no rules configured the wire slots
 * are read from the highest-priority host ever seen. */
static void fill_view(const cluster_rt *c, uint8_t without, nlb_owner_view *v)
{
    v->n = 0;
    v->default_host = 0;
    v->num_rules = 0;
    v->codes = NULL;
    for (unsigned i = 0; i < c->info.n_hosts; i++) {
        const nlb_host_info *h = &c->info.hosts[i];
        if (!live(c, h) || h->priority == without) continue;
        if (!v->n)
            v->default_host = h->default_host >= 1 && h->default_host <= NLB_MAX_PRIORITY ? (uint8_t)h->default_host : 0;
        v->prio[v->n] = h->priority;
        v->cur_map[v->n] = h->has_maps ? h->cur_map : NULL;
        v->n++;
    }
    if (c->info.n_hosts) {
        v->num_rules = c->info.hosts[0].num_rules;
        v->codes = c->info.hosts[0].rule_codes;
    }
}

static void predict(nlb_tracker *t, cluster_rt *c, nlb_flow_info *f, flow_rt *fr)
{
    if (!c->view_ok) {
        fill_view(c, t->cfg.without_host, &c->view);
        c->view_ok = true;
    }
    nlb_prediction p = nlb_predict(&t->cfg.model, &c->view, &c->emu, v4_of(&f->vip), f->proto, f->vport,
                                   &f->client, f->cport);
    /* nlb_flow_info's rule 0 is the implicit all-ports rule when none is configured */
    f->rule = t->cfg.model.n_rules ? p.rule : 0;
    if (p.slot >= 0)
        fr->slot = (uint8_t)p.slot;
    f->bin = p.bin;
    f->predicted_host = p.host;
}

/* ---------- flows ---------- */

/* The key of a flow (see fcore); returns FC_LONG for a fingerprint, 0 for canonical IPv4. */
static inline unsigned flow_key(const nlb_ipaddr *cl, const nlb_ipaddr *vip, uint64_t *key)
{
    uint32_t c4, v4, ct, vt;
    uint64_t c8, v8;
    memcpy(&c4, cl->a, 4);
    memcpy(&v4, vip->a, 4);
    memcpy(&c8, cl->a + 4, 8);
    memcpy(&v8, vip->a + 4, 8);
    memcpy(&ct, cl->a + 12, 4);
    memcpy(&vt, vip->a + 12, 4);
    if (cl->family == 4 && vip->family == 4 && !(c8 | v8 | ct | vt)) {
        *key = (uint64_t)c4 | (uint64_t)v4 << 32;
        return 0;
    }
    uint64_t a, b, c, d;
    memcpy(&a, cl->a, 8);
    memcpy(&b, cl->a + 8, 8);
    memcpy(&c, vip->a, 8);
    memcpy(&d, vip->a + 8, 8);
    uint64_t x = mix64(b ^ ((uint64_t)cl->family << 8 | vip->family));
    x = mix64(a ^ x);
    x = mix64(d ^ x);
    *key = mix64(c ^ x);
    return FC_LONG;
}

/* Hash of a flow: a cheap mix of the key, then of the ports and protocol (never overlapping the
 * key before its mix), finished so the low bits depend on every input bit. */
static inline uint32_t flow_hash(uint64_t key, uint16_t cport, uint16_t vport, uint8_t proto)
{
    uint64_t x = (key ^ key >> 31) * 0xbf58476d1ce4e5b9ULL;
    x ^= (uint64_t)cport << 24 | (uint64_t)vport << 8 | proto;
    x = (x ^ x >> 29) * 0x94d049bb133111ebULL;
    return (uint32_t)(x ^ x >> 32);
}

static bool flow_eq(const nlb_flow_info *f, uint8_t proto, const nlb_ipaddr *cl, uint16_t cport, const nlb_ipaddr *vip, uint16_t vport)
{
    return f->proto == proto && f->cport == cport && f->vport == vport && f->client.family == cl->family &&
           !memcmp(f->client.a, cl->a, 16) && !memcmp(f->vip.a, vip->a, 16);
}

/* Make room by dropping the oldest flow (first seen earliest), unless its SYN still awaits
 * judgment: the unanswered queue must never point at a reused slot. Linear probing needs
 * backward-shift deletion to keep every other flow reachable. */
static bool flow_evict_oldest(nlb_tracker *t)
{
    size_t k = t->fl_head;
    if (t->frt[k].state == FS_PENDING)
        return false;
    size_t mask = t->fidx_cap - 1;
    const fcore *c = &t->core[k];
    size_t i = flow_hash(c->key, c->cport, c->vport, c->proto) & mask;
    while ((uint32_t)t->fidx[i] != k + 1)
        i = (i + 1) & mask;
    for (size_t j = i;;) {
        j = (j + 1) & mask;
        uint64_t v = t->fidx[j];
        if (!v) break;
        size_t home = (size_t)(v >> 32) & mask;
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t->fidx[i] = v;
            i = j;
        }
    }
    t->fidx[i] = 0;
    t->fl_head = (t->fl_head + 1) % t->fl_cap;
    t->n_fl--;
    return true;
}

/* Find the flow, or create it when create is set (evicting the oldest when full); -1 otherwise. */
static long flow_lookup(nlb_tracker *t, uint8_t proto, const nlb_ipaddr *cl, uint16_t cport,
                        const nlb_ipaddr *vip, uint16_t vport, bool create, bool *created)
{
    uint64_t key;
    unsigned lf = flow_key(cl, vip, &key);
    uint32_t h = flow_hash(key, cport, vport, proto);
    size_t mask = t->fidx_cap - 1;
    *created = false;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t v = t->fidx[i];
        if (!v) {
            if (!create) return -1;
            if (t->n_fl >= t->fl_cap) {
                t->counts.flows_evicted++; /* the oldest one, or this one when it cannot be */
                if (!t->fl_cap || !flow_evict_oldest(t))
                    return -1;
                return flow_lookup(t, proto, cl, cport, vip, vport, create, created); /* probes moved */
            }
            /* Slots [0, n_fl) are always in use: the ring only turns when full. */
            size_t k = (t->fl_head + t->n_fl++) % t->fl_cap;
            t->fidx[i] = (uint64_t)h << 32 | (k + 1);
            fcore *c = &t->core[k];
            memset(c, 0, sizeof *c);
            c->key = key;
            c->cport = cport;
            c->vport = vport;
            c->proto = proto;
            c->flags = (uint8_t)lf;
            nlb_flow_info *f = &t->fl[k];
            memset(f, 0, sizeof *f);
            f->proto = proto;
            f->client = *cl;
            f->vip = *vip;
            f->cport = cport;
            f->vport = vport;
            memset(&t->frt[k], 0, sizeof t->frt[k]);
            t->frt[k].ep = -1;
            *created = true;
            return (long)k;
        }
        if ((uint32_t)(v >> 32) != h) continue;
        uint32_t k = (uint32_t)v - 1;
        const fcore *c = &t->core[k];
        if (c->key == key && c->cport == cport && c->vport == vport && c->proto == proto &&
            (c->flags & FC_LONG) == lf && (!lf || flow_eq(&t->fl[k], proto, cl, cport, vip, vport)))
            return (long)k;
    }
}

static void judge(nlb_tracker *t, size_t k)
{
    nlb_flow_info *f = &t->fl[k];
    flow_rt *fr = &t->frt[k];
    cluster_rt *c = &t->cl[fr->cl];
    unans_ep *ep = c->ep >= 0 ? &t->ep[c->ep] : NULL;
    if (f->answered && fr->answer_at - fr->syn_at <= t->cfg.answer_timeout) {
        fr->state = FS_ANSWERED;
        c->answered_n++;
        if (ep) {
            ep->total++;
            if (++c->answered_streak >= ANSWERED_STREAK_END && fr->syn_at - ep->last >= UNANS_QUIET_US) {
                ep->active = false;
                c->ep = -1;
            }
        }
        return;
    }
    fr->state = FS_UNANSWERED;
    c->unanswered_n++;
    c->answered_streak = 0;
    if (!ep) {
        if (t->n_ep >= MAX_EPISODES) return;
        c->ep = (int)t->n_ep++;
        ep = &t->ep[c->ep];
        memset(ep, 0, sizeof *ep);
        ep->cl = fr->cl;
        ep->active = true;
        ep->start = fr->syn_at;
        ep->port = f->vport;
        ep->ev = add_event(t, fr->syn_at, NLB_EV_VIP_UNANSWERED, c->info.vip, 0);
    }
    fr->ep = (int16_t)c->ep;
    ep->count++;
    ep->total++;
    ep->syns += f->syns;
    ep->last = fr->syn_at;
    ep->hosts_mask |= bit(f->predicted_host);
    nlb_event *e = ev_at(t, ep->ev);
    if (e) {
        e->count = ep->count;
        e->port = ep->port;
        e->hosts_mask = ep->hosts_mask;
        e->duration = ep->last - ep->start;
    }
}

static unsigned observed_host(nlb_tracker *t, const cluster_rt *c, const nlb_packet *pkt)
{
    unsigned ci, prio;
    if (idx_find(t, IDX_MAC(pkt->src), &ci, &prio) && &t->cl[ci] == c)
        return prio;
    if (pkt->src_mac.kind == NLB_MAC_MASKED && pkt->src_mac.vip == c->info.vip)
        return pkt->src_mac.priority;
    return 0;
}

static void on_ip(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    if (!pkt->has_ports || (pkt->ip_proto != 6 && pkt->ip_proto != 17))
        return;
    int k;
    bool to_vip;
    if (pkt->ip_dst.family == 4) {
        k = vip_find(t, v4_of(&pkt->ip_dst));
        to_vip = k >= 0;
        if (!to_vip) k = vip_find(t, v4_of(&pkt->ip_src));
    } else if (pkt->ip_dst.family == 6) {
        k = v6_find(t, pkt->ip_dst.a);
        to_vip = k >= 0;
        if (!to_vip) k = v6_find(t, pkt->ip_src.a);
    } else {
        return;
    }
    if (k < 0) return;
    cluster_rt *c = &t->cl[k];
    bool created;
    if (to_vip) {
        long i = flow_lookup(t, pkt->ip_proto, &pkt->ip_src, pkt->sport, &pkt->ip_dst, pkt->dport, true, &created);
        if (i < 0) return;
        if (created) {
            nlb_flow_info *f = &t->fl[i];
            f->first_seen = ts;
            t->frt[i].cl = (uint16_t)k;
            predict(t, c, f, &t->frt[i]);
            t->counts.vip_flows++;
            c->info.vip_flows++;
        }
        fcore *fc = &t->core[i];
        fc->last_seen = ts;
        if (!++fc->frames) fc->frames_hi++;
        if (pkt->ip_proto == 6 && (pkt->tcp_flags & (NLB_TCP_SYN | NLB_TCP_ACK)) == NLB_TCP_SYN) {
            nlb_flow_info *f = &t->fl[i];
            flow_rt *fr = &t->frt[i];
            f->syns++;
            if (fr->state == FS_UNANSWERED && fr->ep >= 0)
                t->ep[fr->ep].syns++; /* clients keep retrying after the judgment */
            if (fr->state == FS_NONE && t->fl_cap) {
                fr->state = FS_PENDING;
                fr->syn_at = ts;
                if (t->q_head == t->q_tail)
                    t->q_due = ts + t->cfg.answer_timeout;
                t->q[t->q_tail++ % t->fl_cap] = (uint32_t)i;
            }
        }
    } else {
        long i = flow_lookup(t, pkt->ip_proto, &pkt->ip_dst, pkt->dport, &pkt->ip_src, pkt->sport, false, &created);
        if (i < 0) return;
        fcore *fc = &t->core[i];
        fc->last_seen = ts;
        if (!++fc->frames) fc->frames_hi++;
        if (!(fc->flags & FC_ANSWERED)) {
            fc->flags |= FC_ANSWERED;
            t->fl[i].answered = true;
            t->frt[i].answer_at = ts;
        }
        if (!(fc->flags & FC_OBSERVED)) {
            unsigned o = observed_host(t, c, pkt);
            if (o) {
                nlb_flow_info *f = &t->fl[i];
                fc->flags |= FC_OBSERVED;
                f->observed_host = (uint8_t)o;
                if (f->rule >= 0)
                    nlb_calib_observe(&c->calib[t->frt[i].slot], f->bin, (uint8_t)o);
            }
        }
    }
}

/* ---------- the clock ---------- */

static void advance(nlb_tracker *t, nlb_usec now)
{
    if (!t->started) {
        t->started = true;
        t->first_ts = now;
        t->next_scan = now;
    }
    if (now < t->now) now = t->now; /* input is supposed to be in time order; never go back */
    t->now = now;
    if (now > t->q_due) { /* the SYN at the head of the queue is due (cheap test per frame) */
        t->q_due = INT64_MAX;
        while (t->q_head != t->q_tail) {
            size_t k = t->q[t->q_head % t->fl_cap];
            if (t->frt[k].syn_at + t->cfg.answer_timeout >= now) {
                t->q_due = t->frt[k].syn_at + t->cfg.answer_timeout;
                break;
            }
            t->q_head++;
            judge(t, k);
        }
    }
    if (t->b_open && now - t->b_last > t->cfg.burst_window)
        close_burst(t);
    if (now >= t->next_scan) {
        for (unsigned i = 0; i < t->n_cl; i++)
            cluster_check(t, &t->cl[i], now);
        t->next_scan = now + t->scan_every;
    }
}

void nlb_tracker_feed(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    if (!t || !pkt) return;
    if (!t->started && t->cfg.n_vips) {
        for (unsigned i = 0; i < t->cfg.n_vips; i++)
            cluster_get(t, t->cfg.vips[i], NLB_FOUND_BY_CONFIG, ts);
    }
    advance(t, ts);
    ts = t->now;
    t->counts.frames++;
    if (pkt->status == NLB_TRUNCATED) t->counts.truncated++;
    else if (pkt->status == NLB_MALFORMED) t->counts.malformed++;
    l2_checks(t, pkt, ts);
    switch (pkt->kind) {
    case NLB_FK_HEARTBEAT:
        if (pkt->hb.status == NLB_MALFORMED || pkt->hb.status == NLB_NOT_NLB) break;
        if (pkt->hb.kind == NLB_HB_MEMBERSHIP) {
            t->counts.heartbeats++;
            on_membership(t, pkt, ts);
        } else if (pkt->hb.kind == NLB_HB_EXTENDED) {
            t->counts.heartbeats_extended++;
            on_extended(t, pkt, ts);
        }
        break;
    case NLB_FK_FOREIGN_886F:
        t->counts.foreign_886f++;
        break;
    case NLB_FK_ARP:
    case NLB_FK_RARP:
        on_arp(t, pkt, ts);
        break;
    case NLB_FK_IGMP:
        on_igmp(t, pkt);
        break;
    case NLB_FK_IP:
        on_ip(t, pkt, ts);
        break;
    case NLB_FK_OTHER:
        break;
    }
}

void nlb_tracker_tick(nlb_tracker *t, nlb_usec now)
{
    if (!t) return;
    if (!t->started && t->cfg.n_vips)
        for (unsigned i = 0; i < t->cfg.n_vips; i++)
            cluster_get(t, t->cfg.vips[i], NLB_FOUND_BY_CONFIG, now);
    t->next_scan = now; /* ticks are rare: always look at the clusters */
    advance(t, now);
}

void nlb_tracker_finish(nlb_tracker *t)
{
    if (!t) return;
    if (t->started) {
        nlb_usec end = t->now;
        /* everything due up to and including the last timestamp */
        advance(t, end);
        for (unsigned i = 0; i < t->n_cl; i++)
            cluster_check(t, &t->cl[i], end + 1);
        if (t->b_open)
            close_burst(t); /* the capture ended: the episode is complete */
        for (unsigned i = 0; i < t->n_cl; i++) {
            cluster_rt *c = &t->cl[i];
            for (unsigned k = 0; k < c->info.n_hosts; k++) {
                nlb_host_info *h = &c->info.hosts[k];
                host_rt *hr = &c->h[h->priority];
                h->silent = hr->silent;
                nlb_event *e = ev_at(t, hr->ev_silent);
                if (hr->silent && e) e->duration = end - h->last_seen;
            }
        }
    }
    nlb_tracker_diagnose(t);
}

/* ---------- accessors ---------- */

const nlb_counts *nlb_tracker_counts(const nlb_tracker *t) { return &t->counts; }
size_t nlb_tracker_cluster_count(const nlb_tracker *t) { return t ? t->n_cl : 0; }

const nlb_cluster_info *nlb_tracker_cluster(const nlb_tracker *t, size_t i)
{
    return t && i < t->n_cl ? &t->cl[i].info : NULL;
}

const nlb_cluster_info *nlb_tracker_find_cluster(const nlb_tracker *t, uint32_t vip)
{
    int k = t ? vip_find(t, vip) : -1;
    return k >= 0 ? &t->cl[k].info : NULL;
}

size_t nlb_tracker_event_count(const nlb_tracker *t) { return t ? t->n_ev : 0; }

const nlb_event *nlb_tracker_event(const nlb_tracker *t, size_t i)
{
    if (!t || i >= t->n_ev) return NULL;
    /* The tracker is never a const object (nlb_tracker_new hands out heap memory), so sorting the
     * view on first read is legitimate. Not thread-safe with a concurrent feed, like the rest. */
    sort_events((nlb_tracker *)t);
    return &t->ev[t->ev_order[i]];
}

size_t nlb_tracker_diag_count(const nlb_tracker *t) { return t ? t->n_dg : 0; }
const nlb_diag *nlb_tracker_diag(const nlb_tracker *t, size_t i) { return t && i < t->n_dg ? &t->dg[i] : NULL; }
size_t nlb_tracker_flow_count(const nlb_tracker *t) { return t ? t->n_fl : 0; }
const nlb_flow_info *nlb_tracker_flow(const nlb_tracker *t, size_t i)
{
    if (!t || i >= t->n_fl) return NULL;
    size_t k = (t->fl_head + i) % t->fl_cap;
    /* the per-frame fields live in t->core (see fcore): bring the public record up to date.
     * Writing through const is legitimate here for the same reason as in nlb_tracker_event. */
    nlb_flow_info *f = &((nlb_tracker *)t)->fl[k];
    const fcore *c = &t->core[k];
    f->last_seen = c->last_seen;
    f->frames = (uint64_t)c->frames_hi << 32 | c->frames;
    return f;
}
const nlb_model *nlb_tracker_model(const nlb_tracker *t) { return &t->cfg.model; }

const nlb_calib *nlb_tracker_calib(const nlb_tracker *t, size_t cluster, unsigned slot)
{
    return t && cluster < t->n_cl && slot < NLB_MAX_RULES ? &t->cl[cluster].calib[slot] : NULL;
}

nlb_ownership_summary nlb_tracker_ownership(const nlb_tracker *t)
{
    nlb_ownership_summary s;
    memset(&s, 0, sizeof s);
    s.flows = t->n_fl;
    for (size_t i = 0; i < t->n_fl; i++) {
        const nlb_flow_info *f = &t->fl[i];
        if (!f->observed_host) continue;
        s.with_observed++;
        if (f->predicted_host == f->observed_host) s.agree++;
    }
    s.agreement = s.with_observed ? (double)s.agree / (double)s.with_observed : 1.0;
    double w = 0, acc = 0;
    for (unsigned i = 0; i < t->n_cl; i++)
        for (unsigned r = 0; r < NLB_MAX_RULES; r++) {
            const nlb_calib *cb = &t->cl[i].calib[r];
            double tot = 0;
            for (unsigned b = 0; b < t->cfg.model.bins; b++) tot += cb->total[b];
            if (tot <= 0) continue;
            acc += tot * nlb_calib_consistency(cb, t->cfg.model.bins);
            w += tot;
        }
    s.calibration_consistency = w > 0 ? acc / w : 1.0;
    return s;
}

/* Owner maps of one slot over the hosts of v now (base) and with prio removed or added (alt). */
static void whatif_maps(const nlb_tracker *t, const nlb_owner_view *v, unsigned slot, const nlb_port_rule *r,
                        uint8_t prio, bool join, nlb_binmap *base, nlb_binmap *alt)
{
    uint8_t prios[NLB_MAX_PRIORITY + 1] = { 0 }, w[NLB_MAX_PRIORITY + 1] = { 0 };
    uint64_t maps[NLB_MAX_PRIORITY] = { 0 };
    size_t n = 0;
    bool any_maps = false;
    for (unsigned i = 0; i < v->n; i++) {
        prios[n] = v->prio[i];
        maps[n] = v->cur_map[i] ? v->cur_map[i][slot] : 0;
        w[n] = r && !r->equal_load ? r->weight[v->prio[i]] : 0;
        any_maps = any_maps || v->cur_map[i];
        n++;
    }
    /* as nlb_predict does: a bin's owner from the captured maps when some live host claims it,
     * otherwise from the emulation */
    memset(base, 0, sizeof *base);
    base->bins = t->cfg.model.bins;
    nlb_binmap_assign(base, prios, w, n);
    if (n && any_maps) {
        nlb_binmap fm;
        nlb_binmap_from_maps(&fm, base->bins, prios, maps, n, NULL);
        for (unsigned b = 0; b < base->bins; b++)
            if (fm.owner[b]) base->owner[b] = fm.owner[b];
    }
    *alt = *base;
    size_t m = 0;
    uint8_t p2[NLB_MAX_PRIORITY + 1], w2[NLB_MAX_PRIORITY + 1];
    for (size_t i = 0; i < n; i++)
        if (prios[i] != prio) { p2[m] = prios[i]; w2[m] = w[i]; m++; }
    if (join) {
        p2[m] = prio;
        w2[m] = r && !r->equal_load ? r->weight[prio] : 0;
        m++;
    }
    nlb_binmap_assign(alt, p2, w2, m);
}

size_t nlb_tracker_whatif(const nlb_tracker *t, uint8_t prio, bool join)
{
    if (!t || prio < 1 || prio > NLB_MAX_PRIORITY) return 0;
    /* scratch maps live in the tracker's block (see nlb_tracker_event on const) */
    nlb_binmap *wi = ((nlb_tracker *)t)->wi;
    bool done[NLB_MAX_RULES];
    size_t changed = 0;
    for (unsigned ci = 0; ci < t->n_cl; ci++) {
        const cluster_rt *c = &t->cl[ci];
        memset(done, 0, sizeof done);
        /* now (without the what-if host of the config) and without prio */
        nlb_owner_view now, gone;
        fill_view(c, t->cfg.without_host, &now);
        fill_view(c, prio, &gone);
        for (size_t i = 0; i < t->n_fl; i++) {
            const nlb_flow_info *f = &t->fl[i];
            const flow_rt *fr = &t->frt[i];
            if (fr->cl != ci) continue;
            const nlb_port_rule *r = f->rule >= 0 && (unsigned)f->rule < t->cfg.model.n_rules ? &t->cfg.model.rules[f->rule] : NULL;
            unsigned before, after;
            if (f->rule < 0) {
                /* the default host is the claimed one, else the highest-priority live host */
                before = nlb_owner_default_host(&now);
                if (join) after = !before || prio < before ? prio : before;
                else after = before == prio ? nlb_owner_default_host(&gone) : before;
            } else if (r && r->mode == NLB_FILTER_DISABLED) {
                continue;
            } else if (r && r->mode == NLB_FILTER_SINGLE) {
                before = nlb_owner_single_host(&now, r);
                after = join ? before : (before == prio ? nlb_owner_single_host(&gone, r) : before);
                if (join) {
                    unsigned hb = before ? r->handling[before] : 0, hp = r->handling[prio];
                    if (!before || (hp && (!hb || hp < hb)) || (!hp && !hb && prio < before)) after = prio;
                }
            } else {
                unsigned s = fr->slot;
                nlb_binmap *base = &wi[(ci * NLB_MAX_RULES + s) * 2], *alt = base + 1;
                if (!done[s]) {
                    whatif_maps(t, &now, s, r, prio, join, base, alt);
                    done[s] = true;
                }
                before = base->owner[f->bin];
                after = alt->owner[f->bin];
            }
            if (before != after) changed++;
        }
    }
    return changed;
}

/* ---------- diagnostics ---------- */

/* A new diagnostic at its table severity (diag.def); detectors whose evidence moves it set it after. */
static nlb_diag *add_diag(nlb_tracker *t, nlb_diag_code code, nlb_usec time, const cluster_rt *c)
{
    if (t->n_dg >= NLB_DIAG_CAP) {
        t->counts.diags_dropped++;
        return NULL;
    }
    nlb_diag *d = &t->dg[t->n_dg++];
    memset(d, 0, sizeof *d);
    d->code = code;
    d->severity = nlb_diag_info(code)->severity;
    d->time = time;
    if (c) {
        d->vip = c->info.vip;
        d->mode = (uint8_t)c->info.mode;
    }
    return d;
}

bool nlb_config_compare(const nlb_host_config *hosts, size_t n, nlb_config_diff *out)
{
    nlb_config_diff d;
    memset(&d, 0, sizeof d);
    uint32_t count_diff = 0, code_diff = 0;
    const nlb_host_config *ref = n && hosts ? &hosts[0] : NULL;
    for (size_t k = 0; ref && k < n; k++) {
        const nlb_host_config *h = &hosts[k];
        if (h->default_host >= 1 && h->default_host <= NLB_MAX_PRIORITY) {
            d.default_mask |= bit(h->default_host);
            d.claimers++;
        }
        if (!k) continue;
        if (h->num_rules != ref->num_rules) {
            if (!count_diff) d.rules_n2 = h->num_rules;
            count_diff |= bit(h->priority);
            continue; /* codes of a different rule count are not comparable slot by slot */
        }
        unsigned m = h->num_rules;
        unsigned ka = ref->codes ? ref->codes_present : 0, kb = h->codes ? h->codes_present : 0;
        if (m > ka) m = ka;
        if (m > kb) m = kb;
        for (unsigned s = 0; s < m && s < NLB_MAX_RULES; s++)
            if (h->codes[s] != ref->codes[s]) {
                if (!code_diff && !count_diff) { d.rules_n3 = s + 1; d.rules_n1 = ref->codes[s]; d.rules_n2 = h->codes[s]; }
                code_diff |= bit(h->priority);
                break;
            }
    }
    /* a count mismatch explains any code mismatch: report it alone */
    if (count_diff) {
        d.rules_mask = bit(ref->priority) | count_diff;
        d.rules_n1 = ref->num_rules;
        d.rules_n3 = 0;
    } else if (code_diff) {
        d.rules_mask = bit(ref->priority) | code_diff;
    } else {
        d.rules_n1 = d.rules_n2 = d.rules_n3 = 0;
    }
    d.multi_default = __builtin_popcount(d.default_mask) > 1;
    if (out) *out = d;
    return d.rules_mask || d.multi_default;
}

static void diag_config(nlb_tracker *t, const cluster_rt *c)
{
    const nlb_cluster_info *ci = &c->info;
    /* duplicate priorities */
    for (unsigned k = 0; k < ci->n_hosts; k++) {
        const nlb_host_info *h = &ci->hosts[k];
        if (!h->dup_dedicated_ip) continue;
        nlb_diag *d = add_diag(t, NLB_D_DUP_PRIORITY, h->dup_seen, c);
        if (d) {
            d->hosts_mask = bit(h->priority);
            d->n1 = h->dedicated_ip;
            d->n2 = h->dup_dedicated_ip;
        }
    }
    /* every host ever heard, live or not, against the highest-priority one */
    nlb_host_config hc[NLB_MAX_PRIORITY];
    size_t n = 0;
    for (unsigned k = 0; k < ci->n_hosts && n < NLB_MAX_PRIORITY; k++) {
        const nlb_host_info *h = &ci->hosts[k];
        if (!h->heartbeats) continue;
        hc[n].priority = h->priority;
        hc[n].num_rules = h->num_rules;
        hc[n].codes_present = c->h[h->priority].codes_known;
        hc[n].codes = h->rule_codes;
        hc[n].default_host = h->default_host;
        n++;
    }
    nlb_config_diff cd;
    nlb_config_compare(hc, n, &cd);
    if (cd.rules_mask) {
        nlb_diag *d = add_diag(t, NLB_D_RULE_MISMATCH, ci->first_seen, c);
        if (d) { d->hosts_mask = cd.rules_mask; d->n1 = cd.rules_n1; d->n2 = cd.rules_n2; d->n3 = cd.rules_n3; }
    }
    if (cd.multi_default) {
        nlb_diag *d = add_diag(t, NLB_D_MULTI_DEFAULT, ci->first_seen, c);
        if (d) { d->hosts_mask = cd.default_mask; d->n1 = cd.claimers; }
    }
    if (c->twice_n) {
        nlb_diag *d = add_diag(t, NLB_D_BIN_TWICE, c->twice_first, c);
        if (d) { d->n1 = c->twice_n; d->n2 = c->twice_slot; d->hosts_mask = c->twice_hosts; }
    }
    if (c->nobody_n) {
        nlb_diag *d = add_diag(t, NLB_D_BIN_NOBODY, c->nobody_first, c);
        if (d) { d->n1 = c->nobody_n; d->n2 = c->nobody_slot; }
    }
}

static void diag_cluster(nlb_tracker *t, const cluster_rt *c)
{
    const nlb_cluster_info *ci = &c->info;
    diag_config(t, c);
    for (unsigned k = 0; k < ci->n_convergence; k++) {
        const nlb_convergence *cv = &ci->convergence[k];
        nlb_usec dur = (cv->end ? cv->end : t->now) - cv->start;
        bool open = cv->end == 0;
        nlb_diag *d = add_diag(t, NLB_D_CONVERGENCE, cv->start, c);
        if (d) {
            if (open || dur > CONV_LONG_US) d->severity = NLB_SEV_WARNING;
            d->duration = dur;
            d->hosts_mask = bit(cv->trigger_host);
            d->n1 = cv->trigger;
            d->n2 = open;
            d->n3 = (uint32_t)(cv->trigger_gap / 1000);
        }
    }
    if (ci->cluster_mac_as_source) {
        nlb_diag *d = add_diag(t, NLB_D_CLUSTER_MAC_SOURCE, c->cmas_first, c);
        if (d) {
            d->n1 = (uint32_t)ci->cluster_mac_as_source;
            nlb_mac_make(NLB_MAC_UNICAST, ci->vip, 0, d->mac);
        }
    }
    if (ci->mcast_arp) {
        nlb_diag *d = add_diag(t, NLB_D_MCAST_ARP, c->mcast_arp_first, c);
        if (d) {
            /* harmless while the VIP's connections are answered: the router accepted it */
            if (c->unanswered_n || !c->answered_n) d->severity = NLB_SEV_WARNING;
            d->n1 = (uint32_t)ci->mcast_arp;
            memcpy(d->mac, c->mcast_arp_mac, 6);
        }
    }
    if (ci->mode == NLB_MODE_IGMP && !ci->igmp_reports && t->now - ci->first_seen >= IGMP_MIN_SPAN_US) {
        nlb_diag *d = add_diag(t, NLB_D_IGMP_MISSING, ci->first_seen, c);
        if (d) d->duration = t->now - ci->first_seen;
    }
    uint64_t trunc = 0;
    uint32_t nomaps = 0;
    nlb_usec first_trunc = 0;
    for (unsigned k = 0; k < ci->n_hosts; k++) {
        const nlb_host_info *h = &ci->hosts[k];
        if (!h->truncated_heartbeats) continue;
        trunc += h->truncated_heartbeats;
        if (!h->has_maps) nomaps |= bit(h->priority);
        if (!first_trunc || h->first_seen < first_trunc) first_trunc = h->first_seen;
    }
    if (trunc) {
        nlb_diag *d = add_diag(t, NLB_D_TRUNCATED, first_trunc, c);
        if (d) { d->n1 = (uint32_t)trunc; d->hosts_mask = nomaps; }
    }
}

static void sort_diags(nlb_tracker *t)
{
    for (size_t i = 1; i < t->n_dg; i++) {
        nlb_diag x = t->dg[i];
        size_t j = i;
        while (j && (t->dg[j - 1].time > x.time || (t->dg[j - 1].time == x.time && t->dg[j - 1].code > x.code))) {
            t->dg[j] = t->dg[j - 1];
            j--;
        }
        t->dg[j] = x;
    }
}

void nlb_tracker_diagnose(nlb_tracker *t)
{
    if (!t) return;
    t->n_dg = 0;
    t->counts.diags_dropped = 0;
    sort_events(t);
    for (unsigned i = 0; i < t->n_cl; i++)
        diag_cluster(t, &t->cl[i]);
    /* per-event diagnostics: silences and failover bursts */
    for (size_t i = 0; i < t->n_ev; i++) {
        const nlb_event *e = &t->ev[t->ev_order[i]];
        int k = vip_find(t, e->vip);
        const cluster_rt *c = k >= 0 ? &t->cl[k] : NULL;
        if (e->kind == NLB_EV_HOST_SILENT && c) {
            const nlb_host_info *h = &c->info.hosts[c->slot_of[e->host]];
            bool still = c->h[e->host].silent && c->h[e->host].ev_silent == (int)t->ev_order[i];
            nlb_diag *d = add_diag(t, NLB_D_HOST_SILENT, e->time - t->thr, c);
            if (d) {
                if (!still) d->severity = NLB_SEV_WARNING;
                d->hosts_mask = bit(e->host);
                d->duration = still ? t->now - h->last_seen : e->duration;
                d->n1 = still;
                d->n2 = (uint32_t)(t->thr / 1000);
            }
        } else if (e->kind == NLB_EV_FAILOVER_BURST && c && e->hosts_mask) {
            /* new connections after the burst: how many went unanswered, and to which port */
            uint32_t total = 0, unans = 0;
            uint16_t ports[16];
            uint32_t pc[16];
            unsigned np = 0;
            for (size_t f = 0; f < t->n_fl; f++) {
                const flow_rt *fr = &t->frt[f];
                if (fr->cl != (unsigned)k || fr->syn_at < e->time) continue;
                if (fr->state != FS_ANSWERED && fr->state != FS_UNANSWERED) continue;
                total++;
                if (fr->state != FS_UNANSWERED) continue;
                unans++;
                unsigned p = 0;
                while (p < np && ports[p] != t->fl[f].vport) p++;
                if (p == np && np < 16) { ports[np] = t->fl[f].vport; pc[np++] = 0; }
                if (p < np) pc[p]++;
            }
            unsigned best = 0;
            for (unsigned p = 1; p < np; p++) if (pc[p] > pc[best]) best = p;
            /* unanswered connections after it make it the incident; without any connection to
             * judge it is a risk; if every one was answered the switch still reached the hosts */
            nlb_diag *d = add_diag(t, NLB_D_FAILOVER_UNANNOUNCED, e->time, c);
            if (d) {
                d->severity = unans ? NLB_SEV_ERROR : total ? NLB_SEV_INFO : NLB_SEV_WARNING;
                d->hosts_mask = e->hosts_mask;
                d->n1 = e->count;
                d->n3 = unans;
                d->n4 = total;
                d->port = np ? ports[best] : 0;
                d->duration = e->duration;
                memcpy(d->mac, e->mac, 6);
            }
        }
    }
    for (size_t e = 0; e < t->n_ep; e++) {
        const unans_ep *ep = &t->ep[e];
        nlb_diag *d = add_diag(t, NLB_D_VIP_UNANSWERED, ep->start, &t->cl[ep->cl]);
        if (d) {
            d->port = ep->port;
            d->n1 = ep->count;
            d->n2 = ep->total;
            d->n3 = ep->syns;
            d->hosts_mask = ep->hosts_mask;
            d->duration = ep->last - ep->start;
        }
    }
    nlb_ownership_summary s = nlb_tracker_ownership(t);
    if (s.with_observed >= OWNER_MIN_FLOWS && s.agreement < OWNER_MIN_AGREEMENT) {
        nlb_diag *d = add_diag(t, NLB_D_OWNER_MISMATCH, t->first_ts, NULL);
        if (d) {
            d->n1 = (uint32_t)s.agree;
            d->n2 = (uint32_t)s.with_observed;
            d->n3 = (uint32_t)(s.calibration_consistency * 100.0 + 0.5);
        }
    }
    if (t->counts.flows_evicted) {
        nlb_diag *d = add_diag(t, NLB_D_FLOWS_EVICTED, t->first_ts, NULL);
        if (d) {
            d->n1 = (uint32_t)t->counts.flows_evicted;
            d->n2 = (uint32_t)t->fl_cap;
        }
    }
    sort_diags(t);
}
