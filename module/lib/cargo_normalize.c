/*
 * The normalised manifest `cargo vendor` writes for a package: its
 * Cargo.toml with `field.workspace = true` in [package] and in every
 * dependency table replaced by the workspace's value (dependency features
 * merged), [workspace], [patch] and [replace] dropped, and each path
 * dependency resolved to its real directory or to what the caller's
 * rewrite returns for it.
 * The workspace comes from cargo_workspace.c, the text from
 * toml_write.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cargo_priv.h"
#include "xrust/buf.h"
#include "xrust/cargo.h"
#include "xrust/error.h"
#include "xrust/toml.h"
#include "xrust/toml_write.h"

struct norm {
  struct ctx *c;
  const struct pkg *p;
  const struct pkg *root;
  xr_crate_path_fn rewrite;
  void *rctx;
  struct xr_buf *o;
};

/* The path to write for a path dependency at BASE/REL. */
static int dep_path(struct norm *nm, const char *base, const char *rel,
                    const struct xr_toml *pv, struct xr_buf *out,
                    struct xr_err *err)
{
  char real[PATH_MAX], *abs = xr_cargo_join(base, rel), *np = NULL;
  int failed = 0, rc = 0;

  if (!abs)
    return xr_nomem(err);
  if (!realpath(abs, real)) {
    rc = bad(err, nm->p->manifest, pv, "path dependency '%s' does not "
             "exist", rel);
    goto out;
  }
  if (nm->rewrite)
    np = nm->rewrite(nm->rctx, real, &failed);
  if (failed) {
    rc = bad(err, nm->p->manifest, pv, "cannot vendor path dependency "
             "'%s'", rel);
    goto out;
  }
  xr_buf_reset(out);
  if (xr_buf_adds(out, np ? np : real))
    rc = xr_nomem(err);
out:
  free(np);
  free(abs);
  return rc;
}

/*
 * Writes the value V of key K of a dependency: a `path` resolved against
 * BASE (through dep_path; PATH is scratch), anything else as it is.
 */
static int dep_value(struct norm *nm, const char *k, const struct xr_toml *v,
                     const char *base, struct xr_buf *path,
                     struct xr_err *err)
{
  int rc;

  if (strcmp(k, "path") || xr_toml_type(v) != XR_TOML_STRING)
    return xr_toml_put_value(nm->o, v) ? xr_nomem(err) : 0;
  rc = dep_path(nm, base, xr_toml_str(v), v, path, err);
  if (!rc && xr_toml_put_str(nm->o, path->data, path->len))
    rc = xr_nomem(err);
  return rc;
}

/* Writes one dependency entry NAME = VALUE, inheritance resolved. */
static int dep_out(struct norm *nm, const char *name, size_t nlen,
                   const struct xr_toml *d, struct xr_err *err)
{
  const struct xr_toml *base = NULL, *features = NULL;
  struct xr_buf path = XR_BUF_INIT;
  struct xr_buf *o = nm->o;
  size_t i, n = 0;
  int rc = 0;

  if (xr_toml_type(d) == XR_TOML_STRING)
    return xr_toml_put_key(o, name, nlen) || xr_buf_adds(o, " = ") ||
           xr_toml_put_value(o, d) || xr_buf_addc(o, '\n') ? xr_nomem(err) : 0;
  if (xr_toml_type(d) != XR_TOML_TABLE)
    return bad(err, nm->p->manifest, d, "invalid dependency '%s'", name);
  if (xr_cargo_inherits(d)) {
    rc = xr_cargo_ws_dep(nm->p, nm->root, name, d, &base, err);
    if (rc)
      return rc;
  }
  if (xr_toml_put_key(o, name, nlen) || xr_buf_adds(o, " = {"))
    goto nomem;
  /* Entries of the inherited table first, then the member's own. */
  if (base && xr_toml_type(base) == XR_TOML_STRING) {
    if (xr_buf_adds(o, " version = ") || xr_toml_put_value(o, base))
      goto nomem;
    n++;
  }
  for (i = 0; base && xr_toml_type(base) == XR_TOML_TABLE &&
       i < xr_toml_len(base); i++) {
    const char *k = xr_toml_key(base, i);
    const struct xr_toml *v = xr_toml_at(base, i);

    if (!strcmp(k, "features")) {
      features = v;
      continue;
    }
    /* The member's own value wins (features are merged below). */
    if (xr_toml_get(d, k))
      continue;
    if (xr_buf_adds(o, n++ ? ", " : " ") ||
        xr_toml_put_key(o, k, xr_toml_key_len(base, i)) ||
        xr_buf_adds(o, " = "))
      goto nomem;
    rc = dep_value(nm, k, v, nm->root->dir, &path, err);
    if (rc)
      goto out;
  }
  for (i = 0; i < xr_toml_len(d); i++) {
    const char *k = xr_toml_key(d, i);
    const struct xr_toml *v = xr_toml_at(d, i);

    if (!strcmp(k, "workspace") && base)
      continue;
    if (xr_buf_adds(o, n++ ? ", " : " ") ||
        xr_toml_put_key(o, k, xr_toml_key_len(d, i)) || xr_buf_adds(o, " = "))
      goto nomem;
    if (!strcmp(k, "features") && features &&
        xr_toml_type(v) == XR_TOML_ARRAY &&
        xr_toml_type(features) == XR_TOML_ARRAY) {
      size_t j, m = 0;

      if (xr_buf_addc(o, '['))
        goto nomem;
      for (j = 0; j < xr_toml_len(features); j++, m++)
        if ((m && xr_buf_adds(o, ", ")) ||
            xr_toml_put_value(o, xr_toml_at(features, j)))
          goto nomem;
      for (j = 0; j < xr_toml_len(v); j++, m++)
        if ((m && xr_buf_adds(o, ", ")) ||
            xr_toml_put_value(o, xr_toml_at(v, j)))
          goto nomem;
      if (xr_buf_addc(o, ']'))
        goto nomem;
      features = NULL;
    } else {
      rc = dep_value(nm, k, v, nm->p->dir, &path, err);
      if (rc)
        goto out;
    }
  }
  if (features && (xr_buf_adds(o, n++ ? ", " : " ") ||
                   xr_buf_adds(o, "features = ") ||
                   xr_toml_put_value(o, features)))
    goto nomem;
  if (xr_buf_adds(o, n ? " }\n" : "}\n"))
    goto nomem;
  goto out;
nomem:
  rc = xr_nomem(err);
out:
  xr_buf_release(&path);
  return rc;
}

