#!/bin/sh
# xrust-test: no-sanitize
# One rule per knob (settings.c) for the plugin and the tool: the same
# value gives the same result and the same error from a Makefile or the
# environment; knobs set in a Makefile win over the environment
# (XRUST_JOBS, XRUST_UNPACK_JOBS, XRUST_ALLOW_HTTP, XRUST_OFFLINE); and
# $(rust-toolchain) and `xrust toolchain install` choose the same channel
# from the same rust-toolchain.toml (toolchain_choice.c).  Everything runs
# offline against an empty store, or stops before any transfer.
. "$(dirname "$0")/../lib.sh"

unset XRUST_CHANNEL XRUST_JOBS XRUST_UNPACK_JOBS XRUST_ALLOW_HTTP \
  XRUST_OFFLINE XRUST_DIST_SERVER RUSTUP_DIST_SERVER XRUST_DIST_FORMAT \
  XRUST_PROJECT_DIR XRUST_FETCH_RETRIES V
mk=$XRUST_ROOT/mk/xrust.mk
p=$(mkdir -p "$T/p" && cd "$T/p" && pwd -P)
host=$(uname -m)-unknown-linux-gnu
export XRUST_HOME=$T/empty

# project [LINES]: a Makefile that sets LINES, then asks for a toolchain
# (at line 3 plus the number of LINES).
project() {
  { printf 'XRUST_NO_RULES := 1\ninclude %s\n' "$mk"
    [ -z "${1:-}" ] || printf '%s\n' "$1"
    printf 'TC := $(rust-toolchain x86_64-linux)\n$(info $(TC))\n'
    printf 'all: ; @:\n'; } >"$p/Makefile"
}
# make_msg / tool_msg: the xrust message of the last error.
make_msg() {
  sed -n 's/^Makefile:[0-9]*: \*\*\* xrust: \(.*\)\.  Stop\.$/\1/p' "$T/err"
}
tool_msg() { sed -n 's/^xrust: //p' "$T/err"; }
tool() {
  run_in "$p" env "$@" "$XRUST_TOOL" toolchain install --host "$host" \
    --target x86_64-unknown-linux-musl --lock "$p/xrust.lock"
}

# ---- XRUST_JOBS: one range (1 to 256) and one message for both
project
for n in 0 257 lots; do
  mk_run "$p" XRUST_JOBS=$n XRUST_OFFLINE=1
  is "make: XRUST_JOBS=$n stops make" "$rc" 2
  m=$(make_msg)
  is "make: XRUST_JOBS=$n is named with what is expected" "$m" \
    "invalid 'XRUST_JOBS': '$n' (expected a number from 1 to 256)"
  tool XRUST_JOBS=$n XRUST_OFFLINE=1
  is "tool: XRUST_JOBS=$n, the same error" "$(tool_msg)" "$m"
done
mk_run "$p" XRUST_JOBS=100 XRUST_OFFLINE=1
m=$(make_msg)
like "make: XRUST_JOBS=100 is accepted (it fails offline)" "$T/err" \
  "xrust: cannot resolve channel stable offline"
tool XRUST_JOBS=100 XRUST_OFFLINE=1
is "tool: XRUST_JOBS=100, the same result" "$(tool_msg)" "$m"

# A Makefile's value wins over the environment's.
project 'XRUST_JOBS := 0'
run_in "$p" env XRUST_JOBS=4 XRUST_OFFLINE=1 $MAKE --no-print-directory
like "XRUST_JOBS set in the Makefile wins over the environment" "$T/err" \
  "^Makefile:4: \*\*\* xrust: invalid 'XRUST_JOBS': '0' "

# ---- XRUST_UNPACK_JOBS set in a Makefile is read
project 'XRUST_UNPACK_JOBS := lots'
mk_run "$p" XRUST_OFFLINE=1
is "XRUST_UNPACK_JOBS := lots in a Makefile stops make" "$rc" 2
like "the Makefile's XRUST_UNPACK_JOBS is named at the user's line" \
  "$T/err" "^Makefile:4: \*\*\* xrust: invalid 'XRUST_UNPACK_JOBS': 'lots' \(expected a number from 0 to 256\)"
project 'XRUST_UNPACK_JOBS := 2'
run_in "$p" env XRUST_UNPACK_JOBS=lots XRUST_OFFLINE=1 \
  $MAKE --no-print-directory
unlike "the Makefile's XRUST_UNPACK_JOBS := 2 wins over a bad environment" \
  "$T/err" "XRUST_UNPACK_JOBS"
