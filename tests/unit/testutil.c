/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *nlbt_src(const char *rel)
{
    static char buf[4096];
    if (rel[0] == '/')
        return rel;
    snprintf(buf, sizeof buf, "%s/%s", NLB_SOURCE_DIR, rel);
    return buf;
}

static uint32_t rd32(const uint8_t *p, int swap)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return swap ? __builtin_bswap32(v) : v;
}

nlbt_capture nlbt_load(const char *path)
{
    nlbt_capture c;
    memset(&c, 0, sizeof c);
    const char *full = nlbt_src(path);
    FILE *f = fopen(full, "rb");
    if (!f) { perror(full); exit(99); }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    c.blob = malloc((size_t)size + 1);
    if (!c.blob || fread(c.blob, 1, (size_t)size, f) != (size_t)size) { perror(full); exit(99); }
    fclose(f);
    if (size < 24) { fprintf(stderr, "%s: too short\n", full); exit(99); }
    uint32_t magic = rd32(c.blob, 0);
    int swap = 0, nsec = 0;
    if (magic == 0xa1b2c3d4) ;
    else if (magic == 0xa1b23c4d) nsec = 1;
    else if (magic == 0xd4c3b2a1) swap = 1;
    else if (magic == 0x4d3cb2a1) swap = nsec = 1;
    else { fprintf(stderr, "%s: not a classic pcap\n", full); exit(99); }
    c.linktype = (int)(rd32(c.blob + 20, swap) & 0x0FFFFFFF);
    size_t cap = 64;
    c.frames = malloc(cap * sizeof *c.frames);
    for (size_t off = 24; off + 16 <= (size_t)size;) {
        uint32_t sec = rd32(c.blob + off, swap), frac = rd32(c.blob + off + 4, swap);
        uint32_t incl = rd32(c.blob + off + 8, swap), orig = rd32(c.blob + off + 12, swap);
        if (off + 16 + incl > (size_t)size) break;
        if (c.n == cap) c.frames = realloc(c.frames, (cap *= 2) * sizeof *c.frames);
        nlbt_frame *fr = &c.frames[c.n++];
        fr->ts = (nlb_usec)sec * 1000000 + (nsec ? frac / 1000 : frac);
        fr->caplen = incl;
        fr->wirelen = orig;
        fr->data = c.blob + off + 16;
        off += 16 + incl;
    }
    return c;
}

void nlbt_free(nlbt_capture *c)
{
    free(c->frames);
    free(c->blob);
    memset(c, 0, sizeof *c);
}

int nlbt_run(void)
{
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    /* read before cleanup: CU_cleanup_registry() resets the counters */
    int failures = (int)CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
