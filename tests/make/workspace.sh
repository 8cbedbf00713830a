#!/bin/sh
# xrust-test: no-sanitize
# Issue 5 item 12, end to end against the loopback dist server and crates
# registry: a cargo workspace (two binary members and a shared library
# member, workspace.package and workspace.dependencies inheritance, one
# registry crate, Cargo.lock from Debian's cargo) built with `make -j2
# cross-all` and run; a git dependency from a local bare repository
# (file://) built with `make cross-x86_64-linux` and run; and bad input
# (no Cargo.lock, a malformed Cargo.toml, a checksum the registry's crate
# does not match, an unknown target name), each a clear error.
. "$(dirname "$0")/../lib.sh"

serve_fixtures "workspace, git and bad-input builds against the fixtures"

mk=$XRUST_ROOT/mk/xrust.mk
qemu=$(command -v qemu-aarch64)
CRATES_IO=registry+https://github.com/rust-lang/crates.io-index
# The registry crate the library uses: the registry's newest itoa 1.x.
ITOA_CRATE=$(ls "$REGISTRY_DIR"/crates/itoa/itoa-1.*.crate 2>/dev/null |
  sort -V | tail -n 1)
ITOA_V=${ITOA_CRATE##*/itoa-}
ITOA_V=${ITOA_V%.crate}
[ -f "$ITOA_CRATE" ] ||
  { not_ok "the registry has itoa 1.x"; done_testing; exit 1; }
export XRUST_HOME="$T/home" XRUST_DIST_SERVER="$SERVE_URL" \
  XRUST_CHANNEL=1.96.0 \
  XRUST_CRATES_DL="$REGISTRY_URL/crates/{crate}/{crate}-{version}.crate"
unset XRUST_OFFLINE XRUST_OUT XRUST_PROFILE XRUST_FEATURES RUSTFLAGS V

# makefile DIR [TARGETS]: the two-line Makefile of a user's project.
makefile() {
  printf 'XRUST_TARGETS := %s\ninclude %s\n' \
    "${2:-x86_64-linux aarch64-linux}" "$mk" >"$1/Makefile"
}

# ---- 1. a workspace: two binaries and a shared library ---------------------

w=$T/ws
mkdir -p "$w/crates/greet/src" "$w/crates/alpha/src" "$w/crates/beta/src"
cat >"$w/Cargo.toml" <<'EOF'
[workspace]
members = ["crates/*"]
resolver = "2"

[workspace.package]
version = "0.4.2"
edition = "2021"

[workspace.dependencies]
itoa = "1"
greet = { path = "crates/greet" }
EOF
cat >"$w/crates/greet/Cargo.toml" <<'EOF'
[package]
name = "greet"
version.workspace = true
edition.workspace = true

[dependencies]
itoa = { workspace = true }
EOF
cat >"$w/crates/greet/src/lib.rs" <<'EOF'
pub fn line(who: &str, n: u64) -> String {
    let mut b = itoa::Buffer::new();
    format!("{} {} counts {} with greet {}", who,
            env!("CARGO_PKG_VERSION"), b.format(n), std::env::consts::ARCH)
}
EOF
for b in alpha beta; do
  printf '[package]\nname = "%s"\nversion.workspace = true\n' "$b" \
    >"$w/crates/$b/Cargo.toml"
  printf 'edition.workspace = true\n\n[dependencies]\n' \
    >>"$w/crates/$b/Cargo.toml"
  printf 'greet = { workspace = true }\n' >>"$w/crates/$b/Cargo.toml"
done
cat >"$w/crates/alpha/src/main.rs" <<'EOF'
fn main() {
    let me = format!("alpha {}", env!("CARGO_PKG_VERSION"));
    println!("{}", greet::line(&me, 1234567));
}
EOF
cat >"$w/crates/beta/src/main.rs" <<'EOF'
fn main() {
    let me = format!("beta {}", env!("CARGO_PKG_VERSION"));
    println!("{}", greet::line(&me, u64::MAX));
}
EOF
makefile "$w"

# The lockfile comes from Debian's cargo resolving against the loopback
# registry; without that cargo, the same lockfile is written by hand.
if [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ]; then
  registry_cargo_home "$T/cargo-home"
  run_in "$w" env RUSTC=/usr/bin/rustc /usr/bin/cargo generate-lockfile
  is "cargo generate-lockfile against the loopback registry" "$rc" 0
  [ "$rc" = 0 ] || diag_file "$T/err"
  unset CARGO_HOME
else
  diag "no /usr/bin/cargo: writing the workspace's Cargo.lock by hand"
  {
    printf 'version = 4\n'
    for b in alpha beta; do
      printf '\n[[package]]\nname = "%s"\nversion = "0.4.2"\n' "$b"
      printf 'dependencies = [\n "greet",\n]\n'
    done
    printf '\n[[package]]\nname = "greet"\nversion = "0.4.2"\n'
    printf 'dependencies = [\n "itoa",\n]\n'
    printf '\n[[package]]\nname = "itoa"\nversion = "%s"\n' "$ITOA_V"
    printf 'source = "%s"\nchecksum = "%s"\n' "$CRATES_IO" \
      "$(sha "$ITOA_CRATE")"
  } >"$w/Cargo.lock"
  skip "cargo generate-lockfile against the loopback registry" "no cargo"
fi
like "the lockfile pins itoa from the registry with its checksum" \
  "$w/Cargo.lock" "^checksum = \"$(sha "$ITOA_CRATE")\"\$"

: >"$REG_LOG"
mk_run "$w" -j2 cross-all
is "workspace: make -j2 cross-all succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "workspace: itoa was downloaded from the registry" "$REG_LOG" \
  "GET /crates/itoa/itoa-$(re "$ITOA_V")\\.crate"
for t in x86_64-linux aarch64-linux; do
  case $t in
    x86_64-linux) run= arch=x86_64 ;;
    aarch64-linux) run=$qemu arch=aarch64 ;;
  esac
  for b in alpha beta; do
    check "workspace: out/$t/$b exists" test -x "$w/out/$t/$b"
  done
  is "workspace: out/$t/alpha runs the library" \
    "$($run "$w/out/$t/alpha" 2>&1)" \
    "alpha 0.4.2 0.4.2 counts 1234567 with greet $arch"
  is "workspace: out/$t/beta runs the library" \
    "$($run "$w/out/$t/beta" 2>&1)" \
    "beta 0.4.2 0.4.2 counts 18446744073709551615 with greet $arch"
  check "workspace: the library is not an output in out/$t/" \
    test ! -e "$w/out/$t/greet"
