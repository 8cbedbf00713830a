#!/bin/sh
# `xrust vendor` and `xrust lock-list` against a loopback registry of
# .crate files generated here: one parallel batch, links into the store,
# .cargo-checksum.json, the cargo configuration, an unchanged lockfile
# leaving the vendor tree alone, an added crate fetching only that crate,
# checksum mismatch and missing crate errors naming crate, version, URL
# and digests, offline mode, a git dependency from a local bare repository
# (file://) with its manifest normalised, and Debian's cargo building
# offline from the result.
. "$(dirname "$0")/../lib.sh"

PY=${PYTHON:-python3}
# Debian's cargo and rustc, not the rustup proxies first on PATH.
CARGO=/usr/bin/cargo
CRATES_IO=registry+https://github.com/rust-lang/crates.io-index

# mkcrate NAME VERSION DEPS LIBRS: a .crate under $T/www/crates/NAME/.
mkcrate() {
  mkdir -p "$T/src/$1-$2/src" "$T/www/crates/$1"
  printf '[package]\nname = "%s"\nversion = "%s"\nedition = "2021"\n%s' \
    "$1" "$2" "$3" >"$T/src/$1-$2/Cargo.toml"
  printf '%s\n' "$4" >"$T/src/$1-$2/src/lib.rs"
  tar -C "$T/src" -czf "$T/www/crates/$1/$1-$2.crate" "$1-$2"
}

# lock_pkg NAME VERSION [DEPS...]: a registry [[package]] entry.
lock_pkg() {
  pn=$1 pv=$2; shift 2
  printf '\n[[package]]\nname = "%s"\nversion = "%s"\nsource = "%s"\n' \
    "$pn" "$pv" "$CRATES_IO"
  printf 'checksum = "%s"\n' "$(sha "$T/www/crates/$pn/$pn-$pv.crate")"
  if [ $# -gt 0 ]; then
    printf 'dependencies = [\n'
    for d in "$@"; do printf ' "%s",\n' "$d"; done
    printf ']\n'
  fi
}

app_lock() {
  printf 'version = 4\n\n[[package]]\nname = "app"\nversion = "0.1.0"\n'
  printf 'dependencies = [\n "bar",\n]\n'
}

export XRUST_HOME=$T/home XRUST_FETCH_BACKOFF_MS=20 XRUST_FETCH_RETRIES=1
unset XRUST_OFFLINE XRUST_JOBS V

mkcrate foo 0.1.0 '' 'pub fn hi() -> u32 { 41 }'
mkcrate bar 0.2.0 '[dependencies]
foo = "0.1"
' 'pub fn hi() -> u32 { foo::hi() + 1 }'
mkcrate baz 1.0.0 '' 'pub fn z() -> u32 { 0 }'
start_httpd "$T/www"
export XRUST_CRATES_DL="$URL/crates/{crate}/{crate}-{version}.crate"

mkdir -p "$T/app/src"
cat >"$T/app/Cargo.toml" <<'EOF'
[package]
name = "app"
version = "0.1.0"
edition = "2021"

[dependencies]
bar = "0.2"
EOF
echo 'fn main() { println!("{}", bar::hi()); }' >"$T/app/src/main.rs"
{ app_lock; lock_pkg bar 0.2.0 foo; lock_pkg foo 0.1.0; } >"$T/app/Cargo.lock"

# lock-list reads what vendor will read.
run_in "$T/app" "$XRUST_TOOL" lock-list Cargo.lock
is "lock-list exits 0" "$rc" 0
like "lock-list header" "$T/out" '^# version 4, 3 packages$'
like "lock-list path package" "$T/out" '^app 0\.1\.0 path$'
like "lock-list registry package" "$T/out" \
  "^foo 0\\.1\\.0 registry https://github.com/rust-lang/crates.io-index $(sha "$T/www/crates/foo/foo-0.1.0.crate")\$"

# A first vendoring: one batch, links into the store, checksums, config.
run_in "$T/app" env V=1 "$XRUST_TOOL" vendor Cargo.lock vendor \
  --config .cargo/config.toml
is "vendor exits 0" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
is "two downloads" "$(requests)" 2
like "summary line" "$T/err" '^  VENDOR  vendor: 2 crates \(2 downloaded\), 0 git$'
check "foo is a link into the store" test -L "$T/app/vendor/foo-0.1.0"
case $(readlink "$T/app/vendor/foo-0.1.0") in
  "$XRUST_HOME"/v1/crates/foo-0.1.0-*) ok "link target in v1/crates" ;;
  *) not_ok "link target in v1/crates"; diag "$(readlink "$T/app/vendor/foo-0.1.0")" ;;
