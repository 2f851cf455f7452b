/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: opening an input, and the libpcap reader. libpcap is tried first (it is the
 * faster reader of classic pcap and pcapng); what it cannot read goes to libwiretap
 * (read-wtap.c), and its errors are said in words naming the file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reader.h"
#include "read-int.h"
#include "session.h"

/* libpcap's wording for these cases names neither the file nor the way out. */
static void read_error(rp_run *r, rp_input *in, const char *perr)
{
    unsigned long long n = (unsigned long long)in->frames + 1;
    char what[RP_MSG];
    if (rp_pcapng_check(in, what, sizeof what))
        rp_input_error(r, in, "frame %llu: %s; frames before it were processed", n, what);
    else if (strstr(perr, "truncated"))
        rp_input_error(r, in, "frame %llu: truncated record, the capture ends mid-frame (%s); "
                    "frames before it were processed", n, perr);
    else
        rp_input_error(r, in, "frame %llu: %s; frames before it were processed", n, perr);
}

static bool mixed_links(const char *perr)
{
    return strstr(perr, "different from the type") || strstr(perr, "link-layer type")
           || strstr(perr, "link-layer header type");
}

bool rp_pcap_stopped(rp_run *r, rp_input *in, int rc)
{
    if (rc != PCAP_ERROR_BREAK) {
        const char *perr = pcap_geterr(in->p);
        /* libpcap reads pcapng only while every interface has the first one's link type;
         * libwiretap reads on from the same frame. */
        if (mixed_links(perr) && strcmp(in->name, "-") != 0 && rp_wtap_available()) {
            pcap_close(in->p);
            in->p = NULL;
            if (rp_wtap_resume(r, in))
                return rp_wtap_next(r, in);
            in->eof = true;
            return false;
        }
        if (mixed_links(perr))
            rp_input_error(r, in, "after frame %llu: this pcapng file mixes link types, which libpcap "
                        "cannot read (%s), and this nlbreplay was built without libwiretap, which can",
                        (unsigned long long)in->frames, perr);
        else
            read_error(r, in, perr);
    }
    in->eof = true;
    return false;
}

/* The file's first bytes: pcap or pcapng (in->format), and an absurd snapshot length in a
 * classic pcap header, which libpcap silently clamps: it hints at a damaged or hand-made
 * file, so say so (the frames themselves are still read). */
static void sniff_header(rp_run *r, rp_input *in)
{
    FILE *f = fopen(in->name, "rb");
    uint8_t h[24];
    if (!f)
        return;
    size_t n = fread(h, 1, sizeof h, f);
    fclose(f);
    if (n < 4)
        return;
    uint32_t le = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    if (le == 0x0a0d0d0au) {
        snprintf(in->format, sizeof in->format, "pcapng");
        return;
    }
    bool little = le == 0xa1b2c3d4u || le == 0xa1b23c4du;
    bool big = le == 0xd4c3b2a1u || le == 0x4d3cb2a1u;
    if (!little && !big)
        return;
    snprintf(in->format, sizeof in->format, "pcap");
    if (n < sizeof h)
        return;
    uint32_t snap = little ? (uint32_t)h[16] | (uint32_t)h[17] << 8 | (uint32_t)h[18] << 16 | (uint32_t)h[19] << 24
                           : (uint32_t)h[19] | (uint32_t)h[18] << 8 | (uint32_t)h[17] << 16 | (uint32_t)h[16] << 24;
    if (snap == 0 || snap > 262144) {
        char msg[RP_MSG];
        snprintf(msg, sizeof msg, "the file header declares an absurd snapshot length (%lu); libpcap reads "
                 "it as its maximum, frames larger than that are errors", (unsigned long)snap);
        rp_add_note(r, in, msg);
    }
}

