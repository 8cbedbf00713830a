#!/bin/sh
# Benchmark (not a test), issue 5 item 13: vendoring examples/grepper's
# Cargo.lock (37 registry crates) cold from the loopback crates registry.
#
#   xrust   `build/xrust vendor Cargo.lock DIR` with a fresh XRUST_HOME
#           (one parallel batch of .crate downloads checked against the
#           lockfile, unpacked once into the store, DIR links into it)
#   cargo   `cargo vendor --respect-source-config DIR` (Debian's cargo)
#           with a fresh CARGO_HOME whose config replaces crates-io with
#           the loopback sparse index (index requests, downloads, copies)
#
# Runs alternate, fresh homes and output directories each time; median of
# RUNS.  The requests each made are counted from the server log.  Runs
# during which the kernel dropped a connection because the fixture
# server's accept queue was full are marked with "!" (the registry server
# listens with Python's default backlog of 5, xrust connects 8 at a time,
# and a dropped SYN costs 1 s).
#
# Usage: sh bench/vendor.sh          (from the checkout, after `make`)
# Knobs: RUNS (7), HOST_CARGO (/usr/bin/cargo)
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-7}
[ -x "$HOST_CARGO" ] || { echo "needs cargo at $HOST_CARGO (HOST_CARGO=...)" >&2; exit 1; }

machine
registry_serve
p=$W/grepper
example grepper "$p"
ncrates=$(grep -c '^source = "registry+' "$p/Cargo.lock")

run_xrust() (
  cd "$p" && XRUST_HOME=$W/xhome XRUST_CRATES_DL=$REG_DL "$XRUST" vendor \
    Cargo.lock "$W/xv"
)
run_cargo() (
  cd "$p" && CARGO_HOME=$W/chome RUSTUP_TOOLCHAIN='' "$HOST_CARGO" vendor \
    --respect-source-config "$W/cv"
)

# The crate files in the page cache, and the first run of neither tool
# paying for it.
cat "$REG_DIR"/crates/*/*.crate >/dev/null

: >"$W/t.xrust"
: >"$W/t.cargo"
: >"$W/o.xrust"
: >"$W/o.cargo"
r=0
while [ $r -lt "$RUNS" ]; do
  rm -rf "$W/xhome" "$W/xv"
  : >"$REG_LOG"
  o0=$(listen_overflows)
  timed "$W/t.xrust" run_xrust
  [ "$(listen_overflows)" = "$o0" ] && echo >>"$W/o.xrust" || echo '!' >>"$W/o.xrust"
  req_x=$(requests "$REG_LOG")
  rm -rf "$W/chome" "$W/cv"
  cargo_home_for_registry "$W/chome"
  : >"$REG_LOG"
  o0=$(listen_overflows)
  timed "$W/t.cargo" run_cargo
  [ "$(listen_overflows)" = "$o0" ] && echo >>"$W/o.cargo" || echo '!' >>"$W/o.cargo"
  req_c=$(requests "$REG_LOG")
  req_ci=$(requests "$REG_LOG" ' /index/')
  r=$((r + 1))
done

# Both vendored the same crates.
nx=$(find "$W/xv/" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l)
nc=$(find "$W/cv/" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l)
sx=$(du -sbL "$W/xv" | cut -f1)
sc=$(du -sb "$W/cv" | cut -f1)

# CPU of one more run each.
rm -rf "$W/xhome" "$W/xv"
cpu_x=$(cpu_times run_xrust)
rm -rf "$W/chome" "$W/cv"
cargo_home_for_registry "$W/chome"
cpu_c=$(cpu_times run_cargo)

mx=$(s2 "$(median <"$W/t.xrust")")
mc=$(s2 "$(median <"$W/t.cargo")")
echo "load:    $(load) at the end"
echo "lockfile: $ncrates registry crates; vendored: xrust $nx dirs ($(mb "$sx") MB through links), cargo $nc dirs ($(mb "$sc") MB copied)"
echo "requests per run: xrust $req_x (crates only), cargo $req_c ($req_ci index files)"
echo
echo "| method | median wall | runs | CPU user + sys (1 run) |"
echo "| --- | --- | --- | --- |"
# runs_marked NAME: the times, "!" after those with a dropped connection.
runs_marked() {
  paste -d' ' "$W/t.$1" "$W/o.$1" |
    awk '{printf "%s%.2f%s", (NR > 1 ? " " : ""), $1, $2}'
}
echo "| xrust vendor | **$mx s** | $(runs_marked xrust) | $cpu_x |"
echo "| cargo vendor --respect-source-config | **$mc s** | $(runs_marked cargo) | $cpu_c |"
nd=$(cat "$W/o.xrust" "$W/o.cargo" | grep -c '!' || true)
[ "$nd" -gt 0 ] && echo "($nd runs marked !: the server's accept queue overflowed and a SYN was resent after 1 s)"
echo
echo "ratio: cargo / xrust = $(ratio "$mc" "$mx")x (goal >= 2x)"
echo "RESULT vendor: xrust $mx s, cargo $mc s, $(ratio "$mc" "$mx")x [$(goal "$(ratio2 "$mc" "$mx")" 2 ">=")]"
