/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture-wide state: one libnlbproto tracker per capture, fed every frame in the first
 * pass exactly as nlbreplay feeds it, so both front ends reach the same conclusions by
 * construction. The first pass keeps, per frame, only what decoding the frame again cannot show
 * (p_add_proto_data, Wireshark's multi-pass idiom). When a later pass starts (tshark -2, the
 * GUI), the tracker is finished as nlbreplay finishes it at the end of its input, and each
 * diagnostic is placed on its first frame: the first frame fed at or after the time it started. */
#include <string.h>

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <wiretap/wtap.h>

#include "nlb.h"
#include "nlb-capture.h"

#define KEY_REC 0     /* file scope: nlb_frame_rec */
#define KEY_SEEN 1    /* packet scope: this dissection already fed the frame */

static nlb_tracker *g_tr;
static wmem_array_t *g_ts;       /* time fed of frame i + 1 */
static guint32 g_fed;            /* frames fed */
static guint32 g_final_fed;      /* g_fed when the final view was built; 0 = none */
static wmem_map_t *g_diag_at;    /* frame number -> wmem_array_t of diagnostic indexes */
static guint32 g_vips[256];
static guint g_nvips;
static size_t g_vips_of;         /* cluster count g_vips was built from */
static nlb_usec g_last_ts;       /* time fed of the latest frame */

void nlb_capture_init(void)
{
    nlb_tracker_config cfg;
    nlb_prefs_tracker_config(&cfg);
    g_tr = nlb_tracker_new(&cfg);
    g_ts = wmem_array_new(wmem_file_scope(), sizeof(nlb_usec));
    g_fed = g_final_fed = 0;
    g_diag_at = NULL;
    g_nvips = 0;
    g_vips_of = (size_t)-1;
    g_last_ts = 0;
}

void nlb_capture_cleanup(void)
{
    nlb_tracker_free(g_tr);
    g_tr = NULL;
    g_ts = NULL; /* the rest is freed with the file scope */
    g_diag_at = NULL;
}

gboolean nlb_capture_open(void)
{
    return g_tr != NULL;
}

const nlb_tracker *nlb_capture_tracker(void)
{
    return g_tr;
}

const guint32 *nlb_known_vips(guint *n)
{
    size_t nc = g_tr ? nlb_tracker_cluster_count(g_tr) : 0;
    if (nc != g_vips_of) {
        g_nvips = 0;
        for (size_t i = 0; i < nc && g_nvips < G_N_ELEMENTS(g_vips); i++)
            g_vips[g_nvips++] = nlb_tracker_cluster(g_tr, i)->vip;
        g_vips_of = nc;
    }
    *n = g_nvips;
    return g_vips;
}

static int encap_to_linktype(const packet_info *pinfo)
{
    if (!pinfo->rec || pinfo->rec->rec_type != REC_TYPE_PACKET)
        return 0;
    switch (pinfo->rec->rec_header.packet_header.pkt_encap) {
    case WTAP_ENCAP_ETHERNET: return NLB_LINK_ETHERNET;
    case WTAP_ENCAP_SLL: return NLB_LINK_SLL;
    case WTAP_ENCAP_SLL2: return NLB_LINK_SLL2;
    default: return 0;
    }
}

/* ---- what the first pass learns ---------------------------------------------------------- */

/* NLB host (priority) that sends from mac: a masked MAC names it, a NIC MAC is matched against
 * the source MAC of each host's heartbeats (multicast mode). */
static guint8 host_of_mac(const guint8 mac[6], guint32 *vip)
{
    nlb_mac_info mi;
    if (nlb_mac_classify(mac, &mi) == NLB_MAC_MASKED && nlb_tracker_find_cluster(g_tr, mi.vip)) {
        *vip = mi.vip;
        return mi.priority;
    }
    for (size_t i = 0; i < nlb_tracker_cluster_count(g_tr); i++) {
        const nlb_cluster_info *c = nlb_tracker_cluster(g_tr, i);
        for (unsigned k = 0; k < c->n_hosts; k++)
            if (memcmp(c->hosts[k].mac, mac, 6) == 0) {
                *vip = c->vip;
                return c->hosts[k].priority;
            }
    }
    return 0;
}

/* The heartbeat ended a host's silence: the frame touched a host_back event. */
static void back_learn(nlb_frame_rec *r, const nlb_frame_facts *ff)
{
    for (unsigned i = 0; i < ff->n_events; i++) {
        const nlb_event *e = nlb_tracker_event_by_id(g_tr, ff->events[i]);
        if (e && e->kind == NLB_EV_HOST_BACK) {
            r->back_host = e->host;
            r->gap = e->duration;
            r->vip = e->vip;
        }
    }
}

