#!/bin/sh
# `xrust fetch` and `fetch-batch` on loopback: downloads through the store,
# cache hits without requests, file:// URLs, the http policy, offline mode,
# permanent errors with their exact messages, streaming extraction of .gz
# and .xz, and a parallel batch.
. "$(dirname "$0")/../lib.sh"

PY=${PYTHON:-python3}

export XRUST_HOME=$T/home XRUST_FETCH_BACKOFF_MS=20
unset XRUST_OFFLINE XRUST_JOBS V

mkdir -p "$T/www/sub" "$T/src/pkg-1.0/bin"
head -c 300000 /dev/urandom >"$T/www/blob.bin"
head -c 200000 /dev/urandom | od -An -tx1 >"$T/src/pkg-1.0/data.txt"
printf '#!/bin/sh\necho hi\n' >"$T/src/pkg-1.0/bin/tool"
chmod 755 "$T/src/pkg-1.0/bin/tool"
tar -C "$T/src" -czf "$T/www/pkg.tar.gz" pkg-1.0
tar -C "$T/src" -cJf "$T/www/pkg.tar.xz" pkg-1.0
B=$(sha "$T/www/blob.bin")
G=$(sha "$T/www/pkg.tar.gz")
Z=$(sha "$T/www/pkg.tar.xz")
start_httpd "$T/www" --stall-seconds 5 --conn-log "$T/conn.log"

# A plain download lands in DEST and in the store.
run_in "$T" "$XRUST_TOOL" fetch "$URL/blob.bin" "$B" "$T/out1"
is "fetch exits 0" "$rc" 0
check "DEST has the bytes" cmp -s "$T/out1" "$T/www/blob.bin"
check "the blob is in the store" \
  test -f "$XRUST_HOME/v1/blobs/sha256/$(echo "$B" | cut -c1-2)/$B"
is "one request" "$(requests)" 1
like "non-tty start line" "$T/err" '^  FETCH   1 file$'
like "non-tty end line" "$T/err" '^  FETCH   1 file, 300.0 kB in [0-9.]+ s$'
check "no temporaries left" tmp_empty
check "DEST is writable by the user, the blob is not" \
  sh -c "test -w '$T/out1' && ! test -w '$XRUST_HOME/v1/blobs/sha256/$(echo "$B" | cut -c1-2)/$B' || [ \$(id -u) = 0 ]"

# The same artifact again: no request at all, even from another URL.
: >"$LOG"
run_in "$T" "$XRUST_TOOL" fetch "$URL/not-there.bin" "$B" "$T/out2"
is "cache hit exits 0" "$rc" 0
check "cache hit copies the blob" cmp -s "$T/out2" "$T/www/blob.bin"
is "cache hit makes no request" "$(requests)" 0
is "cache hit prints nothing" "$(cat "$T/err")" ""

# Uppercase digests are the same digest.
UB=$(echo "$B" | tr a-f A-F)
run_in "$T" "$XRUST_TOOL" fetch -q "$URL/blob.bin" "$UB" "$T/out3"
is "uppercase digest is a cache hit" "$rc:$(requests)" "0:0"

# -q prints nothing; -v prints the URL.
rm -rf "$XRUST_HOME"
run_in "$T" "$XRUST_TOOL" fetch -q "$URL/blob.bin" "$B" "$T/out4"
is "quiet fetch prints nothing" "$rc:$(cat "$T/err")" "0:"
rm -rf "$XRUST_HOME"
run_in "$T" env V=1 "$XRUST_TOOL" fetch "$URL/blob.bin" "$B" "$T/out5"
like "V=1 prints the URL" "$T/err" "^  FETCH   $URL/blob.bin\$"

# 404 is permanent: one request, exact message, nothing left.
rm -rf "$XRUST_HOME"; : >"$LOG"
run_in "$T" "$XRUST_TOOL" fetch "$URL/missing.bin" "$B" "$T/out6"
is "404 exits 1" "$rc" 1
is "404 message" "$(cat "$T/err" | grep xrust:)" \
  "xrust: cannot fetch '$URL/missing.bin': http status 404"
is "404 is not retried" "$(requests)" 1
check "404 leaves no DEST" test ! -e "$T/out6"
check "404 leaves no temporaries" tmp_empty

# Wrong digest: exact message with both digests, no blob, no DEST.
BAD=0000000000000000000000000000000000000000000000000000000000000000
run_in "$T" "$XRUST_TOOL" fetch -q "$URL/blob.bin" "$BAD" "$T/out7"
is "mismatch exits 1" "$rc" 1
is "mismatch message" "$(cat "$T/err")" \
  "xrust: cannot verify '$URL/blob.bin': sha256 mismatch (expected $BAD, got $B)"
