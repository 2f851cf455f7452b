/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ARP, gratuitous ARP and RARP (protocol doc section 3). */
#include <string.h>

#include "nlbproto/arp.h"
#include "reader.h"

nlb_status nlb_arp_decode(const uint8_t *p, size_t caplen, uint16_t ethertype, nlb_arp *a)
{
    memset(a, 0, sizeof *a);
    nlb_reader r = nlb_rd(p, caplen);
    a->htype = nlb_rd_be16(&r, 0);
    a->ptype = nlb_rd_be16(&r, 2);
    a->hlen = nlb_rd_u8(&r, 4);
    a->plen = nlb_rd_u8(&r, 5);
    a->op = nlb_rd_be16(&r, 6);
    a->rarp = ethertype == NLB_ETHERTYPE_RARP;
    /* Only Ethernet/IPv4 bodies have the fixed layout decoded below. Each field is judged as soon
     * as it was captured, so a cut body that already shows a foreign type is not merely "cut". */
    if ((nlb_rd_has(&r, 0, 2) && a->htype != NLB_ARP_HTYPE_ETHERNET) || (nlb_rd_has(&r, 2, 2) && a->ptype != NLB_ETHERTYPE_IPV4) ||
        (nlb_rd_has(&r, 4, 1) && a->hlen != 6) || (nlb_rd_has(&r, 5, 1) && a->plen != 4)) {
        a->status = NLB_MALFORMED;
        a->bad_field = NLB_F_ARP_HW;
        return a->status;
    }
    nlb_rd_bytes(&r, 8, a->sha, 6);
    a->spa = nlb_rd_be32(&r, 14);
    nlb_rd_bytes(&r, 18, a->tha, 6);
    a->tpa = nlb_rd_be32(&r, 24);
    if (nlb_rd_has(&r, 6, 2) && (a->op < NLB_ARP_REQUEST || a->op > NLB_RARP_REPLY)) {
        a->status = NLB_MALFORMED;
        a->bad_field = NLB_F_ARP_OPCODE;
    }
    if (a->op == NLB_RARP_REQUEST || a->op == NLB_RARP_REPLY)
        a->rarp = true;
    a->gratuitous = !a->rarp && !r.truncated && (a->op == NLB_ARP_REQUEST || a->op == NLB_ARP_REPLY) &&
                    a->spa == a->tpa && a->spa != 0;
    if (r.truncated && a->status == NLB_OK)
        a->status = NLB_TRUNCATED;
    return a->status;
}

size_t nlb_arp_encode(const nlb_arp *a, uint8_t *buf, size_t cap)
{
    if (cap < NLB_ARP_LEN) return 0;
    nlb_put_be16(buf, NLB_ARP_HTYPE_ETHERNET);
    nlb_put_be16(buf + 2, NLB_ETHERTYPE_IPV4);
    buf[4] = 6;
    buf[5] = 4;
    nlb_put_be16(buf + 6, a->op);
    memcpy(buf + 8, a->sha, 6);
    nlb_put_be32(buf + 14, a->spa);
    memcpy(buf + 18, a->tha, 6);
    nlb_put_be32(buf + 24, a->tpa);
    return NLB_ARP_LEN;
}

const char *nlb_arp_op_name(uint16_t op)
{
    switch (op) {
    case NLB_ARP_REQUEST: return "request";
    case NLB_ARP_REPLY: return "reply";
    case NLB_RARP_REQUEST: return "RARP request";
    case NLB_RARP_REPLY: return "RARP reply";
    }
    return "unknown";
}
