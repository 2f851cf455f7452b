/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ARP, gratuitous ARP and RARP: the frames switches learn from (protocol doc section 3). */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t HOST[6] = { 0x00, 0x50, 0x56, 0xaa, 0xbb, 0xcc };
static const uint8_t PEER[6] = { 0x00, 0x15, 0x5d, 0x01, 0x02, 0x03 };

static nlb_packet pkt;
static uint8_t frame[128];

static nlb_arp make(uint16_t op, const uint8_t sha[6], uint32_t spa, const uint8_t tha[6], uint32_t tpa)
{
    nlb_arp a;
    memset(&a, 0, sizeof a);
    a.op = op;
    memcpy(a.sha, sha, 6);
    a.spa = spa;
    memcpy(a.tha, tha, 6);
    a.tpa = tpa;
    a.rarp = op == NLB_RARP_REQUEST || op == NLB_RARP_REPLY;
    return a;
}

/* Build, decode as a whole frame, and return the decoded ARP body. */
static const nlb_arp *roundtrip(const nlb_arp *a, uint16_t vlan, nlb_frame_kind want_kind)
{
    size_t n = nlb_build_arp(frame, sizeof frame, BCAST, a->sha, vlan, a);
    CU_ASSERT_EQUAL(n, 60); /* padded to the Ethernet minimum, with or without a tag */
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.kind, want_kind);
    CU_ASSERT_EQUAL(pkt.ethertype, a->rarp ? NLB_ETHERTYPE_RARP : NLB_ETHERTYPE_ARP);
    CU_ASSERT_EQUAL(pkt.n_vlans, vlan ? 1 : 0);
    const nlb_arp *d = &pkt.arp;
    CU_ASSERT_EQUAL(d->status, NLB_OK);
    CU_ASSERT_EQUAL(d->htype, 1);
    CU_ASSERT_EQUAL(d->ptype, 0x0800);
    CU_ASSERT_EQUAL(d->hlen, 6);
    CU_ASSERT_EQUAL(d->plen, 4);
    CU_ASSERT_EQUAL(d->op, a->op);
    CU_ASSERT_EQUAL(memcmp(d->sha, a->sha, 6), 0);
    CU_ASSERT_EQUAL(memcmp(d->tha, a->tha, 6), 0);
    CU_ASSERT_EQUAL(d->spa, a->spa);
    CU_ASSERT_EQUAL(d->tpa, a->tpa);
    return d;
}

static void test_request_reply(void)
{
    static const uint8_t zero[6] = { 0 };
    nlb_arp a = make(NLB_ARP_REQUEST, HOST, 0xC0A86401u, zero, 0xC0A86450u);
    const nlb_arp *d = roundtrip(&a, 0, NLB_FK_ARP);
    CU_ASSERT_FALSE(d->gratuitous);
    CU_ASSERT_FALSE(d->rarp);
    /* raw body: big-endian fields, addresses in network order */
    static const uint8_t body[28] = { 0, 1, 8, 0, 6, 4, 0, 1, 0x00, 0x50, 0x56, 0xaa, 0xbb, 0xcc,
                                      192, 168, 100, 1, 0, 0, 0, 0, 0, 0, 192, 168, 100, 80 };
    CU_ASSERT_EQUAL(memcmp(frame + 14, body, 28), 0);
    CU_ASSERT_EQUAL(frame[12], 0x08);
    CU_ASSERT_EQUAL(frame[13], 0x06);

    /* unicast-mode reply for the VIP: Ethernet source 02-pp-VIP, sender hardware 02-BF-VIP */
    uint8_t cluster[6], masked[6];
    nlb_mac_make(NLB_MAC_UNICAST, 0xC0A86450u, 0, cluster);
    nlb_mac_make(NLB_MAC_MASKED, 0xC0A86450u, 2, masked);
    a = make(NLB_ARP_REPLY, cluster, 0xC0A86450u, PEER, 0xC0A86401u);
    size_t h = nlb_build_eth(frame, sizeof frame, PEER, masked, 0, NLB_ETHERTYPE_ARP);
    CU_ASSERT_EQUAL(nlb_arp_encode(&a, frame + h, sizeof frame - h), NLB_ARP_LEN);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, h + NLB_ARP_LEN, h + NLB_ARP_LEN, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_ARP);
    CU_ASSERT_EQUAL(pkt.arp.op, NLB_ARP_REPLY);
    CU_ASSERT_EQUAL(pkt.src_mac.kind, NLB_MAC_MASKED);
    CU_ASSERT_EQUAL(pkt.src_mac.priority, 2);
    nlb_mac_info shi;
    CU_ASSERT_EQUAL(nlb_mac_classify(pkt.arp.sha, &shi), NLB_MAC_UNICAST);
    CU_ASSERT_EQUAL(shi.vip, pkt.arp.spa);
    d = roundtrip(&a, 7, NLB_FK_ARP);
    CU_ASSERT_FALSE(d->gratuitous);
    CU_ASSERT_EQUAL(pkt.vlan[0], 7);
    CU_ASSERT_STRING_EQUAL(nlb_arp_op_name(NLB_ARP_REQUEST), "request");
    CU_ASSERT_STRING_EQUAL(nlb_arp_op_name(NLB_ARP_REPLY), "reply");
    CU_ASSERT_STRING_EQUAL(nlb_arp_op_name(9), "unknown");
}

