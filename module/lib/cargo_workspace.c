/*
 * Cargo workspaces as cargo finds them from the manifests alone.  This
 * file owns loading each Cargo.toml once per call, the workspace a
 * package belongs to (package.workspace, or the nearest ancestor with
 * [workspace] that does not exclude it), the members of that workspace
 * (globs, exclude, default-members, path dependencies inside the root),
 * and `workspace = true` inheritance of package fields and dependencies.
 * Errors name FILE:LINE:COLUMN through the TOML parser's positions.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cargo_priv.h"
#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/fs.h"
#include "xrust/strv.h"
#include "xrust/toml.h"

const char *const xr_cargo_dep_tables[XR_CARGO_DEP_TABLES] = {
  "dependencies", "dev-dependencies", "build-dependencies",
  "dev_dependencies", "build_dependencies"
};

char *xr_cargo_join(const char *a, const char *b)
{
  struct xr_buf out = XR_BUF_INIT;

  if (b[0] == '/') {
    if (xr_buf_adds(&out, b))
      goto fail;
  } else if (xr_buf_printf(&out, "%s/%s", a, b)) {
    goto fail;
  }
  return xr_buf_detach(&out);
fail:
  xr_buf_release(&out);
  return NULL;
}

/* 1 when PATH is DIR or below it (both absolute and resolved). */
static int is_under(const char *path, const char *dir)
{
  size_t n = strlen(dir);

  if (strncmp(path, dir, n))
    return 0;
  return path[n] == '\0' || path[n] == '/' || (n == 1 && dir[0] == '/');
}

void xr_cargo_ctx_release(struct ctx *c)
{
  size_t i;

  for (i = 0; i < c->n; i++) {
    free(c->pkgs[i].dir);
    free(c->pkgs[i].manifest);
    xr_toml_free(c->pkgs[i].doc);
  }
  free(c->pkgs);
  xr_strv_release(&c->dirs);
  memset(c, 0, sizeof(*c));
}

void xr_cargo_ws_release(struct ws *w)
{
  free(w->members);
  free(w->defaults);
  xr_strv_release(&w->excludes);
  memset(w, 0, sizeof(*w));
}

int xr_cargo_load(struct ctx *c, const char *dir, size_t *idx,
                  struct xr_err *err)
{
  char real[PATH_MAX];
  struct pkg p;
  size_t i;
  int rc = 0;

  memset(&p, 0, sizeof(p));
  if (!realpath(dir, real))
    return xr_fail(err, XR_ENOTFOUND, "cannot read '%s': %s", dir,
                   strerror(errno));
  for (i = 0; i < c->n; i++) {
    if (!strcmp(c->pkgs[i].dir, real)) {
      *idx = i;
      return 0;
    }
  }
  p.dir = xr_strdup(real);
  p.manifest = p.dir ? xr_cargo_join(p.dir, "Cargo.toml") : NULL;
  if (!p.manifest) {
    rc = xr_nomem(err);
    goto out;
  }
  if (!xr_fs_is_file(p.manifest)) {
    rc = xr_fail(err, XR_ENOTFOUND, "cannot read '%s': %s", p.manifest,
                 strerror(ENOENT));
    goto out;
  }
  p.doc = xr_toml_parse_file(p.manifest, err);
  if (!p.doc) {
    rc = err ? err->code : XR_ETOML;
    goto out;
  }
  p.package = xr_toml_get(p.doc, "package");
  p.ws = xr_toml_get(p.doc, "workspace");
  if (p.package && xr_toml_type(p.package) != XR_TOML_TABLE) {
    rc = bad(err, p.manifest, p.package, "'package' must be a table");
    goto out;
  }
  if (p.ws && xr_toml_type(p.ws) != XR_TOML_TABLE) {
    rc = bad(err, p.manifest, p.ws, "'workspace' must be a table");
    goto out;
  }
  if (!p.package && !p.ws) {
    rc = xr_fail(err, XR_EMANIFEST, "%s:1:1: manifest has neither "
                 "[package] nor [workspace]", p.manifest);
    goto out;
  }
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 8;
    struct pkg *v = realloc(c->pkgs, cap * sizeof(*v));

