/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "nlbproto/types.h"

const char *nlb_field_name(nlb_field f)
{
    static const char *const names[NLB_F_COUNT_] = {
        [NLB_F_NONE] = "none",
        [NLB_F_SIGNATURE] = "signature",
        [NLB_F_HOST_PRIORITY] = "host priority",
        [NLB_F_RULE_COUNT] = "rule count",
        [NLB_F_MY_HOST_ID] = "my host id",
        [NLB_F_TLV_LENGTH] = "TLV length",
        [NLB_F_TLV_ADDRESS_FAMILY] = "TLV address family",
        [NLB_F_TLV_HOST_NAME] = "TLV host name",
        [NLB_F_ARP_HW] = "ARP hardware/protocol type",
        [NLB_F_ARP_OPCODE] = "ARP opcode",
        [NLB_F_IP_HEADER_LENGTH] = "IP header length",
        [NLB_F_IP_VERSION] = "IP version",
        [NLB_F_SLL_HEADER] = "SLL header",
        [NLB_F_LINKTYPE] = "link type",
        [NLB_F_LENGTH] = "length",
    };
    return (unsigned)f < NLB_F_COUNT_ && names[f] ? names[f] : "?";
}

const char *nlb_status_name(nlb_status s)
{
    switch (s) {
    case NLB_OK: return "ok";
    case NLB_TRUNCATED: return "truncated";
    case NLB_MALFORMED: return "malformed";
    case NLB_NOT_NLB: return "not NLB";
    }
    return "?";
}

/* The address writers are hand-written: a json report of a million flows formats two million
 * addresses, and snprintf spent ~1750 instructions on each (issue 8). */
static const char hexdig[] = "0123456789abcdef";

static inline char *put_dec8(char *p, unsigned v)
{
    if (v >= 100) {
        unsigned h = v / 100;
        v -= h * 100;
        *p++ = (char)('0' + h);
        *p++ = (char)('0' + v / 10);
    } else if (v >= 10) {
        *p++ = (char)('0' + v / 10);
    }
    *p++ = (char)('0' + v % 10);
    return p;
}

char *nlb_ip4_put(uint32_t ip, char *p)
{
    p = put_dec8(p, ip >> 24);
    *p++ = '.';
    p = put_dec8(p, (ip >> 16) & 255);
    *p++ = '.';
    p = put_dec8(p, (ip >> 8) & 255);
    *p++ = '.';
    return put_dec8(p, ip & 255);
}

char *nlb_ip4_str(uint32_t ip, char *buf)
{
    *nlb_ip4_put(ip, buf) = '\0';
    return buf;
}

/* A 16-bit group in lower-case hex without leading zeros ("%x"). */
static inline char *put_hex16(char *p, unsigned v)
{
    if (v >= 0x1000)
        *p++ = hexdig[v >> 12];
    if (v >= 0x100)
        *p++ = hexdig[(v >> 8) & 15];
    if (v >= 0x10)
        *p++ = hexdig[(v >> 4) & 15];
    *p++ = hexdig[v & 15];
    return p;
}

char *nlb_ipaddr_put(const nlb_ipaddr *ip, char *p)
{
    if (ip->family == 4)
        return nlb_ip4_put(nlb_ipaddr_to_v4(ip), p);
    if (ip->family != 6) {
        *p++ = '-';
        return p;
    }
    /* RFC 5952: longest run (>= 2) of zero groups becomes "::". */
    uint16_t g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (uint16_t)(ip->a[2 * i] << 8 | ip->a[2 * i + 1]);
    int best = -1, bestlen = 1;
    for (int i = 0; i < 8;) {
        if (g[i]) { i++; continue; }
        int j = i;
        while (j < 8 && !g[j]) j++;
        if (j - i > bestlen) { best = i; bestlen = j - i; }
        i = j;
    }
    /* RFC 5952 section 5: IPv4-mapped addresses keep their dotted quad (::ffff:192.0.2.1). */
    if (best == 0 && bestlen == 5 && g[5] == 0xFFFF) {
        memcpy(p, "::ffff:", 7);
        p += 7;
        return nlb_ip4_put((uint32_t)ip->a[12] << 24 | (uint32_t)ip->a[13] << 16 | (uint32_t)ip->a[14] << 8
                           | ip->a[15], p);
    }
    char *start = p;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            *p++ = ':';
            *p++ = ':';
            i += bestlen - 1;
            continue;
        }
        if (p != start && p[-1] != ':')
            *p++ = ':';
        p = put_hex16(p, g[i]);
    }
    return p;
}

char *nlb_ipaddr_str(const nlb_ipaddr *ip, char *buf)
{
    *nlb_ipaddr_put(ip, buf) = '\0';
    return buf;
}

char *nlb_mac_put(const uint8_t m[6], char *p)
{
    for (int i = 0; i < 6; i++) {
        if (i)
            *p++ = ':';
        *p++ = hexdig[m[i] >> 4];
        *p++ = hexdig[m[i] & 15];
    }
    return p;
}

char *nlb_mac_str(const uint8_t m[6], char *buf)
{
    *nlb_mac_put(m, buf) = '\0';
    return buf;
}

/* Strict on purpose: sscanf("%u") let through blanks, signs ("1.2.3.-0", "+1.2.3.4") and
 * " 1.2.3.4". Each part is 1-3 decimal digits; leading zeros are read as decimal, never octal. */
bool nlb_ip4_parse(const char *s, uint32_t *out)
{
    if (!s || !out)
        return false;
    uint32_t v = 0;
    for (int part = 0; part < 4; part++) {
        if (part && *s++ != '.')
            return false;
        unsigned x = 0, digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            x = x * 10 + (unsigned)(*s++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || x > 255)
            return false;
        v = v << 8 | x;
    }
    if (*s)
        return false;
    *out = v;
    return true;
}

nlb_ipaddr nlb_ipaddr_v4(uint32_t ip)
{
    nlb_ipaddr r;
    memset(&r, 0, sizeof r);
    r.family = 4;
    r.a[0] = (uint8_t)(ip >> 24); r.a[1] = (uint8_t)(ip >> 16);
    r.a[2] = (uint8_t)(ip >> 8); r.a[3] = (uint8_t)ip;
    return r;
}

uint32_t nlb_ipaddr_to_v4(const nlb_ipaddr *ip)
{
    if (ip->family != 4) return 0;
    return (uint32_t)ip->a[0] << 24 | (uint32_t)ip->a[1] << 16 | (uint32_t)ip->a[2] << 8 | ip->a[3];
}