esac
check "the crate is unpacked" test -f "$T/app/vendor/bar-0.2.0/src/lib.rs"
is ".cargo-checksum.json names the package digest" \
  "$(cat "$T/app/vendor/foo-0.1.0/.cargo-checksum.json")" \
  "{\"files\":{},\"package\":\"$(sha "$T/www/crates/foo/foo-0.1.0.crate")\"}"
is "the lock digest is recorded" \
  "$(cut -d' ' -f1 "$T/app/vendor/.xrust-lock-sha256")" \
  "$(sha "$T/app/Cargo.lock")"
like "config replaces crates-io" "$T/app/.cargo/config.toml" \
  '^replace-with = "xrust-vendor"$'
like "config names the directory" "$T/app/.cargo/config.toml" \
  "^directory = \"$T/app/vendor\"\$"
check "a gc root keeps the entries" \
  grep -q "^entry crates/foo-0.1.0-" "$XRUST_HOME"/v1/roots/vendor-*

# An unchanged lockfile: nothing is fetched, nothing touched.
touch -d '2001-01-01' "$T/app/vendor/.xrust-lock-sha256"
: >"$LOG"
run_in "$T/app" "$XRUST_TOOL" vendor Cargo.lock vendor \
  --config .cargo/config.toml
is "unchanged: exits 0" "$rc" 0
is "unchanged: no request" "$(requests)" 0
is "unchanged: silent" "$(cat "$T/err")" ""
is "unchanged: the stamp is not rewritten" \
  "$(stat -c %Y "$T/app/vendor/.xrust-lock-sha256")" \
  "$(date -d 2001-01-01 +%s)"

# cargo itself accepts the vendored tree.
if [ -x "$CARGO" ] && [ -x /usr/bin/rustc ]; then
  run_in "$T/app" env CARGO_HOME="$T/cargo-home" RUSTC=/usr/bin/rustc \
    "$CARGO" build --offline --locked -q
  is "cargo build --offline --locked succeeds" "$rc" 0
  [ "$rc" = 0 ] || diag_file "$T/err"
  run_in "$T/app" ./target/debug/app
  is "the program runs with the vendored crates" "$(cat "$T/out")" 42
else
  skip "cargo build --offline --locked succeeds" "no $CARGO"
  skip "the program runs with the vendored crates" "no $CARGO"
fi

# --link-dir: cargo reads the tree through LINKS/<lock digest>, a link of
# this user's, the same path for every checkout of the lockfile.
key=$(sha "$T/app/Cargo.lock" | cut -c1-32)
: >"$LOG"
run_in "$T/app" "$XRUST_TOOL" vendor Cargo.lock vendor \
  --config .cargo/config.toml --link-dir "$T/links"
is "link: exits 0, silent" "$rc:$(cat "$T/err")" "0:"
is "link: no request" "$(requests)" 0
is "link: points at the tree" "$(readlink "$T/links/$key")" "$T/app/vendor"
like "link: config names the link" "$T/app/.cargo/config.toml" \
  "^directory = \"$T/links/$key\"\$"
if [ -x "$CARGO" ] && [ -x /usr/bin/rustc ]; then
  run_in "$T/app" env CARGO_HOME="$T/cargo-home" RUSTC=/usr/bin/rustc \
    "$CARGO" build --offline --locked -q
  is "link: cargo builds through it" "$rc" 0
