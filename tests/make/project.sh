#!/bin/sh
# xrust-test: no-sanitize
# A real project end to end (issue 5): examples/grepper (clap with derive,
# serde, serde_json, regex: proc-macros and build scripts) built with
# `make -j2 cross-all` for the four Linux targets from the loopback dist
# server and crates registry, every binary run, its tests run under qemu,
# and the layers' incrementality asserted by logging every cargo and rustc
# process: no-op, a touched source, a new dependency, RUSTFLAGS, the
# profile, and `make clean` followed by a build that downloads nothing.
. "$(dirname "$0")/../lib.sh"

serve_fixtures "the grepper example against the fixtures"
dist_log=$SERVE_LOG
reg_log=$REG_LOG
lines() { wc -l <"$1" | tr -d ' '; }

p=$T/grepper
cp -r "$XRUST_ROOT/examples/grepper" "$p"
rm -rf "$p/out"
# The four Linux targets: the Apple ones of the example's Makefile are
# built and checked by tests/make/macos.sh.
printf '%s\n' \
  'XRUST_TARGETS := x86_64-linux aarch64-linux x86_64-linux-gnu aarch64-linux-gnu' \
  "include $XRUST_ROOT/mk/xrust.mk" >"$p/Makefile"

# Wrappers that log every cargo run (with the jobserver it was given) and
# every rustc compilation (by crate name); the second log also has each
# compilation's target (host for build scripts and proc-macros) and
# metadata hash, and which layer's cargo run it was in.
mkdir -p "$T/bin"
log=$T/procs.log
cat >"$T/bin/cargo" <<'SH'
#!/bin/sh
echo "cargo $1 jobserver=$(echo "$MAKEFLAGS" | grep -c jobserver-auth)" >>"$XRUST_TEST_LOG"
case $PWD in */stub) where=stub ;; *) where=crate ;; esac
echo "cargo $1 $where" >>"$XRUST_TEST_UNITS"
exec "$(dirname "$RUSTC")/cargo" "$@"
SH
# The rustc wrapper also records how many compilations run at this moment
# (one directory per running compilation under $XRUST_TEST_RUN).
cat >"$T/bin/rustc" <<'SH'
#!/bin/sh
prev= name= target=host meta=
for a; do
  case $prev in
    --crate-name) name=$a ;;
    --target) target=$a ;;
    -C) case $a in metadata=*) meta=${a#metadata=} ;; esac ;;
  esac
  prev=$a
done
[ -n "$name" ] || exec "$@"
echo "rustc $name" >>"$XRUST_TEST_LOG"
echo "unit $name $target $meta" >>"$XRUST_TEST_UNITS"
mkdir "$XRUST_TEST_RUN/$$"
ls "$XRUST_TEST_RUN" | wc -l >>"$XRUST_TEST_RUN.max"
"$@"
rc=$?
rmdir "$XRUST_TEST_RUN/$$"
exit $rc
SH
chmod +x "$T/bin/cargo" "$T/bin/rustc"
mkdir -p "$T/running"
units=$T/units.log
export XRUST_TEST_LOG="$log" XRUST_TEST_RUN="$T/running" \
  XRUST_TEST_UNITS="$units" \
  XRUST_CARGO="$T/bin/cargo" \
  RUSTC_WRAPPER="$T/bin/rustc" XRUST_HOME="$T/home" \
  XRUST_DIST_SERVER="$SERVE_URL" \
  XRUST_CRATES_DL="$REGISTRY_URL/crates/{crate}/{crate}-{version}.crate"

mkdir -p "$T/data/sub"
printf 'alpha\nbeta gamma\n' >"$T/data/a.txt"
printf 'gamma ray\n' >"$T/data/sub/b.txt"

mk_run "$p" -j2 cross-all
is "make -j2 cross-all builds grepper for four targets" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "cargo joined Make's jobserver" "$log" "^cargo build jobserver=1$"
# Four cargo builds under make -j2 share Make's two job slots: never
# more than two compilations at once (each cargo alone would run as many
# as the machine has cores).
max=$(sort -n "$T/running.max" | tail -n 1)
case $max in
  1|2) ok "make -j2 cross-all: at most 2 rustc at once across 4 targets" ;;
  *) not_ok "make -j2 cross-all: at most 2 rustc at once across 4 targets"
     diag "$max ran at once" ;;
