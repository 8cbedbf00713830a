/*
 * xrust.lock, the toolchain lockfile.  This file owns its format (a small
 * TOML document: a version, a [toolchain] table recording what was asked
 * for and which manifest answered, and one [[component]] per artifact),
 * reading it back with every field checked and errors at FILE:LINE:COLUMN,
 * writing it deterministically (sorted, fixed key order) and atomically
 * (a temporary file beside it, then rename), and deciding whether a lock
 * covers a request.
 */
#include "xrust/tclock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xrust/buf.h"
#include "xrust/channel.h"
#include "xrust/fs.h"
#include "xrust/manifest.h"
#include "xrust/sha256.h"
#include "xrust/toml.h"

/* Fails with "NAME:LINE:COLUMN: message" at V. */
#define bad(err, name, v, ...) \
  xr_toml_fail((err), XR_ETOML, (name), (v), __VA_ARGS__)

void xr_tclock_init(struct xr_tclock *l)
{
  memset(l, 0, sizeof(*l));
  xr_plan_init(&l->plan);
}

static void free_list(char **v, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

void xr_tclock_release(struct xr_tclock *l)
{
  free(l->channel);
  free(l->date);
  free(l->manifest_sha256);
  free(l->server);
  free(l->host);
  free(l->profile);
  free_list(l->targets, l->ntargets);
  free_list(l->components, l->ncomponents);
  xr_plan_release(&l->plan);
  xr_tclock_init(l);
}

int xr_tclock_set(char **field, const char *value, struct xr_err *err)
{
  char *s = NULL;

  if (value) {
    s = xr_strdup(value);
    if (!s)
      return xr_nomem(err);
  }
  free(*field);
  *field = s;
  return 0;
}

static int in_list(char *const *list, size_t n, const char *s)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (!strcmp(list[i], s))
      return 1;
  return 0;
}

int xr_tclock_list_add(char ***list, size_t *n, const char *value,
                       struct xr_err *err)
{
  char **v;
  char *s;

  if (in_list(*list, *n, value))
    return 0;
  s = xr_strdup(value);
  if (!s)
    return xr_nomem(err);
  v = realloc(*list, (*n + 1) * sizeof(*v));
  if (!v) {
    free(s);
    return xr_nomem(err);
  }
  v[*n] = s;
  *list = v;
  (*n)++;
  return 0;
}

/* ---- reading ---------------------------------------------------------- */

struct reader {
  struct xr_tclock *l;
  const char *name;
  struct xr_err *err;
};

static int get_string(struct reader *r, const struct xr_toml *v,
                      const char *where, const char **out)
{
  if (xr_toml_type(v) != XR_TOML_STRING || !*xr_toml_str(v) ||
      strlen(xr_toml_str(v)) != xr_toml_str_len(v))
    return bad(r->err, r->name, v, "'%s' must be a non-empty string",
               where);
  *out = xr_toml_str(v);
  return 0;
}

static int get_list(struct reader *r, const struct xr_toml *v,
                    const char *where, char ***list, size_t *n)
{
  size_t i;
  int rc = 0;

  if (xr_toml_type(v) != XR_TOML_ARRAY)
    return bad(r->err, r->name, v, "'%s' must be an array of strings",
               where);
  for (i = 0; !rc && i < xr_toml_len(v); i++) {
    const char *s;

    rc = get_string(r, xr_toml_at(v, i), where, &s);
    if (!rc)
      rc = xr_tclock_list_add(list, n, s, r->err);
  }
  return rc;
}

