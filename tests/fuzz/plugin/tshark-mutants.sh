#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tshark with the sanitizer-built plugin (its ASan runtime preloaded) over a mutation corpus
# (mutants.py): every capture in each MODE, the preference combination cycling over the
# captures (capture i gets combination i % 9, the harness's eight plus --disable-protocol nlb).
#   tshark-mutants.sh CORPUS_DIR [MODE...]     modes: 1pass (-z nlb,tree), 2pass (-2 -z expert),
#                                              tree (-V), 2tree (-2 -V); default: 1pass 2pass tree
# Environment: NLB_PLUGIN (an ASan+UBSan build of nlb.so), NLB_WS_VERSION, NLB_TSHARK as for
# tests/tshark; NLB_MUT_JOBS parallel tshark runs (default 2); NLB_MUT_LIMIT first N captures;
# NLB_MUT_DEADLINE (epoch seconds) starts no run after it, and the counts say how far it got.
# A run fails on a sanitizer report, a signal or exit above 2 (tshark exits 2 on a cut file),
# or a dissector bug in the plugin's protocol; dissector bugs of other protocols are counted.
# Prints one line per failure and per mode: captures run, failures, exit codes seen.
set -uo pipefail
corpus=${1:?usage: tshark-mutants.sh CORPUS_DIR [MODE...]}
shift
modes=${*:-1pass 2pass tree}
. "$(dirname "$0")/../../tshark/sandbox.sh"
nlb_sandbox
asan=$(ldd "$NLB_PLUGIN" | awk '/libasan|libclang_rt\.asan/ { print $3; exit }')
if [ -z "$asan" ] || [ ! -f "$asan" ]; then
  echo "FAIL: $NLB_PLUGIN is not a sanitizer build (no ASan runtime among its libraries)"
  exit 1
fi
export NLB_TS_ENV="LD_PRELOAD=$asan ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:print_summary=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
# tshark -G plugins runs the extcap helpers, which hang with the runtime preloaded: the
# protocol list proves the plugin loaded as well.
if ! ts -G protocols 2>&1 | grep -q '^Microsoft NLB (nlbproto)'; then
  echo "FAIL: the plugin did not load under tshark with $asan preloaded"
  ts -G protocols 2>&1 | grep -iE 'nlb|error|asan' | head -5
  exit 1
fi
echo "ok   plugin loaded with $asan preloaded"

# inputs of the preference combinations, readable by the unprivileged tshark
printf 'bins=7\nseed=0x1234\naffinity=classc\n' >"$tmp/good.rules"
for i in $(seq 0 31); do
  printf 'rule vip=10.20.30.%d ports=%d-%d proto=tcp mode=multiple affinity=single\n' $((40 + i % 4 * 10)) $((i * 100)) $((i * 100 + 99))
