#!/bin/sh
# `xrust cache`: the remote layer cache's command line over file:// and
# over a loopback PUT/GET store (tests/fixtures/putd.py).  key is
# path-independent; put/get round-trip a tree byte for byte; the object
# is reproducible; get swaps DIR atomically and, on every failure (corrupt
# or truncated object, missing object, garbage index, HTTP 500, a server
# that never answers, connection refused, wrong password), prints one
# warning line, exits 1 and leaves DIR as it was with no temporary
# behind; no password is ever printed; gc trims a file:// cache.
. "$(dirname "$0")/../lib.sh"

X=$XRUST_TOOL
unset V MAKEFLAGS XRUST_CACHE_CONNECT_TIMEOUT

# The tree under $1: type, mode, size, content hash, link target.
tree() {
  (cd "$1" && find . -mindepth 1 \( -type l -printf '%y %P -> %l\n' \) \
    -o \( -type f -printf '%y %m %s %P ' -exec sh -c \
      'sha256sum <"$1" | cut -c1-16' sh {} \; \) \
    -o -printf '%y %m %P\n' | LC_ALL=C sort)
}

# A cargo-like target directory in $1 with outputs of the workspace
# package app (and app-core, a dependency whose name starts like it).
mk_layer() {
  _d=$1/debug
  mkdir -p "$_d/deps" "$_d/.fingerprint/app-0123456789abcdef" \
    "$_d/.fingerprint/serde-fedcba9876543210" \
    "$_d/build/serde-00112233445566aa/out" "$_d/incremental"
  printf 'rlib of serde\n' >"$_d/deps/libserde-fedcba9876543210.rlib"
  printf 'dep-info\n' >"$_d/deps/serde-fedcba9876543210.d"
  printf 'app rlib\n' >"$_d/deps/libapp-0123456789abcdef.rlib"
  printf 'app bin\n' >"$_d/deps/app-0123456789abcdef"
  chmod 755 "$_d/deps/app-0123456789abcdef"
  printf 'core\n' >"$_d/deps/libapp_core-0011223344556677.rlib"
  printf 'fp\n' >"$_d/.fingerprint/app-0123456789abcdef/lib-app"
  printf 'fp\n' >"$_d/.fingerprint/serde-fedcba9876543210/lib-serde"
  printf 'gen\n' >"$_d/build/serde-00112233445566aa/out/gen.rs"
  printf '#!/bin/sh\n' >"$_d/build/serde-00112233445566aa/build-script"
  chmod 755 "$_d/build/serde-00112233445566aa/build-script"
  printf 'x\n' >"$_d/app"
  printf 'x\n' >"$_d/app.d"
  printf 'x\n' >"$_d/libapp.rlib"
  printf 'x\n' >"$_d/libapp_core.rlib"
  ln -s deps/libserde-fedcba9876543210.rlib "$_d/serde-link"
  ln "$_d/deps/serde-fedcba9876543210.d" "$_d/hardlinked.d"
  # A long path, past ustar's 100 characters.
  _long=$_d/build/serde-00112233445566aa/out/a-directory-name-that-is-long
  mkdir -p "$_long/and-another-one-that-is-just-as-long-as-the-first"
  printf 'deep\n' \
    >"$_long/and-another-one-that-is-just-as-long-as-the-first/file.rs"
}

# no_temps DIR: nothing named *.tmp-* beside or inside DIR's parent.
no_temps() {
  [ -z "$(find "$(dirname "$1")" -maxdepth 1 -name '*.tmp-*')" ]
}

K0=0000000000000000000000000000000000000000000000000000000000000000

# ---- key ----
mkdir -p "$T/a/stub/src" "$T/b/deeper/elsewhere/stub/src"
for s in "$T/a/stub" "$T/b/deeper/elsewhere/stub"; do
  printf '[package]\nname = "deps"\n' >"$s/Cargo.toml"
  printf '' >"$s/src/lib.rs"
  mkdir -p "$s/target/debug"
  printf 'ignored\n' >"$s/target/debug/x"
