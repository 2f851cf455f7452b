/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bundled nlbgen captures, read back through the library's decoders, must show exactly the
 * decoder-level facts their expected.json claims: per-host heartbeat counts, priorities,
 * dedicated IPs, MACs, rule counts, host codes, bins, GARP/RARP and cluster-MAC-as-source
 * counts, and no decode errors. This ties the generator's ground truth to what a decoder sees,
 * so the analysis tests built on these captures start from verified facts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- a minimal JSON reader: enough for expected.json (no escapes beyond \" are produced) */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct jnode {
    int type;
    double num;
    const char *s, *key; /* not NUL-terminated */
    size_t slen, klen;
    int child, next;     /* indices, -1 = none */
} jnode;

#define JMAX 8192
static jnode J[JMAX];
static int jn;

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
    return p;
}

static const char *jstr(const char *p, const char **s, size_t *len)
{
    if (*p != '"') return NULL;
    const char *b = ++p;
    while (*p && *p != '"') p += (*p == '\\' && p[1]) ? 2 : 1;
    if (*p != '"') return NULL;
    *s = b;
    *len = (size_t)(p - b);
    return p + 1;
}

static const char *jparse(const char *p, int *out)
{
    p = ws(p);
    if (jn >= JMAX) return NULL;
    int i = jn++;
    jnode *n = &J[i];
    memset(n, 0, sizeof *n);
    n->child = n->next = -1;
    *out = i;
    if (*p == '{' || *p == '[') {
        bool obj = *p == '{';
        n->type = obj ? J_OBJ : J_ARR;
        p = ws(p + 1);
        int last = -1;
        if (*p == (obj ? '}' : ']')) return p + 1;
        for (;;) {
            const char *k = NULL;
            size_t kl = 0;
            if (obj) {
                p = jstr(ws(p), &k, &kl);
                if (!p) return NULL;
                p = ws(p);
                if (*p++ != ':') return NULL;
            }
            int c;
            p = jparse(p, &c);
            if (!p) return NULL;
            J[c].key = k;
            J[c].klen = kl;
            if (last < 0) J[i].child = c;
            else J[last].next = c;
            last = c;
            p = ws(p);
            if (*p == ',') { p++; continue; }
            if (*p == (obj ? '}' : ']')) return p + 1;
            return NULL;
        }
    }
    if (*p == '"') { n->type = J_STR; return jstr(p, &n->s, &n->slen); }
    if (!strncmp(p, "true", 4)) { n->type = J_BOOL; n->num = 1; return p + 4; }
    if (!strncmp(p, "false", 5)) { n->type = J_BOOL; return p + 5; }
    if (!strncmp(p, "null", 4)) { n->type = J_NULL; return p + 4; }
    char *e;
    n->type = J_NUM;
    n->num = strtod(p, &e);
    return e == p ? NULL : e;
}

static int jget(int obj, const char *key)
{
    if (obj < 0) return -1;
    for (int c = J[obj].child; c >= 0; c = J[c].next)
        if (J[c].key && J[c].klen == strlen(key) && !memcmp(J[c].key, key, J[c].klen)) return c;
    return -1;
}

static double jnum(int obj, const char *key)
{
    int c = jget(obj, key);
    CU_ASSERT_FATAL(c >= 0 && J[c].type == J_NUM);
    return J[c].num;
}

/* copy a string member into buf ("" when absent) */
static const char *jcopy(int obj, const char *key, char *buf, size_t cap)
{
    int c = jget(obj, key);
    buf[0] = 0;
    if (c >= 0 && J[c].type == J_STR) {
        size_t n = J[c].slen < cap - 1 ? J[c].slen : cap - 1;
        memcpy(buf, J[c].s, n);
        buf[n] = 0;
    }
    return buf;
}

static int jlen(int arr)
{
    int n = 0;
    for (int c = arr >= 0 ? J[arr].child : -1; c >= 0; c = J[c].next) n++;
    return n;
}

static char *slurp(const char *rel)
{
    FILE *f = fopen(nlbt_src(rel), "rb");
    if (!f) { perror(nlbt_src(rel)); exit(99); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) exit(99);
    s[n] = 0;
    fclose(f);
    return s;
}

