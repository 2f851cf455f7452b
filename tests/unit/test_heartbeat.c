/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Heartbeat decoder and encoder: real bytes from tcpdump's msnlb.pcap, every field of the
 * protocol doc's tables through encode/decode, every truncation length, extended TLVs and the
 * signatures that must (not) be called NLB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t SRC2[6] = { 0x02, 0x02, 0xc0, 0xa8, 0x64, 0x50 };

#define VIP 0xC0A86450u /* 192.168.100.80 */

/* Big structs live in static storage: nlb_packet holds a whole heartbeat. */
static nlb_packet pkt;
static nlb_heartbeat hb, hb2;
static uint8_t frame[2048];

/* ---- 1. real bytes: tcpdump's tests/msnlb.pcap ------------------------------------------- */

static const uint32_t msnlb_codes[9] = { 0x61019019, 0x61050050, 0x61087087, 0x6108f08f, 0x611bb1bb,
                                         0x6124b24b, 0x613e13e1, 0x6ffff400, 0x00000000 };

static void test_msnlb_capture(void)
{
    nlbt_capture c = nlbt_load("captures/msnlb.pcap");
    CU_ASSERT_EQUAL_FATAL(c.n, 2);
    CU_ASSERT_EQUAL(c.linktype, 1);
    static const struct {
        uint32_t priority, dip, host_code, packets;
        uint16_t my_id;
    } want[2] = {
        { 2, 0xC0A86452u, 1329324853u, 80268987u, 1 }, /* 0x04c8cebb: bytes bb ce c8 04 at payload 32 */
        { 1, 0xC0A86451u, 1329324767u, 40178855u, 0 }, /* 0x026514a7: bytes a7 14 65 02 */
    };
    for (size_t f = 0; f < 2; f++) {
        const nlbt_frame *fr = &c.frames[f];
        CU_ASSERT_EQUAL(fr->caplen, 96);
        CU_ASSERT_EQUAL(fr->wirelen, 1510);
        nlb_status s = nlb_packet_decode(c.linktype, fr->data, fr->caplen, fr->wirelen, &pkt);
        CU_ASSERT_EQUAL(s, NLB_TRUNCATED);
        CU_ASSERT_EQUAL(pkt.status, NLB_TRUNCATED);
        CU_ASSERT_EQUAL(pkt.kind, NLB_FK_HEARTBEAT);
        CU_ASSERT_EQUAL(pkt.ethertype, NLB_ETHERTYPE);
        CU_ASSERT_EQUAL(pkt.n_vlans, 0);
        CU_ASSERT_EQUAL(pkt.l3_len, 82);
        /* link layer: broadcast to a masked source 02-pp-VIP */
        CU_ASSERT_TRUE(pkt.has_dst);
        CU_ASSERT_EQUAL(memcmp(pkt.dst, BCAST, 6), 0);
        CU_ASSERT_EQUAL(pkt.dst_mac.kind, NLB_MAC_NONE);
        uint8_t src[6] = { 0x02, (uint8_t)want[f].priority, 0xc0, 0xa8, 0x64, 0x50 };
        CU_ASSERT_EQUAL(memcmp(pkt.src, src, 6), 0);
        char macbuf[18];
        CU_ASSERT_STRING_EQUAL(nlb_mac_str(pkt.src, macbuf), f == 0 ? "02:02:c0:a8:64:50" : "02:01:c0:a8:64:50");
        CU_ASSERT_EQUAL(pkt.src_mac.kind, NLB_MAC_MASKED);
        CU_ASSERT_EQUAL(pkt.src_mac.priority, want[f].priority);
        CU_ASSERT_EQUAL(pkt.src_mac.vip, VIP);
        CU_ASSERT_EQUAL(pkt.src_mac.vip_mask, 0xFFFFFFFFu);
        CU_ASSERT_FALSE(pkt.src_mac.confirmed);
        /* the heartbeat's own VIP confirms its source MAC */
        nlb_mac_info mi = pkt.src_mac;
        CU_ASSERT_TRUE(nlb_mac_confirm(&mi, &pkt.hb.cluster_ip, 1));
        CU_ASSERT_TRUE(mi.confirmed);

        const nlb_heartbeat *h = &pkt.hb;
        CU_ASSERT_EQUAL(h->status, NLB_TRUNCATED);
        CU_ASSERT_TRUE(h->truncated);
        CU_ASSERT_EQUAL(h->captured, 82);
        CU_ASSERT_EQUAL(h->kind, NLB_HB_MEMBERSHIP);
        CU_ASSERT_STRING_EQUAL(nlb_hb_kind_name(h->kind), "membership");
        CU_ASSERT_EQUAL(h->signature, 0xC0DE01BFu);
        CU_ASSERT_EQUAL(h->version, 0x206u);
        char vbuf[12];
        CU_ASSERT_STRING_EQUAL(nlb_hb_version_str(h->version, vbuf), "2.6");
        CU_ASSERT_EQUAL(h->priority, want[f].priority);
        CU_ASSERT_EQUAL(h->cluster_ip, VIP);
        CU_ASSERT_EQUAL(h->dedicated_ip, want[f].dip);
        char ipbuf[16];
        CU_ASSERT_STRING_EQUAL(nlb_ip4_str(h->cluster_ip, ipbuf), "192.168.100.80");
        CU_ASSERT_STRING_EQUAL(nlb_ip4_str(h->dedicated_ip, ipbuf), f == 0 ? "192.168.100.82" : "192.168.100.81");
        CU_ASSERT_EQUAL(h->my_host_id, want[f].my_id);
        CU_ASSERT_EQUAL(h->default_host_id, 0);
        CU_ASSERT_EQUAL(h->conv_state, NLB_CONV_NORMAL);
        CU_ASSERT_EQUAL(h->num_rules, 9);
        CU_ASSERT_EQUAL(h->host_code, want[f].host_code);
        CU_ASSERT_EQUAL(h->packets_handled, want[f].packets);
        CU_ASSERT_EQUAL(h->teaming, 0);
        CU_ASSERT_EQUAL(h->reserved, 0);
        /* 82 payload bytes: codes at 44..79 are whole, slot 9 (80..83) is cut */
        CU_ASSERT_EQUAL(h->rules_present, 9);
        for (unsigned i = 0; i < 9; i++)
            CU_ASSERT_EQUAL(h->rules[i].code, msnlb_codes[i]);
        for (unsigned i = 9; i < NLB_MAX_RULES; i++)
            CU_ASSERT_EQUAL(h->rules[i].code, 0);
        CU_ASSERT_TRUE(nlb_hb_has(h, NLB_OFF_RULE_CODES + 4 * 8, 4));
        CU_ASSERT_FALSE(nlb_hb_has(h, NLB_OFF_RULE_CODES + 4 * 9, 4));
        CU_ASSERT_TRUE(nlb_hb_has(h, 0, 82));
        CU_ASSERT_FALSE(nlb_hb_has(h, 0, 83));
        CU_ASSERT_FALSE(nlb_hb_has(h, NLB_OFF_CUR_MAP, 8));
        CU_ASSERT_FALSE(nlb_hb_has(h, NLB_OFF_NEW_MAP, 8));
        CU_ASSERT_FALSE(nlb_hb_has(h, NLB_OFF_IDLE_MAP, 8));
        CU_ASSERT_FALSE(nlb_hb_has(h, NLB_OFF_READY_MAP, 8));
        CU_ASSERT_FALSE(nlb_hb_has(h, NLB_OFF_WEIGHTS, 4));
        CU_ASSERT_FALSE(nlb_hb_has(h, NLB_OFF_RESERVED2, 4));
        CU_ASSERT_FALSE(nlb_hb_has(h, (size_t)-1, 2)); /* no wrap-around */
        for (unsigned i = 0; i < NLB_MAX_RULES; i++) {
            CU_ASSERT_EQUAL(h->rules[i].cur_map, 0);
            CU_ASSERT_EQUAL(h->rules[i].load_weight, 0);
        }
        /* rule codes that fit start | end << 12 | 0x61 << 24 (guess) */
        static const uint16_t ports[7] = { 25, 80, 135, 143, 443, 587, 993 };
        for (unsigned i = 0; i < 7; i++) {
            uint16_t a = 0, b = 0;
            CU_ASSERT_TRUE(nlb_rule_code_ports(h->rules[i].code, &a, &b));
            CU_ASSERT_EQUAL(a, ports[i]);
            CU_ASSERT_EQUAL(b, ports[i]);
        }
        uint16_t a = 7, b = 7;
        CU_ASSERT_FALSE(nlb_rule_code_ports(h->rules[7].code, &a, &b)); /* 0x6ffff400 */
        CU_ASSERT_FALSE(nlb_rule_code_ports(h->rules[8].code, &a, &b)); /* default rule, code 0 */
        CU_ASSERT_EQUAL(a, 7);
        CU_ASSERT_EQUAL(b, 7);
    }
    nlbt_free(&c);
}

