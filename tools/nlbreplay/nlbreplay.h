/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the run's state, shared by the inputs (replay.c, live.c, session.c) and the report
 * writers (out-*.c). The writers only lay out what libnlbproto computed; the one thing
 * nlbreplay gathers itself is the heartbeat tick series for --svg, which the tracker does not
 * keep (it keeps no per-frame history by design). */
#ifndef NLBREPLAY_H
#define NLBREPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "nlbproto/nlbproto.h"
#include "putnum.h" /* cm_u64_put, cm_micro_put: the writers' number writers */

#define RP_MAX_INPUT_ERRORS 4
#define RP_MAX_MALFORMED_NOTES 5 /* "the first few" malformed frames named per input */
#define RP_MAX_NOTES (RP_MAX_MALFORMED_NOTES + 2)
#define RP_MSG 320
#define RP_JSON_FLOW_CAP 10000   /* flows listed in json without --flows */
#define RP_TOP_DIAGS 6           /* diagnostics on the first text screen */
#define RP_MORE_DIAGS 40         /* further diagnostics in text; json has them all */
#define RP_TOP_CONVERGENCE 3     /* convergence episodes per cluster on the first screen */

enum rp_format { RP_FMT_TEXT, RP_FMT_JSON, RP_FMT_CSV };

/* One record as a reader (reader.h) hands it over; data is valid until the next read of the
 * same input. */
typedef struct rp_rec {
    const uint8_t *data;
    uint32_t caplen, len;        /* caplen < len: cut by the snapshot length */
    nlb_usec ts;
    int linktype;                /* of this record: pcapng interfaces may differ */
} rp_rec;

struct rp_wtap;                  /* read-wtap.c */

typedef struct rp_input {
    const char *name;            /* as given on the command line ("-" = stdin) */
    pcap_t *p;                   /* libpcap file or live handle; NULL when wiretap reads it */
    struct rp_wtap *wt;          /* libwiretap reader; NULL when libpcap reads it */
    int linktype;                /* DLT_ value, equal to LINKTYPE_ for the three we accept; of the
                                  * first record when interfaces differ */
    char linkname[48];           /* every link type read, "EN10MB" or "EN10MB+LINUX_SLL" */
    char format[40];             /* file format as the reader names it: "pcap", "netmon2", ... */
    char compression[8];         /* "gzip", "zstd", "lz4", "" = none */
    uint64_t size;               /* file size in bytes, 0 = unknown (stdin, pipe) */
    uint64_t frames;             /* records read from the file */
    uint64_t matched;            /* records that passed the filter (= frames without one) */
    uint64_t truncated_frames;   /* caplen < wire length */
    uint64_t malformed;
    uint64_t reordered;          /* timestamps earlier than the previous frame's (clamped) */
    bool opened, eof;
    struct bpf_program prog;
    bool has_prog;
    rp_rec rec;                  /* the next record */
    uint64_t other_link;         /* records of a link type nlbreplay does not read (skipped) */
    unsigned n_errors;
    char errors[RP_MAX_INPUT_ERRORS][RP_MSG];
    unsigned n_notes;
    char notes[RP_MAX_NOTES][RP_MSG]; /* non-fatal: malformed frames, odd headers */
    /* live capture (-i): name is the interface; drops as pcap_stats() reports them */
    bool live;
    uint64_t dropped, ifdropped;
    /* the time span this input covers (its first and last frame fed), and whether it ended
     * while other inputs went on (the tracker is told: nlb_tracker_input_end) */
    nlb_usec first_ts, last_ts;
    bool ended_early;
    /* --at: the capture point this input was taken at (points.c) */
    char label[NLB_VANTAGE_LABEL_MAX];
} rp_input;

/* A frame as Wireshark numbers it: frame number `frame` (1-based) of input `file` (0-based
 * index into rp_run.inputs); frame 0 = unknown. */
typedef struct rp_frame_ref {
    uint64_t frame;
    unsigned file;
} rp_frame_ref;
#define RP_REF(file, frame) ((uint64_t)(file) << 48 | (frame))

/* Heartbeat times of one host, only gathered for --svg. */
typedef struct rp_series {
    uint32_t vip;
    uint8_t prio;
    size_t n, cap;
    nlb_usec *t;
} rp_series;

typedef struct rp_options {
    enum rp_format format;
    bool flows, events, quiet;
    const char *svg;
    int fail_on;                 /* -1 none, else nlb_severity */
    uint64_t count;              /* -c: 0 = all */
    const char *rules_file;
    const char *filter;          /* BPF expression, NULL = none */
    bool colour;
    /* live capture (-i) */
    const char *iface;
    const char *write_file;      /* -w */
    const char *alert_cmd;       /* --alert-cmd */
    double duration;             /* --duration seconds, 0 = until a signal */
} rp_options;

typedef struct rp_run {
    rp_options opt;
    nlb_tracker_config cfg;
    nlb_tracker *t;
    size_t n_inputs;
    rp_input *inputs;
    nlb_usec first_ts, last_ts;  /* of the frames fed, 0 = none */
    uint64_t fed;
    unsigned inputs_with_errors;
    size_t n_series, cap_series;
    rp_series *series;
    char filter_note[RP_MSG];
    const char **rfiles;         /* -r arguments (owned by main.c) */
    /* --without-host: asked of nlb_tracker_whatif() after the replay. The tracker's own
     * without_host stays 0, otherwise its predictions would already exclude the host and the
     * what-if would compare the what-if with itself. */
    uint8_t whatif_host;    /* "" or the BPF expression, shown in reports */
    const char *stop_reason;     /* live: "duration", "count", "signal" or "error" */
    /* Frame references (rp_frame_ref packed by RP_REF) by time fed, so events, diagnostics and
     * flows name frames a user can jump to: one entry per distinct time fed, with the first
     * and the last frame fed at that time. */
    nlb_usec *ff_ts;
    uint64_t *ff_first, *ff_last;
    size_t ff_n, ff_cap;
    /* several capture points (--at, points.c): the vantage and the user's settings */
    bool points;                 /* inputs are capture points (any --at given) */
    nlb_vantage *v;
    double max_offset;           /* --max-offset seconds */
    size_t n_offsets;            /* --clock-offset LABEL=SECONDS */
    const char *off_label[NLB_VANTAGE_MAX_POINTS];
    double off_value[NLB_VANTAGE_MAX_POINTS];
    char at_label[NLB_VANTAGE_MAX_POINTS][NLB_VANTAGE_LABEL_MAX]; /* per file in -r order; "" = inferred */
} rp_run;

#endif
