/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wording helpers shared by diag.c and the files that word one family of diagnostics. */
#ifndef NLB_DIAG_INT_H
#define NLB_DIAG_INT_H

#include <stddef.h>

#include "nlbproto/diag.h"

/* NLB-021/022/023 (diag_continuity.c): like nlb_diag_format. */
__attribute__((visibility("hidden"))) size_t nlb_diag_format_continuity(const nlb_diag *d, char *buf, size_t len);

#endif
