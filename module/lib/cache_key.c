/*
 * The cache key of a layer and the walk it shares with the layer packer
 * (cache.h): a directory tree listed in sorted order with relative paths
 * only, so neither the key nor the archive depends on where the tree is
 * or in which order the file system returns names; and the rule that
 * tells a workspace package's own outputs (`--exclude-crate NAME`) from
 * those of its dependencies.
 */
#include "xrust/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xrust/fs.h"

#define MAX_DEPTH 64

/* ---- --exclude-crate ---- */

/* 1 when S starts with "<16 hex>" followed by its end or '.'. */
static int hash_suffix(const char *s)
{
  size_t i;

  for (i = 0; i < 16; i++)
    if (!s[i] || !strchr("0123456789abcdef", s[i]))
      return 0;
  return s[16] == '\0' || s[16] == '.';
}

/* BASE is PRE NAME REST with NAME read with '-' or '_' as written
 * (FOLD: every '-' of NAME as '_'); returns REST or NULL. */
static const char *after_name(const char *base, const char *pre,
                              const char *name, int fold)
{
  size_t pn = strlen(pre), i;

  if (strncmp(base, pre, pn))
    return NULL;
  base += pn;
  for (i = 0; name[i]; i++) {
    char c = fold && name[i] == '-' ? '_' : name[i];

    if (base[i] != c)
      return NULL;
  }
  return base + i;
}

static int output_of(const char *name, const char *base,
                     enum xr_cache_where where, int fold)
{
  const char *r;

  if (where == XR_CACHE_IN_OUTPUTS) {
    r = after_name(base, "", name, fold);
    if (r && r[0] == '-' && hash_suffix(r + 1))
      return 1;
    r = after_name(base, "lib", name, fold);
    return r && r[0] == '-' && hash_suffix(r + 1);
  }
  if (where == XR_CACHE_IN_PROFILE) {
    r = after_name(base, "", name, fold);
    if (r && (!strcmp(r, "") || !strcmp(r, ".d") || !strcmp(r, ".exe")))
      return 1;
    r = after_name(base, "lib", name, fold);
    return r && r[0] == '.';
  }
  return 0;
}

int xr_cache_crate_output(const char *name, const char *base,
                          enum xr_cache_where where)
{
  if (!*name)
    return 0;
  return output_of(name, base, where, 0) || output_of(name, base, where, 1);
}

int xr_cache_excluded(const char *const *names, size_t n, const char *base,
                      enum xr_cache_where where)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (xr_cache_crate_output(names[i], base, where))
      return 1;
  return 0;
}

/* ---- the sorted walk ---- */

struct walk {
  xr_cache_skip_fn *skip;
  void *ctx;
  struct xr_cache_entry *v;
  size_t n, cap;
  struct xr_err *err;
};

static int is_outputs_dir(const char *base)
{
  return !strcmp(base, "deps") || !strcmp(base, ".fingerprint") ||
         !strcmp(base, "build");
}

static int add_entry(struct walk *w, const char *rel, const struct stat *st)
{
  if (w->n == w->cap) {
    size_t cap = w->cap ? 2 * w->cap : 64;
    struct xr_cache_entry *g = realloc(w->v, cap * sizeof(*g));

    if (!g)
      return xr_nomem(w->err);
    w->v = g;
    w->cap = cap;
  }
  w->v[w->n].rel = xr_strdup(rel);
  if (!w->v[w->n].rel)
    return xr_nomem(w->err);
  w->v[w->n++].st = *st;
  return 0;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(struct walk *w, const char *path, const char *rel,
                    const char *dirbase, int depth)
{
  struct xr_buf child = XR_BUF_INIT, crel = XR_BUF_INIT;
  char **names = NULL;
  size_t n = 0, cap = 0, i;
  int rc = 0, profile = 0, where;
  struct dirent *de;
  DIR *d;

  if (depth > MAX_DEPTH)
    return xr_fail(w->err, XR_ELIMIT, "'%s' is nested more than %d levels "
                   "deep", path, MAX_DEPTH);
  d = opendir(path);
  if (!d)
    return xr_fail(w->err, errno == ENOENT ? XR_ENOTFOUND : XR_EIO,
                   "cannot open '%s': %s", path, strerror(errno));
  for (de = readdir(d); de; de = readdir(d)) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    if (n == cap) {
      char **g = realloc(names, (cap = cap ? 2 * cap : 32) * sizeof(*g));

      if (!g) {
        rc = xr_nomem(w->err);
        goto out;
      }
      names = g;
    }
    names[n] = xr_strdup(de->d_name);
    if (!names[n]) {
      rc = xr_nomem(w->err);
      goto out;
    }
    if (!strcmp(de->d_name, "deps") || !strcmp(de->d_name, ".fingerprint"))
      profile = 1;
    n++;
  }
  if (n)
    qsort(names, n, sizeof(*names), cmp_str);
  where = dirbase && is_outputs_dir(dirbase) ? XR_CACHE_IN_OUTPUTS
          : profile ? XR_CACHE_IN_PROFILE : 0;
  for (i = 0; i < n && !rc; i++) {
    struct stat st;

    xr_buf_reset(&child);
    xr_buf_reset(&crel);
    if (xr_buf_printf(&child, "%s/%s", path, names[i]) ||
        (*rel ? xr_buf_printf(&crel, "%s/%s", rel, names[i])
              : xr_buf_adds(&crel, names[i]))) {
      rc = xr_nomem(w->err);
      break;
    }
    if (lstat(child.data, &st)) {
      rc = xr_fail(w->err, XR_EIO, "cannot stat '%s': %s", child.data,
                   strerror(errno));
      break;
    }
    if (w->skip && w->skip(w->ctx, crel.data, names[i], &st, where))
      continue;
    rc = add_entry(w, crel.data, &st);
    if (!rc && S_ISDIR(st.st_mode))
      rc = walk_dir(w, child.data, crel.data, names[i], depth + 1);
  }
out:
  for (i = 0; i < n; i++)
    free(names[i]);
  free(names);
  closedir(d);
  xr_buf_release(&child);
  xr_buf_release(&crel);
  return rc;
}

