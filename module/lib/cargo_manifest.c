/*
 * Cargo.toml reader, workspace aware.  It owns what cargo would conclude
 * from the manifests alone: a package's name and version (with
 * `version.workspace = true` inherited from [workspace.package]), its
 * binary targets (explicit [[bin]] plus src/main.rs, src/bin/NAME.rs and
 * src/bin/<name>/main.rs unless autobins = false), its library's crate
 * types, the workspace it belongs to (package.workspace, or the nearest
 * ancestor with [workspace] that does not exclude it), the members of that
 * workspace (globs, exclude, default-members, path dependencies inside the
 * root), the source files Make should depend on, and the normalised
 * manifest that `cargo vendor` writes for git packages.  Errors name
 * FILE:LINE:COLUMN through the TOML parser's positions.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xrust/buf.h"
#include "xrust/cargo.h"
#include "xrust/strv.h"
#include "xrust/toml.h"

/* One loaded manifest. */
struct pkg {
  char *dir;                     /* absolute, symlinks resolved */
  char *manifest;                /* dir + "/Cargo.toml" */
  struct xr_toml *doc;
  const struct xr_toml *package; /* [package], or NULL */
  const struct xr_toml *ws;      /* [workspace], or NULL */
};

/* Every manifest read during one call, by index (the array moves). */
struct ctx {
  struct pkg *pkgs;
  size_t n, cap;
  char ceiling[PATH_MAX]; /* no workspace is searched above it ("": none) */
};

/* A workspace: its root package and members (indices into ctx). */
struct ws {
  size_t root;
  int has_ws;           /* the root has [workspace] */
  size_t *members;
  size_t n_members;
  size_t *defaults;     /* default-members; n_defaults 0 when unset */
  size_t n_defaults;
  struct xr_strv excludes; /* absolute */
};

static const char *const dep_tables[] = {
  "dependencies", "dev-dependencies", "build-dependencies",
  "dev_dependencies", "build_dependencies"
};
#define N_DEP_TABLES (sizeof(dep_tables) / sizeof(dep_tables[0]))

/* Fails with "FILE:LINE:COLUMN: message" at V ("FILE: message" without). */
#define bad(err, file, v, ...) \
  xr_toml_fail((err), XR_EMANIFEST, (file), (v), __VA_ARGS__)

static char *join(const char *a, const char *b)
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

