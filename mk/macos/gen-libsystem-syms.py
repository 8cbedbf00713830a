#!/usr/bin/env python3
# Derives mk/macos/libSystem.syms, the symbols xrust's own text-based stub
# of libSystem exports when no Apple SDK is given, from public
# declarations only (never from Apple's SDK):
#
#   - the `extern` blocks of the libc crate's modules that apply to Apple
#     targets (src/unix/mod.rs, src/unix/bsd/mod.rs, src/unix/bsd/apple/**),
#     from Debian's librust-libc-dev and from the copy vendored in
#     rust-web-src (the one Rust's std is built with);
#   - the `extern "C"` and `extern "C-unwind"` blocks of Rust's own library
#     (rust-web-src's library/ std, alloc, core, unwind, panic_unwind,
#     backtrace), leaving out the folders of other platforms;
#   - the few runtime names the compiler or the linker emit without any
#     declaration (RUNTIME below).
#
# Each item's #[cfg(...)] and each #[cfg_attr(..., link_name = "...")] is
# evaluated for aarch64-apple-darwin and x86_64-apple-darwin; an item is
# kept when it applies to either, under the name it links with there
# (fstat$INODE64 on x86_64 and fstat on arm64 are both kept).  Conditions
# of enclosing cfg_if! branches are not evaluated, so the list errs on the
# side of a few names a Mac lacks; a link needing one fails at load time
# on the Mac instead of at link time here.
#
# Output: one Mach-O symbol name per line (C names get their leading
# underscore), sorted bytewise, after a header saying how it was made.
#
# usage: gen-libsystem-syms.py [--libc DIR]... [--library DIR] [-o OUT]
#   defaults: every /usr/share/cargo/registry/libc-*/ and the library/ of
#   /usr/lib/rustlib/src/rust.  Exit status 2 when a source is missing.
import argparse
import glob
import os
import re
import subprocess
import sys

RUNTIME = [
    # Declared nowhere as C, emitted by rustc, LLVM or ld64.
    "__Unwind_RaiseException", "__Unwind_Resume", "_bzero", "___bzero",
    "__tlv_bootstrap", "dyld_stub_binder", "_bcmp",
] + [
    # The C library calls LLVM lowers the float intrinsics of
    # core::intrinsics to (f64::sin, `%` on floats, ...): declared as
    # intrinsics, never as C.
    "_" + f + sfx
    for f in ("sin", "cos", "exp", "exp2", "log", "log2", "log10", "pow",
              "fma", "fmod", "floor", "ceil", "trunc", "round", "rint",
              "nearbyint", "fmin", "fmax")
    for sfx in ("", "f")
] + [
    # Darwin's forms of sin and cos together, and of exp10.
    "___sincos_stret", "___sincosf_stret", "___exp10", "___exp10f",
]

# The two Apple targets, as rustc's cfg sees them.
TARGETS = [
    {"target_os": "macos", "target_vendor": "apple", "target_family": "unix",
     "target_arch": arch, "target_pointer_width": "64",
     "target_endian": "little", "target_env": "", "target_abi": "",
     "panic": "unwind", "unix": True, "target_thread_local": True,
     "target_has_atomic": {"8", "16", "32", "64", "ptr"}}
    for arch in ("aarch64", "x86_64")
]

# Folders of Rust's library that belong to other platforms.
OTHER_PLATFORMS = re.compile(
    r"(^|[/_])(windows|wasi|wasm|hermit|sgx|uefi|solid|teeos|xous|zkvm|motor|"
    r"trusty|vexos|itron|fortanix|fuchsia|l4re|linux|android|horizon|vita|"
    r"nto|aix|illumos|solaris|redox|espidf|freebsd|netbsd|openbsd|"
    r"dragonfly|haiku|emscripten|emcc|seh|cygwin|libnx|gnu|musl|unsupported)"
    r"([_./]|$)")
# Symbols Rust's own crates define (panic runtime, outline atomics).
RUST_INTERNAL = re.compile(r"^__rust_")

LIBRARY_CRATES = ["std", "alloc", "core", "unwind", "panic_unwind",
                  "backtrace"]


def die(msg):
    sys.stderr.write("gen-libsystem-syms: %s\n" % msg)
    sys.exit(2)


def string_end(src, i):
    """Index of the '"' that closes the string opening at SRC[I] (len(SRC)
    when it does not close)."""
    i += 1
    while i < len(src) and src[i] != '"':
        i += 2 if src[i] == "\\" else 1
    return min(i, len(src))


