#!/bin/sh
# TOML 1.0 conformance: every case of toml-test's valid/ and invalid/
# directories (the copy in tests/toml-test, see its README.md, or the
# suite at $XRUST_TOML_TEST) goes through `xrust toml-json`, one TAP line
# per case.  Valid cases must exit 0 with JSON matching the expected file
# (compared by toml_compare.py, one Python process for the whole suite);
# invalid cases must exit exactly 1 with a "<stdin>:LINE:COLUMN: message"
# error, so a crash never passes.

. "$(dirname "$0")/../lib.sh"

suite=${XRUST_TOML_TEST:-$XRUST_ROOT/tests/toml-test}
# The counts of the copy in tests/toml-test (its README.md says where they
# come from); a case lost on the way fails here rather than going unrun.
want_valid=210
want_invalid=499
if [ ! -d "$suite/valid" ] || [ ! -d "$suite/invalid" ]; then
  not_ok "the toml-test suite is at $suite"
  done_testing
  exit 1
fi
tab=$(printf '\t')

# Valid cases: run the decoder on each, then compare all in one go.
(cd "$suite" && find valid -name '*.toml' | LC_ALL=C sort) >"$T/valid"
i=0
: >"$T/runs"
while IFS= read -r f; do
  i=$((i + 1))
  "$XRUST_TOOL" toml-json <"$suite/$f" >"$T/v$i.json" 2>"$T/v$i.err"
  echo "$?$tab$f$tab$suite/${f%.toml}.json$tab$T/v$i.json" >>"$T/runs"
done <"$T/valid"

if command -v python3 >/dev/null 2>&1; then
  python3 "$XRUST_ROOT/tests/cli/toml_compare.py" <"$T/runs" >"$T/cmp"
  while IFS="$tab" read -r status name why; do
    if [ "$status" = ok ]; then
      ok "$name"
    else
      not_ok "$name"
      diag "$why"
    fi
  done <"$T/cmp"
  [ "$(wc -l <"$T/cmp")" -eq "$i" ] || not_ok "comparator answered all $i"
else
  while IFS="$tab" read -r status name exp got; do
    skip "$name" "python3 not found to compare JSON"
  done <"$T/runs"
fi

# Invalid cases: status 1 and a positioned message, nothing else.
(cd "$suite" && find invalid -name '*.toml' | LC_ALL=C sort) >"$T/invalid"
if [ -z "${XRUST_TOML_TEST:-}" ]; then
  is "tests/toml-test has $want_valid valid and $want_invalid invalid cases" \
    "$i $(wc -l <"$T/invalid" | tr -d ' ')" "$want_valid $want_invalid"
fi
while IFS= read -r f; do
  "$XRUST_TOOL" toml-json <"$suite/$f" >"$T/out" 2>"$T/err"
  rc=$?
  line=
  IFS= read -r line <"$T/err"
  case $rc:$line in
    "1:<stdin>:"[0-9]*:[0-9]*": "?*)
      ok "$f" ;;
    0:*)
      not_ok "$f"
      diag "accepted invalid input" ;;
    *)
      not_ok "$f"
      diag "exit status $rc, stderr: $line" ;;
  esac
done <"$T/invalid"

done_testing
