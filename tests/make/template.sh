#!/bin/sh
# xrust-test: no-sanitize
# The template, examples/hello, as a user drives it (issues 4 and 5): its
# Makefile is at most three lines; `make vendor` and `make toolchain` run
# only their layer; plain `make` builds for the host into out/host/ and the
# CLI works (arguments, files, standard input, grapheme counting from its
# dependency, errors); a change of features or toolchain reruns the
# dependency and crate layers and nothing else; `make xrust-update`
# re-resolves a stale lock; a gnu target without its C cross compiler
# stops with the Debian package to install, and its tests run under qemu
# with the multiarch libc; `make help` lists the targets.
. "$(dirname "$0")/../lib.sh"

serve_fixtures "the template against the fixtures"

src=$XRUST_ROOT/examples/hello
lines=$(wc -l <"$src/Makefile" | tr -d ' ')
case $lines in
  1|2|3) ok "the template's Makefile has at most three lines ($lines)" ;;
  *) not_ok "the template's Makefile has at most three lines"; diag_file "$src/Makefile" ;;
esac
like "the template's Makefile includes xrust.mk" "$src/Makefile" \
  '^include .*/mk/xrust\.mk$'

p=$T/hello
mkdir -p "$p"
cp -R "$src/Cargo.toml" "$src/Cargo.lock" "$src/rust-toolchain.toml" \
  "$src/src" "$p/"
sed "s|^include .*|include $XRUST_ROOT/mk/xrust.mk|" "$src/Makefile" \
  >"$p/Makefile"
export XRUST_HOME="$T/home" XRUST_DIST_SERVER="$SERVE_URL" \
  XRUST_CRATES_DL="$REGISTRY_URL/crates/{crate}/{crate}-{version}.crate"

# ---- make vendor: only the vendored crates ---------------------------------
mk_run "$p" vendor
is "make vendor succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "make vendor vendors" "$T/err" "^  VENDOR "
unlike "make vendor compiles nothing" "$T/err" "DEPS|CARGO"
is "make vendor downloaded the lockfile's 7 registry crates" \
  "$(grep -c 'GET /crates/' "$REG_LOG")" 7
for c in anyhow clap unicode-segmentation unicode-width; do
  check "out/vendor has $c with its .cargo-checksum.json" \
    sh -c "test -f '$p'/out/vendor/$c-[0-9]*/.cargo-checksum.json"
done
mk_run "$p" vendor
is "make vendor again: nothing to do" "$rc:$(cat "$T/err")" "0:"

