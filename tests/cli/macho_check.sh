#!/bin/sh
# tests/macho_check.py, the structural checker of macOS outputs, on real
# executables (C linked by ld64.lld against xrust's libSystem stub): it
# passes what is right (arm64 signed at 11.0, x86_64 at 10.12 with
# LC_VERSION_MIN_MACOSX and at 11.0 with LC_BUILD_VERSION, a fat file)
# and names each thing that is wrong: a byte changed inside the signed
# range, in the fat file too; a changed hash in the signature; a missing
# signature on arm64; another minimum macOS, CPU or dylib list; imports
# bound to no dylib (flat namespace); a file that is not Mach-O.
. "$(dirname "$0")/../lib.sh"
. "$XRUST_ROOT/tests/macho-lib.sh"

macho_tools
macho_hello_c >"$T/hello.c"
S=$T/sdk
if macho_sdk "$S" >"$T/build.log" 2>&1 &&
   macho_cc arm64 11.0 "$T/hello.c" "$T/a.o" >>"$T/build.log" 2>&1 &&
   macho_cc x86_64 10.12 "$T/hello.c" "$T/x.o" >>"$T/build.log" 2>&1 &&
   macho_link arm64 11.0 "$S" "$T/arm" "$T/a.o" >>"$T/build.log" 2>&1 &&
   macho_link x86_64 10.12 "$S" "$T/x86" "$T/x.o" >>"$T/build.log" 2>&1 &&
   macho_link x86_64 11.0 "$S" "$T/x86-11" "$T/x.o" -adhoc_codesign \
     >>"$T/build.log" 2>&1 &&
   macho_link arm64 11.0 "$S" "$T/unsigned" "$T/a.o" -no_adhoc_codesign \
     >>"$T/build.log" 2>&1 &&
   macho_link arm64 11.0 "$S" "$T/flat" "$T/a.o" -flat_namespace \
     >>"$T/build.log" 2>&1 &&
   "$LLVM_LIPO" -create "$T/arm" "$T/x86" -output "$T/fat" \
     >>"$T/build.log" 2>&1; then
  ok "Mach-O executables linked by ld64.lld"
else
  not_ok "Mach-O executables linked by ld64.lld"
  diag_file "$T/build.log"
  done_testing
  exit 1
fi

# passes DESC ARGS...: the checker accepts, printing what it verified.
passes() {
  _d=$1
  shift
  if $CHECK "$@" >"$T/out" 2>"$T/err"; then
    ok "$_d"
    diag_file "$T/out"
  else
    not_ok "$_d"
    diag_file "$T/err"
  fi
}

# fails DESC REGEX ARGS...: the checker exits 1 with a line matching REGEX.
fails() {
  _d=$1 _re=$2
  shift 2
  $CHECK "$@" >"$T/out" 2>"$T/err"
  _rc=$?
  if [ "$_rc" -eq 1 ] && grep -Eq -- "$_re" "$T/err"; then
    ok "$_d"
  else
    not_ok "$_d"
    diag "exit $_rc; want 1 and a line matching: $_re"
    diag_file "$T/err"
  fi
}

passes "arm64, 11.0, signed" --arch arm64 --minos 11.0 "$T/arm"
like "arm64: the signature was verified" "$T/out" \
  'signature sha256 [0-9]+ pages of 4096 ad hoc'
like "arm64: LC_BUILD_VERSION macos 11.0" "$T/out" \
  'LC_BUILD_VERSION macos 11\.0'
passes "x86_64, 10.12, LC_VERSION_MIN_MACOSX" --arch x86_64 --minos 10.12 \
  "$T/x86"
like "x86_64 at 10.12: LC_VERSION_MIN_MACOSX" "$T/out" \
  'LC_VERSION_MIN_MACOSX 10\.12'
passes "x86_64, 11.0, signed on request" --arch x86_64 --minos 11.0 \
  --signed "$T/x86-11"
