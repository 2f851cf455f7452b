/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the flow table as CSV (header row, one row per flow, LF line ends; the columns
 * are columns.h's).
 * No field can hold a comma or a quote, so none is quoted; unknown values are empty cells. */
#include <stdio.h>
#include <string.h>

#include "columns.h"

int rp_write_csv(const rp_run *r, FILE *f)
{
    for (unsigned c = 0; c < RP_FLOW_NCOLS; c++) {
        if (c)
            fputc(',', f);
        fputs(rp_flow_columns[c].csv, f);
    }
    fputc('\n', f);
    size_t n = nlb_tracker_flow_count(r->t);
    for (size_t i = 0; i < n; i++) {
        const nlb_flow_info *fl = nlb_tracker_flow(r->t, i);
        const rp_flow_refs fr = rp_flow_refs_of(r, fl);
        /* One row built by hand and written at once: a table of a million flows is too many
         * fprintf calls. */
        char row[RP_FLOW_NCOLS * (RP_FLOW_CELL_MAX + 1) + 1], *p = row;
        /* Unrolled by the column list: constant column and style in every call. */
#define CSV_CELL(id, csv, json, text, width, right) \
    if (RP_COL_##id != 0)                           \
        *p++ = ',';                                 \
    p = rp_flow_cell(RP_COL_##id, RP_CELL_CSV, fl, &fr, p);
        RP_FLOW_COLUMNS(CSV_CELL)
#undef CSV_CELL
        *p++ = '\n';
        fwrite(row, 1, (size_t)(p - row), f);
    }
    return ferror(f) ? -1 : 0;
}
