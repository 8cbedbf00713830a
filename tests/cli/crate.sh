#!/bin/sh
# `xrust crate DIR [PREFIX]`: the variables $(rust-crate) defines (the
# same list: makevars.c produces both), for a single package, a virtual
# workspace and one of its members; a malformed manifest, a missing one
# and bad usage.
. "$(dirname "$0")/../lib.sh"

D=$(cd "$T" && pwd -P)
mkdir -p "$D/one/src/bin" "$D/ws/crates/cli/src" "$D/ws/crates/core/src" \
  "$D/ws/crates/tool/src"
cat >"$D/one/Cargo.toml" <<'EOF'
[package]
name = "hello"
version = "1.4.0"

[lib]
crate-type = ["staticlib", "rlib"]
EOF
echo 'fn main() {}' >"$D/one/src/main.rs"
echo '' >"$D/one/src/lib.rs"
echo 'fn main() {}' >"$D/one/src/bin/extra.rs"
echo 'fn main() {}' >"$D/one/build.rs"

run_in "$D" "$XRUST_TOOL" crate one
is "package: exits 0" "$rc" 0
is "package: every variable" "$(cat "$T/out")" "NAME=hello
VERSION=1.4.0
BINS=hello extra
LIBS=staticlib rlib
MANIFESTS=$D/one/Cargo.toml
LOCK=$D/one/Cargo.lock
SOURCES=$D/one/build.rs $D/one/src/bin/extra.rs $D/one/src/lib.rs $D/one/src/main.rs
PACKAGES=hello
DIR=$D/one
ROOT=$D/one
INPUTS=$D/one $D/one/Cargo.toml $D/one/src $D/one/src/bin"

run_in "$D" "$XRUST_TOOL" crate one HELLO
like "prefix" "$T/out" '^HELLO_BINS=hello extra$'

cat >"$D/ws/Cargo.toml" <<'EOF'
[workspace]
members = ["crates/*"]
default-members = ["crates/cli", "crates/tool"]

[workspace.package]
version = "2.0.0"

[workspace.dependencies]
core = { path = "crates/core" }
EOF
for m in cli tool; do
  printf '[package]\nname = "%s"\nversion.workspace = true\n\n[dependencies]\ncore.workspace = true\n' \
    "$m" >"$D/ws/crates/$m/Cargo.toml"
  echo 'fn main() {}' >"$D/ws/crates/$m/src/main.rs"
done
printf '[package]\nname = "core"\nversion = "0.1.0"\n' \
  >"$D/ws/crates/core/Cargo.toml"
echo '' >"$D/ws/crates/core/src/lib.rs"

run_in "$D/ws" "$XRUST_TOOL" crate .
is "workspace: exits 0" "$rc" 0
like "workspace: name is the directory" "$T/out" '^NAME=ws$'
like "workspace: version from workspace.package" "$T/out" '^VERSION=2\.0\.0$'
like "workspace: bins of the default members" "$T/out" '^BINS=cli tool$'
like "workspace: every manifest" "$T/out" \
  "^MANIFESTS=$D/ws/Cargo.toml $D/ws/crates/cli/Cargo.toml $D/ws/crates/core/Cargo.toml $D/ws/crates/tool/Cargo.toml\$"
like "workspace: packages" "$T/out" '^PACKAGES=cli core tool$'
like "workspace: sources include the shared library" "$T/out" \
  "^SOURCES=.*$D/ws/crates/core/src/lib.rs"
like "workspace: the member glob's directory is an input" "$T/out" \
  "^INPUTS=.* $D/ws/crates $D/ws/crates/cli "

run_in "$D" "$XRUST_TOOL" crate ws/crates/cli CLI
is "member: exits 0" "$rc" 0
like "member: inherited version" "$T/out" '^CLI_VERSION=2\.0\.0$'
like "member: the root's lockfile" "$T/out" "^CLI_LOCK=$D/ws/Cargo.lock\$"
like "member: own bins only" "$T/out" '^CLI_BINS=cli$'
like "member: path dependency sources" "$T/out" \
  "^CLI_SOURCES=$D/ws/crates/cli/src/main.rs $D/ws/crates/core/src/lib.rs\$"

printf '[package]\nname = "x"\nversion = "1"\n[dependencies]\nfoo = { path = 3 }\n' \
  >"$D/one/Cargo.toml"
run_in "$D" "$XRUST_TOOL" crate one
is "bad manifest: exits 1" "$rc" 1
is "bad manifest: file, line and column" "$(cat "$T/err")" \
  "xrust: $D/one/Cargo.toml:5:16: 'path' must be a string"

printf '[package]\nname = "x"\nversion = 1.0.0\n' >"$D/one/Cargo.toml"
run_in "$D" "$XRUST_TOOL" crate one
is "invalid toml: exits 1" "$rc" 1
like "invalid toml: position" "$T/err" "^xrust: $D/one/Cargo.toml:3:"

run_in "$D" "$XRUST_TOOL" crate nowhere
is "missing: exits 1" "$rc" 1
like "missing: names the path" "$T/err" "^xrust: cannot read 'nowhere'"

run_in "$D" "$XRUST_TOOL" crate
is "usage: exits 2" "$rc" 2

done_testing
