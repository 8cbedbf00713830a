/*
 * What may leave the store and how much room it takes (store.h): the gc
 * root files, the garbage collection that removes every blob and entry
 * no root references, and the usage report of `xrust store`.  Both walk
 * the published tree; the handle's temporaries, locks and owner tokens
 * are store.c's.  Nothing here prints.
 */
#include "xrust/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "store_priv.h"
#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/fs.h"
#include "xrust/strv.h"

/* ---- roots ---- */

int xr_store_root_write(struct xr_store *s, const char *name,
                        const char *content, struct xr_err *err)
{
  struct xr_buf tmp = XR_BUF_INIT, final = XR_BUF_INIT;
  int fd = -1, rc;

  if (!xr_store_valid_key(name))
    return xr_fail(err, XR_EUSAGE, "invalid root name '%s'", name);
  if (xr_buf_printf(&final, "%s/roots/%s", s->base, name)) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = xr_store_mktemp(s, &tmp, &fd, err);
  if (rc)
    goto out;
  if (xr_fs_write_all(fd, content, strlen(content)) != 0) {
    rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", tmp.data,
                 strerror(errno));
    goto out;
  }
  if (close(fd) != 0 || rename(tmp.data, final.data) != 0)
    rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", final.data,
                 strerror(errno));
  fd = -1;
out:
  if (fd >= 0)
    close(fd);
  if (rc && tmp.data)
    (void)unlink(tmp.data);
  xr_buf_release(&tmp);
  xr_buf_release(&final);
  return rc;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 when S is in the sorted list SET (xr_strv_has, by bisection). */
static int sorted_has(const struct xr_strv *set, const char *s)
{
  return set->n && bsearch(&s, set->v, set->n, sizeof(char *), cmp_str);
}

/*
 * Reads one root file into KEEP ("blob:<sha>" and "entry:<kind>/<name>");
 * returns 1 when the root is stale (its owner path is gone).
 */
static int read_root(const char *path, struct xr_strv *keep)
{
  FILE *f = fopen(path, "r");
  char line[4096];
  struct xr_strv mine = XR_STRV_INIT;
  int stale = 0;
  size_t i;

  if (!f)
    return 0;
  while (fgets(line, sizeof(line), f)) {
    size_t len = strcspn(line, "\r\n");
    char tagged[4200];

    line[len] = '\0';
    if (!strncmp(line, "owner ", 6)) {
      struct stat st;

      if (lstat(line + 6, &st) != 0 && errno == ENOENT)
        stale = 1;
    } else if (!strncmp(line, "blob ", 5) || !strncmp(line, "entry ", 6)) {
      const char *sp = strchr(line, ' ');
      int n = snprintf(tagged, sizeof(tagged), "%.*s:%s",
                       (int)(sp - line), line, sp + 1);

      /* Blob names in the store are lowercase hex. */
      if (n > 0 && (size_t)n < sizeof(tagged) && line[0] == 'b')
        for (i = 0; tagged[i]; i++)
          if (tagged[i] >= 'A' && tagged[i] <= 'F')
            tagged[i] = (char)(tagged[i] - 'A' + 'a');
      if (n > 0 && (size_t)n < sizeof(tagged) &&
          xr_strv_pushn(&mine, tagged, (size_t)n)) {
        stale = 0;
        break;
      }
    }
  }
  fclose(f);
  for (i = 0; !stale && i < mine.n; i++)
    if (xr_strv_push(keep, mine.v[i]))
      break;
  xr_strv_release(&mine);
  return stale;
}

/* Total apparent size of PATH (a file or a tree). */
static uint64_t tree_size(int dfd, const char *name)
{
  struct stat st;
  uint64_t total = 0;
  int fd;
  DIR *d;
  struct dirent *de;

  if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return 0;
  if (!S_ISDIR(st.st_mode))
    return (uint64_t)st.st_size;
  fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return 0;
  d = fdopendir(fd);
  if (!d) {
    close(fd);
    return 0;
  }
  for (;;) {
    de = readdir(d);
    if (!de)
      break;
    if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
      total += tree_size(dirfd(d), de->d_name);
  }
  closedir(d);
  return total;
}

static int is_internal_dir(const char *name)
{
  return !strcmp(name, "blobs") || !strcmp(name, "tmp") ||
         !strcmp(name, "locks") || !strcmp(name, "roots") ||
         name[0] == '.';
}

/* ---- gc ---- */

/* Removes one unreferenced item: renamed aside first, so it vanishes
 * atomically for readers, then deleted. */
static int gc_remove(struct xr_store *s, const char *path, int is_dir,
                     struct xr_err *err)
{
  struct xr_buf aside = XR_BUF_INIT;
  int rc = 0;

  if (!is_dir) {
    if (unlink(path) != 0 && errno != ENOENT)
      rc = xr_fail(err, XR_EIO, "cannot remove '%s': %s", path,
                   strerror(errno));
    return rc;
  }
  if (xr_store_tmp_name(s, "gc", &aside)) {
    rc = xr_nomem(err);
    goto out;
  }
  if (rename(path, aside.data) != 0) {
    rc = xr_fail(err, XR_EIO, "cannot remove '%s': %s", path,
                 strerror(errno));
    goto out;
  }
  rc = xr_fs_rmtree(aside.data, err);
out:
  xr_buf_release(&aside);
  return rc;
}

