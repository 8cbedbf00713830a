#!/bin/sh
# xrust-test: no-sanitize
# Windows, 32-bit ARM and RISC-V (issue 15): examples/grepper built with
# `make -j2 cross-all` for x86_64-windows, armv7-linux and riscv64-linux
# from the loopback fixtures, every binary run with its output checked
# (the Windows one under Wine, in the run's private prefix with the
# test-only bcryptprimitives.dll stub; the others under qemu-arm and
# qemu-riscv64), `make test-NAME` for each, and what running cannot
# show: a PE32+ console executable importing system DLLs only (no MinGW
# runtime DLL), static ELF files for the right machine and float ABI.
# Then show and dist (a reproducible .zip for Windows), and the template
# (examples/hello) for the three targets, its Windows binary linked by
# the toolchain's own rust-lld instead of MinGW's gcc, every binary run.
. "$(dirname "$0")/../lib.sh"

serve_fixtures "Windows, armv7 and riscv64 against the fixtures"

targets="x86_64-windows armv7-linux riscv64-linux"
p=$T/grepper
cp -r "$XRUST_ROOT/examples/grepper" "$p"
rm -rf "$p/out"
printf '%s\n' "XRUST_TARGETS := $targets" \
  "include $XRUST_ROOT/mk/xrust.mk" >"$p/Makefile"
export XRUST_HOME="$T/home" XRUST_DIST_SERVER="$SERVE_URL" \
  XRUST_CRATES_DL="$REGISTRY_URL/crates/{crate}/{crate}-{version}.crate"
# The registry fixture is made of Debian's crate sources, and Debian's
# winapi-x86_64-pc-windows-gnu has its bundled import libraries
# (lib/libwinapi_*.a) removed; with this variable winapi's build script
# links MinGW's own (-ladvapi32, ...), which both Windows linkers have.
# The crate from crates.io needs nothing of the kind.
export WINAPI_NO_BUNDLED_LIBRARIES=1

mkdir -p "$T/data/sub"
printf 'alpha\nbeta gamma\n' >"$T/data/a.txt"
printf 'gamma ray\n' >"$T/data/sub/b.txt"
want=$(printf './a.txt:2:beta gamma\n./sub/b.txt:1:gamma ray')

mk_run "$p" -j2 cross-all
is "make -j2 cross-all builds grepper for Windows, armv7 and riscv64" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
exe=$p/out/x86_64-windows/grepper.exe
check "the Windows binary is out/x86_64-windows/grepper.exe" test -f "$exe"
check "and there is no out/x86_64-windows/grepper" \
  test ! -e "$p/out/x86_64-windows/grepper"
like "the Windows target was linked by MinGW-w64's gcc" \
  "$p/out/.xrust/x86_64-windows/config" "linker=x86_64-w64-mingw32-gcc"

# ---- the Linux ones under qemu -------------------------------------------
for t in armv7-linux riscv64-linux; do
  case $t in
    armv7-linux) q=qemu-arm machine=ARM ;;
    riscv64-linux) q=qemu-riscv64 machine=RISC-V ;;
  esac
  bin=$p/out/$t/grepper
  out=$(cd "$T/data" && "$q" "$bin" gamma . 2>&1 | sort)
  is "out/$t/grepper finds the matches under $q" "$out" "$want"
  readelf -hlWd "$bin" >"$T/elf" 2>&1
  like "out/$t/grepper is an ELF file for $machine" "$T/elf" \
    "^ *Machine: *$machine"
  unlike "out/$t/grepper is static (no PT_INTERP, no NEEDED)" "$T/elf" \
    "INTERP|\(NEEDED\)"
  case $t in
    armv7-linux) like "the armv7 binary uses the hard-float ABI" "$T/elf" \
      "^ *Flags: .*hard-float ABI" ;;
    riscv64-linux) like "the riscv64 binary uses the double-float ABI" "$T/elf" \
      "^ *Flags: .*double-float ABI" ;;
  esac
  readelf -p .comment "$bin" >"$T/comment" 2>&1
  like "out/$t/grepper was linked by rust-lld" "$T/comment" "Linker: .*LLD"
  mk_run "$p" "test-$t"
  is "make test-$t passes under $q" "$rc" 0
  like "make test-$t ran the example's tests" "$T/out" \
    "test result: ok\. [1-9][0-9]* passed"
  [ "$rc" = 0 ] || diag_file "$T/err"
done

# ---- Windows: structure ----------------------------------------------------
pe_dlls "$exe" "$T/pe" >"$T/dlls"
like "grepper.exe is PE32+ (optional header magic 020b)" "$T/pe" \
  "^Magic[[:space:]]+020b"
