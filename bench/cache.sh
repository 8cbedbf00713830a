#!/bin/sh
# Benchmark (not a test), issue 14 item 11: the remote layer cache.  A
# cold build of examples/grepper for the four Linux targets
# (x86_64-linux aarch64-linux x86_64-linux-gnu aarch64-linux-gnu, make
# -j$JOBS cross-all) in a second checkout with an empty XRUST_HOME, with a
# warm remote cache against without one; goal: at least 5x faster with it.
#
# The cache is Debian's nginx with its dav module on loopback
# (tests/fixtures/webdav.sh).  A first checkout, $W/a/grepper, builds
# cold with XRUST_CACHE_PUSH=1 and fills it.  Then the second checkout,
# $W/second/checkout/of/grepper (another directory, of another length),
# builds cold RUNS times each way, alternating: without XRUST_CACHE_URL,
# and with it (read only).  "Cold" is what bench/cold.sh means: an empty
# XRUST_HOME (so the toolchain is installed from the loopback dist
# fixture), no out/ and no xrust.lock (vendoring from the loopback
# registry); only the dependency layers come from the cache, the crate is
# compiled each time.
#
# Bytes transferred are read from nginx's access log (request lengths of
# the PUTs, response lengths of the GETs and HEADs, headers included).
# Every output is checked before a time is printed: static or dynamic ELF
# of the right machine, x86_64-linux's runs, the four cache hits are in
# the log of each cached build; whether the cached build's binaries are
# byte-identical to the uncached one's is printed, not required.
#
# Usage: sh bench/cache.sh            (from the checkout, after `make`)
# Knobs: RUNS (1), JOBS (2)
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-1}
JOBS=${JOBS:-2}
GOAL=5
targets="x86_64-linux aarch64-linux x86_64-linux-gnu aarch64-linux-gnu"

grep -q 'XRUST_CACHE_URL' "$top/mk/cache.mk" 2>/dev/null || {
  echo "this checkout has no remote cache (mk/cache.mk)" >&2; exit 1; }
st=0
"$XRUST" cache has -q "file://$W/none" 0000 >/dev/null 2>&1 || st=$?
[ "$st" -le 2 ] || { echo "$XRUST has no 'cache' command" >&2; exit 1; }

machine
dist_serve
registry_serve
export XRUST_DIST_SERVER="$DIST_URL" XRUST_CHANNEL=1.96.0 \
  XRUST_CRATES_DL="$REG_DL"
unset XRUST_CACHE_URL XRUST_CACHE_PUSH XRUST_CACHE_CONNECT_TIMEOUT
DATE=$(cat "$DIST_DIR/dist/channel-rust-1.96.0-date.txt")
cat "$DIST_DIR/dist/$DATE"/*.tar.gz "$REG_DIR"/crates/*/*.crate >/dev/null

sh "$top/tests/fixtures/webdav.sh" start "$W/dav" 2>"$W/dav.err" || {
  cat "$W/dav.err" >&2; exit 1; }
bench__pids="$bench__pids $(cat "$W/dav/nginx.pid")"
CACHE=$(cat "$W/dav/url")/xrust
DAV_LOG=$W/dav/access.log

# project DIR: examples/grepper in DIR for the four Linux targets.
project() {
  example grepper "$1"
  printf 'XRUST_TARGETS := %s\ninclude %s\n' "$targets" "$top/mk/xrust.mk" \
    >"$1/Makefile"
}
a=$W/a/grepper
b=$W/second/checkout/of/grepper
project "$a"
project "$b"

# verify DIR: the four binaries are what their targets should produce.
verify() {
  for t in $targets; do
    f=$1/out/$t/grepper
    [ -f "$f" ] || { echo "no out/$t/grepper in $1" >&2; exit 1; }
    case $t in
      x86_64-linux) want='ELF 64-bit LSB .*x86-64.*static' ;;
      aarch64-linux) want='ELF 64-bit LSB .*ARM aarch64.*static' ;;
      x86_64-linux-gnu) want='ELF 64-bit LSB .*x86-64.*dynamically' ;;
      aarch64-linux-gnu) want='ELF 64-bit LSB .*ARM aarch64.*dynamically' ;;
    esac
    file -b "$f" | grep -Eq "$want" || {
      echo "$f is not '$want': $(file -b "$f")" >&2; exit 1; }
  done
  "$1/out/x86_64-linux/grepper" --help >/dev/null 2>&1 || {
    echo "$1/out/x86_64-linux/grepper does not run" >&2; exit 1; }
}

# sums DIR: the binaries' SHA-256, one line per target.
sums() { for t in $targets; do sha256sum "$1/out/$t/grepper" | cut -c1-64; done; }

# traffic FROM: "requests GET-bytes PUT-bytes" of the access log's lines
# after line FROM.
traffic() {
  tail -n +"$(($1 + 1))" "$DAV_LOG" | awk '
    { n++ }
    $1 == "PUT" { up += $4 }
    $1 != "PUT" { down += $5 }
    END { printf "%d %d %d\n", n, down, up }'
}
lines() { wc -l <"$DAV_LOG" | tr -d ' '; }

