#!/bin/sh
# xrust-test: no-sanitize
# The remote layer cache end to end (issue 14) on a real WebDAV server
# (Debian's nginx with its dav module, tests/fixtures/webdav.sh), and
# reproducible, path-independent outputs, with examples/grepper for the
# four Linux targets:
#
#   a  a checkout with its own store builds with XRUST_CACHE_PUSH=1: the
#      four dependency layers land in the cache, index last;
#   b  a second checkout, deeper, with another store and xrust installed
#      elsewhere (another mk/ directory, another xrust-rustc), builds with
#      the cache: every dependency layer is a hit, no rustc compiles a
#      dependency (the process log of a RUSTC_WRAPPER), and the binaries
#      are a's, byte for byte, and run the same;
#   c  every object corrupted, a third fresh checkout still builds two
#      of the targets, after one warning line; c built every layer
#      itself, so its archives are a's, byte for byte, and no output
#      holds any checkout's path or store.
. "$(dirname "$0")/../lib.sh"

serve_fixtures "the remote layer cache against the fixtures"
dav=$T/dav
sh "$XRUST_ROOT/tests/fixtures/webdav.sh" start "$dav" >"$T/dav.log" 2>&1
case $? in
  0) ;;
  2) skip "the remote layer cache on WebDAV" "nginx is not installed (tests/deps.sh)"
     done_testing; exit 0 ;;
  *) fixture_failed "nginx serves WebDAV on loopback" "$T/dav.log" ;;
esac
trap 'sh "$XRUST_ROOT/tests/fixtures/webdav.sh" stop "$dav" >/dev/null 2>&1; _cleanup' EXIT
cache=$(cat "$dav/url")/team/cache

targets="x86_64-linux aarch64-linux x86_64-linux-gnu aarch64-linux-gnu"
export XRUST_DIST_SERVER="$SERVE_URL" XRUST_CHANNEL=1.96.0 \
  XRUST_CRATES_DL="$REGISTRY_URL/crates/{crate}/{crate}-{version}.crate"

# b includes an installed xrust: another mk/ directory than a's.
mk_run "$XRUST_ROOT" install PREFIX="$T/inst"
is "xrust installs into a second prefix" "$rc" 0

# checkout DIR MKDIR: examples/grepper in DIR, including MKDIR/xrust.mk.
checkout() {
  mkdir -p "$(dirname "$1")"
  cp -r "$XRUST_ROOT/examples/grepper" "$1"
  rm -rf "$1/out" "$1/xrust.lock"
  printf 'XRUST_TARGETS := %s\ninclude %s/xrust.mk\n' "$targets" "$2" \
    >"$1/Makefile"
}
a=$T/a/grepper
b=$T/bb/deeper/still/grepper
c=$T/c/x/grepper
checkout "$a" "$XRUST_ROOT/mk"
checkout "$b" "$T/inst/share/xrust"
checkout "$c" "$XRUST_ROOT/mk"

# The user's RUSTC_WRAPPER logs each compilation by crate name.
cat >"$T/wrap" <<'SH'
#!/bin/sh
prev= name=
for x; do
  [ "$prev" = --crate-name ] && name=$x
  prev=$x
done
# ___ is cargo asking rustc about the target, no compilation.
case $name in ''|___) ;; *) echo "$name" >>"$WRAP_LOG" ;; esac
exec "$@"
SH
chmod +x "$T/wrap"
export RUSTC_WRAPPER="$T/wrap"

# ---- a: build and push ------------------------------------------------------
WRAP_LOG=$T/a.log XRUST_HOME=$T/a/home XRUST_CACHE_URL=$cache \
  XRUST_CACHE_PUSH=1 mk_run "$a" -j2 cross-all
is "a: make -j2 cross-all with XRUST_CACHE_PUSH=1 succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
cp "$T/err" "$T/a.err"
like "a: the dependencies were compiled here" "$T/a.log" "^regex$"
unlike "a: no warning about the cache" "$T/a.err" "warning"
n=$(find "$dav/root/team/cache/xrust-v1/index" -type f | wc -l | tr -d ' ')
is "a: four index objects in the cache" "$n" 4
n=$(find "$dav/root/team/cache/xrust-v1/objects" -name '*.tar.zst' | wc -l |
  tr -d ' ')
is "a: four layer objects in the cache" "$n" 4
# Each object was stored before the index that names it.
order_ok=1
for i in "$dav/root/team/cache/xrust-v1/index"/*; do
  o=$(sed -n 's/^object //p' "$i")
  obj=$(grep -n "PUT .*/objects/$o" "$dav/access.log" | head -n 1 | cut -d: -f1)
  idx=$(grep -n "PUT .*/index/$(basename "$i")" "$dav/access.log" | tail -n 1 |
    cut -d: -f1)
  [ -n "$obj" ] && [ -n "$idx" ] && [ "$obj" -lt "$idx" ] || order_ok=0
done
is "a: every object was uploaded before its index" "$order_ok" 1

# make show V=1 marks what the cache holds; make cache-push pushes again
# (same keys: both uploads succeed).
XRUST_HOME=$T/a/home XRUST_CACHE_URL=$cache mk_run "$a" show V=1
is "a: make show V=1 succeeds" "$rc" 0
is "a: make show V=1 marks five layers the cache holds (host is x86_64-linux-gnu)" \
  "$(grep -c 'cache: dependency layer held' "$T/out")" 5
XRUST_HOME=$T/a/home XRUST_CACHE_URL=$cache mk_run "$a" cache-push
is "a: make cache-push pushes the current layers again" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
n=$(find "$dav/root/team/cache/xrust-v1/objects" -name '*.tar.zst' | wc -l |
  tr -d ' ')
