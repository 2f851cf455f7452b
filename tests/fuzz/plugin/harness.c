/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dissection engine around the plugin, set up as tshark and fuzzshark set it up (wiretap,
 * epan, settings, columns), with the plugin registered in-process. Frames keep their frame_data
 * for the whole session: the plugin's first-pass records hang off it (p_add_proto_data) and a
 * later pass must find them, as in tshark -2 and the GUI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wireshark.h>
#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/column.h>
#include <epan/column-info.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/print.h>
#include <epan/proto.h>
#include <epan/stats_tree_priv.h>
#include <epan/tap.h>
#include <epan/timestamp.h>
#include <wiretap/wtap.h>
#include <wsutil/filesystem.h>
#include <wsutil/privileges.h>
#include <wsutil/wslog.h>
#include <wsutil/report_message.h>
#include <wsutil/wmem/wmem.h>

#include "nlb-compat.h"
#include "harness.h"

/* plugin/packet-nlb.c, linked in: what Wireshark's plugin loader would call after dlopen. */
void plugin_register(void);

/* Wireshark-version differences of the set-up calls. */
#if NLB_WS_MAJOR == 4 && NLB_WS_MINOR < 2
#define harness_log_init() ws_log_init("nlb-harness", NULL)
#else
#define harness_log_init() ws_log_init(NULL)
#endif

#define DIE(...) do { fprintf(stderr, "nlb harness: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

typedef struct frame {
    frame_data fd;
    uint8_t *data;
    uint32_t caplen, len;
    int encap;
    nstime_t ts;
} frame;

static struct {
    epan_t *epan;
    column_info cinfo;
    print_stream_t *out;      /* the -V text output, to /dev/null: it formats every field */
    stats_tree_cfg *st_cfg;
    stats_tree *st;           /* the plugin's stats tree, as -z nlb,tree or Statistics > NLB */
    nlbh_mode mode;
    frame **frames;
    uint32_t n, cap;
    const frame_data *ref, *prev_dis;
    nstime_t elapsed;
    guint32 cum_bytes;
    gint64 offset;
    char tmpdir[64];
    int open;
} H;

/* ---- Wireshark's callbacks ---------------------------------------------------------------- */

static const nstime_t *get_frame_ts(struct packet_provider_data *prov _U_, guint32 num)
{
    static const nstime_t none;
    return num >= 1 && num <= H.n ? &H.frames[num - 1]->ts : &none;
}

/* A bad preference is reported through report_failure, as the GUI shows a dialog: not noise. */
static void quiet_v(const char *fmt _U_, va_list ap _U_) {}
static void quiet_open(const char *f _U_, int e _U_, gboolean w _U_) {}
static void quiet_rw(const char *f _U_, int e _U_) {}
static void quiet_cf_open(const char *f _U_, int e _U_, gchar *i _U_) {}
static void quiet_cf_dump(const char *f _U_, int e _U_, gchar *i _U_, int t _U_) {}
static void quiet_cf_read(const char *f _U_, int e _U_, gchar *i _U_) {}
static void quiet_cf_write(const char *a _U_, const char *b _U_, int e _U_, gchar *i _U_, guint32 n _U_, int t _U_) {}
static void quiet_cf_close(const char *f _U_, int e _U_, gchar *i _U_) {}

static const struct report_message_routines quiet_routines = {
    quiet_v, quiet_v, quiet_open, quiet_rw, quiet_rw,
    quiet_cf_open, quiet_cf_dump, quiet_cf_read, quiet_cf_write, quiet_cf_close,
};

/* ---- preferences -------------------------------------------------------------------------- */

enum { PREF_COMBOS = 8 };
static int with_plugin = 1;
static char *combo_text[PREF_COMBOS];

static void write_file(const char *name, const char *text)
{
    char *path = g_build_filename(H.tmpdir, name, NULL);
    if (!g_file_set_contents(path, text, -1, NULL))
        DIE("cannot write %s", path);
    g_free(path);
}

/* Rule files (valid with the most rules a cluster has, one rule too many, missing) and the VIP
 * lists (a bad entry; more VIPs than the tracker takes) the combinations point at. */
