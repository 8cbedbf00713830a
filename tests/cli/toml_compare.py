#!/usr/bin/env python3
"""Compares decoder output with toml-test's expected tagged JSON.

Used by toml-conformance.sh, once for the whole suite.  Reads lines
"STATUS<TAB>NAME<TAB>EXPECTED.json<TAB>GOT.json" on stdin and prints, per
line, "ok<TAB>NAME" or "not ok<TAB>NAME<TAB>why".  The comparison follows
the upstream harness: same structure and keys, same types, strings and
integers as text, booleans case-insensitively, floats numerically (any NaN
equals any NaN), date-times as moments (spelling of T/Z, trailing
fractional zeros and equivalent offsets do not matter).
"""
import calendar
import json
import re
import sys
from fractions import Fraction

DATE = r"(\d{4})-(\d{2})-(\d{2})"
TIME = r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
RE = {
    "datetime": re.compile(
        "^" + DATE + "[Tt ]" + TIME + r"([Zz]|[+-]\d{2}:\d{2})$"),
    "datetime-local": re.compile("^" + DATE + "[Tt ]" + TIME + "$"),
    "date-local": re.compile("^" + DATE + "$"),
    "time-local": re.compile("^" + TIME + "$"),
}


def frac(digits):
    return Fraction(int(digits), 10 ** len(digits)) if digits else 0


def moment(kind, text):
    """A comparable value for a date-time, or None when unparsable."""
    m = RE[kind].match(text)
    if not m:
        return None
    g = m.groups()
    if kind == "date-local":
        return tuple(int(x) for x in g)
    if kind == "time-local":
        return tuple(int(x) for x in g[:3]) + (frac(g[3]),)
    fields = tuple(int(x) for x in g[:6]) + (frac(g[6]),)
    if kind == "datetime-local":
        return fields
    off = 0
    if g[7] not in ("Z", "z"):
        sign = -1 if g[7][0] == "-" else 1
        off = sign * (int(g[7][1:3]) * 3600 + int(g[7][4:6]) * 60)
    return calendar.timegm(fields[:6] + (0, 0, 0)) - off + fields[6]


def scalar(want, got, path):
    kind = want["type"]
    if got.get("type") != kind:
        return "%s: type %r, want %r" % (path, got.get("type"), kind)
    w, g = want["value"], got["value"]
    if kind == "float":
        try:
            fw, fg = float(w), float(g)
        except ValueError:
            return "%s: float %r, want %r" % (path, g, w)
        if fw != fw and fg != fg:
            return None
        return None if fw == fg else "%s: float %r, want %r" % (path, g, w)
    if kind in RE:
        mw, mg = moment(kind, w), moment(kind, g)
        if mg is None or mw != mg:
            return "%s: %s %r, want %r" % (path, kind, g, w)
        return None
    if kind == "bool":
        ok = w.lower() == g.lower()
    else:
        ok = w == g
    return None if ok else "%s: %s %r, want %r" % (path, kind, g, w)


def is_scalar(v):
    return (isinstance(v, dict) and set(v) == {"type", "value"}
            and isinstance(v["type"], str) and isinstance(v["value"], str))


def compare(want, got, path="$"):
    if is_scalar(want):
        if not is_scalar(got):
            return "%s: got %s, want a %s" % (path, json.dumps(got)[:60],
                                               want["type"])
        return scalar(want, got, path)
    if isinstance(want, dict):
        if not isinstance(got, dict) or is_scalar(got):
            return "%s: got %s, want a table" % (path, json.dumps(got)[:60])
        if set(want) != set(got):
            return "%s: keys %s, want %s" % (path, sorted(got), sorted(want))
        for k in want:
            why = compare(want[k], got[k], "%s.%s" % (path, k))
            if why:
                return why
        return None
    if isinstance(want, list):
        if not isinstance(got, list):
            return "%s: got %s, want an array" % (path, json.dumps(got)[:60])
        if len(want) != len(got):
            return "%s: %d elements, want %d" % (path, len(got), len(want))
        for i, (w, g) in enumerate(zip(want, got)):
            why = compare(w, g, "%s[%d]" % (path, i))
            if why:
                return why
        return None
    return "%s: unexpected expected value %r" % (path, want)


def check(status, expected, output):
    if status != "0":
        return "decoder exited with status %s" % status
    try:
        with open(expected, encoding="utf-8") as f:
            want = json.load(f)
    except (OSError, ValueError) as e:
        return "cannot read expected %s: %s" % (expected, e)
    try:
        with open(output, encoding="utf-8") as f:
            got = json.load(f)
    except (OSError, ValueError) as e:
        return "output is not valid JSON: %s" % e
    return compare(want, got)


def main():
    for line in sys.stdin:
        status, name, expected, output = line.rstrip("\n").split("\t")
        why = check(status, expected, output)
        if why:
            print("not ok\t%s\t%s" % (name, why.replace("\t", " ")))
        else:
            print("ok\t%s" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
