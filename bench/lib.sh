# Shared helpers for the benchmarks (bench/*.sh, POSIX sh).  Benchmarks
# are not tests: nothing here asserts a time, the scripts print tables.
#
# Source it first thing:  . "$(dirname "$0")/lib.sh"
#
# Provided: $top (the checkout), $XRUST (build/xrust), $PY, $W (a fresh
# temporary directory, removed at exit with every server started here),
# timing (now, elapsed, median, ratio), the machine line, the loopback
# dist server and crates registry, and example projects copied to $W.
#
# Knobs common to all scripts: XRUST_TOOL, PYTHON, RUSTUP (rustup 1.29),
# HOST_CARGO (Debian's cargo), BENCH_KEEP=1 (keep $W).

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
XRUST=${XRUST_TOOL:-$top/build/xrust}
PY=${PYTHON:-python3}
RUSTUP=${RUSTUP:-/root/.cargo/bin/rustup}
HOST_CARGO=${HOST_CARGO:-/usr/bin/cargo}
W=$(mktemp -d "${TMPDIR:-/tmp}/xrust-bench.XXXXXX")
bench__pids=

bench__cleanup() {
  for p in $bench__pids; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    echo "kept $W" >&2
  else
    rm -rf "$W"
  fi
}
trap bench__cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$XRUST" ] || { echo "build $XRUST first (make)" >&2; exit 1; }
[ -f "$top/build/xrust.so" ] || { echo "build the module first (make)" >&2; exit 1; }
# A benchmark run from a Makefile must not hand its flags to ours.
unset MAKEFLAGS MAKELEVEL MFLAGS
# Settings of the caller that would change what xrust does.
unset XRUST_OFFLINE XRUST_JOBS XRUST_DIST_FORMAT XRUST_LOCK V \
  RUSTFLAGS CARGO_TARGET_DIR CARGO_BUILD_TARGET RUSTUP_TOOLCHAIN

now() { date +%s.%N; }
# elapsed T0 T1: seconds between two `now` readings.
elapsed() { echo "$2 - $1" | bc; }
# median: of the numbers on stdin, one a line (the lower middle one of an
# even count).
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# ratio A B: A / B with one decimal; ratio2 with two.
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.1f", $1 / $2; else print "-" }'; }
ratio2() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "-" }'; }
# goal VALUE LIMIT OP: "met" or "MISSED" (OP is >=, <= or <).
goal() {
  awk -v v="$1" -v g="$2" -v op="$3" 'BEGIN {
    ok = (op == ">=") ? (v >= g) : (op == "<=") ? (v <= g) : (v < g)
    print ok ? "met" : "MISSED" }'
}
# s2 SECONDS: two decimals.
s2() { printf '%.2f' "$1"; }
# cpu_times COMMAND...: runs COMMAND (output discarded) and prints the CPU
# time of it and its children as "U s + S s" (user + system), from the
# shell's `times`.
cpu_times() {
  ("$@" >/dev/null 2>&1; times) | tail -n 1 | awk '{
    for (i = 1; i <= 2; i++) { split($i, a, "m"); sub(/s$/, "", a[2]); t[i] = a[1] * 60 + a[2] }
    printf "%.2f s + %.2f s", t[1], t[2] }'
}
# mb BYTES
mb() { echo "$1" | awk '{printf "%.1f", $1 / 1000000}'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# The machine, once at the top of every benchmark's output.
machine() {
  echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GB RAM", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
  echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
  # Read-only git (no index refresh): which code was measured.
  if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    echo "code:    $(git -C "$top" rev-parse --short HEAD) + $(git -C "$top" \
      --no-optional-locks status --porcelain -uno 2>/dev/null | wc -l | tr -d ' ') modified files; $(make --version | head -n 1)"
  fi
  echo "load:    $(load) (1, 5, 15 min) at start"
}

# timed FILE COMMAND...: runs COMMAND and appends its wall time (seconds)
# to FILE; COMMAND's output goes to $W/last.out and $W/last.err.  A
# failing command stops the benchmark with its error output.
timed() {
  tf=$1
  shift
  sync
  t0=$(now)
  if ! "$@" >"$W/last.out" 2>"$W/last.err"; then
    echo "failed: $*" >&2
    tail -n 30 "$W/last.err" >&2
    exit 1
  fi
  t1=$(now)
  elapsed "$t0" "$t1" >>"$tf"
}

# runs FILE: the recorded times, for the table's last column.
runs() { awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $1}' "$1"; }

# peak_rss_mb FILE: "Maximum resident set size" of a `/usr/bin/time -v`
# report, in MB.
peak_rss_mb() { awk -F: '/Maximum resident/ {printf "%.1f", $2 / 1024}' "$1"; }
# cpu_of FILE: "user s + sys s" of a `/usr/bin/time -v` report.
cpu_of() {
  awk -F: '/User time/ {u = $2} /System time/ {s = $2}
    END {printf "%.2f s + %.2f s", u, s}' "$1"
}

# bench__serve NAME SCRIPT ROOT: starts a loopback server, waits for its
# port; sets bench__url and bench__log.
bench__serve() {
  mkdir -p "$W/$1"
  "$PY" "$2" --root "$3" --port 0 --port-file "$W/$1/port" \
    --log "$W/$1/access.log" 2>"$W/$1/server.err" &
  bench__pids="$bench__pids $!"
  i=0
  while [ ! -s "$W/$1/port" ]; do
    i=$((i + 1))
    if [ $i -gt 200 ]; then
      echo "the $1 server did not start:" >&2
      cat "$W/$1/server.err" >&2
      exit 1
    fi
    sleep 0.05
  done
  bench__url=http://127.0.0.1:$(cat "$W/$1/port")
  bench__log=$W/$1/access.log
}

# dist_serve: the loopback Rust dist server (tests/fixtures/mkdist.sh,
# built and cached on first use).  Sets DIST_DIR, DIST_URL, DIST_LOG.
dist_serve() {
  DIST_DIR=$(bash "$top/tests/fixtures/mkdist.sh" --print-cache-dir 2>/dev/null) ||
    DIST_DIR=
  if [ -z "$DIST_DIR" ] || [ ! -f "$DIST_DIR/dist/channel-rust-1.96.0.toml" ]; then
    echo "building the dist fixture (cached afterwards) ..." >&2
    DIST_DIR=$(bash "$top/tests/fixtures/mkdist.sh" 2>"$W/mkdist.log" | tail -n 1) || {
      tail -n 20 "$W/mkdist.log" >&2; exit 1; }
  fi
  bench__serve dist "$top/tests/fixtures/httpd.py" "$DIST_DIR"
  DIST_URL=$bench__url
  DIST_LOG=$bench__log
}

# registry_serve: the loopback crates registry (tests/fixtures/
# mkregistry.sh).  Sets REG_DIR, REG_URL, REG_LOG and REG_DL, the
# XRUST_CRATES_DL template for it.
registry_serve() {
  REG_DIR=$(bash "$top/tests/fixtures/mkregistry.sh" 2>"$W/mkregistry.log" |
    tail -n 1) || { tail -n 20 "$W/mkregistry.log" >&2; exit 1; }
  [ -d "$REG_DIR/crates" ] || { echo "no registry at '$REG_DIR'" >&2; exit 1; }
  bench__serve registry "$top/tests/fixtures/registry/serve.py" "$REG_DIR"
  REG_URL=$bench__url
  REG_LOG=$bench__log
  REG_DL="$REG_URL/crates/{crate}/{crate}-{version}.crate"
}

# cargo_home_for_registry DIR: a fresh CARGO_HOME whose config replaces
# crates-io with the served sparse index (as tests/fixtures/registry/lib.sh
# does for the tests).
cargo_home_for_registry() {
  rm -rf "$1"
  mkdir -p "$1"
  cat >"$1/config.toml" <<EOF
[source.crates-io]
replace-with = "local"

[source.local]
registry = "sparse+$REG_URL/index/"

[net]
retry = 0
EOF
}

# example NAME DEST: copies examples/NAME (sources only) to DEST and points
# its Makefile's include line at this checkout's mk/xrust.mk.
example() {
  rm -rf "$2"
  mkdir -p "$2"
  (cd "$top/examples/$1" && tar cf - --exclude=./out --exclude=./target \
    --exclude=./vendor --exclude=./xrust.lock .) | (cd "$2" && tar xf -)
  sed "s|^include .*xrust\.mk\$|include $top/mk/xrust.mk|" \
    "$top/examples/$1/Makefile" >"$2/Makefile"
}

# listen_overflows: the kernel's count of connections dropped because a
# listening socket's accept queue was full (TcpExt ListenOverflows); a
# dropped SYN is resent after 1 s.
listen_overflows() {
  awk '/^TcpExt:/ { if (!n++) { for (i = 1; i <= NF; i++) h[i] = $i }
    else { for (i = 1; i <= NF; i++) if (h[i] == "ListenOverflows") print $i } }' \
    /proc/net/netstat 2>/dev/null || echo 0
}

