/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Heartbeat decoder and encoder (protocol doc section 1). */
#include <stdio.h>
#include <string.h>

#include "nlbproto/heartbeat.h"
#include "reader.h"

#define TLV_HDR_LEN 8 /* type u8, length u8 (x 8 bytes, guess), 6 reserved */

static nlb_hb_kind kind_of(uint32_t sig)
{
    switch (sig) {
    case NLB_SIG_MEMBERSHIP: return NLB_HB_MEMBERSHIP;
    case NLB_SIG_EXTENDED: return NLB_HB_EXTENDED;
    case NLB_SIG_IDENTITY: return NLB_HB_IDENTITY;
    default: return NLB_HB_UNKNOWN;
    }
}

/* A cut-short signature can still be told apart from "XBOX": compare what was captured with
 * the little-endian bytes xx 01 DE C0. The first byte may be anything, because a whole
 * 0xC0DE01xx with an unknown xx is still reported as (malformed) NLB: a cut must not claim
 * "not NLB" for bytes the full decoder would call NLB. */
static bool signature_prefix_plausible(const uint8_t *p, size_t n)
{
    static const uint8_t tail[3] = { (uint8_t)(NLB_SIG_FAMILY >> 8), (uint8_t)(NLB_SIG_FAMILY >> 16),
                                     (uint8_t)(NLB_SIG_FAMILY >> 24) };
    for (size_t i = 1; i < n && i < 4; i++)
        if (p[i] != tail[i - 1])
            return false;
    return true;
}

static void set_status(nlb_heartbeat *hb, nlb_status s, nlb_field f)
{
    if (s > hb->status) {
        hb->status = s;
        hb->bad_field = f;
    }
}

/* UTF-16LE (NUL-terminated or bounded) to UTF-8; invalid surrogates become U+FFFD.
 * Returns false if the string was not terminated inside [off, end). A name longer than out
 * is cut at a whole character, but the scan goes on to the NUL so a long yet well-formed name
 * is not reported as unterminated. */
static bool utf16le_to_utf8(nlb_reader *r, size_t off, size_t end, char *out, size_t cap)
{
    size_t o = 0;
    bool terminated = false, full = false;
    for (size_t i = off; i + 2 <= end && nlb_rd_has(r, i, 2); i += 2) {
        uint32_t c = nlb_rd_le16(r, i);
        if (c == 0) { terminated = true; break; }
        if (c >= 0xD800 && c < 0xDC00 && i + 4 <= end && nlb_rd_has(r, i + 2, 2)) {
            uint32_t lo = nlb_rd_le16(r, i + 2);
            if (lo >= 0xDC00 && lo < 0xE000) {
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            } else {
                c = 0xFFFD;
            }
        } else if (c >= 0xD800 && c < 0xE000) {
            c = 0xFFFD;
        }
        uint8_t b[4];
        size_t n;
        if (c < 0x80) { b[0] = (uint8_t)c; n = 1; }
        else if (c < 0x800) { b[0] = (uint8_t)(0xC0 | c >> 6); b[1] = (uint8_t)(0x80 | (c & 63)); n = 2; }
        else if (c < 0x10000) { b[0] = (uint8_t)(0xE0 | c >> 12); b[1] = (uint8_t)(0x80 | ((c >> 6) & 63)); b[2] = (uint8_t)(0x80 | (c & 63)); n = 3; }
        else { b[0] = (uint8_t)(0xF0 | c >> 18); b[1] = (uint8_t)(0x80 | ((c >> 12) & 63)); b[2] = (uint8_t)(0x80 | ((c >> 6) & 63)); b[3] = (uint8_t)(0x80 | (c & 63)); n = 4; }
        if (full || o + n >= cap) { /* keep the NUL; never overflow, never resume after a cut */
            full = true;
            continue;
        }
        memcpy(out + o, b, n);
        o += n;
    }
    out[o] = 0;
    return terminated;
}

