/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ownership EMULATION (protocol doc section 4). The Windows hash is not public: nothing here
 * claims to reproduce it. Bins come from a seeded Jenkins one-at-a-time hash of the affinity key,
 * bin -> host from the hosts' own maps when captured, otherwise from a deterministic
 * weight-proportional assignment that moves as few bins as possible. The port-rules file that
 * configures the model is parsed in rules.c. */
#include <stdio.h>
#include <string.h>

#include "nlbproto/owner.h"

uint32_t nlb_hash_oaat(const uint8_t *key, size_t len, uint32_t seed)
{
    uint32_t h = seed;
    for (size_t i = 0; i < len; i++) {
        h += key[i];
        h += h << 10;
        h ^= h >> 6;
    }
    h += h << 3;
    h ^= h >> 11;
    h += h << 15;
    return h;
}

void nlb_model_init(nlb_model *m)
{
    memset(m, 0, sizeof *m);
    m->bins = NLB_BINS_DEFAULT;
    m->hash = nlb_hash_oaat;
    m->hash_name = "one-at-a-time";
    m->seed = 0;
    m->default_affinity = NLB_AFF_SINGLE;
}

bool nlb_model_add_rule(nlb_model *m, const nlb_port_rule *r)
{
    if (m->n_rules >= NLB_MAX_RULES || r->start > r->end)
        return false;
    m->rules[m->n_rules++] = *r;
    return true;
}

int nlb_model_match(const nlb_model *m, uint32_t vip, uint8_t ip_proto, uint16_t port)
{
    unsigned want = ip_proto == NLB_IPPROTO_TCP ? NLB_RP_TCP : ip_proto == NLB_IPPROTO_UDP ? NLB_RP_UDP : 0;
    if (!want)
        return -1;
    int all = -1;
    for (unsigned i = 0; i < m->n_rules; i++) {
        const nlb_port_rule *r = &m->rules[i];
        if (!((unsigned)r->proto & want) || port < r->start || port > r->end)
            continue;
        if (r->vip != 0 && r->vip == vip)
            return (int)i; /* a VIP-specific rule always beats "All" */
        if (r->vip == 0 && all < 0)
            all = (int)i;
    }
    return all;
}

size_t nlb_affinity_key(nlb_affinity aff, const nlb_ipaddr *client, uint16_t cport, uint8_t key[18])
{
    size_t alen = client->family == 6 ? 16 : 4;
    switch (aff) {
    case NLB_AFF_NONE:
        memcpy(key, client->a, alen);
        key[alen] = (uint8_t)(cport >> 8);
        key[alen + 1] = (uint8_t)cport;
        return alen + 2;
    case NLB_AFF_CLASSC:
        /* IPv4: the /24 as documented; IPv6 has no class C, we take the top 48 bits (our choice) */
        alen = client->family == 6 ? 6 : 3;
        memcpy(key, client->a, alen);
        return alen;
    case NLB_AFF_SINGLE:
    default:
        memcpy(key, client->a, alen);
        return alen;
    }
}

unsigned nlb_model_bin(const nlb_model *m, nlb_affinity aff, const nlb_ipaddr *client, uint16_t cport)
{
    uint8_t key[18];
    size_t n = nlb_affinity_key(aff, client, cport, key);
    nlb_hash_fn h = m->hash ? m->hash : nlb_hash_oaat;
    unsigned bins = m->bins >= 1 && m->bins <= NLB_BINS_MAX ? m->bins : NLB_BINS_DEFAULT;
    return (unsigned)(((uint64_t)h(key, n, m->seed) * bins) >> 32);
}

/* ---- bin maps ---- */

/* Bins per member, quota[p] for the members in[p] with weights w[p] (sum wsum) over m->bins. */
static void binmap_quotas(const nlb_binmap *m, const bool *in, const uint32_t *w, uint32_t wsum, unsigned *quota)
{
    unsigned bins = m->bins;
    /* Largest remainder; ties go to the lower priority number (the higher-priority host). Plain
     * largest remainder can lower a host's quota when another host leaves (the population
     * paradox), moving bins that were not the leaver's; so a host that already owns more than
     * its floor gets an extra seat first. Every quota stays the floor or the ceiling of the exact
     * share, and from an empty map the result is plain largest remainder. */
    unsigned owned[NLB_MAX_PRIORITY + 1] = { 0 };
    for (unsigned b = 0; b < bins; b++)
        if (m->owner[b] >= 1 && m->owner[b] <= NLB_MAX_PRIORITY) owned[m->owner[b]]++;
    uint32_t rem[NLB_MAX_PRIORITY + 1] = { 0 };
    unsigned given = 0;
    for (unsigned p = 1; p <= NLB_MAX_PRIORITY; p++) {
        if (!in[p]) continue;
        uint64_t num = (uint64_t)bins * w[p];
        quota[p] = (unsigned)(num / wsum);
        rem[p] = (uint32_t)(num % wsum);
        given += quota[p];
    }
    bool got_extra[NLB_MAX_PRIORITY + 1] = { false };
    while (given < bins) {
        unsigned best = 0;
        for (unsigned p = 1; p <= NLB_MAX_PRIORITY; p++) {
            if (!in[p] || got_extra[p] || w[p] == 0 || rem[p] == 0) continue;
            bool keep = owned[p] > quota[p], best_keep = best && owned[best] > quota[best];
            if (!best || keep > best_keep || (keep == best_keep && rem[p] > rem[best])) best = p;
        }
        if (!best) break; /* cannot happen: fewer extras than weighted members */
        got_extra[best] = true;
        quota[best]++;
        given++;
    }
}