check "mismatch leaves no DEST" test ! -e "$T/out7"
check "mismatch publishes no blob" \
  test -z "$(find "$XRUST_HOME/v1/blobs" -type f)"
check "mismatch leaves no temporaries" tmp_empty

# Usage errors.
run_in "$T" "$XRUST_TOOL" fetch "$URL/blob.bin" nothex "$T/out8"
is "invalid digest exits 1" "$rc" 1
like "invalid digest message" "$T/err" "^xrust: invalid sha256 'nothex'"
run_in "$T" "$XRUST_TOOL" fetch "$URL/blob.bin"
is "missing arguments exit 2" "$rc" 2

# Plain http to a non-loopback host is refused before any connection.
run_in "$T" "$XRUST_TOOL" fetch http://example.invalid/a.tar.gz "$B" "$T/o9"
is "http to a remote host exits 1" "$rc" 1
is "http refusal message" "$(cat "$T/err")" \
  "xrust: cannot fetch 'http://example.invalid/a.tar.gz': plain http is allowed only to loopback hosts and origins listed in XRUST_ALLOW_HTTP"
run_in "$T" env XRUST_ALLOW_HTTP=http://example.invalid "$XRUST_TOOL" \
  fetch -q http://example.invalid/a.tar.gz "$B" "$T/o9"
like "an allowed origin gets past the policy (then fails to resolve)" \
  "$T/err" "^xrust: cannot fetch 'http://example.invalid/a.tar.gz': (Could not|Couldn't) resolve"
run_in "$T" "$XRUST_TOOL" fetch ftp://127.0.0.1/a "$B" "$T/o9"
like "other schemes are refused" "$T/err" "unsupported url scheme"
run_in "$T" "$XRUST_TOOL" fetch -q "http://localhost:$(cat "$T/httpd/port")/blob.bin" \
  "$B" "$T/o10"
is "http://localhost is loopback" "$rc" 0

# file:// works, with and without extraction.
rm -rf "$XRUST_HOME"
run_in "$T" "$XRUST_TOOL" fetch -q "file://$T/www/blob.bin" "$B" "$T/o11"
is "file:// exits 0" "$rc" 0
check "file:// copies the bytes" cmp -s "$T/o11" "$T/www/blob.bin"
run_in "$T" "$XRUST_TOOL" fetch -q --unpack "$T/fu" --strip 1 \
  "file://$T/www/pkg.tar.gz" "$G"
is "file:// unpack exits 0" "$rc" 0
check "file:// unpack gives the tree" diff -r "$T/fu" "$T/src/pkg-1.0"
run_in "$T" "$XRUST_TOOL" fetch -q "file://$T/www/nope" "$BAD" "$T/o12"
like "a missing file:// is a clear error" "$T/err" \
  "^xrust: cannot fetch 'file://$T/www/nope': "

# Offline: an empty store fails clearly, a present blob needs no request.
rm -rf "$XRUST_HOME"; : >"$LOG"
run_in "$T" env XRUST_OFFLINE=1 "$XRUST_TOOL" fetch "$URL/blob.bin" "$B" \
  "$T/o13"
is "offline with an empty store exits 1" "$rc" 1
is "offline message" "$(cat "$T/err")" \
  "xrust: offline: '$URL/blob.bin' is not in the store"
"$XRUST_TOOL" fetch -q "$URL/blob.bin" "$B" "$T/o13" 2>/dev/null
: >"$LOG"
run_in "$T" env XRUST_OFFLINE=1 "$XRUST_TOOL" fetch "$URL/blob.bin" "$B" \
  "$T/o14"
is "offline with the blob exits 0" "$rc" 0
is "offline with the blob makes no request" "$(requests)" 0
check "offline copy is right" cmp -s "$T/o14" "$T/www/blob.bin"

# Streaming extraction of .tar.gz and .tar.xz, executable bit kept.
rm -rf "$XRUST_HOME"
run_in "$T" "$XRUST_TOOL" fetch -q --unpack "$T/ugz" --strip 1 \
  "$URL/pkg.tar.gz" "$G"
is "unpack .tar.gz exits 0" "$rc" 0
check "unpacked .tar.gz matches" diff -r "$T/ugz" "$T/src/pkg-1.0"
check "executable bit kept" test -x "$T/ugz/bin/tool"
run_in "$T" "$XRUST_TOOL" fetch -q --unpack "$T/uxz" "$URL/pkg.tar.xz" "$Z"
is "unpack .tar.xz exits 0" "$rc" 0
check "unpacked .tar.xz matches (no strip)" \
  diff -r "$T/uxz/pkg-1.0" "$T/src/pkg-1.0"
run_in "$T" "$XRUST_TOOL" fetch -q --unpack "$T/uxz" "$URL/pkg.tar.xz" "$Z"
is "unpack into an existing dir is refused" "$(cat "$T/err")" \
  "xrust: cannot unpack into '$T/uxz': it exists"
