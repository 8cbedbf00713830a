#!/bin/sh
# `make check-style`: the written rules of module/README.md's Style section.
# Prints "FILE:LINE: rule" for each violation and exits 1 if any.
cd "$(dirname "$0")/.." || exit 2
bad=0
report() { echo "$1"; bad=1; }

c_files=$(ls module/*/*.c module/*/*.h include/xrust/*.h tests/unit/*.c \
  tests/unit/*.h tests/compat/*.c tests/compat/*.h tests/fuzz/*.c 2>/dev/null)

for f in $c_files; do
  # Banned functions (git's banned.h, curl's checksrc).
  grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|atoll|gets|strncpy)[[:space:]]*\(' "$f" |
    grep -vE '^[0-9]+:\s*(\*|/\*)' |
    while IFS= read -r l; do echo "$f:${l%%:*}: banned function"; done
  # Lines under 80 columns, no tabs, no trailing white space.
  awk -v f="$f" '
    length($0) > 79 { printf "%s:%d: line longer than 79 columns\n", f, NR }
    /\t/ { printf "%s:%d: tab character\n", f, NR }
    /[ \t]+$/ { printf "%s:%d: trailing white space\n", f, NR }
  ' "$f"
  # Every file opens with a comment saying what it owns.
  head -n 1 "$f" | grep -q '^/\*' || echo "$f:1: file does not open with a comment"
  # No assignment inside a condition.
  grep -nE '\b(if|while)[[:space:]]*\(+[[:space:]]*[A-Za-z_][A-Za-z0-9_>.-]*(\[[^]]*\])?[[:space:]]*=[^=]' "$f" |
    while IFS= read -r l; do echo "$f:${l%%:*}: assignment inside a condition"; done
done >"${TMPDIR:-/tmp}/xrust-style.$$"

# Library functions that are not static carry the xr_ prefix.
for f in module/*/*.c; do
  awk -v f="$f" '
    /^[a-z][a-z_0-9 *]*[ *]([a-z_][a-z_0-9]*)\(/ && !/^static/ && !/^(else|return|typedef)/ {
      name = $0
      sub(/\(.*/, "", name); sub(/.*[ *]/, "", name)
      if (name !~ /^xr_/ && name != "main" && name !~ /^xrust_gmk_/ &&
          name != "LLVMFuzzerTestOneInput")
        printf "%s:%d: non-static function %s lacks the xr_ prefix\n", f, NR, name
    }' "$f"
done >>"${TMPDIR:-/tmp}/xrust-style.$$"

if [ -s "${TMPDIR:-/tmp}/xrust-style.$$" ]; then
  cat "${TMPDIR:-/tmp}/xrust-style.$$"
  bad=1
fi
rm -f "${TMPDIR:-/tmp}/xrust-style.$$"
[ "$bad" -eq 0 ] && echo "check-style: $(echo "$c_files" | wc -w) files clean"
exit "$bad"