is "a: make cache-push, without grepper's own outputs, stores no new object" \
  "$n" 4
mk_run "$a" cache-push XRUST_HOME="$T/a/home"
like "make cache-push without XRUST_CACHE_URL says what it needs" "$T/err" \
  "make cache-push needs XRUST_CACHE_URL"

# ---- b: a fresh checkout fetches the layers ---------------------------------
: >"$dav/access.log"
WRAP_LOG=$T/b.log XRUST_HOME=$T/bb/home-two XRUST_CACHE_URL=$cache \
  mk_run "$b" -j2 cross-all
is "b: make -j2 cross-all with the cache succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
cp "$T/err" "$T/b.err"
is "b: four layers came from the cache" "$(grep -c '^  CACHE   hit' "$T/b.err")" 4
is "b: rustc compiled grepper only (its lib and bin, for four targets)" \
  "$(sort -u "$T/b.log" | tr '\n' ' ')" "grepper "
like "b: the layers were downloaded from WebDAV" "$dav/access.log" \
  "^GET [^ ]*/objects/[0-9a-f]{64}\.tar\.zst 200"
unlike "b: nothing was uploaded without XRUST_CACHE_PUSH" "$dav/access.log" "^PUT "

mkdir -p "$T/data/sub"
printf 'alpha\nbeta gamma\n' >"$T/data/a.txt"
printf 'gamma ray\n' >"$T/data/sub/b.txt"
qemu=$(command -v qemu-aarch64)
for t in $targets; do
  case $t in
    aarch64-linux) run=$qemu ;;
    aarch64-linux-gnu) run="$qemu -L /" ;;
    *) run= ;;
  esac
  check "b: out/$t/grepper is a's, byte for byte" cmp "$a/out/$t/grepper" \
    "$b/out/$t/grepper"
  out=$(cd "$T/data" && $run "$b/out/$t/grepper" gamma . 2>&1 | sort)
  is "b: out/$t/grepper runs and finds the matches" "$out" \
    "$(printf './a.txt:2:beta gamma\n./sub/b.txt:1:gamma ray')"
done

# A second run is a no-op: the unpacked layers are in place.
: >"$T/b.log"
XRUST_HOME=$T/bb/home-two XRUST_CACHE_URL=$cache WRAP_LOG=$T/b.log \
  mk_run "$b" -j2 cross-all
is "b: the next build is a no-op" "$rc:$(cat "$T/b.log")" "0:"

# ---- c: the cache is corrupt ------------------------------------------------
# Every object damaged: c (the same targets, so the same keys as a's)
# looks its first layer up, refuses it by its checksum (one warning line),
# marks the cache down, and builds both its layers here without another
# word; nothing half-unpacked remains.  (A cache that does not answer at
# all takes the same path: tests/cli/cache.sh and cache_servers.sh.)
for o in "$dav/root/team/cache/xrust-v1/objects"/*.tar.zst; do
  printf 'garbage' | dd of="$o" bs=1 seek=1000 conv=notrunc 2>/dev/null
done
WRAP_LOG=$T/c.log XRUST_HOME=$T/c/home XRUST_CACHE_URL=$cache \
  XRUST_CACHE_PUSH=1 mk_run "$c" -j2 cross-x86_64-linux cross-aarch64-linux-gnu
is "c: with a corrupt cache, the build still succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
# The targets' cargo runs go in a row (one target directory): the first
# lookup fails and marks the cache down, the second skips it.
is "c: one warning line for two targets" \
  "$(grep -c '^xrust: warning: cache ' "$T/err")" 1
like "c: it names the checksum and says it builds locally" "$T/err" \
  "^xrust: warning: cache .*checksum.*; building locally$"
like "c: the dependencies were compiled here" "$T/c.log" "^regex$"
is "c: no temporary tree beside the layer" \
  "$(ls -a "$c/out/.xrust/x86_64-linux" | grep -c tmp)" 0
n=$(grep -c '^PUT ' "$dav/access.log")
is "c: nothing was uploaded to the cache marked down" "$n" 0

# ---- reproducible: a and c built every layer themselves ---------------------
XRUST_HOME=$T/a/home mk_run "$a" dist
is "a: make dist succeeds" "$rc" 0
is "SHA256SUMS lists four archives" \
  "$(wc -l <"$a/out/dist/SHA256SUMS" | tr -d ' ')" 4
# c's archives of its two targets, by name (`make dist` would build all).
arch=$(sed -n 's/^[0-9a-f]*  \(.*-\(x86_64-unknown-linux-musl\|aarch64-unknown-linux-gnu\)\.tar\.gz\)$/\1/p' \
  "$a/out/dist/SHA256SUMS")
is "a: SHA256SUMS names the archives of c's targets" "$(echo $arch | wc -w)" 2
XRUST_HOME=$T/c/home mk_run "$c" $(for f in $arch; do echo "$c/out/dist/$f"; done)
is "c: the archives of its two targets are made" "$rc" 0
(cd "$c/out/dist" && sha256sum $arch) >"$T/c.sums"
is "a and c: c's two archives are a's, byte for byte" \
  "$(grep -c -x -F -f "$T/c.sums" "$a/out/dist/SHA256SUMS")" 2
for p in "$T/a" "$T/c" "$T/bb"; do
  n=$(cat "$a"/out/*/grepper "$c"/out/*/grepper "$b"/out/*/grepper |
    grep -c -a -F "$p")
  is "no output holds $p" "$n" 0
done
done_testing
