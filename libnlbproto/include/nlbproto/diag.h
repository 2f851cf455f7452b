/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: diagnostics with stable codes. The wording table lives in diag.c and is shared by
 * nlbreplay and the Wireshark plugin, so both say the same thing. */
#ifndef NLBPROTO_DIAG_H
#define NLBPROTO_DIAG_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nlb_severity { NLB_SEV_INFO = 0, NLB_SEV_WARNING = 1, NLB_SEV_ERROR = 2 } nlb_severity;

/* Stable codes: printed as "NLB-%03d"; never renumber. */
typedef enum nlb_diag_code {
    NLB_D_FAILOVER_UNANNOUNCED = 1, /* failover burst did not announce NLB hosts */
    NLB_D_VIP_UNANSWERED = 2,       /* client connections to a VIP went unanswered */
    NLB_D_HOST_SILENT = 3,          /* heartbeat gap > period x tolerance */
    NLB_D_CONVERGENCE = 4,          /* convergence episode(s) */
    NLB_D_CLUSTER_MAC_SOURCE = 5,   /* 02-BF-VIP seen as Ethernet source */
    NLB_D_DUP_PRIORITY = 6,         /* two hosts claim one priority */
    NLB_D_RULE_MISMATCH = 7,        /* rule count or rule codes differ between hosts */
    NLB_D_MULTI_DEFAULT = 8,        /* hosts disagree on the default host */
    NLB_D_BIN_TWICE = 9,            /* a bin owned by two hosts */
    NLB_D_BIN_NOBODY = 10,          /* a bin owned by nobody */
    NLB_D_MCAST_ARP = 11,           /* ARP maps a unicast IP to a multicast MAC (routers may drop) */
    NLB_D_IGMP_MISSING = 12,        /* IGMP mode without joins for 239.255.v3.v4 */
    NLB_D_TRUNCATED = 13,           /* heartbeats cut by snaplen: maps unknown */
    NLB_D_OWNER_MISMATCH = 14,      /* observed owners disagree with the emulation */
    NLB_D_FLOWS_EVICTED = 15,       /* flow table full */
    NLB_D_CODE_COUNT_
} nlb_diag_code;

typedef struct nlb_diag {
    nlb_diag_code code;
    nlb_severity severity;
    nlb_usec time;             /* when it started / was first seen */
    uint32_t vip;              /* host order, 0 = none */
    uint32_t hosts_mask;       /* hosts concerned: bit p-1 = priority p */
    uint32_t n1, n2;           /* counts, meaning per code (e.g. unanswered, total) */
    nlb_usec duration;
    uint16_t port;
    uint8_t mac[6];
    /* added for issue 5 (meaning per code: see the table in diag.c) */
    uint32_t n3, n4;           /* more counts, e.g. unanswered/total connections after a burst */
    uint8_t mode;              /* nlb_mode of the cluster concerned (cluster.h), 0 = unknown */
} nlb_diag;

/* "NLB-001" style code string. */
const char *nlb_diag_code_str(nlb_diag_code c);
/* "error", "warning", "info". */
const char *nlb_severity_name(nlb_severity s);
/* Plain-language message (what happened and what to check) into buf; returns strlen. */
size_t nlb_diag_format(const nlb_diag *d, char *buf, size_t len);
/* Format "host 1, 2 and 3" for a hosts mask into buf; returns strlen. */
size_t nlb_hosts_str(uint32_t mask, char *buf, size_t len);
/* Format a timestamp as UTC "HH:MM:SS.mmm" into buf (>= 16 bytes). */
char *nlb_time_str(nlb_usec t, char *buf);

#ifdef __cplusplus
}
#endif
#endif
