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

/* ---- flow-ownership prediction (nlb_predict and its helpers) ---- */

#define CLIENT(x) nlb_ipaddr_v4(0xC0A80100u + (x)) /* 192.168.1.x */

/* Hosts 1, 2, 3 live; host 1's current maps own bins 0-19 of every slot, host 2's 20-39,
 * host 3's were not captured (a truncated heartbeat). */
static uint64_t map1[NLB_MAX_RULES], map2[NLB_MAX_RULES];

static nlb_owner_view view123(void)
{
    for (unsigned s = 0; s < NLB_MAX_RULES; s++) {
        map1[s] = 0x00000000000FFFFFull;
        map2[s] = 0x000000FFFFF00000ull;
    }
    nlb_owner_view v;
    memset(&v, 0, sizeof v);
    v.n = 3;
    v.prio[0] = 1; v.cur_map[0] = map1;
    v.prio[1] = 2; v.cur_map[1] = map2;
    v.prio[2] = 3; v.cur_map[2] = NULL;
    return v;
}

static nlb_model rules3(void)
{
    nlb_model m;
    nlb_model_init(&m);
    nlb_port_rule r;
    memset(&r, 0, sizeof r);
    r.start = r.end = 80; r.proto = NLB_RP_TCP; r.mode = NLB_FILTER_MULTIPLE; r.affinity = NLB_AFF_SINGLE;
    r.equal_load = true;
    CU_ASSERT_TRUE(nlb_model_add_rule(&m, &r));                   /* 0: web, multiple hosts */
    r.start = r.end = 443; r.mode = NLB_FILTER_SINGLE;
    r.handling[2] = 2; r.handling[3] = 1;
    CU_ASSERT_TRUE(nlb_model_add_rule(&m, &r));                   /* 1: single host, 3 before 2 */
    memset(r.handling, 0, sizeof r.handling);
    r.start = r.end = 53; r.proto = NLB_RP_UDP; r.mode = NLB_FILTER_DISABLED;
    CU_ASSERT_TRUE(nlb_model_add_rule(&m, &r));                   /* 2: DNS dropped */
    return m;
}

