# The loopback dist server fixture (tests/fixtures/mkdist.sh), checked
# xrust-test: no-sanitize
# without xrust: the manifests parse and every hash matches, the tarballs
# follow the rust-installer layout, rustup itself installs a toolchain from
# it over loopback (rust-std for the four Linux targets and the two Apple
# ones; rustc with rust-lld and rust-objcopy), and that toolchain builds
# tests/fixtures/hello for the four Linux targets (musl ones linked by its
# own rust-lld, no C cross compiler) and the programs run (aarch64 under
# qemu).  tests/make/macos.sh builds for the Apple targets.
#
# XRUST_SKIP_FIXTURES=1 skips everything.  XRUST_RUSTUP=PATH picks the
# rustup binary (default: PATH, then ~/.cargo/bin); XRUST_RUSTUP=none
# forces the fallback below.  Building the fixture cold takes
# several minutes; afterwards it is cached (see tests/fixtures/README.md).
# Without rustup on the machine, the toolchain is unpacked from the tarballs
# by a few lines of Python instead, following manifest.in.

. "$(dirname "$0")/../lib.sh"

fix=$XRUST_ROOT/tests/fixtures
host=x86_64-unknown-linux-gnu
linux="x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl"
targets="$linux x86_64-apple-darwin aarch64-apple-darwin"
# In the manifest too (issue 15), but not installed here: their builds
# are checked by tests/make/platforms.sh.
more="x86_64-pc-windows-gnu armv7-unknown-linux-musleabihf riscv64gc-unknown-linux-musl"

if [ "${XRUST_SKIP_FIXTURES:-0}" = 1 ]; then
  skip "dist fixture" "XRUST_SKIP_FIXTURES=1"
  done_testing
  exit
fi

# ---- build or reuse the fixture (served read-only from the cache)
if bash "$fix/mkdist.sh" --print-cache-dir >"$T/cachedir" 2>"$T/mkdist.err"; then
  D=$(cat "$T/cachedir")
  ok "mkdist.sh builds or reuses the fixture"
else
  not_ok "mkdist.sh builds or reuses the fixture"
  diag_file "$T/mkdist.err"
  done_testing
  exit
fi
diag "fixture: $D"

# ---- manifests and tarballs, checked with Python's tomllib/tarfile
cat >"$T/verify.py" <<'EOF'
import hashlib, os, sys, tarfile, tomllib

root, host = sys.argv[1], sys.argv[2]
targets = sys.argv[3].split()
dist = os.path.join(root, "dist")
prefix = "https://static.rust-lang.org/dist/"

def report(ok, desc, detail=""):
    print(("PASS " if ok else "FAIL ") + desc + ((": " + detail) if detail and not ok else ""))

def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()

texts = {}
for ch in ("1.96.0", "1.96", "stable"):
    name = "channel-rust-%s.toml" % ch
    p = os.path.join(dist, name)
    line = open(p + ".sha256").read()
    report(line == "%s  %s\n" % (sha(p), name), name + ".sha256 is '<hex>  <file>' and matches", line)
    texts[ch] = open(p, "rb").read()
report(len(set(texts.values())) == 1, "channel manifests for 1.96.0, 1.96 and stable are identical")
m = tomllib.loads(texts["1.96.0"].decode())
date = m.get("date", "")
report(m.get("manifest-version") == "2", "manifest-version is 2")
for ch in ("1.96.0", "1.96", "stable"):
    p = os.path.join(dist, date, "channel-rust-%s.toml" % ch)
    report(os.path.isfile(p) and open(p, "rb").read() == texts[ch], "dated copy of channel-rust-%s.toml" % ch)

want = [("rustc", host), ("cargo", host)] + [("rust-std", t) for t in targets]
bad = []
files = []
for pkg, t in want:
    e = m.get("pkg", {}).get(pkg, {}).get("target", {}).get(t)
    if not e or e.get("available") is not True:
        bad.append("%s/%s missing" % (pkg, t))
        continue
    for uk, hk in (("url", "hash"), ("xz_url", "xz_hash")):
        url = e.get(uk, "")
        if not url.startswith(prefix + date + "/"):
            bad.append("%s/%s %s=%s" % (pkg, t, uk, url))
            continue
        path = os.path.join(dist, url[len(prefix):])
        if not os.path.isfile(path):
            bad.append("missing " + path)
        elif sha(path) != e.get(hk):
            bad.append("hash mismatch " + path)
        else:
            files.append((pkg, t, path))
