/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Framing: Ethernet II, 802.1Q / 802.1ad / QinQ, Linux SLL and SLL2, then IPv4/IPv6 TCP/UDP/IGMP,
 * ARP/RARP and 0x886F. One pass, no allocation; hb and arp are decoded only when relevant. */
#include <string.h>

#include "nlbproto/frame.h"
#include "reader.h"

static void worse(nlb_packet *pkt, nlb_status s, nlb_field f)
{
    if (s > pkt->status) {
        pkt->status = s;
        pkt->bad_field = f;
    }
}

static bool is_vlan_tpid(uint16_t t)
{
    return t == NLB_ETHERTYPE_VLAN || t == NLB_ETHERTYPE_QINQ || t == NLB_ETHERTYPE_QINQ_OLD;
}

static void decode_tcp_udp(nlb_packet *pkt, nlb_reader *r, size_t off)
{
    if (pkt->ip_proto == NLB_IPPROTO_TCP || pkt->ip_proto == NLB_IPPROTO_UDP) {
        if (!nlb_rd_has(r, off, 4)) {
            worse(pkt, NLB_TRUNCATED, NLB_F_NONE);
            return;
        }
        pkt->sport = nlb_rd_be16(r, off);
        pkt->dport = nlb_rd_be16(r, off + 2);
        pkt->has_ports = true;
        if (pkt->ip_proto == NLB_IPPROTO_TCP) {
            if (nlb_rd_has(r, off, 14)) {
                pkt->tcp_seq = nlb_rd_be32(r, off + 4);
                pkt->tcp_flags = nlb_rd_u8(r, off + 13);
            } else {
                worse(pkt, NLB_TRUNCATED, NLB_F_NONE);
            }
        }
    } else if (pkt->ip_proto == NLB_IPPROTO_IGMP && pkt->ip_src.family == 4) { /* IGMP exists over IPv4 only */
        if (!nlb_rd_has(r, off, 8)) {
            worse(pkt, NLB_TRUNCATED, NLB_F_NONE);
            return;
        }
        pkt->igmp_type = nlb_rd_u8(r, off);
        pkt->kind = NLB_FK_IGMP;
        if (pkt->igmp_type == NLB_IGMP_V3_REPORT) {
            /* IGMPv3 report (RFC 3376 4.2): offset 4 holds the record count, not a group; the
             * group of the first record stands for the report (an NLB join carries just one). */
            if (nlb_rd_be16(r, off + 6) == 0)
                pkt->igmp_group = 0;
            else if (nlb_rd_has(r, off + 8, 8)) {
                pkt->igmp3_record = nlb_rd_u8(r, off + 8);
                pkt->igmp_group = nlb_rd_be32(r, off + 12);
            }
            else
                worse(pkt, NLB_TRUNCATED, NLB_F_NONE);
        } else {
            pkt->igmp_group = nlb_rd_be32(r, off + 4);
        }
    } else if (pkt->ip_proto == NLB_IPPROTO_ICMP && pkt->ip_src.family == 4) {
        /* echo request/reply (RFC 792): type, code, checksum, identifier, sequence */
        if (!nlb_rd_has(r, off, 8)) {
            worse(pkt, NLB_TRUNCATED, NLB_F_NONE);
            return;
        }
        pkt->icmp_type = nlb_rd_u8(r, off);
        if (pkt->icmp_type != NLB_ICMP_ECHO_REQUEST && pkt->icmp_type != NLB_ICMP_ECHO_REPLY)
            return;
        pkt->has_icmp = true;
        pkt->icmp_id = nlb_rd_be16(r, off + 4);
        pkt->icmp_seq = nlb_rd_be16(r, off + 6);
    }
}