    if (!v) {
      rc = xr_nomem(err);
      goto out;
    }
    c->pkgs = v;
    c->cap = cap;
  }
  c->pkgs[c->n] = p;
  *idx = c->n++;
  return 0;
out:
  free(p.dir);
  free(p.manifest);
  xr_toml_free(p.doc);
  return rc;
}

int xr_cargo_opt_str(const struct pkg *p, const struct xr_toml *t,
                     const char *key, const char **out, struct xr_err *err)
{
  const struct xr_toml *v = t ? xr_toml_get(t, key) : NULL;

  *out = NULL;
  if (!v)
    return 0;
  if (xr_toml_type(v) != XR_TOML_STRING)
    return bad(err, p->manifest, v, "'%s' must be a string", key);
  *out = xr_toml_str(v);
  return 0;
}

int xr_cargo_inherits(const struct xr_toml *v)
{
  const struct xr_toml *w;

  if (!v || xr_toml_type(v) != XR_TOML_TABLE)
    return 0;
  w = xr_toml_get(v, "workspace");
  return w && xr_toml_type(w) == XR_TOML_BOOL && xr_toml_bool(w);
}

int xr_cargo_pkg_field(const struct pkg *p, const struct pkg *root,
                       const char *key, const struct xr_toml **out,
                       struct xr_err *err)
{
  const struct xr_toml *v = p->package ? xr_toml_get(p->package, key)
                                       : NULL;
  const struct xr_toml *wp;

  *out = v;
  if (!xr_cargo_inherits(v))
    return 0;
  wp = root && root->ws ? xr_toml_get(root->ws, "package") : NULL;
  *out = wp && xr_toml_type(wp) == XR_TOML_TABLE ? xr_toml_get(wp, key)
                                                 : NULL;
  if (!*out) {
    char what[PATH_MAX + 128];

    snprintf(what, sizeof(what), "'%s' is inherited but %s%s has no "
             "workspace.package.%s", key, root ? root->manifest : "",
             root ? "" : "no workspace", key);
    return bad(err, p->manifest, v, "%s", what);
  }
  return 0;
}

int xr_cargo_ws_dep(const struct pkg *p, const struct pkg *root,
                    const char *name, const struct xr_toml *v,
                    const struct xr_toml **out, struct xr_err *err)
{
  const struct xr_toml *wd;

  wd = root && root->ws ? xr_toml_get(root->ws, "dependencies") : NULL;
  *out = wd && xr_toml_type(wd) == XR_TOML_TABLE ? xr_toml_get(wd, name)
                                                 : NULL;
  if (!*out)
    return bad(err, p->manifest, v, "dependency '%s' is inherited but "
               "not defined in workspace.dependencies", name);
  return 0;
}

/* Calls FN for every dependency table of P (top level and target.*). */
typedef int (*dep_table_fn)(void *arg, const char *table_name,
                            const struct xr_toml *t, struct xr_err *err);

/* Calls FN for each dependency table of the table OF (of P). */
static int dep_tables_of(const struct pkg *p, const struct xr_toml *of,
                         dep_table_fn fn, void *arg, struct xr_err *err)
{
  size_t i;
  int rc;

  for (i = 0; i < XR_CARGO_DEP_TABLES; i++) {
    const struct xr_toml *t = xr_toml_get(of, xr_cargo_dep_tables[i]);

    if (!t)
      continue;
    if (xr_toml_type(t) != XR_TOML_TABLE)
      return bad(err, p->manifest, t, "'%s' must be a table",
                 xr_cargo_dep_tables[i]);
    rc = fn(arg, xr_cargo_dep_tables[i], t, err);
    if (rc)
      return rc;
  }
  return 0;
}

static int each_dep_table(const struct pkg *p, dep_table_fn fn, void *arg,
                          struct xr_err *err)
{
  const struct xr_toml *targets = xr_toml_get(p->doc, "target");
  size_t j;
  int rc = dep_tables_of(p, p->doc, fn, arg, err);

  if (rc || !targets || xr_toml_type(targets) != XR_TOML_TABLE)
    return rc;
  for (j = 0; !rc && j < xr_toml_len(targets); j++) {
    const struct xr_toml *tt = xr_toml_at(targets, j);

    if (xr_toml_type(tt) == XR_TOML_TABLE)
      rc = dep_tables_of(p, tt, fn, arg, err);
  }
  return rc;
}