/* ---- what the decoders see, per host keyed by (priority, dedicated IP) */

typedef struct seen_host {
    uint32_t prio, dip;
    uint8_t mac[6];
    uint64_t hb, hbx;
    nlb_usec first, last, max_gap;
    uint16_t num_rules, default_id;
    uint32_t host_code;
    uint8_t bins[NLB_MAX_RULES];
    char name[NLB_HB_HOST_NAME_MAX];
} seen_host;

typedef struct seen {
    uint64_t frames, hb, hbx, foreign, garp, rarp, cluster_src, errors, igmp, legacy;
    unsigned n;
    seen_host h[64];
} seen;

static seen_host *host_of(seen *s, uint32_t prio, uint32_t dip)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->h[i].prio == prio && s->h[i].dip == dip) return &s->h[i];
    CU_ASSERT_FATAL(s->n < 64);
    seen_host *h = &s->h[s->n++];
    memset(h, 0, sizeof *h);
    h->prio = prio;
    h->dip = dip;
    h->first = -1;
    return h;
}

static void scan(const char *pcap, const uint8_t cluster_mac[6], seen *s)
{
    nlbt_capture c = nlbt_load(pcap);
    CU_ASSERT_EQUAL(c.linktype, NLB_LINK_ETHERNET);
    static nlb_packet pkt;
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < c.n; i++) {
        const nlbt_frame *f = &c.frames[i];
        nlb_status st = nlb_packet_decode(c.linktype, f->data, f->caplen, f->wirelen, &pkt);
        s->frames++;
        if (st == NLB_MALFORMED || st == NLB_TRUNCATED) {
            s->errors++;
            fprintf(stderr, "%s frame %zu: %s (%s)\n", pcap, i + 1, nlb_status_name(st), nlb_field_name(pkt.bad_field));
        }
        if (cluster_mac && !memcmp(pkt.src, cluster_mac, 6)) s->cluster_src++;
        switch (pkt.kind) {
        case NLB_FK_HEARTBEAT: {
            const nlb_heartbeat *hb = &pkt.hb;
            seen_host *h = host_of(s, hb->priority, hb->dedicated_ip);
            memcpy(h->mac, pkt.src, 6);
            if (hb->kind == NLB_HB_EXTENDED) {
                s->hbx++;
                h->hbx++;
                snprintf(h->name, sizeof h->name, "%s", hb->host_name);
                CU_ASSERT_EQUAL(hb->n_addrs, 1);
                CU_ASSERT_EQUAL(nlb_ipaddr_to_v4(&hb->addrs[0]), hb->dedicated_ip);
                break;
            }
            CU_ASSERT_EQUAL(hb->kind, NLB_HB_MEMBERSHIP);
            s->hb++;
            h->hb++;
            if (h->first < 0) h->first = f->ts;
            else if (f->ts - h->last > h->max_gap) h->max_gap = f->ts - h->last;
            h->last = f->ts;
            h->num_rules = hb->num_rules;
            h->default_id = hb->default_host_id;
            h->host_code = hb->host_code;
            for (unsigned r = 0; r < hb->num_rules && r < NLB_MAX_RULES; r++)
                h->bins[r] = (uint8_t)nlb_map_count(hb->rules[r].cur_map);
            break;
        }
        case NLB_FK_FOREIGN_886F: s->foreign++; break;
        case NLB_FK_LEGACY_HEARTBEAT: s->legacy++; break;
        case NLB_FK_ARP: if (pkt.arp.gratuitous) s->garp++; break;
        case NLB_FK_RARP: s->rarp++; break;
        case NLB_FK_IGMP: s->igmp++; break;
        default: break;
        }
    }
    nlbt_free(&c);
}

static bool close_to(double want, nlb_usec got_us)
{
    return fabs(want - (double)got_us / 1e6) < 2e-6;
}

