/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clock offsets between capture points, from frames seen at two of them: per pair the time
 * differences of matched frames, and a tree from the reference point along the best pairs. */
#include <stdlib.h>

#include "vantage_int.h"

void vt_sample(nlb_vantage *v, unsigned a, unsigned b, nlb_usec d)
{
    if (a == b) return;
    if (a > b) {
        unsigned t = a;
        a = b;
        b = t;
        d = -d;
    }
    pair_samples *ps = &v->pairs[pair_index(a, b)];
    if (ps->n < VH_SAMPLES) ps->d[ps->n] = d;
    ps->n++;
}

static int cmp_usec(const void *x, const void *y)
{
    nlb_usec a = *(const nlb_usec *)x, b = *(const nlb_usec *)y;
    return a < b ? -1 : a > b;
}

/* Median and interquartile range of a pair's kept samples, sorted in place. */
static nlb_usec median(pair_samples *ps, nlb_usec *iqr)
{
    size_t n = ps->n < VH_SAMPLES ? ps->n : VH_SAMPLES;
    qsort(ps->d, n, sizeof ps->d[0], cmp_usec);
    *iqr = ps->d[n * 3 / 4] - ps->d[n / 4];
    return n & 1 ? ps->d[n / 2] : ps->d[n / 2 - 1] + (ps->d[n / 2] - ps->d[n / 2 - 1]) / 2;
}

static uint32_t samples(const nlb_vantage *v, unsigned a, unsigned b)
{
    if (a == b) return 0;
    return a < b ? v->pairs[pair_index(a, b)].n : v->pairs[pair_index(b, a)].n;
}

bool nlb_vantage_calibrated(const nlb_vantage *v)
{
    if (!v) return false;
    for (unsigned p = 1; p < v->cfg.n_points; p++) {
        if (v->given[p]) continue;
        uint32_t best = 0;
        for (unsigned q = 0; q < v->cfg.n_points; q++) {
            uint32_t s = samples(v, p, q);
            if (s > best) best = s;
        }
        if (best < VH_ENOUGH_SAMPLES) return false;
    }
    return true;
}

void vt_place_points(nlb_vantage *v)
{
    unsigned n = v->cfg.n_points;
    bool placed[NLB_VANTAGE_MAX_POINTS] = { false };
    placed[0] = true;
    v->pt[0].offset = 0;
    v->pt[0].offset_source = NLB_OFFSET_REFERENCE;
    for (unsigned p = 1; p < n; p++) {
        if (v->given[p]) {
            placed[p] = true;
            v->pt[p].offset_source = NLB_OFFSET_GIVEN;
        } else {
            v->pt[p].offset_source = NLB_OFFSET_UNKNOWN;
            v->pt[p].offset = 0;
        }
    }
    for (;;) {
        unsigned ba = 0, bb = 0;
        uint32_t best = 0;
        for (unsigned a = 0; a < n; a++)
            for (unsigned b = 0; b < n; b++)
                if (placed[a] && !placed[b] && samples(v, a, b) > best) {
                    best = samples(v, a, b);
                    ba = a;
                    bb = b;
                }
        if (best < VH_MIN_SAMPLES) break;
        nlb_usec iqr;
        pair_samples *ps = &v->pairs[ba < bb ? pair_index(ba, bb) : pair_index(bb, ba)];
        nlb_usec m = median(ps, &iqr);
        nlb_usec d = ba < bb ? m : -m; /* time at bb minus time at ba */
        nlb_vantage_point *q = &v->pt[bb];
        q->offset = v->pt[ba].offset + d;
        q->offset_source = NLB_OFFSET_ESTIMATED;
        q->offset_via = (uint8_t)ba;
        q->offset_samples = best;
        q->offset_spread = iqr;
        placed[bb] = true;
    }
}