/* Collecting the directories of path dependencies. */
struct path_deps {
  const struct pkg *p;
  const struct pkg *root;
  struct xr_strv *dirs;
};

static int path_deps_table(void *arg, const char *table_name,
                           const struct xr_toml *t, struct xr_err *err)
{
  struct path_deps *pd = arg;
  size_t i;

  (void)table_name;
  for (i = 0; i < xr_toml_len(t); i++) {
    const struct xr_toml *d = xr_toml_at(t, i), *src = d, *pv;
    const char *name = xr_toml_key(t, i), *base = pd->p->dir;
    char real[PATH_MAX], *abs;
    int rc;

    if (xr_toml_type(d) != XR_TOML_TABLE)
      continue;
    if (xr_cargo_inherits(d)) {
      rc = xr_cargo_ws_dep(pd->p, pd->root, name, d, &src, err);
      if (rc)
        return rc;
      base = pd->root->dir;
      if (xr_toml_type(src) != XR_TOML_TABLE)
        continue;
    }
    pv = xr_toml_get(src, "path");
    if (!pv)
      continue;
    if (xr_toml_type(pv) != XR_TOML_STRING)
      return bad(err, base == pd->p->dir ? pd->p->manifest
                 : pd->root->manifest, pv, "'path' must be a string");
    abs = xr_cargo_join(base, xr_toml_str(pv));
    if (!abs)
      return xr_nomem(err);
    if (!realpath(abs, real)) {
      rc = bad(err, base == pd->p->dir ? pd->p->manifest
               : pd->root->manifest, pv, "path dependency '%s' does not "
               "exist", name);
      free(abs);
      return rc;
    }
    free(abs);
    if (xr_strv_push_unique(pd->dirs, real))
      return xr_nomem(err);
  }
  return 0;
}

int xr_cargo_path_deps(const struct pkg *p, const struct pkg *root,
                       struct xr_strv *dirs, struct xr_err *err)
{
  struct path_deps pd;

  pd.p = p;
  pd.root = root;
  pd.dirs = dirs;
  return each_dep_table(p, path_deps_table, &pd, err);
}

int xr_cargo_add_idx(size_t **v, size_t *n, size_t idx)
{
  size_t i, *nv;

  for (i = 0; i < *n; i++)
    if ((*v)[i] == idx)
      return 0;
  nv = realloc(*v, (*n + 1) * sizeof(*nv));
  if (!nv)
    return -1;
  nv[(*n)++] = idx;
  *v = nv;
  return 0;
}

static int has_glob(const char *s)
{
  return strpbrk(s, "*?[") != NULL;
}

/*
 * Records in C->dirs the directories a glob PATTERN (absolute) lists: the
 * part before its first component with a wildcard, and the directory of
 * each match, so that a new or removed member changes one of their times.
 */
static int glob_dirs(struct ctx *c, const char *pattern, const glob_t *g)
{
  struct xr_buf d = XR_BUF_INIT;
  const char *w = pattern + strcspn(pattern, "*?[");
  const char *slash;
  size_t k;
  int rc = 0;

  while (w > pattern && w[-1] != '/')
    w--;
  if (w > pattern + 1)
    w--;
  rc = xr_buf_add(&d, pattern, (size_t)(w - pattern)) ||
       xr_strv_push_unique(&c->dirs, xr_buf_str(&d));
  for (k = 0; !rc && k < g->gl_pathc; k++) {
    slash = strrchr(g->gl_pathv[k], '/');
    if (!slash || slash == g->gl_pathv[k])
      continue;
    xr_buf_reset(&d);
    rc = xr_buf_add(&d, g->gl_pathv[k], (size_t)(slash - g->gl_pathv[k])) ||
         xr_strv_push_unique(&c->dirs, xr_buf_str(&d));
  }
  xr_buf_release(&d);
  return rc ? -1 : 0;
}

static int excluded(const struct ws *w, const char *dir)
{
  size_t i;

  for (i = 0; i < w->excludes.n; i++)
    if (is_under(dir, w->excludes.v[i]))
      return 1;
  return 0;
}