/* One gc candidate: removed unless referenced, young or locked. */
static int gc_item(struct xr_store *s, const struct xr_store_gc_opts *o,
                   const struct xr_strv *keep, const char *tag,
                   const char *lockkey, const char *path,
                   struct xr_store_gc_stats *st, struct xr_err *err)
{
  struct stat sb;
  struct xr_store_lock lk = XR_STORE_LOCK_INIT;
  uint64_t size;
  int rc = 0;

  if (lstat(path, &sb) != 0)
    return 0;
  if (sorted_has(keep, tag) ||
      (long long)(time(NULL) - sb.st_mtime) < o->grace_seconds) {
    st->kept++;
    return 0;
  }
  if (lockkey && xr_store_valid_key(lockkey)) {
    rc = xr_store_trylock(s, lockkey, &lk, err);
    if (rc == 1) {
      st->kept++;
      return 0;
    }
    if (rc)
      return rc;
  }
  size = tree_size(AT_FDCWD, path);
  if (!o->dry_run)
    rc = gc_remove(s, path, S_ISDIR(sb.st_mode), err);
  if (!rc) {
    st->removed++;
    st->removed_bytes += size;
  }
  xr_store_unlock(&lk);
  return rc;
}

/* Reads every root into KEEP, dropping stale ones. */
static int gc_roots(struct xr_store *s, const struct xr_store_gc_opts *o,
                    struct xr_strv *keep, struct xr_store_gc_stats *st,
                    struct xr_err *err)
{
  struct xr_buf p = XR_BUF_INIT;
  DIR *d = NULL;
  struct dirent *de;
  int rc = 0;

  if (xr_store_path(s, "roots", &p)) {
    rc = xr_nomem(err);
    goto out;
  }
  d = opendir(p.data);
  if (!d)
    goto out;
  for (;;) {
    de = readdir(d);
    if (!de)
      break;
    if (de->d_name[0] == '.')
      continue;
    xr_buf_reset(&p);
    if (xr_buf_printf(&p, "%s/roots/%s", s->base, de->d_name)) {
      rc = xr_nomem(err);
      goto out;
    }
    if (read_root(p.data, keep)) {
      st->stale_roots++;
      if (!o->dry_run)
        (void)unlink(p.data);
    }
  }
out:
  if (d)
    closedir(d);
  xr_buf_release(&p);
  return rc;
}

/* What the gc walks carry to gc_item. */
struct gc_walk {
  struct xr_store *s;
  const struct xr_store_gc_opts *o;
  const struct xr_strv *keep;
  struct xr_store_gc_stats *st;
  int blobs;                /* blobs/sha256/<fan>/<sha>, else <kind>/<name> */
};

/* One entry found by walk2: its tag and lock key, then gc_item. */
static int gc_visit(struct gc_walk *w, const char *a, const char *b,
                    const char *path, struct xr_err *err)
{
  struct xr_buf tag = XR_BUF_INIT, key = XR_BUF_INIT;
  int rc;

  if (w->blobs ? xr_buf_printf(&tag, "blob:%s", b) ||
                 xr_buf_printf(&key, "blob-%s", b)
               : xr_buf_printf(&tag, "entry:%s/%s", a, b) ||
                 xr_buf_printf(&key, "%s-%s", a, b))
    rc = xr_nomem(err);
  else
    rc = gc_item(w->s, w->o, w->keep, tag.data, key.data, path, w->st, err);
  xr_buf_release(&tag);
  xr_buf_release(&key);
  return rc;
}

/*
 * Visits every DIR/A/B (no dot files; for entries, no internal top
 * directories), stopping at the first error.
 */
static int walk2(struct gc_walk *w, const char *dir, struct xr_err *err)
{
  struct xr_buf p = XR_BUF_INIT;
  DIR *top, *sub;
  struct dirent *de, *ee;
  int rc = 0;

  top = opendir(dir);
  while (top && !rc && (de = readdir(top)) != NULL) {
    if (de->d_name[0] == '.' || (!w->blobs && is_internal_dir(de->d_name)))
      continue;
    xr_buf_reset(&p);
    if (xr_buf_printf(&p, "%s/%s", dir, de->d_name)) {
      rc = xr_nomem(err);
      break;
    }
    sub = opendir(p.data);
    while (sub && !rc && (ee = readdir(sub)) != NULL) {
      if (ee->d_name[0] == '.')
        continue;
      xr_buf_reset(&p);
      if (xr_buf_printf(&p, "%s/%s/%s", dir, de->d_name, ee->d_name))
        rc = xr_nomem(err);
      else
        rc = gc_visit(w, de->d_name, ee->d_name, p.data, err);
    }
    if (sub)
      closedir(sub);
  }
  if (top)
    closedir(top);
  xr_buf_release(&p);
  return rc;
}