void nlb_binmap_assign(nlb_binmap *m, const uint8_t *prios, const uint8_t *weights, size_t n)
{
    if (m->bins < 1 || m->bins > NLB_BINS_MAX)
        m->bins = NLB_BINS_DEFAULT;
    unsigned bins = m->bins;
    /* Per priority: is it in the set, its weight, quota and what it keeps. Duplicates: first wins. */
    bool in[NLB_MAX_PRIORITY + 1] = { false };
    uint32_t w[NLB_MAX_PRIORITY + 1] = { 0 };
    uint32_t wsum = 0;
    unsigned members = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t p = prios[i];
        if (p < 1 || p > NLB_MAX_PRIORITY || in[p])
            continue;
        in[p] = true;
        members++;
        w[p] = weights ? weights[i] : 0;
        wsum += w[p];
    }
    if (!members) {
        memset(m->owner, 0, sizeof m->owner);
        return;
    }
    if (wsum == 0) { /* all weights 0 (or none given): equal load */
        for (unsigned p = 1; p <= NLB_MAX_PRIORITY; p++)
            if (in[p]) w[p] = 1;
        wsum = members;
    }
    unsigned quota[NLB_MAX_PRIORITY + 1] = { 0 };
    binmap_quotas(m, in, w, wsum, quota);
    /* Keep what each host already owns up to its quota, lowest bins first. */
    unsigned have[NLB_MAX_PRIORITY + 1] = { 0 };
    bool freed[NLB_BINS_MAX];
    for (unsigned b = 0; b < bins; b++) {
        uint8_t o = m->owner[b];
        if (o >= 1 && o <= NLB_MAX_PRIORITY && in[o] && have[o] < quota[o]) {
            have[o]++;
            freed[b] = false;
        } else {
            freed[b] = true;
        }
    }
    for (unsigned b = 0; b < bins; b++) {
        if (!freed[b]) continue;
        unsigned best = 0;
        int best_def = 0;
        for (unsigned p = 1; p <= NLB_MAX_PRIORITY; p++) {
            if (!in[p]) continue;
            int def = (int)quota[p] - (int)have[p];
            if (def > best_def) { best = p; best_def = def; }
        }
        m->owner[b] = (uint8_t)best;
        if (best) have[best]++;
    }
    for (unsigned b = bins; b < NLB_BINS_MAX; b++)
        m->owner[b] = 0;
}

unsigned nlb_binmap_from_maps(nlb_binmap *m, unsigned bins, const uint8_t *prios, const uint64_t *maps, size_t n, unsigned *nobody)
{
    if (bins < 1 || bins > NLB_BINS_MAX)
        bins = NLB_BINS_DEFAULT;
    memset(m, 0, sizeof *m);
    m->bins = bins;
    unsigned twice = 0, none = 0;
    for (unsigned b = 0; b < bins; b++) {
        unsigned owners = 0;
        for (size_t i = 0; i < n; i++) {
            if (!((maps[i] >> b) & 1u)) continue;
            if (!owners) m->owner[b] = prios[i]; /* first listed keeps the bin */
            owners++;
        }
        if (owners > 1) twice++;
        if (!owners) none++;
    }
    if (nobody)
        *nobody = none;
    return twice;
}

uint64_t nlb_binmap_mask(const nlb_binmap *m, uint8_t prio)
{
    uint64_t mask = 0;
    unsigned bins = m->bins <= NLB_BINS_MAX ? m->bins : NLB_BINS_MAX;
    for (unsigned b = 0; b < bins; b++)
        if (prio && m->owner[b] == prio)
            mask |= (uint64_t)1 << b;
    return mask;
}

/* ---- calibration ---- */

/* votes[] is the Boyer-Moore counter: answers agreeing with owner[] minus those disagreeing since
 * owner[] was adopted. It equals the agreements exactly while a bin is answered by one host. */
