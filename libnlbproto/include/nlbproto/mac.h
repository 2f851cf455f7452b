/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: cluster MAC forms that embed the VIP (protocol doc section 2). */
#ifndef NLBPROTO_MAC_H
#define NLBPROTO_MAC_H

#include "types.h"
#include "wire.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nlb_mac_kind {
    NLB_MAC_NONE = 0,      /* not a cluster MAC form */
    NLB_MAC_UNICAST = 1,   /* 02-BF-v1-v2-v3-v4 */
    NLB_MAC_MASKED = 2,    /* 02-pp-v1-v2-v3-v4, pp = priority 1..32 */
    NLB_MAC_MULTICAST = 3, /* 03-BF-v1-v2-v3-v4 */
    NLB_MAC_IGMP = 4       /* 01-00-5E-7F-v3-v4: only the VIP's last two octets are inside */
} nlb_mac_kind;

typedef struct nlb_mac_info {
    nlb_mac_kind kind;
    uint32_t vip;      /* embedded address, host order; for IGMP only the low 16 bits */
    uint32_t vip_mask; /* which bits of vip the MAC carries: 0xFFFFFFFF, or 0x0000FFFF for IGMP */
    uint8_t priority;  /* for NLB_MAC_MASKED */
    bool confirmed;    /* the embedded address matches a known VIP; otherwise a mere candidate */
} nlb_mac_info;

/* The form rules once, inline for the per-frame path: fills *out, which the caller has zeroed
 * (only what differs from "not a cluster form" is stored). nlb_mac_classify is this, boxed. */
static inline void nlb_mac_form(const uint8_t m[6], nlb_mac_info *out)
{
    if (m[0] == NLB_MAC_LOCAL_UNICAST && m[1] == NLB_MAC_CLUSTER_OCTET) {
        out->kind = NLB_MAC_UNICAST;
    } else if (m[0] == NLB_MAC_LOCAL_UNICAST && m[1] >= 1 && m[1] <= NLB_MAX_PRIORITY) {
        out->kind = NLB_MAC_MASKED;
        out->priority = m[1];
    } else if (m[0] == NLB_MAC_LOCAL_MULTICAST && m[1] == NLB_MAC_CLUSTER_OCTET) {
        out->kind = NLB_MAC_MULTICAST;
    } else {
        if (m[0] == NLB_MAC_IPV4_MCAST_0 && m[1] == NLB_MAC_IPV4_MCAST_1 && m[2] == NLB_MAC_IPV4_MCAST_2 &&
            m[3] == NLB_MAC_IGMP_3) {
            out->kind = NLB_MAC_IGMP;
            out->vip = (uint32_t)m[4] << 8 | m[5];
            out->vip_mask = 0xFFFFu;
        }
        return;
    }
    out->vip = (uint32_t)m[2] << 24 | (uint32_t)m[3] << 16 | (uint32_t)m[4] << 8 | m[5];
    out->vip_mask = 0xFFFFFFFFu;
}

/* nlb_mac_form(m) != NLB_MAC_NONE, nothing stored (the pre-decode filter). */
static inline bool nlb_mac_is_form(const uint8_t m[6])
{
    if (m[0] == NLB_MAC_LOCAL_UNICAST)
        return m[1] == NLB_MAC_CLUSTER_OCTET || (m[1] >= 1 && m[1] <= NLB_MAX_PRIORITY);
    if (m[0] == NLB_MAC_LOCAL_MULTICAST)
        return m[1] == NLB_MAC_CLUSTER_OCTET;
    return m[0] == NLB_MAC_IPV4_MCAST_0 && m[1] == NLB_MAC_IPV4_MCAST_1 && m[2] == NLB_MAC_IPV4_MCAST_2 &&
           m[3] == NLB_MAC_IGMP_3;
}

/* Classify a MAC by form alone (a candidate: confirmed stays false); returns its kind. */
nlb_mac_kind nlb_mac_classify(const uint8_t mac[6], nlb_mac_info *out);
/* Set m->confirmed (and complete an IGMP VIP) when its embedded address matches one of vips[]; returns it. */
bool nlb_mac_confirm(nlb_mac_info *m, const uint32_t *vips, size_t n);
/* Build the MAC of a form for vip (priority used by NLB_MAC_MASKED). */
void nlb_mac_make(nlb_mac_kind kind, uint32_t vip, uint8_t priority, uint8_t out[6]);
/* Name of a MAC form ("unicast cluster", "masked source", ...). */
const char *nlb_mac_kind_name(nlb_mac_kind k);
/* Short filter-style name of a MAC form ("unicast", "masked", "multicast", "igmp", "none"). */
const char *nlb_mac_kind_key(nlb_mac_kind k);

#ifdef __cplusplus
}
#endif
#endif
