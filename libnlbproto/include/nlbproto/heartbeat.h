/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: NLB heartbeats on Ethernet type 0x886F (see shared NLB-PROTOCOL.md section 1). */
#ifndef NLBPROTO_HEARTBEAT_H
#define NLBPROTO_HEARTBEAT_H

#include "types.h"
#include "wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NLB_MAX_RULES 33               /* rule slots on the wire, default rule included */
#define NLB_HB_COMMON_LEN 20
#define NLB_HB_MEMBERSHIP_LEN 1496     /* payload bytes of a membership heartbeat */
#define NLB_HB_MAX_ADDRS 8
#define NLB_HB_MAX_TLVS 16
#define NLB_HB_HOST_NAME_MAX 256       /* UTF-8 bytes, NUL included */

/* Byte offsets in the heartbeat payload (protocol doc table); arrays start at *_OFF. */
enum {
    NLB_OFF_SIGNATURE = 0, NLB_OFF_VERSION = 4, NLB_OFF_PRIORITY = 8, NLB_OFF_CLUSTER_IP = 12,
    NLB_OFF_DEDICATED_IP = 16, NLB_OFF_MY_HOST_ID = 20, NLB_OFF_DEFAULT_HOST_ID = 22,
    NLB_OFF_CONV_STATE = 24, NLB_OFF_NUM_RULES = 26, NLB_OFF_HOST_CODE = 28,
    NLB_OFF_PACKETS = 32, NLB_OFF_TEAMING = 36, NLB_OFF_RESERVED = 40, NLB_OFF_RULE_CODES = 44,
    NLB_OFF_CUR_MAP = 176, NLB_OFF_NEW_MAP = 440, NLB_OFF_IDLE_MAP = 704, NLB_OFF_READY_MAP = 968,
    NLB_OFF_WEIGHTS = 1232, NLB_OFF_RESERVED2 = 1364
};

typedef enum nlb_hb_kind {
    NLB_HB_UNKNOWN = 0,   /* NLB-looking but unknown signature 0xC0DE01xx */
    NLB_HB_MEMBERSHIP = 1,
    NLB_HB_EXTENDED = 2,
    NLB_HB_IDENTITY = 3   /* (guess) */
} nlb_hb_kind;

/* Convergence state values (guess: the real capture shows 1 in a healthy cluster). */
typedef enum nlb_conv_state {
    NLB_CONV_NORMAL = 1, NLB_CONV_STABLE = 2, NLB_CONV_CONVERGING = 3
} nlb_conv_state;

/* One port-rule slot: the wire spreads these over parallel arrays; we gather them per rule. */
typedef struct nlb_hb_rule {
    uint32_t code;       /* rule code, shown in hex; see nlb_rule_code_ports() */
    uint64_t cur_map;    /* bit i set: this host owns bin i now */
    uint64_t new_map;
    uint64_t idle_map;
    uint64_t ready_map;
    uint32_t load_weight;
    uint32_t reserved;
} nlb_hb_rule;

typedef struct nlb_hb_tlv {
    uint8_t type;    /* 1 host name, 2 IP address */
    uint16_t length; /* total TLV bytes (length byte x 8, guess) */
    uint16_t offset; /* of the TLV in the payload */
} nlb_hb_tlv;

/* Who else speaks 0x886F (NLB-PROTOCOL.md section 1): named so a frame is never called NLB. */
typedef enum nlb_foreign_kind {
    NLB_FOREIGN_NONE = 0,  /* NLB, or too short to tell */
    NLB_FOREIGN_UNKNOWN,   /* not NLB, nobody we know */
    NLB_FOREIGN_XBOX,      /* Xbox wireless adapter: payload starts with ASCII "XBOX" */
    NLB_FOREIGN_LQSR       /* Microsoft Research mesh routing: signature 0xC0DE8AF7 */
} nlb_foreign_kind;

