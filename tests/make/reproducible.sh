#!/bin/sh
# xrust-test: no-sanitize
# Reproducible, path-independent outputs: the template (examples/hello,
# with vendored dependencies) in two checkouts of different depths, with
# different stores, built for two Linux targets, gives the same
# SHA256SUMS from `make dist`, and no binary holds either checkout's or
# either store's path (rustc runs through mk/xrust-rustc, which remaps
# them).  Two targets: a musl one linked by rust-lld and a gnu one linked
# by the cross compiler.  The second build goes through a RUSTC_WRAPPER of the user's,
# which must still run, and the user's RUSTFLAGS still reach rustc.
. "$(dirname "$0")/../lib.sh"

serve_fixtures "reproducible outputs against the fixtures"
export XRUST_DIST_SERVER="$SERVE_URL" XRUST_CHANNEL=1.96.0 \
  XRUST_CRATES_DL="$REGISTRY_URL/crates/{crate}/{crate}-{version}.crate"

a=$T/a/hello
b=$T/bb/deeper/still/hello
for d in "$a" "$b"; do
  mkdir -p "$(dirname "$d")"
  cp -r "$XRUST_ROOT/examples/hello" "$d"
  rm -rf "$d/out" "$d/xrust.lock"
  printf 'XRUST_TARGETS := x86_64-linux aarch64-linux-gnu\ninclude %s/mk/xrust.mk\n' \
    "$XRUST_ROOT" >"$d/Makefile"
done

XRUST_HOME=$T/home-one mk_run "$a" -j2 dist
is "checkout a: make -j2 dist succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"

# The user's wrapper logs each rustc run and passes it on; a RUSTFLAGS
# --cfg of theirs must reach rustc too (it changes no bytes).
cat >"$T/wrap" <<'SH'
#!/bin/sh
echo "$*" >>"$WRAP_LOG"
exec "$@"
SH
chmod +x "$T/wrap"
WRAP_LOG=$T/wrap.log RUSTC_WRAPPER=$T/wrap RUSTFLAGS="--cfg xrust_user_flag" \
  XRUST_HOME=$T/deeper/home-two mk_run "$b" -j2 dist
is "checkout b: make -j2 dist succeeds" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"

check "both give the same SHA256SUMS" \
  cmp "$a/out/dist/SHA256SUMS" "$b/out/dist/SHA256SUMS"
is "SHA256SUMS lists two archives" \
  "$(wc -l <"$a/out/dist/SHA256SUMS" | tr -d ' ')" 2
for t in x86_64-linux aarch64-linux-gnu; do
  check "out/$t/hello: the same bytes in both checkouts" \
    cmp "$a/out/$t/hello" "$b/out/$t/hello"
  for p in "$a" "$b" "$T/home-one" "$T/deeper/home-two"; do
    n=$(grep -c -a -F "$p" "$a/out/$t/hello" "$b/out/$t/hello" |
      awk -F: '{ s += $2 } END { print s + 0 }')
    is "out/$t/hello holds no trace of $p" "$n" 0
  done
  n=$(grep -c -a -F /xrust/vendor/ "$a/out/$t/hello" || true)
  case $n in
    0) not_ok "out/$t/hello names its vendored sources as /xrust/vendor/" ;;
    *) ok "out/$t/hello names its vendored sources as /xrust/vendor/" ;;
  esac
done

like "the user's RUSTC_WRAPPER ran rustc" "$T/wrap.log" "rustc .*--crate-name hello"
like "with xrust's remapping" "$T/wrap.log" \
  "--remap-path-prefix=$(re "$b")=/xrust/src"
like "and the user's RUSTFLAGS" "$T/wrap.log" "--cfg xrust_user_flag"
done_testing