esac
# Issue 16: the four targets share one cargo target directory, and their
# cargo runs go in a row, each with both job slots.
is "make -j2 cross-all: the cargo runs in a row still compile two at once" \
  "$max" 2
n=$(grep -c '^unit [^ ]* host ' "$units")
check "host artefacts (build scripts, proc-macros) were compiled: $n" \
  test "$n" -gt 10
like "serde_derive was compiled for the host" "$units" "^unit serde_derive host "
is "each host artefact was compiled exactly once for the four targets" \
  "$(grep '^unit [^ ]* host ' "$units" | sort | uniq -d)" ""
for t in x86_64-unknown-linux-musl aarch64-unknown-linux-musl \
         x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu; do
  like "regex was compiled for $t" "$units" "^unit regex $t "
done
is "no dependency was compiled twice for one target" \
  "$(grep '^unit ' "$units" | grep -v '^unit grepper ' | sort | uniq -d)" ""
# The crate layers' cargo runs compile the crate and nothing else.
is "the crate layers compiled grepper only" \
  "$(awk '/^cargo /{w=$3} /^unit /&&w=="crate"{print $2}' "$units" |
    sort -u | tr '\n' ' ')" "grepper "
like "vendoring ran" "$T/err" "^  VENDOR "
like "the dependency layer ran" "$T/err" "^  DEPS    grepper \(aarch64-linux\)"

qemu=$(command -v qemu-aarch64)
for t in x86_64-linux aarch64-linux x86_64-linux-gnu aarch64-linux-gnu; do
  case $t in
    aarch64-linux) run=$qemu ;;
    aarch64-linux-gnu) run="$qemu -L /" ;;
    *) run= ;;
  esac
  out=$(cd "$T/data" && $run "$p/out/$t/grepper" gamma . 2>&1 | sort)
  is "out/$t/grepper finds the matches" "$out" \
    "$(printf './a.txt:2:beta gamma\n./sub/b.txt:1:gamma ray')"
done
out=$(cd "$T/data" && $qemu "$p/out/aarch64-linux/grepper" --json ray sub 2>&1)
case $out in *'"text":"gamma ray"'*) ok "aarch64 grepper writes JSON (serde)" ;;
  *) not_ok "aarch64 grepper writes JSON (serde)"; diag "$out" ;; esac

mk_run "$p" test-aarch64-linux
is "make test-aarch64-linux passes under qemu" "$rc" 0
like "the example's tests ran" "$T/out" "test result: ok\. [1-9][0-9]* passed"
[ "$rc" = 0 ] || diag_file "$T/err"

# A change of one target's configuration rebuilds that target only: its
# dependencies and crate, nothing for the host nor for another target.
: >"$units"
mk_run "$p" -j2 cross-all CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUSTFLAGS=-Cdebuginfo=1
is "one target's RUSTFLAGS: make -j2 cross-all succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
is "one target's RUSTFLAGS: only that target's layers ran" \
  "$(grep -E '^  (DEPS|CARGO) ' "$T/err" | sed 's/^ *//' | tr -s ' ' |
    tr '\n' ';')" "DEPS grepper (aarch64-linux);CARGO grepper (aarch64-linux);"
is "one target's RUSTFLAGS: everything compiled was for aarch64 musl" \
  "$(grep '^unit ' "$units" | cut -d' ' -f3 | sort -u)" \
  "aarch64-unknown-linux-musl"
like "one target's RUSTFLAGS: its dependencies were compiled again" \
  "$units" "^unit regex aarch64-unknown-linux-musl "

# Incrementality, on x86_64-linux.
: >"$log"
mk_run "$p" cross-x86_64-linux V=2
is "a no-op build exits 0" "$rc" 0
is "a no-op build starts no cargo and no rustc" "$(cat "$log")" ""
grep -q . "$log" && grep WHY "$T/err" | sed 's/^/# /'

sleep 1
touch "$p/src/main.rs"
: >"$log"
mk_run "$p" cross-x86_64-linux
is "after touching a source: one cargo build" \
  "$(grep -c '^cargo build' "$log")" 1
is "after touching a source: only the crate itself compiles" \
  "$(grep '^rustc ' "$log" | sort -u | tr '\n' ' ')" "rustc grepper "
