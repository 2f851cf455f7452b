/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbgen's presets and their timelines: what each scenario schedules and the one-shot frames
 * (failover bursts, look-alike traffic, incident phases) it fires. */
#include <string.h>

#include "gen.h"

#define NO_CLUSTER (OPT_MODE | OPT_VIP | OPT_HOSTS | OPT_RULES | OPT_FLOWS | OPT_AFFINITY)

static const preset PRESETS[] = {
    { .name = "unicast-healthy", .kind = SC_HEALTHY, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.40", .hosts = 3, .rules = 2,
      .flows = 300, .duration = 60,
      .desc = "unicast cluster of 3 hosts, 1 s heartbeats, extended heartbeats, client TCP/UDP flows answered by their owners" },
    { .name = "incident", .kind = SC_INCIDENT, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.40", .hosts = 3, .rules = 2,
      .flows = 200, .duration = 60,
      .desc = "ESXi uplink failover at +30 s: RARP burst without the NLB hosts, host 3 silent 8 s, two convergence episodes ~1 s apart, unanswered SYNs, 02-BF as source" },
    { .name = "multicast", .kind = SC_MULTICAST, .mode = NLB_MODE_MULTICAST, .vip = "10.20.30.50", .hosts = 2, .rules = 2,
      .flows = 120, .duration = 60,
      .desc = "multicast cluster of 2 hosts: 03-BF cluster MAC, heartbeats and replies from NIC MACs" },
    { .name = "igmp", .kind = SC_IGMP, .mode = NLB_MODE_IGMP, .vip = "10.20.30.60", .hosts = 2, .rules = 2, .flows = 120,
      .duration = 125, .desc = "IGMP multicast cluster of 2 hosts: 01-00-5E-7F cluster MAC, IGMPv2 reports every 60 s" },
    { .name = "misconfig", .kind = SC_MISCONFIG, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.70", .hosts = 4, .rules = 2,
      .duration = 20, .fixed = OPT_FLOWS, .why_fixed = "the configuration faults are in the heartbeats; no client traffic",
      .desc = "configuration faults: duplicate priority, rule mismatch, two default hosts, a bin owned twice, a bin owned by nobody" },
    { .name = "lookalike", .kind = SC_LOOKALIKE, .mode = NLB_MODE_UNKNOWN, .vip = "0.0.0.0", .duration = 60,
      .fixed = NO_CLUSTER, .why_fixed = "this preset has no NLB cluster",
      .desc = "no NLB at all: SSDP, IGMP, Xbox 0x886F, Docker and lab-router 02-xx MACs, a router GARP, RARP 0.0.0.0" },
    { .name = "bench", .kind = SC_BENCH, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.40", .hosts = 8, .rules = 4,
      .flows = 200000, .duration = 120,
      .desc = "size knob for benchmarks: heartbeats of 8 hosts, flows with replies, background traffic, GARP/RARP" },
    { .name = "multipoint", .kind = SC_MULTIPOINT, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.40", .hosts = 3, .rules = 2,
      .flows = 300, .duration = 60, .fixed = OPT_CAPTURE,
      .why_fixed = "each point's capture follows the switch model; use --point-offset LABEL=S for clock errors",
      .desc = "one unicast cluster seen from each host's port and a port without NLB host (-w DIR: DIR/host1.pcap ... DIR/span.pcap, clocks off by up to 2 s); at +30.2 s host 1 sends from 02-BF, the switch learns it and delivers the VIP's traffic to host 1's port only" },
    /* imperfect captures: the cluster is healthy or the incident, the capture point is not */
    { .name = "lost-cluster", .kind = SC_HEALTHY, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.40", .hosts = 3, .rules = 2,
      .flows = 100, .duration = 40, .flags = PF_BACKGROUND, .cap = { .lose_at = 25 },
      .desc = "healthy cluster; from +25 s the capture point sees none of its frames (every host silent at once) while other traffic goes on" },
    { .name = "vip-filtered", .kind = SC_INCIDENT, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.40", .hosts = 3, .rules = 2,
      .flows = 200, .duration = 60, .cap = { .only_vip = true },
      .desc = "the incident captured with 'ip host 10.20.30.40': no heartbeats, no RARP, only IPv4 from or to the VIP" },
    { .name = "no-heartbeats", .kind = SC_INCIDENT, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.40", .hosts = 3, .rules = 2,
      .flows = 200, .duration = 60, .cap = { .no_heartbeats = true },
      .desc = "the incident captured with 'not ether proto 0x886f': hosts known only from ARP and replies from masked MACs" },
    { .name = "snaplen20", .kind = SC_HEALTHY, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.40", .hosts = 3, .rules = 2,
      .flows = 60, .duration = 20, .cap = { .snaplen = 20 },
      .desc = "healthy cluster captured with -s 20: heartbeats cut after 6 payload bytes (signature and half the version)" },
    { .name = "overlap-a", .kind = SC_HEALTHY, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.40", .hosts = 3, .rules = 2,
      .flows = 150, .duration = 60, .cap = { .win_start = 0, .win_end = 40, .ov_start = 20, .ov_end = 40 },
      .desc = "first of two overlapping captures of one healthy cluster: seconds 0-40 (20-40 are in overlap-b too)" },
    { .name = "overlap-b", .kind = SC_HEALTHY, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.40", .hosts = 3, .rules = 2,
      .flows = 150, .duration = 60, .cap = { .win_start = 20, .win_end = 60, .ov_start = 20, .ov_end = 40 },
      .desc = "second of two overlapping captures: seconds 20-60 of the same run (the same frames as overlap-a in 20-40)" },
    { .name = "malformed-hb", .kind = SC_HEALTHY, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.40", .hosts = 3, .rules = 2,
      .flows = 60, .duration = 20, .flags = PF_MALFORMED_HB,
      .desc = "healthy cluster; host 2's first heartbeat after +10 s announces 200 port rules (malformed)" },
    { .name = "continuity", .kind = SC_HEALTHY, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.40", .hosts = 3, .rules = 2,
      .flows = 300, .duration = 40, .flags = PF_CONTINUITY,
      .desc = "healthy cluster converging at +20 s for 2 s (no bin moves): 3 TCP connections answered by a second host, 2 reset by a second host, 2 UDP flows moved" },
    /* the field-expert diagnoses (expert.c) */
    { .name = "legacy", .kind = SC_HEALTHY, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.80", .hosts = 3, .rules = 2,
      .flows = 30, .duration = 20, .flags = PF_LEGACY, .fixed = OPT_MODE,
      .why_fixed = "the legacy heartbeats are sent from masked MACs: a unicast cluster",
      .desc = "healthy cluster; host 3 also sends legacy 0xBF01 (WLBS/Convoy) heartbeats from +8 s; LQSR and Xbox frames on 0x886F" },
    { .name = "remote-ping", .kind = SC_HEALTHY, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.90", .hosts = 3, .rules = 2,
      .flows = 30, .duration = 20, .flags = PF_REMOTE_PING, .fixed = OPT_MODE | OPT_HOSTS,
      .why_fixed = "the ping is answered from hosts 1 and 2's masked MACs, host 3 stays silent to it",
      .desc = "healthy cluster; UDP 2504 remote control from 10.20.30.200 (+4.2 s) and from 198.51.100.77 (2504, 1717 at +9.1 s); 3 pings to the VIP from +12 s answered by hosts 1 and 2 only" },
    { .name = "dup-priority", .kind = SC_HEALTHY, .mode = NLB_MODE_UNICAST, .vip = "10.20.30.70", .hosts = 4, .rules = 2,
      .duration = 20, .flags = PF_DUP_PRIO, .fixed = OPT_FLOWS,
      .why_fixed = "the fault is in the heartbeats; two hosts share one masked MAC, so no client traffic",
      .desc = "4 claimants, two of them priority 2 with different dedicated IPs (.72, .73); nothing else wrong" },
};
#define N_PRESETS (sizeof PRESETS / sizeof PRESETS[0])

