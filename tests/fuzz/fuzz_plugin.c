/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Wireshark plugin inside libwireshark's dissection engine (plugin/harness.c), in the style
 * of Wireshark's fuzzshark: one long capture session that every input adds frames to, so
 * cross-frame state (the tracker, flows, the final view) builds up over inputs. Two input forms:
 *
 *   - any input not starting with "NLBS": one Ethernet frame, dissected as Ethernet and then as
 *     the same frame in SLL form; the gap before it is trk_dt_usec(its last byte).
 *   - "NLBS" + frames: byte 4 is the configuration (bits 0-1: the frames are Ethernet, SLL,
 *     SLL2, or Ethernet each followed by its SLL form; bit 2: build and print their trees; bit 3:
 *     dissect them again once all are in, as a later pass; bit 4: once they are in, dissect
 *     again the frame of this input its last byte picks, as a GUI click does), then
 *     fuzz_tracker's frames (tracker_input.h: dt, u16le length, bytes; a length with bit 15 set
 *     is cut by a snaplen, the frame on the wire 100 bytes longer). A sequence of frames, so a
 *     regression input carries the cross-frame history it needs. An NLBS input that starts a
 *     session also sets that session's mode from the same byte, as k's bits below (bit 2 tree,
 *     bit 3 second pass, bit 4 revisits, bits 5-7 preferences): replayed alone, or with
 *     NLB_FUZZ_SESSION=1, it reproduces in the configuration it was found in.
 *
 * The session closes (cleanup routines) and reopens (init routines) every NLB_FUZZ_SESSION
 * inputs (default 5000; every reset costs ~8 MB that Wireshark 4.0 keeps to the end: it reloads
 * its name-resolution tables into epan-scope memory at each session). Session k
 * builds trees for every frame when k & 1, runs a second pass over all its frames at its close
 * (tshark -2) when k & 2, revisits an earlier frame every 16 inputs when k & 4, and uses
 * preference combination (k >> 3) % 8 (harness.c).
 *
 * What fails: a sanitizer report, a crash, a Wireshark "dissector bug" (an exception raised by
 * a dissector's own logic: WIRESHARK_ABORT_ON_DISSECTOR_BUG), plugin state left after close. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wiretap/wtap.h>

#include "fuzz.h"
#include "tracker_input.h"
#include "plugin/harness.h"
#include "nlb-capture.h"

#define EPOCH_USEC ((int64_t)1700000000 * 1000000)
#define MAX_FRAME 65535

static unsigned session_len = 5000;
static unsigned in_session; /* inputs fed to the running session */
static unsigned session_no;
static int session_tree, session_revisits;
static int64_t now;
static uint8_t cooked[MAX_FRAME + 8];

int LLVMFuzzerInitialize(int *argc, char ***argv);

static void close_checked(void)
{
    nlbh_close();
    FUZZ_CHECK(!nlb_capture_open()); /* the cleanup routine freed the capture's state */
}

static void session_end(void)
{
    if (nlbh_is_open())
        close_checked();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *s = getenv("NLB_FUZZ_SESSION");
    if (s && atoi(s) > 0)
        session_len = (unsigned)atoi(s);
    nlbh_init();
    atexit(session_end); /* after nlbh_init's: runs first, while epan is still there */
    return 0;
}

/* cfg: the configuration byte of an NLBS input that starts the session, or -1 */
static void session_next(int cfg)
{
    session_end();
    unsigned k = session_no++;
    if (cfg >= 0) /* the NLBS layout's mode bits sit where k's are: bits 2-4 and 5-7 */
        k = (unsigned)cfg >> 2;
    nlbh_prefs(k >> 3);
    nlbh_mode m = { .two_pass = (k >> 1) & 1, .tree = k & 1 };
    nlbh_open(&m);
    FUZZ_CHECK(nlb_capture_open()); /* the init routine built the tracker */
    session_tree = k & 1;
    session_revisits = (k >> 2) & 1;
    in_session = 0;
    now = EPOCH_USEC;
}

/* One frame in the link form(s) asked for. */
static void feed(unsigned link, const uint8_t *p, uint32_t caplen, uint32_t len, int tree)
{
    static const int encaps[4] = { WTAP_ENCAP_ETHERNET, WTAP_ENCAP_SLL, WTAP_ENCAP_SLL2, WTAP_ENCAP_ETHERNET };
    nlbh_frame(encaps[link & 3], p, caplen, len, now, tree);
    if ((link & 3) == 3) {
        uint32_t n = nlbh_to_cooked(p, caplen, cooked, 0);
        if (n)
            nlbh_frame(WTAP_ENCAP_SLL, cooked, n, n + (len - caplen), now, tree);
        else
            nlbh_frame(WTAP_ENCAP_SLL, p, caplen, len, now, tree); /* too short for Ethernet: as is */
    }
}

static void feed_frames(const uint8_t *data, size_t size)
{
    unsigned cfg = data[4];
    int tree = session_tree || (cfg & 4);
    uint32_t first = nlbh_frames() + 1;
    size_t at = 5;
    while (at + TRK_FRAME_HDR <= size) {
        uint8_t dt = data[at];
        uint16_t l = (uint16_t)(data[at + 1] | data[at + 2] << 8);
        at += TRK_FRAME_HDR;
        uint32_t n = l & 0x7FFF;
        if (n > size - at)
            n = (uint32_t)(size - at);
        now += trk_dt_usec(dt);
        feed(cfg & 3, data + at, n, (l & 0x8000) ? n + 100 : n, tree);
        at += n;
    }
    /* A revisit after new frames rebuilds the plugin's final view, a cost that grows with the
     * capture: once per input, as a user clicks while a file loads, not after every frame. */
    if ((cfg & 0x10) && nlbh_frames() >= first)
        nlbh_revisit(first + data[size - 1] % (nlbh_frames() - first + 1), tree);
    if (cfg & 8)
        for (uint32_t f = first; f <= nlbh_frames(); f++)
            nlbh_revisit(f, tree);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int nlbs = size >= 5 && memcmp(data, "NLBS", 4) == 0;
    if (!nlbh_is_open() || in_session >= session_len)
        session_next(nlbs ? data[4] : -1);
    in_session++;
    if (nlbs) {
        feed_frames(data, size);
    } else {
        if (size > MAX_FRAME)
            size = MAX_FRAME;
        if (size)
            now += trk_dt_usec(data[size - 1]);
        feed(3, data, (uint32_t)size, (uint32_t)size, session_tree);
    }
    if (session_revisits && in_session % 16 == 0)
        nlbh_revisit(1 + (size ? data[0] : 0) * 7919u % nlbh_frames(), session_tree);
    return 0;
}
