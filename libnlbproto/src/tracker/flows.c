/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VIP flows: the flow table, owner prediction, answered/unanswered verdicts and episodes, the
 * ownership summary. */
#include <stdlib.h>
#include <string.h>

#include "tracker_int.h"

/* The live hosts of c except priority without (0 = none), as nlb_predict sees them. The
 * default-host claim is the highest-priority live host's; with no rules configured the wire slots
 * are read from the highest-priority host ever seen. */
void trk_fill_view(const cluster_rt *c, uint8_t without, nlb_owner_view *v)
{
    v->n = 0;
    v->default_host = 0;
    v->num_rules = 0;
    v->codes = NULL;
    for (unsigned i = 0; i < c->info.n_hosts; i++) {
        const nlb_host_info *h = &c->info.hosts[i];
        if (!live(c, h) || h->priority == without) continue;
        if (!v->n)
            v->default_host = h->default_host >= 1 && h->default_host <= NLB_MAX_PRIORITY ? (uint8_t)h->default_host : 0;
        v->prio[v->n] = h->priority;
        v->cur_map[v->n] = h->has_maps ? h->cur_map : NULL;
        v->n++;
    }
    if (c->info.n_hosts) {
        v->num_rules = c->info.hosts[0].num_rules;
        v->codes = c->info.hosts[0].rule_codes;
    }
}

static void predict(nlb_tracker *t, cluster_rt *c, nlb_flow_info *f, flow_rt *fr)
{
    if (!c->view_ok) {
        trk_fill_view(c, t->cfg.without_host, &c->view);
        c->view_ok = true;
    }
    nlb_prediction p = nlb_predict(&t->cfg.model, &c->view, &c->emu, v4_of(&f->vip), f->proto, f->vport,
                                   &f->client, f->cport);
    /* nlb_flow_info's rule 0 is the implicit all-ports rule when none is configured */
    f->rule = t->cfg.model.n_rules ? p.rule : 0;
    if (p.slot >= 0)
        fr->slot = (uint8_t)p.slot;
    f->bin = p.bin;
    f->predicted_host = p.host;
    f->emulated_host = p.host;
    f->predicted_source = (uint8_t)p.source;
    /* the answers' evidence comes first where bins decide; rules that name the host do not learn */
    if (p.source == NLB_PRED_MAPS || p.source == NLB_PRED_EMULATED)
        trk_learn_predict(t, c, f, (unsigned)p.slot, p.affinity);
}

/* The key of a flow (see fcore); returns FC_LONG for a fingerprint, 0 for canonical IPv4. */
static inline unsigned flow_key(const nlb_ipaddr *cl, const nlb_ipaddr *vip, uint64_t *key)
{
    uint32_t c4, v4, ct, vt;
    uint64_t c8, v8;
    memcpy(&c4, cl->a, 4);
    memcpy(&v4, vip->a, 4);
    memcpy(&c8, cl->a + 4, 8);
    memcpy(&v8, vip->a + 4, 8);
    memcpy(&ct, cl->a + 12, 4);
    memcpy(&vt, vip->a + 12, 4);
    if (cl->family == 4 && vip->family == 4 && !(c8 | v8 | ct | vt)) {
        *key = (uint64_t)c4 | (uint64_t)v4 << 32;
        return 0;
    }
    uint64_t a, b, c, d;
    memcpy(&a, cl->a, 8);
    memcpy(&b, cl->a + 8, 8);
    memcpy(&c, vip->a, 8);
    memcpy(&d, vip->a + 8, 8);
    uint64_t x = mix64(b ^ ((uint64_t)cl->family << 8 | vip->family));
    x = mix64(a ^ x);
    x = mix64(d ^ x);
    *key = mix64(c ^ x);
    return FC_LONG;
}

/* Hash of a flow: a cheap mix of the key, then of the ports and protocol (never overlapping the
 * key before its mix), finished so the low bits depend on every input bit. */