void nlb_calib_observe(nlb_calib *c, unsigned bin, uint8_t prio)
{
    if (bin >= NLB_BINS_MAX || !prio)
        return;
    c->total[bin]++;
    if (c->votes[bin] == 0) {
        c->owner[bin] = prio;
        c->votes[bin] = 1;
    } else if (c->owner[bin] == prio) {
        c->votes[bin]++;
    } else {
        c->votes[bin]--;
    }
}

double nlb_calib_consistency(const nlb_calib *c, unsigned bins)
{
    if (bins > NLB_BINS_MAX) bins = NLB_BINS_MAX;
    double agree = 0, total = 0;
    for (unsigned b = 0; b < bins; b++) {
        if (!c->total[b]) continue;
        /* agreements ~ (total + counter) / 2: exact for one or two answering hosts */
        double a = ((double)c->total[b] + c->votes[b]) / 2.0;
        if (a > c->total[b]) a = c->total[b];
        agree += a;
        total += c->total[b];
    }
    return total > 0 ? agree / total : 1.0;
}

/* ---- flow-ownership prediction ---- */

static bool view_prio_ok(unsigned p) { return p >= 1 && p <= NLB_MAX_PRIORITY; }

static unsigned view_n(const nlb_owner_view *v)
{
    return v->n < NLB_MAX_PRIORITY ? v->n : NLB_MAX_PRIORITY;
}

uint8_t nlb_owner_default_host(const nlb_owner_view *v)
{
    if (!v) return 0;
    unsigned first = 0;
    bool claimed_live = false;
    for (unsigned i = 0; i < view_n(v); i++) {
        unsigned p = v->prio[i];
        if (!view_prio_ok(p)) continue;
        if (!first || p < first) first = p;
        if (p == v->default_host) claimed_live = true;
    }
    /* a claim naming a host that is gone is stale: NLB hands uncovered traffic to the highest
     * priority host left */
    return (uint8_t)(claimed_live ? v->default_host : first);
}

uint8_t nlb_owner_single_host(const nlb_owner_view *v, const nlb_port_rule *r)
{
    if (!v) return 0;
    unsigned first = 0, best_h = 0, who = 0;
    for (unsigned i = 0; i < view_n(v); i++) {
        unsigned p = v->prio[i];
        if (!view_prio_ok(p)) continue;
        if (!first || p < first) first = p;
        unsigned hp = r ? r->handling[p] : 0;
        if (hp && (!best_h || hp < best_h || (hp == best_h && p < who))) {
            best_h = hp;
            who = p;
        }
    }
    /* no handling priority set on any live host: NLB falls back to host priority */
    return (uint8_t)(best_h ? who : first);
}

/* With no rules configured, one implicit all-ports rule, whose map sits in the wire slot whose
 * code decodes (guess) to a range holding the port; slot 0 when no code says. */
static unsigned wire_slot(const nlb_owner_view *v, uint16_t vport)
{
    if (!v->codes)
        return 0;
    unsigned nr = v->num_rules < NLB_MAX_RULES ? v->num_rules : NLB_MAX_RULES;
    for (unsigned i = 0; i < nr; i++) {
        uint16_t s, e;
        if (nlb_rule_code_ports(v->codes[i], &s, &e) && vport >= s && vport <= e)
            return i;
    }
    return 0;
}

/* The emulation's owner of bin in rule slot: the live hosts of v share the slot's bins by
 * weight (nlb_binmap_assign), kept in emu across calls when given. */
static uint8_t emulated_owner(const nlb_model *m, const nlb_owner_view *v, nlb_emu_cache *emu,
                              const nlb_port_rule *r, unsigned slot, unsigned bin)
{
    uint8_t prios[NLB_MAX_PRIORITY], w[NLB_MAX_PRIORITY];
    uint32_t live = 0;
    size_t n = 0;
    for (unsigned i = 0; i < view_n(v); i++) {
        unsigned q = v->prio[i];
        if (!view_prio_ok(q) || (live >> (q - 1) & 1u)) continue;
        live |= 1u << (q - 1);
        prios[n] = (uint8_t)q;
        w[n] = r && !r->equal_load ? r->weight[q] : 0;
        n++;
    }
    unsigned bins = m->bins >= 1 && m->bins <= NLB_BINS_MAX ? m->bins : NLB_BINS_DEFAULT;
    nlb_binmap fresh, *em = emu ? &emu->map[slot] : &fresh;
    if (!emu)
        memset(&fresh, 0, sizeof fresh);
    /* reassigning for an unchanged set is a no-op (the assignment is a fixed point of itself),
     * so the cache only saves time */
    if (!emu || emu->live[slot] != live || em->bins != bins) {
        em->bins = bins;
        nlb_binmap_assign(em, prios, w, n);
        if (emu) emu->live[slot] = live;
    }
    return em->owner[bin];
}