static void decode_membership(nlb_reader *r, nlb_heartbeat *hb)
{
    hb->my_host_id = nlb_rd_le16(r, NLB_OFF_MY_HOST_ID);
    hb->default_host_id = nlb_rd_le16(r, NLB_OFF_DEFAULT_HOST_ID);
    hb->conv_state = nlb_rd_le16(r, NLB_OFF_CONV_STATE);
    hb->num_rules = nlb_rd_le16(r, NLB_OFF_NUM_RULES);
    hb->host_code = nlb_rd_le32(r, NLB_OFF_HOST_CODE);
    hb->packets_handled = nlb_rd_le32(r, NLB_OFF_PACKETS);
    hb->teaming = nlb_rd_le32(r, NLB_OFF_TEAMING);
    hb->reserved = nlb_rd_le32(r, NLB_OFF_RESERVED);
    for (unsigned i = 0; i < NLB_MAX_RULES; i++) {
        nlb_hb_rule *ru = &hb->rules[i];
        if (nlb_rd_has(r, NLB_OFF_RULE_CODES + 4 * i, 4))
            hb->rules_present = (uint8_t)(i + 1);
        ru->code = nlb_rd_le32(r, NLB_OFF_RULE_CODES + 4 * i);
        ru->cur_map = nlb_rd_le64(r, NLB_OFF_CUR_MAP + 8 * i);
        ru->new_map = nlb_rd_le64(r, NLB_OFF_NEW_MAP + 8 * i);
        ru->idle_map = nlb_rd_le64(r, NLB_OFF_IDLE_MAP + 8 * i);
        ru->ready_map = nlb_rd_le64(r, NLB_OFF_READY_MAP + 8 * i);
        ru->load_weight = nlb_rd_le32(r, NLB_OFF_WEIGHTS + 4 * i);
        ru->reserved = nlb_rd_le32(r, NLB_OFF_RESERVED2 + 4 * i);
    }
    if (r->truncated)
        set_status(hb, NLB_TRUNCATED, NLB_F_NONE);
    if (nlb_rd_has(r, NLB_OFF_NUM_RULES, 2) && hb->num_rules > NLB_MAX_RULES)
        set_status(hb, NLB_MALFORMED, NLB_F_RULE_COUNT);
    if (nlb_rd_has(r, NLB_OFF_MY_HOST_ID, 2) && hb->priority >= 1 && hb->priority <= NLB_MAX_PRIORITY &&
        hb->my_host_id != hb->priority - 1)
        set_status(hb, NLB_MALFORMED, NLB_F_MY_HOST_ID);
}

static void decode_extended(nlb_reader *r, nlb_heartbeat *hb)
{
    size_t off = NLB_HB_COMMON_LEN;
    while (off < r->len && hb->n_tlvs < NLB_HB_MAX_TLVS) {
        uint8_t type = nlb_rd_u8(r, off);
        if (type == 0)
            break; /* zero bytes: Ethernet padding after the last TLV */
        if (!nlb_rd_has(r, off, 2)) {
            set_status(hb, NLB_TRUNCATED, NLB_F_TLV_LENGTH);
            break;
        }
        size_t len = (size_t)nlb_rd_u8(r, off + 1) * 8;
        if (len < TLV_HDR_LEN) {
            set_status(hb, NLB_MALFORMED, NLB_F_TLV_LENGTH);
            break;
        }
        nlb_hb_tlv *t = &hb->tlvs[hb->n_tlvs++];
        t->type = type;
        t->length = (uint16_t)len;
        t->offset = (uint16_t)off;
        size_t end = off + len;
        if (end > r->len)
            set_status(hb, NLB_TRUNCATED, NLB_F_TLV_LENGTH); /* decode what is there */
        if (type == 1) {
            if (!utf16le_to_utf8(r, off + TLV_HDR_LEN, end, hb->host_name, sizeof hb->host_name) && end <= r->len)
                set_status(hb, NLB_MALFORMED, NLB_F_TLV_HOST_NAME);
        } else if (type == 2 && len < TLV_HDR_LEN + 2) {
            /* no room for the family: reading it would take the next TLV's bytes (or, at the
             * capture's end, flag truncation on a heartbeat whose status stays OK) */
            set_status(hb, NLB_MALFORMED, NLB_F_TLV_LENGTH);
        } else if (type == 2) {
            uint16_t fam = nlb_rd_le16(r, off + TLV_HDR_LEN);
            size_t alen = fam == NLB_HB_AF_INET ? 4 : fam == NLB_HB_AF_INET6 ? 16 : 0;
            if (!alen) {
                if (nlb_rd_has(r, off + TLV_HDR_LEN, 2))
                    set_status(hb, NLB_MALFORMED, NLB_F_TLV_ADDRESS_FAMILY);
            } else if (TLV_HDR_LEN + 2 + alen > len) {
                set_status(hb, NLB_MALFORMED, NLB_F_TLV_LENGTH);
            } else if (nlb_rd_has(r, off + TLV_HDR_LEN + 2, alen) && hb->n_addrs < NLB_HB_MAX_ADDRS) {
                nlb_ipaddr *a = &hb->addrs[hb->n_addrs++];
                a->family = alen == 4 ? 4 : 6;
                nlb_rd_bytes(r, off + TLV_HDR_LEN + 2, a->a, alen);
            }
        }
        off = end;
    }
}

