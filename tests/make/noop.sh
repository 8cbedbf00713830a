#!/bin/sh
# xrust-test: no-sanitize
# Issue 16 item 3: a no-op reads no manifest.  What $(rust-crate) derives
# from a workspace (members by glob, a path dependency) is kept in
# out/.xrust/crate-vars.mk and read again only when one of its inputs is
# newer: strace shows a no-op opening no Cargo.toml nor Cargo.lock, and
# a new source file, an edited manifest, a new and a removed member, a
# deleted source, another XRUST_CRATE_DIR or XRUST_OUT, `make -n`,
# `make clean` and two goals in one run each do the right thing.  The
# same for $(rust-toolchain)'s answer (out/.xrust/toolchain.mk): no
# rust-toolchain.toml nor xrust.lock read by a no-op, each change of them
# read again.  And Make searches no implicit rule for xrust's own files.
. "$(dirname "$0")/../lib.sh"

serve_dist_fixture "no-op builds of a workspace against the dist fixture"

mk=$XRUST_ROOT/mk/xrust.mk
export XRUST_HOME="$T/home" XRUST_DIST_SERVER="$SERVE_URL" XRUST_CHANNEL=1.96.0
unset XRUST_OFFLINE XRUST_OUT XRUST_PROFILE XRUST_FEATURES RUSTFLAGS V

w=$T/ws
mkdir -p "$w/crates/app/src" "$w/crates/util/src"
printf '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n' >"$w/Cargo.toml"
printf '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nutil = { path = "../util" }\n' \
  >"$w/crates/app/Cargo.toml"
printf 'fn main() { println!("{}", util::n()); }\n' >"$w/crates/app/src/main.rs"
printf '[package]\nname = "util"\nversion = "0.1.0"\nedition = "2021"\n' \
  >"$w/crates/util/Cargo.toml"
printf 'pub fn n() -> u32 { 7 }\n' >"$w/crates/util/src/lib.rs"
# lock PACKAGE...: a Cargo.lock of path packages only (app depends on util).
lock() {
  printf 'version = 3\n' >"$w/Cargo.lock"
  for p; do
    printf '\n[[package]]\nname = "%s"\nversion = "0.1.0"\n' "$p" >>"$w/Cargo.lock"
    [ "$p" != app ] || printf 'dependencies = [\n "util",\n]\n' >>"$w/Cargo.lock"
  done
}
lock app util
# `name` prints what the variables say (a goal that resolves a toolchain).
printf '%s\n' 'XRUST_TARGETS := x86_64-linux' "include $mk" \
  'name: ; @echo $(XRUST_CRATE_NAME) $(notdir $(XRUST_CRATE_SOURCES))' \
  >"$w/Makefile"
cv=$w/out/.xrust/crate-vars.mk
mt() { stat -c %Y.%y "$1"; }
# opens: the files a no-op `make` opens, one a line.
opens() {
  (cd "$w" && env -u MAKEFLAGS strace -f -qq -e trace=openat,open \
    -o "$T/strace" $MAKE --no-print-directory "$@" >"$T/out" 2>"$T/err")
  rc=$?
  grep -o 'open[a-z]*([^"]*"[^"]*"' "$T/strace" | sed 's/.*"\(.*\)"/\1/'
}

mk_run "$w"
is "the first make builds the workspace" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
check "it keeps the crate's variables in out/.xrust/crate-vars.mk" test -f "$cv"
like "the file lists the member glob's directory among the inputs" "$cv" \
  "^XRUST_CRATE_INPUTS := .*$(re "$w")/crates( |\$)"
is "the binary runs" "$("$w/out/host/app")" 7

# ---- the no-op ---------------------------------------------------------------

m0=$(mt "$cv")
opens >"$T/opened"
is "the no-op make succeeds" "$rc" 0
like "make has nothing to do" "$T/out" "Nothing to be done for 'all'"
is "the no-op opens no Cargo.toml nor Cargo.lock" \
  "$(grep -c 'Cargo\.\(toml\|lock\)$' "$T/opened")" 0
