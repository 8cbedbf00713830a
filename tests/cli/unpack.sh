#!/bin/sh
# `xrust unpack`: hostile archives from tests/fixtures/mkhostile.py must
# fail with the right one-line message and leave the watched sandbox (the
# parent of the extraction directory, where every escape attempt aims)
# exactly as it was; good archives in every compression must give the
# exact tree, with modes 0644/0755 whatever the umask; --strip and the
# --map/--exclude rewrite must work.
. "$(dirname "$0")/../lib.sh"

FX=$T/fx
SB=$T/sandbox
mkdir -p "$SB/keep"
echo sentinel >"$SB/keep/sentinel"
if ! python3 "$XRUST_ROOT/tests/fixtures/mkhostile.py" "$FX" "$SB" \
     >"$T/gen.log" 2>&1; then
  not_ok "mkhostile.py generates the fixtures"
  diag_file "$T/gen.log"
  done_testing
  exit 1
fi

# Everything in the sandbox except the extraction directory itself.
snapshot() {
  (cd "$SB" && find . -path ./t -prune -o -printf '%y %m %s %p %l\n' |
    LC_ALL=C sort)
}

# The tree under $1: type, mode (not for links), path, link target.
tree() {
  (cd "$1" && find . -mindepth 1 \( -type l -printf '%y %P -> %l\n' \) \
    -o -printf '%y %m %P\n' | LC_ALL=C sort)
}