/* The byte order of LQSR's signature on the wire is not documented here (guess): both are
 * accepted, neither collides with NLB's 0xC0DE01xx. */
static nlb_foreign_kind foreign_of(nlb_reader *r)
{
    if (!nlb_rd_has(r, 0, 4)) return NLB_FOREIGN_UNKNOWN;
    if (nlb_rd_be32(r, 0) == NLB_SIG_XBOX) return NLB_FOREIGN_XBOX;
    if (nlb_rd_le32(r, 0) == NLB_SIG_LQSR || nlb_rd_be32(r, 0) == NLB_SIG_LQSR) return NLB_FOREIGN_LQSR;
    return NLB_FOREIGN_UNKNOWN;
}

const char *nlb_foreign_name(nlb_foreign_kind k)
{
    switch (k) {
    case NLB_FOREIGN_XBOX: return "Xbox wireless adapter";
    case NLB_FOREIGN_LQSR: return "LQSR mesh routing (Microsoft Research)";
    case NLB_FOREIGN_NONE:
    case NLB_FOREIGN_UNKNOWN: break;
    }
    return NULL;
}

nlb_status nlb_hb_decode_legacy(const uint8_t *payload, size_t caplen, nlb_heartbeat *hb)
{
    memset(hb, 0, sizeof *hb);
    nlb_reader r = nlb_rd(payload, caplen);
    hb->captured = r.len;
    hb->legacy = true;
    if (!nlb_rd_has(&r, 0, 4) || (nlb_rd_le32(&r, NLB_OFF_SIGNATURE) & NLB_SIG_FAMILY_MASK) != NLB_SIG_FAMILY) {
        /* without a whole NLB signature nothing says this is NLB: the layout is unknown */
        hb->status = NLB_NOT_NLB;
        hb->bad_field = NLB_F_SIGNATURE;
        return hb->status;
    }
    hb->signature = nlb_rd_le32(&r, NLB_OFF_SIGNATURE);
    hb->kind = kind_of(hb->signature);
    hb->version = nlb_rd_le32(&r, NLB_OFF_VERSION);
    hb->priority = nlb_rd_le32(&r, NLB_OFF_PRIORITY);
    hb->cluster_ip = nlb_rd_be32(&r, NLB_OFF_CLUSTER_IP);
    hb->dedicated_ip = nlb_rd_be32(&r, NLB_OFF_DEDICATED_IP);
    if (r.truncated) {
        hb->truncated = true;
        set_status(hb, NLB_TRUNCATED, NLB_F_NONE);
    } else if (hb->priority < 1 || hb->priority > NLB_MAX_PRIORITY) {
        set_status(hb, NLB_MALFORMED, NLB_F_HOST_PRIORITY);
    }
    return hb->status;
}

nlb_status nlb_hb_decode(const uint8_t *payload, size_t caplen, nlb_heartbeat *hb)
{
    memset(hb, 0, sizeof *hb);
    nlb_reader r = nlb_rd(payload, caplen);
    hb->captured = r.len;
    if (r.len < 4) {
        if (!signature_prefix_plausible(payload, r.len)) {
            hb->status = NLB_NOT_NLB;
            hb->bad_field = NLB_F_SIGNATURE;
            return hb->status;
        }
        hb->truncated = true;
        set_status(hb, NLB_TRUNCATED, NLB_F_SIGNATURE);
        return hb->status;
    }
    hb->signature = nlb_rd_le32(&r, NLB_OFF_SIGNATURE);
    if ((hb->signature & NLB_SIG_FAMILY_MASK) != NLB_SIG_FAMILY) {
        hb->status = NLB_NOT_NLB; /* "XBOX" and friends: never call it NLB */
        hb->bad_field = NLB_F_SIGNATURE;
        hb->foreign = (uint8_t)foreign_of(&r);
        return hb->status;
    }
    hb->kind = kind_of(hb->signature);
    hb->version = nlb_rd_le32(&r, NLB_OFF_VERSION);
    hb->priority = nlb_rd_le32(&r, NLB_OFF_PRIORITY);
    hb->cluster_ip = nlb_rd_be32(&r, NLB_OFF_CLUSTER_IP);
    hb->dedicated_ip = nlb_rd_be32(&r, NLB_OFF_DEDICATED_IP);
    if (r.truncated)
        set_status(hb, NLB_TRUNCATED, NLB_F_NONE);
    if (nlb_rd_has(&r, NLB_OFF_PRIORITY, 4) && (hb->priority < 1 || hb->priority > NLB_MAX_PRIORITY) &&
        hb->kind != NLB_HB_UNKNOWN)
        set_status(hb, NLB_MALFORMED, NLB_F_HOST_PRIORITY);
    switch (hb->kind) {
    case NLB_HB_MEMBERSHIP: decode_membership(&r, hb); break;
    case NLB_HB_EXTENDED: decode_extended(&r, hb); break;
    case NLB_HB_IDENTITY: break; /* body not understood (guess): header only */
    case NLB_HB_UNKNOWN: set_status(hb, NLB_MALFORMED, NLB_F_SIGNATURE); break;
    }
    hb->truncated = r.truncated || hb->status == NLB_TRUNCATED ||
                    (hb->status == NLB_MALFORMED && r.truncated);
    return hb->status;
}

