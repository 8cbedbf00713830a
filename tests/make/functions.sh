#!/bin/sh
# xrust-test: no-sanitize
# Make-level tests of $(rust-target), $(rust-cc-target), $(rust-toml) and
# $(rust-sha256): the values they expand to and every error, reported as
# "Makefile:N: *** xrust: ... Stop." at the user's line.
. "$(dirname "$0")/../lib.sh"

mk=$XRUST_ROOT/mk/xrust.mk
p=$T/p
mkdir -p "$p"

# expand EXPR: runs a Makefile that prints $(EXPR) between brackets.
expand() {
  printf 'XRUST_NO_RULES := 1\ninclude %s\n$(info [%s])\nall: ; @:\n' \
    "$mk" "$1" >"$p/Makefile"
  mk_run "$p"
}

for pair in x86_64-linux:x86_64-unknown-linux-musl \
            aarch64-linux:aarch64-unknown-linux-musl \
            x86_64-darwin:x86_64-apple-darwin \
            aarch64-darwin:aarch64-apple-darwin \
            x86_64-linux-gnu:x86_64-unknown-linux-gnu \
            aarch64-linux-gnu:aarch64-unknown-linux-gnu \
            x86_64-windows:x86_64-pc-windows-gnu \
            armv7-linux:armv7-unknown-linux-musleabihf \
            riscv64-linux:riscv64gc-unknown-linux-musl \
            riscv64gc-unknown-linux-musl:riscv64gc-unknown-linux-musl \
            thumbv7em-none-eabihf:thumbv7em-none-eabihf; do
  expand "\$(rust-target ${pair%%:*})"
  is "rust-target ${pair%%:*}" "$rc:$(cat "$T/out")" "0:[${pair#*:}]"
done
expand '$(rust-target host)'
is "rust-target host is this machine" "$(cat "$T/out")" \
  "[$(uname -m)-unknown-linux-gnu]"
expand '$(rust-target  aarch64-linux )'
is "rust-target trims white space" "$(cat "$T/out")" \
  "[aarch64-unknown-linux-musl]"
for bad in nonsense x86_64 'Linux-x-y' 'a--b-c'; do
  expand "\$(rust-target $bad)"
  is "rust-target '$bad' stops make" "$rc" 2
  like "rust-target '$bad' names the target at the user's line" "$T/err" \
    "^Makefile:3: \*\*\* xrust: unknown target '$bad' \(known: "
done

# $(rust-cc-target CTRIPLE[,LIBC]): the C compiler's target, as
# $(CC) -dumpmachine prints it, to the Rust triple.
for pair in x86_64-linux-gnu:x86_64-unknown-linux-gnu \
            x86_64-redhat-linux:x86_64-unknown-linux-gnu \
            x86_64-alpine-linux-musl:x86_64-unknown-linux-musl \
            aarch64-linux-gnu:aarch64-unknown-linux-gnu \
            arm-linux-gnueabihf:armv7-unknown-linux-gnueabihf \
            riscv64-linux-gnu:riscv64gc-unknown-linux-gnu \
            x86_64-w64-mingw32:x86_64-pc-windows-gnu \
            arm64-apple-darwin23.1.0:aarch64-apple-darwin \
            x86_64-unknown-freebsd14.0:x86_64-unknown-freebsd; do
  expand "\$(rust-cc-target ${pair%%:*})"
  is "rust-cc-target ${pair%%:*}" "$rc:$(cat "$T/out")" "0:[${pair#*:}]"
done
expand '$(rust-cc-target  aarch64-linux-musl )'
is "rust-cc-target trims white space" "$rc:$(cat "$T/out")" \
  "0:[aarch64-unknown-linux-musl]"
expand '$(rust-cc-target $(shell cc -dumpmachine))'
is "rust-cc-target of cc -dumpmachine is this machine" \
  "$rc:$(cat "$T/out")" "0:[$(uname -m)-unknown-linux-gnu]"
expand '$(rust-cc-target x86_64-linux-gnu,musl)'
is "rust-cc-target with musl as the C library" "$rc:$(cat "$T/out")" \
  "0:[x86_64-unknown-linux-musl]"
