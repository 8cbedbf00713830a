#!/bin/sh
# Fault injection: each mode of tests/fixtures/httpd.py against `xrust
# fetch`, plain and with streaming extraction.  Each case asserts the
# outcome (success after retry, or the exact error), the requests the
# server saw, and that the store holds nothing partial afterwards.
. "$(dirname "$0")/../lib.sh"

PY=${PYTHON:-python3}

export XRUST_FETCH_BACKOFF_MS=20 XRUST_FETCH_STALL_SECONDS=1
unset XRUST_OFFLINE XRUST_JOBS V

mkdir -p "$T/www" "$T/src/pkg"
head -c 400000 /dev/urandom >"$T/www/b.bin"
head -c 300000 /dev/urandom | od -An -tx1 >"$T/src/pkg/data.txt"
tar -C "$T/src" -cJf "$T/www/p.tar.xz" pkg
B=$(sha "$T/www/b.bin")
P=$(sha "$T/www/p.tar.xz")
start_httpd "$T/www" --stall-seconds 4

# ok_case NAME MODE REQUESTS: a fault the client must recover from.
ok_case() {
  export XRUST_HOME=$T/h-$2
  run_in "$T" "$XRUST_TOOL" fetch -q "$URL/fault/$2/b.bin" "$B" "$T/o-$2"
  is "$1: exits 0" "$rc" 0
  [ "$rc" = 0 ] || diag_file "$T/err"
  check "$1: the file is right" cmp -s "$T/o-$2" "$T/www/b.bin"
  is "$1: requests" "$(reqs "/fault/$2/b.bin")" "$3"
  check "$1: no temporaries" tmp_empty
  is "$1: one blob" "$(nblobs)" 1
}

# bad_case NAME MODE REQUESTS MESSAGE: a fault that must fail cleanly.
bad_case() {
  export XRUST_HOME=$T/h-$2
  run_in "$T" "$XRUST_TOOL" fetch -q "$URL/fault/$2/b.bin" "$B" "$T/o-$2"
  is "$1: exits 1" "$rc" 1
  is "$1: message" "$(cat "$T/err")" "$4"
  is "$1: requests" "$(reqs "/fault/$2/b.bin")" "$3"
  check "$1: no DEST" test ! -e "$T/o-$2"
  check "$1: no temporaries" tmp_empty
  is "$1: no blob" "$(nblobs)" 0
}

ok_case "truncated body, resumed" truncate:2 3
like "truncated body: resumed with Range" "$LOG" \
  "^GET /fault/truncate:2/b.bin bytes=200000- 206 "
ok_case "connection reset, resumed" reset:2 3
like "connection reset: resumed with Range" "$LOG" \
  "^GET /fault/reset:2/b.bin bytes=[0-9]+- 206 "
ok_case "500 twice then success" 500:2 3
ok_case "503 three times then success" 503:3 4
t0=$(date +%s)
ok_case "429 with Retry-After then success" 429:1 2
t1=$(date +%s)
check "429: waited for Retry-After" test $((t1 - t0)) -ge 1
ok_case "stall, retried" stall:1 2
like "stall: resumed after the stall" "$LOG" \
  "^GET /fault/stall:1/b.bin bytes=200000- 206 "
ok_case "slow drip completes" drip:2048 1
ok_case "Range honoured" range 1
ok_case "Range ignored on a full download" norange 1
ok_case "truncated, then Range ignored: restart from zero" trunc-norange:1 2
like "restart: the second answer was a full 200" "$LOG" \
  "^GET /fault/trunc-norange:1/b.bin bytes=200000- 200 400000$"

bad_case "404" 404 1 \
  "xrust: cannot fetch '$URL/fault/404/b.bin': http status 404"
bad_case "410 Gone" 410 1 \
  "xrust: cannot fetch '$URL/fault/410/b.bin': http status 410"
bad_case "wrong bytes" wrong 1 \
  "xrust: cannot verify '$URL/fault/wrong/b.bin': sha256 mismatch (expected $B, got $(
    "$PY" -c "import sys,hashlib
d=bytearray(open(sys.argv[1],'rb').read())
for i in range(64): d[i]^=0x5a
print(hashlib.sha256(d).hexdigest())" "$T/www/b.bin"))"
export XRUST_FETCH_RETRIES=2
bad_case "503 forever: gives up" 503:99 3 \
  "xrust: cannot fetch '$URL/fault/503:99/b.bin': http status 503 (after 3 attempts)"
export XRUST_HOME=$T/h-reset99
run_in "$T" "$XRUST_TOOL" fetch -q "$URL/fault/reset:99/b.bin" "$B" "$T/o-r"
is "reset forever: gives up" "$rc" 1
like "reset forever: curl's reason and the attempts" "$T/err" \
  "^xrust: cannot fetch '$URL/fault/reset:99/b.bin': .*reset.* \\(after 3 attempts\\)$"
check "reset forever: no temporaries" tmp_empty
is "reset forever: no blob" "$(nblobs)" 0
unset XRUST_FETCH_RETRIES

# The same faults with extraction as the bytes arrive: the tree must be the
# archive's, even when the server restarts the body from zero.
for mode in truncate:1 reset:1 trunc-norange:1 drip:4096 503:1; do
  export XRUST_HOME=$T/u-$mode
  run_in "$T" "$XRUST_TOOL" fetch -q --unpack "$T/d-$mode" \
    "$URL/fault/$mode/p.tar.xz" "$P"
  is "unpack under $mode: exits 0" "$rc" 0
  [ "$rc" = 0 ] || diag_file "$T/err"
  check "unpack under $mode: the tree is right" \
    diff -r "$T/d-$mode/pkg" "$T/src/pkg"
  check "unpack under $mode: no temporaries" tmp_empty
done
export XRUST_HOME=$T/u-wrong
run_in "$T" "$XRUST_TOOL" fetch -q --unpack "$T/d-wrong" \
  "$URL/fault/wrong/p.tar.xz" "$P"
is "unpack of wrong bytes fails" "$rc" 1
like "unpack of wrong bytes: digest or archive error" "$T/err" \
  "^xrust: cannot (verify|unpack) "
check "unpack of wrong bytes: no DIR" test ! -e "$T/d-wrong"
check "unpack of wrong bytes: no temporaries" tmp_empty
is "unpack of wrong bytes: no blob" "$(nblobs)" 0

done_testing
