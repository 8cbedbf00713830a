#!/bin/sh
# Benchmark (not a test), issue 5 item 13: a no-op build of a fully built
# examples/grepper (clap derive, serde, regex; 37 crates).
#
#   make    `make cross-x86_64-linux` (xrust: Make's timestamps decide,
#           no cargo process starts)
#   cargo   `cargo build --release --target x86_64-unknown-linux-musl
#           --offline` with the same toolchain's cargo, the same
#           environment as xrust's recipes (RUSTC, linker), xrust's
#           vendored-source config and xrust's target dir: cargo's own
#           no-op on the very tree it built (checked: nothing recompiles)
#
# The project is built once with `make cross-x86_64-linux` from the two
# loopback fixtures (fresh XRUST_HOME).  Timed with hyperfine (-N, no
# shell; apt-get install hyperfine) when installed, else a loop over
# `date +%s.%N`; the median of RUNS runs each after WARMUP runs.  Then
# where make's time goes: make with an empty Makefile, make that only
# loads build/xrust.so, make including xrust.mk without the rules, and the
# no-op itself.
#
# If make turns out not to be a no-op, the script says what it reran and
# times it anyway: that is what a user gets.  (Before commit cfac760 the
# recorded config was rewritten by every parse when it was longer than
# about 200 bytes, i.e. depending on the length of the XRUST_HOME path;
# see bench/RESULTS.md.  NOOP_HOME=PATH, a path that must not exist yet,
# is used instead of $W/home and removed afterwards.)
#
# Usage: sh bench/noop.sh            (from the checkout, after `make`)
# Knobs: RUNS (20), WARMUP (3), NOOP_HOME
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}

machine
dist_serve
registry_serve
p=$W/grepper
example grepper "$p"
if [ -n "${NOOP_HOME:-}" ]; then
  [ ! -e "$NOOP_HOME" ] || { echo "NOOP_HOME=$NOOP_HOME exists: give a new path" >&2; exit 1; }
  mkdir -p "$NOOP_HOME"
  trap 'rm -rf "$NOOP_HOME"; bench__cleanup' EXIT
else
  NOOP_HOME=$W/home
fi
export XRUST_HOME="$NOOP_HOME" XRUST_DIST_SERVER="$DIST_URL" \
  XRUST_CHANNEL=1.96.0 XRUST_CRATES_DL="$REG_DL"

echo "building examples/grepper for x86_64-linux once ..." >&2
: >"$W/t.build"
timed "$W/t.build" make -C "$p" --no-print-directory cross-x86_64-linux
echo "first build: $(runs "$W/t.build") s (toolchain install, vendor, deps, crate); XRUST_HOME=$XRUST_HOME"

TRIPLE=x86_64-unknown-linux-musl
tc=$(make -C "$p" --no-print-directory -s toolchain)
bin=$p/out/.xrust/x86_64-linux/target/$TRIPLE/release/grepper
[ -x "$bin" ] || { echo "no $bin after the build" >&2; exit 1; }

# cargo's no-op, as xrust's crate layer would run it.
cat >"$W/cargo-noop" <<EOF
#!/bin/sh
cd '$p' || exit 1
exec env RUSTC='$tc/bin/rustc' RUSTDOC='$tc/bin/rustdoc' RUSTUP_TOOLCHAIN= \\
  PATH='$tc/bin':"\$PATH" CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld \\
  '$tc/bin/cargo' build --release --target $TRIPLE --offline \\
  --config '$p/out/.xrust/cargo-config.toml' \\
  --target-dir '$p/out/.xrust/x86_64-linux/target' "\$@"
EOF
chmod +x "$W/cargo-noop"

# Both really are no-ops.
m0=$(stat -c %y "$bin")
"$W/cargo-noop" -v >"$W/cargo.out" 2>&1 || { cat "$W/cargo.out" >&2; exit 1; }
if grep -q 'Compiling' "$W/cargo.out"; then
  echo "cargo is not a no-op on xrust's target dir:" >&2
  cat "$W/cargo.out" >&2
  exit 1
