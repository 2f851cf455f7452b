/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the ownership section of the text and json reports: how many predictions came from
 * the answers, the heartbeat maps, the EMULATION or the rules, how well each agreed with the
 * answering host, and which affinity the answers support (all concluded by libnlbproto; this
 * file only lays it out). */
#include <stdio.h>
#include <string.h>

#include "../common/json.h"
#include "out.h"

#define K JW_K

static bool host_seen(const rp_run *r, uint8_t prio)
{
    for (size_t ci = 0; ci < nlb_tracker_cluster_count(r->t); ci++) {
        const nlb_cluster_info *c = nlb_tracker_cluster(r->t, ci);
        for (unsigned h = 0; h < c->n_hosts; h++)
            if (c->hosts[h].priority == prio) return true;
    }
    return false;
}

/* "rule 1" (a --rules rule) or "slot 1" (a wire slot, no --rules) of map slot s. */
static void slot_name(const rp_run *r, unsigned s, char *buf, size_t len)
{
    snprintf(buf, len, "%s %u", nlb_tracker_model(r->t)->n_rules ? "rule" : "slot", s + 1);
}

static nlb_affinity assumed_affinity(const rp_run *r, unsigned s)
{
    const nlb_model *m = nlb_tracker_model(r->t);
    return m->n_rules && s < m->n_rules ? m->rules[s].affinity : m->default_affinity;
}

static void text_affinity(FILE *f, const rp_run *r)
{
    char line[640], v[512], sn[16], ip[16];
    for (size_t ci = 0; ci < nlb_tracker_cluster_count(r->t); ci++) {
        const nlb_cluster_info *c = nlb_tracker_cluster(r->t, ci);
        for (unsigned s = 0; s < NLB_MAX_RULES; s++) {
            nlb_aff_verdict av;
            if (!nlb_tracker_affinity_verdict(r->t, ci, s, &av)) continue;
            nlb_learn_verdict_format(&av, v, sizeof v);
            slot_name(r, s, sn, sizeof sn);
            nlb_affinity as = assumed_affinity(r, s);
            snprintf(line, sizeof line, "  %s %s: %s%s%s%s", nlb_ip4_str(c->vip, ip), sn, v,
                     av.best != as ? " (the model assumes " : "", av.best != as ? nlb_affinity_name(as) : "",
                     av.best != as ? ")" : "");
            rp_wrap(f, line, 0, 4);
        }
    }
}

void rp_text_ownership(FILE *f, const rp_run *r, bool colour)
{
    nlb_ownership_summary o = nlb_tracker_ownership(r->t);
    nlb_learn_summary l = nlb_tracker_learned(r->t);
    const nlb_model *m = nlb_tracker_model(r->t);
    char line[512];
    const char *head = "Ownership (answers first, then maps, then the EMULATION, not the Windows hash)";
    fputc('\n', f);
    if (colour) fputs("\033[1m", f);
    rp_wrap(f, head, 0, 2);
    if (colour) fputs("\033[0m", f);
    int n = snprintf(line, sizeof line, "  %llu VIP flows, %llu answered by a known host", (unsigned long long)o.flows,
                     (unsigned long long)o.with_observed);
    if (o.with_observed && !o.with_prediction)
        snprintf(line + n, sizeof line - (size_t)n, ", none predicted (nothing to compare)");
    else if (o.with_prediction < o.with_observed)
        snprintf(line + n, sizeof line - (size_t)n, ", %llu predicted, %llu of them agree with the prediction (%.1f%%)",
                 (unsigned long long)o.with_prediction, (unsigned long long)o.agree, 100.0 * o.agreement);
    else if (o.with_observed)
        snprintf(line + n, sizeof line - (size_t)n, ", %llu agree with the prediction (%.1f%%)",
                 (unsigned long long)o.agree, 100.0 * o.agreement);
    rp_wrap(f, line, 0, 4);
    if (o.flows) {
    snprintf(line, sizeof line, "  predicted from: %llu learned from answers, %llu heartbeat maps, %llu emulation, %llu default host",
             (unsigned long long)l.by_source[NLB_PRED_LEARNED], (unsigned long long)l.by_source[NLB_PRED_MAPS],
             (unsigned long long)l.by_source[NLB_PRED_EMULATED], (unsigned long long)l.by_source[NLB_PRED_DEFAULT_HOST]);
    if (l.by_source[NLB_PRED_SINGLE_HOST] || l.by_source[NLB_PRED_DROPPED])
        snprintf(line + strlen(line), sizeof line - strlen(line), ", %llu single-host rule, %llu dropped by rule",
                 (unsigned long long)l.by_source[NLB_PRED_SINGLE_HOST], (unsigned long long)l.by_source[NLB_PRED_DROPPED]);
    rp_wrap(f, line, 0, 4);
    }
    if (l.answered) {
        snprintf(line, sizeof line,
                 "  of the answered flows, learned owners matched %llu of %llu; the maps and emulation alone %llu of %llu",
                 (unsigned long long)l.learned_agree, (unsigned long long)l.learned_checked,
                 (unsigned long long)l.emulated_agree, (unsigned long long)l.emulated_checked);
        rp_wrap(f, line, 0, 4);
    }
    text_affinity(f, r);
    if (l.unanswered_learned) {
        snprintf(line, sizeof line,
                 "  %llu unanswered flow%s had a learned owner: the host that answered the same client before (--flows)",
                 (unsigned long long)l.unanswered_learned, l.unanswered_learned == 1 ? "" : "s");
        rp_wrap(f, line, 0, 4);
    }
    if (l.table_refused) {
        snprintf(line, sizeof line, "  (%llu answers not learned: the learned-owner table was full)",
                 (unsigned long long)l.table_refused);
        rp_wrap(f, line, 0, 4);
    }
    if (m->n_rules)
        snprintf(line, sizeof line, "  model: %u bins per rule, %s hash, %u port rule%s from --rules", m->bins,
                 m->hash_name ? m->hash_name : "?", m->n_rules, m->n_rules == 1 ? "" : "s");
    else
        snprintf(line, sizeof line, "  model: %u bins per rule, %s hash, no --rules given", m->bins,
                 m->hash_name ? m->hash_name : "?");
    rp_wrap(f, line, 0, 4);
    if (r->whatif_host) {
        size_t ev = 0, moved = nlb_tracker_whatif_split(r->t, r->whatif_host, false, &ev);
        snprintf(line, sizeof line,
                 "  what-if without host %u: %zu of %llu flows would change owner (%zu known from the answers to be "
                 "host %u's, %zu by the maps or emulation)%s",
                 r->whatif_host, moved, (unsigned long long)o.flows, ev, r->whatif_host, moved - ev,
                 host_seen(r, r->whatif_host) ? "" : "; no such host was seen");
        rp_wrap(f, line, 0, 4);
    }
}