# Debian's armhf triple is ARMv7, with musl too (armv7-linux).
expand '$(rust-cc-target arm-linux-gnueabihf, musl )'
is "rust-cc-target trims the C library" "$rc:$(cat "$T/out")" \
  "0:[armv7-unknown-linux-musleabihf]"
expand '$(rust-cc-target x86_64-linux-gnu,glibc)'
is "rust-cc-target with an unknown C library stops make" "$rc" 2
like "rust-cc-target names the unknown C library" "$T/err" \
  "^Makefile:3: \*\*\* xrust: unknown C library 'glibc' \(expected gnu or musl\)\.  Stop\.$"
expand '$(rust-cc-target )'
is "rust-cc-target of nothing stops make" "$rc" 2
like "rust-cc-target of nothing says so and names XRUST_TARGET" "$T/err" \
  "^Makefile:3: \*\*\* xrust: empty C compiler target \(expected what \\\$\(CC\) -dumpmachine prints, e\.g\. x86_64-linux-gnu\); set XRUST_TARGET to the Rust triple\.  Stop\.$"
expand '$(rust-cc-target $(shell false))'
is "rust-cc-target of a compiler that printed nothing stops make" "$rc" 2
# The error is raised at the line that calls the function, in the file
# that holds it, with $(CC) verbatim.
cat >"$p/Makefile" <<EOF2
XRUST_NO_RULES := 1
include $mk
CC := arm-none-eabi-gcc

t := \$(or \$(XRUST_TARGET),\$(rust-cc-target arm-none-eabi))
\$(info [\$(t)])
all: ; @:
EOF2
mk_run "$p"
is "rust-cc-target arm-none-eabi stops make" "$rc" 2
like "rust-cc-target names the C triple and XRUST_TARGET at its line" \
  "$T/err" \
  "^Makefile:5: \*\*\* xrust: no Rust target for the C compiler's target 'arm-none-eabi' \(\\\$\(CC\) -dumpmachine\); set XRUST_TARGET to the Rust triple\.  Stop\.$"
mk_run "$p" XRUST_TARGET=thumbv7em-none-eabihf
is "XRUST_TARGET spares the call" "$rc:$(cat "$T/out")" \
  "0:[thumbv7em-none-eabihf]"
printf 'XRUST_NO_RULES := 1\ninclude %s\ninclude cc.mk\nall: ; @:\n' \
  "$mk" >"$p/Makefile"
printf '# the target\nt := $(rust-cc-target x86_64-linux-gnu)\n%s\n' \
  'u := $(rust-cc-target avr)' >"$p/cc.mk"
mk_run "$p"
like "rust-cc-target fails at its line of an included file" "$T/err" \
  "^cc\.mk:3: \*\*\* xrust: no Rust target for the C compiler's target 'avr' "

cat >"$p/Cargo.toml" <<'EOF2'
[package]
name = "hello"
version = "0.3.1"
edition = "2021"
keywords = ["cli", "make"]
"odd key" = "quoted"

[dependencies]
serde = { version = "1", features = ["derive"] }
regex = "1.10"

[profile.release]
opt-level = 3
lto = true
strip = 'symbols'
codegen-units = 0x10
EOF2
expand '$(rust-toml Cargo.toml,package.name)'
is "rust-toml string" "$(cat "$T/out")" "[hello]"
expand '$(rust-toml Cargo.toml, package.version)'
is "rust-toml trims the key" "$(cat "$T/out")" "[0.3.1]"
expand '$(rust-toml Cargo.toml,package.keywords)'
is "rust-toml array as words" "$(cat "$T/out")" "[cli make]"
expand '$(rust-toml Cargo.toml,package."odd key")'
is "rust-toml quoted key segment" "$(cat "$T/out")" "[quoted]"
expand '$(rust-toml Cargo.toml,dependencies.serde.features)'
is "rust-toml inline table path" "$(cat "$T/out")" "[derive]"
expand '$(rust-toml Cargo.toml,dependencies)'
is "rust-toml table gives its keys" "$(cat "$T/out")" "[serde regex]"
expand '$(rust-toml Cargo.toml,profile.release.opt-level)'
is "rust-toml integer as written" "$(cat "$T/out")" "[3]"
expand '$(rust-toml Cargo.toml,profile.release.codegen-units)'
is "rust-toml hex integer as written" "$(cat "$T/out")" "[0x10]"
expand '$(rust-toml Cargo.toml,profile.release.lto)'
is "rust-toml boolean" "$(cat "$T/out")" "[true]"
expand '$(rust-toml Cargo.toml,profile.release.strip)'
is "rust-toml literal string" "$(cat "$T/out")" "[symbols]"
expand '$(rust-toml Cargo.toml,package.missing)'
is "rust-toml missing key is empty" "$rc:$(cat "$T/out")" "0:[]"
expand '$(rust-toml Cargo.toml,nothing.here.at.all)'
is "rust-toml missing table is empty" "$rc:$(cat "$T/out")" "0:[]"
expand '$(rust-toml missing.toml,package.name)'
is "rust-toml missing file stops make" "$rc" 2
like "rust-toml missing file is named" "$T/err" \
  "^Makefile:3: \*\*\* xrust: cannot open 'missing.toml': No such file or directory\.  Stop\.$"

