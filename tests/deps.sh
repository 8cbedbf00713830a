#!/bin/sh
# Installs (as root, on Debian or Ubuntu) every package xrust's build, its
# tests and its fixtures need, or, run as another user, lists what is
# missing and the command that installs it.  `make check`, `make demo` and
# .ci/run call it first; with everything present it costs one dpkg-query
# per package and prints nothing.  When it installs, the terminal gets one
# line and apt-get's output goes to the log (build/deps.log, or
# $XRUST_DEPS_LOG), whose path and last lines are shown if it fails.
#
# usage: tests/deps.sh [--build-only]
# Environment, for its tests: XRUST_DEPS_PKGS (the packages instead of
# xrust's), APT_GET (the apt-get to run).
#
# --no-install-recommends keeps the set small, so what a recommendation
# would bring is listed: libc6-dev-arm64-cross (Scrt1.o, crti.o and libc
# for aarch64-linux-gnu-gcc to link with) is only recommended by
# gcc-aarch64-linux-gnu; /usr/bin/wine comes with `wine` (only
# recommended by wine64, whose wine64 binary lives in /usr/lib/wine).
#
# nginx (the WebDAV store of the cache tests, tests/fixtures/webdav.sh;
# Debian 12's `nginx` binary carries the dav module) starts a system
# service on port 80 when installed: the install runs with a
# /usr/sbin/policy-rc.d that forbids starting services (exit 101), made
# for the install and removed after it unless one was already there.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
log=${XRUST_DEPS_LOG:-$top/build/deps.log}
: "${APT_GET:=apt-get}"

build_pkgs="make gcc clang pkg-config libcurl4-openssl-dev libarchive-dev
  libssl-dev"
test_pkgs="python3 git xz-utils zstd gzip tar time binutils file strace
  libfuzzer-14-dev libclang-rt-14-dev llvm-14 lld-14 librust-libc-dev
  rustc-web cargo-web rust-web-src libstd-rust-web-dev
  libstd-rust-web-dev:arm64 libc6:arm64 qemu-user patchelf libllvm22
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross nghttp2-server openssl
  cbindgen musl-tools nginx curl gcc-mingw-w64-x86-64 wine wine64 zip"

pkgs=$build_pkgs
[ "${1:-}" = --build-only ] || pkgs="$pkgs $test_pkgs"
[ -z "${XRUST_DEPS_PKGS:-}" ] || pkgs=$XRUST_DEPS_PKGS

command -v dpkg-query >/dev/null 2>&1 || {
  echo "deps: not a Debian system; install the equivalents of: $pkgs" >&2
  exit 0
}

missing=
for p in $pkgs; do
  st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)
  case $st in ii*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "deps: missing Debian packages:$missing" >&2
  echo "deps: install them with: sudo dpkg --add-architecture arm64 && sudo apt-get update && sudo apt-get install$missing" >&2
  exit 1
fi

mkdir -p "$(dirname "$log")"
: >"$log" || exit 1
echo "  DEPS    installing:$missing (log: $log)" >&2
apt_install() {
  case $missing in
    *:arm64*)
      dpkg --print-foreign-architectures | grep -qx arm64 ||
        dpkg --add-architecture arm64 ;;
  esac
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  "$APT_GET" -o DPkg::Lock::Timeout=900 update -q &&
    "$APT_GET" -o DPkg::Lock::Timeout=900 install -y -q \
      --no-install-recommends $missing
}
policy=/usr/sbin/policy-rc.d
own_policy=0
case " $missing " in
  *" nginx "*)
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\n# tests/deps.sh: no service starts while it installs\nexit 101\n' \
        >"$policy" && chmod 755 "$policy" && own_policy=1
    fi ;;
esac
apt_install >>"$log" 2>&1
st=$?
[ "$own_policy" = 0 ] || rm -f "$policy"
if [ "$st" -ne 0 ]; then
  tail -n 15 "$log" | sed 's/^/    /' >&2
  echo "deps: installing the packages failed; the whole output is in $log" >&2
  exit 1
fi
