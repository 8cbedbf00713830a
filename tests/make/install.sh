#!/bin/sh
# xrust-test: no-sanitize
# `make install` lays out the module, the mk/ files, the headers and the
# tool so that `include $(PREFIX)/share/xrust/xrust.mk` works without the
# source checkout; DESTDIR stages the same tree elsewhere.
. "$(dirname "$0")/../lib.sh"

run_in "$XRUST_ROOT" env -u MAKEFLAGS $MAKE --no-print-directory -s install \
  PREFIX="$T/inst"
is "make install exits 0" "$rc" 0
for f in bin/xrust lib/xrust/xrust.so share/xrust/xrust.mk \
         include/xrust/toml.h include/xrust/error.h; do
  check "installed $f" test -f "$T/inst/$f"
done
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
