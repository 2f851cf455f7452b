/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one 64-bit finaliser (MurmurHash3's fmix64 constants) behind every hash table in the
 * library: cheap, and every output bit depends on every input bit. */
#ifndef NLB_MIX_H
#define NLB_MIX_H

#include <stdint.h>

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

#endif
