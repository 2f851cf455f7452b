/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cluster MAC forms: what the form alone says (a candidate) and what only a known VIP confirms,
 * including the real-world look-alikes of protocol doc section 2. */
#include <string.h>

#include "testutil.h"

#define VIP 0xC0A86450u /* 192.168.100.80 */

static void test_unicast(void)
{
    const uint8_t m[6] = { 0x02, 0xBF, 0xC0, 0xA8, 0x64, 0x50 };
    nlb_mac_info i;
    memset(&i, 0xAA, sizeof i);
    CU_ASSERT_EQUAL(nlb_mac_classify(m, &i), NLB_MAC_UNICAST);
    CU_ASSERT_EQUAL(i.kind, NLB_MAC_UNICAST);
    CU_ASSERT_EQUAL(i.vip, VIP);
    CU_ASSERT_EQUAL(i.vip_mask, 0xFFFFFFFFu);
    CU_ASSERT_EQUAL(i.priority, 0);
    CU_ASSERT_FALSE(i.confirmed);
    CU_ASSERT_STRING_EQUAL(nlb_mac_kind_key(i.kind), "unicast");
    CU_ASSERT_STRING_EQUAL(nlb_mac_kind_name(i.kind), "unicast cluster MAC");
    CU_ASSERT_EQUAL(nlb_mac_classify(m, NULL), NLB_MAC_UNICAST); /* out is optional */
}

static void test_masked_every_priority(void)
{
    for (unsigned pp = 0; pp < 256; pp++) {
        const uint8_t m[6] = { 0x02, (uint8_t)pp, 10, 20, 30, 40 };
        nlb_mac_info i;
        nlb_mac_kind k = nlb_mac_classify(m, &i);
        if (pp >= 1 && pp <= 32) {
            CU_ASSERT_EQUAL(k, NLB_MAC_MASKED);
            CU_ASSERT_EQUAL(i.priority, pp);
            CU_ASSERT_EQUAL(i.vip, 0x0A141E28u);
            CU_ASSERT_EQUAL(i.vip_mask, 0xFFFFFFFFu);
            CU_ASSERT_FALSE(i.confirmed);
        } else if (pp == 0xBF) {
            CU_ASSERT_EQUAL(k, NLB_MAC_UNICAST);
        } else {
            /* 02-00, 02-21 (0x21 = 33 > 32 hosts), 02-42 (Docker) ...: no NLB form */
            CU_ASSERT_EQUAL(k, NLB_MAC_NONE);
            CU_ASSERT_EQUAL(i.kind, NLB_MAC_NONE);
            CU_ASSERT_EQUAL(i.vip, 0);
            CU_ASSERT_EQUAL(i.vip_mask, 0);
        }
    }
    const uint8_t m21[6] = { 0x02, 0x21, 0xC0, 0xA8, 0x64, 0x50 };
    CU_ASSERT_EQUAL(nlb_mac_classify(m21, NULL), NLB_MAC_NONE);
    CU_ASSERT_STRING_EQUAL(nlb_mac_kind_key(NLB_MAC_MASKED), "masked");
    CU_ASSERT_STRING_EQUAL(nlb_mac_kind_key(NLB_MAC_NONE), "none");
}

static void test_multicast_and_igmp(void)
{
    const uint8_t mc[6] = { 0x03, 0xBF, 0xC0, 0xA8, 0x64, 0x50 };
    nlb_mac_info i;
    CU_ASSERT_EQUAL(nlb_mac_classify(mc, &i), NLB_MAC_MULTICAST);
    CU_ASSERT_EQUAL(i.vip, VIP);
    CU_ASSERT_EQUAL(i.vip_mask, 0xFFFFFFFFu);
    CU_ASSERT_STRING_EQUAL(nlb_mac_kind_key(i.kind), "multicast");

    const uint8_t ig[6] = { 0x01, 0x00, 0x5E, 0x7F, 0x64, 0x50 };
    CU_ASSERT_EQUAL(nlb_mac_classify(ig, &i), NLB_MAC_IGMP);
    CU_ASSERT_EQUAL(i.vip, 0x6450u);
    CU_ASSERT_EQUAL(i.vip_mask, 0x0000FFFFu);
    CU_ASSERT_FALSE(i.confirmed);
    CU_ASSERT_STRING_EQUAL(nlb_mac_kind_key(i.kind), "igmp");
    /* the IGMP completes the VIP from a known one */
    const uint32_t vips[2] = { 0x0A000001u, VIP };
    CU_ASSERT_TRUE(nlb_mac_confirm(&i, vips, 2));
    CU_ASSERT_TRUE(i.confirmed);
    CU_ASSERT_EQUAL(i.vip, VIP);
    CU_ASSERT_EQUAL(i.vip_mask, 0xFFFFFFFFu);
    CU_ASSERT_EQUAL(i.kind, NLB_MAC_IGMP);

    /* other 01-00-5E groups are not the NLB form */
    const uint8_t other[6] = { 0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB };
    CU_ASSERT_EQUAL(nlb_mac_classify(other, &i), NLB_MAC_NONE);
    const uint8_t m3[6] = { 0x03, 0xBE, 0xC0, 0xA8, 0x64, 0x50 };
    CU_ASSERT_EQUAL(nlb_mac_classify(m3, &i), NLB_MAC_NONE);
}

