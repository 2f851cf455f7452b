#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A long fuzz_plugin run, in chunks: each chunk is a fresh libFuzzer process (-runs=CHUNK) on a
# growing work corpus, because Wireshark 4.0 keeps ~8 MB per capture session reset to the end of
# the process. Stops at the first crash (its input is kept in WORK/crashes/) or after TOTAL
# executions; prints running totals, coverage and exec/s after every chunk, and a summary line.
#   long-run.sh FUZZ_PLUGIN WORK TOTAL [CHUNK] [-- extra libFuzzer args]
#   e.g. nice -n 10 tests/fuzz/plugin/long-run.sh build-fuzz/tests/fuzz/fuzz_plugin /tmp/fp 10000000
set -uo pipefail
bin=${1:?usage: long-run.sh FUZZ_PLUGIN WORK TOTAL [CHUNK]} work=${2:?} total=${3:?}
chunk=${4:-200000}
shift $(( $# < 4 ? $# : 4 )); [ "${1:-}" = -- ] && shift
top=$(cd "$(dirname "$0")/../../.." && pwd)
mkdir -p "$work/corpus" "$work/crashes"
done_runs=0 n=0 start=$(date +%s)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
while [ "$done_runs" -lt "$total" ]; do
  n=$((n + 1))
  left=$((total - done_runs)); [ "$left" -lt "$chunk" ] && chunk=$left
  log=$work/chunk-$n.log
  "$bin" -runs="$chunk" -detect_leaks=0 -rss_limit_mb=6144 -print_final_stats=1 -seed="$n" \
         -artifact_prefix="$work/crashes/" "$@" "$work/corpus" "$top/tests/fuzz/corpus/plugin" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  done_runs=$((done_runs + ${execs:-0}))
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
  el=$(( $(date +%s) - start ))
  echo "chunk $n: exit $rc, ${execs:-?} executions; total $done_runs in ${el}s ($((done_runs / (el ? el : 1))) exec/s), ${cov:-cov ?}"
  if [ $rc -ne 0 ]; then
    grep -E 'ERROR|runtime error|invariant|SUMMARY|Test unit written' "$log" | head -8
    echo "long run: STOPPED by a crash after $done_runs executions (log $log)"
    exit 1
  fi
done
echo "long run: $done_runs executions, $(ls "$work/corpus" | wc -l) new corpus units, ${cov:-cov ?}, 0 crashes, $(( $(date +%s) - start ))s"
