/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "json.h"

#include <math.h>
#include <string.h>

#include "putnum.h"

void jw_init(jw *w, FILE *f, char *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    w->buf = buf;
    w->cap = cap;
}

void jw_flush(jw *w)
{
    if (w->f && w->len)
        fwrite(w->buf, 1, w->len, w->f);
    if (w->f)
        w->len = 0;
}

int jw_finish(jw *w)
{
    jw_flush(w);
    if (w->f)
        return ferror(w->f) ? -1 : 0;
    return w->overflow ? -1 : 0;
}

/* Room for n more bytes at buf + len, flushing first if needed; false when there is none
 * (buffer-only output, or n larger than the buffer). */
static bool room(jw *w, size_t n)
{
    if (w->overflow)
        return false;
    if (w->len + n <= w->cap)
        return true;
    if (w->f) {
        jw_flush(w);
        if (n <= w->cap)
            return true;
    }
    return false;
}

void jw_put(jw *w, const void *p, size_t n)
{
    if (room(w, n)) {
        memcpy(w->buf + w->len, p, n);
        w->len += n;
    } else if (w->f && !w->overflow) {
        fwrite(p, 1, n, w->f); /* longer than the whole buffer (buffer just flushed) */
    } else {
        w->overflow = true;
    }
}

static void put1(jw *w, char c)
{
    if (room(w, 1))
        w->buf[w->len++] = c;
    else
        w->overflow = true;
}

static void puts_(jw *w, const char *s)
{
    jw_put(w, s, strlen(s));
}

/* Valid UTF-8 passes; control characters are escaped; other bytes (file names are arbitrary
 * bytes) become U+FFFD, so the document always parses. */
static void put_string(jw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    put1(w, '"');
    while (*p) {
        size_t run = 0;
        while (p[run] >= 0x20 && p[run] < 0x7f && p[run] != '"' && p[run] != '\\')
            run++;
        if (run) {
            jw_put(w, p, run);
            p += run;
            continue;
        }
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            jw_put(w, e, 2);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            if (c == '\n')
                puts_(w, "\\n");
            else if (c == '\r')
                puts_(w, "\\r");
            else if (c == '\t')
                puts_(w, "\\t");
            else {
                char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                jw_put(w, e, 6);
            }
            p++;
        } else {
            int n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
            bool ok = n > 0 && !(n == 2 && c < 0xC2) && !(n == 4 && c > 0xF4);
            for (int i = 1; ok && i < n; i++)
                ok = (p[i] & 0xC0) == 0x80;
            if (ok) {
                jw_put(w, p, (size_t)n);
                p += n;
            } else {
                puts_(w, "\\ufffd");
                p++;
            }
        }
    }
    put1(w, '"');
}

static void indent(jw *w, int n)
{
    static const char sp[] = "                                ";
    put1(w, '\n');
    while (n > 0) {
        int k = n < (int)sizeof sp - 1 ? n : (int)sizeof sp - 1;
        jw_put(w, sp, (size_t)k);
        n -= k;
    }
}

static inline bool inline_here(const jw *w)
{
    return w->one_line || (w->inline_from && w->depth >= w->inline_from);
}

/* Separator before a value at the current depth, then its key (kn == 0: none). */
static void sep(jw *w, const char *key, size_t kn)
{
    if (w->key_pending) {
        w->key_pending = false;
        return;
    }
    if (w->depth > 0) {
        bool first = w->first[w->depth];
        if (inline_here(w)) {
            if (!first)
                jw_put(w, ", ", 2);
        } else {
            if (!first)
                put1(w, ',');
            indent(w, 2 * w->depth);
        }
        w->first[w->depth] = false;
    }
    if (kn)
        jw_put(w, key, kn);
}

void jw_key(jw *w, const char *name)
{
    sep(w, NULL, 0);
    put_string(w, name);
    jw_put(w, ": ", 2);
    w->key_pending = true;
}

static void open_(jw *w, const char *key, size_t kn, char c)
{
    sep(w, key, kn);
    put1(w, c);
    if (w->depth + 1 < JW_MAX_DEPTH)
        w->depth++;
    w->first[w->depth] = true;
}

static void close_(jw *w, char c)
{
    bool empty = w->first[w->depth];
    bool inl = inline_here(w);
    if (w->depth > 0)
        w->depth--;
    if (!empty && !inl)
        indent(w, 2 * w->depth);
    put1(w, c);
}

void jw_obj(jw *w, const char *key, size_t kn) { open_(w, key, kn, '{'); }
void jw_arr(jw *w, const char *key, size_t kn) { open_(w, key, kn, '['); }
void jw_end_obj(jw *w) { close_(w, '}'); }
void jw_end_arr(jw *w) { close_(w, ']'); }

void jw_str(jw *w, const char *key, size_t kn, const char *v)
{
    sep(w, key, kn);
    put_string(w, v);
}

void jw_uint(jw *w, const char *key, size_t kn, uint64_t v)
{
    char b[24];
    sep(w, key, kn);
    jw_put(w, b, (size_t)(cm_u64_put(v, b) - b));
}

void jw_int(jw *w, const char *key, size_t kn, int64_t v)
{
    char b[24];
    sep(w, key, kn);
    jw_put(w, b, (size_t)(cm_i64_put(v, b) - b));
}

void jw_bool(jw *w, const char *key, size_t kn, bool v)
{
    sep(w, key, kn);
    puts_(w, v ? "true" : "false");
}

void jw_null(jw *w, const char *key, size_t kn)
{
    sep(w, key, kn);
    puts_(w, "null");
}

void jw_double(jw *w, const char *key, size_t kn, double v, int decimals)
{
    sep(w, key, kn);
    if (!isfinite(v)) {
        puts_(w, "null");
        return;
    }
    char b[352]; /* %f of DBL_MAX is 309 digits */
    int n = snprintf(b, sizeof b, "%.*f", decimals < 0 ? 0 : decimals > 17 ? 17 : decimals, v);
    jw_put(w, b, n > 0 && (size_t)n < sizeof b ? (size_t)n : 0);
}

void jw_micro(jw *w, const char *key, size_t kn, int64_t us)
{
    char b[32];
    sep(w, key, kn);
    jw_put(w, b, (size_t)(cm_micro_put(us, b) - b));
}

void jw_raw(jw *w, const char *key, size_t kn, const char *json)
{
    sep(w, key, kn);
    puts_(w, json);
}

char *jw_value_begin_slow(jw *w, const char *key, size_t kn, size_t n)
{
    sep(w, key, kn);
    if (!room(w, n)) {
        w->overflow = true;
        return NULL;
    }
    return w->buf + w->len;
}
