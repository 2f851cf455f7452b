#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One row of expected.txt: run nlbreplay on a malformed capture and compare its exit code and
# output with what the table says.
#   check.sh NLBREPLAY CORPUS_DIR FILE EXIT SUBSTRING...
# Whitespace runs are folded to one space on both sides, because the text report wraps long
# lines. Exit 2 must also name the file in an "nlbreplay: FILE: ..." message on stderr.
set -uo pipefail
[ $# -ge 5 ] || { echo "usage: check.sh NLBREPLAY CORPUS_DIR FILE EXIT SUBSTRING..." >&2; exit 2; }
bin=$1 dir=$2 file=$3 want=$4
shift 4
sub="$*"
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
timeout 300 "$bin" "$dir/$file" >"$out" 2>"$err"
rc=$?
fold() { tr -s ' \t\n' '   ' <"$1"; }
all=$(fold "$out"; echo; fold "$err")
ok=1
if [ "$rc" -ne "$want" ]; then
  echo "FAIL $file: exit $rc, expected $want"
  ok=0
fi
if [ $rc -ge 124 ]; then
  echo "FAIL $file: killed or crashed (exit $rc)"
  ok=0
fi
if ! grep -qF -- "$(echo "$sub" | tr -s ' \t' '  ')" <<<"$all"; then
  echo "FAIL $file: output lacks \"$sub\""
  ok=0
fi
if [ "$want" -eq 2 ] && ! grep -qF -- "nlbreplay: $dir/$file:" "$err"; then
  echo "FAIL $file: no error message naming the file on stderr"
  ok=0
fi
if [ $ok -eq 0 ]; then
  echo "--- stderr"; head -c 3000 "$err"; echo "--- stdout"; head -c 3000 "$out"
  exit 1
fi
echo "ok $file: exit $rc, \"$sub\""
