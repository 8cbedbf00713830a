/*
 * Cargo.toml reader: what cargo would conclude from a package's manifests
 * alone, in the workspace cargo_workspace.c finds.  This file owns a
 * package's name and version (with `version.workspace = true` inherited
 * from [workspace.package]), its binary targets (explicit [[bin]] plus
 * src/main.rs, src/bin/NAME.rs and src/bin/<name>/main.rs unless
 * autobins = false), its library's crate types, the packages a build
 * selects, the source files Make should depend on, the Make text of
 * $(rust-crate), and finding a package by name in a checkout.  Errors
 * name FILE:LINE:COLUMN through the TOML parser's positions.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cargo_priv.h"
#include "xrust/buf.h"
#include "xrust/cargo.h"
#include "xrust/error.h"
#include "xrust/fs.h"
#include "xrust/strv.h"
#include "xrust/toml.h"

/* The package name of P (required). */
static int pkg_name(const struct pkg *p, const char **out,
                    struct xr_err *err)
{
  int rc = xr_cargo_opt_str(p, p->package, "name", out, err);

  if (!rc && !*out)
    rc = bad(err, p->manifest, p->package, "package without 'name'");
  if (!rc && !**out)
    rc = bad(err, p->manifest, xr_toml_get(p->package, "name"),
             "empty package name");
  return rc;
}

static int pkg_bool(const struct pkg *p, const char *key, int dflt,
                    int *out, struct xr_err *err)
{
  const struct xr_toml *v = p->package ? xr_toml_get(p->package, key)
                                       : NULL;

  *out = dflt;
  if (!v)
    return 0;
  if (xr_toml_type(v) != XR_TOML_BOOL)
    return bad(err, p->manifest, v, "'%s' must be a boolean", key);
  *out = xr_toml_bool(v);
  return 0;
}

/* Ends with ".rs"? */
static int is_rs(const char *name)
{
  size_t n = strlen(name);

  return n > 3 && !strcmp(name + n - 3, ".rs");
}

/* Names of the entries of DIR, sorted (none when it does not exist). */
static int list_dir(const char *dir, struct xr_strv *out,
                    struct xr_err *err)
{
  DIR *d = opendir(dir);
  struct dirent *e;

  if (!d)
    return 0;
  for (;;) {
    e = readdir(d);
    if (!e)
      break;
    if (e->d_name[0] == '.')
      continue;
    if (xr_strv_push(out, e->d_name)) {
      closedir(d);
      return xr_nomem(err);
    }
  }
  closedir(d);
  xr_strv_sort(out);
  return 0;
}

/* Binary targets of P into BINS (appended, unique). */
static int pkg_bins(const struct pkg *p, struct xr_strv *bins,
                    struct xr_err *err)
{
  const struct xr_toml *arr = xr_toml_get(p->doc, "bin");
  struct xr_strv names = XR_STRV_INIT, paths = XR_STRV_INIT;
  struct xr_strv ents = XR_STRV_INIT;
  const char *name = NULL;
  char *path = NULL;
  size_t i;
  int autobins, rc;