fi
# A second checkout keeps a link to a complete tree of the same lockfile
# (a build of the first may be reading it), and repoints one that leads
# nowhere.
mkdir -p "$T/app-b"
cp "$T/app/Cargo.lock" "$T/app-b/"
run_in "$T/app-b" "$XRUST_TOOL" vendor Cargo.lock vendor \
  --config .cargo/config.toml --link-dir "$T/links"
is "link: a second checkout keeps the first's identical tree" \
  "$rc:$(readlink "$T/links/$key")" "0:$T/app/vendor"
like "link: and its config names the link" "$T/app-b/.cargo/config.toml" \
  "^directory = \"$T/links/$key\"\$"
ln -sfn "$T/gone" "$T/links/$key"
run_in "$T/app-b" "$XRUST_TOOL" vendor Cargo.lock vendor \
  --config .cargo/config.toml --link-dir "$T/links"
is "link: a link that leads nowhere is repointed" \
  "$rc:$(readlink "$T/links/$key")" "0:$T/app-b/vendor"
# A links directory others can write to is refused: one warning, and the
# configuration names the tree itself.
chmod 0777 "$T/links"
run_in "$T/app" "$XRUST_TOOL" vendor Cargo.lock vendor \
  --config .cargo/config.toml --link-dir "$T/links"
is "link: unusable: still exits 0" "$rc" 0
like "link: unusable: one warning naming the directory" "$T/err" \
  "^xrust: warning: '$T/links' is not a directory of this user's that only it can write; cargo reads 'vendor' itself"
like "link: unusable: config names the tree" "$T/app/.cargo/config.toml" \
  "^directory = \"$T/app/vendor\"\$"
chmod 0755 "$T/links"
run_in "$T/app" "$XRUST_TOOL" vendor Cargo.lock vendor \
  --config .cargo/config.toml
like "without --link-dir the config names the tree" \
  "$T/app/.cargo/config.toml" "^directory = \"$T/app/vendor\"\$"

# A changed lockfile: only the new crate is downloaded, a dropped one goes.
{ app_lock; lock_pkg bar 0.2.0 foo; lock_pkg baz 1.0.0
  lock_pkg foo 0.1.0; } >"$T/app/Cargo.lock"
: >"$LOG"
run_in "$T/app" "$XRUST_TOOL" vendor Cargo.lock vendor
is "changed: exits 0" "$rc" 0
unlike "changed: no summary without V=1" "$T/err" '^  VENDOR'
is "changed: one download" "$(requests)" 1
like "changed: the new crate" "$LOG" '^GET /crates/baz/baz-1\.0\.0\.crate '
check "changed: baz is linked" test -f "$T/app/vendor/baz-1.0.0/Cargo.toml"
{ app_lock; lock_pkg bar 0.2.0 foo; lock_pkg foo 0.1.0; } >"$T/app/Cargo.lock"
echo keep >"$T/app/vendor/user-file"
run_in "$T/app" "$XRUST_TOOL" vendor Cargo.lock vendor
is "shrunk: exits 0" "$rc" 0
check "shrunk: baz is unlinked" test ! -e "$T/app/vendor/baz-1.0.0"
check "shrunk: other files are left alone" test -f "$T/app/vendor/user-file"

# --copy: hard-linked trees with a marker instead of links, switching back
# and forth, and removed when their package goes.
run_in "$T/app" "$XRUST_TOOL" vendor Cargo.lock vendor --copy --force
is "copy: exits 0" "$rc" 0
check "copy: a real directory" \
  sh -c "test -d '$T/app/vendor/foo-0.1.0' && ! test -L '$T/app/vendor/foo-0.1.0'"
check "copy: the files are there" \
  test -f "$T/app/vendor/foo-0.1.0/.cargo-checksum.json"
