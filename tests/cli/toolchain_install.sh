# `xrust toolchain install` (xr_toolchain_ensure) against a tiny synthetic
# dist server on file://: rust-installer tarballs made here by Python,
# a v2 manifest whose URLs keep the https://static.rust-lang.org prefix
# (rewritten to the mirror), the lock written, honoured, extended, and
# the error cases (offline, unknown target, manifest checksum, a component
# that no longer matches, a tarball whose manifest.in lies).

. "$(dirname "$0")/../lib.sh"

host=x86_64-unknown-linux-gnu
arm=aarch64-unknown-linux-musl
D=$T/mirror
export XRUST_HOME=$T/home
unset XRUST_DIST_SERVER RUSTUP_DIST_SERVER XRUST_DIST_FORMAT XRUST_OFFLINE

cat >"$T/mk.py" <<'EOF'
import hashlib, io, os, sys, tarfile, lzma

root, host, arm = sys.argv[1], sys.argv[2], sys.argv[3]
date = "2026-05-25"
dd = os.path.join(root, "dist", date)
os.makedirs(dd, exist_ok=True)

def add(tf, name, data, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = mode
    ti.mtime = 0
    tf.addfile(ti, io.BytesIO(data))

def tarball(pkg, target, comp, files, lie=False):
    top = "%s-1.96.0-%s" % (pkg, target) if target != "*" else pkg + "-1.96.0"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        add(tf, top + "/rust-installer-version", b"3\n")
        add(tf, top + "/components", (comp + "\n").encode())
        add(tf, top + "/install.sh", b"#!/bin/sh\nexit 1\n", 0o755)
        man = "".join("file:%s\n" % f for f in files)
        if lie:
            man += "file:lib/missing.so\n"
        add(tf, top + "/%s/manifest.in" % comp, man.encode())
        for f, data in files.items():
            add(tf, "%s/%s/%s" % (top, comp, f), data,
                0o755 if f.startswith("bin/") else 0o644)
    raw = buf.getvalue()
    out = {}
    import gzip
    gz = gzip.compress(raw, mtime=0)
    xz = lzma.compress(raw)
    for ext, data in (("gz", gz), ("xz", xz)):
        name = "%s.tar.%s" % (top, ext)
        with open(os.path.join(dd, name), "wb") as f:
            f.write(data)
        out[ext] = ("https://static.rust-lang.org/dist/%s/%s" % (date, name),
                    hashlib.sha256(data).hexdigest())
    return out

pkgs = {
    ("rustc", host): tarball("rustc", host, "rustc",
        {"bin/rustc": b"#!/bin/sh\necho rustc 1.96.0\n",
         "lib/librustc_driver.so": b"driver"}),
    ("cargo", host): tarball("cargo", host, "cargo",
        {"bin/cargo": b"#!/bin/sh\necho cargo 1.96.0\n"}),
    ("rust-std", host): tarball("rust-std", host, "rust-std-" + host,
        {"lib/rustlib/%s/lib/libstd.rlib" % host: b"std host"}),
    ("rust-std", arm): tarball("rust-std", arm, "rust-std-" + arm,
        {"lib/rustlib/%s/lib/libstd.rlib" % arm: b"std arm",
         "lib/rustlib/%s/lib/self-contained/crt1.o" % arm: b"crt"}),
    ("rust-std", "aarch64-unknown-linux-gnu"): tarball("rust-std",
        "aarch64-unknown-linux-gnu", "rust-std-aarch64-unknown-linux-gnu",
        {"lib/rustlib/aarch64-unknown-linux-gnu/lib/libstd.rlib": b"g"},
        lie=True),
    ("rust-src", "*"): tarball("rust-src", "*", "rust-src",
        {"lib/rustlib/src/rust/library/std/lib.rs": b"// std"}),
}
m = ['manifest-version = "2"', 'date = "%s"' % date]
m += ['[pkg.rust.target.%s]' % host, 'available = false',
      'components = [{pkg = "rustc", target = "%s"}]' % host,
      'extensions = [{pkg = "rust-std", target = "%s"}]' % arm]
for (pkg, target), fm in pkgs.items():
    m += ['[pkg.%s.target."%s"]' % (pkg, target), 'available = true',
          'url = "%s"' % fm["gz"][0], 'hash = "%s"' % fm["gz"][1],
          'xz_url = "%s"' % fm["xz"][0], 'xz_hash = "%s"' % fm["xz"][1]]
m += ['[pkg.rust-std.target.riscv64gc-unknown-linux-musl]',
      'available = false']
m += ['[renames.rust-source]', 'to = "rust-src"']
m += ['[profiles]', 'minimal = ["rustc", "cargo", "rust-std", "rust-mingw"]']
text = ("\n".join(m) + "\n").encode()
for d in (os.path.join(root, "dist"), dd):
    with open(os.path.join(d, "channel-rust-1.96.0.toml"), "wb") as f:
        f.write(text)
    with open(os.path.join(d, "channel-rust-1.96.0.toml.sha256"), "w") as f:
        f.write("%s  channel-rust-1.96.0.toml\n"
                % hashlib.sha256(text).hexdigest())
EOF

if ! python3 "$T/mk.py" "$D" "$host" "$arm" 2>"$T/mk.err"; then
  not_ok "synthetic dist server"
  diag_file "$T/mk.err"
  done_testing
  exit
fi
ok "synthetic dist server"

tc() {
  run_in "$T" "$XRUST_TOOL" toolchain "$@"
}

mkdir -p "$T/proj"
lock=$T/proj/xrust.lock

# ---- planning and URLs from the command line
tc plan "$D/dist/channel-rust-1.96.0.toml" --host $host --target $arm \
  --server "file://$D" --channel 1.96.0
is "plan exits 0" "$rc" 0
is "plan lists rustc, cargo and two rust-std" \
  "$(grep -v '^id ' "$T/out" | cut -d' ' -f1,2,3 | tr '\n' ,)" \
  "rustc $host gz,cargo $host gz,rust-std $host gz,rust-std $arm gz,"
like "plan ends with the toolchain id" "$T/out" '^id [0-9a-f]{64}$'
like "plan rewrites URLs to the mirror" "$T/out" \
  "^rustc .* file://$D/dist/2026-05-25/rustc-1.96.0-$host.tar.gz\$"
tc plan "$D/dist/channel-rust-1.96.0.toml" --host $host \
  --server https://static.rust-lang.org
like "a far server gets xz" "$T/out" "^rustc $host xz "
tc channel-url "file://$D/" nightly-2026-05-01
is "channel-url" "$(cat "$T/out")" \
  "file://$D/dist/2026-05-01/channel-rust-nightly.toml"

# ---- first install: resolves, installs, writes the lock
tc install --host $host --channel 1.96.0 --target $arm --lock "$lock" \
  --server "file://$D"
is "install exits 0" "$rc" 0
[ "$rc" -eq 0 ] || diag_file "$T/err"
P=$(cat "$T/out")
case $P in "$XRUST_HOME"/v1/toolchains/*) ok "toolchain in the store" ;;
  *) not_ok "toolchain in the store"; diag "path: $P" ;; esac
check "bin/rustc is executable" test -x "$P/bin/rustc"
is "bin/rustc runs" "$("$P/bin/rustc" 2>&1)" "rustc 1.96.0"
check "arm std installed" test -f "$P/lib/rustlib/$arm/lib/libstd.rlib"
check "self-contained crt installed" \
  test -f "$P/lib/rustlib/$arm/lib/self-contained/crt1.o"
check "host std installed" test -f "$P/lib/rustlib/$host/lib/libstd.rlib"
check "no installer files" sh -c "! ls '$P' | grep -Eq \
  'install.sh|components|manifest.in|rust-installer-version|xrust-meta'"
like "lib/rustlib/components lists rust-std" "$P/lib/rustlib/components" \
  "^rust-std-$arm\$"
check "lock written" test -f "$lock"
like "lock records the channel" "$lock" '^channel = "1.96.0"$'
like "lock records the manifest date" "$lock" '^date = "2026-05-25"$'
like "lock URLs are canonical" "$lock" \
  '^url = "https://static.rust-lang.org/dist/2026-05-25/cargo-'
like "lock records the server" "$lock" "^server = \"file://$D\"\$"
run_in "$T" "$XRUST_TOOL" toolchain lock "$lock"
is "the lock reads back identically" "$(cat "$T/out")" "$(cat "$lock")"
cp "$lock" "$T/lock.1"
check "a gc root keeps the toolchain" \
  test -f "$XRUST_HOME/v1/roots/toolchain-$(basename "$P")"
run_in "$T" "$XRUST_TOOL" gc --grace 0
check "gc keeps the toolchain" test -x "$P/bin/rustc"
is "gc keeps the components" "$(ls "$XRUST_HOME/v1/components" | wc -l)" 4

# ---- second install: from the lock, without the server
mv "$D" "$D.away"
tc install --host $host --channel 1.96.0 --target $arm --lock "$lock" \
  --server "file://$D"
is "a covered lock needs no server" "$rc:$(cat "$T/out")" "0:$P"
check "the lock is unchanged" cmp -s "$lock" "$T/lock.1"
tc install --host $host --channel 1.96.0 --target $arm --lock "$lock" \
  --server "file://$D" --update
is "--update needs the server" "$rc" 1
mv "$D.away" "$D"

# ---- a fresh store with the lock and a file:// copy of the mirror
cp -R "$D" "$T/copy"
XRUST_HOME=$T/home2 tc install --host $host --channel 1.96.0 --target $arm \
  --lock "$lock" --server "file://$T/copy"
is "a fresh store installs from the lock and a copy" "$rc" 0
is "same toolchain id" "$(basename "$(cat "$T/out")")" "$(basename "$P")"

# ---- offline with an empty store
XRUST_HOME=$T/home3 XRUST_OFFLINE=1 tc install --host $host --channel 1.96.0 \
  --target $arm --lock "$lock" --server "file://$D"
is "offline with an empty store fails" "$rc" 1
like "offline error is clear" "$T/err" "^xrust: .*offline"
XRUST_OFFLINE=1 tc install --host $host --channel 1.96.0 --target \
  aarch64-unknown-linux-gnu --lock "$lock" --server "file://$D"
like "offline resolution is refused" "$T/err" \
  "^xrust: cannot resolve channel 1.96.0 offline"

# ---- extending the lock: a component through renames
n1=$(ls "$XRUST_HOME/v1/components" | wc -l)
tc install --host $host --channel 1.96.0 --target $arm \
  --component rust-source --lock "$lock" --server "file://$D"
is "extension exits 0" "$rc" 0
P2=$(cat "$T/out")
n2=$(ls "$XRUST_HOME/v1/components" | wc -l)
is "only the new component was installed" "$n2" "$((n1 + 1))"
check "a new toolchain id" test "$P2" != "$P"
check "rust-src installed" \
  test -f "$P2/lib/rustlib/src/rust/library/std/lib.rs"
like "lock lists the component" "$lock" '^components = \["rust-source"\]$'
is "the old components are unchanged in the lock" \
  "$(grep -c '^\[\[component\]\]' "$lock")" 5
check "the old toolchain is kept" test -x "$P/bin/rustc"

# ---- errors
tc install --host $host --channel 1.96.0 --target \
  riscv64gc-unknown-linux-musl --lock "$lock" --server "file://$D"
like "unavailable target" "$T/err" "^xrust: component 'rust-std' is not \
available for target 'riscv64gc-unknown-linux-musl' in channel 1.96.0 \
\\(manifest 2026-05-25\\)\$"
tc install --host $host --channel stabel --server "file://$D"
like "unknown channel" "$T/err" "^xrust: invalid channel 'stabel'"
tc install --host $host --channel 1.95.0 --server "file://$D"
like "missing manifest" "$T/err" "^xrust: cannot fetch .*channel-rust-1.95.0"
tc install --host $host --channel 1.96.0 --target \
  aarch64-unknown-linux-gnu --server "file://$D" --lock "$T/lie.lock"
like "manifest.in is checked" "$T/err" "^xrust: 'rust-std-1.96.0-\
aarch64-unknown-linux-gnu.tar.gz': 'lib/missing.so' is listed in"
check "no lock after a failure" test ! -e "$T/lie.lock"

cp -R "$D" "$T/bad"
echo "# changed" >>"$T/bad/dist/channel-rust-1.96.0.toml"
tc install --host $host --channel 1.96.0 --server "file://$T/bad"
like "manifest checksum mismatch" "$T/err" \
  "^xrust: cannot verify '.*channel-rust-1.96.0.toml': sha256 mismatch"

# a lock naming a component whose download no longer matches
rm -rf "$T/bad"
cp -R "$D" "$T/bad"
for f in "$T/bad/dist/2026-05-25/cargo-"*.tar.gz; do echo x >>"$f"; done
XRUST_HOME=$T/home4 XRUST_FETCH_RETRIES=0 tc install --host $host \
  --channel 1.96.0 --target $arm --lock "$lock" --server "file://$T/bad"
like "a changed component is refused" "$T/err" \
  "^xrust: .*cargo-1.96.0-$host.tar.gz.*sha256 mismatch"

# a moved channel does not silently extend the lock
cp "$T/lock.1" "$T/proj/old.lock"
sed -i 's/^manifest-sha256 = "./manifest-sha256 = "0/' "$T/proj/old.lock"
tc install --host $host --channel 1.96.0 --target aarch64-unknown-linux-gnu \
  --lock "$T/proj/old.lock" --server "file://$D"
like "a changed manifest stops an extension" "$T/err" \
  "no longer matches the toolchain lock"

# XRUST_DIST_FORMAT
XRUST_DIST_FORMAT=xz tc install --host $host --channel 1.96.0 \
  --lock "$T/xz.lock" --server "file://$D"
is "xz install exits 0" "$rc" 0
like "XRUST_DIST_FORMAT=xz is honoured" "$T/xz.lock" '^format = "xz"$'
XRUST_DIST_FORMAT=bz2 tc install --host $host --server "file://$D"
like "a bad XRUST_DIST_FORMAT is an error" "$T/err" \
  "^xrust: invalid archive format 'bz2'"

done_testing
