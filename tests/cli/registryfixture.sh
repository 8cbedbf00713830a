#!/bin/sh
# xrust-test: no-sanitize
# The loopback crates registry fixture (tests/fixtures/mkregistry.sh):
# builds it or reuses the cached one, serves it on 127.0.0.1, checks that
# every .crate matches its index checksum, that a fake dpkg database gives
# the registry of exactly its closure whatever else is installed, that
# cargo resolves the two examples against it to exactly their committed
# Cargo.lock, and that `cargo vendor --respect-source-config` works from it.

. "$(dirname "$0")/../lib.sh"
. "$XRUST_ROOT/tests/fixtures/registry/lib.sh"
trap 'registry_stop; _cleanup' EXIT

CARGO=/usr/bin/cargo
RUSTC=/usr/bin/rustc
RUSTDOC=/usr/bin/rustdoc
export RUSTC RUSTDOC
EXAMPLES="hello grepper"

if ! registry_build; then
  not_ok "mkregistry.sh builds the registry"
  diag_file "$T/registry-build.log"
  done_testing
  exit 1
fi
ok "mkregistry.sh builds or reuses the registry"
diag "registry: $REGISTRY_DIR"

# A warm rerun only hashes the inputs and finds the cached tree.
t0=$(date +%s)
again=$(bash "$XRUST_ROOT/tests/fixtures/mkregistry.sh" "$T/reglink" 2>"$T/err")
t1=$(date +%s)
is "a rerun reuses the same cached tree" "$again" "$REGISTRY_DIR"
check "a rerun takes under 5 s" [ $((t1 - t0)) -lt 5 ]
is "OUTDIR becomes a link to it" "$(readlink "$T/reglink")" "$REGISTRY_DIR"

# Every .crate has an index line whose cksum is its sha256 and vice versa;
# every .crate is a gzip tar with the single top directory <name>-<version>/
# and without Debian's packaging files.
cat >"$T/verify.py" <<'EOF'
import hashlib, json, os, sys, tarfile
root = sys.argv[1]
seen, errors = set(), []
for dirpath, _, files in os.walk(os.path.join(root, "index")):
    for f in files:
        if f.startswith("config.json"):
            continue
        for line in open(os.path.join(dirpath, f)):
            e = json.loads(line)
            if f != e["name"].lower():
                errors.append(f"{f}: holds {e['name']}")
            p = os.path.join(root, "crates", e["name"],
                             f"{e['name']}-{e['vers']}.crate")
            if not os.path.exists(p):
                errors.append(f"missing {p}")
                continue
            seen.add(p)
            got = hashlib.sha256(open(p, "rb").read()).hexdigest()
            if got != e["cksum"]:
                errors.append(f"{p}: sha256 {got} != cksum {e['cksum']}")
            top = f"{e['name']}-{e['vers']}"
            with tarfile.open(p, "r:gz") as tf:
                names = tf.getnames()
            if not all(n.startswith(top + "/") for n in names):
                errors.append(f"{p}: entries outside {top}/")
            if f"{top}/Cargo.toml" not in names:
                errors.append(f"{p}: no Cargo.toml")
            if any(n.startswith(top + "/debian/") or
                   n == top + "/.cargo-checksum.json" for n in names):
                errors.append(f"{p}: has Debian packaging files")
for dirpath, _, files in os.walk(os.path.join(root, "crates")):
    for f in files:
        if os.path.join(dirpath, f) not in seen:
            errors.append(f"no index line for {f}")
