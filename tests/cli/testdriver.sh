#!/bin/sh
# xrust-test: no-sanitize
# tests/run.sh, the driver behind `make check`, on planted scripts: a
# script that reports no test counts as a failure, a script that exits
# non-zero without a failing line counts as one, and a run stopped by a
# signal stops there instead of going on with the next script (when a
# user's Ctrl-C or a `kill` hits the driver and the script it runs).
. "$(dirname "$0")/../lib.sh"

d=$T/planted
mkdir -p "$d"
printf '#!/bin/sh\nexit 0\n' >"$d/silent.sh"
printf '#!/bin/sh\necho "ok 1 - fine"\nexit 3\n' >"$d/crash.sh"
printf '#!/bin/sh\necho "ok 1 - fine"\n' >"$d/good.sh"
# slow.sh says it started, then waits; after.sh leaves a mark if it runs.
printf '#!/bin/sh\necho "ok 1 - started"\ntouch "%s/started"\nsleep 60\n' "$T" >"$d/slow.sh"
printf '#!/bin/sh\ntouch "%s/after-ran"\necho "ok 1 - after"\n' "$T" >"$d/after.sh"
driver() { env -u XRUST_WINE_PREFIX sh "$XRUST_ROOT/tests/run.sh" "$@"; }

TESTS="$d/good.sh" driver >"$T/out" 2>&1
is "a script with one passing test passes" "$?" 0
like "and is counted" "$T/out" "^1 passed, 0 failed, 0 skipped$"

TESTS="$d/silent.sh $d/good.sh" driver >"$T/out" 2>&1
is "a script that reports no test fails the run" "$?" 1
like "it is named as reporting no test" "$T/out" \
  "not ok - planted/silent reported no test"
like "and counted as one failure" "$T/out" "^1 passed, 1 failed, 0 skipped$"

TESTS="$d/crash.sh" driver >"$T/out" 2>&1
is "a script exiting 3 after a passing test fails the run" "$?" 1
like "its status is named" "$T/out" "not ok - planted/crash exited with status 3"

# A signal to the driver and to the script it runs, as `kill` of the
# process group or Ctrl-C gives.
# (env execs the driver: $! is the driver itself.)
TESTS="$d/slow.sh $d/after.sh" env -u XRUST_WINE_PREFIX \
  sh "$XRUST_ROOT/tests/run.sh" >"$T/out" 2>&1 &
dpid=$!
i=0
while [ ! -e "$T/started" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "the slow script started" test -e "$T/started"
spid=$(pgrep -f "^sh $d/slow.sh") || spid=
check "the slow script's process is found" test -n "$spid"
kill -TERM "$dpid" $spid
pkill -TERM -P "${spid:-0}" 2>/dev/null
wait "$dpid"
is "a driver stopped by TERM exits 130" "$?" 130
check "and does not run the next script" test ! -e "$T/after-ran"

done_testing
