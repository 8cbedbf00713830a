#!/bin/sh
# `make demo`: the main job end to end.  Builds examples/hello for every
# Linux target of README.md's target table with `make -j2 cross-all`, runs
# each binary (arm64 ones under qemu-user).  Toolchains come from the
# official dist server (static.rust-lang.org) when it answers, otherwise
# from the project's loopback dist server made from Debian's Rust 1.96.
# Crates always come from the loopback registry made from Debian's
# librust-*-dev sources: the example's Cargo.lock pins those crates'
# checksums, which differ from crates.io's bytes.  Fixtures are built once
# and cached under /var/cache/xrust-fixtures.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
work=${TMPDIR:-/tmp}/xrust-demo.$$
mkdir -p "$work"
pids=
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

say() { printf '\n==> %s\n' "$*"; }

official() {
  command -v curl >/dev/null 2>&1 || return 1
  curl -fsS --max-time 5 -o /dev/null \
    https://static.rust-lang.org/dist/channel-rust-1.96.0.toml.sha256 \
    2>/dev/null
}

serve() { # DIR PORTFILE LOG SCRIPT
  python3 "$4" --root "$1" --port 0 --port-file "$2" --log "$3" \
    2>>"$work/servers.err" &
  pids="$pids $!"
  i=0
  while [ ! -s "$2" ]; do
    i=$((i + 1))
    [ $i -le 100 ] || { echo "demo: a loopback server did not start" >&2; exit 1; }
    sleep 0.1
  done
}

say "preparing the loopback fixtures"
echo "    (built from Debian's packages on first use, then cached under"
echo "    /var/cache/xrust-fixtures: the first run takes about 10 minutes)"
reg=$(bash "$top/tests/fixtures/mkregistry.sh")
serve "$reg" "$work/reg.port" "$work/reg.log" \
  "$top/tests/fixtures/registry/serve.py"
XRUST_CRATES_DL=http://127.0.0.1:$(cat "$work/reg.port")/crates/{crate}/{crate}-{version}.crate
export XRUST_CRATES_DL
if official; then
  say "static.rust-lang.org answers: toolchains from the official dist server"
else
  say "static.rust-lang.org does not answer: toolchains from the loopback dist server"
  dist=$(bash "$top/tests/fixtures/mkdist.sh" --print-cache-dir)
  serve "$dist" "$work/dist.port" "$work/dist.log" \
    "$top/tests/fixtures/httpd.py"
  XRUST_DIST_SERVER=http://127.0.0.1:$(cat "$work/dist.port")
  export XRUST_DIST_SERVER
  echo "    dist server:     $XRUST_DIST_SERVER"
fi
echo "    crates download: $XRUST_CRATES_DL (the loopback registry)"

say "make -C examples/hello -j2 cross-all"
start=$(date +%s)
make -C "$top/examples/hello" --no-print-directory -j2 cross-all
say "built in $(( $(date +%s) - start )) s; running each binary"

printf 'one two three\nfour five\n' >"$work/input.txt"
want=$(wc "$work/input.txt" | awk '{ print $1, $2, $3 }')
qemu=$(command -v qemu-aarch64 || true)
status=0
for t in x86_64-linux aarch64-linux x86_64-linux-gnu aarch64-linux-gnu; do
  bin=$top/examples/hello/out/$t/hello
  case $t in
    aarch64-linux) run=$qemu ;;
    aarch64-linux-gnu) run="$qemu -L /" ;;
    *) run= ;;
  esac
  if [ "$(uname -m)" = aarch64 ]; then
    case $t in aarch64-*) run= ;; x86_64-*) run="qemu-x86_64 ${run#* }" ;; esac
  fi
  printf '%-20s ' "$t:"
  if out=$($run "$bin" "$work/input.txt" 2>&1); then
    echo "$out" | head -n 1
    if [ "$(echo "$out" | awk 'NR == 1 { print $1, $2, $3 }')" != "$want" ]; then
      echo "                     FAILED: wc says $want"
      status=1
    fi
  else
    echo "FAILED: $out"
    status=1
  fi
  file -b "$bin" | sed 's/^/                     /' | cut -c1-100
done
[ $status = 0 ] && say "every binary ran and counted what wc counts"
exit $status