nlb_prediction nlb_predict(const nlb_model *m, const nlb_owner_view *v, nlb_emu_cache *emu, uint32_t vip,
                           uint8_t ip_proto, uint16_t vport, const nlb_ipaddr *client, uint16_t cport)
{
    nlb_prediction p;
    memset(&p, 0, sizeof p);
    p.rule = -1;
    p.slot = -1;
    if (!m || !v || !client)
        return p;
    p.affinity = m->default_affinity;
    const nlb_port_rule *r = NULL;
    unsigned slot = 0;
    if (m->n_rules) {
        p.rule = nlb_model_match(m, vip, ip_proto, vport);
        if (p.rule < 0) {
            p.host = nlb_owner_default_host(v);
            p.source = NLB_PRED_DEFAULT_HOST;
            return p;
        }
        r = &m->rules[p.rule];
        p.affinity = r->affinity;
        slot = (unsigned)p.rule;
    } else {
        slot = wire_slot(v, vport);
    }
    p.slot = (int)slot;
    p.bin = (uint8_t)nlb_model_bin(m, p.affinity, client, cport);
    p.has_bin = true;
    if (r && r->mode == NLB_FILTER_DISABLED) {
        p.source = NLB_PRED_DROPPED;
        return p;
    }
    if (r && r->mode == NLB_FILTER_SINGLE) {
        p.host = nlb_owner_single_host(v, r);
        p.source = NLB_PRED_SINGLE_HOST;
        return p;
    }
    /* a captured map is the cluster's own word: it beats the emulation even when other live
     * hosts' maps are missing */
    unsigned owner = 0;
    for (unsigned i = 0; i < view_n(v); i++) {
        unsigned q = v->prio[i];
        if (view_prio_ok(q) && v->cur_map[i] && (v->cur_map[i][slot] >> p.bin & 1u) && (!owner || q < owner))
            owner = q;
    }
    if (owner) {
        p.host = (uint8_t)owner;
        p.source = NLB_PRED_MAPS;
        return p;
    }
    p.host = emulated_owner(m, v, emu, r, slot, p.bin);
    p.source = NLB_PRED_EMULATED;
    return p;
}

const char *nlb_pred_source_name(nlb_pred_source s)
{
    switch (s) {
    case NLB_PRED_MAPS: return "heartbeat maps";
    case NLB_PRED_EMULATED: return "emulation";
    case NLB_PRED_DEFAULT_HOST: return "default host";
    case NLB_PRED_SINGLE_HOST: return "single-host rule";
    case NLB_PRED_DROPPED: return "dropped by rule";
    case NLB_PRED_LEARNED: return "learned from answers";
    case NLB_PRED_NONE: break;
    }
    return "none";
}

const char *nlb_pred_source_key(nlb_pred_source s)
{
    switch (s) {
    case NLB_PRED_MAPS: return "map";
    case NLB_PRED_EMULATED: return "emulated";
    case NLB_PRED_DEFAULT_HOST: return "default host";
    case NLB_PRED_SINGLE_HOST: return "single host";
    case NLB_PRED_DROPPED: return "dropped";
    case NLB_PRED_LEARNED: return "learned";
    case NLB_PRED_NONE: break;
    }
    return "none";
}

size_t nlb_bins_str(uint64_t map, unsigned bins, char *buf, size_t len)
{
    if (!buf || !len) return 0;
    if (bins < 1 || bins > NLB_BINS_MAX) bins = NLB_BINS_MAX;
    if (bins < 64) map &= ((uint64_t)1 << bins) - 1;
    if (!map) {
        snprintf(buf, len, "none");
        return strlen(buf);
    }
    char full[NLB_BINS_STR_LEN];
    size_t o = 0;
    for (unsigned i = 0; i < bins && o < sizeof full; i++) {
        if (!(map >> i & 1u)) continue;
        unsigned j = i;
        while (j + 1 < bins && (map >> (j + 1) & 1u)) j++;
        int k = j == i ? snprintf(full + o, sizeof full - o, "%s%u", o ? ", " : "", i)
                       : snprintf(full + o, sizeof full - o, "%s%u-%u", o ? ", " : "", i, j);
        o += k > 0 ? (size_t)k : 0;
        i = j;
    }
    if (o >= sizeof full) o = sizeof full - 1; /* cannot happen for 64 bins: NLB_BINS_STR_LEN holds the worst case */
    if (o < len) {
        memcpy(buf, full, o + 1);
        return o;
    }
    /* a half-written range would name bins the host does not own: cut between ranges */
    size_t keep = 0;
    for (size_t i = 1; i < o; i++)
        if (full[i] == ',' && i + sizeof ", ..." <= len) keep = i;
    if (!keep) {
        snprintf(buf, len, "...");
        return strlen(buf);
    }
    memcpy(buf, full, keep);
    memcpy(buf + keep, ", ...", sizeof ", ...");
    return keep + sizeof ", ..." - 1;
}
