/*
 * The store: layout under XRUST_HOME, entry locks (flock), temporary files
 * and staging directories with crash cleanup, atomic publication of blobs
 * and trees, the copy of a blob out to a user's path, gc roots, gc and
 * usage.  Temporaries are named after an owner token whose lock file is
 * held for the life of the handle, so a later xr_store_open can tell the
 * debris of a dead process (its owner lock is free) from the work of a live
 * one (see store.h).  Nothing here prints or talks to the network.
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

#include "xrust/buf.h"

#define OWNER_SUFFIX ".owner"
#define SHA_HEX_LEN 64

static int nomem(struct xr_err *err)
{
  return xr_fail(err, XR_ENOMEM, "out of memory");
}

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
  return rc ? nomem(err) : 0;
}

/* mkdir -p: creates PATH and its missing parents (mode 0755). */
static int mkdirs(const char *path, struct xr_err *err)
{
  char *p = xr_strdup(path);
  size_t i, len;
  int rc = 0;

  if (!p)
    return nomem(err);
  len = strlen(p);
  for (i = 1; i <= len; i++) {
    if (p[i] != '/' && p[i] != '\0')
      continue;
    p[i] = '\0';
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
      rc = xr_fail(err, XR_EIO, "cannot create directory '%s': %s", p,
                   strerror(errno));
      goto out;
    }
    if (i < len)
      p[i] = '/';
  }
out:
  free(p);
  return rc;
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

/* ---- removal ---- */

static int rm_at(int dfd, const char *name);

/* Removes every entry of the open directory FD (consumed). */
static int clear_fd(int fd)
{
  DIR *d;
  struct dirent *de;
  int rc = 0;

  /* A read-only directory from an archive must still be removable. */
  (void)fchmod(fd, 0700);
  d = fdopendir(fd);
  if (!d) {
    close(fd);
    return -1;
  }
  for (;;) {
    errno = 0;
    de = readdir(d);
    if (!de)
      break;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    if (rm_at(dirfd(d), de->d_name) != 0)
      rc = -1;
  }
  if (errno != 0)
    rc = -1;
  closedir(d);
  return rc;
}

static int rm_at(int dfd, const char *name)
{
  int fd;

  if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return -1;
  fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == EACCES) {
    (void)fchmodat(dfd, name, 0700, 0);
    fd = openat(dfd, name,
                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0)
    return errno == ENOENT ? 0 : -1;
  if (clear_fd(fd) != 0)
    return -1;
  if (unlinkat(dfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
    return -1;
  return 0;
}

int xr_store_rmtree(const char *path, struct xr_err *err)
{
  if (rm_at(AT_FDCWD, path) != 0)
    return xr_fail(err, XR_EIO, "cannot remove '%s': %s", path,
                   strerror(errno));
  return 0;
}

int xr_store_clear_dir(const char *path, struct xr_err *err)
{
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || clear_fd(fd) != 0)
    return xr_fail(err, XR_EIO, "cannot clear '%s': %s", path,
                   strerror(errno));
  return 0;
}

/* ---- owner tokens and crash cleanup ---- */

/* The token of a temporary name: the part before the first '.'. */
static size_t token_len(const char *name)
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
                    OWNER_SUFFIX))
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
      len = token_len(de->d_name);
      if (!len || (self && !strncmp(de->d_name, self, len) &&
                   self[len] == '\0'))
        continue;
      nlen = strlen(de->d_name);
      is_owner = !strcmp(de->d_name + len, OWNER_SUFFIX);
      xr_buf_reset(&p);
      if (xr_buf_printf(&p, "%s/%s", tmpdir, de->d_name))
        break;
      if (pass == 0 && !is_owner) {
        if (!owner_alive(tmpdir, de->d_name, len))
          (void)rm_at(AT_FDCWD, p.data);
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
    if (xr_buf_printf(&p, "%s/tmp/%s%s", s->base, s->token, OWNER_SUFFIX)) {
      rc = nomem(err);
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
    rc = xr_buf_adds(&b, root) ? nomem(err) : 0;
  } else {
    rc = xr_store_default_root(&b, err);
  }
  if (rc)
    goto out;
  s = calloc(1, sizeof(*s));
  if (!s) {
    rc = nomem(err);
    goto out;
  }
  s->owner_fd = -1;
  s->root = xr_buf_detach(&b);
  if (!s->root || xr_buf_printf(&b, "%s/%s", s->root, XR_STORE_LAYOUT)) {
    rc = nomem(err);
    goto out;
  }
  s->base = xr_buf_detach(&b);
  if (!s->base) {
    rc = nomem(err);
    goto out;
  }
  for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
    xr_buf_reset(&b);
    if (xr_buf_printf(&b, "%s/%s", s->base, dirs[i])) {
      rc = nomem(err);
      goto out;
    }
    rc = mkdirs(b.data, err);
    if (rc)
      goto out;
  }
  rc = take_token(s, err);
  if (rc)
    goto out;
  xr_buf_reset(&b);
  if (xr_buf_printf(&b, "%s/tmp", s->base)) {
    rc = nomem(err);
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
  struct xr_buf p = XR_BUF_INIT;
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
          !strcmp(de->d_name + tl, OWNER_SUFFIX))
        continue;
      (void)rm_at(dirfd(d), de->d_name);
    }
    if (d)
      closedir(d);
    xr_buf_reset(&p);
    if (!xr_buf_printf(&p, "%s/tmp/%s%s", s->base, s->token, OWNER_SUFFIX))
      (void)unlink(p.data);
  }
  if (s->owner_fd >= 0)
    close(s->owner_fd);
  xr_buf_release(&p);
  free(s->root);
  free(s->base);
  free(s);
}

