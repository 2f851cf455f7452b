#!/usr/bin/env bash
# The run command: install what is missing, build, and replay a bundled capture through
# nlbreplay (the incident scenario unless a capture is named). Idempotent.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh" "$top/build" >/dev/null
cap=${1:-$top/captures/incident.pcap}
shift || true
echo "\$ nlbreplay ${cap#$top/} $*"
exec "$top/build/tools/nlbreplay/nlbreplay" "$cap" "$@"