static void test_confirm(void)
{
    const uint8_t m[6] = { 0x02, 0x02, 0xC0, 0xA8, 0x64, 0x50 };
    nlb_mac_info i;
    nlb_mac_classify(m, &i);
    const uint32_t wrong[2] = { 0xC0A86451u, 0xC0A86550u };
    CU_ASSERT_FALSE(nlb_mac_confirm(&i, wrong, 2));
    CU_ASSERT_FALSE(i.confirmed);
    CU_ASSERT_EQUAL(i.vip, VIP);
    CU_ASSERT_FALSE(nlb_mac_confirm(&i, NULL, 0));
    CU_ASSERT_FALSE(i.confirmed);
    const uint32_t right[3] = { 0x01020304u, VIP, 0x05060708u };
    CU_ASSERT_TRUE(nlb_mac_confirm(&i, right, 3));
    CU_ASSERT_TRUE(i.confirmed);
    CU_ASSERT_EQUAL(i.vip, VIP);
    CU_ASSERT_EQUAL(i.priority, 2);
    CU_ASSERT_EQUAL(i.kind, NLB_MAC_MASKED);

    /* a NONE never gets confirmed, whatever the list holds */
    nlb_mac_info none;
    const uint8_t z[6] = { 0 };
    nlb_mac_classify(z, &none);
    const uint32_t zero = 0;
    CU_ASSERT_FALSE(nlb_mac_confirm(&none, &zero, 1));
    CU_ASSERT_FALSE(none.confirmed);

    /* an IGMP MAC whose low 16 bits match no VIP stays a candidate with its partial VIP */
    const uint8_t ig[6] = { 0x01, 0x00, 0x5E, 0x7F, 0x64, 0x51 };
    nlb_mac_classify(ig, &i);
    CU_ASSERT_FALSE(nlb_mac_confirm(&i, right, 3));
    CU_ASSERT_EQUAL(i.vip, 0x6451u);
    CU_ASSERT_EQUAL(i.vip_mask, 0xFFFFu);
}

static void test_lookalikes(void)
{
    nlb_mac_info i;
    /* Docker: 02-42-<container IPv4>, sending from that very address */
    const uint8_t docker[6] = { 0x02, 0x42, 0xC0, 0xA8, 0x02, 0x45 };
    CU_ASSERT_EQUAL(nlb_mac_classify(docker, &i), NLB_MAC_NONE);
    const uint32_t own = 0xC0A80245u;
    CU_ASSERT_FALSE(nlb_mac_confirm(&i, &own, 1));

    /* lab router 02:01:00:01:00:00: the masked form, but only a candidate */
    const uint8_t lab[6] = { 0x02, 0x01, 0x00, 0x01, 0x00, 0x00 };
    CU_ASSERT_EQUAL(nlb_mac_classify(lab, &i), NLB_MAC_MASKED);
    CU_ASSERT_EQUAL(i.priority, 1);
    CU_ASSERT_EQUAL(i.vip, 0x00010000u);
    const uint32_t vips[1] = { 0x0A141E28u }; /* 10.20.30.40 */
    CU_ASSERT_FALSE(nlb_mac_confirm(&i, vips, 1));
    CU_ASSERT_FALSE(i.confirmed);

    /* SSDP 239.255.255.250 -> 01-00-5E-7F-FF-FA: IGMP-mode form of any VIP ending .255.250 */
    const uint8_t ssdp[6] = { 0x01, 0x00, 0x5E, 0x7F, 0xFF, 0xFA };
    CU_ASSERT_EQUAL(nlb_mac_classify(ssdp, &i), NLB_MAC_IGMP);
    CU_ASSERT_EQUAL(i.vip, 0xFFFAu);
    CU_ASSERT_FALSE(nlb_mac_confirm(&i, vips, 1));
    CU_ASSERT_FALSE(i.confirmed);
    /* ...and a real VIP x.y.255.250 would confirm it */
    const uint32_t v2 = 0x0A0BFFFAu;
    CU_ASSERT_TRUE(nlb_mac_confirm(&i, &v2, 1));
    CU_ASSERT_EQUAL(i.vip, v2);

    /* broadcast and an ordinary vendor MAC */
    const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    CU_ASSERT_EQUAL(nlb_mac_classify(bc, &i), NLB_MAC_NONE);
    const uint8_t vm[6] = { 0x00, 0x50, 0x56, 0x01, 0x02, 0x03 };
    CU_ASSERT_EQUAL(nlb_mac_classify(vm, &i), NLB_MAC_NONE);
}

