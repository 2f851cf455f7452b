#!/usr/bin/env bash
# The test command: install what is missing, build (plain and ASan+UBSan), run every test,
# the fuzz smoke and the valgrind pass. Idempotent. The last line counts every test run.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/deps.sh" || exit 2

passed=0 failed=0 skipped=0 steps_failed=0
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

step() { # step NAME COMMAND...
  local name=$1; shift
  echo "== $name"
  if "$@"; then echo "== $name: ok"
  else steps_failed=$((steps_failed + 1)); echo "== $name: FAILED"; fi
}

ctest_step() { # ctest_step NAME BUILD_DIR [ENV...]: run ctest and add its counts to the total
  local name=$1 dir=$2; shift 2
  local log="$logdir/$(echo "$name" | tr -c 'a-z0-9' _).log"
  echo "== $name"
  env "$@" ctest --test-dir "$dir" --output-on-failure -j2 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local total fail skip
  total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
  fail=$(sed -n 's/.*, \([0-9]*\) tests failed out of.*/\1/p' "$log" | tail -1)
  skip=$(grep -c '\*\*\*Skipped' "$log")
  if [ -z "$total" ]; then
    echo "== $name: FAILED (no ctest summary)"; steps_failed=$((steps_failed + 1)); return
  fi
  passed=$((passed + total - fail - skip)); failed=$((failed + fail)); skipped=$((skipped + skip))
  if [ "$rc" -eq 0 ]; then echo "== $name: ok"
  else
    echo "== $name: FAILED"
    [ "$fail" -gt 0 ] || steps_failed=$((steps_failed + 1)) # ctest failed without a failed test
  fi
}

step "build" "$top/scripts/build.sh" "$top/build"
ctest_step "ctest" "$top/build"
step "build (ASan+UBSan)" "$top/scripts/build.sh" "$top/build-asan" -DNLB_SANITIZE=ON -DNLB_BUILD_PLUGIN=OFF
# the tshark tests need the plugin, which the sanitizer build leaves out (libwireshark is not instrumented)
ctest_step "ctest (ASan+UBSan)" "$top/build-asan" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
[ -x "$top/tests/fuzz/smoke.sh" ] && step "fuzz smoke" "$top/tests/fuzz/smoke.sh"
[ -x "$top/tests/valgrind.sh" ] && step "valgrind" "$top/tests/valgrind.sh" "$top/build"

[ "$steps_failed" -eq 0 ] || echo "steps failed (each counted as one failed test): $steps_failed"
echo "tests: $passed passed, $((failed + steps_failed)) failed, $skipped skipped"
[ "$steps_failed" -eq 0 ] && [ "$failed" -eq 0 ]
