#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The malformed corpus through tshark with the nlb plugin: tshark.sh CORPUS_DIR EXPECTED_TXT
# Environment as for tests/tshark/run.sh: NLB_PLUGIN, NLB_WS_VERSION, NLB_TSHARK; the sandbox
# (unprivileged tshark, plugin proved loaded first) is tests/tshark/sandbox.sh.
set -uo pipefail
corpus=${1:?usage: tshark.sh CORPUS_DIR EXPECTED_TXT}
table=${2:?usage: tshark.sh CORPUS_DIR EXPECTED_TXT}
. "$(dirname "$0")/../tshark/sandbox.sh"
nlb_sandbox "$corpus"/*
nlb_assert_loaded

# "2" in the table means "tshark refuses the file". Wireshark 4.0 exits 2 for every unreadable
# capture; 4.4 exits 3 (WS_EXIT_INVALID_FILE) when it cannot open the file and still 2 when a
# read fails part-way. Learn the open-failure status from a file that is plainly not a capture
# (only 2 or 3 are plausible), then accept 2 or that status.
printf 'plainly not a capture file\n' > "$tmp/not-a-capture"
chmod a+r "$tmp/not-a-capture"
ts -r "$tmp/not-a-capture" -q >/dev/null 2>&1
refused=$?
case $refused in
  2|3) echo "ok   this tshark refuses an unreadable file with exit $refused" ;;
  *) echo "FAIL tshark exits $refused on a text file (expected 2 or 3)"; exit 1 ;;
esac

fail=0 n=0
while read -r file _ want _; do
  case $file in ''|'#'*) continue ;; esac
  n=$((n + 1))
  code=${want%+expert}
  out=$(NLB_TS_PREFIX="timeout 300" ts -r "$tmp/cap/$file" -q -z expert 2>&1)
  rc=$?
  msg="$file: exit $rc"
  bad=
  if [ "$code" = 2 ]; then
    [ "$rc" -eq 2 ] || [ "$rc" -eq "$refused" ] || bad="expected exit 2 or $refused (file refused)"
  else
    [ "$rc" -eq "$code" ] || bad="expected exit $code"
  fi
  # a dissector exception or a crash inside the plugin must never reach the user
  if printf '%s\n' "$out" | grep -qE 'Dissector bug|AddressSanitizer|Segmentation|Aborted|ws_assert'; then
    bad="${bad:+$bad; }dissector bug or crash in the output"
  fi
  if [ "$want" != "$code" ]; then
    ne=$(printf '%s\n' "$out" | grep -c 'NLB (nlbproto)')
    msg="$msg, $ne NLB expert lines"
    [ "$ne" -gt 0 ] || bad="${bad:+$bad; }no NLB expert info"
  fi
  if [ -n "$bad" ]; then
    echo "FAIL $msg: $bad"
    printf '%s\n' "$out" | head -15 | sed 's/^/  /'
    fail=1
  else
    echo "ok   $msg"
  fi
done < "$table"
echo "tshark: $n malformed captures, $([ $fail -eq 0 ] && echo 'all as expected' || echo 'FAILURES above')"
exit $fail