const preset *preset_find(const char *name)
{
    for (size_t i = 0; i < N_PRESETS; i++)
        if (!strcmp(PRESETS[i].name, name)) return &PRESETS[i];
    return NULL;
}

void preset_check(opts *o)
{
    sc_kind k = o->p->kind;
    if (k != SC_LOOKALIKE && (o->vip & 0xFFu) + o->hosts > 254)
        die(2, "--vip/--hosts: dedicated IPs VIP+1..VIP+%u must stay inside the VIP's /24", o->hosts);
    if (k == SC_INCIDENT && (o->hosts < 3 || o->duration < 45 * SEC))
        die(2, "incident needs --hosts >= 3 and --duration >= 45 (failover at +30 s)");
    if (k == SC_MULTIPOINT && (o->mode != NLB_MODE_UNICAST || o->duration < 45 * SEC || o->hosts + 1 > MAX_POINTS))
        die(2, "multipoint: unicast mode, --duration >= 45 (the switch learns the cluster MAC at +30.2 s) and --hosts <= %u", MAX_POINTS - 1);
    if (k == SC_INCIDENT && o->mode != NLB_MODE_UNICAST)
        die(2, "incident is a unicast-mode outage: --mode unicast only");
    if (k == SC_MISCONFIG && o->hosts != 4) die(2, "misconfig has exactly 4 hosts");
    if (k == SC_MISCONFIG && o->rules < 1) die(2, "misconfig needs --rules >= 1");
    if ((o->flags & PF_DUP_PRIO) && o->hosts < 3) die(2, "%s needs --hosts >= 3", o->p->name);
    if (o->cap.win_end > 0 && o->cap.win_start * SEC >= (double)o->duration)
        die(2, "--window: starts after the capture ends (%.1f s)", (double)o->duration / SEC);
    if (k == SC_LOOKALIKE) { o->hosts = 0; o->flows = 0; o->mode = NLB_MODE_UNKNOWN; }
}

