/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Number writers for the tools' report writers: digits straight into a caller's buffer, no NUL,
 * no locale, no printf format parsing (a big report writes hundreds of millions of numbers). */
#ifndef NLB_TOOLS_PUTNUM_H
#define NLB_TOOLS_PUTNUM_H

#include <stdint.h>
#include <string.h>

extern const char cm_digit_pairs[201]; /* "00" "01" ... "99" */

/* Decimal v at p, without a NUL; returns the end (room needed: 20 bytes). Inline: writers call
 * it for nearly every number of a flow line, most of them one or two digits. */
static inline char *cm_u64_put(uint64_t v, char *p)
{
    if (v < 10) {
        *p = (char)('0' + v);
        return p + 1;
    }
    if (v < 100) {
        memcpy(p, cm_digit_pairs + 2 * v, 2);
        return p + 2;
    }
    unsigned n;
    if (v <= UINT32_MAX) {
        /* times in seconds, counts: 32-bit arithmetic, digits counted by comparisons */
        uint32_t x = (uint32_t)v;
        n = x < 100000u ? (x < 1000u ? 3 : x < 10000u ? 4 : 5)
          : x < 10000000u ? (x < 1000000u ? 6 : 7)
          : x < 100000000u ? 8 : x < 1000000000u ? 9 : 10;
        char *q = p + n;
        while (x >= 100) {
            uint32_t r = x % 100;
            x /= 100;
            q -= 2;
            memcpy(q, cm_digit_pairs + 2 * r, 2);
        }
        if (x >= 10)
            memcpy(q - 2, cm_digit_pairs + 2 * x, 2);
        else
            q[-1] = (char)('0' + x);
        return p + n;
    }
    n = 10; /* v > UINT32_MAX: 10 to 20 digits */
    for (uint64_t pow = 10000000000u; n < 20 && v >= pow; pow *= 10)
        n++;
    char *q = p + n;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        q -= 2;
        memcpy(q, cm_digit_pairs + 2 * r, 2);
    }
    if (v >= 10)
        memcpy(q - 2, cm_digit_pairs + 2 * v, 2);
    else
        q[-1] = (char)('0' + v);
    return p + n;
}

/* Signed decimal v at p, without a NUL; returns the end (room: 21). */
char *cm_i64_put(int64_t v, char *p);
/* Microseconds as seconds with exactly six decimals ("-1.000250"), from integers, so no float
 * rounding; returns the end (room: 28). */
char *cm_micro_put(int64_t us, char *p);

#endif
