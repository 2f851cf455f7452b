/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: inputs taken at several capture points (--at): the vantage's passes (points.c) and
 * its report sections (out-points.c). */
#ifndef NLBREPLAY_POINTS_H
#define NLBREPLAY_POINTS_H

#include "json.h"
#include "nlbreplay.h"

/* After the inputs are opened: labels, the vantage, the user's offsets, the calibration pass,
 * and every input opened again from its start. 0, or the exit status of a usage error. */
int rp_points_setup(rp_run *r);
/* The inputs merged on the reference clock into the vantage (every copy) and the tracker (the
 * first copy of each frame); finishes the vantage. */
void rp_points_replay(rp_run *r);
/* Report sections: capture points, their clock offsets, the delivery matrix, and the vantage's
 * diagnostics. */
void rp_points_text(FILE *f, const rp_run *r);
void rp_points_json(jw *w, const rp_run *r);
/* The most severe of the vantage's diagnostics (-1 when none), for --fail-on. */
int rp_points_worst(const rp_run *r);

#endif
