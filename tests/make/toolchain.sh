#!/bin/sh
# xrust-test: no-sanitize
# $(rust-toolchain) against the loopback dist server built from Debian's
# Rust 1.96 (issue 4): install, the no-request second run, xrust.lock,
# offline reuse from a file:// copy, and every bad input as an error at
# the user's Makefile line.
. "$(dirname "$0")/../lib.sh"

serve_dist_fixture "rust-toolchain against the dist fixture"

mk=$XRUST_ROOT/mk/xrust.mk
p=$T/p
mkdir -p "$p"
home=$T/home
host=$(uname -m)-unknown-linux-gnu

# project CHANNEL TARGETS: a Makefile printing $(rust-toolchain ...).
project() {
  cat >"$p/Makefile" <<MK
XRUST_NO_RULES := 1
include $mk
TC := \$(rust-toolchain $2$( [ -n "$1" ] && printf ',%s' "$1"))
\$(info mapped: \$(shell grep -c -e xrust-engine -e libcurl /proc/\$\$PPID/maps))
\$(info \$(TC))
all: ; @:
MK
}
tc_run() {
  mk_run "$p" XRUST_HOME="$home" XRUST_DIST_SERVER="$SERVE_URL" "$@"
}

project 1.96.0 "aarch64-linux x86_64-linux"
tc_run
is "rust-toolchain installs from the dist fixture" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
tc=$(tail -n 1 "$T/out")
case $tc in "$home"/v1/toolchains/*) ok "the toolchain lives in the store" ;;
  *) not_ok "the toolchain lives in the store"; diag "got '$tc'" ;; esac
check "bin/rustc runs" "$tc/bin/rustc" --version
"$tc/bin/rustc" --version >"$T/v" 2>&1
like "it is rustc 1.96" "$T/v" "^rustc 1\.96\.0"
is "rustc --print sysroot is the toolchain" \
  "$("$tc/bin/rustc" --print sysroot 2>&1)" "$tc"
check "bin/cargo runs" "$tc/bin/cargo" --version
for t in "$host" aarch64-unknown-linux-musl x86_64-unknown-linux-musl; do
  check "std for $t" test -d "$tc/lib/rustlib/$t/lib"
done
check "rust-lld is in the host's rustlib" \
  test -x "$tc/lib/rustlib/$host/bin/rust-lld"
check "musl std carries its self-contained C runtime" \
  test -f "$tc/lib/rustlib/x86_64-unknown-linux-musl/lib/self-contained/libc.a"
check "xrust.lock was written beside the Makefile" test -f "$p/xrust.lock"
like "the lock names the channel" "$p/xrust.lock" '^channel = "1\.96\.0"'
like "the lock names the manifest sha256" "$p/xrust.lock" \
  '^manifest-sha256 = "[0-9a-f]{64}"'
like "the lock names rust-std for aarch64 musl" "$p/xrust.lock" \
  'rust-std-1\.96\.0-aarch64-unknown-linux-musl'

n1=$(requests)
cp "$T/out" "$T/out.1"
tc_run
is "a second run succeeds" "$rc:$(tail -n 1 "$T/out")" "0:$tc"
is "a second run makes no request at all" "$(requests)" "$n1"
# Only an install loads the engine (and libcurl with it) into make.
like "installing loaded the engine into make" "$T/out.1" '^mapped: [1-9]'
like "a second run never loads the engine or libcurl" "$T/out" '^mapped: 0$'

# A target the lock does not cover extends it, from the manifest of the
# lock's own date: only that target's rust-std is downloaded, and every
# component the lock named stays as it was.
cp "$p/xrust.lock" "$T/lock.1"
: >"$SERVE_LOG"
project 1.96.0 "aarch64-linux x86_64-linux aarch64-linux-gnu"
tc_run
is "a new target extends the toolchain" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
tc3=$(tail -n 1 "$T/out")
check "the extended toolchain is a new store entry" test "$tc3" != "$tc"
check "it has std for aarch64 gnu" \
  test -d "$tc3/lib/rustlib/aarch64-unknown-linux-gnu/lib"
is "only that target's rust-std was downloaded" \
  "$(grep -o '[^/ ]*\.tar\.[a-z]*' "$SERVE_LOG" | sort -u)" \
  "rust-std-1.96.0-aarch64-unknown-linux-gnu.tar.gz"
like "the manifest came from the lock's date" "$SERVE_LOG" \
  '^GET /dist/2026-05-25/channel-rust-1\.96\.0\.toml '
like "the lock gained the target" "$p/xrust.lock" \
  'rust-std-1\.96\.0-aarch64-unknown-linux-gnu'
grep '^sha256 = ' "$T/lock.1" >"$T/old-sums"
is "the lock kept every component it named" \
  "$(grep -cxFf "$T/old-sums" "$p/xrust.lock")" "$(wc -l <"$T/old-sums" | tr -d ' ')"
check "the first toolchain is still there, unchanged" "$tc/bin/rustc" --version
# A narrower request is covered by the lock and gets the lock's toolchain
# (one toolchain per project: no flip-flop between sets), with no request.
project 1.96.0 "aarch64-linux x86_64-linux"
: >"$SERVE_LOG"
tc_run
is "a narrower request gets the lock's toolchain, with no request" \
  "$rc:$(tail -n 1 "$T/out"):$(requests)" "0:$tc3:0"
tc=$tc3

# With the lock and a server that is gone: a fresh store installs from a
# file:// copy of the same tree.
stop_server "$SERVE_PID"
home2=$T/home2
mk_run "$p" XRUST_HOME="$home2" XRUST_DIST_SERVER="file://$DIST_DIR"
is "a fresh store installs from file:// with the lock" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
tc2=$(tail -n 1 "$T/out")
is "the same toolchain id from the lock" "${tc2##*/}" "${tc##*/}"
check "the file:// toolchain runs" "$tc2/bin/rustc" --version

mk_run "$p" XRUST_HOME="$T/empty" XRUST_OFFLINE=1 \
  XRUST_DIST_SERVER=http://127.0.0.1:9/
is "offline with an empty store stops make" "$rc" 2
like "offline failure is clear and at the user's line" "$T/err" \
  "^Makefile:3: \*\*\* xrust: .*offline"

serve_dir "$DIST_DIR" "$T/srv2" || not_ok "the dist server restarts"
good_url=$SERVE_URL
rm -f "$p/xrust.lock"

# The other channel forms rustup accepts, against the same fixture: moving
# names, and dated ones whose manifest comes from dist/DATE/.
for ch in stable 1.96 1.96.0-2026-05-25 stable-2026-05-25; do
  case $ch in
    *-2026-05-25) want="/dist/2026-05-25/channel-rust-${ch%-2026-05-25}.toml" ;;
    *) want="/dist/channel-rust-$ch.toml" ;;
  esac
  rm -f "$p/xrust.lock"
  project "$ch" "x86_64-linux"
  : >"$SERVE_LOG"
  tc_run
  is "channel $ch: installs" "$rc" 0
  [ "$rc" = 0 ] || diag_file "$T/err"
  like "channel $ch: reads $want" "$SERVE_LOG" "^GET $(re "$want") "
  "$(tail -n 1 "$T/out")/bin/rustc" --version >"$T/v" 2>&1
  like "channel $ch: rustc 1.96.0" "$T/v" '^rustc 1\.96\.0'
  like "channel $ch: the lock names it" "$p/xrust.lock" "^channel = \"$ch\"\$"
