/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbgen's cluster: hosts, their port rules and bin maps, the frames they send (heartbeats,
 * ARP replies) and the client flows they answer. Ownership is the library's emulation model. */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

static const uint16_t RULE_PORTS[] = { 80, 443, 25, 53, 110, 143, 993, 995, 1433, 3389, 21, 389, 636, 1723 };

static uint16_t rule_port(unsigned i)
{
    return i < sizeof RULE_PORTS / sizeof RULE_PORTS[0] ? RULE_PORTS[i] : (uint16_t)(1000 + i);
}

/* Rule code per the (guess) encoding start | end << 12 | 0x61 << 24 fitted to the real capture. */
uint32_t rule_code(uint16_t start, uint16_t end)
{
    return (uint32_t)start | (uint32_t)end << 12 | NLB_RULE_CODE_TAG << 24;
}

static uint64_t all_bins(unsigned bins) { return bins >= 64 ? ~0ull : (1ull << bins) - 1; }

/* Current map of one rule slot as host h announces it. The default rule's slot (code 0) has no
 * bins of its own: we let the host that believes it is the default host own all of them, so a
 * naive per-slot partition check still holds in a healthy cluster (our choice, guess). */
static uint64_t host_map(const gen *g, const ghost *h, const nlb_binmap *maps, unsigned slot_i)
{
    unsigned bins = g->model.bins;
    uint64_t m;
    if (slot_i < h->n_user_rules) {
        if (slot_i < g->model.n_rules)
            m = nlb_binmap_mask(&maps[slot_i], h->slot);
        else
            m = all_bins(bins); /* an extra rule only this host has: nobody shares it */
    } else {
        m = (unsigned)h->default_id + 1 == h->prio ? all_bins(bins) : 0;
    }
    m |= h->set_bits[slot_i];
    m &= ~h->clr_bits[slot_i];
    return m;
}

void build_cluster(gen *g)
{
    const opts *o = &g->o;
    nlb_model_init(&g->model);
    g->model.seed = o->hash_seed;
    for (unsigned i = 0; i < o->rules; i++) {
        nlb_port_rule pr;
        memset(&pr, 0, sizeof pr);
        pr.vip = o->vip;
        pr.start = pr.end = rule_port(i);
        pr.proto = i == 0 ? NLB_RP_TCP : NLB_RP_BOTH; /* 443 as "both": QUIC flows are covered */
        pr.mode = NLB_FILTER_MULTIPLE;
        pr.affinity = o->affinity;
        pr.equal_load = true;
        if (!nlb_model_add_rule(&g->model, &pr)) die(2, "--rules: at most 32 user rules");
    }
    g->nh = o->hosts;
    uint8_t prios[MAXH], weights[MAXH];
    for (unsigned i = 0; i < g->nh; i++) {
        ghost *h = &g->h[i];
        memset(h, 0, sizeof *h);
        h->slot = h->prio = (uint8_t)(i + 1);
        h->dip = o->vip + 1 + i;
        /* Hyper-V OUI: the NIC MAC a multicast-mode host really sends from */
        uint8_t nic[6] = { 0x00, 0x15, 0x5d, (uint8_t)(o->vip >> 8), (uint8_t)o->vip, (uint8_t)(i + 1) };
        memcpy(h->nic, nic, 6);
        if (o->mode == NLB_MODE_UNICAST)
            nlb_mac_make(NLB_MAC_MASKED, o->vip, h->prio, h->src);
        else
            memcpy(h->src, nic, 6);
        /* differs per host by design (real capture: 1329324853 vs 1329324767) */
        h->host_code = 1329324000u + (uint32_t)rnd_below(&g->r, 1000);
        h->n_user_rules = o->rules;
        for (unsigned k = 0; k < o->rules; k++)
            h->codes[k] = rule_code(g->model.rules[k].start, g->model.rules[k].end);
        snprintf(h->name, sizeof h->name, "NLBWEB%02u", i + 1);
        h->first = -1;
        prios[i] = h->slot;
        weights[i] = 0;
    }
    for (unsigned k = 0; k < g->model.n_rules; k++) {
        memset(&g->maps0[k], 0, sizeof g->maps0[k]);
        g->maps0[k].bins = g->model.bins;
        nlb_binmap_assign(&g->maps0[k], prios, weights, g->nh);
    }
    g->cur = g->next = g->maps0;
}

