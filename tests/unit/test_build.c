/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The frame encoders nlbgen builds every capture with: each frame decodes back to what was
 * encoded (addresses, ports, VLAN, payload, IGMP type and group), with valid checksums. */
#include <string.h>

#include "nlbproto/build.h"
#include "nlbproto/frame.h"
#include "testutil.h"

static const uint8_t DST[6] = { 0x02, 0xbf, 0x0a, 0x14, 0x1e, 0x28 };
static const uint8_t SRC[6] = { 0x00, 0x15, 0x5d, 0x01, 0x02, 0x03 };
#define VIP 0x0A141E28u
#define CLIENT 0xC6336407u

/* Ones' complement sum over n bytes (RFC 1071), folded; 0xFFFF means the checksum holds. */
static uint16_t csum(const uint8_t *p, size_t n, uint32_t acc)
{
    for (size_t i = 0; i + 1 < n; i += 2) acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1) acc += (uint32_t)p[n - 1] << 8;
    while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
    return (uint16_t)acc;
}

static nlb_packet pk;

static void decode(const uint8_t *f, size_t n)
{
    CU_ASSERT_FATAL(n > 0);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, f, n, n, &pk), NLB_OK);
}

static void test_udp_payload(void)
{
    uint8_t f[256];
    const char msg[] = "NOTIFY * HTTP/1.1\r\n";
    size_t n = nlb_build_udp4_payload(f, sizeof f, DST, SRC, 7, CLIENT, VIP, 50000, 1900, msg, sizeof msg - 1);
    CU_ASSERT_EQUAL(n, 18 + 20 + 8 + sizeof msg - 1);
    decode(f, n);
    CU_ASSERT_EQUAL(pk.n_vlans, 1);
    CU_ASSERT_EQUAL(pk.vlan[0], 7);
    CU_ASSERT_EQUAL(pk.kind, NLB_FK_IP);
    CU_ASSERT_EQUAL(pk.ip_proto, 17);
    CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&pk.ip_src), CLIENT);
    CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&pk.ip_dst), VIP);
    CU_ASSERT_EQUAL(pk.sport, 50000);
    CU_ASSERT_EQUAL(pk.dport, 1900);
    CU_ASSERT_EQUAL(memcmp(f + 18 + 28, msg, sizeof msg - 1), 0);
    CU_ASSERT_EQUAL(csum(f + 18, 20, 0), 0xFFFF);
    /* UDP checksum over the pseudo header and the datagram */
    uint8_t ph[12] = { 0 };
    memcpy(ph, f + 18 + 12, 8);
    ph[9] = 17;
    ph[11] = (uint8_t)(8 + sizeof msg - 1);
    CU_ASSERT_EQUAL(csum(f + 38, 8 + sizeof msg - 1, csum(ph, 12, 0)), 0xFFFF);
    /* zero payload: the same bytes as nlb_build_udp4 */
    uint8_t a[128], b[128];
    size_t na = nlb_build_udp4(a, sizeof a, DST, SRC, 0, CLIENT, VIP, 1, 2, 30);
    size_t nb = nlb_build_udp4_payload(b, sizeof b, DST, SRC, 0, CLIENT, VIP, 1, 2, NULL, 30);
    CU_ASSERT_EQUAL(na, nb);
    CU_ASSERT_EQUAL(memcmp(a, b, na), 0);
    CU_ASSERT_EQUAL(nlb_build_udp4_payload(f, 40, DST, SRC, 0, CLIENT, VIP, 1, 2, msg, sizeof msg - 1), 0);
}

static void test_raw(void)
{
    uint8_t f[128];
    const uint8_t xbox[6] = { 'X', 'B', 'O', 'X', 1, 0 };
    size_t n = nlb_build_raw(f, sizeof f, DST, SRC, 0, NLB_ETHERTYPE, xbox, sizeof xbox);
    CU_ASSERT_EQUAL(n, 60); /* padded */
    nlb_packet_decode(NLB_LINK_ETHERNET, f, n, n, &pk);
    CU_ASSERT_EQUAL(pk.ethertype, NLB_ETHERTYPE);
    CU_ASSERT_EQUAL(pk.kind, NLB_FK_FOREIGN_886F);
    CU_ASSERT_EQUAL(f[20], 0);
    /* legacy WLBS ethertype with a VLAN tag */
    n = nlb_build_raw(f, sizeof f, DST, SRC, 12, 0xBF01, xbox, sizeof xbox);
    decode(f, n);
    CU_ASSERT_EQUAL(pk.ethertype, 0xBF01);
    CU_ASSERT_EQUAL(pk.vlan[0], 12);
    CU_ASSERT_EQUAL(nlb_build_raw(f, 10, DST, SRC, 0, 0xBF01, xbox, sizeof xbox), 0);
}