static void make_pref_inputs(void)
{
    snprintf(H.tmpdir, sizeof H.tmpdir, "%s/nlb-harness.XXXXXX", g_get_tmp_dir());
    if (!g_mkdtemp(H.tmpdir))
        DIE("mkdtemp %s failed", H.tmpdir);
    GString *good = g_string_new("bins=7\nseed=0x1234\naffinity=classc\n");
    GString *bad = g_string_new("");
    for (int i = 0; i < 32; i++)
        g_string_append_printf(good, "rule vip=10.20.30.%d ports=%d-%d proto=%s mode=%s affinity=%s\n",
                               40 + (i % 4) * 10, i * 100, i * 100 + 99, i % 3 ? "tcp" : "both",
                               i % 5 == 0 ? "single" : i % 7 == 0 ? "disabled" : "multiple",
                               i % 2 ? "none" : "single");
    for (int i = 0; i < 40; i++)
        g_string_append_printf(bad, "rule ports=%d\n", i);
    write_file("good.rules", good->str);
    write_file("toomany.rules", bad->str);
    g_string_free(good, TRUE);
    g_string_free(bad, TRUE);

    GString *many = g_string_new("");
    for (int i = 0; i < 4000; i++)
        g_string_append_printf(many, "%s10.%d.%d.%d", i ? "," : "", 20 + i / 65536, (i / 256) % 256, i % 256);
    char *dir = H.tmpdir;
    combo_text[0] = g_strdup("vips: rules_file: bins:60 affinity:single period_ms:1000 tolerance:5 annotate:TRUE");
    combo_text[1] = g_strdup("vips: rules_file: bins:60 affinity:single period_ms:1000 tolerance:5 annotate:FALSE");
    combo_text[2] = g_strdup("vips:10.20.30.40,not-an-ip;10.20.30.50 rules_file: bins:1 affinity:none "
                             "period_ms:1000 tolerance:5 annotate:TRUE");
    combo_text[3] = g_strdup_printf("vips: rules_file:%s/good.rules bins:60 affinity:single period_ms:250 "
                                    "tolerance:2 annotate:TRUE", dir);
    combo_text[4] = g_strdup_printf("vips:1.2.3.4 rules_file:%s/toomany.rules bins:64 affinity:classc "
                                    "period_ms:1000 tolerance:5 annotate:TRUE", dir);
    combo_text[5] = g_strdup_printf("vips: rules_file:%s/missing.rules bins:0 affinity:none period_ms:0 "
                                    "tolerance:0 annotate:TRUE", dir);
    combo_text[6] = g_strdup_printf("vips:%s rules_file: bins:1000 affinity:classc period_ms:1 tolerance:1 "
                                    "annotate:TRUE", many->str);
    combo_text[7] = g_strdup_printf("vips:10.20.30.40 rules_file:%s/good.rules bins:13 affinity:none "
                                    "period_ms:4000000000 tolerance:4000000000 annotate:FALSE", dir);
    g_string_free(many, TRUE);
}

unsigned nlbh_pref_combos(void) { return PREF_COMBOS; }

const char *nlbh_prefs_describe(unsigned combo) { return combo_text[combo % PREF_COMBOS]; }

void nlbh_prefs(unsigned combo)
{
    if (!with_plugin)
        return;
    gchar **set = g_strsplit(combo_text[combo % PREF_COMBOS], " ", -1);
    for (gchar **s = set; *s; s++) {
        char *arg = g_strdup_printf("nlb.%s", *s), *err = NULL;
        if (prefs_set_pref(arg, &err) != PREFS_SET_OK)
            DIE("preference %s refused: %s", arg, err ? err : "?");
        g_free(err);
        g_free(arg);
    }
    g_strfreev(set);
    prefs_apply_all();
}

/* ---- process set-up ----------------------------------------------------------------------- */

static void harness_exit(void)
{
    if (H.open)
        nlbh_close();
    if (H.out)
        destroy_print_stream(H.out);
    col_cleanup(&H.cinfo);
    epan_cleanup();
    wtap_cleanup();
    for (unsigned i = 0; i < PREF_COMBOS; i++)
        g_free(combo_text[i]);
    const char *names[] = { "good.rules", "toomany.rules" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        char *p = g_build_filename(H.tmpdir, names[i], NULL);
        unlink(p);
        g_free(p);
    }
    rmdir(H.tmpdir);
    g_free(H.frames);
}

void nlbh_init(void)
{
    nlbh_init_with(1, 1);
}