/* ---------------------------------------------------------------- frames */

void send_heartbeat(gen *g, ghost *h, nlb_usec t)
{
    nlb_heartbeat hb;
    nlb_hb_init_membership(&hb, g->o.vip, h->dip, h->prio);
    hb.default_host_id = h->default_id;
    hb.conv_state = g->converging ? NLB_CONV_CONVERGING : NLB_CONV_NORMAL; /* (guess) values */
    hb.num_rules = (uint16_t)(h->n_user_rules + 1); /* user rules + default slot (guess) */
    hb.host_code = h->host_code;
    hb.packets_handled = h->packets;
    for (unsigned i = 0; i <= h->n_user_rules; i++) {
        nlb_hb_rule *ru = &hb.rules[i];
        ru->code = i < h->n_user_rules ? h->codes[i] : 0;
        ru->cur_map = h->joining ? 0 : host_map(g, h, g->cur, i);
        ru->new_map = host_map(g, h, g->next, i);
        ru->idle_map = 0;          /* meaning unknown: left clear */
        ru->ready_map = ru->new_map;
        ru->load_weight = i < h->n_user_rules ? 100 : 0; /* equal load (guess) */
        h->last_bins[i] = (uint8_t)nlb_map_count(ru->cur_map);
    }
    /* one heartbeat of host 2 from +10 s on announces 200 rules: malformed, its sender known */
    bool bad = (g->o.flags & PF_MALFORMED_HB) && h->slot == 2 && !g->malformed_at && t - g->t0 >= 10 * SEC;
    if (bad) {
        hb.num_rules = 200;
        g->malformed_at = t;
    }
    const uint8_t *dst = g->o.mode == NLB_MODE_UNICAST ? BCAST : g->cluster_mac;
    if (!emit(g, t, nlb_build_heartbeat(g->buf, sizeof g->buf, dst, h->src, 0, &hb))) return;
    if (bad) {
        g->malformed_hb++;
        g->malformed_prio = h->prio;
    }
    g->heartbeats++;
    h->hb++;
    if (h->first < 0) h->first = t;
    else if (t - h->last > h->max_gap) { h->max_gap = t - h->last; h->max_gap_at = t; }
    h->last = t;
    if (g->converging) {
        if (!g->conv_open) {
            g->conv_open = true;
            g->conv[g->n_conv].start = t;
        }
        g->conv[g->n_conv].last = t;
    } else if (g->conv_open) {
        g->conv_open = false;
        g->conv[g->n_conv++].end = t;
    }
}

void send_extended(gen *g, ghost *h, nlb_usec t)
{
    nlb_heartbeat hb;
    memset(&hb, 0, sizeof hb);
    hb.kind = NLB_HB_EXTENDED;
    hb.signature = NLB_SIG_EXTENDED;
    hb.version = NLB_HB_VERSION_2_6;
    hb.priority = h->prio;
    hb.cluster_ip = g->o.vip;
    hb.dedicated_ip = h->dip;
    snprintf(hb.host_name, sizeof hb.host_name, "%s", h->name);
    hb.n_addrs = 1;
    hb.addrs[0] = nlb_ipaddr_v4(h->dip);
    const uint8_t *dst = g->o.mode == NLB_MODE_UNICAST ? BCAST : g->cluster_mac;
    if (!emit(g, t, nlb_build_heartbeat(g->buf, sizeof g->buf, dst, h->src, 0, &hb))) return;
    g->heartbeats_ext++;
    h->hb_ext++;
}