static void test_gratuitous(void)
{
    static const uint8_t zero[6] = { 0 };
    nlb_arp a = make(NLB_ARP_REQUEST, HOST, 0xC0A86451u, zero, 0xC0A86451u);
    CU_ASSERT_TRUE(roundtrip(&a, 0, NLB_FK_ARP)->gratuitous);
    a = make(NLB_ARP_REPLY, HOST, 0xC0A86451u, BCAST, 0xC0A86451u);
    CU_ASSERT_TRUE(roundtrip(&a, 0, NLB_FK_ARP)->gratuitous);
    /* 0.0.0.0 -> 0.0.0.0 (ARP probe style, or RARP-like junk) is not a GARP */
    a = make(NLB_ARP_REQUEST, HOST, 0, zero, 0);
    CU_ASSERT_FALSE(roundtrip(&a, 0, NLB_FK_ARP)->gratuitous);
    /* RFC 5227 probe: spa 0, tpa set */
    a = make(NLB_ARP_REQUEST, HOST, 0, zero, 0xC0A86451u);
    CU_ASSERT_FALSE(roundtrip(&a, 0, NLB_FK_ARP)->gratuitous);
    /* a RARP with spa == tpa is no GARP either */
    a = make(NLB_RARP_REQUEST, HOST, 0x0A000001u, HOST, 0x0A000001u);
    CU_ASSERT_FALSE(roundtrip(&a, 0, NLB_FK_RARP)->gratuitous);
}

