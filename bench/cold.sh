#!/bin/sh
# Benchmark (not a test), issue 5 item 13: the template (examples/hello)
# built cold for the four Linux targets with `make -j2 cross-all`: fresh
# XRUST_HOME and out/, so the wall time includes the toolchain install
# (rustc, cargo, rust-std x 4 from the loopback dist fixture), vendoring
# from the loopback registry, every dependency compiled per target, the
# crate, and the copies into out/.
#
# Each line xrust prints is stamped with the time since the start, which
# gives the phases: toolchain, vendor, then per target the dependency layer
# (DEPS), the crate (CARGO) and the output (OUT); with -j2 two targets
# build at once, so the per-target spans overlap.
#
# Usage: sh bench/cold.sh            (from the checkout, after `make`)
# Knobs: RUNS (1), JOBS (2)
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-1}
JOBS=${JOBS:-2}

machine
dist_serve
registry_serve
p=$W/hello
example hello "$p"
targets=$(sed -n 's/^XRUST_TARGETS *:= *//p' "$p/Makefile")
export XRUST_DIST_SERVER="$DIST_URL" XRUST_CHANNEL=1.96.0 \
  XRUST_CRATES_DL="$REG_DL"
DATE=$(cat "$DIST_DIR/dist/channel-rust-1.96.0-date.txt")
cat "$DIST_DIR/dist/$DATE"/*.tar.gz "$REG_DIR"/crates/*/*.crate >/dev/null

run_cold() { cold_make "$p" cross-all "$W/t.cold"; }

: >"$W/t.cold"
load0=$(load)
r=0
: >"$W/status"
while [ $r -lt "$RUNS" ]; do
  if [ $r -eq $((RUNS - 1)) ]; then
    # The last run also gives the CPU time of make and everything under it.
    cpu=$(cpu_times run_cold)
  else
    run_cold
  fi
  r=$((r + 1))
done

[ "$(cat "$W/status")" = 0 ] || { echo "make -j$JOBS cross-all failed:" >&2
  tail -n 30 "$W/timeline" >&2; exit 1; }
for t in $targets; do
  [ -x "$p/out/$t/hello" ] || { echo "no out/$t/hello" >&2; exit 1; }
done
"$p/out/x86_64-linux/hello" --help >/dev/null 2>&1 ||
  { echo "out/x86_64-linux/hello does not run" >&2; exit 1; }

# Phases of the last run, from the stamped lines.
at() { awk -v pat="$1" '$0 ~ pat {print $1; exit}' "$W/timeline"; }
last_at() { awk -v pat="$1" '$0 ~ pat {t = $1} END {print t}' "$W/timeline"; }
tc_done=$(at 'FETCH +[0-9]+ files, ')
vendor_done=$(awk '/FETCH +[0-9]+ files, / {n++; if (n == 2) {print $1; exit}}' "$W/timeline")
m=$(median <"$W/t.cold")

echo "load:    $load0 before, $(load) at the end"
echo "project: examples/hello, targets: $targets, make -j$JOBS cross-all"
echo
runs_table "$W/t.cold" "$cpu"
echo
echo "timeline of the last run (seconds since start, xrust's lines):"
echo
echo '```'
grep -E '^ *[0-9.]+ +[A-Z]+ ' "$W/timeline"
echo '```'
echo
echo "| phase | done at |"
echo "| --- | --- |"
echo "| toolchain install (at parse time, before any recipe) | $tc_done s |"
echo "| vendor ($(grep -c '^source = "registry+' "$p/Cargo.lock") crates) | ${vendor_done:-?} s |"
for t in $targets; do
  echo "| $t: out/$t/hello | $(at "OUT +out/$t/") s |"
done
echo
echo "ratio: $(printf '%.1f' "$m") s against the goal of 180 s = $(ratio2 "$m" 180) of the budget"
echo "RESULT cold: make -j$JOBS cross-all $(printf '%.1f' "$m") s [$(goal "$m" 180 "<")]"