void send_arp(gen *g, nlb_usec t, const uint8_t dst[6], const uint8_t src[6], uint16_t op,
                     const uint8_t sha[6], uint32_t spa, const uint8_t tha[6], uint32_t tpa, bool rarp)
{
    nlb_arp a;
    memset(&a, 0, sizeof a);
    a.op = op;
    memcpy(a.sha, sha, 6);
    a.spa = spa;
    memcpy(a.tha, tha, 6);
    a.tpa = tpa;
    a.rarp = rarp;
    if (!emit(g, t, nlb_build_arp(g->buf, sizeof g->buf, dst, src, 0, &a))) return;
    if (rarp) g->rarp++;
    else if (spa == tpa && spa != 0) g->garp++;
}

/* Gateway asks for the VIP; every host answers. In unicast mode the Ethernet source is the masked
 * MAC while the ARP payload names 02-BF-VIP; in multicast/IGMP modes the NIC MAC sends and the
 * payload names the multicast cluster MAC. */
void arp_for_vip(gen *g, nlb_usec t)
{
    static const uint8_t zero[6] = { 0 };
    send_arp(g, t, BCAST, g->gw_mac, NLB_ARP_REQUEST, g->gw_mac, g->gw_ip, zero, g->o.vip, false);
    for (unsigned i = 0; i < g->nh; i++) {
        ghost *h = &g->h[i];
        send_arp(g, t + 150 + 40 * (nlb_usec)i, g->gw_mac, h->src, NLB_ARP_REPLY, g->cluster_mac, g->o.vip,
                 g->gw_mac, g->gw_ip, false);
    }
}

static ghost *slot_host(gen *g, uint8_t slot)
{
    return slot >= 1 && slot <= g->nh ? &g->h[slot - 1] : NULL;
}

/* One step of a client flow; returns the delay to its next step, or -1 when it is done. */
nlb_usec flow_step(gen *g, gflow *f, nlb_usec t)
{
    ghost *h = slot_host(g, f->owner);
    const uint8_t *to_cluster = g->cluster_mac;
    uint32_t vip = g->o.vip;
    size_t n = 0;
    nlb_usec half = f->rtt / 2;
    if (f->proto == NLB_IPPROTO_UDP) {
        bool from_client = (f->step & 1) == 0;
        if (!from_client && !h) { /* nobody got the request: no reply */
            if (++f->step >= f->steps) return -1;
            return half + 20 * MS;
        }
        bool rst;
        if (!from_client) h = cont_replier(g, f, h, f->step / 2u, &rst);
        if (from_client)
            n = nlb_build_udp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport, f->req);
        else
            n = nlb_build_udp4(g->buf, sizeof g->buf, g->gw_mac, h->src, 0, vip, f->cip, f->vport, f->cport, f->resp);
        bool seen = emit(g, t, n);
        if (!from_client) { h->packets++; h->replies += seen; cont_sent(g, f, f->step / 2u, t, seen); }
        if (++f->step >= f->steps) return -1;
        return from_client ? half + 300 : half + 20 * MS;
    }
    if (!h) {
        /* unanswered: the SYN and its retransmissions after 1, 2 and 4 s */
        emit(g, t, nlb_build_tcp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport,
                                  NLB_TCP_SYN, f->cseq, 0, 0));
        static const nlb_usec backoff[] = { 1 * SEC, 2 * SEC, 4 * SEC };
        if (f->step >= 3) return -1;
        return backoff[f->step++];
    }
    const uint8_t A = NLB_TCP_ACK, S = NLB_TCP_SYN, F = NLB_TCP_FIN, P = NLB_TCP_PSH;
    uint32_t c = f->cseq, s = f->sseq;
    static const int8_t reply_of[8] = { -1, 0, -1, -1, 1, -1, 2, -1 }; /* server segments, in order */
    int ri = f->step < 8 ? reply_of[f->step] : -1;
    bool rst = false;
    if (ri >= 0) h = cont_replier(g, f, h, (unsigned)ri, &rst);
    switch (f->step++) {
    case 0: n = nlb_build_tcp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport, S, c, 0, 0); break;
    case 1: n = nlb_build_tcp4(g->buf, sizeof g->buf, g->gw_mac, h->src, 0, vip, f->cip, f->vport, f->cport, S | A, s, c + 1, 0); break;
    case 2: n = nlb_build_tcp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport, A, c + 1, s + 1, 0); break;
    case 3: n = nlb_build_tcp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport, P | A, c + 1, s + 1, f->req); break;
    case 4: n = nlb_build_tcp4(g->buf, sizeof g->buf, g->gw_mac, h->src, 0, vip, f->cip, f->vport, f->cport, P | A, s + 1, c + 1 + f->req, f->resp); break;
    case 5: n = nlb_build_tcp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport, F | A, c + 1 + f->req, s + 1 + f->resp, 0); break;
    case 6:
        /* a reset from a host that never had the connection ends it */
        n = nlb_build_tcp4(g->buf, sizeof g->buf, g->gw_mac, h->src, 0, vip, f->cip, f->vport, f->cport,
                           rst ? (uint8_t)(NLB_TCP_RST | A) : (uint8_t)(F | A), s + 1 + f->resp, c + 2 + f->req, 0);
        break;
    default: n = nlb_build_tcp4(g->buf, sizeof g->buf, to_cluster, g->gw_mac, 0, f->cip, vip, f->cport, f->vport, A, c + 2 + f->req, s + 2 + f->resp, 0); break;
    }
    bool seen = emit(g, t, n);
    unsigned st = f->step; /* the step just sent is st - 1 */
    if (st == 2 || st == 5 || st == 7) { h->packets++; h->replies += seen; cont_sent(g, f, (unsigned)ri, t, seen); }
    if (rst) return -1;
    switch (st) {
    case 1: return half;                  /* SYN travels to the host */
    case 2: return f->rtt - half;         /* SYN-ACK back, ACK out */
    case 3: return 200;                   /* request right after the ACK */
    case 4: return f->rtt + 2 * MS;       /* server thinks a little */
    case 5: return half + 5 * MS;         /* client closes */
    case 6: return half;
    case 7: return f->rtt - half;
    default: return -1;
    }
}

