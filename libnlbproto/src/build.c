/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Frame encoders: the scenario generator and the tests build every frame through these, so
 * generated captures exercise exactly the layouts the decoders claim to understand. */
#include <string.h>

#include "nlbproto/build.h"
#include "reader.h"

#define ETH_MIN 60 /* without FCS */

size_t nlb_build_eth(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan, uint16_t ethertype)
{
    size_t n = vlan ? 18 : 14;
    if (cap < n) return 0;
    memcpy(buf, dst, 6);
    memcpy(buf + 6, src, 6);
    if (vlan) {
        nlb_put_be16(buf + 12, NLB_ETHERTYPE_VLAN);
        nlb_put_be16(buf + 14, vlan & NLB_VLAN_ID_MASK);
    }
    nlb_put_be16(buf + n - 2, ethertype);
    return n;
}

static size_t pad(uint8_t *buf, size_t len, size_t cap)
{
    if (len < ETH_MIN && cap >= ETH_MIN) {
        memset(buf + len, 0, ETH_MIN - len);
        len = ETH_MIN;
    }
    return len;
}

size_t nlb_build_heartbeat(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan, const nlb_heartbeat *hb)
{
    size_t h = nlb_build_eth(buf, cap, dst, src, vlan, NLB_ETHERTYPE);
    if (!h) return 0;
    size_t n = nlb_hb_encode(hb, buf + h, cap - h);
    return n ? pad(buf, h + n, cap) : 0;
}

size_t nlb_build_arp(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan, const nlb_arp *a)
{
    size_t h = nlb_build_eth(buf, cap, dst, src, vlan, a->rarp ? NLB_ETHERTYPE_RARP : NLB_ETHERTYPE_ARP);
    if (!h) return 0;
    size_t n = nlb_arp_encode(a, buf + h, cap - h);
    return n ? pad(buf, h + n, cap) : 0;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        acc += (uint32_t)p[n - 1] << 8;
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return (uint16_t)~acc;
}

static size_t ipv4_header(uint8_t *ip, uint8_t proto, uint32_t sip, uint32_t dip, size_t l4len, uint8_t ttl)
{
    memset(ip, 0, 20);
    ip[0] = 0x45;
    nlb_put_be16(ip + 2, (uint16_t)(20 + l4len));
    nlb_put_be16(ip + 6, NLB_IPV4_DF);
    ip[8] = ttl;
    ip[9] = proto;
    nlb_put_be32(ip + 12, sip);
    nlb_put_be32(ip + 16, dip);
    nlb_put_be16(ip + 10, fold(sum16(ip, 20, 0)));
    return 20;
}

static uint32_t pseudo4(uint32_t sip, uint32_t dip, uint8_t proto, size_t len)
{
    uint8_t ph[12];
    nlb_put_be32(ph, sip);
    nlb_put_be32(ph + 4, dip);
    ph[8] = 0;
    ph[9] = proto;
    nlb_put_be16(ph + 10, (uint16_t)len);
    return sum16(ph, 12, 0);
}

static void tcp_header(uint8_t *t, uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, size_t payload_len)
{
    memset(t, 0, 20 + payload_len);
    nlb_put_be16(t, sport);
    nlb_put_be16(t + 2, dport);
    nlb_put_be32(t + 4, seq);
    nlb_put_be32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    nlb_put_be16(t + 14, 64240);
}

size_t nlb_build_tcp4(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
                      uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport, uint8_t flags,
                      uint32_t seq, uint32_t ack, size_t payload_len)
{
    size_t h = nlb_build_eth(buf, cap, dst, src, vlan, NLB_ETHERTYPE_IPV4);
    size_t l4 = 20 + payload_len;
    if (!h || cap < h + 20 + l4 || payload_len > 1460) return 0;
    ipv4_header(buf + h, NLB_IPPROTO_TCP, sip, dip, l4, 128);
    uint8_t *t = buf + h + 20;
    tcp_header(t, sport, dport, flags, seq, ack, payload_len);
    nlb_put_be16(t + 16, fold(sum16(t, l4, pseudo4(sip, dip, NLB_IPPROTO_TCP, l4))));
    return pad(buf, h + 20 + l4, cap);
}

size_t nlb_build_udp4_payload(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
                              uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport,
                              const void *payload, size_t payload_len)
{
    size_t h = nlb_build_eth(buf, cap, dst, src, vlan, NLB_ETHERTYPE_IPV4);
    size_t l4 = 8 + payload_len;
    if (!h || cap < h + 20 + l4 || payload_len > 1472) return 0;
    ipv4_header(buf + h, NLB_IPPROTO_UDP, sip, dip, l4, 128);
    uint8_t *u = buf + h + 20;
    memset(u, 0, 8);
    if (payload) memcpy(u + 8, payload, payload_len);
    else memset(u + 8, 0, payload_len);
    nlb_put_be16(u, sport);
    nlb_put_be16(u + 2, dport);
    nlb_put_be16(u + 4, (uint16_t)l4);
    uint16_t c = fold(sum16(u, l4, pseudo4(sip, dip, NLB_IPPROTO_UDP, l4)));
    nlb_put_be16(u + 6, c ? c : 0xFFFF);
    return pad(buf, h + 20 + l4, cap);
}

size_t nlb_build_udp4(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
                      uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport, size_t payload_len)
{
    return nlb_build_udp4_payload(buf, cap, dst, src, vlan, sip, dip, sport, dport, NULL, payload_len);
}

