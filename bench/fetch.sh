#!/bin/sh
# Benchmark (not a test): fetch + verify + unpack of a few hundred MB of
# archives from a loopback server, xrust's one parallel batch against curl +
# sha256sum + tar run one after another and all at once.  Prints the median
# of RUNS runs of each and the peak RSS of build/xrust.
#
# Usage: sh bench/fetch.sh            (from the checkout, after `make`)
# Knobs: RUNS (3), SIZE_MB per archive (80), BENCH_CACHE (/var/tmp/xrust-bench)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
XRUST=${XRUST_TOOL:-$top/build/xrust}
RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-80}
CACHE=${BENCH_CACHE:-/var/tmp/xrust-bench}
PY=${PYTHON:-python3}
W=$(mktemp -d "${TMPDIR:-/tmp}/xrust-bench.XXXXXX")
HTTPD_PID=
cleanup() {
  [ -n "$HTTPD_PID" ] && kill "$HTTPD_PID" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT INT TERM

[ -x "$XRUST" ] || { echo "build $XRUST first (make)" >&2; exit 1; }
command -v curl >/dev/null || { echo "needs curl" >&2; exit 1; }

# Semi-compressible payloads (base64 of random bytes plus repeated text,
# roughly 2:1), two archives per compressor; built once and cached.
mkdir -p "$CACHE/www"
names=
for i in 1 2 3 4; do
  case $i in 1|2) ext=tar.gz ;; *) ext=tar.xz ;; esac
  name=payload$i-${SIZE_MB}m.$ext
  names="$names $name"
  [ -s "$CACHE/www/$name" ] && continue
  echo "generating $name ..." >&2
  src=$W/gen/payload$i
  mkdir -p "$src"
  j=0
  while [ $j -lt 8 ]; do
    head -c $((SIZE_MB * 1024 * 1024 / 16 * 3 / 4)) /dev/urandom | base64 \
      >"$src/rand$j.txt"
    yes "xrust benchmark line $i $j: the quick brown fox jumps" |
      head -c $((SIZE_MB * 1024 * 1024 / 16)) >"$src/text$j.txt"
    j=$((j + 1))
  done
  case $ext in
    tar.gz) tar -C "$W/gen" -cf - "payload$i" | gzip -6 >"$CACHE/www/$name.tmp" ;;
    tar.xz) tar -C "$W/gen" -cf - "payload$i" | xz -1 -T2 >"$CACHE/www/$name.tmp" ;;
  esac
  mv "$CACHE/www/$name.tmp" "$CACHE/www/$name"
  rm -rf "$W/gen"
done

"$PY" "$top/tests/fixtures/httpd.py" --root "$CACHE/www" --port-file "$W/port" &
HTTPD_PID=$!
while [ ! -s "$W/port" ]; do sleep 0.05; done
URL=http://127.0.0.1:$(cat "$W/port")

total=0
for n in $names; do
  s=$(sha256sum "$CACHE/www/$n" | cut -c1-64)
  echo "$n $s" >>"$W/sums"
  total=$((total + $(stat -c %s "$CACHE/www/$n")))
done

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run_xrust() {
  rm -rf "$W/home" "$W/out"
  mkdir -p "$W/out"
  : >"$W/list"
  while read -r n s; do
    echo "$URL/$n $s $W/out/${n%%.*} 1" >>"$W/list"
  done <"$W/sums"
  XRUST_HOME=$W/home "$XRUST" fetch-batch -q "$W/list"
}

one_curl() {
  n=$1 s=$2
  curl -sSf -o "$W/dl/$n" "$URL/$n"
  echo "$s  $W/dl/$n" | sha256sum -c --quiet -
  mkdir -p "$W/out/${n%%.*}"
  tar -C "$W/out/${n%%.*}" --strip-components 1 -xf "$W/dl/$n"
}

run_curl_seq() {
  rm -rf "$W/dl" "$W/out"
  mkdir -p "$W/dl" "$W/out"
  while read -r n s; do one_curl "$n" "$s"; done <"$W/sums"
}

run_curl_par() {
  rm -rf "$W/dl" "$W/out"
  mkdir -p "$W/dl" "$W/out"
  pids=
  while read -r n s; do
    one_curl "$n" "$s" &
    pids="$pids $!"
  done <"$W/sums"
  for p in $pids; do wait "$p"; done
}

bench() {
  label=$1 fn=$2
  : >"$W/times"
  r=0
  while [ $r -lt "$RUNS" ]; do
    sync
    t0=$(now)
    $fn
    t1=$(now)
    elapsed "$t0" "$t1" >>"$W/times"
    r=$((r + 1))
  done
  # CPU time of one more run (children's user and system, from `times`),
  # which unlike wall time does not depend on the machine's other load.
  cpu=$( ($fn; times) | tail -1)
  printf '%-34s median %6.2f s  cpu (user sys) %s  (runs: %s)\n' "$label" \
    "$(median <"$W/times")" "$cpu" "$(tr '\n' ' ' <"$W/times")"
}

echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "date:    $(date -u +%Y-%m-%d)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at start"
echo "payload: 4 archives (2 tar.gz, 2 tar.xz), $((total / 1000000)) MB compressed"
bench "xrust fetch-batch (1 process)" run_xrust
du -sb "$W/out" | awk '{printf "unpacked: %d MB\n", $1 / 1000000}'
bench "curl+sha256sum+tar, sequential" run_curl_seq
bench "curl+sha256sum+tar, 4 in parallel" run_curl_par
if [ -x /usr/bin/time ]; then
  rm -rf "$W/home" "$W/out"
  mkdir -p "$W/out"
  /usr/bin/time -v env XRUST_HOME="$W/home" "$XRUST" fetch-batch -q \
    "$W/list" 2>"$W/rss"
  echo "xrust peak RSS: $(awk -F: '/Maximum resident/ {print $2 / 1024}' \
    "$W/rss" | tr -d ' ') MB"
else
  echo "xrust peak RSS: (install the 'time' package for /usr/bin/time)"
fi