static void test_rule_code_ports(void)
{
    uint16_t a, b;
    CU_ASSERT_TRUE(nlb_rule_code_ports(0x61019019, &a, &b));
    CU_ASSERT_EQUAL(a, 25);
    CU_ASSERT_EQUAL(b, 25);
    CU_ASSERT_TRUE(nlb_rule_code_ports(0x61fff000, &a, &b)); /* a range 0..4095 */
    CU_ASSERT_EQUAL(a, 0);
    CU_ASSERT_EQUAL(b, 4095);
    CU_ASSERT_FALSE(nlb_rule_code_ports(0x61000001, &a, &b)); /* start > end */
    CU_ASSERT_FALSE(nlb_rule_code_ports(0x60019019, &a, &b));
    CU_ASSERT_EQUAL(nlb_map_count(0), 0);
    CU_ASSERT_EQUAL(nlb_map_count(0x0FFFFFFFFFFFFFFFull), 60);
    CU_ASSERT_EQUAL(nlb_map_count(~0ull), 64);
    char v[12];
    CU_ASSERT_STRING_EQUAL(nlb_hb_version_str(0x0A0B, v), "10.11");
    CU_ASSERT_STRING_EQUAL(nlb_hb_kind_name(NLB_HB_EXTENDED), "extended");
    CU_ASSERT_STRING_EQUAL(nlb_hb_kind_name(NLB_HB_IDENTITY), "identity (guess)");
    CU_ASSERT_STRING_EQUAL(nlb_hb_kind_name(NLB_HB_UNKNOWN), "unknown");
}

/* ---- 2. every field of the tables through encode/decode ---------------------------------- */

#define TEAMING 0x5ABEEF2Fu /* active, master, reverse, 5 participants, XOR 0xBEEF, top byte junk */

static uint64_t map_of(unsigned rule, unsigned which)
{
    /* distinct in every byte so a swapped array or misplaced offset shows */
    return 0x0102030405060708ull * (rule + 1) ^ ((uint64_t)(which + 1) << 56) ^ ((uint64_t)0xA5 << (8 * which));
}

static void fill_full(nlb_heartbeat *h)
{
    nlb_hb_init_membership(h, VIP, 0xC0A86452u, 3);
    h->version = 0x0207;
    h->default_host_id = 4;
    h->conv_state = NLB_CONV_CONVERGING;
    h->num_rules = NLB_MAX_RULES;
    h->host_code = 0xA1B2C3D4u;
    h->packets_handled = 0x01020304u;
    h->teaming = TEAMING;
    h->reserved = 0xDEADBEEFu;
    for (unsigned i = 0; i < NLB_MAX_RULES; i++) {
        nlb_hb_rule *r = &h->rules[i];
        r->code = 0x61000000u | (1000u + i) << 12 | (1000u + i);
        r->cur_map = map_of(i, 0);
        r->new_map = map_of(i, 1);
        r->idle_map = map_of(i, 2);
        r->ready_map = map_of(i, 3);
        r->load_weight = 3 * i + 1;
        r->reserved = 0xF0000000u | i;
    }
}

/* Every decoded field equals the original where it was captured, and 0 where it was not. */
static void assert_hb_fields(const nlb_heartbeat *d, const nlb_heartbeat *o)
{
#define FIELD(name, off, size) CU_ASSERT_EQUAL(d->name, nlb_hb_has(d, off, size) ? o->name : 0)
    FIELD(signature, NLB_OFF_SIGNATURE, 4);
    FIELD(version, NLB_OFF_VERSION, 4);
    FIELD(priority, NLB_OFF_PRIORITY, 4);
    FIELD(cluster_ip, NLB_OFF_CLUSTER_IP, 4);
    FIELD(dedicated_ip, NLB_OFF_DEDICATED_IP, 4);
    FIELD(my_host_id, NLB_OFF_MY_HOST_ID, 2);
    FIELD(default_host_id, NLB_OFF_DEFAULT_HOST_ID, 2);
    FIELD(conv_state, NLB_OFF_CONV_STATE, 2);
    FIELD(num_rules, NLB_OFF_NUM_RULES, 2);
    FIELD(host_code, NLB_OFF_HOST_CODE, 4);
    FIELD(packets_handled, NLB_OFF_PACKETS, 4);
    FIELD(teaming, NLB_OFF_TEAMING, 4);
    FIELD(reserved, NLB_OFF_RESERVED, 4);
    for (unsigned i = 0; i < NLB_MAX_RULES; i++) {
        FIELD(rules[i].code, NLB_OFF_RULE_CODES + 4 * i, 4);
        FIELD(rules[i].cur_map, NLB_OFF_CUR_MAP + 8 * i, 8);
        FIELD(rules[i].new_map, NLB_OFF_NEW_MAP + 8 * i, 8);
        FIELD(rules[i].idle_map, NLB_OFF_IDLE_MAP + 8 * i, 8);
        FIELD(rules[i].ready_map, NLB_OFF_READY_MAP + 8 * i, 8);
        FIELD(rules[i].load_weight, NLB_OFF_WEIGHTS + 4 * i, 4);
        FIELD(rules[i].reserved, NLB_OFF_RESERVED2 + 4 * i, 4);
    }
#undef FIELD
}

