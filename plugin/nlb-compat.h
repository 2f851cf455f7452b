/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one place where the plugin adapts to the Wireshark release it is built against: every
 * version test of the plugin is here, nowhere else. Tried with 4.0 (Debian 12) and 4.4
 * (Debian 13).
 *
 * Version notes:
 * - 4.4 declares boolean preferences as C99 bool (prefs_register_bool_preference takes
 *   bool *); 4.0 and 4.2 take gboolean * (an int). The variable must have exactly the type the
 *   release writes through, or 4.0 would store 4 bytes into a 1-byte bool.
 * - From 4.2 the loader asks plugin_describe() what a plugin provides; without it
 *   `tshark -G plugins` lists the plugin's type as "unknown". */
#ifndef NLB_COMPAT_H
#define NLB_COMPAT_H

/* Set by plugin/CMakeLists.txt from the Wireshark found at configure time (pkg-config or
 * WiresharkConfig.cmake); a build without them is a build-system bug, not a default. */
#if !defined(NLB_WS_MAJOR) || !defined(NLB_WS_MINOR)
#error "NLB_WS_MAJOR / NLB_WS_MINOR not defined: build the plugin through plugin/CMakeLists.txt"
#endif

#define NLB_WS_AT_LEAST(maj, min) (NLB_WS_MAJOR > (maj) || (NLB_WS_MAJOR == (maj) && NLB_WS_MINOR >= (min)))

#if NLB_WS_AT_LEAST(4, 4)
#include <stdbool.h>
typedef bool nlb_pref_bool;
#define NLB_PREF_TRUE true
#define NLB_PREF_FALSE false
#else
typedef gboolean nlb_pref_bool;
#define NLB_PREF_TRUE TRUE
#define NLB_PREF_FALSE FALSE
#endif

#define NLB_WS_HAS_PLUGIN_DESCRIBE NLB_WS_AT_LEAST(4, 2)

#endif
