/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: capture files in (replay.c). */
#ifndef NLBREPLAY_REPLAY_H
#define NLBREPLAY_REPLAY_H

#include "nlbreplay.h"

/* Feed every frame of the opened inputs, merged by timestamp, up to -c frames. */
void rp_replay(rp_run *r);

#endif