static uint32_t le32_at(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64_at(const uint8_t *p) { return le32_at(p) | (uint64_t)le32_at(p + 4) << 32; }

static void test_membership_roundtrip(void)
{
    nlb_heartbeat o;
    fill_full(&o);
    CU_ASSERT_TRUE(nlb_team_active(o.teaming));
    CU_ASSERT_TRUE(nlb_team_master(o.teaming));
    CU_ASSERT_TRUE(nlb_team_reverse(o.teaming));
    CU_ASSERT_EQUAL(nlb_team_participants(o.teaming), 5);
    CU_ASSERT_EQUAL(nlb_team_xor(o.teaming), 0xBEEF);
    CU_ASSERT_FALSE(nlb_team_active(0xFFFFFFFEu));
    CU_ASSERT_FALSE(nlb_team_master(0xFFFFFFFDu));
    CU_ASSERT_FALSE(nlb_team_reverse(0xFFFFFFFBu));
    CU_ASSERT_EQUAL(nlb_team_participants(0xFFFFFF07u), 0);
    CU_ASSERT_EQUAL(nlb_team_participants(0x000000F8u), 31);
    CU_ASSERT_EQUAL(nlb_team_xor(0xFF0000FFu), 0);

    uint8_t buf[NLB_HB_MEMBERSHIP_LEN + 8];
    memset(buf, 0xEE, sizeof buf);
    CU_ASSERT_EQUAL(nlb_hb_encode(&o, buf, NLB_HB_MEMBERSHIP_LEN - 1), 0);
    CU_ASSERT_EQUAL_FATAL(nlb_hb_encode(&o, buf, sizeof buf), NLB_HB_MEMBERSHIP_LEN);
    CU_ASSERT_EQUAL(buf[NLB_HB_MEMBERSHIP_LEN], 0xEE); /* no write past the message */

    /* raw layout: little-endian integers, IPv4 in network order */
    static const uint8_t head[32] = { 0xBF, 0x01, 0xDE, 0xC0, 0x07, 0x02, 0, 0, 3, 0, 0, 0,
                                      0xC0, 0xA8, 0x64, 0x50, 0xC0, 0xA8, 0x64, 0x52,
                                      2, 0, 4, 0, 3, 0, 33, 0, 0xD4, 0xC3, 0xB2, 0xA1 };
    CU_ASSERT_EQUAL(memcmp(buf, head, sizeof head), 0);
    CU_ASSERT_EQUAL(le32_at(buf + 32), 0x01020304u);
    CU_ASSERT_EQUAL(buf[32], 0x04);
    CU_ASSERT_EQUAL(le32_at(buf + 36), TEAMING);
    CU_ASSERT_EQUAL(buf[36], 0x2F);
    CU_ASSERT_EQUAL(le32_at(buf + 40), 0xDEADBEEFu);
    for (unsigned i = 0; i < NLB_MAX_RULES; i++) {
        CU_ASSERT_EQUAL(le32_at(buf + 44 + 4 * i), o.rules[i].code);
        CU_ASSERT_EQUAL(le64_at(buf + 176 + 8 * i), map_of(i, 0));
        CU_ASSERT_EQUAL(le64_at(buf + 440 + 8 * i), map_of(i, 1));
        CU_ASSERT_EQUAL(le64_at(buf + 704 + 8 * i), map_of(i, 2));
        CU_ASSERT_EQUAL(le64_at(buf + 968 + 8 * i), map_of(i, 3));
        CU_ASSERT_EQUAL(le32_at(buf + 1232 + 4 * i), 3 * i + 1);
        CU_ASSERT_EQUAL(le32_at(buf + 1364 + 4 * i), 0xF0000000u | i);
    }
    CU_ASSERT_EQUAL(buf[176], (uint8_t)map_of(0, 0)); /* lowest byte first */
    CU_ASSERT_EQUAL(buf[1495], 0xF0);                 /* last byte: top of the last reserved word */

    CU_ASSERT_EQUAL(nlb_hb_decode(buf, NLB_HB_MEMBERSHIP_LEN, &hb), NLB_OK);
    CU_ASSERT_EQUAL(hb.kind, NLB_HB_MEMBERSHIP);
    CU_ASSERT_EQUAL(hb.bad_field, NLB_F_NONE);
    CU_ASSERT_FALSE(hb.truncated);
    CU_ASSERT_EQUAL(hb.captured, NLB_HB_MEMBERSHIP_LEN);
    CU_ASSERT_EQUAL(hb.rules_present, NLB_MAX_RULES);
    CU_ASSERT_TRUE(nlb_hb_has(&hb, NLB_OFF_RESERVED2 + 4 * 32, 4));
    assert_hb_fields(&hb, &o);
    /* and nothing else: encode(decode(x)) reproduces the bytes */
    uint8_t again[NLB_HB_MEMBERSHIP_LEN];
    CU_ASSERT_EQUAL(nlb_hb_encode(&hb, again, sizeof again), NLB_HB_MEMBERSHIP_LEN);
    CU_ASSERT_EQUAL(memcmp(again, buf, NLB_HB_MEMBERSHIP_LEN), 0);

    /* the whole frame through the builder and the frame decoder, tagged and untagged */
    for (int vlan = 0; vlan <= 1; vlan++) {
        size_t n = nlb_build_heartbeat(frame, sizeof frame, BCAST, SRC2, vlan ? 100 : 0, &o);
        CU_ASSERT_EQUAL_FATAL(n, (vlan ? 18u : 14u) + NLB_HB_MEMBERSHIP_LEN);
        CU_ASSERT_EQUAL(frame[vlan ? 16 : 12], 0x88);
        CU_ASSERT_EQUAL(frame[vlan ? 17 : 13], 0x6F);
        CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
        CU_ASSERT_EQUAL(pkt.kind, NLB_FK_HEARTBEAT);
        CU_ASSERT_EQUAL(pkt.n_vlans, vlan ? 1 : 0);
        if (vlan) CU_ASSERT_EQUAL(pkt.vlan[0], 100);
        CU_ASSERT_EQUAL(pkt.hb.status, NLB_OK);
        assert_hb_fields(&pkt.hb, &o);
    }
    CU_ASSERT_EQUAL(nlb_build_heartbeat(frame, 14 + NLB_HB_MEMBERSHIP_LEN - 1, BCAST, SRC2, 0, &o), 0);
}

static void test_init_membership(void)
{
    nlb_hb_init_membership(&hb, VIP, 0xC0A86451u, 1);
    CU_ASSERT_EQUAL(hb.kind, NLB_HB_MEMBERSHIP);
    CU_ASSERT_EQUAL(hb.signature, NLB_SIG_MEMBERSHIP);
    CU_ASSERT_EQUAL(hb.version, 0x206);
    CU_ASSERT_EQUAL(hb.priority, 1);
    CU_ASSERT_EQUAL(hb.my_host_id, 0);
    CU_ASSERT_EQUAL(hb.conv_state, NLB_CONV_NORMAL);
    CU_ASSERT_EQUAL(hb.num_rules, 1);
    uint8_t buf[NLB_HB_MEMBERSHIP_LEN];
    CU_ASSERT_EQUAL_FATAL(nlb_hb_encode(&hb, buf, sizeof buf), sizeof buf);
    CU_ASSERT_EQUAL(nlb_hb_decode(buf, sizeof buf, &hb2), NLB_OK);
    CU_ASSERT_EQUAL(hb2.dedicated_ip, 0xC0A86451u);
}

/* ---- 3. every truncation length of a full heartbeat frame ------------------------------- */

static void test_membership_every_cut(void)
{
    nlb_heartbeat o;
    fill_full(&o);
    size_t n = nlb_build_heartbeat(frame, sizeof frame, BCAST, SRC2, 0, &o);
    CU_ASSERT_EQUAL_FATAL(n, 1510);
    unsigned prev_rules = 0;
    for (size_t cut = 0; cut <= n; cut++) {
        /* a fresh heap copy of exactly cut bytes, so ASan sees any read past the capture */
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, frame, cut);
        nlb_status s = nlb_packet_decode(NLB_LINK_ETHERNET, copy, cut, n, &pkt);
        CU_ASSERT_EQUAL(pkt.status, s);
        CU_ASSERT_EQUAL(s, cut == n ? NLB_OK : NLB_TRUNCATED);
        if (cut < 14) {
            CU_ASSERT_EQUAL(pkt.kind, NLB_FK_OTHER);
            CU_ASSERT_EQUAL(pkt.has_dst, cut >= 12);
            free(copy);
            continue;
        }
        size_t pl = cut - 14;
        CU_ASSERT_EQUAL(pkt.kind, NLB_FK_HEARTBEAT);
        CU_ASSERT_EQUAL(pkt.hb.status, s);
        CU_ASSERT_EQUAL(pkt.hb.truncated, cut < n);
        CU_ASSERT_EQUAL(pkt.hb.captured, pl);
        CU_ASSERT_EQUAL(pkt.src_mac.kind, NLB_MAC_MASKED);
        unsigned want_rules = pl < 48 ? 0 : (unsigned)((pl - 44) / 4);
        if (want_rules > NLB_MAX_RULES) want_rules = NLB_MAX_RULES;
        CU_ASSERT_EQUAL(pkt.hb.rules_present, want_rules);
        CU_ASSERT_TRUE(pkt.hb.rules_present >= prev_rules);
        prev_rules = pkt.hb.rules_present;
        if (pl >= 4)
            CU_ASSERT_EQUAL(pkt.hb.kind, NLB_HB_MEMBERSHIP);
        assert_hb_fields(&pkt.hb, &o);

        /* the same bytes with nothing cut at capture: the sender sent less than the format says */
        if (cut < n) {
            s = nlb_packet_decode(NLB_LINK_ETHERNET, copy, cut, cut, &pkt);
            CU_ASSERT_EQUAL(s, NLB_MALFORMED);
            CU_ASSERT_EQUAL(pkt.kind, NLB_FK_HEARTBEAT);
            CU_ASSERT_EQUAL(pkt.hb.status, NLB_MALFORMED);
            if (pl >= 20) /* past the header nothing else is wrong: the message is just short */
                CU_ASSERT_EQUAL(pkt.hb.bad_field, NLB_F_LENGTH);
            assert_hb_fields(&pkt.hb, &o);
        }
        free(copy);
    }
    /* a runt frame not even holding the Ethernet header, nothing cut at capture */
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, 10, 10, &pkt), NLB_MALFORMED);
    CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_LENGTH);
    CU_ASSERT_STRING_EQUAL(nlb_field_name(pkt.bad_field), "length");
}