like "and the request goes on (offline)" "$T/err" "offline"

# ---- XRUST_OFFLINE: one set of spellings
project 'XRUST_OFFLINE := yes'
mk_run "$p"
m=$(make_msg)
like "XRUST_OFFLINE := yes in a Makefile is offline" "$T/err" \
  "cannot resolve channel stable offline"
tool XRUST_OFFLINE=yes
is "the tool reads XRUST_OFFLINE=yes the same way" "$(tool_msg)" "$m"
project
mk_run "$p" XRUST_OFFLINE=maybe
m=$(make_msg)
is "XRUST_OFFLINE=maybe is an error naming the spellings" "$m" \
  "invalid 'XRUST_OFFLINE': 'maybe' (expected 1, yes or true, or 0, no or false)"
tool XRUST_OFFLINE=maybe
is "the tool gives the same error" "$(tool_msg)" "$m"

# ---- XRUST_ALLOW_HTTP set in a Makefile takes effect
server='XRUST_DIST_SERVER := http://example.invalid
XRUST_FETCH_RETRIES := 0'
project "$server"
mk_run "$p"
is "plain http to a remote host stops make" "$rc" 2
like "it is refused by the policy" "$T/err" \
  "plain http is allowed only to loopback hosts and origins listed in XRUST_ALLOW_HTTP"
project "$server
XRUST_ALLOW_HTTP := http://example.invalid"
mk_run "$p"
unlike "with XRUST_ALLOW_HTTP in the Makefile the policy lets it through" \
  "$T/err" "plain http is allowed only"
like "and the download itself fails, naming the host" "$T/err" \
  "^Makefile:6: \*\*\* xrust: .*example\.invalid"

# The tool in a recipe (the vendor layer runs it) sees them too.
printf 'XRUST_NO_RULES := 1\ninclude %s\nXRUST_ALLOW_HTTP := http://mk.lan\nXRUST_UNPACK_JOBS := 3\nall: ; @echo "$$XRUST_ALLOW_HTTP $$XRUST_UNPACK_JOBS"\n' \
  "$mk" >"$p/Makefile"
mk_run "$p"
is "recipes see the Makefile's XRUST_ALLOW_HTTP and XRUST_UNPACK_JOBS" \
  "$(cat "$T/out")" "http://mk.lan 3"

# ---- the same channel from the same rust-toolchain.toml
project
printf '[toolchain]\nchannel = "1.95.0"\n' >"$p/rust-toolchain.toml"
mk_run "$p" XRUST_CHANNEL=beta XRUST_OFFLINE=1
m=$(make_msg)
like "\$(rust-toolchain): rust-toolchain.toml wins over XRUST_CHANNEL" \
  "$T/err" "cannot resolve channel 1\.95\.0 offline"
tool XRUST_CHANNEL=beta XRUST_OFFLINE=1
is "xrust toolchain install: the same channel" "$(tool_msg)" "$m"
mkdir -p "$p/sub"
run_in "$p/sub" env XRUST_CHANNEL=beta XRUST_OFFLINE=1 "$XRUST_TOOL" \
  toolchain install --host "$host" --target x86_64-unknown-linux-musl \
  --lock "$p/xrust.lock"
is "the tool finds the file in a parent directory" "$(tool_msg)" "$m"
tool XRUST_CHANNEL=beta XRUST_OFFLINE=1 XRUST_PROJECT_DIR=/
like "the tool starts from XRUST_PROJECT_DIR" "$T/err" \
  "cannot resolve channel beta offline"
rm "$p/rust-toolchain.toml"
mk_run "$p" XRUST_CHANNEL=beta XRUST_OFFLINE=1
m=$(make_msg)
like "\$(rust-toolchain): without a file, XRUST_CHANNEL" "$T/err" \
  "cannot resolve channel beta offline"
tool XRUST_CHANNEL=beta XRUST_OFFLINE=1
is "xrust toolchain install: XRUST_CHANNEL too" "$(tool_msg)" "$m"
mkdir -p "$p/mytc"
printf '[toolchain]\npath = "mytc"\n' >"$p/rust-toolchain.toml"
mk_run "$p"
is "\$(rust-toolchain): path = names the toolchain" "$(cat "$T/out")" \
  "$p/mytc"
tool
is "xrust toolchain install: the same path, nothing installed" \
  "$rc:$(cat "$T/out")" "0:$p/mytc"

done_testing