static int read_toolchain(struct reader *r, const struct xr_toml *t)
{
  struct xr_tclock *l = r->l;
  size_t i;
  int rc = 0;

  if (xr_toml_type(t) != XR_TOML_TABLE)
    return bad(r->err, r->name, t, "'toolchain' must be a table");
  for (i = 0; !rc && i < xr_toml_len(t); i++) {
    const char *key = xr_toml_key(t, i), *s = NULL;
    const struct xr_toml *v = xr_toml_at(t, i);
    char **field = NULL;
    char where[64];

    snprintf(where, sizeof(where), "toolchain.%s", key);
    if (!strcmp(key, "targets")) {
      rc = get_list(r, v, where, &l->targets, &l->ntargets);
      continue;
    }
    if (!strcmp(key, "components")) {
      rc = get_list(r, v, where, &l->components, &l->ncomponents);
      continue;
    }
    if (!strcmp(key, "channel"))
      field = &l->channel;
    else if (!strcmp(key, "date"))
      field = &l->date;
    else if (!strcmp(key, "manifest-sha256"))
      field = &l->manifest_sha256;
    else if (!strcmp(key, "server"))
      field = &l->server;
    else if (!strcmp(key, "host"))
      field = &l->host;
    else if (!strcmp(key, "profile"))
      field = &l->profile;
    else
      return bad(r->err, r->name, v, "unknown key '%s'", where);
    rc = get_string(r, v, where, &s);
    if (!rc && field == &l->manifest_sha256 && !xr_sha256_valid(s))
      rc = bad(r->err, r->name, v, "'%s' is not a sha256 digest", where);
    if (!rc)
      rc = xr_tclock_set(field, s, r->err);
  }
  if (rc)
    return rc;
  if (!l->channel || !l->date || !l->manifest_sha256 || !l->host)
    return bad(r->err, r->name, t, "[toolchain] needs channel, date, "
               "manifest-sha256 and host");
  return 0;
}

static int read_component(struct reader *r, const struct xr_toml *t)
{
  static const char *const keys[] = { "name", "target", "url", "sha256",
                                       "format" };
  const char *val[5] = { NULL, NULL, NULL, NULL, NULL };
  enum xr_dist_format f = XR_FMT_GZ;
  size_t i, k, before;
  int rc = 0;

  if (xr_toml_type(t) != XR_TOML_TABLE)
    return bad(r->err, r->name, t, "'component' must be an array of "
               "tables");
  for (i = 0; !rc && i < xr_toml_len(t); i++) {
    const char *key = xr_toml_key(t, i);
    const struct xr_toml *v = xr_toml_at(t, i);
    char where[64];

    for (k = 0; k < 5 && strcmp(keys[k], key); k++)
      continue;
    snprintf(where, sizeof(where), "component.%s", key);
    if (k == 5)
      return bad(r->err, r->name, v, "unknown key '%s'", where);
    rc = get_string(r, v, where, &val[k]);
    if (!rc && k == 3 && !xr_sha256_valid(val[k]))
      rc = bad(r->err, r->name, v, "'%s' is not a sha256 digest", where);
    if (!rc && k == 4 && xr_dist_format_parse(val[k], &f))
      rc = bad(r->err, r->name, v, "unknown format '%s' (expected gz, xz "
               "or zst)", val[k]);
  }
  if (rc)
    return rc;
  for (k = 0; k < 5; k++)
    if (!val[k])
      return bad(r->err, r->name, t, "[[component]] needs name, target, "
                 "url, sha256 and format (no '%s')", keys[k]);
  before = r->l->plan.n;
  rc = xr_plan_add(&r->l->plan, val[0], val[1], val[2], val[3], f, r->err);
  if (!rc && r->l->plan.n == before)
    rc = bad(r->err, r->name, t, "component '%s' for '%s' is listed twice",
             val[0], val[1]);
  return rc;
}

