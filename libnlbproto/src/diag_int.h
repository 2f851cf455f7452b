/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wording helpers shared by diag.c and the files that word one family of diagnostics. */
#ifndef NLB_DIAG_INT_H
#define NLB_DIAG_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nlbproto/diag.h"

/* An appender that never overflows and always keeps buf NUL-terminated. */
typedef struct sb {
    char *buf;
    size_t len, pos;
} sb;

static inline void sb_add(sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void sb_add(sb *s, const char *fmt, ...)
{
    if (!s->len) return;
    size_t room = s->pos < s->len ? s->len - s->pos : 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(room ? s->buf + s->pos : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0) {
        s->pos += (size_t)n;
        if (s->pos >= s->len) s->pos = s->len - 1;
    }
}

static inline size_t sb_done(sb *s)
{
    if (!s->len) return 0;
    s->buf[s->pos < s->len ? s->pos : s->len - 1] = 0;
    return strlen(s->buf);
}

static inline double secs(nlb_usec d) { return (double)d / 1e6; }

static inline const char *pl(uint32_t n, const char *one, const char *many) { return n == 1 ? one : many; }

/* A convergence trigger in words ("host 2 silent 8.4 s"), for diagnostics and events alike. */
__attribute__((visibility("hidden"))) void nlb_diag_add_trigger(sb *s, unsigned kind, unsigned host, nlb_usec gap);

/* NLB-021/022/023 (diag_continuity.c): like nlb_diag_format. */
__attribute__((visibility("hidden"))) size_t nlb_diag_format_continuity(const nlb_diag *d, char *buf, size_t len);

#endif
