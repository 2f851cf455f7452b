/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Framing (Ethernet, 802.1Q, QinQ, Linux SLL/SLL2, IPv4/IPv6 TCP/UDP, IGMP), the frame builders'
 * checksums, and the text helpers of util.c. */
#define _POSIX_C_SOURCE 200112L /* inet_ntop, used as a reference for IPv6 formatting */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const uint8_t DST[6] = { 0x02, 0xBF, 0xC0, 0xA8, 0x64, 0x50 };
static const uint8_t SRC[6] = { 0x00, 0x1c, 0x42, 0x11, 0x22, 0x33 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
#define VIP 0xC0A86450u
#define CLIENT 0x0A010203u /* 10.1.2.3 */

static nlb_packet pkt;
static uint8_t frame[2048], other[2048];

/* ---- checksums, recomputed independently of build.c ------------------------------------- */

static uint32_t csum_add(uint32_t acc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        acc += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
    return acc;
}

static uint16_t csum_fold(uint32_t acc)
{
    while (acc > 0xFFFF)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return (uint16_t)acc;
}

/* Sum over a header that includes its checksum: valid when it folds to 0xFFFF. */
static bool ipv4_header_ok(const uint8_t *ip)
{
    return csum_fold(csum_add(0, ip, (size_t)(ip[0] & 15) * 4)) == 0xFFFF;
}

static bool l4_over_ipv4_ok(const uint8_t *ip)
{
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    size_t total = (size_t)ip[2] << 8 | ip[3];
    size_t l4 = total - ihl;
    uint8_t ph[12];
    memcpy(ph, ip + 12, 8);
    ph[8] = 0;
    ph[9] = ip[9];
    ph[10] = (uint8_t)(l4 >> 8);
    ph[11] = (uint8_t)l4;
    return csum_fold(csum_add(csum_add(0, ph, 12), ip + ihl, l4)) == 0xFFFF;
}

static bool l4_over_ipv6_ok(const uint8_t *ip6, const uint8_t *l4, size_t len, uint8_t proto)
{
    uint8_t ph[40];
    memcpy(ph, ip6 + 8, 32);
    ph[32] = ph[33] = 0;
    ph[34] = (uint8_t)(len >> 8);
    ph[35] = (uint8_t)len;
    ph[36] = ph[37] = ph[38] = 0;
    ph[39] = proto;
    return csum_fold(csum_add(csum_add(0, ph, 40), l4, len)) == 0xFFFF;
}

/* ---- Ethernet, VLANs ---------------------------------------------------------------------- */

static void assert_tcp4(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq)
{
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_IP);
    CU_ASSERT_EQUAL(pkt.ethertype, 0x0800);
    CU_ASSERT_EQUAL(pkt.ip_src.family, 4);
    CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&pkt.ip_src), CLIENT);
    CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&pkt.ip_dst), VIP);
    CU_ASSERT_EQUAL(pkt.ip_proto, 6);
    CU_ASSERT_TRUE(pkt.has_ports);
    CU_ASSERT_EQUAL(pkt.sport, sport);
    CU_ASSERT_EQUAL(pkt.dport, dport);
    CU_ASSERT_EQUAL(pkt.tcp_flags, flags);
    CU_ASSERT_EQUAL(pkt.tcp_seq, seq);
}

static void test_ethernet_tcp4(void)
{
    size_t n = nlb_build_tcp4(frame, sizeof frame, DST, SRC, 0, CLIENT, VIP, 49152, 80, NLB_TCP_SYN,
                              0x89ABCDEFu, 0, 0);
    CU_ASSERT_EQUAL_FATAL(n, 60); /* 54 padded */
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    assert_tcp4(49152, 80, NLB_TCP_SYN, 0x89ABCDEFu);
    CU_ASSERT_TRUE(pkt.has_dst);
    CU_ASSERT_EQUAL(memcmp(pkt.dst, DST, 6), 0);
    CU_ASSERT_EQUAL(memcmp(pkt.src, SRC, 6), 0);
    CU_ASSERT_EQUAL(pkt.dst_mac.kind, NLB_MAC_UNICAST); /* a client SYN to the unicast cluster MAC */
    CU_ASSERT_EQUAL(pkt.dst_mac.vip, VIP);
    CU_ASSERT_EQUAL(pkt.src_mac.kind, NLB_MAC_NONE);
    CU_ASSERT_EQUAL(pkt.n_vlans, 0);
    CU_ASSERT_EQUAL(pkt.l3, frame + 14);
    CU_ASSERT_EQUAL(pkt.l3_len, n - 14);
    CU_ASSERT_EQUAL(pkt.caplen, n);
    CU_ASSERT_EQUAL(pkt.wirelen, n);
    CU_ASSERT_TRUE(ipv4_header_ok(frame + 14));
    CU_ASSERT_TRUE(l4_over_ipv4_ok(frame + 14));
    CU_ASSERT_EQUAL(frame[14 + 9], 6);
    CU_ASSERT_EQUAL(frame[14 + 8], 128); /* TTL */
    CU_ASSERT_STRING_EQUAL(nlb_frame_kind_name(pkt.kind), "ip");

    /* SYN-ACK with payload, the other way round; odd payload length exercises the checksum pad */
    n = nlb_build_tcp4(frame, sizeof frame, SRC, DST, 0, VIP, CLIENT, 80, 49152, NLB_TCP_SYN | NLB_TCP_ACK,
                       7, 0x89ABCDF0u, 101);
    CU_ASSERT_EQUAL_FATAL(n, 14 + 40 + 101);
    memset(frame + 54, 0x5A, 101); /* non-zero payload, checksum redone below */
    frame[14 + 20 + 16] = frame[14 + 20 + 17] = 0;
    CU_ASSERT_FALSE(l4_over_ipv4_ok(frame + 14));
    /* rebuild: the builder's payload is zeros; its checksum must hold for those */
    n = nlb_build_tcp4(frame, sizeof frame, SRC, DST, 0, VIP, CLIENT, 80, 49152, NLB_TCP_SYN | NLB_TCP_ACK,
                       7, 0x89ABCDF0u, 101);
    CU_ASSERT_TRUE(ipv4_header_ok(frame + 14));
    CU_ASSERT_TRUE(l4_over_ipv4_ok(frame + 14));
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.sport, 80);
    CU_ASSERT_EQUAL(pkt.tcp_flags, NLB_TCP_SYN | NLB_TCP_ACK);
    CU_ASSERT_EQUAL(pkt.tcp_seq, 7);
    CU_ASSERT_EQUAL(nlb_build_tcp4(frame, 14 + 40 + 100, SRC, DST, 0, VIP, CLIENT, 80, 1, 0, 0, 0, 101), 0);

    /* many addresses and ports: the checksums always verify */
    for (uint32_t k = 0; k < 500; k++) {
        uint32_t sip = 0x9E3779B9u * k, dip = ~sip ^ (k << 7);
        n = nlb_build_tcp4(frame, sizeof frame, DST, SRC, 0, sip, dip, (uint16_t)(k * 131), (uint16_t)~k,
                           (uint8_t)k, k * 7919u, k, k % 37);
        CU_ASSERT_TRUE(ipv4_header_ok(frame + 14));
        CU_ASSERT_TRUE(l4_over_ipv4_ok(frame + 14));
        n = nlb_build_udp4(frame, sizeof frame, DST, SRC, 0, sip, dip, (uint16_t)(k * 131), (uint16_t)~k, k % 41);
        CU_ASSERT_TRUE(ipv4_header_ok(frame + 14));
        CU_ASSERT_TRUE(l4_over_ipv4_ok(frame + 14));
        CU_ASSERT_NOT_EQUAL(frame[14 + 20 + 6] | frame[14 + 20 + 7], 0); /* 0 means "no checksum" in UDP */
    }
}