/* ---- locks ---- */

static int valid_key(const char *key)
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
  if (!valid_key(key))
    return xr_fail(err, XR_EUSAGE, "invalid lock key '%s'", key);
  if (xr_buf_printf(&p, "%s/locks/%s.lock", s->base, key)) {
    rc = nomem(err);
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

static int tmp_name(struct xr_store *s, const char *kind, struct xr_buf *path)
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
    if (tmp_name(s, "dl", path))
      return nomem(err);
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
    if (tmp_name(s, "stage", path))
      return nomem(err);
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
    rc = nomem(err);
    goto out;
  }
  rc = mkdirs(parent.data, err);
  if (rc)
    goto out;
  if (rename(stage, final) == 0)
    goto out;
  if (errno == EEXIST || errno == ENOTEMPTY) {
    /* Another process published the same entry first: ours is equal. */
    rc = xr_store_rmtree(stage, err);
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
    rc = nomem(err);
    goto out;
  }
  rc = mkdirs(parent.data, err);
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
    ssize_t n = read(in, buf, sizeof(buf)), off = 0;

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      return 0;
    while (off < n) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));

      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      off += w;
    }
  }
}

int xr_store_copy_out(const char *src, const char *dest, struct xr_err *err)
{
  struct xr_buf tmp = XR_BUF_INIT;
  int in = -1, out = -1, rc = 0;
  mode_t um;

  if (xr_buf_printf(&tmp, "%s.xrust-tmp-%ld", dest, (long)getpid())) {
    rc = nomem(err);
    goto out;
  }
  in = open(src, O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    rc = xr_fail(err, XR_EIO, "cannot open '%s': %s", src, strerror(errno));
    goto out;
  }
  (void)unlink(tmp.data);
  out = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (out < 0) {
    rc = xr_fail(err, XR_EIO, "cannot create '%s': %s", tmp.data,
                 strerror(errno));
    goto out;
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
  if (close(out) != 0) {
    out = -1;
    rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", tmp.data,
                 strerror(errno));
    goto out;
  }
  out = -1;
  if (rename(tmp.data, dest) != 0)
    rc = xr_fail(err, XR_EIO, "cannot create '%s': %s", dest,
                 strerror(errno));
out:
  if (out >= 0)
    close(out);
  if (in >= 0)
    close(in);
  if (rc && tmp.data)
    (void)unlink(tmp.data);
  xr_buf_release(&tmp);
  return rc;
}

/* ---- roots and gc ---- */

int xr_store_root_write(struct xr_store *s, const char *name,
                        const char *content, struct xr_err *err)
{
  struct xr_buf tmp = XR_BUF_INIT, final = XR_BUF_INIT;
  size_t len = strlen(content), off = 0;
  int fd = -1, rc;

  if (!valid_key(name))
    return xr_fail(err, XR_EUSAGE, "invalid root name '%s'", name);
  if (xr_buf_printf(&final, "%s/roots/%s", s->base, name)) {
    rc = nomem(err);
    goto out;
  }
  rc = xr_store_mktemp(s, &tmp, &fd, err);
  if (rc)
    goto out;
  while (off < len) {
    ssize_t w = write(fd, content + off, len - off);

    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0) {
      rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", tmp.data,
                   strerror(errno));
      goto out;
    }
    off += (size_t)w;
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

/* A set of strings: sorted once, then searched. */
struct strset {
  char **v;
  size_t n, cap;
};