void nlbh_init_with(int plugin, int plain_malloc)
{
    with_plugin = plugin;
    /* No personal settings: a test must not depend on the user's profile. Every wmem pool is
     * plain malloc, so ASan sees overruns of packet- and file-scope memory too. A dissector bug
     * (an exception a dissector's own logic raised) aborts instead of becoming a tree item. */
    g_setenv("XDG_CONFIG_HOME", "/nonexistent/nlb-harness", TRUE);
    g_setenv("XDG_CACHE_HOME", "/nonexistent/nlb-harness", TRUE);
    g_setenv("XDG_DATA_HOME", "/nonexistent/nlb-harness", TRUE);
    if (plain_malloc)
        g_setenv("WIRESHARK_DEBUG_WMEM_OVERRIDE", "simple", FALSE);
    g_setenv("G_SLICE", "always-malloc", FALSE);
    g_setenv("WIRESHARK_ABORT_ON_DISSECTOR_BUG", "1", FALSE);
    harness_log_init();
    ws_log_set_level(LOG_LEVEL_WARNING);
    init_process_policies();
    wmem_init();
    char *err = configuration_init("/usr/bin/tshark", NULL);
    g_free(err); /* only the program's own directory is missing: nothing dissection needs */
    init_report_message("nlb-harness", &quiet_routines);
    timestamp_set_type(TS_RELATIVE);
    timestamp_set_precision(TS_PREC_AUTO);
    timestamp_set_seconds_type(TS_SECONDS_DEFAULT);
    wtap_init(FALSE);
    if (plugin)
        plugin_register(); /* before epan_init: proto_init runs the plugins' registrations */
    if (!epan_init(NULL, NULL, FALSE))
        DIE("epan_init failed");
    e_prefs *p = epan_load_settings();
    register_all_tap_listeners((tap_reg_t[]) { { NULL, NULL } }); /* the plugin's stats tree */
    build_column_format_array(&H.cinfo, p->num_cols, TRUE);

    dissector_handle_t h = dissector_get_uint_handle(find_dissector_table("ethertype"), 0x886F);
    const char *name = h ? dissector_handle_get_dissector_name(h) : NULL;
    int ours = name && strcmp(name, "nlb_0x886f") == 0;
    if (ours != plugin)
        DIE("ethertype 0x886F is %sthe plugin's", ours ? "" : "not ");
    H.st_cfg = plugin ? stats_tree_get_cfg_by_abbr("nlb") : NULL;
    if (plugin && !H.st_cfg)
        DIE("the plugin's stats tree \"nlb\" is not registered");
    H.out = print_stream_text_new(TRUE, "/dev/null");
    if (!H.out)
        DIE("cannot open /dev/null");
    make_pref_inputs();
    nlbh_prefs(0); /* proves every preference name exists */
    atexit(harness_exit);
}

/* ---- sessions ----------------------------------------------------------------------------- */

void nlbh_open(const nlbh_mode *mode)
{
    static const struct packet_provider_funcs funcs = { .get_frame_ts = get_frame_ts };
    if (H.open)
        nlbh_close();
    H.mode = *mode;
    H.n = 0;
    H.ref = H.prev_dis = NULL;
    nstime_set_zero(&H.elapsed);
    H.cum_bytes = 0;
    H.offset = 0;
    H.epan = epan_new(NULL, &funcs); /* runs the init routines: the plugin's tracker is built */
    H.open = 1;
    if (!H.st_cfg)
        return;
    H.st = stats_tree_new(H.st_cfg, NULL, NULL);
    GString *e = register_tap_listener(H.st_cfg->tapname, H.st, NULL, H.st_cfg->flags, stats_tree_reset,
                                       stats_tree_packet, NULL, NULL);
    if (e)
        DIE("stats tree listener: %s", e->str);
    if (H.st_cfg->init)
        H.st_cfg->init(H.st);
}

