#!/bin/sh
# `xrust lipo -create`: the universal (fat) Mach-O of real x86_64 and
# arm64 executables (C linked by ld64.lld, no Rust needed) is
# byte-identical to what llvm-lipo makes of the same inputs, whatever
# their order; each slice is its input unchanged (llvm-lipo -thin, and the
# arm64 signature still verifies); object files and static libraries too.  Inputs that are not
# thin 64-bit Mach-O files, or two of one CPU, fail with one line naming
# the file and leave an existing output alone.
. "$(dirname "$0")/../lib.sh"
. "$XRUST_ROOT/tests/macho-lib.sh"

macho_tools
X=$XRUST_TOOL
macho_hello_c >"$T/hello.c"
if macho_sdk "$T/sdk" >"$T/build.log" 2>&1 &&
   macho_cc arm64 11.0 "$T/hello.c" "$T/a.o" >>"$T/build.log" 2>&1 &&
   macho_cc x86_64 10.12 "$T/hello.c" "$T/x.o" >>"$T/build.log" 2>&1 &&
   macho_link arm64 11.0 "$T/sdk" "$T/hello-arm64" "$T/a.o" \
     >>"$T/build.log" 2>&1 &&
   macho_link x86_64 10.12 "$T/sdk" "$T/hello-x86_64" "$T/x.o" \
     >>"$T/build.log" 2>&1; then
  ok "two Mach-O executables linked by ld64.lld"
else
  not_ok "two Mach-O executables linked by ld64.lld"
  diag_file "$T/build.log"
  done_testing
  exit 1
fi

# Fat files, ours and llvm-lipo's, for both input orders.
check "xrust lipo -create" \
  "$X" lipo -create -output "$T/fat" "$T/hello-arm64" "$T/hello-x86_64"
check "xrust lipo takes -output after the inputs" \
  "$X" lipo "$T/hello-x86_64" "$T/hello-arm64" -create -output "$T/fat2"
check "llvm-lipo -create" \
  "$LLVM_LIPO" -create "$T/hello-arm64" "$T/hello-x86_64" -output "$T/ref"
check "xrust lipo is byte-identical to llvm-lipo" cmp "$T/fat" "$T/ref"
check "the input order does not change the bytes" cmp "$T/fat2" "$T/ref"
diag "fat: $(wc -c <"$T/fat") bytes, arm64 $(wc -c <"$T/hello-arm64"), x86_64 $(wc -c <"$T/hello-x86_64")"

# The header: x86_64 at 4 KiB (align 12), arm64 at 16 KiB (align 14).
hdr=$(od -An -tx1 -N48 -v "$T/fat" | tr -d ' \n')
xs=$(printf '%08x' "$(wc -c <"$T/hello-x86_64")")
as=$(printf '%08x' "$(wc -c <"$T/hello-arm64")")
aoff=$(( ($(wc -c <"$T/hello-x86_64") + 4096 + 16383) / 16384 * 16384 ))
is "fat header: magic, 2 slices, x86_64 then arm64, offsets, aligns" \
  "$hdr" "cafebabe00000002010000078000000300001000${xs}0000000c0100000c00000000$(printf '%08x' $aoff)${as}0000000e"
"$LLVM_LIPO" -info "$T/fat" >"$T/info" 2>&1
like "llvm-lipo -info sees both architectures" "$T/info" \
  'Architectures in the fat file: .* are: x86_64 arm64'
for a in arm64 x86_64; do
  "$LLVM_LIPO" "$T/fat" -thin $a -output "$T/thin-$a" 2>"$T/err"
  check "the $a slice is its input unchanged" \
    cmp "$T/thin-$a" "$T/hello-$a"
done
check "the fat file passes the structural checks, slices identical" \
  $CHECK --arch arm64 --arch x86_64 --minos arm64=11.0 \
  --minos x86_64=10.12 --slice-of "$T/hello-arm64" \
  --slice-of "$T/hello-x86_64" "$T/fat"
mode=$(stat -c %a "$T/fat")
is "the fat executable is executable" "$mode" \
  "$(stat -c %a "$T/hello-arm64")"

# Object files (MH_OBJECT): the same alignment rules as llvm-lipo.
"$X" lipo -create -output "$T/fat.o" "$T/a.o" "$T/x.o" 2>"$T/err"
"$LLVM_LIPO" -create "$T/a.o" "$T/x.o" -output "$T/ref.o" 2>>"$T/err"
check "object files: byte-identical to llvm-lipo" cmp "$T/fat.o" "$T/ref.o"
is "object files: the output is not executable, like its inputs" \
  "$(stat -c %a "$T/fat.o")" "$(stat -c %a "$T/a.o")"