static int dep_section(struct norm *nm, const char *header,
                       const struct xr_toml *t, struct xr_err *err)
{
  size_t i;
  int rc = 0;

  if (xr_buf_printf(nm->o, "\n[%s]\n", header))
    return xr_nomem(err);
  for (i = 0; !rc && i < xr_toml_len(t); i++)
    rc = dep_out(nm, xr_toml_key(t, i), xr_toml_key_len(t, i),
                 xr_toml_at(t, i), err);
  return rc;
}

static int is_dep_table(const char *k)
{
  size_t i;

  for (i = 0; i < XR_CARGO_DEP_TABLES; i++)
    if (!strcmp(k, xr_cargo_dep_tables[i]))
      return 1;
  return 0;
}

static int package_out(struct norm *nm, struct xr_err *err)
{
  const struct xr_toml *t = nm->p->package;
  struct xr_buf path = XR_BUF_INIT;
  size_t i;
  int rc = 0;

  if (xr_buf_adds(nm->o, "[package]\n") || xr_buf_adds(&path, "package"))
    goto nomem;
  for (i = 0; !rc && i < xr_toml_len(t); i++) {
    const char *k = xr_toml_key(t, i);
    const struct xr_toml *v = xr_toml_at(t, i);

    if (!strcmp(k, "workspace"))
      continue;
    if (xr_cargo_inherits(v)) {
      rc = xr_cargo_pkg_field(nm->p, nm->root, k, &v, err);
      if (rc)
        break;
    } else if (xr_toml_type(v) == XR_TOML_TABLE || xr_toml_is_table_array(v)) {
      continue;
    }
    if (xr_toml_put_key(nm->o, k, xr_toml_key_len(t, i)) ||
        xr_buf_adds(nm->o, " = ") || xr_toml_put_value(nm->o, v) ||
        xr_buf_addc(nm->o, '\n'))
      goto nomem;
  }
  for (i = 0; !rc && i < xr_toml_len(t); i++) {
    const struct xr_toml *v = xr_toml_at(t, i);

    if (xr_cargo_inherits(v) ||
        (xr_toml_type(v) != XR_TOML_TABLE && !xr_toml_is_table_array(v)))
      continue;
    xr_buf_reset(&path);
    if (xr_buf_adds(&path, "package") ||
        xr_toml_path_add(&path, xr_toml_key(t, i), xr_toml_key_len(t, i)))
      goto nomem;
    if (xr_toml_type(v) == XR_TOML_TABLE) {
      if (xr_toml_put_table(nm->o, &path, v, 1))
        goto nomem;
    }
  }
  goto out;
nomem:
  rc = xr_nomem(err);
out:
  xr_buf_release(&path);
  return rc;
}

int xr_crate_normalize(const char *manifest, const char *ceiling,
                       xr_crate_path_fn rewrite_path, void *rctx,
                       struct xr_buf *out, struct xr_err *err)
{
  struct ctx c;
  struct ws w;
  struct norm nm;
  struct xr_buf path = XR_BUF_INIT, header = XR_BUF_INIT;
  char *dir = xr_strdup(manifest), *slash;
  size_t idx, i, j;
  int rc;

