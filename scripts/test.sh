#!/usr/bin/env bash
# The test command: install what is missing, build (plain and ASan+UBSan), run every test,
# the fuzz smoke and the valgrind pass. Idempotent. Prints "N passed, N failed" last.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/deps.sh" || exit 2

passed=0 failed=0
step() { # step NAME COMMAND...
  local name=$1; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); echo "== $name: ok"
  else failed=$((failed + 1)); echo "== $name: FAILED"; fi
}

step "build" "$top/scripts/build.sh" "$top/build"
step "ctest" ctest --test-dir "$top/build" --output-on-failure -j2
step "build (ASan+UBSan)" "$top/scripts/build.sh" "$top/build-asan" -DNLB_SANITIZE=ON -DNLB_BUILD_PLUGIN=OFF
step "ctest (ASan+UBSan)" env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --test-dir "$top/build-asan" --output-on-failure -j2
[ -x "$top/tests/fuzz/smoke.sh" ] && step "fuzz smoke" "$top/tests/fuzz/smoke.sh"
[ -x "$top/tests/valgrind.sh" ] && step "valgrind" "$top/tests/valgrind.sh" "$top/build"

echo "steps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
