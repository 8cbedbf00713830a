#!/bin/sh
# `xrust target --cc` and `--cc-table`: the C compiler's table (a
# `$(CC) -dumpmachine` triple to the Rust target).  README's table under
# "### C projects" is exactly what --cc-table prints, so the two cannot
# drift; every example the table shows maps to its row through the tool;
# the triples real compilers print (cc, aarch64-linux-gnu-gcc, clang for
# other targets) map as they should; unmapped and empty triples fail with
# one line naming them and XRUST_TARGET.
. "$(dirname "$0")/../lib.sh"

X=$XRUST_TOOL

# The table in README.md: the block of "|" lines that starts with the
# table's header, inside the "### C projects" section.
awk '/^### C projects$/ { s = 1; next }
     s && /^##/ { exit }
     s && /^\| C triple/ { t = 1 }
     t && /^\|/ { print; next }
     t { exit }' "$XRUST_ROOT/README.md" >"$T/readme"
"$X" target --cc-table >"$T/table" 2>"$T/err"
is "xrust target --cc-table succeeds quietly" "$?:$(cat "$T/err")" "0:"
if cmp -s "$T/readme" "$T/table"; then
  ok "README's C projects table is what --cc-table prints"
else
  not_ok "README's C projects table is what --cc-table prints"
  diff -u "$T/readme" "$T/table" | diag_file /dev/stdin
fi
is "the table starts with its header" "$(head -n 2 "$T/table")" \
  "| C triple (examples) | Rust target |
| --- | --- |"
rows=$(tail -n +3 "$T/table" | grep -c \
  '^| `[a-z0-9_.-]*`\(, `[a-z0-9_.-]*`\)* | `[a-z0-9_]*-[a-z0-9_.-]*` |$')
is "every row is examples and one Rust target" "$rows" \
  "$(($(wc -l <"$T/table") - 2))"
[ "$rows" -ge 25 ] && ok "the table has $rows rows" ||
  not_ok "the table has $rows rows, fewer than 25"

