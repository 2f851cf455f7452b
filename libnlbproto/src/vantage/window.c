/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vantage's window of recent frame hashes: the content hash, a ring of entries in time
 * order and an open-addressing index over it (backward-shift deletion keeps it exact). */
#include "vantage_int.h"

static inline uint64_t mix(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= 0x9E3779B97F4A7C15ull;
    return h ^ h >> 29;
}

static uint64_t hash_bytes(uint64_t h, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = mix(h, w);
        p += 8;
        n -= 8;
    }
    uint64_t w = n; /* the tail, with its length so "ab" and "ab\0" differ */
    for (size_t i = 0; i < n; i++)
        w = w << 8 | p[i];
    return mix(h, w);
}

uint64_t vt_frame_hash(const nlb_packet *pkt)
{
    const uint8_t *p = pkt->l3;
    size_t n = p ? pkt->l3_len : 0;
    uint64_t h = mix(0x6A09E667F3BCC909ull, pkt->ethertype);
    if (pkt->ethertype == 0x0800 && n >= 20) {
        size_t ihl = (size_t)(p[0] & 15) * 4;
        size_t end = ihl + 32 < n ? ihl + 32 : n;
        h = hash_bytes(h, p, 8);          /* version .. fragment offset */
        h = mix(h, p[9]);                 /* protocol (TTL and checksum left out) */
        if (end > 12) h = hash_bytes(h, p + 12, end - 12);
    } else if (pkt->ethertype == 0x86DD && n >= 40) {
        size_t end = n < 72 ? n : 72;
        h = hash_bytes(h, p, 7);          /* hop limit left out */
        h = hash_bytes(h, p + 8, end - 8);
    } else {
        h = hash_bytes(h, p, n < 64 ? n : 64);
    }
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return (h ^ h >> 32) | 1; /* never 0 */
}

void vt_window_reset(nlb_vantage *v)
{
    memset(v->idx, 0, v->idx_cap * sizeof *v->idx);
    v->head = v->n = 0;
}

static void idx_remove(nlb_vantage *v, size_t slot)
{
    size_t mask = v->idx_cap - 1;
    size_t i = v->ent[slot].hash & mask;
    while (v->idx[i] != slot + 1)
        i = (i + 1) & mask;
    for (size_t j = i;;) {
        j = (j + 1) & mask;
        uint32_t k = v->idx[j];
        if (!k) break;
        size_t home = v->ent[k - 1].hash & mask;
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            v->idx[i] = k;
            i = j;
        }
    }
    v->idx[i] = 0;
}

static void retire_head(nlb_vantage *v)
{
    size_t k = v->head;
    if (v->settled) vt_account(v, &v->ent[k]);
    idx_remove(v, k);
    v->head = (v->head + 1) % v->cap;
    v->n--;
}

void vt_retire(nlb_vantage *v, nlb_usec before)
{
    while (v->n && v->ent[v->head].ts < before)
        retire_head(v);
}

static vent *insert(nlb_vantage *v, unsigned p, uint64_t h, nlb_usec ts, unsigned flags, unsigned cl)
{
    if (v->n == v->cap) {
        v->counts.window_overflow++;
        retire_head(v);
    }
    size_t k = (v->head + v->n++) % v->cap;
    vent *e = &v->ent[k];
    memset(e, 0, sizeof *e);
    e->hash = h;
    e->ts = ts;
    e->mask = (uint16_t)(1u << p);
    e->point = (uint8_t)p;
    e->flags = (uint8_t)flags;
    e->cl = (uint8_t)cl;
    size_t mask = v->idx_cap - 1;
    size_t i = h & mask;
    while (v->idx[i])
        i = (i + 1) & mask;
    v->idx[i] = (uint32_t)(k + 1);
    return e;
}

void vt_calib_frame(nlb_vantage *v, unsigned p, uint64_t h, nlb_usec ts)
{
    size_t mask = v->idx_cap - 1;
    vent *cand = NULL;
    bool repeat = false;
    for (size_t i = h & mask; v->idx[i]; i = (i + 1) & mask) {
        vent *e = &v->ent[v->idx[i] - 1];
        if (e->hash != h) continue;
        if (e->mask >> p & 1u) repeat = true;
        else if (!cand) cand = e;
    }
    if (repeat) {
        /* the same bytes twice here: which copy another point's belongs to is unknowable */
        for (size_t i = h & mask; v->idx[i]; i = (i + 1) & mask) {
            vent *e = &v->ent[v->idx[i] - 1];
            if (e->hash == h) e->flags |= VE_AMBIG;
        }
        v->counts.calib_ambiguous++;
        insert(v, p, h, ts, VE_AMBIG, 0);
        return;
    }
    if (!cand) {
        insert(v, p, h, ts, 0, 0);
        return;
    }
    cand->mask |= (uint16_t)(1u << p);
    if (cand->flags & VE_AMBIG) return;
    v->counts.calib_matches++;
    vt_sample(v, cand->point, p, ts - cand->ts);
}

unsigned vt_match_frame(nlb_vantage *v, unsigned p, uint64_t h, nlb_usec ts, unsigned flags, unsigned cl)
{
    size_t mask = v->idx_cap - 1;
    vent *best = NULL;
    nlb_usec best_d = 0;
    for (size_t i = h & mask; v->idx[i]; i = (i + 1) & mask) {
        vent *e = &v->ent[v->idx[i] - 1];
        if (e->hash != h || (e->mask >> p & 1u)) continue;
        nlb_usec d = ts >= e->ts ? ts - e->ts : e->ts - ts;
        if (d <= v->cfg.max_offset && (!best || d < best_d)) {
            best = e;
            best_d = d;
        }
    }
    if (best) {
        unsigned before = best->mask;
        best->mask |= (uint16_t)(1u << p);
        return before;
    }
    insert(v, p, h, ts, flags, cl);
    return 0;
}
