/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbproto: umbrella header of libnlbproto (libc only; no libpcap, epan or glib). */
#ifndef NLBPROTO_H
#define NLBPROTO_H

#define NLBPROTO_VERSION "0.1.0"

#include "arp.h"
#include "build.h"
#include "cluster.h"
#include "diag.h"
#include "frame.h"
#include "heartbeat.h"
#include "learn.h"
#include "mac.h"
#include "owner.h"
#include "rules.h"
#include "types.h"
#include "vantage.h"
#include "wire.h"

#endif
