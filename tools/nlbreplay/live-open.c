/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay -i: opening the interface, and saying in words why it could not be opened. */
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "live.h"

/* What the tracker reads: the largest NLB frame is a 1510-byte heartbeat (1518 with two VLAN
 * tags); flows need only their headers. Frames saved with -w are kept whole for other tools. */
#define LIVE_SNAPLEN 1600
#define LIVE_SNAPLEN_SAVE 65535
/* The kernel ring: at 1.5 M minimum-size frames/s (~150 bytes each in a TPACKET_V3 block)
 * 64 MiB absorbs ~0.3 s of the tracker not reading (a slow terminal, an alert command). */
#define LIVE_BUFFER_BYTES (64 << 20)
/* Immediate mode off: libpcap then uses TPACKET_V3, whose blocks pack frames at their length
 * and are handed over when full or this old (immediate mode would fall back to TPACKET_V2,
 * one fixed snaplen-sized slot per frame: ~30 slots of a 2 MiB ring at snaplen 65535). Below
 * live.c's tick lag (100 ms), so a tick never passes a frame still in the ring. */
#define LIVE_BLOCK_TIMEOUT_MS 50

static void list_interfaces(char *out, size_t len)
{
    pcap_if_t *all = NULL;
    char err[PCAP_ERRBUF_SIZE];
    out[0] = '\0';
    if (pcap_findalldevs(&all, err) != 0 || !all)
        return;
    size_t o = 0;
    unsigned n = 0;
    for (pcap_if_t *d = all; d && o < len; d = d->next) {
        /* pcap also lists pseudo devices (nflog, dbus-system, usbmon..): name network ones only */
        if (!strcmp(d->name, "any") || (d->flags & PCAP_IF_LOOPBACK) || if_nametoindex(d->name) == 0)
            continue;
        if (n == 12) {
            o += (size_t)snprintf(out + o, len - o, ", ...");
            break;
        }
        o += (size_t)snprintf(out + o, len - o, "%s%s", n ? ", " : "", d->name);
        n++;
    }
    pcap_freealldevs(all);
}

static void activate_error(const char *ifc, int rc, pcap_t *p)
{
    const char *detail = pcap_geterr(p);
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE: {
        char names[512];
        list_interfaces(names, sizeof names);
        if (names[0])
            fprintf(stderr, "nlbreplay: %s: no such interface (interfaces here: %s)\n", ifc, names);
        else
            fprintf(stderr, "nlbreplay: %s: no such interface ('ip link' lists them)\n", ifc);
        break;
    }
    case PCAP_ERROR_PERM_DENIED:
        fprintf(stderr, "nlbreplay: %s: permission denied: live capture needs CAP_NET_RAW (and CAP_NET_ADMIN "
                "for promiscuous mode); run it as root, or grant them once with "
                "'setcap cap_net_raw,cap_net_admin=eip $(command -v nlbreplay)' (%s)\n", ifc, detail);
        break;
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        fprintf(stderr, "nlbreplay: %s: permission denied for promiscuous mode: it needs CAP_NET_ADMIN "
                "(capturing itself needs CAP_NET_RAW) (%s)\n", ifc, detail);
        break;
    case PCAP_ERROR_IFACE_NOT_UP:
        fprintf(stderr, "nlbreplay: %s: the interface is down; bring it up first (ip link set %s up)\n", ifc, ifc);
        break;
#ifdef PCAP_ERROR_CAPTURE_NOTSUP
    case PCAP_ERROR_CAPTURE_NOTSUP:
        fprintf(stderr, "nlbreplay: %s: this interface does not support packet capture (%s)\n", ifc, detail);
        break;
#endif
    default:
        fprintf(stderr, "nlbreplay: %s: cannot capture: %s%s%s\n", ifc, pcap_statustostr(rc),
                detail && *detail ? ": " : "", detail && *detail ? detail : "");
        break;
    }
}

static void activate_warning(const char *ifc, int rc, pcap_t *p)
{
    if (rc == PCAP_WARNING_PROMISC_NOTSUP)
        fprintf(stderr, "nlbreplay: %s: warning: promiscuous mode is not supported here: only frames for this "
                "host, broadcast and multicast are seen, unicast NLB traffic only while the switch floods it\n", ifc);
    else
        fprintf(stderr, "nlbreplay: %s: warning: %s\n", ifc, pcap_geterr(p));
}

/* Open, configure and activate; NULL after printing why (exit 2). */
pcap_t *rp_live_open(rp_run *r, rp_input *in)
{
    const char *ifc = r->opt.iface;
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(ifc, err);
    if (!p) {
        fprintf(stderr, "nlbreplay: %s: cannot capture: %s\n", ifc, err);
        return NULL;
    }
    pcap_set_snaplen(p, r->opt.write_file ? LIVE_SNAPLEN_SAVE : LIVE_SNAPLEN);
    pcap_set_promisc(p, 1);
    pcap_set_immediate_mode(p, 0);
    pcap_set_buffer_size(p, LIVE_BUFFER_BYTES);
    pcap_set_timeout(p, LIVE_BLOCK_TIMEOUT_MS);
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
    int rc = pcap_activate(p);
    if (rc < 0) {
        activate_error(ifc, rc, p);
        pcap_close(p);
        return NULL;
    }
    if (rc > 0)
        activate_warning(ifc, rc, p);
    in->linktype = pcap_datalink(p);
    in->rec.linktype = in->linktype;
    const char *ln = pcap_datalink_val_to_name(in->linktype);
    snprintf(in->linkname, sizeof in->linkname, "%s", ln ? ln : "unknown");
    if (!nlb_linktype_supported(in->linktype)) {
        fprintf(stderr, "nlbreplay: %s: unsupported link type %s (%d): nlbreplay reads Ethernet, Linux cooked "
                "(SLL) and SLL2\n", ifc, in->linkname, in->linktype);
        pcap_close(p);
        return NULL;
    }
    if (r->opt.filter) {
        struct bpf_program prog;
        bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
        if (pcap_lookupnet(ifc, &net, &mask, err) != 0)
            mask = PCAP_NETMASK_UNKNOWN; /* only "ip broadcast" needs it */
        if (pcap_compile(p, &prog, r->opt.filter, 1, mask) != 0) {
            fprintf(stderr, "nlbreplay: %s: filter '%s': %s\n", ifc, r->opt.filter, pcap_geterr(p));
            pcap_close(p);
            return NULL;
        }
        rc = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (rc != 0) {
            fprintf(stderr, "nlbreplay: %s: filter '%s': %s\n", ifc, r->opt.filter, pcap_geterr(p));
            pcap_close(p);
            return NULL;
        }
    }
    if (pcap_setnonblock(p, 1, err) != 0) {
        fprintf(stderr, "nlbreplay: %s: %s\n", ifc, err);
        pcap_close(p);
        return NULL;
    }
    return p;
}
