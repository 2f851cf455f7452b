#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Reload test: a capture opened, dissected (first pass, then a second with trees, as the GUI
# shows a file) and closed N times in one process, with the plugin and without it. The plugin
# must give back what it took: its per-reload memory growth may exceed the engine's own by at
# most 4 KiB (Wireshark 4.0 itself keeps ~10 MB per reload, its name-resolution tables reloaded
# into epan-scope memory, the same with or without the plugin), and every load must reach the
# same tracker facts.  reload.sh NLB_HARNESS_RUN CAPTURE [N]   (N default 100)
# NLB_RELOAD_BREAK=leak: the plugin run keeps 64 KiB per load, and this test must fail.
set -uo pipefail
bin=${1:?usage: reload.sh NLB_HARNESS_RUN CAPTURE [N]} cap=${2:?} n=${3:-100}
slack=${NLB_RELOAD_SLACK:-4096} # -1: facts only (sanitizer builds)
run() { # run LABEL ARGS...: prints the growth per reload
  local label=$1 out; shift
  out=$("$bin" "$@" --reload "$n" "$cap" 2>&1) || { printf '%s\n' "$out" | tail -5; echo "FAIL: $label run"; exit 1; }
  printf '%s\n' "$out" | grep -E '^load (1|10|'"$n"'):' | sed "s/^/$label: /" >&2
  printf '%s\n' "$out" | grep -E 'loads of' | sed "s/^/$label: /" >&2
  printf '%s\n' "$out" | sed -n 's/^growth per reload: \(-\{0,1\}[0-9]*\) bytes$/\1/p'
}
with=$(run plugin)
without=$(NLB_RELOAD_BREAK= run engine --no-plugin)
[ -n "$with" ] && [ -n "$without" ] || { echo "FAIL: no growth figure"; exit 1; }
extra=$((with - without))
echo "growth per reload: $with bytes with the plugin, $without without: the plugin's share $extra bytes (limit $slack)"
if [ "$slack" -ge 0 ] && [ "$extra" -gt "$slack" ]; then
  echo "FAIL: the plugin keeps $extra bytes per reload"
  exit 1
fi
echo "ok"
