/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlb_model_load_rules on arbitrary text (the --rules file and the plugin's rules preference are
 * user input too), then the model it built: matching, affinity keys and bins stay in range. */
#include "fuzz.h"
#include "nlbproto/nlbproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static nlb_model m;
    if (size > 65536)
        return 0;
    char *text = malloc(size + 1); /* exact size + NUL: the parser takes a C string */
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = 0;
    nlb_model_init(&m);
    nlb_model before = m;
    /* an error buffer of a size taken from the input, so short ones are exercised too */
    size_t errlen = size ? (size_t)data[0] % 200 : 0;
    char *err = malloc(errlen ? errlen : 1);
    FUZZ_CHECK(err != NULL);
    bool ok = nlb_model_load_rules(&m, text, errlen ? err : NULL, errlen);
    if (errlen)
        fuzz_check_cstr(err, errlen);
    if (!ok) {
        /* all or nothing: a rejected file leaves the model as it was */
        FUZZ_CHECK(m.n_rules == before.n_rules && m.bins == before.bins && m.seed == before.seed);
    } else {
        FUZZ_CHECK(m.n_rules <= NLB_MAX_RULES);
        FUZZ_CHECK(m.bins >= 1 && m.bins <= NLB_BINS_MAX);
        for (unsigned i = 0; i < m.n_rules; i++) {
            const nlb_port_rule *r = &m.rules[i];
            FUZZ_CHECK(r->start <= r->end);
            FUZZ_CHECK(r->proto >= NLB_RP_TCP && r->proto <= NLB_RP_BOTH);
            for (unsigned p = 0; p <= NLB_MAX_PRIORITY; p++)
                FUZZ_CHECK(r->weight[p] <= 100 && r->handling[p] <= NLB_MAX_PRIORITY);
        }
        static const uint16_t ports[] = { 0, 1, 53, 80, 443, 8080, 65535 };
        nlb_ipaddr c4 = nlb_ipaddr_v4(0xC6336407u);
        nlb_ipaddr c6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 } };
        for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++) {
            for (int proto = 6; proto <= 17; proto += 11) {
                int k = nlb_model_match(&m, 0x0A141E28u, (uint8_t)proto, ports[i]);
                FUZZ_CHECK(k >= -1 && k < (int)m.n_rules);
                if (k >= 0) {
                    const nlb_port_rule *r = &m.rules[k];
                    FUZZ_CHECK(ports[i] >= r->start && ports[i] <= r->end);
                }
                nlb_affinity aff = k >= 0 ? m.rules[k].affinity : m.default_affinity;
                FUZZ_CHECK(nlb_model_bin(&m, aff, &c4, ports[i]) < m.bins);
                FUZZ_CHECK(nlb_model_bin(&m, aff, &c6, ports[i]) < m.bins);
            }
        }
    }
    free(err);
    free(text);
    return 0;
}
