#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzz smoke test: build the libFuzzer targets into build-fuzz/ (clang), replay each committed
# corpus, then fuzz each target for a bounded time starting from it (55 s in all by default).
# Without clang, the plain-C replay drivers are built with cc (ASan) and run the corpus plus
# random-seed mutations instead (a crash prints the command that reproduces it).
# Exits non-zero on any crash or failed invariant; prints executions per target.
#   FUZZ_SECONDS=N  seconds per target (default 11; 5 targets, 6 with libwireshark-dev)
#   FUZZ_TARGETS="heartbeat tlv"  a subset
#   FUZZ_MODE=driver  use the replay drivers even where clang is present
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$top/tests/fuzz/corpus
secs=${FUZZ_SECONDS:-11}
# fuzz_plugin (the plugin inside libwireshark) joins when libwireshark-dev is there
plugin=OFF
pkg-config --exists wireshark 2>/dev/null && plugin=ON
default_targets="heartbeat tlv frame tracker rules"
[ $plugin = ON ] && default_targets="$default_targets plugin"
targets=${FUZZ_TARGETS:-$default_targets}
case " $targets " in *" plugin "*) [ $plugin = ON ] || { echo "fuzz smoke: plugin target needs libwireshark-dev"; exit 2; } ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/nlb-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ "${FUZZ_MODE:-}" != driver ] && command -v clang >/dev/null 2>&1; then
  mode=libfuzzer
  dir=$top/build-fuzz
  cmake -S "$top" -B "$dir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNLB_FUZZ=ON \
        -DNLB_BUILD_TESTS=OFF -DNLB_BUILD_TOOLS=OFF -DNLB_BUILD_PLUGIN=$plugin -DNLB_FUZZ_PLUGIN=$plugin \
        >"$work/cmake.log" 2>&1 \
    || { cat "$work/cmake.log"; echo "fuzz smoke: cmake failed"; exit 2; }
  suffix=
else
  mode=driver
  dir=$top/build-fuzz-driver
  cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNLB_SANITIZE=ON \
        -DNLB_BUILD_TOOLS=OFF -DNLB_BUILD_PLUGIN=$plugin >"$work/cmake.log" 2>&1 \
    || { cat "$work/cmake.log"; echo "fuzz smoke: cmake failed"; exit 2; }
  suffix=_replay
fi
build_targets=()
for t in $targets; do build_targets+=(--target "fuzz_$t$suffix"); done
if ! cmake --build "$dir" -j"$(nproc)" "${build_targets[@]}" >"$work/build.log" 2>&1; then
  tail -40 "$work/build.log"
  echo "fuzz smoke: build failed"
  exit 2
fi
echo "fuzz smoke: $mode build in ${dir#$top/}"

failed=0
for t in $targets; do
  bin=$dir/tests/fuzz/fuzz_$t$suffix
  maxlen=4096 leaks=1 per_sec=20000
  [ "$t" = tracker ] && maxlen=32768
  # libwireshark keeps registration-time memory to the end of the process, and
  # each input is a trip through the whole dissection engine
  [ "$t" = plugin ] && { maxlen=65536; leaks=0; per_sec=200; }
  export ASAN_OPTIONS=detect_leaks=$leaks
  if [ "$mode" = libfuzzer ]; then
    # 1. the corpus alone: every committed input (seeds and regressions) must pass
    if ! "$bin" -runs=0 -detect_leaks=$leaks -max_len=$maxlen "$corpus/$t" >"$work/$t.replay.log" 2>&1; then
      tail -30 "$work/$t.replay.log"
      echo "fuzz smoke: $t: corpus replay FAILED"
      failed=1
      continue
    fi
    # 2. bounded fuzzing; new units go to a scratch dir, never into the committed corpus
    mkdir -p "$work/$t.new"
    "$bin" -max_total_time="$secs" -detect_leaks=$leaks -max_len=$maxlen -print_final_stats=1 -artifact_prefix="$work/$t-" \
           "$work/$t.new" "$corpus/$t" >"$work/$t.log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
    cov=$(grep -Eo 'cov: [0-9]+' "$work/$t.log" | tail -1)
    if [ $rc -ne 0 ]; then
      grep -E 'ERROR|invariant|runtime error|SUMMARY' "$work/$t.log" | head -10
      for a in "$work/$t-"*; do
        [ -e "$a" ] || continue
        mkdir -p "$top/build-fuzz/crashes"
        cp "$a" "$top/build-fuzz/crashes/" && echo "fuzz smoke: kept $top/build-fuzz/crashes/$(basename "$a")"
      done
      echo "fuzz smoke: $t: CRASH after ${execs:-?} executions (exit $rc)"
      failed=1
    else
      echo "fuzz smoke: $t: ${execs:-?} executions in ${secs}s, ${cov:-cov: ?}, no crash"
    fi
  else
    seed=$RANDOM
    if "$bin" -runs=$((secs * per_sec)) -seed=$seed -max_len=$maxlen "$corpus/$t" >"$work/$t.log" 2>&1; then
      echo "fuzz smoke: $t: $(tail -1 "$work/$t.log")"
    else
      tail -20 "$work/$t.log"
      echo "fuzz smoke: $t: CRASH (driver): reproduce with $bin -runs=$((secs * per_sec)) -seed=$seed -max_len=$maxlen $corpus/$t"
      failed=1
    fi
  fi
done
[ $failed -eq 0 ] && echo "fuzz smoke: ok" || echo "fuzz smoke: FAILED"
exit $failed
