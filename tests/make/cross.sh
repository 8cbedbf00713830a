#!/bin/sh
# xrust-test: no-sanitize
# The per-target rules end to end (issues 4 and 5): a hello crate built
# with `make -j2 cross-all` for the four Linux targets from the loopback
# dist fixture, every binary run (arm64 under qemu), the musl ones static
# and linked by the toolchain's own rust-lld; then show, dist (twice, the
# same bytes), clean, and help, which never touch the network.
. "$(dirname "$0")/../lib.sh"

serve_dist_fixture "cross builds against the dist fixture"

p=$T/hello
cp -r "$XRUST_ROOT/tests/fixtures/hello" "$p"
cat >"$p/Makefile" <<MK
XRUST_TARGETS := x86_64-linux aarch64-linux x86_64-linux-gnu aarch64-linux-gnu
include $XRUST_ROOT/mk/xrust.mk
MK
export XRUST_HOME="$T/home" XRUST_DIST_SERVER="$SERVE_URL" XRUST_CHANNEL=1.96.0

mk_run "$p" -j2 cross-all
is "make -j2 cross-all succeeds" "$rc" 0
[ "$rc" = 0 ] || { diag_file "$T/err"; }

qemu=$(command -v qemu-aarch64)
for t in x86_64-linux aarch64-linux x86_64-linux-gnu aarch64-linux-gnu; do
  bin=$p/out/$t/hello
  check "out/$t/hello exists" test -x "$bin"
  case $t in
    x86_64-linux) want="hello from x86_64-musl (unwind ok)"; run= ;;
    aarch64-linux) want="hello from aarch64-musl (unwind ok)"; run=$qemu ;;
    x86_64-linux-gnu) want="hello from x86_64-gnu (unwind ok)"; run= ;;
    aarch64-linux-gnu) want="hello from aarch64-gnu (unwind ok)"; run="$qemu -L /" ;;
  esac
  out=$($run "$bin" 2>&1 | head -n 1)
  is "out/$t/hello runs and prints its target" "$out" "$want"
  case $t in
    *-gnu) ;;
    *)
      if readelf -lW "$bin" | grep -q INTERP; then
        not_ok "out/$t/hello is static (no PT_INTERP)"
      else
        ok "out/$t/hello is static (no PT_INTERP)"
      fi
      readelf -p .comment "$bin" >"$T/comment" 2>&1
      like "out/$t/hello was linked by rust-lld" "$T/comment" "Linker: .*LLD"
      ;;
  esac
done

mk_run "$p" show
is "make show succeeds" "$rc" 0
like "show lists the aarch64 musl binary" "$T/out" \
  "cross-aarch64-linux +aarch64-unknown-linux-musl +out/aarch64-linux/hello$"

mk_run "$p" dist
is "make dist succeeds" "$rc" 0
check "dist has SHA256SUMS" test -f "$p/out/dist/SHA256SUMS"
is "SHA256SUMS lists the four archives" \
  "$(wc -l <"$p/out/dist/SHA256SUMS" | tr -d ' ')" 4
check "the sums verify" sh -c "cd '$p/out/dist' && sha256sum -c SHA256SUMS >/dev/null"
check "the archive names the crate, version and triple" \
  test -f "$p/out/dist/hello-0.1.0-aarch64-unknown-linux-musl.tar.gz"
tar -tvzf "$p/out/dist/hello-0.1.0-aarch64-unknown-linux-musl.tar.gz" >"$T/tv"
like "archive entries belong to uid 0 with a fixed mtime" "$T/tv" \
  "^-rwxr-xr-x 0/0 .* hello$"
cp "$p/out/dist/SHA256SUMS" "$T/sums1"
rm -rf "$p/out/dist"
touch "$p/out/x86_64-linux/.stamp"
mk_run "$p" dist
is "a second dist gives the same bytes" "$(cat "$p/out/dist/SHA256SUMS")" \
  "$(cat "$T/sums1")"

# Entry mtimes: SOURCE_DATE_EPOCH when set, else the last commit of the
# crate, else 0 (this copy is no git repository).
a=$p/out/dist/hello-0.1.0-x86_64-unknown-linux-musl.tar.gz
mtime() { TZ=UTC tar --full-time -tvzf "$a" | awk '{print $4" "$5}'; }
is "outside git the entries are dated 0" "$(mtime)" "1970-01-01 00:00:00"
rm -rf "$p/out/dist"
mk_run "$p" dist SOURCE_DATE_EPOCH=1700000000
is "SOURCE_DATE_EPOCH dates the entries" "$rc:$(mtime)" \
  "0:$(date -u -d @1700000000 '+%F %T')"
(cd "$p" && git init -q && git add -A &&
  GIT_COMMITTER_DATE='@1750000000 +0000' git -c user.name=t \
    -c user.email=t@example.com commit -qm release) >/dev/null 2>&1
rm -rf "$p/out/dist"
mk_run "$p" dist
is "in git the last commit dates the entries" "$rc:$(mtime)" \
  "0:$(date -u -d @1750000000 '+%F %T')"
rm -rf "$p/.git"

n=$(wc -l <"$SERVE_LOG" | tr -d ' ')
stop_server "$SERVE_PID"
for g in help show clean; do
  mk_run "$p" $g XRUST_HOME="$T/nohome" XRUST_OFFLINE=1
  is "make $g works with no network and an empty store" "$rc" 0
done
check "make clean removed out/" test ! -e "$p/out"
mk_run "$p" -n cross-x86_64-linux XRUST_HOME="$T/nohome2"
is "make -n downloads nothing" "$rc:$(ls "$T/nohome2" 2>/dev/null | wc -l | tr -d ' ')" "0:0"
[ "$rc" = 0 ] || diag_file "$T/err"
is "the server saw no request after the builds" \
  "$(wc -l <"$SERVE_LOG" | tr -d ' ')" "$n"

done_testing