like "grepper.exe is a console program" "$T/pe" \
  "^Subsystem[[:space:]]+0+3[[:space:]]"
like "grepper.exe imports KERNEL32.dll" "$T/dlls" "^kernel32\.dll$"
is "grepper.exe imports system DLLs only" \
  "$(not_system_dlls "$T/dlls" 'ole32|oleaut32')" ""

# ---- Windows: running under Wine -------------------------------------------
if wine_ready "grepper.exe runs under Wine"; then
  wine=$(command -v wine64 || command -v wine)
  # Output to files: Wine's services would hold a pipe open.
  (cd "$T/data" && "$wine" "$exe" gamma . >"$T/wout" 2>"$T/werr")
  is "grepper.exe runs under Wine and exits 0" "$?" 0
  is "grepper.exe finds the matches" \
    "$(tr '\\' '/' <"$T/wout" | tr -d '\r' | sort)" "$want"
  [ -s "$T/werr" ] && diag_file "$T/werr"
  (cd "$T/data" && "$wine" "$exe" --json ray sub >"$T/wout" 2>"$T/werr")
  case $(cat "$T/wout") in *'"text":"gamma ray"'*)
    ok "grepper.exe writes JSON (serde)" ;;
    *) not_ok "grepper.exe writes JSON (serde)"; diag_file "$T/wout" ;; esac
  mk_run "$p" test-x86_64-windows
  is "make test-x86_64-windows passes under Wine" "$rc" 0
  like "make test-x86_64-windows ran the example's tests" "$T/out" \
    "test result: ok\. [1-9][0-9]* passed"
  [ "$rc" = 0 ] || diag_file "$T/err"
fi

# ---- show and dist ---------------------------------------------------------
mk_run "$p" show
is "make show succeeds" "$rc" 0
like "show names the .exe" "$T/out" \
  "cross-x86_64-windows +x86_64-pc-windows-gnu +out/x86_64-windows/grepper\.exe$"
like "show names the armv7 binary" "$T/out" \
  "cross-armv7-linux +armv7-unknown-linux-musleabihf +out/armv7-linux/grepper$"

mk_run "$p" dist SOURCE_DATE_EPOCH=1700000000
is "make dist succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
d=$p/out/dist
zip=$d/grepper-0.1.0-x86_64-pc-windows-gnu.zip
check "Windows gets a .zip" test -f "$zip"
check "armv7 gets a .tar.gz" \
  test -f "$d/grepper-0.1.0-armv7-unknown-linux-musleabihf.tar.gz"
check "riscv64 gets a .tar.gz" \
  test -f "$d/grepper-0.1.0-riscv64gc-unknown-linux-musl.tar.gz"
is "SHA256SUMS lists the three archives" "$(wc -l <"$d/SHA256SUMS" | tr -d ' ')" 3
check "the sums verify" sh -c "cd '$d' && sha256sum -c SHA256SUMS >/dev/null"
python3 - "$zip" >"$T/zipinfo" 2>&1 <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for i in z.infolist():
        print(i.filename, "%04d-%02d-%02d %02d:%02d:%02d" % i.date_time,
              "extra=%d" % len(i.extra))
    assert z.testzip() is None
PY
is "the zip holds grepper.exe, dated SOURCE_DATE_EPOCH, no extra fields" \
  "$(cat "$T/zipinfo")" \
  "grepper.exe $(TZ=UTC date -d @1700000000 '+%Y-%m-%d %H:%M:%S') extra=0"
cp "$d/SHA256SUMS" "$T/sums1"
rm -rf "$d"
touch "$p/out/x86_64-windows/.stamp"
mk_run "$p" dist SOURCE_DATE_EPOCH=1700000000
is "a second dist gives the same bytes, zip included" \
  "$(cat "$d/SHA256SUMS" 2>&1)" "$(cat "$T/sums1")"
rm -rf "$d"
mk_run "$p" dist SOURCE_DATE_EPOCH=0
is "dates before 1980 (zip's epoch) become 1980-01-01" \
  "$rc:$(python3 -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).infolist()[0].date_time[:3])' "$zip" 2>&1)" \
  "0:(1980, 1, 1)"

# ---- the template, Windows linked by rust-lld ------------------------------
# examples/hello (the template) for the three targets, Windows linked by
# the toolchain's own rust-lld and the rust-std's self-contained MinGW
# objects instead of MinGW's gcc; every binary run.  (The template, not a
# second link of grepper: that would rebuild grepper's whole dependency
# layer for the other linker.)
h=$T/hello
mkdir -p "$h"
(cd "$XRUST_ROOT/examples/hello" &&
  cp -R Cargo.toml Cargo.lock rust-toolchain.toml src "$h/")
