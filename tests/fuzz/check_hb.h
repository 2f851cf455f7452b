/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Invariants of a decoded heartbeat, shared by fuzz_heartbeat, fuzz_tlv and fuzz_frame (the frame
 * path must give the same guarantees as a direct decode). */
#ifndef NLB_FUZZ_CHECK_HB_H
#define NLB_FUZZ_CHECK_HB_H

#include "fuzz.h"
#include "nlbproto/nlbproto.h"

/* Encoders get exactly cap bytes of heap so ASan sees any write past what they were promised. */
static inline size_t fuzz_encode_exact(const nlb_heartbeat *hb, size_t cap, uint8_t *out, size_t outcap)
{
    uint8_t *buf = malloc(cap ? cap : 1);
    FUZZ_CHECK(buf != NULL);
    size_t n = nlb_hb_encode(hb, buf, cap);
    FUZZ_CHECK(n <= cap);
    if (n && out)
        memcpy(out, buf, n < outcap ? n : outcap);
    free(buf);
    return n;
}

static inline void fuzz_check_hb(const nlb_heartbeat *hb, const uint8_t *p, size_t n)
{
    FUZZ_CHECK((unsigned)hb->status <= NLB_NOT_NLB);
    FUZZ_CHECK((unsigned)hb->bad_field < NLB_F_COUNT_);
    FUZZ_CHECK((unsigned)hb->kind <= NLB_HB_IDENTITY);
    FUZZ_CHECK(hb->captured == n);
    FUZZ_CHECK(hb->rules_present <= NLB_MAX_RULES);
    FUZZ_CHECK(hb->n_tlvs <= NLB_HB_MAX_TLVS);
    FUZZ_CHECK(hb->n_addrs <= NLB_HB_MAX_ADDRS);
    FUZZ_CHECK(hb->status != NLB_TRUNCATED || hb->truncated);
    FUZZ_CHECK(hb->status != NLB_OK || !hb->truncated);
    FUZZ_CHECK(nlb_hb_has(hb, 0, n));
    FUZZ_CHECK(!nlb_hb_has(hb, n, 1));
    FUZZ_CHECK(!nlb_hb_has(hb, 1, SIZE_MAX)); /* overflow-safe range test */

    /* host_name: NUL inside the array, what precedes it valid UTF-8 */
    const char *nul = memchr(hb->host_name, 0, sizeof hb->host_name);
    FUZZ_CHECK(nul != NULL);
    FUZZ_CHECK(fuzz_utf8_valid(hb->host_name, (size_t)(nul - hb->host_name)));

    if (hb->status == NLB_NOT_NLB) {
        FUZZ_CHECK(hb->kind == NLB_HB_UNKNOWN);
        FUZZ_CHECK(hb->rules_present == 0 && hb->n_tlvs == 0 && hb->n_addrs == 0);
    }
    if (hb->kind == NLB_HB_MEMBERSHIP) {
        /* a rule slot counts exactly when its 4-byte code was captured */
        size_t want = n < NLB_OFF_RULE_CODES + 4 ? 0 : (n - NLB_OFF_RULE_CODES) / 4;
        if (want > NLB_MAX_RULES) want = NLB_MAX_RULES;
        FUZZ_CHECK(hb->rules_present == want);
        FUZZ_CHECK(hb->status != NLB_OK || n >= NLB_HB_MEMBERSHIP_LEN);
        if (n >= NLB_HB_MEMBERSHIP_LEN)
            FUZZ_CHECK(hb->status != NLB_TRUNCATED);
        if (hb->status == NLB_OK)
            FUZZ_CHECK(hb->num_rules <= NLB_MAX_RULES && hb->priority >= 1 && hb->priority <= NLB_MAX_PRIORITY);
    } else {
        FUZZ_CHECK(hb->rules_present == 0);
    }
    if (hb->kind != NLB_HB_EXTENDED)
        FUZZ_CHECK(hb->n_tlvs == 0 && hb->n_addrs == 0 && hb->host_name[0] == 0);
    for (unsigned i = 0; i < hb->n_tlvs; i++) {
        const nlb_hb_tlv *t = &hb->tlvs[i];
        FUZZ_CHECK(t->type != 0);
        FUZZ_CHECK(t->offset >= NLB_HB_COMMON_LEN && t->offset < n);
        FUZZ_CHECK(t->length >= 8 && t->length % 8 == 0);
        if (i)
            FUZZ_CHECK(t->offset == hb->tlvs[i - 1].offset + hb->tlvs[i - 1].length);
    }
    for (unsigned i = 0; i < hb->n_addrs; i++)
        FUZZ_CHECK(hb->addrs[i].family == 4 || hb->addrs[i].family == 6);

    /* helpers must stay inside their documented buffers */
    char v[12];
    nlb_hb_version_str(hb->version, v);
    fuzz_check_cstr(v, sizeof v);
    FUZZ_CHECK(nlb_hb_kind_name(hb->kind) != NULL);
    FUZZ_CHECK(nlb_status_name(hb->status) != NULL && nlb_field_name(hb->bad_field) != NULL);
    for (unsigned i = 0; i < hb->rules_present; i++) {
        uint16_t s, e;
        if (nlb_rule_code_ports(hb->rules[i].code, &s, &e))
            FUZZ_CHECK(s <= e && e <= 0xFFF);
        FUZZ_CHECK(nlb_map_count(hb->rules[i].cur_map) <= 64);
    }
    for (unsigned i = 0; i < hb->n_addrs; i++) {
        char a[46];
        nlb_ipaddr_str(&hb->addrs[i], a);
        fuzz_check_cstr(a, sizeof a);
    }
}