done >>"$tmp/good.rules"
for i in $(seq 0 39); do echo "rule ports=$i"; done >"$tmp/toomany.rules"
many=$(for i in $(seq 0 3999); do printf '10.%d.%d.%d,' $((20 + i / 65536)) $((i / 256 % 256)) $((i % 256)); done)
chmod a+r "$tmp"/*.rules
combos=(
  ""
  "-o nlb.annotate:FALSE"
  "-o nlb.vips:10.20.30.40,not-an-ip,10.20.30.50 -o nlb.bins:1 -o nlb.affinity:none"
  "-o nlb.rules_file:$tmp/good.rules -o nlb.period_ms:250 -o nlb.tolerance:2"
  "-o nlb.vips:1.2.3.4 -o nlb.rules_file:$tmp/toomany.rules -o nlb.bins:64 -o nlb.affinity:classc"
  "-o nlb.rules_file:$tmp/missing.rules -o nlb.bins:0 -o nlb.affinity:none -o nlb.period_ms:0 -o nlb.tolerance:0"
  "-o nlb.vips:${many%,} -o nlb.bins:1000 -o nlb.affinity:classc -o nlb.period_ms:1 -o nlb.tolerance:1"
  "-o nlb.vips:10.20.30.40 -o nlb.rules_file:$tmp/good.rules -o nlb.bins:13 -o nlb.period_ms:4000000000 -o nlb.tolerance:4000000000 -o nlb.annotate:FALSE"
  "--disable-protocol nlb"
)
chmod -R a+rX "$corpus" 2>/dev/null
mapfile -t files < <(find "$corpus" -maxdepth 1 -name '*.pcap' | sort)
[ -n "${NLB_MUT_LIMIT:-}" ] && files=("${files[@]:0:$NLB_MUT_LIMIT}")
[ ${#files[@]} -gt 0 ] || { echo "FAIL: no captures in $corpus"; exit 1; }
deadline=${NLB_MUT_DEADLINE:-0}

# one_run MODE I: one tshark run; prints "MODE I RC VERDICT [detail]"
one_run() {
  local mode=$1 i=$2 f=${files[$2]} args out err rc bugs
  [ "$deadline" -gt 0 ] && [ "$(date +%s)" -ge "$deadline" ] && { echo "$mode $i - late"; return; }
  case $mode in
    1pass) args=(-z nlb,tree) ;;
    2pass) args=(-2 -z expert) ;;
    tree) args=(-V) ;;
    2tree) args=(-2 -V) ;;
  esac
  out=$(mktemp "$tmp/out.XXXXXX") err=$(mktemp "$tmp/err.XXXXXX")
  # shellcheck disable=SC2086
  NLB_TS_PREFIX="timeout 300" ts -r "$f" ${combos[$((i % ${#combos[@]}))]} "${args[@]}" >"$out" 2>"$err"
  rc=$?
  bugs=$(grep -o 'Dissector bug, protocol [^:]*' "$out" | sort | uniq -c | tr -s ' ' | tr '\n' ';')
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|Segmentation|Aborted|ws_assert' "$err" \
     || [ "$rc" -gt 2 ] || printf '%s' "$bugs" | grep -q 'protocol NLB'; then
    echo "$mode $i $rc FAIL ${f##*/} combo $((i % ${#combos[@]})) ${bugs:-} $(grep -m3 -E 'ERROR|runtime error|SUMMARY|#[0-9] ' "$err" | tr '\n' ' ')"
  else
    echo "$mode $i $rc ok ${bugs:+otherbugs $bugs}"
  fi
  rm -f "$out" "$err"
}
export -f one_run ts
export tmp home tshark runas deadline NLB_TS_ENV
# capture by capture, every mode of one before the next, so a deadline leaves the modes even;
# bash arrays do not cross xargs: each worker reads the list and the combinations from a file
declare -p files combos >"$tmp/decl.sh"
results=$tmp/results
for i in "${!files[@]}"; do for mode in $modes; do echo "$mode $i"; done; done |
  xargs -P "${NLB_MUT_JOBS:-2}" -L1 bash -c ". $tmp/decl.sh; one_run \$0 \$1" >"$results"
fail=0
grep ' FAIL ' "$results" | head -20
for mode in $modes; do
  ran=$(awk -v m="$mode" '$1 == m && $3 != "-"' "$results" | wc -l)
  nf=$(awk -v m="$mode" '$1 == m && $4 == "FAIL"' "$results" | wc -l)
  codes=$(awk -v m="$mode" '$1 == m && $3 != "-" { print $3 }' "$results" | sort | uniq -c | awk '{ printf "%s x exit %s, ", $1, $2 }')
  other=$(awk -v m="$mode" '$1 == m' "$results" | grep -o 'otherbugs.*' | grep -oE '[0-9]+ Dissector bug, protocol [^;]*' | awk '{ n[$0 ~ /./ ? substr($0, index($0, "protocol")) : ""] += $1 } END { for (k in n) printf "%s: %d; ", k, n[k] }')
  echo "mode $mode: $ran of ${#files[@]} captures run, $nf failures; ${codes%, }${other:+; dissector bugs in other protocols: $other}"
  [ "$nf" -eq 0 ] || fail=1
done
exit $fail
