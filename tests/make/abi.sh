#!/bin/sh
# xrust-test: no-sanitize
# The module must also build for GNU Make's development branch, whose
# setup function takes the ABI version first and which calls an optional
# unload function.  Compile module/plugin/plugin.c against tests/compat/gnumake.h
# (which defines GMK_ABI_VERSION) and load it into a host program that
# behaves like that Make.
. "$(dirname "$0")/../lib.sh"

cc=${CC:-cc}
flags=$(pkg-config --cflags --libs libcurl libarchive libcrypto)
lib=${XRUST_BUILD:-$XRUST_ROOT/build}/../build/libxrust.a
[ -f "$lib" ] || lib=$XRUST_ROOT/build/libxrust.a
if $cc -std=c99 -D_GNU_SOURCE -fPIC -shared -Wall -Wextra -Werror \
     -I"$XRUST_ROOT/tests/compat" -I"$XRUST_ROOT/include" -I"$XRUST_ROOT/module" \
     -o "$T/xrust-abi1.so" "$XRUST_ROOT/module/plugin/plugin.c" \
     "$XRUST_ROOT/module/plugin/engine_load.c" "$lib" $flags -pthread -ldl 2>"$T/cc.err"; then
  ok "plugin.c compiles warning-free against a GMK_ABI_VERSION header"
else
  not_ok "plugin.c compiles warning-free against a GMK_ABI_VERSION header"
  diag_file "$T/cc.err"
fi
if $cc -std=c99 -D_GNU_SOURCE -Wall -Wextra -rdynamic \
     -I"$XRUST_ROOT/tests/compat" -o "$T/host" \
     "$XRUST_ROOT/tests/compat/abi1-host.c" -ldl 2>"$T/cc2.err"; then
  ok "the ABI-1 host builds"
else
  not_ok "the ABI-1 host builds"
  diag_file "$T/cc2.err"
fi
"$T/host" "$T/xrust-abi1.so" >"$T/host.out" 2>&1
rc=$?
is "the ABI-1 host accepts the module" "$rc" 0
like "setup receives the ABI version" "$T/host.out" "^ok - setup accepted ABI version 1"
like "functions work under ABI 1" "$T/host.out" "^ok - rust-target aarch64-linux -> aarch64-unknown-linux-musl"
like "errors are raised through gmk_eval" "$T/host.out" "^ok - an unknown target raises"
like "the unload hook exists and runs" "$T/host.out" "^ok - unload hook called"

# The module built for the installed Make exports the 4.x setup symbol.
syms=$(nm -D --defined-only "$XRUST_ROOT/build/xrust.so" | awk '{print $3}')
for s in xrust_gmk_setup xrust_gmk_unload plugin_is_GPL_compatible; do
  if echo "$syms" | grep -qx "$s"; then ok "build/xrust.so exports $s"
  else not_ok "build/xrust.so exports $s"; fi
done
undef=$(nm -D --undefined-only "$XRUST_ROOT/build/xrust.so" | awk '{print $2}' |
  grep '^xr_' || true)
is "build/xrust.so leaves no library symbol undefined" "$undef" ""
syms=$(nm -D --defined-only "$XRUST_ROOT/build/xrust.so" | awk '{print $3}' |
  sort | tr '\n' ' ')
is "build/xrust.so exports only Make's entry points" "$syms" \
  "plugin_is_GPL_compatible xrust_gmk_setup xrust_gmk_unload "
syms=$(nm -D --defined-only "$XRUST_ROOT/build/xrust-engine.so" |
  awk '{print $3}' | tr '\n' ' ')
is "build/xrust-engine.so exports only its table" "$syms" "xrust_engine "

# The module make loads needs no network, archive or crypto library: those
# are the engine's, loaded only when there is downloading to do.
needed=$(readelf -d "$XRUST_ROOT/build/xrust.so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
  tr '\n' ' ')
is "build/xrust.so needs only the C library" "$needed" "libc.so.6 "
if readelf -d "$XRUST_ROOT/build/xrust-engine.so" | grep -q 'NEEDED.*libcurl' &&
   readelf -d "$XRUST_ROOT/build/xrust-engine.so" | grep -q 'NEEDED.*libarchive'; then
  ok "build/xrust-engine.so links libcurl and libarchive"
else
  not_ok "build/xrust-engine.so links libcurl and libarchive"
fi

done_testing
