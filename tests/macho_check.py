#!/usr/bin/env python3
# Structural checks of a macOS executable, thin or universal (fat), for the
# tests: nothing here can run a Mac binary, so this checks what macOS's
# loader and kernel check first.  For each slice:
#
#   - the header: 64-bit little-endian Mach-O magic, an executable, the
#     expected CPU type (--arch, repeatable; a fat file must hold exactly
#     the listed ones);
#   - LC_MAIN; LC_LOAD_DYLINKER /usr/lib/dyld;
#   - LC_BUILD_VERSION with platform macOS, or LC_VERSION_MIN_MACOSX when
#     the minimum is below 10.14 (as ld64 and lld choose), with the
#     expected minimum (--minos V or --minos ARCH=V);
#   - the dylibs loaded: exactly --dylibs (comma-separated, default
#     /usr/lib/libSystem.B.dylib), in any order;
#   - every imported symbol bound to one of those dylibs: the library
#     ordinals of the undefined symbols of LC_SYMTAB, of the bind opcodes of
#     LC_DYLD_INFO and of the imports of LC_DYLD_CHAINED_FIXUPS;
#   - LC_CODE_SIGNATURE, required on arm64 (checked wherever present): a
#     CodeDirectory whose page hashes (SHA-1 or SHA-256, page size from the
#     directory) match the file up to the signature, recomputed here, as do
#     the hashes of the other blobs it names (special slots);
#   - with --slice-of FILE (repeatable), the slice of FILE's CPU is
#     byte-identical to FILE.
#
# Prints one line per slice on success ("PATH: arm64: ..." saying what was
# verified), one line per failed check on stderr otherwise, and exits 1 if
# any check failed (2 for bad usage or an unreadable file).  Python 3
# standard library only.
import argparse
import hashlib
import struct
import sys

MH_MAGIC_64 = 0xfeedfacf
FAT_MAGIC = 0xcafebabe
MH_EXECUTE = 2
CPUS = {0x01000007: "x86_64", 0x0100000c: "arm64"}
CPU_BY_NAME = {v: k for k, v in CPUS.items()}

LC_SYMTAB = 0x2
LC_LOAD_DYLIB = 0xc
LC_LOAD_DYLINKER = 0xe
LC_CODE_SIGNATURE = 0x1d
LC_LAZY_LOAD_DYLIB = 0x20
LC_DYLD_INFO = 0x22
LC_VERSION_MIN_MACOSX = 0x24
LC_BUILD_VERSION = 0x32
LC_LOAD_WEAK_DYLIB = 0x80000018
LC_REEXPORT_DYLIB = 0x8000001f
LC_DYLD_INFO_ONLY = 0x80000022
LC_LOAD_UPWARD_DYLIB = 0x80000023
LC_MAIN = 0x80000028
LC_DYLD_CHAINED_FIXUPS = 0x80000034
DYLIB_CMDS = (LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB,
              LC_LAZY_LOAD_DYLIB, LC_LOAD_UPWARD_DYLIB)
PLATFORM_MACOS = 1

CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0
CSMAGIC_CODEDIRECTORY = 0xfade0c02
CSSLOT_CODEDIRECTORY = 0
CS_HASHTYPE = {1: ("sha1", 20), 2: ("sha256", 32)}


class Slice:
    def __init__(self, path, data, cpu):
        self.path, self.data, self.cpu = path, data, cpu
        self.errors = []
        self.notes = []

    def fail(self, msg):
        self.errors.append("%s (%s): %s" % (self.path, self.cpu, msg))


def parse_version(text):
    parts = [int(p) for p in text.split(".")]
    if not 1 <= len(parts) <= 3 or any(p < 0 or p > 255 for p in parts[1:]):
        raise ValueError(text)
    parts += [0] * (3 - len(parts))
    return parts[0] << 16 | parts[1] << 8 | parts[2]


def show_version(v):
    s = "%d.%d" % (v >> 16, (v >> 8) & 0xff)
    return s + (".%d" % (v & 0xff) if v & 0xff else "")


