/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "putnum.h"

/* Two digits at a time: half the divisions of a digit loop. */
const char cm_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

char *cm_i64_put(int64_t v, char *p)
{
    uint64_t u = (uint64_t)v;
    if (v < 0) {
        *p++ = '-';
        u = 0 - u; /* unsigned: INT64_MIN too */
    }
    return cm_u64_put(u, p);
}

char *cm_micro_put(int64_t us, char *p)
{
    uint64_t u = (uint64_t)us;
    if (us < 0) {
        *p++ = '-';
        u = 0 - u;
    }
    p = cm_u64_put(u / 1000000, p);
    unsigned f = (unsigned)(u % 1000000);
    unsigned hi = f / 10000, mid = f / 100 % 100, lo = f % 100;
    *p++ = '.';
    memcpy(p, cm_digit_pairs + 2 * hi, 2);
    memcpy(p + 2, cm_digit_pairs + 2 * mid, 2);
    memcpy(p + 4, cm_digit_pairs + 2 * lo, 2);
    return p + 6;
}
