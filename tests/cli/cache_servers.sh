#!/bin/sh
# `xrust cache put/has/get` against real servers on loopback: Debian's
# nginx with its dav module (tests/fixtures/webdav.sh, basic auth) and an
# S3-protocol server that checks AWS Signature V4 (tests/fixtures/
# s3rver.sh).  A layer goes up and comes back as the same tree; a second
# put of a key succeeds; a wrong password or secret, and a server that is
# gone, end in exit 1 with one warning line, quickly, and no credential
# appears in any output (-v included).  S3 credentials come from the
# environment, then from a credentials file with a named profile.
. "$(dirname "$0")/../lib.sh"

export HOME=$T/home
mkdir -p "$HOME"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE \
  AWS_SHARED_CREDENTIALS_FILE AWS_REGION AWS_DEFAULT_REGION \
  AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 XRUST_S3_PATH_STYLE \
  XRUST_CACHE_CONNECT_TIMEOUT

# Secrets that no output may contain; random, so a hit is no accident.
rnd=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
PASS=pw$rnd
BADPASS=bad$rnd
SECRET=sk/$rnd+Z
BADSECRET=wrongsk$rnd

# The layer: nested directories, an executable, an empty file, a symlink
# and a binary file of 300 KiB.
src=$T/layer
mkdir -p "$src/release/deps" "$src/release/.fingerprint/serde-0123456789abcdef" \
  "$src/release/build/empty"
head -c 307200 /dev/urandom >"$src/release/deps/libserde-0123456789abcdef.rlib"
printf 'fingerprint\n' >"$src/release/.fingerprint/serde-0123456789abcdef/lib-serde"
printf '#!/bin/sh\necho hi\n' >"$src/release/build/run.sh"
chmod 755 "$src/release/build/run.sh"
: >"$src/release/.cargo-lock"
ln -s deps/libserde-0123456789abcdef.rlib "$src/release/libserde.rlib"
chmod -R go-w "$src"

# listing DIR: one line an entry (type, relative path, executable bit,
# content hash or link target), sorted.
listing() {
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do
    if [ -L "$p" ]; then echo "l $p -> $(readlink "$p")"
    elif [ -d "$p" ]; then echo "d $p"
    elif [ -x "$p" ]; then echo "x $p $(sha "$p")"
    else echo "f $p $(sha "$p")"
    fi
  done)
}
listing "$src" >"$T/want.list"

K1=$(printf 'layer one %s' "$rnd" | sha256sum | cut -c1-64)
K2=$(printf 'layer two %s' "$rnd" | sha256sum | cut -c1-64)
K1_12=$(echo "$K1" | cut -c1-12)

# all_outputs: every output of the tool so far, for the credential checks.
: >"$T/all"
keep() { cat "$T/out" "$T/err" >>"$T/all"; }
xc() { run_in "$T" "$XRUST_TOOL" cache "$@"; keep; }
# xce VAR=VALUE ARGS...: xc with one more variable in its environment.
xce() { _e=$1; shift; run_in "$T" env "$_e" "$XRUST_TOOL" cache "$@"; keep; }
nlines() { wc -l <"$1" | tr -d ' '; }

# warning_line DESC URL TAIL: stderr is exactly one line, the warning for
# URL ending in TAIL.
warning_line() {
  is "$1: one line on stderr" "$(nlines "$T/err")" 1
  like "$1: it is the cache warning naming $2" "$T/err" \
    "^xrust: warning: cache $(re "$2"): .+; $3\$"
}

# A directory that no failed get may touch.
mkdir -p "$T/keep"
echo old >"$T/keep/file"

# ---------------------------------------------------------------- WebDAV
start_webdav "$T/dav" --auth "xrust:$PASS"
st=$?
if [ $st -eq 2 ]; then
  skip "WebDAV round trip" "nginx is not installed ($(cat "$T/dav/start.err"))"
elif [ $st -ne 0 ]; then
  fixture_failed "nginx starts as a WebDAV store" "$T/dav/start.err"
