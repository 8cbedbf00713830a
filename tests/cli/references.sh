#!/bin/sh
# xrust-test: no-sanitize
# Every reference in the repository points at something a clone has: no
# file cites the design notes that once lived outside the project, nor a
# path into a sibling `shared` directory; every path into module/ that a
# file names exists, and so does every `*.md` path that the READMEs name.
# The names are spelled in pieces below so that this file does not match
# itself.
. "$(dirname "$0")/../lib.sh"

cd "$XRUST_ROOT" || exit 1

# The files of a clone: what git tracks plus new files it does not ignore
# (as fresh_checkout copies them); without git, the tree minus build output.
if git rev-parse --git-dir >/dev/null 2>&1; then
  git ls-files -co --exclude-standard >"$T/files"
else
  find . \( -path ./build -o -path ./out -o -path ./.git \) -prune -o \
    -type f -print | sed 's|^\./||' >"$T/files"
fi
like "the file list holds the clone's files" "$T/files" '^README\.md$'

# hits LIST PATTERN: FILE:LINE:TEXT for every line of the files in LIST
# (one path a line) that matches the extended regex PATTERN.
hits() {
  tr '\n' '\0' <"$1" | xargs -0 grep -HInE -- "$2" 2>/dev/null
}

# The unit tests use a sibling `shared` as test data: a cargo path
# dependency on the directory `shared` beside the crate, quoted in a C
# string, and a vendored package directory `shared-1.2.3` beside it.  Those
# exact strings, in tests/unit/ only, are not references; anything else on
# the same line still is.
shared='\.\./'shared
unit_data() {
  sed -E '/^tests\/unit\//s#\.\./shared(\\"|-[0-9][0-9.]*)##g' |
    grep -E -- "$shared"
}

# refs_to NAME LIST: the lines of LIST's files citing NAME.md.
refs_to() {
  hits "$2" "(^|[^A-Za-z0-9_])$1\\.md"
}

# The scan finds what it looks for: a planted file with each kind of
# reference.
printf '%s\n' "$T/planted" >"$T/planted.list"
printf 'see %s.md and %s/conformance\n' DESIGN '..''/shared' >"$T/planted"
refs_to DESIGN "$T/planted.list" >"$T/planted.out"
like "a citation of the old design notes is found" "$T/planted.out" \
  'planted:1:see DESIGN'
hits "$T/planted.list" "$shared" | unit_data >"$T/planted.out"
like "a path into a sibling shared directory is found" "$T/planted.out" \
  'planted:1:'
printf '%s\n' 'tests/unit/a.c:1:  "path = \"..''/shared\" }\n");' \
  'tests/unit/a.c:2:  return xr_strdup("..''/shared-1.2.3");' >"$T/unit.in"
is "the unit tests' cargo data is not a reference" \
  "$(unit_data <"$T/unit.in")" ""
printf '%s\n' 'tests/unit/a.c:3:  "..''/shared\" and ..''/shared/x"' \
  'tests/make/a.sh:1:  "..''/shared\"' >"$T/unit.in"
is "beside the unit tests' data, and elsewhere, it is" \
  "$(unit_data <"$T/unit.in" | wc -l | tr -d ' ')" 2

for name in DESIGN STYLE FIXTURES REFERENCE; do
  refs_to "$name" "$T/files" >"$T/refs"
  if [ -s "$T/refs" ]; then
    not_ok "no file cites $name.md, which a clone does not have"
    diag_file "$T/refs"
  else
    ok "no file cites $name.md, which a clone does not have"
  fi
done

hits "$T/files" "$shared" | unit_data >"$T/refs"
if [ -s "$T/refs" ]; then
  not_ok "no file refers to a sibling shared directory"
  diag_file "$T/refs"
else
  ok "no file refers to a sibling shared directory"
fi

# Every path into module/ that a file names exists (a glob matches
# something): the folders moved, and comments must follow.
module_missing() {
  tr '\n' '\0' <"$1" |
    xargs -0 grep -HIoE 'module/[A-Za-z0-9_./*-]*[A-Za-z0-9_*/]' 2>/dev/null |
    while IFS=: read -r f p; do
      # shellcheck disable=SC2086
      set -- $p
      [ -e "$1" ] || printf '%s: %s\n' "$f" "$p"
    done | sort -u
}
printf 'see module/lib/toml.c, module/*/*.c and %s.\n' 'module/''nothing.c' \
  >"$T/planted"
is "a path into module/ that does not exist is found" \
  "$(module_missing "$T/planted.list")" "$T/planted: module/""nothing.c"
module_missing "$T/files" >"$T/refs"
if [ -s "$T/refs" ]; then
  not_ok "every path into module/ that a file names exists"
  diag_file "$T/refs"
else
  ok "every path into module/ that a file names exists"
fi

# Every *.md path a README names exists, relative to the top of the tree
# or to the README's own directory.
md_missing() {
  for p in $(grep -oE '[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md' "$1" | sort -u)
  do
    [ -f "$p" ] || [ -f "$(dirname "$1")/$p" ] || printf ' %s' "$p"
  done
}
printf 'see `mk/README.md`, README.md and docs/GONE.md\n' >"$T/doc.md"
is "a missing .md path is found" "$(md_missing "$T/doc.md")" " docs/GONE.md"
for doc in README.md module/README.md mk/README.md tests/fixtures/README.md
do
  if [ ! -f "$doc" ]; then
    not_ok "$doc exists"
    continue
  fi
  missing=$(md_missing "$doc")
  if [ -n "$missing" ]; then
    not_ok "every .md path that $doc names exists"
    diag "missing:$missing"
  else
    ok "every .md path that $doc names exists"
  fi
done

done_testing
