#!/bin/sh
# Benchmark (not a test), issue 12 item 11: the template (examples/hello)
# built cold for the seed's four targets, x86_64-linux aarch64-linux
# x86_64-darwin aarch64-darwin, with `make -j2 cross-all`, beside the
# seed's cold build: 44 minutes (2640 s) for one Linux target on an
# 8-core M2, by its README.
#
# Each run starts from nothing: a fresh XRUST_HOME (so the toolchain,
# rustc + cargo + rust-std x 4, is fetched and installed from the loopback
# dist fixture), no out/ and no xrust.lock (vendoring from the loopback
# registry, every dependency compiled per target, the crate, the copies,
# the libSystem stub for the Apple links).  The wall time of each run is
# printed with the min and the median; then, unless SINGLE=0, each target
# once alone from cold (its own XRUST_TARGETS, so only its rust-std).
#
# Every output is checked before any time is printed, so a broken build
# cannot pass for a fast one: the Linux ones with `file` (static ELF of the
# right machine; x86_64-linux also runs), the Apple ones with
# tests/macho_check.py (CPU, minimum macOS, dylibs, imports bound,
# arm64's code signature recomputed).
#
# What the comparison leaves out, printed with the ratio: the seed's
# figure includes building a C cross toolchain, on 8 cores; this one runs
# on the cores of this machine against loopback servers (no network), with
# std prebuilt in the fixture's rust-std archives.
#
# Usage: sh bench/seed4.sh            (from the checkout, after `make`)
# Knobs: RUNS (3), JOBS (2), SINGLE (1; 0 skips the one-target builds)
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}
JOBS=${JOBS:-2}
SINGLE=${SINGLE:-1}
SEED=2640
targets="x86_64-linux aarch64-linux x86_64-darwin aarch64-darwin"

machine
echo "uptime:  $(uptime) (before)"
dist_serve
registry_serve
export XRUST_DIST_SERVER="$DIST_URL" XRUST_CHANNEL=1.96.0 \
  XRUST_CRATES_DL="$REG_DL"
DATE=$(cat "$DIST_DIR/dist/channel-rust-1.96.0-date.txt")
cat "$DIST_DIR/dist/$DATE"/*.tar.gz "$REG_DIR"/crates/*/*.crate >/dev/null

# project DIR TARGETS: the template in DIR with a Makefile of its own
# naming TARGETS.
project() {
  example hello "$1"
  printf 'XRUST_TARGETS := %s\ninclude %s\n' "$2" "$top/mk/xrust.mk" >"$1/Makefile"
}
p=$W/hello
project "$p" "$targets"

# verify DIR TARGET: DIR/out/TARGET/hello is what TARGET should produce;
# prints what was checked, or stops the benchmark.
verify() {
  f=$1/out/$2/hello
  [ -f "$f" ] || { echo "no out/$2/hello" >&2; exit 1; }
  case $2 in
    x86_64-linux) want='ELF 64-bit LSB .*x86-64.*static' ;;
    aarch64-linux) want='ELF 64-bit LSB .*ARM aarch64.*static' ;;
    x86_64-darwin) want='Mach-O 64-bit x86_64 executable' ;;
    aarch64-darwin) want='Mach-O 64-bit arm64 executable' ;;
  esac
  file -b "$f" | grep -Eq "$want" || {
    echo "out/$2/hello is not '$want': $(file -b "$f")" >&2; exit 1; }
  case $2 in
    x86_64-linux)
      [ "$(printf 'a b\nc\n' | "$f" | tr -s ' ' ' ' | sed 's/^ //')" = "2 3 6" ] || {
        echo "out/$2/hello does not count 'a b\\nc\\n' as 2 3 6" >&2; exit 1; }
      echo "out/$2/hello: $(file -b "$f" | cut -d, -f1-2), static; runs (wc of 2 lines)" ;;
    aarch64-linux)
      echo "out/$2/hello: $(file -b "$f" | cut -d, -f1-2), static" ;;
    x86_64-darwin)
      "$PY" "$top/tests/macho_check.py" --arch x86_64 --minos 10.12 "$f" >"$W/check.out" ||
        exit 1
      sed "s|^$1/||" "$W/check.out" ;;
    aarch64-darwin)
      "$PY" "$top/tests/macho_check.py" --arch arm64 --minos 11.0 --signed "$f" >"$W/check.out" ||
        exit 1
      sed "s|^$1/||" "$W/check.out" ;;
  esac
}