static void test_predict_sources(void)
{
    nlb_model m = rules3();
    nlb_owner_view v = view123();
    v.default_host = 2;
    nlb_emu_cache emu;
    memset(&emu, 0, sizeof emu);
    const uint32_t vip = 0x0A000064u;
    nlb_ipaddr c1 = CLIENT(1), c4 = CLIENT(4), c8 = CLIENT(8), c12 = CLIENT(12);

    /* 192.168.1.1 hashes (Single affinity, seed 0, 60 bins) to bin 7: host 1's map holds it */
    nlb_prediction p = nlb_predict(&m, &v, &emu, vip, 6, 80, &c1, 50000);
    CU_ASSERT_EQUAL(p.rule, 0);
    CU_ASSERT_EQUAL(p.slot, 0);
    CU_ASSERT_TRUE(p.has_bin);
    CU_ASSERT_EQUAL(p.bin, 7);
    CU_ASSERT_EQUAL(p.affinity, NLB_AFF_SINGLE);
    CU_ASSERT_EQUAL(p.host, 1);
    CU_ASSERT_EQUAL(p.source, NLB_PRED_MAPS);
    /* .4 -> bin 31, host 2's */
    p = nlb_predict(&m, &v, &emu, vip, 6, 80, &c4, 50000);
    CU_ASSERT_EQUAL(p.bin, 31);
    CU_ASSERT_EQUAL(p.host, 2);
    CU_ASSERT_EQUAL(p.source, NLB_PRED_MAPS);
    /* .8 -> bin 44 and .12 -> bin 57: no captured map holds them; the emulated map over {1,2,3}
     * deals the bins round-robin from an empty map (bin b to host b mod 3 + 1) */
    p = nlb_predict(&m, &v, &emu, vip, 6, 80, &c8, 50000);
    CU_ASSERT_EQUAL(p.bin, 44);
    CU_ASSERT_EQUAL(p.host, 3);
    CU_ASSERT_EQUAL(p.source, NLB_PRED_EMULATED);
    CU_ASSERT_EQUAL(emu.live[0], 0x7u);
    CU_ASSERT_EQUAL(emu.map[0].bins, 60u);
    CU_ASSERT_EQUAL(nlb_binmap_mask(&emu.map[0], 3), 0x0924924924924924ull);
    p = nlb_predict(&m, &v, &emu, vip, 6, 80, &c12, 50000);
    CU_ASSERT_EQUAL(p.bin, 57);
    CU_ASSERT_EQUAL(p.host, 1);
    CU_ASSERT_EQUAL(p.source, NLB_PRED_EMULATED);

    /* single-host rule: the lowest non-zero handling priority among live hosts is host 3's */
    p = nlb_predict(&m, &v, &emu, vip, 6, 443, &c1, 50000);
    CU_ASSERT_EQUAL(p.rule, 1);
    CU_ASSERT_EQUAL(p.slot, 1);
    CU_ASSERT_TRUE(p.has_bin);
    CU_ASSERT_EQUAL(p.bin, 7);
    CU_ASSERT_EQUAL(p.host, 3);
    CU_ASSERT_EQUAL(p.source, NLB_PRED_SINGLE_HOST);

    /* disabled rule: matched and hashed, but every host drops it */
    p = nlb_predict(&m, &v, &emu, vip, 17, 53, &c1, 50000);
    CU_ASSERT_EQUAL(p.rule, 2);
    CU_ASSERT_EQUAL(p.slot, 2);
    CU_ASSERT_TRUE(p.has_bin);
    CU_ASSERT_EQUAL(p.host, 0);
    CU_ASSERT_EQUAL(p.source, NLB_PRED_DROPPED);

    /* no rule covers 8080 (nor TCP 53, nor ICMP): the claimed default host, live */
    p = nlb_predict(&m, &v, &emu, vip, 6, 8080, &c1, 50000);
    CU_ASSERT_EQUAL(p.rule, -1);
    CU_ASSERT_EQUAL(p.slot, -1);
    CU_ASSERT_FALSE(p.has_bin);
    CU_ASSERT_EQUAL(p.host, 2);
    CU_ASSERT_EQUAL(p.source, NLB_PRED_DEFAULT_HOST);
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, &emu, vip, 6, 53, &c1, 1).source, NLB_PRED_DEFAULT_HOST);
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, &emu, vip, 1, 80, &c1, 0).source, NLB_PRED_DEFAULT_HOST);
    v.default_host = 7; /* a claim naming a host that is not live: the highest-priority live host */
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, &emu, vip, 6, 8080, &c1, 50000).host, 1);

    /* bad arguments */
    p = nlb_predict(NULL, &v, &emu, vip, 6, 80, &c1, 50000);
    CU_ASSERT_EQUAL(p.source, NLB_PRED_NONE);
    CU_ASSERT_EQUAL(p.host, 0);
    CU_ASSERT_EQUAL(p.rule, -1);
    CU_ASSERT_EQUAL(nlb_predict(&m, NULL, &emu, vip, 6, 80, &c1, 50000).source, NLB_PRED_NONE);
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, &emu, vip, 6, 80, NULL, 50000).source, NLB_PRED_NONE);

    /* no live host at all: every path answers 0 */
    nlb_owner_view none;
    memset(&none, 0, sizeof none);
    p = nlb_predict(&m, &none, NULL, vip, 6, 80, &c8, 50000);
    CU_ASSERT_EQUAL(p.host, 0);
    CU_ASSERT_EQUAL(p.source, NLB_PRED_EMULATED);
    CU_ASSERT_EQUAL(nlb_predict(&m, &none, NULL, vip, 6, 8080, &c8, 50000).host, 0);
    CU_ASSERT_EQUAL(nlb_predict(&m, &none, NULL, vip, 6, 443, &c8, 50000).host, 0);
}

