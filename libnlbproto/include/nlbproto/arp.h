/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: ARP, gratuitous ARP and RARP (protocol doc section 3). */
#ifndef NLBPROTO_ARP_H
#define NLBPROTO_ARP_H

#include "types.h"
#include "wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NLB_ARP_LEN 28

typedef struct nlb_arp {
    nlb_status status;
    nlb_field bad_field;
    uint16_t htype, ptype;
    uint8_t hlen, plen;
    uint16_t op;
    uint8_t sha[6];
    uint32_t spa; /* host order */
    uint8_t tha[6];
    uint32_t tpa; /* host order */
    bool rarp;       /* opcode 3/4 or ethertype 0x8035 */
    bool gratuitous; /* ARP request/reply with spa == tpa != 0.0.0.0 */
} nlb_arp;

/* Decode an Ethernet/IPv4 ARP or RARP body (ethertype 0x0806 or 0x8035). */
nlb_status nlb_arp_decode(const uint8_t *p, size_t caplen, uint16_t ethertype, nlb_arp *out);
/* Encode an Ethernet/IPv4 ARP body (28 bytes) into buf; returns length or 0. */
size_t nlb_arp_encode(const nlb_arp *a, uint8_t *buf, size_t cap);
/* Name of an opcode ("request", "reply", "RARP request", "RARP reply"). */
const char *nlb_arp_op_name(uint16_t op);

#ifdef __cplusplus
}
#endif
#endif
