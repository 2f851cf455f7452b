#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Rewrite the generated captures and their ground truth with nlbgen (deterministic: the same
# nlbgen and library give byte-identical files; tests/scenarios checks exactly that).
# usage: captures/regenerate.sh [path/to/nlbgen]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
gen=${1:-nlbgen}
for s in unicast-healthy incident multicast igmp misconfig lookalike legacy remote-ping; do
    "$gen" --scenario "$s" -w "$here/$s.pcap" --expected "$here/$s.expected.json"
done
