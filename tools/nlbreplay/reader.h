/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: reading one capture file, whatever reads it. libpcap reads classic pcap and pcapng
 * (it is the faster of the two there); libwiretap, Wireshark's capture-file library, reads
 * what libpcap cannot: compressed files, Network Monitor, pcapng whose interfaces have
 * different link types, snoop, ERF... Either way every record read counts as a frame, so
 * frame numbers are those Wireshark shows for the same file. */
#ifndef NLBREPLAY_READER_H
#define NLBREPLAY_READER_H

#include "nlbreplay.h"

/* Open in->name ("-" = stdin, libpcap only) and prepare the filter for it; on failure
 * in->opened stays false and the reason is in in->errors (and on stderr). */
void rp_reader_open(rp_run *r, rp_input *in);
/* Release what the reader holds (safe on an input never opened). */
void rp_reader_close(rp_input *in);
/* Bytes of the file consumed so far (for the progress line). */
uint64_t rp_reader_pos(const rp_input *in);
/* Whether this build reads through libwiretap at all, and a line saying which for --version. */
bool rp_wtap_available(void);
const char *rp_wtap_version(void);

/* Out of line: the libwiretap reader, and libpcap's end of file or error (which may hand
 * the rest of the file to libwiretap: then its next record is returned). */
bool rp_wtap_next(rp_run *r, rp_input *in);
bool rp_pcap_stopped(rp_run *r, rp_input *in, int rc);

/* Read the next record that passes the filter into in->rec, counting every record read in
 * in->frames and those passing in in->matched. False at the end of the input or after an
 * error (reported, in->eof set). Inline: the libpcap case is the body of every replay loop. */
static inline __attribute__((always_inline)) bool rp_reader_next(rp_run *r, rp_input *in)
{
    if (in->wt)
        return rp_wtap_next(r, in);
    struct pcap_pkthdr *h;
    const u_char *d;
    for (;;) {
        int rc = pcap_next_ex(in->p, &h, &d);
        if (rc != 1)
            return rp_pcap_stopped(r, in, rc);
        in->frames++;
        /* The offline filter is applied here rather than with pcap_setfilter() so frame
         * numbers stay the file's own. */
        if (!in->has_prog || pcap_offline_filter(&in->prog, h, d))
            break;
    }
    in->matched++;
    in->rec.data = d;
    in->rec.caplen = h->caplen;
    in->rec.len = h->len;
    in->rec.ts = (nlb_usec)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
    return true;
}

#endif
