/*
 * Cargo's dep-info files turned into Make dependencies (depfile.h).  This
 * file owns reading the .d files of one directory, the grammar of their
 * lines as cargo writes them ("target: prereq prereq", backslash escapes
 * kept), and the text of the Make fragment.
 */
#include "xrust/depfile.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/fs.h"
#include "xrust/strv.h"

/* Adds the words after the target of the N-byte line P. */
static int parse_line(const char *p, size_t n, struct xr_strv *out)
{
  const char *colon = NULL, *q;

  /* The target ends at the first ": " that is not escaped. */
  for (q = p; q < p + n; q++) {
    if (*q == '\\' && q + 1 < p + n) {
      q++;
      continue;
    }
    if (*q == ':' && (q + 1 == p + n || q[1] == ' ')) {
      colon = q;
      break;
    }
  }
  if (!colon)
    return 0;
  q = colon + 1;
  while (q < p + n) {
    const char *start;
    char *word;

    while (q < p + n && *q == ' ')
      q++;
    start = q;
    while (q < p + n && *q != ' ') {
      if (*q == '\\' && q + 1 < p + n)
        q++;
      q++;
    }
    if (q == start)
      continue;
    word = xr_strndup(start, (size_t)(q - start));
    if (!word)
      return -1;
    if (xr_strv_has(out, word))
      free(word);
    else if (xr_strv_take(out, word))
      return -1;
  }
  return 0;
}

int xr_depfile_parse(const char *text, struct xr_strv *out,
                     struct xr_err *err)
{
  const char *p = text;

  while (*p) {
    const char *eol = strchr(p, '\n');
    size_t n = eol ? (size_t)(eol - p) : strlen(p);

    if (parse_line(p, n, out))
      return xr_nomem(err);
    p += n;
    if (*p == '\n')
      p++;
  }
  return 0;
}

int xr_depfile_read_dir(const char *dir, struct xr_strv *out,
                        struct xr_err *err)
{
  struct xr_buf path = XR_BUF_INIT, text = XR_BUF_INIT;
  struct dirent *de;
  DIR *d = opendir(dir);
  int rc = 0;

  if (!d)
    return xr_fail(err, errno == ENOENT ? XR_ENOTFOUND : XR_EIO,
                   "cannot open '%s': %s", dir, strerror(errno));
  while (!rc) {
    size_t len;

    errno = 0;
    de = readdir(d);
    if (!de) {
      if (errno)
        rc = xr_fail(err, XR_EIO, "cannot read '%s': %s", dir,
                     strerror(errno));
      break;
    }
    len = strlen(de->d_name);
    if (len < 3 || strcmp(de->d_name + len - 2, ".d"))
      continue;
    xr_buf_reset(&path);
    xr_buf_reset(&text);
    if (xr_buf_printf(&path, "%s/%s", dir, de->d_name))
      rc = xr_nomem(err);
    else
      rc = xr_fs_read(path.data, XR_DEPFILE_MAX, &text, err);
    if (!rc)
      rc = xr_depfile_parse(xr_buf_str(&text), out, err);
  }
  closedir(d);
  xr_buf_release(&path);
  xr_buf_release(&text);
  if (!rc)
    xr_strv_sort(out);
  return rc;
}

int xr_depfile_make(const char *stamp, const struct xr_strv *deps,
                    struct xr_buf *out, struct xr_err *err)
{
  size_t i;
  int rc = xr_buf_printf(out, "%s:", stamp);

  for (i = 0; !rc && i < deps->n; i++)
    rc = xr_buf_printf(out, " \\\n  %s", deps->v[i]);
  rc = rc || xr_buf_addc(out, '\n');
  for (i = 0; !rc && i < deps->n; i++)
    rc = xr_buf_printf(out, "%s:\n", deps->v[i]);
  return rc ? xr_nomem(err) : 0;
}
