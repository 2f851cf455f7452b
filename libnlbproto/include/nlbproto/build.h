/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: frame encoders for tests and the scenario generator (never used by decoders). */
#ifndef NLBPROTO_BUILD_H
#define NLBPROTO_BUILD_H

#include "arp.h"
#include "heartbeat.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Ethernet II header, with one 802.1Q tag when vlan != 0; returns header length or 0. */
size_t nlb_build_eth(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan, uint16_t ethertype);
/* Whole heartbeat frame (Ethernet + nlb_hb_encode); returns frame length or 0. */
size_t nlb_build_heartbeat(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan, const nlb_heartbeat *hb);
/* Whole ARP/RARP frame, ethertype from a->rarp, padded to 60 bytes; returns length or 0. */
size_t nlb_build_arp(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan, const nlb_arp *a);
/* IPv4/TCP frame with valid checksums (addresses host order); returns length or 0. */
size_t nlb_build_tcp4(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
                      uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport, uint8_t flags,
                      uint32_t seq, uint32_t ack, size_t payload_len);
/* IPv4/UDP frame with valid checksums and payload_len zero bytes; returns length or 0. */
size_t nlb_build_udp4(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
                      uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport, size_t payload_len);
/* IPv6/TCP frame (addresses 16 bytes each) with valid checksum; returns length or 0. */
size_t nlb_build_tcp6(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
                      const uint8_t sip[16], const uint8_t dip[16], uint16_t sport, uint16_t dport,
                      uint8_t flags, uint32_t seq, uint32_t ack);
/* IPv4/UDP frame like nlb_build_udp4 with the given payload bytes (NULL = zeros); returns length or 0. */
size_t nlb_build_udp4_payload(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
                              uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport,
                              const void *payload, size_t payload_len);
/* Ethernet header plus opaque payload bytes, padded to 60 bytes; returns length or 0. */
size_t nlb_build_raw(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
                     uint16_t ethertype, const void *payload, size_t payload_len);
/* ICMPv4 echo request (reply = false) or reply with payload_len pattern bytes; returns length or 0. */
size_t nlb_build_icmp4_echo(uint8_t *buf, size_t cap, const uint8_t dst[6], const uint8_t src[6], uint16_t vlan,
                            uint32_t sip, uint32_t dip, bool reply, uint16_t id, uint16_t seq, size_t payload_len);

/* 8-byte IGMP message (v1/v2 report, leave, or query with max_resp in 1/10 s) to dip, Ethernet
 * destination the multicast MAC of dip; returns length or 0. */
size_t nlb_build_igmp(uint8_t *buf, size_t cap, const uint8_t src[6], uint16_t vlan, uint32_t sip, uint32_t dip,
                      uint8_t type, uint8_t max_resp, uint32_t group);
/* IGMPv2 membership report for group, sent from sip (host order); returns length or 0. */
size_t nlb_build_igmp_report(uint8_t *buf, size_t cap, const uint8_t src[6], uint32_t sip, uint32_t group);
/* IGMPv3 report to 224.0.0.22 with one record joining group (exclude mode, no sources); returns length or 0. */
size_t nlb_build_igmp3_report(uint8_t *buf, size_t cap, const uint8_t src[6], uint16_t vlan, uint32_t sip, uint32_t group);

#ifdef __cplusplus
}
#endif
#endif