is "copy: hard links into the store" \
  "$(stat -c %i "$T/app/vendor/foo-0.1.0/src/lib.rs")" \
  "$(stat -c %i "$(readlink -f "$XRUST_HOME"/v1/crates/foo-0.1.0-*/src/lib.rs)")"
{ app_lock; lock_pkg bar 0.2.0 foo; } >"$T/bad.lock"
cp "$T/bad.lock" "$T/app/Cargo.lock"
run_in "$T/app" "$XRUST_TOOL" vendor Cargo.lock vendor --copy
check "copy: a dropped package's tree goes" test ! -e "$T/app/vendor/foo-0.1.0"
{ app_lock; lock_pkg bar 0.2.0 foo; lock_pkg foo 0.1.0; } >"$T/app/Cargo.lock"
run_in "$T/app" "$XRUST_TOOL" vendor Cargo.lock vendor
is "back to links: exits 0" "$rc" 0
check "back to links: bar is a link again" test -L "$T/app/vendor/bar-0.2.0"

# Debris of a dead process is cleaned up, a live one's is not.
mkdir -p "$T/app/vendor/.xrust-tmp-99999999-foo-0.1.0/src"
mkdir -p "$T/app/vendor/.xrust-tmp-$$-foo-0.1.0"
run_in "$T/app" "$XRUST_TOOL" vendor Cargo.lock vendor --force
check "debris: a dead process's temporary goes" \
  test ! -e "$T/app/vendor/.xrust-tmp-99999999-foo-0.1.0"
check "debris: a live process's stays" \
  test -d "$T/app/vendor/.xrust-tmp-$$-foo-0.1.0"
rmdir "$T/app/vendor/.xrust-tmp-$$-foo-0.1.0"

# A checksum that does not match the registry's bytes.
mkdir -p "$T/bad"
BAD=0000000000000000000000000000000000000000000000000000000000000bad
COMMIT_ZERO=0000000000000000000000000000000000000001
GOOD=$(sha "$T/www/crates/foo/foo-0.1.0.crate")
{ app_lock; lock_pkg bar 0.2.0 foo
  printf '\n[[package]]\nname = "foo"\nversion = "0.1.0"\nsource = "%s"\n' \
    "$CRATES_IO"
  printf 'checksum = "%s"\n' "$BAD"; } >"$T/bad/Cargo.lock"
run_in "$T/bad" env XRUST_HOME="$T/home2" "$XRUST_TOOL" vendor Cargo.lock v
is "mismatch: exits 1" "$rc" 1
like "mismatch: names crate, version, URL and both digests" "$T/err" \
  "^xrust: crate 'foo' 0\\.1\\.0: cannot verify '$URL/crates/foo/foo-0\\.1\\.0\\.crate': sha256 mismatch \\(expected $BAD, got $GOOD\\)\$"
check "mismatch: no stamp" test ! -e "$T/bad/v/.xrust-lock-sha256"

# A crate the registry does not have.
{ app_lock; lock_pkg bar 0.2.0 foo
  printf '\n[[package]]\nname = "nope"\nversion = "9.9.9"\nsource = "%s"\n' \
    "$CRATES_IO"
  printf 'checksum = "%s"\n' "$BAD"; } >"$T/bad/Cargo.lock"
run_in "$T/bad" env XRUST_HOME="$T/home2" "$XRUST_TOOL" vendor Cargo.lock v
is "missing: exits 1" "$rc" 1
like "missing: names crate, version, URL and the status" "$T/err" \
  "^xrust: crate 'nope' 9\\.9\\.9: cannot fetch '$URL/crates/nope/nope-9\\.9\\.9\\.crate': .*404"

# No lockfile at all.
run_in "$T/bad" "$XRUST_TOOL" vendor missing/Cargo.lock v
is "no lockfile: exits 1" "$rc" 1
like "no lockfile: names it" "$T/err" "^xrust: cannot open 'missing/Cargo.lock'"

