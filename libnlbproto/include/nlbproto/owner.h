/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: the ownership model, affinity key -> bin -> host (protocol doc section 4).
 * This is an EMULATION: the Windows hash is not public. Every front end must say so. */
#ifndef NLBPROTO_OWNER_H
#define NLBPROTO_OWNER_H

#include "heartbeat.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NLB_BINS_DEFAULT 60
#define NLB_BINS_MAX 64

typedef enum nlb_rule_proto { NLB_RP_TCP = 1, NLB_RP_UDP = 2, NLB_RP_BOTH = 3 } nlb_rule_proto;
typedef enum nlb_filter_mode { NLB_FILTER_MULTIPLE = 0, NLB_FILTER_SINGLE = 1, NLB_FILTER_DISABLED = 2 } nlb_filter_mode;
typedef enum nlb_affinity { NLB_AFF_NONE = 0, NLB_AFF_SINGLE = 1, NLB_AFF_CLASSC = 2 } nlb_affinity;

/* One port rule as configured in NLB Manager. */
typedef struct nlb_port_rule {
    uint32_t vip;              /* host order; 0 = "All" cluster IPs */
    uint16_t start, end;       /* inclusive port range */
    nlb_rule_proto proto;
    nlb_filter_mode mode;
    nlb_affinity affinity;
    bool equal_load;           /* true: weights ignored */
    uint8_t weight[NLB_MAX_PRIORITY + 1];   /* by host priority, 0..100 (multiple-host mode) */
    uint8_t handling[NLB_MAX_PRIORITY + 1]; /* by host priority, single-host mode: lowest non-zero wins */
} nlb_port_rule;

/* Hash over an affinity key; swappable so users can try their own emulation. */
typedef uint32_t (*nlb_hash_fn)(const uint8_t *key, size_t len, uint32_t seed);

/* The emulation model: rules, bins and hash. Plain struct, no allocation. */
typedef struct nlb_model {
    unsigned bins;             /* per rule, 1..64, default 60 */
    nlb_hash_fn hash;
    const char *hash_name;
    uint32_t seed;
    nlb_affinity default_affinity; /* used when no rule is configured */
    unsigned n_rules;
    nlb_port_rule rules[NLB_MAX_RULES];
} nlb_model;

/* Jenkins one-at-a-time hash, the default of the emulation. */
uint32_t nlb_hash_oaat(const uint8_t *key, size_t len, uint32_t seed);
/* Fill *m with defaults: 60 bins, one-at-a-time hash, seed 0, no rules, affinity Single. */
void nlb_model_init(nlb_model *m);
/* Append a rule; false when 33 are already there or the range is inverted. */
bool nlb_model_add_rule(nlb_model *m, const nlb_port_rule *r);
/* Index of the rule covering (vip, ip_proto 6/17, port): a VIP-specific rule beats an "All" rule; -1 = uncovered (default host). */
int nlb_model_match(const nlb_model *m, uint32_t vip, uint8_t ip_proto, uint16_t port);
/* Build the affinity key (None: IP+port, Single: IP, Class C: top 24 bits) into key[18]; returns its length. */
size_t nlb_affinity_key(nlb_affinity aff, const nlb_ipaddr *client, uint16_t cport, uint8_t key[18]);
/* Bin of a client under an affinity: (hash x bins) >> 32. */
unsigned nlb_model_bin(const nlb_model *m, nlb_affinity aff, const nlb_ipaddr *client, uint16_t cport);

/* Owner of every bin of one rule: owner[bin] = host priority, 0 = nobody. */
typedef struct nlb_binmap {
    unsigned bins;
    uint8_t owner[NLB_BINS_MAX];
} nlb_binmap;

/* Emulated weight-proportional assignment over hosts prios[n] (weights[n], 0 = equal) starting from *m's current owners, moving the fewest bins.
 * weights NULL or all 0: equal shares; otherwise a host of weight 0 gets no bin. m->bins outside 1..64 becomes 60. */
void nlb_binmap_assign(nlb_binmap *m, const uint8_t *prios, const uint8_t *weights, size_t n);
/* Build a map from hosts' current maps; returns the number of bins owned twice, *nobody gets bins owned by nobody. */
unsigned nlb_binmap_from_maps(nlb_binmap *m, unsigned bins, const uint8_t *prios, const uint64_t *maps, size_t n, unsigned *nobody);
/* The 64-bit map of the bins owned by prio. */
uint64_t nlb_binmap_mask(const nlb_binmap *m, uint8_t prio);

/* Calibration: bin -> host learned from observed answers. */
typedef struct nlb_calib {
    uint8_t owner[NLB_BINS_MAX];   /* most frequent observed owner */
    uint32_t votes[NLB_BINS_MAX];  /* answers that agreed with owner[] (Boyer-Moore counter: minus those that disagreed since owner[] was adopted) */
    uint32_t total[NLB_BINS_MAX];  /* all answers seen for the bin */
} nlb_calib;