print(len(seen))
for e in errors[:20]:
    print(e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
if n=$("$REGISTRY_PYTHON" "$T/verify.py" "$REGISTRY_DIR" 2>"$T/err"); then
  ok "every .crate matches its index cksum and layout ($n crates)"
else
  not_ok "every .crate matches its index cksum and layout"
  diag_file "$T/err"
fi
check "the registry has over 100 crates" [ "${n:-0}" -gt 100 ]

# mkindex.py on a synthetic crate: every kind of dependency and feature.
mkdir -p "$T/syn/crates/Syn-Thing" "$T/syn/src/Syn-Thing-0.2.0-rc.1"
cat >"$T/syn/src/Syn-Thing-0.2.0-rc.1/Cargo.toml" <<'EOF'
[package]
name = "Syn-Thing"
version = "0.2.0-rc.1"
links = "thing"
rust-version = "1.60"

[dependencies]
plain = "1.2"
local = { path = "../local" }
both = { path = "../both", version = "0.3", optional = true }
core = { version = "1.0", package = "rustc-std-workspace-core", optional = true }
nodef = { version = "2", default-features = false, features = ["a", "b"] }

[target.'cfg(unix)'.dependencies]
unixy = "0.1"

[build-dependencies]
cc = "1"

[dev-dependencies]
devdep = "3"
devpath = { path = "x" }

[features]
default = ["plain-ish"]
plain-ish = []
new = ["dep:both"]
weak = ["core?/std"]
EOF
(cd "$T/syn/src" && tar czf "$T/syn/crates/Syn-Thing/Syn-Thing-0.2.0-rc.1.crate" \
  Syn-Thing-0.2.0-rc.1)
cat >"$T/syn.py" <<'EOF'
import hashlib, json, sys
d = sys.argv[1]
e = json.loads(open(d + "/index/sy/n-/syn-thing").read())
crate = d + "/crates/Syn-Thing/Syn-Thing-0.2.0-rc.1.crate"
deps = {x["name"]: x for x in e["deps"]}
checks = [
    e["name"] == "Syn-Thing" and e["vers"] == "0.2.0-rc.1",
    e["cksum"] == hashlib.sha256(open(crate, "rb").read()).hexdigest(),
    sorted(deps) == ["both", "cc", "core", "devdep", "nodef", "plain", "unixy"],
    deps["core"]["package"] == "rustc-std-workspace-core",
    deps["core"]["optional"] is True and "package" not in deps["plain"],
    deps["nodef"]["default_features"] is False,
    deps["nodef"]["features"] == ["a", "b"],
    deps["unixy"]["target"] == "cfg(unix)" and deps["plain"]["target"] is None,
    deps["cc"]["kind"] == "build" and deps["devdep"]["kind"] == "dev",
    deps["both"]["req"] == "0.3" and deps["plain"]["kind"] == "normal",
    e["features"] == {"default": ["plain-ish"], "plain-ish": []},
    e["features2"] == {"new": ["dep:both"], "weak": ["core?/std"]},
    e["v"] == 2 and e["yanked"] is False,
    e["links"] == "thing" and e["rust_version"] == "1.60",
]
bad = [i for i, c in enumerate(checks) if not c]
if bad:
    print("failed checks", bad, json.dumps(e, indent=1))
    sys.exit(1)
EOF
if "$REGISTRY_PYTHON" "$XRUST_ROOT/tests/fixtures/registry/mkindex.py" "$T/syn" \
    >"$T/out" 2>"$T/err" &&
   "$REGISTRY_PYTHON" "$T/syn.py" "$T/syn" >"$T/out" 2>&1; then
  ok "mkindex.py writes cargo's index format (renames, targets, kinds, v2 features)"
else
  not_ok "mkindex.py writes cargo's index format (renames, targets, kinds, v2 features)"
  diag_file "$T/out"
  diag_file "$T/err"
fi

# mkregistry.sh on a fake dpkg database (XRUST_REGISTRY_ADMINDIR) and
# crate sources (XRUST_REGISTRY_SRC): the registry is the closure of the
# listed packages through Depends, each crate named by its Cargo.toml
# whatever its directory; installed packages beyond the closure change
# neither the tree nor its cache key.
fk=$T/fake
mkdir -p "$fk/admin/info" "$fk/admin/updates" "$fk/src"
: >"$fk/admin/status"
# fake_pkg NAME VERSION PROVIDES DEPENDS [DIR]: an installed package whose
# files are the crate sources in $fk/src/DIR.
fake_pkg() {
  {
    echo "Package: $1"
    echo "Status: install ok installed"
    echo "Maintainer: nobody <nobody@example.org>"
    echo "Architecture: all"
    echo "Version: $2"
    [ -z "$3" ] || echo "Provides: $3"
    [ -z "$4" ] || echo "Depends: $4"
    echo "Description: fake"
    echo
  } >>"$fk/admin/status"
  { echo /.; echo "$fk/src"
    [ -z "${5:-}" ] || printf '%s\n' "$fk/src/$5" "$fk/src/$5/Cargo.toml"
  } >"$fk/admin/info/$1.list"
}
# fake_crate DIR NAME VERSION [DEPENDENCY LINES]: crate sources with
# Debian's packaging files beside them.
fake_crate() {
  mkdir -p "$fk/src/$1/src" "$fk/src/$1/debian"
  printf '[package]\nname = "%s"\nversion = "%s"\n\n[lib]\nname = "lib"\n' \
    "$2" "$3" >"$fk/src/$1/Cargo.toml"
  printf '\n[dependencies]\n%s\n' "${4:-}" >>"$fk/src/$1/Cargo.toml"
  echo 'pub fn f() {}' >"$fk/src/$1/src/lib.rs"
  echo '{"files":{}}' >"$fk/src/$1/.cargo-checksum.json"
  echo fake >"$fk/src/$1/debian/control"
}
fake_crate top-1.0.0 top 1.0.0 'odd-5 = "1.2"
alt = "0.3"'
fake_crate odd-1.2.0 odd-5 1.2.0
fake_crate alt-0.3.1 alt 0.3.1
fake_pkg librust-top-dev 1.0.0-1 "librust-top+default-dev (= 1.0.0-1)" \
  "librust-odd-5-1+default-dev (>= 1.2-~~), librust-gone-dev | librust-alt-0.3-dev, libc6" \
  top-1.0.0
fake_pkg librust-odd-5-dev 1.2.0-2 \
  "librust-odd-5-1+default-dev (= 1.2.0-2), librust-odd-5-1-dev (= 1.2.0-2)" \
  "" odd-1.2.0
fake_pkg librust-alt-dev 0.3.1-1 "librust-alt-0.3-dev (= 0.3.1-1)" "" alt-0.3.1
# mkreg CACHE [PACKAGES]: mkregistry.sh on the fake, stdout to $T/mkreg.out,
# stderr to $T/mkreg.err, exit status in $rc.
mkreg() {
  XRUST_FIXTURE_CACHE=$1 XRUST_NO_APT=1 XRUST_REGISTRY_SRC=$fk/src \
    XRUST_REGISTRY_ADMINDIR=$fk/admin \
    XRUST_REGISTRY_PACKAGES=${2:-librust-top+default-dev} \
    bash "$XRUST_ROOT/tests/fixtures/mkregistry.sh" >"$T/mkreg.out" \
    2>"$T/mkreg.err"
  rc=$?
}
mkreg "$T/fcache"
fake1=$(cat "$T/mkreg.out")
is "the fake registry builds" "$rc" 0
[ "$rc" -eq 0 ] || diag_file "$T/mkreg.err"
is "its crates are the closure of librust-top+default-dev" \
  "$(cd "$fake1" 2>/dev/null && find crates -name '*.crate' | LC_ALL=C sort |
     tr '\n' ' ')" \
  "crates/alt/alt-0.3.1.crate crates/odd-5/odd-5-1.2.0.crate crates/top/top-1.0.0.crate "