static void dissect(frame *f, uint32_t num, int first, int tree)
{
    wtap_rec rec;
    wtap_rec_init(&rec);
    rec.rec_type = REC_TYPE_PACKET;
    rec.presence_flags = WTAP_HAS_TS | WTAP_HAS_CAP_LEN;
    rec.ts = f->ts;
    rec.rec_header.packet_header.caplen = f->caplen;
    rec.rec_header.packet_header.len = f->len;
    rec.rec_header.packet_header.pkt_encap = f->encap;
    if (first) {
        frame_data_init(&f->fd, num, &rec, H.offset, H.cum_bytes);
        H.offset += f->caplen + 16;
        frame_data_set_before_dissect(&f->fd, &H.elapsed, &H.ref, H.prev_dis);
    }
    epan_dissect_t *edt = epan_dissect_new(H.epan, tree, tree);
    tvbuff_t *tvb = tvb_new_real_data(f->data, f->caplen, f->len);
    epan_dissect_run_with_taps(edt, WTAP_FILE_TYPE_SUBTYPE_UNKNOWN, &rec, tvb, &f->fd,
                               tree ? &H.cinfo : NULL);
    if (tree) {
        epan_dissect_fill_in_columns(edt, FALSE, TRUE);
        proto_tree_print(print_dissections_expanded, FALSE, edt, NULL, H.out);
    }
    if (first) {
        frame_data_set_after_dissect(&f->fd, &H.cum_bytes);
        H.prev_dis = &f->fd;
    }
    epan_dissect_free(edt);
    wtap_rec_cleanup(&rec);
}

uint32_t nlbh_frame(int encap, const uint8_t *data, uint32_t caplen, uint32_t len, int64_t usec, int tree)
{
    if (!H.open)
        DIE("nlbh_frame without nlbh_open");
    if (H.n == H.cap) {
        H.cap = H.cap ? 2 * H.cap : 256;
        H.frames = g_renew(frame *, H.frames, H.cap);
    }
    frame *f = g_new0(frame, 1);
    /* exactly caplen bytes, so ASan sees any read past the captured data */
    f->data = g_malloc(caplen ? caplen : 1);
    if (caplen)
        memcpy(f->data, data, caplen);
    f->caplen = caplen;
    f->len = len < caplen ? caplen : len;
    f->encap = encap;
    f->ts.secs = (time_t)(usec / 1000000);
    f->ts.nsecs = (int)(usec % 1000000) * 1000;
    H.frames[H.n++] = f;
    dissect(f, H.n, 1, tree);
    return H.n;
}

void nlbh_revisit(uint32_t num, int tree)
{
    if (H.open && num >= 1 && num <= H.n)
        dissect(H.frames[num - 1], num, 0, tree);
}

uint32_t nlbh_frames(void) { return H.n; }

int nlbh_is_open(void) { return H.open; }

void nlbh_second_pass(void)
{
    if (!H.open || !H.mode.two_pass)
        return;
    for (uint32_t i = 0; i < H.n; i++)
        dissect(H.frames[i], i + 1, 0, H.mode.tree);
    H.mode.two_pass = 0; /* done */
}

void nlbh_close(void)
{
    if (!H.open)
        return;
    nlbh_second_pass();
    if (H.st) {
        remove_tap_listener(H.st);
        stats_tree_free(H.st);
        H.st = NULL;
    }
    for (uint32_t i = 0; i < H.n; i++) {
        frame_data_destroy(&H.frames[i]->fd);
        g_free(H.frames[i]->data);
        g_free(H.frames[i]);
    }
    H.n = 0;
    epan_free(H.epan); /* runs the cleanup routines: the plugin frees its tracker */
    H.epan = NULL;
    H.open = 0;
}

/* ---- link layers -------------------------------------------------------------------------- */

uint32_t nlbh_to_cooked(const uint8_t *eth, uint32_t n, uint8_t *out, int v2)
{
    if (n < 14)
        return 0;
    uint32_t h = v2 ? 20 : 16;
    memset(out, 0, h);
    if (v2) {
        out[0] = eth[12];
        out[1] = eth[13];                 /* protocol */
        out[7] = 1;                       /* interface index */
        out[9] = 1;                       /* ARPHRD_ETHER */
        out[10] = (eth[0] & 1) ? 1 : 0;   /* broadcast/multicast, or to us */
        out[11] = 6;
        memcpy(out + 12, eth + 6, 6);
    } else {
        out[1] = (eth[0] & 1) ? 1 : 0;
        out[3] = 1;
        out[5] = 6;
        memcpy(out + 6, eth + 6, 6);
        out[14] = eth[12];
        out[15] = eth[13];
    }
    memcpy(out + h, eth + 14, n - 14);
    return h + n - 14;
}