bool nlb_hb_has(const nlb_heartbeat *hb, size_t off, size_t size)
{
    return off <= hb->captured && size <= hb->captured - off;
}

static size_t encode_extended(const nlb_heartbeat *hb, uint8_t *buf, size_t cap)
{
    size_t off = NLB_HB_COMMON_LEN;
    if (hb->host_name[0]) {
        /* UTF-8 -> UTF-16LE, NUL-terminated, padded to 8 bytes. No UTF-8 character needs more
         * 16-bit units than it has bytes, so a full host_name (255 bytes) fits u[] with its NUL;
         * reads stay inside host_name even if the caller forgot the terminator. */
        uint16_t u[NLB_HB_HOST_NAME_MAX + 1];
        size_t n = 0;
        const unsigned char *s = (const unsigned char *)hb->host_name;
        const char *nul = memchr(hb->host_name, 0, sizeof hb->host_name - 1);
        size_t slen = nul ? (size_t)(nul - hb->host_name) : sizeof hb->host_name - 1, si = 0;
        while (si < slen && n + 2 <= NLB_HB_HOST_NAME_MAX) {
            uint32_t c = s[si++];
            size_t more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
            if (more > slen - si) {
                more = 0;
                c = 0xFFFD; /* a character cut at the end of the string */
            } else if (more == 3) {
                c = (c & 7) << 18;
            } else if (more == 2) {
                c = (c & 15) << 12;
            } else if (more == 1) {
                c = (c & 31) << 6;
            } else if (c >= 0x80) {
                c = 0xFFFD; /* a stray continuation byte */
            }
            for (size_t k = more; k > 0; k--)
                c |= (uint32_t)(s[si++] & 63u) << (6 * (k - 1));
            if (c > 0x10FFFF || (c >= 0xD800 && c < 0xE000))
                c = 0xFFFD;
            if (c >= 0x10000) {
                c -= 0x10000;
                u[n++] = (uint16_t)(0xD800 + (c >> 10));
                u[n++] = (uint16_t)(0xDC00 + (c & 0x3FF));
            } else {
                u[n++] = (uint16_t)c;
            }
        }
        u[n++] = 0;
        size_t len = (TLV_HDR_LEN + 2 * n + 7) & ~(size_t)7;
        if (off + len > cap || len / 8 > 255) return 0;
        memset(buf + off, 0, len);
        buf[off] = 1;
        buf[off + 1] = (uint8_t)(len / 8);
        for (size_t i = 0; i < n; i++)
            nlb_put_le16(buf + off + TLV_HDR_LEN + 2 * i, u[i]);
        off += len;
    }
    for (unsigned i = 0; i < hb->n_addrs && i < NLB_HB_MAX_ADDRS; i++) {
        const nlb_ipaddr *a = &hb->addrs[i];
        size_t alen = a->family == 6 ? 16 : 4;
        size_t len = (TLV_HDR_LEN + 2 + alen + 7) & ~(size_t)7;
        if (off + len > cap) return 0;
        memset(buf + off, 0, len);
        buf[off] = 2;
        buf[off + 1] = (uint8_t)(len / 8);
        nlb_put_le16(buf + off + TLV_HDR_LEN, a->family == 6 ? NLB_HB_AF_INET6 : NLB_HB_AF_INET);
        memcpy(buf + off + TLV_HDR_LEN + 2, a->a, alen);
        off += len;
    }
    return off;
}

