/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small tshark inside a test: libwireshark's dissection engine with the nlb plugin linked in
 * (its register and handoff functions called directly, no plugin loading), one capture session
 * at a time, frames fed one by one as tshark's first pass does, visited frames re-dissected as
 * tshark -2 and the GUI do. Used by the plugin fuzz target and the reload test.
 * Every Wireshark-version difference the harness meets is kept in harness.c, switched on
 * NLB_WS_MAJOR/NLB_WS_MINOR from plugin/nlb-compat.h. */
#ifndef NLB_FUZZ_HARNESS_H
#define NLB_FUZZ_HARNESS_H

#include <stdint.h>

typedef struct nlbh_mode {
    int two_pass; /* at close, re-dissect every frame, visited (tshark -2), with trees when tree */
    int tree;
} nlbh_mode;

/* Once per process: wiretap, epan, every built-in protocol plus the plugin. Exits on failure.
 * Frees what it made at exit (atexit). */
void nlbh_init(void);
/* The same without the plugin when plugin is 0 (a baseline to measure the plugin against), and
 * with Wireshark's own pool allocators when plain_malloc is 0 (nlbh_init: every wmem pool plain
 * malloc, so ASan sees overruns inside them). */
void nlbh_init_with(int plugin, int plain_malloc);

/* Preference combinations that change the plugin's code paths (annotation off, user VIPs with a
 * bad entry, thousands of VIPs, port-rule files good, bad and missing, extreme periods, bins and
 * tolerances). Applied as the GUI applies a preference change; takes effect at the next open. */
unsigned nlbh_pref_combos(void);
void nlbh_prefs(unsigned combo);
/* The combination's settings, "name:value" separated by blanks (for messages). */
const char *nlbh_prefs_describe(unsigned combo);

/* A capture session: epan_new (init routines), frames, epan_free (cleanup routines). */
void nlbh_open(const nlbh_mode *mode);
/* Dissect one more frame, first pass. encap: WTAP_ENCAP_*; len >= caplen (snaplen cut). The
 * bytes are copied. tree: build the protocol tree, fill the columns and print it all (tshark -V).
 * Returns the frame number. */
uint32_t nlbh_frame(int encap, const uint8_t *data, uint32_t caplen, uint32_t len, int64_t usec, int tree);
/* Re-dissect frame num (1-based, already dissected), as the GUI does on a click. */
void nlbh_revisit(uint32_t num, int tree);
uint32_t nlbh_frames(void);
int nlbh_is_open(void);
/* The mode's second pass now rather than at close (so its results can be read before). */
void nlbh_second_pass(void);
void nlbh_close(void);

/* Ethernet frame -> the same frame as Linux cooked capture (SLL when v2 == 0, else SLL2).
 * out needs n + 6 bytes; returns its length, 0 when eth is shorter than an Ethernet header. */
uint32_t nlbh_to_cooked(const uint8_t *eth, uint32_t n, uint8_t *out, int v2);

#endif