else
  host=${WEBDAV_URL#http://}
  plain=http://$host/team/cache
  url=http://xrust:$PASS@$host/team/cache

  xc put "$url" "$K1" "$src"
  is "webdav: put exits 0" "$rc" 0
  [ "$rc" -eq 0 ] || diag_file "$T/err"
  idx=$WEBDAV_ROOT/team/cache/xrust-v1/index/$K1
  check "webdav: the index object is stored under xrust-v1/index/KEY" test -f "$idx"
  obj=$(sed -n 's/^object \([0-9a-f]\{64\}\)$/\1/p' "$idx" 2>/dev/null)
  like "webdav: the index says xrust-layer 1" "$idx" '^xrust-layer 1$'
  like "webdav: the index names the format" "$idx" '^format tar\.zst$'
  objf=$WEBDAV_ROOT/team/cache/xrust-v1/objects/$obj.tar.zst
  if [ -n "$obj" ] && [ -f "$objf" ]; then
    is "webdav: the object's SHA-256 is the one the index names" "$(sha "$objf")" "$obj"
    is "webdav: the index gives the object's size" \
      "$(sed -n 's/^size //p' "$idx")" "$(wc -c <"$objf" | tr -d ' ')"
  else
    not_ok "webdav: the object the index names is stored"
    diag "object '$obj'" "$(find "$WEBDAV_ROOT" -type f)"
  fi
  # The index goes up last, so a reader never sees half a layer.
  last=$(grep '^PUT ' "$WEBDAV_LOG" | tail -n 1)
  case $last in
    "PUT /team/cache/xrust-v1/index/$K1 "*) ok "webdav: no PUT follows the index's" ;;
    *) not_ok "webdav: no PUT follows the index's"; diag "last: $last" ;;
  esac

  xc has "$url" "$K1"
  is "webdav: has finds the key" "$rc" 0
  xc has "$url" "$K2"
  is "webdav: has says 1 for an absent key" "$rc" 1

  xc get "$url" "$K1" "$T/got"
  is "webdav: get exits 0 (hit)" "$rc" 0
  [ "$rc" -eq 0 ] || diag_file "$T/err"
  listing "$T/got" >"$T/got.list" 2>/dev/null
  if cmp -s "$T/want.list" "$T/got.list"; then
    ok "webdav: the tree that comes back is the one put"
  else
    not_ok "webdav: the tree that comes back is the one put"
    diff "$T/want.list" "$T/got.list" | head -n 20 | sed 's/^/# /'
  fi
  like "webdav: get prints the hit line" "$T/err" "^  CACHE   hit $K1_12 \("

  xc get "$url" "$K2" "$T/keep"
  is "webdav: get of an absent key exits 1" "$rc" 1
  is "webdav: a plain miss prints nothing" "$(cat "$T/err")" ""
  is "webdav: a miss leaves the directory as it was" "$(ls -A "$T/keep")" file

  xc put "$url" "$K1" "$src"
  is "webdav: a second put of the same key succeeds" "$rc" 0
  [ "$rc" -eq 0 ] || diag_file "$T/err"

  # Two machines pushing one key at the same moment both succeed.
  K3=$(printf 'layer three %s' "$rnd" | sha256sum | cut -c1-64)
  "$XRUST_TOOL" cache put -q "$url" "$K3" "$src" 2>"$T/p1.err" & p1=$!
  "$XRUST_TOOL" cache put -q "$url" "$K3" "$src" 2>"$T/p2.err" & p2=$!
  wait $p1; r1=$?
  wait $p2; r2=$?
  is "webdav: two puts of one key at once both succeed" "$r1:$r2" 0:0
  xc get "$url" "$K3" "$T/got3"
  is "webdav: and the key is then a hit" "$rc" 0

  # A wrong password: 401 is a failure, not a miss.
  bad=http://xrust:$BADPASS@$host/team/cache
  xc get "$bad" "$K1" "$T/keep"
  is "webdav: get with a wrong password exits 1" "$rc" 1
  warning_line "webdav: wrong password, get" "$plain" "building locally"
  is "webdav: nothing is unpacked on a refusal" "$(cat "$T/keep/file")" old
  xc put "$bad" "$K2" "$src"
  is "webdav: put with a wrong password exits 1" "$rc" 1
  warning_line "webdav: wrong password, put" "$plain" "not pushed"
  xc has "$bad" "$K1"
  is "webdav: has with a wrong password exits 2" "$rc" 2
  xc get -v "$bad" "$K1" "$T/keep"
  is "webdav: get -v with a wrong password exits 1" "$rc" 1
  xc get -v "$url" "$K1" "$T/got2"
  is "webdav: get -v exits 0" "$rc" 0

  # The server gone: a warning, at once.
  stop_webdav "$T/dav"
  t0=$(date +%s)
  xc get "$url" "$K1" "$T/keep"
  t1=$(date +%s)
  is "webdav: get with the server stopped exits 1" "$rc" 1
  warning_line "webdav: server stopped" "$plain" "building locally"
  check "webdav: ... within 12 s (took $((t1 - t0)) s)" test $((t1 - t0)) -le 12
fi

# ---------------------------------------------------------------- S3
XRUST_S3RVER_KEY="AKIDXRUSTTEST:$SECRET" start_s3 "$T/s3" xrust-cache
st=$?
if [ $st -eq 2 ]; then
  skip "S3 round trip" "$(tail -n 1 "$T/s3/start.err")"
elif [ $st -ne 0 ]; then
  fixture_failed "the S3 server starts" "$T/s3/start.err"
