#!/bin/sh
# The test driver behind `make check`.  It runs every C unit-test binary
# given as an argument, then every shell test under tests/cli/ and
# tests/make/ (each a TAP producer), counts the TAP lines and ends with the
# summary line "N passed, N failed, N skipped".  A producer that exits
# non-zero without reporting a failure, or that reports no test at all,
# counts as one failure, so a crashed script cannot pass silently; an
# interrupted run stops.  Each producer's line gives its time.
#
# Environment: XRUST_TOOL (the tool under test), XRUST_BUILD, TESTS (a
# space-separated list of shell test files to run instead of all of them),
# XRUST_SANITIZE=1 (skip scripts marked "# xrust-test: no-sanitize", which
# run no sanitized binary), VERBOSE=1 (show every TAP line).

top=$(cd "$(dirname "$0")/.." && pwd)
log=${TMPDIR:-/tmp}/xrust-check.$$
# One Wine prefix for the run's Windows tests (lib.sh, wine_prefix): made
# by the first test that needs one, stopped and removed at the end.
wine_dir=${TMPDIR:-/tmp}/xrust-wine.$$
: "${XRUST_WINE_PREFIX:=$wine_dir/prefix}"
export XRUST_WINE_PREFIX
finish() {
  rm -f "$log"
  if [ -d "$wine_dir" ]; then
    sh "$top/tests/fixtures/wine.sh" stop "$XRUST_WINE_PREFIX" 2>/dev/null
    rm -rf "$wine_dir"
  fi
}
trap finish EXIT
# Interrupted: stop (the EXIT trap cleans up), not go on with the next
# script.
trap 'exit 130' INT TERM
passed=0 failed=0 skipped=0 failures=

run_one() {
  name=$1; shift
  t0=$(date +%s)
  "$@" >"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - t0 ))
  p=$(grep -c '^ok ' "$log" | tr -d ' ')
  s=$(grep -c '^ok .*# SKIP' "$log" | tr -d ' ')
  f=$(grep -c '^not ok ' "$log" | tr -d ' ')
  p=$((p - s))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
    echo "not ok - $name exited with status $rc" >>"$log"
  elif [ $((p + s + f)) -eq 0 ]; then
    # A script that reports nothing has checked nothing.
    f=1
    echo "not ok - $name reported no test" >>"$log"
  fi
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  if [ "$f" -ne 0 ]; then
    failures="$failures $name"
    printf 'FAIL  %-40s %d passed, %d failed (%d s)\n' "$name" "$p" "$f" \
      "$secs"
    sed 's/^/    /' "$log"
  elif [ "${VERBOSE:-0}" = 1 ]; then
    printf 'PASS  %-40s %d passed, %d skipped (%d s)\n' "$name" "$p" "$s" \
      "$secs"
    sed 's/^/    /' "$log"
  else
    printf 'PASS  %-40s %d passed, %d skipped (%d s)\n' "$name" "$p" "$s" \
      "$secs"
    grep '# SKIP' "$log" | grep -v 'not selected' | sed 's/^/    /'
  fi
}

for bin in "$@"; do
  run_one "unit/$(basename "$bin")" "$bin"
done

if [ -n "${TESTS:-}" ]; then
  scripts=$TESTS
else
  scripts=$(ls "$top"/tests/cli/*.sh "$top"/tests/make/*.sh 2>/dev/null)
fi
for t in $scripts; do
  case $t in /*) ;; *) t=$top/$t ;; esac
  # Under SANITIZE=1 only the C code is under test: scripts that exercise
  # no sanitized binary (fixtures, Make itself) say so with this marker.
  if [ "${XRUST_SANITIZE:-}" = 1 ] && grep -q '^# xrust-test: no-sanitize' "$t"
  then
    continue
  fi
  run_one "$(basename "$(dirname "$t")")/$(basename "$t" .sh)" sh "$t"
done

echo
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
