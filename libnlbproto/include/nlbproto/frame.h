/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: one captured frame -> link-layer facts, flow 5-tuple and NLB decodes. */
#ifndef NLBPROTO_FRAME_H
#define NLBPROTO_FRAME_H

#include "arp.h"
#include "heartbeat.h"
#include "mac.h"
#include "types.h"
#include "wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Link types, numbered as pcap's LINKTYPE_ values. */
typedef enum nlb_linktype {
    NLB_LINK_ETHERNET = 1, NLB_LINK_SLL = 113, NLB_LINK_SLL2 = 276
} nlb_linktype;

#define NLB_MAX_VLANS 2

/* What a frame turned out to carry, most specific first. */
typedef enum nlb_frame_kind {
    NLB_FK_OTHER = 0,
    NLB_FK_HEARTBEAT,  /* 0x886F with an NLB signature */
    NLB_FK_FOREIGN_886F, /* 0x886F that is not NLB (e.g. Xbox) */
    NLB_FK_ARP,
    NLB_FK_RARP,
    NLB_FK_IGMP,
    NLB_FK_IP,         /* IPv4/IPv6 (ports filled for TCP/UDP) */
    NLB_FK_LEGACY_HEARTBEAT /* 0xBF01 with an NLB signature: WLBS/Convoy, common header only */
} nlb_frame_kind;

/* One decoded frame. Decoders fill it without allocating; hb is only valid for heartbeats. */
typedef struct nlb_packet {
    nlb_status status;      /* worst status met while decoding the layers */
    nlb_field bad_field;
    nlb_frame_kind kind;
    size_t caplen, wirelen;
    /* link layer */
    bool has_dst;           /* SLL/SLL2 carry no destination MAC */
    uint8_t dst[6], src[6];
    uint16_t sll_pkttype;   /* SLL packet type (0 host, 1 broadcast, 2 multicast, 3 other, 4 outgoing) */
    uint8_t n_vlans;
    uint16_t vlan[NLB_MAX_VLANS]; /* VLAN IDs, outer first */
    uint16_t ethertype;     /* innermost */
    const uint8_t *l3;      /* points into the caller's buffer */
    size_t l3_len;          /* captured bytes from l3 on */
    nlb_mac_info src_mac, dst_mac; /* candidate cluster-MAC forms */
    /* network and transport */
    nlb_ipaddr ip_src, ip_dst;
    uint8_t ip_proto;       /* NLB_IPPROTO_TCP, _UDP, _IGMP, ... */
    bool has_ports;
    uint16_t sport, dport;
    uint8_t tcp_flags;
    uint32_t tcp_seq;
    uint32_t igmp_group;    /* host order, IGMP reports (v3: of the first group record) */
    uint8_t igmp_type;
    bool has_icmp;          /* IPv4 ICMP echo request/reply header decoded */
    uint8_t icmp_type;
    uint16_t icmp_id, icmp_seq;
    uint8_t igmp3_record;   /* v3 reports: type of the first group record (0: none) */
    /* NLB specifics */
    nlb_arp arp;            /* kind ARP or RARP */
    nlb_heartbeat hb;       /* kind HEARTBEAT and LEGACY_HEARTBEAT (and FOREIGN_886F: status NOT_NLB,
                             * hb.foreign names who it is) */
} nlb_packet;

/* Decode one frame of the given link type; returns pkt->status (worst of all layers). */
nlb_status nlb_packet_decode(int linktype, const uint8_t *data, size_t caplen, size_t wirelen, nlb_packet *pkt);
/* True when the link type is one nlb_packet_decode understands. */
bool nlb_linktype_supported(int linktype);
/* Name of a frame kind ("heartbeat", "arp", ...). */
const char *nlb_frame_kind_name(nlb_frame_kind k);
/* Could this frame concern NLB at all? True for 0x886F, 0xBF01, ARP and RARP, a cluster MAC form
 * (nlb_mac_classify) as source or destination, and IPv4 with source or destination among
 * vips[n_vips] (host order); false for other traffic, found with a few byte compares before any
 * decode (VLAN/QinQ tags are walked as nlb_packet_decode walks them). Errs towards true: a
 * header cut short of what it needs to judge is "maybe". False for unsupported link types. */
bool nlb_frame_may_matter(int linktype, const uint8_t *data, size_t caplen, const uint32_t *vips, size_t n_vips);

#ifdef __cplusplus
}
#endif
#endif