: >"$W/t.all"
: >"$W/checks"
load0=$(load)
r=0
while [ $r -lt "$RUNS" ]; do
  : >"$W/status"
  if [ $r -eq $((RUNS - 1)) ]; then
    # The last run also gives the CPU time of make and everything under it.
    cpu=$(cpu_times cold_make "$p" cross-all "$W/t.all")
  else
    cold_make "$p" cross-all "$W/t.all"
  fi
  [ "$(cat "$W/status")" = 0 ] || { echo "make -j$JOBS cross-all failed:" >&2
    tail -n 30 "$W/timeline" >&2; exit 1; }
  r=$((r + 1))
  for t in $targets; do
    verify "$p" "$t" >>"$W/checks"
  done
done
cp "$W/timeline" "$W/timeline.all"

: >"$W/t.one"
if [ "$SINGLE" != 0 ]; then
  q=$W/one
  for t in $targets; do
    project "$q" "$t"
    : >"$W/status"
    cold_make "$q" "cross-$t" "$W/t.one"
    verify "$q" "$t" >>"$W/checks"
  done
fi

m=$(median <"$W/t.all")
mn=$(sort -n "$W/t.all" | head -n 1)

echo "load:    $load0 before, $(load) at the end"
echo "uptime:  $(uptime) (after)"
echo "project: examples/hello, XRUST_TARGETS := $targets; make -j$JOBS cross-all"
echo
runs_table "$W/t.all" "$cpu"
echo
echo "min $(printf '%.1f' "$mn") s, median $(printf '%.1f' "$m") s of $RUNS run(s): $(runs "$W/t.all")"
echo
echo "timeline of the last run (seconds since start, xrust's lines):"
echo
echo '```'
grep -E '^ *[0-9.]+ +[A-Z]+ ' "$W/timeline.all"
echo '```'
if [ -s "$W/t.one" ]; then
  echo
  echo "each target alone, cold (its own XRUST_TARGETS, make -j$JOBS cross-NAME, 1 run):"
  echo
  echo "| target | wall | against the seed's 2640 s |"
  echo "| --- | --- | --- |"
  set -- $targets
  while read -r t; do
    echo "| $1 | $(printf '%.1f' "$t") s | $(ratio "$SEED" "$t")x faster |"
    shift
  done <"$W/t.one"
  sum=$(awk '{s += $1} END {print s}' "$W/t.one")
  echo "| sum of the four | $(printf '%.1f' "$sum") s | |"
fi
echo
echo "outputs checked (every run; the same lines each run are shown once):"
echo
echo '```'
awk '!seen[$0]++' "$W/checks"
echo '```'
echo
echo "ratio: the seed's 2640 s (44 min) / our median $(printf '%.1f' "$m") s = $(ratio "$SEED" "$m")x"
echo "  the seed: ONE Linux target, cold, on an 8-core M2, including building a"
echo "  C cross toolchain (its README); here: FOUR targets (two Linux musl, two"
echo "  macOS) on $(nproc) cores with -j$JOBS, toolchain install included, served"
echo "  from loopback (network time excluded), std prebuilt in the fixture's"
echo "  rust-std, no C toolchain built or used (rust-lld links all four)"
echo "RESULT seed4: make -j$JOBS cross-all, 4 seed targets, cold $(printf '%.1f' "$m") s (min $(printf '%.1f' "$mn") s) against the seed's 2640 s for 1 target = $(ratio "$SEED" "$m")x faster"
