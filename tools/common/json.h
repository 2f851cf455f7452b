/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small streaming JSON emitter for the tools' reports (nlbreplay's json, nlbgen's
 * expected.json). It writes into the caller's buffer and hands full buffers to the caller's
 * FILE (or, without one, stops at the end of the buffer and says so): no allocation, no
 * per-value stdio call. Layout: two-space indentation, and containers opened at depth
 * inline_from or deeper stay on one line, so a flow or an event is one line of the file.
 *
 * Keys are passed as (quoted key with separator, its length): JW_K("frames") for a literal,
 * JW_NOKEY for an array element, jw_key() first for a key built at run time. */
#ifndef NLB_TOOLS_JSON_H
#define NLB_TOOLS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 16

typedef struct jw {
    FILE *f;          /* where full buffers go; NULL: the buffer is the whole output */
    char *buf;
    size_t cap, len;
    int depth;
    bool first[JW_MAX_DEPTH];
    int inline_from;  /* depth from which containers stay on one line; 0 = none */
    bool one_line;    /* JSON lines: the whole document on one line */
    bool key_pending; /* jw_key() wrote the next value's key */
    bool overflow;    /* no FILE and the buffer ran out: output cut */
} jw;

#define JW_K(name) "\"" name "\": ", sizeof("\"" name "\": ") - 1
#define JW_NOKEY NULL, 0

/* Start writing to f through buf[cap] (cap >= 256), or into buf alone when f is NULL. */
void jw_init(jw *w, FILE *f, char *buf, size_t cap);
/* Write out what is buffered; returns 0, or -1 on a write error or a cut buffer-only output. */
int jw_finish(jw *w);
/* Hand the buffered bytes to the FILE now (a no-op without one). */
void jw_flush(jw *w);

/* Containers. */
void jw_obj(jw *w, const char *key, size_t kn);
void jw_arr(jw *w, const char *key, size_t kn);
void jw_end_obj(jw *w);
void jw_end_arr(jw *w);

/* The key of the next value, escaped like a string: for keys built at run time. */
void jw_key(jw *w, const char *name);

/* Scalars. */
void jw_str(jw *w, const char *key, size_t kn, const char *v);
void jw_uint(jw *w, const char *key, size_t kn, uint64_t v);
void jw_int(jw *w, const char *key, size_t kn, int64_t v);
void jw_bool(jw *w, const char *key, size_t kn, bool v);
void jw_null(jw *w, const char *key, size_t kn);
/* v with `decimals` digits after the point; NaN and infinities as null. */
void jw_double(jw *w, const char *key, size_t kn, double v, int decimals);
/* Microseconds as seconds with exactly six decimals, from integers (no float rounding). */
void jw_micro(jw *w, const char *key, size_t kn, int64_t us);
/* A value the caller has already formatted as JSON (a number, a literal), written as is. */
void jw_raw(jw *w, const char *key, size_t kn, const char *json);

/* Bytes outside the structure (a newline after the document). */
void jw_put(jw *w, const void *p, size_t n);

/* Fast path for hot records: the separator and key of a value, then room for n bytes
 * (n <= cap) that the caller fills directly and ends with jw_commit(). Returns NULL when a
 * buffer-only output has no room left (the caller writes nothing then). */
char *jw_value_begin_slow(jw *w, const char *key, size_t kn, size_t n);
static inline char *jw_value_begin(jw *w, const char *key, size_t kn, size_t n)
{
    /* Inline for the common case (room in the buffer, no pending key): a flow report calls
     * this once per line. */
    int d = w->depth;
    if (w->key_pending || d <= 0 || w->len + n + kn + 2 * (size_t)d + 2 > w->cap)
        return jw_value_begin_slow(w, key, kn, n);
    char *p = w->buf + w->len;
    bool first = w->first[d];
    if (w->one_line || (w->inline_from && d >= w->inline_from)) {
        if (!first) {
            *p++ = ',';
            *p++ = ' ';
        }
    } else {
        if (!first)
            *p++ = ',';
        *p++ = '\n';
        for (int i = 0; i < 2 * d; i++)
            *p++ = ' ';
    }
    w->first[d] = false;
    for (size_t i = 0; i < kn; i++)
        p[i] = key[i];
    p += kn;
    w->len = (size_t)(p - w->buf);
    return p;
}
static inline void jw_commit(jw *w, const char *end)
{
    w->len = (size_t)(end - w->buf);
}

#endif
