/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: owners learned from the answers a capture holds: evidence, where owner.h's
 * prediction is an EMULATION of the unpublished Windows hash.
 *
 * A flow answered by a known host says "this host owns this flow's affinity key". Under Single
 * affinity the key is the client IP, under Class C its /24; under None it is the client IP and
 * port, new for every connection, so None can only be learned through the emulated bins (and
 * only when the emulated hash happens to group flows as Windows does). The table learns, for
 * each scope (a port rule of one cluster), each affinity at once: the client key's owner and the
 * emulated bin's owner. Every observation first checks what the table already held, which is
 * the evidence that tells the affinities apart: a client seen again on another host refutes
 * Single; flows of one /24 on several hosts refute Class C.
 *
 * Memory is the caller's (nlb_learn_bytes, nlb_learn_init): a fixed open-addressing table that
 * refuses new keys once half full and counts them. Learned facts carry the epoch of their owner
 * in the scope; bumping it (nlb_learn_forget) drops them, which the caller does when the bin maps
 * say that host's ownership changed. */
#ifndef NLBPROTO_LEARN_H
#define NLBPROTO_LEARN_H

#include "owner.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NLB_AFF_COUNT 3
/* An affinity is refuted once at least LEARN_MIN_CHECKS answers met a key already learned and
 * more than 1 in NLB_LEARN_REFUTE_DIV of them disagreed (a convergence may move a few). */
#define NLB_LEARN_MIN_CHECKS 5
#define NLB_LEARN_REFUTE_DIV 20
/* Emulated bins are trusted for new keys only once NLB_LEARN_BIN_MIN_CHECKS answers met a
 * learned bin and at least NLB_LEARN_BIN_TRUST_PCT percent agreed: a wrong emulated hash scatters
 * flows over bins at random and fails this. */
#define NLB_LEARN_BIN_MIN_CHECKS 10
#define NLB_LEARN_BIN_TRUST_PCT 90

typedef struct nlb_learn_entry {
    uint64_t fp;               /* fingerprint of scope, kind, affinity and key; 0 = empty */
    uint16_t epoch;            /* the owner's epoch in its scope when learned */
    uint8_t owner;             /* host priority */
    uint8_t kind;              /* 1 client key, 2 emulated bin */
    uint16_t votes;            /* Boyer-Moore counter for owner */
    uint16_t against;          /* answers that disagreed with the owner held then (saturating) */
} nlb_learn_entry;

typedef struct nlb_learn {
    nlb_learn_entry *e;
    size_t cap;                /* power of two */
    size_t n, limit;           /* entries used; new keys are refused at limit (cap / 2) */
    uint64_t refused;          /* observations whose new key did not fit */
} nlb_learn;

/* What the answers of one scope said about one affinity (prequential: each answer is checked
 * against what earlier answers taught, then learned). */
typedef struct nlb_aff_evidence {
    uint32_t answered;         /* answers observed */
    uint32_t key_checks;       /* answers whose client key was already learned */
    uint32_t key_hits;         /* ... and it named the answering host */
    uint32_t bin_checks;       /* answers with a new key whose emulated bin was learned */
    uint32_t bin_hits;
} nlb_aff_evidence;

/* One port rule of one cluster. Zero it, then set id (unique per table). */
typedef struct nlb_learn_scope {
    uint32_t id;
    uint16_t epoch[NLB_MAX_PRIORITY + 1];  /* by priority; nlb_learn_forget bumps one */
    nlb_aff_evidence ev[NLB_AFF_COUNT];    /* by nlb_affinity */
} nlb_learn_scope;

/* Which affinity the evidence of a scope supports. */
typedef struct nlb_aff_verdict {
    nlb_affinity best;
    bool evidence;             /* some answer met a learned key or a trusted bin */
    uint32_t answered;
    uint32_t explained[NLB_AFF_COUNT];    /* answers the affinity predicted right from earlier ones */
    uint32_t contradicted[NLB_AFF_COUNT]; /* answers it predicted wrong */
    bool refuted[NLB_AFF_COUNT];
    bool bins_trusted[NLB_AFF_COUNT];
} nlb_aff_verdict;

/* How a learned owner was found. */
typedef enum nlb_learn_level { NLB_LEARN_NONE = 0, NLB_LEARN_KEY = 1, NLB_LEARN_BIN = 2 } nlb_learn_level;

/* Bytes of table memory for max_keys keys (at least 16); 0 when too large. */
size_t nlb_learn_bytes(size_t max_keys);
/* Use mem (bytes long, aligned for uint64_t) as an empty table; false when bytes holds fewer than 32 entries. */
bool nlb_learn_init(nlb_learn *l, void *mem, size_t bytes);
/* The flow from client:cport in scope s was answered by host prio: check it against what was
 * learned (evidence in s->ev), then learn it for every affinity. */
void nlb_learn_observe(nlb_learn *l, nlb_learn_scope *s, const nlb_model *m, const nlb_ipaddr *client,
                       uint16_t cport, uint8_t prio);
/* The learned owner of client:cport under affinity aff (0 = none): the client key's, else the
 * emulated bin's when s's evidence trusts bins for aff; *level says which (may be NULL). */
uint8_t nlb_learn_predict(const nlb_learn *l, const nlb_learn_scope *s, const nlb_model *m, nlb_affinity aff,
                          const nlb_ipaddr *client, uint16_t cport, nlb_learn_level *level);
/* Drop what was learned for host prio in s (its bins moved). */
void nlb_learn_forget(nlb_learn_scope *s, uint8_t prio);
/* The affinity the evidence of s supports: among those not refuted, the one explaining most
 * answers; ties keep assumed, then Single, Class C, None. No evidence: assumed. */
nlb_affinity nlb_learn_detect(const nlb_learn_scope *s, nlb_affinity assumed, nlb_aff_verdict *out);
/* "Single affinity explains 108 of 111 answered flows; Class C 40 (contradicted by 60); None 0"
 * into buf; returns strlen. */
size_t nlb_learn_verdict_format(const nlb_aff_verdict *v, char *buf, size_t len);
/* "none", "single", "classc" (the --affinity and rules-file words). */
const char *nlb_affinity_key_name(nlb_affinity a);
/* "None", "Single", "Class C" (NLB Manager's words). */
const char *nlb_affinity_name(nlb_affinity a);

#ifdef __cplusplus
}
#endif
#endif