  rc = pkg_bool(p, "autobins", 1, &autobins, err);
  if (rc)
    goto out;
  if (arr && xr_toml_type(arr) != XR_TOML_ARRAY) {
    rc = bad(err, p->manifest, arr, "'bin' must be an array of tables");
    goto out;
  }
  for (i = 0; arr && i < xr_toml_len(arr); i++) {
    const struct xr_toml *b = xr_toml_at(arr, i);
    const char *bn, *bp;

    if (xr_toml_type(b) != XR_TOML_TABLE) {
      rc = bad(err, p->manifest, b, "'bin' entries must be tables");
      goto out;
    }
    rc = xr_cargo_opt_str(p, b, "name", &bn, err);
    if (!rc)
      rc = xr_cargo_opt_str(p, b, "path", &bp, err);
    if (rc)
      goto out;
    if (!bn || !*bn) {
      rc = bad(err, p->manifest, b, "binary target without 'name'");
      goto out;
    }
    if (xr_strv_push_unique(&names, bn)) {
      rc = xr_nomem(err);
      goto out;
    }
    if (bp) {
      path = xr_cargo_join(p->dir, bp);
      if (!path || xr_strv_push(&paths, path)) {
        rc = xr_nomem(err);
        goto out;
      }
      free(path);
      path = NULL;
    }
  }
  if (autobins && p->package) {
    rc = pkg_name(p, &name, err);
    if (rc)
      goto out;
    path = xr_cargo_join(p->dir, "src/main.rs");
    if (!path) {
      rc = xr_nomem(err);
      goto out;
    }
    if (xr_fs_is_file(path) && !xr_strv_has(&paths, path) &&
        xr_strv_push_unique(&names, name)) {
      rc = xr_nomem(err);
      goto out;
    }
    free(path);
    path = xr_cargo_join(p->dir, "src/bin");
    if (!path) {
      rc = xr_nomem(err);
      goto out;
    }
    rc = list_dir(path, &ents, err);
    for (i = 0; !rc && i < ents.n; i++) {
      struct xr_buf f = XR_BUF_INIT, stem = XR_BUF_INIT;

      if (is_rs(ents.v[i])) {
        if (xr_buf_printf(&f, "%s/%s", path, ents.v[i]) ||
            xr_buf_add(&stem, ents.v[i], strlen(ents.v[i]) - 3))
          rc = xr_nomem(err);
      } else if (xr_buf_printf(&f, "%s/%s/main.rs", path, ents.v[i]) ||
                 xr_buf_adds(&stem, ents.v[i])) {
        rc = xr_nomem(err);
      }
      if (!rc && xr_fs_is_file(f.data) && !xr_strv_has(&paths, f.data) &&
          xr_strv_push_unique(&names, stem.data))
        rc = xr_nomem(err);
      xr_buf_release(&f);
      xr_buf_release(&stem);
    }
    if (rc)
      goto out;
  }
  for (i = 0; i < names.n; i++) {
    if (xr_strv_push_unique(bins, names.v[i])) {
      rc = xr_nomem(err);
      goto out;
    }
  }
out:
  free(path);
  xr_strv_release(&names);
  xr_strv_release(&paths);
  xr_strv_release(&ents);
  return rc;
}

/*
 * The library target of P: crate types appended to TYPES (unique) and its
 * name in *NAME (malloc'd; NULL when P has no library).
 */
static int pkg_lib(const struct pkg *p, struct xr_strv *types, char **name,
                   struct xr_err *err)
{
  const struct xr_toml *lib = xr_toml_get(p->doc, "lib"), *ct, *pm;
  const char *ln = NULL, *pn = NULL;
  char *path = NULL, *c;
  size_t i;
  int autolib, rc;

  *name = NULL;
  if (!p->package)
    return 0;
  rc = pkg_bool(p, "autolib", 1, &autolib, err);
  if (!rc)
    rc = pkg_name(p, &pn, err);
  if (rc)
    return rc;
  if (lib && xr_toml_type(lib) != XR_TOML_TABLE)
    return bad(err, p->manifest, lib, "'lib' must be a table");
  if (!lib) {
    path = xr_cargo_join(p->dir, "src/lib.rs");
    if (!path)
      return xr_nomem(err);
    rc = autolib && xr_fs_is_file(path);
    free(path);
    if (!rc)
      return 0;
  }
  rc = xr_cargo_opt_str(p, lib, "name", &ln, err);
  if (rc)
    return rc;
  *name = xr_strdup(ln ? ln : pn);
  if (!*name)
    return xr_nomem(err);
  for (c = *name; *c; c++)
    if (*c == '-')
      *c = '_';
  ct = lib ? xr_toml_get(lib, "crate-type") : NULL;
  if (!ct && lib)
    ct = xr_toml_get(lib, "crate_type");
  pm = lib ? xr_toml_get(lib, "proc-macro") : NULL;
  if (!pm && lib)
    pm = xr_toml_get(lib, "proc_macro");
  if (ct) {
    if (xr_toml_type(ct) != XR_TOML_ARRAY)
      return bad(err, p->manifest, ct, "'crate-type' must be an array");
    for (i = 0; i < xr_toml_len(ct); i++) {
      const struct xr_toml *t = xr_toml_at(ct, i);

      if (xr_toml_type(t) != XR_TOML_STRING || !*xr_toml_str(t))
        return bad(err, p->manifest, t, "crate types must be non-empty "
                   "strings");
      if (xr_strv_push_unique(types, xr_toml_str(t)))
        return xr_nomem(err);
    }
    return 0;
  }
  if (pm && xr_toml_type(pm) != XR_TOML_BOOL)
    return bad(err, p->manifest, pm, "'proc-macro' must be a boolean");
  if (xr_strv_push_unique(types, pm && xr_toml_bool(pm) ? "proc-macro"
                                                        : "lib"))
    return xr_nomem(err);
  return 0;
}

