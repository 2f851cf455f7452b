/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the flow table as CSV (header row, one row per flow, LF line ends).
 * No field can hold a comma or a quote, so none is quoted; unknown values are empty cells. */
#include <inttypes.h>
#include <stdio.h>

#include "nlbreplay.h"

static void usec(FILE *f, nlb_usec t)
{
    if (t < 0) {
        fputc('-', f);
        t = -t;
    }
    fprintf(f, "%" PRId64 ".%06" PRId64, t / 1000000, t % 1000000);
}

int rp_write_csv(const rp_run *r, FILE *f)
{
    /* predicted_host is the EMULATION's prediction: the column name says so. */
    fputs("proto,client,client_port,vip,vip_port,first_seen,last_seen,rule,bin,predicted_host_emulated,"
          "observed_host,answered,syns,frames\n",
          f);
    size_t n = nlb_tracker_flow_count(r->t);
    for (size_t i = 0; i < n; i++) {
        const nlb_flow_info *fl = nlb_tracker_flow(r->t, i);
        char pb[8], c[46], v[46];
        fprintf(f, "%s,%s,%u,%s,%u,", rp_proto_str(fl->proto, pb), nlb_ipaddr_str(&fl->client, c), fl->cport,
                nlb_ipaddr_str(&fl->vip, v), fl->vport);
        usec(f, fl->first_seen);
        fputc(',', f);
        usec(f, fl->last_seen);
        fputc(',', f);
        if (fl->rule >= 0)
            fprintf(f, "%d", fl->rule + 1);
        fprintf(f, ",%u,", fl->bin);
        if (fl->predicted_host)
            fprintf(f, "%u", fl->predicted_host);
        fputc(',', f);
        if (fl->observed_host)
            fprintf(f, "%u", fl->observed_host);
        fprintf(f, ",%s,%" PRIu32 ",%" PRIu64 "\n", fl->answered ? "true" : "false", fl->syns, fl->frames);
    }
    return ferror(f) ? -1 : 0;
}
