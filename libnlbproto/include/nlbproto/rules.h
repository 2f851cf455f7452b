/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: the port-rules file, the operator's description of the cluster's port rules for the
 * ownership emulation (owner.h). */
#ifndef NLBPROTO_RULES_H
#define NLBPROTO_RULES_H

#include "owner.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse a port-rules file (format in man/nlbreplay.1 and at the top of rules.c), appending its
 * rules to *m; on error returns false, leaves *m untouched and writes "line N: why" into err. */
bool nlb_model_load_rules(nlb_model *m, const char *text, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