static void test_rarp(void)
{
    static const uint8_t zero[6] = { 0 };
    /* ESXi "Notify Switches": RARP request, source = the VM's MAC, addresses all zero */
    nlb_arp a = make(NLB_RARP_REQUEST, HOST, 0, HOST, 0);
    const nlb_arp *d = roundtrip(&a, 0, NLB_FK_RARP);
    CU_ASSERT_TRUE(d->rarp);
    CU_ASSERT_FALSE(d->gratuitous);
    CU_ASSERT_EQUAL(frame[12], 0x80);
    CU_ASSERT_EQUAL(frame[13], 0x35);
    CU_ASSERT_EQUAL(frame[21], 3);
    CU_ASSERT_EQUAL(memcmp(pkt.src, HOST, 6), 0);
    a = make(NLB_RARP_REPLY, PEER, 0x0A000001u, HOST, 0x0A000002u);
    d = roundtrip(&a, 0, NLB_FK_RARP);
    CU_ASSERT_TRUE(d->rarp);
    CU_ASSERT_EQUAL(d->op, 4);
    CU_ASSERT_STRING_EQUAL(nlb_arp_op_name(NLB_RARP_REQUEST), "RARP request");
    CU_ASSERT_STRING_EQUAL(nlb_arp_op_name(NLB_RARP_REPLY), "RARP reply");

    /* ethertype 0x8035 makes it RARP even with an ARP opcode; opcode 3 under 0x0806 too */
    uint8_t body[28];
    nlb_arp x = make(NLB_ARP_REQUEST, HOST, 0, zero, 0);
    nlb_arp_encode(&x, body, sizeof body);
    nlb_arp out;
    CU_ASSERT_EQUAL(nlb_arp_decode(body, sizeof body, NLB_ETHERTYPE_RARP, &out), NLB_OK);
    CU_ASSERT_TRUE(out.rarp);
    x.op = NLB_RARP_REQUEST;
    nlb_arp_encode(&x, body, sizeof body);
    CU_ASSERT_EQUAL(nlb_arp_decode(body, sizeof body, NLB_ETHERTYPE_ARP, &out), NLB_OK);
    CU_ASSERT_TRUE(out.rarp);
}

static void test_malformed(void)
{
    static const uint8_t zero[6] = { 0 };
    uint8_t body[28];
    nlb_arp a = make(NLB_ARP_REQUEST, HOST, 0xC0A86401u, zero, 0xC0A86450u);
    nlb_arp out;
    CU_ASSERT_EQUAL(nlb_arp_encode(&a, body, 27), 0);
    /* hardware type 6 (IEEE 802), protocol IPv6, wrong lengths: each one malformed */
    static const struct { size_t off; uint8_t v; } bad[] = { { 1, 6 }, { 2, 0x86 }, { 4, 8 }, { 5, 16 } };
    for (size_t k = 0; k < 4; k++) {
        nlb_arp_encode(&a, body, sizeof body);
        body[bad[k].off] = bad[k].v;
        CU_ASSERT_EQUAL(nlb_arp_decode(body, sizeof body, NLB_ETHERTYPE_ARP, &out), NLB_MALFORMED);
        CU_ASSERT_EQUAL(out.bad_field, NLB_F_ARP_HW);
        CU_ASSERT_FALSE(out.gratuitous);
    }
    /* a cut body is judged on what it shows: hardware type 6 in the first two bytes is enough */
    nlb_arp_encode(&a, body, sizeof body);
    body[1] = 6;
    for (size_t cut = 2; cut < 6; cut++) {
        CU_ASSERT_EQUAL(nlb_arp_decode(body, cut, NLB_ETHERTYPE_ARP, &out), NLB_MALFORMED);
        CU_ASSERT_EQUAL(out.bad_field, NLB_F_ARP_HW);
    }
    CU_ASSERT_EQUAL(nlb_arp_decode(body, 1, NLB_ETHERTYPE_ARP, &out), NLB_TRUNCATED);
    body[1] = 1;
    body[5] = 16;
    CU_ASSERT_EQUAL(nlb_arp_decode(body, 5, NLB_ETHERTYPE_ARP, &out), NLB_TRUNCATED);
    CU_ASSERT_EQUAL(nlb_arp_decode(body, 6, NLB_ETHERTYPE_ARP, &out), NLB_MALFORMED);
    /* opcodes 0 and 5 */
    static const uint8_t ops[2] = { 0, 5 };
    for (size_t k = 0; k < 2; k++) {
        nlb_arp_encode(&a, body, sizeof body);
        body[7] = ops[k];
        CU_ASSERT_EQUAL(nlb_arp_decode(body, sizeof body, NLB_ETHERTYPE_ARP, &out), NLB_MALFORMED);
        CU_ASSERT_EQUAL(out.bad_field, NLB_F_ARP_OPCODE);
    }
    /* in a frame: bad hardware type -> the packet is malformed, naming the field */
    size_t n = nlb_build_arp(frame, sizeof frame, BCAST, HOST, 0, &a);
    frame[15] = 6;
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_MALFORMED);
    CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_ARP_HW);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_ARP);
    CU_ASSERT_EQUAL(pkt.arp.status, NLB_MALFORMED);
}