# hostile NAME REGEX [ARGS...]: extraction fails with status 1 and one
# stderr line matching REGEX, and nothing changes outside $SB/t.
hostile() {
  _name=$1 _re=$2
  shift 2
  rm -rf "$SB/t"
  _before=$(snapshot)
  run_in "$T" "$XRUST_TOOL" unpack "$FX/$_name" "$SB/t" "$@"
  if [ "$rc" -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
     grep -Eq -- "$_re" "$T/err"; then
    ok "$_name: rejected"
  else
    not_ok "$_name: rejected"
    diag "status $rc, want 1; stderr must be one line matching: $_re"
    diag_file "$T/err"
  fi
  is "$_name: nothing changed outside the target" "$(snapshot)" "$_before"
}

Q="in '[^']*"   # the archive's path inside a message
U="^xrust: unsafe"
PD="parent directory component"
OUT="target outside the directory"
hostile dotdot.tar.gz \
  "$U path '\.\./escaped-dotdot' $Q/dotdot\.tar\.gz': $PD$"
hostile dotdot-inner.tar.gz \
  "$U path 'sub/\.\./\.\./escaped-inner' $Q': $PD$"
hostile absolute.tar.gz \
  "$U path '/.*/escaped-absolute' $Q': absolute path$"
hostile symlink-abs-outside.tar.gz \
  "$U symlink 'link' -> '/[^']*' $Q': absolute target$"
hostile symlink-rel-outside.tar.gz \
  "$U symlink 'sub/link' -> '\.\./\.\.' $Q': $OUT$"
hostile symlink-climb.tar.gz \
  "$U symlink 'b' -> 'a/\.\.' $Q': '\.\.' after a name in the target$"
hostile symlink-then-traverse.tar.gz \
  "$U path 'a/b' $Q': 'a' is a symbolic link$"
hostile symlink-to-dot-traverse.tar.gz \
  "$U path 'a/b' $Q': 'a' is a symbolic link$"
hostile hardlink-outside.tar.gz \
  "$U hard link 'h' -> '\.\./escaped-hardlink' $Q': $PD in the target$"
hostile hardlink-abs.tar.gz \
  "$U hard link 'h' -> '/etc/passwd' $Q': absolute target$"
hostile hardlink-ahead.tar.gz \
  "$U hard link 'h' -> 'later' $Q': target not extracted before the link$"
hostile chardev.tar.gz "$U entry 'null' $Q': character device$"
hostile blockdev.tar.gz "$U entry 'sda' $Q': block device$"
hostile fifo.tar.gz "$U entry 'pipe' $Q': fifo$"
hostile big-entry.tar.gz \
  "^xrust: entry 'zeros' $Q' is larger than the limit of 1048576 bytes$" \
  --max-entry-size 1M
hostile total-bomb.tar.gz \
  "^xrust: '[^']*total-bomb\.tar\.gz' expands to more than the limit of \
8388608 bytes$" \
  --max-size 8M
hostile too-many-entries.tar.gz \
  "^xrust: '[^']*' has more than the limit of 1000 entries$" \
  --max-entries 1000
# The header claims 4 KiB; the data sits at 1 GiB.  Only counting what is
# actually decoded catches it.
hostile lying-sparse.tar \
  "^xrust: entry 'sparse' $Q' is larger than the limit of 65536 bytes$" \
  --max-entry-size 64K
hostile truncated.tar.gz \
  "^xrust: cannot read '[^']*truncated\.tar\.gz': truncated gzip input$"
hostile corrupt.tar.xz \
  "^xrust: cannot read '[^']*corrupt\.tar\.xz': Lzma library error: .*$"
hostile not-an-archive.tar.gz \
  "^xrust: cannot read '[^']*': Unrecognized archive format$"
# Stripping moves bin/up to the top, where '../share/doc/readme' escapes.
hostile good.tar.gz \
  "$U symlink 'pkg-1.0/bin/up' -> '\.\./share/doc/readme' $Q': $OUT$" \
  --strip 2

# The big entries were stopped before being written in full.
rm -rf "$SB/t"
run_in "$T" "$XRUST_TOOL" unpack "$FX/big-entry.tar.gz" "$SB/t" \
  --max-entry-size 1M
is "a rejected file is not left behind" "$(ls -A "$SB/t")" ""

GOOD='d 755 pkg-1.0
d 755 pkg-1.0/bin
d 755 pkg-1.0/empty
d 755 pkg-1.0/lib
d 755 pkg-1.0/lib/a
d 755 pkg-1.0/lib/a/b
d 755 pkg-1.0/lib/a/b/c
d 755 pkg-1.0/share
d 755 pkg-1.0/share/doc
f 644 pkg-1.0/lib/a/b/c/deep.txt
f 644 pkg-1.0/lib/hard
f 644 pkg-1.0/replaced
f 644 pkg-1.0/share/doc/readme
f 644 pkg-1.0/share/dot.txt
f 755 pkg-1.0/bin/tool
f 755 pkg-1.0/script
l pkg-1.0/bin/up -> ../share/doc/readme
l pkg-1.0/lib/link -> a/b/c/deep.txt'

filters=$("$XRUST_TOOL" unpack --filters)
like_filters() {
  case " $filters " in *" $1 "*) return 0 ;; esac
  return 1
}
if like_filters gzip && like_filters xz; then
  ok "gzip and xz are decoded in-process"
else
  not_ok "gzip and xz are decoded in-process"
  diag "unpack --filters: $filters"
fi

for f in good.tar good.tar.gz good.tar.bz2 good.tar.xz good.tar.zst; do
  case $f in
    *.zst) want=zstd ;;
    *.bz2) want=bzip2 ;;
    *.xz) want=xz ;;
    *) want= ;;
  esac
  if [ -n "$want" ] && ! like_filters "$want"; then
    skip "$f" "libarchive has no in-process $want decoder"
    continue
  fi
  if [ ! -f "$FX/$f" ]; then
    skip "$f" "no fixture (zstd command missing)"
    continue
  fi
  for m in 000 077; do
    d=$T/good-$f-$m
    (umask $m && "$XRUST_TOOL" unpack "$FX/$f" "$d") >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
      not_ok "$f (umask $m): extracts"
      diag_file "$T/err"
      continue
    fi
    is "$f (umask $m): exact tree and modes" "$(tree "$d")" "$GOOD"
  done
  d=$T/good-$f-000/pkg-1.0
  is "$f: contents" "$(cat "$d/bin/tool" "$d/lib/link" "$d/bin/up" \
    "$d/replaced" "$d/share/dot.txt")" "#!/bin/sh
