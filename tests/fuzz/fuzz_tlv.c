/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Extended heartbeats: a fixed, valid 20-byte common header (signature 0xC0DE01C0) is put in front
 * of the input so every mutation lands in the TLV walk, the UTF-16 host name and the addresses. */
#include "check_hb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static nlb_heartbeat hb;
    static const uint8_t head[NLB_HB_COMMON_LEN] = {
        0xC0, 0x01, 0xDE, 0xC0, /* signature, little-endian */
        0x06, 0x02, 0x00, 0x00, /* version 2.6 */
        0x01, 0x00, 0x00, 0x00, /* priority 1 */
        192, 168, 100, 80,      /* cluster IP */
        192, 168, 100, 81,      /* dedicated IP */
    };
    if (size > 65536)
        return 0; /* a heartbeat lives in one Ethernet frame; longer inputs only cost time */
    size_t n = sizeof head + size;
    uint8_t *p = malloc(n); /* exact size: ASan flags any read past the TLVs */
    FUZZ_CHECK(p != NULL);
    memcpy(p, head, sizeof head);
    if (size)
        memcpy(p + sizeof head, data, size);
    nlb_hb_decode(p, n, &hb);
    FUZZ_CHECK(hb.kind == NLB_HB_EXTENDED);
    FUZZ_CHECK(hb.status != NLB_NOT_NLB);
    fuzz_check_hb(&hb, p, n);
    fuzz_check_roundtrip(&hb, p, n);
    free(p);
    return 0;
}