static void test_udp4(void)
{
    size_t n = nlb_build_udp4(frame, sizeof frame, DST, SRC, 0, CLIENT, VIP, 5353, 53, 12);
    CU_ASSERT_EQUAL_FATAL(n, 60);
    CU_ASSERT_TRUE(ipv4_header_ok(frame + 14));
    CU_ASSERT_TRUE(l4_over_ipv4_ok(frame + 14));
    CU_ASSERT_EQUAL(frame[14 + 20 + 4], 0);
    CU_ASSERT_EQUAL(frame[14 + 20 + 5], 20); /* UDP length */
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_IP);
    CU_ASSERT_EQUAL(pkt.ip_proto, 17);
    CU_ASSERT_TRUE(pkt.has_ports);
    CU_ASSERT_EQUAL(pkt.sport, 5353);
    CU_ASSERT_EQUAL(pkt.dport, 53);
    CU_ASSERT_EQUAL(pkt.tcp_flags, 0);
    CU_ASSERT_EQUAL(pkt.tcp_seq, 0);
}

static void test_vlan_8021q(void)
{
    size_t n = nlb_build_tcp4(frame, sizeof frame, DST, SRC, 4094, CLIENT, VIP, 1025, 443, NLB_TCP_ACK, 1, 2, 0);
    CU_ASSERT_EQUAL_FATAL(n, 60);
    CU_ASSERT_EQUAL(frame[12], 0x81);
    CU_ASSERT_EQUAL(frame[13], 0x00);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.n_vlans, 1);
    CU_ASSERT_EQUAL(pkt.vlan[0], 4094);
    CU_ASSERT_EQUAL(pkt.l3, frame + 18);
    assert_tcp4(1025, 443, NLB_TCP_ACK, 1);
    CU_ASSERT_TRUE(ipv4_header_ok(frame + 18));
    CU_ASSERT_TRUE(l4_over_ipv4_ok(frame + 18));
    /* priority bits in the TCI are not part of the id */
    frame[14] |= 0xE0;
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.vlan[0], 4094);
}

/* Insert tags by hand: tpids[] outer first, each with its TCI. */
static size_t tagged_copy(uint8_t *out, const uint8_t *untagged, size_t n, const uint16_t *tpid, const uint16_t *tci, size_t tags)
{
    memcpy(out, untagged, 12);
    size_t o = 12;
    for (size_t i = 0; i < tags; i++) {
        out[o++] = (uint8_t)(tpid[i] >> 8);
        out[o++] = (uint8_t)tpid[i];
        out[o++] = (uint8_t)(tci[i] >> 8);
        out[o++] = (uint8_t)tci[i];
    }
    memcpy(out + o, untagged + 12, n - 12);
    return o + n - 12;
}

static void test_qinq(void)
{
    size_t n0 = nlb_build_tcp4(frame, sizeof frame, DST, SRC, 0, CLIENT, VIP, 2000, 3389, NLB_TCP_SYN, 99, 0, 0);
    static const uint16_t tpid[3] = { 0x88A8, 0x8100, 0x8100 };
    static const uint16_t tci[3] = { 0x2064, 0x00C8, 0x012C }; /* 100 (PCP 1), 200, 300 */
    size_t n = tagged_copy(other, frame, n0, tpid, tci, 2);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.n_vlans, 2);
    CU_ASSERT_EQUAL(pkt.vlan[0], 100); /* outer (service) first */
    CU_ASSERT_EQUAL(pkt.vlan[1], 200);
    CU_ASSERT_EQUAL(pkt.ethertype, 0x0800);
    CU_ASSERT_EQUAL(pkt.l3, other + 22);
    assert_tcp4(2000, 3389, NLB_TCP_SYN, 99);
    /* old-style 0x9100 outer tag */
    static const uint16_t tpid9[2] = { 0x9100, 0x8100 };
    n = tagged_copy(other, frame, n0, tpid9, tci, 2);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.n_vlans, 2);
    CU_ASSERT_EQUAL(pkt.vlan[1], 200);
    /* three tags: the two outer ids are kept, the payload still decodes */
    n = tagged_copy(other, frame, n0, tpid, tci, 3);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.n_vlans, 2);
    CU_ASSERT_EQUAL(pkt.vlan[0], 100);
    CU_ASSERT_EQUAL(pkt.vlan[1], 200);
    CU_ASSERT_EQUAL(pkt.l3, other + 26);
    assert_tcp4(2000, 3389, NLB_TCP_SYN, 99);
    /* QinQ heartbeat */
    nlb_heartbeat hb;
    nlb_hb_init_membership(&hb, VIP, 0xC0A86451u, 1);
    uint8_t masked[6];
    nlb_mac_make(NLB_MAC_MASKED, VIP, 1, masked);
    n0 = nlb_build_heartbeat(frame, sizeof frame, BCAST, masked, 0, &hb);
    n = tagged_copy(other, frame, n0, tpid, tci, 2);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_HEARTBEAT);
    CU_ASSERT_EQUAL(pkt.hb.priority, 1);
    CU_ASSERT_EQUAL(pkt.vlan[0], 100);
}