# Offline with an empty store.
{ app_lock; lock_pkg bar 0.2.0 foo; lock_pkg foo 0.1.0; } >"$T/bad/Cargo.lock"
: >"$LOG"
run_in "$T/bad" env XRUST_HOME="$T/home3" XRUST_OFFLINE=1 "$XRUST_TOOL" \
  vendor Cargo.lock v
is "offline: exits 1" "$rc" 1
like "offline: says so" "$T/err" "^xrust: crate '(bar|foo)' .*offline"
is "offline: no request" "$(requests)" 0

# Registries other than crates.io are refused with the lock position.
printf 'version = 4\n\n[[package]]\nname = "x"\nversion = "1.0.0"\nsource = "sparse+https://other.example/index/"\nchecksum = "%s"\n' \
  "$BAD" >"$T/bad/Cargo.lock"
run_in "$T/bad" "$XRUST_TOOL" vendor Cargo.lock v
is "other registry: exits 1" "$rc" 1
like "other registry: position and reason" "$T/err" \
  "^xrust: Cargo.lock:3:1: package 'x' 1\\.0\\.0: only crates\\.io and git sources"

# Names that would escape the vendor directory, and git's command helpers.
printf 'version = 4\n\n[[package]]\nname = "../x"\nversion = "1.0.0"\nsource = "%s"\nchecksum = "%s"\n' \
  "$CRATES_IO" "$BAD" >"$T/bad/Cargo.lock"
run_in "$T/bad" "$XRUST_TOOL" vendor Cargo.lock v
like "bad name: refused" "$T/err" \
  "^xrust: Cargo.lock:3:1: package '\\.\\./x' 1\\.0\\.0: invalid name or version"
printf 'version = 4\n\n[[package]]\nname = "x"\nversion = "1.0.0"\nsource = "git+ext::sh -c touch#%s"\n' \
  "$COMMIT_ZERO" >"$T/bad/Cargo.lock"
run_in "$T/bad" "$XRUST_TOOL" vendor Cargo.lock v
like "ext:: git url: refused" "$T/err" "unsupported git url"

# A git dependency from a local bare repository: a workspace whose members
# inherit version, edition and a path dependency.
mkdir -p "$T/git/gfoo/src" "$T/git/gbar/src"
cat >"$T/git/Cargo.toml" <<'EOF'
[workspace]
members = ["gfoo", "gbar"]
resolver = "2"

[workspace.package]
version = "0.3.0"
edition = "2021"

[workspace.dependencies]
gfoo = { path = "gfoo", version = "0.3.0" }
EOF
printf '[package]\nname = "gfoo"\nversion.workspace = true\nedition.workspace = true\n' \
  >"$T/git/gfoo/Cargo.toml"
echo 'pub fn v() -> u32 { 7 }' >"$T/git/gfoo/src/lib.rs"
printf '[package]\nname = "gbar"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\ngfoo = { workspace = true }\n' \
  >"$T/git/gbar/Cargo.toml"
echo 'pub fn v() -> u32 { gfoo::v() * 6 }' >"$T/git/gbar/src/lib.rs"
(cd "$T/git" && git init -q && git add -A &&
  git -c user.name=t -c user.email=t@example.com commit -qm init &&
  git branch -M main && git clone -q --bare . "$T/repo.git")
COMMIT=$(git -C "$T/git" rev-parse HEAD)
GIT_SRC="git+file://$T/repo.git?branch=main#$COMMIT"
mkdir -p "$T/app2/src"
printf '[package]\nname = "app2"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ngbar = { git = "file://%s/repo.git", branch = "main" }\n' \
  "$T" >"$T/app2/Cargo.toml"
echo 'fn main() { println!("{}", gbar::v()); }' >"$T/app2/src/main.rs"
cat >"$T/app2/Cargo.lock" <<EOF
version = 4

[[package]]
name = "app2"
version = "0.1.0"
dependencies = [
 "gbar",
]

[[package]]
name = "gbar"
version = "0.3.0"
source = "$GIT_SRC"
dependencies = [
 "gfoo",
]

