/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: every number read from or written to the wire, named once (protocol doc sections 1-3
 * and 6). Code compares against these names, never against the raw number. */
#ifndef NLBPROTO_WIRE_H
#define NLBPROTO_WIRE_H

/* Ethertypes */
#define NLB_ETHERTYPE_IPV4 0x0800u
#define NLB_ETHERTYPE_ARP 0x0806u
#define NLB_ETHERTYPE_RARP 0x8035u
#define NLB_ETHERTYPE_VLAN 0x8100u       /* 802.1Q */
#define NLB_ETHERTYPE_QINQ 0x88A8u       /* 802.1ad service tag */
#define NLB_ETHERTYPE_QINQ_OLD 0x9100u   /* pre-standard QinQ tag */
#define NLB_ETHERTYPE_IPV6 0x86DDu
#define NLB_ETHERTYPE 0x886Fu            /* NLB heartbeats (shared with Xbox and LQSR) */
#define NLB_ETHERTYPE_LEGACY 0xBF01u     /* WLBS/Convoy heartbeats (layout unknown) */
#define NLB_VLAN_ID_MASK 0x0FFFu

/* IP protocol numbers and IPv6 extension headers */
#define NLB_IPPROTO_HOPOPTS 0u
#define NLB_IPPROTO_ICMP 1u
#define NLB_IPPROTO_IGMP 2u
#define NLB_IPPROTO_TCP 6u
#define NLB_IPPROTO_UDP 17u
#define NLB_IPPROTO_ROUTING 43u
#define NLB_IPPROTO_FRAGMENT 44u
#define NLB_IPPROTO_ICMPV6 58u
#define NLB_IPPROTO_DSTOPTS 60u
#define NLB_ICMP_ECHO_REPLY 0u
#define NLB_ICMP_ECHO_REQUEST 8u
#define NLB_IPV4_FRAG_OFFSET_MASK 0x1FFFu /* of the flags/fragment-offset word */
#define NLB_IPV4_DF 0x4000u
#define NLB_IPV6_FRAG_OFFSET_MASK 0xFFF8u

/* TCP flags */
#define NLB_TCP_FIN 0x01u
#define NLB_TCP_SYN 0x02u
#define NLB_TCP_RST 0x04u
#define NLB_TCP_PSH 0x08u
#define NLB_TCP_ACK 0x10u

/* IGMP message types (RFC 1112, 2236, 3376) and IGMPv3 group record types */
#define NLB_IGMP_QUERY 0x11u
#define NLB_IGMP_V1_REPORT 0x12u
#define NLB_IGMP_V2_REPORT 0x16u
#define NLB_IGMP_V2_LEAVE 0x17u
#define NLB_IGMP_V3_REPORT 0x22u
#define NLB_IGMP3_MODE_IS_EXCLUDE 2u
#define NLB_IGMP3_CHANGE_TO_EXCLUDE 4u
#define NLB_IGMP3_ALL_ROUTERS 0xE0000016u /* 224.0.0.22, where v3 reports go */
/* IGMP-mode clusters join 239.255.v3.v4: the group's high 16 bits */
#define NLB_IGMP_GROUP_PREFIX 0xEFFFu

/* ARP */
#define NLB_ARP_HTYPE_ETHERNET 1u
typedef enum nlb_arp_op {
    NLB_ARP_REQUEST = 1, NLB_ARP_REPLY = 2, NLB_RARP_REQUEST = 3, NLB_RARP_REPLY = 4
} nlb_arp_op;

/* NLB heartbeat signatures: the family 0xC0DE01xx; other 0x886F users must be told apart */
#define NLB_SIG_FAMILY 0xC0DE0100u
#define NLB_SIG_FAMILY_MASK 0xFFFFFF00u
#define NLB_SIG_MEMBERSHIP 0xC0DE01BFu /* cluster membership heartbeat */
#define NLB_SIG_EXTENDED 0xC0DE01C0u   /* extended heartbeat (TLVs) */
#define NLB_SIG_IDENTITY 0xC0DE01DEu   /* reliable/identity message (guess) */
#define NLB_SIG_LQSR 0xC0DE8AF7u       /* Microsoft Research mesh routing: not NLB */
#define NLB_SIG_XBOX 0x58424F58u       /* ASCII "XBOX", big-endian: the Xbox wireless adapter */
#define NLB_MAX_PRIORITY 32u            /* host priorities (unique host IDs) 1..32 */
#define NLB_HB_VERSION_2_6 0x206u      /* version "2.6", as in the real captures */
/* Address families inside extended-heartbeat address TLVs (Windows AF_ values) */
#define NLB_HB_AF_INET 0x02u
#define NLB_HB_AF_INET6 0x17u
/* (guess) a port rule code is start | end << 12 | NLB_RULE_CODE_TAG << 24 */
#define NLB_RULE_CODE_TAG 0x61u

/* Cluster MAC forms: first octets (protocol doc section 2) */
#define NLB_MAC_LOCAL_UNICAST 0x02u /* 02-BF-VIP and 02-pp-VIP */
#define NLB_MAC_LOCAL_MULTICAST 0x03u /* 03-BF-VIP */
#define NLB_MAC_CLUSTER_OCTET 0xBFu
/* 01-00-5E-7F-v3-v4: IANA's IPv4 multicast OUI and the 239.255 group's second octet */
#define NLB_MAC_IPV4_MCAST_0 0x01u
#define NLB_MAC_IPV4_MCAST_1 0x00u
#define NLB_MAC_IPV4_MCAST_2 0x5Eu
#define NLB_MAC_IGMP_3 0x7Fu

/* UDP ports of nlb.exe / wlbs remote control (to the cluster IP) */
#define NLB_UDP_PORT_REMOTE_CONTROL_OLD 1717u
#define NLB_UDP_PORT_REMOTE_CONTROL 2504u

#endif
