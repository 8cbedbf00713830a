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
#
# Runs alternate; the median of RUNS of each.  Then the decompression
# floor: the archives of the format xrust chose (read from the server log),
# taken from the fixture directory (page cache) and unpacked all at once
# with `&`/wait by `tar -z` (gzip) and by `tar -I pigz` when installed; the
# faster median is the floor.  The same for xz, with xrust forced to xz
# (XRUST_DIST_FORMAT=xz), the format rustup picks.  Last, one more xrust
# run under /usr/bin/time -v: peak RSS of make + module, CPU time.
#
# Usage: sh bench/toolchain.sh         (from the checkout, after `make`)
# Knobs: RUNS (3), XZ_RUNS (RUNS; 0 skips the xz rows), RUSTUP
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}
XZ_RUNS=${XZ_RUNS:-$RUNS}
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
run_xrust() {
  XRUST_HOME=$W/xhome XRUST_DIST_SERVER=$DIST_URL make -C "$p" --no-print-directory
}
run_xrust_xz() {
  XRUST_HOME=$W/xhome XRUST_DIST_SERVER=$DIST_URL make -C "$p" \
    --no-print-directory XRUST_DIST_FORMAT=xz
}
fresh_rustup() {
  rm -rf "$W/rustup"
  sync
}
run_rustup() {
  set --
  for t in $TARGETS; do set -- "$@" --target "$t"; done
  RUSTUP_HOME=$W/rustup/home CARGO_HOME=$W/rustup/cargo \
    RUSTUP_DIST_SERVER=$DIST_URL RUSTUP_UPDATE_ROOT=$DIST_URL/rustup \
    ${RUSTUP_TIME:-} "$RUSTUP" toolchain install 1.96.0 --profile minimal --no-self-update "$@"
}

# The formats each tool downloaded, from the server log of one run.
formats() {
  awk '/\.tar\.(gz|xz|zst) / {sub(/.*\.tar\./, "", $2); n[$2]++}
    END {for (f in n) printf "%s%d x %s", (k++ ? ", " : ""), n[f], f}' "$1"
}

: >"$W/t.xrust"
: >"$W/t.rustup"
r=0
while [ $r -lt "$RUNS" ]; do
  fresh_xrust
  : >"$DIST_LOG"
  timed "$W/t.xrust" run_xrust
  cp "$DIST_LOG" "$W/log.xrust"
  tc=$(tail -n 1 "$W/last.out")
  fresh_rustup
  : >"$DIST_LOG"
  timed "$W/t.rustup" run_rustup
  cp "$DIST_LOG" "$W/log.rustup"
  r=$((r + 1))
done

# Both installed the same thing.
"$tc/bin/rustc" --version >/dev/null
for t in $HOST $TARGETS; do
  [ -d "$tc/lib/rustlib/$t/lib" ] || { echo "xrust: no std for $t" >&2; exit 1; }
  [ -d "$W/rustup/home/toolchains/1.96.0-$HOST/lib/rustlib/$t/lib" ] ||
    { echo "rustup: no std for $t" >&2; exit 1; }
done
size_x=$(du -sbL "$tc" | cut -f1)
size_r=$(du -sb "$W/rustup/home/toolchains/1.96.0-$HOST" | cut -f1)
fmt_x=$(formats "$W/log.xrust")
fmt_r=$(formats "$W/log.rustup")
fmt=$(awk '/\.tar\.(gz|xz|zst) / {sub(/.*\.tar\./, "", $2); print $2; exit}' "$W/log.xrust")
comp=$(awk '/\.tar\.(gz|xz|zst) / {print $2}' "$W/log.xrust" |
  xargs -n 1 basename | sort)
comp_bytes=0
for a in $comp; do comp_bytes=$((comp_bytes + $(stat -c %s "$ARCH/$a"))); done

# xrust forced to rustup's format.
: >"$W/t.xrust_xz"
r=0
while [ $r -lt "$XZ_RUNS" ]; do
  fresh_xrust
  timed "$W/t.xrust_xz" run_xrust_xz
  r=$((r + 1))
done