/* Every .rs file under DIR, recursively (dot-dirs and target/ skipped). */
static int walk_rs(const char *dir, struct xr_strv *out,
                   struct xr_strv *dirs, int depth, struct xr_err *err)
{
  struct xr_strv ents = XR_STRV_INIT;
  size_t i;
  int rc;

  if (depth > 64)
    return 0;
  if (xr_fs_is_dir(dir) && xr_strv_push_unique(dirs, dir))
    return xr_nomem(err);
  rc = list_dir(dir, &ents, err);
  for (i = 0; !rc && i < ents.n; i++) {
    char *path = xr_cargo_join(dir, ents.v[i]);

    if (!path) {
      rc = xr_nomem(err);
      break;
    }
    if (xr_fs_is_dir(path)) {
      if (strcmp(ents.v[i], "target"))
        rc = walk_rs(path, out, dirs, depth + 1, err);
    } else if (is_rs(ents.v[i]) && xr_strv_push_unique(out, path)) {
      rc = xr_nomem(err);
    }
    free(path);
  }
  xr_strv_release(&ents);
  return rc;
}

/* Adds DIR/REL to OUT when it is a file, and its directory to DIRS. */
static int add_file(const char *dir, const char *rel, struct xr_strv *out,
                    struct xr_strv *dirs, struct xr_err *err)
{
  char *path = xr_cargo_join(dir, rel);
  char *slash;
  int rc = 0;

  if (!path)
    return xr_nomem(err);
  if (xr_fs_is_file(path) && xr_strv_push_unique(out, path))
    rc = xr_nomem(err);
  slash = strrchr(path, '/');
  if (!rc && slash && slash > path) {
    *slash = '\0';
    if (xr_strv_push_unique(dirs, path))
      rc = xr_nomem(err);
  }
  free(path);
  return rc;
}

/* Target tables whose `path` may point outside the usual directories. */
static const char *const target_kinds[] = {
  "lib", "bin", "example", "test", "bench"
};

/*
 * The sources of P into OUT, and into DIRS every directory whose listing
 * decided them (a new file changes the time of one of those).
 */
static int pkg_sources(const struct pkg *p, struct xr_strv *out,
                       struct xr_strv *dirs, struct xr_err *err)
{
  static const char *const kinds[] = { "src", "examples", "tests", "benches" };
  const struct xr_toml *build;
  size_t i, j;
  int rc = 0;

  for (i = 0; !rc && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
    char *d = xr_cargo_join(p->dir, kinds[i]);

    if (!d)
      return xr_nomem(err);
    rc = walk_rs(d, out, dirs, 0, err);
    free(d);
  }
  if (rc || !p->package)
    return rc;
  build = xr_toml_get(p->package, "build");
  if (!build)
    rc = add_file(p->dir, "build.rs", out, dirs, err);
  else if (xr_toml_type(build) == XR_TOML_STRING)
    rc = add_file(p->dir, xr_toml_str(build), out, dirs, err);
  for (i = 0; !rc && i < sizeof(target_kinds) / sizeof(target_kinds[0]);
       i++) {
    const struct xr_toml *t = xr_toml_get(p->doc, target_kinds[i]);
    size_t n = 1;

    if (!t)
      continue;
    if (xr_toml_type(t) == XR_TOML_ARRAY)
      n = xr_toml_len(t);
    for (j = 0; !rc && j < n; j++) {
      const struct xr_toml *e = xr_toml_type(t) == XR_TOML_ARRAY
                                ? xr_toml_at(t, j) : t;
      const struct xr_toml *pv;

      if (xr_toml_type(e) != XR_TOML_TABLE)
        continue;
      pv = xr_toml_get(e, "path");
      if (pv && xr_toml_type(pv) == XR_TOML_STRING)
        rc = add_file(p->dir, xr_toml_str(pv), out, dirs, err);
    }
  }
  return rc;
}

void xr_crate_init(struct xr_crate *c)
{
  memset(c, 0, sizeof(*c));
}