printf '%s\n' "XRUST_TARGETS := $targets" \
  "include $XRUST_ROOT/mk/xrust.mk" >"$h/Makefile"
mk_run "$h" -j2 cross-all XRUST_WINDOWS_LINKER=rust-lld
is "the template: make -j2 cross-all XRUST_WINDOWS_LINKER=rust-lld succeeds" \
  "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "the config record names rust-lld and the self-contained objects" \
  "$h/out/.xrust/x86_64-windows/config" \
  "linker=rust-lld target-flags=-C link-self-contained=yes"
printf 'one two three\nfour five\n' >"$T/data/in.txt"
for t in armv7-linux riscv64-linux; do
  case $t in armv7-linux) q=qemu-arm ;; riscv64-linux) q=qemu-riscv64 ;; esac
  out=$(cd "$T/data" && "$q" "$h/out/$t/hello" in.txt 2>&1 | head -n 1)
  is "the template for $t counts like wc under $q" \
    "$(echo "$out" | awk '{ print $1, $2, $3 }')" "2 5 24"
done
hexe=$h/out/x86_64-windows/hello.exe
pe_dlls "$hexe" "$T/pe2" >"$T/dlls2"
like "the rust-lld hello.exe is PE32+" "$T/pe2" "^Magic[[:space:]]+020b"
is "linked by rust-lld, hello.exe imports system DLLs only" \
  "$(not_system_dlls "$T/dlls2" 'ole32|oleaut32')" ""
if [ "$wrc" = 0 ]; then
  (cd "$T/data" && "$wine" "$hexe" in.txt >"$T/wout" 2>"$T/werr")
  is "the rust-lld hello.exe counts like wc under Wine" \
    "$(tr -d '\r' <"$T/wout" | head -n 1 | awk '{ print $1, $2, $3 }')" \
    "2 5 24"
  [ -s "$T/werr" ] && diag_file "$T/werr"
fi

# ---- a missing MinGW-w64 ---------------------------------------------------
# The template, linked by rust-lld above, asked for MinGW's gcc: its
# layers must be rebuilt, and PATH holds the few programs the parse and
# the layers before the link run, not the MinGW compiler.
mkdir -p "$T/minipath"
for c in make sh touch mkdir rm cp mv cat sed grep tr env dirname uname \
  git cut sort; do
  w=$(command -v "$c") && ln -sf "$w" "$T/minipath/$c"
done
mk_run "$h" cross-x86_64-windows XRUST_WINDOWS_LINKER=mingw PATH="$T/minipath"
is "without MinGW-w64 the Windows build stops" "$rc" 2
like "the error names the compiler and the Debian package" "$T/err" \
  "xrust: target 'x86_64-pc-windows-gnu' needs the MinGW-w64 C cross compiler 'x86_64-w64-mingw32-gcc', which is not on PATH \(Debian/Ubuntu: apt-get install gcc-mingw-w64-x86-64\)"

# The default (XRUST_WINDOWS_LINKER empty) without the compiler: rust-lld,
# since this rust-std ships the self-contained objects.  `make -q` runs no
# recipe but writes the config record, which says what the build would
# link with.
mk_run "$h" -q cross-x86_64-windows PATH="$T/minipath"
like "without MinGW-w64 the default links with rust-lld" \
  "$h/out/.xrust/x86_64-windows/config" \
  "linker=rust-lld target-flags=-C link-self-contained=yes"
# rust-lld asked for, with a rust-std that has no self-contained objects
# (a toolchain directory without them, given on the command line): one
# error naming the missing object and the way out, before any cargo.
mkdir -p "$T/bare-toolchain/bin"
mk_run "$h" cross-x86_64-windows XRUST_WINDOWS_LINKER=rust-lld \
  XRUST_TOOLCHAIN="$T/bare-toolchain"
is "rust-lld without the self-contained objects stops the build" "$rc" 2
like "the error names the missing crt2.o and XRUST_WINDOWS_LINKER=mingw" "$T/err" \
  "xrust: XRUST_WINDOWS_LINKER=rust-lld: the toolchain's rust-std for x86_64-pc-windows-gnu has no self-contained MinGW objects \('$(re "$T")/bare-toolchain/lib/rustlib/x86_64-pc-windows-gnu/lib/self-contained/crt2\.o' is missing\); link with the MinGW-w64 C cross compiler instead \(XRUST_WINDOWS_LINKER=mingw"
unlike "and no cargo ran" "$T/err" "Compiling|CARGO"

done_testing