/* libpcap could not open the file: hand it to libwiretap when that may help. */
static void pcap_open_failed(rp_run *r, rp_input *in, const char *err, bool is_stdin)
{
    bool unknown = strstr(err, "unknown file format") != NULL;
    /* A damaged pcap or pcapng header stays libpcap's to explain. */
    if (!is_stdin && rp_wtap_available() && unknown) {
        rp_wtap_open(r, in);
        return;
    }
    if (unknown && is_stdin)
        rp_input_error(r, in, "not a pcap or pcapng capture (%s); nlbreplay reads other formats "
                    "(compressed, Network Monitor, ...) from a file, not from standard input", err);
    else if (unknown)
        rp_input_error(r, in, "not a pcap or pcapng capture (%s); this nlbreplay was built without "
                    "libwiretap, which reads the other formats", err);
    else if (strstr(err, "truncated"))
        rp_input_error(r, in, "too short to be a capture (%s)", err);
    else
        rp_input_error(r, in, "%s", err);
}

static bool compile_filter(rp_run *r, rp_input *in)
{
    if (!r->opt.filter)
        return true;
    if (pcap_compile(in->p, &in->prog, r->opt.filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        rp_input_error(r, in, "filter '%s': %s", r->opt.filter, pcap_geterr(in->p));
        return false;
    }
    in->has_prog = true;
    return true;
}

void rp_reader_open(rp_run *r, rp_input *in)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    bool is_stdin = strcmp(in->name, "-") == 0;
    if (!is_stdin) {
        struct stat st;
        if (stat(in->name, &st) != 0) {
            rp_input_error(r, in, "cannot open: %s", strerror(errno));
            return;
        }
        if (S_ISDIR(st.st_mode)) {
            rp_input_error(r, in, "is a directory, not a capture");
            return;
        }
        if (S_ISREG(st.st_mode)) {
            if (st.st_size == 0) {
                rp_input_error(r, in, "empty file (0 bytes), not a capture");
                return;
            }
            in->size = (uint64_t)st.st_size;
            sniff_header(r, in);
        }
        /* For measuring the two readers on the same file, and for tests comparing them. */
        const char *force = getenv("NLBREPLAY_READER");
        if (force && strcmp(force, "wiretap") == 0 && rp_wtap_available()) {
            rp_wtap_open(r, in);
            return;
        }
        in->p = pcap_open_offline_with_tstamp_precision(in->name, PCAP_TSTAMP_PRECISION_MICRO, err);
    } else {
        in->p = pcap_fopen_offline_with_tstamp_precision(stdin, PCAP_TSTAMP_PRECISION_MICRO, err);
    }
    if (!in->p) {
        pcap_open_failed(r, in, err, is_stdin);
        return;
    }
    if (!in->format[0])
        snprintf(in->format, sizeof in->format, "pcap"); /* stdin: libpcap read its header */
    in->linktype = pcap_datalink(in->p);
    const char *ln = pcap_datalink_val_to_name(in->linktype);
    snprintf(in->linkname, sizeof in->linkname, "%s", ln ? ln : "unknown");
    in->rec.linktype = in->linktype;
    if (!nlb_linktype_supported(in->linktype)) {
        /* pcapng: a later interface may be Ethernet; libwiretap reads per interface. */
        if (!is_stdin && strcmp(in->format, "pcapng") == 0 && rp_wtap_available()) {
            pcap_close(in->p);
            in->p = NULL;
            rp_wtap_open(r, in);
            return;
        }
        rp_input_error(r, in, "unsupported link type %s (%d): nlbreplay reads Ethernet, Linux cooked (SLL) "
                    "and SLL2 captures", in->linkname, in->linktype);
        pcap_close(in->p);
        in->p = NULL;
        return;
    }
    if (!compile_filter(r, in)) {
        pcap_close(in->p);
        in->p = NULL;
        return;
    }
    in->opened = true;
}

void rp_reader_close(rp_input *in)
{
    if (in->has_prog)
        pcap_freecode(&in->prog);
    in->has_prog = false;
    if (in->p)
        pcap_close(in->p);
    in->p = NULL;
    rp_wtap_close(in);
}

uint64_t rp_reader_pos(const rp_input *in)
{
    if (in->eof)
        return in->size;
    if (in->wt)
        return rp_wtap_pos(in);
    long pos = in->p ? ftell(pcap_file(in->p)) : -1;
    return pos > 0 ? (uint64_t)pos : 0;
}