echo tool
deep
readme
new
dot"
  is "$f: hard link shares the inode" "$(stat -c %i "$d/lib/hard")" \
    "$(stat -c %i "$d/lib/a/b/c/deep.txt")"
done

# Owners are never restored (they would be when running as root).
d=$T/good-good.tar.gz-000
is "owners are not taken from the archive" \
  "$(find "$d" -mindepth 1 ! -user "$(id -u)" | wc -l | tr -d ' ')" 0

# Extracting again over the same tree replaces files and keeps the tree.
run_in "$T" "$XRUST_TOOL" unpack "$FX/good.tar.xz" "$d"
is "re-extraction over an existing tree succeeds" "$rc" 0
is "re-extraction gives the same tree" "$(tree "$d")" "$GOOD"

# --strip 1 drops the top directory; DIR and its parents are created.
run_in "$T" "$XRUST_TOOL" unpack "$FX/good.tar.gz" "$T/new/a/b" --strip 1 \
  --stats
is "--strip 1 exits 0" "$rc" 0
is "--strip 1 tree" "$(tree "$T/new/a/b")" \
  "$(echo "$GOOD" | sed 's|pkg-1.0/||; /pkg-1.0$/d')"
# 12: pkg-1.0/ is stripped away and "replaced" is written twice; 54 bytes.
is "--stats counts entries written and file bytes" "$(cat "$T/out")" \
  "entries 12
bytes 54"

# The toolchain installer's rewrite: rustc/bin/rustc -> bin/rustc, and
# nothing but the component.
run_in "$T" "$XRUST_TOOL" unpack "$FX/installer.tar.xz" "$T/inst" \
  --strip 1 --map rustc= --exclude manifest.in
is "--map/--exclude exits 0" "$rc" 0
is "--map/--exclude tree" "$(tree "$T/inst")" "d 755 bin
d 755 lib
d 755 share
d 755 share/man
d 755 share/man/man1
f 644 lib/librustc_driver.so
f 644 share/man/man1/rustc.1
f 755 bin/rustc"
run_in "$T" "$XRUST_TOOL" unpack "$FX/installer.tar.xz" "$T/inst2" \
  --strip=1 --map=rustc/bin=tools --map=components=meta/components
is "--map renames prefixes" "$(tree "$T/inst2")" "d 755 meta
d 755 tools
f 644 meta/components
f 755 tools/rustc"

# Usage errors and missing input.
run_in "$T" "$XRUST_TOOL" unpack "$FX/good.tar"
is "missing DIR: status 2" "$rc" 2
like "missing DIR: one-line message" "$T/err" \
  "^xrust: unpack needs ARCHIVE and DIR"
run_in "$T" "$XRUST_TOOL" unpack "$FX/good.tar" "$T/x" --strip -1
is "bad --strip: status 2" "$rc" 2
like "bad --strip: message" "$T/err" \
  "^xrust: invalid value '-1' for '--strip'$"
run_in "$T" "$XRUST_TOOL" unpack "$FX/good.tar" "$T/x" --max-size
like "option without value" "$T/err" \
  "^xrust: option '--max-size' needs a value$"
run_in "$T" "$XRUST_TOOL" unpack "$T/nonexistent.tar.gz" "$T/x"
is "missing archive: status 1" "$rc" 1
like "missing archive: message" "$T/err" \
  "^xrust: cannot open '.*/nonexistent\.tar\.gz': No such file or directory$"

is "the sentinel is intact" "$(cat "$SB/keep/sentinel")" sentinel
is "no escaped-* file anywhere" \
  "$(find "$T" -name 'escaped-*' | wc -l | tr -d ' ')" 0

done_testing
