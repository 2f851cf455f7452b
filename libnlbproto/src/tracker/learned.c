/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Owners learned from answers, inside the tracker: each flow's first observed owner teaches its
 * cluster's scope for the flow's map slot; a new flow is predicted from what earlier answers
 * taught (under the affinity their evidence supports) before the emulation is asked. Learned
 * facts survive a convergence only where the bin maps say their owner kept its bins. */
#include <string.h>

#include "tracker_int.h"

void trk_learn_predict(nlb_tracker *t, cluster_rt *c, nlb_flow_info *f, unsigned slot, nlb_affinity assumed)
{
    if (!t->learn.e || slot >= NLB_MAX_RULES) return;
    const nlb_learn_scope *s = &c->learn[slot];
    nlb_affinity aff = nlb_learn_detect(s, assumed, NULL);
    nlb_learn_level lv;
    uint8_t o = nlb_learn_predict(&t->learn, s, &t->cfg.model, aff, &f->client, f->cport, &lv);
    f->learned_affinity = (uint8_t)aff;
    if (!o) return;
    f->learned_host = o;
    f->predicted_host = o;
    f->predicted_source = NLB_PRED_LEARNED;
}

void trk_learn_observe(nlb_tracker *t, cluster_rt *c, const nlb_flow_info *f, unsigned slot, uint8_t prio)
{
    if (!t->learn.e || slot >= NLB_MAX_RULES) return;
    nlb_learn_scope *s = &c->learn[slot];
    if (!s->id) s->id = cl_index(t, c) << 6 | slot | 1u << 31; /* never 0: 0 marks an unused scope */
    nlb_learn_observe(&t->learn, s, &t->cfg.model, &f->client, f->cport, prio);
}

/* Host prio's current map of slot went from old_map to new_map. What was learned for it holds
 * only if it lost no bin; every other host whose last map claims a bin prio gained lost it (its
 * own next heartbeat may not be captured: a silent host's last map still claims them). The
 * hash is unknown, so which learned key sat in a moved bin cannot be told: a host that lost any
 * bin forgets all it was credited with in that slot. */
void trk_learn_maps(cluster_rt *c, unsigned prio, unsigned slot, uint64_t old_map, uint64_t new_map)
{
    if (slot >= NLB_MAX_RULES || old_map == new_map) return;
    nlb_learn_scope *s = &c->learn[slot];
    if (old_map & ~new_map) nlb_learn_forget(s, (uint8_t)prio);
    uint64_t gained = new_map & ~old_map;
    if (!gained) return;
    for (unsigned i = 0; i < c->info.n_hosts; i++) {
        const nlb_host_info *h = &c->info.hosts[i];
        if (h->priority != prio && h->has_maps && (h->cur_map[slot] & gained))
            nlb_learn_forget(s, h->priority);
    }
}

/* A convergence with no captured map to say who kept what: nothing learned survives it. */
void trk_learn_forget_all(cluster_rt *c)
{
    for (unsigned s = 0; s < NLB_MAX_RULES; s++)
        for (unsigned p = 1; p <= NLB_MAX_PRIORITY; p++) nlb_learn_forget(&c->learn[s], (uint8_t)p);
}

static nlb_affinity slot_affinity(const nlb_tracker *t, unsigned slot)
{
    const nlb_model *m = &t->cfg.model;
    return m->n_rules && slot < m->n_rules ? m->rules[slot].affinity : m->default_affinity;
}

const nlb_learn_scope *nlb_tracker_learn_scope(const nlb_tracker *t, size_t cluster, unsigned slot)
{
    return t && cluster < t->n_cl && slot < NLB_MAX_RULES ? &t->cl[cluster].learn[slot] : NULL;
}

bool nlb_tracker_affinity_verdict(const nlb_tracker *t, size_t cluster, unsigned slot, nlb_aff_verdict *out)
{
    const nlb_learn_scope *s = nlb_tracker_learn_scope(t, cluster, slot);
    if (!s || !s->ev[0].answered) return false;
    nlb_learn_detect(s, slot_affinity(t, slot), out);
    return true;
}

nlb_learn_summary nlb_tracker_learned(const nlb_tracker *t)
{
    nlb_learn_summary s;
    memset(&s, 0, sizeof s);
    if (!t) return s;
    for (size_t i = 0; i < t->n_fl; i++) {
        const nlb_flow_info *f = &t->fl[i];
        if (f->predicted_source <= NLB_PRED_LEARNED) s.by_source[f->predicted_source]++;
        if (!f->observed_host) {
            if (f->learned_host && t->frt[i].state == FS_UNANSWERED) s.unanswered_learned++;
            continue;
        }
        s.answered++;
        if (f->learned_host) {
            s.learned_checked++;
            s.learned_agree += f->learned_host == f->observed_host;
        }
        if (f->emulated_host) {
            s.emulated_checked++;
            s.emulated_agree += f->emulated_host == f->observed_host;
        }
    }
    s.table_keys = t->learn.n;
    s.table_refused = t->learn.refused;
    return s;
}
