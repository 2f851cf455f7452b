/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlb_live_inject IFACE FILE [SPEED [MAX_FRAMES]]: send the frames of a capture out of IFACE
 * (one end of the test's veth pair) with the recorded gaps divided by SPEED, so the capture on
 * the other end sees the scenario in real time. Deadlines are absolute (frame i leaves at
 * start + (ts_i - ts_0) / SPEED): sleeping per gap would add up the wake-up latencies. */
#define _GNU_SOURCE
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: %s IFACE FILE [SPEED [MAX_FRAMES]]\n", argv[0]);
        return 2;
    }
    double speed = argc > 3 ? strtod(argv[3], NULL) : 1.0;
    long max = argc > 4 ? strtol(argv[4], NULL, 10) : 0;
    if (!(speed > 0)) {
        fprintf(stderr, "inject: bad speed '%s'\n", argv[3]);
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *in = pcap_open_offline_with_tstamp_precision(argv[2], PCAP_TSTAMP_PRECISION_MICRO, err);
    if (!in) {
        fprintf(stderr, "inject: %s: %s\n", argv[2], err);
        return 2;
    }
    /* The injecting handle never reads: a tiny snaplen keeps its ring small. */
    pcap_t *out = pcap_create(argv[1], err);
    if (!out || pcap_set_snaplen(out, 64) != 0 || pcap_activate(out) < 0) {
        fprintf(stderr, "inject: %s: %s\n", argv[1], out ? pcap_geterr(out) : err);
        return 2;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct pcap_pkthdr *h;
    const u_char *data;
    long long first = -1;
    long sent = 0;
    int rc;
    while ((max == 0 || sent < max) && (rc = pcap_next_ex(in, &h, &data)) == 1) {
        long long ts = (long long)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        if (first < 0)
            first = ts;
        long long off_ns = (long long)((double)(ts - first) * 1000.0 / speed);
        struct timespec due = t0;
        due.tv_sec += off_ns / 1000000000;
        due.tv_nsec += off_ns % 1000000000;
        if (due.tv_nsec >= 1000000000) {
            due.tv_sec++;
            due.tv_nsec -= 1000000000;
        }
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
            ;
        if (pcap_inject(out, data, h->caplen) != (int)h->caplen) {
            fprintf(stderr, "inject: frame %ld: %s\n", sent + 1, pcap_geterr(out));
            return 1;
        }
        sent++;
    }
    printf("%ld\n", sent);
    pcap_close(out);
    pcap_close(in);
    return 0;
}
