/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wording of the tracker's public records: modes, host states, flow verdicts and events. */
#include <inttypes.h>
#include <stdio.h>

#include "nlbproto/cluster.h"
#include "diag_int.h"

/* ---- cluster.h wording: modes and events ---- */

const char *nlb_mode_name(nlb_mode m)
{
    switch (m) {
    case NLB_MODE_UNICAST: return "unicast";
    case NLB_MODE_MULTICAST: return "multicast";
    case NLB_MODE_IGMP: return "igmp";
    case NLB_MODE_UNKNOWN: break;
    }
    return "unknown";
}

const char *nlb_host_state_name(nlb_host_state s)
{
    switch (s) {
    case NLB_HOST_GAP: return "gap";
    case NLB_HOST_SILENT: return "silent";
    case NLB_HOST_UNSEEN: return "unseen";
    case NLB_HOST_UNKNOWN: return "unknown";
    case NLB_HOST_OK: break;
    }
    return "ok";
}

const char *nlb_flow_verdict_name(nlb_flow_verdict v)
{
    switch (v) {
    case NLB_FLOW_PENDING: return "pending";
    case NLB_FLOW_ANSWERED: return "answered";
    case NLB_FLOW_UNANSWERED: return "unanswered";
    case NLB_FLOW_NO_SYN: break;
    }
    return "none";
}

const char *nlb_event_kind_key(nlb_event_kind k)
{
    static const char *const keys[NLB_EV_KIND_COUNT_] = {
        [NLB_EV_CLUSTER_FOUND] = "cluster_found", [NLB_EV_HOST_JOINED] = "host_joined",
        [NLB_EV_HOST_SILENT] = "host_silent", [NLB_EV_HOST_BACK] = "host_back",
        [NLB_EV_CONVERGENCE_START] = "convergence_start", [NLB_EV_CONVERGENCE_END] = "convergence_end",
        [NLB_EV_FAILOVER_BURST] = "failover_burst", [NLB_EV_CLUSTER_MAC_AS_SOURCE] = "cluster_mac_as_source",
        [NLB_EV_VIP_UNANSWERED] = "vip_unanswered", [NLB_EV_MAP_CHANGED] = "map_changed",
        [NLB_EV_CAPTURE_LOST] = "capture_lost",
    };
    return (unsigned)k < NLB_EV_KIND_COUNT_ && keys[k] ? keys[k] : "unknown";
}

/* Event fields per kind (filled by src/tracker/):
 *  cluster_found        count: evidence (nlb_found_by)
 *  host_joined          host, count: its dedicated IP (host order), port: the evidence that
 *                       named it (NLB_HEV_*), mac: its masked MAC when named by traffic
 *  host_silent          host, duration: the gap (so far, or final once it came back)
 *  host_back            host, duration: the gap
 *  convergence_start    host: trigger host, count: trigger kind, duration: triggering silence
 *  convergence_end      host: trigger host, duration: episode length
 *  failover_burst       count: distinct MACs, hosts_mask: NLB hosts of vip NOT announced (vip 0:
 *                       no NLB cluster known), duration: burst span, mac: first MAC announced
 *  cluster_mac_as_source mac, count: frames within that second
 *  vip_unanswered       port, count: unanswered connections, hosts_mask: predicted owners,
 *                       duration: span of the episode
 *  map_changed          host, count: rule slots whose current map changed
 *  capture_lost         time: the hosts' last heartbeat (lost together) or the input's end,
 *                       count: nlb_lost_by, hosts_mask: the hosts lost, duration: spread of
 *                       their last heartbeats (lost together) */