done
printf 'target x86_64-unknown-linux-gnu\nprofile debug\n' >"$T/record"
run_in "$T" "$X" cache key "$T/record" "$T/a/stub"
is "cache key exits 0" "$rc" 0
like "it prints 64 hex digits" "$T/out" '^[0-9a-f]{64}$'
ka=$(cat "$T/out")
kb=$("$X" cache key "$T/record" "$T/b/deeper/elsewhere/stub")
is "the same stub in another directory gives the same key" "$kb" "$ka"
printf 'changed\n' >"$T/a/stub/target/debug/x"
is "files under target/ do not enter the key" \
  "$("$X" cache key "$T/record" "$T/a/stub")" "$ka"
printf '// changed\n' >"$T/a/stub/src/lib.rs"
kc=$("$X" cache key "$T/record" "$T/a/stub")
check "a changed stub file changes the key" test "$kc" != "$ka"
printf 'profile release\n' >"$T/record2"
kd=$("$X" cache key "$T/record2" "$T/b/deeper/elsewhere/stub")
check "a changed record changes the key" test "$kd" != "$ka"
run_in "$T" "$X" cache key "$T/nope" "$T/a/stub"
is "a missing record is an error (exit 2)" "$rc" 2
like "it names the record" "$T/err" "^xrust: .*'$(re "$T/nope")'"

# ---- file:// round trip ----
K=$ka
FURL=file://$T/fcache
mk_layer "$T/L1"
run_in "$T" "$X" cache put "$FURL" "$K" "$T/L1"
is "cache put over file:// exits 0" "$rc" 0
like "it prints one push line" "$T/err" "^  CACHE   push ${K%????????????????????????????????????????????????????} "
check "the index is there" test -f "$T/fcache/xrust-v1/index/$K"
nobj=$(ls "$T/fcache/xrust-v1/objects" | wc -l)
is "one object is there" "$nobj" 1
obj1=$(ls "$T/fcache/xrust-v1/objects")
like "the index names it" "$T/fcache/xrust-v1/index/$K" \
  "^object ${obj1%.tar.zst}$"
check "the object is its own SHA-256" test \
  "$(sha "$T/fcache/xrust-v1/objects/$obj1").tar.zst" = "$obj1"
check "put leaves no temporary beside DIR" no_temps "$T/L1"

run_in "$T" "$X" cache has "$FURL" "$K"
is "cache has: present is exit 0" "$rc" 0
run_in "$T" "$X" cache has "$FURL" "$K0"
is "cache has: absent is exit 1" "$rc" 1

run_in "$T" "$X" cache get "$FURL" "$K" "$T/got/target"
is "cache get of a pushed key exits 0" "$rc" 0
like "it prints one hit line" "$T/err" "^  CACHE   hit [0-9a-f]{12} \([0-9.]+ [kM]?B in [0-9.]+ s\)$"
is "... and nothing else" "$(wc -l <"$T/err" | tr -d ' ')" 1
tree "$T/L1" >"$T/tree.want"
tree "$T/got/target" >"$T/tree.got"
if cmp -s "$T/tree.want" "$T/tree.got"; then
  ok "the tree after get is byte-identical (modes, links, contents)"
else
  not_ok "the tree after get is byte-identical (modes, links, contents)"
  diff "$T/tree.want" "$T/tree.got" | sed 's/^/# /' | head -20
fi
check "get leaves no temporary" no_temps "$T/got/target"
check "extracted files are newer than the sources they come from" \
  test "$T/got/target/debug/app" -nt "$T/a/stub/src/lib.rs"
run_in "$T" "$X" cache get -q "$FURL" "$K" "$T/got2"
is "get -q prints nothing" "$(cat "$T/err")" ""
run_in "$T" env MAKEFLAGS=s "$X" cache get "$FURL" "$K" "$T/got3"
is "get under make -s prints nothing" "$(cat "$T/err")" ""

