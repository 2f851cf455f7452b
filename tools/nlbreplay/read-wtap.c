/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the libwiretap reader, for the files libpcap cannot read (compressed, Network
 * Monitor, snoop, ERF, pcapng whose interfaces have different link types...). Every record
 * libwiretap returns counts as a frame, as in Wireshark; records of a link type nlbreplay
 * does not decode are counted and skipped, and the report says how many. */
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "read-int.h"
#include "session.h"
#include "wtap-compat.h"

#include <wsutil/wslog.h>

#define MAX_LINKS 8 /* distinct link types given a filter program (more: unfiltered) */

typedef struct wt_link {
    int dlt;
    struct bpf_program prog;
    bool has_prog, failed;
} wt_link;

struct rp_wtap {
    wtap *w;
    nlb_wt_rec rec;
    unsigned n_links;
    wt_link links[MAX_LINKS];
    int last_dlt_seen;
};

static bool g_wtap_ready;

static void wtap_done(void)
{
    wtap_cleanup();
}

bool rp_wtap_available(void)
{
    return true;
}

const char *rp_wtap_version(void)
{
#define NLB_STR_(x) #x
#define NLB_STR(x) NLB_STR_(x)
    return "libwiretap (built with Wireshark " NLB_STR(WIRESHARK_VERSION_MAJOR) "." NLB_STR(WIRESHARK_VERSION_MINOR) "."
        NLB_STR(WIRESHARK_VERSION_MICRO) " headers): every other capture format Wireshark reads";
}

static void wtap_ready(void)
{
    if (g_wtap_ready)
        return;
    /* Unconfigured, wsutil's log prints every debug line of the readers; nlbreplay reports
     * libwiretap's errors itself, from the codes it returns. */
    ws_log_set_level(LOG_LEVEL_CRITICAL);
    wtap_init(FALSE);
    atexit(wtap_done);
    g_wtap_ready = true;
}

/* The DLT_ value of a wiretap encapsulation nlbreplay decodes, -1 for the others. */
static int encap_dlt(int encap)
{
    switch (encap) {
    case WTAP_ENCAP_ETHERNET: return DLT_EN10MB;
    case WTAP_ENCAP_SLL: return DLT_LINUX_SLL;
    case WTAP_ENCAP_SLL2: return DLT_LINUX_SLL2;
    default: return -1;
    }
}

static const char *compression_name(wtap_compression_type c)
{
    switch (c) {
    case WTAP_GZIP_COMPRESSED: return "gzip";
    case WTAP_ZSTD_COMPRESSED: return "zstd";
    case WTAP_LZ4_COMPRESSED: return "lz4";
    default: return "";
    }
}

/* What libwiretap's error means, in words, into msg. */
static void describe(const rp_input *in, int err, const char *info, char *msg, size_t len)
{
    const char *detail = info ? info : "";
    switch (err) {
    case WTAP_ERR_FILE_UNKNOWN_FORMAT:
        snprintf(msg, len, "not a pcap or pcapng capture, nor a capture file of any other format Wireshark reads");
        break;
    case WTAP_ERR_SHORT_READ:
        snprintf(msg, len, "the file ends in the middle of a record (cut short?)%s%s", *detail ? ": " : "", detail);
        break;
    case WTAP_ERR_BAD_FILE:
        if (!rp_pcapng_check(in, msg, len))
            snprintf(msg, len, "corrupt %s file: %s", in->format[0] ? in->format : "capture", detail);
        break;
    case WTAP_ERR_UNSUPPORTED:
        snprintf(msg, len, "a %s file using something Wireshark does not support: %s",
                 in->format[0] ? in->format : "capture", detail);
        break;
    case WTAP_ERR_DECOMPRESS:
        snprintf(msg, len, "the %s compressed data is damaged%s%s", in->compression[0] ? in->compression : "",
                 *detail ? ": " : "", detail);
        break;
    default:
        snprintf(msg, len, "%s%s%s", wtap_strerror(err), *detail ? ": " : "", detail);
        break;
    }
}

static struct wt_link *link_of(rp_run *r, rp_input *in, int dlt);

static bool open_handle(rp_run *r, rp_input *in)
{
    wtap_ready();
    int err = 0;
    char *info = NULL;
    wtap *w = wtap_open_offline(in->name, WTAP_TYPE_AUTO, &err, &info, FALSE);
    if (!w) {
        char msg[RP_MSG];
        describe(in, err, info, msg, sizeof msg);
        rp_input_error(r, in, "%s", msg);
        g_free(info);
        return false;
    }
    struct rp_wtap *t = calloc(1, sizeof *t);
    if (!t) {
        wtap_close(w);
        rp_input_error(r, in, "out of memory");
        return false;
    }
    t->w = w;
    t->last_dlt_seen = -2;
    nlb_wt_rec_init(&t->rec);
    in->wt = t;
    snprintf(in->format, sizeof in->format, "%s", wtap_file_type_subtype_name(wtap_file_type_subtype(w)));
    snprintf(in->compression, sizeof in->compression, "%s", compression_name(wtap_get_compression_type(w)));
    return true;
}

void rp_wtap_open(rp_run *r, rp_input *in)
{
    in->linkname[0] = '\0';
    in->linktype = -1;
    if (open_handle(r, in))
        in->opened = true;
}

