/*
 * The store: layout under XRUST_HOME, entry locks (flock), temporary files
 * and staging directories with crash cleanup, atomic publication of blobs
 * and trees, and the copy of a blob out to a user's path.  Temporaries are
 * named after an owner token whose lock file is held for the life of the
 * handle, so a later xr_store_open can tell the debris of a dead process
 * (its owner lock is free) from the work of a live one (see store.h).  gc
 * roots, gc and the usage report are in store_gc.c.  Nothing here prints
 * or talks to the network.
 */
#include "xrust/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/ioctl.h>
#include <linux/fs.h>
#endif

#include "store_priv.h"
#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/fs.h"

#define SHA_HEX_LEN 64

int xr_store_default_root(struct xr_buf *out, struct xr_err *err)
{
  const char *v = getenv("XRUST_HOME");
  int rc;

  xr_buf_reset(out);
  if (v && *v) {
    rc = xr_buf_adds(out, v);
  } else {
    v = getenv("XDG_CACHE_HOME");
    if (v && *v && v[0] == '/') {
      rc = xr_buf_printf(out, "%s/xrust", v);
    } else {
      v = getenv("HOME");
      if (!v || !*v)
        return xr_fail(err, XR_EUSAGE,
                       "cannot locate the store: set 'XRUST_HOME'");
      rc = xr_buf_printf(out, "%s/.cache/xrust", v);
    }
  }
  return rc ? xr_nomem(err) : 0;
}

int xr_store_path(const struct xr_store *s, const char *rel,
                  struct xr_buf *out)
{
  xr_buf_reset(out);
  if (!rel || !*rel)
    return xr_buf_adds(out, s->base) ? XR_ENOMEM : 0;
  return xr_buf_printf(out, "%s/%s", s->base, rel) ? XR_ENOMEM : 0;
}

int xr_store_blob_path(const struct xr_store *s, const char *sha256,
                       struct xr_buf *out)
{
  char hex[SHA_HEX_LEN + 1];
  size_t i;

