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

/* Bits of nlb_diag_desc.severities: every severity a detector can report. */
#define NLB_SEVS_INFO (1u << NLB_SEV_INFO)
#define NLB_SEVS_WARNING (1u << NLB_SEV_WARNING)
#define NLB_SEVS_ERROR (1u << NLB_SEV_ERROR)
#define NLB_SEVS_ALL (NLB_SEVS_INFO | NLB_SEVS_WARNING | NLB_SEVS_ERROR)

/* Longest title in the table (Wireshark cuts longer expert labels). */
#define NLB_DIAG_TITLE_MAX 80

/* Stable codes, printed as "NLB-%03d", one per row of diag.def; never renumber. */
typedef enum nlb_diag_code {
#define NLB_DIAG(num, name, key, sev, sevs, title) NLB_D_##name = num,
#include "diag.def"
#undef NLB_DIAG
    NLB_D_CODE_COUNT_
} nlb_diag_code;

/* One row of the diagnostic table (diag.def). */
typedef struct nlb_diag_desc {
    nlb_diag_code code;
    char code_str[8];          /* "NLB-001" */
    const char *key;           /* "failover_unannounced": the plugin's field nlb.expert.<key> */
    nlb_severity severity;     /* default severity */
    unsigned severities;       /* NLB_SEVS_* mask of every severity the detector reports */
    const char *title;         /* short stable title, <= NLB_DIAG_TITLE_MAX, no counts */
} nlb_diag_desc;

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
    /* Stable id across derivations and generations (cluster.h, nlb_tracker_changes): opened,
     * last changed, severity last changed. Since 0.2. */
    uint32_t id;
    uint64_t gen_added, gen, gen_severity;
} nlb_diag;

/* The table row of code c, NULL when c is no known code. */
const nlb_diag_desc *nlb_diag_info(nlb_diag_code c);
/* Number of rows in the table (codes 1..nlb_diag_info_count() are all defined). */
size_t nlb_diag_info_count(void);
/* Row i (0-based, in code order), NULL when out of range: iterate to register every code. */
const nlb_diag_desc *nlb_diag_info_at(size_t i);
/* "NLB-001" style code string ("NLB-000" when unknown). */
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