check "it opens the generated file instead" grep -qx "$cv" "$T/opened"
is "crate-vars.mk is not rewritten" "$(mt "$cv")" "$m0"
# Nor does it read the toolchain's files: $(rust-toolchain)'s answer is
# kept in out/.xrust/toolchain.mk.
tcm=$w/out/.xrust/toolchain.mk
is "the no-op opens no rust-toolchain.toml nor xrust.lock" \
  "$(grep -c 'rust-toolchain\(\.toml\)\{0,1\}$\|xrust\.lock$' "$T/opened")" 0
check "it opens out/.xrust/toolchain.mk instead" grep -qx "$tcm" "$T/opened"
like "toolchain.mk names the toolchain" "$tcm" \
  "^xrust__tc_path := $(re "$T/home")/v1/toolchains/[0-9a-f]{64}$"

# ---- the toolchain's files change ----------------------------------------------

# A rust-toolchain.toml appears in the project: the next parse reads it.
printf '[toolchain]\nchannel = "1.96.0"\n' >"$w/rust-toolchain.toml"
mk_run "$w"
is "a new rust-toolchain.toml: the build succeeds" "$rc" 0
like "toolchain.mk's key now names it" "$tcm" \
  "^xrust__tc_was := .* files=$(re "$w")/rust-toolchain\.toml "
opens >"$T/opened"
is "then the no-op opens it no more" \
  "$(grep -c 'rust-toolchain\.toml$' "$T/opened")" 0
# An edit is newer than toolchain.mk: Make remakes it, reading the file.
sleep 1
printf '[toolchain]\nchannel = "9.99.0"\n' >"$w/rust-toolchain.toml"
mk_run "$w"
check "an edited rust-toolchain.toml is read: an unknown channel fails" \
  test "$rc" -ne 0
like "... naming the channel" "$T/err" "\*\*\* xrust: .*9\.99\.0"
sleep 1
printf '[toolchain]\nchannel = "1.96.0"\n' >"$w/rust-toolchain.toml"
mk_run "$w"
is "the channel restored: the build succeeds" "$rc" 0
sleep 1
touch "$w/rust-toolchain.toml"
mk_run "$w" V=2
is "a touched rust-toolchain.toml: the build succeeds" "$rc" 0
like "... and V=2 says why the file is read again" "$T/err" \
  "WHY +toolchain\.mk: .*rust-toolchain\.toml"
rm -f "$w/rust-toolchain.toml"
mk_run "$w"
is "rust-toolchain.toml removed: the build succeeds" "$rc" 0
unlike "toolchain.mk's key no longer names it" "$tcm" "rust-toolchain\.toml"
# The toolchain deleted from the store: resolved (and installed) again.
tc=$(sed -n 's/^xrust__tc_path := //p' "$tcm")
mv "$tc" "$tc.gone"
mk_run "$w" toolchain
is "a toolchain deleted from the store: resolved again" "$rc:$(cat "$T/out")" "0:$tc"
check "... and installed again" test -x "$tc/bin/cargo"
rm -rf "$tc.gone"

# ---- no implicit-rule search for xrust's own files ------------------------------

# xrust's makefiles, the module's sources (this is a checkout), the
# config records and the generated makefiles' inputs have explicit empty
# rules: Make's debug output shows no implicit-rule search for any.
mk_run "$w" -d
is "make -d of the no-op succeeds" "$rc" 0
sed -n "s/^ *Looking for an implicit rule for '\(.*\)'\.$/\1/p" "$T/out" \
  >"$T/searched"
is "no implicit-rule search for xrust's makefiles or module sources" \
  "$(grep -c "^$(re "$XRUST_ROOT")/" "$T/searched")" 0
is "nor for the config records or crate-dir" \
  "$(grep -c '/out/\.xrust/\(.*/config\|crate-dir\)$' "$T/searched")" 0