static int cmp_entry(const void *a, const void *b)
{
  return strcmp(((const struct xr_cache_entry *)a)->rel,
                ((const struct xr_cache_entry *)b)->rel);
}

void xr_cache_list_free(struct xr_cache_entry *v, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    free(v[i].rel);
  free(v);
}

int xr_cache_list(const char *root, xr_cache_skip_fn *skip, void *ctx,
                  struct xr_cache_entry **out, size_t *n,
                  struct xr_err *err)
{
  struct walk w;
  int rc;

  memset(&w, 0, sizeof(w));
  w.skip = skip;
  w.ctx = ctx;
  w.err = err;
  *out = NULL;
  *n = 0;
  rc = walk_dir(&w, root, "", NULL, 0);
  if (rc) {
    xr_cache_list_free(w.v, w.n);
    return rc;
  }
  /* Each directory was sorted, but "a-b" sorts before "a/x" only when
   * whole paths are compared. */
  if (w.n)
    qsort(w.v, w.n, sizeof(*w.v), cmp_entry);
  *out = w.v;
  *n = w.n;
  return 0;
}

/* ---- the key ---- */

static int skip_target(void *ctx, const char *rel, const char *base,
                       const struct stat *st, int where)
{
  (void)ctx;
  (void)rel;
  (void)where;
  return S_ISDIR(st->st_mode) && !strcmp(base, "target");
}

/* Hashes "HEAD" and then the bytes of PATH, which must be SIZE long. */
static int hash_file(struct xr_sha256 *h, const char *path, const char *head,
                     off_t size, struct xr_err *err)
{
  char block[65536];
  off_t total = 0;
  ssize_t got;
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return xr_fail(err, errno == ENOENT ? XR_ENOTFOUND : XR_EIO,
                   "cannot open '%s': %s", path, strerror(errno));
  xr_sha256_update(h, head, strlen(head));
  for (;;) {
    got = read(fd, block, sizeof(block));
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    xr_sha256_update(h, block, (size_t)got);
    total += got;
  }
  close(fd);
  if (got < 0)
    return xr_fail(err, XR_EIO, "cannot read '%s': %s", path,
                   strerror(errno));
  if (total != size)
    return xr_fail(err, XR_EIO, "'%s' changed while it was read", path);
  return 0;
}

int xr_cache_key(const char *record, const char *stubdir,
                 char hex[XR_SHA256_HEX], struct xr_err *err)
{
  struct xr_buf head = XR_BUF_INIT, path = XR_BUF_INIT;
  struct xr_cache_entry *v = NULL;
  struct xr_sha256 h;
  struct stat st;
  size_t n = 0, i;
  int rc, live = 0;

  if (stat(record, &st)) {
    rc = xr_fail(err, errno == ENOENT ? XR_ENOTFOUND : XR_EIO,
                 "cannot read '%s': %s", record, strerror(errno));
    goto out;
  }
  if (!S_ISREG(st.st_mode)) {
    rc = xr_fail(err, XR_EIO, "cannot read '%s': not a regular file",
                 record);
    goto out;
  }
  if (!xr_fs_is_dir(stubdir)) {
    rc = xr_fail(err, XR_ENOTFOUND, "'%s' is not a directory", stubdir);
    goto out;
  }
  rc = xr_cache_list(stubdir, skip_target, NULL, &v, &n, err);
  if (rc)
    goto out;
  rc = xr_sha256_init(&h, err);
  if (rc)
    goto out;
  live = 1;
  xr_sha256_update(&h, "xrust-cache-key 1\n", 18);
  if (xr_buf_printf(&head, "record %" PRIu64 "\n", (uint64_t)st.st_size)) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = hash_file(&h, record, head.data, st.st_size, err);
  for (i = 0; i < n && !rc; i++) {
    if (!S_ISREG(v[i].st.st_mode))
      continue;
    xr_buf_reset(&head);
    xr_buf_reset(&path);
    if (xr_buf_printf(&head, "file %s %" PRIu64 "\n", v[i].rel,
                      (uint64_t)v[i].st.st_size) ||
        xr_buf_printf(&path, "%s/%s", stubdir, v[i].rel)) {
      rc = xr_nomem(err);
      break;
    }
    rc = hash_file(&h, path.data, head.data, v[i].st.st_size, err);
  }
  if (!rc) {
    xr_sha256_final(&h, hex);
    live = 0;
  }
out:
  if (live)
    xr_sha256_release(&h);
  xr_cache_list_free(v, n);
  xr_buf_release(&head);
  xr_buf_release(&path);
  return rc;
}