/* ---- Linux cooked captures ------------------------------------------------------------- */

static size_t sll_header(uint8_t *p, uint16_t pkttype, const uint8_t src[6], uint16_t proto)
{
    memset(p, 0, 16);
    p[0] = (uint8_t)(pkttype >> 8); p[1] = (uint8_t)pkttype;
    p[3] = 1; /* ARPHRD_ETHER */
    p[5] = 6; /* address length */
    memcpy(p + 6, src, 6);
    p[14] = (uint8_t)(proto >> 8); p[15] = (uint8_t)proto;
    return 16;
}

static size_t sll2_header(uint8_t *p, uint8_t pkttype, const uint8_t src[6], uint16_t proto)
{
    memset(p, 0, 20);
    p[0] = (uint8_t)(proto >> 8); p[1] = (uint8_t)proto;
    p[7] = 3;  /* interface index */
    p[9] = 1;  /* ARPHRD_ETHER */
    p[10] = pkttype;
    p[11] = 6; /* address length */
    memcpy(p + 12, src, 6);
    return 20;
}

static void test_sll(void)
{
    uint8_t masked[6];
    nlb_mac_make(NLB_MAC_MASKED, VIP, 2, masked);
    nlb_heartbeat hb;
    nlb_hb_init_membership(&hb, VIP, 0xC0A86452u, 2);
    hb.num_rules = 9;
    hb.host_code = 1329324853u;
    for (int v = 0; v < 2; v++) {
        bool two = v == 1;
        int lt = two ? NLB_LINK_SLL2 : NLB_LINK_SLL;
        size_t h = two ? sll2_header(frame, 1, masked, NLB_ETHERTYPE) : sll_header(frame, 1, masked, NLB_ETHERTYPE);
        size_t n = h + nlb_hb_encode(&hb, frame + h, sizeof frame - h);
        CU_ASSERT_EQUAL_FATAL(n, h + NLB_HB_MEMBERSHIP_LEN);
        CU_ASSERT_TRUE(nlb_linktype_supported(lt));
        CU_ASSERT_EQUAL(nlb_packet_decode(lt, frame, n, n, &pkt), NLB_OK);
        CU_ASSERT_EQUAL(pkt.kind, NLB_FK_HEARTBEAT);
        CU_ASSERT_FALSE(pkt.has_dst);
        CU_ASSERT_EQUAL(pkt.sll_pkttype, 1); /* broadcast */
        CU_ASSERT_EQUAL(memcmp(pkt.src, masked, 6), 0);
        CU_ASSERT_EQUAL(pkt.src_mac.kind, NLB_MAC_MASKED);
        CU_ASSERT_EQUAL(pkt.src_mac.priority, 2);
        CU_ASSERT_EQUAL(pkt.dst_mac.kind, NLB_MAC_NONE);
        CU_ASSERT_EQUAL(pkt.ethertype, NLB_ETHERTYPE);
        CU_ASSERT_EQUAL(pkt.l3, frame + h);
        CU_ASSERT_EQUAL(pkt.hb.status, NLB_OK);
        CU_ASSERT_EQUAL(pkt.hb.priority, 2);
        CU_ASSERT_EQUAL(pkt.hb.cluster_ip, VIP);
        CU_ASSERT_EQUAL(pkt.hb.num_rules, 9);
        CU_ASSERT_EQUAL(pkt.hb.host_code, 1329324853u);

        /* IPv4 TCP inside, outgoing */
        size_t e = nlb_build_tcp4(other, sizeof other, DST, SRC, 0, CLIENT, VIP, 50000, 80, NLB_TCP_FIN | NLB_TCP_ACK,
                                  0xFEEDFACEu, 0, 0);
        h = two ? sll2_header(frame, 4, SRC, 0x0800) : sll_header(frame, 4, SRC, 0x0800);
        memcpy(frame + h, other + 14, 40); /* without the Ethernet padding */
        n = h + 40;
        CU_ASSERT_EQUAL(e, 60);
        CU_ASSERT_EQUAL(nlb_packet_decode(lt, frame, n, n, &pkt), NLB_OK);
        CU_ASSERT_EQUAL(pkt.sll_pkttype, 4);
        CU_ASSERT_EQUAL(memcmp(pkt.src, SRC, 6), 0);
        assert_tcp4(50000, 80, NLB_TCP_FIN | NLB_TCP_ACK, 0xFEEDFACEu);

        /* an address shorter than a MAC leaves src zero */
        frame[two ? 11 : 5] = 4;
        CU_ASSERT_EQUAL(nlb_packet_decode(lt, frame, n, n, &pkt), NLB_OK);
        CU_ASSERT_EQUAL(memcmp(pkt.src, "\0\0\0\0\0\0", 6), 0);
        CU_ASSERT_EQUAL(pkt.src_mac.kind, NLB_MAC_NONE);

        /* every cut of the cooked header: truncated naming it; sent that short: malformed */
        for (size_t cut = 0; cut < h; cut++) {
            CU_ASSERT_EQUAL(nlb_packet_decode(lt, frame, cut, n, &pkt), NLB_TRUNCATED);
            CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_SLL_HEADER);
            CU_ASSERT_EQUAL(nlb_packet_decode(lt, frame, cut, cut, &pkt), NLB_MALFORMED);
            CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_SLL_HEADER);
        }
    }
}

static void test_linktype(void)
{
    size_t n = nlb_build_tcp4(frame, sizeof frame, DST, SRC, 0, CLIENT, VIP, 1, 2, 0, 0, 0, 0);
    static const int bad[] = { 0, 101, 105, 127, 228, 277, -1 };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        CU_ASSERT_FALSE(nlb_linktype_supported(bad[k]));
        CU_ASSERT_EQUAL(nlb_packet_decode(bad[k], frame, n, n, &pkt), NLB_MALFORMED);
        CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_LINKTYPE);
        CU_ASSERT_EQUAL(pkt.kind, NLB_FK_OTHER);
    }
    CU_ASSERT_TRUE(nlb_linktype_supported(NLB_LINK_ETHERNET));
    /* an ethertype nobody here decodes: ok, kind other */
    frame[12] = 0x88;
    frame[13] = 0xCC; /* LLDP */
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_OTHER);
    CU_ASSERT_EQUAL(pkt.ethertype, 0x88CC);
    CU_ASSERT_STRING_EQUAL(nlb_frame_kind_name(NLB_FK_OTHER), "other");
    CU_ASSERT_STRING_EQUAL(nlb_frame_kind_name(NLB_FK_HEARTBEAT), "heartbeat");
    CU_ASSERT_STRING_EQUAL(nlb_frame_kind_name(NLB_FK_IGMP), "igmp");
    CU_ASSERT_STRING_EQUAL(nlb_frame_kind_name(NLB_FK_ARP), "arp");
    CU_ASSERT_STRING_EQUAL(nlb_frame_kind_name(NLB_FK_RARP), "rarp");
    /* wirelen below caplen is taken as caplen */
    n = nlb_build_tcp4(frame, sizeof frame, DST, SRC, 0, CLIENT, VIP, 1, 2, 0, 0, 0, 0);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, 0, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.wirelen, n);
}

