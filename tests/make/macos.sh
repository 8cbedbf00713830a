#!/bin/sh
# xrust-test: no-sanitize
# The Apple targets end to end (issue 12, items 8 and 9), with the real
# toolchain from the loopback dist fixture.  No SDK: the template
# (examples/hello) for aarch64-darwin, x86_64-darwin and universal2-darwin
# and examples/grepper for both Apple targets, every output checked
# structurally (tests/macho_check.py: CPU, minimum macOS, dylibs, binds,
# the arm64 signature recomputed; llvm-objdump's load commands; llvm-nm's
# imports all from libSystem; the universal2 file what llvm-lipo makes);
# show, dist and test-NAME (built, not run).  MACOSX_DEPLOYMENT_TARGET
# rebuilds the deps and crate layers of the Apple targets only, once.  A
# test SDK (macho_test_sdk): tests/fixtures/cfhello links CoreFoundation
# and compiles C in its build script for both Apple targets; its version
# is part of the config record; without it the build fails naming what is
# missing, and a directory that is no SDK stops make.  A symbol outside
# the stub's list fails the link naming it.
. "$(dirname "$0")/../lib.sh"
. "$XRUST_ROOT/tests/macho-lib.sh"

macho_tools
serve_fixtures "the Apple targets against the fixtures"

export XRUST_HOME="$T/home" XRUST_DIST_SERVER="$SERVE_URL" \
  XRUST_CRATES_DL="$REGISTRY_URL/crates/{crate}/{crate}-{version}.crate" \
  XRUST_CHANNEL=1.96.0
unset XRUST_MACOS_SDK SDKROOT MACOSX_DEPLOYMENT_TARGET

LIBSYSTEM=/usr/lib/libSystem.B.dylib
# One Linux target beside the Apple ones: enough for dist and for the
# deployment target's "nothing else", without a C cross compiler.  Every
# project has the same list, so one toolchain serves them all.
TARGETS="x86_64-linux x86_64-darwin aarch64-darwin universal2-darwin"

# project SRC DIR TARGETS: a copy of the crate SRC (sources, manifest,
# lockfile) in DIR with a Makefile of two lines.
project() {
  mkdir -p "$2"
  (cd "$1" && tar cf - --exclude=./out --exclude=./target --exclude=./Makefile .) |
    (cd "$2" && tar xf -)
  printf 'XRUST_TARGETS := %s\ninclude %s/mk/xrust.mk\n' "$3" "$XRUST_ROOT" \
    >"$2/Makefile"
}

# layers: the layer lines of the last mk_run, sorted, one a line.
layers() {
  grep -E '^  (FETCH|VENDOR|STUB|TBD|DEPS|CARGO|OUT|LIPO) ' "$T/err" |
    grep -v '^  FETCH   [0-9]* files, ' | sed 's/  */ /g; s/^ //' | LC_ALL=C sort
}

# loads FILE: the load commands that matter, one a line, sorted:
# LC_MAIN, LC_CODE_SIGNATURE, LC_LOAD_DYLINKER and LC_LOAD_DYLIB with
# their paths, LC_BUILD_VERSION with platform and minimum,
# LC_VERSION_MIN_MACOSX with its version (llvm-objdump's view).
loads() {
  "$LLVM_OBJDUMP" --macho --private-headers "$1" | awk '
    $1 == "cmd" { c = $2
      if (c == "LC_MAIN" || c == "LC_CODE_SIGNATURE") print c
      next }
    $1 == "name" && (c == "LC_LOAD_DYLINKER" || c == "LC_LOAD_DYLIB") {
      print c, $2; next }
    $1 == "platform" && c == "LC_BUILD_VERSION" { p = $2; next }
    $1 == "minos" && c == "LC_BUILD_VERSION" { print c, p, $2; next }
    $1 == "version" && c == "LC_VERSION_MIN_MACOSX" { print c, $2; c = "" }' |
    LC_ALL=C sort
}