static inline uint32_t flow_hash(uint64_t key, uint16_t cport, uint16_t vport, uint8_t proto)
{
    uint64_t x = (key ^ key >> 31) * 0xbf58476d1ce4e5b9ULL;
    x ^= (uint64_t)cport << 24 | (uint64_t)vport << 8 | proto;
    x = (x ^ x >> 29) * 0x94d049bb133111ebULL;
    return (uint32_t)(x ^ x >> 32);
}

static bool flow_eq(const nlb_flow_info *f, uint8_t proto, const nlb_ipaddr *cl, uint16_t cport, const nlb_ipaddr *vip, uint16_t vport)
{
    return f->proto == proto && f->cport == cport && f->vport == vport && f->client.family == cl->family &&
           !memcmp(f->client.a, cl->a, 16) && !memcmp(f->vip.a, vip->a, 16);
}

/* Make room by dropping the oldest flow (first seen earliest), unless its SYN still awaits
 * judgment: the unanswered queue must never point at a reused slot. Linear probing needs
 * backward-shift deletion to keep every other flow reachable. */
static bool flow_evict_oldest(nlb_tracker *t)
{
    size_t k = t->fl_head;
    if (t->frt[k].state == FS_PENDING)
        return false;
    size_t mask = t->fidx_cap - 1;
    const fcore *c = &t->core[k];
    size_t i = flow_hash(c->key, c->cport, c->vport, c->proto) & mask;
    while ((uint32_t)t->fidx[i] != k + 1)
        i = (i + 1) & mask;
    for (size_t j = i;;) {
        j = (j + 1) & mask;
        uint64_t v = t->fidx[j];
        if (!v) break;
        size_t home = (size_t)(v >> 32) & mask;
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t->fidx[i] = v;
            i = j;
        }
    }
    t->fidx[i] = 0;
    t->fl_head = (t->fl_head + 1) % t->fl_cap;
    t->n_fl--;
    return true;
}

/* Find the flow, or create it when create is set (evicting the oldest when full); -1 otherwise. */
static long flow_lookup(nlb_tracker *t, uint8_t proto, const nlb_ipaddr *cl, uint16_t cport,
                        const nlb_ipaddr *vip, uint16_t vport, bool create, bool *created)
{
    uint64_t key;
    unsigned lf = flow_key(cl, vip, &key);
    uint32_t h = flow_hash(key, cport, vport, proto);
    size_t mask = t->fidx_cap - 1;
    *created = false;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t v = t->fidx[i];
        if (!v) {
            if (!create) return -1;
            if (t->n_fl >= t->fl_cap) {
                t->counts.flows_evicted++; /* the oldest one, or this one when it cannot be */
                if (!t->fl_cap || !flow_evict_oldest(t))
                    return -1;
                return flow_lookup(t, proto, cl, cport, vip, vport, create, created); /* probes moved */
            }
            /* Slots [0, n_fl) are always in use: the ring only turns when full. */
            size_t k = (t->fl_head + t->n_fl++) % t->fl_cap;
            t->fidx[i] = (uint64_t)h << 32 | (k + 1);
            fcore *c = &t->core[k];
            memset(c, 0, sizeof *c);
            c->key = key;
            c->cport = cport;
            c->vport = vport;
            c->proto = proto;
            c->flags = (uint8_t)lf;
            nlb_flow_info *f = &t->fl[k];
            memset(f, 0, sizeof *f);
            f->proto = proto;
            f->client = *cl;
            f->vip = *vip;
            f->cport = cport;
            f->vport = vport;
            memset(&t->frt[k], 0, sizeof t->frt[k]);
            t->frt[k].ep = -1;
            *created = true;
            return (long)k;
        }
        if ((uint32_t)(v >> 32) != h) continue;
        uint32_t k = (uint32_t)v - 1;
        const fcore *c = &t->core[k];
        if (c->key == key && c->cport == cport && c->vport == vport && c->proto == proto &&
            (c->flags & FC_LONG) == lf && (!lf || flow_eq(&t->fl[k], proto, cl, cport, vip, vport)))
            return (long)k;
    }
}