bool rp_wtap_resume(rp_run *r, rp_input *in)
{
    if (!open_handle(r, in))
        return false;
    struct rp_wtap *t = in->wt;
    int err = 0;
    char *info = NULL;
    int64_t off;
    in->linkname[0] = '\0';
    in->linktype = -1;
    for (uint64_t i = 0; i < in->frames; i++) {
        bool ok = nlb_wt_read(t->w, &t->rec, &err, &info, &off);
        if (ok && t->rec.rec.rec_type == REC_TYPE_PACKET) {
            int dlt = encap_dlt(t->rec.rec.rec_header.packet_header.pkt_encap);
            if (dlt >= 0)
                (void)link_of(r, in, dlt); /* the link types libpcap already read, in order */
        }
        if (!ok) {
            char msg[RP_MSG];
            describe(in, err, info, msg, sizeof msg);
            rp_input_error(r, in, "reopening after frame %llu: %s", (unsigned long long)in->frames, msg);
            g_free(info);
            return false;
        }
    }
    return true;
}

void rp_wtap_close(rp_input *in)
{
    struct rp_wtap *t = in->wt;
    if (!t)
        return;
    for (unsigned i = 0; i < t->n_links; i++)
        if (t->links[i].has_prog)
            pcap_freecode(&t->links[i].prog);
    nlb_wt_rec_free(&t->rec);
    wtap_close(t->w);
    free(t);
    in->wt = NULL;
}

uint64_t rp_wtap_pos(const rp_input *in)
{
    int64_t n = wtap_read_so_far(in->wt->w);
    return n > 0 ? (uint64_t)n : 0;
}

/* Remember a link type the first time it is seen: its name in in->linkname, and its filter
 * program. NULL when the filter cannot be compiled for it (reported once). */
static struct wt_link *link_of(rp_run *r, rp_input *in, int dlt)
{
    struct rp_wtap *t = in->wt;
    for (unsigned i = 0; i < t->n_links; i++)
        if (t->links[i].dlt == dlt)
            return t->links[i].failed ? NULL : &t->links[i];
    if (t->n_links == MAX_LINKS)
        return NULL;
    wt_link *l = &t->links[t->n_links++];
    l->dlt = dlt;
    if (in->linktype < 0)
        in->linktype = dlt;
    const char *ln = pcap_datalink_val_to_name(dlt);
    size_t n = strlen(in->linkname);
    snprintf(in->linkname + n, sizeof in->linkname - n, "%s%s", n ? "+" : "", ln ? ln : "unknown");
    if (r->opt.filter) {
        pcap_t *dead = pcap_open_dead(dlt, 262144);
        if (!dead || pcap_compile(dead, &l->prog, r->opt.filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            rp_input_error(r, in, "filter '%s' for link type %s: %s", r->opt.filter, ln ? ln : "unknown",
                        dead ? pcap_geterr(dead) : "out of memory");
            l->failed = true;
        } else {
            l->has_prog = true;
        }
        if (dead)
            pcap_close(dead);
    }
    return l->failed ? NULL : l;
}

/* A record nlbreplay does not decode: count it once per record, name the kind once. */
static void other_record(rp_run *r, rp_input *in, const char *what)
{
    if (in->other_link++ == 0) {
        char msg[RP_MSG];
        snprintf(msg, sizeof msg, "frame %llu and others: %s, not Ethernet, Linux cooked (SLL) or SLL2; "
                 "such frames are counted and skipped", (unsigned long long)in->frames, what);
        rp_add_note(r, in, msg);
    }
}

bool rp_wtap_next(rp_run *r, rp_input *in)
{
    struct rp_wtap *t = in->wt;
    wtap_rec *rec = &t->rec.rec;
    for (;;) {
        int err = 0;
        char *info = NULL;
        int64_t off;
        if (!nlb_wt_read(t->w, &t->rec, &err, &info, &off)) {
            if (err != 0) {
                char msg[RP_MSG];
                describe(in, err, info, msg, sizeof msg);
                rp_input_error(r, in, "frame %llu: %s; frames before it were processed",
                            (unsigned long long)in->frames + 1, msg);
            }
            g_free(info);
            in->eof = true;
            return false;
        }
        in->frames++;
        if (rec->rec_type != REC_TYPE_PACKET) {
            other_record(r, in, "a record that is not a packet (an event or file information)");
            continue;
        }
        const wtap_packet_header *ph = &rec->rec_header.packet_header;
        int dlt = encap_dlt(ph->pkt_encap);
        if (dlt < 0) {
            char what[96];
            snprintf(what, sizeof what, "link type %s", wtap_encap_name(ph->pkt_encap));
            other_record(r, in, what);
            continue;
        }
        wt_link *l = link_of(r, in, dlt);
        if (!l) {
            in->eof = true; /* the filter cannot be applied: reading on would lie */
            return false;
        }
        const uint8_t *d = nlb_wt_data(&t->rec);
        if (l->has_prog) {
            struct pcap_pkthdr h = {.caplen = ph->caplen, .len = ph->len};
            if (!pcap_offline_filter(&l->prog, &h, d))
                continue;
        }
        in->matched++;
        in->rec.data = d;
        in->rec.caplen = ph->caplen;
        in->rec.len = ph->len;
        in->rec.linktype = dlt;
        in->rec.ts = (rec->presence_flags & WTAP_HAS_TS)
                         ? (nlb_usec)rec->ts.secs * 1000000 + rec->ts.nsecs / 1000 : 0;
        return true;
    }
}