: >"$LOG"
run_in "$T" "$XRUST_TOOL" fetch -q --unpack "$T/ugz2" --strip 1 \
  "$URL/pkg.tar.gz" "$G"
is "unpack from the store makes no request" "$rc:$(requests)" "0:0"
check "unpack from the store matches" diff -r "$T/ugz2" "$T/src/pkg-1.0"
run_in "$T" "$XRUST_TOOL" fetch -q --unpack "$T/ubad" "$URL/pkg.tar.gz" "$BAD"
is "unpack with a wrong digest fails" "$rc" 1
check "a failed unpack leaves no DIR" test ! -e "$T/ubad"
check "a failed unpack leaves no temporaries" tmp_empty

# A batch: several files at once, one line per item.
rm -rf "$XRUST_HOME"; : >"$LOG"
i=0
: >"$T/list"
while [ $i -lt 6 ]; do
  head -c $((100000 + i * 1000)) /dev/urandom >"$T/www/f$i"
  echo "$URL/f$i $(sha "$T/www/f$i") $T/bd$i" >>"$T/list"
  i=$((i + 1))
done
echo "$URL/pkg.tar.xz $Z $T/bxz 1" >>"$T/list"
echo "# a comment" >>"$T/list"
echo "$URL/pkg.tar.gz $G" >>"$T/list"
cp "$T/www/f0" "$T/www/f0.tar" 2>/dev/null
run_in "$T" env XRUST_JOBS=4 "$XRUST_TOOL" fetch-batch "$T/list"
is "batch of non-archives fails in extraction" "$rc" 1
like "the extraction error names the file" "$T/err" "^xrust: cannot unpack 'f0': "
check "the archive items of the batch still succeeded" \
  diff -r "$T/bxz" "$T/src/pkg-1.0"
check "a failed batch leaves no temporaries" tmp_empty
# One decoder at a time (XRUST_UNPACK_JOBS=1): the other extractions wait
# for it while their downloads go on, and a failing one frees it.
rm -rf "$T"/bd* "$T/bxz"
run_in "$T" env XRUST_HOME="$T/home1" XRUST_JOBS=4 XRUST_UNPACK_JOBS=1 \
  "$XRUST_TOOL" fetch-batch "$T/list"
is "one decoder at a time: the batch ends with the same failure" \
  "$rc:$(grep -c "^xrust: cannot unpack 'f[0-9]': " "$T/err")" "1:6"
check "one decoder at a time: the archive items succeeded" \
  diff -r "$T/bxz" "$T/src/pkg-1.0"
check "one decoder at a time: no temporaries" \
  test -z "$(ls -A "$T/home1/v1/tmp")"
: >"$T/list4"
i=0
while [ $i -lt 4 ]; do
  echo "$URL/pkg.tar.xz $Z $T/one$i 1" >>"$T/list4"
  i=$((i + 1))
done
run_in "$T" env XRUST_HOME="$T/home2" XRUST_UNPACK_JOBS=1 "$XRUST_TOOL" \
  fetch-batch -q "$T/list4"
is "one decoder at a time: four extractions of one download" "$rc" 0
for i in 0 1 2 3; do
  check "one decoder at a time: tree $i is right" \
    diff -r "$T/one$i" "$T/src/pkg-1.0"
done
i=0
: >"$T/list2"
while [ $i -lt 6 ]; do
  echo "$URL/f$i $(sha "$T/www/f$i")" >>"$T/list2"
  i=$((i + 1))
done
: >"$LOG"
run_in "$T" env XRUST_JOBS=3 "$XRUST_TOOL" fetch-batch "$T/list2"
is "a batch of blobs already fetched exits 0" "$rc" 0
is "and makes no request" "$(requests)" 0
rm -rf "$XRUST_HOME"
run_in "$T" env XRUST_JOBS=3 "$XRUST_TOOL" fetch-batch -q "$T/list2"
is "a fresh batch exits 0" "$rc" 0
is "one request per item" "$(requests)" 6
is "six blobs" "$(nblobs)" 6

# XRUST_JOBS bounds the transfers in flight, and finished connections are
# reused (keep-alive): six slow downloads with XRUST_JOBS=2 are served two
# at a time over two connections (the server logs each request's client
# port and how many requests it was serving at that moment).
rm -rf "$XRUST_HOME"
sed 's|/f\([0-9]\) |/fault/drip:512/f\1 |' "$T/list2" >"$T/list5"
: >"$T/conn.log"
run_in "$T" env XRUST_JOBS=2 "$XRUST_TOOL" fetch-batch -q "$T/list5"
is "XRUST_JOBS=2: a batch of six slow downloads exits 0" "$rc" 0
is "XRUST_JOBS=2: six requests" "$(grep -c ' /fault/drip' "$T/conn.log")" 6
is "XRUST_JOBS=2: two transfers at once, never more" \
  "$(cut -d' ' -f2 "$T/conn.log" | sort -n | tail -n 1)" 2