is "odd-1.2.0/ is packed as crate odd-5 1.2.0" \
  "$(tar tzf "$fake1/crates/odd-5/odd-5-1.2.0.crate" 2>&1 | tr '\n' ' ')" \
  "odd-5-1.2.0/Cargo.toml odd-5-1.2.0/src/lib.rs "
like "the index holds odd-5" "$fake1/index/od/d-/odd-5" \
  '^\{"name":"odd-5","vers":"1\.2\.0"'
is "FIXTURE-INFO lists the closure's packages" \
  "$(grep -v '^#' "$fake1/FIXTURE-INFO" | tr '\n' ' ')" \
  "librust-alt-dev 0.3.1-1 librust-odd-5-dev 1.2.0-2 librust-top-dev 1.0.0-1 "

# Installed extras: md-5 in md-0.10.1/ (as Debian installs it), an older
# odd-5 that the version constraint rules out, a source tree that is not a
# crate at all.
fake_crate md-0.10.1 md-5 0.10.1
fake_crate odd-1.1.0 odd-5 1.1.0
mkdir -p "$fk/src/broken"
echo '[workspace]' >"$fk/src/broken/Cargo.toml"
fake_pkg librust-md-5-dev 0.10.1-1 "librust-md-5-0.10-dev (= 0.10.1-1)" \
  "librust-odd-5-1-dev" md-0.10.1