# macho_out DESC FILE ARCH MINOS DYLIB...: one thin output checked by
# macho_check.py (arm64 signed), by its load commands, and by its
# imports, each bound to one of the DYLIBs (by llvm-nm -m, which names
# the library by its short name).
macho_out() {
  _d=$1 _f=$2 _a=$3 _m=$4
  shift 4
  _dl=$(printf '%s,' "$@")
  _sig=
  [ "$_a" = arm64 ] && _sig=--signed
  if $CHECK --arch "$_a" --minos "$_m" --dylibs "${_dl%,}" $_sig "$_f" \
      >"$T/check.out" 2>&1; then
    ok "$_d: macho_check.py passes ($_a, $_m${_sig:+, signed})"
  else
    not_ok "$_d: macho_check.py passes ($_a, $_m${_sig:+, signed})"
    diag_file "$T/check.out"
  fi
  {
    echo "LC_LOAD_DYLINKER /usr/lib/dyld"
    echo LC_MAIN
    for _l in "$@"; do echo "LC_LOAD_DYLIB $_l"; done
    [ "$_a" = arm64 ] && echo LC_CODE_SIGNATURE
    case $_a:$_m in
      x86_64:10.1[0-3]*|x86_64:10.[0-9]) echo "LC_VERSION_MIN_MACOSX $_m" ;;
      *) echo "LC_BUILD_VERSION macos $_m" ;;
    esac
  } | LC_ALL=C sort >"$T/loads.want"
  loads "$_f" >"$T/loads.got"
  if cmp -s "$T/loads.want" "$T/loads.got"; then
    ok "$_d: load commands (llvm-objdump)"
  else
    not_ok "$_d: load commands (llvm-objdump)"
    diag "want:"
    diag_file "$T/loads.want"
    diag "got:"
    diag_file "$T/loads.got"
  fi
  "$LLVM_NM" -m -u "$_f" >"$T/imports" 2>&1
  _from=$(for _l in "$@"; do basename "$_l" | sed 's/\..*//'; done | paste -sd'|' -)
  _ni=$(wc -l <"$T/imports" | tr -d ' ')
  if [ "$_ni" -gt 0 ] && ! grep -Evq " \(from ($_from)\)$" "$T/imports"; then
    ok "$_d: all $_ni imports bound to $(echo "$_from" | tr '|' ' ') (llvm-nm)"
  else
    not_ok "$_d: all imports bound to $_from (llvm-nm)"
    grep -Ev " \(from ($_from)\)$" "$T/imports" | head -20 >"$T/unbound"
    diag_file "$T/unbound"
  fi
}

# ---- no SDK: the template ----------------------------------------------
h=$T/hello
project "$XRUST_ROOT/examples/hello" "$h" "$TARGETS"
mk_run "$h" -j2 cross-aarch64-darwin cross-x86_64-darwin cross-universal2-darwin
is "the template builds for both Apple targets and universal2" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "the stub libSystem is written" "$T/err" \
  '^  TBD     out/\.xrust/macos-sdk/usr/lib/$'
like "universal2 is merged" "$T/err" '^  LIPO    out/universal2-darwin/$'
cp "$T/err" "$T/hello-build.err"

arm=$h/out/aarch64-darwin/hello
x86=$h/out/x86_64-darwin/hello
fat=$h/out/universal2-darwin/hello
macho_out "hello aarch64-darwin" "$arm" arm64 11.0 "$LIBSYSTEM"
macho_out "hello x86_64-darwin" "$x86" x86_64 10.12 "$LIBSYSTEM"
if $CHECK --arch x86_64 --arch arm64 --minos arm64=11.0 --minos x86_64=10.12 \
    --dylibs "$LIBSYSTEM" --slice-of "$arm" --slice-of "$x86" "$fat" \
    >"$T/check.out" 2>&1; then
  ok "hello universal2-darwin: both slices checked, each its thin file"
else
  not_ok "hello universal2-darwin: both slices checked, each its thin file"
  diag_file "$T/check.out"
fi
like "hello universal2-darwin: the arm64 slice's signature verified" \
  "$T/check.out" 'arm64: .*signature sha256 [0-9]+ pages'
"$LLVM_LIPO" -create "$x86" "$arm" -output "$T/lipo.hello" >"$T/lipo.err" 2>&1
check "hello universal2-darwin is byte-identical to llvm-lipo -create's" \
  cmp "$fat" "$T/lipo.hello"

mk_run "$h" show
is "make show succeeds" "$rc" 0
for n in aarch64-darwin x86_64-darwin universal2-darwin; do
  case $n in
    universal2-*) tr=universal2-apple-darwin ;;
    *) tr=${n%-darwin}-apple-darwin ;;
  esac
  like "show lists cross-$n, $tr, out/$n/hello" "$T/out" \
    "cross-$n +$tr +out/$n/hello$"
