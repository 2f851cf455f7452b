/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: replay captures through libnlbproto's tracker and report what the NLB cluster did.
 * This file does options and exit codes; input is replay.c and live.c, the feed step session.c,
 * the protocol knowledge lives in libnlbproto and the layout in the writers. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include "out.h"
#include "reader.h"
#include "points.h"
#include "replay.h"

#define EXIT_FINDINGS 1
#define EXIT_USAGE 2
#define RULES_MAX_BYTES (1u << 20)

static void usage(FILE *f)
{
    fputs("Usage: nlbreplay [options] FILE... [-- FILTER]\n"
          "       nlbreplay [options] -r FILE [-r FILE]... [FILTER]\n"
          "       nlbreplay [options] -i IFACE [-w FILE] [FILTER]\n"
          "Replay pcap/pcapng captures (\"-\" = stdin), or capture live on IFACE, through the\n"
          "NLB tracker and report clusters, hosts, failovers, unanswered VIP flows and\n"
          "diagnostics. FILTER is a pcap-filter(7) expression applied to every input.\n"
          "\n"
          "Input:\n"
          "  -r FILE              read FILE (repeatable); other words are then the FILTER\n"
          "  -c N                 stop after N frames (all inputs together)\n"
          "Live capture (needs CAP_NET_RAW, and CAP_NET_ADMIN for promiscuous mode):\n"
          "  -i IFACE             capture on IFACE (promiscuous); other words are the FILTER;\n"
          "                       on a terminal a watch screen refreshed every second, else\n"
          "                       one line per event and diagnostic as they arise; Ctrl-C\n"
          "                       (SIGINT/SIGTERM) stops and prints the final report\n"
          "  -w FILE              also save the captured frames to FILE (pcap)\n"
          "  --duration S         stop after S seconds\n"
          "  --alert-cmd CMD      run CMD with /bin/sh once per new error diagnostic, with\n"
          "                       NLB_CODE, NLB_SEVERITY, NLB_MESSAGE and NLB_TIME set\n"
          "Several capture points (the same VLAN captured at several places at once):\n"
          "  --at LABEL=FILE      read FILE (like -r) as taken at capture point LABEL; --at FILE\n"
          "                       takes the label from the pcapng interface name or the file name;\n"
          "                       frames are matched across points, clock offsets estimated and\n"
          "                       the delivery of the VIP's traffic to each point reported\n"
          "  --clock-offset LABEL=S  LABEL's clock minus the first point's, in seconds (not estimated)\n"
          "  --max-offset S       largest clock error between points (default 5)\n"
          "Cluster knowledge and model (ownership is an EMULATION, not the Windows hash):\n"
          "  --vip A.B.C.D        a cluster IP known to you (repeatable, up to 16)\n"
          "  --rules FILE         port rules (format in nlbreplay(1))\n"
          "  --affinity MODE      none|single|classc when no rule applies (default single)\n"
          "  --bins N             bins per rule, 1..64 (default 60)\n"
          "  --period MS          AliveMsgPeriod in ms (default 1000)\n"
          "  --tolerance N        AliveMsgTolerance, missed periods (default 5)\n"
          "  --without-host N     what-if: flows that move if host priority N leaves\n"
          "  --max-flows N        flow table capacity (default 262144); beyond it flows are\n"
          "                       counted as evicted\n"
          "Output:\n"
          "  --format FMT         text (default), json or csv (the flow table)\n"
          "  --flows              text: add the flow table; json: list every flow\n"
          "  --events             text: add the event timeline\n"
          "  --svg FILE           also write an SVG timeline to FILE\n"
          "  --fail-on SEV        exit 1 when a diagnostic of SEV (error|warning) or worse\n"
          "                       is found (default: none)\n"
          "  -q, --quiet          no progress and no per-frame notes on stderr\n"
          "  -h, --help           this help\n"
          "  -V, --version        version\n"
          "Exit status: 0 ok, 1 findings (--fail-on), 2 usage or input error.\n",
          f);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("nlbreplay: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'nlbreplay --help'.\n", stderr);
    return EXIT_USAGE;
}

