/*
 * Cargo.lock reader: format versions 1 to 4 into struct xr_lock.  It owns
 * the interpretation of [[package]] entries (name, version, source,
 * checksum, dependencies), of version 1's [metadata] checksum table, and
 * of source strings (registry, sparse, git with branch/tag/rev and the
 * locked commit, path packages without a source), including version 4's
 * URL-encoded git queries.  Every error names FILE:LINE:COLUMN of the
 * offending value.  Also here: the crates.io download URL template.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xrust/buf.h"
#include "xrust/cargo_lock.h"
#include "xrust/fs.h"
#include "xrust/sha256.h"
#include "xrust/strv.h"
#include "xrust/toml.h"

#define CRATES_IO_INDEX "https://github.com/rust-lang/crates.io-index"
#define CRATES_IO_SPARSE "https://index.crates.io/"

void xr_lock_init(struct xr_lock *l)
{
  memset(l, 0, sizeof(*l));
}

static void pkg_release(struct xr_lock_pkg *p)
{
  free(p->name);
  free(p->version);
  free(p->source);
  free(p->checksum);
  free(p->url);
  free(p->git_ref_value);
  free(p->commit);
  xr_strv_release(&p->deps);
}

void xr_lock_release(struct xr_lock *l)
{
  size_t i;

  for (i = 0; i < l->n; i++)
    pkg_release(&l->pkgs[i]);
  free(l->pkgs);
  free(l->path);
  memset(l, 0, sizeof(*l));
}

/* "NAME:LINE:COLUMN: " errors about the value V. */
static int bad(struct xr_err *err, const char *name, const struct xr_toml *v,
               const char *what)
{
  return xr_toml_fail(err, XR_EMANIFEST, name, v, "%s", what);
}

/* 1 when the N bytes at S are UTF-8 (no overlongs, no surrogates). */
static int is_utf8(const unsigned char *s, size_t n)
{
  size_t i = 0, k, j;

  while (i < n) {
    unsigned char c = s[i], lo = 0x80, hi = 0xBF;

    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF)
      k = 1;
    else if (c >= 0xE0 && c <= 0xEF)
      k = 2;
    else if (c >= 0xF0 && c <= 0xF4)
      k = 3;
    else
      return 0;
    if (c == 0xE0)
      lo = 0xA0;
    else if (c == 0xED)
      hi = 0x9F;
    else if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F;
    if (n - i <= k)
      return 0;
    for (j = 1; j <= k; j++) {
      if (s[i + j] < lo || s[i + j] > hi)
        return 0;
      lo = 0x80;
      hi = 0xBF;
    }
    i += k + 1;
  }
  return 1;
}

/*
 * Percent-decodes N bytes of S; NULL when out of memory or malformed.  A
 * NUL byte or a result that is not UTF-8 is malformed, as for cargo: the
 * value is a git ref, and it is written into a TOML file.
 */
static char *url_decode(const char *s, size_t n)
{
  struct xr_buf b = XR_BUF_INIT;
  size_t i;

  for (i = 0; i < n; i++) {
    int c = (unsigned char)s[i];

    if (c == '%') {
      if (i + 2 >= n || xr_hexval((unsigned char)s[i + 1]) < 0 ||
          xr_hexval((unsigned char)s[i + 2]) < 0)
        goto fail;
      c = xr_hexval((unsigned char)s[i + 1]) * 16 +
          xr_hexval((unsigned char)s[i + 2]);
      i += 2;
      if (!c)
        goto fail;
    }
    if (xr_buf_addc(&b, (char)c))
      goto fail;
  }
  if (!b.data && xr_buf_adds(&b, ""))
    goto fail;
  if (!is_utf8((const unsigned char *)b.data, b.len))
    goto fail;
  return xr_buf_detach(&b);
fail:
  xr_buf_release(&b);
  return NULL;
}

/*
 * Splits a git source "URL[?KEY=VALUE]#COMMIT" into P's fields.  Returns
 * 0, -1 when out of memory, or 1 when malformed (with *WHY set).
 */