done

mk_run "$h" -j2 dist
is "make dist succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
d=$h/out/dist
for tr in x86_64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin \
          universal2-apple-darwin; do
  a=hello-0.1.0-$tr.tar.gz
  like "SHA256SUMS lists $a" "$d/SHA256SUMS" "^[0-9a-f]{64}  $(re "$a")$"
done
is "SHA256SUMS lists the four archives and nothing else" \
  "$(wc -l <"$d/SHA256SUMS" | tr -d ' ')" 4
check "the sums verify" sh -c "cd '$d' && sha256sum -c SHA256SUMS"
mkdir -p "$T/untar"
tar -xzf "$d/hello-0.1.0-universal2-apple-darwin.tar.gz" -C "$T/untar" hello
check "the universal2 archive holds out/universal2-darwin/hello" \
  cmp "$T/untar/hello" "$fat"

# make test-NAME builds the tests (libtest needs libm's fmod) and says
# why it does not run them.
mk_run "$h" test-aarch64-darwin
is "make test-aarch64-darwin succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "it says the tests were built, not run" "$T/err" \
  "^xrust: aarch64-darwin: tests built but not run: a x86_64-unknown-linux-gnu host cannot run aarch64-apple-darwin binaries$"
unlike "no test ran" "$T/out" '^test result'

# ---- MACOSX_DEPLOYMENT_TARGET ---------------------------------------------
goals="cross-aarch64-darwin cross-x86_64-darwin cross-x86_64-linux"
mk_run "$h" -j2 $goals
is "before: a full build is a no-op" "$rc:$(layers)" "0:"
mk_run "$h" -j2 $goals MACOSX_DEPLOYMENT_TARGET=12.0
is "MACOSX_DEPLOYMENT_TARGET=12.0 builds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
is "MACOSX_DEPLOYMENT_TARGET=12.0 reruns the deps and crate layers of the Apple targets only" \
  "$(layers | paste -sd, -)" \
  "CARGO hello (aarch64-darwin),CARGO hello (x86_64-darwin),DEPS hello (aarch64-darwin),DEPS hello (x86_64-darwin),OUT out/aarch64-darwin/,OUT out/x86_64-darwin/"
like "the config record holds the deployment target" \
  "$h/out/.xrust/aarch64-darwin/config" ' deployment-target=12\.0$'
unlike "the Linux target's config record does not" \
  "$h/out/.xrust/x86_64-linux/config" 'deployment-target'
macho_out "hello aarch64-darwin at 12.0" "$arm" arm64 12.0 "$LIBSYSTEM"
macho_out "hello x86_64-darwin at 12.0 (LC_BUILD_VERSION)" "$x86" x86_64 12.0 \
  "$LIBSYSTEM"
run_in "$h" env MACOSX_DEPLOYMENT_TARGET=12.0 $MAKE --no-print-directory -j2 $goals
is "the same deployment target again (from the environment): a no-op" \
  "$rc:$(layers)" "0:"

# ---- no SDK: examples/grepper ---------------------------------------------
g=$T/grepper
project "$XRUST_ROOT/examples/grepper" "$g" "$TARGETS"
mk_run "$g" -j2 cross-aarch64-darwin cross-x86_64-darwin
is "grepper builds for both Apple targets" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
macho_out "grepper aarch64-darwin" "$g/out/aarch64-darwin/grepper" arm64 11.0 \
  "$LIBSYSTEM"
macho_out "grepper x86_64-darwin" "$g/out/x86_64-darwin/grepper" x86_64 10.12 \
  "$LIBSYSTEM"

# ---- a test SDK: CoreFoundation and C from a build script -----------------
# The directory is deliberately not named MacOSX*.sdk: clang must not
# need the name to know the platform.
sdk=$T/apple-sdk
check "macho_test_sdk makes a test SDK" macho_test_sdk "$sdk" 14.5
c=$T/cfhello
project "$XRUST_ROOT/tests/fixtures/cfhello" "$c" "$TARGETS"
cfbuild() { mk_run "$c" -j2 cross-aarch64-darwin cross-x86_64-darwin "$@"; }

