#!/bin/sh
# `make demo`: the main job end to end.  Builds examples/hello for every
# target of the README's target table with `make -j2 cross-all`, runs
# each Linux binary (arm64, armv7 and riscv64 ones under qemu-user) and
# the Windows one under Wine (when installed; else it says so), and
# checks the structure of each macOS one (two thin, one universal2),
# which cannot run here.  Toolchains come from the official
# dist server (static.rust-lang.org) when it answers, otherwise from the
# project's loopback dist server made from Debian's Rust 1.96.  Crates
# always come from the loopback registry made from Debian's librust-*-dev
# sources: the example's Cargo.lock pins those crates' checksums, which
# differ from crates.io's bytes.  Fixtures are built once and cached under
# /var/cache/xrust-fixtures.
#
# The terminal gets one line per step; what the fixture scripts print goes
# to the log (build/demo.log, or $XRUST_DEMO_LOG), whose path and last
# lines are shown when a step fails.  Sourced with XRUST_DEMO_LIB=1, it
# only defines its functions (for tests/make/demo.sh).

say() { printf '==> %s\n' "$*"; }

# step DESC COMMAND...: says DESC, runs COMMAND with its output appended
# to the log.  When COMMAND fails: the log's last lines and its path on
# stderr, and COMMAND's status.
step() {
  _desc=$1
  shift
  say "$_desc"
  printf '### %s\n' "$*" >>"$log"
  "$@" >>"$log" 2>&1 || {
    _rc=$?
    tail -n 15 "$log" | sed 's/^/    /' >&2
    echo "demo: $_desc: failed (status $_rc); the whole output is in $log" >&2
    return "$_rc"
  }
}

# to FILE COMMAND...: COMMAND with its standard output in FILE.
to() {
  _f=$1
  shift
  "$@" >"$_f"
}

# wrap INDENT WIDTH: standard input as lines of at most WIDTH columns,
# each indented by INDENT spaces, broken between words only (a word
# longer than a line gets a line of its own, whole).
wrap() {
  awk -v indent="$1" -v width="$2" '
    function flush() { if (line != "") print pad line; line = "" }
    BEGIN { pad = sprintf("%" indent "s", ""); room = width - indent }
    {
      for (i = 1; i <= NF; i++) {
        if (line != "" && length(line) + 1 + length($i) > room) flush()
        line = line == "" ? $i : line " " $i
      }
      flush()
    }'
}

[ "${XRUST_DEMO_LIB:-0}" = 1 ] && return 0

set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
log=${XRUST_DEMO_LOG:-$top/build/demo.log}
work=${TMPDIR:-/tmp}/xrust-demo.$$
mkdir -p "$work" "$(dirname "$log")"
: >"$log"
pids=
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

official() {
  command -v curl >/dev/null 2>&1 || return 1
  curl -fsS --max-time 5 -o /dev/null \
    https://static.rust-lang.org/dist/channel-rust-1.96.0.toml.sha256 \
    2>/dev/null
}

serve() { # DIR PORTFILE LOG SCRIPT
  python3 "$4" --root "$1" --port 0 --port-file "$2" --log "$3" \
    2>>"$log" &
  pids="$pids $!"
  i=0
  while [ ! -s "$2" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then
      echo "demo: a loopback server did not start; see $log" >&2
      exit 1
    fi
    sleep 0.1
  done
}

say "log of the fixture steps: $log"
step "the loopback crates registry (the first run builds it: about 1 min)" \
  to "$work/reg.path" bash "$top/tests/fixtures/mkregistry.sh"
serve "$(cat "$work/reg.path")" "$work/reg.port" "$work/reg.log" \
  "$top/tests/fixtures/registry/serve.py"
XRUST_CRATES_DL=http://127.0.0.1:$(cat "$work/reg.port")/crates/{crate}/{crate}-{version}.crate
export XRUST_CRATES_DL
if official; then
  say "static.rust-lang.org answers: toolchains from the official server"
else
  say "static.rust-lang.org does not answer: toolchains from the loopback dist server"
  step "the dist fixture (the first run builds it: about 10 min)" \
    to "$work/dist.path" bash "$top/tests/fixtures/mkdist.sh" \
    --print-cache-dir
  serve "$(cat "$work/dist.path")" "$work/dist.port" "$work/dist.log" \
    "$top/tests/fixtures/httpd.py"
  XRUST_DIST_SERVER=http://127.0.0.1:$(cat "$work/dist.port")
  export XRUST_DIST_SERVER
  echo "    dist server:     $XRUST_DIST_SERVER"
fi
echo "    crates download: $XRUST_CRATES_DL (the loopback registry)"

say "make -C examples/hello -j2 cross-all"
start=$(date +%s)
make -C "$top/examples/hello" --no-print-directory -j2 cross-all
say "built in $(( $(date +%s) - start )) s; running each binary"

printf 'one two three\nfour five\n' >"$work/input.txt"
want=$(wc "$work/input.txt" | awk '{ print $1, $2, $3 }')
qemu=$(command -v qemu-aarch64 || true)
status=0
for t in x86_64-linux aarch64-linux x86_64-linux-gnu aarch64-linux-gnu \
  armv7-linux riscv64-linux; do
  bin=$top/examples/hello/out/$t/hello
  case $t in
    aarch64-linux) run=$qemu ;;
    aarch64-linux-gnu) run="$qemu -L /" ;;
    armv7-linux) run=$(command -v qemu-arm || echo qemu-arm) ;;
    riscv64-linux) run=$(command -v qemu-riscv64 || echo qemu-riscv64) ;;
    *) run= ;;
  esac
  if [ "$(uname -m)" = aarch64 ]; then
    case $t in aarch64-*) run= ;; x86_64-*) run="qemu-x86_64 ${run#* }" ;; esac
  fi
  printf '%-20s ' "$t:"
  if out=$($run "$bin" "$work/input.txt" 2>&1); then
    echo "$out" | head -n 1
    if [ "$(echo "$out" | awk 'NR == 1 { print $1, $2, $3 }')" != "$want" ]; then
      echo "                     FAILED: wc says $want"
      status=1
    fi
  else
    echo "FAILED: $out"
    status=1
  fi
  file -b "$bin" | wrap 21 79
