/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The port-rules file language (nlb_model_load_rules): what an operator writes to give the
 * ownership emulation the cluster's configuration. One statement per line, '#' starts a comment,
 * blank lines ignored, tokens separated by blanks, keys case-sensitive:
 *
 *   bins=60                 bins per rule, 1..64 (emulation parameter)
 *   seed=12345              hash seed, decimal or 0x hex
 *   affinity=single         affinity used when no rule is configured (none|single|classc)
 *   rule [key=value ...]    one port rule; keys:
 *       vip=10.20.30.40|all     default all
 *       ports=80 | ports=80-443 default 0-65535
 *       proto=tcp|udp|both      default both
 *       mode=multiple|single|disabled   default multiple
 *       affinity=none|single|classc     default single
 *       load=equal | load=1:50,2:30,3:20   per host priority, 0..100 (multiple-host mode)
 *       handling=1:1,2:2        per host priority, single-host mode (lowest non-zero wins)
 *
 * Rules keep their file order (the order of the model = the order of the wire's rule slots,
 * a guess). Errors are reported as "line N: why" and leave *m untouched. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlbproto/rules.h"

/* Decimal only, except seed= which also takes 0x hex: a port "080" must not turn octal. */
static bool parse_uint_base(const char *s, unsigned long max, unsigned long *out, int base)
{
    char *end;
    if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s)) return false;
    unsigned long v = strtoul(s, &end, base);
    if (*end || v > max) return false;
    *out = v;
    return true;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    return parse_uint_base(s, max, out, 10);
}

static bool parse_affinity(const char *v, nlb_affinity *a)
{
    if (!strcmp(v, "none")) *a = NLB_AFF_NONE;
    else if (!strcmp(v, "single")) *a = NLB_AFF_SINGLE;
    else if (!strcmp(v, "classc")) *a = NLB_AFF_CLASSC;
    else return false;
    return true;
}

/* strtok_r is POSIX, not C11: a re-entrant splitter of our own. */
static char *next_tok(char **save, const char *delims)
{
    char *p = *save;
    p += strspn(p, delims);
    if (!*p) {
        *save = p;
        return NULL;
    }
    char *end = p + strcspn(p, delims);
    if (*end) *end++ = 0;
    *save = end;
    return p;
}

/* "1:50,2:30" into per-priority values; false with a reason in why. */
static bool parse_prio_list(char *v, unsigned max, uint8_t out[NLB_MAX_PRIORITY + 1], const char **why)
{
    memset(out, 0, NLB_MAX_PRIORITY + 1);
    for (char *save = v, *it = next_tok(&save, ","); it; it = next_tok(&save, ",")) {
        char *colon = strchr(it, ':');
        unsigned long p, x;
        if (!colon) { *why = "expected priority:value"; return false; }
        *colon = 0;
        if (!parse_uint(it, NLB_MAX_PRIORITY, &p) || p < 1) { *why = "host priority must be 1..32"; return false; }
        if (!parse_uint(colon + 1, max, &x)) { *why = max == 100 ? "load weight must be 0..100" : "handling priority must be 0..32"; return false; }
        out[p] = (uint8_t)x;
    }
    return true;
}