cfbuild XRUST_MACOS_SDK="$sdk"
is "cfhello builds with XRUST_MACOS_SDK for both Apple targets" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
macho_out "cfhello aarch64-darwin" "$c/out/aarch64-darwin/cfhello" arm64 11.0 \
  "$CF_INSTALL_NAME" "$LIBSYSTEM"
macho_out "cfhello x86_64-darwin" "$c/out/x86_64-darwin/cfhello" x86_64 10.12 \
  "$CF_INSTALL_NAME" "$LIBSYSTEM"
for n in aarch64-darwin x86_64-darwin; do
  "$LLVM_NM" -m "$c/out/$n/cfhello" >"$T/syms" 2>&1
  like "cfhello $n: the build script's C function is in it" "$T/syms" \
    '\(__TEXT,__text\) external _cfhello_c_answer$'
  like "cfhello $n: CFStringGetLength comes from CoreFoundation" "$T/syms" \
    'external _CFStringGetLength \(from CoreFoundation\)$'
  like "cfhello $n: the config record holds the SDK and its version" \
    "$c/out/.xrust/$n/config" " sdk=$(re "$sdk") sdk-version=14\.5 "
done
o=$(ls "$c"/out/.xrust/target/aarch64-apple-darwin/release/build/cfhello-*/out/answer.o)
"$LLVM_OBJDUMP" --macho --private-headers "$o" >"$T/obj" 2>&1
like "the C object is for macOS (platform macos)" "$T/obj" \
  '^ *platform macos$'
like "the C object's minimum is the target's" "$T/obj" '^ *minos 11\.0$'

cfbuild XRUST_MACOS_SDK="$sdk"
is "the same SDK again: a no-op" "$rc:$(layers)" "0:"

sed -i 's/"Version": "14.5"/"Version": "15.0"/' "$sdk/SDKSettings.json"
cfbuild XRUST_MACOS_SDK="$sdk" V=2
is "a new SDK version builds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
grep '^  WHY ' "$T/err" | LC_ALL=C sort | sed 's/  */ /g; s/^ //' >"$T/why"
printf '%s\n' \
  "WHY aarch64-darwin/crate.stamp: $c/out/.xrust/aarch64-darwin/deps.stamp" \
  "WHY aarch64-darwin/deps.stamp: $c/out/.xrust/aarch64-darwin/config" \
  "WHY x86_64-darwin/crate.stamp: $c/out/.xrust/x86_64-darwin/deps.stamp" \
  "WHY x86_64-darwin/deps.stamp: $c/out/.xrust/x86_64-darwin/config" |
  LC_ALL=C sort >"$T/why.want"
if cmp -s "$T/why" "$T/why.want"; then
  ok "a new SDK version: V=2 says the deps layers rebuilt for the config record, the crate layers for them, nothing else"
else
  not_ok "a new SDK version: V=2 says the deps layers rebuilt for the config record, the crate layers for them, nothing else"
  diag_file "$T/why"
fi
like "V=2 names the changed config record" "$T/out" \
  "CONFIG +$(re "$c/out/.xrust/aarch64-darwin/config") changed"
like "the config record holds the new version" \
  "$c/out/.xrust/x86_64-darwin/config" " sdk-version=15\.0 "
macho_out "cfhello aarch64-darwin, SDK 15.0" "$c/out/aarch64-darwin/cfhello" \
  arm64 11.0 "$CF_INSTALL_NAME" "$LIBSYSTEM"

# Without the SDK the build script's C fails first, naming the SDK.
cfbuild
is "cfhello without an SDK fails with status 2" "$rc" 2
like "the build script's C compiler says it needs an Apple SDK" "$T/err" \
  '^ *xrust: a build script compiles C for macOS: that needs an Apple SDK; set XRUST_MACOS_SDK to a MacOSX\*\.sdk'
unlike "cfhello without an SDK: no output" "$T/err" '^  OUT '

# Without the C part, the framework is what is missing.
f=$T/cfonly
mkdir -p "$f/src"
printf '[package]\nname = "cfonly"\nversion = "0.1.0"\nedition = "2021"\n' \
  >"$f/Cargo.toml"
printf '# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n[[package]]\nname = "cfonly"\nversion = "0.1.0"\n' \
  >"$f/Cargo.lock"
cat >"$f/src/main.rs" <<'EOF'
#[link(name = "CoreFoundation", kind = "framework")]
extern "C" {
    fn CFRelease(cf: *const std::ffi::c_void);
}