# requests LOG [PATTERN]: number of requests in a server log (matching an
# extended regex).
requests() {
  if [ $# -gt 1 ]; then grep -Ec -- "$2" "$1" || true; else wc -l <"$1" | tr -d ' '; fi
}

# stamp T0: each input line prefixed with the seconds since T0.
stamp() {
  while IFS= read -r l; do
    printf '%7.2f %s\n' "$(echo "$(now) - $1" | bc)" "$l"
  done
}

# cold_make DIR GOAL TIMEFILE [HOME]: one cold build of GOAL in DIR
# (empty XRUST_HOME HOME, default $W/home, no out/, no xrust.lock) with
# make -j$JOBS, its lines stamped into $W/timeline and its wall time
# appended to TIMEFILE; a failed build stops the benchmark with the
# timeline's end.
cold_make() {
  cm_home=${4:-$W/home}
  rm -rf "$cm_home" "$1/out" "$1/xrust.lock"
  sync
  t0=$(now)
  { XRUST_HOME=$cm_home make -C "$1" --no-print-directory -j"$JOBS" "$2"
    echo $? >"$W/status"; } 2>&1 | stamp "$t0" >"$W/timeline"
  t1=$(now)
  [ "$(cat "$W/status")" = 0 ] || { echo "make -j$JOBS $2 failed:" >&2
    tail -n 30 "$W/timeline" >&2; exit 1; }
  elapsed "$t0" "$t1" >>"$3"
}

# runs_table FILE CPU: the Markdown table of the wall times in FILE (one
# a line, in seconds), the last run (the RUNS-th) with its CPU times.
runs_table() {
  echo "| run | wall | CPU user + sys (make and children, last run) |"
  echo "| --- | --- | --- |"
  _i=0
  while read -r _t; do
    _i=$((_i + 1))
    echo "| $_i | **$(printf '%.1f' "$_t") s** ($(echo "$_t" |
      awk '{printf "%d min %04.1f s", $1 / 60, $1 % 60}')) | $(
      [ $_i -eq "$RUNS" ] && echo "$2") |"
  done <"$1"
}
