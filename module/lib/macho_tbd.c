/*
 * Text-based (TAPI v4) stubs of Apple dynamic libraries
 * (include/xrust/macho_tbd.h): reading the project's symbol lists and
 * writing the `.tbd` files the darwin targets link against without an
 * Apple SDK.
 */
#include <string.h>

#include "xrust/fs.h"
#include "xrust/macho_tbd.h"

static int sym_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '$' || c == '.';
}

static int blank(char c)
{
  return c == ' ' || c == '\t' || c == '\r';
}

int xr_tbd_parse_syms(const char *text, size_t len, const char *name,
                      struct xr_strv *syms, struct xr_err *err)
{
  size_t pos = 0, line = 0;

  while (pos < len) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - text) : len, b = pos, e = end, i;

    line++;
    pos = end + 1;
    while (b < e && blank(text[b]))
      b++;
    while (e > b && blank(text[e - 1]))
      e--;
    if (b == e || text[b] == '#')
      continue;
    for (i = b; i < e; i++)
      if (!sym_char(text[i]))
        return xr_fail(err, XR_EUSAGE, "%s:%lu: invalid symbol name "
                       "'%.*s' (expected letters, digits, '_', '$' or "
                       "'.')", name, (unsigned long)line, (int)(e - b),
                       text + b);
    if (xr_strv_pushn(syms, text + b, e - b))
      return xr_nomem(err);
  }
  return 0;
}

int xr_tbd_read_syms(const char *path, struct xr_strv *syms,
                     struct xr_err *err)
{
  struct xr_buf b = XR_BUF_INIT;
  int rc = xr_fs_read(path, XR_TBD_SYMS_MAX, &b, err);

  if (!rc)
    rc = xr_tbd_parse_syms(b.data ? b.data : "", b.len, path, syms, err);
  xr_buf_release(&b);
  return rc;
}

#define TARGETS "[ x86_64-macos, arm64-macos ]"

int xr_tbd_format(struct xr_buf *out, const char *install_name,
                  const struct xr_strv *syms, struct xr_err *err)
{
  const char *p;
  size_t i;
  int rc;

  if (install_name[0] != '/')
    return xr_fail(err, XR_EUSAGE, "install name '%s' is not an absolute "
                   "path", install_name);
  for (p = install_name; *p; p++)
    if (*p == '\'' || (unsigned char)*p < 0x20)
      return xr_fail(err, XR_EUSAGE, "install name '%s' has a quote or a "
                     "control character", install_name);
  rc = xr_buf_printf(out, "--- !tapi-tbd\n"
                     "tbd-version:     4\n"
                     "targets:         " TARGETS "\n"
                     "install-name:    '%s'\n", install_name);
  if (!rc && syms->n > 0)
    rc = xr_buf_adds(out, "exports:\n"
                     "  - targets:         " TARGETS "\n"
                     "    symbols:\n");
  /* Quoted: names such as _fstat$INODE64 stay plain strings. */
  for (i = 0; i < syms->n && !rc; i++)
    rc = xr_buf_printf(out, "      - '%s'\n", syms->v[i]);
  if (!rc)
    rc = xr_buf_adds(out, "...\n");
  return rc ? xr_nomem(err) : 0;
}

int xr_tbd_write(const char *path, const char *install_name,
                 const struct xr_strv *syms, struct xr_err *err)
{
  struct xr_buf b = XR_BUF_INIT;
  int rc = xr_tbd_format(&b, install_name, syms, err);

  if (!rc)
    rc = xr_fs_write(path, b.data, b.len, 0, err);
  xr_buf_release(&b);
  return rc;
}