def cstr(data, off):
    end = data.find(b"\0", off)
    return data[off:end if end >= 0 else len(data)].decode("utf-8",
                                                           "replace")


def uleb(data, i):
    v = shift = 0
    while True:
        b = data[i]
        i += 1
        v |= (b & 0x7f) << shift
        shift += 7
        if not b & 0x80:
            return v, i


def bind_ordinals(data, off, size, lazy):
    """(ordinal, symbol) of every bind of a dyld-info bind stream."""
    out = []
    i, end = off, off + size
    ordinal, name = 0, ""
    while i < end:
        b = data[i]
        i += 1
        op, imm = b & 0xf0, b & 0x0f
        if op == 0x00:            # DONE
            if not lazy:
                break
        elif op == 0x10:          # SET_DYLIB_ORDINAL_IMM
            ordinal = imm
        elif op == 0x20:          # SET_DYLIB_ORDINAL_ULEB
            ordinal, i = uleb(data, i)
        elif op == 0x30:          # SET_DYLIB_SPECIAL_IMM
            ordinal = (imm | 0xf0) - 0x100 if imm else 0
        elif op == 0x40:          # SET_SYMBOL_TRAILING_FLAGS_IMM
            name = cstr(data, i)
            i += len(name.encode()) + 1
        elif op == 0x50:          # SET_TYPE_IMM
            pass
        elif op in (0x60, 0x80):  # SET_ADDEND_SLEB, ADD_ADDR_ULEB
            _, i = uleb(data, i)
        elif op == 0x70:          # SET_SEGMENT_AND_OFFSET_ULEB
            _, i = uleb(data, i)
        elif op in (0x90, 0xb0):  # DO_BIND, DO_BIND_ADD_ADDR_IMM_SCALED
            out.append((ordinal, name))
        elif op == 0xa0:          # DO_BIND_ADD_ADDR_ULEB
            _, i = uleb(data, i)
            out.append((ordinal, name))
        elif op == 0xc0:          # DO_BIND_ULEB_TIMES_SKIPPING_ULEB
            _, i = uleb(data, i)
            _, i = uleb(data, i)
            out.append((ordinal, name))
        else:
            raise ValueError("unknown bind opcode 0x%02x" % b)
    return out


def chained_imports(data, off):
    """(ordinal, symbol) of the imports of LC_DYLD_CHAINED_FIXUPS."""
    (_ver, _starts, imports_off, symbols_off, count, fmt,
     _sfmt) = struct.unpack_from("<7I", data, off)
    out = []
    for k in range(count):
        if fmt == 1:
            v, = struct.unpack_from("<I", data, off + imports_off + 4 * k)
            ordinal, name_off = v & 0xff, v >> 9
            if ordinal > 0xf0:
                ordinal -= 0x100
        elif fmt == 2:
            v, = struct.unpack_from("<I", data, off + imports_off + 8 * k)
            ordinal, name_off = v & 0xff, v >> 9
            if ordinal > 0xf0:
                ordinal -= 0x100
        elif fmt == 3:
            v, name_off = struct.unpack_from("<II", data,
                                             off + imports_off + 16 * k)
            ordinal = v & 0xffff
            if ordinal > 0xfff0:
                ordinal -= 0x10000
        else:
            raise ValueError("unknown chained imports format %d" % fmt)
        out.append((ordinal, cstr(data, off + symbols_off + name_off)))
    return out