static void test_make_roundtrip(void)
{
    static const uint32_t vips[] = { VIP, 0x0A141E28u, 0xFFFFFFFFu, 0, 0x7F000001u };
    static const nlb_mac_kind kinds[] = { NLB_MAC_UNICAST, NLB_MAC_MASKED, NLB_MAC_MULTICAST, NLB_MAC_IGMP };
    for (size_t v = 0; v < sizeof vips / sizeof vips[0]; v++) {
        for (size_t k = 0; k < 4; k++) {
            for (unsigned pp = 1; pp <= (kinds[k] == NLB_MAC_MASKED ? 32u : 1u); pp++) {
                uint8_t m[6];
                nlb_mac_make(kinds[k], vips[v], (uint8_t)pp, m);
                nlb_mac_info i;
                CU_ASSERT_EQUAL(nlb_mac_classify(m, &i), kinds[k]);
                if (kinds[k] == NLB_MAC_IGMP) {
                    CU_ASSERT_EQUAL(i.vip, vips[v] & 0xFFFFu);
                    CU_ASSERT_TRUE(nlb_mac_confirm(&i, &vips[v], 1));
                    CU_ASSERT_EQUAL(i.vip, vips[v]);
                } else {
                    CU_ASSERT_EQUAL(i.vip, vips[v]);
                }
                if (kinds[k] == NLB_MAC_MASKED)
                    CU_ASSERT_EQUAL(i.priority, pp);
            }
        }
    }
    uint8_t m[6];
    nlb_mac_make(NLB_MAC_UNICAST, VIP, 0, m);
    CU_ASSERT_EQUAL(memcmp(m, "\x02\xBF\xC0\xA8\x64\x50", 6), 0);
    nlb_mac_make(NLB_MAC_MASKED, VIP, 3, m);
    CU_ASSERT_EQUAL(memcmp(m, "\x02\x03\xC0\xA8\x64\x50", 6), 0);
    nlb_mac_make(NLB_MAC_MULTICAST, VIP, 0, m);
    CU_ASSERT_EQUAL(memcmp(m, "\x03\xBF\xC0\xA8\x64\x50", 6), 0);
    nlb_mac_make(NLB_MAC_IGMP, VIP, 0, m);
    CU_ASSERT_EQUAL(memcmp(m, "\x01\x00\x5E\x7F\x64\x50", 6), 0);
    nlb_mac_make(NLB_MAC_NONE, VIP, 0, m);
    CU_ASSERT_EQUAL(memcmp(m, "\0\0\0\0\0\0", 6), 0);
    char buf[18];
    nlb_mac_make(NLB_MAC_IGMP, VIP, 0, m);
    CU_ASSERT_STRING_EQUAL(nlb_mac_str(m, buf), "01:00:5e:7f:64:50");
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    NLBT_SUITE("mac", NLBT(test_unicast), NLBT(test_masked_every_priority), NLBT(test_multicast_and_igmp),
               NLBT(test_confirm), NLBT(test_lookalikes), NLBT(test_make_roundtrip));
    return nlbt_run();
}