static void test_icmp(void)
{
    uint8_t f[128];
    size_t n = nlb_build_icmp4_echo(f, sizeof f, DST, SRC, 0, CLIENT, VIP, false, 1, 9, 32);
    CU_ASSERT_EQUAL(n, 14 + 20 + 8 + 32);
    decode(f, n);
    CU_ASSERT_EQUAL(pk.ip_proto, 1);
    CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&pk.ip_dst), VIP);
    CU_ASSERT_EQUAL(f[34], 8);
    CU_ASSERT_EQUAL(f[34 + 7], 9);
    CU_ASSERT_EQUAL(csum(f + 34, 40, 0), 0xFFFF);
    n = nlb_build_icmp4_echo(f, sizeof f, SRC, DST, 0, VIP, CLIENT, true, 1, 9, 32);
    CU_ASSERT_EQUAL(f[34], 0);
    CU_ASSERT_EQUAL(csum(f + 34, 40, 0), 0xFFFF);
}

static void test_igmp(void)
{
    uint8_t f[128];
    const uint32_t grp = 0xEFFF1E3Cu; /* 239.255.30.60 */
    static const struct { uint8_t type; uint32_t dip, group; } cases[] = {
        { NLB_IGMP_V1_REPORT, grp, grp }, { NLB_IGMP_V2_REPORT, grp, grp },
        { NLB_IGMP_QUERY, 0xE0000001u, 0 }, { NLB_IGMP_V2_LEAVE, 0xE0000002u, grp },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = nlb_build_igmp(f, sizeof f, SRC, 0, VIP, cases[i].dip, cases[i].type, 100, cases[i].group);
        decode(f, n);
        CU_ASSERT_EQUAL(pk.kind, NLB_FK_IGMP);
        CU_ASSERT_EQUAL(pk.igmp_type, cases[i].type);
        CU_ASSERT_EQUAL(pk.igmp_group, cases[i].group);
        CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&pk.ip_dst), cases[i].dip);
        CU_ASSERT_EQUAL(pk.dst[0], 0x01);
        CU_ASSERT_EQUAL(pk.dst[5], (uint8_t)cases[i].dip);
        CU_ASSERT_EQUAL(csum(f + 34, 8, 0), 0xFFFF);
    }
    /* the v2 shorthand keeps its bytes */
    uint8_t a[128];
    size_t na = nlb_build_igmp_report(a, sizeof a, SRC, VIP, grp);
    size_t nb = nlb_build_igmp(f, sizeof f, SRC, 0, VIP, grp, NLB_IGMP_V2_REPORT, 0, grp);
    CU_ASSERT_EQUAL(na, nb);
    CU_ASSERT_EQUAL(memcmp(a, f, na), 0);
    size_t n = nlb_build_igmp3_report(f, sizeof f, SRC, 30, VIP, grp);
    decode(f, n);
    CU_ASSERT_EQUAL(pk.igmp_type, NLB_IGMP_V3_REPORT);
    CU_ASSERT_EQUAL(pk.igmp_group, grp);
    CU_ASSERT_EQUAL(pk.vlan[0], 30);
    CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&pk.ip_dst), 0xE0000016u);
    CU_ASSERT_EQUAL(csum(f + 38, 16, 0), 0xFFFF);
}

static void test_vlan_heartbeat(void)
{
    uint8_t f[1600];
    nlb_heartbeat hb;
    nlb_hb_init_membership(&hb, VIP, VIP + 2, 2);
    hb.num_rules = 200; /* malformed on purpose: the encoder writes what it is given */
    size_t n = nlb_build_heartbeat(f, sizeof f, DST, SRC, 99, &hb);
    CU_ASSERT_EQUAL(n, 18 + NLB_HB_MEMBERSHIP_LEN);
    CU_ASSERT_EQUAL(nlb_packet_decode(NLB_LINK_ETHERNET, f, n, n, &pk), NLB_MALFORMED);
    CU_ASSERT_EQUAL(pk.kind, NLB_FK_HEARTBEAT);
    CU_ASSERT_EQUAL(pk.vlan[0], 99);
    CU_ASSERT_EQUAL(pk.hb.priority, 2);
    CU_ASSERT_EQUAL(pk.hb.num_rules, 200);
    CU_ASSERT_EQUAL(pk.hb.dedicated_ip, VIP + 2);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    NLBT_SUITE("build", { "udp4 with payload", test_udp_payload }, { "raw ethertype", test_raw },
               { "icmp echo", test_icmp }, { "igmp v1 v2 v3 query", test_igmp },
               { "802.1Q malformed heartbeat", test_vlan_heartbeat });
    return nlbt_run();
}
