/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay: the one place libwiretap's API differences between Wireshark releases are
 * handled (read-wtap.c calls only these). Checked against the installed headers:
 *   4.0 (Debian 12): wtap_init(gboolean), wtap_open_offline(..., gchar **, gboolean),
 *       wtap_read(wth, rec, Buffer *, int *, gchar **, gint64 *), wtap_rec_init(rec);
 *   4.2 and 4.4 (Debian 13): the same calls with bool, char ** and int64_t, which the same
 *       source passes unchanged (nlbreplay's own variables are int, char * and int64_t);
 *   4.5 development and later (4.6): the record carries its own data Buffer, so wtap_read
 *       loses its Buffer argument and wtap_rec_init takes an initial size. This branch
 *       follows the published 4.6 header; it has not been built here. */
#ifndef NLBREPLAY_WTAP_COMPAT_H
#define NLBREPLAY_WTAP_COMPAT_H

#include <stdint.h>

#include <ws_version.h>
#include <wiretap/wtap.h>

#define NLB_WT_VERSION (WIRESHARK_VERSION_MAJOR * 100 + WIRESHARK_VERSION_MINOR)

#if NLB_WT_VERSION >= 405
typedef struct nlb_wt_rec { wtap_rec rec; } nlb_wt_rec;
static inline void nlb_wt_rec_init(nlb_wt_rec *r) { wtap_rec_init(&r->rec, 2048); }
static inline void nlb_wt_rec_free(nlb_wt_rec *r) { wtap_rec_cleanup(&r->rec); }
static inline int nlb_wt_read(wtap *w, nlb_wt_rec *r, int *err, char **info, int64_t *off)
{
    wtap_rec_reset(&r->rec); /* the previous record's option block, else one leak per frame */
    return wtap_read(w, &r->rec, err, info, off);
}
static inline const uint8_t *nlb_wt_data(nlb_wt_rec *r) { return ws_buffer_start_ptr(&r->rec.data); }
#else
typedef struct nlb_wt_rec { wtap_rec rec; Buffer buf; } nlb_wt_rec;
static inline void nlb_wt_rec_init(nlb_wt_rec *r)
{
    wtap_rec_init(&r->rec);
    ws_buffer_init(&r->buf, 2048);
}
static inline void nlb_wt_rec_free(nlb_wt_rec *r)
{
    wtap_rec_cleanup(&r->rec);
    ws_buffer_free(&r->buf);
}
static inline int nlb_wt_read(wtap *w, nlb_wt_rec *r, int *err, char **info, int64_t *off)
{
    gint64 o = 0;
    wtap_rec_reset(&r->rec); /* the previous record's option block, else one leak per frame */
    int ok = wtap_read(w, &r->rec, &r->buf, err, info, &o);
    *off = o;
    return ok;
}
static inline const uint8_t *nlb_wt_data(nlb_wt_rec *r) { return ws_buffer_start_ptr(&r->buf); }
#endif

#endif