/*
 * Expands the array KEY of the root's [workspace] (members or
 * default-members) into package indices.
 */
static int expand_list(struct ctx *c, struct ws *w, const char *key,
                       size_t **out, size_t *n, struct xr_err *err)
{
  const struct pkg *root = &c->pkgs[w->root];
  const struct xr_toml *arr = xr_toml_get(root->ws, key);
  const char *manifest = root->manifest;
  size_t i, k, idx;
  int rc = 0;

  if (!arr)
    return 0;
  if (xr_toml_type(arr) != XR_TOML_ARRAY)
    return bad(err, manifest, arr, "'workspace.%s' must be an array", key);
  for (i = 0; i < xr_toml_len(arr); i++) {
    const struct xr_toml *m = xr_toml_at(arr, i);
    char *pattern;
    glob_t g;

    if (xr_toml_type(m) != XR_TOML_STRING)
      return bad(err, manifest, m, "workspace %s must be strings", key);
    pattern = xr_cargo_join(c->pkgs[w->root].dir, xr_toml_str(m));
    if (!pattern)
      return xr_nomem(err);
    if (!has_glob(xr_toml_str(m))) {
      rc = xr_cargo_load(c, pattern, &idx, err);
      free(pattern);
      if (rc == XR_ENOTFOUND)
        return bad(err, c->pkgs[w->root].manifest, m, "workspace member "
                   "'%s' has no Cargo.toml", xr_toml_str(m));
      if (rc)
        return rc;
      if (xr_cargo_add_idx(out, n, idx))
        return xr_nomem(err);
      continue;
    }
    memset(&g, 0, sizeof(g));
    rc = glob(pattern, 0, NULL, &g);
    if ((rc == 0 || rc == GLOB_NOMATCH) && glob_dirs(c, pattern, &g)) {
      free(pattern);
      globfree(&g);
      return xr_nomem(err);
    }
    free(pattern);
    if (rc == GLOB_NOMATCH) {
      globfree(&g);
      rc = 0;
      continue;
    }
    if (rc) {
      globfree(&g);
      return bad(err, c->pkgs[w->root].manifest, m, "cannot expand '%s'",
                 xr_toml_str(m));
    }
    for (k = 0; k < g.gl_pathc && !rc; k++) {
      char real[PATH_MAX];

      if (!xr_fs_is_dir(g.gl_pathv[k]) || !realpath(g.gl_pathv[k], real) ||
          excluded(w, real))
        continue;
      rc = xr_cargo_load(c, real, &idx, err);
      if (rc == XR_ENOTFOUND)
        rc = bad(err, c->pkgs[w->root].manifest, m, "workspace member "
                 "'%s' has no Cargo.toml", g.gl_pathv[k]);
      else if (!rc && xr_cargo_add_idx(out, n, idx))
        rc = xr_nomem(err);
    }
    globfree(&g);
    if (rc)
      return rc;
  }
  return 0;
}

/*
 * Fills W for the workspace rooted at package ROOT: exclude, members
 * (with the root package and the path dependencies inside the root),
 * default-members.
 */
static int ws_members(struct ctx *c, size_t root, struct ws *w,
                      struct xr_err *err)
{
  const struct xr_toml *ex;
  size_t i, j;
  int rc;