# hits: the cache hit lines of the last build's timeline.
hits() { grep -c 'CACHE   hit' "$W/timeline" || true; }

load0=$(load)

# 1. The first checkout fills the cache.
n0=$(lines)
export XRUST_CACHE_URL=$CACHE XRUST_CACHE_PUSH=1
: >"$W/t.push"
cpu_push=$(cpu_times cold_make "$a" cross-all "$W/t.push" "$W/home-a")
[ "$(cat "$W/status")" = 0 ] || { echo "the pushing build failed:" >&2
  tail -n 30 "$W/timeline" >&2; exit 1; }
unset XRUST_CACHE_URL XRUST_CACHE_PUSH
verify "$a"
push_traffic=$(traffic "$n0")
nindex=$(find "$W/dav/root/xrust/xrust-v1/index" -type f 2>/dev/null | wc -l | tr -d ' ')
[ "$nindex" -ge 4 ] || { echo "the first build pushed $nindex layers, not 4:" >&2
  grep -E 'warning|PUSH|CACHE' "$W/timeline" >&2; exit 1; }
store=$(du -sb "$W/dav/root" | cut -f1)

# 2. The second checkout, cold, without and with the cache.
: >"$W/t.none"
: >"$W/t.hit"
: >"$W/traffic.hit"
r=0
while [ $r -lt "$RUNS" ]; do
  r=$((r + 1))
  if [ $r -eq "$RUNS" ]; then
    cpu_none=$(cpu_times cold_make "$b" cross-all "$W/t.none" "$W/home-b")
  else
    cold_make "$b" cross-all "$W/t.none" "$W/home-b"
  fi
  [ "$(cat "$W/status")" = 0 ] || { echo "the build without cache failed" >&2; exit 1; }
  verify "$b"
  sums "$b" >"$W/sums.none"
  cp "$W/timeline" "$W/timeline.none"

  n0=$(lines)
  export XRUST_CACHE_URL=$CACHE
  if [ $r -eq "$RUNS" ]; then
    cpu_hit=$(cpu_times cold_make "$b" cross-all "$W/t.hit" "$W/home-b")
  else
    cold_make "$b" cross-all "$W/t.hit" "$W/home-b"
  fi
  unset XRUST_CACHE_URL
  [ "$(cat "$W/status")" = 0 ] || { echo "the build with the cache failed" >&2; exit 1; }
  verify "$b"
  h=$(hits)
  [ "$h" -eq 4 ] || { echo "the cached build had $h cache hits, not 4:" >&2
    grep -E 'warning|CACHE' "$W/timeline" >&2; exit 1; }
  traffic "$n0" >>"$W/traffic.hit"
  sums "$b" >"$W/sums.hit"
  cp "$W/timeline" "$W/timeline.hit"
done

mn=$(median <"$W/t.none")
mh=$(median <"$W/t.hit")
set -- $push_traffic
push_req=$1 push_up=$3
set -- $(tail -n 1 "$W/traffic.hit")
hit_req=$1 hit_down=$2
if cmp -s "$W/sums.none" "$W/sums.hit"; then
  same="byte-identical to the ones built without the cache"
else
  same="NOT byte-identical to the ones built without the cache"
fi

echo "load:    $load0 before, $(load) at the end"
echo "project: examples/grepper, XRUST_TARGETS := $targets; make -j$JOBS cross-all"
echo "cache:   nginx $(nginx -v 2>&1 | sed 's|.*/||') WebDAV on loopback, $CACHE"
echo
echo "| build | wall | CPU user + sys (last run) | runs |"
echo "| --- | --- | --- | --- |"
echo "| first checkout, cold, XRUST_CACHE_PUSH=1 | $(printf '%.1f' "$(cat "$W/t.push")") s | $cpu_push | 1 |"
echo "| second checkout, cold, no cache | **$(printf '%.1f' "$mn") s** | $cpu_none | $(runs "$W/t.none") |"
echo "| second checkout, cold, warm cache | **$(printf '%.1f' "$mh") s** | $cpu_hit | $(runs "$W/t.hit") |"
echo
echo "| transfer | requests | bytes |"
echo "| --- | --- | --- |"
echo "| push (first checkout): uploaded | $push_req | $(mb "$push_up") MB |"
echo "| warm-cache build: downloaded | $hit_req | $(mb "$hit_down") MB |"
echo "| the store after the push | $nindex layers | $(mb "$store") MB |"
echo
echo "the cached build's binaries are $same"
echo
echo "timeline of the last warm-cache build (seconds since start, xrust's lines):"
echo
echo '```'
grep -E '^ *[0-9.]+ +[A-Z]+ ' "$W/timeline.hit"
echo '```'
echo
echo "ratio: no cache $(printf '%.1f' "$mn") s / warm cache $(printf '%.1f' "$mh") s = $(ratio "$mn" "$mh")x"
echo "RESULT cache: cold grepper x4 Linux targets, warm remote cache $(printf '%.1f' "$mh") s against $(printf '%.1f' "$mn") s without = $(ratio "$mn" "$mh")x faster [$(goal "$(ratio2 "$mn" "$mh")" "$GOAL" ">=")], $(mb "$hit_down") MB downloaded"