void gen_init(gen *g)
{
    const opts *o = &g->o;
    sc_kind k = o->p->kind;
    g->r.s = o->seed;
    g->t0 = EPOCH_S * SEC;
    g->free_flow = -1;
    g->gw_ip = (o->vip & 0xFFFFFF00u) | 1;
    static const uint8_t gw[6] = { 0x00, 0x00, 0x5e, 0x00, 0x01, 0x0a }; /* VRRP virtual router MAC */
    memcpy(g->gw_mac, gw, 6);
    nlb_mac_make(o->mode == NLB_MODE_MULTICAST ? NLB_MAC_MULTICAST : o->mode == NLB_MODE_IGMP ? NLB_MAC_IGMP : NLB_MAC_UNICAST,
                 o->vip, 0, g->cluster_mac);
    if (k != SC_LOOKALIKE) build_cluster(g);
    else nlb_model_init(&g->model);
    if (k == SC_MISCONFIG) inject_misconfig(g);
    if (o->flags & PF_DUP_PRIO) claim_priority(g, 2, 2);
}

void preset_list(FILE *f)
{
    for (size_t i = 0; i < N_PRESETS; i++) fprintf(f, "%-16s %s\n", PRESETS[i].name, PRESETS[i].desc);
}

static const uint8_t MAC_PI[6] = { 0xb8, 0x27, 0xeb, 0x12, 0x34, 0x56 };
static const uint8_t MAC_TV[6] = { 0x00, 0x09, 0xdf, 0x6a, 0x11, 0x02 };
static const uint8_t MAC_DOCKER[6] = { 0x02, 0x42, 0xc0, 0xa8, 0x02, 0x45 };
static const uint8_t MAC_LAB[6] = { 0x02, 0x01, 0x00, 0x01, 0x00, 0x00 };
static const uint8_t MAC_ROUTER[6] = { 0x00, 0x1b, 0x21, 0x3a, 0x4c, 0x5e };
static const uint8_t MAC_XBOX[6] = { 0x7c, 0xed, 0x8d, 0x41, 0x07, 0x33 };
static const uint8_t MAC_SSDP[6] = { 0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa };

static void send_ssdp(gen *g, nlb_usec t, unsigned dev, unsigned k)
{
    static const char *nt[] = { "upnp:rootdevice", "urn:schemas-upnp-org:device:MediaRenderer:1",
                                "urn:dial-multiscreen-org:service:dial:1" };
    char msg[400];
    int n = snprintf(msg, sizeof msg,
                     "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n"
                     "LOCATION: http://192.168.2.%u:49152/desc.xml\r\nNT: %s\r\nNTS: ssdp:alive\r\n"
                     "USN: uuid:4d696e69-444c-164e-9d41-%012u::%s\r\n\r\n",
                     dev ? 31u : 20u, nt[k % 3], dev + 1, nt[k % 3]);
    emit(g, t, nlb_build_udp4_payload(g->buf, sizeof g->buf, MAC_SSDP, dev ? MAC_TV : MAC_PI, 0,
                                      dev ? 0xC0A8021Fu : 0xC0A80214u, 0xEFFFFFFAu, 1900, 1900, msg, (size_t)n));
}

static void send_xbox(gen *g, nlb_usec t, unsigned k)
{
    uint8_t p[46] = { 'X', 'B', 'O', 'X', 0x01, (uint8_t)k };
    if (emit(g, t, nlb_build_raw(g->buf, sizeof g->buf, BCAST, MAC_XBOX, 0, NLB_ETHERTYPE, p, sizeof p)))
        g->foreign++;
}

/* ---------------------------------------------------------------- scenario timelines */

/* Phases of the incident, fired as one-shots so heartbeats after them see the new state. */
enum { PH_CONV1, PH_STABLE1, PH_BACK, PH_STABLE2 };