# Reproducible: the same tree elsewhere, with other mtimes, packs to the
# same object.
mkdir -p "$T/elsewhere/deeper"
mk_layer "$T/elsewhere/deeper/L2"
find "$T/elsewhere" -exec touch -h -d '2001-02-03 04:05:06' {} +
"$X" cache put -q "$FURL" "$K" "$T/elsewhere/deeper/L2"
is "the same tree put again gives the same object" \
  "$(ls "$T/fcache/xrust-v1/objects")" "$obj1"
cp "$T/fcache/xrust-v1/index/$K" "$T/index.1"

# --exclude-crate
"$X" cache put -q "$FURL" "$kc" "$T/L1" --exclude-crate app
"$X" cache get -q "$FURL" "$kc" "$T/ex"
(cd "$T/ex" && find . | LC_ALL=C sort) >"$T/ex.list"
unlike "--exclude-crate app drops deps/libapp-HASH.rlib" "$T/ex.list" \
  'deps/libapp-0123456789abcdef'
unlike "... deps/app-HASH" "$T/ex.list" 'deps/app-0123456789abcdef$'
unlike "... .fingerprint/app-HASH" "$T/ex.list" '\.fingerprint/app-'
unlike "... the profile directory's app, app.d, libapp.rlib" "$T/ex.list" \
  '^\./debug/(app|app\.d|libapp\.rlib)$'
like "it keeps the dependency app-core's rlib" "$T/ex.list" \
  'deps/libapp_core-0011223344556677\.rlib$'
like "... and its profile-directory file" "$T/ex.list" \
  '^\./debug/libapp_core\.rlib$'
like "... and other dependencies" "$T/ex.list" \
  'deps/libserde-fedcba9876543210\.rlib$'

# --only: a target directory shared by several triples gives each
# triple's layer the host's profile directory and that triple's only.
mkdir -p "$T/shared"
mk_layer "$T/shared"
mk_layer "$T/shared/x86_64-unknown-linux-musl"
mk_layer "$T/shared/aarch64-unknown-linux-musl"
printf 'tag\n' >"$T/shared/CACHEDIR.TAG"
OURL=file://$T/ocache
KO=2222222222222222222222222222222222222222222222222222222222222222
"$X" cache put -q "$OURL" "$KO" "$T/shared" --only debug \
  --only aarch64-unknown-linux-musl
"$X" cache get -q "$OURL" "$KO" "$T/only"
is "--only debug --only TRIPLE: only those two entries" \
  "$(ls -A "$T/only" | tr '\n' ' ')" "aarch64-unknown-linux-musl debug "
check "... whole" test -f \
  "$T/only/aarch64-unknown-linux-musl/debug/deps/libserde-fedcba9876543210.rlib"
run_in "$T" "$X" cache put -q "$OURL" "$KO" "$T/shared" --only debug/deps
is "--only with a path is refused" "$rc" 2
like "... saying what it expects" "$T/err" \
  "^xrust: invalid --only 'debug/deps' \(expected the name of an entry directly under DIR\)$"

# ---- get replaces DIR atomically ----
mkdir -p "$T/dir/target/debug"
printf 'stale\n' >"$T/dir/target/debug/stale"
"$X" cache get -q "$FURL" "$K" "$T/dir/target"
check "get replaces an existing DIR" test ! -e "$T/dir/target/debug/stale"
check "... with the layer" test -f "$T/dir/target/debug/deps/libserde-fedcba9876543210.rlib"
check "... leaving no temporary" no_temps "$T/dir/target"