/* Record that bin was observed answered by host prio (Boyer-Moore majority vote). */
void nlb_calib_observe(nlb_calib *c, unsigned bin, uint8_t prio);
/* Share of observations that agree with the learned owners, 0..1 (1 when nothing observed). */
double nlb_calib_consistency(const nlb_calib *c, unsigned bins);

/* ---- flow-ownership prediction, shared by nlbreplay (through the tracker) and the plugin ---- */

/* A buffer this size always holds nlb_bins_str() in full (its longest output, 64 bins as
 * "0-1, 3-4, ...", is 142 characters). */
#define NLB_BINS_STR_LEN 192

/* The hosts a prediction may choose from, filled by the caller: front ends judge liveness their
 * own way (tracker state, period x tolerance). Order does not matter: ties go to the lowest
 * priority number, as NLB gives them to the highest-priority host. */
typedef struct nlb_owner_view {
    unsigned n;                                /* hosts in prio[], at most NLB_MAX_PRIORITY */
    uint8_t prio[NLB_MAX_PRIORITY];            /* live host priorities 1..32, each once */
    const uint64_t *cur_map[NLB_MAX_PRIORITY]; /* its current maps by rule slot (NLB_MAX_RULES of them); NULL = not captured */
    uint8_t default_host;                      /* claimed default host (priority, 0 = unknown); taken only when it is in prio[] */
    uint16_t num_rules;                        /* with no rules configured, the map slot is the first of the */
    const uint32_t *codes;                     /* num_rules wire codes covering the port (guess); NULL = slot 0 */
} nlb_owner_view;

/* Emulated maps kept per map slot between predictions, so that a change of the live set moves
 * the fewest bins. Zero-initialise one per cluster. */
typedef struct nlb_emu_cache {
    uint32_t live[NLB_MAX_RULES];  /* live set (bit p-1 = priority p) each map was assigned for */
    nlb_binmap map[NLB_MAX_RULES];
} nlb_emu_cache;

/* Which step of the prediction decided the owner (nlb_pred_source_name gives the wording). */
typedef enum nlb_pred_source {
    NLB_PRED_NONE = 0,         /* no prediction (no model or no view) */
    NLB_PRED_MAPS,             /* a live host's captured current map holds the bin */
    NLB_PRED_EMULATED,         /* no captured map holds it: emulated assignment over the live hosts */
    NLB_PRED_DEFAULT_HOST,     /* rules are configured and none covers the port */
    NLB_PRED_SINGLE_HOST,      /* single-host rule: the live host of lowest handling priority */
    NLB_PRED_DROPPED,          /* the rule's filtering mode is disabled: every host drops it */
    NLB_PRED_LEARNED           /* an earlier answer of the same affinity key or bin (learn.h): evidence */
} nlb_pred_source;

typedef struct nlb_prediction {
    int rule;                  /* index in the model's rules; -1 = none covers the port, or none configured */
    int slot;                  /* map slot: the rule's index, or the wire slot when no rules are configured; -1 = no bin */
    bool has_bin;              /* a rule matched (any mode) or no rules are configured */
    uint8_t bin;
    nlb_affinity affinity;     /* the one the bin was computed with */
    uint8_t host;              /* predicted owner (priority); 0 = nobody: dropped, or no live host */
    nlb_pred_source source;
} nlb_prediction;

/* Predict the owner of a flow to vip:vport (host order, 0 for IPv6) from client:cport; emu may be NULL (no movement history). */
nlb_prediction nlb_predict(const nlb_model *m, const nlb_owner_view *v, nlb_emu_cache *emu, uint32_t vip,
                           uint8_t ip_proto, uint16_t vport, const nlb_ipaddr *client, uint16_t cport);
/* Default host among v's hosts: the claimed one when it is in the view, else the lowest priority number; 0 = none. */
uint8_t nlb_owner_default_host(const nlb_owner_view *v);
/* Single-host rule owner among v's hosts: lowest non-zero handling priority, ties and no handling set to the lowest priority number; 0 = none. */
uint8_t nlb_owner_single_host(const nlb_owner_view *v, const nlb_port_rule *r);
/* Wording of a prediction source ("heartbeat maps", "emulation", "default host", "single-host rule", "dropped by rule", "learned from answers", "none"). */
const char *nlb_pred_source_name(nlb_pred_source s);
/* Stable key of a prediction source for csv, json and filters: "map", "emulated", "default host",
 * "single host", "dropped", "learned", "none". */
const char *nlb_pred_source_key(nlb_pred_source s);
/* The bins set in map (first bins of them, 1..64, else 64) as ranges "0-19, 40", "none" when empty; ranges that do not fit end in "..."; returns strlen. */
size_t nlb_bins_str(uint64_t map, unsigned bins, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