def check_signature(s, dataoff, datasize):
    d = s.data
    if dataoff + datasize > len(d):
        s.fail("LC_CODE_SIGNATURE runs past the end of the file")
        return
    magic, _length, count = struct.unpack_from(">III", d, dataoff)
    if magic != CSMAGIC_EMBEDDED_SIGNATURE:
        s.fail("code signature magic 0x%08x, expected 0x%08x"
               % (magic, CSMAGIC_EMBEDDED_SIGNATURE))
        return
    blobs = {}
    for k in range(count):
        typ, boff = struct.unpack_from(">II", d, dataoff + 12 + 8 * k)
        blobs[typ] = dataoff + boff
    if CSSLOT_CODEDIRECTORY not in blobs:
        s.fail("code signature without a CodeDirectory")
        return
    cd = blobs[CSSLOT_CODEDIRECTORY]
    (magic, _cdlen, _version, flags, hash_off, _ident_off, n_special,
     n_code, code_limit, hash_size, hash_type, _platform,
     page_log) = struct.unpack_from(">9I4B", d, cd)
    if magic != CSMAGIC_CODEDIRECTORY:
        s.fail("CodeDirectory magic 0x%08x" % magic)
        return
    if hash_type not in CS_HASHTYPE or \
            CS_HASHTYPE[hash_type][1] != hash_size:
        s.fail("CodeDirectory hash type %d, size %d" % (hash_type,
                                                         hash_size))
        return
    algo = CS_HASHTYPE[hash_type][0]
    if code_limit != dataoff:
        s.fail("CodeDirectory covers %d bytes, the signature starts at %d"
               % (code_limit, dataoff))
    page = 1 << page_log if page_log else code_limit
    want = (code_limit + page - 1) // page
    if n_code != want:
        s.fail("CodeDirectory has %d page hashes, %d bytes at %d per page "
               "need %d" % (n_code, code_limit, page, want))
    bad = []
    for k in range(min(n_code, want)):
        chunk = d[k * page:min((k + 1) * page, code_limit)]
        got = hashlib.new(algo, chunk).digest()
        slot = d[cd + hash_off + k * hash_size:
                 cd + hash_off + (k + 1) * hash_size]
        if got != slot:
            bad.append(k)
    if bad:
        s.fail("%d of %d page hashes do not match the file (first: page %d "
               "at offset %d)" % (len(bad), n_code, bad[0], bad[0] * page))
    for typ, boff in blobs.items():
        if typ == CSSLOT_CODEDIRECTORY or typ > n_special or \
                typ >= 0x1000:
            continue
        _m, blen = struct.unpack_from(">II", d, boff)
        slot = d[cd + hash_off - typ * hash_size:
                 cd + hash_off - (typ - 1) * hash_size]
        if hashlib.new(algo, d[boff:boff + blen]).digest() != slot:
            s.fail("the hash of signature blob %d does not match" % typ)
    if not bad and code_limit == dataoff:
        s.notes.append("signature %s %d pages of %d%s" % (
            algo, n_code, page, " ad hoc" if flags & 0x2 else ""))


