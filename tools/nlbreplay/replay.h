/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: capture files in (replay.c). */
#ifndef NLBREPLAY_REPLAY_H
#define NLBREPLAY_REPLAY_H

#include "nlbreplay.h"

/* Open in->name ("-" = stdin) and compile the filter for it; on failure in->opened stays false
 * and the reason is in in->errors (and on stderr). */
void rp_open_input(rp_run *r, rp_input *in);
/* Feed every frame of the opened inputs, merged by timestamp, up to -c frames. */
void rp_replay(rp_run *r);

#endif