check "(the debug output does list searches: the user's own files)" \
  grep -q . "$T/searched"
is "nor for the depfiles, xrust.lock or the toolchain files" \
  "$(grep -c 'crate\.d$\|xrust\.lock$\|rust-toolchain' "$T/searched")" 0
# The sources are looked up, but the search ends at xrust's pattern rule
# for the workspace's .rs files: Make tries no file on the disk for them
# (its built-in rules would try lib.rs.c, lib.rs.o, RCS/, SCCS/, ...).
check "Make looks for a rule for a source, lib.rs" \
  grep -qx "$(re "$w")/crates/util/src/lib\.rs" "$T/searched"
is "and tries no implicit prerequisite for any source" \
  "$(grep -c "Trying implicit prerequisite '$(re "$w")/.*\.rs[.,']" "$T/out")" 0

# ---- a user's rule for a source; the rules a run reads ----------------------------

# An explicit rule of the user's that makes a source still runs, and the
# crate layer rebuilds after it.
cp "$w/Makefile" "$T/Makefile.saved"
printf 'pub fn n() -> u32 { 9 }\n' >"$w/util.in"
sleep 1
printf '%s\n' 'XRUST_TARGETS := x86_64-linux aarch64-linux' "include $mk" \
  '$(CURDIR)/crates/util/src/lib.rs: $(CURDIR)/util.in ; cp $< $@' \
  'mine: cross-aarch64-linux' >"$w/Makefile"
mk_run "$w"
is "a user's explicit rule for a source: make builds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "the user's rule ran" "$T/out" "^cp .*util\.in .*crates/util/src/lib\.rs"
is "and the binary has the new source" "$("$w/out/host/app")" 9
# `make cross-x86_64-linux` reads the rules of x86_64-linux only, not
# those of every target in XRUST_TARGETS; a goal of the user's gets every
# target's.
mk_run "$w" -p -q cross-x86_64-linux
like "make cross-x86_64-linux has the rules of x86_64-linux" "$T/out" \
  "^$(re "$w")/out/\.xrust/x86_64-linux/deps\.stamp:"
unlike "but not those of aarch64-linux" "$T/out" "^$(re "$w")/out/\.xrust/aarch64-linux/"
unlike "nor the host's" "$T/out" "^$(re "$w")/out/\.xrust/host/"
mk_run "$w" -n mine
is "make -n mine (a user's goal on cross-aarch64-linux) succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "it would build aarch64-linux" "$T/out" \
  "cargo.* build .*--target aarch64-unknown-linux-musl"
cp "$T/Makefile.saved" "$w/Makefile"
printf 'pub fn n() -> u32 { 7 }\n' >"$w/crates/util/src/lib.rs"

# ---- a new source file, then the same one deleted -----------------------------

sleep 1
printf 'pub fn m() -> u32 { 8 }\n' >"$w/crates/util/src/extra.rs"
mk_run "$w" V=2
is "a new source file builds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "crate-vars.mk is made again, because src/ is newer" "$T/err" \
  "^  WHY     crate-vars\.mk: .*$(re "$w")/crates/util/src"
like "the new file is a source of the crate layer" "$cv" \
  "^XRUST_CRATE_SOURCES := .*crates/util/src/extra\.rs"
like "the crate layer runs" "$T/err" "^  WHY     host/crate\.stamp: .*extra\.rs"
unlike "the dependency layer does not" "$T/err" "DEPS|deps\.stamp"
mk_run "$w"
like "then it is a no-op again" "$T/out" "Nothing to be done for 'all'"

sleep 1
rm "$w/crates/util/src/extra.rs"
mk_run "$w"
is "a deleted source file stops nothing" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
unlike "crate-vars.mk no longer names it" "$cv" "extra\.rs"

# ---- an edited manifest --------------------------------------------------------

sleep 1
printf 'description = "d"\n' >>"$w/crates/util/Cargo.toml"
mk_run "$w" V=2
is "an edited Cargo.toml builds" "$rc" 0
like "the stub and dependency layers run" "$T/err" "^  WHY     host/deps\.stamp: "
like "so does the crate layer" "$T/err" "^  WHY     host/crate\.stamp: "

