#!/bin/sh
# `xrust store` and `xrust gc`: the layout, usage figures, gc roots (blob,
# entry and owner lines), the grace period, and the crash cleanup rules for
# v1/tmp (dead owners' debris goes, live owners' work stays).
. "$(dirname "$0")/../lib.sh"

export XRUST_HOME=$T/home
unset XRUST_OFFLINE V

# An empty store is created with its versioned layout.
run_in "$T" "$XRUST_TOOL" store
is "store on a fresh root exits 0" "$rc" 0
like "store names the root and layout" "$T/out" \
  "^store $XRUST_HOME \\(layout v1\\)$"
like "no blobs yet" "$T/out" "^  blobs +0 +0 B$"
for d in blobs/sha256 tmp locks roots; do
  check "layout has v1/$d" test -d "$XRUST_HOME/v1/$d"
done
check "the tool leaves no owner file behind" \
  test -z "$(ls -A "$XRUST_HOME/v1/tmp")"

# Three blobs via file:// and a fake published toolchain entry.
i=0
while [ $i -lt 3 ]; do
  head -c $((1000 * (i + 1))) /dev/urandom >"$T/f$i"
  eval "S$i=$(sha "$T/f$i")"
  "$XRUST_TOOL" fetch -q "file://$T/f$i" "$(sha "$T/f$i")" "$T/g$i"
  i=$((i + 1))
done
mkdir -p "$XRUST_HOME/v1/toolchains/tc-a/bin" "$XRUST_HOME/v1/toolchains/tc-b"
head -c 5000 /dev/zero >"$XRUST_HOME/v1/toolchains/tc-a/bin/rustc"
run_in "$T" "$XRUST_TOOL" store
like "store counts the blobs" "$T/out" "^  blobs +3 +6.0 kB$"
like "store lists entry kinds" "$T/out" "^  toolchains +2 +5.0 kB$"
like "store gives a total" "$T/out" "^  total +11.0 kB$"

# Nothing is old enough for the default grace period.
run_in "$T" "$XRUST_TOOL" gc
is "gc exits 0" "$rc" 0
like "gc within the grace period removes nothing" "$T/out" "^removed 0 items"

# Roots: blob S0 by a live owner, S1 by a root whose owner is gone, the
# toolchain tc-a by an entry line.
mkdir -p "$T/project"
printf '# vendor tree\nowner %s\nblob %s\nentry toolchains/tc-a\n' \
  "$T/project" "$S0" >"$XRUST_HOME/v1/roots/project"
printf 'owner %s\nblob %s\n' "$T/gone" "$S1" >"$XRUST_HOME/v1/roots/old"
run_in "$T" "$XRUST_TOOL" gc --dry-run --grace 0
like "dry run reports" "$T/out" "^would remove 3 items"
is "dry run removes nothing" "$(nblobs)" 3
check "dry run keeps the stale root" test -f "$XRUST_HOME/v1/roots/old"
run_in "$T" "$XRUST_TOOL" gc --grace 0
is "gc --grace 0 exits 0" "$rc" 0
like "gc reports" "$T/out" \
  "^removed 3 items \\(.*\\), kept 2, dropped 1 stale root$"
check "the referenced blob stays" \
  test -f "$XRUST_HOME/v1/blobs/sha256/$(echo "$S0" | cut -c1-2)/$S0"
check "a blob of a stale root goes" \
  test ! -e "$XRUST_HOME/v1/blobs/sha256/$(echo "$S1" | cut -c1-2)/$S1"
check "an unreferenced blob goes" \
  test ! -e "$XRUST_HOME/v1/blobs/sha256/$(echo "$S2" | cut -c1-2)/$S2"
check "the referenced entry stays" \
  test -f "$XRUST_HOME/v1/toolchains/tc-a/bin/rustc"
check "an unreferenced entry goes" test ! -e "$XRUST_HOME/v1/toolchains/tc-b"
check "the stale root is dropped" test ! -e "$XRUST_HOME/v1/roots/old"
check "gc leaves no temporaries" test -z "$(ls -A "$XRUST_HOME/v1/tmp")"
rm -rf "$T/project"
"$XRUST_TOOL" gc --grace 0 >/dev/null
is "once the project is gone, its blob goes too" \
  "$(nblobs)" 0
run_in "$T" "$XRUST_TOOL" gc --bogus
is "gc rejects unknown options" "$rc" 2

# Crash debris: a dead owner (unlocked owner file), an orphan without an
# owner file, and a live owner holding its lock.
tmp=$XRUST_HOME/v1/tmp
: >"$tmp/o1x1.owner"
mkdir -p "$tmp/o1x1.stage.0/a/b"
: >"$tmp/o1x1.dl.1"
: >"$tmp/o2x2.dl.0"
: >"$tmp/o3x3.owner"
: >"$tmp/o3x3.dl.0"
mkdir -p "$tmp/o3x3.stage.1"
: >"$tmp/unrelated-file"
if command -v flock >/dev/null 2>&1; then
  # -o: flock itself holds the lock, so killing it releases the lock.
  flock -o "$tmp/o3x3.owner" sh -c "echo \$\$ >'$T/sleeper'; exec sleep 30" &
  lpid=$!
  while [ ! -s "$T/sleeper" ]; do sleep 0.05; done
  run_in "$T" "$XRUST_TOOL" store
  check "a dead owner's staging dir is removed" test ! -e "$tmp/o1x1.stage.0"
  check "a dead owner's download is removed" test ! -e "$tmp/o1x1.dl.1"
  check "a dead owner's owner file is removed" test ! -e "$tmp/o1x1.owner"
  check "an orphan temporary is removed" test ! -e "$tmp/o2x2.dl.0"
  check "a live owner's download stays" test -e "$tmp/o3x3.dl.0"
  check "a live owner's staging dir stays" test -d "$tmp/o3x3.stage.1"
  check "other names are left alone" test -e "$tmp/unrelated-file"
  kill $lpid "$(cat "$T/sleeper")"
  wait $lpid 2>/dev/null
  "$XRUST_TOOL" store >/dev/null
  check "once the owner dies, its work is removed" \
    test ! -e "$tmp/o3x3.dl.0" -a ! -e "$tmp/o3x3.stage.1" \
    -a ! -e "$tmp/o3x3.owner"
else
  skip "crash debris cleanup" "no flock(1)"
fi

# The root: XRUST_HOME, else XDG_CACHE_HOME/xrust, else ~/.cache/xrust.
run_in "$T" env -u XRUST_HOME XDG_CACHE_HOME="$T/xdg" "$XRUST_TOOL" store
like "XDG_CACHE_HOME is used" "$T/out" "^store $T/xdg/xrust "
run_in "$T" env -u XRUST_HOME -u XDG_CACHE_HOME HOME="$T/hm" "$XRUST_TOOL" \
  store
like "HOME/.cache is the fallback" "$T/out" "^store $T/hm/.cache/xrust "

done_testing