unlike "after touching a source: no vendoring" "$T/err" "VENDOR|DEPS"

# A new dependency: Cargo.toml and Cargo.lock change.
registry_cargo_home "$T/cargo-home"
sed 's/^\[dependencies\]$/[dependencies]\nhumantime = "2"/' "$p/Cargo.toml" \
  >"$p/Cargo.toml.new" && mv "$p/Cargo.toml.new" "$p/Cargo.toml"
(cd "$p" && RUSTC=/usr/bin/rustc RUSTC_WRAPPER= /usr/bin/cargo \
  generate-lockfile -q) >"$T/gen.log" 2>&1
like "the lockfile gained the dependency" "$p/Cargo.lock" '^name = "humantime"$'
: >"$log"
mk_run "$p" cross-x86_64-linux
is "after a new dependency: the build succeeds" "$rc" 0
like "after a new dependency: vendoring ran" "$T/err" "^  VENDOR "
like "after a new dependency: the dependency layer ran" "$T/err" "^  DEPS "
like "after a new dependency: it was compiled" "$log" "^rustc humantime$"
like "after a new dependency: the crate was compiled" "$log" "^rustc grepper$"

# RUSTFLAGS: dependencies and crate, no vendoring.
: >"$log"
mk_run "$p" cross-x86_64-linux RUSTFLAGS=-Cdebuginfo=0
is "after RUSTFLAGS: the build succeeds" "$rc" 0
unlike "after RUSTFLAGS: no vendoring" "$T/err" "VENDOR"
like "after RUSTFLAGS: dependencies recompiled" "$log" "^rustc regex$"
like "after RUSTFLAGS: the crate recompiled" "$log" "^rustc grepper$"
: >"$log"
mk_run "$p" cross-x86_64-linux RUSTFLAGS=-Cdebuginfo=0
is "the same RUSTFLAGS again is a no-op" "$(cat "$log")" ""

# The profile: dependencies and crate, into the dev profile's directory.
: >"$log"
mk_run "$p" cross-x86_64-linux XRUST_PROFILE=dev
is "after the profile changed: the build succeeds" "$rc" 0
unlike "after the profile changed: no vendoring" "$T/err" "VENDOR"
like "after the profile changed: dependencies recompiled" "$log" "^rustc serde$"
like "after the profile changed: the crate recompiled" "$log" "^rustc grepper$"
check "the dev build runs" "$p/out/x86_64-linux/grepper" --version

# make clean, then a build: nothing is downloaded again.
n_dist=$(lines "$dist_log")
n_reg=$(lines "$reg_log")
mk_run "$p" clean
is "make clean exits 0" "$rc" 0
mk_run "$p" -s cross-x86_64-linux XRUST_PROFILE=dev
is "a build after make clean succeeds" "$rc" 0
is "under make -s it prints nothing (no layer names, no fetch progress)" \
  "$(cat "$T/out" "$T/err")" ""
check "it produced the binary" test -x "$p/out/x86_64-linux/grepper"
is "after make clean: no request to the dist server" \
  "$(lines "$dist_log")" "$n_dist"
is "after make clean: no request to the registry" \
  "$(lines "$reg_log")" "$n_reg"

# The store deleted under a built project: the vendor tree's links dangle,
# so vendoring runs again (from the registry) whatever the timestamps say.
# Under make -s, this build downloads (toolchain and crates) and prints
# nothing at all: no layer names and no fetch progress.
mv "$T/home" "$T/home.gone"
n_dist=$(lines "$dist_log")
n_reg=$(lines "$reg_log")
mk_run "$p" -s cross-x86_64-linux XRUST_PROFILE=dev
is "after the store was deleted: the build succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
check "after the store was deleted: the toolchain was downloaded again" \
  test "$(lines "$dist_log")" -gt "$n_dist"
check "after the store was deleted: the crates were downloaded again" \
  test "$(lines "$reg_log")" -gt "$n_reg"
is "make -s while downloading prints nothing" "$(cat "$T/out" "$T/err")" ""
check "after the store was deleted: the binary runs" \
  "$p/out/x86_64-linux/grepper" --version
mk_run "$p" cross-x86_64-linux XRUST_PROFILE=dev
unlike "and then it is a no-op again" "$T/err" "VENDOR|DEPS|CARGO"
rm -rf "$T/home.gone"

done_testing
