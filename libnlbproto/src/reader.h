/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one bounded reader of libnlbproto (internal). Every byte a decoder looks at comes through
 * these accessors: a read past the captured end yields 0 and sets r->truncated, so decoders can
 * keep going over what was captured and report NLB_TRUNCATED instead of reading out of bounds. */
#ifndef NLBPROTO_READER_H
#define NLBPROTO_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct nlb_reader {
    const uint8_t *p;
    size_t len;
    bool truncated;
} nlb_reader;

static inline nlb_reader nlb_rd(const uint8_t *p, size_t len)
{
    nlb_reader r = { p, p ? len : 0, false };
    return r;
}

/* True when [off, off+n) lies inside the captured bytes; overflow-safe. */
static inline bool nlb_rd_has(const nlb_reader *r, size_t off, size_t n)
{
    return off <= r->len && n <= r->len - off;
}

static inline bool nlb_rd_check(nlb_reader *r, size_t off, size_t n)
{
    if (nlb_rd_has(r, off, n))
        return true;
    r->truncated = true;
    return false;
}

static inline uint8_t nlb_rd_u8(nlb_reader *r, size_t off)
{
    return nlb_rd_check(r, off, 1) ? r->p[off] : 0;
}

static inline uint16_t nlb_rd_be16(nlb_reader *r, size_t off)
{
    if (!nlb_rd_check(r, off, 2)) return 0;
    return (uint16_t)(r->p[off] << 8 | r->p[off + 1]);
}

static inline uint16_t nlb_rd_le16(nlb_reader *r, size_t off)
{
    if (!nlb_rd_check(r, off, 2)) return 0;
    return (uint16_t)(r->p[off + 1] << 8 | r->p[off]);
}

static inline uint32_t nlb_rd_be32(nlb_reader *r, size_t off)
{
    if (!nlb_rd_check(r, off, 4)) return 0;
    const uint8_t *q = r->p + off;
    return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}

static inline uint32_t nlb_rd_le32(nlb_reader *r, size_t off)
{
    if (!nlb_rd_check(r, off, 4)) return 0;
    const uint8_t *q = r->p + off;
    return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

static inline uint64_t nlb_rd_le64(nlb_reader *r, size_t off)
{
    if (!nlb_rd_check(r, off, 8)) return 0;
    return (uint64_t)nlb_rd_le32(r, off + 4) << 32 | nlb_rd_le32(r, off);
}

/* Copy n bytes to dst; on truncation dst is zero-filled and false returned. */
static inline bool nlb_rd_bytes(nlb_reader *r, size_t off, void *dst, size_t n)
{
    if (!nlb_rd_check(r, off, n)) {
        memset(dst, 0, n);
        return false;
    }
    memcpy(dst, r->p + off, n);
    return true;
}

/* A sub-reader over [off, len); empty (and truncated) when off is past the end. */
static inline nlb_reader nlb_rd_sub(nlb_reader *r, size_t off)
{
    if (off > r->len) {
        r->truncated = true;
        return nlb_rd(NULL, 0);
    }
    return nlb_rd(r->p + off, r->len - off);
}

/* Writers for encoders: little/big endian stores into a buffer known to be large enough. */
static inline void nlb_put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void nlb_put_le32(uint8_t *p, uint32_t v) { nlb_put_le16(p, (uint16_t)v); nlb_put_le16(p + 2, (uint16_t)(v >> 16)); }
static inline void nlb_put_le64(uint8_t *p, uint64_t v) { nlb_put_le32(p, (uint32_t)v); nlb_put_le32(p + 4, (uint32_t)(v >> 32)); }
static inline void nlb_put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void nlb_put_be32(uint8_t *p, uint32_t v) { nlb_put_be16(p, (uint16_t)(v >> 16)); nlb_put_be16(p + 2, (uint16_t)v); }

/* Keep the worse of two statuses (see nlb_status ordering). */
#define NLB_WORSE(a, b) ((a) > (b) ? (a) : (b))

#endif