/* ---- IPv4 details ---------------------------------------------------------------------- */

static void test_ipv4_fragment_ihl(void)
{
    size_t n = nlb_build_tcp4(frame, sizeof frame, DST, SRC, 0, CLIENT, VIP, 1234, 80, NLB_TCP_SYN, 5, 0, 0);
    uint8_t *ip = frame + 14;
    /* a later fragment: offset 185 (x 8 bytes); its first bytes are no TCP header */
    ip[6] = 0x00;
    ip[7] = 0xB9;
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_IP);
    CU_ASSERT_EQUAL(pkt.ip_proto, 6);
    CU_ASSERT_FALSE(pkt.has_ports);
    CU_ASSERT_EQUAL(pkt.sport, 0);
    CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&pkt.ip_dst), VIP);
    /* the first fragment (MF set, offset 0) has them */
    ip[6] = 0x20;
    ip[7] = 0x00;
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    CU_ASSERT_TRUE(pkt.has_ports);
    CU_ASSERT_EQUAL(pkt.sport, 1234);

    /* bad IHL: 4 x 4 = 16 < 20 */
    for (uint8_t ihl = 0; ihl < 5; ihl++) {
        ip[0] = (uint8_t)(0x40 | ihl);
        CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_MALFORMED);
        CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_IP_HEADER_LENGTH);
        CU_ASSERT_FALSE(pkt.has_ports);
    }
    /* version 5 under ethertype 0x0800 */
    ip[0] = 0x55;
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_MALFORMED);
    CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_IP_VERSION);
    /* IHL 15 (60 bytes) in a 60-byte frame: the header runs past the end */
    ip[0] = 0x4F;
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_MALFORMED);
    CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_IP_HEADER_LENGTH);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n + 100, &pkt), NLB_TRUNCATED);

    /* IHL 6 with a Router Alert option: ports come after the option */
    n = nlb_build_tcp4(frame, sizeof frame, DST, SRC, 0, CLIENT, VIP, 4321, 8080, NLB_TCP_RST, 77, 0, 0);
    memcpy(other, frame, 34);
    other[14] = 0x46;
    memcpy(other + 34, "\x94\x04\x00\x00", 4);
    memcpy(other + 38, frame + 34, 20);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, 58, 58, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.sport, 4321);
    CU_ASSERT_EQUAL(pkt.dport, 8080);
    CU_ASSERT_EQUAL(pkt.tcp_flags, NLB_TCP_RST);
    CU_ASSERT_EQUAL(pkt.tcp_seq, 77);
    (void)n;
}

static void test_igmp(void)
{
    uint32_t group = 0xEFFF6450u; /* 239.255.100.80 for VIP 192.168.100.80 */
    uint8_t nic[6] = { 0x00, 0x15, 0x5d, 0x64, 0x51, 0x01 };
    size_t n = nlb_build_igmp_report(frame, sizeof frame, nic, VIP, group);
    CU_ASSERT_EQUAL_FATAL(n, 60);
    CU_ASSERT_EQUAL(memcmp(frame, "\x01\x00\x5E\x7F\x64\x50", 6), 0);
    CU_ASSERT_TRUE(ipv4_header_ok(frame + 14));
    CU_ASSERT_EQUAL(frame[14 + 8], 1); /* TTL 1 */
    CU_ASSERT_EQUAL(frame[14 + 9], 2);
    CU_ASSERT_EQUAL(csum_fold(csum_add(0, frame + 34, 8)), 0xFFFF);
    CU_ASSERT_EQUAL(frame[34], 0x16);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_IGMP);
    CU_ASSERT_EQUAL(pkt.ip_proto, 2);
    CU_ASSERT_EQUAL(pkt.igmp_type, 0x16);
    CU_ASSERT_EQUAL(pkt.igmp_group, group);
    CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&pkt.ip_src), VIP);
    CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&pkt.ip_dst), group);
    CU_ASSERT_FALSE(pkt.has_ports);
    CU_ASSERT_EQUAL(pkt.dst_mac.kind, NLB_MAC_IGMP);
    CU_ASSERT_EQUAL(pkt.dst_mac.vip, 0x6450u);
    CU_ASSERT_TRUE(nlb_mac_confirm(&pkt.dst_mac, &(uint32_t){ VIP }, 1));
    /* IGMPv3 report (what Windows sends by default): the group is in the first group record */
    static const uint8_t v3[16] = { 0x22, 0, 0, 0, 0, 0, 0, 1, 0x04, 0, 0, 0, 0xEF, 0xFF, 0x64, 0x50 };
    memcpy(other, frame, 34);
    memcpy(other + 34, v3, 16);
    uint16_t c = (uint16_t)~csum_fold(csum_add(0, v3, 16));
    other[36] = (uint8_t)(c >> 8);
    other[37] = (uint8_t)c;
    CU_ASSERT_EQUAL(csum_fold(csum_add(0, other + 34, 16)), 0xFFFF);
    other[14 + 3] = 36; /* IP total length */
    memset(other + 50, 0, 10);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, 60, 60, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_IGMP);
    CU_ASSERT_EQUAL(pkt.igmp_type, 0x22);
    CU_ASSERT_EQUAL(pkt.igmp_group, group);
    CU_ASSERT_EQUAL(pkt.igmp3_record, NLB_IGMP3_CHANGE_TO_EXCLUDE);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, 45, 60, &pkt), NLB_TRUNCATED); /* record cut */
    CU_ASSERT_EQUAL(pkt.igmp_group, 0);
    CU_ASSERT_EQUAL(pkt.igmp3_record, 0);
    other[34 + 7] = 0; /* no records */
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, 60, 60, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.igmp_group, 0);
    /* cut inside the IGMP message: still IP, truncated */
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, 40, n, &pkt), NLB_TRUNCATED);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_IP);
    CU_ASSERT_EQUAL(pkt.igmp_group, 0);
}

