#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Memcheck pass over nlbreplay: every bundled capture (text, json with flows and events, svg)
# and every small file of the malformed corpus, two valgrind processes at a time.
# Zero errors and zero definite/possible leaks, or exit 1.
#   tests/valgrind.sh BUILD_DIR
# valgrind reports its own failures with exit 99 (not 1 as usual): nlbreplay's own codes are
# 0, 1 (--fail-on) and 2 (input error), and the malformed files are expected to give 2.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bd=$(cd "${1:?usage: tests/valgrind.sh BUILD_DIR}" && pwd)
bin=$bd/tools/nlbreplay/nlbreplay
gen=$bd/tests/malformed/nlb_make_corpus
if [ ! -x "$bin" ]; then
  echo "valgrind: $bin not built; skipped"
  exit 0
fi
if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind: valgrind not installed (scripts/deps.sh installs it); skipped"
  exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/nlb-valgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT

jobs=()  # one line per run: label<TAB>args...
for cap in "$top"/captures/*.pcap; do
  [ -e "$cap" ] || continue
  # small files only: memcheck runs ~50x slower
  [ "$(stat -c %s "$cap")" -le 2000000 ] || continue
  jobs+=("$(basename "$cap")	$cap")
  jobs+=("$(basename "$cap") json	--format json --flows --events $cap")
  jobs+=("$(basename "$cap") svg	--events --flows --svg $work/$(basename "$cap").svg $cap")
done
if [ -x "$gen" ] && "$gen" "$work/malformed" >/dev/null; then
  for f in "$work"/malformed/*; do
    [ "$(stat -c %s "$f")" -le 200000 ] || continue   # the 100k-frame file is for ctest
    jobs+=("malformed/$(basename "$f")	$f")
  done
  jobs+=("two malformed files together	$work/malformed/hb-rules-200.pcap $work/malformed/truncated-record-data.pcap")
else
  echo "valgrind: $gen missing; the malformed corpus is not checked"
fi

run_one() { # label args...
  local label=$1 log
  shift
  log=$work/$(echo "$label" | tr -c 'A-Za-z0-9._-' '_').log
  # shellcheck disable=SC2086
  valgrind -q --tool=memcheck --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,possible \
           --errors-for-leak-kinds=definite,possible --track-origins=yes --log-file="$log" \
           --suppressions="$top/tests/valgrind.supp" \
           "$bin" -q $* >/dev/null 2>"$log.stderr"
  local rc=$?
  if [ $rc -eq 99 ] || grep -q 'ERROR SUMMARY: [1-9]' "$log"; then
    echo "valgrind: $label: ERRORS"
    head -60 "$log"
    return 1
  fi
  if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
    echo "valgrind: $label: nlbreplay exit $rc"
    head -20 "$log.stderr"
    return 1
  fi
  echo "valgrind: $label: clean (exit $rc)"
}
export -f run_one
export bin work top # run_one runs in xargs' shells: it needs the suppressions' path too

start=$(date +%s)
for j in "${jobs[@]}"; do printf '%s\0%s\0' "${j%%$'\t'*}" "${j#*$'\t'}"; done | \
  xargs -0 -n 2 -P 2 bash -c 'run_one "$0" "$1"' >"$work/summary" 2>&1
rc=$?
cat "$work/summary"
n=$(grep -c ': clean' "$work/summary")
bad=$(grep -c -E ': ERRORS|: nlbreplay exit' "$work/summary")
echo "valgrind: $n runs clean, $bad with errors, $(( $(date +%s) - start )) s"
[ $rc -eq 0 ] && [ "$bad" -eq 0 ]
