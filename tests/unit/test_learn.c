/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Owners learned from answers (learn.h): evidence per affinity, detection, prediction levels,
 * forgetting, the bounded table and the verdict's wording. Answers are made with the library's
 * own emulation under a known affinity and seed, so every expected owner is computed, not
 * assumed. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static uint32_t rng_state;
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static nlb_learn_entry table_mem[4096];

/* The host owning a flow in a "real" cluster of 3 hosts whose hash uses aff and seed. */
static uint8_t truth_owner(nlb_affinity aff, uint32_t seed, const nlb_ipaddr *c, uint16_t port)
{
    nlb_model m;
    nlb_model_init(&m);
    m.seed = seed;
    unsigned bin = nlb_model_bin(&m, aff, c, port);
    return (uint8_t)(1 + bin % 3);
}

/* Feed n answers from `clients` client addresses (two /24s) answered under (aff, seed). */
static void feed(nlb_learn *l, nlb_learn_scope *s, const nlb_model *m, nlb_affinity aff, uint32_t seed, unsigned n,
                 unsigned clients)
{
    for (unsigned i = 0; i < n; i++) {
        unsigned k = rng() % clients;
        nlb_ipaddr c = nlb_ipaddr_v4((k & 1 ? 0xC6336400u : 0xCB007100u) + 1 + k / 2);
        uint16_t port = (uint16_t)(49152 + i);
        nlb_learn_observe(l, s, m, &c, port, truth_owner(aff, seed, &c, port));
    }
}

static void test_bytes_and_init(void)
{
    CU_ASSERT_EQUAL(nlb_learn_bytes(0), 32 * sizeof(nlb_learn_entry));
    CU_ASSERT_EQUAL(nlb_learn_bytes(1000), 2048 * sizeof(nlb_learn_entry));
    CU_ASSERT_EQUAL(nlb_learn_bytes((size_t)1 << 29), 0u);
    nlb_learn l;
    CU_ASSERT_FALSE(nlb_learn_init(&l, table_mem, 31 * sizeof(nlb_learn_entry)));
    CU_ASSERT_FALSE(nlb_learn_init(&l, NULL, sizeof table_mem));
    CU_ASSERT_TRUE(nlb_learn_init(&l, table_mem, 3000 * sizeof(nlb_learn_entry)));
    CU_ASSERT_EQUAL(l.cap, 2048u); /* the power of two that fits */
    CU_ASSERT_EQUAL(l.limit, 1024u);
}

/* Single-affinity answers with a hash the model does not know (seed 99): client keys explain
 * every repeat, Class C keys are refuted, None has nothing to go on. */
static void test_single_wrong_seed(void)
{
    nlb_learn l;
    nlb_learn_init(&l, table_mem, sizeof table_mem);
    nlb_learn_scope s;
    memset(&s, 0, sizeof s);
    s.id = 7;
    nlb_model m;
    nlb_model_init(&m);
    rng_state = 12345;
    feed(&l, &s, &m, NLB_AFF_SINGLE, 99, 400, 40);
    nlb_aff_verdict v;
    CU_ASSERT_EQUAL(nlb_learn_detect(&s, NLB_AFF_NONE, &v), NLB_AFF_SINGLE);
    CU_ASSERT_TRUE(v.evidence);
    CU_ASSERT_EQUAL(v.answered, 400u);
    CU_ASSERT_EQUAL(s.ev[NLB_AFF_SINGLE].key_checks, 360u); /* 40 first sightings */
    CU_ASSERT_EQUAL(v.explained[NLB_AFF_SINGLE], 360u);
    CU_ASSERT_EQUAL(v.contradicted[NLB_AFF_SINGLE], 0u);
    CU_ASSERT_TRUE(v.refuted[NLB_AFF_CLASSC]);
    CU_ASSERT_FALSE(v.refuted[NLB_AFF_SINGLE]);
    CU_ASSERT_FALSE(v.bins_trusted[NLB_AFF_NONE]);
    CU_ASSERT_EQUAL(v.explained[NLB_AFF_NONE], 0u);
    /* predict a new connection of a known client: its key; of an unknown one: nothing */
    nlb_ipaddr c = nlb_ipaddr_v4(0xCB007100u + 1);
    nlb_learn_level lv;
    CU_ASSERT_EQUAL(nlb_learn_predict(&l, &s, &m, NLB_AFF_SINGLE, &c, 1, &lv), truth_owner(NLB_AFF_SINGLE, 99, &c, 1));
    CU_ASSERT_EQUAL(lv, NLB_LEARN_KEY);
    nlb_ipaddr u = nlb_ipaddr_v4(0x0A000001u);
    CU_ASSERT_EQUAL(nlb_learn_predict(&l, &s, &m, NLB_AFF_SINGLE, &u, 1, &lv), 0u);
    CU_ASSERT_EQUAL(lv, NLB_LEARN_NONE);
    /* another scope learned nothing */
    nlb_learn_scope s2;
    memset(&s2, 0, sizeof s2);
    s2.id = 8;
    CU_ASSERT_EQUAL(nlb_learn_predict(&l, &s2, &m, NLB_AFF_SINGLE, &c, 1, NULL), 0u);
    CU_ASSERT_EQUAL(nlb_learn_detect(&s2, NLB_AFF_CLASSC, &v), NLB_AFF_CLASSC); /* no evidence: assumed */
    CU_ASSERT_FALSE(v.evidence);
}