size_t nlb_build_raw(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
                     uint16_t ethertype, const void *payload, size_t payload_len)
{
    size_t h = nlb_build_eth(buf, cap, dst, src, vlan, ethertype);
    if (!h || cap < h + payload_len) return 0;
    if (payload_len) memcpy(buf + h, payload, payload_len);
    return pad(buf, h + payload_len, cap);
}

size_t nlb_build_icmp4_echo(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
                            uint32_t sip, uint32_t dip, bool reply, uint16_t id, uint16_t seq, size_t payload_len)
{
    size_t h = nlb_build_eth(buf, cap, dst, src, vlan, NLB_ETHERTYPE_IPV4);
    size_t l4 = 8 + payload_len;
    if (!h || cap < h + 20 + l4 || payload_len > 1472) return 0;
    ipv4_header(buf + h, NLB_IPPROTO_ICMP, sip, dip, l4, 128);
    uint8_t *m = buf + h + 20;
    memset(m, 0, l4);
    m[0] = reply ? NLB_ICMP_ECHO_REPLY : NLB_ICMP_ECHO_REQUEST;
    nlb_put_be16(m + 4, id);
    nlb_put_be16(m + 6, seq);
    for (size_t i = 0; i < payload_len; i++) m[8 + i] = (uint8_t)('a' + i % 23); /* Windows ping's pattern */
    nlb_put_be16(m + 2, fold(sum16(m, l4, 0)));
    return pad(buf, h + 20 + l4, cap);
}

size_t nlb_build_tcp6(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
                      const uint8_t sip[16], const uint8_t dip[16], uint16_t sport, uint16_t dport,
                      uint8_t flags, uint32_t seq, uint32_t ack)
{
    size_t h = nlb_build_eth(buf, cap, dst, src, vlan, NLB_ETHERTYPE_IPV6);
    if (!h || cap < h + 60) return 0;
    uint8_t *ip = buf + h;
    memset(ip, 0, 40);
    ip[0] = 0x60;
    nlb_put_be16(ip + 4, 20);
    ip[6] = NLB_IPPROTO_TCP;
    ip[7] = 64;
    memcpy(ip + 8, sip, 16);
    memcpy(ip + 24, dip, 16);
    uint8_t *t = ip + 40;
    tcp_header(t, sport, dport, flags, seq, ack, 0);
    uint32_t acc = sum16(sip, 16, 0);
    acc = sum16(dip, 16, acc);
    acc += 20 + 6;
    nlb_put_be16(t + 16, fold(sum16(t, 20, acc)));
    return pad(buf, h + 60, cap);
}

size_t nlb_build_igmp(uint8_t *buf, size_t cap, const uint8_t src[6], uint16_t vlan, uint32_t sip, uint32_t dip,
                      uint8_t type, uint8_t max_resp, uint32_t group)
{
    uint8_t dst[6] = { NLB_MAC_IPV4_MCAST_0, NLB_MAC_IPV4_MCAST_1, NLB_MAC_IPV4_MCAST_2, (uint8_t)((dip >> 16) & 0x7F), (uint8_t)(dip >> 8), (uint8_t)dip };
    size_t h = nlb_build_eth(buf, cap, dst, src, vlan, NLB_ETHERTYPE_IPV4);
    if (!h || cap < h + 28) return 0;
    ipv4_header(buf + h, NLB_IPPROTO_IGMP, sip, dip, 8, 1);
    uint8_t *g = buf + h + 20;
    g[0] = type;
    g[1] = max_resp;
    g[2] = g[3] = 0;
    nlb_put_be32(g + 4, group);
    nlb_put_be16(g + 2, fold(sum16(g, 8, 0)));
    return pad(buf, h + 28, cap);
}

size_t nlb_build_igmp_report(uint8_t *buf, size_t cap, const uint8_t src[6], uint32_t sip, uint32_t group)
{
    return nlb_build_igmp(buf, cap, src, 0, sip, group, NLB_IGMP_V2_REPORT, 0, group);
}

size_t nlb_build_igmp3_report(uint8_t *buf, size_t cap, const uint8_t src[6], uint16_t vlan, uint32_t sip, uint32_t group)
{
    static const uint8_t dst[6] = { NLB_MAC_IPV4_MCAST_0, NLB_MAC_IPV4_MCAST_1, NLB_MAC_IPV4_MCAST_2, 0x00, 0x00,
                                    (uint8_t)NLB_IGMP3_ALL_ROUTERS };
    size_t h = nlb_build_eth(buf, cap, dst, src, vlan, NLB_ETHERTYPE_IPV4);
    if (!h || cap < h + 36) return 0;
    ipv4_header(buf + h, NLB_IPPROTO_IGMP, sip, NLB_IGMP3_ALL_ROUTERS, 16, 1);
    uint8_t *g = buf + h + 20;
    memset(g, 0, 16);
    g[0] = NLB_IGMP_V3_REPORT;
    nlb_put_be16(g + 6, 1);  /* one group record */
    g[8] = NLB_IGMP3_CHANGE_TO_EXCLUDE; /* with no sources: a join */
    nlb_put_be32(g + 12, group);
    nlb_put_be16(g + 2, fold(sum16(g, 16, 0)));
    return pad(buf, h + 36, cap);
}
