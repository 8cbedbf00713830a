#!/bin/sh
# Benchmark (not a test), issue 16 items 4 and 5: what xrust's compiling
# costs against plain cargo, on examples/grepper (clap derive, serde,
# regex; 37 crates), with only compilation measured: the toolchain
# (XRUST_HOME) and the vendored crates (out/vendor) are prepared once from
# the loopback fixtures and kept; each run starts from no build tree.
#
# Item 4: the four Linux targets (TARGETS), each variant cold:
#
#   xrust     `make -jJOBS cross-all` (out/vendor, the stub workspace and
#             XRUST_HOME kept; every per-target build tree, state and
#             output removed before each run)
#   separate  `cargo build --release --target T -jJOBS`, one run per
#             target, one after another, each with a target directory of
#             its own (host artefacts compiled once per target)
#   multi     one `cargo build --release -jJOBS --target T1 --target T2
#             ...` in one target directory (host artefacts compiled once)
#
# Goals: xrust's CPU time (user + sys of make and everything under it)
# within 3 % of multi's, and at least 15 % below separate's.
#
# Item 5: x86_64-linux alone, cold: `make -jJOBS cross-x86_64-linux`
# (the stub workspace rebuilt too: part of xrust's overhead) against
# `cargo build --release --target x86_64-unknown-linux-musl -jJOBS`.
# Goal: xrust's wall time at most 5 % over cargo's.
#
# Every plain cargo build uses what xrust's recipes use: the toolchain
# xrust installed (`make toolchain`: its rustc, rustdoc and cargo, first
# on PATH), the vendored sources (out/.xrust/cargo-config.toml, --offline
# --locked), the linkers of xrust__cargo_env (mk/layers.mk: musl with
# rust-lld, the host's gnu triple with cc, aarch64 gnu with
# aarch64-linux-gnu-gcc), the release profile.  What differs: plain
# cargo runs rustc directly (no RUSTC_WRAPPER; xrust's recipes run it
# through mk/xrust-rustc, which adds --remap-path-prefix flags), and xrust
# builds the dependencies from the stub workspace first, then the crate.
#
# Times come from /usr/bin/time (wall, and user + sys of the command and
# all its descendants).  Within a run the variants take turns starting
# (run 1 starts with xrust, run 2 with the next one, ...), so that none is
# always first after a cleanup.  Every output is checked after each build
# and before any time is printed: file(1) says the right ELF machine,
# static for musl and dynamic for gnu, and the x86_64 binaries run (a
# search of two lines).
#
# Usage: sh bench/build16.sh          (from the checkout, after `make`)
# Knobs: RUNS (1), JOBS (2), ITEMS ("4 5"), TARGETS (the four Linux
#        names; fewer for a quick check, e.g. TARGETS=x86_64-linux)
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-1}
JOBS=${JOBS:-2}
ITEMS=${ITEMS:-4 5}
TARGETS=${TARGETS:-x86_64-linux aarch64-linux x86_64-linux-gnu aarch64-linux-gnu}
SINGLE=x86_64-linux

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

# The triple of a name, and what file(1) must say of its binary.
triple() {
  case $1 in
    x86_64-linux) echo x86_64-unknown-linux-musl ;;
    aarch64-linux) echo aarch64-unknown-linux-musl ;;
    x86_64-linux-gnu) echo x86_64-unknown-linux-gnu ;;
    aarch64-linux-gnu) echo aarch64-unknown-linux-gnu ;;
    *) echo "build16.sh: '$1' is not one of the four Linux targets" >&2; exit 2 ;;
  esac
}
want() {
  case $1 in
    x86_64-linux) echo 'ELF 64-bit LSB .*x86-64.*static' ;;
    aarch64-linux) echo 'ELF 64-bit LSB .*ARM aarch64.*static' ;;
    x86_64-linux-gnu) echo 'ELF 64-bit LSB .*x86-64.*dynamically linked' ;;
    aarch64-linux-gnu) echo 'ELF 64-bit LSB .*ARM aarch64.*dynamically linked' ;;
  esac
}
for t in $TARGETS; do triple "$t" >/dev/null; done
for i in $ITEMS; do
  case $i in 4|5) ;; *) echo "ITEMS: 4 and/or 5, not '$i'" >&2; exit 2 ;; esac
done

machine
dist_serve
registry_serve
export XRUST_HOME="$W/home" XRUST_DIST_SERVER="$DIST_URL" \
  XRUST_CHANNEL=1.96.0 XRUST_CRATES_DL="$REG_DL"
# Plain cargo has no wrapper; nor does xrust's (mk/xrust-rustc runs none).
unset RUSTC_WRAPPER CARGO_BUILD_RUSTC_WRAPPER CARGO_INCREMENTAL \
  CARGO_BUILD_JOBS CARGO_PROFILE_RELEASE_LTO