void xr_crate_release(struct xr_crate *c)
{
  free(c->dir);
  free(c->root);
  free(c->name);
  free(c->version);
  free(c->lib_name);
  free(c->lock);
  xr_strv_release(&c->bins);
  xr_strv_release(&c->libs);
  xr_strv_release(&c->manifests);
  xr_strv_release(&c->sources);
  xr_strv_release(&c->packages);
  xr_strv_release(&c->inputs);
  memset(c, 0, sizeof(*c));
}

/* The packages to build from IDX, closed over path dependencies. */
static int selection(struct ctx *c, const struct ws *w, size_t idx,
                     size_t **sel, size_t *n, struct xr_err *err)
{
  size_t i, j;
  int rc = 0;

  if (idx != w->root || !w->has_ws) {
    if (xr_cargo_add_idx(sel, n, idx))
      return xr_nomem(err);
  } else if (w->n_defaults) {
    for (i = 0; i < w->n_defaults; i++)
      if (xr_cargo_add_idx(sel, n, w->defaults[i]))
        return xr_nomem(err);
  } else if (c->pkgs[idx].package) {
    if (xr_cargo_add_idx(sel, n, idx))
      return xr_nomem(err);
  } else {
    for (i = 0; i < w->n_members; i++)
      if (xr_cargo_add_idx(sel, n, w->members[i]))
        return xr_nomem(err);
  }
  for (i = 0; !rc && i < *n; i++) {
    struct xr_strv dirs = XR_STRV_INIT;

    if (!c->pkgs[(*sel)[i]].package)
      continue;
    rc = xr_cargo_path_deps(&c->pkgs[(*sel)[i]], &c->pkgs[w->root], &dirs,
                            err);
    for (j = 0; !rc && j < dirs.n; j++) {
      size_t d;

      rc = xr_cargo_load(c, dirs.v[j], &d, err);
      if (!rc && xr_cargo_add_idx(sel, n, d))
        rc = xr_nomem(err);
    }
    xr_strv_release(&dirs);
  }
  return rc;
}

static int set_str(char **dst, const char *s, struct xr_err *err)
{
  free(*dst);
  *dst = xr_strdup(s);
  return *dst ? 0 : xr_nomem(err);
}

int xr_crate_read(const char *dir, struct xr_crate *out, struct xr_err *err)
{
  struct ctx c;
  struct ws w;
  size_t idx, i, *sel = NULL, n_sel = 0, n_bin_sel;
  const struct xr_toml *ver = NULL;
  const struct pkg *p, *root;
  int rc;

  memset(&c, 0, sizeof(c));
  memset(&w, 0, sizeof(w));
  xr_crate_init(out);
  rc = xr_cargo_load(&c, dir, &idx, err);
  if (rc)
    goto out;
  rc = xr_cargo_find_ws(&c, idx, &w, err);
  if (rc)
    goto out;
  rc = selection(&c, &w, idx, &sel, &n_sel, err);
  if (rc)
    goto out;
  p = &c.pkgs[idx];
  root = &c.pkgs[w.root];
  if (set_str(&out->dir, p->dir, err) || set_str(&out->root, root->dir, err))
    goto fail;
  if (p->package) {
    const char *name;

    rc = pkg_name(p, &name, err);
    if (!rc)
      rc = xr_cargo_pkg_field(p, root, "version", &ver, err);
    if (rc)
      goto out;
    if (set_str(&out->name, name, err))
      goto fail;
  } else {
    const char *base = strrchr(p->dir, '/');
    const struct xr_toml *wp = xr_toml_get(p->ws, "package");

    if (set_str(&out->name, base && base[1] ? base + 1 : p->dir, err))
      goto fail;
    if (wp && xr_toml_type(wp) == XR_TOML_TABLE)
      ver = xr_toml_get(wp, "version");
  }
  if (ver && xr_toml_type(ver) != XR_TOML_STRING) {
    rc = bad(err, p->manifest, ver, "'version' must be a string");
    goto out;
  }
  if (set_str(&out->version, ver ? xr_toml_str(ver)
              : p->package ? "0.0.0" : "", err))
    goto fail;
  /* Targets come from the selected packages, not their path deps. */
  n_bin_sel = n_sel;
  if (idx != w.root || !w.has_ws)
    n_bin_sel = 1;
  else if (!w.n_defaults && p->package)
    n_bin_sel = 1;
  else
    n_bin_sel = w.n_defaults ? w.n_defaults : w.n_members;
  for (i = 0; i < n_bin_sel; i++) {
    char *ln = NULL;

    rc = pkg_bins(&c.pkgs[sel[i]], &out->bins, err);
    if (!rc)
      rc = pkg_lib(&c.pkgs[sel[i]], &out->libs, &ln, err);
    if (rc)
      goto out;
    if (ln && !out->lib_name)
      out->lib_name = ln;
    else
      free(ln);
  }
  if (xr_strv_push(&out->manifests, root->manifest))
    goto fail;
  for (i = 0; i < w.n_members; i++)
    if (xr_strv_push_unique(&out->manifests, c.pkgs[w.members[i]].manifest))
      goto fail;
  for (i = 0; i < n_sel; i++) {
    if (xr_strv_push_unique(&out->manifests, c.pkgs[sel[i]].manifest))
      goto fail;
    rc = pkg_sources(&c.pkgs[sel[i]], &out->sources, &c.dirs, err);
    if (rc)
      goto out;
  }
  for (i = 0; i < c.n; i++) {
    const char *pn;

    if (!c.pkgs[i].package ||
        !xr_strv_has(&out->manifests, c.pkgs[i].manifest))
      continue;
    rc = pkg_name(&c.pkgs[i], &pn, err);
    if (rc)
      goto out;
    if (xr_strv_push_unique(&out->packages, pn))
      goto fail;
  }
  /* Every manifest read and the directory holding it (a new build.rs,
   * src/ or examples/), then the directories listed. */
  for (i = 0; i < c.n; i++)
    if (xr_strv_push_unique(&out->inputs, c.pkgs[i].manifest) ||
        xr_strv_push_unique(&out->inputs, c.pkgs[i].dir))
      goto fail;
  for (i = 0; i < c.dirs.n; i++)
    if (xr_strv_push_unique(&out->inputs, c.dirs.v[i]))
      goto fail;
  xr_strv_sort(&out->manifests);
  xr_strv_sort(&out->sources);
  xr_strv_sort(&out->packages);
  xr_strv_sort(&out->inputs);
  out->lock = xr_cargo_join(root->dir, "Cargo.lock");
  if (!out->lock)
    goto fail;
  goto out;
fail:
  rc = xr_nomem(err);
out:
  free(sel);
  xr_cargo_ws_release(&w);
  xr_cargo_ctx_release(&c);
  if (rc)
    xr_crate_release(out);
  return rc;
}

