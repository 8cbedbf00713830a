#!/bin/sh
# xrust-test: no-sanitize
# The output rules of `make demo` and of the deps step of `make demo` and
# `make check`: a step is one line on the terminal, its output goes to the
# log, and a failure shows the log's last lines and its path
# (examples/demo.sh's step, tests/deps.sh with a fake apt-get); `file`
# descriptions are wrapped between words, never inside one.
. "$(dirname "$0")/../lib.sh"

# The functions of examples/demo.sh, without running it.
XRUST_DEMO_LIB=1 . "$XRUST_ROOT/examples/demo.sh"
log=$T/demo.log

# wrap: words kept whole and in order, indented, within the width unless a
# word alone is wider.
long=$(printf 'x%.0s' $(seq 1 70))
desc="ELF 64-bit LSB pie executable, x86-64, version 1 (SYSV), static-pie linked, BuildID[sha1]=0123456789abcdef0123456789abcdef01234567, not stripped, $long end"
printf '%s\n' "$desc" | wrap 21 79 >"$T/wrapped"
is "wrap keeps every word whole and in order" \
  "$(tr -s ' \n' '  ' <"$T/wrapped" | sed 's/^ //; s/ $//')" "$desc"
is "every wrapped line is indented by 21 columns" \
  "$(grep -cv '^                     [^ ]' "$T/wrapped")" 0
is "lines stay within 79 columns unless one word is wider" \
  "$(awk 'length($0) > 79 && NF > 1' "$T/wrapped" | wc -l | tr -d ' ')" 0
check "the over-long word has a line of its own" \
  grep -qx "                     $long" "$T/wrapped"
if [ -x "$XRUST_TOOL" ] && command -v file >/dev/null 2>&1; then
  file -b "$XRUST_TOOL" | wrap 21 79 >"$T/file"
  is "a real file description wraps the same way" \
    "$(tr -s ' \n' '  ' <"$T/file" | sed 's/^ //; s/ $//')" \
    "$(file -b "$XRUST_TOOL" | tr -s ' ' ' ')"
fi

# step: one line however much the command prints.
step "a step that talks" sh -c 'seq 1300; echo to stderr >&2' \
  >"$T/out" 2>&1
is "a step that succeeds shows one line" "$(cat "$T/out")" \
  "==> a step that talks"
like "its output is in the log" "$log" '^1300$'
like "its standard error too" "$log" '^to stderr$'
step "a step that fails" sh -c 'seq 500; exit 3' >"$T/out" 2>"$T/err"
is "a failed step returns the command's status" "$?" 3
is "it shows one line on stdout" "$(cat "$T/out")" "==> a step that fails"
like "its stderr names the log" "$T/err" \
  "^demo: a step that fails: failed \(status 3\); the whole output is in $(re "$log")$"
like "and shows the log's last lines" "$T/err" '^    500$'
check "at most 16 lines of it" test "$(wc -l <"$T/err")" -le 16

# tests/deps.sh: nothing to install, nothing printed.
XRUST_DEPS_PKGS=dpkg XRUST_DEPS_LOG=$T/deps.log sh "$XRUST_ROOT/tests/deps.sh" \
  >"$T/out" 2>&1
is "deps with everything installed exits 0" "$?" 0
is "and prints nothing" "$(cat "$T/out")" ""

# A fake apt-get that prints as much as a real installation.
cat >"$T/apt-get" <<'EOF'
#!/bin/sh
echo "apt-get $*" >>"$APT_ARGS"
seq 1300
[ "${APT_FAIL:-0}" = 0 ] || { echo "E: Unable to locate package" >&2; exit 100; }
EOF
chmod +x "$T/apt-get"
deps() {
  APT_GET=$T/apt-get APT_ARGS=$T/apt.args XRUST_DEPS_LOG=$T/deps.log \
    XRUST_DEPS_PKGS=xrust-no-such-package "$@" \
    sh "$XRUST_ROOT/tests/deps.sh" >"$T/out" 2>&1
  rc=$?
}
if [ "$(id -u)" = 0 ]; then
  deps env
  is "deps installing exits 0" "$rc" 0
  is "and shows one line naming the log" "$(cat "$T/out")" \
    "  DEPS    installing: xrust-no-such-package (log: $T/deps.log)"
  like "apt-get's output is in the log" "$T/deps.log" '^1300$'
  like "apt-get installs what is missing" "$T/apt.args" \
    '^apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends xrust-no-such-package$'
  deps env APT_FAIL=1
  is "deps whose apt-get fails exits 1" "$rc" 1
  like "and names the log" "$T/out" \
    "^deps: installing the packages failed; the whole output is in $(re "$T/deps.log")$"
  like "after apt-get's last lines" "$T/out" '^    E: Unable to locate package$'
  check "in at most 17 lines" test "$(wc -l <"$T/out")" -le 17
else
  deps env
  is "deps as a user exits 1" "$rc" 1
  like "and says what to install" "$T/out" \
    '^deps: missing Debian packages: xrust-no-such-package$'
fi

done_testing