  memset(w, 0, sizeof(*w));
  w->root = root;
  w->has_ws = c->pkgs[root].ws != NULL;
  if (c->pkgs[root].package &&
      xr_cargo_add_idx(&w->members, &w->n_members, root))
    return xr_nomem(err);
  if (!w->has_ws)
    return 0;
  ex = xr_toml_get(c->pkgs[root].ws, "exclude");
  if (ex && xr_toml_type(ex) != XR_TOML_ARRAY)
    return bad(err, c->pkgs[root].manifest, ex,
               "'workspace.exclude' must be an array");
  for (i = 0; ex && i < xr_toml_len(ex); i++) {
    const struct xr_toml *e = xr_toml_at(ex, i);
    char *abs;

    if (xr_toml_type(e) != XR_TOML_STRING)
      return bad(err, c->pkgs[root].manifest, e,
                 "workspace excludes must be strings");
    abs = xr_cargo_join(c->pkgs[root].dir, xr_toml_str(e));
    if (!abs || xr_strv_push(&w->excludes, abs)) {
      free(abs);
      return xr_nomem(err);
    }
    free(abs);
  }
  rc = expand_list(c, w, "members", &w->members, &w->n_members, err);
  if (rc)
    return rc;
  /* Path dependencies inside the root are members too, transitively. */
  for (i = 0; i < w->n_members; i++) {
    struct xr_strv dirs = XR_STRV_INIT;

    rc = xr_cargo_path_deps(&c->pkgs[w->members[i]], &c->pkgs[root], &dirs,
                            err);
    for (j = 0; !rc && j < dirs.n; j++) {
      size_t idx;

      if (!is_under(dirs.v[j], c->pkgs[root].dir) ||
          excluded(w, dirs.v[j]))
        continue;
      rc = xr_cargo_load(c, dirs.v[j], &idx, err);
      if (!rc && xr_cargo_add_idx(&w->members, &w->n_members, idx))
        rc = xr_nomem(err);
    }
    xr_strv_release(&dirs);
    if (rc)
      return rc;
  }
  return expand_list(c, w, "default-members", &w->defaults, &w->n_defaults,
                     err);
}

static int is_member(const struct ws *w, size_t idx)
{
  size_t i;

  for (i = 0; i < w->n_members; i++)
    if (w->members[i] == idx)
      return 1;
  return 0;
}

int xr_cargo_find_ws(struct ctx *c, size_t idx, struct ws *w,
                     struct xr_err *err)
{
  const char *link = NULL;
  char dir[PATH_MAX];
  size_t ridx;
  int rc;

  if (c->pkgs[idx].ws)
    return ws_members(c, idx, w, err);
  rc = xr_cargo_opt_str(&c->pkgs[idx], c->pkgs[idx].package, "workspace",
                        &link, err);
  if (rc)
    return rc;
  if (link) {
    char *abs = xr_cargo_join(c->pkgs[idx].dir, link);
    const struct xr_toml *v = xr_toml_get(c->pkgs[idx].package,
                                          "workspace");

    if (!abs)
      return xr_nomem(err);
    rc = xr_cargo_load(c, abs, &ridx, err);
    free(abs);
    if (rc == XR_ENOTFOUND)
      return bad(err, c->pkgs[idx].manifest, v, "workspace root '%s' has "
                 "no Cargo.toml", link);
    if (rc)
      return rc;
    if (!c->pkgs[ridx].ws)
      return bad(err, c->pkgs[idx].manifest, v, "'%s' is not a workspace "
                 "root (no [workspace])", link);
    rc = ws_members(c, ridx, w, err);
    if (!rc && !is_member(w, idx))
      rc = bad(err, c->pkgs[idx].manifest, v, "package is not a member of "
               "the workspace at '%s'", link);
    return rc;
  }
  snprintf(dir, sizeof(dir), "%s", c->pkgs[idx].dir);
  for (;;) {
    char *slash = strrchr(dir, '/'), *manifest;

    if (!slash || slash == dir)
      break;
    *slash = '\0';
    if (c->ceiling[0] && !is_under(dir, c->ceiling))
      break;
    manifest = xr_cargo_join(dir, "Cargo.toml");
    if (!manifest)
      return xr_nomem(err);
    rc = xr_fs_is_file(manifest) ? 1 : 0;
    free(manifest);
    if (!rc)
      continue;
    rc = xr_cargo_load(c, dir, &ridx, err);
    if (rc)
      return rc;
    if (!c->pkgs[ridx].ws)
      continue;
    rc = ws_members(c, ridx, w, err);
    if (rc)
      return rc;
    if (excluded(w, c->pkgs[idx].dir) && !is_member(w, idx)) {
      xr_cargo_ws_release(w);
      continue;
    }
    if (!is_member(w, idx))
      return xr_fail(err, XR_EMANIFEST, "%s: package believes it is in "
                     "the workspace at '%s' but is not a member (add it "
                     "to workspace.members or workspace.exclude)",
                     c->pkgs[idx].manifest, c->pkgs[ridx].manifest);
    return 0;
  }
  return ws_members(c, idx, w, err);
}
