/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VIP, IPv6-VIP and MAC/dedicated-IP tables of the tracker: open addressing, fixed capacity
 * (the lookups are inline in tracker_int.h, on the per-frame path). */
#include <stdlib.h>
#include <string.h>

#include "tracker_int.h"

void trk_vip_put(nlb_tracker *t, uint32_t vip, uint16_t cl)
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

void trk_v6_put(nlb_tracker *t, const uint8_t a[16], uint16_t cl)
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

void trk_idx_put(nlb_tracker *t, uint64_t key, unsigned cl, unsigned prio)
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

/* Count a VIP refused for want of room once (exact up to 3/4 of REFUSED_CAP distinct VIPs; past
 * that, VIPs not remembered are no longer counted: a lower bound). O(1) per call. */
void trk_refuse_cluster(nlb_tracker *t, uint32_t vip)
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