static void test_every_cut(void)
{
    nlb_arp a = make(NLB_ARP_REPLY, HOST, 0xC0A86451u, PEER, 0xC0A86401u);
    for (int vlan = 0; vlan <= 1; vlan++) {
        size_t n = nlb_build_arp(frame, sizeof frame, BCAST, HOST, vlan ? 42 : 0, &a);
        size_t h = vlan ? 18 : 14;
        CU_ASSERT_EQUAL_FATAL(n, 60);
        for (size_t cut = 0; cut <= n; cut++) {
            uint8_t *copy = malloc(cut ? cut : 1);
            memcpy(copy, frame, cut);
            nlb_status s = nlb_packet_decode(NLB_LINK_ETHERNET, copy, cut, n, &pkt);
            size_t body = cut > h ? cut - h : 0;
            CU_ASSERT_EQUAL(s, cut >= h + NLB_ARP_LEN ? NLB_OK : NLB_TRUNCATED);
            if (cut >= h) {
                CU_ASSERT_EQUAL(pkt.kind, NLB_FK_ARP);
                CU_ASSERT_EQUAL(pkt.arp.status, s);
                CU_ASSERT_EQUAL(pkt.arp.htype, body >= 2 ? 1 : 0);
                CU_ASSERT_EQUAL(pkt.arp.op, body >= 8 ? NLB_ARP_REPLY : 0);
                CU_ASSERT_EQUAL(memcmp(pkt.arp.sha, body >= 14 ? HOST : (const uint8_t *)"\0\0\0\0\0\0", 6), 0);
                CU_ASSERT_EQUAL(pkt.arp.spa, body >= 18 ? 0xC0A86451u : 0);
                CU_ASSERT_EQUAL(memcmp(pkt.arp.tha, body >= 24 ? PEER : (const uint8_t *)"\0\0\0\0\0\0", 6), 0);
                CU_ASSERT_EQUAL(pkt.arp.tpa, body >= 28 ? 0xC0A86401u : 0);
                CU_ASSERT_FALSE(pkt.arp.gratuitous);
            } else {
                CU_ASSERT_EQUAL(pkt.kind, NLB_FK_OTHER);
            }
            /* the same bytes sent that short: malformed, not truncated */
            if (cut < h + NLB_ARP_LEN)
                CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, copy, cut, cut, &pkt), NLB_MALFORMED);
            free(copy);
        }
    }
    /* a GARP cut before its target address is not (yet) called gratuitous */
    nlb_arp g = make(NLB_ARP_REQUEST, HOST, 0xC0A86451u, HOST, 0xC0A86451u);
    uint8_t body[28];
    nlb_arp_encode(&g, body, sizeof body);
    nlb_arp out;
    for (size_t cut = 0; cut < sizeof body; cut++) {
        CU_ASSERT_EQUAL(nlb_arp_decode(body, cut, NLB_ETHERTYPE_ARP, &out), NLB_TRUNCATED);
        CU_ASSERT_FALSE(out.gratuitous);
    }
    CU_ASSERT_EQUAL(nlb_arp_decode(body, sizeof body, NLB_ETHERTYPE_ARP, &out), NLB_OK);
    CU_ASSERT_TRUE(out.gratuitous);
    CU_ASSERT_EQUAL(nlb_arp_decode(NULL, 0, NLB_ETHERTYPE_ARP, &out), NLB_TRUNCATED);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    NLBT_SUITE("arp", NLBT(test_request_reply), NLBT(test_gratuitous), NLBT(test_rarp), NLBT(test_malformed),
               NLBT(test_every_cut));
    return nlbt_run();
}