[[package]]
name = "gfoo"
version = "0.3.0"
source = "$GIT_SRC"
EOF
run_in "$T/app2" env V=1 "$XRUST_TOOL" vendor Cargo.lock vendor \
  --config .cargo/config.toml
is "git: exits 0" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "git: summary" "$T/err" '^  VENDOR  vendor: 0 crates \(0 downloaded\), 2 git$'
M=$T/app2/vendor/gbar-0.3.0/Cargo.toml
like "git: version inherited" "$M" '^version = "0\.3\.0"$'
like "git: edition inherited" "$M" '^edition = "2021"$'
like "git: path dependency points at the vendored sibling" "$M" \
  '^gfoo = \{ path = "\.\./gfoo-0\.3\.0", version = "0\.3\.0" \}$'
unlike "git: no workspace keys left" "$M" '^[^#]*workspace'
check "git: original manifest kept" \
  test -f "$T/app2/vendor/gbar-0.3.0/Cargo.toml.orig"
is "git: checksum file with a null package" \
  "$(cat "$T/app2/vendor/gfoo-0.3.0/.cargo-checksum.json")" \
  '{"files":{},"package":null}'
like "git: config replaces the git source" "$T/app2/.cargo/config.toml" \
  "^\\[source\\.\"git\\+file://$T/repo\\.git\\?branch=main\"\\]\$"
like "git: config names the branch" "$T/app2/.cargo/config.toml" \
  '^branch = "main"$'
if [ -x "$CARGO" ] && [ -x /usr/bin/rustc ]; then
  run_in "$T/app2" env CARGO_HOME="$T/cargo-home" RUSTC=/usr/bin/rustc \
    "$CARGO" build --offline --locked -q
  is "git: cargo build --offline --locked succeeds" "$rc" 0
  [ "$rc" = 0 ] || diag_file "$T/err"
  run_in "$T/app2" ./target/debug/app2
  is "git: the program runs" "$(cat "$T/out")" 42
else
  skip "git: cargo build --offline --locked succeeds" "no $CARGO"
  skip "git: the program runs" "no $CARGO"
fi

# The same commit again into another directory: no git command needed,
# even offline.
mkdir -p "$T/app3"
cp "$T/app2/Cargo.lock" "$T/app3/"
run_in "$T/app3" env XRUST_OFFLINE=1 "$XRUST_TOOL" vendor Cargo.lock vendor
is "git again offline: exits 0" "$rc" 0
unlike "git again: no clone" "$T/err" '^  GIT '

# A new commit on the branch: the existing clone is fetched into.
echo 'pub fn v() -> u32 { 8 }' >"$T/git/gfoo/src/lib.rs"
(cd "$T/git" && git -c user.name=t -c user.email=t@example.com \
  commit -qam two && git push -q "$T/repo.git" main)
COMMIT2=$(git -C "$T/git" rev-parse HEAD)
sed "s/#$COMMIT/#$COMMIT2/" "$T/app2/Cargo.lock" >"$T/app3/Cargo.lock"
run_in "$T/app3" "$XRUST_TOOL" vendor Cargo.lock vendor
is "git new commit: exits 0" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
like "git new commit: the new source" "$T/app3/vendor/gfoo-0.3.0/src/lib.rs" \
  '\{ 8 \}'
is "git new commit: one clone only" \
  "$(ls "$XRUST_HOME/v1/git/db" | wc -l | tr -d ' ')" 1

# An unknown commit is an error naming the package.
sed "s/#$COMMIT/#0000000000000000000000000000000000000001/" \
  "$T/app2/Cargo.lock" >"$T/app3/Cargo.lock"
run_in "$T/app3" "$XRUST_TOOL" vendor Cargo.lock vendor
is "git bad commit: exits 1" "$rc" 1
like "git bad commit: message" "$T/err" \
  "^xrust: git package 'gbar' 0\\.3\\.0: commit 0+1 not found in 'file://$T/repo\\.git'"

done_testing