done
[ $status = 0 ] && say "every Linux binary ran and counted what wc counts"

# Windows: out/x86_64-windows/hello.exe under Wine, in a private prefix
# with the test-only bcryptprimitives.dll stub that Debian 12's Wine 8.0
# lacks (tests/fixtures/wine.sh); without Wine it is built, not run.
bin=$top/examples/hello/out/x86_64-windows/hello.exe
printf '%-20s ' "x86_64-windows:"
wrc=0
[ "$(uname -m)" = x86_64 ] || wrc=3
[ $wrc = 0 ] && { sh "$top/tests/fixtures/wine.sh" prefix "$work/wine" \
  2>>"$log" || wrc=$?; }
case $wrc in
  0)
    wine=$(command -v wine64 || command -v wine)
    # Output to files: Wine's services would hold a pipe open.
    if (cd "$work" && WINEPREFIX=$work/wine WINEDEBUG=-all "$wine" "$bin" \
      input.txt >"$work/wine.out" 2>"$work/wine.err"); then
      out=$(tr -d '\r' <"$work/wine.out")
      echo "$out" | head -n 1
      if [ "$(echo "$out" | awk 'NR == 1 { print $1, $2, $3 }')" != "$want" ]; then
        echo "                     FAILED: wc says $want"
        status=1
      fi
    else
      echo "FAILED: $(cat "$work/wine.out" "$work/wine.err")"
      status=1
    fi
    sh "$top/tests/fixtures/wine.sh" stop "$work/wine" ;;
  2) echo "built, not run: Wine (or MinGW-w64, for the test prefix) is not installed (Debian: apt-get install wine wine64 gcc-mingw-w64-x86-64)" |
    wrap 21 79 | sed '1s/^ *//' ;;
  3) echo "built, not run: Wine runs x86_64 Windows programs on an x86_64 host only" |
    wrap 21 79 | sed '1s/^ *//' ;;
  *) echo "FAILED: no Wine prefix (see $log)"; status=1 ;;
esac
file -b "$bin" | wrap 21 79

# macOS binaries cannot run here: their structure is checked instead, by
# tests/macho_check.py (load commands, minimum macOS, the one dylib they
# load, every import bound to it, the arm64 code signature's page hashes
# recomputed, universal2 slices equal to the thin files).
say "macOS binaries (built here, not run: checked for structure)"
check=$top/tests/macho_check.py
out=$top/examples/hello/out
for t in x86_64-darwin aarch64-darwin universal2-darwin; do
  bin=$out/$t/hello
  case $t in
    x86_64-darwin) set -- --arch x86_64 --minos 10.12 ;;
    aarch64-darwin) set -- --arch arm64 --minos 11.0 --signed ;;
    universal2-darwin) set -- --arch x86_64 --arch arm64 \
      --minos x86_64=10.12 --minos arm64=11.0 \
      --slice-of "$out/x86_64-darwin/hello" --slice-of "$out/aarch64-darwin/hello" ;;
  esac
  printf '%-20s ' "$t:"
  if res=$(python3 "$check" --dylibs /usr/lib/libSystem.B.dylib "$@" "$bin" 2>&1); then
    echo "$res" | sed -e "s|^$bin: ||" -e "s|$out/||g" | wrap 21 79 |
      sed '1s/^ *//'
  else
    echo "FAILED: $res"
    status=1
  fi
  # file(1) shows a fat file's slices with escaped newlines.
  file -b "$bin" | sed 's/\\012- */ /g' | wrap 21 79
done
[ $status = 0 ] && say "every binary ran or passed its structural checks"
exit $status