static void decode_ipv4(nlb_packet *pkt, nlb_reader *r)
{
    pkt->kind = NLB_FK_IP;
    if (!nlb_rd_has(r, 0, 20)) {
        worse(pkt, NLB_TRUNCATED, NLB_F_NONE);
        return;
    }
    uint8_t vihl = nlb_rd_u8(r, 0);
    if (vihl >> 4 != 4) {
        worse(pkt, NLB_MALFORMED, NLB_F_IP_VERSION);
        return;
    }
    size_t ihl = (size_t)(vihl & 15) * 4;
    if (ihl < 20) {
        worse(pkt, NLB_MALFORMED, NLB_F_IP_HEADER_LENGTH);
        return;
    }
    if (!nlb_rd_has(r, 0, ihl)) /* options cut; names the field should nothing have been cut */
        worse(pkt, NLB_TRUNCATED, NLB_F_IP_HEADER_LENGTH);
    pkt->ip_proto = nlb_rd_u8(r, 9);
    pkt->ip_src.family = pkt->ip_dst.family = 4;
    nlb_rd_bytes(r, 12, pkt->ip_src.a, 4);
    nlb_rd_bytes(r, 16, pkt->ip_dst.a, 4);
    if (nlb_rd_be16(r, 6) & NLB_IPV4_FRAG_OFFSET_MASK)
        return; /* a later fragment carries no ports */
    decode_tcp_udp(pkt, r, ihl);
}

static void decode_ipv6(nlb_packet *pkt, nlb_reader *r)
{
    pkt->kind = NLB_FK_IP;
    if (!nlb_rd_has(r, 0, 40)) {
        worse(pkt, NLB_TRUNCATED, NLB_F_NONE);
        return;
    }
    if (nlb_rd_u8(r, 0) >> 4 != 6) {
        worse(pkt, NLB_MALFORMED, NLB_F_IP_VERSION);
        return;
    }
    pkt->ip_src.family = pkt->ip_dst.family = 6;
    nlb_rd_bytes(r, 8, pkt->ip_src.a, 16);
    nlb_rd_bytes(r, 24, pkt->ip_dst.a, 16);
    uint8_t nh = nlb_rd_u8(r, 6);
    size_t off = 40;
    /* a bounded walk over the usual extension headers */
    for (int i = 0; i < 8; i++) {
        if (nh == NLB_IPPROTO_HOPOPTS || nh == NLB_IPPROTO_ROUTING || nh == NLB_IPPROTO_DSTOPTS) {
            if (!nlb_rd_has(r, off, 2)) { worse(pkt, NLB_TRUNCATED, NLB_F_NONE); return; }
            uint8_t next = nlb_rd_u8(r, off);
            off += ((size_t)nlb_rd_u8(r, off + 1) + 1) * 8;
            nh = next;
        } else if (nh == NLB_IPPROTO_FRAGMENT) {
            if (!nlb_rd_has(r, off, 8)) { worse(pkt, NLB_TRUNCATED, NLB_F_NONE); return; }
            uint8_t next = nlb_rd_u8(r, off);
            uint16_t fo = nlb_rd_be16(r, off + 2);
            off += 8;
            nh = next;
            if (fo & NLB_IPV6_FRAG_OFFSET_MASK) { pkt->ip_proto = nh; return; }
        } else {
            break;
        }
    }
    pkt->ip_proto = nh;
    decode_tcp_udp(pkt, r, off);
}

bool nlb_linktype_supported(int linktype)
{
    return linktype == NLB_LINK_ETHERNET || linktype == NLB_LINK_SLL || linktype == NLB_LINK_SLL2;
}

/* The link-layer header: addresses, SLL packet type, the first ethertype and where it ends.
 * False when nothing past it can be decoded (cut, or an unknown link type). */
