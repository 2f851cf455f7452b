/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: after a read error in an uncompressed pcapng file, walk its block chain to say
 * what is wrong and where, in words ("corrupt pcapng: block length 1 at offset 1234"), rather
 * than the reader's own text. Only runs once an error happened, so the extra pass costs
 * nothing on good files. */
#include <stdio.h>
#include <string.h>

#include "read-int.h"

#define SHB_TYPE 0x0A0D0D0Au
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du

static uint32_t get32(const uint8_t *b, bool big)
{
    return big ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
               : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

/* The first fault of the chain from offset 0 into msg; false when the chain is sound. */
static bool walk(FILE *f, uint64_t size, char *msg, size_t len)
{
    uint64_t off = 0;
    bool big = false;
    uint8_t h[12];
    while (off < size) {
        if (fseeko(f, (off_t)off, SEEK_SET) != 0)
            return false;
        size_t n = fread(h, 1, sizeof h, f);
        if (n < 8) {
            snprintf(msg, len, "corrupt pcapng: the file ends inside the block header at offset %llu",
                     (unsigned long long)off);
            return true;
        }
        if (get32(h, false) == SHB_TYPE) {
            if (n < 12) {
                snprintf(msg, len, "corrupt pcapng: the file ends inside the section header at offset %llu",
                         (unsigned long long)off);
                return true;
            }
            uint32_t bom = get32(h + 8, false);
            if (bom != BYTE_ORDER_MAGIC && get32(h + 8, true) != BYTE_ORDER_MAGIC) {
                snprintf(msg, len, "corrupt pcapng: section header at offset %llu has no byte-order magic",
                         (unsigned long long)off);
                return true;
            }
            big = bom != BYTE_ORDER_MAGIC;
        }
        uint32_t type = get32(h, big), blen = get32(h + 4, big);
        if (blen < 12 || blen % 4 != 0) {
            snprintf(msg, len, "corrupt pcapng: block length %lu at offset %llu (block type %lu; a block "
                     "is at least 12 bytes and a multiple of 4)", (unsigned long)blen, (unsigned long long)off,
                     (unsigned long)type);
            return true;
        }
        if (off + blen > size) {
            snprintf(msg, len, "corrupt pcapng: block at offset %llu claims %lu bytes but the file ends %llu "
                     "bytes later (cut short?)", (unsigned long long)off, (unsigned long)blen,
                     (unsigned long long)(size - off));
            return true;
        }
        uint8_t t[4];
        if (fseeko(f, (off_t)(off + blen - 4), SEEK_SET) != 0 || fread(t, 1, 4, f) != 4)
            return false;
        if (get32(t, big) != blen) {
            snprintf(msg, len, "corrupt pcapng: block at offset %llu starts with length %lu but ends with %lu",
                     (unsigned long long)off, (unsigned long)blen, (unsigned long)get32(t, big));
            return true;
        }
        off += blen;
    }
    return false;
}

bool rp_pcapng_check(const rp_input *in, char *msg, size_t len)
{
    if (strcmp(in->format, "pcapng") != 0 || in->compression[0] || !in->size)
        return false;
    FILE *f = fopen(in->name, "rb");
    if (!f)
        return false;
    bool found = walk(f, in->size, msg, len);
    fclose(f);
    return found;
}
