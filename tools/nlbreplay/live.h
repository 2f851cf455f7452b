/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: live capture (live.c). */
#ifndef NLBREPLAY_LIVE_H
#define NLBREPLAY_LIVE_H

#include "nlbreplay.h"

/* Live capture (live.c): the frames of r->inputs[0] (an interface) until a stop; returns 0, or
 * EXIT 2 when the capture could not start (the message is already on stderr). */
int rp_live(rp_run *r);

/* Open, configure and activate r->opt.iface (promiscuous, immediate, non-blocking, filter set),
 * filling in's link type; NULL after printing why (live-open.c). */
pcap_t *rp_live_open(rp_run *r, rp_input *in);

/* --alert-cmd children (live-alert.c). */
typedef struct rp_alerts {
    unsigned children;           /* started and not yet reaped */
    bool full_said;
} rp_alerts;
/* Run cmd with /bin/sh for diagnostic d (NLB_CODE, NLB_SEVERITY, NLB_MESSAGE, NLB_TIME set),
 * closing close_fds in the child; refuses (once said) while too many still run. */
void rp_alert_run(rp_alerts *a, const char *cmd, const nlb_diag *d, const int *close_fds, int n_close);
/* Collect the alert commands that ended. */
void rp_alerts_reap(rp_alerts *a);

#endif
