#!/bin/sh
# xrust-test: no-sanitize
# Values handed to Make keep every character (makevars.c): $(rust-crate)
# in a project directory whose name holds a space, '#', '$' and a
# backslash before '#', and one ending in a backslash, defines exactly
# what `xrust crate` prints; error messages naming such a path, or holding
# '#', reach the user whole at the user's line.
. "$(dirname "$0")/../lib.sh"

mk=$XRUST_ROOT/mk/xrust.mk
D=$(cd "$T" && pwd -P)/'we \#1 $x y'
vars='NAME VERSION BINS LIBS MANIFESTS LOCK SOURCES PACKAGES DIR ROOT INPUTS'
for c in app 'odd\'; do
  mkdir -p "$D/$c/src"
  printf '[package]\nname = "app"\nversion = "1.0.0"\n' >"$D/$c/Cargo.toml"
  echo 'fn main() {}' >"$D/$c/src/main.rs"
done

cat >"$D/Makefile" <<EOF2
XRUST_NO_RULES := 1
include $mk
\$(rust-crate app,APP)
\$(foreach v,$vars,\$(info APP_\$v=\$(APP_\$v)))
\$(rust-crate odd\\,ODD)
\$(info [\$(ODD_DIR)])
all: ; @:
EOF2
mk_run "$D"
is "rust-crate in a directory named 'we \\#1 \$x y' exits 0" "$rc" 0
[ "$rc" = 0 ] || diag_file "$T/err"
is "CRATE_DIR keeps the space, '\\#' and '\$'" \
  "$(grep '^APP_DIR=' "$T/out")" "APP_DIR=$D/app"
is "a value ending in a backslash keeps it" "$(grep '^\[' "$T/out")" \
  "[$D/odd\\]"
sed -n '/^APP_/p' "$T/out" >"$T/plugin"
run_in "$D" "$XRUST_TOOL" crate app APP
is "xrust crate exits 0" "$rc" 0
is "\$(rust-crate) defines what xrust crate prints" "$(cat "$T/plugin")" \
  "$(cat "$T/out")"

# An error naming the path: whole, at the user's line.
printf '[package]\nname = "app"\nversion = 1.0.0\n' >"$D/app/Cargo.toml"
mk_run "$D"
is "a malformed manifest stops make" "$rc" 2
like "the error names the whole path at the user's line" "$T/err" \
  "^Makefile:3: \*\*\* xrust: $(re "$D")/app/Cargo\.toml:3:[0-9]+: .*Stop\.\$"

# '#' in a message, at parse time and in a recipe.
printf 'XRUST_NO_RULES := 1\ninclude %s\nX := $(rust-target x#y $$z)\nall: ; @:\n' \
  "$mk" >"$T/Makefile"
mk_run "$T"
like "a '#' in an error message reaches make" "$T/err" \
  "^Makefile:3: \*\*\* xrust: unknown target 'x#y \\\$z' \(known: .*Stop\.\$"
printf 'XRUST_NO_RULES := 1\ninclude %s\nall:\n\t@echo $(rust-target a#b)\n' \
  "$mk" >"$T/Makefile"
mk_run "$T"
like "a '#' in an error raised in a recipe" "$T/err" \
  "^Makefile:4: \*\*\* xrust: unknown target 'a#b' \(known: "

# A prefix that cannot be a variable name is refused.
printf 'XRUST_NO_RULES := 1\ninclude %s\n$(rust-crate odd\\,A B)\nall: ; @:\n' \
  "$mk" >"$D/Makefile"
mk_run "$D"
is "rust-crate with a prefix holding a blank stops make" "$rc" 2
like "the bad prefix is named" "$T/err" \
  "^Makefile:3: \*\*\* xrust: rust-crate: invalid prefix 'A B' "

done_testing