/* decode(encode(decode(x))) == decode(x) for the fields the encoder carries; for a membership
 * heartbeat that decoded OK the encoder rewrites every byte, so encode(decode(x)) == x[0..1496). */
static inline void fuzz_check_roundtrip(const nlb_heartbeat *hb, const uint8_t *p, size_t n)
{
    static uint8_t a[4096], b[4096];
    static nlb_heartbeat hb2;
    if (hb->status != NLB_OK)
        return;
    size_t na = fuzz_encode_exact(hb, sizeof a, a, sizeof a);
    FUZZ_CHECK(na > 0);
    FUZZ_CHECK(nlb_hb_decode(a, na, &hb2) == NLB_OK);
    FUZZ_CHECK(hb2.kind == hb->kind && hb2.signature == hb->signature && hb2.version == hb->version &&
               hb2.priority == hb->priority && hb2.cluster_ip == hb->cluster_ip &&
               hb2.dedicated_ip == hb->dedicated_ip);
    if (hb->kind == NLB_HB_MEMBERSHIP) {
        FUZZ_CHECK(na == NLB_HB_MEMBERSHIP_LEN && memcmp(a, p, na) == 0);
        FUZZ_CHECK(hb2.my_host_id == hb->my_host_id && hb2.default_host_id == hb->default_host_id &&
                   hb2.conv_state == hb->conv_state && hb2.num_rules == hb->num_rules &&
                   hb2.host_code == hb->host_code && hb2.packets_handled == hb->packets_handled &&
                   hb2.teaming == hb->teaming && hb2.reserved == hb->reserved);
        FUZZ_CHECK(hb2.rules_present == hb->rules_present);
        for (unsigned i = 0; i < NLB_MAX_RULES; i++) {
            const nlb_hb_rule *x = &hb->rules[i], *y = &hb2.rules[i];
            FUZZ_CHECK(x->code == y->code && x->cur_map == y->cur_map && x->new_map == y->new_map &&
                       x->idle_map == y->idle_map && x->ready_map == y->ready_map &&
                       x->load_weight == y->load_weight && x->reserved == y->reserved);
        }
    } else if (hb->kind == NLB_HB_EXTENDED) {
        FUZZ_CHECK(strcmp(hb2.host_name, hb->host_name) == 0);
        FUZZ_CHECK(hb2.n_addrs == hb->n_addrs);
        for (unsigned i = 0; i < hb->n_addrs; i++) {
            size_t l = hb->addrs[i].family == 4 ? 4 : 16;
            FUZZ_CHECK(hb2.addrs[i].family == hb->addrs[i].family && memcmp(hb2.addrs[i].a, hb->addrs[i].a, l) == 0);
        }
    }
    /* stable from the second round on, byte for byte */
    size_t nb = fuzz_encode_exact(&hb2, sizeof b, b, sizeof b);
    FUZZ_CHECK(nb == na && memcmp(a, b, na) == 0);
    /* one byte short of what it needs, the encoder must refuse, never overrun */
    FUZZ_CHECK(fuzz_encode_exact(hb, na - 1, NULL, 0) == 0);
}

#endif
