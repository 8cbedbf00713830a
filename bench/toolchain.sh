#!/bin/sh
# Benchmark (not a test), issue 4 item 13: cold install of rustc + cargo +
# rust-std for the host and three targets (aarch64-unknown-linux-gnu,
# x86_64-unknown-linux-musl, aarch64-unknown-linux-musl) from the loopback
# dist fixture.
#
#   xrust   a Makefile calling $(rust-toolchain aarch64-linux-gnu
#           x86_64-linux aarch64-linux,1.96.0) with XRUST_NO_RULES, a fresh
#           XRUST_HOME and no xrust.lock each run (so the manifest is
#           fetched, as rustup does)
#   rustup  rustup toolchain install 1.96.0 --profile minimal
#           --no-self-update --target ... with a fresh RUSTUP_HOME and
#           CARGO_HOME each run
#   floor   the archives of the format xrust chose (read from the server
#           log), from the fixture directory (page cache), all unpacked at
#           once with `&`/wait by `tar -z` and by `tar -I pigz` (when
#           installed), one path component stripped; the faster median is
#           the floor.  Decoding alone to /dev/null is shown as a lower
#           bound that writes nothing.
#   xz      xrust forced to rustup's format (XRUST_DIST_FORMAT=xz) and the
#           floor for xz (`tar -J`, all at once)
#
# One untimed xrust run first finds the format and the archives.  Then
# RUNS rounds, each running every method once in turn (the xz ones in the
# first XZ_RUNS rounds), so outside load hits all of them alike; medians.
# Last, one more run of xrust (and of the others) under /usr/bin/time -v:
# CPU time and peak RSS of make + module (the module runs inside make).
#
# Usage: sh bench/toolchain.sh         (from the checkout, after `make`)
# Knobs: RUNS (5), XZ_RUNS (3; 0 skips the xz rows), RUSTUP
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-5}
XZ_RUNS=${XZ_RUNS:-3}
[ -x "$RUSTUP" ] || { echo "needs rustup at $RUSTUP (RUSTUP=...)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

HOST=$(uname -m)-unknown-linux-gnu
TARGETS="aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl"

machine
dist_serve
DATE=$(cat "$DIST_DIR/dist/channel-rust-1.96.0-date.txt")
ARCH=$DIST_DIR/dist/$DATE

p=$W/proj
mkdir -p "$p"
cat >"$p/Makefile" <<EOF
XRUST_NO_RULES := 1
include $top/mk/xrust.mk
TC := \$(rust-toolchain aarch64-linux-gnu x86_64-linux aarch64-linux,1.96.0)
\$(info \$(TC))
all: ; @:
EOF

# Every archive in the page cache first, so no run pays for the disk.
cat "$ARCH"/*.tar.* >/dev/null

fresh_xrust() {
  rm -rf "$W/xhome" "$p/xrust.lock"
  sync
}
# run_xrust [MAKE ARGS]
run_xrust() {
  XRUST_HOME=$W/xhome XRUST_DIST_SERVER=$DIST_URL ${TIME_CMD:-} \
    make -C "$p" --no-print-directory "$@"
}
run_xrust_xz() { run_xrust XRUST_DIST_FORMAT=xz; }
fresh_rustup() {
  rm -rf "$W/rustup"
  sync
}
run_rustup() {
  set --
  for t in $TARGETS; do set -- "$@" --target "$t"; done
  RUSTUP_HOME=$W/rustup/home CARGO_HOME=$W/rustup/cargo \
    RUSTUP_DIST_SERVER=$DIST_URL RUSTUP_UPDATE_ROOT=$DIST_URL/rustup \
    ${TIME_CMD:-} "$RUSTUP" toolchain install 1.96.0 --profile minimal \
    --no-self-update "$@"
}
# floor_run DECOMPRESSION EXT: every archive unpacked at once.
floor_run() {
  rm -rf "$W/floor"
  sync
  pids=
  for a in $comp; do
    mkdir -p "$W/floor/$a"
    tar -C "$W/floor/$a" --strip-components 1 $1 -xf "$ARCH/$a.tar.$2" &
    pids="$pids $!"
  done
  st=0
  for q in $pids; do wait "$q" || st=1; done
  return $st
}
# decode_run DECOMPRESSOR EXT: every archive decoded at once, nothing
# written.
decode_run() {
  pids=
  for a in $comp; do
    $1 -dc "$ARCH/$a.tar.$2" >/dev/null &
    pids="$pids $!"
  done
  st=0
  for q in $pids; do wait "$q" || st=1; done
  return $st
}
# The formats a tool downloaded, from the server log of one of its runs.
formats() {
  awk '/\.tar\.(gz|xz|zst) / {sub(/.*\.tar\./, "", $2); n[$2]++}
    END {for (f in n) printf "%s%d x %s", (k++ ? ", " : ""), n[f], f}' "$1"
}

# Both install the same thing: rustc runs, std for every triple.
check_xrust() {
  "$1/bin/rustc" --version >/dev/null
  for t in $HOST $TARGETS; do
    [ -d "$1/lib/rustlib/$t/lib" ] || { echo "xrust: no std for $t" >&2; exit 1; }
  done
  size_x=$(du -sbL "$1" | cut -f1)
}
check_rustup() {
  d=$W/rustup/home/toolchains/1.96.0-$HOST
  "$d/bin/rustc" --version >/dev/null
  for t in $HOST $TARGETS; do
    [ -d "$d/lib/rustlib/$t/lib" ] || { echo "rustup: no std for $t" >&2; exit 1; }
  done
  size_r=$(du -sb "$d" | cut -f1)
}

# The untimed first run: which format, which archives.
fresh_xrust
: >"$DIST_LOG"
timed "$W/t.first" run_xrust
fmt=$(awk '/\.tar\.(gz|xz|zst) / {sub(/.*\.tar\./, "", $2); print $2; exit}' "$DIST_LOG")
comp=$(awk '/\.tar\.(gz|xz|zst) / {print $2}' "$DIST_LOG" | xargs -n 1 basename |
  sed 's/\.tar\.[a-z]*$//' | sort)
comp_bytes=0
for a in $comp; do comp_bytes=$((comp_bytes + $(stat -c %s "$ARCH/$a.tar.$fmt"))); done
case $fmt in
  gz) tar_opt=-z dec=gzip ;;
  xz) tar_opt=-J dec=xz ;;
  *) echo "xrust picked '$fmt': no floor for it here" >&2; exit 1 ;;
esac
pigz=
[ "$fmt" = gz ] && command -v pigz >/dev/null && pigz=pigz

for f in xrust rustup floor floor_pigz dec dec_pigz xrust_xz floor_xz; do
  : >"$W/t.$f"
done
r=0
while [ $r -lt "$RUNS" ]; do
  fresh_xrust
  : >"$DIST_LOG"
  timed "$W/t.xrust" run_xrust
  cp "$DIST_LOG" "$W/log.xrust"
  [ $r -eq 0 ] && check_xrust "$(tail -n 1 "$W/last.out")"
  fresh_rustup
  : >"$DIST_LOG"
  timed "$W/t.rustup" run_rustup
  cp "$DIST_LOG" "$W/log.rustup"
  [ $r -eq 0 ] && check_rustup
  timed "$W/t.floor" floor_run "$tar_opt" "$fmt"
  [ -n "$pigz" ] && timed "$W/t.floor_pigz" floor_run "-I pigz" gz
  timed "$W/t.dec" decode_run "$dec" "$fmt"
  [ -n "$pigz" ] && timed "$W/t.dec_pigz" decode_run pigz gz
  if [ $r -lt "$XZ_RUNS" ] && [ "$fmt" != xz ]; then
    fresh_xrust
    timed "$W/t.xrust_xz" run_xrust_xz
    timed "$W/t.floor_xz" floor_run -J xz
  fi
  rm -rf "$W/floor"
  r=$((r + 1))
done

# CPU time and peak RSS, one more run each.
fresh_xrust
TIME_CMD="/usr/bin/time -v -o $W/rss.xrust"
run_xrust V=1 >/dev/null 2>"$W/xrust.v1"
fetch_line=$(grep -E 'FETCH +[0-9]+ files,' "$W/xrust.v1" | tail -n 1 | sed 's/^ *//')
if [ -s "$W/t.xrust_xz" ]; then
  fresh_xrust
  TIME_CMD="/usr/bin/time -v -o $W/rss.xrust_xz"
  run_xrust_xz >/dev/null 2>&1
fi
fresh_rustup
TIME_CMD="/usr/bin/time -v -o $W/rss.rustup"
run_rustup >/dev/null 2>&1
TIME_CMD=
rm -rf "$W/floor"
cpu_floor=$(cpu_times floor_run "$tar_opt" "$fmt")
[ -n "$pigz" ] && cpu_floor_pigz=$(cpu_times floor_run "-I pigz" gz)
cpu_dec=$(cpu_times decode_run "$dec" "$fmt")
[ -n "$pigz" ] && cpu_dec_pigz=$(cpu_times decode_run pigz gz)
[ -s "$W/t.floor_xz" ] && cpu_floor_xz=$(cpu_times floor_run -J xz)
rm -rf "$W/floor"

med() { s2 "$(median <"$W/t.$1")"; }
mx=$(med xrust)
mr=$(med rustup)
fb=$(med floor) fb_label="tar $tar_opt"
if [ -n "$pigz" ] && [ "$(echo "$(med floor_pigz) < $fb" | bc)" = 1 ]; then
  fb=$(med floor_pigz) fb_label="tar -I pigz"
fi
rss=$(peak_rss_mb "$W/rss.xrust")

echo "load:    $(load) at the end"
echo "payload: $(echo "$comp" | wc -w) archives, $(mb "$comp_bytes") MB as .tar.$fmt; installed $(mb "$size_x") MB (xrust), $(mb "$size_r") MB (rustup)"
echo "formats: xrust $(formats "$W/log.xrust"); rustup $(formats "$W/log.rustup")"
echo
echo "| method | median wall | runs | CPU user + sys (1 run) | peak RSS |"
echo "| --- | --- | --- | --- | --- |"
echo "| xrust \`\$(rust-toolchain)\` ($fmt) | **$mx s** | $(runs "$W/t.xrust") | $(cpu_of "$W/rss.xrust") | $rss MB |"
echo "| rustup toolchain install (xz) | **$mr s** | $(runs "$W/t.rustup") | $(cpu_of "$W/rss.rustup") | $(peak_rss_mb "$W/rss.rustup") MB |"
echo "| floor: tar $tar_opt, all archives at once | $(med floor) s | $(runs "$W/t.floor") | $cpu_floor | |"
[ -n "$pigz" ] &&
  echo "| floor: tar -I pigz, all archives at once | $(med floor_pigz) s | $(runs "$W/t.floor_pigz") | $cpu_floor_pigz | |"
echo "| decoding only: $dec -dc >/dev/null, all at once | $(med dec) s | $(runs "$W/t.dec") | $cpu_dec | |"
[ -n "$pigz" ] &&
  echo "| decoding only: pigz -dc >/dev/null, all at once | $(med dec_pigz) s | $(runs "$W/t.dec_pigz") | $cpu_dec_pigz | |"
if [ -s "$W/t.xrust_xz" ]; then
  echo "| xrust forced to xz (XRUST_DIST_FORMAT=xz) | $(med xrust_xz) s | $(runs "$W/t.xrust_xz") | $(cpu_of "$W/rss.xrust_xz") | $(peak_rss_mb "$W/rss.xrust_xz") MB |"
  echo "| floor for xz: tar -J, all archives at once | $(med floor_xz) s | $(runs "$W/t.floor_xz") | $cpu_floor_xz | |"
fi
echo
echo "xrust (V=1): $fetch_line"
echo "ratio: rustup / xrust = $(ratio "$mr" "$mx")x (goal >= 3x); xrust / floor ($fb_label) = $(ratio2 "$mx" "$fb")x (goal <= 1.3x); peak RSS $rss MB (goal < 64 MB)"
if [ -s "$W/t.xrust_xz" ]; then
  echo "same format (xz): rustup / xrust = $(ratio "$mr" "$(med xrust_xz)")x; xrust / floor = $(ratio2 "$(med xrust_xz)" "$(med floor_xz)")x; peak RSS $(peak_rss_mb "$W/rss.xrust_xz") MB"
fi
echo "RESULT toolchain: xrust $mx s, rustup $mr s, $(ratio "$mr" "$mx")x [$(goal "$(ratio2 "$mr" "$mx")" 3 ">=")]; floor $fb s, $(ratio2 "$mx" "$fb")x [$(goal "$(ratio2 "$mx" "$fb")" 1.3 "<=")]; RSS $rss MB [$(goal "$rss" 64 "<")]"