report(not bad, "every rustc/cargo/rust-std entry is available and its gz/xz hashes match", "; ".join(bad))

r = m.get("pkg", {}).get("rust", {}).get("target", {}).get(host, {})
comps = sorted((c["pkg"], c["target"]) for c in r.get("components", []))
exts = sorted((c["pkg"], c["target"]) for c in r.get("extensions", []))
report(comps == sorted([("rustc", host), ("cargo", host), ("rust-std", host)]),
       "pkg.rust lists rustc, cargo, rust-std as host components", repr(comps))
report(exts == sorted(("rust-std", t) for t in targets if t != host),
       "pkg.rust lists the cross rust-std as extensions", repr(exts))
prof = m.get("profiles", {})
report(all("rustc" in prof.get(p, []) for p in ("minimal", "default", "complete")), "profiles present")
ren = m.get("renames", {})
report(all(v.get("to") in m["pkg"] for v in ren.values()), "renames point at real packages", repr(ren))

# Structure of the .tar.gz files (the .tar.xz ones are what rustup reads).
bad = []
for pkg, t, path in files:
    if not path.endswith(".tar.gz"):
        continue
    stem = os.path.basename(path)[:-len(".tar.gz")]
    with tarfile.open(path) as tf:
        members = tf.getmembers()
        names = {x.name: x for x in members}
        for x in members:
            if not (x.isfile() or x.isdir()):
                bad.append("%s: %s is not a regular file or directory" % (stem, x.name))
            if x.name.split("/")[0] != stem:
                bad.append("%s: %s outside the top directory" % (stem, x.name))
        rv = tf.extractfile(stem + "/rust-installer-version").read()
        if rv != b"3\n":
            bad.append("%s: rust-installer-version %r" % (stem, rv))
        cs = tf.extractfile(stem + "/components").read().decode().split()
        expect = pkg if pkg != "rust-std" else "rust-std-" + t
        if cs != [expect]:
            bad.append("%s: components %r" % (stem, cs))
        for c in cs:
            mf = tf.extractfile("%s/%s/manifest.in" % (stem, c)).read().decode().splitlines()
            listed = set()
            for line in mf:
                kind, _, rel = line.partition(":")
                if kind != "file" or ("%s/%s/%s" % (stem, c, rel)) not in names:
                    bad.append("%s: bad manifest.in line %r" % (stem, line))
                listed.add(rel)
            for n, x in names.items():
                pre = "%s/%s/" % (stem, c)
                if x.isfile() and n.startswith(pre) and n[len(pre):] not in listed | {"manifest.in"}:
                    bad.append("%s: %s not in manifest.in" % (stem, n))
        if pkg == "rustc":
            for need in ("bin/rustc", "bin/rustdoc", "lib/rustlib/%s/bin/rust-lld" % host,
                         "lib/rustlib/%s/bin/gcc-ld/ld.lld" % host,
                         "lib/rustlib/%s/bin/rust-objcopy" % host):
                if "%s/rustc/%s" % (stem, need) not in names:
                    bad.append("rustc: missing " + need)
        if pkg == "rust-std" and "-linux-musl" in t:
            sc = "%s/rust-std-%s/lib/rustlib/%s/lib/self-contained/" % (stem, t, t)
            for need in ("crt1.o", "crti.o", "crtn.o", "rcrt1.o", "Scrt1.o", "crtbegin.o",
                         "crtend.o", "crtbeginS.o", "crtendS.o", "libc.a", "libunwind.a"):
                if sc + need not in names:
                    bad.append("%s: missing self-contained/%s" % (stem, need))
        if pkg == "rust-std" and t.endswith("-windows-gnu"):
            sc = "%s/rust-std-%s/lib/rustlib/%s/lib/self-contained/" % (stem, t, t)
            for need in ("crt2.o", "dllcrt2.o", "libmingw32.a", "libmingwex.a",
                         "libmsvcrt.a", "libkernel32.a", "libgcc.a", "libgcc_eh.a",
                         "libpthread.a", "libssp.a", "libssp_nonshared.a"):
                if sc + need not in names:
                    bad.append("%s: missing self-contained/%s" % (stem, need))
        if pkg == "rust-std":
            libdir = "%s/rust-std-%s/lib/rustlib/%s/lib/" % (stem, t, t)
            kinds = {os.path.splitext(n)[1] for n in names if n.startswith(libdir + "libstd-")}
            if kinds != {".rlib", ".rmeta"}:
                bad.append("%s: libstd files %r" % (stem, kinds))
