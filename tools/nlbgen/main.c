/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbgen: deterministic NLB scenario captures (pcap) plus the ground truth the generator knows
 * (expected.json). The captures are the tests' fixtures and the users' examples at once, so
 * every frame goes through libnlbproto's encoders and a fixed seed gives byte-identical output
 * on every machine: no rand(), no clock, no allocation that depends on the environment.
 *
 * Ownership (which host answers a flow) uses the library's EMULATION model (owner.h): the
 * Windows hash is not public, so the captures agree with the emulation by construction, not
 * with a real cluster. The expected.json says so too. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: nlbgen --scenario NAME [options] -w FILE|- [--expected FILE]\n"
            "Write a deterministic NLB scenario capture (pcap, Ethernet) and its ground truth.\n\n"
            "  --scenario NAME   preset (see --list)\n"
            "  --mode M          unicast | multicast | igmp\n"
            "  --vip A.B.C.D     cluster IP\n"
            "  --hosts N         2..32 hosts\n"
            "  --rules N         0..32 user port rules (the default slot is added)\n"
            "  --affinity A      none | single | classc\n"
            "  --seed N          PRNG seed (same seed -> byte-identical output)\n"
            "  --flows N         client flows to the VIP\n"
            "  --clients N       the flows come from N client addresses (1..508; default: any)\n"
            "  --hash-seed N     the hosts answer by the emulated hash with seed N (nlbreplay\n"
            "                    assumes 0): answers that disagree with the emulation\n"
            "  --duration S      capture length in seconds\n"
            "  -w FILE           output pcap ('-' = stdout)\n"
            "  --expected FILE   write the ground truth as JSON\n"
            "  --list            list the presets\n"
            "  --help, --version\n"
            "Capture point (what reaches the file; the cluster behaves the same):\n"
            "  --snaplen N       keep the first N bytes of each frame (14..65535)\n"
            "  --only-vip        keep IPv4 frames from or to the VIP only (as 'ip host VIP')\n"
            "  --no-heartbeats   drop ethertype 0x886F frames (as 'not ether proto 0x886f')\n"
            "  --lose-cluster-at S  from S seconds on, no frame from the NLB hosts or to the cluster MAC\n"
            "  --window S:E      keep frames from S to E seconds after the start\n"
            "  --clock-offset S  add S seconds (may be negative) to every timestamp\n"
            "Multi-point presets (multipoint): -w names a directory, one LABEL.pcap per point\n"
            "  --point-offset LABEL=S  clock error of one point in seconds (repeatable)\n"
            "Ownership follows libnlbproto's emulation model (owner.h), not the Windows hash.\n"
            "captures/README.md describes every preset and its expected.json.\n");
}

static unsigned long parse_num(const char *opt, const char *s, unsigned long lo, unsigned long hi)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || !*s || *end || s[0] == '-' || v < lo || v > hi)
        die(2, "%s: expected a number in %lu..%lu, got '%s'", opt, lo, hi, s);
    return v;
}

static double parse_secs(const char *opt, const char *s, double lo, double hi)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= lo && v <= hi)) die(2, "%s: expected seconds in %g..%g, got '%s'", opt, lo, hi, s);
    return v;
}

/* Everything the command line said; -1 / NULL = not given, so presets keep their own value. */
typedef struct cli {
    const char *scen, *mode, *vip, *aff, *out, *exp;
    long hosts, rules, flows, clients;
    double dur;
    long hash_seed;
    uint64_t seed;
    unsigned given;     /* OPT_* bits of the options given */
    capture_pt cap;     /* capture options given (given & OPT_CAPTURE) */
    unsigned n_offsets; /* --point-offset */
    char off_label[MAX_POINTS][16];
    double off_value[MAX_POINTS];
    bool snaplen, only_vip, no_hb, lose, window, offset;
} cli;

enum { O_SCEN = 256, O_MODE, O_VIP, O_HOSTS, O_RULES, O_AFF, O_SEED, O_FLOWS, O_DUR, O_EXP, O_LIST, O_HELP, O_VER,
       O_SNAP, O_ONLYVIP, O_NOHB, O_LOSE, O_WIN, O_OFFSET, O_PTOFF, O_CLIENTS, O_HSEED };

