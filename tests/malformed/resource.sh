#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Resource bounds of nlbreplay on generated captures (make-corpus --flows / --clusters).
#   resource.sh flows    NLBREPLAY MAKE_CORPUS WORKDIR N   N distinct flows: the flow table stays
#       bounded and the eviction is reported. With --max-flows 1000 (when nlbreplay has it) the
#       peak RSS must stay under 32 MiB, with the default table under 64 MiB (NLB_RSS_CAP_KB
#       overrides; 0 = not checked, as under ASan).
#   resource.sh clusters NLBREPLAY MAKE_CORPUS WORKDIR N   heartbeats from N distinct cluster IPs:
#       nlbreplay finishes and reports the clusters it had to drop (counts.clusters_dropped in
#       the json report; exit 77 = skipped while no such count exists). The time is printed,
#       never asserted (machines differ); a quadratic blow-up shows as a ctest timeout.
# The json report is read rather than the text one: its keys are a stable interface.
set -uo pipefail
[ $# -eq 5 ] || { echo "usage: resource.sh flows|clusters NLBREPLAY MAKE_CORPUS WORKDIR N" >&2; exit 2; }
kind=$1 bin=$2 gen=$3 work=$4 n=$5
mkdir -p "$work"
cap="$work/$kind-$n.pcap"
out="$work/$kind-$n.out"
"$gen" --$kind "$n" "$cap" || { echo "FAIL: generator"; exit 1; }
trap 'rm -f "$cap"' EXIT   # up to ~80 MB: not worth keeping in the build tree

args=(-q --format json)
defcap=65536
if [ "$kind" = flows ] && "$bin" --help 2>&1 | grep -q -- '--max-flows'; then
  args+=(--max-flows 1000)
  defcap=32768
fi
timer=()
rm -f "$work/$kind.time"
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f 'rss_kb=%M elapsed=%e' -o "$work/$kind.time")
start=$(date +%s.%N)
"${timer[@]}" "$bin" "${args[@]}" "$cap" >"$out" 2>&1
rc=$?
end=$(date +%s.%N)
rss=$( [ -f "$work/$kind.time" ] && sed -n 's/.*rss_kb=\([0-9]*\).*/\1/p' "$work/$kind.time")
printf 'nlbreplay %s on %s %s: exit %d, %.2f s, peak RSS %s KiB\n' "${args[*]}" "$n" "$kind" $rc \
       "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "${rss:-?}"
count() { grep -o "\"$1\": *[0-9]*" "$out" | head -1 | grep -o '[0-9]*$'; }
fail=0
[ $rc -eq 0 ] || { echo "FAIL: exit $rc"; fail=1; }
if [ "$kind" = flows ]; then
  capkb=${NLB_RSS_CAP_KB:-$defcap}
  if [ "$capkb" -gt 0 ] && [ -n "$rss" ] && [ "$rss" -gt "$capkb" ]; then
    echo "FAIL: peak RSS $rss KiB over the cap of $capkb KiB"
    fail=1
  fi
  ev=$(count flows_evicted)
  [ "${ev:-0}" -gt 0 ] || { echo "FAIL: counts.flows_evicted is ${ev:-absent}, expected > 0"; fail=1; }
else
  dr=$(count clusters_dropped)
  if [ -z "$dr" ] && [ $fail -eq 0 ]; then
    echo "SKIP: the json report has no counts.clusters_dropped: clusters beyond the tracker's"
    echo "      capacity are dropped without being counted, so nothing can report them yet"
    exit 77
  fi
  [ "${dr:-0}" -gt 0 ] || { echo "FAIL: counts.clusters_dropped is ${dr:-absent}, expected > 0"; fail=1; }
fi
if [ $fail -ne 0 ]; then
  echo "--- report (first 60 lines)"; head -60 "$out"
  exit 1
fi
grep -oE '"(flows_evicted|clusters_dropped|events_dropped)": *[0-9]+' "$out" | tr '\n' ' '
echo "ok"