static void json_affinity(jw *w, const rp_run *r)
{
    static const char *akey[NLB_AFF_COUNT] = { "none", "single", "classc" };
    char v[512], ip[16];
    jw_arr(w, K("affinity"));
    for (size_t ci = 0; ci < nlb_tracker_cluster_count(r->t); ci++) {
        const nlb_cluster_info *c = nlb_tracker_cluster(r->t, ci);
        for (unsigned s = 0; s < NLB_MAX_RULES; s++) {
            nlb_aff_verdict av;
            if (!nlb_tracker_affinity_verdict(r->t, ci, s, &av)) continue;
            jw_obj(w, JW_NOKEY);
            jw_str(w, K("vip"), nlb_ip4_str(c->vip, ip));
            jw_uint(w, K("slot"), s + 1);
            jw_str(w, K("assumed"), nlb_affinity_key_name(assumed_affinity(r, s)));
            jw_str(w, K("detected"), nlb_affinity_key_name(av.best));
            jw_bool(w, K("evidence"), av.evidence);
            jw_uint(w, K("answered"), av.answered);
            jw_obj(w, K("explained"));
            for (unsigned a = 0; a < NLB_AFF_COUNT; a++) {
                jw_key(w, akey[a]);
                jw_uint(w, JW_NOKEY, av.explained[a]);
            }
            jw_end_obj(w);
            jw_obj(w, K("contradicted"));
            for (unsigned a = 0; a < NLB_AFF_COUNT; a++) {
                jw_key(w, akey[a]);
                jw_uint(w, JW_NOKEY, av.contradicted[a]);
            }
            jw_end_obj(w);
            jw_obj(w, K("refuted"));
            for (unsigned a = 0; a < NLB_AFF_COUNT; a++) {
                jw_key(w, akey[a]);
                jw_bool(w, JW_NOKEY, av.refuted[a]);
            }
            jw_end_obj(w);
            nlb_learn_verdict_format(&av, v, sizeof v);
            jw_str(w, K("text"), v);
            jw_end_obj(w);
        }
    }
    jw_end_arr(w);
}

void rp_json_ownership(jw *w, const rp_run *r)
{
    nlb_ownership_summary o = nlb_tracker_ownership(r->t);
    nlb_learn_summary l = nlb_tracker_learned(r->t);
    jw_obj(w, K("ownership"));
    jw_uint(w, K("flows"), o.flows);
    jw_uint(w, K("with_observed"), o.with_observed);
    jw_uint(w, K("agree"), o.agree);
    jw_double(w, K("agreement"), o.agreement, 4);
    jw_uint(w, K("with_prediction"), o.with_prediction);
    jw_str(w, K("model"), "emulation");
    jw_double(w, K("calibration_consistency"), o.calibration_consistency, 4);
    jw_obj(w, K("predicted_source"));
    for (unsigned s = NLB_PRED_NONE; s <= NLB_PRED_LEARNED; s++) {
        char k[24];
        snprintf(k, sizeof k, "%s", nlb_pred_source_key((nlb_pred_source)s));
        for (char *q = k; *q; q++)
            if (*q == ' ') *q = '_'; /* "default host" as a key */
        jw_key(w, k);
        jw_uint(w, JW_NOKEY, l.by_source[s]);
    }
    jw_end_obj(w);
    jw_obj(w, K("learned"));
    jw_uint(w, K("checked"), l.learned_checked);
    jw_uint(w, K("agree"), l.learned_agree);
    jw_uint(w, K("emulated_checked"), l.emulated_checked);
    jw_uint(w, K("emulated_agree"), l.emulated_agree);
    jw_uint(w, K("unanswered_with_learned_owner"), l.unanswered_learned);
    jw_uint(w, K("table_keys"), l.table_keys);
    jw_uint(w, K("table_refused"), l.table_refused);
    jw_end_obj(w);
    json_affinity(w, r);
    if (r->whatif_host) {
        jw_obj(w, K("whatif"));
        jw_uint(w, K("without_host"), r->whatif_host);
        size_t ev = 0, moved = nlb_tracker_whatif_split(r->t, r->whatif_host, false, &ev);
        jw_uint(w, K("flows_moved"), moved);
        jw_uint(w, K("flows_moved_by_evidence"), ev);
        jw_end_obj(w);
    }
    jw_end_obj(w);
}
