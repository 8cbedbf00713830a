# Shared helpers for the shell tests (tests/cli/*.sh, tests/make/*.sh).
# Each test file sources this, calls the helpers, and ends with `done_testing`.
# Output is TAP: "ok N - desc", "not ok N - desc", "# ..." diagnostics.
#
# Provided: $XRUST_ROOT (the checkout), $XRUST_TOOL (the tool under test),
# $T (a fresh temporary directory, removed at exit unless the test failed
# and XRUST_KEEP=1).  tests/README.md lists the helpers; one that a second
# test needs moves here rather than being copied.

XRUST_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${XRUST_TOOL:=$XRUST_ROOT/build/xrust}"
: "${MAKE:=make}"
export XRUST_ROOT XRUST_TOOL
# A test is a user's shell, not a recipe of the `make check` that runs it
# (whose -s would otherwise silence the tool's progress lines).
unset MAKEFLAGS MFLAGS MAKELEVEL
T=$(mktemp -d "${TMPDIR:-/tmp}/xrust-test.XXXXXX")
_n=0
_fail=0
_pids=
_cleanup() {
  for _p in $_pids; do kill "$_p" 2>/dev/null; wait "$_p" 2>/dev/null; done
  [ -z "${_wine_own:-}" ] ||
    sh "$XRUST_ROOT/tests/fixtures/wine.sh" stop "$WINEPREFIX" 2>/dev/null
  if [ "$_fail" -ne 0 ] && [ "${XRUST_KEEP:-0}" = 1 ]; then
    echo "# kept $T"
  else
    rm -rf "$T"
  fi
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

ok() {
  _n=$((_n + 1))
  echo "ok $_n - $1"
}

not_ok() {
  _n=$((_n + 1))
  _fail=$((_fail + 1))
  echo "not ok $_n - $1"
}

skip() {
  _n=$((_n + 1))
  echo "ok $_n - $1 # SKIP $2"
}

diag() {
  printf '%s\n' "$@" | sed 's/^/# /'
}

# diag_file FILE: show a file's contents as diagnostics (bounded).
diag_file() {
  head -c 4000 "$1" | sed 's/^/#   /'
}

# check DESC COMMAND...: ok when COMMAND succeeds.
check() {
  _d=$1; shift
  if "$@" >"$T/.check.out" 2>&1; then ok "$_d"; else not_ok "$_d"; diag "command failed: $*"; diag_file "$T/.check.out"; fi
}

# is DESC GOT WANT: string equality.
is() {
  if [ "$2" = "$3" ]; then
    ok "$1"
  else
    not_ok "$1"
    diag "got:  '$2'" "want: '$3'"
  fi
}

# like DESC FILE PATTERN: FILE has a line matching the extended regex.
like() {
  if grep -Eq -- "$3" "$2"; then
    ok "$1"
  else
    not_ok "$1"
    diag "no line matches: $3" "in $2:"
    diag_file "$2"
  fi
}

# sha FILE: the sha256 of FILE, in hex.
sha() { sha256sum "$1" | cut -c1-64; }

# requests: how many requests the last server of serve_dir (or
# start_httpd) has logged.
requests() { wc -l <"$SERVE_LOG" | tr -d ' '; }

# reqs PATH: how many logged requests were for PATH (after 0.1 s, for the
# server to write its log line).
reqs() { sleep 0.1; grep -c " $1 " "$SERVE_LOG" | tr -d ' '; }

# tmp_empty: $XRUST_HOME/v1/tmp holds nothing (no download or extraction
# left debris).
tmp_empty() { [ -z "$(ls -A "$XRUST_HOME/v1/tmp")" ]; }

# nblobs: how many blobs the store under $XRUST_HOME holds.
nblobs() { find "$XRUST_HOME/v1/blobs" -type f | wc -l | tr -d ' '; }

# re STRING: STRING escaped for use inside an extended regex.
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }

# unlike DESC FILE PATTERN: no line of FILE matches.
unlike() {
  if grep -Eq -- "$3" "$2"; then
    not_ok "$1"
    diag "unexpected match: $3" "in $2:"
    diag_file "$2"
  else
    ok "$1"
  fi
}

# run_in DIR COMMAND...: runs COMMAND in DIR; stdout to $T/out, stderr to
# $T/err, exit status in $rc.
run_in() {
  _dir=$1; shift
  (cd "$_dir" && "$@") >"$T/out" 2>"$T/err"
  rc=$?
}

# mk_run DIR ARGS...: runs make in DIR the way a user would.
mk_run() {
  _dir=$1; shift
  run_in "$_dir" env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS $MAKE --no-print-directory "$@"
}

done_testing() {
  echo "1..$_n"
  [ "$_fail" -eq 0 ]
}