/* None-affinity answers with the model's own hash: Single and Class C are refuted and None's
 * emulated bins are trusted, so a brand-new connection is predicted from its bin. */
static void test_none_same_hash(void)
{
    nlb_learn l;
    nlb_learn_init(&l, table_mem, sizeof table_mem);
    nlb_learn_scope s;
    memset(&s, 0, sizeof s);
    s.id = 1;
    nlb_model m;
    nlb_model_init(&m);
    rng_state = 777;
    feed(&l, &s, &m, NLB_AFF_NONE, 0, 600, 40);
    nlb_aff_verdict v;
    CU_ASSERT_EQUAL(nlb_learn_detect(&s, NLB_AFF_SINGLE, &v), NLB_AFF_NONE);
    CU_ASSERT_TRUE(v.refuted[NLB_AFF_SINGLE]);
    CU_ASSERT_TRUE(v.refuted[NLB_AFF_CLASSC]);
    CU_ASSERT_TRUE(v.bins_trusted[NLB_AFF_NONE]);
    CU_ASSERT_EQUAL(v.contradicted[NLB_AFF_NONE], 0u); /* the bins of the true hash never disagree */
    CU_ASSERT_EQUAL(v.explained[NLB_AFF_NONE], 600u - 60u); /* every answer after its bin's first */
    nlb_ipaddr c = nlb_ipaddr_v4(0x0A000001u);
    nlb_learn_level lv;
    CU_ASSERT_EQUAL(nlb_learn_predict(&l, &s, &m, NLB_AFF_NONE, &c, 4242, &lv), truth_owner(NLB_AFF_NONE, 0, &c, 4242));
    CU_ASSERT_EQUAL(lv, NLB_LEARN_BIN);
}

/* None-affinity answers with an unknown hash: nothing can be learned for new connections; None
 * still wins by elimination (the client keys of Single and Class C are refuted). */
static void test_none_wrong_seed(void)
{
    nlb_learn l;
    nlb_learn_init(&l, table_mem, sizeof table_mem);
    nlb_learn_scope s;
    memset(&s, 0, sizeof s);
    s.id = 2;
    nlb_model m;
    nlb_model_init(&m);
    rng_state = 4242;
    feed(&l, &s, &m, NLB_AFF_NONE, 5, 600, 40);
    nlb_aff_verdict v;
    CU_ASSERT_EQUAL(nlb_learn_detect(&s, NLB_AFF_SINGLE, &v), NLB_AFF_NONE);
    CU_ASSERT_FALSE(v.bins_trusted[NLB_AFF_NONE]);
    CU_ASSERT_EQUAL(v.explained[NLB_AFF_NONE], 0u);
    nlb_ipaddr c = nlb_ipaddr_v4(0x0A000001u);
    CU_ASSERT_EQUAL(nlb_learn_predict(&l, &s, &m, NLB_AFF_NONE, &c, 4242, NULL), 0u);
    char buf[256];
    nlb_learn_verdict_format(&v, buf, sizeof buf);
    CU_ASSERT_EQUAL(strncmp(buf, "None affinity explains 0 of 600 answered flows; Single ", 55), 0);
}

/* Class C answers: Class C explains more than Single (clients of one /24 share an owner), and
 * neither is refuted. */
static void test_classc(void)
{
    nlb_learn l;
    nlb_learn_init(&l, table_mem, sizeof table_mem);
    nlb_learn_scope s;
    memset(&s, 0, sizeof s);
    s.id = 3;
    nlb_model m;
    nlb_model_init(&m);
    rng_state = 99;
    feed(&l, &s, &m, NLB_AFF_CLASSC, 3, 200, 40);
    nlb_aff_verdict v;
    CU_ASSERT_EQUAL(nlb_learn_detect(&s, NLB_AFF_SINGLE, &v), NLB_AFF_CLASSC);
    CU_ASSERT_EQUAL(v.explained[NLB_AFF_CLASSC], 198u); /* all but the first of each /24 */
    CU_ASSERT_FALSE(v.refuted[NLB_AFF_SINGLE]);
    CU_ASSERT_TRUE(v.explained[NLB_AFF_SINGLE] < 198u);
}

