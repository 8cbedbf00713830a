#!/bin/sh
# Runs every benchmark one after another (bench/fetch.sh, toolchain.sh,
# noop.sh, vendor.sh, cold.sh, seed4.sh, cache.sh, build16.sh), keeps each
# one's full output, and ends with a summary: one line per benchmark with
# its figures, ratio and whether the issue's goal was met.  Benchmarks are
# not tests: the exit status says only whether every script ran.
#
# Usage: sh bench/run.sh [NAME...]   (from the checkout, after `make`;
#                                     NAME: fetch toolchain noop vendor cold
#                                     seed4 cache build16)
# Knobs: BENCH_LOGS (directory for the outputs, default bench/out/DATE);
#        each script runs with its own default RUNS unless NAME_RUNS is set
#        (FETCH_RUNS, TOOLCHAIN_RUNS, NOOP_RUNS, VENDOR_RUNS, COLD_RUNS,
#        SEED4_RUNS, CACHE_RUNS, BUILD16_RUNS);
#        the scripts' other knobs pass through the environment.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
names=${*:-fetch toolchain noop vendor cold seed4 cache build16}
logs=${BENCH_LOGS:-$top/bench/out/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$logs"
[ -x "$top/build/xrust" ] || { echo "build xrust first (make)" >&2; exit 1; }

echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GB RAM", $2 / 1048576}' /proc/meminfo)"
echo "outputs: $logs"
failed=
for n in $names; do
  [ -f "$top/bench/$n.sh" ] || { echo "no bench/$n.sh" >&2; exit 2; }
  echo
  echo "==== bench/$n.sh (load $(cut -d' ' -f1-3 /proc/loadavg)) ===="
  t0=$(date +%s)
  runs_var=$(echo "$n" | tr a-z A-Z)_RUNS
  eval "runs=\${$runs_var:-}"
  if env -u RUNS ${runs:+RUNS=$runs} sh "$top/bench/$n.sh" 2>"$logs/$n.err" |
    tee "$logs/$n.out"; then
    :
  else
    failed="$failed $n"
  fi
  # `tee` hides the script's status; a script that stopped early has no
  # RESULT line (fetch.sh has none: its summary lines are picked below).
  [ "$n" = fetch ] || grep -q '^RESULT ' "$logs/$n.out" || {
    case " $failed " in *" $n "*) ;; *) failed="$failed $n" ;; esac
    tail -n 20 "$logs/$n.err" >&2
  }
  echo "(bench/$n.sh took $(( $(date +%s) - t0 )) s)"
done

echo
echo "==== summary ===="
for n in $names; do
  if [ "$n" = fetch ]; then
    [ -s "$logs/fetch.out" ] || continue
    awk '/median/ {sub(/  cpu.*/, ""); gsub(/  +/, " "); print "fetch:", $0}
      /peak RSS/ {print "fetch:", $0}' "$logs/fetch.out"
  else
    sed -n 's/^RESULT //p' "$logs/$n.out"
  fi
done
if [ -n "$failed" ]; then
  echo "did not finish:$failed (see $logs/*.err)"
  exit 1
fi