static inline bool decode_link(int linktype, nlb_reader *r, nlb_packet *pkt, uint16_t *type, size_t *off)
{
    switch (linktype) {
    case NLB_LINK_ETHERNET:
        if (!nlb_rd_has(r, 0, 14)) {
            worse(pkt, NLB_TRUNCATED, NLB_F_NONE);
            if (nlb_rd_has(r, 0, 12)) {
                pkt->has_dst = true;
                nlb_rd_bytes(r, 0, pkt->dst, 6);
                nlb_rd_bytes(r, 6, pkt->src, 6);
                nlb_mac_form(pkt->src, &pkt->src_mac);
                nlb_mac_form(pkt->dst, &pkt->dst_mac);
            }
            return false;
        }
        pkt->has_dst = true;
        nlb_rd_bytes(r, 0, pkt->dst, 6);
        nlb_rd_bytes(r, 6, pkt->src, 6);
        *type = nlb_rd_be16(r, 12);
        *off = 14;
        return true;
    case NLB_LINK_SLL:
        if (!nlb_rd_has(r, 0, 16)) {
            worse(pkt, NLB_TRUNCATED, NLB_F_SLL_HEADER);
            return false;
        }
        pkt->sll_pkttype = nlb_rd_be16(r, 0);
        if (nlb_rd_be16(r, 4) >= 6)
            nlb_rd_bytes(r, 6, pkt->src, 6);
        *type = nlb_rd_be16(r, 14);
        *off = 16;
        return true;
    case NLB_LINK_SLL2:
        if (!nlb_rd_has(r, 0, 20)) {
            worse(pkt, NLB_TRUNCATED, NLB_F_SLL_HEADER);
            return false;
        }
        *type = nlb_rd_be16(r, 0);
        pkt->sll_pkttype = nlb_rd_u8(r, 10);
        if (nlb_rd_u8(r, 11) >= 6)
            nlb_rd_bytes(r, 12, pkt->src, 6);
        *off = 20;
        return true;
    default:
        worse(pkt, NLB_MALFORMED, NLB_F_LINKTYPE);
        return false;
    }
}

static void decode_layers(int linktype, const uint8_t *data, size_t caplen, nlb_packet *pkt)
{
    nlb_reader r = nlb_rd(data, caplen);
    size_t off = 0;
    uint16_t type = 0;

    if (!decode_link(linktype, &r, pkt, &type, &off))
        return;
    nlb_mac_form(pkt->src, &pkt->src_mac);
    if (pkt->has_dst)
        nlb_mac_form(pkt->dst, &pkt->dst_mac);

    while (is_vlan_tpid(type)) {
        if (!nlb_rd_has(&r, off, 4)) {
            worse(pkt, NLB_TRUNCATED, NLB_F_NONE);
            pkt->ethertype = type;
            return;
        }
        if (pkt->n_vlans < NLB_MAX_VLANS)
            pkt->vlan[pkt->n_vlans++] = nlb_rd_be16(&r, off) & NLB_VLAN_ID_MASK;
        type = nlb_rd_be16(&r, off + 2);
        off += 4;
    }
    pkt->ethertype = type;
    nlb_reader l3 = nlb_rd_sub(&r, off);
    pkt->l3 = l3.p;
    pkt->l3_len = l3.len;

    switch (type) {
    case NLB_ETHERTYPE: {
        nlb_status s = nlb_hb_decode(l3.p, l3.len, &pkt->hb);
        if (s == NLB_NOT_NLB) {
            pkt->kind = NLB_FK_FOREIGN_886F;
            break; /* someone else's protocol: not an error of ours */
        }
        pkt->kind = NLB_FK_HEARTBEAT;
        worse(pkt, s, pkt->hb.bad_field);
        break;
    }
    case NLB_ETHERTYPE_LEGACY:
        /* no NLB signature: some other use of the ethertype, nothing of ours */
        if (nlb_hb_decode_legacy(l3.p, l3.len, &pkt->hb) != NLB_NOT_NLB) {
            pkt->kind = NLB_FK_LEGACY_HEARTBEAT;
            worse(pkt, pkt->hb.status, pkt->hb.bad_field);
        }
        break;
    case NLB_ETHERTYPE_ARP:
    case NLB_ETHERTYPE_RARP: {
        nlb_status s = nlb_arp_decode(l3.p, l3.len, type, &pkt->arp);
        pkt->kind = pkt->arp.rarp ? NLB_FK_RARP : NLB_FK_ARP;
        worse(pkt, s, pkt->arp.bad_field);
        break;
    }
    case NLB_ETHERTYPE_IPV4:
        decode_ipv4(pkt, &l3);
        break;
    case NLB_ETHERTYPE_IPV6:
        decode_ipv6(pkt, &l3);
        break;
    default:
        break;
    }
}

