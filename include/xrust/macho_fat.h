/*
 * Universal ("fat") Mach-O files (module/lib/macho_fat.c): what the
 * universal2-darwin target makes of the x86_64 and arm64 builds, without
 * Apple's lipo.  Each input must be a thin 64-bit Mach-O (magic
 * 0xfeedfacf: an executable, a dylib, an object) or a static library of
 * them, each of a distinct CPU; the output is the big-endian fat header
 * (magic 0xcafebabe, the slice count, then cputype, cpusubtype, offset,
 * size and alignment per slice) followed by the inputs copied unchanged,
 * so code signatures inside them stay valid.  Slices are aligned as
 * Apple's tools align them (x86_64 at 4 KiB, arm64 at 16 KiB; static
 * libraries at 8 bytes) and ordered by ascending alignment, then CPU
 * type, as llvm-lipo orders them: the same inputs give
 * the same bytes as `llvm-lipo -create`.
 */
#ifndef XRUST_MACHO_FAT_H
#define XRUST_MACHO_FAT_H

#include <stddef.h>
#include <stdint.h>

#include "xrust/error.h"

#define XR_MACHO_MAGIC_64 0xfeedfacfu   /* thin, 64-bit, little-endian */
#define XR_MACHO_FAT_MAGIC 0xcafebabeu  /* fat header, big-endian */
#define XR_MACHO_CPU_X86_64 0x01000007u
#define XR_MACHO_CPU_ARM64 0x0100000cu
/* More slices than any real universal file holds. */
#define XR_MACHO_FAT_MAX 16

/* One input as the fat header describes it. */
struct xr_macho_slice {
  uint32_t cputype;
  uint32_t cpusubtype;  /* as in the input's header, capability bits kept */
  uint32_t offset;      /* in the fat file */
  uint32_t size;
  uint32_t align;       /* log2 of the slice's alignment */
};

/*
 * Reads the Mach-O header of PATH into SLICE (offset 0); of a static
 * library, the header of its first 64-bit Mach-O member (System V and BSD
 * member names).  Anything else, or a CPU xrust does not know (it knows
 * x86_64 and arm64), is XR_EUSAGE
 * with a message naming PATH, what it is and what was expected; a file
 * of 4 GiB or more is XR_ELIMIT.
 */
int xr_macho_probe(const char *path, struct xr_macho_slice *slice,
                   struct xr_err *err);

/* The CPU's name ("x86_64", "arm64"), NULL for another. */
const char *xr_macho_cpu_name(uint32_t cputype);

/*
 * Orders the N slices by ascending alignment, then CPU type, and gives
 * each its offset: the first after the header, rounded up to its
 * alignment, each next one after the previous slice, rounded up
 * likewise.  A layout that needs offsets of 4 GiB or more is XR_ELIMIT.
 */
int xr_macho_fat_layout(struct xr_macho_slice *slices, size_t n,
                        struct xr_err *err);

/*
 * Writes the fat file OUT from the N input files INPUTS (1 or more, each
 * of a distinct CPU), atomically: OUT is replaced only when all of it
 * was written.  The inputs are streamed, never read whole.  OUT is
 * executable when any input is.
 */
int xr_macho_fat_create(const char *out, const char *const *inputs,
                        size_t n, struct xr_err *err);

#endif