# ---- make -n, clean, offline goals ---------------------------------------------

sleep 1
touch "$w/crates/app/Cargo.toml"
m0=$(mt "$cv")
mk_run "$w" -n
is "make -n after an edit succeeds" "$rc" 0
is "make -n writes no crate-vars.mk" "$(mt "$cv")" "$m0"
like "it shows the cargo run it would do" "$T/out" "cargo.* build "
mk_run "$w" clean
is "make clean succeeds" "$rc" 0
check "it removes out/, the generated file with it" test ! -e "$w/out"
mk_run "$w" show XRUST_HOME="$T/nohome" XRUST_OFFLINE=1
is "make show needs no toolchain" "$rc" 0
check "and writes no crate-vars.mk" test ! -e "$cv"
mk_run "$w" help XRUST_HOME="$T/nohome" XRUST_OFFLINE=1
is "make help needs no toolchain" "$rc" 0

# ---- two goals in one run ---------------------------------------------------------

mk_run "$w" name all
is "make name all builds after clean" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
is "it names the workspace and its sources" "$(head -n 1 "$T/out")" \
  "ws main.rs lib.rs"
mk_run "$w" cross-x86_64-linux all
is "make cross-x86_64-linux all builds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
m0=$(mt "$cv")
mk_run "$w" cross-x86_64-linux all
like "and then is a no-op for both" "$T/out" "Nothing to be done for 'all'"
is "without making crate-vars.mk again" "$(mt "$cv")" "$m0"

# ---- a new workspace member, then removed ------------------------------------------

sleep 1
mkdir -p "$w/crates/extra/src"
printf '[package]\nname = "extra"\nversion = "0.1.0"\nedition = "2021"\n' \
  >"$w/crates/extra/Cargo.toml"
printf 'pub fn e() {}\n' >"$w/crates/extra/src/lib.rs"
lock app extra util
mk_run "$w" V=2
is "a new member by the glob builds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "crate-vars.mk names its manifest" "$cv" \
  "^XRUST_CRATE_MANIFESTS := .*crates/extra/Cargo\.toml"
like "the stub layer runs for it" "$T/err" "^  WHY     stub\.stamp: .*crates/extra/Cargo\.toml"
sleep 1
rm -r "$w/crates/extra"
lock app util
mk_run "$w"
is "a removed member stops nothing (no 'No rule to make target')" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
unlike "crate-vars.mk no longer names it" "$cv" "crates/extra"

# ---- another XRUST_CRATE_DIR, another XRUST_OUT -------------------------------------

mk_run "$w" name XRUST_CRATE_DIR="$w/crates/util"
is "XRUST_CRATE_DIR pointing at a member is read afresh" "$(cat "$T/out")" \
  "util lib.rs"
mk_run "$w" name
is "and back at the workspace" "$(cat "$T/out")" "ws main.rs lib.rs"
mk_run "$w" name XRUST_OUT=out2
is "another XRUST_OUT gets its own file" "$(cat "$T/out")" "ws main.rs lib.rs"
check "out2/.xrust/crate-vars.mk" test -f "$w/out2/.xrust/crate-vars.mk"

# ---- a malformed manifest: the error, then the fix --------------------------------------

sleep 1
printf '[package]\nname = "util"\nversion = 1.0.0\n' >"$w/crates/util/Cargo.toml"
mk_run "$w"
is "a malformed manifest stops make" "$rc" 2
like "the error names the manifest and line" "$T/err" \
  "\*\*\* xrust: $(re "$w")/crates/util/Cargo\.toml:3:[0-9]+: "
sleep 1
printf '[package]\nname = "util"\nversion = "0.1.0"\nedition = "2021"\n' \
  >"$w/crates/util/Cargo.toml"
mk_run "$w"
is "fixed, it builds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"

done_testing