typedef struct nlb_heartbeat {
    nlb_hb_kind kind;
    nlb_status status;
    nlb_field bad_field;   /* for NLB_MALFORMED */
    bool truncated;        /* captured bytes ended before the message did */
    size_t captured;       /* payload bytes available to the decoder */
    bool legacy;           /* ethertype 0xBF01 (nlb_hb_decode_legacy): common header only */
    uint8_t foreign;       /* nlb_foreign_kind when status is NLB_NOT_NLB */
    /* common header */
    uint32_t signature;
    uint32_t version;      /* 0x206 = "2.6" */
    uint32_t priority;     /* unique host ID, 1..32 */
    uint32_t cluster_ip;   /* host byte order */
    uint32_t dedicated_ip; /* host byte order */
    /* membership body */
    uint16_t my_host_id;   /* 0-based */
    uint16_t default_host_id;
    uint16_t conv_state;
    uint16_t num_rules;    /* as on the wire (user rules + 1, guess) */
    uint32_t host_code;
    uint32_t packets_handled;
    uint32_t teaming;
    uint32_t reserved;
    uint8_t rules_present; /* rule slots whose code was captured */
    nlb_hb_rule rules[NLB_MAX_RULES];
    /* extended body */
    uint8_t n_tlvs;
    nlb_hb_tlv tlvs[NLB_HB_MAX_TLVS];
    char host_name[NLB_HB_HOST_NAME_MAX]; /* UTF-8, "" when absent */
    uint8_t n_addrs;
    nlb_ipaddr addrs[NLB_HB_MAX_ADDRS];
} nlb_heartbeat;

/* Decode a 0x886F payload; fills *hb and returns its status (NLB_NOT_NLB for e.g. "XBOX"). */
nlb_status nlb_hb_decode(const uint8_t *payload, size_t caplen, nlb_heartbeat *hb);
/* Decode a legacy 0xBF01 (WLBS/Convoy) payload: its layout is not public, so only the common
 * header (signature, version, priority, cluster IP, dedicated IP) is read, and only when the
 * signature is an NLB one (0xC0DE01xx); hb->legacy is set, the body is never interpreted.
 * NLB_NOT_NLB otherwise. */
nlb_status nlb_hb_decode_legacy(const uint8_t *payload, size_t caplen, nlb_heartbeat *hb);
/* Name of a foreign 0x886F protocol ("Xbox wireless adapter", "LQSR mesh routing (Microsoft
 * Research)"), NULL for NLB_FOREIGN_NONE and NLB_FOREIGN_UNKNOWN. */
const char *nlb_foreign_name(nlb_foreign_kind k);
/* True when bytes [off, off+size) of the heartbeat were captured (truncation-aware display). */
bool nlb_hb_has(const nlb_heartbeat *hb, size_t off, size_t size);
/* Encode hb into buf (membership: 1496 bytes; extended: header + TLVs built from host_name and addrs); returns length or 0 if cap is too small. */
size_t nlb_hb_encode(const nlb_heartbeat *hb, uint8_t *buf, size_t cap);
/* Fill *hb with a healthy-membership template for a host; caller sets rules and maps. */
void nlb_hb_init_membership(nlb_heartbeat *hb, uint32_t vip, uint32_t dip, unsigned priority);
/* Version as "major.minor" into buf (>= 12 bytes). */
char *nlb_hb_version_str(uint32_t version, char *buf);
/* Name of a signature ("membership", "extended", "identity (guess)", "unknown"). */
const char *nlb_hb_kind_name(nlb_hb_kind k);
/* Wording of a convergence state ("normal", "stable (guess)", "converging (guess)", "unknown"). */
const char *nlb_conv_state_name(uint16_t state);
/* Interpret a rule code as start | end << 12 | 0x61 << 24 (guess); false when it does not fit. */
bool nlb_rule_code_ports(uint32_t code, uint16_t *start, uint16_t *end);
/* Number of bits set in a bin map. */
unsigned nlb_map_count(uint64_t map);
/* Teaming word: teaming active (bit 0). */
static inline bool nlb_team_active(uint32_t t) { return t & 1u; }
/* Teaming word: this host is the team master (bit 1). */
static inline bool nlb_team_master(uint32_t t) { return (t >> 1) & 1u; }
/* Teaming word: reverse hashing (bit 2). */
static inline bool nlb_team_reverse(uint32_t t) { return (t >> 2) & 1u; }
/* Teaming word: number of participants (bits 3-7). */
static inline unsigned nlb_team_participants(uint32_t t) { return (t >> 3) & 0x1Fu; }
/* Teaming word: XOR of members' cluster IP low 16 bits (bits 8-23). */
static inline unsigned nlb_team_xor(uint32_t t) { return (t >> 8) & 0xFFFFu; }

#ifdef __cplusplus
}
#endif
#endif
