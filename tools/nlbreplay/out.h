/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the report writers (out-*.c) and their shared helpers (util.c). */
#ifndef NLBREPLAY_OUT_H
#define NLBREPLAY_OUT_H

#include "nlbreplay.h"

/* Writers; each returns 0, or -1 when the output could not be written. */
int rp_write_text(const rp_run *r, FILE *out);
int rp_write_json(const rp_run *r, FILE *out);
int rp_write_csv(const rp_run *r, FILE *out);
int rp_write_svg(const rp_run *r, const char *path);

/* Live output: one line per event / diagnostic as they arise. */
void rp_json_event_line(FILE *f, const rp_run *r, const nlb_event *ev);
void rp_json_diag_line(FILE *f, const rp_run *r, const nlb_diag *d);
void rp_text_event_line(FILE *f, const rp_run *r, const nlb_event *ev);
void rp_text_diag_line(FILE *f, const rp_run *r, const nlb_diag *d, bool colour);
/* Live watch screen (stdout is a terminal): the state at tracker time now, fitting rows x cols. */
void rp_watch_screen(const rp_run *r, FILE *f, nlb_usec now, double running_s, unsigned rows, unsigned cols);

/* Ownership: predictions and their evidence (out-owner.c), in the text report and in json. */
void rp_text_ownership(FILE *f, const rp_run *r, bool colour);
struct jw;
void rp_json_ownership(struct jw *w, const rp_run *r);

/* Small helpers shared by the writers. */
/* The first frame fed at or after t (the last one fed when none), and the last frame fed at or
 * before t (the first one fed when none); frame 0 when nothing was fed. Frames fed in the
 * same microsecond are not told apart: the first (last) of them is named. */
rp_frame_ref rp_frame_from(const rp_run *r, nlb_usec t);
rp_frame_ref rp_frame_until(const rp_run *r, nlb_usec t);
/* A frame reference for a person: "#1234", or "[2]#1234" (the second input) when several; nothing
 * when unknown. rp_ref_put returns the end (room: 32 bytes); rp_ref_str ends buf (>= 32). */
char *rp_ref_put(const rp_run *r, rp_frame_ref ref, char *p);
char *rp_ref_str(const rp_run *r, rp_frame_ref ref, char *buf);
#define RP_TEXT_WIDTH 80
/* Print s word-wrapped to RP_TEXT_WIDTH, starting at column col; leading spaces are kept and
 * continuation lines start with `indent` spaces. */
void rp_wrap(FILE *f, const char *s, size_t col, size_t indent);
/* Diagnostics sorted most severe first, then by time; caller frees. */
const nlb_diag **rp_sorted_diags(const nlb_tracker *t, size_t *n);
/* "2026-11-23 10:02:03.100" (UTC) into buf (>= 32). */
char *rp_datetime_str(nlb_usec t, char *buf);
/* Endpoint "1.2.3.4:80" or "[2001:db8::1]:80" into buf (>= 56). */
char *rp_endpoint_str(const nlb_ipaddr *ip, uint16_t port, char *buf);
/* The same at p, without a NUL; returns the end (room needed: 53 bytes). */
char *rp_endpoint_put(const nlb_ipaddr *ip, uint16_t port, char *p);
/* "tcp", "udp" or the protocol number at p; returns the end (room: 3). */
char *rp_proto_put(uint8_t proto, char *p);
/* Text to show for bins owned by a host ("20", "20/15/..", "-" when maps are unknown). */
char *rp_bins_str(const nlb_host_info *h, char *buf, size_t len);

#endif