static int strset_add(struct strset *set, const char *s, size_t len)
{
  if (set->n == set->cap) {
    size_t cap = set->cap ? set->cap * 2 : 64;
    char **v = realloc(set->v, cap * sizeof(*v));

    if (!v)
      return -1;
    set->v = v;
    set->cap = cap;
  }
  set->v[set->n] = xr_strndup(s, len);
  if (!set->v[set->n])
    return -1;
  set->n++;
  return 0;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int strset_has(const struct strset *set, const char *s)
{
  return set->n && bsearch(&s, set->v, set->n, sizeof(char *), cmp_str);
}

static void strset_release(struct strset *set)
{
  size_t i;

  for (i = 0; i < set->n; i++)
    free(set->v[i]);
  free(set->v);
}

/*
 * Reads one root file into KEEP ("blob:<sha>" and "entry:<kind>/<name>");
 * returns 1 when the root is stale (its owner path is gone).
 */
static int read_root(const char *path, struct strset *keep)
{
  FILE *f = fopen(path, "r");
  char line[4096];
  struct strset mine = { NULL, 0, 0 };
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
          strset_add(&mine, tagged, (size_t)n)) {
        stale = 0;
        break;
      }
    }
  }
  fclose(f);
  for (i = 0; !stale && i < mine.n; i++)
    if (strset_add(keep, mine.v[i], strlen(mine.v[i])))
      break;
  strset_release(&mine);
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
  if (tmp_name(s, "gc", &aside)) {
    rc = nomem(err);
    goto out;
  }
  if (rename(path, aside.data) != 0) {
    rc = xr_fail(err, XR_EIO, "cannot remove '%s': %s", path,
                 strerror(errno));
    goto out;
  }
  rc = xr_store_rmtree(aside.data, err);
out:
  xr_buf_release(&aside);
  return rc;
}

/* One gc candidate: removed unless referenced, young or locked. */
static int gc_item(struct xr_store *s, const struct xr_store_gc_opts *o,
                   const struct strset *keep, const char *tag,
                   const char *lockkey, const char *path,
                   struct xr_store_gc_stats *st, struct xr_err *err)
{
  struct stat sb;
  struct xr_store_lock lk = XR_STORE_LOCK_INIT;
  uint64_t size;
  int rc = 0;

  if (lstat(path, &sb) != 0)
    return 0;
  if (strset_has(keep, tag) ||
      (long long)(time(NULL) - sb.st_mtime) < o->grace_seconds) {
    st->kept++;
    return 0;
  }
  if (lockkey && valid_key(lockkey)) {
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
                    struct strset *keep, struct xr_store_gc_stats *st,
                    struct xr_err *err)
{
  struct xr_buf p = XR_BUF_INIT;
  DIR *d = NULL;
  struct dirent *de;
  int rc = 0;

  if (xr_store_path(s, "roots", &p)) {
    rc = nomem(err);
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
      rc = nomem(err);
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
  const struct strset *keep;
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
    rc = nomem(err);
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
      rc = nomem(err);
      break;
    }
    sub = opendir(p.data);
    while (sub && !rc && (ee = readdir(sub)) != NULL) {
      if (ee->d_name[0] == '.')
        continue;
      xr_buf_reset(&p);
      if (xr_buf_printf(&p, "%s/%s/%s", dir, de->d_name, ee->d_name))
        rc = nomem(err);
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
                       const struct strset *keep,
                       struct xr_store_gc_stats *st, struct xr_err *err)
{
  struct gc_walk w = { s, o, keep, st, 1 };
  struct xr_buf p = XR_BUF_INIT;
  int rc;

  if (xr_store_path(s, "blobs/sha256", &p)) {
    xr_buf_release(&p);
    return nomem(err);
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
  struct strset keep = { NULL, 0, 0 };
  int rc;

  memset(stats, 0, sizeof(*stats));
  rc = gc_roots(s, o, &keep, stats, err);
  if (rc)
    goto out;
  if (keep.n)
    qsort(keep.v, keep.n, sizeof(char *), cmp_str);
  rc = gc_walk_all(s, o, &keep, stats, err);
out:
  strset_release(&keep);
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

  while (d) {
    de = readdir(d);
    if (!de)
      break;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    if (skip_owners && token_len(de->d_name) &&
        !strcmp(de->d_name + token_len(de->d_name), OWNER_SUFFIX))
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
    rc = nomem(err);
    goto out;
  }
  count_dir(p.data, 2, 0, &items, &bytes);
  if (usage_add(out, n, "blobs", items, bytes)) {
    rc = nomem(err);
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
      rc = nomem(err);
      goto out;
    }
    items = bytes = 0;
    count_dir(p.data, 1, 0, &items, &bytes);
    if (usage_add(out, n, de->d_name, items, bytes)) {
      rc = nomem(err);
      goto out;
    }
  }
  qsort(*out + first, *n - first, sizeof(**out), cmp_usage);
  xr_buf_reset(&p);
  if (xr_buf_printf(&p, "%s/tmp", s->base)) {
    rc = nomem(err);
    goto out;
  }
  items = bytes = 0;
  /* Owner files of live handles (our own included) are not debris. */
  count_dir(p.data, 1, 1, &items, &bytes);
  if (usage_add(out, n, "tmp", items, bytes))
    rc = nomem(err);
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
