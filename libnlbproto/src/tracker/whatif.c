/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What-if: flows whose predicted owner changes when a host leaves or joins. */
#include <stdlib.h>
#include <string.h>

#include "tracker_int.h"

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

/* The owner a flow has now by the evidence: the host that answered it, else the one learned
 * from earlier answers of its key; 0 = only the emulation knows. */
static unsigned evidence_owner(const nlb_flow_info *f)
{
    return f->observed_host ? f->observed_host : f->learned_host;
}

size_t nlb_tracker_whatif(const nlb_tracker *t, uint8_t prio, bool join)
{
    return nlb_tracker_whatif_split(t, prio, join, NULL);
}

size_t nlb_tracker_whatif_split(const nlb_tracker *t, uint8_t prio, bool join, size_t *by_evidence)
{
    if (by_evidence) *by_evidence = 0;
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
        trk_fill_view(c, t->cfg.without_host, &now);
        trk_fill_view(c, prio, &gone);
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
                /* A leave moves only the leaver's bins (the emulated assignment moves the fewest,
                 * as NLB does): a flow whose owner is known from the answers moves exactly when
                 * that owner is the leaver, whatever the emulated hash says. */
                unsigned ev = join ? 0 : evidence_owner(f);
                if (ev) {
                    if (ev == prio) {
                        changed++;
                        if (by_evidence) (*by_evidence)++;
                    }
                    continue;
                }
            }
            if (before != after) changed++;
        }
    }
    return changed;
}
