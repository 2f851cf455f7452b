/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cross-validation of the owners learned from answers on an nlbgen capture whose answers
 * disagree with the emulation (answers made with another hash seed or affinity than the model
 * assumes): learn on the first half of the answered flows, predict the second half.
 * usage: test_learned_cv CAPTURE AFFINITY learnable|limit
 *   learnable: the detected affinity is AFFINITY in every scope and learned predictions agree
 *              with the answering host for >= 99% of the second half;
 *   limit:     None affinity under an unknown hash: detected None, and no learned prediction is
 *              made for a new connection (no guess passed off as evidence). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *cap_path, *aff_arg, *kind_arg;

static nlb_affinity parse_aff(const char *s)
{
    return !strcmp(s, "none") ? NLB_AFF_NONE : !strcmp(s, "classc") ? NLB_AFF_CLASSC : NLB_AFF_SINGLE;
}

/* One scope per VIP port: nlbgen's rules cover one port each. */
#define MAX_SCOPES 8
static nlb_learn_entry mem[1 << 14];

static void test_cross_validation(void)
{
    nlbt_capture cap = nlbt_load(cap_path);
    nlb_tracker_config cfg;
    nlb_tracker_config_default(&cfg);
    cfg.max_flows = 1 << 14;
    nlb_tracker *t = nlb_tracker_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    static nlb_packet p;
    for (size_t i = 0; i < cap.n; i++) {
        nlb_packet_decode(NLB_LINK_ETHERNET, cap.frames[i].data, cap.frames[i].caplen, cap.frames[i].wirelen, &p);
        nlb_tracker_feed(t, &p, cap.frames[i].ts);
    }
    nlb_tracker_finish(t);
    size_t n = nlb_tracker_flow_count(t), answered = 0;
    const nlb_flow_info **fl = calloc(n ? n : 1, sizeof *fl);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fl);
    for (size_t i = 0; i < n; i++) {
        const nlb_flow_info *f = nlb_tracker_flow(t, i);
        if (f->observed_host) fl[answered++] = f; /* in order of first appearance */
    }
    CU_ASSERT_FATAL(answered >= 200);
    nlb_learn l;
    CU_ASSERT_FATAL(nlb_learn_init(&l, mem, sizeof mem));
    nlb_learn_scope sc[MAX_SCOPES];
    uint16_t port_of[MAX_SCOPES];
    unsigned nsc = 0;
    memset(sc, 0, sizeof sc);
    size_t half = answered / 2;
    nlb_learn_scope *scope_of[1 << 14];
    for (size_t i = 0; i < answered; i++) {
        unsigned k = 0;
        while (k < nsc && port_of[k] != fl[i]->vport) k++;
        CU_ASSERT_FATAL(k < MAX_SCOPES);
        if (k == nsc) {
            port_of[nsc] = fl[i]->vport;
            sc[nsc].id = nsc + 1;
            nsc++;
        }
        scope_of[i] = &sc[k];
        if (i < half)
            nlb_learn_observe(&l, &sc[k], nlb_tracker_model(t), &fl[i]->client, fl[i]->cport, fl[i]->observed_host);
    }
    nlb_affinity want = parse_aff(aff_arg);
    for (unsigned k = 0; k < nsc; k++) {
        nlb_aff_verdict v;
        char line[256];
        CU_ASSERT_EQUAL(nlb_learn_detect(&sc[k], NLB_AFF_SINGLE, &v), want);
        nlb_learn_verdict_format(&v, line, sizeof line);
        printf("port %u: %s\n", port_of[k], line);
    }
    size_t agree = 0, predicted = 0, emulated_agree = 0;
    for (size_t i = half; i < answered; i++) {
        nlb_affinity a = nlb_learn_detect(scope_of[i], NLB_AFF_SINGLE, NULL);
        uint8_t o = nlb_learn_predict(&l, scope_of[i], nlb_tracker_model(t), a, &fl[i]->client, fl[i]->cport, NULL);
        predicted += o != 0;
        agree += o == fl[i]->observed_host;
        emulated_agree += fl[i]->emulated_host == fl[i]->observed_host;
    }
    size_t n2 = answered - half;
    printf("%s: second half %zu answered flows: learned %zu predicted, %zu agree (%.1f%%); emulation alone %zu agree "
           "(%.1f%%)\n", cap_path, n2, predicted, agree, 100.0 * (double)agree / (double)n2, emulated_agree,
           100.0 * (double)emulated_agree / (double)n2);
    /* the premise: these answers do disagree with the emulation */
    CU_ASSERT(emulated_agree * 2 < n2);
    if (!strcmp(kind_arg, "learnable")) {
        CU_ASSERT(agree * 100 >= n2 * 99);
    } else {
        CU_ASSERT_EQUAL(predicted, 0u);
    }
    free(fl);
    nlb_tracker_free(t);
    nlbt_free(&cap);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test_learned_cv CAPTURE none|single|classc learnable|limit\n");
        return 2;
    }
    cap_path = argv[1];
    aff_arg = argv[2];
    kind_arg = argv[3];
    CU_initialize_registry();
    NLBT_SUITE("learned", NLBT(test_cross_validation));
    return nlbt_run();
}