# The floor: every archive of a format unpacked at once, from the page
# cache, one path component stripped (as the installers do).
floor_run() {
  # $1: tar's decompression option, $2: archive extension
  pids=
  for a in $comp; do
    a=${a%.tar.*}
    mkdir -p "$W/floor/$a"
    tar -C "$W/floor/$a" --strip-components 1 $1 -xf "$ARCH/$a.tar.$2" &
    pids="$pids $!"
  done
  st=0
  for q in $pids; do wait "$q" || st=1; done
  return $st
}
# Decoding alone (nothing written): a lower bound, not the floor.
decode_run() {
  # $1: decompressor, $2: archive extension
  pids=
  for a in $comp; do
    $1 -dc "$ARCH/${a%.tar.*}.tar.$2" >/dev/null &
    pids="$pids $!"
  done
  st=0
  for q in $pids; do wait "$q" || st=1; done
  return $st
}
floor() {
  # $1: label, $2: tar option, $3: extension, $4: runs
  : >"$W/t.floor"
  r=0
  while [ $r -lt "$4" ]; do
    rm -rf "$W/floor"
    sync
    case $1 in
      dec:*) timed "$W/t.floor" decode_run "$2" "$3" ;;
      *) timed "$W/t.floor" floor_run "$2" "$3" ;;
    esac
    r=$((r + 1))
  done
  rm -rf "$W/floor"
  echo "$1 $(s2 "$(median <"$W/t.floor")") $(runs "$W/t.floor")" >>"$W/floors"
}
: >"$W/floors"
case $fmt in
  gz)
    floor "tar-z(gzip)" -z gz "$RUNS"
    command -v pigz >/dev/null && floor "tar-I-pigz" "-I pigz" gz "$RUNS"
    floor "dec:gzip" gzip gz "$RUNS"
    command -v pigz >/dev/null && floor "dec:pigz" pigz gz "$RUNS"
    ;;
  xz) floor "tar-J(xz)" -J xz "$RUNS" ;;
esac
if [ "$XZ_RUNS" -gt 0 ] && [ "$fmt" != xz ]; then
  floor "xz:tar-J(xz)" -J xz "$XZ_RUNS"
fi

# Peak RSS and CPU of make + module (the module runs inside make).
fresh_xrust
XRUST_HOME=$W/xhome XRUST_DIST_SERVER=$DIST_URL V=1 /usr/bin/time -v \
  make -C "$p" --no-print-directory >/dev/null 2>"$W/rss"
fetch_line=$(grep -E 'FETCH +[0-9]+ files,' "$W/rss" | tail -n 1 | sed 's/^ *//')
fresh_rustup
RUSTUP_TIME="/usr/bin/time -v -o $W/rss.rustup"
run_rustup >/dev/null 2>&1

mx=$(s2 "$(median <"$W/t.xrust")")
mr=$(s2 "$(median <"$W/t.rustup")")
floor_best=$(awk '$1 !~ /^(xz|dec):/' "$W/floors" | sort -k2 -n | head -n 1)
fb=$(echo "$floor_best" | cut -d' ' -f2)
rss=$(peak_rss_mb "$W/rss")

echo "load:    $(load) at the end"
echo "payload: $(echo "$comp" | wc -w) archives, $(mb "$comp_bytes") MB .tar.$fmt; installed $(mb "$size_x") MB (xrust), $(mb "$size_r") MB (rustup)"
echo "formats: xrust $fmt_x; rustup $fmt_r"
echo
echo "| method | median wall | runs | CPU user + sys (1 run) | peak RSS |"
echo "| --- | --- | --- | --- | --- |"
echo "| xrust \`\$(rust-toolchain)\` ($fmt) | **$mx s** | $(runs "$W/t.xrust") | $(cpu_of "$W/rss") | $rss MB |"
echo "| rustup toolchain install (xz) | **$mr s** | $(runs "$W/t.rustup") | $(cpu_of "$W/rss.rustup") | $(peak_rss_mb "$W/rss.rustup") MB |"
if [ "$XZ_RUNS" -gt 0 ]; then
  echo "| xrust forced to xz (XRUST_DIST_FORMAT=xz) | $(s2 "$(median <"$W/t.xrust_xz")") s | $(runs "$W/t.xrust_xz") | | |"
fi
while read -r label med rs; do
  case $label in
    xz:*) echo "| floor, xz: ${label#xz:}, all archives at once | $med s | $rs | | |" ;;
    dec:*) echo "| decoding only, $fmt: ${label#dec:} -dc >/dev/null, all at once (writes nothing) | $med s | $rs | | |" ;;
    *) echo "| floor, $fmt: $label, all archives at once | $med s | $rs | | |" ;;
  esac
done <"$W/floors"
echo
echo "xrust: $fetch_line"
echo "ratio: rustup / xrust = $(ratio "$mr" "$mx")x (goal >= 3x); xrust / floor ($(echo "$floor_best" | cut -d' ' -f1)) = $(ratio2 "$mx" "$fb")x (goal <= 1.3x); peak RSS $rss MB (goal < 64 MB)"
echo "RESULT toolchain: xrust $mx s, rustup $mr s, $(ratio "$mr" "$mx")x [$(goal "$(ratio "$mr" "$mx")" 3 ">=")]; floor $fb s, $(ratio2 "$mx" "$fb")x [$(goal "$(ratio2 "$mx" "$fb")" 1.3 "<=")]; RSS $rss MB [$(goal "$rss" 64 "<")]"