/* Forgetting a host drops its facts only; what was learned for the others still predicts. */
static void test_forget(void)
{
    nlb_learn l;
    nlb_learn_init(&l, table_mem, sizeof table_mem);
    nlb_learn_scope s;
    memset(&s, 0, sizeof s);
    s.id = 4;
    nlb_model m;
    nlb_model_init(&m);
    nlb_ipaddr a = nlb_ipaddr_v4(0xC6336401u), b = nlb_ipaddr_v4(0xC6336402u);
    nlb_learn_observe(&l, &s, &m, &a, 1000, 2);
    nlb_learn_observe(&l, &s, &m, &b, 1000, 3);
    CU_ASSERT_EQUAL(nlb_learn_predict(&l, &s, &m, NLB_AFF_SINGLE, &a, 1, NULL), 2u);
    CU_ASSERT_EQUAL(nlb_learn_predict(&l, &s, &m, NLB_AFF_SINGLE, &b, 1, NULL), 3u);
    nlb_learn_forget(&s, 2);
    CU_ASSERT_EQUAL(nlb_learn_predict(&l, &s, &m, NLB_AFF_SINGLE, &a, 1, NULL), 0u);
    CU_ASSERT_EQUAL(nlb_learn_predict(&l, &s, &m, NLB_AFF_SINGLE, &b, 1, NULL), 3u);
    /* relearned after the move: a new answer is not counted as a check against the old owner */
    uint32_t checks = s.ev[NLB_AFF_SINGLE].key_checks;
    nlb_learn_observe(&l, &s, &m, &a, 1001, 1);
    CU_ASSERT_EQUAL(s.ev[NLB_AFF_SINGLE].key_checks, checks);
    CU_ASSERT_EQUAL(nlb_learn_predict(&l, &s, &m, NLB_AFF_SINGLE, &a, 1, NULL), 1u);
    nlb_learn_forget(&s, 0);  /* out of range: no effect, no crash */
    nlb_learn_forget(NULL, 1);
    CU_ASSERT_EQUAL(nlb_learn_predict(&l, &s, &m, NLB_AFF_SINGLE, &a, 1, NULL), 1u);
}

/* A full table refuses new keys and counts them; what it holds still predicts. */
static void test_bounded(void)
{
    nlb_learn l;
    nlb_learn_init(&l, table_mem, 64 * sizeof(nlb_learn_entry));
    CU_ASSERT_EQUAL(l.limit, 32u);
    nlb_learn_scope s;
    memset(&s, 0, sizeof s);
    s.id = 5;
    nlb_model m;
    nlb_model_init(&m);
    for (unsigned i = 0; i < 100; i++) {
        nlb_ipaddr c = nlb_ipaddr_v4(0x0A000000u + i * 256); /* a new /24 each: 3 new keys per answer */
        nlb_learn_observe(&l, &s, &m, &c, 1, 1);
    }
    CU_ASSERT_EQUAL(l.n, 32u);
    CU_ASSERT_TRUE(l.refused > 0);
    nlb_ipaddr first = nlb_ipaddr_v4(0x0A000000u);
    CU_ASSERT_EQUAL(nlb_learn_predict(&l, &s, &m, NLB_AFF_SINGLE, &first, 9, NULL), 1u);
    nlb_learn_observe(NULL, &s, &m, &first, 1, 1); /* bad arguments are ignored */
    nlb_learn_observe(&l, &s, &m, &first, 1, 33);
    CU_ASSERT_EQUAL(nlb_learn_predict(&l, &s, &m, (nlb_affinity)7, &first, 9, NULL), 0u);
}

static void test_wording(void)
{
    nlb_aff_verdict v;
    memset(&v, 0, sizeof v);
    v.best = NLB_AFF_SINGLE;
    v.evidence = true;
    v.answered = 111;
    v.explained[NLB_AFF_SINGLE] = 108;
    v.explained[NLB_AFF_CLASSC] = 40;
    v.contradicted[NLB_AFF_CLASSC] = 60;
    v.explained[NLB_AFF_NONE] = 43;
    char buf[256];
    size_t n = nlb_learn_verdict_format(&v, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "Single affinity explains 108 of 111 answered flows; Class C 40 (contradicted by 60); None 43");
    CU_ASSERT_EQUAL(n, strlen(buf));
    CU_ASSERT_EQUAL(nlb_learn_verdict_format(&v, buf, 10), 9u);
    CU_ASSERT_STRING_EQUAL(buf, "Single af");
    CU_ASSERT_STRING_EQUAL(nlb_affinity_name(NLB_AFF_CLASSC), "Class C");
    CU_ASSERT_STRING_EQUAL(nlb_affinity_key_name(NLB_AFF_NONE), "none");
    CU_ASSERT_STRING_EQUAL(nlb_pred_source_key(NLB_PRED_LEARNED), "learned");
    CU_ASSERT_STRING_EQUAL(nlb_pred_source_key(NLB_PRED_MAPS), "map");
    CU_ASSERT_STRING_EQUAL(nlb_pred_source_key(NLB_PRED_EMULATED), "emulated");
    CU_ASSERT_STRING_EQUAL(nlb_pred_source_key(NLB_PRED_DEFAULT_HOST), "default host");
    CU_ASSERT_STRING_EQUAL(nlb_pred_source_name(NLB_PRED_LEARNED), "learned from answers");
}

int main(void)
{
    CU_initialize_registry();
    NLBT_SUITE("learn", NLBT(test_bytes_and_init), NLBT(test_single_wrong_seed), NLBT(test_none_same_hash),
               NLBT(test_none_wrong_seed), NLBT(test_classc), NLBT(test_forget), NLBT(test_bounded),
               NLBT(test_wording));
    return nlbt_run();
}
