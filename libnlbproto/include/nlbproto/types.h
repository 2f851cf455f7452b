/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: types shared by every module of libnlbproto. */
#ifndef NLBPROTO_TYPES_H
#define NLBPROTO_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Outcome of every decoder. Order matters: a worse status never gets overwritten by a better one. */
typedef enum nlb_status {
    NLB_OK = 0,        /* decoded completely */
    NLB_TRUNCATED = 1, /* decoded what was captured; the rest was cut (snaplen) */
    NLB_MALFORMED = 2, /* bytes contradict the format; nlb_*.bad_field names the field */
    NLB_NOT_NLB = 3    /* not this protocol at all (e.g. a foreign 0x886F "XBOX" frame) */
} nlb_status;

/* Fields a decoder can blame for NLB_MALFORMED (stable, also used in messages). */
typedef enum nlb_field {
    NLB_F_NONE = 0,
    NLB_F_SIGNATURE,
    NLB_F_HOST_PRIORITY,
    NLB_F_RULE_COUNT,
    NLB_F_MY_HOST_ID,
    NLB_F_TLV_LENGTH,
    NLB_F_TLV_ADDRESS_FAMILY,
    NLB_F_TLV_HOST_NAME,
    NLB_F_ARP_HW,
    NLB_F_ARP_OPCODE,
    NLB_F_IP_HEADER_LENGTH,
    NLB_F_IP_VERSION,
    NLB_F_SLL_HEADER,
    NLB_F_LINKTYPE,
    NLB_F_LENGTH,       /* the frame ends before its own format does (nothing was cut) */
    NLB_F_COUNT_
} nlb_field;

/* Timestamps and durations in microseconds (epoch-based for timestamps). */
typedef int64_t nlb_usec;

/* An IPv4 or IPv6 address; IPv4 is kept in the first 4 bytes of a[] in network order. */
typedef struct nlb_ipaddr {
    uint8_t family; /* 4 or 6; 0 = none */
    uint8_t a[16];
} nlb_ipaddr;

/* Return the name of a field as used in messages ("rule count"). */
const char *nlb_field_name(nlb_field f);
/* Return the name of a status ("ok", "truncated", "malformed", "not NLB"). */
const char *nlb_status_name(nlb_status s);
/* Format an IPv4 address held in host byte order (0xC0A86450 -> "192.168.100.80"); buf >= 16. */
char *nlb_ip4_str(uint32_t ip, char *buf);
/* Format an nlb_ipaddr (dotted or RFC 5952 IPv6); buf >= 46. */
char *nlb_ipaddr_str(const nlb_ipaddr *ip, char *buf);
/* Format a MAC in lower-case colon form; buf >= 18. */
char *nlb_mac_str(const uint8_t mac[6], char *buf);
/* Parse dotted IPv4 into host order; false on syntax error. */
bool nlb_ip4_parse(const char *s, uint32_t *out);
/* Make an IPv4 nlb_ipaddr from a host-order address. */
nlb_ipaddr nlb_ipaddr_v4(uint32_t ip);
/* Host-order IPv4 of an nlb_ipaddr (0 when not IPv4). */
uint32_t nlb_ipaddr_to_v4(const nlb_ipaddr *ip);
/* The same text as nlb_ip4_str / nlb_ipaddr_str / nlb_mac_str, written at p without a
 * terminating NUL; each returns the end of what it wrote (room needed: 15, 45 and 17 bytes).
 * For writers that build a line in their own buffer. Added for issue 8. */
char *nlb_ip4_put(uint32_t ip, char *p);
char *nlb_ipaddr_put(const nlb_ipaddr *ip, char *p);
char *nlb_mac_put(const uint8_t mac[6], char *p);

#ifdef __cplusplus
}
#endif
#endif
