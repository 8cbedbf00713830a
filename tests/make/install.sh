#!/bin/sh
# xrust-test: no-sanitize
# `make install` lays out the module, the mk/ files and the tool (not the
# headers: include/xrust/ is the parts' internal interface) so that `include $(PREFIX)/share/xrust/xrust.mk` works without the
# source checkout; DESTDIR stages the same tree elsewhere.
. "$(dirname "$0")/../lib.sh"

run_in "$XRUST_ROOT" env -u MAKEFLAGS $MAKE --no-print-directory -s install \
  PREFIX="$T/inst"
is "make install exits 0" "$rc" 0
for f in bin/xrust lib/xrust/xrust.so lib/xrust/xrust-engine.so \
         share/xrust/xrust.mk share/xrust/macos.mk share/xrust/cache.mk \
         share/xrust/macos/libSystem.syms; do
  check "installed $f" test -f "$T/inst/$f"
done
for f in share/xrust/xrust-rustc share/xrust/macos/rust-lld \
         share/xrust/macos/no-cc; do
  check "installed $f, executable" test -x "$T/inst/$f"
done
check "no headers are installed" test ! -e "$T/inst/include"
check "the installed tool is executable" test -x "$T/inst/bin/xrust"

mkdir -p "$T/p"
printf 'include %s/share/xrust/xrust.mk\n$(info $(rust-target x86_64-linux) $(notdir $(XRUST_SO)))\nall: ; @:\n' \
  "$T/inst" >"$T/p/Makefile"
# Hide the checkout: the installed copy must not need it.
run_in "$T/p" env -u MAKEFLAGS -u XRUST_ROOT $MAKE --no-print-directory
is "an installed xrust.mk loads the installed module" "$rc:$(cat "$T/out")" \
  "0:x86_64-unknown-linux-musl xrust.so"
like "it loads from the prefix" "$T/p/Makefile" "$T/inst/share/xrust"
is "an installed xrust.mk builds nothing" "$(cat "$T/err")" ""

# Vendoring (even of a lockfile with nothing to fetch) is the engine's
# work: the installed module loads the installed engine.
mkdir -p "$T/v"
printf 'version = 3\n\n[[package]]\nname = "solo"\nversion = "0.1.0"\n' \
  >"$T/v/Cargo.lock"
printf 'include %s/share/xrust/xrust.mk\n$(info $(rust-vendor %s/Cargo.lock,%s/vendor))\nall: ; @:\n' \
  "$T/inst" "$T/v" "$T/v" >"$T/v/Makefile"
run_in "$T/v" env -u MAKEFLAGS -u XRUST_ROOT $MAKE --no-print-directory \
  XRUST_HOME="$T/vhome"
is "the installed module loads the installed engine" "$rc:$(cat "$T/out")" \
  "0:$T/v/vendor"
[ "$rc" = 0 ] || diag_file "$T/err"
mv "$T/inst/lib/xrust/xrust-engine.so" "$T/engine.so"
run_in "$T/v" env -u MAKEFLAGS -u XRUST_ROOT $MAKE --no-print-directory \
  XRUST_HOME="$T/vhome"
is "a missing engine stops make" "$rc" 2
like "a missing engine is reported clearly, at the user's line" "$T/err" \
  "^Makefile:2: \*\*\* xrust: cannot load the engine '$T/inst/lib/xrust/xrust-engine.so'"
run_in "$T/p" env -u MAKEFLAGS -u XRUST_ROOT $MAKE --no-print-directory
is "functions that need no engine work without it" "$rc:$(cat "$T/out")" \
  "0:x86_64-unknown-linux-musl xrust.so"
mv "$T/engine.so" "$T/inst/lib/xrust/xrust-engine.so"

run_in "$XRUST_ROOT" env -u MAKEFLAGS $MAKE --no-print-directory -s install \
  PREFIX=/usr DESTDIR="$T/stage"
is "make install with DESTDIR exits 0" "$rc" 0
check "DESTDIR stages under the prefix" \
  test -f "$T/stage/usr/lib/xrust/xrust.so"
check "DESTDIR stages the mk files" \
  test -f "$T/stage/usr/share/xrust/xrust.mk"

rm -f "$T/inst/lib/xrust/xrust.so"
run_in "$T/p" env -u MAKEFLAGS $MAKE --no-print-directory
is "a missing installed module stops make" "$rc" 2
like "a missing installed module is reported clearly" "$T/err" \
  "xrust: cannot load '$T/inst/lib/xrust/xrust.so'"

done_testing