/* Signature prefixes: a cut signature is NOT_NLB only when no NLB signature starts that way. */
static void test_signature_prefixes(void)
{
    static const uint32_t sigs[] = { NLB_SIG_MEMBERSHIP, NLB_SIG_EXTENDED, NLB_SIG_IDENTITY, 0xC0DE01AAu };
    for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++) {
        uint8_t b[4] = { (uint8_t)sigs[k], (uint8_t)(sigs[k] >> 8), (uint8_t)(sigs[k] >> 16), (uint8_t)(sigs[k] >> 24) };
        for (size_t n = 0; n < 4; n++) {
            CU_ASSERT_EQUAL(nlb_hb_decode(b, n, &hb), NLB_TRUNCATED);
            CU_ASSERT_TRUE(hb.truncated);
            CU_ASSERT_EQUAL(hb.captured, n);
        }
    }
    CU_ASSERT_EQUAL(nlb_hb_decode(NULL, 0, &hb), NLB_TRUNCATED);
    CU_ASSERT_EQUAL(nlb_hb_decode((const uint8_t *)"XB", 2, &hb), NLB_NOT_NLB);
    CU_ASSERT_EQUAL(hb.bad_field, NLB_F_SIGNATURE);
    CU_ASSERT_EQUAL(nlb_hb_decode((const uint8_t *)"\xBF\x01\xDF", 3, &hb), NLB_NOT_NLB);
    CU_ASSERT_EQUAL(nlb_hb_decode((const uint8_t *)"\xBF\x01\xDE\xC1", 4, &hb), NLB_NOT_NLB);
}

/* ---- 4. extended heartbeat, identity, bad signatures, foreign 0x886F --------------------- */

static const uint8_t V6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80 };

