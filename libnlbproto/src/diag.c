/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ONE wording table of libnlbproto: nlbreplay and the Wireshark plugin both print
 * diagnostics and events through these functions, so a person reads the same sentence in both.
 *
 * Meaning of the nlb_diag fields per code (what the tracker, src/tracker/, fills in):
 *  NLB-001 failover unannounced  time burst, vip, hosts_mask NLB hosts not announced, n1 MACs in the
 *                                burst, n3/n4 unanswered/total new connections to vip:port after it
 *  NLB-002 VIP unanswered        time first unanswered SYN, vip, port, n1 unanswered, n2 judged
 *                                connections in the episode, n3 SYNs of the unanswered ones,
 *                                hosts_mask predicted owners (emulation), duration episode span
 *  NLB-003 host silent           time last heartbeat, hosts_mask the host, duration the gap,
 *                                n1 1 = still silent at the end, n2 period x tolerance in ms
 *  NLB-004 convergence           time start, duration, hosts_mask trigger host, n1 trigger kind
 *                                (nlb_conv_trigger), n2 1 = unfinished at the end, n3 the
 *                                triggering silence in ms
 *  NLB-005 cluster MAC source    time first, vip, mac, n1 frames
 *  NLB-006 duplicate priority    time first conflict, hosts_mask the priority, n1/n2 the two
 *                                dedicated IPs (host order)
 *  NLB-007 rule mismatch         hosts_mask reference host (lowest bit) + hosts that differ;
 *                                n3 0: n1/n2 rule counts; n3 k > 0: slot k differs, n1/n2 codes
 *  NLB-008 several default hosts hosts_mask the hosts named as default, n1 hosts claiming
 *  NLB-009/010 bins twice/nobody time first seen, n1 bins, n2 rule slot (1-based), hosts_mask
 *  NLB-011 multicast ARP         vip, mac, n1 replies
 *  NLB-012 IGMP joins missing    vip, duration observed
 *  NLB-013 truncated heartbeats  vip, hosts_mask hosts without maps, n1 heartbeats, n2 those cut
 *                                before the cluster IP or priority (taken from the masked MAC)
 *  NLB-014 owner mismatch        n1 flows whose emulated owner answered, n2 answered flows with an
 *                                emulated owner; n3 of n4 answered flows predicted from learned
 *                                owners were right
 *  NLB-015 flows evicted         n1 flows evicted or refused, n2 table capacity
 *  NLB-016 legacy heartbeats     time first, vip, hosts_mask priorities named in them, n1 frames,
 *                                n2 1 = the cluster also sends 0x886F heartbeats
 *  NLB-017 partial delivery      (vantage.h) time the change, vip, mac the unicast cluster MAC,
 *                                hosts_mask the points still receiving (bit i = point i), n3 the
 *                                points that stopped, n4 client frames the first of them missed,
 *                                n1 point + 1 of the frame from the cluster MAC that made the
 *                                switch learn it (0 = none captured), n2 its frame number there,
 *                                duration the change minus that frame's time
 *  NLB-018 flooding, no host     (vantage.h) time first frame got, vip, hosts_mask the point,
 *                                n1 client frames to the VIP it got, n2 sent while it captured
 *  NLB-019 remote control        time first (from outside when any), vip, port, n1 datagrams,
 *                                n2 of them from outside the VIP's /24 (guess), n3 a source
 *                                (host order; the first outside one when any)
 *  NLB-020 ping census           time first request, vip, n1 echo requests, n2 most hosts
 *                                answering one, hosts_mask hosts that answered, n3 hosts heard
 *                                in heartbeats (mask), n4 replies from no known host
 *  NLB-021/022/023 continuity    one flow each: time the first host's reply, duration to the
 *                                other host's first reply, hosts_mask both, port the VIP port,
 *                                n1 flows of this kind in the cluster, n2 client IPv4 (0 = IPv6),
 *                                n3 client port, n4 first host | other host << 8 | converging
 *                                << 16 (at the other host's reply) */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nlbproto/cluster.h"
#include "nlbproto/vantage.h"
#include "nlbproto/diag.h"
#include "diag_int.h"


/* The code string is spelled digit by digit: a zero-padded literal (008) would be octal. */
#define NLB_DIAG(num, name, key, sev, sevs, title)                                                  \
    [num] = { NLB_D_##name,                                                                       \
              { 'N', 'L', 'B', '-', (char)('0' + (num) / 100), (char)('0' + (num) / 10 % 10),       \
                (char)('0' + (num) % 10), 0 },                                                    \
              #key, NLB_SEV_##sev, (sevs), title },
static const nlb_diag_desc diag_table[NLB_D_CODE_COUNT_] = {
#include "nlbproto/diag.def"
};
#undef NLB_DIAG

const nlb_diag_desc *nlb_diag_info(nlb_diag_code c)
{
    return c > 0 && (unsigned)c < NLB_D_CODE_COUNT_ && diag_table[c].key ? &diag_table[c] : NULL;
}

size_t nlb_diag_info_count(void) { return NLB_D_CODE_COUNT_ - 1; }

const nlb_diag_desc *nlb_diag_info_at(size_t i)
{
    return i < nlb_diag_info_count() ? nlb_diag_info((nlb_diag_code)(i + 1)) : NULL;
}

const char *nlb_diag_code_str(nlb_diag_code c)
{
    const nlb_diag_desc *d = nlb_diag_info(c);
    return d ? d->code_str : "NLB-000";
}

const char *nlb_severity_name(nlb_severity s)
{
    switch (s) {
    case NLB_SEV_INFO: return "info";
    case NLB_SEV_WARNING: return "warning";
    case NLB_SEV_ERROR: return "error";
    }
    return "?";
}

char *nlb_time_str(nlb_usec t, char *buf)
{
    const int64_t day = INT64_C(86400000000);
    int64_t r = t % day;
    if (r < 0) r += day; /* times before the epoch still print a wall-clock time */
    unsigned ms = (unsigned)(r / 1000 % 1000);
    unsigned s = (unsigned)(r / 1000000);
    snprintf(buf, 16, "%02u:%02u:%02u.%03u", s / 3600, s / 60 % 60, s % 60, ms);
    return buf;
}

size_t nlb_hosts_str(uint32_t mask, char *buf, size_t len)
{
    sb s = { buf, len, 0 };
    unsigned n = (unsigned)__builtin_popcount(mask), i = 0;
    if (!n) {
        sb_add(&s, "no host");
        return sb_done(&s);
    }
    sb_add(&s, n == 1 ? "host " : "hosts ");
    for (unsigned p = 1; p <= 32; p++) {
        if (!(mask >> (p - 1) & 1u)) continue;
        i++;
        if (i > 1) sb_add(&s, i == n ? " and " : ", ");
        sb_add(&s, "%u", p);
    }
    return sb_done(&s);
}

static unsigned lowest_host(uint32_t mask)
{
    return mask ? (unsigned)__builtin_ctz(mask) + 1 : 0;
}

static const char *trigger_text(unsigned kind)
{
    switch (kind) {
    case NLB_CONV_TRIGGER_SILENCE: return "silent";
    case NLB_CONV_TRIGGER_JOIN: return "joined";
    case NLB_CONV_TRIGGER_STATE: return "reported convergence state 3 (guess)";
    case NLB_CONV_TRIGGER_FAST: return "heartbeats at about half the period (guess)";
    case NLB_CONV_TRIGGER_MAP: return "bin maps changed";
    default: return "unknown trigger";
    }
}

void nlb_diag_add_trigger(sb *s, unsigned kind, unsigned host, nlb_usec gap)
{
    if (host && kind == NLB_CONV_TRIGGER_SILENCE)
        sb_add(s, "host %u silent %.1f s", host, secs(gap));
    else if (host && kind == NLB_CONV_TRIGGER_JOIN)
        sb_add(s, "host %u joined", host);
    else if (host)
        sb_add(s, "host %u: %s", host, trigger_text(kind));
    else
        sb_add(s, "%s", trigger_text(kind));
}

size_t nlb_conv_trigger_format(const nlb_convergence *c, char *buf, size_t len)
{
    sb s = { buf, len, 0 };
    if (c)
        nlb_diag_add_trigger(&s, c->trigger, c->trigger_host, c->trigger_gap);
    return sb_done(&s);
}

/* Points of mask by label (v given) or number: "host2, host3 and span". */
static void add_points(sb *s, const nlb_vantage *v, uint32_t mask)
{
    unsigned n = (unsigned)__builtin_popcount(mask), i = 0;
    if (!n) sb_add(s, "none of the capture points");
    for (unsigned p = 0; p < 32; p++) {
        if (!(mask >> p & 1u)) continue;
        i++;
        if (i > 1) sb_add(s, i == n ? " and " : ", ");
        const nlb_vantage_point *pt = v ? nlb_vantage_point_at(v, p) : NULL;
        if (pt) sb_add(s, "%s", pt->label);
        else sb_add(s, "point %u", p + 1);
    }
}

/* The first segment of (vip, p) missing after receiving, or NULL. */
static const nlb_delivery_segment *stopped_segment(const nlb_vantage *v, uint32_t vip, unsigned p)
{
    const nlb_delivery *d = v ? nlb_vantage_delivery_find(v, vip, p) : NULL;
    for (unsigned i = 1; d && i < d->n_segments; i++)
        if (d->seg[i].state == NLB_DELIVERY_MISSING && d->seg[i - 1].state == NLB_DELIVERY_RECEIVING)
            return &d->seg[i];
    return NULL;
}

/* NLB-016 and NLB-017, with the points' labels and counts when the vantage is at hand. */
static void format_vantage(sb *s, const nlb_diag *d, const nlb_vantage *v)
{
    char ip[16], t[16], mac[18], t2[16];
    nlb_ip4_str(d->vip, ip);
    nlb_time_str(d->time, t);
    nlb_mac_str(d->mac, mac);
    if (d->code == NLB_D_FLOODING_NO_HOST) {
        add_points(s, v, d->hosts_mask);
        sb_add(s, ", a capture point where no NLB host of %s sent a frame of its own, got %" PRIu32 " of %" PRIu32
                  " client frames to %s from %s: in unicast mode the switch floods the cluster MAC to every port of "
                  "the VLAN by design; if that load matters, put the cluster in its own VLAN or use multicast mode "
                  "with static or IGMP-snooping entries (NLB-PROTOCOL.md section 6)", ip, d->n1, d->n2, ip, t);
        return;
    }
    sb_add(s, "from %s the switch delivers %s's traffic to ", t, ip);
    add_points(s, v, d->hosts_mask);
    sb_add(s, " only (");
    unsigned i = 0;
    for (unsigned p = 0; p < 32; p++) {
        if (!(d->n3 >> p & 1u)) continue;
        const nlb_delivery_segment *g = stopped_segment(v, d->vip, p);
        sb_add(s, "%s", i++ ? ", " : "");
        add_points(s, v, 1u << p);
        if (g && g->syns)
            sb_add(s, ": %" PRIu64 " of %" PRIu64 " SYNs", g->syns_got, g->syns);
        else if (g)
            sb_add(s, ": %" PRIu64 " of %" PRIu64 " frames", g->got, g->frames);
        else
            sb_add(s, ": none of %" PRIu32 " frames", d->n4);
    }
    sb_add(s, "); ");
    if (d->n1) {
        const nlb_vantage_point *src = v ? nlb_vantage_point_at(v, d->n1 - 1) : NULL;
        nlb_time_str(d->time, t2);
        sb_add(s, "a frame sent from the unicast cluster MAC %s at %s (frame %" PRIu32 " of ", mac, t2, d->n2);
        if (src) sb_add(s, "%s", src->label);
        else sb_add(s, "point %u", d->n1);
        sb_add(s, "'s capture) made the switch learn %s on ", mac);
        if (__builtin_popcount(d->hosts_mask) == 1) {
            add_points(s, v, d->hosts_mask);
            sb_add(s, "'s port");
        } else {
            sb_add(s, "one port");
        }
        sb_add(s, ", and it stopped flooding it: find what sends from the cluster MAC (a host with MaskSourceMAC "
                  "off, a host in another mode, a bridge or VM) and clear the switch's entry for %s", mac);
    } else {
        sb_add(s, "no frame from the unicast cluster MAC %s was captured before: the switch holds a static or "
                  "stale entry for it or learned it on a port not captured; clear it (unicast NLB needs %s flooded "
                  "to every host's port)", mac, mac);
    }
    sb_add(s, "; on ESXi keep Notify Switches = No on the NLB port group (VMware KB 1556); "
              "NLB-PROTOCOL.md sections 2 and 5");
}

size_t nlb_vantage_diag_format(const nlb_vantage *v, const nlb_diag *d, char *buf, size_t len)
{
    if (d->code != NLB_D_DELIVERY_PARTIAL && d->code != NLB_D_FLOODING_NO_HOST)
        return nlb_diag_format(d, buf, len);
    sb s = { buf, len, 0 };
    format_vantage(&s, d, v);
    return sb_done(&s);
}

size_t nlb_diag_format(const nlb_diag *d, char *buf, size_t len)
{
    sb s = { buf, len, 0 };
    char ip[16], ip2[16], t[16], mac[18], hosts[128], others[128];
    nlb_ip4_str(d->vip, ip);
    nlb_time_str(d->time, t);
    nlb_mac_str(d->mac, mac);
    nlb_hosts_str(d->hosts_mask, hosts, sizeof hosts);
    unsigned h = lowest_host(d->hosts_mask);

    switch (d->code) {
    case NLB_D_FAILOVER_UNANNOUNCED:
        sb_add(&s, "after the failover burst at %s (%" PRIu32 " %s announced by RARP/GARP) no RARP/GARP "
                   "announced NLB %s of %s; ", t, d->n1, pl(d->n1, "MAC", "MACs"), hosts, ip);
        if (d->n4)
            sb_add(&s, "%" PRIu32 " of %" PRIu32 " new %s to %s:%u went unanswered after it; ",
                   d->n3, d->n4, pl(d->n4, "connection", "connections"), ip, d->port);
        else
            sb_add(&s, "no new connection to %s was seen after it; ", ip);
        if (d->mode == NLB_MODE_MULTICAST || d->mode == NLB_MODE_IGMP)
            sb_add(&s, "the switch may still send the cluster's traffic to the old uplink: check the upstream "
                       "switch's MAC address table and static/IGMP-snooping entries for the cluster MAC");
        else
            sb_add(&s, "unicast NLB on ESXi: check 'Notify Switches' on the NLB port group (VMware KB 1556) "
                       "and the upstream switch's MAC address table");
        break;
    case NLB_D_VIP_UNANSWERED:
        sb_add(&s, "%" PRIu32 " of %" PRIu32 " new %s to %s:%u from %s on got no SYN-ACK from the VIP "
                   "(%" PRIu32 " %s sent, retransmissions included, over %.1f s)",
               d->n1, d->n2, pl(d->n2, "connection", "connections"), ip, d->port, t, d->n3,
               pl(d->n3, "SYN", "SYNs"), secs(d->duration));
        if (d->hosts_mask)
            sb_add(&s, "; predicted owners (emulation, not the Windows hash): %s", hosts);
        sb_add(&s, "; check that the switch still delivers the VIP's traffic to the NLB hosts "
                   "(MAC address table, port group, VLAN) and that the hosts are converged");
        break;
    case NLB_D_HOST_SILENT:
        sb_add(&s, "host %u of %s sent no heartbeat for %.1f s from %s (limit %" PRIu32 " ms = "
                   "AliveMsgPeriod x AliveMsgTolerance); ", h, ip, secs(d->duration), t, d->n2);
        if (d->n1)
            sb_add(&s, "it was still silent at the end of the capture: check the host, its NLB state "
                       "(nlb query) and its network path");
        else
            sb_add(&s, "it came back afterwards: check its network path and load at that time");
        break;
    case NLB_D_CONVERGENCE:
        sb_add(&s, "%s converged from %s ", ip, t);
        if (d->n2)
            sb_add(&s, "and was still converging at the end of the capture (%.1f s observed)", secs(d->duration));
        else
            sb_add(&s, "for %.1f s", secs(d->duration));
        sb_add(&s, "; trigger: ");
        nlb_diag_add_trigger(&s, d->n1, h, (nlb_usec)d->n3 * 1000);
        sb_add(&s, "; hosts redistribute the bins meanwhile, so some connections may reset");
        break;
    case NLB_D_CLUSTER_MAC_SOURCE:
        sb_add(&s, "%s, the unicast cluster MAC of %s, appeared as Ethernet source in %" PRIu32 " %s from %s: "
                   "the switch will learn %s on one port and stop flooding the VIP's traffic to every host; "
                   "check that MaskSourceMAC is on for every host and that nothing (a host in another mode, "
                   "a bridge, a VM) sends from the cluster MAC", mac, ip, d->n1, pl(d->n1, "frame", "frames"), t, mac);
        break;
    case NLB_D_DUP_PRIORITY:
        sb_add(&s, "two hosts of %s claim host priority %u: %s and %s (from %s); NLB cannot converge with a "
                   "duplicate priority: give each host a unique priority",
               ip, h, nlb_ip4_str(d->n1, ip2), nlb_ip4_str(d->n2, others), t);
        break;
    case NLB_D_RULE_MISMATCH:
        nlb_hosts_str(d->hosts_mask & ~(h ? 1u << (h - 1) : 0u), others, sizeof others);
        if (d->n3 == 0)
            sb_add(&s, "hosts of %s disagree on port rules: host %u sends %" PRIu32 " rule slots, %s %" PRIu32,
                   ip, h, d->n1, others, d->n2);
        else
            sb_add(&s, "hosts of %s disagree on port rule slot %" PRIu32 ": host %u has code 0x%08" PRIx32
                       ", %s 0x%08" PRIx32, ip, d->n3, h, d->n1, others, d->n2);
        sb_add(&s, "; make the port rules identical on every host (ranges, protocol, mode, affinity, order)");
        break;
    case NLB_D_MULTI_DEFAULT:
        sb_add(&s, "hosts of %s disagree on the default host (the one taking traffic no port rule covers): "
                   "they name %s; check that every host sees the others' heartbeats and that priorities are "
                   "unique", ip, hosts);
        break;
    case NLB_D_BIN_TWICE:
        sb_add(&s, "%" PRIu32 " %s of port rule slot %" PRIu32 " of %s %s owned by two hosts at once (%s) from %s: "
                   "both answer those clients (duplicate replies, resets); the hosts disagree on membership",
               d->n1, pl(d->n1, "bin", "bins"), d->n2, ip, pl(d->n1, "is", "are"), hosts, t);
        break;
    case NLB_D_BIN_NOBODY:
        sb_add(&s, "%" PRIu32 " %s of port rule slot %" PRIu32 " of %s %s owned by no live host from %s: "
                   "clients hashed to %s get no answer; check that every host converged",
               d->n1, pl(d->n1, "bin", "bins"), d->n2, ip, pl(d->n1, "is", "are"), t, pl(d->n1, "it", "them"));
        break;
    case NLB_D_MCAST_ARP:
        sb_add(&s, "ARP replies map the unicast address %s to the multicast MAC %s (%" PRIu32 " %s from %s); "
                   "many routers and firewalls reject this: add a static ARP entry on the router",
               ip, mac, d->n1, pl(d->n1, "reply", "replies"), t);
        break;
    case NLB_D_IGMP_MISSING:
        sb_add(&s, "%s runs in IGMP multicast mode but no IGMP membership report for 239.255.%u.%u was seen in "
                   "%.0f s (hosts send one about every 60 s (guess)); IGMP-snooping switches then drop or flood "
                   "the cluster's traffic: check IGMP multicast on the hosts and snooping on the switch",
               ip, (unsigned)(d->vip >> 8 & 255), (unsigned)(d->vip & 255), secs(d->duration));
        break;
    case NLB_D_TRUNCATED:
        sb_add(&s, "%" PRIu32 " %s of %s of %s %s cut by the capture's snaplen: their bin maps are "
                   "unknown, so owners shown are predicted by the emulation (not the Windows hash)",
               d->n1, pl(d->n1, "heartbeat", "heartbeats"), hosts, ip, pl(d->n1, "was", "were"));
        if (d->n2)
            sb_add(&s, "; %" PRIu32 " of them %s cut before the cluster IP and priority, which come from the "
                       "masked source MAC 02-pp-VIP", d->n2, pl(d->n2, "was", "were"));
        sb_add(&s, "; capture again with a full snaplen (tcpdump -s 0, at least 1514 bytes) to see the maps");
        break;
    case NLB_D_OWNER_MISMATCH:
        sb_add(&s, "the emulated owner (not the Windows hash) matched the host that answered for only %" PRIu32
                   " of %" PRIu32 " flows (%.0f%%): ",
               d->n1, d->n2, d->n2 ? 100.0 * d->n1 / d->n2 : 100.0);
        if (d->n4)
            sb_add(&s, "predictions use the owners learned from the answers first (they matched %" PRIu32 " of the %" PRIu32
                       " answered flows they predicted; each flow's prediction source says which it used), and the "
                       "ownership section names the affinity the answers support",
                   d->n3, d->n4);
        else
            sb_add(&s, "no owner could be learned from the answers yet (no client answered twice), so the predictions "
                       "shown are the emulation's; the ownership section names the affinity the answers support");
        break;
    case NLB_D_FLOWS_EVICTED:
        sb_add(&s, "the flow table was full (%" PRIu32 " flows): %" PRIu32 " flows were evicted or not tracked, "
                   "so per-flow figures cover only part of the capture: raise the flow table capacity", d->n2, d->n1);
        break;
    case NLB_D_LEGACY_HEARTBEATS:
        sb_add(&s, "%" PRIu32 " %s of %s on the legacy ethertype 0xBF01 (WLBS/Convoy) from %s, from %s; ",
               d->n1, pl(d->n1, "heartbeat", "heartbeats"), ip, hosts, t);
        if (d->n2)
            sb_add(&s, "the cluster also sends 0x886F heartbeats: a cluster with an older member reverts to the "
                       "legacy format (KB Q232711): upgrade or remove that member; ");
        else
            sb_add(&s, "a cluster with an older (WLBS) member uses the legacy format (KB Q232711); ");
        sb_add(&s, "their body layout is not public, so only the common header is shown and hosts, silences "
                   "and bins are not judged from them");
        break;
    case NLB_D_DELIVERY_PARTIAL:
    case NLB_D_FLOODING_NO_HOST:
        format_vantage(&s, d, NULL);
        break;
    case NLB_D_REMOTE_CONTROL:
        sb_add(&s, "%" PRIu32 " %s to %s (nlb.exe/wlbs remote control, UDP 1717/2504), ",
               d->n1, pl(d->n1, "datagram", "datagrams"), ip);
        if (d->n2)
            sb_add(&s, "%" PRIu32 " from outside the VIP's subnet (assumed /24: the mask is not on the wire), the "
                       "first from %s to port %u at %s: remote control reachable from outside is a security finding: "
                       "disable remote control on the hosts or block UDP 1717 and 2504 to %s at the router or firewall",
                   d->n2, nlb_ip4_str(d->n3, ip2), d->port, t, ip);
        else
            sb_add(&s, "all from inside the VIP's subnet (assumed /24: the mask is not on the wire), the first from %s "
                       "to port %u at %s: remote control is enabled; keep UDP 1717 and 2504 to %s blocked from outside",
                   nlb_ip4_str(d->n3, ip2), d->port, t, ip);
        break;
    case NLB_D_PING_CENSUS:
        nlb_hosts_str(d->n3, others, sizeof others);
        sb_add(&s, "%" PRIu32 " ping %s to %s from %s on: ", d->n1, pl(d->n1, "request", "requests"), ip, t);
        if (d->hosts_mask)
            sb_add(&s, "%s answered (at most %" PRIu32 " per request)", hosts, d->n2);
        else
            sb_add(&s, "no known host answered");
        if (d->n4) sb_add(&s, ", %" PRIu32 " %s from no known host", d->n4, pl(d->n4, "reply", "replies"));
        sb_add(&s, "; heard in heartbeats: %s. ICMP is not load balanced: every host that receives the VIP's "
                   "traffic answers, so ", d->n3 ? others : "none");
        if (d->n3 & ~d->hosts_mask) {
            nlb_hosts_str(d->n3 & ~d->hosts_mask, others, sizeof others);
            bool one = __builtin_popcount(d->n3 & ~d->hosts_mask) == 1;
            sb_add(&s, "%s, heard in heartbeats, never answered: %s not receive the VIP's frames (check the switch "
                       "port, its MAC address table and VLAN) or %s ICMP", others, one ? "it does" : "they do",
                   one ? "filters" : "filter");
        } else if (!d->hosts_mask) {
            sb_add(&s, "no host receives the VIP's traffic here, or ICMP is filtered");
        } else {
            sb_add(&s, "every host heard in heartbeats receives the VIP's traffic");
        }
        break;
    case NLB_D_TCP_OWNER_MOVED:
    case NLB_D_RST_NOT_OWNER:
    case NLB_D_UDP_OWNER_MOVED:
        return nlb_diag_format_continuity(d, buf, len);
    default:
        sb_add(&s, "unknown diagnostic %d", (int)d->code);
        break;
    }
    return sb_done(&s);
}