fi
fresh=$(grep -c '^ *Fresh ' "$W/cargo.out" || true)
# make: "Nothing to be done".  When it is not, say what it reran and
# whether the recorded config (out/.xrust/NAME/config, rewritten only when
# its content changes) was rewritten, and time it anyway: that is what a
# user of this directory gets.
cfg=$p/out/.xrust/x86_64-linux/config
# (Up to three tries: the first make after the build may legitimately
# remake build/xrust.so when the checkout's module sources changed.)
noop=no
i=0
while [ $i -lt 3 ]; do
  c0=$(stat -c %y "$cfg")
  make -C "$p" --no-print-directory cross-x86_64-linux >"$W/make.out" 2>&1
  [ "$(stat -c %y "$cfg")" = "$c0" ] && cfg_rewritten=no || cfg_rewritten=yes
  if grep -q 'Nothing to be done' "$W/make.out" && [ $cfg_rewritten = no ]; then
    noop=yes
    break
  fi
  rerun=$(awk '$1 ~ /^[A-Z]+$/ {print $1}' "$W/make.out" | tr '\n' ' ')
  i=$((i + 1))
done
if [ "$noop" = yes ]; then
  [ "$(stat -c %y "$bin")" = "$m0" ] || { echo "the binary was rebuilt" >&2; exit 1; }
fi
# What the no-op make starts (strace, when installed).
if command -v strace >/dev/null; then
  strace -f -qq -e trace=execve -o "$W/strace" \
    make -C "$p" --no-print-directory cross-x86_64-linux >/dev/null 2>&1
  spawned=$(grep -v 'make"' "$W/strace" | grep -o 'execve("[^"]*"' |
    sed 's/execve("//; s/"$//' | xargs -r -n 1 basename 2>/dev/null | sort | uniq -c |
    awk '{printf "%s%s x %s", (NR > 1 ? ", " : ""), $1, $2}')
fi

printf 'all: ; @:\n' >"$W/empty.mk"
printf -- '-load %s\nall: ; @:\n' "$top/build/xrust.so" >"$W/load.mk"
# The project's Makefile without the per-target rules: module, config.mk,
# init.mk and $(rust-toolchain) (a stat once installed).
mkdir -p "$W/norules"
printf 'XRUST_NO_RULES := 1\ninclude %s\nTC := $(rust-toolchain x86_64-linux,1.96.0)\nall: ; @:\n' \
  "$top/mk/xrust.mk" >"$W/norules/Makefile"
cp "$p/xrust.lock" "$W/norules/" 2>/dev/null || true
make -C "$W/norules" >/dev/null 2>&1