report(not bad, "tarballs: one top dir, rust-installer v3, components, complete manifest.in, no links",
       "; ".join(bad[:10]))
print("DATE " + date)
EOF
python3 "$T/verify.py" "$D" "$host" "$targets $more" >"$T/verify.out" 2>&1
vrc=$?
while IFS= read -r line; do
  case $line in
    "PASS "*) ok "${line#PASS }" ;;
    "FAIL "*) not_ok "${line#FAIL }" ;;
    "DATE "*) date=${line#DATE } ;;
    *) diag "$line" ;;
  esac
done <"$T/verify.out"
[ "$vrc" -eq 0 ] || { not_ok "verify.py exits 0"; diag_file "$T/verify.out"; }

# ---- serve it on loopback
port=
if serve_dir "$D" "$T/srv"; then
  port=${SERVE_URL##*:}
fi
if [ -n "$port" ] && python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1]).read()' \
    "http://127.0.0.1:$port/dist/channel-rust-stable.toml.sha256" 2>/dev/null; then
  ok "fixture served on 127.0.0.1:$port"
else
  not_ok "fixture served on loopback"
  diag_file "$T/httpd.out"
  done_testing
  exit
fi

# ---- install the toolchain: with rustup when present
case ${XRUST_RUSTUP:-} in
  none) rustup= ;;
  ?*) rustup=$XRUST_RUSTUP ;;
  *)
    rustup=$(command -v rustup 2>/dev/null || true)
    [ -n "$rustup" ] || [ ! -x "$HOME/.cargo/bin/rustup" ] || rustup=$HOME/.cargo/bin/rustup
    [ -n "$rustup" ] || [ ! -x /root/.cargo/bin/rustup ] || rustup=/root/.cargo/bin/rustup ;;
esac
tc=
if [ -n "$rustup" ]; then
  cross=$(echo "$targets" | tr ' ' '\n' | grep -vx "$host" | paste -sd, -)
  t0=$(date +%s)
  env -u RUSTUP_TOOLCHAIN RUSTUP_HOME="$T/rustup" CARGO_HOME="$T/cargo" \
    RUSTUP_DIST_SERVER="http://127.0.0.1:$port" \
    "$rustup" toolchain install 1.96.0 --profile minimal --no-self-update \
    --target "$cross" >"$T/rustup.log" 2>&1
  rc=$?
  diag "rustup toolchain install: exit $rc in $(($(date +%s) - t0)) s"
  if [ "$rc" -eq 0 ]; then
    ok "rustup installs 1.96.0 with 5 cross targets from the fixture"
  else
    not_ok "rustup installs 1.96.0 with 5 cross targets from the fixture"
    diag_file "$T/rustup.log"
  fi
  tc=$T/rustup/toolchains/1.96.0-$host
  like "rustup downloaded the .tar.xz tarballs from loopback" "$SERVE_LOG" \
    "GET /dist/$date/rust-std-1.96.0-aarch64-unknown-linux-musl.tar.xz"
  env -u RUSTUP_TOOLCHAIN RUSTUP_HOME="$T/rustup" CARGO_HOME="$T/cargo" \
    "$rustup" +1.96.0 target list --installed >"$T/installed" 2>&1
  for t in $targets; do
    like "rustup lists $t as installed" "$T/installed" "^$t\$"
  done
else
  skip "rustup install" "rustup not found; unpacking the tarballs instead"
  tc=$T/toolchain
  cat >"$T/unpack.py" <<'EOF'
import os, shutil, sys, tarfile
dest = sys.argv[1]
for path in sys.argv[2:]:
    with tarfile.open(path) as tf:
        top = tf.getmembers()[0].name.split("/")[0]
        comps = tf.extractfile(top + "/components").read().decode().split()
        for c in comps:
            for line in tf.extractfile("%s/%s/manifest.in" % (top, c)).read().decode().splitlines():
                rel = line.split(":", 1)[1]
                m = tf.getmember("%s/%s/%s" % (top, c, rel))
                out = os.path.join(dest, rel)
                os.makedirs(os.path.dirname(out), exist_ok=True)
                with tf.extractfile(m) as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                os.chmod(out, 0o755 if m.mode & 0o111 else 0o644)
