#!/bin/sh
# xrust-test: no-sanitize
# The layout of module/ is the architecture (module/README.md): every C
# file sits in one of the four parts, no part includes another part's
# private header (engine/engine.h, the plugin-engine contract, excepted),
# and the library never includes the header of an engine unit.  The
# checker itself is tried on a planted tree first, so a rule that stopped
# matching cannot pass silently.
. "$(dirname "$0")/../lib.sh"

cd "$XRUST_ROOT" || exit 1
# Spelled through $M so that tests/cli/references.sh, which checks that
# every path into the folder named in a file exists, passes over the
# planted ones.
M=module

stray=$(ls $M/*.c $M/*.h 2>/dev/null)
is "no C file outside the four parts of $M/" "$stray" ""
for p in lib plugin engine cli; do
  n=$(ls $M/$p/*.c 2>/dev/null | wc -l)
  check "$M/$p/ holds C files ($n)" test "$n" -gt 0
done

if sh tests/include-graph.sh --check >"$T/check.out" 2>&1; then
  ok "the include graph keeps the layering"
else
  not_ok "the include graph keeps the layering"
  diag_file "$T/check.out"
fi

# The checker on a planted tree: a library file that includes an engine
# header, a cli file that includes a plugin-private header, an include
# that does not resolve.
fake=$T/fake
mkdir -p "$fake/tests" "$fake/include/xrust" "$fake/$M/lib" \
  "$fake/$M/engine" "$fake/$M/plugin" "$fake/$M/cli"
cp tests/include-graph.sh "$fake/tests/"
printf '/* x */\n' >"$fake/include/xrust/net.h"
printf '/* x */\n#include "xrust/net.h"\n' >"$fake/$M/engine/net.c"
printf '/* x */\n#include "xrust/net.h"\n' >"$fake/$M/lib/bad.c"
printf '/* x */\n' >"$fake/$M/plugin/private.h"
printf '/* x */\n#include "plugin/private.h"\n#include "nowhere.h"\n' \
  >"$fake/$M/cli/cmd_x.c"
printf '/* x */\n#include <curl/curl.h>\n' >"$fake/$M/engine/net2.c"
printf '/* x */\n#include <archive_entry.h>\n' >"$fake/$M/cli/cmd_y.c"
sh "$fake/tests/include-graph.sh" --check >"$T/fake.out" 2>&1
is "the checker fails on a planted tree" "$?" 1
like "it names a library file that includes an engine header" "$T/fake.out" \
  "^$M/lib/bad\.c \(lib\) includes include/xrust/net\.h, the header of $M/engine/net\.c$"
like "it names a part that includes another part's private header" \
  "$T/fake.out" "^$M/cli/cmd_x\.c \(cli\) includes $M/plugin/private\.h, private to plugin$"
like "it names an engine file other than the owners that includes libcurl" \
  "$T/fake.out" "^$M/engine/net2\\.c includes <curl/curl\\.h>, which only its owners may\$"
like "it names a file that includes libarchive's headers" "$T/fake.out" \
  "^$M/cli/cmd_y\\.c includes <archive_entry\\.h>, which only its owners may\$"
like "it names an include that does not resolve" "$T/fake.out" \
  "^$M/cli/cmd_x\\.c: #include \"nowhere\\.h\" does not resolve\$"
done_testing
