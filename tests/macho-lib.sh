# Helpers for the shell tests of the macOS pieces that need no Rust
# toolchain (tests/cli/lipo.sh, macho_check.sh, libsystem.sh), sourced
# after tests/lib.sh: real Mach-O executables made from a few lines of C
# with Debian's clang and ld64.lld (package lld-14), linked against a
# libSystem stub written by `xrust tbd`, and the LLVM tools to compare
# with (llvm-14).
#
# Provided: $CLANG, $LD64, $LLVM_LIPO, $LLVM_OBJDUMP, $LLVM_NM, $CHECK
# (the structural checker, tests/macho_check.py, as a command),
# macho_tools, macho_sdk, macho_test_sdk, macho_cc, macho_link.

CLANG=clang
LD64=ld64.lld-14
LLVM_LIPO=llvm-lipo-14
LLVM_OBJDUMP=llvm-objdump-14
LLVM_NM=llvm-nm-14
CHECK="python3 $XRUST_ROOT/tests/macho_check.py"

# macho_tools: every tool present, or one failure naming the Debian
# packages (tests/deps.sh installs them) and the end of the test.
macho_tools() {
  _missing=
  for _t in "$CLANG" "$LD64" "$LLVM_LIPO" "$LLVM_OBJDUMP" "$LLVM_NM" python3; do
    command -v "$_t" >/dev/null 2>&1 || _missing="$_missing $_t"
  done
  if [ -n "$_missing" ]; then
    not_ok "the Mach-O tools are installed"
    diag "missing:$_missing (Debian packages clang lld-14 llvm-14 python3)"
    done_testing
    exit 1
  fi
}

# macho_sdk DIR [SYMS]: DIR/usr/lib/{libSystem,libc,libm}.tbd from the
# symbol list SYMS (default: the project's, mk/macos/libSystem.syms).
macho_sdk() {
  mkdir -p "$1/usr/lib"
  "$XRUST_TOOL" tbd "${2:-$XRUST_ROOT/mk/macos/libSystem.syms}" \
    "$1/usr/lib/libSystem.tbd" "$1/usr/lib/libc.tbd" "$1/usr/lib/libm.tbd"
}

# macho_test_sdk DIR VERSION: a stub of a MacOSX*.sdk in DIR, enough for
# xrust's SDK mode: SDKSettings.json with "Version": VERSION, macho_sdk's
# libraries, and CoreFoundation.framework with a CoreFoundation.tbd
# exporting a few CF names (ld64.lld looks for Foo.framework/Foo, then
# Foo.framework/Foo.tbd, under -syslibroot's System/Library/Frameworks).
CF_INSTALL_NAME=/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation
macho_test_sdk() {
  macho_sdk "$1" || return 1
  printf '{"CanonicalName": "macosx%s", "DisplayName": "macOS %s", "Version": "%s"}\n' \
    "$2" "$2" "$2" >"$1/SDKSettings.json"
  _fw=$1/System/Library/Frameworks/CoreFoundation.framework
  mkdir -p "$_fw"
  printf '%s\n' _CFRelease _CFStringCreateWithCString _CFStringGetLength \
    _kCFAllocatorDefault >"$T/.cf.syms"
  "$XRUST_TOOL" tbd --install-name "$CF_INSTALL_NAME" "$T/.cf.syms" \
    "$_fw/CoreFoundation.tbd"
}

# macho_cc ARCH MINOS SRC OBJ: compiles C for macOS (no headers needed).
macho_cc() {
  "$CLANG" --target="$1-apple-macos$2" -O1 -c "$3" -o "$4"
}

# macho_link ARCH MINOS SDK OUT OBJ... [-- LD64 ARGS...]: links as rustc
# drives ld64.lld (-lSystem -lc -lm against SDK/usr/lib).
macho_link() {
  _a=$1 _m=$2 _s=$3 _o=$4
  shift 4
  "$LD64" -arch "$_a" -platform_version macos "$_m" "$_m" \
    -syslibroot "$_s" -L"$_s/usr/lib" -dead_strip -o "$_o" "$@" \
    -lSystem -lc -lm
}

# The C program the tests link: a few libSystem calls, so the binary
# imports more than one symbol and has more than one page.
macho_hello_c() {
  cat <<'EOF'
typedef unsigned long size_t;
int puts(const char *);
void *malloc(size_t);
void free(void *);
long write(int, const void *, size_t);
static char big[20000] = { 1 };
int main(int argc, char **argv)
{
  char *p = malloc(16);
  (void)argv;
  puts("hello from a Mach-O built on Linux");
  write(1, big + argc, 0);
  free(p);
  return 0;
}
EOF
}
