/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbblast IFACE FILE RATE COUNT [MAX_SECONDS]: send COUNT frames of FILE (looping over it)
 * out of IFACE at RATE frames/s, for the live benchmark on a veth pair of bench/run's own
 * network namespace. tests/live/inject.c replays at recorded speed with one pcap_inject() per
 * frame; a benchmark needs millions of frames per second, so frames are preloaded and leave
 * in sendmmsg() batches of 64 on a raw AF_PACKET socket that skips the qdisc. Pacing is by
 * absolute deadline per batch; when the sender cannot keep up it sends as fast as it can and
 * says so (the achieved rate is printed next to the asked one). Prints one JSON line. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_PRELOAD 2000000

static double mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 6) {
        fprintf(stderr, "usage: nlbblast IFACE FILE RATE COUNT [MAX_SECONDS]\n");
        return 2;
    }
    double rate = strtod(argv[3], NULL), maxs = argc > 5 ? strtod(argv[5], NULL) : 30.0;
    long long count = strtoll(argv[4], NULL, 10);
    unsigned ifx = if_nametoindex(argv[1]);
    if (!(rate > 0) || count <= 0 || !(maxs > 0) || !ifx) {
        fprintf(stderr, "nlbblast: bad arguments (or no interface %s)\n", argv[1]);
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *in = pcap_open_offline(argv[2], err);
    if (!in) {
        fprintf(stderr, "nlbblast: %s\n", err);
        return 2;
    }
    /* one arena for the frames, one (offset, length) per frame */
    size_t n = 0, cap_n = (size_t)(count < MAX_PRELOAD ? count : MAX_PRELOAD), used = 0, cap_b = cap_n * 96 + 65536;
    uint8_t *arena = malloc(cap_b);
    size_t *off = malloc(cap_n * sizeof *off);
    uint16_t *len = malloc(cap_n * sizeof *len);
    if (!arena || !off || !len) return 1;
    struct pcap_pkthdr *h;
    const u_char *d;
    while (n < cap_n && pcap_next_ex(in, &h, &d) == 1) {
        if (h->caplen < 14 || h->caplen > 1514) continue;
        if (used + h->caplen > cap_b) break;
        memcpy(arena + used, d, h->caplen);
        off[n] = used;
        len[n++] = (uint16_t)h->caplen;
        used += h->caplen;
    }
    pcap_close(in);
    if (!n) {
        fprintf(stderr, "nlbblast: no frames in %s\n", argv[2]);
        return 2;
    }
    int s = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: this socket never receives */
    if (s < 0) {
        perror("nlbblast: socket");
        return 2;
    }
    int one = 1;
    setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one); /* best effort */
    struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = (int)ifx };
    if (bind(s, (struct sockaddr *)&sll, sizeof sll) != 0) {
        perror("nlbblast: bind");
        return 2;
    }
    struct mmsghdr msg[BATCH];
    struct iovec iov[BATCH];
    memset(msg, 0, sizeof msg);
    for (int i = 0; i < BATCH; i++) {
        msg[i].msg_hdr.msg_iov = &iov[i];
        msg[i].msg_hdr.msg_iovlen = 1;
    }
    long long sent = 0, enobufs = 0, behind = 0;
    size_t k = 0;
    double t0 = mono(), end = t0 + maxs;
    while (sent < count) {
        double due = t0 + (double)sent / rate, now = mono();
        if (now > end) break;
        if (due > now) {
            struct timespec ts = { (time_t)(due - now), (long)((due - now - (double)(time_t)(due - now)) * 1e9) };
            nanosleep(&ts, NULL);
        } else if (now - due > 0.001) {
            behind++;
        }
        int b = (int)(count - sent < BATCH ? count - sent : BATCH);
        for (int i = 0; i < b; i++) {
            iov[i].iov_base = arena + off[k];
            iov[i].iov_len = len[k];
            k = k + 1 == n ? 0 : k + 1;
        }
        int r = sendmmsg(s, msg, (unsigned)b, 0);
        if (r < 0) {
            if (errno == ENOBUFS || errno == EAGAIN) {
                enobufs++;
                k = (k + n - (size_t)b % n) % n; /* resend the same frames */
                continue;
            }
            perror("nlbblast: sendmmsg");
            return 1;
        }
        if (r < b) k = (k + n - (size_t)(b - r) % n) % n;
        sent += r;
    }
    double secs = mono() - t0;
    printf("{\"sent\": %lld, \"seconds\": %.6f, \"rate_asked\": %.0f, \"rate_achieved\": %.0f, "
           "\"batches_late_1ms\": %lld, \"enobufs\": %lld, \"distinct_frames\": %zu}\n",
           sent, secs, rate, secs > 0 ? (double)sent / secs : 0.0, behind, enobufs, n);
    close(s);
    return 0;
}
