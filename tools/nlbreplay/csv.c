/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the flow table as CSV (header row, one row per flow, LF line ends).
 * No field can hold a comma or a quote, so none is quoted; unknown values are empty cells. */
#include <stdio.h>
#include <string.h>

#include "nlbreplay.h"

#define LIT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) += sizeof(s) - 1)

int rp_write_csv(const rp_run *r, FILE *f)
{
    /* predicted_host is the EMULATION's prediction: the column name says so. */
    fputs("proto,client,client_port,vip,vip_port,first_seen,last_seen,rule,bin,predicted_host_emulated,"
          "observed_host,answered,syns,frames\n",
          f);
    size_t n = nlb_tracker_flow_count(r->t);
    for (size_t i = 0; i < n; i++) {
        const nlb_flow_info *fl = nlb_tracker_flow(r->t, i);
        /* One row built by hand (a row is under 300 bytes) and written at once: a table of a
         * million flows is too many fprintf calls. */
        char row[320], *p = row;
        p = rp_proto_put(fl->proto, p);
        *p++ = ',';
        p = nlb_ipaddr_put(&fl->client, p);
        *p++ = ',';
        p = cm_u64_put(fl->cport, p);
        *p++ = ',';
        p = nlb_ipaddr_put(&fl->vip, p);
        *p++ = ',';
        p = cm_u64_put(fl->vport, p);
        *p++ = ',';
        p = cm_micro_put(fl->first_seen, p);
        *p++ = ',';
        p = cm_micro_put(fl->last_seen, p);
        *p++ = ',';
        if (fl->rule >= 0)
            p = cm_u64_put((uint64_t)fl->rule + 1, p);
        *p++ = ',';
        p = cm_u64_put(fl->bin, p);
        *p++ = ',';
        if (fl->predicted_host)
            p = cm_u64_put(fl->predicted_host, p);
        *p++ = ',';
        if (fl->observed_host)
            p = cm_u64_put(fl->observed_host, p);
        if (fl->answered)
            LIT(p, ",true,");
        else
            LIT(p, ",false,");
        p = cm_u64_put(fl->syns, p);
        *p++ = ',';
        p = cm_u64_put(fl->frames, p);
        *p++ = '\n';
        fwrite(row, 1, (size_t)(p - row), f);
    }
    return ferror(f) ? -1 : 0;
}