EOF
  set -- "$D/dist/$date/rustc-1.96.0-$host.tar.gz" "$D/dist/$date/cargo-1.96.0-$host.tar.gz"
  for t in $targets; do set -- "$@" "$D/dist/$date/rust-std-1.96.0-$t.tar.gz"; done
  check "toolchain unpacked from the tarballs" python3 "$T/unpack.py" "$tc" "$@"
fi

# ---- the installed toolchain
if [ ! -x "$tc/bin/rustc" ]; then
  not_ok "toolchain has bin/rustc"
  done_testing
  exit
fi
"$tc/bin/rustc" -vV >"$T/rustc-vV" 2>&1
like "installed rustc is 1.96.0" "$T/rustc-vV" '^release: 1\.96\.0$'
is "installed rustc derives its sysroot from its own location" \
  "$("$tc/bin/rustc" --print sysroot 2>&1)" "$tc"

# ---- hello for the four Linux targets
cp -R "$fix/hello" "$T/hello"
# musl: -C linker=rust-lld (a bare name: rustc finds it in its sysroot's
# lib/rustlib/<host>/bin and infers the ld.lld flavor from it).
check "toolchain ships rust-lld" test -x "$tc/lib/rustlib/$host/bin/rust-lld"
# rustc strips Apple binaries (strip = true) with it.
check "toolchain ships rust-objcopy" \
  test -x "$tc/lib/rustlib/$host/bin/rust-objcopy"
for t in x86_64-apple-darwin aarch64-apple-darwin; do
  check "toolchain has rust-std for $t" \
    sh -c "ls '$tc/lib/rustlib/$t/lib'/libstd-*.rlib"
done
for t in $linux; do
  case $t in
    aarch64-unknown-linux-gnu)
      if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then
        skip "hello for $t" "aarch64-linux-gnu-gcc not installed"
        continue
      fi ;;
  esac
  (
    cd "$T/hello" &&
    exec env -u RUSTFLAGS -u CARGO_BUILD_TARGET -u RUSTC_WRAPPER -u RUSTUP_TOOLCHAIN \
      PATH="$tc/bin:/usr/bin:/bin" CARGO_HOME="$T/cargo-home" RUSTC="$tc/bin/rustc" \
      RUSTDOC="$tc/bin/rustdoc" CARGO_TARGET_DIR="$T/hello-target" \
      CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
      CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld \
      CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld \
      "$tc/bin/cargo" build --release --offline --locked --target "$t"
  ) >"$T/build-$t.log" 2>&1
  exe=$T/hello-target/$t/release/hello
  if [ -x "$exe" ]; then
    ok "hello builds for $t"
  else
    not_ok "hello builds for $t"
    diag_file "$T/build-$t.log"
    continue
  fi
  arch=${t%%-*}
  env=${t##*-}
  case $t in
    x86_64-*) run="" ;;
    aarch64-*-musl) run="qemu-aarch64" ;;
    aarch64-*-gnu) run="qemu-aarch64 -L /" ;;
  esac
  if [ -n "$run" ] && ! command -v qemu-aarch64 >/dev/null 2>&1; then
    skip "hello runs for $t" "qemu-aarch64 not installed"
  elif [ "$t" = aarch64-unknown-linux-gnu ] && [ ! -e /lib/ld-linux-aarch64.so.1 ]; then
    skip "hello runs for $t" "libc6:arm64 not installed (qemu-aarch64 -L /)"
  else
    out=$(timeout 60 $run "$exe" 2>&1)  # $run is a command prefix: split it
    is "hello runs for $t" "$out" "hello from $arch-$env (unwind ok)"
  fi
  if [ "$env" = musl ]; then
    readelf -lW "$exe" >"$T/phdr-$t" 2>&1
    unlike "hello for $t is static (no PT_INTERP)" "$T/phdr-$t" 'INTERP'
    readelf -dW "$exe" >"$T/dyn-$t" 2>&1
    unlike "hello for $t needs no shared library" "$T/dyn-$t" '\(NEEDED\)'
  fi
done

done_testing
