/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cluster MAC forms (protocol doc section 2). A form alone makes only a candidate: 02-xx MACs are
 * common outside NLB (Docker 02-42-..., lab routers, SSDP's 01-00-5E-7F-FF-FA), so "confirmed"
 * needs the embedded address to match a VIP known from elsewhere. */
#include <string.h>

#include "nlbproto/mac.h"

nlb_mac_kind nlb_mac_classify(const uint8_t m[6], nlb_mac_info *out)
{
    nlb_mac_info info;
    memset(&info, 0, sizeof info);
    nlb_mac_form(m, &info);
    if (out)
        *out = info;
    return info.kind;
}

bool nlb_mac_confirm(nlb_mac_info *m, const uint32_t *vips, size_t n)
{
    if (m->kind == NLB_MAC_NONE)
        return false;
    for (size_t i = 0; i < n; i++) {
        if ((vips[i] & m->vip_mask) == (m->vip & m->vip_mask)) {
            m->confirmed = true;
            m->vip = vips[i];
            m->vip_mask = 0xFFFFFFFFu;
            return true;
        }
    }
    return false;
}

void nlb_mac_make(nlb_mac_kind kind, uint32_t vip, uint8_t priority, uint8_t out[6])
{
    out[2] = (uint8_t)(vip >> 24);
    out[3] = (uint8_t)(vip >> 16);
    out[4] = (uint8_t)(vip >> 8);
    out[5] = (uint8_t)vip;
    switch (kind) {
    case NLB_MAC_UNICAST: out[0] = NLB_MAC_LOCAL_UNICAST; out[1] = NLB_MAC_CLUSTER_OCTET; break;
    case NLB_MAC_MASKED: out[0] = NLB_MAC_LOCAL_UNICAST; out[1] = priority; break;
    case NLB_MAC_MULTICAST: out[0] = NLB_MAC_LOCAL_MULTICAST; out[1] = NLB_MAC_CLUSTER_OCTET; break;
    case NLB_MAC_IGMP:
        out[0] = NLB_MAC_IPV4_MCAST_0; out[1] = NLB_MAC_IPV4_MCAST_1;
        out[2] = NLB_MAC_IPV4_MCAST_2; out[3] = NLB_MAC_IGMP_3;
        break;
    case NLB_MAC_NONE: memset(out, 0, 6); break;
    }
}

const char *nlb_mac_kind_name(nlb_mac_kind k)
{
    switch (k) {
    case NLB_MAC_UNICAST: return "unicast cluster MAC";
    case NLB_MAC_MASKED: return "masked source MAC";
    case NLB_MAC_MULTICAST: return "multicast cluster MAC";
    case NLB_MAC_IGMP: return "IGMP multicast MAC";
    case NLB_MAC_NONE: break;
    }
    return "not a cluster MAC";
}

const char *nlb_mac_kind_key(nlb_mac_kind k)
{
    switch (k) {
    case NLB_MAC_UNICAST: return "unicast";
    case NLB_MAC_MASKED: return "masked";
    case NLB_MAC_MULTICAST: return "multicast";
    case NLB_MAC_IGMP: return "igmp";
    case NLB_MAC_NONE: break;
    }
    return "none";
}
