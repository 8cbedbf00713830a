#!/bin/sh
# HTTPS on loopback with a self-signed certificate made by the test:
# certificates are always verified, and CURL_CA_BUNDLE / SSL_CERT_FILE name
# the CA bundle to trust; https_proxy and no_proxy are honoured as in curl
# (through tests/fixtures/proxy.py).  Skipped without the openssl command.
. "$(dirname "$0")/../lib.sh"

PY=${PYTHON:-python3}

if ! tls_cert "$T"; then
  skip "https tests" "no openssl command"
  done_testing
  exit 0
fi
mkdir -p "$T/www"
head -c 50000 /dev/urandom >"$T/www/a.bin"
S=$(sha256sum "$T/www/a.bin" | cut -c1-64)
start_httpd "$T/www" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
port=${URL##*:}
URL=https://127.0.0.1:$port
unset CURL_CA_BUNDLE SSL_CERT_FILE XRUST_OFFLINE V
export XRUST_HOME=$T/home

run_in "$T" "$XRUST_TOOL" fetch -q "$URL/a.bin" "$S" "$T/o1"
is "an untrusted certificate is refused" "$rc" 1
like "the refusal names the URL and the reason" "$T/err" \
  "^xrust: cannot fetch '$URL/a.bin': SSL certificate problem"
check "nothing is published" test ! -e "$T/o1"

run_in "$T" env SSL_CERT_FILE="$T/cert.pem" "$XRUST_TOOL" fetch -q \
  "$URL/a.bin" "$S" "$T/o2"
is "SSL_CERT_FILE names the trusted CA" "$rc" 0
check "the https download is right" cmp -s "$T/o2" "$T/www/a.bin"

rm -rf "$XRUST_HOME"
run_in "$T" env CURL_CA_BUNDLE="$T/cert.pem" \
  SSL_CERT_FILE=/nonexistent/bundle.pem "$XRUST_TOOL" fetch -q \
  "https://localhost:$port/a.bin" "$S" "$T/o3"
is "CURL_CA_BUNDLE comes first, as in curl" "$rc" 0

# https_proxy: the download goes through the proxy's CONNECT tunnel (the
# certificate is still the server's, verified end to end); no_proxy
# bypasses it.
"$PY" "$XRUST_ROOT/tests/fixtures/proxy.py" --port-file "$T/pport" \
  --log "$T/plog" &
watch_pid $!
i=0
while [ ! -s "$T/pport" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PROXY=http://127.0.0.1:$(cat "$T/pport")
HURL=https://localhost:$port
: >"$T/plog"
rm -rf "$XRUST_HOME"
run_in "$T" env -u no_proxy -u NO_PROXY https_proxy="$PROXY" \
  SSL_CERT_FILE="$T/cert.pem" "$XRUST_TOOL" fetch -q "$HURL/a.bin" "$S" \
  "$T/o4"
is "a download through https_proxy succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
check "the proxied download is right" cmp -s "$T/o4" "$T/www/a.bin"
like "it went through the proxy's tunnel" "$T/plog" \
  "^CONNECT localhost:$port\$"
: >"$T/plog"
rm -rf "$XRUST_HOME"
run_in "$T" env https_proxy="$PROXY" no_proxy=localhost \
  SSL_CERT_FILE="$T/cert.pem" "$XRUST_TOOL" fetch -q "$HURL/a.bin" "$S" \
  "$T/o5"
is "no_proxy: the download succeeds" "$rc" 0
is "no_proxy: the proxy saw no request" "$(wc -l <"$T/plog" | tr -d ' ')" 0
: >"$T/plog"
rm -rf "$XRUST_HOME"
run_in "$T" env -u no_proxy -u NO_PROXY https_proxy=http://127.0.0.1:9 \
  SSL_CERT_FILE="$T/cert.pem" XRUST_FETCH_RETRIES=0 "$XRUST_TOOL" fetch -q \
  "$HURL/a.bin" "$S" "$T/o6"
is "a dead proxy fails the download" "$rc" 1
like "the failure names the URL" "$T/err" "^xrust: cannot fetch '$HURL/a.bin'"
check "nothing is published" test ! -e "$T/o6"

done_testing