  memset(&c, 0, sizeof(c));
  memset(&w, 0, sizeof(w));
  xr_buf_reset(out);
  if (!dir)
    return xr_nomem(err);
  slash = strrchr(dir, '/');
  if (slash)
    *slash = '\0';
  if (ceiling && !realpath(ceiling, c.ceiling)) {
    rc = xr_fail(err, XR_ENOTFOUND, "cannot read '%s': %s", ceiling,
                 strerror(errno));
    goto out;
  }
  rc = xr_cargo_load(&c, slash ? (*dir ? dir : "/") : ".", &idx, err);
  if (rc)
    goto out;
  if (!c.pkgs[idx].package) {
    rc = xr_fail(err, XR_EMANIFEST, "%s:1:1: not a package manifest",
                 c.pkgs[idx].manifest);
    goto out;
  }
  rc = xr_cargo_find_ws(&c, idx, &w, err);
  if (rc)
    goto out;
  nm.c = &c;
  nm.p = &c.pkgs[idx];
  nm.root = &c.pkgs[w.root];
  nm.rewrite = rewrite_path;
  nm.rctx = rctx;
  nm.o = out;
  if (xr_buf_adds(out, "# Normalised by xrust from the package's "
                  "Cargo.toml (workspace\n# inheritance resolved).\n\n"))
    goto nomem;
  /* Top-level values must precede the first section. */
  for (i = 0; i < xr_toml_len(nm.p->doc); i++) {
    const struct xr_toml *v = xr_toml_at(nm.p->doc, i);

    if (xr_toml_type(v) == XR_TOML_TABLE || xr_toml_is_table_array(v))
      continue;
    if (xr_toml_put_key(out, xr_toml_key(nm.p->doc, i),
                        xr_toml_key_len(nm.p->doc, i)) ||
        xr_buf_adds(out, " = ") || xr_toml_put_value(out, v) ||
        xr_buf_addc(out, '\n'))
      goto nomem;
  }
  rc = package_out(&nm, err);
  for (i = 0; !rc && i < xr_toml_len(nm.p->doc); i++) {
    const char *k = xr_toml_key(nm.p->doc, i);
    const struct xr_toml *v = xr_toml_at(nm.p->doc, i);

    if (!strcmp(k, "package") || !strcmp(k, "workspace") ||
        !strcmp(k, "patch") || !strcmp(k, "replace"))
      continue;
    if (is_dep_table(k) && xr_toml_type(v) == XR_TOML_TABLE) {
      rc = dep_section(&nm, k, v, err);
      continue;
    }
    if (!strcmp(k, "lints") && xr_cargo_inherits(v)) {
      const struct xr_toml *wl = nm.root->ws
                                 ? xr_toml_get(nm.root->ws, "lints") : NULL;

      if (!wl) {
        rc = bad(err, nm.p->manifest, v, "'lints' is inherited but the "
                 "workspace has no workspace.lints");
        continue;
      }
      v = wl;
    }
    if (!strcmp(k, "target") && xr_toml_type(v) == XR_TOML_TABLE) {
      for (j = 0; !rc && j < xr_toml_len(v); j++) {
        const struct xr_toml *tt = xr_toml_at(v, j);
        size_t m;

        if (xr_toml_type(tt) != XR_TOML_TABLE)
          continue;
        for (m = 0; !rc && m < xr_toml_len(tt); m++) {
          const char *tk = xr_toml_key(tt, m);

          xr_buf_reset(&header);
          if (xr_buf_adds(&header, "target") ||
              xr_toml_path_add(&header, xr_toml_key(v, j),
                               xr_toml_key_len(v, j)) ||
              xr_toml_path_add(&header, tk, xr_toml_key_len(tt, m))) {
            rc = xr_nomem(err);
            break;
          }
          if (is_dep_table(tk) &&
              xr_toml_type(xr_toml_at(tt, m)) == XR_TOML_TABLE)
            rc = dep_section(&nm, header.data, xr_toml_at(tt, m), err);
          else if (xr_toml_type(xr_toml_at(tt, m)) == XR_TOML_TABLE &&
                   xr_toml_put_table(out, &header, xr_toml_at(tt, m), 1))
            rc = xr_nomem(err);
        }
      }
      continue;
    }
    xr_buf_reset(&path);
    if (xr_toml_path_add(&path, k, xr_toml_key_len(nm.p->doc, i)))
      goto nomem;
    if (xr_toml_type(v) == XR_TOML_TABLE) {
      if (xr_toml_put_table(out, &path, v, 1))
        goto nomem;
    } else if (xr_toml_is_table_array(v)) {
      for (j = 0; j < xr_toml_len(v); j++)
        if (xr_buf_printf(out, "\n[[%s]]\n", path.data) ||
            xr_toml_put_table(out, &path, xr_toml_at(v, j), 0))
          goto nomem;
    }
  }
  goto out;
nomem:
  rc = xr_nomem(err);
out:
  free(dir);
  xr_buf_release(&path);
  xr_buf_release(&header);
  xr_cargo_ws_release(&w);
  xr_cargo_ctx_release(&c);
  return rc;
}
