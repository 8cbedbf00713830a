#!/bin/sh
# `make fuzz-run`: runs each libFuzzer binary for SECONDS seconds.
# usage: sh tests/fuzz/run.sh SECONDS BIN...
#
# Each target fuzz_NAME gets a fresh corpus in build/fuzz/corpus-NAME,
# seeded from the handwritten cases in tests/fuzz/seeds-NAME/ when that
# exists and from real files:
#   toml        every .toml file of the toml-test suite ($XRUST_TOML_TEST,
#               default tests/toml-test)
#   cargo_lock  examples/*/Cargo.lock
#   manifest    examples/*/rust-toolchain*, and the channel manifests of
#               the dist fixture when its cache already exists (it is
#               looked up in ${XRUST_FIXTURE_CACHE:-/var/cache/xrust-fixtures}
#               directly: tests/fixtures/mkdist.sh would build it)
# Crashes, leaks and timeouts leave their input and a log in build/fuzz/
# and make the script exit non-zero.  Output is TAP: one line per target.

[ $# -ge 2 ] || { echo "usage: $0 SECONDS BIN..." >&2; exit 2; }
secs=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/fuzz
suite=${XRUST_TOML_TEST:-$top/tests/toml-test}
cache=${XRUST_FIXTURE_CACHE:-/var/cache/xrust-fixtures}
n=0
fail=0

# seed CORPUS TAG FILE...: copies each readable FILE into CORPUS.
seed() {
  dir=$1
  tag=$2
  shift 2
  i=0
  for f in "$@"; do
    [ -f "$f" ] && [ -r "$f" ] || continue
    i=$((i + 1))
    cp "$f" "$dir/seed-$tag-$i"
  done
}

for bin in "$@"; do
  n=$((n + 1))
  name=$(basename "$bin")
  name=${name#fuzz_}
  corpus=$out/corpus-$name
  log=$out/$name.log
  rm -rf "$corpus"
  rm -f "$out/$name"-crash-* "$out/$name"-leak-* "$out/$name"-timeout-* \
    "$out/$name"-oom-* "$out/$name"-slow-unit-*
  mkdir -p "$corpus"
  if [ -d "$top/tests/fuzz/seeds-$name" ]; then
    cp "$top/tests/fuzz/seeds-$name"/* "$corpus"/ 2>/dev/null
  fi
  case $name in
  toml)
    if [ -d "$suite" ]; then
      i=0
      find "$suite" -name '*.toml' | LC_ALL=C sort |
        while IFS= read -r f; do
          i=$((i + 1))
          cp "$f" "$corpus/seed-$i.toml"
        done
    fi
    ;;
  cargo_lock)
    seed "$corpus" example "$top"/examples/*/Cargo.lock
    ;;
  manifest)
    seed "$corpus" toolfile "$top"/examples/*/rust-toolchain*
    # Only an existing cache: every channel file of every dist fixture.
    seed "$corpus" dist "$cache"/dist-*/dist/channel-rust-*.toml \
      "$cache"/dist-*/dist/*/channel-rust-*.toml
    ;;
  esac
  seeds=$(ls "$corpus" | wc -l | tr -d ' ')
  if [ ! -x "$bin" ]; then
    echo "not ok $n - $name: $bin is not built (make fuzz)"
    fail=$((fail + 1))
    continue
  fi
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$out/$name-" "$corpus" \
    >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  if [ "$rc" -eq 0 ]; then
    echo "ok $n - $name: ${runs:-?} runs in ${secs}s from $seeds seeds"
  else
    fail=$((fail + 1))
    echo "not ok $n - $name: exit status $rc after ${runs:-?} runs" \
      "(log: $log)"
    grep -E '^(==[0-9]+==|SUMMARY|.*runtime error|.*deadly signal)' \
      "$log" | head -20 | sed 's/^/# /'
    ls "$out/$name"-* 2>/dev/null | sed 's/^/# artifact: /'
  fi
done
echo "1..$n"
[ "$fail" -eq 0 ]
