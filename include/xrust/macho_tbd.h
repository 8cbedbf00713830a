/*
 * Text-based stubs of Apple dynamic libraries (module/lib/macho_tbd.c):
 * what the darwin targets link against when no Apple SDK is given.  A
 * stub is a TAPI v4 `.tbd` file (YAML) naming the library's install name
 * and the symbols it exports for arm64-macos and x86_64-macos; ld64 and
 * lld read it in place of the dylib.  The symbols come from a list the
 * project keeps (mk/macos/libSystem.syms: one Mach-O symbol name per
 * line, `#` comments), derived from public declarations.
 */
#ifndef XRUST_MACHO_TBD_H
#define XRUST_MACHO_TBD_H

#include <stddef.h>

#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/strv.h"

#define XR_TBD_LIBSYSTEM "/usr/lib/libSystem.B.dylib"
/* Larger than any symbol list xrust keeps. */
#define XR_TBD_SYMS_MAX (4u << 20)

/*
 * Appends the symbols of the list TEXT (LEN bytes; NAME is what messages
 * call it) to SYMS: one per line, blank lines and lines starting with `#`
 * skipped, surrounding blanks trimmed.  A name with a character outside
 * letters, digits, `_`, `$` and `.` is XR_EUSAGE naming NAME and the line.
 */
int xr_tbd_parse_syms(const char *text, size_t len, const char *name,
                      struct xr_strv *syms, struct xr_err *err);
/* The same for the file PATH (at most XR_TBD_SYMS_MAX bytes). */
int xr_tbd_read_syms(const char *path, struct xr_strv *syms,
                     struct xr_err *err);

/*
 * Appends to OUT the TAPI v4 stub of the library INSTALL_NAME (an
 * absolute path) exporting SYMS for arm64-macos and x86_64-macos.
 */
int xr_tbd_format(struct xr_buf *out, const char *install_name,
                  const struct xr_strv *syms, struct xr_err *err);
/* Writes that stub to PATH atomically. */
int xr_tbd_write(const char *path, const char *install_name,
                 const struct xr_strv *syms, struct xr_err *err);

#endif