done
rm -f "$p/xrust.lock"

# Bad input, each an error at the user's line.
project no-such-channel "x86_64-linux"
tc_run
is "an unknown channel stops make" "$rc" 2
like "an unknown channel is named" "$T/err" \
  "^Makefile:3: \*\*\* xrust: .*no-such-channel"

project 1.96.0 "powerpc64le-unknown-linux-musl"
tc_run
is "a target the manifest lacks stops make" "$rc" 2
like "the missing target, channel and date are named" "$T/err" \
  "^Makefile:3: \*\*\* xrust: .*powerpc64le-unknown-linux-musl.*1\.96\.0.*[0-9]{4}-[0-9]{2}-[0-9]{2}"

# A mirror whose manifest does not match its .sha256, and one whose
# manifest is truncated (with a matching .sha256).  Hard links keep the
# copy cheap; changed files are replaced, never edited in place.
bad=$T/bad
cp -al "$DIST_DIR" "$bad"
m=$bad/dist/channel-rust-1.96.0.toml
rm -f "$m.sha256"
printf '%064d  channel-rust-1.96.0.toml\n' 0 >"$m.sha256"
serve_dir "$bad" "$T/srv3" || not_ok "the bad mirror starts"
project 1.96.0 "x86_64-linux"
rm -f "$p/xrust.lock"
mk_run "$p" XRUST_HOME="$T/h3" XRUST_DIST_SERVER="$SERVE_URL"
is "a manifest checksum mismatch stops make" "$rc" 2
like "the mismatch names the manifest and both digests" "$T/err" \
  "^Makefile:3: \*\*\* xrust: .*channel-rust-1\.96\.0\.toml.*0000000000000000.*[0-9a-f]{64}"