nlb_status nlb_packet_decode(int linktype, const uint8_t *data, size_t caplen, size_t wirelen, nlb_packet *pkt)
{
    /* Only the small head of the struct is reset: hb/arp are big and valid only for their kind. */
    memset(pkt, 0, offsetof(nlb_packet, arp));
    pkt->caplen = caplen;
    pkt->wirelen = wirelen < caplen ? caplen : wirelen;
    decode_layers(linktype, data, caplen, pkt);
    /* Shorter than its own format says while nothing was cut at capture: the sender sent less
     * than the format requires, which is malformed, not truncated (any layer, not just 0x886F). */
    if (pkt->status == NLB_TRUNCATED && pkt->caplen >= pkt->wirelen) {
        pkt->status = NLB_MALFORMED;
        if (pkt->bad_field == NLB_F_NONE)
            pkt->bad_field = NLB_F_LENGTH;
        if (pkt->kind == NLB_FK_HEARTBEAT || pkt->kind == NLB_FK_LEGACY_HEARTBEAT) {
            pkt->hb.status = NLB_MALFORMED;
            if (pkt->hb.bad_field == NLB_F_NONE)
                pkt->hb.bad_field = NLB_F_LENGTH;
        } else if ((pkt->kind == NLB_FK_ARP || pkt->kind == NLB_FK_RARP) && pkt->arp.status == NLB_TRUNCATED)
            pkt->arp.status = NLB_MALFORMED;
    }
    return pkt->status;
}

const char *nlb_frame_kind_name(nlb_frame_kind k)
{
    switch (k) {
    case NLB_FK_HEARTBEAT: return "heartbeat";
    case NLB_FK_FOREIGN_886F: return "foreign 0x886f";
    case NLB_FK_ARP: return "arp";
    case NLB_FK_RARP: return "rarp";
    case NLB_FK_IGMP: return "igmp";
    case NLB_FK_IP: return "ip";
    case NLB_FK_LEGACY_HEARTBEAT: return "legacy heartbeat";
    case NLB_FK_OTHER: break;
    }
    return "other";
}

static uint16_t be16_at(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool nlb_frame_may_matter(int linktype, const uint8_t *data, size_t caplen, const uint32_t *vips, size_t n_vips)
{
    size_t off;
    uint16_t type;
    if (!data)
        return false;
    switch (linktype) {
    case NLB_LINK_ETHERNET:
        if (caplen < 14)
            return true; /* truncated header: let the decoder judge */
        if (nlb_mac_is_form(data) || nlb_mac_is_form(data + 6))
            return true;
        type = be16_at(data + 12);
        off = 14;
        break;
    case NLB_LINK_SLL:
        if (caplen < 16)
            return true;
        if (be16_at(data + 4) >= 6 && nlb_mac_is_form(data + 6))
            return true;
        type = be16_at(data + 14);
        off = 16;
        break;
    case NLB_LINK_SLL2:
        if (caplen < 20)
            return true;
        if (data[11] >= 6 && nlb_mac_is_form(data + 12))
            return true;
        type = be16_at(data);
        off = 20;
        break;
    default:
        return false; /* nlb_packet_decode finds nothing in it either */
    }
    while (is_vlan_tpid(type)) {
        if (off + 4 > caplen)
            return true;
        type = be16_at(data + off + 2);
        off += 4;
    }
    if (type == NLB_ETHERTYPE || type == NLB_ETHERTYPE_LEGACY || type == NLB_ETHERTYPE_ARP ||
        type == NLB_ETHERTYPE_RARP)
        return true;
    if (type != NLB_ETHERTYPE_IPV4 || off + 20 > caplen || !vips)
        return false; /* IPv4 only; shorter than a header: no addresses */
    uint32_t src = be32_at(data + off + 12), dst = be32_at(data + off + 16);
    for (size_t i = 0; i < n_vips; i++)
        if (vips[i] == src || vips[i] == dst)
            return true;
    return false;
}