printf '[package]\nname = "x"\nversion = 1.2.3\n' >"$p/bad.toml"
expand '$(rust-toml bad.toml,package.name)'
is "rust-toml invalid toml stops make" "$rc" 2
like "rust-toml error names file, line and column" "$T/err" \
  "^Makefile:3: \*\*\* xrust: bad\.toml:3:[0-9]+: .*Stop\.$"
printf '[a]\nx = 1\n[a]\ny = 2\n' >"$p/dup.toml"
expand '$(rust-toml dup.toml,a.x)'
like "rust-toml duplicate table error at its line" "$T/err" \
  "^Makefile:3: \*\*\* xrust: dup\.toml:3:[0-9]+: "
expand '$(rust-toml Cargo.toml,package..name)'
is "rust-toml malformed key stops make" "$rc" 2

printf 'hello\n' >"$p/data"
expand '$(rust-sha256 data)'
is "rust-sha256 matches sha256sum" "$(cat "$T/out")" \
  "[$(sha256sum "$p/data" | cut -c1-64)]"
head -c 20000000 /dev/urandom >"$p/big"
expand '$(rust-sha256 big)'
is "rust-sha256 of a 20 MB file" "$(cat "$T/out")" \
  "[$(sha256sum "$p/big" | cut -c1-64)]"
expand '$(rust-sha256 nope)'
is "rust-sha256 missing file stops make" "$rc" 2
like "rust-sha256 missing file is named" "$T/err" \
  "^Makefile:3: \*\*\* xrust: cannot open 'nope': No such file or directory\.  Stop\.$"

# $(rust-filechk FILE,TEXT) rewrites FILE only when TEXT differs.
expand '$(rust-filechk rec,a  b=c)'
is "rust-filechk writes a new record" "$rc:$(cat "$T/out")" "0:[changed]"
is "the record holds the text and a newline" "$(od -An -c "$p/rec" | tr -s ' ')" \
  " a b = c \\n"
touch -d @1000000000 "$p/rec"
expand '$(rust-filechk rec,a  b=c)'
is "the same text leaves the record alone" "$rc:$(cat "$T/out")" "0:[]"
is "its time is unchanged" "$(stat -c %Y "$p/rec")" 1000000000
expand '$(rust-filechk rec,a b=c)'
is "a different text rewrites it" "$(cat "$T/out")" "[changed]"
expand '$(rust-filechk nodir/rec,x)'
is "an unwritable record stops make" "$rc" 2
like "the unwritable record is named" "$T/err" \
  "xrust: cannot create a temporary file for 'nodir/rec': No such file"

# Errors raised while a recipe is expanded point at the recipe's line, and
# a message full of Make syntax reaches the user verbatim.
cat >"$p/Makefile" <<EOF2
XRUST_NO_RULES := 1
include $mk

all:
	@echo start
	@echo \$(rust-target x\$\$y(z),w)
EOF2
mk_run "$p"
is "recipe error stops make" "$rc" 2
like "recipe error keeps Make syntax in the message verbatim" "$T/err" \
  "xrust: unknown target 'x\\\$y\(z\),w' \(known:"
like "recipe error names the recipe line" "$T/err" "^Makefile:6: \*\*\* "

done_testing