passes "fat: both slices, per-arch minimums, slices identical" \
  --arch x86_64 --arch arm64 --minos arm64=11.0 --minos x86_64=10.12 \
  --slice-of "$T/arm" --slice-of "$T/x86" "$T/fat"

# flip FILE OFFSET: xor one byte of FILE with 0x01.
flip() {
  python3 -c 'import sys
p, o = sys.argv[1], int(sys.argv[2])
d = bytearray(open(p, "rb").read()); d[o] ^= 1
open(p, "wb").write(d)' "$1" "$2"
}
# sigoff FILE: the offset of the code signature of a thin file.
sigoff() {
  "$LLVM_OBJDUMP" --macho --private-headers "$1" |
    awk '/cmd LC_CODE_SIGNATURE/ { f = 1 } f && $1 == "dataoff" { print $2; exit }'
}
so=$(sigoff "$T/arm")
diag "arm64 signature at $so"
cp "$T/arm" "$T/arm-text"
flip "$T/arm-text" 20000     # inside the program's data
fails "a byte changed in the data is detected" \
  'arm64\): 1 of [0-9]+ page hashes do not match the file \(first: page 4 at offset 16384\)' \
  --arch arm64 --minos 11.0 "$T/arm-text"
cp "$T/arm" "$T/arm-last"
flip "$T/arm-last" $((so - 1))   # the last signed byte
fails "the last signed byte changed is detected" \
  'page hashes do not match the file' "$T/arm-last"
cp "$T/arm" "$T/arm-hash"
# The superblob's length (big-endian, after its magic): lld writes one
# blob, the CodeDirectory, whose last bytes are the last page's hash.
sblen=$(od -An -tu1 -j $((so + 4)) -N4 "$T/arm" |
  awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')
flip "$T/arm-hash" $((so + sblen - 1))
fails "a changed hash in the signature is detected" \
  'page hashes do not match the file' "$T/arm-hash"
cp "$T/fat" "$T/fat-bad"
flip "$T/fat-bad" $(( $(wc -c <"$T/fat") - $(wc -c <"$T/arm") + 20000 ))
fails "a byte changed in the fat file's arm64 slice is detected" \
  'fat-bad \(arm64\): 1 of [0-9]+ page hashes do not match' \
  --slice-of "$T/arm" "$T/fat-bad"
like "... and the slice differs from its input" "$T/err" \
  'the arm64 slice differs from'
fails "arm64 without a signature" \
  'unsigned \(arm64\): no LC_CODE_SIGNATURE \(arm64 code must be signed\)' \
  "$T/unsigned"
fails "x86_64 without a signature when one is required" \
  'x86 \(x86_64\): no LC_CODE_SIGNATURE$' --signed "$T/x86"
fails "another minimum macOS" \
  'arm \(arm64\): minimum macOS 11\.0, expected 12\.0$' --minos 12.0 "$T/arm"
fails "another minimum macOS for one slice of a fat file" \
  'fat \(x86_64\): minimum macOS 10\.12, expected 10\.13$' \
  --minos arm64=11.0 --minos x86_64=10.13 "$T/fat"
fails "another CPU" 'arm: holds arm64, expected x86_64$' --arch x86_64 \
  "$T/arm"
fails "another dylib list" \
  'loads /usr/lib/libSystem\.B\.dylib, expected /usr/lib/libSystem\.B\.dylib, /usr/lib/libz\.1\.dylib$' \
  --dylibs /usr/lib/libSystem.B.dylib,/usr/lib/libz.1.dylib "$T/arm"
fails "imports bound to no dylib" \
  'flat \(arm64\): [0-9]+ imported symbols not bound to a loaded dylib: .*_puts' \
  "$T/flat"
$CHECK "$T/hello.c" >"$T/out" 2>"$T/err"
is "a file that is not Mach-O: exit 1" "$?" 1
like "a file that is not Mach-O: magic named" "$T/err" \
  'hello\.c \(cpu 0x[0-9a-f]+\): magic 0x[0-9a-f]+, expected 0xfeedfacf'

done_testing
