/*
 * Rust v2 channel manifests (channel-rust-*.toml) and the install plan.
 * This file owns the mapping from the manifest's TOML tree to the structs
 * of manifest.h (strings point into the tree, which the struct keeps),
 * the checks that make a malformed manifest an error at its line and
 * column, and the selection of the artifacts a toolchain needs: profile
 * components for the host, rust-std per target, extra components through
 * the manifest's renames, each in the archive format channel.c picks.
 */
#include "xrust/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xrust/buf.h"
#include "xrust/channel.h"
#include "xrust/sha256.h"
#include "xrust/toml.h"

/* Fails with "NAME:LINE:COLUMN: message" at V. */
#define bad(err, name, v, ...) \
  xr_toml_fail((err), XR_EMANIFEST, (name), (v), __VA_ARGS__)

/*
 * The string at KEY of table T into *OUT (NULL when absent).  A value of
 * another type, or with an embedded NUL, is an error naming WHERE.KEY.
 */
static int opt_str(const struct xr_toml *t, const char *key,
                   const char **out, const char *name, const char *where,
                   struct xr_err *err)
{
  const struct xr_toml *v = xr_toml_get(t, key);

  *out = NULL;
  if (!v)
    return 0;
  if (xr_toml_type(v) != XR_TOML_STRING ||
      strlen(xr_toml_str(v)) != xr_toml_str_len(v))
    return bad(err, name, v, "'%s.%s' must be a string", where, key);
  *out = xr_toml_str(v);
  return 0;
}

void xr_manifest_init(struct xr_manifest *m)
{
  memset(m, 0, sizeof(*m));
}

void xr_manifest_release(struct xr_manifest *m)
{
  size_t i, j;

  for (i = 0; i < m->npkgs; i++) {
    for (j = 0; j < m->pkgs[i].ntargets; j++) {
      free(m->pkgs[i].targets[j].components);
      free(m->pkgs[i].targets[j].extensions);
    }
    free(m->pkgs[i].targets);
  }
  free(m->pkgs);
  free(m->renames);
  for (i = 0; i < m->nprofiles; i++)
    free(m->profiles[i].components);
  free(m->profiles);
  xr_toml_free(m->root);
  xr_manifest_init(m);
}

/* An array of {pkg = "...", target = "..."} into *OUT. */
static int parse_refs(const struct xr_toml *arr, struct xr_mf_ref **out,
                      size_t *n, const char *name, const char *where,
                      struct xr_err *err)
{
  size_t i, len;
  int rc = 0;

  if (xr_toml_type(arr) != XR_TOML_ARRAY)
    return bad(err, name, arr, "'%s' must be an array", where);
  len = xr_toml_len(arr);
  if (!len)
    return 0;
  *out = calloc(len, sizeof(**out));
  if (!*out)
    return xr_nomem(err);
  for (i = 0; i < len; i++) {
    const struct xr_toml *e = xr_toml_at(arr, i);

    if (xr_toml_type(e) != XR_TOML_TABLE) {
      rc = bad(err, name, e, "'%s' entries must be tables", where);
      goto out;
    }
    rc = opt_str(e, "pkg", &(*out)[i].pkg, name, where, err);
    if (!rc)
      rc = opt_str(e, "target", &(*out)[i].target, name, where, err);
    if (rc)
      goto out;
    if (!(*out)[i].pkg || !(*out)[i].target) {
      rc = bad(err, name, e, "'%s' entries need 'pkg' and 'target'",
               where);
      goto out;
    }
    *n = i + 1;
  }
out:
  return rc;
}

/* One hash field: absent, or 64 hex digits when the target is available. */
static int check_hash(const struct xr_toml *t, const char *key,
                      const char *hash, const char *name, const char *where,
                      struct xr_err *err)
{
  if (!hash || xr_sha256_valid(hash))
    return 0;
  return bad(err, name, xr_toml_get(t, key),
             "'%s.%s' is not a sha256 digest", where, key);
}

