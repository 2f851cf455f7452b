#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The malformed corpus through tshark with the nlb plugin: tshark.sh CORPUS_DIR EXPECTED_TXT
# Environment as for tests/tshark/run.sh: NLB_PLUGIN, NLB_WS_VERSION, NLB_TSHARK.
# Like tests/tshark/run.sh, the plugin goes into a throw-away personal plugin directory and tshark
# runs as an unprivileged user (as root it ignores personal plugins, and exits 0 even when a
# plugin failed to load, so the plugin's presence is proved first).
set -uo pipefail
corpus=${1:?usage: tshark.sh CORPUS_DIR EXPECTED_TXT}
table=${2:?usage: tshark.sh CORPUS_DIR EXPECTED_TXT}
tshark=${NLB_TSHARK:-$(command -v tshark 2>/dev/null || true)}
[ -n "$tshark" ] && [ -x "$tshark" ] || { echo "SKIP: tshark is not installed"; exit 77; }
[ -f "${NLB_PLUGIN:-}" ] || { echo "FAIL: plugin not built: ${NLB_PLUGIN:-NLB_PLUGIN unset}"; exit 1; }
wsver=${NLB_WS_VERSION:-4.0}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nlb-malformed-tshark.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
home=$tmp/home
pdir=$home/.local/lib/wireshark/plugins/$wsver/epan
mkdir -p "$pdir" "$tmp/cap"
cp "$NLB_PLUGIN" "$pdir/nlb.so"
cp "$corpus"/* "$tmp/cap/"
chmod -R a+rX "$tmp"
chmod 777 "$home"
runas=()
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv >/dev/null 2>&1 || { echo "FAIL: root without setpriv: tshark would ignore the plugin"; exit 1; }
  runas=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups)
fi
ts() { "${runas[@]}" env -i PATH=/usr/bin:/bin HOME="$home" TZ=UTC LC_ALL=C.UTF-8 "$tshark" "$@"; }

if ! ts -G plugins 2>&1 | grep -q "^nlb\.so.*$pdir/nlb\.so"; then
  echo "FAIL: plugin not loaded (tshark -G plugins)"
  exit 1
fi
echo "ok   plugin loaded from $pdir"

fail=0 n=0
while read -r file _ want _; do
  case $file in ''|'#'*) continue ;; esac
  n=$((n + 1))
  code=${want%+expert}
  out=$(timeout 300 "${runas[@]}" env -i PATH=/usr/bin:/bin HOME="$home" TZ=UTC LC_ALL=C.UTF-8 \
        "$tshark" -r "$tmp/cap/$file" -q -z expert 2>&1)
  rc=$?
  msg="$file: exit $rc"
  bad=
  [ "$rc" -eq "$code" ] || bad="expected exit $code"
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
