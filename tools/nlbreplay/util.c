/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: formatting helpers shared by the text, json, csv and svg writers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "columns.h"
#include "out.h"

static int diag_cmp(const void *a, const void *b)
{
    const nlb_diag *x = *(const nlb_diag *const *)a, *y = *(const nlb_diag *const *)b;
    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->code < y->code ? -1 : x->code > y->code;
}

const nlb_diag **rp_sorted_diags(const nlb_tracker *t, size_t *n)
{
    *n = nlb_tracker_diag_count(t);
    const nlb_diag **v = calloc(*n ? *n : 1, sizeof *v);
    if (!v) {
        *n = 0;
        return NULL;
    }
    for (size_t i = 0; i < *n; i++)
        v[i] = nlb_tracker_diag(t, i);
    /* qsort is not stable; the comparison falls back to code so output stays reproducible. */
    qsort(v, *n, sizeof *v, diag_cmp);
    return v;
}

char *rp_datetime_str(nlb_usec t, char *buf)
{
    time_t s = (time_t)(t / 1000000);
    long us = (long)(t % 1000000);
    if (us < 0) {
        us += 1000000;
        s--;
    }
    struct tm tm;
    if (!gmtime_r(&s, &tm)) {
        strcpy(buf, "?");
        return buf;
    }
    /* Years past 9999 do not occur in captures; the cast keeps the width known to the compiler. */
    snprintf(buf, 32, "%04u-%02u-%02u %02u:%02u:%02u.%03u", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)tm.tm_mon % 100u + 1, (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
             (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u, (unsigned)(us / 1000) % 1000u);
    return buf;
}

char *rp_endpoint_put(const nlb_ipaddr *ip, uint16_t port, char *p)
{
    bool v6 = ip->family == 6;
    if (v6)
        *p++ = '[';
    p = nlb_ipaddr_put(ip, p);
    if (v6)
        *p++ = ']';
    *p++ = ':';
    return cm_u64_put(port, p);
}

char *rp_endpoint_str(const nlb_ipaddr *ip, uint16_t port, char *buf)
{
    *rp_endpoint_put(ip, port, buf) = '\0';
    return buf;
}

char *rp_proto_put(uint8_t proto, char *p)
{
    if (proto == NLB_IPPROTO_TCP || proto == NLB_IPPROTO_UDP) {
        memcpy(p, proto == NLB_IPPROTO_TCP ? "tcp" : "udp", 3);
        return p + 3;
    }
    return cm_u64_put(proto, p);
}

char *rp_bins_str(const nlb_host_info *h, char *buf, size_t len)
{
    unsigned n = h->num_rules < NLB_MAX_RULES ? h->num_rules : NLB_MAX_RULES;
    if (!h->has_maps || n == 0) {
        snprintf(buf, len, "-");
        return buf;
    }
    bool same = true;
    for (unsigned i = 1; i < n; i++)
        same &= h->bins_owned[i] == h->bins_owned[0];
    if (same) {
        snprintf(buf, len, "%u", h->bins_owned[0]);
        return buf;
    }
    /* Differing per-rule counts: as many as fit the 8-column field; json has them all. */
    char full[NLB_MAX_RULES * 4 + 1];
    size_t o = 0;
    for (unsigned i = 0; i < n; i++)
        o += (size_t)snprintf(full + o, sizeof full - o, "%s%u", i ? "/" : "", h->bins_owned[i]);
    if (o > 8) {
        full[6] = '\0';
        char *slash = strrchr(full, '/');
        if (slash)
            *slash = '\0';
        strcat(full, "/..");
    }
    snprintf(buf, len, "%s", full);
    return buf;
}

char *rp_ref_put(const rp_run *r, rp_frame_ref ref, char *p)
{
    if (!ref.frame)
        return p;
    if (r->n_inputs > 1) {
        *p++ = '[';
        p = cm_u64_put((uint64_t)ref.file + 1, p);
        *p++ = ']';
    }
    *p++ = '#';
    return cm_u64_put(ref.frame, p);
}

char *rp_ref_str(const rp_run *r, rp_frame_ref ref, char *buf)
{
    *rp_ref_put(r, ref, buf) = '\0';
    return buf;
}

const rp_flow_column rp_flow_columns[RP_FLOW_NCOLS] = {
#define RP_COL_ROW(id, csv, json, text, width, right) \
    {csv, "\"" json "\": ", sizeof("\"" json "\": ") - 1, text, width, right},
    RP_FLOW_COLUMNS(RP_COL_ROW)
#undef RP_COL_ROW
};

void rp_wrap(FILE *f, const char *s, size_t col, size_t indent)
{
    while (*s == ' ') {
        fputc(' ', f);
        col++;
        s++;
    }
    bool first = true;
    while (*s) {
        while (*s == ' ')
            s++;
        size_t w = strcspn(s, " ");
        if (w == 0)
            break;
        /* A unit stays with its number ("8.9 s"): take both as one word. */
        if (s[w] == ' ') {
            const char *u = s + w + 1;
            size_t uw = strcspn(u, " ");
            size_t core = uw;
            while (core > 0 && strchr(",;:.)", u[core - 1]))
                core--;
            if ((core == 1 && u[0] == 's') || (core == 2 && !strncmp(u, "ms", 2)))
                w += 1 + uw;
        }
        if (!first && col + 1 + w > RP_TEXT_WIDTH) {
            fprintf(f, "\n%*s", (int)indent, "");
            col = indent;
        } else if (!first) {
            fputc(' ', f);
            col++;
        }
        fwrite(s, 1, w, f);
        col += w;
        s += w;
        first = false;
    }
    fputc('\n', f);
}