static bool parse_rule(char *rest, nlb_port_rule *r, char *why, size_t whylen)
{
    memset(r, 0, sizeof *r);
    r->start = 0;
    r->end = 65535;
    r->proto = NLB_RP_BOTH;
    r->mode = NLB_FILTER_MULTIPLE;
    r->affinity = NLB_AFF_SINGLE;
    r->equal_load = true;
    for (char *save = rest, *tok = next_tok(&save, " \t\r"); tok; tok = next_tok(&save, " \t\r")) {
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok || !eq[1]) {
            snprintf(why, whylen, "expected key=value, got '%s'", tok);
            return false;
        }
        *eq = 0;
        char *k = tok, *v = eq + 1;
        const char *reason = NULL;
        if (!strcmp(k, "vip")) {
            if (!strcmp(v, "all")) r->vip = 0;
            else if (!nlb_ip4_parse(v, &r->vip)) reason = "vip must be an IPv4 address or 'all'";
        } else if (!strcmp(k, "ports") || !strcmp(k, "port")) {
            char *dash = strchr(v, '-');
            unsigned long a, b;
            if (dash) *dash = 0;
            if (!parse_uint(v, 65535, &a) || (dash && !parse_uint(dash + 1, 65535, &b)))
                reason = "ports must be N or N-M with 0..65535";
            else {
                if (!dash) b = a;
                if (a > b) reason = "port range is inverted";
                r->start = (uint16_t)a;
                r->end = (uint16_t)b;
            }
        } else if (!strcmp(k, "proto")) {
            if (!strcmp(v, "tcp")) r->proto = NLB_RP_TCP;
            else if (!strcmp(v, "udp")) r->proto = NLB_RP_UDP;
            else if (!strcmp(v, "both")) r->proto = NLB_RP_BOTH;
            else reason = "proto must be tcp, udp or both";
        } else if (!strcmp(k, "mode")) {
            if (!strcmp(v, "multiple")) r->mode = NLB_FILTER_MULTIPLE;
            else if (!strcmp(v, "single")) r->mode = NLB_FILTER_SINGLE;
            else if (!strcmp(v, "disabled")) r->mode = NLB_FILTER_DISABLED;
            else reason = "mode must be multiple, single or disabled";
        } else if (!strcmp(k, "affinity")) {
            if (!parse_affinity(v, &r->affinity)) reason = "affinity must be none, single or classc";
        } else if (!strcmp(k, "load")) {
            if (!strcmp(v, "equal")) {
                r->equal_load = true;
            } else {
                r->equal_load = false;
                if (!parse_prio_list(v, 100, r->weight, &reason)) { /* reason set */ }
            }
        } else if (!strcmp(k, "handling")) {
            if (!parse_prio_list(v, NLB_MAX_PRIORITY, r->handling, &reason)) { /* reason set */ }
        } else {
            snprintf(why, whylen, "unknown rule key '%s'", k);
            return false;
        }
        if (reason) {
            snprintf(why, whylen, "%s", reason);
            return false;
        }
    }
    return true;
}

bool nlb_model_load_rules(nlb_model *m, const char *text, char *err, size_t errlen)
{
    nlb_model tmp = *m;
    char line[1024], why[160];
    unsigned lineno = 0;
    const char *p = text ? text : "";
    if (err && errlen) err[0] = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        why[0] = 0;
        if (len >= sizeof line) {
            snprintf(why, sizeof why, "line too long");
        } else {
            memcpy(line, p, len);
            line[len] = 0;
            char *hash = strchr(line, '#');
            if (hash) *hash = 0;
            char *s = line;
            while (isspace((unsigned char)*s)) s++;
            size_t sl = strlen(s);
            while (sl && isspace((unsigned char)s[sl - 1])) s[--sl] = 0;
            if (!*s) {
                /* blank or comment */
            } else if (!strncmp(s, "rule", 4) && (s[4] == 0 || isspace((unsigned char)s[4]))) {
                nlb_port_rule r;
                if (parse_rule(s + 4, &r, why, sizeof why) && !nlb_model_add_rule(&tmp, &r))
                    snprintf(why, sizeof why, "too many rules (at most %d)", NLB_MAX_RULES);
            } else if (!strncmp(s, "bins=", 5)) {
                unsigned long v;
                if (!parse_uint(s + 5, NLB_BINS_MAX, &v) || v < 1) snprintf(why, sizeof why, "bins must be 1..64");
                else tmp.bins = (unsigned)v;
            } else if (!strncmp(s, "seed=", 5)) {
                unsigned long v;
                if (!parse_uint_base(s + 5, 0xFFFFFFFFul, &v, strncmp(s + 5, "0x", 2) ? 10 : 16)) snprintf(why, sizeof why, "seed must be a 32-bit unsigned number");
                else tmp.seed = (uint32_t)v;
            } else if (!strncmp(s, "affinity=", 9)) {
                if (!parse_affinity(s + 9, &tmp.default_affinity)) snprintf(why, sizeof why, "affinity must be none, single or classc");
            } else {
                char word[40];
                snprintf(word, sizeof word, "%s", s);
                char *sp = word + strcspn(word, " \t=");
                *sp = 0;
                snprintf(why, sizeof why, "unknown statement '%s' (expected rule, bins=, seed= or affinity=)", word);
            }
        }
        if (why[0]) {
            if (err && errlen) snprintf(err, errlen, "line %u: %s", lineno, why);
            return false;
        }
        if (!nl) break;
        p = nl + 1;
    }
    *m = tmp;
    return true;
}
