/*
 * Toolchain files: rust-toolchain.toml and the legacy rust-toolchain
 * (TOML, or one line of plain text naming a channel).  This file owns
 * finding the nearest one by walking up from a directory (rust-toolchain
 * wins when both are in one directory, as in rustup), reading it, and
 * checking it the way rustup does: a mandatory [toolchain] table with
 * known keys, a valid channel, a known profile, `path` exclusive with
 * `channel`.  Every error points at FILE:LINE:COLUMN.
 */
#include "xrust/toolfile.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xrust/buf.h"
#include "xrust/channel.h"
#include "xrust/fs.h"
#include "xrust/toml.h"

#define TOOLFILE_MAX (1024 * 1024)

/* Fails with "NAME:LINE:COLUMN: message" at V. */
#define bad(err, name, v, ...) \
  xr_toml_fail((err), XR_ETOML, (name), (v), __VA_ARGS__)

void xr_toolfile_init(struct xr_toolfile *tf)
{
  memset(tf, 0, sizeof(*tf));
}

static void free_list(char **v, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

void xr_toolfile_release(struct xr_toolfile *tf)
{
  free(tf->file);
  free(tf->channel);
  free(tf->profile);
  free(tf->tc_path);
  free_list(tf->components, tf->ncomponents);
  free_list(tf->targets, tf->ntargets);
  xr_toolfile_init(tf);
}

static int string_value(const struct xr_toml *v, const char *file,
                        const char *key, char **out, struct xr_err *err)
{
  const char *s;

  if (xr_toml_type(v) != XR_TOML_STRING)
    return bad(err, file, v, "'toolchain.%s' must be a string", key);
  s = xr_toml_str(v);
  if (strlen(s) != xr_toml_str_len(v) || !*s)
    return bad(err, file, v, "'toolchain.%s' must be a non-empty string",
               key);
  *out = xr_strdup(s);
  return *out ? 0 : xr_nomem(err);
}

static int list_value(const struct xr_toml *v, const char *file,
                      const char *key, char ***out, size_t *n,
                      struct xr_err *err)
{
  size_t i, len;

  if (xr_toml_type(v) != XR_TOML_ARRAY)
    return bad(err, file, v, "'toolchain.%s' must be an array of strings",
               key);
  len = xr_toml_len(v);
  if (!len)
    return 0;
  *out = calloc(len, sizeof(**out));
  if (!*out)
    return xr_nomem(err);
  for (i = 0; i < len; i++) {
    const struct xr_toml *e = xr_toml_at(v, i);
    const char *s = xr_toml_str(e);

    if (xr_toml_type(e) != XR_TOML_STRING || strlen(s) !=
        xr_toml_str_len(e) || !*s)
      return bad(err, file, e, "'toolchain.%s' must hold non-empty "
                 "strings", key);
    (*out)[i] = xr_strdup(s);
    if (!(*out)[i])
      return xr_nomem(err);
    *n = i + 1;
  }
  return 0;
}

/* PATH made absolute against the directory of FILE. */
static int resolve_path(const char *file, const char *path, char **out,
                        struct xr_err *err)
{
  struct xr_buf b = XR_BUF_INIT;
  const char *slash = strrchr(file, '/');

  if (path[0] != '/' && slash) {
    if (xr_buf_add(&b, file, (size_t)(slash - file) + 1))
      goto nomem;
  }
  if (xr_buf_adds(&b, path))
    goto nomem;
  free(*out);
  *out = xr_buf_detach(&b);
  if (!*out)
    goto nomem;
  return 0;
nomem:
  xr_buf_release(&b);
  return xr_nomem(err);
}

static int check_channel(const struct xr_toml *v, const char *file,
                         const char *channel, struct xr_err *err)
{
  struct xr_channel ch;
  struct xr_err cerr;

  if (!xr_channel_parse(channel, &ch, &cerr))
    return 0;
  return bad(err, file, v, "%s", cerr.msg);
}

static int parse_table(struct xr_toolfile *tf, const struct xr_toml *tc,
                       const char *file, struct xr_err *err)
{
  const struct xr_toml *chan_v = NULL, *path_v = NULL;
  size_t i, n;
  int rc = 0;

  if (xr_toml_type(tc) != XR_TOML_TABLE)
    return bad(err, file, tc, "'toolchain' must be a table");
  n = xr_toml_len(tc);
  if (!n)
    return bad(err, file, tc, "[toolchain] is empty: set 'channel' or "
               "'path'");
  for (i = 0; !rc && i < n; i++) {
    const char *key = xr_toml_key(tc, i);
    const struct xr_toml *v = xr_toml_at(tc, i);

    if (!strcmp(key, "channel")) {
      chan_v = v;
      rc = string_value(v, file, key, &tf->channel, err);
    } else if (!strcmp(key, "profile")) {
      rc = string_value(v, file, key, &tf->profile, err);
      if (!rc && strcmp(tf->profile, "minimal") &&
          strcmp(tf->profile, "default") && strcmp(tf->profile, "complete"))
        rc = bad(err, file, v, "unknown profile '%s' (expected minimal, "
                 "default or complete)", tf->profile);
    } else if (!strcmp(key, "path")) {
      path_v = v;
      rc = string_value(v, file, key, &tf->tc_path, err);
      if (!rc)
        rc = resolve_path(file, tf->tc_path, &tf->tc_path, err);
    } else if (!strcmp(key, "components")) {
      rc = list_value(v, file, key, &tf->components, &tf->ncomponents, err);
    } else if (!strcmp(key, "targets")) {
      rc = list_value(v, file, key, &tf->targets, &tf->ntargets, err);
    } else {
      rc = bad(err, file, v, "unknown key 'toolchain.%s' (expected "
               "channel, components, targets, profile or path)", key);
    }
  }
  if (rc)
    return rc;
  if (chan_v && path_v)
    return bad(err, file, path_v, "'toolchain.path' cannot be used with "
               "'toolchain.channel'");
  if (chan_v)
    return check_channel(chan_v, file, tf->channel, err);
  return 0;
}

static int parse_toml(struct xr_toolfile *tf, const char *file,
                      const char *data, size_t len, struct xr_err *err)
{
  struct xr_toml *root;
  const struct xr_toml *tc = NULL;
  size_t i;
  int rc = 0;

  root = xr_toml_parse(data, len, file, err);
  if (!root)
    return err ? (int)err->code : XR_ETOML;
  for (i = 0; i < xr_toml_len(root); i++) {
    if (!strcmp(xr_toml_key(root, i), "toolchain")) {
      tc = xr_toml_at(root, i);
    } else {
      rc = bad(err, file, xr_toml_at(root, i), "unknown key '%s' (a "
               "toolchain file holds only [toolchain])",
               xr_toml_key(root, i));
      goto out;
    }
  }
  if (!tc) {
    rc = xr_fail(err, XR_ETOML, "%s:1:1: missing [toolchain] table", file);
    goto out;
  }
  rc = parse_table(tf, tc, file, err);
out:
  xr_toml_free(root);
  return rc;
}

static int is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int xr_toolfile_parse(struct xr_toolfile *tf, const char *file,
                      const char *data, size_t len, int legacy,
                      struct xr_err *err)
{
  size_t a = 0, b = len;
  int rc;

  xr_toolfile_init(tf);
  tf->file = xr_strdup(file);
  if (!tf->file)
    return xr_nomem(err);
  while (a < b && is_space(data[a]))
    a++;
  while (b > a && is_space(data[b - 1]))
    b--;
  if (a == b) {
    rc = xr_fail(err, XR_ETOML, "%s:1:1: empty toolchain file", file);
    goto out;
  }
  /* rustup: a legacy file of one line that is not TOML is a channel. */
  if (legacy && !memchr(data + a, '\n', b - a) && data[a] != '[' &&
      !memchr(data + a, '=', b - a)) {
    struct xr_channel ch;
    struct xr_err cerr;

    tf->channel = xr_strndup(data + a, b - a);
    if (!tf->channel) {
      rc = xr_nomem(err);
      goto out;
    }
    rc = 0;
    if (strlen(tf->channel) != b - a ||
        xr_channel_parse(tf->channel, &ch, &cerr))
      rc = xr_fail(err, XR_ETOML, "%s:1:1: %s", file,
                   strlen(tf->channel) != b - a
                   ? "invalid channel: NUL byte" : cerr.msg);
    goto out;
  }
  rc = parse_toml(tf, file, data, len, err);
out:
  if (rc) {
    xr_toolfile_release(tf);
  }
  return rc;
}

static int is_file(const char *path)
{
  struct stat st;

  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int xr_toolfile_find(struct xr_toolfile *tf, const char *dir, int *found,
                     struct xr_err *err)
{
  static const char *const names[] = { "rust-toolchain",
                                       "rust-toolchain.toml" };
  struct xr_buf path = XR_BUF_INIT, data = XR_BUF_INIT;
  char *abs = NULL;
  size_t len, i;
  int rc = 0;

  xr_toolfile_init(tf);
  *found = 0;
  abs = realpath(dir && *dir ? dir : ".", NULL);
  if (!abs) {
    rc = xr_fail(err, XR_EIO, "cannot resolve '%s': %s", dir ? dir : ".",
                 strerror(errno));
    goto out;
  }
  len = strlen(abs);
  for (;;) {
    for (i = 0; i < 2; i++) {
      xr_buf_reset(&path);
      if (xr_buf_add(&path, abs, len) ||
          xr_buf_printf(&path, "%s%s", len == 1 ? "" : "/", names[i])) {
        rc = xr_nomem(err);
        goto out;
      }
      if (!is_file(path.data))
        continue;
      rc = xr_fs_read(path.data, TOOLFILE_MAX, &data, err);
      if (!rc)
        rc = xr_toolfile_parse(tf, path.data, xr_buf_str(&data), data.len,
                               i == 0, err);
      if (!rc)
        *found = 1;
      goto out;
    }
    if (len <= 1)
      break;
    while (len > 1 && abs[len - 1] != '/')
      len--;
    if (len > 1)
      len--;
  }
out:
  free(abs);
  xr_buf_release(&path);
  xr_buf_release(&data);
  return rc;
}