static const struct option LONGOPTS[] = {
    { "scenario", required_argument, 0, O_SCEN }, { "mode", required_argument, 0, O_MODE },
    { "vip", required_argument, 0, O_VIP }, { "hosts", required_argument, 0, O_HOSTS },
    { "rules", required_argument, 0, O_RULES }, { "affinity", required_argument, 0, O_AFF },
    { "seed", required_argument, 0, O_SEED }, { "flows", required_argument, 0, O_FLOWS },
    { "duration", required_argument, 0, O_DUR }, { "expected", required_argument, 0, O_EXP },
    { "list", no_argument, 0, O_LIST }, { "help", no_argument, 0, O_HELP },
    { "version", no_argument, 0, O_VER }, { "snaplen", required_argument, 0, O_SNAP },
    { "only-vip", no_argument, 0, O_ONLYVIP }, { "no-heartbeats", no_argument, 0, O_NOHB },
    { "lose-cluster-at", required_argument, 0, O_LOSE }, { "window", required_argument, 0, O_WIN },
    { "clock-offset", required_argument, 0, O_OFFSET }, { "point-offset", required_argument, 0, O_PTOFF },
    { "clients", required_argument, 0, O_CLIENTS },
    { "hash-seed", required_argument, 0, O_HSEED }, { 0, 0, 0, 0 }
};

static void parse_window(cli *c, const char *s)
{
    char a[64];
    const char *colon = strchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof a) die(2, "--window: expected START:END seconds, got '%s'", s);
    memcpy(a, s, (size_t)(colon - s));
    a[colon - s] = 0;
    c->cap.win_start = parse_secs("--window", a, 0, 86400);
    c->cap.win_end = parse_secs("--window", colon + 1, 0, 86400);
    if (c->cap.win_end <= c->cap.win_start) die(2, "--window: END must be after START, got '%s'", s);
    c->window = true;
}

static void parse_point_offset(cli *c, const char *s)
{
    const char *eq = strchr(s, '=');
    if (!eq || eq == s || (size_t)(eq - s) >= sizeof c->off_label[0])
        die(2, "--point-offset: expected LABEL=SECONDS (label up to 15 characters), got '%s'", s);
    if (c->n_offsets >= MAX_POINTS) die(2, "--point-offset: at most %u", MAX_POINTS);
    memcpy(c->off_label[c->n_offsets], s, (size_t)(eq - s));
    c->off_label[c->n_offsets][eq - s] = 0;
    c->off_value[c->n_offsets++] = parse_secs("--point-offset", eq + 1, -3600, 3600);
}

static uint64_t parse_seed(const char *s)
{
    char *end;
    errno = 0;
    uint64_t v = strtoull(s, &end, 0);
    if (errno || !*s || *end || s[0] == '-') die(2, "--seed: expected a non-negative integer, got '%s'", s);
    return v;
}