static int parse_target(const struct xr_toml *t, const char *triple,
                        struct xr_mf_target *out, const char *name,
                        const char *pkg, struct xr_err *err)
{
  char where[512];
  const struct xr_toml *v;
  int rc;

  snprintf(where, sizeof(where), "pkg.%s.target.%s", pkg, triple);
  out->triple = triple;
  if (xr_toml_type(t) != XR_TOML_TABLE)
    return bad(err, name, t, "'%s' must be a table", where);
  v = xr_toml_get(t, "available");
  if (v && xr_toml_type(v) != XR_TOML_BOOL)
    return bad(err, name, v, "'%s.available' must be a boolean", where);
  out->available = v ? xr_toml_bool(v) : 0;
  rc = opt_str(t, "url", &out->url, name, where, err);
  if (!rc)
    rc = opt_str(t, "hash", &out->hash, name, where, err);
  if (!rc)
    rc = opt_str(t, "xz_url", &out->xz_url, name, where, err);
  if (!rc)
    rc = opt_str(t, "xz_hash", &out->xz_hash, name, where, err);
  if (!rc)
    rc = opt_str(t, "zst_url", &out->zst_url, name, where, err);
  if (!rc)
    rc = opt_str(t, "zst_hash", &out->zst_hash, name, where, err);
  if (rc)
    return rc;
  /* Unavailable entries often carry empty strings; only check the rest. */
  if (out->available) {
    rc = check_hash(t, "hash", out->hash, name, where, err);
    if (!rc)
      rc = check_hash(t, "xz_hash", out->xz_hash, name, where, err);
    if (!rc)
      rc = check_hash(t, "zst_hash", out->zst_hash, name, where, err);
    if (rc)
      return rc;
  }
  v = xr_toml_get(t, "components");
  if (v) {
    snprintf(where, sizeof(where), "pkg.%s.target.%s.components", pkg,
             triple);
    rc = parse_refs(v, &out->components, &out->ncomponents, name, where,
                    err);
    if (rc)
      return rc;
  }
  v = xr_toml_get(t, "extensions");
  if (v) {
    snprintf(where, sizeof(where), "pkg.%s.target.%s.extensions", pkg,
             triple);
    rc = parse_refs(v, &out->extensions, &out->nextensions, name, where,
                    err);
  }
  return rc;
}

static int parse_pkg(const struct xr_toml *t, const char *pkg,
                     struct xr_mf_pkg *out, const char *name,
                     struct xr_err *err)
{
  char where[256];
  const struct xr_toml *targets;
  size_t i, n;
  int rc;

  snprintf(where, sizeof(where), "pkg.%s", pkg);
  out->name = pkg;
  if (xr_toml_type(t) != XR_TOML_TABLE)
    return bad(err, name, t, "'%s' must be a table", where);
  rc = opt_str(t, "version", &out->version, name, where, err);
  if (!rc)
    rc = opt_str(t, "git_commit_hash", &out->git_commit_hash, name, where,
                 err);
  if (rc)
    return rc;
  targets = xr_toml_get(t, "target");
  if (!targets)
    return 0;
  if (xr_toml_type(targets) != XR_TOML_TABLE)
    return bad(err, name, targets, "'%s.target' must be a table", where);
  n = xr_toml_len(targets);
  if (!n)
    return 0;
  out->targets = calloc(n, sizeof(*out->targets));
  if (!out->targets)
    return xr_nomem(err);
  for (i = 0; i < n; i++) {
    out->ntargets = i + 1;
    rc = parse_target(xr_toml_at(targets, i), xr_toml_key(targets, i),
                      &out->targets[i], name, pkg, err);
    if (rc)
      return rc;
  }
  return 0;
}