# project DIR TARGETS: examples/grepper in DIR with a Makefile naming
# TARGETS.
project() {
  example grepper "$1"
  printf 'XRUST_TARGETS := %s\ninclude %s\n' "$2" "$top/mk/xrust.mk" >"$1/Makefile"
}
p=$W/grepper
all_targets=$TARGETS
case " $ITEMS " in *" 5 "*) case " $all_targets " in *" $SINGLE "*) ;;
  *) all_targets="$all_targets $SINGLE" ;; esac ;; esac
project "$p" "$all_targets"

# ---- prepare: toolchain, vendor, stub (kept by every run) ------------------
echo "preparing: toolchain, vendored crates and stub workspace ..." >&2
xo=$p/out
xs=$xo/.xrust
make -C "$p" --no-print-directory -s vendor "$xs/stub.stamp" >"$W/prep.out" 2>&1 ||
  { cat "$W/prep.out" >&2; exit 1; }
tc=$(make -C "$p" --no-print-directory -s toolchain)
[ -x "$tc/bin/cargo" ] || { echo "no cargo in the toolchain '$tc'" >&2; exit 1; }
[ -f "$xs/cargo-config.toml" ] || { echo "no $xs/cargo-config.toml" >&2; exit 1; }
# What the preparation left in out/ and out/.xrust, but the per-target
# directories (the parse wrote each target's config record): everything
# else there is a per-target build tree, state or output, removed before
# each run.
for t in $all_targets host; do echo "$t"; done >"$W/targets"
ls -A "$xo" | grep -vxF -f "$W/targets" >"$W/keep.out" || :
ls -A "$xs" | grep -vxF -f "$W/targets" >"$W/keep.x" || :
# The toolchain and the sources into the page cache, as every later run
# will find them.
cat "$tc"/bin/* "$tc"/lib/*.so* >/dev/null 2>&1 || :
find "$tc/lib/rustlib" -type f -exec cat {} + >/dev/null 2>&1 || :
find "$xo/vendor/" -type f -exec cat {} + >/dev/null 2>&1 || :

# xrust_clean [stub]: out/ back to the prepared state (with `stub`, the
# stub workspace goes too, so the next build remakes it).
xrust_clean() {
  for f in $(ls -A "$xo"); do
    grep -qxF "$f" "$W/keep.out" || rm -rf "${xo:?}/$f"
  done
  for f in $(ls -A "$xs"); do
    grep -qxF "$f" "$W/keep.x" || rm -rf "${xs:?}/$f"
  done
  if [ "${1:-}" = stub ]; then rm -rf "$xs/stub" "$xs/stub.stamp"; fi
}

# $W/plain-cargo DIR TRIPLE...: one plain cargo build of the triples in
# target directory DIR, in the environment of xrust's recipes without the
# wrapper: the toolchain first on PATH, and each Linux triple's linker
# (one set for every build: the variable of a triple not built is
# unused).  $W/separate DIR TRIPLE...: one such build per triple, one
# after another, each in DIR/TRIPLE.  (Scripts, for /usr/bin/time to run.)
cat >"$W/plain-cargo" <<EOF
#!/bin/sh
set -e
dir=\$1
shift
args=
for t in "\$@"; do args="\$args --target \$t"; done
cd '$p'
export RUSTC='$tc/bin/rustc' RUSTDOC='$tc/bin/rustdoc' RUSTUP_TOOLCHAIN= \\
  PATH='$tc/bin':"\$PATH" \\
  CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld \\
  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld \\
  CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER=cc \\
  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
exec '$tc/bin/cargo' build --release --offline --locked -j$JOBS \\
  --config '$xs/cargo-config.toml' \$args --target-dir "\$dir"
EOF
cat >"$W/separate" <<EOF
#!/bin/sh
set -e
dir=\$1
shift
for t in "\$@"; do
  rm -rf "\$dir/\$t"
  '$W/plain-cargo' "\$dir/\$t" "\$t"
done
EOF
chmod +x "$W/plain-cargo" "$W/separate"
# triples NAME...: their triples, on one line.
triples() { for tr_t in "$@"; do triple "$tr_t"; done | tr '\n' ' '; }

# measure NAME COMMAND...: runs COMMAND cold (after a sync), its output in
# $W/NAME.log; appends "wall user sys" (seconds) to $W/t.NAME.  A failing
# command stops the benchmark.
measure() {
  ms_n=$1
  shift
  sync
  if ! /usr/bin/time -f '%e %U %S' -o "$W/time.$ms_n" "$@" >"$W/$ms_n.log" 2>&1; then
    echo "failed: $*" >&2
    tail -n 30 "$W/$ms_n.log" >&2
    exit 1
  fi
  tail -n 1 "$W/time.$ms_n" >>"$W/t.$ms_n"
}

# check FILE TARGET: FILE is TARGET's grepper; appends what was checked to
# $W/checks, or stops the benchmark.
printf 'alpha\nbeta 42\ngamma\n' >"$W/input.txt"
check() {
  [ -f "$1" ] || { echo "no $1" >&2; exit 1; }
  ck_f=$(file -b "$1")
  echo "$ck_f" | grep -Eq "$(want "$2")" || {
    echo "$1 is not '$(want "$2")': $ck_f" >&2; exit 1; }
  ck_ran=
  case $2 in
    x86_64-*)
      ck_o=$("$1" 'b.ta [0-9]+' "$W/input.txt" 2>&1) || {
        echo "$1 failed: $ck_o" >&2; exit 1; }
      case $ck_o in *"beta 42"*) ;; *) echo "$1 found no 'beta 42': $ck_o" >&2; exit 1 ;; esac
      case $ck_o in *alpha*|*gamma*) echo "$1 matched too much: $ck_o" >&2; exit 1 ;; esac
      ck_ran="; runs (found the one matching line)" ;;
  esac
  echo "$3 $2: $(echo "$ck_f" | cut -d, -f1-2), $(echo "$ck_f" |
    grep -Eo 'static-pie linked|statically linked|dynamically linked')$ck_ran" >>"$W/checks"
}

# One variant of a run: clean, build, check.  The Makefile names every
# target built here, so that all use the one toolchain prepared (its id
# depends on the target set); xrust builds the item's targets with
# cross-all when they are the Makefile's, else with their cross-NAME goals.
if [ "$(echo $TARGETS)" = "$(echo $all_targets)" ]; then
  goals4=cross-all
else
  goals4=$(for t in $TARGETS; do printf 'cross-%s ' "$t"; done)
fi
v_xrust() {
  xrust_clean
  # shellcheck disable=SC2086
  measure xrust make -C "$p" --no-print-directory -j"$JOBS" $goals4
  for t in $TARGETS; do check "$xo/$t/grepper" "$t" xrust; done
}
v_separate() {
  rm -rf "$W/sep"
  # shellcheck disable=SC2046
  measure separate "$W/separate" "$W/sep" $(triples $TARGETS)
  for t in $TARGETS; do
    tr=$(triple "$t")
    check "$W/sep/$tr/$tr/release/grepper" "$t" separate
  done
  rm -rf "$W/sep"
}
v_multi() {
  rm -rf "$W/multi"
  # shellcheck disable=SC2046
  measure multi "$W/plain-cargo" "$W/multi" $(triples $TARGETS)
  for t in $TARGETS; do
    check "$W/multi/$(triple "$t")/release/grepper" "$t" multi
  done
  rm -rf "$W/multi"
}
v_xrust1() {
  xrust_clean stub
  measure xrust1 make -C "$p" --no-print-directory -j"$JOBS" cross-$SINGLE
  check "$xo/$SINGLE/grepper" "$SINGLE" xrust1
}
v_cargo1() {
  rm -rf "$W/one"
  measure cargo1 "$W/plain-cargo" "$W/one" "$(triple $SINGLE)"
  check "$W/one/$(triple $SINGLE)/release/grepper" "$SINGLE" cargo1
  rm -rf "$W/one"
}

# turns R VARIANT...: the variants, starting with the (R mod count)-th.
turns() {
  tn_r=$1
  shift
  tn_k=$((tn_r % $#))
  tn_i=0
  tn_first=
  tn_rest=
  for tn_v in "$@"; do
    if [ $tn_i -lt $tn_k ]; then tn_rest="$tn_rest $tn_v"; else tn_first="$tn_first $tn_v"; fi
    tn_i=$((tn_i + 1))
  done
  echo $tn_first $tn_rest
}

: >"$W/checks"
for n in xrust separate multi xrust1 cargo1; do : >"$W/t.$n"; done
load0=$(load)
r=0
while [ $r -lt "$RUNS" ]; do
  case " $ITEMS " in *" 4 "*)
    for v in $(turns $r xrust separate multi); do
      echo "run $((r + 1)) of $RUNS, item 4: $v ..." >&2
      "v_$v"
    done ;;
  esac
  case " $ITEMS " in *" 5 "*)
    for v in $(turns $r xrust1 cargo1); do
      echo "run $((r + 1)) of $RUNS, item 5: $v ..." >&2
      "v_$v"
    done ;;
  esac
  r=$((r + 1))
done
xrust_clean

# ---- report ------------------------------------------------------------------
# med FILE COLUMN: the median of a column (1 wall, 2 user, 3 sys, 4 CPU).
med() { awk -v c="$2" '{print (c == 4) ? $2 + $3 : $c}' "$1" | median; }
# row NAME LABEL
row() {
  echo "| $2 | $(s2 "$(med "$W/t.$1" 1)") s | $(s2 "$(med "$W/t.$1" 4)") s ($(s2 \
    "$(med "$W/t.$1" 2)") + $(s2 "$(med "$W/t.$1" 3)")) | $(awk '{printf "%s%.1f/%.1f",
    (NR > 1 ? ", " : ""), $1, $2 + $3}' "$W/t.$1") |"
}
# pct A B: (A / B - 1) in percent, signed, one decimal.
pct() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%+.1f", ($1 / $2 - 1) * 100; else print "-" }'; }

echo "load:    $load0 before, $(load) at the end"
echo "project: examples/grepper ($(grep -c '^source = "registry+' "$p/Cargo.lock") crates from the registry), release, -j$JOBS"
echo "toolchain: $(echo "$tc" | sed "s|^$W/home|\$XRUST_HOME|") (rustc $("$tc/bin/rustc" -V | cut -d' ' -f2)); toolchain, vendor and stub prepared once, kept"
echo "plain cargo: no RUSTC_WRAPPER (xrust's recipes: mk/xrust-rustc, remapping paths); same linkers, vendored sources, toolchain"
if [ "$(echo $TARGETS | wc -w)" -lt 4 ]; then
  echo "NOTE: TARGETS=\"$TARGETS\": not the issue's four targets (a reduced run)"
fi
c4=
if case " $ITEMS " in *" 4 "*) true ;; *) false ;; esac; then
  echo
  echo "item 4: cold builds of $TARGETS ($RUNS run(s), medians):"
  echo
  echo "| variant | wall | CPU user + sys | runs (wall/CPU s) |"
  echo "| --- | --- | --- | --- |"
  row xrust "xrust \`make -j$JOBS $(echo $goals4)\`"
  row separate "cargo, one build per target, own target dirs"
  row multi "cargo, one build, $(echo $TARGETS | wc -w) \`--target\`(s), one target dir"
  cx=$(med "$W/t.xrust" 4)
  cs=$(med "$W/t.separate" 4)
  cm=$(med "$W/t.multi" 4)
  vm=$(pct "$cx" "$cm")
  vs=$(pct "$cx" "$cs")
  echo
  echo "CPU: xrust against multi $vm % (goal: at most +3 %), against separate $vs % (goal: at most -15 %)"
  echo "wall: xrust against multi $(pct "$(med "$W/t.xrust" 1)" "$(med "$W/t.multi" 1)") %, against separate $(pct "$(med "$W/t.xrust" 1)" "$(med "$W/t.separate" 1)") %"
  g1=$(goal "$vm" 3 "<=")
  g2=$(goal "$vs" -15 "<=")
  c4="RESULT build16: item 4, $(echo $TARGETS | wc -w) target(s), CPU xrust $(s2 "$cx") s, multi $(s2 "$cm") s ($vm % [$g1 within 3 %]), separate $(s2 "$cs") s ($vs % [$g2 at most -15 %])"
fi
c5=
if case " $ITEMS " in *" 5 "*) true ;; *) false ;; esac; then
  echo
  echo "item 5: cold $SINGLE alone ($RUNS run(s), medians; xrust's run includes the stub workspace):"
  echo
  echo "| variant | wall | CPU user + sys | runs (wall/CPU s) |"
  echo "| --- | --- | --- | --- |"
  row xrust1 "xrust \`make -j$JOBS cross-$SINGLE\`"
  row cargo1 "cargo build --release --target $(triple $SINGLE)"
  wx=$(med "$W/t.xrust1" 1)
  wc_=$(med "$W/t.cargo1" 1)
  ov=$(pct "$wx" "$wc_")
  echo
  echo "wall: xrust's overhead over cargo $ov % (goal at most 5 %); CPU $(pct "$(med "$W/t.xrust1" 4)" "$(med "$W/t.cargo1" 4)") %"
  c5="RESULT build16: item 5, $SINGLE wall xrust $(s2 "$wx") s, cargo $(s2 "$wc_") s, overhead $ov % [$(goal "$ov" 5 "<=") at most 5 %]"
fi
echo
echo "outputs checked (after every build; the same lines each run are shown once):"
echo
echo '```'
awk '!seen[$0]++' "$W/checks"
echo '```'
[ -z "$c4" ] || echo "$c4"
[ -z "$c5" ] || echo "$c5"