static int read_tree(struct reader *r, const struct xr_toml *root)
{
  const struct xr_toml *v, *tc = NULL, *comps = NULL;
  size_t i;
  int rc = 0;

  v = xr_toml_get(root, "version");
  if (!v)
    return xr_fail(r->err, XR_ETOML, "%s: not an xrust lock (no "
                   "'version')", r->name);
  if (xr_toml_type(v) != XR_TOML_INTEGER)
    return bad(r->err, r->name, v, "'version' must be an integer");
  if (xr_toml_int(v) != XR_TCLOCK_VERSION)
    return bad(r->err, r->name, v, "unsupported lock version %lld (this "
               "xrust reads %d)", (long long)xr_toml_int(v),
               XR_TCLOCK_VERSION);
  for (i = 0; i < xr_toml_len(root); i++) {
    const char *key = xr_toml_key(root, i);

    if (!strcmp(key, "toolchain"))
      tc = xr_toml_at(root, i);
    else if (!strcmp(key, "component"))
      comps = xr_toml_at(root, i);
    else if (strcmp(key, "version"))
      return bad(r->err, r->name, xr_toml_at(root, i), "unknown key '%s'",
                 key);
  }
  if (!tc)
    return xr_fail(r->err, XR_ETOML, "%s: no [toolchain] table", r->name);
  rc = read_toolchain(r, tc);
  if (rc)
    return rc;
  if (!comps || xr_toml_type(comps) != XR_TOML_ARRAY ||
      !xr_toml_len(comps))
    return xr_fail(r->err, XR_ETOML, "%s: no [[component]] entries",
                   r->name);
  for (i = 0; !rc && i < xr_toml_len(comps); i++)
    rc = read_component(r, xr_toml_at(comps, i));
  return rc;
}

int xr_tclock_parse(struct xr_tclock *l, const char *data, size_t len,
                    const char *name, struct xr_err *err)
{
  struct xr_toml *root;
  struct reader r;
  int rc;

  xr_tclock_init(l);
  root = xr_toml_parse(data, len, name, err);
  if (!root)
    return err ? (int)err->code : XR_ETOML;
  r.l = l;
  r.name = name;
  r.err = err;
  rc = read_tree(&r, root);
  xr_toml_free(root);
  if (rc)
    xr_tclock_release(l);
  return rc;
}

int xr_tclock_read(struct xr_tclock *l, const char *path, int *found,
                   struct xr_err *err)
{
  struct xr_buf data = XR_BUF_INIT;
  int rc;

  xr_tclock_init(l);
  *found = 0;
  rc = xr_fs_read(path, XR_TOML_FILE_MAX, &data, err);
  if (rc == XR_ENOTFOUND) {
    xr_err_clear(err);
    rc = 0;
  } else if (!rc) {
    rc = xr_tclock_parse(l, xr_buf_str(&data), data.len, path, err);
    if (!rc)
      *found = 1;
  }
  xr_buf_release(&data);
  return rc;
}

/* ---- writing ---------------------------------------------------------- */

/* A TOML basic string. */
static int put_str(struct xr_buf *b, const char *s)
{
  int rc = xr_buf_addc(b, '"');

  for (; !rc && *s; s++) {
    unsigned char c = (unsigned char)*s;

    if (c == '"' || c == '\\')
      rc = xr_buf_addc(b, '\\') || xr_buf_addc(b, (char)c);
    else if (c < 0x20 || c == 0x7f)
      rc = xr_buf_printf(b, "\\u%04x", c);
    else
      rc = xr_buf_addc(b, (char)c);
  }
  return rc || xr_buf_addc(b, '"');
}

static int put_kv(struct xr_buf *b, const char *key, const char *s)
{
  return xr_buf_printf(b, "%s = ", key) || put_str(b, s) ||
         xr_buf_addc(b, '\n');
}

static int cmp_str(const void *x, const void *y)
{
  return strcmp(*(char *const *)x, *(char *const *)y);
}

static int put_list(struct xr_buf *b, const char *key, char **v, size_t n)
{
  char **s = NULL;
  size_t i;
  int rc;

  if (n) {
    s = malloc(n * sizeof(*s));
    if (!s)
      return -1;
    memcpy(s, v, n * sizeof(*s));
    qsort(s, n, sizeof(*s), cmp_str);
  }
  rc = xr_buf_printf(b, "%s = [", key);
  for (i = 0; !rc && i < n; i++)
    rc = (i && xr_buf_adds(b, ", ")) || put_str(b, s[i]);
  if (!rc)
    rc = xr_buf_adds(b, "]\n");
  free(s);
  return rc;
}

