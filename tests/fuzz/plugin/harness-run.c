/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capture files through the harness (harness.c): each file is one capture session, as a file
 * opened in Wireshark, read with wiretap and dissected frame by frame.
 *
 *   nlb_harness_run [--no-plugin] [--mode 1pass|2pass|tree|2tree] [--prefs N|cycle]
 *                   [--reload N] FILE...
 *
 * --mode: trees or not in the first pass, a second pass (tshark -2) or not; default 2tree (a
 * first pass without trees, a second one with them, as the GUI shows a file). --prefs: one
 * preference combination of harness.c for every file, or the next one for each file.
 * --reload N: open, dissect and close each file N times in this process, as the GUI reloads a
 * file; after every close it prints the memory in use (malloc arena + mmapped chunks) and the
 * RSS, and fails when the tracker's facts (after the last pass) differ between loads. Its last line,
 * "growth per reload: B bytes", is the mean in-use growth from load 10 to load N; reload.sh
 * compares it with and without the plugin. --no-plugin: the engine without the plugin.
 * NLB_RELOAD_BREAK=leak makes every load keep 64 KiB more (to prove reload.sh notices).
 * Exit 0, or 1 on a file that cannot be read or facts that changed. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wireshark.h>
#include <wiretap/wtap.h>
#include <wsutil/buffer.h>

#include "harness.h"
#include "nlb-capture.h"

typedef struct facts {
    size_t clusters, events, diags, flows;
    uint32_t frames;
} facts;

static int read_file(const char *path, const nlbh_mode *mode, int tree_first, facts *out)
{
    int err = 0;
    gchar *info = NULL;
    wtap *w = wtap_open_offline(path, WTAP_TYPE_AUTO, &err, &info, FALSE);
    if (!w) {
        fprintf(stderr, "%s: cannot open: %s%s%s\n", path, wtap_strerror(err), info ? ": " : "", info ? info : "");
        g_free(info);
        return -1;
    }
    wtap_rec rec;
    Buffer buf;
    wtap_rec_init(&rec);
    ws_buffer_init(&buf, 1514);
    gint64 off;
    nlbh_open(mode);
    while (wtap_read(w, &rec, &buf, &err, &info, &off)) {
        if (rec.rec_type != REC_TYPE_PACKET)
            continue;
        const wtap_packet_header *h = &rec.rec_header.packet_header;
        int64_t usec = (int64_t)rec.ts.secs * 1000000 + rec.ts.nsecs / 1000;
        nlbh_frame(h->pkt_encap, ws_buffer_start_ptr(&buf), h->caplen, h->len, usec, tree_first);
    }
    if (err) { /* a cut file: what was read is still a capture, as tshark treats it */
        fprintf(stderr, "%s: read error after %u frames: %s%s%s\n", path, nlbh_frames(), wtap_strerror(err),
                info ? ": " : "", info ? info : "");
        g_free(info);
    }
    nlbh_second_pass(); /* when the mode has one: the tracker's final view is built */
    memset(out, 0, sizeof *out);
    out->frames = nlbh_frames();
    const nlb_tracker *t = nlb_capture_tracker();
    if (t) {
        out->clusters = nlb_tracker_cluster_count(t);
        out->events = nlb_tracker_event_count(t);
        out->diags = nlb_tracker_diag_count(t);
        out->flows = nlb_tracker_flow_count(t);
    }
    nlbh_close();
    ws_buffer_free(&buf);
    wtap_rec_cleanup(&rec);
    wtap_close(w);
    return 0;
}

static size_t in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

static long rss_kb(void)
{
    long pages = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &res) != 2)
            res = 0;
        fclose(f);
    }
    return res * 4;
}

static int reload(const char *path, const nlbh_mode *mode, int tree_first, unsigned n)
{
    facts first, now;
    size_t at10 = 0, last = 0;
    int leak = getenv("NLB_RELOAD_BREAK") && strcmp(getenv("NLB_RELOAD_BREAK"), "leak") == 0;
    for (unsigned i = 1; i <= n; i++) {
        if (read_file(path, mode, tree_first, i == 1 ? &first : &now) != 0)
            return 1;
        if (leak)
            memset(g_malloc(65536), 1, 65536); /* never freed, on purpose */
        if (i > 1 && memcmp(&first, &now, sizeof now) != 0) {
            fprintf(stderr, "%s: load %u: clusters %zu events %zu diagnostics %zu flows %zu frames %u, load 1 had "
                    "%zu %zu %zu %zu %u\n", path, i, now.clusters, now.events, now.diags, now.flows, now.frames,
                    first.clusters, first.events, first.diags, first.flows, first.frames);
            return 1;
        }
        last = in_use();
        if (i == 10)
            at10 = last;
        printf("load %u: in use %zu bytes, RSS %ld KiB\n", i, last, rss_kb());
    }
    printf("%s: %u loads of %u frames: clusters %zu, events %zu, diagnostics %zu, flows %zu, the same every time\n",
           path, n, first.frames, first.clusters, first.events, first.diags, first.flows);
    if (n > 10)
        printf("growth per reload: %lld bytes\n", ((long long)last - (long long)at10) / (long long)(n - 10));
    return 0;
}

int main(int argc, char **argv)
{
    int plugin = 1, cycle = 0, tree_first = 0, rc = 0;
    unsigned combo = 0, reloads = 0;
    nlbh_mode mode = { .two_pass = 1, .tree = 1 };
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--no-plugin") == 0) {
            plugin = 0;
        } else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
            const char *m = argv[++i];
            tree_first = strcmp(m, "tree") == 0;
            mode.two_pass = strcmp(m, "2pass") == 0 || strcmp(m, "2tree") == 0;
            mode.tree = strcmp(m, "2tree") == 0;
            if (!tree_first && !mode.two_pass && strcmp(m, "1pass") != 0) {
                fprintf(stderr, "--mode: 1pass, 2pass, tree or 2tree, not %s\n", m);
                return 2;
            }
        } else if (strcmp(argv[i], "--prefs") == 0 && i + 1 < argc) {
            cycle = strcmp(argv[++i], "cycle") == 0;
            combo = cycle ? 0 : (unsigned)atoi(argv[i]);
        } else if (strcmp(argv[i], "--reload") == 0 && i + 1 < argc) {
            reloads = (unsigned)atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: %s [--no-plugin] [--mode 1pass|2pass|tree|2tree] [--prefs N|cycle] "
                    "[--reload N] FILE...\n", argv[0]);
            return 2;
        }
    }
    nlbh_init_with(plugin, 0);
    for (unsigned k = 0; i < argc; i++, k++) {
        nlbh_prefs(cycle ? k : combo);
        if (reloads) {
            rc |= reload(argv[i], &mode, tree_first, reloads);
            continue;
        }
        facts f;
        if (read_file(argv[i], &mode, tree_first, &f) != 0) {
            rc = 1;
            continue;
        }
        printf("%s: %u frames, clusters %zu, events %zu, diagnostics %zu, flows %zu (preferences %u)\n", argv[i],
               f.frames, f.clusters, f.events, f.diags, f.flows, (cycle ? k : combo) % nlbh_pref_combos());
    }
    return rc;
}