def check_slice(s, a):
    d = s.data
    if len(d) < 32:
        s.fail("too short for a Mach-O header")
        return
    (magic, cputype, _sub, filetype, ncmds, sizeofcmds, _flags,
     _r) = struct.unpack_from("<8I", d, 0)
    if magic != MH_MAGIC_64:
        s.fail("magic 0x%08x, expected 0x%08x (64-bit Mach-O)"
               % (magic, MH_MAGIC_64))
        return
    if filetype != MH_EXECUTE:
        s.fail("file type %d, expected %d (an executable)"
               % (filetype, MH_EXECUTE))
    if 32 + sizeofcmds > len(d):
        s.fail("load commands run past the end of the file")
        return
    found = {}
    dylibs, binds = [], []
    sig = None
    off = 32
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", d, off)
        if size < 8 or off + size > 32 + sizeofcmds:
            s.fail("load command 0x%x at %d has a bad size %d"
                   % (cmd, off, size))
            return
        found.setdefault(cmd, []).append(off)
        if cmd in DYLIB_CMDS:
            name_off, = struct.unpack_from("<I", d, off + 8)
            dylibs.append(cstr(d, off + name_off))
        elif cmd == LC_CODE_SIGNATURE:
            sig = struct.unpack_from("<II", d, off + 8)
        elif cmd in (LC_DYLD_INFO, LC_DYLD_INFO_ONLY):
            f = struct.unpack_from("<10I", d, off + 8)
            binds += bind_ordinals(d, f[2], f[3], False)
            binds += bind_ordinals(d, f[4], f[5], False)
            binds += bind_ordinals(d, f[6], f[7], True)
        elif cmd == LC_DYLD_CHAINED_FIXUPS:
            dataoff, _size = struct.unpack_from("<II", d, off + 8)
            binds += chained_imports(d, dataoff)
        elif cmd == LC_SYMTAB:
            symoff, nsyms, stroff, _ = struct.unpack_from("<4I", d, off + 8)
            for k in range(nsyms):
                strx, typ, _sect, desc, _v = struct.unpack_from(
                    "<IBBHQ", d, symoff + 16 * k)
                # Undefined external symbols carry their library ordinal.
                if typ & 0x0e == 0 and typ & 0x01 and not typ & 0xe0:
                    ordinal = (desc >> 8) & 0xff
                    if ordinal > 0xf0:
                        ordinal -= 0x100
                    binds.append((ordinal, cstr(d, stroff + strx)))
        off += size

    if LC_MAIN not in found:
        s.fail("no LC_MAIN")
    ld = found.get(LC_LOAD_DYLINKER, [])
    if len(ld) != 1:
        s.fail("%d LC_LOAD_DYLINKER commands, expected 1" % len(ld))
    else:
        name_off, = struct.unpack_from("<I", d, ld[0] + 8)
        if cstr(d, ld[0] + name_off) != "/usr/lib/dyld":
            s.fail("LC_LOAD_DYLINKER %s, expected /usr/lib/dyld"
                   % cstr(d, ld[0] + name_off))

    want_min = a.minos_for(s.cpu)
    bv = found.get(LC_BUILD_VERSION, [])
    vm = found.get(LC_VERSION_MIN_MACOSX, [])
    if len(bv) + len(vm) != 1:
        s.fail("%d LC_BUILD_VERSION and %d LC_VERSION_MIN_MACOSX commands, "
               "expected one of them" % (len(bv), len(vm)))
    elif bv:
        platform, minos, sdk = struct.unpack_from("<III", d, bv[0] + 8)
        if platform != PLATFORM_MACOS:
            s.fail("LC_BUILD_VERSION platform %d, expected %d (macOS)"
                   % (platform, PLATFORM_MACOS))
        if want_min is not None and minos != want_min:
            s.fail("minimum macOS %s, expected %s"
                   % (show_version(minos), show_version(want_min)))
        if minos < 0x0a0e00:
            s.fail("LC_BUILD_VERSION for macOS %s, expected "
                   "LC_VERSION_MIN_MACOSX below 10.14" % show_version(minos))
        s.notes.append("LC_BUILD_VERSION macos %s (sdk %s)"
                       % (show_version(minos), show_version(sdk)))
    else:
        minos, sdk = struct.unpack_from("<II", d, vm[0] + 8)
        if want_min is not None and minos != want_min:
            s.fail("minimum macOS %s, expected %s"
                   % (show_version(minos), show_version(want_min)))
        if minos >= 0x0a0e00:
            s.fail("LC_VERSION_MIN_MACOSX for macOS %s, expected "
                   "LC_BUILD_VERSION from 10.14" % show_version(minos))
        s.notes.append("LC_VERSION_MIN_MACOSX %s" % show_version(minos))

    if sorted(dylibs) != sorted(a.dylibs):
        s.fail("loads %s, expected %s" % (", ".join(dylibs) or "no dylib",
                                          ", ".join(a.dylibs)))
    unbound = sorted({n for o, n in binds if not 1 <= o <= len(dylibs)})
    if unbound:
        s.fail("%d imported symbols not bound to a loaded dylib: %s"
               % (len(unbound), " ".join(unbound[:10])))
    if sig:
        check_signature(s, *sig)
    elif s.cpu == "arm64":
        s.fail("no LC_CODE_SIGNATURE (arm64 code must be signed)")
    elif a.signed:
        s.fail("no LC_CODE_SIGNATURE")
    s.notes[:0] = ["LC_MAIN", "dyld", ", ".join(dylibs),
                   "%d imports bound" % len({n for _, n in binds})]