# Cut inside a string, as a download cut short would be (a cut at a line
# end can leave valid TOML that merely lacks the profiles).
head -c 3000 "$DIST_DIR/dist/channel-rust-1.96.0.toml" | sed '$d' >"$T/trunc.toml"
printf 'url = "http://127.0.0.1/dist/2026-05' >>"$T/trunc.toml"
rm -f "$m" "$m.sha256"
cp "$T/trunc.toml" "$m"
(cd "$bad/dist" && sha256sum channel-rust-1.96.0.toml >channel-rust-1.96.0.toml.sha256)
mk_run "$p" XRUST_HOME="$T/h4" XRUST_DIST_SERVER="$SERVE_URL"
is "a truncated manifest stops make" "$rc" 2
like "a truncated manifest is named with what was expected" "$T/err" \
  "^Makefile:3: \*\*\* xrust: .*channel-rust-1\.96\.0\.toml"

# A malformed rust-toolchain.toml beside the Makefile.
SERVE_URL=$good_url
project "" "x86_64-linux"
printf '[toolchain]\nchannel = 1.96\n' >"$p/rust-toolchain.toml"
tc_run
is "a malformed rust-toolchain.toml stops make" "$rc" 2
like "it is named with line and column" "$T/err" \
  "^Makefile:3: \*\*\* xrust: .*rust-toolchain\.toml:2:[0-9]+: "
printf '[toolchain]\nchannel = "1.96.0"\ntargets = ["aarch64-unknown-linux-musl"]\n' \
  >"$p/rust-toolchain.toml"
tc_run
is "a valid rust-toolchain.toml is honoured" "$rc" 0
check "its targets are installed" \
  test -d "$(tail -n 1 "$T/out")/lib/rustlib/aarch64-unknown-linux-musl/lib"
rm -f "$p/rust-toolchain.toml"

# The file is found by walking up from the Makefile's directory; the
# components it asks for must be in the manifest (through its renames).
rm -f "$p/xrust.lock"
printf '[toolchain]\nchannel = "1.96.0"\ncomponents = ["rust-src"]\n' \
  >"$T/rust-toolchain.toml"
tc_run
is "a component the manifest lacks stops make" "$rc" 2
like "the missing component, channel and date are named" "$T/err" \
  "^Makefile:3: \*\*\* xrust: .*rust-src.*1\.96\.0.*2026-05-25"
printf '[toolchain]\nchannel = "1.96.0"\ntargets = ["aarch64-unknown-linux-gnu"]\n' \
  >"$T/rust-toolchain.toml"
tc_run
is "a rust-toolchain.toml in a parent directory is honoured" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
check "its targets are installed" \
  test -d "$(tail -n 1 "$T/out")/lib/rustlib/aarch64-unknown-linux-gnu/lib"
rm -f "$T/rust-toolchain.toml" "$p/xrust.lock"
# The legacy file: a channel name alone.
printf '1.96\n' >"$p/rust-toolchain"
tc_run
is "the legacy rust-toolchain file is honoured" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "its channel went into the lock" "$p/xrust.lock" '^channel = "1\.96"$'
rm -f "$p/rust-toolchain" "$p/xrust.lock"

# `path =` in rust-toolchain.toml: that toolchain, as it is; no request.
mkdir -p "$T/mytc/bin"
printf '[toolchain]\npath = "%s"\n' "$T/mytc" >"$p/rust-toolchain.toml"
: >"$SERVE_LOG"
tc_run
is "path = names the toolchain as it is" "$rc:$(tail -n 1 "$T/out")" \
  "0:$T/mytc"
is "path = makes no request" "$(requests)" 0
printf '[toolchain]\npath = "mytc"\n' >"$p/rust-toolchain.toml"
cp -r "$T/mytc" "$p/mytc"
tc_run
is "a relative path = is relative to the file" \
  "$rc:$(tail -n 1 "$T/out")" "0:$p/mytc"
rm -rf "$p/rust-toolchain.toml" "$p/mytc"

# A lock naming a component whose download no longer matches.
project 1.96.0 "x86_64-linux"
tc_run
is "a lock is written again" "$rc" 0
sed 's/^\(sha256 = "\)[0-9a-f]\{8\}/\1deadbeef/' "$p/xrust.lock" >"$T/lock"
mv -f "$T/lock" "$p/xrust.lock"
mk_run "$p" XRUST_HOME="$T/h5" XRUST_DIST_SERVER="$SERVE_URL"
is "a lock whose component no longer matches stops make" "$rc" 2
like "the mismatch names both digests" "$T/err" \
  "^Makefile:3: \*\*\* xrust: .*sha256 mismatch \(expected deadbeef"

done_testing