  for (i = 0; i < SHA_HEX_LEN && sha256[i]; i++) {
    char c = sha256[i];
    hex[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  hex[i] = '\0';
  xr_buf_reset(out);
  if (i < 2)
    return XR_EUSAGE;
  return xr_buf_printf(out, "%s/blobs/sha256/%c%c/%s", s->base, hex[0],
                       hex[1], hex) ? XR_ENOMEM : 0;
}

int xr_store_has_blob(const struct xr_store *s, const char *sha256)
{
  struct xr_buf p = XR_BUF_INIT;
  struct stat st;
  int has = 0;

  if (xr_store_blob_path(s, sha256, &p) == 0 && stat(p.data, &st) == 0 &&
      S_ISREG(st.st_mode))
    has = 1;
  xr_buf_release(&p);
  return has;
}

/* ---- owner tokens and crash cleanup ---- */

size_t xr_store_token_len(const char *name)
{
  const char *dot = strchr(name, '.');

  if (name[0] != 'o' || !dot)
    return 0;
  return (size_t)(dot - name);
}

/*
 * State of the owner TOKEN (of length LEN) in TMPDIR: 1 alive, 0 dead or
 * missing.  A dead owner's lock is taken and released again at once.
 */
static int owner_alive(const char *tmpdir, const char *token, size_t len)
{
  struct xr_buf p = XR_BUF_INIT;
  int fd, alive = 1;

  if (xr_buf_printf(&p, "%s/%.*s%s", tmpdir, (int)len, token,
                    XR_STORE_OWNER_SUFFIX))
    goto out;
  fd = open(p.data, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      alive = 0;
    goto out;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) == 0)
    alive = 0;
  close(fd);
out:
  xr_buf_release(&p);
  return alive;
}

/*
 * Removes the temporaries of dead owners, then their owner files (while
 * holding their lock, so a live owner that raced us notices the unlink and
 * picks a new token).  Errors are ignored: cleanup is best effort and must
 * never stop a fetch.
 */
static void cleanup_tmp(const char *tmpdir, const char *self)
{
  DIR *d = opendir(tmpdir);
  struct dirent *de;
  struct xr_buf p = XR_BUF_INIT;
  int pass;

  if (!d)
    return;
  for (pass = 0; pass < 2; pass++) {
    rewinddir(d);
    for (;;) {
      size_t len, nlen;
      int is_owner;

      de = readdir(d);
      if (!de)
        break;
      len = xr_store_token_len(de->d_name);
      if (!len || (self && !strncmp(de->d_name, self, len) &&
                   self[len] == '\0'))
        continue;
      nlen = strlen(de->d_name);
      is_owner = !strcmp(de->d_name + len, XR_STORE_OWNER_SUFFIX);
      xr_buf_reset(&p);
      if (xr_buf_printf(&p, "%s/%s", tmpdir, de->d_name))
        break;
      if (pass == 0 && !is_owner) {
        if (!owner_alive(tmpdir, de->d_name, len))
          (void)xr_fs_rmtree(p.data, NULL);
      } else if (pass == 1 && is_owner && nlen > len) {
        int fd = open(p.data, O_RDWR | O_CLOEXEC);

        if (fd < 0)
          continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
          (void)unlink(p.data);
        close(fd);
      }
    }
  }
  xr_buf_release(&p);
  closedir(d);
}

/* Creates and locks this handle's owner file under a fresh token. */
static int take_token(struct xr_store *s, struct xr_err *err)
{
  struct xr_buf p = XR_BUF_INIT;
  struct timespec ts;
  unsigned attempt;
  int rc = 0;

  for (attempt = 0; attempt < 100; attempt++) {
    struct stat a, b;
    int fd;

    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(s->token, sizeof(s->token), "o%ldx%lx%x", (long)getpid(),
             (unsigned long)ts.tv_nsec, attempt);
    xr_buf_reset(&p);
    if (xr_buf_printf(&p, "%s/tmp/%s%s", s->base, s->token,
                      XR_STORE_OWNER_SUFFIX)) {
      rc = xr_nomem(err);
      goto out;
    }
    fd = open(p.data, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      if (errno == EEXIST)
        continue;
      rc = xr_fail(err, XR_EIO, "cannot create '%s': %s", p.data,
                   strerror(errno));
      goto out;
    }
    if (flock(fd, LOCK_EX) != 0) {
      rc = xr_fail(err, XR_ELOCK, "cannot lock '%s': %s", p.data,
                   strerror(errno));
      close(fd);
      goto out;
    }
    /* A cleaner may have unlinked the file between create and lock. */
    if (fstat(fd, &a) == 0 && stat(p.data, &b) == 0 && a.st_ino == b.st_ino
        && a.st_dev == b.st_dev) {
      s->owner_fd = fd;
      goto out;
    }
    close(fd);
  }
  rc = xr_fail(err, XR_ELOCK, "cannot create an owner file in '%s/tmp'",
               s->base);
out:
  xr_buf_release(&p);
  return rc;
}

int xr_store_open(struct xr_store **out, const char *root,
                  struct xr_err *err)
{
  struct xr_store *s = NULL;
  struct xr_buf b = XR_BUF_INIT;
  static const char *const dirs[] = { "blobs/sha256", "tmp", "locks",
                                      "roots" };
  size_t i;
  int rc;

  *out = NULL;
  if (root && *root) {
    rc = xr_buf_adds(&b, root) ? xr_nomem(err) : 0;
  } else {
    rc = xr_store_default_root(&b, err);
  }
  if (rc)
    goto out;
  s = calloc(1, sizeof(*s));
  if (!s) {
    rc = xr_nomem(err);
    goto out;
  }
  s->owner_fd = -1;
  s->root = xr_buf_detach(&b);
  if (!s->root || xr_buf_printf(&b, "%s/%s", s->root, XR_STORE_LAYOUT)) {
    rc = xr_nomem(err);
    goto out;
  }
  s->base = xr_buf_detach(&b);
  if (!s->base) {
    rc = xr_nomem(err);
    goto out;
  }
  for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
    xr_buf_reset(&b);
    if (xr_buf_printf(&b, "%s/%s", s->base, dirs[i])) {
      rc = xr_nomem(err);
      goto out;
    }
    rc = xr_fs_mkdirs(b.data, err);
    if (rc)
      goto out;
  }
  rc = take_token(s, err);
  if (rc)
    goto out;
  xr_buf_reset(&b);
  if (xr_buf_printf(&b, "%s/tmp", s->base)) {
    rc = xr_nomem(err);
    goto out;
  }
  cleanup_tmp(b.data, s->token);
  *out = s;
  s = NULL;
out:
  xr_store_free(s);
  xr_buf_release(&b);
  return rc;
}