# ---- failures leave DIR untouched ----
# fails NAME URL REGEX: get exits 1 with one warning line matching REGEX,
# and DIR keeps its old tree with no temporary beside it.
fails() {
  rm -rf "$T/keep"
  mkdir -p "$T/keep/target"
  printf 'old\n' >"$T/keep/target/old"
  run_in "$T" "$X" cache get "$2" "$K" "$T/keep/target"
  is "$1: get exits 1" "$rc" 1
  is "$1: one line on stderr" "$(wc -l <"$T/err" | tr -d ' ')" 1
  like "$1: a warning naming the cache, then building locally" "$T/err" \
    "^xrust: warning: cache $(re "${2%%://*}")://[^ ]*: $3.*; building locally$"
  is "$1: DIR is untouched" "$(ls "$T/keep/target")" old
  check "$1: no temporary is left" no_temps "$T/keep/target"
}

cp -R "$T/fcache" "$T/bad"
o=$T/bad/xrust-v1/objects/$obj1
# Same size, one byte changed.
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[len(b)//2]^=1; open(p,"wb").write(b)' "$o"
fails "a corrupt object" "file://$T/bad" "checksum mismatch"
cp "$T/fcache/xrust-v1/objects/$obj1" "$o"
head -c 100 "$T/fcache/xrust-v1/objects/$obj1" >"$o"
fails "a truncated object" "file://$T/bad" "truncated object"
rm -f "$o"
fails "an index naming a missing object" "file://$T/bad" \
  "the index names the object [0-9a-f]{12}, which the cache does not have"
printf 'xrust-layer 1\nobject nothex\n' >"$T/bad/xrust-v1/index/$K"
fails "a garbage index" "file://$T/bad" "[^ ]*index/$K:2: expected 'object <sha256>'"

run_in "$T" "$X" cache get "$FURL" "$K0" "$T/miss"
is "a plain miss exits 1" "$rc" 1
is "... silently" "$(cat "$T/err")" ""
run_in "$T" "$X" cache get -v "$FURL" "$K0" "$T/miss"
like "... with one line under -v" "$T/err" "^  CACHE   miss 000000000000$"
check "... and DIR is not created" test ! -e "$T/miss"

run_in "$T" "$X" cache get "$FURL" nothex "$T/miss"
is "an invalid key is a usage error (exit 2)" "$rc" 2
run_in "$T" "$X" cache get "ftp://u:hunter2@host/x" "$K" "$T/miss"
is "an unsupported scheme: get exits 1" "$rc" 1
like "... with a warning without the password" "$T/err" \
  "^xrust: warning: cache ftp://host/x: invalid cache URL 'ftp://host/x': .*; building locally$"

# ---- gc ----
cp -R "$T/fcache" "$T/gc"
touch -d '30 days ago' "$T/gc/xrust-v1/index/$K" \
  "$T/gc/xrust-v1/objects/$obj1"
run_in "$T" "$X" cache gc "file://$T/gc" --max-age 7
is "cache gc exits 0" "$rc" 0
like "it reports what it removed" "$T/out" \
  "^removed 1 index entries and 1 objects \([0-9.]+ [kM]?B\); kept 1 index entries and 1 objects$"
check "the old index is gone" test ! -e "$T/gc/xrust-v1/index/$K"
check "the object only it named is gone" \
  test ! -e "$T/gc/xrust-v1/objects/$obj1"
check "the recent index stays" test -e "$T/gc/xrust-v1/index/$kc"
run_in "$T" "$X" cache gc "s3://bucket/prefix" --max-age 7
is "gc of an s3:// cache is an error (exit 2)" "$rc" 2
like "it points at the lifecycle rules" "$T/err" \
  "lifecycle expiration rule.*find -mtime"

# ---- over HTTP ----
# start_putd NAME [ARGS]: putd.py in $T/NAME; sets PURL (no trailing /)
# and PLOG.
start_putd() {
  _pd=$1
  shift
  mkdir -p "$T/$_pd/root"
  python3 "$XRUST_ROOT/tests/fixtures/putd.py" --root "$T/$_pd/root" \
    --port-file "$T/$_pd/port" --log "$T/$_pd/log" "$@" 2>"$T/$_pd/err" &
  watch_pid $!
  PPID_LAST=$!
  _i=0
  while [ ! -s "$T/$_pd/port" ]; do
    _i=$((_i + 1))
    [ $_i -gt 100 ] && { not_ok "putd.py starts"; done_testing; exit 1; }
    sleep 0.1
  done
  PORT=$(cat "$T/$_pd/port")
  PLOG=$T/$_pd/log
}

PW=s3cr3t-pass
start_putd dav --auth "ci:$PW"
HURL=http://ci:$PW@127.0.0.1:$PORT/cache/team
SHOWN=http://127.0.0.1:$PORT/cache/team
run_in "$T" "$X" cache put -v "$HURL" "$K" "$T/L1"
is "put over http exits 0" "$rc" 0
check "the object landed under the URL's path" \
  test -f "$T/dav/root/cache/team/xrust-v1/objects/$obj1"
check "the index too" test -f "$T/dav/root/cache/team/xrust-v1/index/$K"
like "-v names each request with the URL without the password" "$T/err" \
  "^  CACHE   PUT $(re "$SHOWN")/xrust-v1/index/$K$"
cat "$T/out" "$T/err" >"$T/all.out"
run_in "$T" "$X" cache put -v "$HURL" "$K" "$T/L1"
like "a second put finds the object with HEAD and skips its upload" \
  "$T/err" "HEAD $(re "$SHOWN")/xrust-v1/objects/$obj1$"
unlike "... sending only the index" "$T/err" "PUT .*objects/"
cat "$T/out" "$T/err" >>"$T/all.out"
run_in "$T" "$X" cache get -v "$HURL" "$K" "$T/hget"
is "get over http exits 0" "$rc" 0
cat "$T/out" "$T/err" >>"$T/all.out"
tree "$T/hget" >"$T/tree.got"
check "the tree after an http get is byte-identical" \
  cmp -s "$T/tree.want" "$T/tree.got"
run_in "$T" "$X" cache has "$HURL" "$K"
is "has over http: present" "$rc" 0
run_in "$T" "$X" cache has "$HURL" "$K0"
is "has over http: absent" "$rc" 1
like "requests carried the credentials" "$PLOG" "^GET .* 200 auth$"

run_in "$T" "$X" cache get -v "http://ci:wrong-$PW@127.0.0.1:$PORT/cache/team" \
  "$K" "$T/denied"
is "a wrong password: get exits 1" "$rc" 1
like "... access denied, building locally" "$T/err" \
  "^xrust: warning: cache $(re "$SHOWN"): GET [^ ]*: access denied \(HTTP 401\); building locally$"
cat "$T/out" "$T/err" >>"$T/all.out"
run_in "$T" "$X" cache put "http://ci:wrong-$PW@127.0.0.1:$PORT/cache/team" \
  "$K" "$T/L1"
is "a wrong password: put exits 1" "$rc" 1
like "... one warning line, not pushed" "$T/err" \
  "^xrust: warning: cache $(re "$SHOWN"): .*access denied \(HTTP 401\); not pushed$"
cat "$T/out" "$T/err" >>"$T/all.out"
unlike "no output ever shows the password" "$T/all.out" "$PW"

start_putd e500 --status 500
fails "HTTP 500" "http://127.0.0.1:$PORT/c" "GET [^ ]*: HTTP 500"
is "a 500 is retried once" "$(grep -c '^GET ' "$PLOG")" 2
run_in "$T" "$X" cache has "http://127.0.0.1:$PORT/c" "$K"
is "has on a failing server exits 2" "$rc" 2

start_putd hang --hang
XRUST_CACHE_CONNECT_TIMEOUT=1 timeout 60 "$X" cache get \
  "http://127.0.0.1:$PORT/c" "$K" "$T/keep/target" 2>"$T/err"
is "a server that never answers: get returns, exit 1" "$?" 1
like "... with one warning line" "$T/err" \
  "^xrust: warning: cache http://127\.0\.0\.1:$PORT/c: GET [^ ]*: .*; building locally$"

# A port nothing listens on: the hang server's, once stopped.
stop_server "$PPID_LAST"
sleep 0.2
fails "connection refused" "http://127.0.0.1:$PORT/c" "GET [^ ]*: .*"

done_testing