def slices_of(data):
    """[(cpu name, bytes)] of a thin or fat file; raises ValueError."""
    if len(data) >= 8 and struct.unpack_from(">I", data)[0] == FAT_MAGIC:
        n, = struct.unpack_from(">I", data, 4)
        out = []
        for k in range(n):
            cpu, _sub, off, size, align = struct.unpack_from(
                ">5I", data, 8 + 20 * k)
            if off + size > len(data):
                raise ValueError("slice %d runs past the end of the file"
                                 % k)
            if off % (1 << align):
                raise ValueError("slice %d at offset %d is not aligned to "
                                 "2^%d" % (k, off, align))
            out.append((CPUS.get(cpu, "cpu 0x%08x" % cpu),
                        data[off:off + size]))
        return out
    if len(data) >= 8:
        cpu, = struct.unpack_from("<I", data, 4)
        return [(CPUS.get(cpu, "cpu 0x%08x" % cpu), data)]
    raise ValueError("too short for a Mach-O file")


def main():
    ap = argparse.ArgumentParser(
        description="Structural checks of a macOS executable.")
    ap.add_argument("file")
    ap.add_argument("--arch", action="append", default=[],
                    choices=sorted(CPU_BY_NAME),
                    help="expected CPU (repeatable; all slices of a fat "
                         "file)")
    ap.add_argument("--minos", action="append", default=[],
                    help="expected minimum macOS, V or ARCH=V")
    ap.add_argument("--dylibs", default="/usr/lib/libSystem.B.dylib",
                    help="the dylibs expected, comma-separated")
    ap.add_argument("--signed", action="store_true",
                    help="require a code signature on every slice")
    ap.add_argument("--slice-of", action="append", default=[],
                    help="a thin file the slice of its CPU must equal")
    a = ap.parse_args()
    a.dylibs = [x for x in a.dylibs.split(",") if x]
    mins = {}
    try:
        for m in a.minos:
            arch, _, v = m.rpartition("=")
            mins[arch or None] = parse_version(v)
    except ValueError:
        ap.error("bad --minos %s (expected V or ARCH=V, V like 11.0)" % m)
    a.minos_for = lambda cpu: mins.get(cpu, mins.get(None))

    try:
        with open(a.file, "rb") as f:
            data = f.read()
        parts = slices_of(data)
    except (OSError, ValueError) as e:
        sys.stderr.write("macho_check: %s: %s\n" % (a.file, e))
        return 2
    errors = []
    cpus = [c for c, _ in parts]
    if a.arch and sorted(cpus) != sorted(a.arch):
        errors.append("%s: holds %s, expected %s"
                      % (a.file, " ".join(cpus), " ".join(a.arch)))
    if len(set(cpus)) != len(cpus):
        errors.append("%s: two slices of one CPU" % a.file)
    lines = []
    for cpu, blob in parts:
        s = Slice(a.file, blob, cpu)
        try:
            check_slice(s, a)
        except (struct.error, ValueError, IndexError) as e:
            s.fail("malformed: %s" % e)
        errors += s.errors
        lines.append("%s: %s: %s" % (a.file, cpu, ", ".join(s.notes)))
    for other in a.slice_of:
        try:
            with open(other, "rb") as f:
                want = f.read()
            cpu = slices_of(want)[0][0]
        except (OSError, ValueError) as e:
            sys.stderr.write("macho_check: %s: %s\n" % (other, e))
            return 2
        got = [b for c, b in parts if c == cpu]
        if not got:
            errors.append("%s: no %s slice for %s" % (a.file, cpu, other))
        elif got[0] != want:
            errors.append("%s: the %s slice differs from %s"
                          % (a.file, cpu, other))
        else:
            lines.append("%s: %s: slice identical to %s"
                         % (a.file, cpu, other))
    for e in errors:
        sys.stderr.write("macho_check: %s\n" % e)
    if errors:
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