static void incident_phase(gen *g, unsigned ph, nlb_usec t)
{
    ghost *h3 = &g->h[2];
    uint8_t prios[MAXH], weights[MAXH] = { 0 };
    size_t n;
    switch (ph) {
    case PH_CONV1:
        /* host 3's bins go to the survivors: fewest moves (emulated assignment) */
        n = 0;
        for (unsigned i = 0; i < g->nh; i++)
            if (&g->h[i] != h3) prios[n++] = g->h[i].slot;
        for (unsigned k = 0; k < g->model.n_rules; k++) {
            g->maps1[k] = g->maps0[k];
            nlb_binmap_assign(&g->maps1[k], prios, weights, n);
        }
        g->cur = g->next = g->maps1;
        g->converging = true;
        break;
    case PH_STABLE1:
        g->converging = false;
        break;
    case PH_BACK:
        for (unsigned i = 0; i < g->nh; i++) prios[i] = g->h[i].slot;
        for (unsigned k = 0; k < g->model.n_rules; k++) {
            g->maps2[k] = g->maps1[k];
            nlb_binmap_assign(&g->maps2[k], prios, weights, g->nh);
        }
        g->next = g->maps2;
        h3->joining = true;
        g->converging = true;
        add_event(g, t, "host_back", "host 3 heartbeats again after %.1f s of silence", (double)(t - h3->last) / SEC);
        break;
    case PH_STABLE2:
        g->cur = g->maps2;
        h3->joining = false;
        g->converging = false;
        break;
    }
}

void do_oneshot(gen *g, const oneshot *s, nlb_usec t)
{
    static const uint8_t zero[6] = { 0 };
    switch (s->kind) {
    case O_PHASE: incident_phase(g, s->arg, t); break;
    case O_ARP_VIP: arp_for_vip(g, t); break;
    case O_RARP: {
        /* ESXi "Notify Switches": RARP request from the VM's MAC, about itself */
        uint8_t vm[6] = { 0x00, 0x50, 0x56, 0x8a, (uint8_t)(0x10 + s->arg / 256), (uint8_t)(s->arg * 7 + 3) };
        send_arp(g, t, BCAST, vm, NLB_RARP_REQUEST, vm, 0, vm, 0, true);
        break;
    }
    case O_GARP: {
        uint8_t vm[6] = { 0x00, 0x50, 0x56, 0x8b, (uint8_t)(s->arg >> 8), (uint8_t)s->arg };
        uint32_t ip = 0x0A142800u + 10 + s->arg % 200; /* 10.20.40.x servers */
        send_arp(g, t, BCAST, vm, NLB_ARP_REQUEST, vm, ip, zero, ip, false);
        break;
    }
    case O_CLUSTER_SRC: {
        /* NetBIOS broadcast leaving with the unmasked cluster MAC: the switch learns 02-BF */
        uint32_t bcast = g->o.vip | 0xFFu;
        if (emit(g, t, nlb_build_udp4(g->buf, sizeof g->buf, BCAST, g->cluster_mac, 0, g->o.vip, bcast, 137, 137, 50)))
            g->cluster_src++;
        add_event(g, t, "cluster_mac_as_source", "frame from the unicast cluster MAC 02-BF (NetBIOS broadcast from the VIP)");
        break;
    }
    case O_SSDP: send_ssdp(g, t, s->arg & 1, s->arg >> 1); break;
    case O_IGMP_JOIN: {
        const uint8_t *mac = s->arg ? MAC_TV : MAC_PI;
        if (emit(g, t, nlb_build_igmp_report(g->buf, sizeof g->buf, mac, s->arg ? 0xC0A8021Fu : 0xC0A80214u, 0xEFFFFFFAu)))
            g->igmp++;
        break;
    }
    case O_XBOX: send_xbox(g, t, s->arg); break;
    case O_DOCKER:
        /* Docker: 02-42-<own IPv4>, application datagrams to a server behind the router */
        emit(g, t, nlb_build_udp4(g->buf, sizeof g->buf, MAC_ROUTER, MAC_DOCKER, 0, 0xC0A80245u, 0xC0A8020Au,
                                  (uint16_t)(40000 + s->arg), 9999, 40));
        break;
    case O_LABROUTER:
        send_arp(g, t, BCAST, MAC_LAB, NLB_ARP_REQUEST, MAC_LAB, 0xC0A802FEu, zero, 0xC0A80200u + 20 + s->arg % 40, false);
        break;
    case O_ROUTER_GARP:
        send_arp(g, t, BCAST, MAC_ROUTER, NLB_ARP_REQUEST, MAC_ROUTER, 0xC0A80201u, zero, 0xC0A80201u, false);
        break;
    case O_EXPERT: expert_oneshot(g, s->arg, t); break;
    case O_CONTINUITY: cont_oneshot(g, s->arg, t); break;
    case O_RARP_ZERO: {
        static const uint8_t vm[6] = { 0x00, 0x0c, 0x29, 0x5f, 0x10, 0x77 };
        send_arp(g, t, BCAST, vm, NLB_RARP_REQUEST, vm, 0, vm, 0, true);
        break;
    }
    }
}