static int cmp_art(const void *x, const void *y)
{
  const struct xr_artifact *a = *(const struct xr_artifact *const *)x;
  const struct xr_artifact *b = *(const struct xr_artifact *const *)y;
  int c = strcmp(a->pkg, b->pkg);

  return c ? c : strcmp(a->target, b->target);
}

int xr_tclock_format(const struct xr_tclock *l, struct xr_buf *out,
                     struct xr_err *err)
{
  const struct xr_artifact **a = NULL;
  size_t i;
  int rc;

  if (!l->channel || !l->date || !l->manifest_sha256 || !l->host ||
      !l->plan.n)
    return xr_fail(err, XR_EINTERNAL, "incomplete toolchain lock");
  a = malloc(l->plan.n * sizeof(*a));
  if (!a)
    return xr_nomem(err);
  for (i = 0; i < l->plan.n; i++)
    a[i] = &l->plan.items[i];
  qsort(a, l->plan.n, sizeof(*a), cmp_art);
  rc = xr_buf_adds(out,
                   "# xrust.lock: the Rust toolchain of this project, as "
                   "resolved from the\n# channel manifest.  Written by "
                   "xrust; `make xrust-update` re-resolves it.\n"
                   "version = 1\n\n[toolchain]\n") ||
       put_kv(out, "channel", l->channel) || put_kv(out, "date", l->date) ||
       put_kv(out, "manifest-sha256", l->manifest_sha256) ||
       (l->server && put_kv(out, "server", l->server)) ||
       put_kv(out, "host", l->host) ||
       put_kv(out, "profile", l->profile && *l->profile ? l->profile
                                                        : "minimal") ||
       put_list(out, "targets", l->targets, l->ntargets) ||
       put_list(out, "components", l->components, l->ncomponents);
  for (i = 0; !rc && i < l->plan.n; i++)
    rc = xr_buf_adds(out, "\n[[component]]\n") ||
         put_kv(out, "name", a[i]->pkg) ||
         put_kv(out, "target", a[i]->target) ||
         put_kv(out, "format", xr_dist_format_name(a[i]->format)) ||
         put_kv(out, "sha256", a[i]->sha256) ||
         put_kv(out, "url", a[i]->url);
  free(a);
  return rc ? xr_nomem(err) : 0;
}

int xr_tclock_write(const struct xr_tclock *l, const char *path,
                    struct xr_err *err)
{
  struct xr_buf text = XR_BUF_INIT;
  int rc;

  rc = xr_tclock_format(l, &text, err);
  if (!rc)
    rc = xr_fs_write(path, text.data, text.len, XR_FS_SYNC, err);
  xr_buf_release(&text);
  return rc;
}

/* ---- coverage --------------------------------------------------------- */

static const char *profile_name(const char *p)
{
  return p && *p ? p : "minimal";
}

int xr_tclock_covers(const struct xr_tclock *l, const char *channel,
                     const char *host, const char *profile,
                     const char *const *targets, size_t ntargets,
                     const char *const *components, size_t ncomponents)
{
  size_t i;

  if (!l->channel || !l->host || !l->plan.n || !channel || !host)
    return 0;
  if (strcmp(l->channel, channel) || strcmp(l->host, host) ||
      strcmp(profile_name(l->profile), profile_name(profile)))
    return 0;
  for (i = 0; i < ntargets; i++)
    if (strcmp(targets[i], host) &&
        !in_list(l->targets, l->ntargets, targets[i]))
      return 0;
  for (i = 0; i < ncomponents; i++)
    if (!in_list(l->components, l->ncomponents, components[i]))
      return 0;
  return 1;
}
