/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlb_hb_decode on arbitrary 0x886F payloads: never out of bounds, invariants hold, and a payload
 * that decodes OK survives encode/decode unchanged. */
#include "check_hb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static nlb_heartbeat hb;
    nlb_hb_decode(data, size, &hb);
    fuzz_check_hb(&hb, data, size);
    fuzz_check_roundtrip(&hb, data, size);
    /* whatever the status, encoding what was decoded must respect the buffer it is given */
    size_t cap = size < 4096 ? size : 4096;
    fuzz_encode_exact(&hb, cap, NULL, 0);
    return 0;
}