fake_pkg librust-odd-5-1.1-dev 1.1.0-1 \
  "librust-odd-5-1+default-dev (= 1.1.0-1)" "" odd-1.1.0
fake_pkg librust-broken-dev 1.0-1 "" "" broken
mkreg "$T/fcache"
is "with extras installed, the same cache key" "$rc:$(cat "$T/mkreg.out")" \
  "0:$fake1"
mkreg "$T/fcache2"
fake2=$(cat "$T/mkreg.out")
check "with extras installed, a cold build makes the same tree" \
  diff -r "$fake1" "$fake2"

# A crate of the closure whose manifest has no [package]: a clear error,
# and the EXIT trap removes the half-built tree.
mkreg "$T/fcache3" "librust-top-dev librust-broken-dev"
is "a source without a [package] fails" "$rc" 1
like "the error names its Cargo.toml" "$T/mkreg.err" \
  "^mkregistry: $(re "$fk/src/broken/Cargo.toml"): expected a \[package\] table"
unlike "the EXIT trap runs cleanly" "$T/mkreg.err" 'unbound variable'
is "no half-built tree is left" \
  "$(ls -A "$T/fcache3" | grep -v '^registry\.lock$')" ""
mkreg "$T/fcache3" "librust-top-dev librust-nothere-dev"
is "a missing package fails without apt" "$rc" 1
like "and is named" "$T/mkreg.err" \
  '^mkregistry: missing Debian packages \(install them as root\): librust-nothere-dev$'

# closure.py compares versions as dpkg does.
cat >"$T/vercmp.py" <<'PY'
import itertools, subprocess, sys
sys.path.insert(0, sys.argv[1])
import closure
vs = ["1.0", "1.0-1", "1.0-~~", "1.0~rc1", "1.0.1", "1:0.1", "0.10.3-~~",
      "0.10.5-1", "1.0a", "1.0+b1", "1.0-1+b1", "1.00", "2", "10", "1.2-~~",
      "1.2.0-2"]
bad = 0
for a, b in itertools.product(vs, vs):
    c = closure.vercmp(a, b)
    for op, rel in (("lt", "<<"), ("eq", "="), ("gt", ">>")):
        want = subprocess.run(["dpkg", "--compare-versions", a, op, b]
                              ).returncode == 0
        if want != closure.RELS[rel](c):
            print(a, op, b, "dpkg says", want)
            bad += 1
sys.exit(1 if bad else 0)
PY
check "closure.py orders Debian versions as dpkg --compare-versions does" \
  "$REGISTRY_PYTHON" "$T/vercmp.py" "$XRUST_ROOT/tests/fixtures/registry"

if ! registry_serve "$T/srv"; then
  not_ok "serve.py serves the registry on 127.0.0.1"
  diag_file "$T/srv/server.err"
  done_testing
  exit 1
fi
ok "serve.py serves the registry on 127.0.0.1:$REGISTRY_PORT"

if command -v curl >/dev/null 2>&1; then
  curl -sf "$REGISTRY_URL/index/config.json" >"$T/config.json"
  is "config.json names the served port" "$(cat "$T/config.json")" \
    "{\"dl\":\"$REGISTRY_URL/crates/{crate}/{crate}-{version}.crate\"}"
  curl -sf "$REGISTRY_URL/index/re/ge/regex" >"$T/regex.idx"
  like "the sparse index serves regex" "$T/regex.idx" '^\{"name":"regex","vers":"1\.'
else
  skip "config.json names the served port" "no curl"
  skip "the sparse index serves regex" "no curl"
fi

if [ ! -x "$CARGO" ] || [ ! -x "$RUSTC" ]; then
  skip "cargo against the registry" "no $CARGO (cargo-web) or $RUSTC"
  done_testing
  exit $?
fi
registry_cargo_home "$T/cargo-home"