/* A SYN is judged when its answer timeout is over (trk_judge); an answer within it settles the
 * verdict before that. */
uint8_t trk_flow_verdict(const nlb_tracker *t, size_t k)
{
    const flow_rt *fr = &t->frt[k];
    switch (fr->state) {
    case FS_ANSWERED: return NLB_FLOW_ANSWERED;
    case FS_UNANSWERED: return NLB_FLOW_UNANSWERED;
    case FS_PENDING:
        return t->fl[k].answered && fr->answer_at - fr->syn_at <= t->cfg.answer_timeout ? NLB_FLOW_ANSWERED
                                                                                        : NLB_FLOW_PENDING;
    default: return NLB_FLOW_NO_SYN;
    }
}

void trk_judge(nlb_tracker *t, size_t k)
{
    nlb_flow_info *f = &t->fl[k];
    flow_rt *fr = &t->frt[k];
    cluster_rt *c = &t->cl[fr->cl];
    unans_ep *ep = c->ep >= 0 ? &t->ep[c->ep] : NULL;
    if (f->answered && fr->answer_at - fr->syn_at <= t->cfg.answer_timeout) {
        fr->state = FS_ANSWERED;
        c->answered_n++;
        if (ep) {
            ep->total++;
            if (++c->answered_streak >= ANSWERED_STREAK_END && fr->syn_at - ep->last >= UNANS_QUIET_US) {
                ep->active = false;
                c->ep = -1;
            }
        }
        return;
    }
    fr->state = FS_UNANSWERED;
    c->unanswered_n++;
    c->answered_streak = 0;
    if (!ep) {
        if (t->n_ep >= MAX_EPISODES) return;
        c->ep = (int)t->n_ep++;
        ep = &t->ep[c->ep];
        memset(ep, 0, sizeof *ep);
        ep->cl = fr->cl;
        ep->active = true;
        ep->start = fr->syn_at;
        ep->port = f->vport;
        ep->ev = trk_add_event(t, fr->syn_at, NLB_EV_VIP_UNANSWERED, c->info.vip, 0);
    }
    fr->ep = (int16_t)c->ep;
    ep->count++;
    ep->total++;
    ep->syns += f->syns;
    ep->last = fr->syn_at;
    ep->hosts_mask |= bit(f->predicted_host);
    nlb_event *e = ev_at(t, ep->ev);
    if (e) {
        e->count = ep->count;
        e->port = ep->port;
        e->hosts_mask = ep->hosts_mask;
        e->duration = ep->last - ep->start;
    }
}

static unsigned observed_host(nlb_tracker *t, const cluster_rt *c, const nlb_packet *pkt)
{
    unsigned ci, prio;
    if (idx_find(t, IDX_MAC(pkt->src), &ci, &prio) && &t->cl[ci] == c)
        return prio;
    if (pkt->src_mac.kind == NLB_MAC_MASKED && pkt->src_mac.vip == c->info.vip)
        return pkt->src_mac.priority;
    return 0;
}

/* nlb.exe/wlbs remote control: UDP 1717 or 2504 to the cluster IP. */
static void remote_control(cluster_rt *c, const nlb_packet *pkt, nlb_usec ts)
{
    uint32_t src = v4_of(&pkt->ip_src);
    if (!c->rc_n) { c->rc_first = ts; c->rc_src = src; c->rc_port = pkt->dport; }
    c->rc_n++;
    if ((src & RC_SUBNET_MASK) == (c->info.vip & RC_SUBNET_MASK)) return;
    if (!c->rc_out) { c->rc_out_first = ts; c->rc_out_src = src; c->rc_out_port = pkt->dport; }
    c->rc_out++;
}