static int parse_renames(struct xr_manifest *m, const struct xr_toml *t,
                         const char *name, struct xr_err *err)
{
  size_t i, n;
  int rc;

  if (xr_toml_type(t) != XR_TOML_TABLE)
    return bad(err, name, t, "'renames' must be a table");
  n = xr_toml_len(t);
  if (!n)
    return 0;
  m->renames = calloc(n, sizeof(*m->renames));
  if (!m->renames)
    return xr_nomem(err);
  for (i = 0; i < n; i++) {
    const struct xr_toml *r = xr_toml_at(t, i);
    char where[256];

    snprintf(where, sizeof(where), "renames.%s", xr_toml_key(t, i));
    if (xr_toml_type(r) != XR_TOML_TABLE)
      return bad(err, name, r, "'%s' must be a table", where);
    m->renames[i].from = xr_toml_key(t, i);
    rc = opt_str(r, "to", &m->renames[i].to, name, where, err);
    if (rc)
      return rc;
    if (!m->renames[i].to)
      return bad(err, name, r, "'%s' has no 'to'", where);
    m->nrenames = i + 1;
  }
  return 0;
}

static int parse_profiles(struct xr_manifest *m, const struct xr_toml *t,
                          const char *name, struct xr_err *err)
{
  size_t i, j, n;

  if (xr_toml_type(t) != XR_TOML_TABLE)
    return bad(err, name, t, "'profiles' must be a table");
  n = xr_toml_len(t);
  if (!n)
    return 0;
  m->profiles = calloc(n, sizeof(*m->profiles));
  if (!m->profiles)
    return xr_nomem(err);
  for (i = 0; i < n; i++) {
    const struct xr_toml *a = xr_toml_at(t, i);
    struct xr_mf_profile *p = &m->profiles[i];
    size_t len;

    p->name = xr_toml_key(t, i);
    m->nprofiles = i + 1;
    if (xr_toml_type(a) != XR_TOML_ARRAY)
      return bad(err, name, a, "'profiles.%s' must be an array", p->name);
    len = xr_toml_len(a);
    if (!len)
      continue;
    p->components = calloc(len, sizeof(*p->components));
    if (!p->components)
      return xr_nomem(err);
    for (j = 0; j < len; j++) {
      const struct xr_toml *s = xr_toml_at(a, j);

      if (xr_toml_type(s) != XR_TOML_STRING)
        return bad(err, name, s, "'profiles.%s' must hold strings",
                   p->name);
      p->components[j] = xr_toml_str(s);
      p->ncomponents = j + 1;
    }
  }
  return 0;
}

static int parse_tree(struct xr_manifest *m, const char *name,
                      struct xr_err *err)
{
  const struct xr_toml *root = m->root, *pkgs, *v;
  size_t i, n;
  int rc;

  if (xr_toml_type(root) != XR_TOML_TABLE)
    return bad(err, name, root, "not a channel manifest");
  rc = opt_str(root, "manifest-version", &m->version, name, "(root)", err);
  if (rc)
    return rc;
  if (!m->version)
    return xr_fail(err, XR_EMANIFEST,
                   "%s: not a channel manifest (no 'manifest-version')",
                   name);
  if (strcmp(m->version, "2") != 0)
    return bad(err, name, xr_toml_get(root, "manifest-version"),
               "unsupported manifest-version '%s' (expected '2')",
               m->version);
  rc = opt_str(root, "date", &m->date, name, "(root)", err);
  if (rc)
    return rc;
  if (!m->date)
    return xr_fail(err, XR_EMANIFEST, "%s: manifest has no 'date'", name);
  pkgs = xr_toml_get(root, "pkg");
  if (!pkgs)
    return xr_fail(err, XR_EMANIFEST, "%s: manifest has no 'pkg' table",
                   name);
  if (xr_toml_type(pkgs) != XR_TOML_TABLE)
    return bad(err, name, pkgs, "'pkg' must be a table");
  n = xr_toml_len(pkgs);
  if (n) {
    m->pkgs = calloc(n, sizeof(*m->pkgs));
    if (!m->pkgs)
      return xr_nomem(err);
  }
  for (i = 0; i < n; i++) {
    m->npkgs = i + 1;
    rc = parse_pkg(xr_toml_at(pkgs, i), xr_toml_key(pkgs, i), &m->pkgs[i],
                   name, err);
    if (rc)
      return rc;
  }
  v = xr_toml_get(root, "renames");
  if (v) {
    rc = parse_renames(m, v, name, err);
    if (rc)
      return rc;
  }
  v = xr_toml_get(root, "profiles");
  if (v)
    rc = parse_profiles(m, v, name, err);
  return rc;
}