size_t nlb_event_format(const nlb_event *ev, char *buf, size_t len)
{
    sb s = { buf, len, 0 };
    char ip[16], ip2[16], mac[18], hosts[128];
    nlb_ip4_str(ev->vip, ip);
    nlb_mac_str(ev->mac, mac);
    nlb_hosts_str(ev->hosts_mask, hosts, sizeof hosts);
    switch (ev->kind) {
    case NLB_EV_CLUSTER_FOUND:
        sb_add(&s, "NLB cluster %s found (%s)", ip,
               ev->count == NLB_FOUND_BY_HEARTBEAT ? "heartbeats"
               : ev->count == NLB_FOUND_BY_ARP ? "ARP for the VIP answered with a cluster MAC"
               : ev->count == NLB_FOUND_BY_TRAFFIC ? "traffic: its cluster MAC embeds exactly the VIP it carries"
               : "configuration");
        break;
    case NLB_EV_HOST_JOINED:
        if (ev->count)
            sb_add(&s, "host %u (%s) of %s appeared", ev->host, nlb_ip4_str(ev->count, ip2), ip);
        else if (ev->port & (NLB_HEV_ARP | NLB_HEV_REPLIES))
            sb_add(&s, "host %u of %s appeared (%s from its masked MAC %s; no heartbeat yet)", ev->host, ip,
                   ev->port & NLB_HEV_ARP ? "ARP for the VIP" : "traffic from the VIP", mac);
        else
            sb_add(&s, "host %u of %s appeared (its dedicated IP was not captured)", ev->host, ip);
        break;
    case NLB_EV_HOST_SILENT:
        sb_add(&s, "host %u of %s silent: no heartbeat for %.1f s", ev->host, ip, secs(ev->duration));
        break;
    case NLB_EV_HOST_BACK:
        sb_add(&s, "host %u of %s back after %.1f s of silence", ev->host, ip, secs(ev->duration));
        break;
    case NLB_EV_CONVERGENCE_START:
        sb_add(&s, "%s started converging (", ip);
        nlb_diag_add_trigger(&s, ev->count, ev->host, ev->duration);
        sb_add(&s, ")");
        break;
    case NLB_EV_CONVERGENCE_END:
        sb_add(&s, "%s converged after %.1f s", ip, secs(ev->duration));
        break;
    case NLB_EV_FAILOVER_BURST:
        sb_add(&s, "failover burst: %" PRIu32 " %s announced by RARP/GARP within %.1f s", ev->count,
               pl(ev->count, "MAC", "MACs"), secs(ev->duration));
        if (!ev->vip)
            sb_add(&s, " (no NLB cluster known)");
        else if (ev->hosts_mask)
            sb_add(&s, "; NLB %s of %s not announced", hosts, ip);
        else
            sb_add(&s, "; every NLB host of %s announced", ip);
        break;
    case NLB_EV_CLUSTER_MAC_AS_SOURCE:
        sb_add(&s, "%s (unicast cluster MAC of %s) sent as Ethernet source (%" PRIu32 " %s in this second)",
               mac, ip, ev->count, pl(ev->count, "frame", "frames"));
        break;
    case NLB_EV_VIP_UNANSWERED:
        sb_add(&s, "%" PRIu32 " new %s to %s:%u unanswered (no SYN-ACK)", ev->count,
               pl(ev->count, "connection", "connections"), ip, ev->port);
        if (ev->hosts_mask)
            sb_add(&s, "; predicted owners (emulation): %s", hosts);
        break;
    case NLB_EV_MAP_CHANGED:
        sb_add(&s, "host %u of %s changed its current bin map in %" PRIu32 " rule slot%s", ev->host, ip,
               ev->count, ev->count == 1 ? "" : "s");
        break;
    case NLB_EV_CAPTURE_LOST:
        if (ev->count == NLB_LOST_INPUT_END)
            sb_add(&s, "an input ended: %s of %s not seen after it (their heartbeats ended with it; "
                       "a fact about the capture, not the cluster: nothing is diagnosed from it)", hosts, ip);
        else
            sb_add(&s, "the capture stopped seeing %s: the heartbeats of %s all ended within %.1f s "
                       "(a fact about the capture point, not the cluster: nothing is diagnosed from it)",
                   ip, hosts, secs(ev->duration));
        break;
    default:
        sb_add(&s, "event %d", (int)ev->kind);
        break;
    }
    return sb_done(&s);
}
