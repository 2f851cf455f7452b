/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helpers: a tiny classic-pcap reader (tests of the library must not need libpcap) and the
 * CUnit runner boilerplate. */
#ifndef NLB_TESTUTIL_H
#define NLB_TESTUTIL_H

#include <CUnit/Basic.h>
#include <stddef.h>
#include <stdint.h>

#include "nlbproto/nlbproto.h"

typedef struct nlbt_frame {
    nlb_usec ts;
    uint32_t caplen, wirelen;
    const uint8_t *data;
} nlbt_frame;

typedef struct nlbt_capture {
    int linktype;
    size_t n;
    nlbt_frame *frames;
    uint8_t *blob;
} nlbt_capture;

/* Load a classic pcap (µs or ns) into memory; path relative to the source tree if not absolute. Aborts the test program on error. */
nlbt_capture nlbt_load(const char *path);
/* Free a loaded capture. */
void nlbt_free(nlbt_capture *c);
/* Absolute path of a file in the source tree (static buffer). */
const char *nlbt_src(const char *rel);
/* Run the registered CUnit suites; returns the number of failures (read before cleanup). */
int nlbt_run(void);

/* Register a suite of {name, fn} tests, NULL-terminated. */
#define NLBT_SUITE(name, ...)                                                   \
    do {                                                                        \
        CU_pSuite s_ = CU_add_suite(name, NULL, NULL);                          \
        struct { const char *n; CU_TestFunc f; } t_[] = { __VA_ARGS__ };        \
        for (size_t i_ = 0; i_ < sizeof t_ / sizeof t_[0]; i_++)                \
            CU_add_test(s_, t_[i_].n, t_[i_].f);                                \
    } while (0)
#define NLBT(fn) { #fn, fn }

#endif
