/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ownership emulation: hash, rules, affinity keys, bin maps (with property tests over seeded
 * random join/leave sequences), calibration and the rules-file parser. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static uint32_t rng_state;
static uint32_t rng(void)
{
    /* xorshift32: deterministic sequences, no libc rand() state shared with anything */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static void test_hash_oaat(void)
{
    /* published one-at-a-time values (seed 0) */
    CU_ASSERT_EQUAL(nlb_hash_oaat((const uint8_t *)"a", 1, 0), 0xca2e9442u);
    const char *fox = "The quick brown fox jumps over the lazy dog";
    CU_ASSERT_EQUAL(nlb_hash_oaat((const uint8_t *)fox, strlen(fox), 0), 0x519e91f5u);
    CU_ASSERT_EQUAL(nlb_hash_oaat(NULL, 0, 0), 0u);
    CU_ASSERT_NOT_EQUAL(nlb_hash_oaat((const uint8_t *)"a", 1, 1), 0xca2e9442u);
}

static void test_model_init_and_rules(void)
{
    nlb_model m;
    nlb_model_init(&m);
    CU_ASSERT_EQUAL(m.bins, 60u);
    CU_ASSERT_PTR_EQUAL(m.hash, nlb_hash_oaat);
    CU_ASSERT_STRING_EQUAL(m.hash_name, "one-at-a-time");
    CU_ASSERT_EQUAL(m.seed, 0u);
    CU_ASSERT_EQUAL(m.default_affinity, NLB_AFF_SINGLE);
    CU_ASSERT_EQUAL(m.n_rules, 0u);

    nlb_port_rule r;
    memset(&r, 0, sizeof r);
    r.start = 80; r.end = 79;
    CU_ASSERT_FALSE(nlb_model_add_rule(&m, &r));
    r.start = 0; r.end = 65535; r.proto = NLB_RP_BOTH;            /* 0: All, every port */
    CU_ASSERT_TRUE(nlb_model_add_rule(&m, &r));
    r.vip = 0x0A141E28u; r.start = 80; r.end = 80; r.proto = NLB_RP_TCP; /* 1: VIP-specific */
    CU_ASSERT_TRUE(nlb_model_add_rule(&m, &r));
    r.vip = 0; r.start = 53; r.end = 53; r.proto = NLB_RP_UDP; r.mode = NLB_FILTER_DISABLED; /* 2 */
    CU_ASSERT_TRUE(nlb_model_add_rule(&m, &r));

    CU_ASSERT_EQUAL(nlb_model_match(&m, 0x0A141E28u, 6, 80), 1);   /* specific beats All */
    CU_ASSERT_EQUAL(nlb_model_match(&m, 0x0A141E29u, 6, 80), 0);   /* other VIP: All */
    CU_ASSERT_EQUAL(nlb_model_match(&m, 0x0A141E28u, 17, 80), 0);  /* UDP not in rule 1 */
    CU_ASSERT_EQUAL(nlb_model_match(&m, 0x0A141E28u, 17, 53), 0);  /* first All rule wins */
    CU_ASSERT_EQUAL(nlb_model_match(&m, 0x0A141E28u, 1, 80), -1);  /* ICMP: no rule */

    nlb_model m2;
    nlb_model_init(&m2);
    r.vip = 0; r.start = 53; r.end = 53; r.proto = NLB_RP_UDP; r.mode = NLB_FILTER_DISABLED;
    CU_ASSERT_TRUE(nlb_model_add_rule(&m2, &r));
    CU_ASSERT_EQUAL(nlb_model_match(&m2, 1, 17, 53), 0);           /* disabled still matches */
    CU_ASSERT_EQUAL(nlb_model_match(&m2, 1, 6, 53), -1);           /* uncovered: default host */
    CU_ASSERT_EQUAL(nlb_model_match(&m2, 1, 17, 54), -1);
    for (int i = 1; i < NLB_MAX_RULES; i++)
        CU_ASSERT_TRUE(nlb_model_add_rule(&m2, &r));
    CU_ASSERT_EQUAL(m2.n_rules, 33u);
    CU_ASSERT_FALSE(nlb_model_add_rule(&m2, &r));
}

static void test_affinity_key(void)
{
    uint8_t key[18];
    nlb_ipaddr v4 = nlb_ipaddr_v4(0xC6336407u); /* 198.51.100.7 */
    CU_ASSERT_EQUAL(nlb_affinity_key(NLB_AFF_NONE, &v4, 0xC3CB, key), 6u);
    const uint8_t none4[6] = { 198, 51, 100, 7, 0xC3, 0xCB };
    CU_ASSERT_EQUAL(memcmp(key, none4, 6), 0);
    CU_ASSERT_EQUAL(nlb_affinity_key(NLB_AFF_SINGLE, &v4, 0xC3CB, key), 4u);
    CU_ASSERT_EQUAL(memcmp(key, none4, 4), 0);
    CU_ASSERT_EQUAL(nlb_affinity_key(NLB_AFF_CLASSC, &v4, 0xC3CB, key), 3u);
    CU_ASSERT_EQUAL(memcmp(key, none4, 3), 0);

    nlb_ipaddr v6;
    memset(&v6, 0, sizeof v6);
    v6.family = 6;
    for (int i = 0; i < 16; i++) v6.a[i] = (uint8_t)(0x20 + i);
    CU_ASSERT_EQUAL(nlb_affinity_key(NLB_AFF_NONE, &v6, 443, key), 18u);
    CU_ASSERT_EQUAL(memcmp(key, v6.a, 16), 0);
    CU_ASSERT_EQUAL(key[16], 1);
    CU_ASSERT_EQUAL(key[17], 0xBB);
    CU_ASSERT_EQUAL(nlb_affinity_key(NLB_AFF_SINGLE, &v6, 443, key), 16u);
    CU_ASSERT_EQUAL(nlb_affinity_key(NLB_AFF_CLASSC, &v6, 443, key), 6u); /* top 48 bits */
    CU_ASSERT_EQUAL(memcmp(key, v6.a, 6), 0);
}

static void test_model_bin(void)
{
    nlb_model m;
    nlb_model_init(&m);
    nlb_ipaddr c = nlb_ipaddr_v4(0xC6336407u);
    uint8_t key[18];
    size_t n = nlb_affinity_key(NLB_AFF_SINGLE, &c, 1234, key);
    uint32_t h = nlb_hash_oaat(key, n, 0);
    CU_ASSERT_EQUAL(nlb_model_bin(&m, NLB_AFF_SINGLE, &c, 1234), (unsigned)(((uint64_t)h * 60) >> 32));
    /* Single affinity ignores the port, None does not (for some port) */
    CU_ASSERT_EQUAL(nlb_model_bin(&m, NLB_AFF_SINGLE, &c, 1), nlb_model_bin(&m, NLB_AFF_SINGLE, &c, 2));
    unsigned counts[60] = { 0 };
    for (uint32_t i = 0; i < 60000; i++) {
        nlb_ipaddr x = nlb_ipaddr_v4(0x0A000000u + i);
        unsigned b = nlb_model_bin(&m, NLB_AFF_NONE, &x, (uint16_t)i);
        CU_ASSERT_FATAL(b < 60);
        counts[b]++;
    }
    for (int b = 0; b < 60; b++) /* roughly uniform: 1000 expected per bin */
        CU_ASSERT(counts[b] > 700 && counts[b] < 1300);
    m.bins = 7;
    m.seed = 99;
    CU_ASSERT(nlb_model_bin(&m, NLB_AFF_CLASSC, &c, 0) < 7);
}

static unsigned count_owner(const nlb_binmap *m, uint8_t p)
{
    unsigned n = 0;
    for (unsigned b = 0; b < m->bins; b++) n += m->owner[b] == p;
    return n;
}

static void test_binmap_assign_basic(void)
{
    nlb_binmap m;
    memset(&m, 0, sizeof m);
    m.bins = 60;
    uint8_t p3[3] = { 1, 2, 3 };
    nlb_binmap_assign(&m, p3, NULL, 3);
    CU_ASSERT_EQUAL(count_owner(&m, 1), 20u);
    CU_ASSERT_EQUAL(count_owner(&m, 2), 20u);
    CU_ASSERT_EQUAL(count_owner(&m, 3), 20u);
    /* from scratch, lowest bins go to the largest deficit, ties to the lower priority number:
     * the hosts interleave 1, 2, 3, 1, 2, 3, ... */
    CU_ASSERT_EQUAL(m.owner[0], 1);
    CU_ASSERT_EQUAL(m.owner[1], 2);
    CU_ASSERT_EQUAL(m.owner[2], 3);
    CU_ASSERT_EQUAL(m.owner[59], 3);
    uint64_t every3 = 0;
    for (int b = 0; b < 60; b += 3) every3 |= 1ull << b;
    CU_ASSERT_EQUAL(nlb_binmap_mask(&m, 1), every3);
    CU_ASSERT_EQUAL(nlb_binmap_mask(&m, 2), every3 << 1);
    CU_ASSERT_EQUAL(nlb_binmap_mask(&m, 9), 0ull);

    uint8_t w[3] = { 50, 30, 20 };
    memset(m.owner, 0, sizeof m.owner);
    nlb_binmap_assign(&m, p3, w, 3);
    CU_ASSERT_EQUAL(count_owner(&m, 1), 30u);
    CU_ASSERT_EQUAL(count_owner(&m, 2), 18u);
    CU_ASSERT_EQUAL(count_owner(&m, 3), 12u);

    uint8_t w0[3] = { 0, 30, 30 };
    nlb_binmap_assign(&m, p3, w0, 3);
    CU_ASSERT_EQUAL(count_owner(&m, 1), 0u);
    CU_ASSERT_EQUAL(count_owner(&m, 2), 30u);
    CU_ASSERT_EQUAL(count_owner(&m, 3), 30u);

    uint8_t wz[3] = { 0, 0, 0 }; /* all zero: equal */
    nlb_binmap_assign(&m, p3, wz, 3);
    CU_ASSERT_EQUAL(count_owner(&m, 1), 20u);

    uint8_t p7[7] = { 7, 6, 5, 4, 3, 2, 1 }; /* 60 = 7 x 8 + 4: remainders to hosts 1-4 */
    memset(m.owner, 0, sizeof m.owner);
    nlb_binmap_assign(&m, p7, NULL, 7);
    for (uint8_t p = 1; p <= 7; p++)
        CU_ASSERT_EQUAL(count_owner(&m, p), p <= 4 ? 9u : 8u);

    nlb_binmap_assign(&m, p7, NULL, 0);
    for (unsigned b = 0; b < 60; b++)
        CU_ASSERT_EQUAL(m.owner[b], 0);

    m.bins = 0; /* invalid: default 60 */
    nlb_binmap_assign(&m, p3, NULL, 3);
    CU_ASSERT_EQUAL(m.bins, 60u);
    m.bins = 64;
    nlb_binmap_assign(&m, p3, NULL, 3);
    CU_ASSERT_EQUAL(count_owner(&m, 1), 22u); /* 64 = 21 x 3 + 1 */
    CU_ASSERT_EQUAL(nlb_map_count(nlb_binmap_mask(&m, 1) | nlb_binmap_mask(&m, 2) | nlb_binmap_mask(&m, 3)), 64u);
}

/* 1000 seeded random join/leave sequences of 2..32 hosts: every bin owned exactly once by a
 * member, quotas within one bin of the weight share, leaves move only the leaver's bins, joins
 * take bins only from hosts above their new quota. With unequal weights a leave can force one
 * extra move when a remaining host sits below its new floor while the leaver owned too little to
 * cover it (quotas must stay within one bin): those are counted and must stay rare. */
static void test_binmap_assign_properties(void)
{
    unsigned failures = 0, weighted_leaves = 0, weighted_extra = 0;
    for (uint32_t seq = 1; seq <= 1000 && failures < 10; seq++) {
        rng_state = seq * 2654435761u | 1;
        bool weighted = seq % 2 == 0;
        nlb_binmap m;
        memset(&m, 0, sizeof m);
        m.bins = 1 + rng() % 64;
        if (seq % 3 == 0) m.bins = 60;
        bool in[33] = { false };
        uint8_t weight[33];
        for (int p = 1; p <= 32; p++) weight[p] = weighted ? (uint8_t)(1 + rng() % 100) : 0;
        unsigned target = 2 + rng() % 31;
        for (int step = 0; step < 40; step++) {
            unsigned n_in = 0;
            for (int p = 1; p <= 32; p++) n_in += in[p];
            bool join = n_in < 2 || (n_in < target && rng() % 3 != 0) || n_in == 0;
            if (n_in >= 32) join = false;
            uint8_t who;
            do who = (uint8_t)(1 + rng() % 32); while (in[who] == join);
            nlb_binmap before = m;
            in[who] = join;
            uint8_t prios[32], w[32];
            size_t n = 0;
            uint32_t wsum = 0;
            for (int p = 32; p >= 1; p--) /* any order: the result must not depend on it */
                if (in[p]) { prios[n] = (uint8_t)p; w[n] = weight[p]; wsum += weight[p]; n++; }
            nlb_binmap_assign(&m, prios, weighted ? w : NULL, n);
            /* every bin owned once by a member */
            for (unsigned b = 0; b < m.bins; b++)
                if (m.owner[b] < 1 || m.owner[b] > 32 || !in[m.owner[b]]) { failures++; break; }
            /* weights respected within one bin */
            for (size_t i = 0; i < n; i++) {
                double share = weighted ? (double)m.bins * w[i] / wsum : (double)m.bins / (double)n;
                double got = count_owner(&m, prios[i]);
                if (got < share - 1.0 || got > share + 1.0) { failures++; break; }
            }
            /* movement */
            unsigned moved = 0, others = 0;
            for (unsigned b = 0; b < m.bins; b++) {
                if (before.owner[b] == m.owner[b]) continue;
                moved++;
                if (!join && before.owner[b] != who && before.owner[b] != 0)
                    others++; /* a leave moved a bin that was not the leaver's */
                if (join && before.owner[b] != 0 && count_owner(&before, before.owner[b]) <= count_owner(&m, before.owner[b]))
                    failures++; /* took a bin from a host that was not above its new quota */
            }
            if (!join && !weighted && others)
                failures++;
            if (!join && weighted) {
                weighted_leaves++;
                weighted_extra += others > 0;
                if (others > 1) failures++;
            }
            if (join) {
                /* exactly the excess of the others moved (plus bins nobody owned) */
                unsigned excess = 0;
                for (size_t i = 0; i < n; i++) {
                    if (prios[i] == who) continue;
                    unsigned was = count_owner(&before, prios[i]), now = count_owner(&m, prios[i]);
                    if (was > now) excess += was - now;
                }
                unsigned unowned = 0;
                for (unsigned b = 0; b < m.bins; b++) unowned += before.owner[b] == 0;
                if (moved != excess + unowned) failures++;
            }
        }
    }
    CU_ASSERT_EQUAL(failures, 0u);
    CU_ASSERT(weighted_leaves > 1000);
    CU_ASSERT(weighted_extra * 200 <= weighted_leaves); /* at most 0.5 % */
    printf("(weighted leaves %u, with one extra move %u) ", weighted_leaves, weighted_extra);
}

static void test_binmap_from_maps(void)
{
    nlb_binmap m;
    uint8_t prios[3] = { 1, 2, 3 };
    uint64_t maps[3] = { 0x00000000000FFFFFull, 0x000000FFFFF00001ull, 0xF000000000000000ull };
    unsigned nobody = 99;
    /* bin 0 twice; bins 40..59 nobody; bits 60..63 ignored */
    CU_ASSERT_EQUAL(nlb_binmap_from_maps(&m, 60, prios, maps, 3, &nobody), 1u);
    CU_ASSERT_EQUAL(nobody, 20u);
    CU_ASSERT_EQUAL(m.bins, 60u);
    CU_ASSERT_EQUAL(m.owner[0], 1);
    CU_ASSERT_EQUAL(m.owner[20], 2);
    CU_ASSERT_EQUAL(m.owner[45], 0);
    CU_ASSERT_EQUAL(nlb_binmap_mask(&m, 2), 0x000000FFFFF00000ull);
    uint64_t good[3] = { 0xFFFFFull, 0xFFFFFull << 20, 0xFFFFFull << 40 };
    CU_ASSERT_EQUAL(nlb_binmap_from_maps(&m, 60, prios, good, 3, &nobody), 0u);
    CU_ASSERT_EQUAL(nobody, 0u);
    CU_ASSERT_EQUAL(nlb_binmap_from_maps(&m, 60, prios, good, 3, NULL), 0u);
}

static void test_calibration(void)
{
    nlb_calib c;
    memset(&c, 0, sizeof c);
    CU_ASSERT_DOUBLE_EQUAL(nlb_calib_consistency(&c, 60), 1.0, 1e-9);
    for (int i = 0; i < 10; i++) nlb_calib_observe(&c, 5, 2);
    nlb_calib_observe(&c, 5, 3);
    CU_ASSERT_EQUAL(c.owner[5], 2);
    CU_ASSERT_EQUAL(c.total[5], 11u);
    CU_ASSERT_EQUAL(c.votes[5], 9u);
    CU_ASSERT_DOUBLE_EQUAL(nlb_calib_consistency(&c, 60), 10.0 / 11.0, 1e-9);
    nlb_calib_observe(&c, 7, 1);
    CU_ASSERT_EQUAL(c.owner[7], 1);
    nlb_calib_observe(&c, 7, 4);
    nlb_calib_observe(&c, 7, 4); /* the counter hit 0: host 4 takes over */
    CU_ASSERT_EQUAL(c.owner[7], 4);
    nlb_calib_observe(&c, 64, 1); /* out of range: ignored */
    nlb_calib_observe(&c, 1, 0);  /* no host: ignored */
    CU_ASSERT_EQUAL(c.total[1], 0u);
}

static void test_rules_good(void)
{
    nlb_model m;
    nlb_model_init(&m);
    char err[128] = "x";
    const char *text =
        "# cluster 10.20.30.40\n"
        "bins=32\n"
        "seed=0x1234\n"
        "affinity=none   # when no rule\n"
        "\n"
        "rule vip=10.20.30.40 ports=80-80 proto=tcp mode=multiple affinity=single load=equal\n"
        "  rule vip=all ports=443 proto=both mode=multiple affinity=classc load=1:50,2:30,3:20\r\n"
        "rule ports=25 proto=udp mode=single handling=1:2,2:1\n"
        "rule mode=disabled";
    CU_ASSERT_TRUE(nlb_model_load_rules(&m, text, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "");
    CU_ASSERT_EQUAL(m.bins, 32u);
    CU_ASSERT_EQUAL(m.seed, 0x1234u);
    CU_ASSERT_EQUAL(m.default_affinity, NLB_AFF_NONE);
    CU_ASSERT_EQUAL_FATAL(m.n_rules, 4u);
    CU_ASSERT_EQUAL(m.rules[0].vip, 0x0A141E28u);
    CU_ASSERT_EQUAL(m.rules[0].start, 80);
    CU_ASSERT_EQUAL(m.rules[0].end, 80);
    CU_ASSERT_EQUAL(m.rules[0].proto, NLB_RP_TCP);
    CU_ASSERT_EQUAL(m.rules[0].affinity, NLB_AFF_SINGLE);
    CU_ASSERT_TRUE(m.rules[0].equal_load);
    CU_ASSERT_EQUAL(m.rules[1].vip, 0u);
    CU_ASSERT_EQUAL(m.rules[1].start, 443);
    CU_ASSERT_EQUAL(m.rules[1].end, 443);
    CU_ASSERT_EQUAL(m.rules[1].affinity, NLB_AFF_CLASSC);
    CU_ASSERT_FALSE(m.rules[1].equal_load);
    CU_ASSERT_EQUAL(m.rules[1].weight[1], 50);
    CU_ASSERT_EQUAL(m.rules[1].weight[2], 30);
    CU_ASSERT_EQUAL(m.rules[1].weight[3], 20);
    CU_ASSERT_EQUAL(m.rules[1].weight[4], 0);
    CU_ASSERT_EQUAL(m.rules[2].mode, NLB_FILTER_SINGLE);
    CU_ASSERT_EQUAL(m.rules[2].proto, NLB_RP_UDP);
    CU_ASSERT_EQUAL(m.rules[2].handling[1], 2);
    CU_ASSERT_EQUAL(m.rules[2].handling[2], 1);
    CU_ASSERT_EQUAL(m.rules[3].mode, NLB_FILTER_DISABLED);
    CU_ASSERT_EQUAL(m.rules[3].start, 0);
    CU_ASSERT_EQUAL(m.rules[3].end, 65535);
    CU_ASSERT_EQUAL(m.rules[3].proto, NLB_RP_BOTH);
    CU_ASSERT_TRUE(nlb_model_load_rules(&m, "", err, sizeof err));
    CU_ASSERT_EQUAL(m.n_rules, 4u); /* rules are appended */
}

static void expect_error(const char *text, const char *want)
{
    nlb_model m;
    nlb_model_init(&m);
    nlb_model before = m;
    char err[160] = "";
    CU_ASSERT_FALSE(nlb_model_load_rules(&m, text, err, sizeof err));
    if (strcmp(err, want)) {
        printf("\n  text %s\n  got  '%s'\n  want '%s'\n", text, err, want);
        CU_FAIL("rules error message");
    }
    CU_ASSERT_EQUAL(memcmp(&m, &before, sizeof m), 0); /* untouched on error */
}

static void test_rules_bad(void)
{
    expect_error("rule ports=80\nrule ports=90-80\n", "line 2: port range is inverted");
    expect_error("bins=65", "line 1: bins must be 1..64");
    expect_error("bins=0", "line 1: bins must be 1..64");
    expect_error("#c\n\nseed=-1", "line 3: seed must be a 32-bit unsigned number");
    expect_error("rule vip=10.20.30", "line 1: vip must be an IPv4 address or 'all'");
    expect_error("rule ports=80 proto=icmp", "line 1: proto must be tcp, udp or both");
    expect_error("rule mode=round-robin", "line 1: mode must be multiple, single or disabled");
    expect_error("rule affinity=classb", "line 1: affinity must be none, single or classc");
    expect_error("rule load=1:101", "line 1: load weight must be 0..100");
    expect_error("rule load=33:1", "line 1: host priority must be 1..32");
    expect_error("rule load=1", "line 1: expected priority:value");
    expect_error("rule handling=1:40", "line 1: handling priority must be 0..32");
    expect_error("rule colour=blue", "line 1: unknown rule key 'colour'");
    expect_error("rule ports", "line 1: expected key=value, got 'ports'");
    expect_error("rule ports=70000", "line 1: ports must be N or N-M with 0..65535");
    expect_error("rules ports=80", "line 1: unknown statement 'rules' (expected rule, bins=, seed= or affinity=)");
    expect_error("affinity=all", "line 1: affinity must be none, single or classc");
    char many[40 * 34];
    many[0] = 0;
    for (int i = 0; i < 34; i++) strcat(many, "rule ports=80\n");
    expect_error(many, "line 34: too many rules (at most 33)");
    nlb_model m;
    nlb_model_init(&m);
    CU_ASSERT_FALSE(nlb_model_load_rules(&m, "junk", NULL, 0)); /* no error buffer: still fails cleanly */
}

int main(void)
{
    CU_initialize_registry();
    NLBT_SUITE("owner",
               NLBT(test_hash_oaat), NLBT(test_model_init_and_rules), NLBT(test_affinity_key),
               NLBT(test_model_bin), NLBT(test_binmap_assign_basic), NLBT(test_binmap_assign_properties),
               NLBT(test_binmap_from_maps), NLBT(test_calibration), NLBT(test_rules_good),
               NLBT(test_rules_bad));
    return nlbt_run();
}