/* Finding a package by name in a checkout. */

int xr_crate_find_package(const char *root, const char *name,
                          struct xr_buf *out, struct xr_err *err)
{
  struct xr_strv queue = XR_STRV_INIT;
  size_t head = 0;
  int rc = 0, found = 0;

  if (xr_strv_push(&queue, root)) {
    rc = xr_nomem(err);
    goto out;
  }
  while (!found && !rc && head < queue.n) {
    const char *dir = queue.v[head++];
    struct xr_strv ents = XR_STRV_INIT;
    char *manifest = xr_cargo_join(dir, "Cargo.toml");
    size_t i;

    if (!manifest) {
      rc = xr_nomem(err);
      break;
    }
    if (xr_fs_is_file(manifest)) {
      struct xr_err ignored;
      struct xr_toml *doc = xr_toml_parse_file(manifest, &ignored);
      const struct xr_toml *pn = doc ? xr_toml_path(doc, "package.name",
                                                    NULL) : NULL;

      if (pn && xr_toml_type(pn) == XR_TOML_STRING &&
          !strcmp(xr_toml_str(pn), name)) {
        char real[PATH_MAX];

        found = 1;
        xr_buf_reset(out);
        if (!realpath(dir, real) || xr_buf_adds(out, real))
          rc = xr_nomem(err);
      }
      xr_toml_free(doc);
    }
    free(manifest);
    if (found || rc)
      break;
    rc = list_dir(dir, &ents, err);
    for (i = 0; !rc && i < ents.n; i++) {
      char *sub;

      if (!strcmp(ents.v[i], "target"))
        continue;
      sub = xr_cargo_join(dir, ents.v[i]);
      if (!sub) {
        rc = xr_nomem(err);
        break;
      }
      if (xr_fs_is_dir(sub) && xr_strv_push(&queue, sub))
        rc = xr_nomem(err);
      free(sub);
    }
    xr_strv_release(&ents);
  }
  if (!rc && !found)
    rc = xr_fail(err, XR_ENOTFOUND, "no package '%s' in '%s'", name, root);
out:
  xr_strv_release(&queue);
  return rc;
}
