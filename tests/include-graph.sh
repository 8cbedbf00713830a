#!/bin/sh
# tests/include-graph.sh [--check]: the include graph of the C code.
#
# Prints one line per quoted #include of module/ and include/xrust/:
# "PART FILE -> HEADER", PART being the folder of module/ the file is in
# (lib, plugin, engine, cli) or "include".  Then, for each header, the
# parts whose files include it.  With --check it prints nothing on
# success and exits 1 when a part's private header (one that lives in a
# folder of module/) is included from another part, the only exception
# being module/engine/engine.h, the contract between the plugin that loads
# the engine and the engine (module/README.md); or when a file of the
# library includes the header of an engine unit (include/xrust/X.h whose
# X.c is in module/engine/): the library sits below the engine, never
# above it; or when a file other than the owners named in
# module/README.md includes a library's own header: <curl/curl.h> only
# in module/engine/fetch.c and module/engine/cache_remote.c,
# <archive.h> and <archive_entry.h> only in module/engine/archive.c and
# module/engine/layer.c.
cd "$(dirname "$0")/.." || exit 2

part() {
  case $1 in
    module/*/*) p=${1#module/}; echo "${p%%/*}" ;;
    include/*) echo include ;;
    *) echo other ;;
  esac
}

edges() {
  for f in module/*/*.c module/*/*.h include/xrust/*.h; do
    [ -f "$f" ] || continue
    sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r h; do
      # Resolve as the compiler does: beside the file, then -Iinclude,
      # then -Imodule.
      d=$(dirname "$f")
      if [ -f "$d/$h" ]; then r=$d/$h
      elif [ -f "include/$h" ]; then r=include/$h
      elif [ -f "module/$h" ]; then r=module/$h
      else r="?$h"
      fi
      echo "$(part "$f") $f -> $r"
    done
  done
}

if [ "${1:-}" = --check ]; then
  bad=0
  edges >"${TMPDIR:-/tmp}/xrust-ig.$$"
  while read -r p f arrow h; do
    case $h in
      \?*) echo "$f: #include \"${h#?}\" does not resolve"; bad=1 ;;
      module/engine/engine.h) ;;
      include/xrust/*)
        u=$(basename "$h" .h)
        if [ "$p" = lib ] && [ -f "module/engine/$u.c" ]; then
          echo "$f (lib) includes $h, the header of module/engine/$u.c"
          bad=1
        fi ;;
      module/*)
        hp=$(part "$h")
        [ "$hp" = "$p" ] ||
          { echo "$f ($p) includes $h, private to $hp"; bad=1; } ;;
    esac
  done <"${TMPDIR:-/tmp}/xrust-ig.$$"
  rm -f "${TMPDIR:-/tmp}/xrust-ig.$$"
  for f in module/*/*.c module/*/*.h include/xrust/*.h; do
    [ -f "$f" ] || continue
    for h in $(sed -n 's/^#include <\(curl\/[^>]*\|archive[^>]*\)>.*/\1/p' "$f")
    do
      case $h:$f in
        curl/*:module/engine/fetch.c | curl/*:module/engine/cache_remote.c) ;;
        archive*:module/engine/archive.c | archive*:module/engine/layer.c) ;;
        *) echo "$f includes <$h>, which only its owners may"; bad=1 ;;
      esac
    done
  done
  exit "$bad"
fi

edges
echo
echo "# header: the parts whose files include it"
edges | awk '{ parts[$4] = parts[$4] " " $1 }
  END { for (h in parts) {
          n = split(parts[h], a, " "); s = ""; delete seen
          for (i = 1; i <= n; i++) if (!(a[i] in seen)) { seen[a[i]]; s = s " " a[i] }
          print h ":" s } }' | sort
