/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The floor of the benchmark: read every frame with libpcap and touch nothing else, so
 * nlbreplay's cost can be stated as a ratio of what reading the file costs. */
/* pcap.h uses BSD u_int types, hidden by -std=c11 unless asked for */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: nlbfloor FILE\n");
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "nlbfloor: %s\n", err);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t frames = 0, bytes = 0;
    unsigned sink = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        frames++;
        bytes += h->caplen;
        sink += d[0]; /* one byte read, so the frame is really fetched */
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pcap_close(p);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("{\"frames\": %llu, \"bytes\": %llu, \"seconds\": %.6f, \"sink\": %u}\n",
           (unsigned long long)frames, (unsigned long long)bytes, s, sink & 1);
    return rc == -1 ? 1 : 0;
}
