#!/bin/sh
# Several processes and crashes: eight concurrent `xrust fetch` of one
# artifact make one download and eight identical results; kill -9 during a
# download and during an extraction leaves debris that the next run removes
# while it completes; a live process's temporaries survive another
# process's cleanup.
. "$(dirname "$0")/../lib.sh"

PY=${PYTHON:-python3}
# wait_for COMMAND...: polls COMMAND for up to 10 s.
wait_for() {
  _i=0
  while ! "$@"; do
    _i=$((_i + 1))
    [ $_i -gt 400 ] && return 1
    sleep 0.025
  done
}

export XRUST_FETCH_BACKOFF_MS=20
unset XRUST_OFFLINE XRUST_JOBS V

mkdir -p "$T/www" "$T/src/pkg"
head -c 1500000 /dev/urandom >"$T/www/big.bin"
head -c 400000 /dev/urandom | od -An -tx1 >"$T/src/pkg/data.txt"
tar -C "$T/src" -czf "$T/www/p.tar.gz" pkg
# An archive of many small files, so that extraction takes a while.
"$PY" - "$T/www/many.tar.gz" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz", compresslevel=1) as t:
    for i in range(40000):
        data = (b"%d\n" % i) * 20
        ti = tarfile.TarInfo("many/d%03d/f%05d.txt" % (i % 200, i))
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
EOF
BIG=$(sha "$T/www/big.bin")
PG=$(sha "$T/www/p.tar.gz")
MANY=$(sha "$T/www/many.tar.gz")
start_httpd "$T/www"

# Eight processes, one artifact, served slowly so that they overlap.
export XRUST_HOME=$T/h8
pids=
i=0
while [ $i -lt 8 ]; do
  ( "$XRUST_TOOL" fetch -q "$URL/fault/drip:3000/big.bin" "$BIG" "$T/c$i"
    echo $? >"$T/rc$i" ) &
  pids="$pids $!"
  i=$((i + 1))
done
wait $pids
all=ok
i=0
while [ $i -lt 8 ]; do
  [ "$(cat "$T/rc$i")" = 0 ] || all="c$i exited $(cat "$T/rc$i")"
  cmp -s "$T/c$i" "$T/www/big.bin" || all="c$i differs"
  i=$((i + 1))
done
is "8 concurrent fetches all succeed with identical files" "$all" ok
is "8 concurrent fetches make one download" \
  "$(reqs /fault/drip:3000/big.bin)" 1
check "8 concurrent fetches leave no temporaries" tmp_empty

# The same with extraction: one download, eight identical trees.
export XRUST_HOME=$T/h8u
pids=
i=0
while [ $i -lt 8 ]; do
  ( "$XRUST_TOOL" fetch -q --unpack "$T/t$i" "$URL/fault/drip:2000/p.tar.gz" \
      "$PG"
    echo $? >"$T/rc$i" ) &
  pids="$pids $!"
  i=$((i + 1))
done
wait $pids
all=ok
i=0
while [ $i -lt 8 ]; do
  [ "$(cat "$T/rc$i")" = 0 ] || all="t$i exited $(cat "$T/rc$i")"
  diff -r "$T/t$i/pkg" "$T/src/pkg" >/dev/null || all="t$i differs"
  i=$((i + 1))
done
is "8 concurrent unpacks all succeed with identical trees" "$all" ok
is "8 concurrent unpacks make one download" \
  "$(reqs /fault/drip:2000/p.tar.gz)" 1

# kill -9 during a download, then a rerun.
export XRUST_HOME=$T/hk
"$XRUST_TOOL" fetch -q "$URL/fault/drip:100/big.bin" "$BIG" "$T/k1" &
kpid=$!
has_partial() {
  f=$(find "$XRUST_HOME/v1/tmp" -name '*.dl.*' -size +1k 2>/dev/null)
  [ -n "$f" ]
}
check "a partial download appears in v1/tmp" wait_for has_partial
# Another process opening the store meanwhile must not touch live work.
"$XRUST_TOOL" store >/dev/null
check "a live download survives another process's cleanup" has_partial
kill -9 $kpid
wait $kpid 2>/dev/null
check "the killed download left debris" has_partial
check "no DEST after the crash" test ! -e "$T/k1"
run_in "$T" "$XRUST_TOOL" fetch -q "$URL/big.bin" "$BIG" "$T/k1"
is "the rerun after kill -9 succeeds" "$rc" 0
check "the rerun's file is right" cmp -s "$T/k1" "$T/www/big.bin"
check "the rerun removed the debris" tmp_empty

# kill -9 during an extraction (from the store), then a rerun.
export XRUST_HOME=$T/hx
"$XRUST_TOOL" fetch -q "$URL/many.tar.gz" "$MANY" "$T/many.tgz"
"$XRUST_TOOL" fetch -q --unpack "$T/x1" "$URL/many.tar.gz" "$MANY" &
kpid=$!
extracting() {
  n=$(find "$XRUST_HOME/v1/tmp" -path '*.stage.*' -name 'f*.txt' 2>/dev/null |
      head -50 | wc -l)
  [ "$n" -ge 50 ]
}
if wait_for extracting && kill -9 $kpid 2>/dev/null; then
  wait $kpid 2>/dev/null
  check "the killed extraction left a staging dir" \
    test -n "$(ls -A "$XRUST_HOME/v1/tmp")"
  check "no DIR after the crash" test ! -e "$T/x1"
else
  wait $kpid 2>/dev/null
  skip "the killed extraction left a staging dir" "extraction too fast"
  skip "no DIR after the crash" "extraction too fast"
  rm -rf "$T/x1"
fi
run_in "$T" "$XRUST_TOOL" fetch -q --unpack "$T/x1" "$URL/many.tar.gz" "$MANY"
is "the rerun after kill -9 unpacks" "$rc" 0
is "the rerun's tree is complete" \
  "$(find "$T/x1" -type f | wc -l | tr -d ' ')" 40000
check "the rerun removed the staging debris" tmp_empty

done_testing