static uint32_t client_ip(gen *g, unsigned idx)
{
    if (g->o.clients) {
        /* a fixed pool spread over both /24s, so Class C keys repeat too */
        unsigned j = (unsigned)rnd_below(&g->r, g->o.clients);
        unsigned k = g->o.clients > 1 ? j * 507u / (g->o.clients - 1) : 0;
        uint32_t base = k < 254 ? 0xC6336400u : 0xCB007100u;
        return base + 1 + (k % 254);
    }
    /* 254 addresses in each of TEST-NET-2 and TEST-NET-3; distinct (client, port) per flow index */
    unsigned k = (unsigned)((idx / 16384u) * 37u + (uint32_t)(rnd64(&g->r) % 508u)) % 508u;
    uint32_t base = k < 254 ? 0xC6336400u /* 198.51.100.0 */ : 0xCB007100u /* 203.0.113.0 */;
    return base + 1 + (k % 254);
}

/* t is relative to the capture start, like every heap time */
void spawn_flow(gen *g, nlb_usec t, bool unanswered)
{
    if (g->free_flow < 0) {
        int old = g->n_flow_slots;
        g->n_flow_slots = old ? old * 2 : 1024;
        g->flows = realloc(g->flows, (size_t)g->n_flow_slots * sizeof *g->flows);
        if (!g->flows) die(1, "out of memory");
        for (int i = g->n_flow_slots - 1; i >= old; i--) {
            g->flows[i].next_free = g->free_flow;
            g->free_flow = i;
        }
    }
    int fi = g->free_flow;
    gflow *f = &g->flows[fi];
    g->free_flow = f->next_free;
    memset(f, 0, sizeof *f);
    unsigned idx = g->spawned++;
    f->cip = client_ip(g, idx);
    f->cport = (uint16_t)(49152 + idx % 16384);
    unsigned pick = (unsigned)rnd_below(&g->r, 100);
    if (unanswered || pick < 45) { f->proto = NLB_IPPROTO_TCP; f->vport = 80; }
    else if (pick < 75) { f->proto = NLB_IPPROTO_TCP; f->vport = 443; }
    else { f->proto = NLB_IPPROTO_UDP; f->vport = 443; }
    f->rtt = rnd_range(&g->r, 8 * MS, 60 * MS);
    f->cseq = (uint32_t)rnd64(&g->r);
    f->sseq = (uint32_t)rnd64(&g->r);
    /* small payloads keep the bundled captures well under 1 MB */
    f->req = (uint16_t)rnd_range(&g->r, 60, 300);
    f->resp = (uint16_t)rnd_range(&g->r, 100, 500);
    f->steps = f->proto == NLB_IPPROTO_UDP ? (uint8_t)(2 * rnd_range(&g->r, 1, 3)) : 8;
    if (f->proto == NLB_IPPROTO_TCP) g->tcp_flows++;
    else g->udp_flows++;
    if (unanswered) {
        f->owner = 0;
    } else {
        nlb_ipaddr cl = nlb_ipaddr_v4(f->cip);
        int rule = nlb_model_match(&g->model, g->o.vip, f->proto, f->vport);
        if (rule < 0) {
            f->owner = 1; /* uncovered: the default host, priority 1 in these scenarios */
        } else {
            /* the EMULATION's bin (owner.h), owner read from the current maps */
            unsigned bin = nlb_model_bin(&g->model, g->model.rules[rule].affinity, &cl, f->cport);
            f->owner = g->cur[rule].owner[bin];
        }
        /* multi-point: once the switch sends the VIP's traffic to host 1's port only, the flows
         * other hosts own never reach them */
        if (g->o.p->kind == SC_MULTIPOINT && t >= g->fail_t && f->owner != 1) f->owner = 0;
    }
    if (f->owner) g->answered++;
    else {
        g->unanswered++;
        if (!g->first_unanswered) g->first_unanswered = g->t0 + t;
    }
    push(g, t, A_FLOW, (uint32_t)fi);
}