static void test_predict_maps_ties_and_order(void)
{
    nlb_model m = rules3();
    nlb_owner_view v = view123();
    /* host 2 claims bin 7 as well (a bin owned twice): the higher-priority host 1 wins, in any order */
    for (unsigned s = 0; s < NLB_MAX_RULES; s++) map2[s] |= 1ull << 7;
    nlb_ipaddr c1 = CLIENT(1);
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, NULL, 0, 6, 80, &c1, 1).host, 1);
    nlb_owner_view r = v;
    r.prio[0] = 2; r.cur_map[0] = map2;
    r.prio[1] = 1; r.cur_map[1] = map1;
    CU_ASSERT_EQUAL(nlb_predict(&m, &r, NULL, 0, 6, 80, &c1, 1).host, 1);
    CU_ASSERT_EQUAL(nlb_predict(&m, &r, NULL, 0, 6, 80, &c1, 1).source, NLB_PRED_MAPS);
    /* the maps of the rule's own slot count: slot 0 empty for host 1 -> host 2 owns bin 7 there */
    map1[0] = 0;
    CU_ASSERT_EQUAL(nlb_predict(&m, &r, NULL, 0, 6, 80, &c1, 1).host, 2);
    /* a map only sets what it holds: with every captured map empty the emulation decides */
    map2[0] = 0;
    nlb_prediction p = nlb_predict(&m, &r, NULL, 0, 6, 80, &c1, 1);
    CU_ASSERT_EQUAL(p.source, NLB_PRED_EMULATED);
    CU_ASSERT_EQUAL(p.host, 2); /* bin 7 of the fresh {1,2,3} assignment: 7 mod 3 + 1 */
}

static void test_predict_emulation_cache(void)
{
    /* no rules, no captured maps: one implicit rule in slot 0, default affinity Single */
    nlb_model m;
    nlb_model_init(&m);
    nlb_owner_view v;
    memset(&v, 0, sizeof v);
    v.n = 3;
    v.prio[0] = 1; v.prio[1] = 2; v.prio[2] = 3;
    nlb_emu_cache emu;
    memset(&emu, 0, sizeof emu);
    nlb_ipaddr c3 = CLIENT(3), c4 = CLIENT(4), c8 = CLIENT(8);
    nlb_prediction p = nlb_predict(&m, &v, &emu, 0x0A000064u, 6, 80, &c3, 1);
    CU_ASSERT_EQUAL(p.rule, -1);
    CU_ASSERT_EQUAL(p.slot, 0);
    CU_ASSERT_TRUE(p.has_bin);
    CU_ASSERT_EQUAL(p.bin, 14);
    CU_ASSERT_EQUAL(p.host, 3); /* {1,2,3} from an empty map: bin b to host b mod 3 + 1 */
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, &emu, 0x0A000064u, 6, 80, &c4, 1).host, 2); /* bin 31 */

    /* host 1 leaves: hosts 2 and 3 keep their bins and share host 1's (0, 3, 6, ... alternately) */
    v.n = 2;
    v.prio[0] = 2; v.prio[1] = 3;
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, &emu, 0x0A000064u, 6, 80, &c3, 1).host, 3); /* bin 14 */
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, &emu, 0x0A000064u, 6, 80, &c4, 1).host, 2); /* bin 31 stays */
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, &emu, 0x0A000064u, 6, 80, &c8, 1).host, 3); /* bin 44 stays */
    CU_ASSERT_EQUAL(emu.live[0], 0x6u);
    CU_ASSERT_EQUAL(nlb_binmap_mask(&emu.map[0], 2), 0x04d34d34d34d34d3ull);
    CU_ASSERT_EQUAL(nlb_binmap_mask(&emu.map[0], 3), 0x0b2cb2cb2cb2cb2cull);
    /* without history the same set is dealt alternately (even bins to 2): bins 14 and 31 move */
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, NULL, 0x0A000064u, 6, 80, &c3, 1).host, 2);
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, NULL, 0x0A000064u, 6, 80, &c4, 1).host, 3);

    /* a change of bins reassigns even for the same live set */
    m.bins = 16;
    p = nlb_predict(&m, &v, &emu, 0x0A000064u, 6, 80, &c3, 1);
    CU_ASSERT_EQUAL(emu.map[0].bins, 16u);
    CU_ASSERT_TRUE(p.bin < 16);
    CU_ASSERT_EQUAL(p.host, emu.map[0].owner[p.bin]);

    /* weights: load 1:75,2:25 over 60 bins -> 45 / 15 */
    nlb_model w;
    nlb_model_init(&w);
    nlb_port_rule r;
    memset(&r, 0, sizeof r);
    r.start = 0; r.end = 65535; r.proto = NLB_RP_BOTH; r.affinity = NLB_AFF_NONE;
    r.weight[1] = 75; r.weight[2] = 25;
    CU_ASSERT_TRUE(nlb_model_add_rule(&w, &r));
    v.n = 2;
    v.prio[0] = 1; v.prio[1] = 2;
    memset(&emu, 0, sizeof emu);
    p = nlb_predict(&w, &v, &emu, 0x0A000064u, 6, 80, &c3, 50000);
    CU_ASSERT_EQUAL(p.affinity, NLB_AFF_NONE);
    CU_ASSERT_EQUAL(p.bin, 1); /* 192.168.1.3:50000 */
    CU_ASSERT_EQUAL(p.host, 1);
    CU_ASSERT_EQUAL(nlb_map_count(nlb_binmap_mask(&emu.map[0], 1)), 45u);
    CU_ASSERT_EQUAL(nlb_map_count(nlb_binmap_mask(&emu.map[0], 2)), 15u);
}