def strip_comments(src):
    """The source with comments blanked and string contents kept."""
    out = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if src.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif src.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            out.append(" ")
        elif c == '"':
            j = string_end(src, i)
            out.append(src[i:j + 1])
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", src[i:i + 4]):
            m = re.match(r"'(\\.|[^\\'])'", src[i:i + 4])
            out.append("' '")
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def balanced(src, i, open_c, close_c):
    """Index just past the bracket that closes the one at SRC[I]."""
    depth = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c == '"':
            i = string_end(src, i)
        elif c == open_c:
            depth += 1
        elif c == close_c:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


# ------------------------------------------------------------ cfg


def split_args(s):
    """Top-level comma-separated parts of S."""
    parts, depth, cur, instr = [], 0, [], False
    for c in s:
        if instr:
            cur.append(c)
            if c == '"':
                instr = False
            continue
        if c == '"':
            instr = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(c)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return parts


def cfg_true(expr, t):
    """Evaluates a cfg predicate for target T (unknown names are false)."""
    expr = expr.strip()
    m = re.match(r"^(all|any|not)\s*\((.*)\)$", expr, re.S)
    if m:
        args = [cfg_true(a, t) for a in split_args(m.group(2))]
        if m.group(1) == "all":
            return all(args)
        if m.group(1) == "any":
            return any(args)
        return not args[0]
    m = re.match(r'^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"]*)"$', expr)
    if m:
        v = t.get(m.group(1))
        if isinstance(v, set):
            return m.group(2) in v
        return v == m.group(2)
    return t.get(expr) is True


def applies(attrs, t):
    for a in attrs:
        m = re.match(r"^cfg\s*\((.*)\)$", a, re.S)
        if m and not cfg_true(m.group(1), t):
            return False
    return True


def link_name(attrs, name, t):
    for a in attrs:
        m = re.match(r'^link_name\s*=\s*"([^"]*)"$', a)
        if m:
            name = m.group(1)
        m = re.match(r"^cfg_attr\s*\((.*)\)$", a, re.S)
        if m:
            parts = split_args(m.group(1))
            if len(parts) >= 2 and cfg_true(parts[0], t):
                for p in parts[1:]:
                    m2 = re.match(r'^link_name\s*=\s*"([^"]*)"$', p)
                    if m2:
                        name = m2.group(1)
    return name


# ------------------------------------------------------------ items