static const nlb_frame_rec *learn(packet_info *pinfo, const nlb_packet *pkt)
{
    nlb_usec ts = frame_usec(pinfo);
    if (ts < g_last_ts)
        ts = g_last_ts; /* as the tracker takes time: never backwards */
    g_last_ts = ts;
    while (g_fed + 1 < pinfo->num) { /* frames that never reached us take the time before */
        wmem_array_append_one(g_ts, ts);
        g_fed++;
    }
    wmem_array_append_one(g_ts, ts);
    g_fed++;
    nlb_frame_facts ff;
    nlb_tracker_feed_facts(g_tr, pkt, ts, &ff);

    nlb_frame_rec r;
    memset(&r, 0, sizeof r);
    guint nv;
    const guint32 *vips = nlb_known_vips(&nv);
    nlb_mac_info src = pkt->src_mac, dst = pkt->dst_mac;
    if (src.kind != NLB_MAC_NONE && nlb_mac_confirm(&src, vips, nv)) {
        r.flags |= NF_SRC_CONFIRMED;
        r.vip = src.vip;
        if (src.kind == NLB_MAC_UNICAST)
            r.flags |= NF_CMS;
    }
    if (pkt->has_dst && dst.kind != NLB_MAC_NONE && nlb_mac_confirm(&dst, vips, nv)) {
        r.flags |= NF_DST_CONFIRMED;
        r.vip = dst.vip;
    }
    gboolean arp_ok = (pkt->kind == NLB_FK_ARP || pkt->kind == NLB_FK_RARP) && pkt->arp.status != NLB_MALFORMED;
    /* Announcements only matter where there is a cluster: in a capture without NLB they are
     * someone else's business and must not make "-Y nlb" match. */
    if (nv && arp_ok && (pkt->kind == NLB_FK_RARP || pkt->arp.gratuitous)) {
        r.flags |= NF_ANNOUNCE;
        guint32 hv = 0;
        r.announced_host = host_of_mac(pkt->kind == NLB_FK_RARP ? pkt->src : pkt->arp.sha, &hv);
    }
    if (nv && arp_ok && pkt->kind == NLB_FK_ARP && pkt->arp.op == NLB_ARP_REPLY) {
        nlb_mac_info mi;
        nlb_mac_classify(pkt->arp.sha, &mi);
        if ((mi.kind == NLB_MAC_MULTICAST || mi.kind == NLB_MAC_IGMP) && nlb_mac_confirm(&mi, vips, nv)) {
            r.flags |= NF_MCAST_ARP;
            r.vip = mi.vip;
        }
    }
    const nlb_flow_info *f = nlb_tracker_flow_by_id(g_tr, ff.flow_id);
    if (f) {
        r.flow = ff.flow_id;
        r.flags |= NF_FLOW | (ff.reply ? NF_REPLY : 0);
        r.vip = f->vip.family == 4 ? nlb_ipaddr_to_v4(&f->vip) : r.vip;
    }
    if (pkt->kind == NLB_FK_HEARTBEAT) {
        back_learn(&r, &ff);
        if (nlb_hb_has(&pkt->hb, NLB_OFF_CLUSTER_IP, 4))
            r.vip = pkt->hb.cluster_ip;
    }
    if (!r.flags && !r.back_host && pkt->src_mac.kind == NLB_MAC_NONE && pkt->dst_mac.kind == NLB_MAC_NONE)
        return NULL; /* nothing at all: keep no per-frame memory */
    nlb_frame_rec *keep = wmem_new(wmem_file_scope(), nlb_frame_rec);
    *keep = r;
    p_add_proto_data(wmem_file_scope(), pinfo, proto_nlb, KEY_REC, keep);
    return keep;
}

const nlb_frame_rec *nlb_capture_frame(tvbuff_t *tvb, packet_info *pinfo, nlb_packet *pkt, gboolean *decoded)
{
    *decoded = FALSE;
    int lt = encap_to_linktype(pinfo);
    if (!g_tr || !lt)
        return NULL;
    const nlb_frame_rec *r = NULL;
    gboolean first = !PINFO_FD_VISITED(pinfo) && !p_get_proto_data(pinfo->pool, pinfo, proto_nlb, KEY_SEEN);
    if (!first) {
        r = (const nlb_frame_rec *)p_get_proto_data(wmem_file_scope(), pinfo, proto_nlb, KEY_REC);
        if (!r)
            return NULL; /* nothing learnt: no need to decode it again */
    }
    tvbuff_t *ds = tvb_get_ds_tvb(tvb);
    guint caplen = tvb_captured_length(ds);
    nlb_packet_decode(lt, tvb_get_ptr(ds, 0, caplen), caplen, tvb_reported_length(ds), pkt);
    *decoded = TRUE;
    if (first) {
        p_add_proto_data(pinfo->pool, pinfo, proto_nlb, KEY_SEEN, GINT_TO_POINTER(1));
        r = learn(pinfo, pkt);
    }
    return r;
}

