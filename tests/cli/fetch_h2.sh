#!/bin/sh
# HTTP/2 (issue 3, point 1): against nghttpd (Debian's nghttp2-server)
# over TLS on loopback, one batch of 12 downloads is multiplexed over one
# connection, every file arrives verified, and no stream stalls into a
# retry (a libcurl 7.88 pitfall, see easy_setup in module/engine/fetch.c).  Three
# batches, each with a 2-second stall limit so a stall shows as a retry.
# Skipped without nghttpd or openssl.
. "$(dirname "$0")/../lib.sh"

ng=$(command -v nghttpd || ls /usr/sbin/nghttpd 2>/dev/null || true)
if [ -z "$ng" ] || ! tls_cert "$T"; then
  skip "HTTP/2 tests" "no nghttpd (apt-get install nghttp2-server) or openssl"
  done_testing
  exit 0
fi
mkdir -p "$T/www"
i=1
while [ $i -le 12 ]; do
  head -c 3000000 /dev/urandom >"$T/www/f$i.bin"
  i=$((i + 1))
done

# A free port: nghttpd cannot report the one it got.
port=$("${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$ng" -v --htdocs="$T/www" --address=127.0.0.1 "$port" "$T/key.pem" \
  "$T/cert.pem" >"$T/ng.log" 2>&1 &
watch_pid $!
i=0
until "${PYTHON:-python3}" -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
  i=$((i + 1))
  [ $i -lt 100 ] || break
  sleep 0.05
done

: >"$T/list"
i=1
while [ $i -le 12 ]; do
  echo "https://localhost:$port/f$i.bin $(sha256sum "$T/www/f$i.bin" | cut -c1-64)" >>"$T/list"
  i=$((i + 1))
done
unset SSL_CERT_FILE XRUST_OFFLINE V
export CURL_CA_BUNDLE="$T/cert.pem" XRUST_FETCH_STALL_SECONDS=2

for run in 1 2 3; do
  rm -rf "$T/home"
  : >"$T/ng.log"
  run_in "$T" env XRUST_HOME="$T/home" "$XRUST_TOOL" fetch-batch -v "$T/list"
  is "batch $run: 12 downloads over HTTP/2 succeed" "$rc" 0
  [ "$rc" = 0 ] || diag_file "$T/err"
  conns=$(grep -a -oE '^\[id=[0-9]+\]' "$T/ng.log" | sort -u | wc -l | tr -d ' ')
  is "batch $run: one connection, multiplexed" "$conns" 1
  is "batch $run: 12 streams" \
    "$(grep -a -c 'recv HEADERS frame' "$T/ng.log")" 12
  unlike "batch $run: no stream stalled into a retry" "$T/err" "RETRY"
done
n=$(find "$T/home" -type f -path '*blobs*' | wc -l | tr -d ' ')
is "the store holds the 12 verified blobs" "$n" 12

done_testing