/* Ping census (ICMP is not load balanced: every host that receives the VIP's traffic answers):
 * an echo request to the VIP opens a slot, each reply from the VIP marks its sending host. */
static void ping_census(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    uint32_t key = (uint32_t)pkt->icmp_id << 16 | pkt->icmp_seq;
    if (pkt->icmp_type == NLB_ICMP_ECHO_REQUEST) {
        int k = vip_find(t, v4_of(&pkt->ip_dst));
        if (k < 0) return;
        cluster_rt *c = &t->cl[k];
        if (!c->ping_req++) c->ping_first = ts;
        for (unsigned i = 0; i < c->ping_used; i++)
            if (c->ping[i].key == key) return; /* the same request again */
        c->ping[c->ping_next].key = key;
        c->ping[c->ping_next].mask = 0;
        c->ping_next = (uint8_t)((c->ping_next + 1) % PING_KEEP);
        if (c->ping_used < PING_KEEP) c->ping_used++;
        return;
    }
    int k = vip_find(t, v4_of(&pkt->ip_src));
    if (k < 0) return;
    cluster_rt *c = &t->cl[k];
    unsigned who = observed_host(t, c, pkt);
    for (unsigned i = 0; i < c->ping_used; i++) {
        if (c->ping[i].key != key) continue;
        if (!who) { c->ping_unknown++; return; }
        c->ping[i].mask |= bit(who);
        c->ping_hosts |= bit(who);
        unsigned n = (unsigned)__builtin_popcount(c->ping[i].mask);
        if (n > c->ping_max) c->ping_max = (uint8_t)n;
        return;
    }
}

/* The frame being fed belongs to flow slot k (nlb_tracker_feed_facts). */
static void facts_flow(nlb_tracker *t, size_t k, bool reply)
{
    nlb_frame_facts *ff = t->facts;
    size_t i = (k + t->fl_cap - t->fl_head) % t->fl_cap; /* its index, in order of creation */
    ff->flow_id = (uint32_t)(t->counts.vip_flows - t->n_fl + i + 1);
    ff->reply = reply;
    ff->predicted_host = t->fl[k].predicted_host;
    ff->observed_host = t->fl[k].observed_host;
}