/* nlb_predict caches the emulated map per live set; that is only a cache if reassigning a map for
 * the set it was assigned for changes nothing (tracker output used to reassign on every change). */
static void test_assign_fixed_point(void)
{
    rng_state = 2026;
    for (int run = 0; run < 300; run++) {
        nlb_binmap m;
        memset(&m, 0, sizeof m);
        m.bins = 1 + rng() % 64;
        uint8_t wt[NLB_MAX_PRIORITY + 1];
        bool weighted = rng() % 2;
        for (unsigned p = 0; p <= NLB_MAX_PRIORITY; p++) wt[p] = (uint8_t)(weighted ? rng() % 101 : 0);
        uint32_t live = 0;
        for (int step = 0; step < 20; step++) {
            live ^= 1u << (rng() % 12);
            uint8_t prios[NLB_MAX_PRIORITY], w[NLB_MAX_PRIORITY];
            size_t n = 0;
            for (unsigned p = 1; p <= 12; p++)
                if (live >> (p - 1) & 1u) { prios[n] = (uint8_t)p; w[n] = wt[p]; n++; }
            nlb_binmap_assign(&m, prios, w, n);
            nlb_binmap again = m;
            nlb_binmap_assign(&again, prios, w, n);
            CU_ASSERT_EQUAL(memcmp(&again, &m, sizeof m), 0);
        }
    }
}

static void test_predict_wire_slot(void)
{
    /* no rules configured: the map sits in the wire slot whose code (guess) covers the port */
    nlb_model m;
    nlb_model_init(&m);
    static const uint32_t codes[3] = { 0x61019019u /* 25 */, 0x611F4190u /* 400-500 */, 0 };
    nlb_owner_view v;
    memset(&v, 0, sizeof v);
    v.n = 1;
    v.prio[0] = 4;
    v.num_rules = 3;
    v.codes = codes;
    nlb_ipaddr c1 = CLIENT(1);
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, NULL, 0, 6, 443, &c1, 1).slot, 1);
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, NULL, 0, 6, 25, &c1, 1).slot, 0);
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, NULL, 0, 6, 8080, &c1, 1).slot, 0);  /* none covers it */
    v.num_rules = 1; /* only slot 0 is on the wire */
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, NULL, 0, 6, 443, &c1, 1).slot, 0);
    v.num_rules = 3;
    v.codes = NULL;
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, NULL, 0, 6, 443, &c1, 1).slot, 0);
    CU_ASSERT_EQUAL(nlb_predict(&m, &v, NULL, 0, 6, 443, &c1, 1).host, 4);
}