static void init_extended(nlb_heartbeat *h, const char *name)
{
    memset(h, 0, sizeof *h);
    h->kind = NLB_HB_EXTENDED;
    h->signature = NLB_SIG_EXTENDED;
    h->version = 0x206;
    h->priority = 2;
    h->cluster_ip = VIP;
    h->dedicated_ip = 0xC0A86452u;
    snprintf(h->host_name, sizeof h->host_name, "%s", name);
    h->n_addrs = 2;
    h->addrs[0] = nlb_ipaddr_v4(0xC0A86452u);
    h->addrs[1].family = 6;
    memcpy(h->addrs[1].a, V6, 16);
}

static void test_extended_roundtrip(void)
{
    static const char *const names[] = {
        "WEB01",
        ("WEB-\xC3\x84\xC3\x96" "01"),      /* WEB-ÄÖ01; split so \x96 does not swallow "01" */
        "HOST-\xF0\x9F\x98\x80",            /* U+1F600: a surrogate pair on the wire */
        "\xE6\x9D\xB1\xE4\xBA\xAC-NLB",     /* three-byte UTF-8 */
    };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        nlb_heartbeat o;
        init_extended(&o, names[k]);
        size_t n = nlb_build_heartbeat(frame, sizeof frame, BCAST, SRC2, 0, &o);
        CU_ASSERT_FATAL(n >= 60);
        CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
        CU_ASSERT_EQUAL(pkt.kind, NLB_FK_HEARTBEAT);
        const nlb_heartbeat *d = &pkt.hb;
        CU_ASSERT_EQUAL(d->status, NLB_OK);
        CU_ASSERT_EQUAL(d->kind, NLB_HB_EXTENDED);
        CU_ASSERT_EQUAL(d->signature, NLB_SIG_EXTENDED);
        CU_ASSERT_EQUAL(d->priority, 2);
        CU_ASSERT_EQUAL(d->cluster_ip, VIP);
        CU_ASSERT_STRING_EQUAL(d->host_name, names[k]);
        CU_ASSERT_EQUAL(d->n_tlvs, 3);
        CU_ASSERT_EQUAL(d->tlvs[0].type, 1);
        CU_ASSERT_EQUAL(d->tlvs[0].offset, 20);
        CU_ASSERT_EQUAL(d->tlvs[0].length % 8, 0);
        CU_ASSERT_EQUAL(d->tlvs[1].type, 2);
        CU_ASSERT_EQUAL(d->tlvs[1].offset, 20 + d->tlvs[0].length);
        CU_ASSERT_EQUAL(d->tlvs[1].length, 16);
        CU_ASSERT_EQUAL(d->tlvs[2].type, 2);
        CU_ASSERT_EQUAL(d->tlvs[2].length, 32);
        CU_ASSERT_EQUAL_FATAL(d->n_addrs, 2);
        CU_ASSERT_EQUAL(d->addrs[0].family, 4);
        CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&d->addrs[0]), 0xC0A86452u);
        CU_ASSERT_EQUAL(d->addrs[1].family, 6);
        CU_ASSERT_EQUAL(memcmp(d->addrs[1].a, V6, 16), 0);
    }
    /* raw bytes of the first TLV for "WEB-ÄÖ01": UTF-16LE, NUL-terminated, padded to 8 */
    nlb_heartbeat o;
    init_extended(&o, names[1]);
    o.n_addrs = 0;
    uint8_t buf[128];
    size_t n = nlb_hb_encode(&o, buf, sizeof buf);
    static const uint8_t tlv[32] = { 1, 4, 0, 0, 0, 0, 0, 0, 'W', 0, 'E', 0, 'B', 0, '-', 0,
                                     0xC4, 0, 0xD6, 0, '0', 0, '1', 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL_FATAL(n, 20 + 32);
    CU_ASSERT_EQUAL(memcmp(buf, "\xC0\x01\xDE\xC0", 4), 0);
    CU_ASSERT_EQUAL(memcmp(buf + 20, tlv, 32), 0);
    init_extended(&o, names[2]);
    o.n_addrs = 0;
    n = nlb_hb_encode(&o, buf, sizeof buf);
    CU_ASSERT_EQUAL_FATAL(n, 20 + 24);
    CU_ASSERT_EQUAL(memcmp(buf + 38, "\x3D\xD8\x00\xDE\x00\x00", 6), 0); /* after "HOST-" */
    /* the address TLVs: family 2 / 0x17 little-endian, then the address in network order */
    init_extended(&o, "");
    n = nlb_hb_encode(&o, buf, sizeof buf);
    CU_ASSERT_EQUAL_FATAL(n, 20 + 16 + 32);
    CU_ASSERT_EQUAL(memcmp(buf + 20, "\x02\x02\0\0\0\0\0\0\x02\x00\xC0\xA8\x64\x52\0\0", 16), 0);
    CU_ASSERT_EQUAL(memcmp(buf + 36, "\x02\x04\0\0\0\0\0\0\x17\x00", 10), 0);
    CU_ASSERT_EQUAL(memcmp(buf + 46, V6, 16), 0);
    CU_ASSERT_EQUAL(nlb_hb_encode(&o, buf, 20 + 16 + 31), 0); /* too small */
}

/* A longest host name (255 UTF-8 bytes) survives the encoder untouched. */
static void test_extended_long_name(void)
{
    nlb_heartbeat o;
    char name[NLB_HB_HOST_NAME_MAX];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = 0;
    init_extended(&o, name);
    o.n_addrs = 0;
    size_t n = nlb_build_heartbeat(frame, sizeof frame, BCAST, SRC2, 0, &o);
    CU_ASSERT_FATAL(n > 0);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(strlen(pkt.hb.host_name), 255);
    CU_ASSERT_STRING_EQUAL(pkt.hb.host_name, name);
    /* 127 x "Ä" (254 bytes) + "b" fills the buffer exactly */
    for (int i = 0; i < 127; i++) memcpy(name + 2 * i, "\xC3\x84", 2);
    name[254] = 'b';
    name[255] = 0;
    init_extended(&o, name);
    o.n_addrs = 0;
    n = nlb_build_heartbeat(frame, sizeof frame, BCAST, SRC2, 0, &o);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    CU_ASSERT_STRING_EQUAL(pkt.hb.host_name, name);
}

/* Hand-built payloads, independent of the encoder. */
static size_t ext_header(uint8_t *p)
{
    memset(p, 0, 512);
    memcpy(p, "\xC0\x01\xDE\xC0\x06\x02\0\0\x02\0\0\0\xC0\xA8\x64\x50\xC0\xA8\x64\x52", 20);
    return 20;
}

