/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fuzz_tracker input format, shared by the target and the seed generator so seeds stay valid:
 *
 *   byte 0      configuration (TRK_CFG_* bits below)
 *   then frames, each: u8 dt, u16 length (little-endian), length bytes (cut at the input's end)
 *
 * dt is the gap since the previous frame: dt < 200 means dt x 10 ms, otherwise (dt - 199) s, so
 * both heartbeat periods and multi-second silences are a single byte away. */
#ifndef NLB_FUZZ_TRACKER_INPUT_H
#define NLB_FUZZ_TRACKER_INPUT_H

#include <stdint.h>

#define TRK_CFG_LINK_MASK 0x03u   /* index into Ethernet, SLL, SLL2, Ethernet */
#define TRK_CFG_USER_VIPS 0x04u   /* pass --vip style user VIPs */
#define TRK_CFG_RULES 0x08u       /* configure port rules in the model */
#define TRK_CFG_AFF_SHIFT 4       /* 2 bits: affinity of those rules */
#define TRK_CFG_WITHOUT 0x40u     /* what-if: without host 2 */
#define TRK_CFG_EPOCH 0x80u       /* timestamps from a real epoch instead of 0 */

#define TRK_FRAME_HDR 3

static inline int64_t trk_dt_usec(uint8_t dt)
{
    return dt < 200 ? (int64_t)dt * 10000 : (int64_t)(dt - 199) * 1000000;
}

#endif