/* One option into c; returns -1 to go on, or an exit status (--help, --list, --version). */
static int take_option(cli *c, int opt, char **argv)
{
    switch (opt) {
    case O_SCEN: c->scen = optarg; break;
    case O_MODE: c->mode = optarg; c->given |= OPT_MODE; break;
    case O_VIP: c->vip = optarg; c->given |= OPT_VIP; break;
    case O_HOSTS: c->hosts = (long)parse_num("--hosts", optarg, 2, 32); c->given |= OPT_HOSTS; break;
    case O_RULES: c->rules = (long)parse_num("--rules", optarg, 0, 32); c->given |= OPT_RULES; break;
    case O_AFF: c->aff = optarg; c->given |= OPT_AFFINITY; break;
    case O_SEED: c->seed = parse_seed(optarg); break;
    case O_FLOWS: c->flows = (long)parse_num("--flows", optarg, 0, 10000000); c->given |= OPT_FLOWS; break;
    case O_CLIENTS: c->clients = (long)parse_num("--clients", optarg, 1, 508); c->given |= OPT_FLOWS; break;
    case O_HSEED: c->hash_seed = (long)parse_num("--hash-seed", optarg, 0, 0xFFFFFFFFul); c->given |= OPT_FLOWS; break;
    case O_DUR: c->dur = parse_secs("--duration", optarg, 1, 86400); c->given |= OPT_DURATION; break;
    case 'w': c->out = optarg; break;
    case O_EXP: c->exp = optarg; break;
    case O_SNAP: c->cap.snaplen = (unsigned)parse_num("--snaplen", optarg, 14, 65535); c->snaplen = true; break;
    case O_ONLYVIP: c->only_vip = true; break;
    case O_NOHB: c->no_hb = true; break;
    case O_LOSE: c->cap.lose_at = parse_secs("--lose-cluster-at", optarg, 0.001, 86400); c->lose = true; break;
    case O_WIN: parse_window(c, optarg); break;
    case O_OFFSET: c->cap.offset = parse_secs("--clock-offset", optarg, -3600, 3600); c->offset = true; break;
    case O_PTOFF: parse_point_offset(c, optarg); break;
    case O_LIST: preset_list(stdout); return 0;
    case 'h':
    case O_HELP: usage(stdout); return 0;
    case O_VER: printf("nlbgen %s\n", NLBGEN_VERSION); return 0;
    case ':': die(2, "%s needs an argument (try --help)", argv[optind - 1]);
    default: die(2, "unknown option '%s' (try --help)", argv[optind - 1]);
    }
    if (c->snaplen || c->only_vip || c->no_hb || c->lose || c->window || c->offset) c->given |= OPT_CAPTURE;
    return -1;
}

static int parse_args(int argc, char **argv, cli *c)
{
    memset(c, 0, sizeof *c);
    c->hosts = c->rules = c->flows = -1;
    c->clients = 0;
    c->hash_seed = 0;
    c->dur = -1;
    c->seed = 1;
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":w:h", LONGOPTS, NULL)) != -1) {
        int rc = take_option(c, opt, argv);
        if (rc >= 0) return rc;
    }
    if (optind < argc) die(2, "unexpected argument '%s' (try --help)", argv[optind]);
    if (!c->scen) die(2, "no --scenario given (try --list)");
    if (!c->out) die(2, "no output: use -w FILE or -w - for stdout");
    return -1;
}

static const char *OPT_NAMES[] = { "--mode", "--vip", "--hosts", "--rules", "--flows (or --clients, --hash-seed)", "--affinity", "--duration",
                                   "capture-point options" };

/* A preset fixes some options (lookalike has no cluster, the issue-14 presets fix their capture
 * point): saying so beats silently ignoring what the user asked for. */
static void refuse_fixed(const preset *p, unsigned given)
{
    unsigned bad = p->fixed & given;
    for (unsigned i = 0; bad && i < sizeof OPT_NAMES / sizeof OPT_NAMES[0]; i++)
        if (bad & (1u << i)) die(2, "%s: %s does not apply (%s)", p->name, OPT_NAMES[i], p->why_fixed);
}

static void apply_capture(opts *o, const cli *c)
{
    if (c->snaplen) o->cap.snaplen = c->cap.snaplen;
    if (c->only_vip) o->cap.only_vip = true;
    if (c->no_hb) o->cap.no_heartbeats = true;
    if (c->lose) o->cap.lose_at = c->cap.lose_at;
    if (c->window) { o->cap.win_start = c->cap.win_start; o->cap.win_end = c->cap.win_end; }
    if (c->offset) o->cap.offset = c->cap.offset;
}

static void apply_names(opts *o, const cli *c)
{
    if (c->mode) {
        if (!strcmp(c->mode, "unicast")) o->mode = NLB_MODE_UNICAST;
        else if (!strcmp(c->mode, "multicast")) o->mode = NLB_MODE_MULTICAST;
        else if (!strcmp(c->mode, "igmp")) o->mode = NLB_MODE_IGMP;
        else die(2, "--mode: expected unicast, multicast or igmp, got '%s'", c->mode);
    }
    if (c->vip && (!nlb_ip4_parse(c->vip, &o->vip) || o->vip == 0 || (o->vip >> 24) >= 224))
        die(2, "--vip: expected a unicast IPv4 address, got '%s'", c->vip);
    if (c->aff) {
        if (!strcmp(c->aff, "none")) o->affinity = NLB_AFF_NONE;
        else if (!strcmp(c->aff, "single")) o->affinity = NLB_AFF_SINGLE;
        else if (!strcmp(c->aff, "classc")) o->affinity = NLB_AFF_CLASSC;
        else die(2, "--affinity: expected none, single or classc, got '%s'", c->aff);
    }
}