/* ---- IPv6 -------------------------------------------------------------------------------- */

static const uint8_t V6S[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
static const uint8_t V6D[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80 };

static void assert_tcp6(void)
{
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_IP);
    CU_ASSERT_EQUAL(pkt.ethertype, 0x86DD);
    CU_ASSERT_EQUAL(pkt.ip_src.family, 6);
    CU_ASSERT_EQUAL(memcmp(pkt.ip_src.a, V6S, 16), 0);
    CU_ASSERT_EQUAL(memcmp(pkt.ip_dst.a, V6D, 16), 0);
    CU_ASSERT_EQUAL(pkt.ip_proto, 6);
    CU_ASSERT_TRUE(pkt.has_ports);
    CU_ASSERT_EQUAL(pkt.sport, 60001);
    CU_ASSERT_EQUAL(pkt.dport, 443);
    CU_ASSERT_EQUAL(pkt.tcp_flags, NLB_TCP_SYN);
    CU_ASSERT_EQUAL(pkt.tcp_seq, 0x01020304u);
    char buf[46];
    CU_ASSERT_STRING_EQUAL(nlb_ipaddr_str(&pkt.ip_dst, buf), "2001:db8::80");
}

/* Insert an 8-byte extension header of type ext_type right after the fixed IPv6 header. */
static size_t with_ext(uint8_t *out, const uint8_t *in, size_t n, size_t h, uint8_t ext_type, const uint8_t ext[8])
{
    memcpy(out, in, h + 40);
    uint8_t *ip = out + h;
    uint8_t *x = ip + 40;
    memcpy(x, ext, 8);
    x[0] = ip[6];     /* the extension's next header = what the IPv6 header said */
    ip[6] = ext_type;
    uint16_t plen = (uint16_t)((ip[4] << 8 | ip[5]) + 8);
    ip[4] = (uint8_t)(plen >> 8);
    ip[5] = (uint8_t)plen;
    memcpy(x + 8, in + h + 40, n - h - 40);
    return n + 8;
}

/* IGMP exists over IPv4 only: an IPv6 next header 2 must not become an IGMP report. */
static void test_ipv6_next_header_2(void)
{
    size_t n = nlb_build_tcp6(frame, sizeof frame, DST, SRC, 0, V6S, V6D, 60001, 443, NLB_TCP_SYN, 0, 0);
    CU_ASSERT_EQUAL_FATAL(n, 74);
    frame[14 + 6] = 2;
    nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt);
    CU_ASSERT_EQUAL(pkt.kind, NLB_FK_IP);
    CU_ASSERT_EQUAL(pkt.ip_proto, 2);
    CU_ASSERT_EQUAL(pkt.igmp_group, 0);
    CU_ASSERT_FALSE(pkt.has_ports);
}

static void test_tcp6(void)
{
    size_t n = nlb_build_tcp6(frame, sizeof frame, DST, SRC, 0, V6S, V6D, 60001, 443, NLB_TCP_SYN, 0x01020304u, 0);
    CU_ASSERT_EQUAL_FATAL(n, 74);
    CU_ASSERT_TRUE(l4_over_ipv6_ok(frame + 14, frame + 54, 20, 6));
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    assert_tcp6();

    /* hop-by-hop options (PadN) before TCP */
    static const uint8_t hbh[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };
    size_t m = with_ext(other, frame, n, 14, 0, hbh);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, m, m, &pkt), NLB_OK);
    assert_tcp6();
    CU_ASSERT_TRUE(l4_over_ipv6_ok(other + 14, other + 62, 20, 6)); /* the pseudo header skips options */
    /* ...cut inside the extension header: truncated, no ports */
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, 14 + 41, m, &pkt), NLB_TRUNCATED);
    CU_ASSERT_FALSE(pkt.has_ports);

    /* a first fragment (offset 0, M set) keeps its ports; a later one has none */
    static const uint8_t frag0[8] = { 0, 0, 0x00, 0x01, 0xAB, 0xCD, 0xEF, 0x01 };
    m = with_ext(other, frame, n, 14, 44, frag0);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, m, m, &pkt), NLB_OK);
    assert_tcp6();
    static const uint8_t frag1[8] = { 0, 0, 0x05, 0xA8, 0xAB, 0xCD, 0xEF, 0x01 };
    m = with_ext(other, frame, n, 14, 44, frag1);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, m, m, &pkt), NLB_OK);
    CU_ASSERT_FALSE(pkt.has_ports);
    CU_ASSERT_EQUAL(pkt.ip_proto, 6);

    /* tagged */
    n = nlb_build_tcp6(frame, sizeof frame, DST, SRC, 33, V6S, V6D, 60001, 443, NLB_TCP_SYN, 0x01020304u, 0);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, frame, n, n, &pkt), NLB_OK);
    CU_ASSERT_EQUAL(pkt.vlan[0], 33);
    assert_tcp6();
    m = with_ext(other, frame, n, 18, 60, hbh); /* destination options */
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, m, m, &pkt), NLB_OK);
    assert_tcp6();
    /* IPv4 inside 0x86DD */
    other[18] = 0x45;
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, other, m, m, &pkt), NLB_MALFORMED);
    CU_ASSERT_EQUAL(pkt.bad_field, NLB_F_IP_VERSION);
}

/* ---- every cut of a VLAN-tagged TCP frame ------------------------------------------------- */

/* ---- early rejection ------------------------------------------------------------------- */