static int parse_git(struct xr_lock_pkg *p, const char *s, int decode,
                     const char **why)
{
  const char *hash = strrchr(s, '#');
  const char *q;
  size_t i, n;

  if (!hash || !hash[1]) {
    *why = "git source without a locked commit";
    return 1;
  }
  n = strlen(hash + 1);
  for (i = 0; i < n; i++)
    if (xr_hexval((unsigned char)hash[1 + i]) < 0)
      break;
  if (i != n || (n != 40 && n != 64)) {
    *why = "invalid commit in git source";
    return 1;
  }
  p->commit = xr_strdup(hash + 1);
  if (!p->commit)
    return -1;
  q = memchr(s, '?', (size_t)(hash - s));
  p->url = xr_strndup(s, (size_t)((q ? q : hash) - s));
  if (!p->url)
    return -1;
  if (!*p->url) {
    *why = "git source without a url";
    return 1;
  }
  p->git_ref = XR_GIT_DEFAULT;
  if (q) {
    const char *key = q + 1, *eq = memchr(key, '=', (size_t)(hash - key));
    size_t klen, vlen;

    if (!eq) {
      *why = "invalid query in git source (expected branch, tag or rev)";
      return 1;
    }
    klen = (size_t)(eq - key);
    vlen = (size_t)(hash - eq - 1);
    if (klen == 6 && !memcmp(key, "branch", 6))
      p->git_ref = XR_GIT_BRANCH;
    else if (klen == 3 && !memcmp(key, "tag", 3))
      p->git_ref = XR_GIT_TAG;
    else if (klen == 3 && !memcmp(key, "rev", 3))
      p->git_ref = XR_GIT_REV;
    else {
      *why = "invalid query in git source (expected branch, tag or rev)";
      return 1;
    }
    p->git_ref_value = decode ? url_decode(eq + 1, vlen)
                              : xr_strndup(eq + 1, vlen);
    if (!p->git_ref_value) {
      if (!decode)
        return -1;
      *why = "invalid percent-encoding in git source";
      return 1;
    }
  }
  return 0;
}

static int starts(const char *s, const char *prefix)
{
  return !strncmp(s, prefix, strlen(prefix));
}

/* Classifies P->source; 0, -1 (no memory) or 1 (malformed, *WHY set). */
static int parse_source(struct xr_lock_pkg *p, int decode, const char **why)
{
  const char *s = p->source;

  if (!s) {
    p->kind = XR_SRC_PATH;
    return 0;
  }
  if (starts(s, "registry+")) {
    p->kind = XR_SRC_REGISTRY;
    p->url = xr_strdup(s + 9);
    return p->url ? 0 : -1;
  }
  if (starts(s, "sparse+")) {
    p->kind = XR_SRC_SPARSE;
    p->url = xr_strdup(s + 7);
    return p->url ? 0 : -1;
  }
  if (starts(s, "git+")) {
    p->kind = XR_SRC_GIT;
    return parse_git(p, s + 4, decode, why);
  }
  p->kind = XR_SRC_OTHER;
  return 0;
}

int xr_lock_is_crates_io(const struct xr_lock_pkg *p)
{
  if (p->kind == XR_SRC_REGISTRY)
    return !strcmp(p->url, CRATES_IO_INDEX);
  if (p->kind == XR_SRC_SPARSE)
    return !strcmp(p->url, CRATES_IO_SPARSE);
  return 0;
}

/* A string value at KEY of table T into *OUT (NULL when absent). */
static int get_str(const struct xr_toml *t, const char *key, const char *file,
                   char **out, int required, struct xr_err *err)
{
  const struct xr_toml *v = xr_toml_get(t, key);
  char what[128];

  *out = NULL;
  if (!v) {
    if (!required)
      return 0;
    snprintf(what, sizeof(what), "package without '%s'", key);
    return bad(err, file, t, what);
  }
  if (xr_toml_type(v) != XR_TOML_STRING) {
    snprintf(what, sizeof(what), "'%s' must be a string", key);
    return bad(err, file, v, what);
  }
  if (strlen(xr_toml_str(v)) != xr_toml_str_len(v) || !*xr_toml_str(v)) {
    snprintf(what, sizeof(what), "invalid '%s'", key);
    return bad(err, file, v, what);
  }
  *out = xr_strdup(xr_toml_str(v));
  return *out ? 0 : xr_nomem(err);
}

/* Lowercases a checksum after checking it. */
static int check_sum(char *s, const struct xr_toml *v, const char *file,
                     struct xr_err *err)
{
  char *c;

  if (!xr_sha256_valid(s))
    return bad(err, file, v, "invalid checksum (expected 64 hex digits)");
  for (c = s; *c; c++)
    if (*c >= 'A' && *c <= 'F')
      *c = (char)(*c - 'A' + 'a');
  return 0;
}

static int read_pkg(const struct xr_toml *t, const char *file, int decode,
                    struct xr_lock_pkg *p, struct xr_err *err)
{
  const struct xr_toml *deps;
  const char *why = NULL;
  int rc;

