#!/bin/sh
# HTTPS on loopback with a self-signed certificate made by the test:
# certificates are always verified, and CURL_CA_BUNDLE / SSL_CERT_FILE name
# the CA bundle to trust.  Skipped without the openssl command.
. "$(dirname "$0")/../lib.sh"

PY=${PYTHON:-python3}
HTTPD_PID=
stop_httpd() {
  [ -n "$HTTPD_PID" ] && kill "$HTTPD_PID" 2>/dev/null
  [ -n "$HTTPD_PID" ] && wait "$HTTPD_PID" 2>/dev/null
  HTTPD_PID=
}
trap 'stop_httpd; _cleanup' EXIT

if ! command -v openssl >/dev/null 2>&1; then
  skip "https tests" "no openssl command"
  done_testing
  exit 0
fi
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
  -out "$T/cert.pem" -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1
mkdir -p "$T/www"
head -c 50000 /dev/urandom >"$T/www/a.bin"
S=$(sha256sum "$T/www/a.bin" | cut -c1-64)
"$PY" "$XRUST_ROOT/tests/fixtures/httpd.py" --root "$T/www" \
  --log "$T/log" --port-file "$T/port" --tls-cert "$T/cert.pem" \
  --tls-key "$T/key.pem" &
HTTPD_PID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
URL=https://127.0.0.1:$(cat "$T/port")
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
  "https://localhost:$(cat "$T/port")/a.bin" "$S" "$T/o3"
is "CURL_CA_BUNDLE comes first, as in curl" "$rc" 0

done_testing
