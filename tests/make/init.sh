#!/bin/sh
# xrust-test: no-sanitize
# `make -f mk/xrust.mk init` (issue 5, point 7): in an existing cargo
# project it writes the template Makefile and a rust-toolchain.toml pinning
# the version the channel resolves to, keeps an existing Makefile unless
# FORCE=1, keeps an existing toolchain file, refuses a directory without
# Cargo.toml; and the Makefile it wrote builds the crate.
. "$(dirname "$0")/../lib.sh"

need_fixtures "init against the dist fixture"
dist_fixture || fixture_failed "the dist fixture builds"

export XRUST_HOME="$T/home" XRUST_DIST_SERVER="file://$DIST_DIR"
unset XRUST_CHANNEL XRUST_TARGETS
init_in() { _d=$1; shift; mk_run "$_d" -f "$XRUST_ROOT/mk/xrust.mk" init "$@"; }

p=$T/hello
cp -r "$XRUST_ROOT/tests/fixtures/hello" "$p"

# A cargo project without a Makefile or a toolchain file.
init_in "$p"
is "init exits 0" "$rc" 0
printf '%s\n' \
  'XRUST_TARGETS := x86_64-linux aarch64-linux x86_64-linux-gnu aarch64-linux-gnu x86_64-darwin aarch64-darwin x86_64-windows armv7-linux riscv64-linux' \
  "include $XRUST_ROOT/mk/xrust.mk" >"$T/want.mk"
check "the Makefile is the two-line template" cmp -s "$p/Makefile" "$T/want.mk"
printf '%s\n' '[toolchain]' 'channel = "1.96.0"' 'profile = "minimal"' \
  >"$T/want.toml"
check "rust-toolchain.toml pins stable to the version it resolves to" \
  cmp -s "$p/rust-toolchain.toml" "$T/want.toml" ||
  diag_file "$p/rust-toolchain.toml"
is "it says what it wrote" "$(cat "$T/out")" \
  "  INIT    $p/Makefile
  INIT    $p/rust-toolchain.toml"
is "it installed nothing" "$(ls "$XRUST_HOME/v1/toolchains" 2>/dev/null)" ""

# An existing Makefile is kept; FORCE=1 replaces it.
echo 'all: ; @echo mine' >"$p/Makefile"
cp "$p/Makefile" "$T/mine.mk"
init_in "$p"
is "init over an existing Makefile fails" "$rc" 2
like "it says why and how to replace it" "$T/err" \
  "^xrust: '$p/Makefile' exists; use FORCE=1 to replace it\$"
check "the existing Makefile is untouched" cmp -s "$p/Makefile" "$T/mine.mk"
init_in "$p" FORCE=1
is "FORCE=1 succeeds" "$rc" 0
check "FORCE=1 writes the template" cmp -s "$p/Makefile" "$T/want.mk"
is "an existing rust-toolchain.toml is kept" "$(cat "$T/out")" \
  "  INIT    $p/Makefile"
check "its content is unchanged" cmp -s "$p/rust-toolchain.toml" "$T/want.toml"

# A legacy rust-toolchain file counts as a toolchain file.
q=$T/legacy
cp -r "$XRUST_ROOT/tests/fixtures/hello" "$q"
echo 1.96.0 >"$q/rust-toolchain"
init_in "$q"
is "with a legacy rust-toolchain: init exits 0" "$rc" 0
check "with a legacy rust-toolchain: no rust-toolchain.toml" \
  test ! -e "$q/rust-toolchain.toml"

# XRUST_CHANNEL chooses the channel: already pinned, it is kept as is;
# a moving one is resolved.
for ch in 1.96.0:1.96.0 1.96:1.96.0 nightly-2026-05-01:nightly-2026-05-01; do
  r=$T/ch-${ch%%:*}
  cp -r "$XRUST_ROOT/tests/fixtures/hello" "$r"
  init_in "$r" XRUST_CHANNEL="${ch%%:*}"
  is "XRUST_CHANNEL=${ch%%:*} writes channel ${ch#*:}" \
    "$rc:$(sed -n 's/^channel = "\(.*\)"$/\1/p' "$r/rust-toolchain.toml")" \
    "0:${ch#*:}"
done

# Offline, a moving channel cannot be resolved: the file names the channel
# and the user is told.
r=$T/offline
cp -r "$XRUST_ROOT/tests/fixtures/hello" "$r"
init_in "$r" XRUST_OFFLINE=1
is "offline: init still succeeds" "$rc" 0
like "offline: it warns that the channel is not pinned" "$T/err" \
  "^xrust: warning: 'stable' not pinned to a version; the first build pins it in xrust.lock\$"
like "offline: the tool says why" "$T/err" "^xrust: offline: cannot download"
like "offline: the file names the channel" "$r/rust-toolchain.toml" \
  '^channel = "stable"$'

# Not a cargo project.
mkdir -p "$T/empty"
init_in "$T/empty"
is "without Cargo.toml init fails" "$rc" 2
like "without Cargo.toml it says so" "$T/err" \
  "^xrust: no Cargo.toml in '$T/empty': run init in a cargo project\$"
check "without Cargo.toml nothing is written" \
  test -z "$(ls -A "$T/empty")"

# The Makefile init wrote builds the crate with the pinned toolchain.
mk_run "$p" cross-x86_64-linux
is "the generated Makefile builds cross-x86_64-linux" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
is "the binary runs" "$("$p/out/x86_64-linux/hello" 2>&1 | head -n 1)" \
  "hello from x86_64-musl (unwind ok)"
like "the lock records the pinned channel" "$p/xrust.lock" '1\.96\.0'

done_testing