  p->line = xr_toml_line(t);
  p->column = xr_toml_column(t);
  if (xr_toml_type(t) != XR_TOML_TABLE)
    return bad(err, file, t, "'package' entries must be tables");
  rc = get_str(t, "name", file, &p->name, 1, err);
  if (!rc)
    rc = get_str(t, "version", file, &p->version, 1, err);
  if (!rc)
    rc = get_str(t, "source", file, &p->source, 0, err);
  if (!rc)
    rc = get_str(t, "checksum", file, &p->checksum, 0, err);
  if (rc)
    return rc;
  if (p->checksum) {
    rc = check_sum(p->checksum, xr_toml_get(t, "checksum"), file, err);
    if (rc)
      return rc;
  }
  rc = parse_source(p, decode, &why);
  if (rc < 0)
    return xr_nomem(err);
  if (rc > 0)
    return bad(err, file, xr_toml_get(t, "source"), why);
  deps = xr_toml_get(t, "dependencies");
  if (deps) {
    size_t i;

    if (xr_toml_type(deps) != XR_TOML_ARRAY)
      return bad(err, file, deps, "'dependencies' must be an array");
    for (i = 0; i < xr_toml_len(deps); i++) {
      const struct xr_toml *d = xr_toml_at(deps, i);

      if (xr_toml_type(d) != XR_TOML_STRING || !*xr_toml_str(d))
        return bad(err, file, d, "dependencies must be non-empty strings");
      if (xr_strv_push(&p->deps, xr_toml_str(d)))
        return xr_nomem(err);
    }
  }
  return 0;
}

/*
 * Version 1 keeps checksums in [metadata] as
 * "checksum NAME VERSION (SOURCE)" = "HEX" (or "<none>").
 */
static int read_metadata(const struct xr_toml *meta, const char *file,
                         struct xr_lock *l, struct xr_err *err)
{
  size_t i, j;

  if (xr_toml_type(meta) != XR_TOML_TABLE)
    return bad(err, file, meta, "'metadata' must be a table");
  for (i = 0; i < xr_toml_len(meta); i++) {
    const char *key = xr_toml_key(meta, i);
    const struct xr_toml *v = xr_toml_at(meta, i);
    const char *sp1, *sp2, *open;
    size_t klen = strlen(key);
    char *sum;
    int found = 0;

    if (strncmp(key, "checksum ", 9))
      continue;
    sp1 = strchr(key + 9, ' ');
    sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    open = sp2 && sp2[1] == '(' ? sp2 + 1 : NULL;
    if (!open || key[klen - 1] != ')')
      return bad(err, file, v, "invalid metadata key (expected "
                 "'checksum NAME VERSION (SOURCE)')");
    if (xr_toml_type(v) != XR_TOML_STRING)
      return bad(err, file, v, "metadata checksums must be strings");
    if (!strcmp(xr_toml_str(v), "<none>"))
      continue;
    for (j = 0; j < l->n && !found; j++) {
      struct xr_lock_pkg *p = &l->pkgs[j];
      size_t nl = (size_t)(sp1 - key - 9), vl = (size_t)(sp2 - sp1 - 1);
      size_t sl = (size_t)(key + klen - 1 - open - 1);

      if (strlen(p->name) != nl || strncmp(p->name, key + 9, nl) ||
          strlen(p->version) != vl || strncmp(p->version, sp1 + 1, vl) ||
          !p->source || strlen(p->source) != sl ||
          strncmp(p->source, open + 1, sl))
        continue;
      found = 1;
      if (p->checksum)
        continue;
      sum = xr_strdup(xr_toml_str(v));
      if (!sum)
        return xr_nomem(err);
      p->checksum = sum;
      if (check_sum(sum, v, file, err))
        return err ? err->code : XR_EMANIFEST;
    }
    if (!found)
      return bad(err, file, v, "checksum for a package not in the lockfile");
  }
  return 0;
}

int xr_lock_parse(const char *data, size_t len, const char *name,
                  struct xr_lock *l, struct xr_err *err)
{
  struct xr_toml *doc;
  const struct xr_toml *ver, *pkgs, *meta, *root;
  size_t i, j;
  int rc = 0, inline_sums = 0;