void trk_on_ip(nlb_tracker *t, const nlb_packet *pkt, nlb_usec ts)
{
    if (pkt->has_icmp) {
        ping_census(t, pkt, ts);
        return;
    }
    if (!pkt->has_ports || (pkt->ip_proto != NLB_IPPROTO_TCP && pkt->ip_proto != NLB_IPPROTO_UDP))
        return;
    int k;
    bool to_vip;
    if (pkt->ip_dst.family == 4) {
        k = vip_find(t, v4_of(&pkt->ip_dst));
        to_vip = k >= 0;
        if (!to_vip) k = vip_find(t, v4_of(&pkt->ip_src));
    } else if (pkt->ip_dst.family == 6) {
        k = v6_find(t, pkt->ip_dst.a);
        to_vip = k >= 0;
        if (!to_vip) k = v6_find(t, pkt->ip_src.a);
    } else {
        return;
    }
    if (k < 0) return;
    cluster_rt *c = &t->cl[k];
    bool created;
    if (to_vip) {
        long i = flow_lookup(t, pkt->ip_proto, &pkt->ip_src, pkt->sport, &pkt->ip_dst, pkt->dport, true, &created);
        if (i < 0) return;
        if (created) {
            nlb_flow_info *f = &t->fl[i];
            f->first_seen = ts;
            t->frt[i].cl = (uint16_t)k;
            predict(t, c, f, &t->frt[i]);
            t->counts.vip_flows++;
            c->info.vip_flows++;
        }
        fcore *fc = &t->core[i];
        fc->last_seen = ts;
        if (!++fc->frames) fc->frames_hi++;
        if (pkt->ip_proto == NLB_IPPROTO_UDP && pkt->ip_dst.family == 4 &&
            (pkt->dport == NLB_UDP_PORT_REMOTE_CONTROL || pkt->dport == NLB_UDP_PORT_REMOTE_CONTROL_OLD))
            remote_control(c, pkt, ts);
        if (pkt->ip_proto == NLB_IPPROTO_TCP && (pkt->tcp_flags & (NLB_TCP_SYN | NLB_TCP_ACK)) == NLB_TCP_SYN) {
            nlb_flow_info *f = &t->fl[i];
            flow_rt *fr = &t->frt[i];
            f->syns++;
            if (fr->state == FS_UNANSWERED && fr->ep >= 0)
                t->ep[fr->ep].syns++; /* clients keep retrying after the judgment */
            if (fr->state == FS_NONE && t->fl_cap) {
                fr->state = FS_PENDING;
                fr->syn_at = ts;
                if (t->q_head == t->q_tail)
                    t->q_due = ts + t->cfg.answer_timeout;
                t->q[t->q_tail++ % t->fl_cap] = (uint32_t)i;
            }
        }
        if (t->facts) facts_flow(t, (size_t)i, false);
    } else {
        long i = flow_lookup(t, pkt->ip_proto, &pkt->ip_dst, pkt->dport, &pkt->ip_src, pkt->sport, false, &created);
        if (i < 0) return;
        fcore *fc = &t->core[i];
        fc->last_seen = ts;
        if (!++fc->frames) fc->frames_hi++;
        if (!(fc->flags & FC_ANSWERED)) {
            fc->flags |= FC_ANSWERED;
            t->fl[i].answered = true;
            t->frt[i].answer_at = ts;
        }
        if (!(fc->flags & FC_OBSERVED)) {
            unsigned o = observed_host(t, c, pkt);
            if (o) {
                nlb_flow_info *f = &t->fl[i];
                fc->flags |= FC_OBSERVED;
                f->observed_host = (uint8_t)o;
                t->frt[i].owner_at = ts;
                if (f->rule >= 0)
                    nlb_calib_observe(&c->calib[t->frt[i].slot], f->bin, (uint8_t)o);
                if (f->predicted_source == NLB_PRED_MAPS || f->predicted_source == NLB_PRED_EMULATED ||
                    f->predicted_source == NLB_PRED_LEARNED)
                    trk_learn_observe(t, c, f, t->frt[i].slot, (uint8_t)o);
            }
        } else if (!(fc->flags & FC_MOVED)) {
            unsigned o = observed_host(t, c, pkt);
            if (o && o != t->fl[i].observed_host)
                trk_owner_moved(t, c, (size_t)i, pkt, o, ts);
        }
        if (t->facts) facts_flow(t, (size_t)i, true);
    }
}

nlb_ownership_summary nlb_tracker_ownership(const nlb_tracker *t)
{
    nlb_ownership_summary s;
    memset(&s, 0, sizeof s);
    s.flows = t->n_fl;
    for (size_t i = 0; i < t->n_fl; i++) {
        const nlb_flow_info *f = &t->fl[i];
        if (!f->observed_host) continue;
        s.with_observed++;
        if (!f->predicted_host) continue;
        s.with_prediction++;
        if (f->predicted_host == f->observed_host) s.agree++;
    }
    s.agreement = s.with_prediction ? (double)s.agree / (double)s.with_prediction : 1.0;
    double w = 0, acc = 0;
    for (unsigned i = 0; i < t->n_cl; i++)
        for (unsigned r = 0; r < NLB_MAX_RULES; r++) {
            const nlb_calib *cb = &t->cl[i].calib[r];
            double tot = 0;
            for (unsigned b = 0; b < t->cfg.model.bins; b++) tot += cb->total[b];
            if (tot <= 0) continue;
            acc += tot * nlb_calib_consistency(cb, t->cfg.model.bins);
            w += tot;
        }
    s.calibration_consistency = w > 0 ? acc / w : 1.0;
    return s;
}