BLOCK = re.compile(r'\b(?:unsafe\s+)?extern\s*(?:"C(?:-unwind)?"\s*)?\{')
ITEM = re.compile(r"^(?:pub(?:\s*\([^)]*\))?\s+)?(?:(?:safe|unsafe)\s+)?"
                  r"(fn|static)\s+(?:mut\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def block_items(body):
    """(attrs, kind, name) of each item of an extern block's BODY."""
    i, n = 0, len(body)
    attrs = []
    while i < n:
        if body[i].isspace():
            i += 1
            continue
        if body.startswith("#[", i):
            j = balanced(body, i + 1, "[", "]")
            attrs.append(body[i + 2:j - 1].strip())
            i = j
            continue
        m = ITEM.match(body[i:])
        # The item ends at the first ';' outside brackets.
        j, depth = i, 0
        while j < n:
            c = body[j]
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            elif c == ";" and depth == 0:
                break
            j += 1
        if m:
            yield attrs, m.group(1), m.group(2)
        attrs = []
        i = j + 1


def open_braces(src):
    """For each '{' of SRC, the positions of the '{' enclosing it."""
    stack, marks = [], {}
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == '"':
            i = string_end(src, i)
        elif c == "{":
            marks[i] = list(stack)
            stack.append(i)
        elif c == "}" and stack:
            stack.pop()
        i += 1
    return marks


def header(src, b):
    """The item attributes and the text before the '{' at SRC[B]: back to
    the previous ';', '{' or '}'."""
    d = b - 1
    while d >= 0 and src[d] not in ";{}":
        d -= 1
    head = src[d + 1:b].strip()
    attrs = []
    while head.startswith("#["):
        j = balanced(head, 1, "[", "]")
        attrs.append(head[2:j - 1].strip())
        head = head[j:].strip()
    return attrs, head


def arm(head):
    """For a cfg_if! branch or cfg_select! arm: (condition or None for the
    default branch); "" when HEAD is neither."""
    m = re.match(r"^(?:else\s+)?if\s+#\[cfg\s*\((.*)\)\]$", head, re.S)
    if m:
        return m.group(1)
    if head == "else":
        return None
    m = re.match(r"^(.*)=>$", head, re.S)
    if m:
        return None if m.group(1).strip() == "_" else m.group(1)
    return ""


def header_cond(src, b, marks, t):
    """Whether the item, cfg_if! branch or cfg_select! arm that the '{' at
    SRC[B] opens applies to target T: its own cfg, and for a branch its
    condition and that no earlier branch of the same chain was taken."""
    attrs, head = header(src, b)
    if not applies(attrs, t):
        return False
    cond = arm(head)
    if cond == "":
        return True
    parent = marks[b]
    for sib in sorted(marks):
        if sib >= b:
            break
        if marks[sib] == parent:
            c = arm(header(src, sib)[1])
            if c and cfg_true(c, t):
                return False
    return cond is None or cfg_true(cond, t)


def file_symbols(path):
    with open(path, encoding="utf-8") as f:
        src = strip_comments(f.read())
    names = set()
    marks = open_braces(src)
    for m in BLOCK.finditer(src):
        brace = m.end() - 1
        outer = marks.get(brace, []) + [brace]
        end = balanced(src, brace, "{", "}")
        for attrs, _kind, name in block_items(src[m.end():end - 1]):
            if any(a.startswith("rustc_") for a in attrs):
                continue  # defined by the compiler itself
            for t in TARGETS:
                if (all(header_cond(src, b, marks, t) for b in outer) and
                        applies(attrs, t)):
                    names.add(link_name(attrs, name, t))
    return names


def libc_files(root):
    unix = os.path.join(root, "src", "unix")
    files = [os.path.join(unix, "mod.rs")]
    files += sorted(glob.glob(os.path.join(unix, "bsd", "*.rs")))
    for d, _dirs, fs in sorted(os.walk(os.path.join(unix, "bsd", "apple"))):
        files += sorted(os.path.join(d, f) for f in fs if f.endswith(".rs"))
    return files


def library_files(lib):
    files = []
    for crate in LIBRARY_CRATES:
        top = os.path.join(lib, crate)
        for d, dirs, fs in os.walk(top):
            dirs[:] = sorted(x for x in dirs
                             if x not in ("tests", "benches", "examples",
                                          "crates"))
            for f in sorted(fs):
                p = os.path.join(d, f)
                rel = os.path.relpath(p, lib)
                if f.endswith(".rs") and not OTHER_PLATFORMS.search(rel):
                    files.append(p)
    return files


def deb_version(pkg):
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                             capture_output=True, text=True, check=False)
        return out.stdout.strip() or "not installed"
    except OSError:
        return "unknown (no dpkg-query)"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--libc", action="append", default=None,
                    help="a libc crate's source directory (repeatable)")
    ap.add_argument("--library", default=None,
                    help="rust-web-src's library/ directory")
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args()

    library = a.library or "/usr/lib/rustlib/src/rust/library"
    if not os.path.isdir(os.path.join(library, "std")):
        die("'%s' is not Rust's library/ (install rust-web-src)" % library)
    libcs = a.libc
    if libcs is None:
        libcs = sorted(glob.glob("/usr/share/cargo/registry/libc-0.2.*"))
        libcs += sorted(glob.glob(os.path.join(library, "vendor",
                                               "libc-0.2.*")))
        if not any("/usr/share/cargo/" in p for p in libcs):
            die("no libc crate under /usr/share/cargo/registry "
                "(install librust-libc-dev)")
    names = set()
    for root in libcs:
        fs = libc_files(root)
        if not os.path.isfile(fs[0]):
            die("'%s' is not the libc crate's source" % root)
        for p in fs:
            names |= file_symbols(p)
    for p in library_files(library):
        # std's own link_name attributes name LLVM intrinsics or other
        # platforms' functions; its Apple externs use plain names.
        names |= {n for n in file_symbols(p)
                  if "." not in n and not RUST_INTERNAL.match(n)}
    syms = sorted({"_" + n for n in names} | set(RUNTIME),
                  key=lambda s: s.encode())

    header = [
        "# The symbols of xrust's own libSystem stub (no Apple SDK), one",
        "# Mach-O name per line.  Generated by mk/macos/gen-libsystem-syms.py",
        "# from public declarations; do not edit, regenerate:",
        "#   python3 mk/macos/gen-libsystem-syms.py -o mk/macos/libSystem.syms",
        "# Sources: the libc crate (%s), Rust's library/ (rust-web-src %s)"
        % (", ".join(os.path.basename(p.rstrip("/")) for p in libcs),
           deb_version("rust-web-src")),
        "# librust-libc-dev %s" % deb_version("librust-libc-dev"),
        "# %d symbols" % len(syms),
    ]
    text = "\n".join(header + syms) + "\n"
    if a.output == "-":
        sys.stdout.write(text)
    else:
        tmp = a.output + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, a.output)


if __name__ == "__main__":
    main()
