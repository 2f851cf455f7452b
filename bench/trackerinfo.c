/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbtrackerinfo: print, as JSON, the tracker's default capacities (what nlbreplay runs with)
 * and the size of its one allocation, so bench/run can state peak RSS against the configured
 * flow table rather than against a guess. */
#include <malloc.h>
#include <stdio.h>

#include "nlbproto/nlbproto.h"

int main(void)
{
    nlb_tracker_config cfg;
    nlb_tracker_config_default(&cfg);
    struct mallinfo2 m0 = mallinfo2();
    nlb_tracker *t = nlb_tracker_new(&cfg);
    struct mallinfo2 m1 = mallinfo2();
    if (!t) {
        fprintf(stderr, "nlbtrackerinfo: nlb_tracker_new failed\n");
        return 1;
    }
    size_t bytes = (m1.hblkhd - m0.hblkhd) + (m1.uordblks - m0.uordblks);
    printf("{\"max_flows\": %zu, \"max_events\": %zu, \"max_clusters\": %u, \"tracker_bytes\": %zu, "
           "\"tracker_bytes_per_flow_slot\": %.1f}\n",
           cfg.max_flows, cfg.max_events, cfg.max_clusters, bytes,
           cfg.max_flows ? (double)bytes / (double)cfg.max_flows : 0.0);
    nlb_tracker_free(t);
    return 0;
}
