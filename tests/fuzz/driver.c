/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Plain-C stand-in for libFuzzer's main(): replays files and directories through
 * LLVMFuzzerTestOneInput, then optionally runs N mutations with a fixed seed. It lets the fuzz
 * targets build with gcc (plain or ASan) and turns the corpora into ctest regression suites.
 *
 *   fuzz_X_replay [-runs=N] [-seed=S] [-max_len=L] [-save_run=K] PATH...
 *
 * A mutation that crashes is reproduced by the same arguments; -save_run=K writes the K-th mutated
 * input (0-based) to ./mutation-K instead of running it, to add it to a corpus.
 * Each input gets a heap buffer of exactly its size, as under libFuzzer, so ASan sees overreads.
 * Exit 0 when every input returned; a failed invariant aborts (non-zero). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

typedef struct unit {
    uint8_t *data;
    size_t size;
} unit;

static unit *units;
static size_t n_units, cap_units;
static size_t max_len = 4096;

static int load_file(const char *path, int listed)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (listed && errno == ENOENT)
            return 0; /* gone since the directory was read: a live libFuzzer corpus does that */
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "%s: out of memory\n", path);
        return -1;
    }
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) { free(buf); return -1; }
    memcpy(exact, buf, n);
    free(buf);
    if (n_units == cap_units) {
        cap_units = cap_units ? 2 * cap_units : 64;
        units = realloc(units, cap_units * sizeof *units);
        if (!units) return -1;
    }
    units[n_units].data = exact;
    units[n_units].size = n;
    n_units++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directories are walked in name order so a replay is the same on every machine. */
static int load_path(const char *path, int listed)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (listed && errno == ENOENT)
            return 0;
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return load_file(path, listed);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, cap * sizeof *names);
            if (!names) { closedir(d); return -1; }
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) { closedir(d); return -1; }
        snprintf(names[n], len, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && load_path(names[i], 1) != 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

static void run_one(const uint8_t *data, size_t size)
{
    /* a private exact-size copy: the target may not keep or modify the caller's bytes */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) { fprintf(stderr, "out of memory\n"); exit(1); }
    if (size)
        memcpy(copy, data, size);
    LLVMFuzzerTestOneInput(copy, size);
    free(copy);
}

static uint64_t rng_state;

static uint64_t rnd(void) /* xorshift64*: small, fixed-seed, the same everywhere */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static size_t rnd_below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

/* A few libFuzzer-like mutations: enough to shake lengths and counts around the seeds. */
static size_t mutate(uint8_t *buf, size_t size, size_t cap)
{
    static const uint8_t interesting[] = { 0x00, 0x01, 0x02, 0x07, 0x08, 0x10, 0x20, 0x21, 0x7F,
                                           0x80, 0xBF, 0xC0, 0xDE, 0xFE, 0xFF };
    int rounds = 1 + (int)rnd_below(4);
    for (int k = 0; k < rounds; k++) {
        switch (rnd_below(7)) {
        case 0: /* flip a bit */
            if (size) buf[rnd_below(size)] ^= (uint8_t)(1u << rnd_below(8));
            break;
        case 1: /* interesting byte */
            if (size) buf[rnd_below(size)] = interesting[rnd_below(sizeof interesting)];
            break;
        case 2: /* random byte */
            if (size) buf[rnd_below(size)] = (uint8_t)rnd();
            break;
        case 3: /* truncate */
            size = rnd_below(size + 1);
            break;
        case 4: /* insert random bytes */
            if (size < cap) {
                size_t at = rnd_below(size + 1), n = 1 + rnd_below(cap - size < 16 ? cap - size : 16);
                memmove(buf + at + n, buf + at, size - at);
                for (size_t i = 0; i < n; i++) buf[at + i] = (uint8_t)rnd();
                size += n;
            }
            break;
        case 5: /* erase a range */
            if (size) {
                size_t at = rnd_below(size), n = 1 + rnd_below(size - at);
                memmove(buf + at, buf + at + n, size - at - n);
                size -= n;
            }
            break;
        case 6: /* splice from another unit */
            if (n_units && size) {
                const unit *u = &units[rnd_below(n_units)];
                if (u->size) {
                    size_t from = rnd_below(u->size), to = rnd_below(size);
                    size_t n = 1 + rnd_below(u->size - from);
                    if (n > size - to) n = size - to;
                    memcpy(buf + to, u->data + from, n);
                }
            }
            break;
        }
    }
    return size;
}

/* As libFuzzer does: a target with process-wide set-up (fuzz_plugin's epan) defines it. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

int main(int argc, char **argv)
{
    unsigned long long runs = 0, seed = 1, save_run = ~0ull;
    int paths = 0;
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "-runs=", 6) == 0) runs = strtoull(a + 6, NULL, 10);
        else if (strncmp(a, "-seed=", 6) == 0) seed = strtoull(a + 6, NULL, 10);
        else if (strncmp(a, "-max_len=", 9) == 0) max_len = strtoull(a + 9, NULL, 10);
        else if (strncmp(a, "-save_run=", 10) == 0) save_run = strtoull(a + 10, NULL, 10);
        else if (a[0] == '-') {
            fprintf(stderr, "usage: %s [-runs=N] [-seed=S] [-max_len=L] [-save_run=K] FILE|DIR...\n", argv[0]);
            return 2;
        } else {
            paths++;
            if (load_path(a, 0) != 0)
                return 2;
        }
    }
    if (max_len < 1)
        max_len = 1;
    for (size_t i = 0; i < n_units; i++)
        run_one(units[i].data, units[i].size);
    fprintf(stderr, "%s: replayed %zu inputs from %d path(s)\n", argv[0], n_units, paths);

    if (runs) {
        rng_state = seed ? seed : 1;
        uint8_t *buf = malloc(max_len);
        if (!buf) return 1;
        for (unsigned long long r = 0; r < runs; r++) {
            size_t size = 0;
            if (n_units) {
                const unit *u = &units[rnd_below(n_units)];
                size = u->size < max_len ? u->size : max_len;
                memcpy(buf, u->data, size);
            }
            size = mutate(buf, size, max_len);
            if (r == save_run) {
                char name[64];
                snprintf(name, sizeof name, "mutation-%llu", r);
                FILE *f = fopen(name, "wb");
                if (!f || fwrite(buf, 1, size, f) != size || fclose(f) != 0) {
                    perror(name);
                    return 1;
                }
                fprintf(stderr, "%s: wrote %s (%zu bytes)\n", argv[0], name, size);
                return 0;
            }
            run_one(buf, size);
        }
        free(buf);
        fprintf(stderr, "%s: %llu mutations (seed %llu, max_len %zu): no crash\n", argv[0], runs, seed, max_len);
    }
    for (size_t i = 0; i < n_units; i++)
        free(units[i].data);
    free(units);
    return 0;
}