int xr_manifest_parse(struct xr_manifest *m, const char *data, size_t len,
                      const char *name, struct xr_err *err)
{
  int rc;

  xr_manifest_init(m);
  m->root = xr_toml_parse(data, len, name, err);
  if (!m->root)
    return err ? (int)err->code : XR_ETOML;
  rc = parse_tree(m, name, err);
  if (rc)
    xr_manifest_release(m);
  return rc;
}

int xr_manifest_parse_file(struct xr_manifest *m, const char *path,
                           struct xr_err *err)
{
  int rc;

  xr_manifest_init(m);
  m->root = xr_toml_parse_file(path, err);
  if (!m->root)
    return err ? (int)err->code : XR_ETOML;
  rc = parse_tree(m, path, err);
  if (rc)
    xr_manifest_release(m);
  return rc;
}

const struct xr_mf_pkg *xr_manifest_pkg(const struct xr_manifest *m,
                                        const char *name)
{
  size_t i;

  for (i = 0; i < m->npkgs; i++)
    if (!strcmp(m->pkgs[i].name, name))
      return &m->pkgs[i];
  return NULL;
}

const struct xr_mf_target *xr_mf_pkg_target(const struct xr_mf_pkg *p,
                                            const char *triple)
{
  size_t i;
  const struct xr_mf_target *star = NULL;

  for (i = 0; i < p->ntargets; i++) {
    if (!strcmp(p->targets[i].triple, triple))
      return &p->targets[i];
    if (!strcmp(p->targets[i].triple, "*"))
      star = &p->targets[i];
  }
  return star;
}

const char *xr_manifest_rename(const struct xr_manifest *m,
                               const char *name)
{
  size_t i;

  for (i = 0; i < m->nrenames; i++)
    if (!strcmp(m->renames[i].from, name))
      return m->renames[i].to;
  return name;
}

const struct xr_mf_profile *xr_manifest_profile(const struct xr_manifest *m,
                                                const char *name)
{
  size_t i;

  for (i = 0; i < m->nprofiles; i++)
    if (!strcmp(m->profiles[i].name, name))
      return &m->profiles[i];
  return NULL;
}

/* ---- pinning a channel ---------------------------------------------- */

int xr_manifest_pin(const struct xr_manifest *m, const struct xr_channel *ch,
                    struct xr_buf *out, struct xr_err *err)
{
  const struct xr_mf_pkg *rust = xr_manifest_pkg(m, "rust");
  struct xr_channel v;
  char word[sizeof(v.name)];
  size_t n;
  int rc;

  if (xr_channel_is_pinned(ch))
    return xr_channel_format(ch, out) ? xr_nomem(err) : 0;
  if (!strcmp(ch->name, "beta") || !strcmp(ch->name, "nightly")) {
    if (!m->date || strlen(m->date) != 10)
      return xr_fail(err, XR_EMANIFEST, "cannot pin channel '%s': the "
                     "manifest has no date", ch->name);
    rc = xr_buf_printf(out, "%s-%s", ch->name, m->date);
  } else {
    /* pkg.rust.version is "1.96.0 (ac68faa20 2026-05-25)". */
    const char *ver = rust && rust->version ? rust->version : "";

    n = strcspn(ver, " ");
    if (n == 0 || n >= sizeof(word))
      return xr_fail(err, XR_EMANIFEST, "cannot pin channel '%s': the "
                     "manifest has no pkg.rust version", ch->name);
    memcpy(word, ver, n);
    word[n] = '\0';
    if (xr_channel_parse(word, &v, NULL) || !xr_channel_is_pinned(&v) ||
        v.host[0])
      return xr_fail(err, XR_EMANIFEST, "cannot pin channel '%s': the "
                     "manifest's pkg.rust version '%s' is not a release "
                     "version", ch->name, word);
    rc = xr_buf_adds(out, word);
  }
  if (!rc && ch->host[0])
    rc = xr_buf_printf(out, "-%s", ch->host);
  return rc ? xr_nomem(err) : 0;
}