/* Preset values, then the command line over them, then the checks that need both. */
static void make_opts(opts *o, const cli *c)
{
    o->p = preset_find(c->scen);
    if (!o->p) die(2, "unknown scenario '%s' (try --list)", c->scen);
    refuse_fixed(o->p, c->given);
    o->mode = o->p->mode;
    nlb_ip4_parse(o->p->vip, &o->vip);
    o->hosts = o->p->hosts;
    o->rules = o->p->rules;
    o->flows = o->p->flows;
    o->duration = (nlb_usec)(o->p->duration * SEC);
    o->affinity = NLB_AFF_SINGLE;
    o->flags = o->p->flags;
    o->cap = o->p->cap;
    o->seed = c->seed;
    o->out = c->out;
    o->expected = c->exp;
    apply_names(o, c);
    apply_capture(o, c);
    if (c->n_offsets && o->p->kind != SC_MULTIPOINT)
        die(2, "--point-offset: %s writes one capture; use --clock-offset", o->p->name);
    o->n_offsets = c->n_offsets;
    memcpy(o->off_label, c->off_label, sizeof o->off_label);
    memcpy(o->off_value, c->off_value, sizeof o->off_value);
    if (c->hosts > 0) o->hosts = (unsigned)c->hosts;
    if (c->rules >= 0) o->rules = (unsigned)c->rules;
    if (c->flows >= 0) o->flows = (unsigned)c->flows;
    o->clients = (unsigned)c->clients;
    o->hash_seed = (uint32_t)c->hash_seed;
    if (c->dur > 0) o->duration = (nlb_usec)(c->dur * SEC);
    preset_check(o);
}

static void open_output(gen *g)
{
    const char *out = g->o.out;
    if (g->o.p->kind == SC_MULTIPOINT) {
        points_open(g);
        return;
    }
    int snap = g->o.cap.snaplen ? (int)g->o.cap.snaplen : 65535;
    g->pd = pcap_open_dead(DLT_EN10MB, snap);
    if (!g->pd) die(1, "pcap_open_dead failed");
    if (!strcmp(out, "-") && isatty(STDOUT_FILENO)) die(2, "refusing to write a pcap to a terminal: redirect stdout or use -w FILE");
    if (!strcmp(out, "-")) g->fp = stdout;
    else if (!(g->fp = fopen(out, "wb"))) die(1, "%s: %s", out, strerror(errno));
    /* a big stdio buffer: the bench writes millions of small records */
    static char iobuf[1 << 20];
    setvbuf(g->fp, iobuf, _IOFBF, sizeof iobuf);
    g->dump = pcap_dump_fopen(g->pd, g->fp);
    if (!g->dump) die(1, "%s: %s", out, pcap_geterr(g->pd));
}

static void close_output(gen *g)
{
    if (points_enabled(g)) {
        points_close(g);
        return;
    }
    if (pcap_dump_flush(g->dump) != 0 || ferror(g->fp)) die(1, "%s: write error", g->o.out);
    if (g->fp == stdout) fflush(stdout);
    else pcap_dump_close(g->dump);
    pcap_close(g->pd);
}

int main(int argc, char **argv)
{
    cli c;
    int rc = parse_args(argc, argv, &c);
    if (rc >= 0) return rc;
    gen *g = xcalloc(1, sizeof *g);
    make_opts(&g->o, &c);
    gen_init(g);
    open_output(g);
    schedule(g);
    run(g);
    close_output(g);
    if (g->o.expected) {
        FILE *f = fopen(g->o.expected, "w");
        if (!f) die(1, "%s: %s", g->o.expected, strerror(errno));
        write_expected(g, f);
        if (fclose(f) != 0) die(1, "%s: write error", g->o.expected);
    }
    fprintf(stderr, "nlbgen: %s: %" PRIu64 " frames, %" PRIu64 " bytes\n", g->o.p->name, g->frames, g->bytes);
    free(g->flows);
    free(g->heap);
    free(g->shots);
    free(g);
    return 0;
}