is "XRUST_JOBS=2: six requests over two reused connections" \
  "$(cut -d' ' -f1 "$T/conn.log" | sort -u | wc -l | tr -d ' ')" 2

# A server that refuses every connection: one file goes through all its
# retries, the others from that server then fail at once, naming it,
# instead of each waiting through its own (20 files, 4 at a time: five
# rounds of backoff before).  Port 9 of 127.0.0.1 has no listener here.
dead=http://127.0.0.1:9
: >"$T/list3"
i=0
while [ $i -lt 20 ]; do
  echo "$dead/f$i $(sha "$T/www/f0")" >>"$T/list3"
  i=$((i + 1))
done
echo "$URL/f1 $(sha "$T/www/f1")" >>"$T/list3"
rm -rf "$XRUST_HOME"
run_in "$T" env XRUST_JOBS=4 XRUST_FETCH_RETRIES=3 "$XRUST_TOOL" \
  fetch-batch "$T/list3"
is "a batch from a dead server fails" "$rc" 1
n_full=$(grep -c "Couldn't connect to server (after 4 attempts)" "$T/err")
n_fast=$(grep -c "^xrust: cannot fetch '$dead/f[0-9]*': $dead is unreachable (gave up after 4 attempts to fetch '$dead/f[0-9]*')$" "$T/err")
case $n_full in [1-4]) ok "at most one round of files went through every retry" ;;
  *) not_ok "at most one round of files went through every retry"
     diag "$n_full files did" ;; esac
is "every other file from it failed at once, naming the server" \
  "$((n_full + n_fast))" 20
check "the file from the live server still arrived" \
  test -f "$XRUST_HOME/v1/blobs/sha256/$(sha "$T/www/f1" | cut -c1-2)/$(sha "$T/www/f1")"
check "the dead server left no temporaries" tmp_empty

# On a terminal: one line per batch that updates in place (done/total,
# bytes, rate, ETA), replaced at the end by the summary; no start line.
if command -v script >/dev/null 2>&1; then
  rm -rf "$XRUST_HOME"
  script -qec "'$XRUST_TOOL' fetch '$URL/fault/drip:200/blob.bin' $B '$T/tty.out'" \
    "$T/tty.log" >/dev/null 2>&1
  is "on a terminal fetch exits 0" "$?" 0
  check "on a terminal DEST has the bytes" cmp -s "$T/tty.out" "$T/www/blob.bin"
  tr '\r' '\n' <"$T/tty.log" >"$T/tty.lines"
  like "the progress line has done/total, bytes, rate and ETA" "$T/tty.lines" \
    '^  FETCH   0/1  [0-9.]+ kB  [0-9.]+ kB/s  ETA [0-9]+s.\[K$'
  n_upd=$(grep -c '^  FETCH   0/1  ' "$T/tty.lines")
  check "the line is redrawn as bytes arrive ($n_upd times)" test "$n_upd" -ge 3
  like "the summary replaces the progress line" "$T/tty.lines" \
    '^.\[K  FETCH   1 file, 300.0 kB in [0-9.]+ s$'
  unlike "no start line on a terminal" "$T/tty.lines" '^  FETCH   1 file$'
else
  skip "terminal progress" "script(1) is not installed"
fi

# Small unverified downloads kept in memory (metadata): fetch --print.
echo "channel text" >"$T/www/meta.txt"
run_in "$T" "$XRUST_TOOL" fetch --print "$URL/meta.txt"
is "--print writes the body" "$rc:$(cat "$T/out")" "0:channel text"
: >"$LOG"
run_in "$T" "$XRUST_TOOL" fetch --print "$URL/fault/503:1/meta.txt"
is "--print retries a 503" "$rc:$(cat "$T/out"):$(requests)" \
  "0:channel text:2"
run_in "$T" "$XRUST_TOOL" fetch --print "$URL/nothing.toml"
is "--print 404 message" "$rc:$(cat "$T/err")" \
  "1:xrust: cannot fetch '$URL/nothing.toml': http status 404"
run_in "$T" env XRUST_OFFLINE=1 "$XRUST_TOOL" fetch --print "$URL/meta.txt"
is "--print offline message" "$rc:$(cat "$T/err")" \
  "1:xrust: offline: cannot download '$URL/meta.txt'"
run_in "$T" "$XRUST_TOOL" fetch --print "file://$T/www/meta.txt"
is "--print file://" "$rc:$(cat "$T/out")" "0:channel text"
run_in "$T" "$XRUST_TOOL" fetch --print http://example.invalid/m.toml
like "--print applies the http policy" "$T/err" "plain http is allowed only"

done_testing
