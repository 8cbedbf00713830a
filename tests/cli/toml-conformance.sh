#!/bin/sh
# TOML 1.0 conformance: every case of toml-test's valid/ and invalid/
# directories (../shared/conformance/toml-test, or $XRUST_TOML_TEST) goes
# through `xrust toml-json`, one TAP line per case.  Valid cases must exit
# 0 with JSON matching the expected file (compared by toml_compare.py, one
# Python process for the whole suite); invalid cases must exit exactly 1
# with a "<stdin>:LINE:COLUMN: message" error, so a crash never passes.

. "$(dirname "$0")/../lib.sh"

suite=${XRUST_TOML_TEST:-$XRUST_ROOT/../shared/conformance/toml-test}
if [ ! -d "$suite/valid" ] || [ ! -d "$suite/invalid" ]; then
  skip "toml-test conformance" "suite not found at $suite"
  done_testing
  exit
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
