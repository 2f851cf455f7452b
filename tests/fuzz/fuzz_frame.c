/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlb_packet_decode over every supported link type. Input byte 0 picks the link type (bits 0-1:
 * Ethernet, SLL, SLL2, Ethernet) and whether the capture was cut by a snaplen (bit 2); the rest is
 * the frame, copied to an exact-size buffer so any read past caplen is caught. */
#include "check_hb.h"

static const int linktypes[4] = { NLB_LINK_ETHERNET, NLB_LINK_SLL, NLB_LINK_SLL2, NLB_LINK_ETHERNET };

static void check_ip(const nlb_ipaddr *a)
{
    char buf[46];
    FUZZ_CHECK(a->family == 0 || a->family == 4 || a->family == 6);
    nlb_ipaddr_str(a, buf);
    fuzz_check_cstr(buf, sizeof buf);
}

static void check_mac(const uint8_t mac[6], const nlb_mac_info *mi)
{
    char buf[18];
    nlb_mac_str(mac, buf);
    FUZZ_CHECK(strlen(buf) == 17);
    FUZZ_CHECK((unsigned)mi->kind <= NLB_MAC_IGMP && !mi->confirmed);
    FUZZ_CHECK(nlb_mac_kind_name(mi->kind) && nlb_mac_kind_key(mi->kind));
    if (mi->kind == NLB_MAC_MASKED)
        FUZZ_CHECK(mi->priority >= 1 && mi->priority <= NLB_MAX_PRIORITY);
    /* confirming against the embedded address itself must succeed for every form */
    if (mi->kind != NLB_MAC_NONE) {
        nlb_mac_info m = *mi;
        uint32_t vips[2] = { 0x0A000001u, mi->vip };
        FUZZ_CHECK(nlb_mac_confirm(&m, vips, 2));
        FUZZ_CHECK(m.confirmed && m.vip_mask == 0xFFFFFFFFu);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static nlb_packet pkt;
    if (size < 1)
        return 0;
    int lt = linktypes[data[0] & 3];
    size_t caplen = size - 1;
    size_t wirelen = (data[0] & 4) ? caplen + 1000 : caplen;
    uint8_t *p = malloc(caplen ? caplen : 1);
    FUZZ_CHECK(p != NULL);
    if (caplen)
        memcpy(p, data + 1, caplen);

    nlb_status s = nlb_packet_decode(lt, caplen ? p : NULL, caplen, wirelen, &pkt);
    FUZZ_CHECK(nlb_linktype_supported(lt));
    FUZZ_CHECK(s == pkt.status && (unsigned)s <= NLB_NOT_NLB && s != NLB_NOT_NLB);
    FUZZ_CHECK((unsigned)pkt.bad_field < NLB_F_COUNT_);
    FUZZ_CHECK((unsigned)pkt.kind <= NLB_FK_LEGACY_HEARTBEAT && nlb_frame_kind_name(pkt.kind));
    FUZZ_CHECK(pkt.caplen == caplen && pkt.wirelen >= pkt.caplen);
    /* nothing was cut, so whatever is missing was never sent: malformed, not truncated */
    if (wirelen == caplen)
        FUZZ_CHECK(pkt.status != NLB_TRUNCATED);
    FUZZ_CHECK(pkt.n_vlans <= NLB_MAX_VLANS);
    for (unsigned i = 0; i < pkt.n_vlans; i++)
        FUZZ_CHECK(pkt.vlan[i] <= 0x0FFF);
    if (pkt.l3) {
        FUZZ_CHECK(pkt.l3 >= p && pkt.l3 <= p + caplen && pkt.l3_len <= (size_t)(p + caplen - pkt.l3));
    } else {
        FUZZ_CHECK(pkt.l3_len == 0);
    }
    if (lt == NLB_LINK_ETHERNET)
        FUZZ_CHECK(pkt.has_dst == (caplen >= 12));
    else
        FUZZ_CHECK(!pkt.has_dst);
    check_mac(pkt.src, &pkt.src_mac);
    if (pkt.has_dst)
        check_mac(pkt.dst, &pkt.dst_mac);
    check_ip(&pkt.ip_src);
    check_ip(&pkt.ip_dst);
    if (pkt.has_ports)
        FUZZ_CHECK(pkt.ip_proto == 6 || pkt.ip_proto == 17);

    switch (pkt.kind) {
    case NLB_FK_HEARTBEAT:
        FUZZ_CHECK(pkt.ethertype == NLB_ETHERTYPE && pkt.hb.status != NLB_NOT_NLB);
        fuzz_check_hb(&pkt.hb, pkt.l3, pkt.l3_len);
        FUZZ_CHECK(pkt.status >= pkt.hb.status);
        /* cut by nothing yet shorter than its format: the frame path calls that malformed */
        if (wirelen == caplen)
            FUZZ_CHECK(pkt.hb.status != NLB_TRUNCATED);
        fuzz_check_roundtrip(&pkt.hb, pkt.l3, pkt.l3_len);
        break;
    case NLB_FK_FOREIGN_886F:
        FUZZ_CHECK(pkt.ethertype == NLB_ETHERTYPE && pkt.hb.status == NLB_NOT_NLB);
        FUZZ_CHECK(pkt.hb.foreign <= NLB_FOREIGN_LQSR);
        break;
    case NLB_FK_LEGACY_HEARTBEAT:
        /* common header only: nothing past it is ever read */
        FUZZ_CHECK(pkt.ethertype == NLB_ETHERTYPE_LEGACY && pkt.hb.legacy && pkt.hb.status != NLB_NOT_NLB);
        FUZZ_CHECK(pkt.hb.n_tlvs == 0 && pkt.hb.rules_present == 0 && pkt.hb.num_rules == 0);
        FUZZ_CHECK(pkt.status >= pkt.hb.status);
        break;
    case NLB_FK_ARP:
    case NLB_FK_RARP: {
        const nlb_arp *a = &pkt.arp;
        FUZZ_CHECK(pkt.ethertype == NLB_ETHERTYPE_ARP || pkt.ethertype == NLB_ETHERTYPE_RARP);
        FUZZ_CHECK((pkt.kind == NLB_FK_RARP) == a->rarp);
        FUZZ_CHECK(a->status != NLB_NOT_NLB && (unsigned)a->bad_field < NLB_F_COUNT_);
        if (a->gratuitous)
            FUZZ_CHECK(!a->rarp && a->spa == a->tpa && a->spa != 0);
        FUZZ_CHECK(nlb_arp_op_name(a->op) != NULL);
        FUZZ_CHECK(pkt.status >= a->status);
        break;
    }
    case NLB_FK_IGMP:
        FUZZ_CHECK(pkt.ip_proto == 2);
        break;
    case NLB_FK_IP:
        FUZZ_CHECK(pkt.ethertype == 0x0800 || pkt.ethertype == 0x86DD);
        break;
    case NLB_FK_OTHER:
        break;
    }
    free(p);
    return 0;
}
