#!/bin/sh
# xrust-test: no-sanitize
# Make-level tests of the bootstrap in mk/xrust.mk: a fresh checkout builds
# and loads its module on the first run, rebuilds it when a source changes,
# survives two Makes building at once, and explains clearly why it cannot
# work with an old Make, a Make without `load`, or a failed build.
. "$(dirname "$0")/../lib.sh"

src=$T/xrust
fresh_checkout "$src"
rm -rf "$src/build"
mkdir -p "$T/p"
cat >"$T/p/Makefile" <<MK
include $src/mk/xrust.mk
\$(info \$(rust-target aarch64-linux))
all: ; @:
MK

mk_run "$T/p"
is "first run from a clean checkout exits 0" "$rc" 0
is "the first parse already sees the module" "$(cat "$T/out")" \
  aarch64-unknown-linux-musl
check "the module was built" test -f "$src/build/xrust.so"
check "the tool was built" test -x "$src/build/xrust"

mk_run "$T/p"
is "second run prints the same" "$(cat "$T/out")" aarch64-unknown-linux-musl
is "second run builds nothing" "$(cat "$T/err")" ""

# A changed source: Make remakes the loaded object and re-executes.
before=$(stat -c %Y "$src/build/xrust.so")
sleep 1
touch "$src/module/lib/target.c"
mk_run "$T/p"
after=$(stat -c %Y "$src/build/xrust.so")
is "rebuild run exits 0" "$rc" 0
check "the module was rebuilt after a source changed" test "$after" -gt "$before"
# The first parse ran with the old module, the re-executed Make with the
# new one: both expand the function.
is "the re-executed Make expands the function again" "$(tail -n 1 "$T/out")" \
  aarch64-unknown-linux-musl

# A prerequisite newer than the module that does not change it (the top
# Makefile): Make unloads the module to remake it, and a function called
# later from a recipe must still work.
sleep 1
touch "$src/Makefile"
cat >"$T/p/Makefile" <<MK
include $src/mk/xrust.mk
all: ; @echo \$(rust-target x86_64-linux-gnu)
MK
mk_run "$T/p"
is "functions in recipes work after the module was remade" \
  "$rc:$(cat "$T/out")" "0:x86_64-unknown-linux-gnu"

# A change to the tool's sources (module/cli/) does not touch what Make
# loads, so Make neither remakes the module nor re-executes; a recipe that
# runs the tool gets it rebuilt first.
before=$(stat -c %Y "$src/build/xrust.so")
sleep 1
touch "$src/module/cli/cmd_basic.c"
cat >"$T/p/Makefile" <<MK
include $src/mk/xrust.mk
\$(info parsed)
all: | \$(XRUST_TOOL) ; @\$(XRUST_TOOL) target aarch64-linux
MK
mk_run "$T/p"
is "a tool-only change: one parse, then the tool runs" \
  "$rc:$(tr '\n' ' ' <"$T/out")" "0:parsed aarch64-unknown-linux-musl "
is "a tool-only change leaves the module alone" \
  "$(stat -c %Y "$src/build/xrust.so")" "$before"
check "the tool was rebuilt before the recipe ran" \
  test "$src/build/xrust" -nt "$src/module/cli/cmd_basic.c"
# A newer prerequisite that changes nothing (the top Makefile): the tool
# is brought up to date once, and a no-op after that starts no sub-make.
sleep 1
touch "$src/Makefile"
mk_run "$T/p"
check "the tool is newer than the top Makefile after one run" \
  test "$src/build/xrust" -nt "$src/Makefile"
(cd "$T/p" && env -u MAKEFLAGS strace -f -qq -e trace=execve \
  -o "$T/strace" $MAKE -s >/dev/null 2>&1)
is "the next run starts no sub-make and no pkg-config" \
  "$(grep -c 'execve("[^"]*\(pkg-config\|uname\)"' "$T/strace")" 0

# Error from a function at the user's line.
cat >"$T/p/Makefile" <<MK
include $src/mk/xrust.mk
X := \$(rust-target nonsense)
all: ; @:
MK
mk_run "$T/p"
is "an unknown target stops make" "$rc" 2
like "the error names the user's file and line" "$T/err" \
  "^Makefile:2: \*\*\* xrust: unknown target 'nonsense' \(known: x86_64-linux aarch64-linux x86_64-darwin aarch64-darwin x86_64-linux-gnu aarch64-linux-gnu x86_64-windows armv7-linux riscv64-linux; .*\)\.  Stop\.$"

# Two Makes building one fresh checkout at once both succeed.
src2=$T/xrust2
fresh_checkout "$src2"
rm -rf "$src2/build"
for i in 1 2; do
  mkdir -p "$T/c$i"
  printf 'include %s/mk/xrust.mk\n$(info $(rust-target x86_64-linux))\nall: ; @:\n' \
    "$src2" >"$T/c$i/Makefile"
done
(cd "$T/c1" && env -u MAKEFLAGS $MAKE -s >"$T/c1.out" 2>"$T/c1.err"; echo $? >"$T/c1.rc") &
(cd "$T/c2" && env -u MAKEFLAGS $MAKE -s >"$T/c2.out" 2>"$T/c2.err"; echo $? >"$T/c2.rc") &
wait
is "concurrent build 1 succeeds" "$(cat "$T/c1.rc"):$(cat "$T/c1.out")" \
  "0:x86_64-unknown-linux-musl"
is "concurrent build 2 succeeds" "$(cat "$T/c2.rc"):$(cat "$T/c2.out")" \
  "0:x86_64-unknown-linux-musl"
leftovers=$(find "$src2/build" -name '*.[0-9]*' | wc -l)
is "no temporary build files are left" "$leftovers" 0

# The top Makefile says what it builds, and nothing under make -s.
sleep 1
touch "$src2/module/cli/cli.c"
run_in "$src2" env -u MAKEFLAGS $MAKE --no-print-directory -s all
is "make -s rebuilds in silence" "$rc:$(cat "$T/out" "$T/err")" "0:"
check "make -s did rebuild the tool" test "$src2/build/xrust" -nt "$src2/module/cli/cli.c"
sleep 1
touch "$src2/module/cli/cli.c"
run_in "$src2" env -u MAKEFLAGS $MAKE --no-print-directory all
like "without -s it names what it compiles" "$T/out" '^  CC      build/obj/cli/cli\.o$'

# An old Make, a Make without load, a module that cannot be built.
printf 'include %s/mk/xrust.mk\nall: ; @:\n' "$src" >"$T/p/Makefile"
mk_run "$T/p" MAKE_VERSION=3.81 \
  .FEATURES="target-specific order-only second-expansion else-if archives jobserver check-symlink"
is "an old Make stops" "$rc" 2
like "an old Make gets a clear error" "$T/err" \
  "xrust: GNU Make 3.81 is too old: xrust needs GNU Make 4.3 or newer"
mk_run "$T/p" .FEATURES="target-specific nocomment"
is "a Make without load stops" "$rc" 2
like "a Make without load gets a clear error" "$T/err" \
  "built without 'load' support"
src3=$T/xrust3
fresh_checkout "$src3"
rm -rf "$src3/build"
printf 'include %s/mk/xrust.mk\nall: ; @:\n' "$src3" >"$T/p/Makefile"
run_in "$T/p" env -u MAKEFLAGS CC=false $MAKE --no-print-directory
is "a failed module build stops make" "$rc" 2
like "a failed module build says what to install" "$T/err" \
  "xrust: cannot build the module in '.*': it needs a C compiler, pkg-config and the development files of libcurl, libarchive and OpenSSL"

done_testing