done
mk_run "$w" show
is "workspace: make show succeeds" "$rc" 0
like "workspace: show names the workspace and its version" "$T/out" \
  '^ws 0\.4\.2$'
for t in x86_64-linux aarch64-linux; do
  tr=$("$XRUST_TOOL" target $t)
  like "workspace: show lists both binaries for $t" "$T/out" \
    "cross-$t +$tr +out/$t/alpha out/$t/beta\$"
done

# dist with two binaries: entries sorted by name, owned by 0.
mk_run "$w" dist
is "workspace: make dist succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
a=$w/out/dist/ws-0.4.2-aarch64-unknown-linux-musl.tar.gz
is "workspace: the archive holds both binaries, sorted" \
  "$(tar -tzf "$a" 2>&1 | tr '\n' ' ')" "alpha beta "
is "workspace: every entry is owned by 0/0" \
  "$(tar -tvzf "$a" | awk '{print $2}' | sort -u)" "0/0"
check "workspace: SHA256SUMS verifies" \
  sh -c "cd '$w/out/dist' && sha256sum -c --quiet SHA256SUMS"

# Editing the shared library rebuilds both binaries from it.
sed -i 's/counts/tallies/' "$w/crates/greet/src/lib.rs"
mk_run "$w" cross-x86_64-linux
is "workspace: make after a library edit succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
is "workspace: the edit reaches alpha" "$("$w/out/x86_64-linux/alpha" 2>&1)" \
  "alpha 0.4.2 0.4.2 tallies 1234567 with greet x86_64"