# "name version checksum" of every package of a lockfile, sorted.
lock_set() {
  awk -F'"' '/^\[\[package\]\]/ { if (n) print n, v, c; n = v = c = "" }
    /^name = / { n = $2 } /^version = / { v = $2 } /^checksum = / { c = $2 }
    END { if (n) print n, v, c }' "$1" | LC_ALL=C sort
}

for ex in $EXAMPLES; do
  src=$XRUST_ROOT/examples/$ex
  if [ ! -f "$src/Cargo.lock" ]; then
    not_ok "examples/$ex has a Cargo.lock"
    continue
  fi
  mkdir -p "$T/$ex"
  (cd "$src" && tar cf - --exclude=./target --exclude=./out \
    --exclude=./Cargo.lock .) | (cd "$T/$ex" && tar xf -)
  run_in "$T/$ex" "$CARGO" generate-lockfile
  if [ "$rc" -eq 0 ] && [ -f "$T/$ex/Cargo.lock" ]; then
    ok "cargo generate-lockfile resolves examples/$ex from the registry"
  else
    not_ok "cargo generate-lockfile resolves examples/$ex from the registry"
    diag_file "$T/err"
    continue
  fi
  lock_set "$src/Cargo.lock" >"$T/$ex.want"
  lock_set "$T/$ex/Cargo.lock" >"$T/$ex.got"
  if cmp -s "$T/$ex.want" "$T/$ex.got"; then
    ok "examples/$ex: same packages and checksums as the committed lock ($(wc -l <"$T/$ex.got") packages)"
  else
    not_ok "examples/$ex: same packages and checksums as the committed lock"
    diff "$T/$ex.want" "$T/$ex.got" | head -40 | sed 's/^/# /'
  fi
  check "examples/$ex: the lockfile is byte-identical" \
    cmp -s "$src/Cargo.lock" "$T/$ex/Cargo.lock"
  like "examples/$ex: lockfile version 4" "$T/$ex/Cargo.lock" '^version = 4$'
  like "examples/$ex: the crates.io source is recorded" "$T/$ex/Cargo.lock" \
    '^source = "registry\+https://github.com/rust-lang/crates.io-index"$'
  unlike "examples/$ex: the loopback URL is not recorded" \
    "$T/$ex/Cargo.lock" '127\.0\.0\.1'
done

# cargo vendor of the larger example, then cargo resolves offline from the
# vendored copy alone.
ex=grepper
if [ -f "$T/$ex/Cargo.lock" ]; then
  cp "$XRUST_ROOT/examples/$ex/Cargo.lock" "$T/$ex/Cargo.lock"
  run_in "$T/$ex" "$CARGO" vendor --locked --respect-source-config "$T/vendor"
  if [ "$rc" -eq 0 ]; then
    ok "cargo vendor --respect-source-config vendors examples/$ex"
  else
    not_ok "cargo vendor --respect-source-config vendors examples/$ex"
    diag_file "$T/err"
  fi
  want=$(grep -c '^checksum = ' "$T/$ex/Cargo.lock")
  got=$(find "$T/vendor" -mindepth 2 -maxdepth 2 -name .cargo-checksum.json | wc -l)
  is "one vendored crate per locked registry package" "$got" "$want"
  # The checksums cargo recorded are those of our .crate files.
  bad=0
  for f in "$T"/vendor/*/.cargo-checksum.json; do
    [ -f "$f" ] || continue
    sum=$(sed -n 's/.*"package":"\([0-9a-f]*\)".*/\1/p' "$f")
    grep -q "^checksum = \"$sum\"" "$T/$ex/Cargo.lock" || bad=$((bad + 1))
  done
  is "vendored package checksums are the lockfile's" "$bad" 0
  mkdir -p "$T/cargo-vendored"
  cp "$T/out" "$T/cargo-vendored/config.toml"
  run_in "$T/$ex" env CARGO_HOME="$T/cargo-vendored" \
    "$CARGO" metadata --offline --locked --format-version 1
  if [ "$rc" -eq 0 ]; then
    ok "cargo resolves examples/$ex offline from the vendored copy"
  else
    not_ok "cargo resolves examples/$ex offline from the vendored copy"
    diag_file "$T/err"
  fi
  like "the server saw index and download requests" "$T/srv/access.log" \
    'GET /crates/serde/serde-1\.[0-9.]+\.crate'
fi

done_testing