# ---- make toolchain: prints the toolchain --------------------------------
mk_run "$p" toolchain
is "make toolchain succeeds" "$rc" 0
tc=$(tail -n 1 "$T/out")
case $tc in "$T/home"/*) ok "make toolchain prints a toolchain in the store" ;;
  *) not_ok "make toolchain prints a toolchain in the store"; diag "got '$tc'" ;; esac
"$tc/bin/rustc" -vV >"$T/vv" 2>&1
like "that toolchain's rustc is the pinned 1.96.0" "$T/vv" '^release: 1\.96\.0$'
like "make toolchain wrote xrust.lock" "$p/xrust.lock" '^channel = "1\.96\.0"$'
unlike "make toolchain compiles nothing" "$T/err" "DEPS|CARGO"

# ---- make: the host build ---------------------------------------------------
mk_run "$p" -j2
is "make (the default goal) succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "the default goal builds for the host" "$T/err" '^  CARGO   hello \(host\)$'
bin=$p/out/host/hello
check "the default goal puts the binary in out/host/" test -x "$bin"

printf 'one two three\nfour five\n' >"$T/in.txt"
printf 'e\314\201\n' >"$T/accent.txt"    # e + combining acute: 1 grapheme
printf 'ab\n\344\270\255\346\226\207!\n' >"$T/wide.txt"   # 2 wide chars + 1
words() { tr -s ' \t' '  ' | sed 's/^ //; s/ $//'; }
is "hello counts lines, words and bytes of a file, like wc" \
  "$("$bin" "$T/in.txt" | words)" "$(wc "$T/in.txt" | words)"
is "hello reads standard input" "$("$bin" <"$T/in.txt" | words)" "2 5 24"
is "hello -l prints only lines" "$("$bin" -l "$T/in.txt" | words)" \
  "2 $T/in.txt"
is "hello -m counts grapheme clusters (unicode-segmentation)" \
  "$("$bin" -m <"$T/accent.txt" | words)" "2"
is "hello -L measures display width (unicode-width)" \
  "$("$bin" -L <"$T/wide.txt" | words)" "5"
"$bin" "$T/in.txt" "$T/accent.txt" >"$T/two" 2>&1
like "two files end with a total line" "$T/two" '^ *3 +6 +28 total$'
"$bin" --help >"$T/help" 2>&1
like "hello --help describes the program (clap)" "$T/help" \
  "Count lines, words, characters and bytes"
is "hello --version" "$("$bin" --version 2>&1)" "hello 0.1.0"
"$bin" --bogus >"$T/o" 2>"$T/e"
is "an unknown option exits 2" "$?" 2
like "an unknown option is named" "$T/e" "'--bogus'"
like "an unknown option prints the usage" "$T/e" '^Usage: hello \[OPTIONS\] \[FILE\]\.\.\.$'
"$bin" "$T/missing.txt" >"$T/o" 2>"$T/e"
is "a missing file exits 1" "$?" 1
like "a missing file is named (anyhow context)" "$T/e" \
  "cannot read '$T/missing.txt'"

mk_run "$p"
is "make again is a no-op" "$rc:$(cat "$T/err")" "0:"

# ---- configuration changes: dependency and crate layers only -------------
layers() { awk '/^  (VENDOR|STUB|DEPS|CARGO|OUT) / { printf " %s", $1 } END { print " " }' "$T/err"; }
mk_run "$p" XRUST_FEATURES=clap/std
is "XRUST_FEATURES changed: builds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
is "XRUST_FEATURES changed: the dependency and crate layers rerun" \
  "$(layers)" " DEPS CARGO OUT "
mk_run "$p" XRUST_FEATURES=clap/std
is "the same XRUST_FEATURES again: a no-op" "$rc:$(cat "$T/err")" "0:"
mk_run "$p" XRUST_NO_DEFAULT_FEATURES=1
is "XRUST_NO_DEFAULT_FEATURES=1: the dependency and crate layers rerun" \
  "$rc:$(layers)" "0: DEPS CARGO OUT "

# Another toolchain (the same one through another path, as a
# rust-toolchain.toml `path =` gives it): the layers rerun.
ln -s "$tc" "$T/tc-link"
cp "$p/rust-toolchain.toml" "$T/rust-toolchain.toml.orig"
printf '[toolchain]\npath = "%s"\n' "$T/tc-link" >"$p/rust-toolchain.toml"
n=$(requests)
mk_run "$p"
is "another toolchain: builds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
is "another toolchain: the dependency and crate layers rerun" \
  "$(layers)" " DEPS CARGO OUT "
is "a path = toolchain makes no request" "$(requests)" "$n"
cp "$T/rust-toolchain.toml.orig" "$p/rust-toolchain.toml"
mk_run "$p"
is "back to the pinned channel: builds" "$rc" 0
check "and the binary runs" "$bin" --version

# ---- make xrust-update: a stale lock re-resolved ----------------------------
real=$(sed -n 's/^manifest-sha256 = "\(.*\)"$/\1/p' "$p/xrust.lock")
want=$(cut -d' ' -f1 "$DIST_DIR/dist/channel-rust-1.96.0.toml.sha256")
is "the lock holds the manifest's sha256" "$real" "$want"
sed -i "s/^manifest-sha256 = .*/manifest-sha256 = \"$(printf '%064d' 0)\"/" \
  "$p/xrust.lock"
