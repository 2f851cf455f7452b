/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one place where the plugin adapts to the Wireshark release it is built against. */
#ifndef NLB_COMPAT_H
#define NLB_COMPAT_H

/* Set by plugin/CMakeLists.txt from the Wireshark found at configure time. */
#ifndef NLB_WS_MAJOR
#define NLB_WS_MAJOR 4
#define NLB_WS_MINOR 0
#endif

#endif