static void test_extended_tlvs_by_hand(void)
{
    uint8_t p[512];
    /* a name longer than the decoder's buffer: 200 x U+00C4 (400 UTF-8 bytes), terminated */
    size_t off = ext_header(p);
    size_t tlen = (8 + 2 * 201 + 7) & ~(size_t)7;
    p[off] = 1;
    p[off + 1] = (uint8_t)(tlen / 8);
    for (int i = 0; i < 200; i++) { p[off + 8 + 2 * i] = 0xC4; p[off + 9 + 2 * i] = 0; }
    off += tlen;
    CU_ASSERT_EQUAL(nlb_hb_decode(p, off, &hb), NLB_OK); /* cut for display, not malformed */
    CU_ASSERT_EQUAL(strlen(hb.host_name), 254);          /* whole characters only */
    CU_ASSERT_EQUAL(memcmp(hb.host_name, "\xC3\x84\xC3\x84", 4), 0);

    /* lone surrogates become U+FFFD; a pair becomes one 4-byte character */
    off = ext_header(p);
    static const uint16_t units[] = { 'A', 0xDC00, 'B', 0xD800, 'C', 0xD83D, 0xDE00, 0 };
    p[off] = 1;
    p[off + 1] = 3; /* 24 bytes: 8 + 8 units x 2 */
    for (size_t i = 0; i < 8; i++) { p[off + 8 + 2 * i] = (uint8_t)units[i]; p[off + 9 + 2 * i] = (uint8_t)(units[i] >> 8); }
    off += 24;
    CU_ASSERT_EQUAL(nlb_hb_decode(p, off, &hb), NLB_OK);
    CU_ASSERT_STRING_EQUAL(hb.host_name, "A\xEF\xBF\xBD" "B\xEF\xBF\xBD" "C\xF0\x9F\x98\x80");

    /* name without its NUL inside a complete TLV */
    off = ext_header(p);
    p[off] = 1;
    p[off + 1] = 2;
    memcpy(p + off + 8, "X\0Y\0Z\0W\0", 8);
    CU_ASSERT_EQUAL(nlb_hb_decode(p, off + 16, &hb), NLB_MALFORMED);
    CU_ASSERT_EQUAL(hb.bad_field, NLB_F_TLV_HOST_NAME);
    CU_ASSERT_STRING_EQUAL(hb.host_name, "XYZW");

    /* length 0 */
    off = ext_header(p);
    p[off] = 2;
    p[off + 1] = 0;
    CU_ASSERT_EQUAL(nlb_hb_decode(p, off + 16, &hb), NLB_MALFORMED);
    CU_ASSERT_EQUAL(hb.bad_field, NLB_F_TLV_LENGTH);
    CU_ASSERT_EQUAL(hb.n_tlvs, 0);

    /* unknown address family */
    off = ext_header(p);
    memcpy(p + off, "\x02\x02\0\0\0\0\0\0\x1C\x00\x0A\x00\x00\x01\0\0", 16);
    CU_ASSERT_EQUAL(nlb_hb_decode(p, off + 16, &hb), NLB_MALFORMED);
    CU_ASSERT_EQUAL(hb.bad_field, NLB_F_TLV_ADDRESS_FAMILY);
    CU_ASSERT_EQUAL(hb.n_addrs, 0);

    /* an IPv6 address in a TLV too short for it */
    off = ext_header(p);
    memcpy(p + off, "\x02\x02\0\0\0\0\0\0\x17\x00", 10);
    CU_ASSERT_EQUAL(nlb_hb_decode(p, off + 16, &hb), NLB_MALFORMED);
    CU_ASSERT_EQUAL(hb.bad_field, NLB_F_TLV_LENGTH);

    /* an unknown TLV type is skipped, zero padding ends the list cleanly */
    off = ext_header(p);
    memcpy(p + off, "\x09\x01\xAA\xBB\xCC\xDD\xEE\xFF", 8);
    memcpy(p + off + 8, "\x02\x02\0\0\0\0\0\0\x02\x00\x0A\x00\x00\x01\0\0", 16);
    CU_ASSERT_EQUAL(nlb_hb_decode(p, off + 24 + 40, &hb), NLB_OK);
    CU_ASSERT_EQUAL(hb.n_tlvs, 2);
    CU_ASSERT_EQUAL(hb.tlvs[0].type, 9);
    CU_ASSERT_EQUAL(hb.n_addrs, 1);
    CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&hb.addrs[0]), 0x0A000001u);
    CU_ASSERT_STRING_EQUAL(hb.host_name, "");
    /* header only: no TLV at all */
    CU_ASSERT_EQUAL(nlb_hb_decode(p, 20, &hb), NLB_OK);
    CU_ASSERT_EQUAL(hb.n_tlvs, 0);
}

static void test_extended_tlv_past_end(void)
{
    uint8_t p[512];
    size_t off = ext_header(p);
    p[off] = 1;
    p[off + 1] = 8; /* 64 bytes claimed */
    memcpy(p + off + 8, "N\0L\0B\0", 6);
    size_t have = off + 14;
    CU_ASSERT_EQUAL(nlb_hb_decode(p, have, &hb), NLB_TRUNCATED);
    CU_ASSERT_EQUAL(hb.bad_field, NLB_F_TLV_LENGTH);
    CU_ASSERT_TRUE(hb.truncated);
    CU_ASSERT_STRING_EQUAL(hb.host_name, "NLB"); /* what was there */
    /* in a frame: cut at capture -> truncated; complete frame -> malformed */
    size_t h = nlb_build_eth(frame, sizeof frame, BCAST, SRC2, 0, NLB_ETHERTYPE);
    memcpy(frame + h, p, have);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, h + have, h + have + 50, &pkt), NLB_TRUNCATED);
    CU_ASSERT_EQUAL(pkt.hb.status, NLB_TRUNCATED);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, h + have, h + have, &pkt), NLB_MALFORMED);
    CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_TLV_LENGTH);
    CU_ASSERT_EQUAL(pkt.hb.status, NLB_MALFORMED);
    CU_ASSERT_EQUAL(pkt.hb.bad_field, NLB_F_TLV_LENGTH);
    CU_ASSERT_STRING_EQUAL(pkt.hb.host_name, "NLB");

    /* every cut of a valid extended heartbeat: truncated or ok, never worse */
    nlb_heartbeat o;
    init_extended(&o, "WEB-\xC3\x84\xC3\x96" "01");
    size_t n = nlb_build_heartbeat(frame, sizeof frame, BCAST, SRC2, 0, &o);
    for (size_t cut = 14; cut < n; cut++) {
        uint8_t *copy = malloc(cut);
        memcpy(copy, frame, cut);
        nlb_status s = nlb_packet_decode(NLB_LINK_ETHERNET, copy, cut, n, &pkt);
        CU_ASSERT(s == NLB_TRUNCATED || s == NLB_OK);
        CU_ASSERT_EQUAL(pkt.kind, NLB_FK_HEARTBEAT);
        free(copy);
    }
}