fn main() {
    if std::env::args().count() > 1 {
        unsafe { CFRelease(std::ptr::null()) };
    }
}
EOF
printf 'XRUST_TARGETS := %s\ninclude %s/mk/xrust.mk\n' "$TARGETS" \
  "$XRUST_ROOT" >"$f/Makefile"
mk_run "$f" cross-aarch64-darwin
is "a crate linking CoreFoundation without an SDK fails with status 2" "$rc" 2
like "the link names the missing framework and XRUST_MACOS_SDK" "$T/err" \
  'xrust: missing in the macOS link: -framework CoreFoundation: .*set XRUST_MACOS_SDK to a MacOSX\*\.sdk'
like "the link names the framework's symbol" "$T/err" \
  'xrust: undefined symbols in the macOS link: _CFRelease: '
mk_run "$f" cross-aarch64-darwin XRUST_MACOS_SDK="$sdk"
is "the same crate builds with the test SDK" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"

# A directory that is no SDK.
mkdir -p "$T/not-an-sdk"
cfbuild XRUST_MACOS_SDK="$T/not-an-sdk"
is "XRUST_MACOS_SDK without SDKSettings.json: make stops (status 2)" "$rc" 2
like "it names the directory" "$T/err" \
  "xrust: XRUST_MACOS_SDK: '$(re "$T/not-an-sdk")' is not a macOS SDK \(no SDKSettings\.json in it\)"
unlike "nothing was built" "$T/err" '^  (DEPS|CARGO) '

# An SDKSettings.json without a version.
mkdir -p "$T/no-version-sdk"
printf '{"CanonicalName": "macosx"}\n' >"$T/no-version-sdk/SDKSettings.json"
cfbuild XRUST_MACOS_SDK="$T/no-version-sdk"
is "SDKSettings.json without a Version: make stops (status 2)" "$rc" 2
like "it names the file and the entry" "$T/err" \
  "xrust: XRUST_MACOS_SDK: '$(re "$T/no-version-sdk")/SDKSettings\.json' has no \"Version\" entry"

# The C compiler of build scripts when none can build for macOS: it says
# which of the SDK and clang is missing.
XRUST_MACOS_SDK= "$XRUST_ROOT/mk/macos/no-cc" -c x.c >"$T/out" 2>"$T/err"
is "no-cc without an SDK fails" "$?" 1
like "and says an SDK is needed" "$T/err" \
  "^xrust: a build script compiles C for macOS: that needs an Apple SDK; set XRUST_MACOS_SDK"
XRUST_MACOS_SDK=$sdk "$XRUST_ROOT/mk/macos/no-cc" -c x.c >"$T/out" 2>"$T/err"
is "no-cc with an SDK (clang missing) fails" "$?" 1
like "and names clang's Debian package" "$T/err" \
  "^xrust: a build script compiles C for macOS: that needs clang, which is not on PATH \(Debian/Ubuntu: apt-get install clang\)$"

# ---- a symbol outside the stub's list -------------------------------------
u=$T/nosym
mkdir -p "$u/src"
printf '[package]\nname = "nosym"\nversion = "0.1.0"\nedition = "2021"\n' \
  >"$u/Cargo.toml"
sed 's/cfonly/nosym/' "$f/Cargo.lock" >"$u/Cargo.lock"
cat >"$u/src/main.rs" <<'EOF'
extern "C" {
    fn xrust_not_in_libsystem() -> i32;
}

fn main() {
    std::process::exit(unsafe { xrust_not_in_libsystem() });
}
EOF
printf 'XRUST_TARGETS := %s\ninclude %s/mk/xrust.mk\n' "$TARGETS" \
  "$XRUST_ROOT" >"$u/Makefile"
mk_run "$u" cross-x86_64-darwin
is "a symbol outside the stub's list fails the build (status 2)" "$rc" 2
like "the error names the symbol and XRUST_MACOS_SDK" "$T/err" \
  "xrust: undefined symbols in the macOS link: _xrust_not_in_libsystem: xrust's own libSystem stub \(no XRUST_MACOS_SDK\) provides only the C library; set XRUST_MACOS_SDK"
check "nothing in out/x86_64-darwin" test ! -e "$u/out/x86_64-darwin/nosym"

done_testing