static void test_may_matter(void)
{
    static const uint8_t NIC1[6] = { 0x00, 0x15, 0x5d, 0x01, 0x02, 0x03 };   /* Hyper-V NIC */
    static const uint8_t ROUTER[6] = { 0x00, 0x50, 0x56, 0xaa, 0xbb, 0xcc };
    static const uint16_t tpid[2] = { 0x88A8, 0x8100 };
    static const uint16_t tci[2] = { 100, 200 };
    const uint32_t vips[2] = { 0x0A141E28u /* 10.20.30.40 */, VIP /* 192.168.100.80 */ };
    const uint32_t other_vip = 0xC0A86451u;
    size_t n, n0;

    /* a multicast-mode heartbeat from a NIC MAC to broadcast: only its ethertype tells */
    nlb_heartbeat hb;
    nlb_hb_init_membership(&hb, VIP, 0xC0A86451u, 2);
    n = nlb_build_heartbeat(frame, sizeof frame, BCAST, NIC1, 0, &hb);
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_ETHERNET, frame, n, NULL, 0));
    /* ... and behind QinQ */
    n = tagged_copy(other, frame, n, tpid, tci, 2);
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_ETHERNET, other, n, NULL, 0));

    /* an ordinary ARP request for a client's address, from a NIC MAC */
    nlb_arp a;
    memset(&a, 0, sizeof a);
    a.op = NLB_ARP_REQUEST;
    memcpy(a.sha, NIC1, 6);
    a.spa = 0x0A010201u;
    a.tpa = CLIENT;
    n = nlb_build_arp(frame, sizeof frame, BCAST, NIC1, 0, &a);
    CU_ASSERT_TRUE_FATAL(n > 0);
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_ETHERNET, frame, n, NULL, 0));
    a.rarp = true;
    a.op = NLB_RARP_REQUEST;
    n = nlb_build_arp(frame, sizeof frame, BCAST, NIC1, 0, &a);
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_ETHERNET, frame, n, NULL, 0));

    /* a client SYN to a known VIP behind QinQ, between ordinary MACs (router -> host NIC):
     * only the VIP tells */
    n0 = nlb_build_tcp4(frame, sizeof frame, NIC1, ROUTER, 0, CLIENT, VIP, 49152, 443, NLB_TCP_SYN, 1, 0, 0);
    n = tagged_copy(other, frame, n0, tpid, tci, 2);
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_ETHERNET, other, n, vips, 2));
    CU_ASSERT_FALSE(nlb_frame_may_matter(NLB_LINK_ETHERNET, other, n, &other_vip, 1));
    CU_ASSERT_FALSE(nlb_frame_may_matter(NLB_LINK_ETHERNET, other, n, NULL, 0));
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_ETHERNET, other, 16, vips, 2)); /* cut in a tag: maybe */
    CU_ASSERT_FALSE(nlb_frame_may_matter(NLB_LINK_ETHERNET, other, 22 + 19, vips, 2)); /* no whole IPv4 header */
    /* the reply, VIP as source */
    n = nlb_build_tcp4(frame, sizeof frame, ROUTER, NIC1, 0, VIP, CLIENT, 443, 49152, NLB_TCP_SYN | NLB_TCP_ACK, 2, 2, 0);
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_ETHERNET, frame, n, vips, 2));

    /* the same SYN in Linux cooked v2 and v1 */
    n0 = nlb_build_tcp4(frame, sizeof frame, NIC1, ROUTER, 0, CLIENT, VIP, 49152, 443, NLB_TCP_SYN, 1, 0, 0);
    n = sll2_header(other, 0, ROUTER, 0x0800);
    memcpy(other + n, frame + 14, n0 - 14);
    n += n0 - 14;
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_SLL2, other, n, vips, 2));
    CU_ASSERT_FALSE(nlb_frame_may_matter(NLB_LINK_SLL2, other, n, &other_vip, 1));
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_SLL2, other, 19, NULL, 0)); /* header cut: maybe */
    n = sll_header(other, 0, ROUTER, 0x0800);
    memcpy(other + n, frame + 14, n0 - 14);
    n += n0 - 14;
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_SLL, other, n, vips, 2));
    CU_ASSERT_FALSE(nlb_frame_may_matter(NLB_LINK_SLL, other, n, NULL, 0));
    /* a cooked frame from a masked source MAC (unicast-mode host), no VIP known yet */
    uint8_t masked[6];
    nlb_mac_make(NLB_MAC_MASKED, VIP, 3, masked);
    n = sll2_header(other, 4, masked, 0x0800);
    memcpy(other + n, frame + 14, n0 - 14);
    n += n0 - 14;
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_SLL2, other, n, NULL, 0));

    /* ordinary traffic: client to server, nothing NLB about it */
    n = nlb_build_tcp4(frame, sizeof frame, NIC1, ROUTER, 0, CLIENT, 0x0A010204u, 50000, 22, NLB_TCP_ACK, 5, 6, 100);
    CU_ASSERT_FALSE(nlb_frame_may_matter(NLB_LINK_ETHERNET, frame, n, vips, 2));
    n = nlb_build_udp4(frame, sizeof frame, NIC1, ROUTER, 300, CLIENT, 0x08080808u, 53000, 53, 40);
    CU_ASSERT_FALSE(nlb_frame_may_matter(NLB_LINK_ETHERNET, frame, n, vips, 2));
    n = nlb_build_tcp6(frame, sizeof frame, NIC1, ROUTER, 0, V6S, V6D, 50000, 443, NLB_TCP_SYN, 1, 0);
    CU_ASSERT_FALSE(nlb_frame_may_matter(NLB_LINK_ETHERNET, frame, n, vips, 2));
    /* ... unless a cluster MAC form is an address: a client SYN to the unicast cluster MAC */
    n = nlb_build_tcp4(frame, sizeof frame, DST, ROUTER, 0, CLIENT, 0x0A010204u, 50000, 22, NLB_TCP_SYN, 5, 0, 0);
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_ETHERNET, frame, n, NULL, 0));
    /* the cluster MAC forms are nlb_mac_classify's, as source, destination and cooked source */
    uint8_t base[2048], mac[6] = { 0, 0, 0x5E, 0x7F, 0x01, 0x02 };
    n0 = nlb_build_tcp4(base, sizeof base, NIC1, ROUTER, 0, CLIENT, 0x0A010204u, 50000, 22, NLB_TCP_ACK, 5, 6, 0);
    for (unsigned b = 0; b < 0x10000; b++) {
        mac[0] = (uint8_t)(b >> 8);
        mac[1] = (uint8_t)b;
        bool want = nlb_mac_classify(mac, NULL) != NLB_MAC_NONE;
        memcpy(frame, base, n0);
        memcpy(frame, mac, 6);
        CU_ASSERT_EQUAL(nlb_frame_may_matter(NLB_LINK_ETHERNET, frame, n0, NULL, 0), want);
        memcpy(frame, base, n0);
        memcpy(frame + 6, mac, 6);
        CU_ASSERT_EQUAL(nlb_frame_may_matter(NLB_LINK_ETHERNET, frame, n0, NULL, 0), want);
        n = sll2_header(other, 0, mac, 0x0800);
        memcpy(other + n, base + 14, n0 - 14);
        CU_ASSERT_EQUAL(nlb_frame_may_matter(NLB_LINK_SLL2, other, n + n0 - 14, NULL, 0), want);
    }
    /* truncated Ethernet header: maybe; unsupported link type or no data: no */
    CU_ASSERT_TRUE(nlb_frame_may_matter(NLB_LINK_ETHERNET, frame, 10, NULL, 0));
    CU_ASSERT_FALSE(nlb_frame_may_matter(105 /* 802.11 */, frame, n, vips, 2));
    CU_ASSERT_FALSE(nlb_frame_may_matter(NLB_LINK_ETHERNET, NULL, 0, vips, 2));
}

