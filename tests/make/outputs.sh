#!/bin/sh
# xrust-test: no-sanitize
# What out/NAME/ holds for a package whose lib is also a staticlib and a
# cdylib (issue 12, item 5): the binary and both libraries for a gnu
# target, no shared library on musl (rustc drops it), and for
# universal2-darwin each of them merged into a fat file byte-identical to
# llvm-lipo's; `make show` lists them, `make dist` packs them.
. "$(dirname "$0")/../lib.sh"
. "$XRUST_ROOT/tests/macho-lib.sh"

macho_tools
serve_dist_fixture "a package's libraries among its outputs"

p=$T/duo
cp -r "$XRUST_ROOT/tests/fixtures/duo" "$p"
cat >"$p/Makefile" <<MK
XRUST_TARGETS := x86_64-linux x86_64-linux-gnu universal2-darwin
include $XRUST_ROOT/mk/xrust.mk
MK
export XRUST_HOME="$T/home" XRUST_DIST_SERVER="$SERVE_URL" XRUST_CHANNEL=1.96.0

mk_run "$p" -j2 cross-all
is "make -j2 cross-all succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"

o=$p/out
is "out/x86_64-linux-gnu: the binary and both libraries" \
  "$(ls "$o/x86_64-linux-gnu" | tr '\n' ' ')" "duo libduo.a libduo.so "
is "out/x86_64-linux: no shared library on musl" \
  "$(ls "$o/x86_64-linux" | tr '\n' ' ')" "duo libduo.a "
for t in x86_64-darwin aarch64-darwin universal2-darwin; do
  is "out/$t: the binary, the static and the shared library" \
    "$(ls "$o/$t" | tr '\n' ' ')" "duo libduo.a libduo.dylib "
done
is "the gnu binary runs" "$("$o/x86_64-linux-gnu/duo")" "duo 42"
nm -D "$o/x86_64-linux-gnu/libduo.so" >"$T/nm" 2>&1
like "libduo.so exports duo_twice" "$T/nm" " T duo_twice$"

for f in duo libduo.a libduo.dylib; do
  "$LLVM_LIPO" -create "$o/x86_64-darwin/$f" "$o/aarch64-darwin/$f" \
    -output "$T/ref-$f" 2>"$T/lipo.err"
  check "universal2 $f is byte-identical to llvm-lipo's" \
    cmp "$o/universal2-darwin/$f" "$T/ref-$f"
done
"$LLVM_LIPO" -info "$o/universal2-darwin/libduo.a" >"$T/info" 2>&1
like "the fat static library holds both CPUs" "$T/info" "x86_64 arm64"
"$LLVM_OBJDUMP" --macho --private-headers \
  "$o/aarch64-darwin/libduo.dylib" >"$T/dylib" 2>&1
like "the arm64 dylib is a dylib (LC_ID_DYLIB)" "$T/dylib" "cmd LC_ID_DYLIB"
like "the arm64 dylib is signed (LC_CODE_SIGNATURE)" "$T/dylib" \
  "cmd LC_CODE_SIGNATURE"

mk_run "$p" show
like "show lists the universal2 libraries" "$T/out" \
  "cross-universal2-darwin +universal2-apple-darwin +out/universal2-darwin/duo out/universal2-darwin/libduo.a out/universal2-darwin/libduo.dylib$"

mk_run "$p" dist
is "make dist succeeds" "$rc" 0
tar tzf "$o/dist/duo-0.2.0-universal2-apple-darwin.tar.gz" >"$T/tar" 2>&1
is "the universal2 archive holds the three files" \
  "$(tr '\n' ' ' <"$T/tar")" "duo libduo.a libduo.dylib "

# Tests of the Apple targets are built here, not run (only a Mac can).
mk_run "$p" test-universal2-darwin
is "make test-universal2-darwin succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
for t in x86_64-darwin aarch64-darwin; do
  like "test-$t says the tests were built, not run" "$T/err" \
    "^xrust: $t: tests built but not run: a x86_64-unknown-linux-gnu host cannot run ${t%-darwin}-apple-darwin binaries$"
done
done_testing