  xr_lock_init(l);
  doc = xr_toml_parse(data, len, name, err);
  if (!doc)
    return err ? err->code : XR_ETOML;
  l->path = xr_strdup(name);
  if (!l->path) {
    rc = xr_nomem(err);
    goto out;
  }
  ver = xr_toml_get(doc, "version");
  if (ver) {
    if (xr_toml_type(ver) != XR_TOML_INTEGER) {
      rc = bad(err, name, ver, "'version' must be an integer");
      goto out;
    }
    if (xr_toml_int(ver) < 1 || xr_toml_int(ver) > 4) {
      char what[96];

      snprintf(what, sizeof(what), "unsupported lockfile version %lld "
               "(xrust reads 1 to 4)", (long long)xr_toml_int(ver));
      rc = bad(err, name, ver, what);
      goto out;
    }
    l->version = (int)xr_toml_int(ver);
  }
  pkgs = xr_toml_get(doc, "package");
  if (pkgs) {
    if (xr_toml_type(pkgs) != XR_TOML_ARRAY) {
      rc = bad(err, name, pkgs, "'package' must be an array of tables");
      goto out;
    }
    l->pkgs = calloc(xr_toml_len(pkgs) + 1, sizeof(*l->pkgs));
    if (!l->pkgs) {
      rc = xr_nomem(err);
      goto out;
    }
    for (i = 0; i < xr_toml_len(pkgs); i++) {
      const struct xr_toml *t = xr_toml_at(pkgs, i);

      l->n++;
      rc = read_pkg(t, name, l->version >= 4, &l->pkgs[i], err);
      if (rc)
        goto out;
      if (l->pkgs[i].checksum)
        inline_sums = 1;
      for (j = 0; j < i; j++) {
        const struct xr_lock_pkg *a = &l->pkgs[j], *b = &l->pkgs[i];

        if (!strcmp(a->name, b->name) && !strcmp(a->version, b->version) &&
            (a->source == b->source ||
             (a->source && b->source && !strcmp(a->source, b->source)))) {
          char what[256];

          snprintf(what, sizeof(what), "duplicate package '%s' %s",
                   b->name, b->version);
          rc = bad(err, name, t, what);
          goto out;
        }
      }
    }
  }
  /* The oldest lockfiles keep the root package in [root]. */
  root = xr_toml_get(doc, "root");
  if (root) {
    struct xr_lock_pkg *grown = realloc(l->pkgs,
                                        (l->n + 1) * sizeof(*l->pkgs));

    if (!grown) {
      rc = xr_nomem(err);
      goto out;
    }
    l->pkgs = grown;
    memset(&l->pkgs[l->n], 0, sizeof(*l->pkgs));
    l->n++;
    rc = read_pkg(root, name, 0, &l->pkgs[l->n - 1], err);
    if (rc)
      goto out;
  }
  meta = xr_toml_get(doc, "metadata");
  if (meta) {
    rc = read_metadata(meta, name, l, err);
    if (rc)
      goto out;
  }
  if (!l->version)
    l->version = inline_sums ? 2 : 1;
out:
  xr_toml_free(doc);
  if (rc) {
    free(l->path);
    l->path = NULL;
    xr_lock_release(l);
  }
  return rc;
}

int xr_lock_read(const char *path, struct xr_lock *l, struct xr_err *err)
{
  struct xr_buf data = XR_BUF_INIT;
  int rc;

  xr_lock_init(l);
  rc = xr_fs_read(path, XR_TOML_FILE_MAX, &data, err);
  if (!rc)
    rc = xr_lock_parse(xr_buf_str(&data), data.len, path, l, err);
  xr_buf_release(&data);
  return rc;
}

/* Appends the index prefix of NAME ("1", "2", "3/a", "ab/cd"). */
static int add_prefix(struct xr_buf *out, const char *name, int lower)
{
  size_t n = strlen(name), i, start = out->len;
  int rc;

  if (n <= 2)
    rc = xr_buf_printf(out, "%zu", n);
  else if (n == 3)
    rc = xr_buf_printf(out, "3/%c", name[0]);
  else
    rc = xr_buf_printf(out, "%.2s/%.2s", name, name + 2);
  if (rc || !lower)
    return rc;
  for (i = start; i < out->len; i++)
    if (out->data[i] >= 'A' && out->data[i] <= 'Z')
      out->data[i] = (char)(out->data[i] - 'A' + 'a');
  return 0;
}

int xr_crate_dl_url(const char *tmpl, const char *name, const char *version,
                    const char *sha256, struct xr_buf *out)
{
  static const char *const marks[] = {
    "{crate}", "{version}", "{prefix}", "{lowerprefix}", "{sha256-checksum}"
  };
  const char *p = tmpl;
  int any = 0, rc = 0;
  size_t i;

  xr_buf_reset(out);
  for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
    if (strstr(tmpl, marks[i]))
      any = 1;
  if (!any)
    return xr_buf_printf(out, "%s/%s/%s/download", tmpl, name, version);
  while (*p && !rc) {
    if (starts(p, "{crate}")) {
      rc = xr_buf_adds(out, name);
      p += 7;
    } else if (starts(p, "{version}")) {
      rc = xr_buf_adds(out, version);
      p += 9;
    } else if (starts(p, "{prefix}")) {
      rc = add_prefix(out, name, 0);
      p += 8;
    } else if (starts(p, "{lowerprefix}")) {
      rc = add_prefix(out, name, 1);
      p += 13;
    } else if (starts(p, "{sha256-checksum}")) {
      rc = xr_buf_adds(out, sha256 ? sha256 : "");
      p += 17;
    } else {
      rc = xr_buf_addc(out, *p++);
    }
  }
  if (!rc && !out->data)
    rc = xr_buf_adds(out, "");
  return rc;
}
