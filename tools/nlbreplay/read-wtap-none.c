/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay built without libwiretap: libpcap reads pcap and pcapng, and files of any other
 * format are refused with the reason (rp_wtap_available() is false, so read-pcap.c says so). */
#include "reader.h"
#include "read-int.h"
#include "session.h"

bool rp_wtap_available(void)
{
    return false;
}

const char *rp_wtap_version(void)
{
    return "without libwiretap: pcap and pcapng files only";
}

void rp_wtap_open(rp_run *r, rp_input *in)
{
    rp_input_error(r, in, "not a format libpcap reads, and this nlbreplay was built without libwiretap");
}

bool rp_wtap_resume(rp_run *r, rp_input *in)
{
    rp_wtap_open(r, in);
    return false;
}

bool rp_wtap_next(rp_run *r, rp_input *in)
{
    in->eof = true;
    return false;
}

void rp_wtap_close(rp_input *in)
{
}

uint64_t rp_wtap_pos(const rp_input *in)
{
    return 0;
}