void claim_priority(gen *g, unsigned idx, uint8_t prio)
{
    ghost *h = &g->h[idx];
    h->prio = prio;
    if (g->o.mode == NLB_MODE_UNICAST)
        nlb_mac_make(NLB_MAC_MASKED, g->o.vip, h->prio, h->src); /* both now send from 02-pp-VIP */
}

void inject_misconfig(gen *g)
{
    /* host slot 3 claims priority 2 as well: the duplicate */
    ghost *a = &g->h[0], *b = &g->h[1], *d = &g->h[3];
    claim_priority(g, 2, 2);
    /* host 4's last user rule ends one port later (a typo in NLB Manager): same rule count,
     * different code. A count mismatch would make analyses skip the bin checks (nlbreplay
     * does: slots no longer line up), hiding the two bin faults below. */
    unsigned last = d->n_user_rules - 1;
    d->codes[last] = rule_code(g->model.rules[last].start, (uint16_t)(g->model.rules[last].end + 1));
    g->mismatch_slot = last;
    /* host 4 names priority 2 as default host; the others name priority 1 */
    d->default_id = 1;
    /* rule 1: a bin host 4 owns is also claimed by host 1; a bin of host 2 is dropped by it */
    g->bins_twice_rule = 0;
    uint64_t m4 = nlb_binmap_mask(&g->maps0[0], d->slot), m2 = nlb_binmap_mask(&g->maps0[0], b->slot);
    unsigned bt = (unsigned)__builtin_ctzll(m4), bn = (unsigned)__builtin_ctzll(m2);
    a->set_bits[0] |= 1ull << bt;
    b->clr_bits[0] |= 1ull << bn;
    g->bins_twice_bin = bt;
    g->bins_nobody_bin = bn;
}