else
  s3=s3://xrust-cache/ci/layers
  export AWS_ENDPOINT_URL=$S3_URL AWS_REGION=us-east-1
  export AWS_ACCESS_KEY_ID=AKIDXRUSTTEST AWS_SECRET_ACCESS_KEY=$SECRET

  xc put "$s3" "$K1" "$src"
  is "s3: put exits 0" "$rc" 0
  [ "$rc" -eq 0 ] || { diag_file "$T/err"; diag_file "$S3_LOG"; }
  like "s3: the object went up path-style under the prefix" "$S3_LOG" \
    '^PUT /xrust-cache/ci/layers/xrust-v1/objects/[0-9a-f]{64}\.tar\.zst 200$'
  last=$(grep '^PUT ' "$S3_LOG" | tail -n 1)
  is "s3: the index went up last" "$last" \
    "PUT /xrust-cache/ci/layers/xrust-v1/index/$K1 200"

  xc has "$s3" "$K1"
  is "s3: has finds the key" "$rc" 0
  xc has "$s3" "$K2"
  is "s3: has says 1 for an absent key" "$rc" 1

  xc get "$s3" "$K1" "$T/s3got"
  is "s3: get exits 0 (hit)" "$rc" 0
  [ "$rc" -eq 0 ] || diag_file "$T/err"
  listing "$T/s3got" >"$T/s3got.list" 2>/dev/null
  if cmp -s "$T/want.list" "$T/s3got.list"; then
    ok "s3: the tree that comes back is the one put"
  else
    not_ok "s3: the tree that comes back is the one put"
    diff "$T/want.list" "$T/s3got.list" | head -n 20 | sed 's/^/# /'
  fi
  xc put "$s3" "$K1" "$src"
  is "s3: a second put of the same key succeeds" "$rc" 0

  # A wrong secret: the server answers 403 SignatureDoesNotMatch.
  n0=$(grep -c ' 403$' "$S3_LOG")
  xce AWS_SECRET_ACCESS_KEY=$BADSECRET get "$s3" "$K1" "$T/keep"
  is "s3: get with a wrong secret exits 1" "$rc" 1
  warning_line "s3: wrong secret, get" "$s3" "building locally"
  if grep -Eqi 'access denied|signature' "$T/err"; then
    ok "s3: the warning says access was denied"
  else
    not_ok "s3: the warning says access was denied"; diag_file "$T/err"
  fi
  check "s3: the server refused the signature (403 logged)" \
    test "$(grep -c ' 403$' "$S3_LOG")" -gt "$n0"
  xce AWS_SECRET_ACCESS_KEY=$BADSECRET put "$s3" "$K2" "$src"
  is "s3: put with a wrong secret exits 1" "$rc" 1
  warning_line "s3: wrong secret, put" "$s3" "not pushed"
  xce AWS_SECRET_ACCESS_KEY=$BADSECRET get -v "$s3" "$K1" "$T/keep"
  is "s3: get -v with a wrong secret exits 1" "$rc" 1
  # (a session token is sent as x-amz-security-token: never shown either)
  xce AWS_SESSION_TOKEN=tok$rnd get -v "$s3" "$K1" "$T/s3got2"

  # Credentials from a credentials file: the named profile, not default.
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  cat >"$T/credentials" <<EOF
[default]
aws_access_key_id = AKIDXRUSTTEST
aws_secret_access_key = $BADSECRET

[xrust-ci]
aws_access_key_id = AKIDXRUSTTEST
aws_secret_access_key = $SECRET
EOF
  export AWS_SHARED_CREDENTIALS_FILE=$T/credentials
  xce AWS_PROFILE=xrust-ci has "$s3" "$K1"
  is "s3: has with AWS_PROFILE's keys from AWS_SHARED_CREDENTIALS_FILE" "$rc" 0
  xce AWS_PROFILE=xrust-ci get "$s3" "$K1" "$T/s3prof"
  is "s3: get with the profile's keys exits 0" "$rc" 0
  listing "$T/s3prof" >"$T/s3prof.list" 2>/dev/null
  check "s3: ... and brings the same tree" cmp -s "$T/want.list" "$T/s3prof.list"
  xc get "$s3" "$K1" "$T/keep"
  is "s3: without AWS_PROFILE the default profile (a wrong secret) is used" "$rc" 1

  # The server gone.
  export AWS_PROFILE=xrust-ci
  stop_s3 "$T/s3"
  t0=$(date +%s)
  xc get "$s3" "$K1" "$T/keep"
  t1=$(date +%s)
  is "s3: get with the server stopped exits 1" "$rc" 1
  warning_line "s3: server stopped" "$s3" "building locally"
  check "s3: ... within 12 s (took $((t1 - t0)) s)" test $((t1 - t0)) -le 12
  is "s3: the directory is as it was" "$(cat "$T/keep/file")" old
fi

# ---------------------------------------------------------------- secrets
found=
for s in "$PASS" "$BADPASS" "$SECRET" "$BADSECRET" "tok$rnd"; do
  ! grep -Fq -- "$s" "$T/all" || found="$found $s"
done
if [ -z "$found" ]; then
  ok "no output of the tool contains a password, secret key or session token"
else
  not_ok "no output of the tool contains a password, secret key or session token"
  for s in $found; do grep -F -- "$s" "$T/all" | head -n 3 | sed 's/^/#   /'; done
fi
check "the tool produced output to check" test -s "$T/all"

done_testing