/* ---- plans ------------------------------------------------------------ */

void xr_plan_init(struct xr_plan *p)
{
  p->items = NULL;
  p->n = 0;
}

void xr_plan_release(struct xr_plan *p)
{
  size_t i;

  for (i = 0; i < p->n; i++) {
    free(p->items[i].pkg);
    free(p->items[i].target);
    free(p->items[i].url);
  }
  free(p->items);
  xr_plan_init(p);
}

int xr_plan_add(struct xr_plan *p, const char *pkg, const char *target,
                const char *url, const char *sha256,
                enum xr_dist_format format, struct xr_err *err)
{
  struct xr_artifact *a, *items;
  size_t i;

  for (i = 0; i < p->n; i++)
    if (!strcmp(p->items[i].pkg, pkg) && !strcmp(p->items[i].target, target))
      return 0;
  if (!xr_sha256_valid(sha256))
    return xr_fail(err, XR_EMANIFEST,
                   "'%s' for '%s' has an invalid sha256 '%s'", pkg, target,
                   sha256);
  items = realloc(p->items, (p->n + 1) * sizeof(*items));
  if (!items)
    return xr_nomem(err);
  p->items = items;
  a = &items[p->n];
  memset(a, 0, sizeof(*a));
  a->pkg = xr_strdup(pkg);
  a->target = xr_strdup(target);
  a->url = xr_strdup(url);
  for (i = 0; i < 64; i++) {
    char c = sha256[i];

    a->sha256[i] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  }
  a->sha256[64] = '\0';
  a->format = format;
  p->n++;
  if (!a->pkg || !a->target || !a->url)
    return xr_nomem(err);
  return 0;
}

static int cmp_artifact(const void *x, const void *y)
{
  const struct xr_artifact *a = x, *b = y;
  int c = strcmp(a->pkg, b->pkg);

  return c ? c : strcmp(a->target, b->target);
}

void xr_plan_sort(struct xr_plan *p)
{
  if (p->n > 1)
    qsort(p->items, p->n, sizeof(*p->items), cmp_artifact);
}