: >"$SERVE_LOG"
mk_run "$p" xrust-update
is "make xrust-update succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
is "make xrust-update prints the toolchain" "$(tail -n 1 "$T/out")" "$tc"
like "make xrust-update fetched the channel manifest" "$SERVE_LOG" \
  "^GET /dist/channel-rust-1\.96\.0\.toml "
is "make xrust-update rewrote the lock's manifest sha256" \
  "$(sed -n 's/^manifest-sha256 = "\(.*\)"$/\1/p' "$p/xrust.lock")" "$want"
unlike "make xrust-update compiles nothing" "$T/err" "DEPS|CARGO"
: >"$SERVE_LOG"
mk_run "$p"
is "after xrust-update the build is a no-op without requests" \
  "$rc:$(cat "$T/err"):$(requests)" "0::0"

# ---- a gnu target without its C cross compiler ------------------------------
# PATH: every command of /usr/bin except the aarch64 gnu cross tools.
mkdir -p "$T/nocross"
for f in /usr/bin/*; do
  case ${f##*/} in aarch64-linux-gnu-*) continue ;; esac
  ln -s "$f" "$T/nocross/${f##*/}"
done
run_in "$p" env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS PATH="$T/nocross" \
  make --no-print-directory cross-aarch64-linux-gnu
is "no aarch64-linux-gnu-gcc: make fails with status 2" "$rc" 2
like "no aarch64-linux-gnu-gcc: the error names the compiler and the package" \
  "$T/err" "needs the C cross compiler 'aarch64-linux-gnu-gcc', which is not on PATH \(Debian/Ubuntu: apt-get install gcc-aarch64-linux-gnu\)"
unlike "no aarch64-linux-gnu-gcc: cargo never ran" "$T/err" "DEPS|CARGO"
check "no aarch64-linux-gnu-gcc: no output directory" \
  test ! -e "$p/out/aarch64-linux-gnu"
run_in "$p" env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS PATH="$T/nocross" \
  make --no-print-directory cross-aarch64-linux
is "the musl target needs no C cross compiler" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
check "out/aarch64-linux/hello exists" test -x "$p/out/aarch64-linux/hello"

# The gnu target's tests under qemu, through the runner xrust sets
# (qemu-aarch64 with the multiarch libc as its prefix): a qemu-aarch64
# first on PATH logs how it is called and runs the real one.
mkdir -p "$T/qbin"
cat >"$T/qbin/qemu-aarch64" <<SH
#!/bin/sh
echo "qemu-aarch64 \$*" >>"$T/qemu.log"
exec $(command -v qemu-aarch64) "\$@"
SH
chmod +x "$T/qbin/qemu-aarch64"
PATH="$T/qbin:$PATH" mk_run "$p" test-aarch64-linux-gnu
is "make test-aarch64-linux-gnu passes under qemu" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "the template's own tests ran for aarch64 gnu" "$T/out" \
  "test result: ok\. 4 passed"
like "they ran through qemu-aarch64 -L / (the multiarch libc)" \
  "$T/qemu.log" "^qemu-aarch64 -L / .*/aarch64-unknown-linux-gnu/release/deps/hello-"

# ---- make help ----------------------------------------------------------------
mk_run "$p" help
is "make help succeeds" "$rc" 0
like "make help names the crate" "$T/out" '^xrust targets for hello 0\.1\.0:$'
like "make help: the host build" "$T/out" '^  make +host build into out/host/$'
for t in x86_64-linux aarch64-linux x86_64-linux-gnu aarch64-linux-gnu \
  x86_64-windows armv7-linux riscv64-linux; do
  like "make help lists cross-$t with its triple" "$T/out" \
    "^  make cross-$t +$("$XRUST_TOOL" target "$t") into out/$t/\$"
done
for g in 'make -jN cross-all' 'make test-NAME' 'make show' 'make dist' \
  'make vendor' 'make toolchain' 'make xrust-update' 'make clean'; do
  like "make help lists '$g'" "$T/out" "^  $g "
done

done_testing
