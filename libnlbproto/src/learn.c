/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Owners learned from answers (learn.h): a fixed table of client keys and emulated bins per
 * scope and affinity, the evidence each answer adds, and the affinity it supports. */
#include <stdio.h>
#include <string.h>

#include "nlbproto/learn.h"
#include "mix.h"

enum { K_KEY = 1, K_BIN = 2 };


/* 64-bit fingerprints: two keys of one table colliding is a 2^-64 event per pair, far below the
 * other errors of a capture; a collision would only merge two keys' votes. */
static uint64_t fingerprint(const nlb_learn_scope *s, unsigned kind, nlb_affinity aff, const uint8_t *key, size_t len)
{
    uint64_t h = mix64((uint64_t)s->id << 8 | kind << 4 | (unsigned)aff);
    for (size_t i = 0; i < len; i += 8) {
        uint64_t w = 0;
        memcpy(&w, key + i, len - i < 8 ? len - i : 8);
        h = mix64(h ^ w ^ (uint64_t)len << 56);
    }
    return h ? h : 1;
}

size_t nlb_learn_bytes(size_t max_keys)
{
    if (max_keys > ((size_t)1 << 28)) return 0;
    size_t cap = 32;
    while (cap < 2 * max_keys) cap <<= 1;
    return cap * sizeof(nlb_learn_entry);
}

bool nlb_learn_init(nlb_learn *l, void *mem, size_t bytes)
{
    memset(l, 0, sizeof *l);
    size_t cap = 32;
    if (!mem || bytes < cap * sizeof(nlb_learn_entry)) return false;
    while (cap * 2 * sizeof(nlb_learn_entry) <= bytes) cap <<= 1;
    l->e = mem;
    l->cap = cap;
    l->limit = cap / 2;
    memset(mem, 0, cap * sizeof(nlb_learn_entry));
    return true;
}

/* The entry of fp, or a new one when create is set and there is room; NULL otherwise. */
static nlb_learn_entry *slot(nlb_learn *l, uint64_t fp, bool create)
{
    if (!l->e) return NULL;
    size_t mask = l->cap - 1;
    for (size_t i = fp & mask;; i = (i + 1) & mask) {
        nlb_learn_entry *e = &l->e[i];
        if (e->fp == fp) return e;
        if (!e->fp) {
            if (!create) return NULL;
            if (l->n >= l->limit) {
                l->refused++;
                return NULL;
            }
            l->n++;
            e->fp = fp;
            return e;
        }
    }
}

static const nlb_learn_entry *find(const nlb_learn *l, uint64_t fp)
{
    return slot((nlb_learn *)l, fp, false); /* create = false never writes */
}

static bool valid(const nlb_learn_scope *s, const nlb_learn_entry *e)
{
    return e && e->owner >= 1 && e->owner <= NLB_MAX_PRIORITY && e->epoch == s->epoch[e->owner];
}

static void vote(const nlb_learn_scope *s, nlb_learn_entry *e, unsigned kind, uint8_t prio)
{
    if (!valid(s, e)) {
        e->owner = prio;
        e->kind = (uint8_t)kind;
        e->votes = 1;
        e->against = 0;
        e->epoch = s->epoch[prio];
        return;
    }
    if (e->owner == prio) {
        if (e->votes < UINT16_MAX) e->votes++;
        return;
    }
    if (e->against < UINT16_MAX) e->against++;
    if (--e->votes == 0) {
        e->owner = prio;
        e->votes = 1;
        e->epoch = s->epoch[prio];
    }
}

/* Fingerprints of the client key (0 under None: a new key per connection) and emulated bin. */
static void keys_of(const nlb_learn_scope *s, const nlb_model *m, nlb_affinity aff, const nlb_ipaddr *client,
                    uint16_t cport, uint64_t *kfp, uint64_t *bfp)
{
    uint8_t key[18];
    *kfp = 0;
    if (aff != NLB_AFF_NONE) {
        size_t n = nlb_affinity_key(aff, client, cport, key);
        *kfp = fingerprint(s, K_KEY, aff, key, n);
    }
    uint8_t bin = (uint8_t)nlb_model_bin(m, aff, client, cport);
    *bfp = fingerprint(s, K_BIN, aff, &bin, 1);
}

void nlb_learn_observe(nlb_learn *l, nlb_learn_scope *s, const nlb_model *m, const nlb_ipaddr *client,
                       uint16_t cport, uint8_t prio)
{
    if (!l || !s || !m || !client || prio < 1 || prio > NLB_MAX_PRIORITY) return;
    for (unsigned a = 0; a < NLB_AFF_COUNT; a++) {
        nlb_aff_evidence *ev = &s->ev[a];
        uint64_t kfp, bfp;
        keys_of(s, m, (nlb_affinity)a, client, cport, &kfp, &bfp);
        ev->answered++;
        bool known = false;
        if (kfp) {
            nlb_learn_entry *e = slot(l, kfp, true);
            if (valid(s, e)) {
                known = true;
                ev->key_checks++;
                ev->key_hits += e->owner == prio;
            }
            if (e) vote(s, e, K_KEY, prio);
        }
        nlb_learn_entry *b = slot(l, bfp, true);
        if (!known && valid(s, b)) {
            ev->bin_checks++;
            ev->bin_hits += b->owner == prio;
        }
        if (b) vote(s, b, K_BIN, prio);
    }
}

static bool bins_trusted(const nlb_aff_evidence *ev)
{
    return ev->bin_checks >= NLB_LEARN_BIN_MIN_CHECKS &&
           (uint64_t)ev->bin_hits * 100 >= (uint64_t)ev->bin_checks * NLB_LEARN_BIN_TRUST_PCT;
}