static void check_scenario(const char *name)
{
    char path[256], buf[64], b2[64];
    snprintf(path, sizeof path, "captures/%s.expected.json", name);
    char *text = slurp(path);
    jn = 0;
    int root;
    CU_ASSERT_FATAL(jparse(text, &root) != NULL);
    int counts = jget(root, "counts"), clusters = jget(root, "clusters");
    CU_ASSERT_FATAL(counts >= 0 && clusters >= 0);

    uint8_t cmac[6] = { 0 };
    bool have_cluster = jlen(clusters) > 0;
    int cl = have_cluster ? J[clusters].child : -1;
    if (have_cluster) {
        unsigned m[6];
        CU_ASSERT_FATAL(sscanf(jcopy(cl, "cluster_mac", buf, sizeof buf), "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6);
        for (int i = 0; i < 6; i++) cmac[i] = (uint8_t)m[i];
    }
    seen s;
    snprintf(path, sizeof path, "captures/%s.pcap", name);
    /* "cluster MAC as source" means the unicast form 02-BF-VIP */
    scan(path, have_cluster && cmac[0] == 0x02 ? cmac : NULL, &s);

    CU_ASSERT_EQUAL(s.errors, 0);
    CU_ASSERT_EQUAL(s.frames, (uint64_t)jnum(counts, "frames"));
    CU_ASSERT_EQUAL(s.hb, (uint64_t)jnum(counts, "heartbeats"));
    CU_ASSERT_EQUAL(s.hbx, (uint64_t)jnum(counts, "heartbeats_extended"));
    CU_ASSERT_EQUAL(s.foreign, (uint64_t)jnum(counts, "foreign_886f"));
    CU_ASSERT_EQUAL(s.garp, (uint64_t)jnum(counts, "garp"));
    CU_ASSERT_EQUAL(s.rarp, (uint64_t)jnum(counts, "rarp"));
    CU_ASSERT_EQUAL(s.cluster_src, (uint64_t)jnum(counts, "cluster_mac_as_source"));
    CU_ASSERT_EQUAL(s.igmp, (uint64_t)jnum(counts, "igmp_reports"));
    /* written only by the presets that send them */
    CU_ASSERT_EQUAL(s.legacy, jget(counts, "legacy_heartbeats") >= 0 ? (uint64_t)jnum(counts, "legacy_heartbeats") : 0);

    int hosts = have_cluster ? jget(cl, "hosts") : -1;
    CU_ASSERT_EQUAL(s.n, (unsigned)jlen(hosts));
    for (int h = hosts >= 0 ? J[hosts].child : -1; h >= 0; h = J[h].next) {
        uint32_t dip = 0;
        CU_ASSERT_FATAL(nlb_ip4_parse(jcopy(h, "dedicated_ip", buf, sizeof buf), &dip));
        seen_host *sh = host_of(&s, (uint32_t)jnum(h, "priority"), dip);
        CU_ASSERT_EQUAL(sh->hb, (uint64_t)jnum(h, "heartbeats"));
        CU_ASSERT_EQUAL(sh->hbx, (uint64_t)jnum(h, "heartbeats_extended"));
        CU_ASSERT_STRING_EQUAL(nlb_mac_str(sh->mac, b2), jcopy(h, "mac", buf, sizeof buf));
        CU_ASSERT(close_to(jnum(h, "first_seen"), sh->first));
        CU_ASSERT(close_to(jnum(h, "last_seen"), sh->last));
        CU_ASSERT(close_to(jnum(h, "max_gap"), sh->max_gap));
        CU_ASSERT_EQUAL(sh->num_rules, (unsigned)jnum(h, "port_rules"));
        CU_ASSERT_EQUAL(sh->default_id + 1u, (unsigned)jnum(h, "default_host"));
        snprintf(b2, sizeof b2, "0x%08x", sh->host_code);
        CU_ASSERT_STRING_EQUAL(b2, jcopy(h, "host_code", buf, sizeof buf));
        if (jget(h, "host_name") >= 0)
            CU_ASSERT_STRING_EQUAL(sh->name, jcopy(h, "host_name", buf, sizeof buf));
        int bins = jget(h, "bins_owned");
        CU_ASSERT_EQUAL(jlen(bins), sh->num_rules);
        for (unsigned r = 0; r < sh->num_rules; r++) {
            snprintf(b2, sizeof b2, "rule%u", r + 1);
            CU_ASSERT_EQUAL(sh->bins[r], (unsigned)jnum(bins, b2));
        }
    }
    if (!have_cluster) {
        /* lookalike: nothing may decode as NLB */
        CU_ASSERT_EQUAL(s.hb + s.hbx, 0);
    }
    CU_ASSERT_EQUAL(jlen(jget(root, "diagnostics")) == 0, !strcmp(name, "unicast-healthy") || !strcmp(name, "lookalike"));
    free(text);
}

static void test_unicast_healthy(void) { check_scenario("unicast-healthy"); }
static void test_incident(void) { check_scenario("incident"); }
static void test_multicast(void) { check_scenario("multicast"); }
static void test_igmp(void) { check_scenario("igmp"); }
static void test_misconfig(void) { check_scenario("misconfig"); }
static void test_lookalike(void) { check_scenario("lookalike"); }
static void test_legacy(void) { check_scenario("legacy"); }
static void test_remote_ping(void) { check_scenario("remote-ping"); }

/* The bins of a healthy cluster partition every user rule: each bin owned exactly once. */
static void test_healthy_partition(void)
{
    nlbt_capture c = nlbt_load("captures/unicast-healthy.pcap");
    static nlb_packet pkt;
    uint64_t last[NLB_MAX_PRIORITY + 1][NLB_MAX_RULES];
    memset(last, 0, sizeof last);
    unsigned rules = 0;
    for (size_t i = 0; i < c.n; i++) {
        nlb_packet_decode(c.linktype, c.frames[i].data, c.frames[i].caplen, c.frames[i].wirelen, &pkt);
        if (pkt.kind != NLB_FK_HEARTBEAT || pkt.hb.kind != NLB_HB_MEMBERSHIP) continue;
        rules = pkt.hb.num_rules;
        for (unsigned r = 0; r < rules; r++) last[pkt.hb.priority][r] = pkt.hb.rules[r].cur_map;
    }
    CU_ASSERT_EQUAL(rules, 3);
    for (unsigned r = 0; r < rules; r++) {
        uint64_t all = 0;
        for (unsigned p = 1; p <= NLB_MAX_PRIORITY; p++) {
            CU_ASSERT_EQUAL(all & last[p][r], 0);
            all |= last[p][r];
        }
        CU_ASSERT_EQUAL(all, (1ull << 60) - 1);
    }
    nlbt_free(&c);
}


/* Every reply to a client must come from the host whose current map (from its own heartbeats)
 * holds the flow's bin under the EMULATION (owner.h): the generator's claim, re-derived from
 * the wire alone. */
static void check_owners(const char *name)
{
    char path[256], buf[64];
    snprintf(path, sizeof path, "captures/%s.expected.json", name);
    char *text = slurp(path);
    jn = 0;
    int root;
    CU_ASSERT_FATAL(jparse(text, &root) != NULL);
    int cl = J[jget(root, "clusters")].child;
    CU_ASSERT_FATAL(cl >= 0);
    uint32_t vip;
    CU_ASSERT_FATAL(nlb_ip4_parse(jcopy(cl, "vip", buf, sizeof buf), &vip));
    static nlb_model m;
    nlb_model_init(&m);
    m.bins = (unsigned)jnum(jget(root, "model"), "bins");
    for (int r = J[jget(cl, "rules")].child; r >= 0; r = J[r].next) {
        if (jget(r, "default") >= 0) continue;
        nlb_port_rule pr;
        memset(&pr, 0, sizeof pr);
        pr.vip = vip;
        pr.start = (uint16_t)jnum(r, "start");
        pr.end = (uint16_t)jnum(r, "end");
        jcopy(r, "proto", buf, sizeof buf);
        pr.proto = !strcmp(buf, "tcp") ? NLB_RP_TCP : !strcmp(buf, "udp") ? NLB_RP_UDP : NLB_RP_BOTH;
        jcopy(r, "affinity", buf, sizeof buf);
        pr.affinity = !strcmp(buf, "none") ? NLB_AFF_NONE : !strcmp(buf, "classc") ? NLB_AFF_CLASSC : NLB_AFF_SINGLE;
        pr.equal_load = true;
        CU_ASSERT_FATAL(nlb_model_add_rule(&m, &pr));
    }
    free(text);

    snprintf(path, sizeof path, "captures/%s.pcap", name);
    nlbt_capture c = nlbt_load(path);
    static nlb_packet pkt;
    struct { uint8_t mac[6]; uint32_t prio; } macs[NLB_MAX_PRIORITY];
    unsigned nmacs = 0;
    static uint64_t maps[NLB_MAX_PRIORITY + 1][NLB_MAX_RULES];
    memset(maps, 0, sizeof maps);
    /* pass 1: who sends from which MAC, and each host's first maps (a reply may precede a
     * host's first heartbeat in the capture) */
    for (size_t i = 0; i < c.n; i++) {
        nlb_packet_decode(c.linktype, c.frames[i].data, c.frames[i].caplen, c.frames[i].wirelen, &pkt);
        if (pkt.kind != NLB_FK_HEARTBEAT || pkt.hb.kind != NLB_HB_MEMBERSHIP) continue;
        bool known = false;
        for (unsigned k = 0; k < nmacs; k++) known |= !memcmp(macs[k].mac, pkt.src, 6);
        if (known) continue;
        memcpy(macs[nmacs].mac, pkt.src, 6);
        macs[nmacs++].prio = pkt.hb.priority;
        for (unsigned r = 0; r < pkt.hb.num_rules; r++) maps[pkt.hb.priority][r] = pkt.hb.rules[r].cur_map;
    }
    unsigned replies = 0;
    for (size_t i = 0; i < c.n; i++) {
        nlb_packet_decode(c.linktype, c.frames[i].data, c.frames[i].caplen, c.frames[i].wirelen, &pkt);
        if (pkt.kind == NLB_FK_HEARTBEAT && pkt.hb.kind == NLB_HB_MEMBERSHIP) {
            for (unsigned r = 0; r < pkt.hb.num_rules; r++) maps[pkt.hb.priority][r] = pkt.hb.rules[r].cur_map;
            continue;
        }
        if (pkt.kind != NLB_FK_IP || !pkt.has_ports || nlb_ipaddr_to_v4(&pkt.ip_src) != vip) continue;
        if (pkt.dst[0] & 1) continue; /* broadcasts from the VIP are not replies */
        uint32_t prio = 0;
        for (unsigned k = 0; k < nmacs; k++)
            if (!memcmp(macs[k].mac, pkt.src, 6)) prio = macs[k].prio;
        CU_ASSERT_FATAL(prio != 0);
        int rule = nlb_model_match(&m, vip, pkt.ip_proto, pkt.sport);
        if (rule < 0) {
            CU_ASSERT_EQUAL(prio, 1); /* uncovered traffic: the default host */
        } else {
            unsigned bin = nlb_model_bin(&m, m.rules[rule].affinity, &pkt.ip_dst, pkt.dport);
            CU_ASSERT((maps[prio][rule] >> bin) & 1);
        }
        replies++;
    }
    CU_ASSERT(replies > 0);
    nlbt_free(&c);
}

static void test_owners_healthy(void) { check_owners("unicast-healthy"); }
static void test_owners_incident(void) { check_owners("incident"); }
static void test_owners_multicast(void) { check_owners("multicast"); }
static void test_owners_igmp(void) { check_owners("igmp"); }

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    NLBT_SUITE("scenarios", NLBT(test_unicast_healthy), NLBT(test_incident), NLBT(test_multicast), NLBT(test_igmp),
               NLBT(test_misconfig), NLBT(test_lookalike), NLBT(test_legacy), NLBT(test_remote_ping), NLBT(test_healthy_partition));
    NLBT_SUITE("ownership (emulation)", NLBT(test_owners_healthy), NLBT(test_owners_incident),
               NLBT(test_owners_multicast), NLBT(test_owners_igmp));
    return nlbt_run();
}
