/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: what the two readers (read-pcap.c, read-wtap.c) tell each other. */
#ifndef NLBREPLAY_READ_INT_H
#define NLBREPLAY_READ_INT_H

#include "nlbreplay.h"

/* Open in->name with libwiretap (libpcap could not): sets in->opened or reports why not. */
void rp_wtap_open(rp_run *r, rp_input *in);
/* libpcap stopped after in->frames records (interfaces of different link types): go on with
 * libwiretap from the next one. False when that failed (reported). */
bool rp_wtap_resume(rp_run *r, rp_input *in);
void rp_wtap_close(rp_input *in);
uint64_t rp_wtap_pos(const rp_input *in);
/* An uncompressed pcapng file's first structural fault, in words, into msg (pcapng-check.c). */
bool rp_pcapng_check(const rp_input *in, char *msg, size_t len);

#endif