# Each example of each row, through the tool, gives the row's target.
tail -n +3 "$T/table" | tr -d '`|,' >"$T/words"
bad=0
n=0
while read -r line; do
  rust=${line##* }
  for c in ${line% *}; do
    n=$((n + 1))
    got=$("$X" target --cc "$c" 2>&1)
    [ "$got" = "$rust" ] || { bad=$((bad + 1)); diag "$c: got '$got', want '$rust'"; }
  done
done <"$T/words"
is "all $n examples of the table map to their row's target" "$bad" 0

# The brief's mappings, written out apart from the table.
for pair in x86_64-linux-gnu:x86_64-unknown-linux-gnu \
            x86_64-pc-linux-gnu:x86_64-unknown-linux-gnu \
            x86_64-redhat-linux:x86_64-unknown-linux-gnu \
            x86_64-suse-linux:x86_64-unknown-linux-gnu \
            x86_64-linux-musl:x86_64-unknown-linux-musl \
            x86_64-alpine-linux-musl:x86_64-unknown-linux-musl \
            aarch64-linux-gnu:aarch64-unknown-linux-gnu \
            aarch64-linux-musl:aarch64-unknown-linux-musl \
            arm-linux-gnueabihf:armv7-unknown-linux-gnueabihf \
            armv7a-linux-gnueabihf:armv7-unknown-linux-gnueabihf \
            arm-linux-gnueabi:arm-unknown-linux-gnueabi \
            arm-linux-musleabihf:arm-unknown-linux-musleabihf \
            armv7-alpine-linux-musleabihf:armv7-unknown-linux-musleabihf \
            riscv64-linux-gnu:riscv64gc-unknown-linux-gnu \
            riscv64-linux-musl:riscv64gc-unknown-linux-musl \
            i386-linux-gnu:i686-unknown-linux-gnu \
            i586-linux-gnu:i586-unknown-linux-gnu \
            powerpc64le-linux-gnu:powerpc64le-unknown-linux-gnu \
            s390x-linux-gnu:s390x-unknown-linux-gnu \
            loongarch64-linux-gnu:loongarch64-unknown-linux-gnu \
            mips64el-linux-gnuabi64:mips64el-unknown-linux-gnuabi64 \
            x86_64-w64-mingw32:x86_64-pc-windows-gnu \
            i686-w64-mingw32:i686-pc-windows-gnu \
            arm64-apple-darwin23.1.0:aarch64-apple-darwin \
            aarch64-apple-darwin:aarch64-apple-darwin \
            x86_64-apple-darwin22.6.0:x86_64-apple-darwin \
            x86_64-unknown-freebsd14.0:x86_64-unknown-freebsd; do
  run_in "$T" "$X" target --cc "${pair%%:*}"
  is "--cc ${pair%%:*}" "$rc:$(cat "$T/out")$(cat "$T/err")" "0:${pair#*:}"
done

# What real compilers print.
is "cc -dumpmachine maps to this machine" \
  "$("$X" target --cc "$(cc -dumpmachine)")" "$(uname -m)-unknown-linux-gnu"
is "aarch64-linux-gnu-gcc -dumpmachine maps to aarch64 gnu" \
  "$("$X" target --cc "$(aarch64-linux-gnu-gcc -dumpmachine)")" \
  aarch64-unknown-linux-gnu
for pair in arm-linux-gnueabihf:armv7-unknown-linux-gnueabihf \
            riscv64-linux-gnu:riscv64gc-unknown-linux-gnu \
            x86_64-linux-musl:x86_64-unknown-linux-musl \
            x86_64-w64-mingw32:x86_64-pc-windows-gnu \
            arm64-apple-macos14:aarch64-apple-darwin \
            x86_64-apple-darwin23.1.0:x86_64-apple-darwin \
            x86_64-unknown-freebsd14.0:x86_64-unknown-freebsd; do
  c=$(clang --target="${pair%%:*}" -dumpmachine)
  is "clang --target=${pair%%:*} prints $c, which maps" \
    "$("$X" target --cc "$c" 2>&1)" "${pair#*:}"
done

# The C library override (Debian's musl-gcc prints gcc's own triple).
run_in "$T" "$X" target --cc x86_64-linux-gnu musl
is "--cc x86_64-linux-gnu musl" "$rc:$(cat "$T/out")" \
  "0:x86_64-unknown-linux-musl"
run_in "$T" "$X" target --cc aarch64-linux-musl gnu
is "--cc aarch64-linux-musl gnu" "$rc:$(cat "$T/out")" \
  "0:aarch64-unknown-linux-gnu"
run_in "$T" "$X" target --cc x86_64-linux-gnu glibc
is "an unknown C library fails with one line" \
  "$rc:$(cat "$T/out"):$(cat "$T/err")" \
  "1::xrust: unknown C library 'glibc' (expected gnu or musl)"

# Failures: one line naming the triple and XRUST_TARGET, nothing on stdout.
for c in arm-none-eabi riscv32-unknown-elf x86_64-linux-android \
         x86_64-pc-windows-msvc avr 'x86_64 linux gnu' 'X86_64-linux-gnu'; do
  run_in "$T" "$X" target --cc "$c"
  is "--cc '$c' fails with one line naming it" \
    "$rc:$(cat "$T/out"):$(cat "$T/err")" \
    "1::xrust: no Rust target for the C compiler's target '$c' (\$(CC) -dumpmachine); set XRUST_TARGET to the Rust triple"
done
run_in "$T" "$X" target --cc ''
is "--cc '' fails, naming XRUST_TARGET" \
  "$rc:$(cat "$T/out"):$(cat "$T/err")" \
  "1::xrust: empty C compiler target (expected what \$(CC) -dumpmachine prints, e.g. x86_64-linux-gnu); set XRUST_TARGET to the Rust triple"
run_in "$T" "$X" target --cc
is "--cc without a triple is a usage error" "$rc:$(cat "$T/err")" \
  "2:usage: xrust target --cc C-TRIPLE [gnu|musl]"
run_in "$T" "$X" target --cc-table x
is "--cc-table takes no argument" "$rc:$(cat "$T/out"):$(cat "$T/err")" \
  "2::usage: xrust target --cc-table"
run_in "$T" "$X" target x86_64-linux
is "target NAME still maps short names" "$rc:$(cat "$T/out")" \
  "0:x86_64-unknown-linux-musl"

done_testing
