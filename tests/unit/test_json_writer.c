/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tools' JSON emitter (tools/common/json.h): layout, escaping, numbers, and the
 * buffer-only mode that must say when it ran out of room instead of cutting silently. */
#include <string.h>

#include "json.h"
#include "testutil.h"

static char out[4096];

/* Write a small document into out (buffer-only), NUL-terminated. */
static int doc(int inline_from, bool one_line)
{
    jw w;
    jw_init(&w, NULL, out, sizeof out - 1);
    w.inline_from = inline_from;
    w.one_line = one_line;
    jw_obj(&w, JW_NOKEY);
    jw_uint(&w, JW_K("n"), 18446744073709551615u);
    jw_int(&w, JW_K("neg"), -42);
    jw_micro(&w, JW_K("t"), -1000250);
    jw_double(&w, JW_K("d"), 0.5, 4);
    jw_double(&w, JW_K("nan"), 0.0 / 0.0, 4);
    jw_arr(&w, JW_K("a"));
    jw_bool(&w, JW_NOKEY, true);
    jw_null(&w, JW_NOKEY);
    jw_obj(&w, JW_NOKEY);
    jw_end_obj(&w);
    jw_end_arr(&w);
    jw_key(&w, "rule\"1");
    jw_raw(&w, JW_NOKEY, "7");
    jw_end_obj(&w);
    int rc = jw_finish(&w);
    out[w.len] = '\0';
    return rc;
}

static void test_layout(void)
{
    CU_ASSERT_EQUAL(doc(0, false), 0);
    CU_ASSERT_STRING_EQUAL(out, "{\n  \"n\": 18446744073709551615,\n  \"neg\": -42,\n  \"t\": -1.000250,\n"
                                "  \"d\": 0.5000,\n  \"nan\": null,\n  \"a\": [\n    true,\n    null,\n    {}\n  ],\n"
                                "  \"rule\\\"1\": 7\n}");
    CU_ASSERT_EQUAL(doc(2, false), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "  \"a\": [true, null, {}],\n"));
    CU_ASSERT_EQUAL(doc(0, true), 0);
    CU_ASSERT_STRING_EQUAL(out, "{\"n\": 18446744073709551615, \"neg\": -42, \"t\": -1.000250, \"d\": 0.5000, "
                                "\"nan\": null, \"a\": [true, null, {}], \"rule\\\"1\": 7}");
}

static void test_escaping(void)
{
    jw w;
    jw_init(&w, NULL, out, sizeof out - 1);
    /* quote, backslash, controls, valid UTF-8 (é, €), an invalid byte and a lone continuation */
    jw_str(&w, JW_NOKEY, "a\"b\\c\n\t\x01\x7f \xc3\xa9\xe2\x82\xac \xff\x80 \xc0\xaf");
    CU_ASSERT_EQUAL(jw_finish(&w), 0);
    out[w.len] = '\0';
    CU_ASSERT_STRING_EQUAL(out, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f \xc3\xa9\xe2\x82\xac \\ufffd\\ufffd \\ufffd\\ufffd\"");
}

static void test_buffer_only_overflow(void)
{
    char small[8];
    jw w;
    jw_init(&w, NULL, small, sizeof small);
    jw_str(&w, JW_NOKEY, "0123456789");
    CU_ASSERT_TRUE(w.overflow);
    CU_ASSERT_EQUAL(jw_finish(&w), -1);
    CU_ASSERT_PTR_NULL(jw_value_begin(&w, JW_NOKEY, 4));
}

static void test_file_flush(void)
{
    /* A buffer much smaller than the output: every byte still reaches the FILE, in order. */
    char small[16], big[2048];
    FILE *f = fmemopen(big, sizeof big, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    jw w;
    jw_init(&w, f, small, sizeof small);
    w.one_line = true;
    jw_arr(&w, JW_NOKEY);
    for (unsigned i = 0; i < 100; i++)
        jw_uint(&w, JW_NOKEY, i);
    jw_str(&w, JW_NOKEY, "a string longer than the sixteen-byte buffer");
    jw_end_arr(&w);
    CU_ASSERT_EQUAL(jw_finish(&w), 0);
    long n = ftell(f);
    fclose(f);
    big[n] = '\0';
    CU_ASSERT_EQUAL(strncmp(big, "[0, 1, 2, 3,", 12), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(big, ", 98, 99, \"a string longer than the sixteen-byte buffer\"]"));
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    NLBT_SUITE("json_writer", NLBT(test_layout), NLBT(test_escaping), NLBT(test_buffer_only_overflow),
               NLBT(test_file_flush));
    return nlbt_run();
}