# Static libraries (Darwin-format archives, as rustc writes them for
# Apple targets): 8-byte alignment and CPU order, as llvm-lipo lays them
# out, whichever order they come in.
llvm-ar-14 --format=darwin rcs "$T/liba.a" "$T/a.o" 2>>"$T/err"
llvm-ar-14 --format=darwin rcs "$T/libx.a" "$T/x.o" 2>>"$T/err"
"$X" lipo -create -output "$T/fat.a" "$T/liba.a" "$T/libx.a" 2>>"$T/err"
"$LLVM_LIPO" -create "$T/libx.a" "$T/liba.a" -output "$T/ref.a" 2>>"$T/err"
check "static libraries: byte-identical to llvm-lipo" cmp "$T/fat.a" "$T/ref.a"
"$LLVM_LIPO" -info "$T/fat.a" >"$T/info.a" 2>&1
like "static libraries: llvm-lipo -info sees both" "$T/info.a" \
  "x86_64 arm64"
"$X" lipo -create -output "$T/fat2.a" "$T/libx.a" "$T/liba.a" 2>>"$T/err"
check "static libraries: the input order does not matter" \
  cmp "$T/fat2.a" "$T/ref.a"
printf '!<arch>\n' >"$T/empty.a"

# One input: a fat file of one slice, as llvm-lipo makes it.
"$X" lipo -create -output "$T/one" "$T/hello-arm64" 2>"$T/err"
"$LLVM_LIPO" -create "$T/hello-arm64" -output "$T/one.ref" 2>>"$T/err"
check "one input: byte-identical to llvm-lipo" cmp "$T/one" "$T/one.ref"

# Refusals: one line naming the file and what was expected, exit 1, the
# existing output unchanged, no temporary left.
cp "$T/ref" "$T/keep"
refuse() {
  _d=$1 _re=$2
  shift 2
  "$X" lipo -create -output "$T/keep" "$@" >"$T/out" 2>"$T/err"
  _rc=$?
  if [ "$_rc" -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
     grep -Eq -- "$_re" "$T/err" && cmp -s "$T/keep" "$T/ref" &&
     [ -z "$(ls "$T" | grep 'keep\.tmp-')" ]; then
    ok "$_d"
  else
    not_ok "$_d"
    diag "exit $_rc; want 1 and one line matching: $_re"
    diag_file "$T/err"
  fi
}
refuse "a static library without a Mach-O member is refused" \
  "^xrust: '$(re "$T/empty.a")' is an archive with no 64-bit Mach-O member \(expected a thin 64-bit Mach-O file or a static library of them\)$" \
  "$T/empty.a" "$T/hello-x86_64"
refuse "two inputs of one CPU are refused" \
  "^xrust: '$(re "$T/hello-arm64")' and '$(re "$T/a.o")' are both arm64 \(one input per CPU expected\)$" \
  "$T/hello-arm64" "$T/a.o"
refuse "a fat input is refused" \
  "^xrust: '$(re "$T/fat")' is a fat Mach-O file \(expected a thin 64-bit Mach-O file or a static library of them\)$" \
  "$T/hello-arm64" "$T/fat"
refuse "an ELF input is refused" \
  "^xrust: '$(re "$X")' is an ELF file \(expected a thin 64-bit Mach-O file or a static library of them\)$" \
  "$T/hello-arm64" "$X"
refuse "a text file is refused" \
  "^xrust: '$(re "$T/hello.c")' is not a Mach-O file \(expected a thin 64-bit Mach-O file or a static library of them\)$" \
  "$T/hello.c" "$T/hello-arm64"
refuse "a missing input is refused" \
  "^xrust: cannot open '$(re "$T/nope")': No such file or directory$" \
  "$T/hello-arm64" "$T/nope"

"$X" lipo -create "$T/hello-arm64" >"$T/out" 2>"$T/err"
rc=$?
is "no -output: usage, exit 2" "$rc" 2
like "no -output: the usage line" "$T/err" \
  '^usage: xrust lipo -create -output OUT INPUT\.\.\.$'
"$X" lipo -create -output "$T/o" -arch arm64 "$T/hello-arm64" \
  >"$T/out" 2>"$T/err"
rc=$?
is "an unknown option: exit 2" "$rc" 2
like "an unknown option is named" "$T/err" \
  "^xrust: lipo: unknown option '-arch'$"

done_testing
