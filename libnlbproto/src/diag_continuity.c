/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wording of the continuity diagnostics (fields: diag.c's table, NLB-021/022/023). */
#include <inttypes.h>
#include <stdio.h>

#include "diag_int.h"
#include "nlbproto/types.h"

size_t nlb_diag_format_continuity(const nlb_diag *d, char *buf, size_t len)
{
    if (!len) return 0;
    char vip[16], cl[16], t[16];
    nlb_ip4_str(d->vip, vip);
    nlb_time_str(d->time + d->duration, t);
    if (d->n2) nlb_ip4_str(d->n2, cl);
    else snprintf(cl, sizeof cl, "(IPv6 client)");
    unsigned from = d->n4 & 0xFF, to = d->n4 >> 8 & 0xFF, conv = d->n4 >> 16 & 1;
    const char *proto = d->code == NLB_D_UDP_OWNER_MOVED ? "UDP" : "TCP";
    const char *what = d->code == NLB_D_RST_NOT_OWNER ? "reset (RST) by" : "by";
    const char *unit = d->code == NLB_D_UDP_OWNER_MOVED ? "flow" : "connection";
    int n = snprintf(buf, len, "%s %s:%" PRIu32 " -> %s:%u answered by host %u, then %s host %u at %s%s (%.3f s later); "
                     "%" PRIu32 " such %s%s to %s in all: ",
                     proto, cl, d->n3, vip, d->port, from, what, to, t, conv ? " during a convergence" : "",
                     (double)d->duration / 1e6, d->n1, unit, d->n1 == 1 ? "" : "s", vip);
    if (n < 0) { buf[0] = 0; return 0; }
    size_t pos = (size_t)n < len ? (size_t)n : len - 1;
    const char *advice;
    if (d->code == NLB_D_UDP_OWNER_MOVED)
        advice = "NLB keeps no UDP connection state, so a flow may move to its bin's new owner at convergence; "
                 "an application that needs one host per flow must tolerate it or use affinity";
    else if (d->code == NLB_D_RST_NOT_OWNER)
        advice = "a host that never accepted the connection reset it, so the client's packets reached it: NLB keeps "
                 "a TCP connection on its first host across convergence; check for hosts disagreeing on bin "
                 "ownership, connection tracking lost by a restart, or the switch sending the VIP's traffic to one host";
    else
        advice = "NLB keeps a TCP connection on the host that accepted it across convergence, so a second host "
                 "answering means both took the client's packets: check for hosts disagreeing on bin ownership "
                 "or a host that lost its connection state";
    snprintf(buf + pos, len - pos, "%s", advice);
    for (; pos < len && buf[pos]; pos++) {}
    return pos;
}