static bool parse_uint(const char *s, unsigned long long min, unsigned long long max, unsigned long long *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static char *read_small_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    char *buf = malloc(RULES_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, RULES_MAX_BYTES + 1, f) : 0;
    bool bad = !buf || ferror(f);
    fclose(f);
    if (bad || n > RULES_MAX_BYTES) {
        snprintf(err, errlen, "%s", bad ? "read error" : "larger than 1 MiB, not a rules file");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

static char *join_words(char **w, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(w[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, w[i]);
    }
    return s;
}

enum {
    O_VIP = 256, O_RULES, O_AFFINITY, O_BINS, O_PERIOD, O_TOLERANCE, O_WITHOUT, O_FORMAT, O_FLOWS,
    O_EVENTS, O_SVG, O_FAILON, O_MAXFLOWS, O_DURATION, O_ALERT, O_AT, O_CLOCKOFF, O_MAXOFF
};

#define GO_ON (-1)     /* option handlers: keep parsing */
#define NOT_MINE (-2)  /* option handlers: another handler's option */

/* What the command line says beyond rp_options, until it is applied. */
typedef struct cli {
    int affinity;          /* -1 = not given */
    unsigned bins;         /* 0 = not given */
    size_t n_rfiles;
    int nopt, dd;          /* words before "--", and where "--" is (-1 = none) */
} cli;

/* --at, --clock-offset, --max-offset (the analysis itself is points.c's). */
static int point_option(rp_run *R, cli *k, int c, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char *end;
    if (c == O_MAXOFF) {
        double d = strtod(arg, &end);
        if (end == arg || *end || !(d > 0) || d > 3600)
            return usage_error("--max-offset wants seconds, > 0 and <= 3600, not '%s'", arg);
        R->max_offset = d;
        return GO_ON;
    }
    if (c == O_CLOCKOFF) {
        if (!eq || eq == arg || (size_t)(eq - arg) >= NLB_VANTAGE_LABEL_MAX)
            return usage_error("--clock-offset wants LABEL=SECONDS, not '%s'", arg);
        double d = strtod(eq + 1, &end);
        if (end == eq + 1 || *end || d < -86400 || d > 86400)
            return usage_error("--clock-offset wants LABEL=SECONDS (-86400..86400), not '%s'", arg);
        if (R->n_offsets >= NLB_VANTAGE_MAX_POINTS)
            return usage_error("--clock-offset: at most 16 (%s is one too many)", arg);
        R->off_label[R->n_offsets] = strndup(arg, (size_t)(eq - arg));
        R->off_value[R->n_offsets++] = d;
        return GO_ON;
    }
    if (k->n_rfiles >= NLB_VANTAGE_MAX_POINTS)
        return usage_error("--at: at most 16 capture points (%s is one too many)", arg);
    if (eq && (eq == arg || !eq[1] || (size_t)(eq - arg) >= NLB_VANTAGE_LABEL_MAX))
        return usage_error("--at wants LABEL=FILE (label up to 31 characters) or FILE, not '%s'", arg);
    if (eq)
        memcpy(R->at_label[k->n_rfiles], arg, (size_t)(eq - arg));
    R->rfiles[k->n_rfiles++] = eq ? eq + 1 : arg;
    R->points = true;
    return GO_ON;
}

static int input_option(rp_run *R, cli *k, int c, const char *arg)
{
    rp_options *o = &R->opt;
    unsigned long long v;
    switch (c) {
    case 'r': R->rfiles[k->n_rfiles++] = arg; return GO_ON;
    case O_AT: return point_option(R, k, c, arg);
    case O_CLOCKOFF: return point_option(R, k, c, arg);
    case O_MAXOFF: return point_option(R, k, c, arg);
    case 'c':
        if (!parse_uint(arg, 1, UINT64_MAX, &v))
            return usage_error("-c wants a positive frame count, not '%s'", arg);
        o->count = v;
        return GO_ON;
    case 'q': o->quiet = true; return GO_ON;
    case 'i':
        if (o->iface)
            return usage_error("-i: one interface per run (%s is a second one)", arg);
        if (!*arg)
            return usage_error("%s", "-i wants an interface name");
        o->iface = arg;
        return GO_ON;
    case 'w': o->write_file = arg; return GO_ON;
    case O_DURATION: {
        char *end;
        errno = 0;
        double d = strtod(arg, &end);
        /* a year is far beyond any troubleshooting session and keeps the arithmetic exact */
        if (errno || end == arg || *end || !(d > 0) || d > 366.0 * 86400)
            return usage_error("--duration wants a number of seconds > 0, not '%s'", arg);
        o->duration = d;
        return GO_ON;
    }
    case O_ALERT:
        if (!*arg)
            return usage_error("%s", "--alert-cmd wants a command");
        o->alert_cmd = arg;
        return GO_ON;
    case 'h': usage(stdout); return 0;
    case 'V':
        printf("nlbreplay (nlbproto) %s\n%s\n%s\n", NLBPROTO_VERSION, pcap_lib_version(), rp_wtap_version());
        return 0;
    }
    return NOT_MINE;
}

static int model_option(rp_run *R, cli *k, int c, const char *arg)
{
    unsigned long long v;
    switch (c) {
    case O_VIP: {
        uint32_t ip;
        if (!nlb_ip4_parse(arg, &ip))
            return usage_error("--vip wants a dotted IPv4 address, not '%s'", arg);
        if (R->cfg.n_vips >= NLB_MAX_USER_VIPS)
            return usage_error("--vip: at most 16 (%s is one too many)", arg);
        R->cfg.vips[R->cfg.n_vips++] = ip;
        return GO_ON;
    }
    case O_RULES: R->opt.rules_file = arg; return GO_ON;
    case O_AFFINITY:
        if (!strcmp(arg, "none")) k->affinity = NLB_AFF_NONE;
        else if (!strcmp(arg, "single")) k->affinity = NLB_AFF_SINGLE;
        else if (!strcmp(arg, "classc")) k->affinity = NLB_AFF_CLASSC;
        else return usage_error("--affinity wants none, single or classc, not '%s'", arg);
        return GO_ON;
    case O_BINS:
        if (!parse_uint(arg, 1, NLB_BINS_MAX, &v))
            return usage_error("--bins wants 1..64, not '%s'", arg);
        k->bins = (unsigned)v;
        return GO_ON;
    case O_PERIOD:
        if (!parse_uint(arg, 1, 3600000, &v))
            return usage_error("--period wants milliseconds, 1..3600000, not '%s'", arg);
        R->cfg.period_ms = (uint32_t)v;
        return GO_ON;
    case O_TOLERANCE:
        if (!parse_uint(arg, 1, 1000, &v))
            return usage_error("--tolerance wants a number of periods, 1..1000, not '%s'", arg);
        R->cfg.tolerance = (unsigned)v;
        return GO_ON;
    case O_WITHOUT:
        if (!parse_uint(arg, 1, NLB_MAX_PRIORITY, &v))
            return usage_error("--without-host wants a host priority 1..32, not '%s'", arg);
        R->whatif_host = (uint8_t)v;
        return GO_ON;
    case O_MAXFLOWS:
        if (!parse_uint(arg, 1, 1u << 26, &v))
            return usage_error("--max-flows wants 1..67108864, not '%s'", arg);
        R->cfg.max_flows = (size_t)v;
        return GO_ON;
    }
    return NOT_MINE;
}

static int output_option(rp_run *R, int c, const char *arg)
{
    rp_options *o = &R->opt;
    switch (c) {
    case O_FORMAT:
        if (!strcmp(arg, "text")) o->format = RP_FMT_TEXT;
        else if (!strcmp(arg, "json")) o->format = RP_FMT_JSON;
        else if (!strcmp(arg, "csv")) o->format = RP_FMT_CSV;
        else return usage_error("--format wants text, json or csv, not '%s'", arg);
        return GO_ON;
    case O_FLOWS: o->flows = true; return GO_ON;
    case O_EVENTS: o->events = true; return GO_ON;
    case O_SVG: o->svg = arg; return GO_ON;
    case O_FAILON:
        if (!strcmp(arg, "error")) o->fail_on = NLB_SEV_ERROR;
        else if (!strcmp(arg, "warning")) o->fail_on = NLB_SEV_WARNING;
        else if (!strcmp(arg, "none")) o->fail_on = -1;
        else return usage_error("--fail-on wants error or warning, not '%s'", arg);
        return GO_ON;
    }
    return NOT_MINE;
}

/* getopt over the words before "--"; GO_ON, or the exit status. */
static int parse_options(int argc, char **argv, rp_run *R, cli *k)
{
    static const struct option longopts[] = {
        {"vip", required_argument, NULL, O_VIP},
        {"rules", required_argument, NULL, O_RULES},
        {"affinity", required_argument, NULL, O_AFFINITY},
        {"bins", required_argument, NULL, O_BINS},
        {"period", required_argument, NULL, O_PERIOD},
        {"tolerance", required_argument, NULL, O_TOLERANCE},
        {"without-host", required_argument, NULL, O_WITHOUT},
        {"max-flows", required_argument, NULL, O_MAXFLOWS},
        {"format", required_argument, NULL, O_FORMAT},
        {"flows", no_argument, NULL, O_FLOWS},
        {"events", no_argument, NULL, O_EVENTS},
        {"svg", required_argument, NULL, O_SVG},
        {"fail-on", required_argument, NULL, O_FAILON},
        {"duration", required_argument, NULL, O_DURATION},
        {"alert-cmd", required_argument, NULL, O_ALERT},
        {"at", required_argument, NULL, O_AT},
        {"clock-offset", required_argument, NULL, O_CLOCKOFF},
        {"max-offset", required_argument, NULL, O_MAXOFF},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };

    /* "--" ends the files and starts the filter; getopt would hide where it was. */
    k->nopt = argc;
    k->dd = -1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            k->nopt = i;
            k->dd = i;
            break;
        }
    R->rfiles = calloc((size_t)argc, sizeof *R->rfiles);
    if (!R->rfiles)
        return EXIT_USAGE;
    int c;
    opterr = 0;
    while ((c = getopt_long(k->nopt, argv, ":r:c:qhVi:w:", longopts, NULL)) != -1) {
        if (c == ':')
            return usage_error("option %s needs an argument", argv[optind - 1]);
        int rc = input_option(R, k, c, optarg);
        if (rc == NOT_MINE)
            rc = model_option(R, k, c, optarg);
        if (rc == NOT_MINE)
            rc = output_option(R, c, optarg);
        if (rc == NOT_MINE)
            return usage_error("unknown option '%s'", argv[optind - 1]);
        if (rc != GO_ON)
            return rc;
    }
    return GO_ON;
}

/* The words after the options, as files and filter: with -r (tcpdump habit) every other word
 * is the filter; without, the words are files and the filter follows "--"; with -i, the
 * words are the filter. GO_ON, or the exit status. */
static int split_words(int argc, char **argv, rp_run *R, cli *k, const char ***files, size_t *n_files)
{
    rp_options *o = &R->opt;
    char **fw = argv + optind;
    int n_fw = k->nopt - optind;
    if (o->iface || k->n_rfiles) {
        if (o->iface && k->n_rfiles)
            return usage_error("-i captures live; read files without -i (-r %s)", R->rfiles[0]);
        if (o->iface && k->dd >= 0 && n_fw > 0)
            return usage_error("with -i, the words after the options are the filter; '%s' is before '--'", fw[0]);
        if (!o->iface && k->dd >= 0 && n_fw > 0)
            return usage_error("with -r, put the filter after the options (no '--'), not '%s'", fw[0]);
        if (k->dd >= 0) {
            fw = argv + k->dd + 1;
            n_fw = argc - k->dd - 1;
        }
        if (n_fw > 0)
            o->filter = join_words(fw, n_fw);
        static const char *live_name[1];
        live_name[0] = o->iface;
        *files = o->iface ? live_name : R->rfiles;
        *n_files = o->iface ? 1 : k->n_rfiles;
    } else {
        *files = (const char **)fw;
        *n_files = (size_t)n_fw;
        if (k->dd >= 0 && argc - k->dd - 1 > 0)
            o->filter = join_words(argv + k->dd + 1, argc - k->dd - 1);
    }
    return GO_ON;
}

/* Option combinations, the rules file and the model; GO_ON, or the exit status. */
static int check_and_load(rp_run *R, cli *k, const char **files, size_t n_files)
{
    rp_options *o = &R->opt;
    if (!o->iface) {
        if (o->write_file)
            return usage_error("-w %s saves a live capture: it needs -i IFACE", o->write_file);
        if (o->duration > 0)
            return usage_error("%s", "--duration limits a live capture: it needs -i IFACE");
        if (o->alert_cmd)
            return usage_error("%s", "--alert-cmd watches a live capture: it needs -i IFACE");
    }
    if (n_files == 0)
        return usage_error("%s", "no capture file given (use '-' for stdin)");
    int n_stdin = 0;
    for (size_t i = 0; i < n_files; i++)
        n_stdin += strcmp(files[i], "-") == 0;
    if (n_stdin > 1)
        return usage_error("%s", "'-' (stdin) can be read only once");
    if (o->filter)
        snprintf(R->filter_note, sizeof R->filter_note, "%s", o->filter);
    if (o->rules_file) {
        char err[256];
        char *text = read_small_file(o->rules_file, err, sizeof err);
        if (!text) {
            fprintf(stderr, "nlbreplay: %s: %s\n", o->rules_file, err);
            return EXIT_USAGE;
        }
        err[0] = '\0';
        bool ok = nlb_model_load_rules(&R->cfg.model, text, err, sizeof err);
        free(text);
        if (!ok) {
            fprintf(stderr, "nlbreplay: %s: %s\n", o->rules_file, err[0] ? err : "invalid rules file");
            return EXIT_USAGE;
        }
    }
    /* The command line wins over the rules file's bins= and affinity=. */
    if (k->bins)
        R->cfg.model.bins = k->bins;
    if (k->affinity >= 0)
        R->cfg.model.default_affinity = (nlb_affinity)k->affinity;
    return GO_ON;
}

/* The report in the chosen format, the SVG, and --fail-on; the exit status. */
static int write_reports(rp_run *R)
{
    rp_options *o = &R->opt;
    int status = 0, wr = 0;
    switch (o->format) {
    case RP_FMT_TEXT: wr = rp_write_text(R, stdout); break;
    case RP_FMT_JSON: wr = rp_write_json(R, stdout); break;
    case RP_FMT_CSV: wr = rp_write_csv(R, stdout); break;
    }
    if (fflush(stdout) != 0 || ferror(stdout) || wr != 0) {
        fprintf(stderr, "nlbreplay: writing the report: %s\n", strerror(errno));
        status = EXIT_USAGE;
    }
    if (o->svg && rp_write_svg(R, o->svg) != 0) {
        fprintf(stderr, "nlbreplay: %s: cannot write the SVG: %s\n", o->svg, strerror(errno));
        status = EXIT_USAGE;
    }
    if (o->fail_on >= 0 && status == 0 && rp_points_worst(R) >= o->fail_on)
        status = EXIT_FINDINGS;
    if (o->fail_on >= 0 && status == 0) {
        size_t nd = nlb_tracker_diag_count(R->t);
        for (size_t i = 0; i < nd; i++)
            if ((int)nlb_tracker_diag(R->t, i)->severity >= o->fail_on) {
                status = EXIT_FINDINGS;
                break;
            }
    }
    return status;
}

static int run_main(int argc, char **argv, rp_run *R)
{
    rp_options *o = &R->opt;
    o->fail_on = -1;
    nlb_tracker_config_default(&R->cfg);
    cli k = {.affinity = -1};
    const char **files = NULL;
    size_t n_files = 0;
    int rc = parse_options(argc, argv, R, &k);
    if (rc == GO_ON)
        rc = split_words(argc, argv, R, &k, &files, &n_files);
    if (rc == GO_ON)
        rc = check_and_load(R, &k, files, n_files);
    if (rc != GO_ON)
        return rc;

    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    o->colour = isatty(1) && !(nc && *nc) && !(term && !strcmp(term, "dumb"));

    R->t = nlb_tracker_new(&R->cfg);
    if (!R->t) {
        fputs("nlbreplay: cannot create the tracker (out of memory or bad settings)\n", stderr);
        return EXIT_USAGE;
    }
    R->inputs = calloc(n_files, sizeof *R->inputs);
    if (!R->inputs)
        return EXIT_USAGE;
    R->n_inputs = n_files;
    size_t n_open = 0;
    for (size_t i = 0; i < n_files && !o->iface; i++) {
        R->inputs[i].name = files[i];
        rp_reader_open(R, &R->inputs[i]);
        n_open += R->inputs[i].opened;
    }
    if (R->points && !o->iface && n_open > 0) {
        int prc = rp_points_setup(R);
        if (prc != 0)
            return prc;
    }
    if (o->iface) {
        R->inputs[0].name = o->iface;
        R->inputs[0].live = true;
        int lrc = rp_live(R);
        if (lrc != 0)
            return lrc; /* could not start: nothing to report, the reason is on stderr */
        n_open = 1;
    }
    /* Reports can be large (a json line per flow): write them in big blocks. */
    static char outbuf[1 << 20];
    if (!o->iface) /* live output was line buffered from the start (live.c) */
        setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    int status = EXIT_USAGE; /* nothing to report on: the errors above said why */
    if (n_open > 0) {
        if (R->v)
            rp_points_replay(R);
        else if (!o->iface)
            rp_replay(R);
        nlb_tracker_finish(R->t);
        status = write_reports(R);
    }
    if (R->inputs_with_errors)
        status = EXIT_USAGE;
    return status;
}

/* One exit path for every allocation, usage errors included (ASan's leak check runs on them). */
static void cleanup(rp_run *R)
{
    for (size_t i = 0; i < R->n_inputs; i++)
        rp_reader_close(&R->inputs[i]);
    for (size_t i = 0; i < R->n_series; i++)
        free(R->series[i].t);
    free(R->series);
    free(R->inputs);
    free((void *)R->opt.filter);
    free(R->rfiles);
    nlb_tracker_free(R->t);
    nlb_vantage_free(R->v);
    for (size_t i = 0; i < R->n_offsets; i++)
        free((void *)R->off_label[i]);
    free(R->ff_ts);
    free(R->ff_first);
    free(R->ff_last);
}

int main(int argc, char **argv)
{
    static rp_run run; /* static: large, and zeroed */
    int status = run_main(argc, argv, &run);
    cleanup(&run);
    return status;
}