static int cmp_str(const void *x, const void *y)
{
  return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int xr_plan_id(const struct xr_plan *p, char id[65], struct xr_err *err)
{
  const char **v = NULL;
  struct xr_sha256 h;
  size_t i;
  int rc;

  if (p->n) {
    v = malloc(p->n * sizeof(*v));
    if (!v)
      return xr_nomem(err);
  }
  for (i = 0; i < p->n; i++)
    v[i] = p->items[i].sha256;
  if (p->n > 1)
    qsort(v, p->n, sizeof(*v), cmp_str);
  rc = xr_sha256_init(&h, err);
  if (rc)
    goto out;
  for (i = 0; i < p->n; i++) {
    xr_sha256_update(&h, v[i], 64);
    xr_sha256_update(&h, "\n", 1);
  }
  xr_sha256_final(&h, id);
out:
  free(v);
  return rc;
}

struct planner {
  const struct xr_manifest *m;
  const struct xr_plan_request *req;
  const char *channel;
  struct xr_plan *out;
  struct xr_err *err;
};

static int not_available(struct planner *pl, const char *comp,
                         const char *target)
{
  return xr_fail(pl->err, XR_ENOTFOUND,
                 "component '%s' is not available for target '%s' in "
                 "channel %s (manifest %s)", comp, target, pl->channel,
                 pl->m->date);
}

static int nonempty(const char *s)
{
  return s && *s;
}

/* Adds the artifact of T (an entry of pkg PKG) to the plan. */
static int add_target(struct planner *pl, const char *pkg,
                      const struct xr_mf_target *t, const char *comp)
{
  unsigned have = 0;
  enum xr_dist_format f;
  const char *url, *hash;

  if (!t->available)
    return not_available(pl, comp, t->triple);
  if (nonempty(t->url) && nonempty(t->hash))
    have |= 1u << XR_FMT_GZ;
  if (nonempty(t->xz_url) && nonempty(t->xz_hash))
    have |= 1u << XR_FMT_XZ;
  if (nonempty(t->zst_url) && nonempty(t->zst_hash))
    have |= 1u << XR_FMT_ZST;
  if (!have)
    return xr_fail(pl->err, XR_EMANIFEST,
                   "component '%s' for target '%s' has no download in "
                   "channel %s (manifest %s)", comp, t->triple, pl->channel,
                   pl->m->date);
  f = xr_dist_format_choose(pl->req->format, pl->req->server, have);
  url = f == XR_FMT_GZ ? t->url : f == XR_FMT_XZ ? t->xz_url : t->zst_url;
  hash = f == XR_FMT_GZ ? t->hash
         : f == XR_FMT_XZ ? t->xz_hash : t->zst_hash;
  return xr_plan_add(pl->out, pkg, t->triple, url, hash, f, pl->err);
}

static int plan_profile(struct planner *pl)
{
  const char *name = pl->req->profile && *pl->req->profile
                     ? pl->req->profile : "minimal";
  const struct xr_mf_profile *prof = xr_manifest_profile(pl->m, name);
  size_t i;
  int rc;

  if (!prof)
    return xr_fail(pl->err, XR_ENOTFOUND,
                   "unknown profile '%s' in channel %s (manifest %s)", name,
                   pl->channel, pl->m->date);
  for (i = 0; i < prof->ncomponents; i++) {
    const char *comp = prof->components[i];
    const struct xr_mf_pkg *p = xr_manifest_pkg(pl->m, comp);
    const struct xr_mf_target *t = p ? xr_mf_pkg_target(p, pl->req->host)
                                     : NULL;

    /* Like rustup: a profile component with no build for the host (e.g.
     * rust-mingw on Linux) is skipped. */
    if (!t)
      continue;
    rc = add_target(pl, comp, t, comp);
    if (rc)
      return rc;
  }
  return 0;
}

static int plan_std(struct planner *pl, const char *triple)
{
  const struct xr_mf_pkg *p = xr_manifest_pkg(pl->m, "rust-std");
  size_t i;

  if (p)
    for (i = 0; i < p->ntargets; i++)
      if (!strcmp(p->targets[i].triple, triple))
        return add_target(pl, "rust-std", &p->targets[i], "rust-std");
  return not_available(pl, "rust-std", triple);
}

static int plan_component(struct planner *pl, const char *comp)
{
  const char *pkg = xr_manifest_rename(pl->m, comp);
  const struct xr_mf_pkg *p = xr_manifest_pkg(pl->m, pkg);
  const struct xr_mf_target *t;

  if (!p)
    return xr_fail(pl->err, XR_ENOTFOUND,
                   "unknown component '%s' in channel %s (manifest %s)",
                   comp, pl->channel, pl->m->date);
  t = xr_mf_pkg_target(p, pl->req->host);
  if (!t)
    return not_available(pl, comp, pl->req->host);
  return add_target(pl, pkg, t, comp);
}

int xr_manifest_plan(const struct xr_manifest *m,
                     const struct xr_plan_request *req, struct xr_plan *out,
                     struct xr_err *err)
{
  struct planner pl;
  size_t i;
  int rc;

  pl.m = m;
  pl.req = req;
  pl.channel = req->channel && *req->channel ? req->channel : "(unnamed)";
  pl.out = out;
  pl.err = err;
  if (!req->host || !*req->host)
    return xr_fail(err, XR_EUSAGE, "no host triple given");
  rc = plan_profile(&pl);
  if (!rc)
    rc = plan_std(&pl, req->host);
  for (i = 0; !rc && i < req->ntargets; i++)
    rc = plan_std(&pl, req->targets[i]);
  for (i = 0; !rc && i < req->ncomponents; i++)
    rc = plan_component(&pl, req->components[i]);
  if (rc)
    xr_plan_release(out);
  return rc;
}