static void test_owner_helpers(void)
{
    nlb_owner_view v;
    memset(&v, 0, sizeof v);
    CU_ASSERT_EQUAL(nlb_owner_default_host(&v), 0);
    CU_ASSERT_EQUAL(nlb_owner_default_host(NULL), 0);
    CU_ASSERT_EQUAL(nlb_owner_single_host(&v, NULL), 0);
    v.n = 3;
    v.prio[0] = 5; v.prio[1] = 3; v.prio[2] = 9;
    CU_ASSERT_EQUAL(nlb_owner_default_host(&v), 3);  /* no claim: lowest priority number */
    v.default_host = 9;
    CU_ASSERT_EQUAL(nlb_owner_default_host(&v), 9);
    v.default_host = 1;                               /* host 1 is not live */
    CU_ASSERT_EQUAL(nlb_owner_default_host(&v), 3);

    nlb_port_rule r;
    memset(&r, 0, sizeof r);
    CU_ASSERT_EQUAL(nlb_owner_single_host(&v, &r), 3); /* no handling priority: host priority */
    CU_ASSERT_EQUAL(nlb_owner_single_host(&v, NULL), 3);
    r.handling[9] = 4; r.handling[5] = 2;
    CU_ASSERT_EQUAL(nlb_owner_single_host(&v, &r), 5);
    r.handling[9] = 2;                                 /* tie: the higher-priority host */
    CU_ASSERT_EQUAL(nlb_owner_single_host(&v, &r), 5);
    r.handling[1] = 1;                                 /* host 1 would win but is not live */
    CU_ASSERT_EQUAL(nlb_owner_single_host(&v, &r), 5);
    v.prio[2] = 0;                                     /* invalid priorities are skipped */
    v.prio[0] = 40;
    CU_ASSERT_EQUAL(nlb_owner_single_host(&v, &r), 3);
    CU_ASSERT_EQUAL(nlb_owner_default_host(&v), 3);

    CU_ASSERT_STRING_EQUAL(nlb_pred_source_name(NLB_PRED_MAPS), "heartbeat maps");
    CU_ASSERT_STRING_EQUAL(nlb_pred_source_name(NLB_PRED_EMULATED), "emulation");
    CU_ASSERT_STRING_EQUAL(nlb_pred_source_name(NLB_PRED_DEFAULT_HOST), "default host");
    CU_ASSERT_STRING_EQUAL(nlb_pred_source_name(NLB_PRED_SINGLE_HOST), "single-host rule");
    CU_ASSERT_STRING_EQUAL(nlb_pred_source_name(NLB_PRED_DROPPED), "dropped by rule");
    CU_ASSERT_STRING_EQUAL(nlb_pred_source_name(NLB_PRED_NONE), "none");
    CU_ASSERT_STRING_EQUAL(nlb_pred_source_name((nlb_pred_source)99), "none");
}