void xr_store_free(struct xr_store *s)
{
  struct xr_buf p = XR_BUF_INIT, q = XR_BUF_INIT;
  DIR *d;
  struct dirent *de;
  size_t tl;

  if (!s)
    return;
  tl = strlen(s->token);
  if (s->owner_fd >= 0 && !xr_buf_printf(&p, "%s/tmp", s->base)) {
    d = opendir(p.data);
    while (d) {
      de = readdir(d);
      if (!de)
        break;
      if (strncmp(de->d_name, s->token, tl) || de->d_name[tl] != '.' ||
          !strcmp(de->d_name + tl, XR_STORE_OWNER_SUFFIX))
        continue;
      xr_buf_reset(&q);
      if (!xr_buf_printf(&q, "%s/%s", p.data, de->d_name))
        (void)xr_fs_rmtree(q.data, NULL);
    }
    if (d)
      closedir(d);
    xr_buf_reset(&p);
    if (!xr_buf_printf(&p, "%s/tmp/%s%s", s->base, s->token,
                       XR_STORE_OWNER_SUFFIX))
      (void)unlink(p.data);
  }
  if (s->owner_fd >= 0)
    close(s->owner_fd);
  xr_buf_release(&p);
  xr_buf_release(&q);
  free(s->root);
  free(s->base);
  free(s);
}

/* ---- locks ---- */

int xr_store_valid_key(const char *key)
{
  const char *p;

  if (!*key || key[0] == '.')
    return 0;
  for (p = key; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
      return 0;
  return 1;
}

static int lock_common(const struct xr_store *s, const char *key,
                       struct xr_store_lock *lk, int nb, struct xr_err *err)
{
  struct xr_buf p = XR_BUF_INIT;
  int fd = -1, rc = 0;

  lk->fd = -1;
  if (!xr_store_valid_key(key))
    return xr_fail(err, XR_EUSAGE, "invalid lock key '%s'", key);
  if (xr_buf_printf(&p, "%s/locks/%s.lock", s->base, key)) {
    rc = xr_nomem(err);
    goto out;
  }
  fd = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    rc = xr_fail(err, XR_ELOCK, "cannot open lock '%s': %s", p.data,
                 strerror(errno));
    goto out;
  }
  for (;;) {
    if (flock(fd, LOCK_EX | (nb ? LOCK_NB : 0)) == 0)
      break;
    if (errno == EINTR)
      continue;
    if (nb && errno == EWOULDBLOCK) {
      rc = 1;
      goto out;
    }
    rc = xr_fail(err, XR_ELOCK, "cannot lock '%s': %s", p.data,
                 strerror(errno));
    goto out;
  }
  lk->fd = fd;
  fd = -1;
out:
  if (fd >= 0)
    close(fd);
  xr_buf_release(&p);
  return rc;
}

int xr_store_lock(const struct xr_store *s, const char *key,
                  struct xr_store_lock *lk, struct xr_err *err)
{
  return lock_common(s, key, lk, 0, err);
}

int xr_store_trylock(const struct xr_store *s, const char *key,
                     struct xr_store_lock *lk, struct xr_err *err)
{
  return lock_common(s, key, lk, 1, err);
}

void xr_store_unlock(struct xr_store_lock *lk)
{
  if (lk && lk->fd >= 0) {
    close(lk->fd);
    lk->fd = -1;
  }
}

/* ---- temporaries and publication ---- */

int xr_store_tmp_name(struct xr_store *s, const char *kind,
                      struct xr_buf *path)
{
  xr_buf_reset(path);
  return xr_buf_printf(path, "%s/tmp/%s.%s.%u", s->base, s->token, kind,
                       s->seq++) ? XR_ENOMEM : 0;
}

