#!/bin/sh
# Installs (as root, on Debian or Ubuntu) every package xrust's build, its
# tests and its fixtures need, or, run as another user, lists what is
# missing and the command that installs it.  `make check`, `make demo` and
# .ci/run call it first; with everything present it costs one dpkg-query.
#
# usage: tests/deps.sh [--build-only]
set -u

build_pkgs="make gcc clang pkg-config libcurl4-openssl-dev libarchive-dev
  libssl-dev"
test_pkgs="python3 git xz-utils zstd gzip tar time binutils file
  libfuzzer-14-dev libclang-rt-14-dev llvm-14
  rustc-web cargo-web rust-web-src libstd-rust-web-dev
  libstd-rust-web-dev:arm64 libc6:arm64 qemu-user patchelf libllvm22
  gcc-aarch64-linux-gnu nghttp2-server openssl"

pkgs=$build_pkgs
[ "${1:-}" = --build-only ] || pkgs="$pkgs $test_pkgs"

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

echo "  DEPS    installing:$missing" >&2
case $missing in
  *:arm64*)
    dpkg --print-foreign-architectures | grep -qx arm64 ||
      dpkg --add-architecture arm64 ;;
esac
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=900 update -qq >&2 &&
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends \
    $missing >&2
