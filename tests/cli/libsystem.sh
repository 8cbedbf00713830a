#!/bin/sh
# The no-SDK libSystem: mk/macos/libSystem.syms is what
# mk/macos/gen-libsystem-syms.py derives from the Debian sources on this
# machine (librust-libc-dev, rust-web-src), sorted, unique, with the
# runtime names no declaration gives; `xrust tbd` turns it into the
# libSystem/libc/libm stubs that ld64.lld links both Apple CPUs against
# (checked structurally), a symbol outside the list fails the link naming
# it, and a bad list or install name fails with file and line.
. "$(dirname "$0")/../lib.sh"
. "$XRUST_ROOT/tests/macho-lib.sh"

SYMS=$XRUST_ROOT/mk/macos/libSystem.syms
GEN=$XRUST_ROOT/mk/macos/gen-libsystem-syms.py
X=$XRUST_TOOL

# The committed list against a fresh derivation.  Only the symbol lines
# are compared: the header names the package versions it was made from,
# shown here when they differ.
if ! ls -d /usr/share/cargo/registry/libc-0.2.* >/dev/null 2>&1 ||
   [ ! -d /usr/lib/rustlib/src/rust/library/std ]; then
  skip "the symbol list is what the script derives" \
    "needs librust-libc-dev and rust-web-src"
elif python3 "$GEN" -o "$T/gen.syms" 2>"$T/gen.err"; then
  grep -v '^#' "$SYMS" >"$T/want"
  grep -v '^#' "$T/gen.syms" >"$T/got"
  if cmp -s "$T/want" "$T/got"; then
    ok "the symbol list is what the script derives ($(wc -l <"$T/got") names)"
  else
    not_ok "the symbol list is what the script derives"
    diag "regenerate: python3 mk/macos/gen-libsystem-syms.py -o mk/macos/libSystem.syms"
    diff "$T/want" "$T/got" | head -40 | sed 's/^/#   /'
  fi
  grep '^#' "$SYMS" >"$T/hw"
  grep '^#' "$T/gen.syms" >"$T/hg"
  cmp -s "$T/hw" "$T/hg" || { diag "header now:"; diag_file "$T/hg"; }
else
  not_ok "the symbol list is what the script derives"
  diag_file "$T/gen.err"
fi

grep -v '^#' "$SYMS" >"$T/names"
LC_ALL=C sort -u "$T/names" >"$T/sorted"
check "the list is sorted bytewise, without duplicates" \
  cmp "$T/names" "$T/sorted"
unlike "every name is a Mach-O symbol name" "$T/names" \
  '[^A-Za-z0-9_$.]|^$'
missing=
for s in __Unwind_RaiseException __Unwind_Resume _bzero ___bzero \
         __tlv_bootstrap dyld_stub_binder _write _pthread_create \
         '_fstat$INODE64' _fstat __NSGetEnviron _CCRandomGenerateBytes \
         __tlv_atexit _dispatch_semaphore_create _mach_absolute_time; do
  grep -qxF -- "$s" "$T/names" || missing="$missing $s"
done
is "runtime names and what std imports on both CPUs are listed" \
  "$missing" ""
# Declarations of other platforms stay out (cfg evaluated for Apple).
extra=
for s in ___errno_location _gnu_get_libc_version _epoll_create \
         __Unwind_VRS_Get ___rust_panic_cleanup _VAL; do
  grep -qxF -- "$s" "$T/names" && extra="$extra $s"
done
is "names of other platforms and of Rust itself are not listed" \
  "$extra" ""

# The stubs and a link against them.
macho_tools
check "xrust tbd writes libSystem, libc and libm" macho_sdk "$T/sdk"
like "the stub's install name is libSystem.B.dylib" \
  "$T/sdk/usr/lib/libSystem.tbd" "^install-name: +'/usr/lib/libSystem\.B\.dylib'$"
like "the stub is TAPI v4 for both CPUs" "$T/sdk/usr/lib/libSystem.tbd" \
  '^targets: +\[ x86_64-macos, arm64-macos \]$'
check "the three stubs are one" cmp "$T/sdk/usr/lib/libSystem.tbd" \
  "$T/sdk/usr/lib/libm.tbd"
n=$(grep -c "^      - '" "$T/sdk/usr/lib/libSystem.tbd")
is "the stub exports every listed name" "$n" "$(wc -l <"$T/names")"

macho_hello_c >"$T/hello.c"
for a in arm64:11.0 x86_64:10.12; do
  cpu=${a%%:*} min=${a#*:}
  if macho_cc "$cpu" "$min" "$T/hello.c" "$T/$cpu.o" >"$T/log" 2>&1 &&
     macho_link "$cpu" "$min" "$T/sdk" "$T/hello-$cpu" "$T/$cpu.o" \
       >>"$T/log" 2>&1; then
    ok "$cpu: ld64.lld links -lSystem -lc -lm against the stubs"
  else
    not_ok "$cpu: ld64.lld links -lSystem -lc -lm against the stubs"
    diag_file "$T/log"
  fi
  check "$cpu: the executable passes the structural checks" \
    $CHECK --arch "$cpu" --minos "$min" "$T/hello-$cpu"
done

cat >"$T/bad.c" <<'EOF'
int puts(const char *);
int CFStringGetLength(const void *);
int main(void) { puts("x"); return CFStringGetLength(0); }
EOF
macho_cc arm64 11.0 "$T/bad.c" "$T/bad.o" >"$T/log" 2>&1
macho_link arm64 11.0 "$T/sdk" "$T/bad" "$T/bad.o" >"$T/log" 2>&1
is "a symbol outside the list fails the link" "$?" 1
like "... naming the symbol" "$T/log" 'undefined symbol: _CFStringGetLength'

printf '_a\n# c\n_b c\n' >"$T/bad.syms"
"$X" tbd "$T/bad.syms" "$T/o.tbd" >"$T/out" 2>"$T/err"
is "a bad symbol list: exit 1" "$?" 1
like "a bad symbol list: file and line named" "$T/err" \
  "^xrust: $(re "$T/bad.syms"):3: invalid symbol name '_b c' \(expected letters, digits, '_', '\\$' or '\.'\)$"
check "a bad symbol list: nothing written" test ! -e "$T/o.tbd"
"$X" tbd --install-name libz.dylib "$SYMS" "$T/o.tbd" >"$T/out" 2>"$T/err"
is "a relative install name: exit 1" "$?" 1
like "a relative install name: named" "$T/err" \
  "^xrust: install name 'libz\.dylib' is not an absolute path$"
"$X" tbd "$SYMS" >"$T/out" 2>"$T/err"
is "no output: usage, exit 2" "$?" 2

done_testing