int xr_store_mktemp(struct xr_store *s, struct xr_buf *path, int *fd,
                    struct xr_err *err)
{
  *fd = -1;
  for (;;) {
    if (xr_store_tmp_name(s, "dl", path))
      return xr_nomem(err);
    *fd = open(path->data, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (*fd >= 0)
      return 0;
    if (errno != EEXIST)
      return xr_fail(err, XR_EIO, "cannot create '%s': %s", path->data,
                     strerror(errno));
  }
}

int xr_store_mkstage(struct xr_store *s, struct xr_buf *path,
                     struct xr_err *err)
{
  for (;;) {
    if (xr_store_tmp_name(s, "stage", path))
      return xr_nomem(err);
    if (mkdir(path->data, 0755) == 0)
      return 0;
    if (errno != EEXIST)
      return xr_fail(err, XR_EIO, "cannot create '%s': %s", path->data,
                     strerror(errno));
  }
}

/* The parent directory of PATH ("." when it has none). */
static int parent_of(const char *path, struct xr_buf *out)
{
  const char *slash = strrchr(path, '/');

  xr_buf_reset(out);
  if (!slash)
    return xr_buf_adds(out, ".");
  if (slash == path)
    return xr_buf_adds(out, "/");
  return xr_buf_add(out, path, (size_t)(slash - path));
}

int xr_store_publish(const char *stage, const char *final,
                     struct xr_err *err)
{
  struct xr_buf parent = XR_BUF_INIT;
  int rc = 0;

  if (parent_of(final, &parent)) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = xr_fs_mkdirs(parent.data, err);
  if (rc)
    goto out;
  if (rename(stage, final) == 0)
    goto out;
  if (errno == EEXIST || errno == ENOTEMPTY) {
    /* Another process published the same entry first: ours is equal. */
    rc = xr_fs_rmtree(stage, err);
    goto out;
  }
  rc = xr_fail(err, XR_EIO, "cannot publish '%s': %s", final,
               strerror(errno));
out:
  xr_buf_release(&parent);
  return rc;
}

int xr_store_publish_blob(const struct xr_store *s, const char *tmp,
                          const char *sha256, struct xr_err *err)
{
  struct xr_buf path = XR_BUF_INIT, parent = XR_BUF_INIT;
  int rc;

  if (xr_store_blob_path(s, sha256, &path) ||
      parent_of(path.data, &parent)) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = xr_fs_mkdirs(parent.data, err);
  if (rc)
    goto out;
  if (chmod(tmp, 0444) != 0 || rename(tmp, path.data) != 0)
    rc = xr_fail(err, XR_EIO, "cannot publish '%s': %s", path.data,
                 strerror(errno));
out:
  xr_buf_release(&path);
  xr_buf_release(&parent);
  return rc;
}

static int copy_fd(int in, int out)
{
  char buf[128 * 1024];

#ifdef FICLONE
  if (ioctl(out, FICLONE, in) == 0)
    return 0;
#endif
  for (;;) {
    ssize_t n = read(in, buf, sizeof(buf));

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      return 0;
    if (xr_fs_write_all(out, buf, (size_t)n) != 0)
      return -1;
  }
}

int xr_store_copy_out(const char *src, const char *dest, struct xr_err *err)
{
  struct xr_buf tmp = XR_BUF_INIT;
  int in, out = -1, rc;
  mode_t um;

  in = open(src, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return xr_fail(err, XR_EIO, "cannot open '%s': %s", src,
                   strerror(errno));
  rc = xr_fs_mktemp(dest, &tmp, &out, err);
  if (rc) {
    close(in);
    xr_buf_release(&tmp);
    return rc;
  }
  if (copy_fd(in, out) != 0) {
    rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", tmp.data,
                 strerror(errno));
    goto out;
  }
  /* The blob is read-only; the user's copy gets the usual mode. */
  um = umask(0);
  umask(um);
  (void)fchmod(out, 0666 & ~um);
  rc = close(out);
  out = -1;
  if (rc != 0) {
    rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", tmp.data,
                 strerror(errno));
    goto out;
  }
  if (rename(tmp.data, dest) != 0)
    rc = xr_fail(err, XR_EIO, "cannot create '%s': %s", dest,
                 strerror(errno));
out:
  if (out >= 0)
    close(out);
  close(in);
  if (rc)
    (void)unlink(tmp.data);
  xr_buf_release(&tmp);
  return rc;
}
