#!/bin/sh
# xrust-test: no-sanitize
# The Make side's own helpers, without a toolchain (make -n and the
# offline goals): GNU Make 4.3 is recognised by its features, not by its
# version string; the user's default goal survives the include; the cargo
# environment of a cross target (upper-cased names, linker, a runner with
# no stray blank); config records whose directory the helper makes, none
# under make -n; SOURCE_DATE_EPOCH asked of git once, and only when used.
. "$(dirname "$0")/../lib.sh"

mk=$XRUST_ROOT/mk/xrust.mk
p=$T/hello
cp -r "$XRUST_ROOT/tests/fixtures/hello" "$p"
export XRUST_HOME="$T/home"
# mk_run with $T/bin first on PATH, for the stand-in programs below.
mk_run_bin() {
  _dir=$1; shift
  run_in "$_dir" env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS PATH="$T/bin:$PATH" \
    $MAKE --no-print-directory "$@"
}

# Make 4.3's release candidates called themselves 4.2.9x and had every
# feature of 4.3; a version string decides nothing.
printf 'XRUST_NO_RULES := 1\ninclude %s\nall: ; @echo ok\n' "$mk" >"$p/Makefile"
mk_run "$p" MAKE_VERSION=4.2.93
is "a Make with 4.3's features passes whatever its version says" \
  "$rc:$(cat "$T/out")" "0:ok"
f421="target-specific order-only second-expansion else-if shortest-stem"
f421="$f421 undefine oneshell archives jobserver output-sync check-symlink load"
mk_run "$p" MAKE_VERSION=4.2.1 .FEATURES="$f421"
is "Make 4.2.1 (load, but not 4.3's features) stops" "$rc" 2
like "Make 4.2.1 gets the clear error" "$T/err" \
  "xrust: GNU Make 4\.2\.1 is too old: xrust needs GNU Make 4\.3 or newer with 'load' support"
mk_run "$p" MAKE_VERSION=4.3 .FEATURES="$f421"
is "a Make without 4.3's features stops even when it says 4.3" "$rc" 2

# The default goal: the user's first rule before the include, else `all`
# in a cargo project, else the first rule after the include.
printf 'first: ; @echo first\ninclude %s\n' "$mk" >"$p/Makefile"
mk_run "$p" -n
is "a rule before the include stays the default goal" \
  "$rc:$(cat "$T/out")" "0:echo first"
printf 'include %s\n' "$mk" >"$p/Makefile"
mk_run "$p" -n
like "without one, a cargo project's default goal is all" "$T/out" \
  "/xrust stub '$(re "$p")' "
printf 'XRUST_NO_RULES := 1\ninclude %s\nsecond: ; @echo second\n' "$mk" \
  >"$p/Makefile"
mk_run "$p"
is "without rules, the first rule after the include is the default goal" \
  "$rc:$(cat "$T/out")" "0:second"

# The cargo environment of each target, as make -n shows it, with a qemu
# and a cross compiler of our own first on PATH.
mkdir -p "$T/bin"
for t in qemu-aarch64 aarch64-linux-gnu-gcc; do
  printf '#!/bin/sh\nexit 0\n' >"$T/bin/$t"
  chmod +x "$T/bin/$t"
done
if [ -e /lib/ld-linux-aarch64.so.1 ]; then libc=/; else
  libc=/usr/aarch64-linux-gnu; fi
printf 'XRUST_TARGETS := aarch64-linux aarch64-linux-gnu x86_64-linux\ninclude %s\n' \
  "$mk" >"$p/Makefile"
mk_run_bin "$p" -n V=1 cross-aarch64-linux-gnu \
  cross-aarch64-linux cross-x86_64-linux all
is "make -n of four targets succeeds" "$rc" 0
like "a gnu cross target links with its cross compiler" "$T/out" \
  " CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER='aarch64-linux-gnu-gcc' "
like "and runs under qemu with the target's libc" "$T/out" \
  " CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER='$(re "$T/bin/qemu-aarch64 -L $libc")' "
like "a musl cross target links with rust-lld" "$T/out" \
  " CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER='rust-lld' "
like "and runs under qemu without -L" "$T/out" \
  " CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUNNER='$(re "$T/bin/qemu-aarch64")' "
like "a musl target of the host's CPU links with rust-lld" "$T/out" \
  " CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER='rust-lld' "