/* The two-level blob fan-out, then v1/<kind>/<name> for the entries. */
static int gc_walk_all(struct xr_store *s, const struct xr_store_gc_opts *o,
                       const struct xr_strv *keep,
                       struct xr_store_gc_stats *st, struct xr_err *err)
{
  struct gc_walk w = { s, o, keep, st, 1 };
  struct xr_buf p = XR_BUF_INIT;
  int rc;

  if (xr_store_path(s, "blobs/sha256", &p)) {
    xr_buf_release(&p);
    return xr_nomem(err);
  }
  rc = walk2(&w, p.data, err);
  xr_buf_release(&p);
  if (!rc) {
    w.blobs = 0;
    rc = walk2(&w, s->base, err);
  }
  return rc;
}

int xr_store_gc(struct xr_store *s, const struct xr_store_gc_opts *o,
                struct xr_store_gc_stats *stats, struct xr_err *err)
{
  struct xr_strv keep = XR_STRV_INIT;
  int rc;

  memset(stats, 0, sizeof(*stats));
  rc = gc_roots(s, o, &keep, stats, err);
  if (rc)
    goto out;
  xr_strv_sort(&keep);
  rc = gc_walk_all(s, o, &keep, stats, err);
out:
  xr_strv_release(&keep);
  return rc;
}

/* ---- usage ---- */

static int usage_add(struct xr_store_usage **v, size_t *n, const char *kind,
                     uint64_t items, uint64_t bytes)
{
  struct xr_store_usage *nv = realloc(*v, (*n + 1) * sizeof(**v));

  if (!nv)
    return -1;
  *v = nv;
  memset(&nv[*n], 0, sizeof(nv[*n]));
  snprintf(nv[*n].kind, sizeof(nv[*n].kind), "%s", kind);
  nv[*n].items = items;
  nv[*n].bytes = bytes;
  (*n)++;
  return 0;
}

/* Counts the children of DIR (depth 1) or grandchildren (depth 2). */
static void count_dir(const char *dir, int depth, int skip_owners,
                      uint64_t *items, uint64_t *bytes)
{
  DIR *d = opendir(dir);
  struct dirent *de;
  struct xr_buf p = XR_BUF_INIT;
  size_t tl;

  while (d) {
    de = readdir(d);
    if (!de)
      break;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    tl = xr_store_token_len(de->d_name);
    if (skip_owners && tl &&
        !strcmp(de->d_name + tl, XR_STORE_OWNER_SUFFIX))
      continue;
    if (depth > 1) {
      xr_buf_reset(&p);
      if (xr_buf_printf(&p, "%s/%s", dir, de->d_name))
        break;
      count_dir(p.data, depth - 1, skip_owners, items, bytes);
      continue;
    }
    (*items)++;
    *bytes += tree_size(dirfd(d), de->d_name);
  }
  if (d)
    closedir(d);
  xr_buf_release(&p);
}

static int cmp_usage(const void *a, const void *b)
{
  return strcmp(((const struct xr_store_usage *)a)->kind,
                ((const struct xr_store_usage *)b)->kind);
}

int xr_store_usage(const struct xr_store *s, struct xr_store_usage **out,
                   size_t *n, struct xr_err *err)
{
  struct xr_buf p = XR_BUF_INIT;
  DIR *d = NULL;
  struct dirent *de;
  uint64_t items = 0, bytes = 0;
  size_t first;
  int rc = 0;

  *out = NULL;
  *n = 0;
  if (xr_store_path(s, "blobs/sha256", &p)) {
    rc = xr_nomem(err);
    goto out;
  }
  count_dir(p.data, 2, 0, &items, &bytes);
  if (usage_add(out, n, "blobs", items, bytes)) {
    rc = xr_nomem(err);
    goto out;
  }
  first = *n;
  d = opendir(s->base);
  while (d) {
    de = readdir(d);
    if (!de)
      break;
    if (is_internal_dir(de->d_name))
      continue;
    xr_buf_reset(&p);
    if (xr_buf_printf(&p, "%s/%s", s->base, de->d_name)) {
      rc = xr_nomem(err);
      goto out;
    }
    items = bytes = 0;
    count_dir(p.data, 1, 0, &items, &bytes);
    if (usage_add(out, n, de->d_name, items, bytes)) {
      rc = xr_nomem(err);
      goto out;
    }
  }
  qsort(*out + first, *n - first, sizeof(**out), cmp_usage);
  xr_buf_reset(&p);
  if (xr_buf_printf(&p, "%s/tmp", s->base)) {
    rc = xr_nomem(err);
    goto out;
  }
  items = bytes = 0;
  /* Owner files of live handles (our own included) are not debris. */
  count_dir(p.data, 1, 1, &items, &bytes);
  if (usage_add(out, n, "tmp", items, bytes))
    rc = xr_nomem(err);
out:
  if (d)
    closedir(d);
  if (rc) {
    free(*out);
    *out = NULL;
    *n = 0;
  }
  xr_buf_release(&p);
  return rc;
}