is "workspace: the edit reaches beta" "$("$w/out/x86_64-linux/beta" 2>&1)" \
  "beta 0.4.2 0.4.2 tallies 18446744073709551615 with greet x86_64"

# ---- 2. a git dependency from a local bare repository ----------------------

g=$T/gitsrc
mkdir -p "$g/src"
cat >"$g/Cargo.toml" <<'EOF'
[package]
name = "gitlib"
version = "0.7.1"
edition = "2021"
EOF
echo 'pub fn answer() -> u32 { 6 * 7 }' >"$g/src/lib.rs"
(cd "$g" && git init -q && git add -A &&
  git -c user.name=t -c user.email=t@example.com commit -qm init &&
  git branch -M main && git clone -q --bare . "$T/gitlib.git")
check "git: the bare repository exists" \
  git --git-dir="$T/gitlib.git" rev-parse --verify -q main
COMMIT=$(git -C "$g" rev-parse HEAD)
# A commit on the branch after the locked one: the lock, not the branch
# head, decides what is built.
echo 'pub fn answer() -> u32 { 0 }' >"$g/src/lib.rs"
(cd "$g" && git -c user.name=t -c user.email=t@example.com commit -qam two &&
  git push -q "$T/gitlib.git" main)

a=$T/gitapp
mkdir -p "$a/src"
cat >"$a/Cargo.toml" <<EOF
[package]
name = "gitapp"
version = "1.2.3"
edition = "2021"

[dependencies]
gitlib = { git = "file://$T/gitlib.git", rev = "$COMMIT" }
EOF
cat >"$a/src/main.rs" <<'EOF'
fn main() {
    println!("gitapp says {}", gitlib::answer());
}
EOF
# Debian's cargo cannot fetch git dependencies here ("invalid version 0 on
# git_proxy_options"), so the lock entry is written as cargo writes it.
cat >"$a/Cargo.lock" <<EOF
# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "gitapp"
version = "1.2.3"
dependencies = [
 "gitlib",
]

[[package]]
name = "gitlib"
version = "0.7.1"
source = "git+file://$T/gitlib.git?rev=$COMMIT#$COMMIT"
EOF
makefile "$a" x86_64-linux
mk_run "$a" cross-x86_64-linux
is "git: make cross-x86_64-linux succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
check "git: out/x86_64-linux/gitapp exists" \
  test -x "$a/out/x86_64-linux/gitapp"
is "git: the binary runs the locked commit's code" \
  "$("$a/out/x86_64-linux/gitapp" 2>&1)" "gitapp says 42"
check "git: the dependency is vendored" \
  test -f "$a/out/vendor/gitlib-0.7.1/src/lib.rs"

# ---- 3. bad input, each a clear error --------------------------------------

# No Cargo.lock: the error names the file and how to create it.
n=$T/nolock
mkdir -p "$n/src"
printf '[package]\nname = "nolock"\nversion = "0.1.0"\nedition = "2021"\n' \
  >"$n/Cargo.toml"
echo 'fn main() {}' >"$n/src/main.rs"
makefile "$n" x86_64-linux
mk_run "$n" cross-x86_64-linux
is "no lockfile: make fails with status 2" "$rc" 2
like "no lockfile: names the file and says how to create it" "$T/err" \
  "\*\*\* xrust: no lockfile '$(re "$n/Cargo.lock")': .*create it with \
'cargo generate-lockfile' in '$(re "$n")'"
check "no lockfile: nothing is vendored" test ! -e "$n/out/vendor"
check "no lockfile: no binary" test ! -e "$n/out/x86_64-linux/nolock"
mk_run "$n" show
is "no lockfile: make show still works" "$rc" 0