static int is_dir(const char *p)
{
  struct stat st;

  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p)
{
  struct stat st;

  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* 1 when PATH is DIR or below it (both absolute and resolved). */
static int is_under(const char *path, const char *dir)
{
  size_t n = strlen(dir);

  if (strncmp(path, dir, n))
    return 0;
  return path[n] == '\0' || path[n] == '/' || (n == 1 && dir[0] == '/');
}

static void ctx_release(struct ctx *c)
{
  size_t i;

  for (i = 0; i < c->n; i++) {
    free(c->pkgs[i].dir);
    free(c->pkgs[i].manifest);
    xr_toml_free(c->pkgs[i].doc);
  }
  free(c->pkgs);
  memset(c, 0, sizeof(*c));
}

static void ws_release(struct ws *w)
{
  free(w->members);
  free(w->defaults);
  xr_strv_release(&w->excludes);
  memset(w, 0, sizeof(*w));
}

/*
 * Loads DIR/Cargo.toml (once per call) into *IDX.  DIR need not be
 * resolved.  A missing manifest is XR_ENOTFOUND.
 */
static int load(struct ctx *c, const char *dir, size_t *idx,
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
  p.manifest = p.dir ? join(p.dir, "Cargo.toml") : NULL;
  if (!p.manifest) {
    rc = xr_nomem(err);
    goto out;
  }
  if (!is_file(p.manifest)) {
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

/* A string at KEY of T: NULL when absent; error when not a string. */
static int opt_str(const struct pkg *p, const struct xr_toml *t,
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

/* 1 when V is a table with `workspace = true`. */
static int inherits(const struct xr_toml *v)
{
  const struct xr_toml *w;

  if (!v || xr_toml_type(v) != XR_TOML_TABLE)
    return 0;
  w = xr_toml_get(v, "workspace");
  return w && xr_toml_type(w) == XR_TOML_BOOL && xr_toml_bool(w);
}

/*
 * The value of package field KEY of P, following `KEY.workspace = true`
 * into ROOT's [workspace.package].  *OUT is NULL when the field is absent.
 */
static int pkg_field(const struct pkg *p, const struct pkg *root,
                     const char *key, const struct xr_toml **out,
                     struct xr_err *err)
{
  const struct xr_toml *v = p->package ? xr_toml_get(p->package, key)
                                       : NULL;
  const struct xr_toml *wp;

  *out = v;
  if (!inherits(v))
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

/*
 * The workspace.dependencies entry that dependency NAME (value V, with
 * `workspace = true`) of P inherits from ROOT.
 */
static int ws_dep(const struct pkg *p, const struct pkg *root,
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

static int each_dep_table(const struct pkg *p, dep_table_fn fn, void *arg,
                          struct xr_err *err)
{
  const struct xr_toml *targets = xr_toml_get(p->doc, "target");
  size_t i, j;
  int rc;

  for (i = 0; i < N_DEP_TABLES; i++) {
    const struct xr_toml *t = xr_toml_get(p->doc, dep_tables[i]);

    if (!t)
      continue;
    if (xr_toml_type(t) != XR_TOML_TABLE)
      return bad(err, p->manifest, t, "'%s' must be a table",
                 dep_tables[i]);
    rc = fn(arg, dep_tables[i], t, err);
    if (rc)
      return rc;
  }
  if (!targets || xr_toml_type(targets) != XR_TOML_TABLE)
    return 0;
  for (j = 0; j < xr_toml_len(targets); j++) {
    const struct xr_toml *tt = xr_toml_at(targets, j);

    if (xr_toml_type(tt) != XR_TOML_TABLE)
      continue;
    for (i = 0; i < N_DEP_TABLES; i++) {
      const struct xr_toml *t = xr_toml_get(tt, dep_tables[i]);

      if (!t)
        continue;
      if (xr_toml_type(t) != XR_TOML_TABLE)
        return bad(err, p->manifest, t, "'%s' must be a table",
                   dep_tables[i]);
      rc = fn(arg, dep_tables[i], t, err);
      if (rc)
        return rc;
    }
  }
  return 0;
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
    if (inherits(d)) {
      rc = ws_dep(pd->p, pd->root, name, d, &src, err);
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
    abs = join(base, xr_toml_str(pv));
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

static int path_deps(const struct pkg *p, const struct pkg *root,
                     struct xr_strv *dirs, struct xr_err *err)
{
  struct path_deps pd;

  pd.p = p;
  pd.root = root;
  pd.dirs = dirs;
  return each_dep_table(p, path_deps_table, &pd, err);
}

static int add_idx(size_t **v, size_t *n, size_t idx)
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
    pattern = join(c->pkgs[w->root].dir, xr_toml_str(m));
    if (!pattern)
      return xr_nomem(err);
    if (!has_glob(xr_toml_str(m))) {
      rc = load(c, pattern, &idx, err);
      free(pattern);
      if (rc == XR_ENOTFOUND)
        return bad(err, c->pkgs[w->root].manifest, m, "workspace member "
                   "'%s' has no Cargo.toml", xr_toml_str(m));
      if (rc)
        return rc;
      if (add_idx(out, n, idx))
        return xr_nomem(err);
      continue;
    }
    memset(&g, 0, sizeof(g));
    rc = glob(pattern, 0, NULL, &g);
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

      if (!is_dir(g.gl_pathv[k]) || !realpath(g.gl_pathv[k], real) ||
          excluded(w, real))
        continue;
      rc = load(c, real, &idx, err);
      if (rc == XR_ENOTFOUND)
        rc = bad(err, c->pkgs[w->root].manifest, m, "workspace member "
                 "'%s' has no Cargo.toml", g.gl_pathv[k]);
      else if (!rc && add_idx(out, n, idx))
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
  if (c->pkgs[root].package && add_idx(&w->members, &w->n_members, root))
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
    abs = join(c->pkgs[root].dir, xr_toml_str(e));
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

    rc = path_deps(&c->pkgs[w->members[i]], &c->pkgs[root], &dirs, err);
    for (j = 0; !rc && j < dirs.n; j++) {
      size_t idx;

      if (!is_under(dirs.v[j], c->pkgs[root].dir) ||
          excluded(w, dirs.v[j]))
        continue;
      rc = load(c, dirs.v[j], &idx, err);
      if (!rc && add_idx(&w->members, &w->n_members, idx))
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

/*
 * Finds the workspace of package IDX: itself when it has [workspace],
 * package.workspace when set, else the nearest ancestor with [workspace]
 * that does not exclude it.  W is filled for the root found.
 */
static int find_ws(struct ctx *c, size_t idx, struct ws *w,
                   struct xr_err *err)
{
  const char *link = NULL;
  char dir[PATH_MAX];
  size_t ridx;
  int rc;

  if (c->pkgs[idx].ws)
    return ws_members(c, idx, w, err);
  rc = opt_str(&c->pkgs[idx], c->pkgs[idx].package, "workspace", &link,
               err);
  if (rc)
    return rc;
  if (link) {
    char *abs = join(c->pkgs[idx].dir, link);
    const struct xr_toml *v = xr_toml_get(c->pkgs[idx].package,
                                          "workspace");

    if (!abs)
      return xr_nomem(err);
    rc = load(c, abs, &ridx, err);
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
    manifest = join(dir, "Cargo.toml");
    if (!manifest)
      return xr_nomem(err);
    rc = is_file(manifest) ? 1 : 0;
    free(manifest);
    if (!rc)
      continue;
    rc = load(c, dir, &ridx, err);
    if (rc)
      return rc;
    if (!c->pkgs[ridx].ws)
      continue;
    rc = ws_members(c, ridx, w, err);
    if (rc)
      return rc;
    if (excluded(w, c->pkgs[idx].dir) && !is_member(w, idx)) {
      ws_release(w);
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

/* The package name of P (required). */
static int pkg_name(const struct pkg *p, const char **out,
                    struct xr_err *err)
{
  int rc = opt_str(p, p->package, "name", out, err);

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
    rc = opt_str(p, b, "name", &bn, err);
    if (!rc)
      rc = opt_str(p, b, "path", &bp, err);
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
      path = join(p->dir, bp);
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
    path = join(p->dir, "src/main.rs");
    if (!path) {
      rc = xr_nomem(err);
      goto out;
    }
    if (is_file(path) && !xr_strv_has(&paths, path) &&
        xr_strv_push_unique(&names, name)) {
      rc = xr_nomem(err);
      goto out;
    }
    free(path);
    path = join(p->dir, "src/bin");
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
      if (!rc && is_file(f.data) && !xr_strv_has(&paths, f.data) &&
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
    path = join(p->dir, "src/lib.rs");
    if (!path)
      return xr_nomem(err);
    rc = autolib && is_file(path);
    free(path);
    if (!rc)
      return 0;
  }
  rc = opt_str(p, lib, "name", &ln, err);
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
static int walk_rs(const char *dir, struct xr_strv *out, int depth,
                   struct xr_err *err)
{
  struct xr_strv ents = XR_STRV_INIT;
  size_t i;
  int rc;

  if (depth > 64)
    return 0;
  rc = list_dir(dir, &ents, err);
  for (i = 0; !rc && i < ents.n; i++) {
    char *path = join(dir, ents.v[i]);

    if (!path) {
      rc = xr_nomem(err);
      break;
    }
    if (is_dir(path)) {
      if (strcmp(ents.v[i], "target"))
        rc = walk_rs(path, out, depth + 1, err);
    } else if (is_rs(ents.v[i]) && xr_strv_push_unique(out, path)) {
      rc = xr_nomem(err);
    }
    free(path);
  }
  xr_strv_release(&ents);
  return rc;
}

/* Adds DIR/REL to OUT when it is a file. */
static int add_file(const char *dir, const char *rel, struct xr_strv *out,
                    struct xr_err *err)
{
  char *path = join(dir, rel);
  int rc = 0;

  if (!path)
    return xr_nomem(err);
  if (is_file(path) && xr_strv_push_unique(out, path))
    rc = xr_nomem(err);
  free(path);
  return rc;
}

/* Target tables whose `path` may point outside the usual directories. */
static const char *const target_kinds[] = {
  "lib", "bin", "example", "test", "bench"
};

static int pkg_sources(const struct pkg *p, struct xr_strv *out,
                       struct xr_err *err)
{
  static const char *const dirs[] = { "src", "examples", "tests", "benches" };
  const struct xr_toml *build;
  size_t i, j;
  int rc = 0;

  for (i = 0; !rc && i < sizeof(dirs) / sizeof(dirs[0]); i++) {
    char *d = join(p->dir, dirs[i]);

    if (!d)
      return xr_nomem(err);
    rc = walk_rs(d, out, 0, err);
    free(d);
  }
  if (rc || !p->package)
    return rc;
  build = xr_toml_get(p->package, "build");
  if (!build)
    rc = add_file(p->dir, "build.rs", out, err);
  else if (xr_toml_type(build) == XR_TOML_STRING)
    rc = add_file(p->dir, xr_toml_str(build), out, err);
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
        rc = add_file(p->dir, xr_toml_str(pv), out, err);
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
  memset(c, 0, sizeof(*c));
}

/* The packages to build from IDX, closed over path dependencies. */
static int selection(struct ctx *c, const struct ws *w, size_t idx,
                     size_t **sel, size_t *n, struct xr_err *err)
{
  size_t i, j;
  int rc = 0;

  if (idx != w->root || !w->has_ws) {
    if (add_idx(sel, n, idx))
      return xr_nomem(err);
  } else if (w->n_defaults) {
    for (i = 0; i < w->n_defaults; i++)
      if (add_idx(sel, n, w->defaults[i]))
        return xr_nomem(err);
  } else if (c->pkgs[idx].package) {
    if (add_idx(sel, n, idx))
      return xr_nomem(err);
  } else {
    for (i = 0; i < w->n_members; i++)
      if (add_idx(sel, n, w->members[i]))
        return xr_nomem(err);
  }
  for (i = 0; !rc && i < *n; i++) {
    struct xr_strv dirs = XR_STRV_INIT;

    if (!c->pkgs[(*sel)[i]].package)
      continue;
    rc = path_deps(&c->pkgs[(*sel)[i]], &c->pkgs[w->root], &dirs, err);
    for (j = 0; !rc && j < dirs.n; j++) {
      size_t d;

      rc = load(c, dirs.v[j], &d, err);
      if (!rc && add_idx(sel, n, d))
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
  rc = load(&c, dir, &idx, err);
  if (rc)
    goto out;
  rc = find_ws(&c, idx, &w, err);
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
      rc = pkg_field(p, root, "version", &ver, err);
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
    rc = pkg_sources(&c.pkgs[sel[i]], &out->sources, err);
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
  xr_strv_sort(&out->manifests);
  xr_strv_sort(&out->sources);
  xr_strv_sort(&out->packages);
  out->lock = join(root->dir, "Cargo.lock");
  if (!out->lock)
    goto fail;
  goto out;
fail:
  rc = xr_nomem(err);
out:
  free(sel);
  ws_release(&w);
  ctx_release(&c);
  if (rc)
    xr_crate_release(out);
  return rc;
}

/* Appends S with Make's special characters made literal. */
static int make_literal(struct xr_buf *o, const char *s)
{
  int rc = 0;

  for (; *s && !rc; s++) {
    if (*s == '$')
      rc = xr_buf_adds(o, "$$");
    else if (*s == '#')
      rc = xr_buf_adds(o, "\\#");
    else if (*s == '\n' || *s == '\r')
      rc = xr_buf_addc(o, ' ');
    else
      rc = xr_buf_addc(o, *s);
  }
  return rc;
}

static int make_var(struct xr_buf *o, const char *prefix, const char *name,
                    const char *const *v, size_t n)
{
  size_t i;
  int rc;

  if (prefix && *prefix)
    rc = make_literal(o, prefix) || xr_buf_addc(o, '_');
  else
    rc = 0;
  rc = rc || xr_buf_printf(o, "%s :=", name);
  for (i = 0; !rc && i < n; i++)
    rc = xr_buf_addc(o, ' ') || make_literal(o, v[i] ? v[i] : "");
  return rc || xr_buf_addc(o, '\n');
}

int xr_crate_make_vars(const struct xr_crate *c, const char *prefix,
                       struct xr_buf *out)
{
  const char *one[1];
  int rc;

  one[0] = c->name;
  rc = make_var(out, prefix, "NAME", one, 1);
  one[0] = c->version;
  rc = rc || make_var(out, prefix, "VERSION", one, c->version &&
                      *c->version ? 1 : 0);
  rc = rc || make_var(out, prefix, "BINS", (const char *const *)c->bins.v,
                      c->bins.n);
  rc = rc || make_var(out, prefix, "LIBS", (const char *const *)c->libs.v,
                      c->libs.n);
  rc = rc || make_var(out, prefix, "MANIFESTS",
                      (const char *const *)c->manifests.v, c->manifests.n);
  one[0] = c->lock;
  rc = rc || make_var(out, prefix, "LOCK", one, 1);
  rc = rc || make_var(out, prefix, "SOURCES",
                      (const char *const *)c->sources.v, c->sources.n);
  return rc ? XR_ENOMEM : 0;
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
    char *manifest = join(dir, "Cargo.toml");
    size_t i;

    if (!manifest) {
      rc = xr_nomem(err);
      break;
    }
    if (is_file(manifest)) {
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
      sub = join(dir, ents.v[i]);
      if (!sub) {
        rc = xr_nomem(err);
        break;
      }
      if (is_dir(sub) && xr_strv_push(&queue, sub))
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

/* Writing normalised manifests. */

static int key_out(struct xr_buf *o, const char *k, size_t len);
static int value_out(struct xr_buf *o, const struct xr_toml *v);

static int str_out(struct xr_buf *o, const char *s, size_t len)
{
  size_t i;
  int rc = xr_buf_addc(o, '"');

  for (i = 0; !rc && i < len; i++) {
    unsigned char ch = (unsigned char)s[i];

    if (ch == '"' || ch == '\\')
      rc = xr_buf_addc(o, '\\') || xr_buf_addc(o, (char)ch);
    else if (ch == '\n')
      rc = xr_buf_adds(o, "\\n");
    else if (ch == '\t')
      rc = xr_buf_adds(o, "\\t");
    else if (ch < 0x20 || ch == 0x7f)
      rc = xr_buf_printf(o, "\\u%04x", ch);
    else
      rc = xr_buf_addc(o, (char)ch);
  }
  return rc || xr_buf_addc(o, '"');
}

static int key_out(struct xr_buf *o, const char *k, size_t len)
{
  size_t i;

  for (i = 0; i < len; i++) {
    char ch = k[i];

    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
          (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
      break;
  }
  if (len && i == len)
    return xr_buf_add(o, k, len);
  return str_out(o, k, len);
}

static int table_inline(struct xr_buf *o, const struct xr_toml *t)
{
  size_t i;
  int rc = xr_buf_adds(o, "{");

  for (i = 0; !rc && i < xr_toml_len(t); i++) {
    rc = xr_buf_adds(o, i ? ", " : " ") ||
         key_out(o, xr_toml_key(t, i), xr_toml_key_len(t, i)) ||
         xr_buf_adds(o, " = ") || value_out(o, xr_toml_at(t, i));
  }
  return rc || xr_buf_adds(o, xr_toml_len(t) ? " }" : "}");
}

static int value_out(struct xr_buf *o, const struct xr_toml *v)
{
  size_t i;
  int rc;

  switch (xr_toml_type(v)) {
  case XR_TOML_TABLE:
    return table_inline(o, v);
  case XR_TOML_ARRAY:
    rc = xr_buf_addc(o, '[');
    for (i = 0; !rc && i < xr_toml_len(v); i++)
      rc = (i && xr_buf_adds(o, ", ")) || value_out(o, xr_toml_at(v, i));
    return rc || xr_buf_addc(o, ']');
  case XR_TOML_STRING:
    return str_out(o, xr_toml_str(v), xr_toml_str_len(v));
  default:
    return xr_buf_adds(o, xr_toml_str(v));
  }
}

/* An array whose entries are all tables is written as [[...]]. */
static int is_table_array(const struct xr_toml *v)
{
  size_t i;

  if (xr_toml_type(v) != XR_TOML_ARRAY || !xr_toml_len(v))
    return 0;
  for (i = 0; i < xr_toml_len(v); i++)
    if (xr_toml_type(xr_toml_at(v, i)) != XR_TOML_TABLE)
      return 0;
  return 1;
}

static int path_add(struct xr_buf *path, const char *k, size_t len)
{
  return (path->len && xr_buf_addc(path, '.')) || key_out(path, k, len);
}

/* Writes table T as section PATH (sub-tables as their own sections). */
static int section_out(struct xr_buf *o, struct xr_buf *path,
                       const struct xr_toml *t, int header)
{
  size_t i, j, keep = path->len;
  int rc = 0;

  if (header)
    rc = xr_buf_printf(o, "\n[%s]\n", path->data);
  for (i = 0; !rc && i < xr_toml_len(t); i++) {
    const struct xr_toml *v = xr_toml_at(t, i);

    if (xr_toml_type(v) == XR_TOML_TABLE || is_table_array(v))
      continue;
    rc = key_out(o, xr_toml_key(t, i), xr_toml_key_len(t, i)) ||
         xr_buf_adds(o, " = ") || value_out(o, v) || xr_buf_addc(o, '\n');
  }
  for (i = 0; !rc && i < xr_toml_len(t); i++) {
    const struct xr_toml *v = xr_toml_at(t, i);

    if (xr_toml_type(v) != XR_TOML_TABLE && !is_table_array(v))
      continue;
    path->len = keep;
    path->data[keep] = '\0';
    rc = path_add(path, xr_toml_key(t, i), xr_toml_key_len(t, i));
    if (!rc && xr_toml_type(v) == XR_TOML_TABLE) {
      rc = section_out(o, path, v, 1);
    } else {
      for (j = 0; !rc && j < xr_toml_len(v); j++) {
        size_t k2 = path->len;

        rc = xr_buf_printf(o, "\n[[%s]]\n", path->data) ||
             section_out(o, path, xr_toml_at(v, j), 0);
        path->len = k2;
        path->data[k2] = '\0';
      }
    }
  }
  path->len = keep;
  if (path->data)
    path->data[keep] = '\0';
  return rc;
}

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
  char real[PATH_MAX], *abs = join(base, rel), *np = NULL;
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
    return key_out(o, name, nlen) || xr_buf_adds(o, " = ") ||
           value_out(o, d) || xr_buf_addc(o, '\n') ? xr_nomem(err) : 0;
  if (xr_toml_type(d) != XR_TOML_TABLE)
    return bad(err, nm->p->manifest, d, "invalid dependency '%s'", name);
  if (inherits(d)) {
    rc = ws_dep(nm->p, nm->root, name, d, &base, err);
    if (rc)
      return rc;
  }
  if (key_out(o, name, nlen) || xr_buf_adds(o, " = {"))
    goto nomem;
  /* Entries of the inherited table first, then the member's own. */
  if (base && xr_toml_type(base) == XR_TOML_STRING) {
    if (xr_buf_adds(o, " version = ") || value_out(o, base))
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
        key_out(o, k, xr_toml_key_len(base, i)) || xr_buf_adds(o, " = "))
      goto nomem;
    if (!strcmp(k, "path") && xr_toml_type(v) == XR_TOML_STRING) {
      rc = dep_path(nm, nm->root->dir, xr_toml_str(v), v, &path, err);
      if (rc)
        goto out;
      if (str_out(o, path.data, path.len))
        goto nomem;
    } else if (value_out(o, v)) {
      goto nomem;
    }
  }
  for (i = 0; i < xr_toml_len(d); i++) {
    const char *k = xr_toml_key(d, i);
    const struct xr_toml *v = xr_toml_at(d, i);

    if (!strcmp(k, "workspace") && base)
      continue;
    if (xr_buf_adds(o, n++ ? ", " : " ") ||
        key_out(o, k, xr_toml_key_len(d, i)) || xr_buf_adds(o, " = "))
      goto nomem;
    if (!strcmp(k, "features") && features &&
        xr_toml_type(v) == XR_TOML_ARRAY &&
        xr_toml_type(features) == XR_TOML_ARRAY) {
      size_t j, m = 0;

      if (xr_buf_addc(o, '['))
        goto nomem;
      for (j = 0; j < xr_toml_len(features); j++, m++)
        if ((m && xr_buf_adds(o, ", ")) ||
            value_out(o, xr_toml_at(features, j)))
          goto nomem;
      for (j = 0; j < xr_toml_len(v); j++, m++)
        if ((m && xr_buf_adds(o, ", ")) || value_out(o, xr_toml_at(v, j)))
          goto nomem;
      if (xr_buf_addc(o, ']'))
        goto nomem;
      features = NULL;
    } else if (!strcmp(k, "path") && xr_toml_type(v) == XR_TOML_STRING) {
      rc = dep_path(nm, nm->p->dir, xr_toml_str(v), v, &path, err);
      if (rc)
        goto out;
      if (str_out(o, path.data, path.len))
        goto nomem;
    } else if (value_out(o, v)) {
      goto nomem;
    }
  }
  if (features && (xr_buf_adds(o, n++ ? ", " : " ") ||
                   xr_buf_adds(o, "features = ") || value_out(o, features)))
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

  for (i = 0; i < N_DEP_TABLES; i++)
    if (!strcmp(k, dep_tables[i]))
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
    if (inherits(v)) {
      rc = pkg_field(nm->p, nm->root, k, &v, err);
      if (rc)
        break;
    } else if (xr_toml_type(v) == XR_TOML_TABLE || is_table_array(v)) {
      continue;
    }
    if (key_out(nm->o, k, xr_toml_key_len(t, i)) ||
        xr_buf_adds(nm->o, " = ") || value_out(nm->o, v) ||
        xr_buf_addc(nm->o, '\n'))
      goto nomem;
  }
  for (i = 0; !rc && i < xr_toml_len(t); i++) {
    const struct xr_toml *v = xr_toml_at(t, i);

    if (inherits(v) ||
        (xr_toml_type(v) != XR_TOML_TABLE && !is_table_array(v)))
      continue;
    xr_buf_reset(&path);
    if (xr_buf_adds(&path, "package") ||
        path_add(&path, xr_toml_key(t, i), xr_toml_key_len(t, i)))
      goto nomem;
    if (xr_toml_type(v) == XR_TOML_TABLE) {
      if (section_out(nm->o, &path, v, 1))
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
  rc = load(&c, slash ? (*dir ? dir : "/") : ".", &idx, err);
  if (rc)
    goto out;
  if (!c.pkgs[idx].package) {
    rc = xr_fail(err, XR_EMANIFEST, "%s:1:1: not a package manifest",
                 c.pkgs[idx].manifest);
    goto out;
  }
  rc = find_ws(&c, idx, &w, err);
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

    if (xr_toml_type(v) == XR_TOML_TABLE || is_table_array(v))
      continue;
    if (key_out(out, xr_toml_key(nm.p->doc, i),
                xr_toml_key_len(nm.p->doc, i)) ||
        xr_buf_adds(out, " = ") || value_out(out, v) ||
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
    if (!strcmp(k, "lints") && inherits(v)) {
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
              path_add(&header, xr_toml_key(v, j), xr_toml_key_len(v, j)) ||
              path_add(&header, tk, xr_toml_key_len(tt, m))) {
            rc = xr_nomem(err);
            break;
          }
          if (is_dep_table(tk) &&
              xr_toml_type(xr_toml_at(tt, m)) == XR_TOML_TABLE)
            rc = dep_section(&nm, header.data, xr_toml_at(tt, m), err);
          else if (xr_toml_type(xr_toml_at(tt, m)) == XR_TOML_TABLE &&
                   section_out(out, &header, xr_toml_at(tt, m), 1))
            rc = xr_nomem(err);
        }
      }
      continue;
    }
    xr_buf_reset(&path);
    if (path_add(&path, k, xr_toml_key_len(nm.p->doc, i)))
      goto nomem;
    if (xr_toml_type(v) == XR_TOML_TABLE) {
      if (section_out(out, &path, v, 1))
        goto nomem;
    } else if (is_table_array(v)) {
      for (j = 0; j < xr_toml_len(v); j++)
        if (xr_buf_printf(out, "\n[[%s]]\n", path.data) ||
            section_out(out, &path, xr_toml_at(v, j), 0))
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
  ws_release(&w);
  ctx_release(&c);
  return rc;
}