static void test_every_cut_vlan_tcp(void)
{
    size_t n = nlb_build_tcp4(frame, sizeof frame, DST, SRC, 10, CLIENT, VIP, 40000, 80, NLB_TCP_SYN, 0xCAFEBABEu, 0, 0);
    CU_ASSERT_EQUAL_FATAL(n, 60);
    for (size_t cut = 0; cut <= n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, frame, cut);
        nlb_status s = nlb_packet_decode(NLB_LINK_ETHERNET, copy, cut, n, &pkt);
        CU_ASSERT_EQUAL(s, cut >= 18 + 20 + 14 ? NLB_OK : NLB_TRUNCATED);
        CU_ASSERT_EQUAL(pkt.n_vlans, cut >= 18 ? 1 : 0);
        CU_ASSERT_EQUAL(pkt.kind, cut >= 18 ? NLB_FK_IP : NLB_FK_OTHER);
        CU_ASSERT_EQUAL(pkt.ip_src.family, cut >= 38 ? 4 : 0);
        if (cut >= 38) {
            CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&pkt.ip_src), CLIENT);
            CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&pkt.ip_dst), VIP);
        }
        CU_ASSERT_EQUAL(pkt.has_ports, cut >= 42);
        CU_ASSERT_EQUAL(pkt.sport, cut >= 42 ? 40000 : 0);
        CU_ASSERT_EQUAL(pkt.tcp_seq, cut >= 52 ? 0xCAFEBABEu : 0);
        CU_ASSERT_EQUAL(pkt.tcp_flags, cut >= 52 ? NLB_TCP_SYN : 0);
        CU_ASSERT_EQUAL(pkt.l3_len, cut >= 18 ? cut - 18 : 0);
        if (cut < 52)
            CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, copy, cut, cut, &pkt), NLB_MALFORMED);
        free(copy);
    }
    /* the same for IPv6 with a hop-by-hop header, and SLL2 around IPv4 */
    size_t n6 = nlb_build_tcp6(frame, sizeof frame, DST, SRC, 10, V6S, V6D, 60001, 443, NLB_TCP_SYN, 0x01020304u, 0);
    static const uint8_t hbh[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };
    size_t m = with_ext(other, frame, n6, 18, 0, hbh);
    for (size_t cut = 0; cut <= m; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, other, cut);
        nlb_status s = nlb_packet_decode(NLB_LINK_ETHERNET, copy, cut, m, &pkt);
        CU_ASSERT_EQUAL(s, cut >= 18 + 48 + 14 ? NLB_OK : NLB_TRUNCATED);
        CU_ASSERT_EQUAL(pkt.has_ports, cut >= 18 + 48 + 4);
        free(copy);
    }
    uint8_t s2[128];
    size_t h = sll2_header(s2, 0, SRC, 0x0800);
    n = nlb_build_tcp4(frame, sizeof frame, DST, SRC, 0, CLIENT, VIP, 40000, 80, NLB_TCP_SYN, 0xCAFEBABEu, 0, 0);
    memcpy(s2 + h, frame + 14, 40);
    for (size_t cut = 0; cut <= h + 40; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, s2, cut);
        nlb_status s = nlb_packet_decode(NLB_LINK_SLL2, copy, cut, h + 40, &pkt);
        CU_ASSERT_EQUAL(s, cut >= h + 34 ? NLB_OK : NLB_TRUNCATED);
        free(copy);
    }
}

/* ---- util.c ------------------------------------------------------------------------------- */

static const char *v6str(const char *hex)
{
    /* hex: 32 hex digits */
    static char out[46];
    nlb_ipaddr ip;
    memset(&ip, 0, sizeof ip);
    ip.family = 6;
    for (int i = 0; i < 16; i++) {
        unsigned b;
        sscanf(hex + 2 * i, "%2x", &b);
        ip.a[i] = (uint8_t)b;
    }
    return nlb_ipaddr_str(&ip, out);
}