# A malformed Cargo.toml: the error names Cargo.toml:LINE:COLUMN.
m=$T/badtoml
mkdir -p "$m/src"
printf '[package]\nname = "badtoml"\nversion = "0.1.0\nedition = "2021"\n' \
  >"$m/Cargo.toml"
echo 'fn main() {}' >"$m/src/main.rs"
makefile "$m" x86_64-linux
mk_run "$m" cross-x86_64-linux
is "malformed Cargo.toml: make fails with status 2" "$rc" 2
like "malformed Cargo.toml: names Cargo.toml:LINE:COLUMN and the fault" \
  "$T/err" "\*\*\* xrust: $(re "$m/Cargo.toml"):3:17: unterminated string"
# A malformed member manifest in the workspace, found through the glob.
mw=$T/badmember
mkdir -p "$mw"
cp -r "$w/Cargo.toml" "$w/Cargo.lock" "$w/Makefile" "$w/crates" "$mw/"
printf '[package]\nname = "beta"\nversion.workspace = true\n[dependencies\n' \
  >"$mw/crates/beta/Cargo.toml"
mk_run "$mw" cross-x86_64-linux
is "malformed member manifest: make fails with status 2" "$rc" 2
like "malformed member manifest: names the member's Cargo.toml:LINE:COLUMN" \
  "$T/err" \
  "\*\*\* xrust: $(re "$mw/crates/beta/Cargo.toml"):4:14: expected ']'"

# A Cargo.lock checksum the registry's crate does not match: the error
# names the crate, version, URL and both digests, and nothing is built.
c=$T/badsum
mkdir -p "$c"
cp -r "$w/Cargo.toml" "$w/Makefile" "$w/crates" "$c/"
BAD=0000000000000000000000000000000000000000000000000000000000000bad
GOOD=$(sha "$ITOA_CRATE")
sed "s/^checksum = \"$GOOD\"/checksum = \"$BAD\"/" "$w/Cargo.lock" \
  >"$c/Cargo.lock"
like "bad checksum: the lockfile carries the wrong digest" "$c/Cargo.lock" \
  "^checksum = \"$BAD\"\$"
mk_run "$c" cross-x86_64-linux
is "bad checksum: make fails with status 2" "$rc" 2
url=$REGISTRY_URL/crates/itoa/itoa-$ITOA_V.crate
like "bad checksum: names crate, version, URL and both digests" "$T/err" \
  "^xrust: crate 'itoa' $(re "$ITOA_V"): cannot verify '$(re "$url")': \
sha256 mismatch \\(expected $BAD, got $GOOD\\)\$"
check "bad checksum: no vendor stamp" test ! -e "$c/out/.xrust/vendor.stamp"
check "bad checksum: no binary" test ! -e "$c/out/x86_64-linux/alpha"
check "bad checksum: the crate is not linked into the vendor tree" \
  test ! -e "$c/out/vendor/itoa-$ITOA_V"

# A name in XRUST_TARGETS that xrust does not know stops Make before any
# download, listing the known names.
reqs=$(wc -l <"$SERVE_LOG" | tr -d ' ')
mk_run "$a" cross-x86_64-linux XRUST_TARGETS="x86_64-linux nonsense" \
  XRUST_HOME="$T/home-unknown"
is "unknown target: make fails with status 2" "$rc" 2
like "unknown target: names it and lists the known ones" "$T/err" \
  "\*\*\* xrust: unknown target 'nonsense' \
\(known: x86_64-linux aarch64-linux .*\)\.  Stop\.\$"
is "unknown target: the dist server saw no request" \
  "$(wc -l <"$SERVE_LOG" | tr -d ' ')" "$reqs"
# A goal for a name not in XRUST_TARGETS is no goal at all.
mk_run "$a" cross-aarch64-linux
is "target not in XRUST_TARGETS: make fails with status 2" "$rc" 2
like "target not in XRUST_TARGETS: Make names the goal" "$T/err" \
  "No rule to make target 'cross-aarch64-linux'"

done_testing