static void test_identity_and_unknown(void)
{
    uint8_t p[NLB_HB_MEMBERSHIP_LEN];
    memset(p, 0, sizeof p);
    memset(&hb, 0, sizeof hb);
    hb.kind = NLB_HB_IDENTITY;
    hb.signature = NLB_SIG_IDENTITY;
    hb.version = 0x206;
    hb.priority = 5;
    hb.cluster_ip = VIP;
    CU_ASSERT_EQUAL(nlb_hb_encode(&hb, p, sizeof p), NLB_HB_COMMON_LEN);
    CU_ASSERT_EQUAL(memcmp(p, "\xDE\x01\xDE\xC0", 4), 0);
    CU_ASSERT_EQUAL(nlb_hb_decode(p, NLB_HB_COMMON_LEN, &hb2), NLB_OK);
    CU_ASSERT_EQUAL(hb2.kind, NLB_HB_IDENTITY);
    CU_ASSERT_EQUAL(hb2.priority, 5);
    CU_ASSERT_EQUAL(hb2.cluster_ip, VIP);

    p[0] = 0xAA; /* 0xC0DE01AA: NLB-looking, unknown */
    CU_ASSERT_EQUAL(nlb_hb_decode(p, NLB_HB_COMMON_LEN, &hb2), NLB_MALFORMED);
    CU_ASSERT_EQUAL(hb2.bad_field, NLB_F_SIGNATURE);
    CU_ASSERT_EQUAL(hb2.kind, NLB_HB_UNKNOWN);
    size_t h = nlb_build_eth(frame, sizeof frame, BCAST, SRC2, 0, NLB_ETHERTYPE);
    memcpy(frame + h, p, 46);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, 60, 60, &pkt), NLB_MALFORMED);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_HEARTBEAT);
    CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_SIGNATURE);
}

static void test_membership_malformed(void)
{
    nlb_heartbeat o;
    uint8_t p[NLB_HB_MEMBERSHIP_LEN];

    fill_full(&o);
    o.num_rules = 200;
    nlb_hb_encode(&o, p, sizeof p);
    CU_ASSERT_EQUAL(nlb_hb_decode(p, sizeof p, &hb), NLB_MALFORMED);
    CU_ASSERT_EQUAL(hb.bad_field, NLB_F_RULE_COUNT);
    CU_ASSERT_EQUAL(hb.num_rules, 200);
    CU_ASSERT_EQUAL(hb.rules[32].code, o.rules[32].code); /* still decoded */
    o.num_rules = 34;
    nlb_hb_encode(&o, p, sizeof p);
    CU_ASSERT_EQUAL(nlb_hb_decode(p, sizeof p, &hb), NLB_MALFORMED);
    o.num_rules = 33;
    nlb_hb_encode(&o, p, sizeof p);
    CU_ASSERT_EQUAL(nlb_hb_decode(p, sizeof p, &hb), NLB_OK);

    static const uint32_t bad_prio[] = { 0, 33, 0xFFFFFFFFu };
    for (size_t k = 0; k < 3; k++) {
        fill_full(&o);
        o.priority = bad_prio[k];
        nlb_hb_encode(&o, p, sizeof p);
        CU_ASSERT_EQUAL(nlb_hb_decode(p, sizeof p, &hb), NLB_MALFORMED);
        CU_ASSERT_EQUAL(hb.bad_field, NLB_F_HOST_PRIORITY);
        CU_ASSERT_EQUAL(hb.priority, bad_prio[k]);
        size_t n = nlb_build_heartbeat(frame, sizeof frame, BCAST, SRC2, 0, &o);
        CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_MALFORMED);
        CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_HOST_PRIORITY);
    }
    /* priorities 1 and 32 are the ends of the valid range */
    nlb_hb_init_membership(&o, VIP, 1, 32);
    nlb_hb_encode(&o, p, sizeof p);
    CU_ASSERT_EQUAL(nlb_hb_decode(p, sizeof p, &hb), NLB_OK);
    CU_ASSERT_EQUAL(hb.my_host_id, 31);

    fill_full(&o);
    o.my_host_id = 7; /* priority 3 says host id 2 */
    nlb_hb_encode(&o, p, sizeof p);
    CU_ASSERT_EQUAL(nlb_hb_decode(p, sizeof p, &hb), NLB_MALFORMED);
    CU_ASSERT_EQUAL(hb.bad_field, NLB_F_MY_HOST_ID);
}

static void test_xbox(void)
{
    uint8_t x[60];
    size_t h = nlb_build_eth(x, sizeof x, BCAST, (const uint8_t *)"\x7c\xed\x8d\x01\x02\x03", 0, NLB_ETHERTYPE);
    memset(x + h, 0, sizeof x - h);
    memcpy(x + h, "XBOX\x01\x00\x00\x00", 8);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, x, sizeof x, sizeof x, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_FOREIGN_886F);
    CU_ASSERT_EQUAL(pkt.status, NLB_OK);
    CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_NONE);
    CU_ASSERT_EQUAL(pkt.hb.status, NLB_NOT_NLB);
    CU_ASSERT_EQUAL(pkt.hb.bad_field, NLB_F_SIGNATURE);
    CU_ASSERT_STRING_EQUAL(nlb_frame_kind_name(pkt.kind), "foreign 0x886f");
    CU_ASSERT_EQUAL(pkt.hb.foreign, NLB_FOREIGN_XBOX);
    CU_ASSERT_STRING_EQUAL(nlb_foreign_name(NLB_FOREIGN_XBOX), "Xbox wireless adapter");
    /* even cut short it stays foreign, and a cut foreign frame is no error of ours */
    for (size_t cut = h + 2; cut < sizeof x; cut++) {
        nlb_status s = nlb_packet_decode(NLB_LINK_ETHERNET, x, cut, sizeof x, &pkt);
        CU_ASSERT_EQUAL(s, NLB_OK);
        CU_ASSERT_EQUAL(pkt.kind, NLB_FK_FOREIGN_886F);
    }
}

/* LQSR (Microsoft Research mesh routing) shares 0x886F: named, never called NLB, in either byte
 * order of its signature (guess). */