static void test_ipaddr_str(void)
{
    CU_ASSERT_STRING_EQUAL(v6str("20010db8000000000000000000000001"), "2001:db8::1");
    CU_ASSERT_STRING_EQUAL(v6str("00000000000000000000000000000001"), "::1");
    CU_ASSERT_STRING_EQUAL(v6str("00000000000000000000000000000000"), "::");
    CU_ASSERT_STRING_EQUAL(v6str("fe800000000000000001000000000001"), "fe80::1:0:0:1");
    CU_ASSERT_STRING_EQUAL(v6str("00010000000000010000000000000000"), "1:0:0:1::");
    CU_ASSERT_STRING_EQUAL(v6str("20010db8000000010001000100010001"), "2001:db8:0:1:1:1:1:1"); /* one 0: no :: */
    CU_ASSERT_STRING_EQUAL(v6str("20010db8000000000001000000000001"), "2001:db8::1:0:0:1");   /* first of equal runs */
    CU_ASSERT_STRING_EQUAL(v6str("20010000000000010000000000000001"), "2001:0:0:1::1");       /* longest run wins */
    CU_ASSERT_STRING_EQUAL(v6str("20010DB800000000000000000000ABCD"), "2001:db8::abcd");      /* lower case */
    CU_ASSERT_STRING_EQUAL(v6str("00000000000000000000ffffc0000201"), "::ffff:192.0.2.1");    /* RFC 5952 s.5 */
    CU_ASSERT_STRING_EQUAL(v6str("ffffffffffffffffffffffffffffffff"), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    CU_ASSERT_STRING_EQUAL(v6str("00010000000000000000000000000000"), "1::");
    CU_ASSERT_STRING_EQUAL(v6str("00000001000000000000000000000000"), "0:1::");

    char buf[46];
    nlb_ipaddr v4 = nlb_ipaddr_v4(VIP);
    CU_ASSERT_EQUAL(v4.family, 4);
    CU_ASSERT_EQUAL(memcmp(v4.a, "\xC0\xA8\x64\x50", 4), 0);
    CU_ASSERT_STRING_EQUAL(nlb_ipaddr_str(&v4, buf), "192.168.100.80");
    nlb_ipaddr none;
    memset(&none, 0, sizeof none);
    CU_ASSERT_STRING_EQUAL(nlb_ipaddr_str(&none, buf), "-");
    CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&none), 0);
    none.family = 6;
    none.a[0] = 1;
    CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&none), 0);

    /* against libc's inet_ntop on many addresses rich in zero groups */
    uint32_t x = 12345;
    for (int k = 0; k < 20000; k++) {
        nlb_ipaddr ip;
        memset(&ip, 0, sizeof ip);
        ip.family = 6;
        for (int g = 0; g < 8; g++) {
            x = x * 1103515245u + 12345u;
            uint16_t v = (x >> 16) % 3 == 0 ? (uint16_t)(x & 0xFFFF) : (x >> 16) % 3 == 1 ? (uint16_t)(x & 0xF) : 0;
            if ((x >> 20) % 4 != 0) v = 0;
            ip.a[2 * g] = (uint8_t)(v >> 8);
            ip.a[2 * g + 1] = (uint8_t)v;
        }
        char ref[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, ip.a, ref, sizeof ref);
        nlb_ipaddr_str(&ip, buf);
        /* glibc also prints the deprecated IPv4-compatible ::a.b.c.d form, RFC 5952 does not */
        if (strchr(ref, '.') && strncmp(ref, "::ffff:", 7) != 0)
            continue;
        if (strcmp(ref, buf) != 0) {
            CU_FAIL("nlb_ipaddr_str differs from inet_ntop");
            fprintf(stderr, "  ours %s, libc %s\n", buf, ref);
            break;
        }
    }
    /* a few more fixed strings */
    char m[18];
    CU_ASSERT_STRING_EQUAL(nlb_mac_str((const uint8_t *)"\x02\xBF\x0A\x00\x00\xFF", m), "02:bf:0a:00:00:ff");
    char s[16];
    CU_ASSERT_STRING_EQUAL(nlb_ip4_str(0, s), "0.0.0.0");
    CU_ASSERT_STRING_EQUAL(nlb_ip4_str(0xFFFFFFFFu, s), "255.255.255.255");
}

static void test_ip4_parse(void)
{
    static const struct { const char *s; uint32_t v; } good[] = {
        { "192.168.100.80", 0xC0A86450u }, { "0.0.0.0", 0 }, { "255.255.255.255", 0xFFFFFFFFu },
        { "10.20.30.40", 0x0A141E28u }, { "1.2.3.4", 0x01020304u },
        { "010.001.000.009", 0x0A010009u }, /* leading zeros: decimal, never octal */
    };
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
        uint32_t v = 0xDEADBEEFu;
        CU_ASSERT_TRUE(nlb_ip4_parse(good[k].s, &v));
        CU_ASSERT_EQUAL(v, good[k].v);
    }
    static const char *const bad[] = {
        "", "1", "1.2.3", "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.4.", "1.2.3.4.5", "256.0.0.1", "1.2.3.256",
        "1.2.3.1000", "0001.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1. 2.3.4", "+1.2.3.4", "-1.2.3.4", "1.2.3.-0",
        "1.2.3.4x", "a.b.c.d", "0x1.2.3.4", "1,2,3,4", "1.2.3.4\n", "999.999.999.999", "4294967296",
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        uint32_t v = 0x12345678u;
        bool ok = nlb_ip4_parse(bad[k], &v);
        CU_ASSERT_FALSE(ok);
        CU_ASSERT_EQUAL(v, 0x12345678u); /* untouched on failure */
        if (ok) fprintf(stderr, "  accepted \"%s\"\n", bad[k]);
    }
    uint32_t v;
    CU_ASSERT_FALSE(nlb_ip4_parse(NULL, &v));
    /* every string nlb_ip4_str writes parses back */
    for (uint32_t k = 0; k < 5000; k++) {
        uint32_t ip = k * 0x9E3779B9u, back = 0;
        char s[16];
        CU_ASSERT_TRUE(nlb_ip4_parse(nlb_ip4_str(ip, s), &back));
        CU_ASSERT_EQUAL(back, ip);
    }
}

static void test_names(void)
{
    for (int f = 0; f < NLB_F_COUNT_; f++) {
        const char *s = nlb_field_name((nlb_field)f);
        CU_ASSERT_PTR_NOT_NULL(s);
        CU_ASSERT_STRING_NOT_EQUAL(s, "?");
    }
    CU_ASSERT_STRING_EQUAL(nlb_field_name(NLB_F_RULE_COUNT), "rule count");
    CU_ASSERT_STRING_EQUAL(nlb_field_name(NLB_F_COUNT_), "?");
    CU_ASSERT_STRING_EQUAL(nlb_field_name((nlb_field)-1), "?");
    CU_ASSERT_STRING_EQUAL(nlb_status_name(NLB_OK), "ok");
    CU_ASSERT_STRING_EQUAL(nlb_status_name(NLB_TRUNCATED), "truncated");
    CU_ASSERT_STRING_EQUAL(nlb_status_name(NLB_MALFORMED), "malformed");
    CU_ASSERT_STRING_EQUAL(nlb_status_name(NLB_NOT_NLB), "not NLB");
    CU_ASSERT_STRING_EQUAL(nlb_status_name((nlb_status)9), "?");
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    NLBT_SUITE("frame", NLBT(test_ethernet_tcp4), NLBT(test_udp4), NLBT(test_vlan_8021q), NLBT(test_qinq),
               NLBT(test_sll), NLBT(test_linktype), NLBT(test_ipv4_fragment_ihl), NLBT(test_igmp),
               NLBT(test_tcp6), NLBT(test_ipv6_next_header_2), NLBT(test_every_cut_vlan_tcp), NLBT(test_may_matter));
    NLBT_SUITE("util", NLBT(test_ipaddr_str), NLBT(test_ip4_parse), NLBT(test_names));
    return nlbt_run();
}