# fresh_checkout DIR: copies the source tree (what git tracks plus new
# files it does not ignore; no build/ output) to DIR, like a fresh clone.
fresh_checkout() {
  mkdir -p "$1"
  if git -C "$XRUST_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$XRUST_ROOT" && git ls-files -co --exclude-standard -z |
      xargs -0 cp --parents -t "$1" 2>/dev/null)
  else
    (cd "$XRUST_ROOT" && tar cf - --exclude=./build --exclude=./out . ) |
      (cd "$1" && tar xf -)
  fi
}

# serve_dir DIR WORKDIR [HTTPD ARGS...]: serves DIR on 127.0.0.1 with
# tests/fixtures/httpd.py (Range, request log, faults).  Sets SERVE_URL,
# SERVE_LOG (one line per request) and SERVE_PID; the server is stopped at
# exit.  Returns 1 when it does not come up within 10 s.
serve_dir() {
  _root=$1 _w=$2
  shift 2
  mkdir -p "$_w"
  rm -f "$_w/port"
  : >"$_w/access.log"
  python3 "$XRUST_ROOT/tests/fixtures/httpd.py" --root "$_root" --port 0 \
    --port-file "$_w/port" --log "$_w/access.log" "$@" 2>"$_w/httpd.err" &
  SERVE_PID=$!
  _pids="$_pids $SERVE_PID"
  _i=0
  while [ ! -s "$_w/port" ]; do
    _i=$((_i + 1))
    if [ $_i -gt 100 ] || ! kill -0 "$SERVE_PID" 2>/dev/null; then
      return 1
    fi
    sleep 0.1
  done
  SERVE_URL=http://127.0.0.1:$(cat "$_w/port")
  SERVE_LOG=$_w/access.log
}

# start_httpd ROOT [httpd.py OPTION...]: serve_dir ROOT in $T/httpd for
# the fetch tests; sets URL and LOG.  A server that does not start ends
# the test.
start_httpd() {
  _r=$1
  shift
  serve_dir "$_r" "$T/httpd" "$@" ||
    { not_ok "the loopback test server starts"; done_testing; exit 1; }
  URL=$SERVE_URL
  LOG=$SERVE_LOG
}

# tls_cert DIR: a self-signed certificate for localhost and 127.0.0.1 in
# DIR/cert.pem with its key in DIR/key.pem; fails without openssl.
tls_cert() {
  command -v openssl >/dev/null 2>&1 || return 1
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/key.pem" \
    -out "$1/cert.pem" -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1
}

# watch_pid PID: a background process of the test, stopped at exit.
watch_pid() {
  _pids="$_pids $1"
}

# stop_server PID: stops one server started by serve_dir.
stop_server() {
  kill "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

# need_fixtures WHAT: with XRUST_SKIP_FIXTURES=1, reports WHAT as skipped
# and ends the test.
need_fixtures() {
  if [ "${XRUST_SKIP_FIXTURES:-0}" = 1 ]; then
    skip "$1" "XRUST_SKIP_FIXTURES=1"
    done_testing
    exit 0
  fi
}

# fixture_failed WHAT [LOG]: reports WHAT as failed (with LOG) and ends the
# test.
fixture_failed() {
  not_ok "$1"
  [ -z "${2:-}" ] || diag_file "$2"
  done_testing
  exit 1
}

# serve_dist_fixture WHAT: need_fixtures WHAT, then the loopback dist
# fixture, built or reused, served for this test (DIST_DIR, SERVE_URL,
# SERVE_LOG, SERVE_PID).  A fixture that cannot be built or served ends the
# test with a failure.
serve_dist_fixture() {
  need_fixtures "$1"
  dist_fixture || fixture_failed "the dist fixture builds"
  serve_dir "$DIST_DIR" "$T/srv" || fixture_failed "the dist server starts"
}

# serve_fixtures WHAT: serve_dist_fixture WHAT, and the crates registry
# served too (REGISTRY_URL, REG_LOG; the functions of
# tests/fixtures/registry/lib.sh).
serve_fixtures() {
  serve_dist_fixture "$1"
  . "$XRUST_ROOT/tests/fixtures/registry/lib.sh"
  registry_build ||
    fixture_failed "the registry fixture builds" "$T/registry-build.log"
  registry_serve "$T/reg" || fixture_failed "the registry starts"
  _pids="$_pids $REGISTRY_PID"
  REG_LOG=$T/reg/access.log
}

# dist_fixture: builds or reuses the cached loopback Rust dist server made
# from Debian's Rust (tests/fixtures/mkdist.sh); sets DIST_DIR.  The build
# log goes to $T/dist-build.log.
dist_fixture() {
  DIST_DIR=$(bash "$XRUST_ROOT/tests/fixtures/mkdist.sh" --print-cache-dir \
    2>"$T/dist-build.log") || { diag_file "$T/dist-build.log"; return 1; }
  export DIST_DIR
}

# wine_prefix: the Wine prefix of tests/fixtures/wine.sh, with the
# test-only bcryptprimitives.dll stub, exported as WINEPREFIX (with
# WINEDEBUG=-all) for the Windows binaries a test runs: the one of this
# `make check` run, XRUST_WINE_PREFIX (tests/run.sh makes it once, on
# first use, and stops it at the end), else one in $T, stopped at exit.
# Returns 2 when wine or MinGW-w64 is not installed, 1 when the prefix
# cannot be made (the reason in $T/wine.err).  Run programs with their
# output redirected to files, never into a pipe (wine.sh says why).
wine_prefix() {
  WINEPREFIX=${XRUST_WINE_PREFIX:-$T/wine}
  WINEDEBUG=-all
  export WINEPREFIX WINEDEBUG
  [ -n "${XRUST_WINE_PREFIX:-}" ] || _wine_own=1
  sh "$XRUST_ROOT/tests/fixtures/wine.sh" prefix "$WINEPREFIX" 2>"$T/wine.err"
}

# wine_ready WHAT: wine_prefix, then reports WHAT as skipped when Wine or
# MinGW-w64 is not installed, or a failure when the prefix cannot be
# made; true when Windows programs can run.  wrc keeps wine_prefix's
# status.
wine_ready() {
  wine_prefix
  wrc=$?
  case $wrc in
    0) return 0 ;;
    2) skip "$1" "wine or MinGW-w64 is not installed" ;;
    *) not_ok "a private Wine prefix is made"; diag_file "$T/wine.err" ;;
  esac
  return 1
}