static void test_lqsr(void)
{
    static const uint8_t sigs[2][4] = { { 0xF7, 0x8A, 0xDE, 0xC0 }, { 0xC0, 0xDE, 0x8A, 0xF7 } };
    for (unsigned k = 0; k < 2; k++) {
        uint8_t x[80];
        size_t h = nlb_build_eth(x, sizeof x, BCAST, (const uint8_t *)"\x00\x11\x22\x33\x44\x55", 0, NLB_ETHERTYPE);
        memset(x + h, 0x5A, sizeof x - h);
        memcpy(x + h, sigs[k], 4);
        CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, x, sizeof x, sizeof x, &pkt), NLB_OK);
        CU_ASSERT_EQUAL(pkt.kind, NLB_FK_FOREIGN_886F);
        CU_ASSERT_EQUAL(pkt.hb.status, NLB_NOT_NLB);
        CU_ASSERT_EQUAL(pkt.hb.foreign, NLB_FOREIGN_LQSR);
        CU_ASSERT_STRING_EQUAL(nlb_foreign_name((nlb_foreign_kind)pkt.hb.foreign), "LQSR mesh routing (Microsoft Research)");
    }
    /* something else on 0x886F: not NLB, nobody named */
    uint8_t y[8] = { 'A', 'B', 'C', 'D', 1, 2, 3, 4 };
    nlb_heartbeat other;
    CU_ASSERT_EQUAL(nlb_hb_decode(y, sizeof y, &other), NLB_NOT_NLB);
    CU_ASSERT_EQUAL(other.foreign, NLB_FOREIGN_UNKNOWN);
    CU_ASSERT_PTR_NULL(nlb_foreign_name(NLB_FOREIGN_UNKNOWN));
    CU_ASSERT_PTR_NULL(nlb_foreign_name(NLB_FOREIGN_NONE));
}

/* Ethertype 0xBF01 (WLBS/Convoy, KB Q232711): the common header where the signature matches,
 * nothing of the body; without an NLB signature the frame is nobody's. */
static void test_legacy_0xbf01(void)
{
    nlb_heartbeat o;
    nlb_hb_init_membership(&o, VIP, 0xC0A86452u, 2);
    uint8_t full[NLB_HB_MEMBERSHIP_LEN];
    CU_ASSERT_EQUAL_FATAL(nlb_hb_encode(&o, full, sizeof full), NLB_HB_MEMBERSHIP_LEN);
    uint8_t x[14 + 46];
    size_t h = nlb_build_eth(x, sizeof x, BCAST, (const uint8_t *)"\x02\x02\xc0\xa8\x64\x50", 0, NLB_ETHERTYPE_LEGACY);
    memset(x + h, 0xEE, sizeof x - h); /* a body we must not read */
    memcpy(x + h, full, NLB_HB_COMMON_LEN);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, x, sizeof x, sizeof x, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_LEGACY_HEARTBEAT);
    CU_ASSERT_STRING_EQUAL(nlb_frame_kind_name(pkt.kind), "legacy heartbeat");
    CU_ASSERT_TRUE(pkt.hb.legacy);
    CU_ASSERT_EQUAL(pkt.hb.kind, NLB_HB_MEMBERSHIP);
    CU_ASSERT_EQUAL(pkt.hb.signature, NLB_SIG_MEMBERSHIP);
    CU_ASSERT_EQUAL(pkt.hb.version, o.version);
    CU_ASSERT_EQUAL(pkt.hb.priority, 2);
    CU_ASSERT_EQUAL(pkt.hb.cluster_ip, VIP);
    CU_ASSERT_EQUAL(pkt.hb.dedicated_ip, 0xC0A86452u);
    CU_ASSERT_EQUAL(pkt.hb.num_rules, 0);
    CU_ASSERT_EQUAL(pkt.hb.my_host_id, 0);
    CU_ASSERT_EQUAL(pkt.hb.rules_present, 0);
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_ETHERNET, x, sizeof x, NULL, 0));
    /* cut inside the common header by the snaplen: truncated, what was captured is kept */
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, x, h + 14, sizeof x, &pkt), NLB_TRUNCATED);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_LEGACY_HEARTBEAT);
    CU_ASSERT_EQUAL(pkt.hb.priority, 2);
    CU_ASSERT_FALSE(nlb_hb_has(&pkt.hb, NLB_OFF_CLUSTER_IP, 4));
    /* a priority outside 1..32 is malformed */
    x[h + NLB_OFF_PRIORITY] = 40;
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, x, sizeof x, sizeof x, &pkt), NLB_MALFORMED);
    CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_HOST_PRIORITY);
    /* no NLB signature: some other use of 0xBF01, not ours and no error */
    memcpy(x + h, "ABCD", 4);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, x, sizeof x, sizeof x, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_OTHER);
    CU_ASSERT_EQUAL(nlb_hb_decode_legacy(x + h, 3, &o), NLB_NOT_NLB);
}

static void test_conv_state_name(void)
{
    /* the real capture: a healthy two-host cluster, both hosts in state 1 */
    nlbt_capture c = nlbt_load("captures/msnlb.pcap");
    CU_ASSERT_EQUAL_FATAL(c.n, 2);
    for (size_t f = 0; f < c.n; f++) {
        nlb_packet fp;
        nlb_packet_decode(c.linktype, c.frames[f].data, c.frames[f].caplen, c.frames[f].wirelen, &fp);
        CU_ASSERT_TRUE(nlb_hb_has(&fp.hb, NLB_OFF_CONV_STATE, 2));
        CU_ASSERT_EQUAL(fp.hb.conv_state, NLB_CONV_NORMAL);
        CU_ASSERT_STRING_EQUAL(nlb_conv_state_name(fp.hb.conv_state), "normal");
    }
    nlbt_free(&c);
    CU_ASSERT_STRING_EQUAL(nlb_conv_state_name(NLB_CONV_NORMAL), "normal");
    CU_ASSERT_STRING_EQUAL(nlb_conv_state_name(NLB_CONV_STABLE), "stable (guess)");
    CU_ASSERT_STRING_EQUAL(nlb_conv_state_name(NLB_CONV_CONVERGING), "converging (guess)");
    CU_ASSERT_STRING_EQUAL(nlb_conv_state_name(0), "unknown");
    CU_ASSERT_STRING_EQUAL(nlb_conv_state_name(4), "unknown");
    CU_ASSERT_STRING_EQUAL(nlb_conv_state_name(0xFFFF), "unknown");
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    NLBT_SUITE("heartbeat",
               NLBT(test_msnlb_capture), NLBT(test_rule_code_ports), NLBT(test_conv_state_name), NLBT(test_membership_roundtrip),
               NLBT(test_init_membership), NLBT(test_membership_every_cut), NLBT(test_signature_prefixes),
               NLBT(test_extended_roundtrip), NLBT(test_extended_long_name), NLBT(test_extended_tlvs_by_hand),
               NLBT(test_extended_tlv_past_end), NLBT(test_identity_and_unknown),
               NLBT(test_membership_malformed), NLBT(test_xbox), NLBT(test_lqsr), NLBT(test_legacy_0xbf01));
    return nlbt_run();
}