void schedule(gen *g)
{
    const opts *o = &g->o;
    sc_kind k = o->p->kind;
    nlb_usec D = o->duration;

    if (k == SC_LOOKALIKE) {
        for (unsigned i = 0; i < 2; i++) {
            shot(g, 200 * MS + i * 300 * MS, O_IGMP_JOIN, i);
            for (nlb_usec t = SEC + i * 700 * MS; t < D; t += 10 * SEC)
                for (unsigned m = 0; m < 3; m++)
                    shot(g, t + m * 30 * MS, O_SSDP, (m + (unsigned)(t / SEC)) << 1 | i);
            shot(g, 31 * SEC + i * 250 * MS, O_IGMP_JOIN, i);
        }
        unsigned x = 0;
        for (nlb_usec t = 2500 * MS; t < D; t += 5 * SEC) shot(g, t, O_XBOX, x++);
        unsigned d = 0;
        for (nlb_usec t = 3300 * MS; t < D; t += 7 * SEC) shot(g, t, O_DOCKER, d++);
        unsigned l = 0;
        for (nlb_usec t = 4100 * MS; t < D; t += 11 * SEC) shot(g, t, O_LABROUTER, l++);
        shot(g, 17 * SEC + 123 * MS, O_ROUTER_GARP, 0);
        shot(g, 42 * SEC + 7 * MS, O_RARP_ZERO, 0);
        return;
    }

    /* heartbeats: phase-shifted per host so they do not all land on one instant */
    for (unsigned i = 0; i < g->nh; i++) {
        nlb_usec ph = 100 * MS + (nlb_usec)i * (1000 * MS / (g->nh + 1)) + rnd_range(&g->r, 0, 50 * MS);
        push(g, ph, A_HB, i);
        if (k == SC_HEALTHY || k == SC_BENCH || k == SC_MULTIPOINT)
            push(g, ph + 5 * SEC + 20 * MS, A_EXT, i);
        if (o->mode == NLB_MODE_IGMP)
            push(g, ph + 300 * MS, A_IGMP, i);
    }
    shot(g, 50 * MS, O_ARP_VIP, 0);
    if (k == SC_BENCH) {
        for (nlb_usec t = 30 * SEC; t < D; t += 30 * SEC) shot(g, t, O_ARP_VIP, 0);
        unsigned n = 0;
        for (nlb_usec t = 5 * SEC; t < D; t += 5 * SEC) shot(g, t + 17 * MS, O_GARP, n++);
        for (nlb_usec t = 45 * SEC; t < D; t += 60 * SEC)
            for (unsigned vm = 0; vm < 10; vm++)
                for (unsigned r = 0; r < 3; r++)
                    shot(g, t + vm * 20 * MS + r * 150 * MS, O_RARP, 100 + vm);
        push(g, 0, A_BG, 0);
    }
    if (k == SC_INCIDENT) {
        nlb_usec T = g->fail_t = 30 * SEC;
        for (unsigned vm = 0; vm < 20; vm++)
            for (unsigned r = 0; r < 3; r++)
                shot(g, T + vm * 25 * MS + r * 180 * MS, O_RARP, vm);
        add_event(g, g->t0 + T, "failover_burst", "RARP from 20 VM MACs within 1 s; none of the %u NLB hosts announced", g->nh);
        shot(g, T + 2 * SEC, O_CLUSTER_SRC, 0);
        shot(g, T + 5 * SEC, O_PHASE, PH_CONV1);
        shot(g, T + 7 * SEC, O_PHASE, PH_STABLE1);
        shot(g, T + 8 * SEC, O_PHASE, PH_BACK);
        shot(g, T + 10 * SEC, O_PHASE, PH_STABLE2);
    }
    if (k == SC_MULTIPOINT) {
        g->fail_t = 30200 * MS;
        shot(g, g->fail_t, O_CLUSTER_SRC, 0);
    }
    expert_schedule(g);
    cont_schedule(g);
    if (o->flags & PF_BACKGROUND) push(g, 0, A_BG, 0);
    if (o->flows && k != SC_MISCONFIG)
        push(g, 500 * MS, A_SPAWN, 0);
}