size_t nlb_hb_encode(const nlb_heartbeat *hb, uint8_t *buf, size_t cap)
{
    if (cap < NLB_HB_COMMON_LEN) return 0;
    nlb_put_le32(buf + NLB_OFF_SIGNATURE, hb->signature);
    nlb_put_le32(buf + NLB_OFF_VERSION, hb->version);
    nlb_put_le32(buf + NLB_OFF_PRIORITY, hb->priority);
    nlb_put_be32(buf + NLB_OFF_CLUSTER_IP, hb->cluster_ip);
    nlb_put_be32(buf + NLB_OFF_DEDICATED_IP, hb->dedicated_ip);
    if (hb->kind == NLB_HB_EXTENDED)
        return encode_extended(hb, buf, cap);
    if (hb->kind != NLB_HB_MEMBERSHIP)
        return NLB_HB_COMMON_LEN;
    if (cap < NLB_HB_MEMBERSHIP_LEN) return 0;
    nlb_put_le16(buf + NLB_OFF_MY_HOST_ID, hb->my_host_id);
    nlb_put_le16(buf + NLB_OFF_DEFAULT_HOST_ID, hb->default_host_id);
    nlb_put_le16(buf + NLB_OFF_CONV_STATE, hb->conv_state);
    nlb_put_le16(buf + NLB_OFF_NUM_RULES, hb->num_rules);
    nlb_put_le32(buf + NLB_OFF_HOST_CODE, hb->host_code);
    nlb_put_le32(buf + NLB_OFF_PACKETS, hb->packets_handled);
    nlb_put_le32(buf + NLB_OFF_TEAMING, hb->teaming);
    nlb_put_le32(buf + NLB_OFF_RESERVED, hb->reserved);
    for (unsigned i = 0; i < NLB_MAX_RULES; i++) {
        const nlb_hb_rule *ru = &hb->rules[i];
        nlb_put_le32(buf + NLB_OFF_RULE_CODES + 4 * i, ru->code);
        nlb_put_le64(buf + NLB_OFF_CUR_MAP + 8 * i, ru->cur_map);
        nlb_put_le64(buf + NLB_OFF_NEW_MAP + 8 * i, ru->new_map);
        nlb_put_le64(buf + NLB_OFF_IDLE_MAP + 8 * i, ru->idle_map);
        nlb_put_le64(buf + NLB_OFF_READY_MAP + 8 * i, ru->ready_map);
        nlb_put_le32(buf + NLB_OFF_WEIGHTS + 4 * i, ru->load_weight);
        nlb_put_le32(buf + NLB_OFF_RESERVED2 + 4 * i, ru->reserved);
    }
    return NLB_HB_MEMBERSHIP_LEN;
}

void nlb_hb_init_membership(nlb_heartbeat *hb, uint32_t vip, uint32_t dip, unsigned priority)
{
    memset(hb, 0, sizeof *hb);
    hb->kind = NLB_HB_MEMBERSHIP;
    hb->signature = NLB_SIG_MEMBERSHIP;
    hb->version = NLB_HB_VERSION_2_6;
    hb->priority = priority;
    hb->cluster_ip = vip;
    hb->dedicated_ip = dip;
    hb->my_host_id = (uint16_t)(priority ? priority - 1 : 0);
    hb->conv_state = NLB_CONV_NORMAL;
    hb->num_rules = 1; /* the default rule alone (guess) */
    hb->captured = NLB_HB_MEMBERSHIP_LEN;
}

char *nlb_hb_version_str(uint32_t version, char *buf)
{
    snprintf(buf, 12, "%u.%u", (version >> 8) & 0xFFu, version & 0xFFu);
    return buf;
}

const char *nlb_hb_kind_name(nlb_hb_kind k)
{
    switch (k) {
    case NLB_HB_MEMBERSHIP: return "membership";
    case NLB_HB_EXTENDED: return "extended";
    case NLB_HB_IDENTITY: return "identity (guess)";
    case NLB_HB_UNKNOWN: break;
    }
    return "unknown";
}

const char *nlb_conv_state_name(uint16_t state)
{
    /* 1 is what the real capture of a healthy cluster shows; the meaning of 2 and 3 is inferred */
    switch (state) {
    case NLB_CONV_NORMAL: return "normal";
    case NLB_CONV_STABLE: return "stable (guess)";
    case NLB_CONV_CONVERGING: return "converging (guess)";
    }
    return "unknown";
}

bool nlb_rule_code_ports(uint32_t code, uint16_t *start, uint16_t *end)
{
    /* (guess) start | end << 12 | 0x61 << 24, fitted to the real capture: only 12-bit ports fit */
    if ((code >> 24) != NLB_RULE_CODE_TAG) return false;
    uint16_t s = code & 0xFFF, e = (code >> 12) & 0xFFF;
    if (s > e) return false;
    *start = s;
    *end = e;
    return true;
}

unsigned nlb_map_count(uint64_t map)
{
    return (unsigned)__builtin_popcountll(map);
}