/* ---- the final view ----------------------------------------------------------------------- */

/* The first frame fed at or after t (the last one if none). */
static guint32 frame_at(nlb_usec t)
{
    const nlb_usec *v = (const nlb_usec *)wmem_array_get_raw(g_ts);
    guint32 lo = 0, hi = g_fed;
    while (lo < hi) {
        guint32 mid = lo + (hi - lo) / 2;
        if (v[mid] < t) lo = mid + 1;
        else hi = mid;
    }
    return lo < g_fed ? lo + 1 : g_fed;
}

/* A later pass began: finish the tracker as nlbreplay does at the end of its input (again if
 * frames were fed since, as the GUI does while a capture file is still loading). */
static void build_final(void)
{
    nlb_tracker_finish(g_tr);
    g_diag_at = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    for (size_t i = 0; i < nlb_tracker_diag_count(g_tr); i++) {
        guint32 num = frame_at(nlb_tracker_diag(g_tr, i)->time);
        wmem_array_t *a = (wmem_array_t *)wmem_map_lookup(g_diag_at, GUINT_TO_POINTER(num));
        if (!a) {
            a = wmem_array_new(wmem_file_scope(), sizeof(guint32));
            wmem_map_insert(g_diag_at, GUINT_TO_POINTER(num), a);
        }
        guint32 k = (guint32)i;
        wmem_array_append_one(a, k);
    }
    g_final_fed = g_fed;
}

gboolean nlb_capture_final(packet_info *pinfo)
{
    if (!g_tr || !g_fed || !PINFO_FD_VISITED(pinfo))
        return FALSE;
    if (g_final_fed != g_fed)
        build_final();
    return TRUE;
}

const guint32 *nlb_capture_diags(packet_info *pinfo, guint *n)
{
    *n = 0;
    if (!nlb_capture_final(pinfo))
        return NULL;
    wmem_array_t *a = (wmem_array_t *)wmem_map_lookup(g_diag_at, GUINT_TO_POINTER(pinfo->num));
    if (!a)
        return NULL;
    *n = wmem_array_get_count(a);
    return (const guint32 *)wmem_array_get_raw(a);
}

const nlb_flow_info *nlb_capture_flow(const nlb_frame_rec *r)
{
    if (!g_tr || !r || !(r->flags & NF_FLOW))
        return NULL;
    return nlb_tracker_flow_by_id(g_tr, r->flow); /* NULL once evicted */
}

nlb_flow_verdict nlb_capture_verdict(const nlb_frame_rec *r)
{
    const nlb_flow_info *f = nlb_capture_flow(r);
    return f ? (nlb_flow_verdict)f->verdict : NLB_FLOW_NO_SYN;
}

const nlb_event *nlb_capture_burst(packet_info *pinfo, nlb_usec ts)
{
    if (!nlb_capture_final(pinfo))
        return NULL;
    const nlb_event *best = NULL;
    for (size_t i = 0; i < nlb_tracker_event_count(g_tr); i++) {
        const nlb_event *e = nlb_tracker_event(g_tr, i);
        if (e->time > ts)
            break;
        if (e->kind == NLB_EV_FAILOVER_BURST && ts <= e->time + e->duration && (!best || e->hosts_mask))
            best = e; /* one event per cluster: the one with unannounced hosts says most */
    }
    return best;
}

const nlb_convergence *nlb_capture_conv(packet_info *pinfo, guint32 vip, nlb_usec ts, gboolean *ongoing)
{
    const nlb_cluster_info *c = vip && nlb_capture_final(pinfo) ? nlb_tracker_find_cluster(g_tr, vip) : NULL;
    for (unsigned i = 0; c && i < c->n_convergence; i++) {
        const nlb_convergence *cv = &c->convergence[i];
        *ongoing = cv->end == 0;
        if (cv->start <= ts && ts <= (cv->end ? cv->end : g_last_ts))
            return cv;
    }
    return NULL;
}

nlb_usec nlb_capture_ts(packet_info *pinfo)
{
    if (!g_ts || pinfo->num < 1 || pinfo->num > g_fed)
        return frame_usec(pinfo);
    return ((const nlb_usec *)wmem_array_get_raw(g_ts))[pinfo->num - 1];
}