# bench_one LABEL RUNS WARMUP COMMAND...: median, mean, min of RUNS runs
# (milliseconds) into $W/rows.
: >"$W/rows"
bench_one() {
  label=$1 n=$2 warm=$3
  shift 3
  if command -v hyperfine >/dev/null; then
    hyperfine -N --style none --warmup "$warm" --runs "$n" \
      --export-json "$W/h.json" "$*" >/dev/null 2>&1 ||
      { echo "hyperfine failed on: $*" >&2; exit 1; }
    "$PY" - "$W/h.json" "$W/times" "$W/cpu" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
open(sys.argv[2], "w").write("".join("%s\n" % t for t in r["times"]))
open(sys.argv[3], "w").write("%.1f ms + %.1f ms\n"
                             % (r["user"] * 1000, r["system"] * 1000))
EOF
  else
    echo "-" >"$W/cpu"
    i=0
    while [ $i -lt "$warm" ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done
    : >"$W/times"
    i=0
    while [ $i -lt "$n" ]; do
      t0=$(now)
      "$@" >/dev/null 2>&1
      t1=$(now)
      elapsed "$t0" "$t1" >>"$W/times"
      i=$((i + 1))
    done
  fi
  med=$(median <"$W/times" | awk '{printf "%.1f", $1 * 1000}')
  mean=$(awk '{s += $1} END {printf "%.1f", s / NR * 1000}' "$W/times")
  min=$(sort -n "$W/times" | head -n 1 | awk '{printf "%.1f", $1 * 1000}')
  echo "$med|$mean|$min|$(cat "$W/cpu")|$label" >>"$W/rows"
}

load0=$(load)
if [ "$noop" = yes ]; then
  bench_one "make cross-x86_64-linux (xrust no-op)" "$RUNS" "$WARMUP" \
    make -C "$p" --no-print-directory cross-x86_64-linux
else
  # Each run reruns cargo: fewer of them.
  bench_one "make cross-x86_64-linux (NOT a no-op here: reruns $rerun)" 5 1 \
    make -C "$p" --no-print-directory cross-x86_64-linux
fi
bench_one "cargo build --release --target $TRIPLE --offline (cargo no-op)" \
  "$RUNS" "$WARMUP" "$W/cargo-noop"
bench_one "phase: make with an empty Makefile" "$RUNS" "$WARMUP" \
  make -f "$W/empty.mk"
bench_one "phase: make that only loads build/xrust.so" "$RUNS" "$WARMUP" \
  make -f "$W/load.mk"
bench_one "phase: make including xrust.mk with XRUST_NO_RULES, \$(rust-toolchain)" \
  "$RUNS" "$WARMUP" make -C "$W/norules"
if command -v hyperfine >/dev/null; then tool="hyperfine -N"; else tool="date loop"; fi

echo "load:    $load0 before the timed runs, $(load) at the end"
echo "timing:  $tool, $RUNS runs after $WARMUP warm-up runs"
if [ "$noop" = yes ]; then
  echo "checks:  cargo saw $fresh crates Fresh and compiled nothing; make said 'Nothing to be done'${spawned+; the no-op make spawned: ${spawned:-nothing}}"
else
  echo "checks:  cargo saw $fresh crates Fresh and compiled nothing"
  echo "WARNING: make cross-x86_64-linux is not a no-op in $p: every run reran $rerun(out/.xrust/x86_64-linux/config rewritten by each parse: $cfg_rewritten)${spawned+; it spawned: ${spawned:-nothing}}"
fi
echo "shared libraries the module pulls into make: $(ldd "$top/build/xrust.so" | grep -c '=>') (ldd build/xrust.so); the engine, loaded only when there is downloading or unpacking to do: $(ldd "$top/build/xrust-engine.so" | grep -c '=>') (ldd build/xrust-engine.so)"
echo
echo "| command | median | mean | min | mean CPU user + sys |"
echo "| --- | --- | --- | --- | --- |"
while IFS='|' read -r med mean min cpu label; do
  echo "| $label | **$med ms** | $mean ms | $min ms | $cpu |"
done <"$W/rows"
mm=$(sed -n 1p "$W/rows" | cut -d'|' -f1)
mc=$(sed -n 2p "$W/rows" | cut -d'|' -f1)
echo
cpu_ms() { sed -n "${1}p" "$W/rows" | cut -d'|' -f4 | awk '{print $1 + $4}'; }
echo "ratio: cargo / make = $(ratio "$mc" "$mm")x on the median wall time (goal >= 5x); $(ratio "$(cpu_ms 2)" "$(cpu_ms 1)")x on CPU time"
if [ "$noop" = yes ]; then
  echo "RESULT noop: make $mm ms, cargo $mc ms, $(ratio "$mc" "$mm")x [$(goal "$(ratio2 "$mc" "$mm")" 5 ">=")]"
else
  echo "RESULT noop: make is NOT a no-op here (reruns $rerun; config rewritten: $cfg_rewritten): make $mm ms, cargo $mc ms, $(ratio "$mc" "$mm")x [MISSED]"
fi