# pe_dlls EXE OBJDUMP: the DLLs the PE file EXE imports, lower-cased and
# sorted, one a line; `objdump -p`'s whole output is left in OBJDUMP.
pe_dlls() {
  objdump -p "$1" >"$2" 2>&1
  sed -n 's/^[[:space:]]*DLL Name: //p' "$2" | tr 'A-Z' 'a-z' | sort -u
}

# not_system_dlls FILE [MORE]: the DLLs listed in FILE (pe_dlls) that are
# not system DLLs of every Windows since 10, MinGW's runtime DLLs
# (libgcc_s_seh-1.dll, libwinpthread-1.dll, ...) among them.  MORE: more
# names to accept, `|`-separated.
not_system_dlls() {
  grep -v -E "^(kernel32|ntdll|msvcrt|userenv|ws2_32|advapi32|bcrypt|bcryptprimitives|user32|shell32${2:+|$2}|api-ms-win-[a-z0-9-]+)\.dll\$" "$1"
}

# start_webdav WORKDIR [--auth USER:PASS]: the nginx WebDAV store of
# tests/fixtures/webdav.sh, all of it in WORKDIR, stopped at exit: sets
# WEBDAV_URL (http://127.0.0.1:PORT), WEBDAV_ROOT (the served directory),
# WEBDAV_LOG ("METHOD URI STATUS REQ-BYTES RESP-BYTES" a line) and
# WEBDAV_PID.  Returns 2 when nginx is not installed, 1 when it does not
# start (the reason in WORKDIR/start.err).  stop_webdav WORKDIR stops it.
start_webdav() {
  _wd=$1
  shift
  mkdir -p "$_wd"
  sh "$XRUST_ROOT/tests/fixtures/webdav.sh" start "$_wd" "$@" \
    2>"$_wd/start.err" || return $?
  WEBDAV_PID=$(cat "$_wd/nginx.pid")
  _pids="$_pids $WEBDAV_PID"
  WEBDAV_URL=$(cat "$_wd/url")
  WEBDAV_ROOT=$_wd/root
  WEBDAV_LOG=$_wd/access.log
}
stop_webdav() { sh "$XRUST_ROOT/tests/fixtures/webdav.sh" stop "$1"; }

# start_s3 WORKDIR BUCKET: the S3-protocol server of
# tests/fixtures/s3rver.sh (Signature V4 checked; path-style; the key pair
# XRUST_S3RVER_KEY="ID:SECRET" from the environment), all of it in
# WORKDIR, stopped at exit: sets S3_URL (the endpoint,
# http://127.0.0.1:PORT), S3_LOG ("METHOD URL STATUS" a line) and S3_PID.
# Returns 2 when node or npm is not installed, 1 when it does not start
# (the reason in WORKDIR/start.err).  stop_s3 WORKDIR stops it.
start_s3() {
  mkdir -p "$1"
  sh "$XRUST_ROOT/tests/fixtures/s3rver.sh" start "$1" "$2" \
    2>"$1/start.err" || return $?
  S3_PID=$(cat "$1/pid")
  _pids="$_pids $S3_PID"
  S3_URL=$(cat "$1/url")
  S3_LOG=$1/access.log
}
stop_s3() { sh "$XRUST_ROOT/tests/fixtures/s3rver.sh" stop "$1"; }