static void test_bins_str(void)
{
    char b[NLB_BINS_STR_LEN];
    CU_ASSERT_EQUAL(nlb_bins_str(0x00000100000FFFFFull, 60, b, sizeof b), 8u);
    CU_ASSERT_STRING_EQUAL(b, "0-19, 40");
    CU_ASSERT_EQUAL(nlb_bins_str(0, 60, b, sizeof b), 4u);
    CU_ASSERT_STRING_EQUAL(b, "none");
    nlb_bins_str(~0ull, 64, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "0-63");
    nlb_bins_str(~0ull, 0, b, sizeof b);             /* bins out of range: all 64 */
    CU_ASSERT_STRING_EQUAL(b, "0-63");
    nlb_bins_str(~0ull, 60, b, sizeof b);            /* bits past the rule's bins are not bins */
    CU_ASSERT_STRING_EQUAL(b, "0-59");
    nlb_bins_str(0x00000100000FFFFFull, 20, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "0-19");
    nlb_bins_str(1ull << 40, 20, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "none");
    nlb_bins_str(0x8000000000000005ull, 64, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "0, 2, 63");
    nlb_bins_str(0x0000000000000006ull, 64, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "1-2");
    /* the real capture's host 1 owns bins 0-29 of a 60-bin rule */
    nlb_bins_str(0x000000003FFFFFFFull, 60, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, "0-29");

    /* the longest list: pairs with one gap ("0-1, 3-4, ..."), and every pattern fits the constant */
    uint64_t pairs = 0;
    for (unsigned i = 0; i < 64; i++) if (i % 3 != 2) pairs |= 1ull << i;
    size_t n = nlb_bins_str(pairs, 64, b, sizeof b);
    CU_ASSERT_EQUAL(n, strlen(b));
    CU_ASSERT_TRUE(n < NLB_BINS_STR_LEN);
    CU_ASSERT_EQUAL(n, 142u);
    CU_ASSERT_STRING_EQUAL(b, "0-1, 3-4, 6-7, 9-10, 12-13, 15-16, 18-19, 21-22, 24-25, 27-28, 30-31, 33-34, "
                              "36-37, 39-40, 42-43, 45-46, 48-49, 51-52, 54-55, 57-58, 60-61, 63");
    rng_state = 7;
    for (int k = 0; k < 2000; k++) {
        uint64_t x = (uint64_t)rng() << 32 | rng();
        n = nlb_bins_str(x, 64, b, sizeof b);
        CU_ASSERT_TRUE(n < NLB_BINS_STR_LEN - 1);
        CU_ASSERT_EQUAL(n, strlen(b));
        CU_ASSERT_PTR_NULL(strstr(b, "..."));
    }

    /* small buffers: whole ranges only, then ", ..." */
    char s[16];
    CU_ASSERT_EQUAL(nlb_bins_str(0x00000100000FFFFFull, 60, s, 9), 8u);  /* exactly fits */
    CU_ASSERT_STRING_EQUAL(s, "0-19, 40");
    CU_ASSERT_EQUAL(nlb_bins_str(0x00000100000FFFFFull, 60, s, 8), 3u);
    CU_ASSERT_STRING_EQUAL(s, "...");
    CU_ASSERT_EQUAL(nlb_bins_str(0x00040100000FFFFFull, 60, s, 13), 12u); /* "0-19, 40, 50" */
    CU_ASSERT_EQUAL(nlb_bins_str(0x00040100000FFFFFull, 60, s, 12), 9u);
    CU_ASSERT_STRING_EQUAL(s, "0-19, ...");
    CU_ASSERT_EQUAL(nlb_bins_str(0x00040100000FFFFFull, 60, s, 10), 9u);
    CU_ASSERT_STRING_EQUAL(s, "0-19, ...");
    CU_ASSERT_EQUAL(nlb_bins_str(0x0000000000000015ull, 64, s, 12), 7u); /* "0, 2, 4" needs 8 */
    CU_ASSERT_STRING_EQUAL(s, "0, 2, 4");
    CU_ASSERT_EQUAL(nlb_bins_str(0x0000000000000155ull, 64, s, 12), 9u);  /* "0, 2, 4, 6, 8" */
    CU_ASSERT_STRING_EQUAL(s, "0, 2, ...");
    CU_ASSERT_EQUAL(nlb_bins_str(1, 64, s, 0), 0u);
    CU_ASSERT_EQUAL(nlb_bins_str(1, 64, NULL, 10), 0u);
}

int main(void)
{
    CU_initialize_registry();
    NLBT_SUITE("owner",
               NLBT(test_hash_oaat), NLBT(test_model_init_and_rules), NLBT(test_affinity_key),
               NLBT(test_model_bin), NLBT(test_binmap_assign_basic), NLBT(test_binmap_assign_properties),
               NLBT(test_binmap_from_maps), NLBT(test_calibration), NLBT(test_rules_good),
               NLBT(test_rules_bad), NLBT(test_predict_sources), NLBT(test_predict_maps_ties_and_order),
               NLBT(test_predict_emulation_cache), NLBT(test_assign_fixed_point), NLBT(test_predict_wire_slot), NLBT(test_owner_helpers),
               NLBT(test_bins_str));
    return nlbt_run();
}