uint8_t nlb_learn_predict(const nlb_learn *l, const nlb_learn_scope *s, const nlb_model *m, nlb_affinity aff,
                          const nlb_ipaddr *client, uint16_t cport, nlb_learn_level *level)
{
    if (level) *level = NLB_LEARN_NONE;
    if (!l || !s || !m || !client || (unsigned)aff >= NLB_AFF_COUNT) return 0;
    uint64_t kfp, bfp;
    keys_of(s, m, aff, client, cport, &kfp, &bfp);
    const nlb_learn_entry *e = kfp ? find(l, kfp) : NULL;
    if (valid(s, e)) {
        if (level) *level = NLB_LEARN_KEY;
        return e->owner;
    }
    e = find(l, bfp);
    if (valid(s, e) && bins_trusted(&s->ev[aff])) {
        if (level) *level = NLB_LEARN_BIN;
        return e->owner;
    }
    return 0;
}

void nlb_learn_forget(nlb_learn_scope *s, uint8_t prio)
{
    /* after 65536 bumps an old entry could look valid again: far more convergences than a
     * capture holds between two answers of one client */
    if (s && prio >= 1 && prio <= NLB_MAX_PRIORITY) s->epoch[prio]++;
}

nlb_affinity nlb_learn_detect(const nlb_learn_scope *s, nlb_affinity assumed, nlb_aff_verdict *out)
{
    nlb_aff_verdict v;
    memset(&v, 0, sizeof v);
    v.best = (unsigned)assumed < NLB_AFF_COUNT ? assumed : NLB_AFF_SINGLE;
    if (!s) {
        if (out) *out = v;
        return v.best;
    }
    v.answered = s->ev[0].answered;
    bool all_refuted = true;
    for (unsigned a = 0; a < NLB_AFF_COUNT; a++) {
        const nlb_aff_evidence *ev = &s->ev[a];
        v.bins_trusted[a] = bins_trusted(ev);
        v.explained[a] = ev->key_hits + (v.bins_trusted[a] ? ev->bin_hits : 0);
        v.contradicted[a] = (ev->key_checks - ev->key_hits) + (v.bins_trusted[a] ? ev->bin_checks - ev->bin_hits : 0);
        uint32_t kmiss = ev->key_checks - ev->key_hits;
        v.refuted[a] = ev->key_checks >= NLB_LEARN_MIN_CHECKS && (uint64_t)kmiss * NLB_LEARN_REFUTE_DIV > ev->key_checks;
        v.evidence = v.evidence || ev->key_checks || v.bins_trusted[a];
        all_refuted = all_refuted && v.refuted[a];
    }
    if (!v.evidence) {
        if (out) *out = v;
        return v.best;
    }
    static const nlb_affinity order[NLB_AFF_COUNT] = { NLB_AFF_SINGLE, NLB_AFF_CLASSC, NLB_AFF_NONE };
    /* Leaving the assumed affinity takes evidence: a rival must have been checked
     * NLB_LEARN_MIN_CHECKS times itself (two early flows of one /24 on one host prove nothing).
     * When the assumed one is refuted and no rival was checked enough, the unrefuted ones are
     * all that is left (None, whose keys never repeat, wins by elimination). */
    int best = -1;
    for (int pass = 0; pass < 2 && best < 0; pass++)
        for (unsigned i = 0; i <= NLB_AFF_COUNT; i++) {
            nlb_affinity a = i == 0 ? v.best : order[i - 1]; /* the assumed one first: it wins ties */
            const nlb_aff_evidence *ev = &s->ev[a];
            uint32_t checks = ev->key_checks + (v.bins_trusted[a] ? ev->bin_checks : 0);
            if (!all_refuted && v.refuted[a]) continue;
            if (pass == 0 && i != 0 && checks < NLB_LEARN_MIN_CHECKS) continue;
            if (best < 0 || v.explained[a] > v.explained[best]) best = (int)a;
        }
    v.best = (nlb_affinity)best;
    if (out) *out = v;
    return v.best;
}

const char *nlb_affinity_name(nlb_affinity a)
{
    switch (a) {
    case NLB_AFF_NONE: return "None";
    case NLB_AFF_SINGLE: return "Single";
    case NLB_AFF_CLASSC: return "Class C";
    }
    return "?";
}

const char *nlb_affinity_key_name(nlb_affinity a)
{
    switch (a) {
    case NLB_AFF_NONE: return "none";
    case NLB_AFF_SINGLE: return "single";
    case NLB_AFF_CLASSC: return "classc";
    }
    return "?";
}

size_t nlb_learn_verdict_format(const nlb_aff_verdict *v, char *buf, size_t len)
{
    if (!buf || !len) return 0;
    buf[0] = 0;
    if (!v) return 0;
    size_t o = 0;
#define PUT(...) do { int n_ = snprintf(buf + o, o < len ? len - o : 0, __VA_ARGS__); \
                      if (n_ > 0) o += (size_t)n_; } while (0)
    PUT("%s affinity explains %u of %u answered flows", nlb_affinity_name(v->best), (unsigned)v->explained[v->best],
        (unsigned)v->answered);
    static const nlb_affinity order[NLB_AFF_COUNT] = { NLB_AFF_SINGLE, NLB_AFF_CLASSC, NLB_AFF_NONE };
    for (unsigned i = 0; i < NLB_AFF_COUNT; i++) {
        nlb_affinity a = order[i];
        if (a == v->best) continue;
        PUT("; %s %u", nlb_affinity_name(a), (unsigned)v->explained[a]);
        if (v->contradicted[a]) PUT(" (contradicted by %u)", (unsigned)v->contradicted[a]);
    }
    if (!v->evidence) PUT(": no evidence yet (no client answered twice, no emulated bin trusted)");
#undef PUT
    return o < len ? o : len - 1;
}