unlike "and needs no runner" "$T/out" "CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUNNER"
like "the host's own triple links with cc" "$T/out" \
  " CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER='cc' "
check "make -n writes no config record" test ! -e "$p/out"

# An offline goal resolves no toolchain, so it writes no config record
# and leaves an existing one alone (it would name a toolchain it did not
# look up, and the next build would rebuild every dependency layer).
mkdir -p "$p/out/.xrust/host"
echo "toolchain=/a/real/one" >"$p/out/.xrust/host/config"
touch -d 2001-01-01 "$p/out/.xrust/host/config"
mk_run "$p" show V=2
is "make show succeeds" "$rc" 0
for t in aarch64-linux aarch64-linux-gnu x86_64-linux; do
  check "make show writes no out/.xrust/$t/config" \
    test ! -e "$p/out/.xrust/$t/config"
done
is "make show leaves an existing record alone" \
  "$(cat "$p/out/.xrust/host/config"):$(stat -c %Y "$p/out/.xrust/host/config")" \
  "toolchain=/a/real/one:$(date -d 2001-01-01 +%s)"
unlike "make show says no record changed" "$T/out" "CONFIG "
rm -rf "$p/out"
# The record's text (xrust__config_text), as a build writes it.
printf 'XRUST_TARGETS := aarch64-linux-gnu\ninclude %s\n$(info [$(call xrust__config_text,aarch64-unknown-linux-gnu,)])\n' \
  "$mk" >"$p/Makefile"
mk_run "$p" show
like "the record holds the linker" "$T/out" " linker=aarch64-linux-gnu-gcc\]$"
unlike "a Linux target's record holds no macOS SDK" "$T/out" "sdk="
printf 'XRUST_TARGETS := aarch64-linux aarch64-linux-gnu x86_64-linux\ninclude %s\n' \
  "$mk" >"$p/Makefile"

# SOURCE_DATE_EPOCH: from git, once, and only when something uses it.
cat >"$T/bin/git" <<'SH'
#!/bin/sh
echo "$*" >>"$GIT_LOG"
echo 1234567890
SH
chmod +x "$T/bin/git"
export GIT_LOG="$T/git.log"
printf 'include %s\n$(info [$(SOURCE_DATE_EPOCH)] [$(SOURCE_DATE_EPOCH)])\n' \
  "$mk" >"$p/Makefile"
: >"$GIT_LOG"
mk_run_bin "$p" show
is "SOURCE_DATE_EPOCH is the last commit's time" \
  "$rc:$(head -n 1 "$T/out")" "0:[1234567890] [1234567890]"
is "git is asked once for two uses" "$(grep -c '^-C .* log -1' "$GIT_LOG")" 1
printf 'include %s\n' "$mk" >"$p/Makefile"
: >"$GIT_LOG"
mk_run_bin "$p" show
is "git is not asked when nothing uses it" \
  "$rc:$(grep -c 'log -1' "$GIT_LOG")" "0:0"
printf 'include %s\n$(info [$(SOURCE_DATE_EPOCH)])\n' "$mk" >"$p/Makefile"
: >"$GIT_LOG"
mk_run_bin "$p" SOURCE_DATE_EPOCH=42 show
is "a SOURCE_DATE_EPOCH of the user wins, and git is not asked" \
  "$(head -n 1 "$T/out"):$(grep -c 'log -1' "$GIT_LOG")" "[42]:0"

# The remote cache's knobs: a bad value stops the parse, saying what is
# expected; good ones pass (no cache is contacted by `make show`).
printf 'include %s\n' "$mk" >"$p/Makefile"
mk_run "$p" show XRUST_CACHE_PUSH=maybe
is "XRUST_CACHE_PUSH=maybe stops the parse" "$rc" 2
like "and says what is expected" "$T/err" \
  "XRUST_CACHE_PUSH='maybe': expected 1, yes or true to upload layers"
mk_run "$p" show XRUST_CACHE_URL=ftp://host/x
is "an XRUST_CACHE_URL of another scheme stops the parse" "$rc" 2
like "and names the schemes" "$T/err" \
  "XRUST_CACHE_URL='ftp://host/x': expected s3://BUCKET/PREFIX, https://HOST/PATH, http://HOST/PATH or file:///PATH"
mk_run "$p" show XRUST_CACHE_URL=s3://bucket/team XRUST_CACHE_PUSH=Yes
is "s3:// with XRUST_CACHE_PUSH=Yes is accepted" "$rc" 0

done_testing
