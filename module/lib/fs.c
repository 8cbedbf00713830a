/*
 * The file-system layer (fs.h): whole-file reads under a size cap, atomic
 * writes through one temporary-name rule, mkdir -p, rm -rf, and trees
 * mirrored by hard links.  POSIX only; nothing here prints.  Every path in
 * a message is quoted as given, every failure carries strerror(errno).
 */
#include "xrust/fs.h"

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

/* Deeper trees than this are refused rather than recursed into. */
#define MAX_DEPTH 64

static int io_fail(struct xr_err *err, const char *what, const char *path)
{
  return xr_fail(err, errno == ENOENT ? XR_ENOTFOUND : XR_EIO,
                 "cannot %s '%s': %s", what, path, strerror(errno));
}

int xr_fs_read_stream(FILE *f, const char *name, size_t max,
                      struct xr_buf *out, struct xr_err *err)
{
  char chunk[16384];
  size_t n, start = out->len;

  do {
    n = fread(chunk, 1, sizeof(chunk), f);
    if (out->len - start + n > max)
      return xr_fail(err, XR_ELIMIT, "'%s' is larger than %zu bytes", name,
                     max);
    if (n && xr_buf_add(out, chunk, n))
      return xr_nomem(err);
  } while (n == sizeof(chunk));
  if (ferror(f))
    return xr_fail(err, XR_EIO, "cannot read '%s': %s", name,
                   strerror(errno));
  return 0;
}

int xr_fs_read(const char *path, size_t max, struct xr_buf *out,
               struct xr_err *err)
{
  FILE *f = fopen(path, "rb");
  int rc;

  if (!f)
    return io_fail(err, "open", path);
  rc = xr_fs_read_stream(f, path, max, out, err);
  fclose(f);
  return rc;
}

int xr_fs_mktemp(const char *path, struct xr_buf *tmp, int *fd,
                 struct xr_err *err)
{
  xr_buf_reset(tmp);
  if (xr_buf_printf(tmp, "%s.tmp-XXXXXX", path))
    return xr_nomem(err);
  *fd = mkstemp(tmp->data);
  if (*fd < 0)
    return xr_fail(err, XR_EIO, "cannot create a temporary file for '%s': "
                   "%s", path, strerror(errno));
  (void)fcntl(*fd, F_SETFD, FD_CLOEXEC);
  return 0;
}

int xr_fs_mkdtemp(const char *path, struct xr_buf *tmp, struct xr_err *err)
{
  mode_t mask;

  xr_buf_reset(tmp);
  if (xr_buf_printf(tmp, "%s.tmp-XXXXXX", path))
    return xr_nomem(err);
  if (!mkdtemp(tmp->data))
    return xr_fail(err, XR_EIO, "cannot create a temporary directory for "
                   "'%s': %s", path, strerror(errno));
  /* mkdtemp makes 0700; give the directory the mode mkdir would. */
  mask = umask(0);
  (void)umask(mask);
  (void)chmod(tmp->data, 0755 & ~mask);
  return 0;
}

int xr_fs_commit(int fd, const char *tmp, const char *path, unsigned flags,
                 struct xr_err *err)
{
  mode_t mask = umask(0);
  mode_t mode = (flags & XR_FS_EXEC) ? 0755 : 0644;
  int rc = 0;

  /* mkstemp makes 0600; give the file the mode a plain open would. */
  (void)umask(mask);
  if (fchmod(fd, mode & ~mask) != 0 ||
      ((flags & XR_FS_SYNC) && fsync(fd) != 0))
    rc = io_fail(err, "write", path);
  if (close(fd) != 0 && !rc)
    rc = io_fail(err, "write", path);
  if (!rc && rename(tmp, path) != 0)
    rc = io_fail(err, "write", path);
  if (rc)
    (void)unlink(tmp);
  return rc;
}

int xr_fs_write_all(int fd, const void *data, size_t len)
{
  const char *p = data;
  size_t off = 0;

  while (off < len) {
    ssize_t w = write(fd, p + off, len - off);

    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return -1;
    off += (size_t)w;
  }
  return 0;
}

int xr_fs_write(const char *path, const void *data, size_t len,
                unsigned flags, struct xr_err *err)
{
  struct xr_buf tmp = XR_BUF_INIT;
  int fd, rc;

  rc = xr_fs_mktemp(path, &tmp, &fd, err);
  if (rc)
    goto out;
  if (xr_fs_write_all(fd, data, len) != 0) {
    rc = io_fail(err, "write", path);
    close(fd);
    (void)unlink(tmp.data);
    goto out;
  }
  rc = xr_fs_commit(fd, tmp.data, path, flags, err);
out:
  xr_buf_release(&tmp);
  return rc;
}

int xr_fs_mkdirs(const char *path, struct xr_err *err)
{
  char *p = xr_strdup(path);
  size_t i, len;
  int rc = 0;

  if (!p)
    return xr_nomem(err);
  len = strlen(p);
  for (i = 1; i <= len; i++) {
    if (p[i] != '/' && p[i] != '\0')
      continue;
    p[i] = '\0';
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
      rc = xr_fail(err, XR_EIO, "cannot create directory '%s': %s", p,
                   strerror(errno));
      break;
    }
    if (i < len)
      p[i] = '/';
  }
  free(p);
  return rc;
}

int xr_fs_is_dir(const char *path)
{
  struct stat st;

  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int xr_fs_is_file(const char *path)
{
  struct stat st;

  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int rm_at(int dfd, const char *name, int depth);

/* Removes every entry of the open directory FD (consumed). */
static int clear_fd(int fd, int depth)
{
  DIR *d;
  struct dirent *de;
  int rc = 0;

  if (depth > MAX_DEPTH) {
    close(fd);
    errno = ELOOP;
    return -1;
  }
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
    if (rm_at(dirfd(d), de->d_name, depth + 1) != 0) {
      rc = -1;
      break;
    }
  }
  if (!rc && errno)
    rc = -1;
  closedir(d);
  return rc;
}

static int rm_at(int dfd, const char *name, int depth)
{
  int fd;

  if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return -1;
  fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == EACCES) {
    /* A directory without read permission: ours to remove all the same. */
    (void)fchmodat(dfd, name, 0700, 0);
    fd = openat(dfd, name,
                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0)
    return errno == ENOENT ? 0 : -1;
  if (clear_fd(fd, depth) != 0)
    return -1;
  if (unlinkat(dfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
    return -1;
  return 0;
}

int xr_fs_rmtree(const char *path, struct xr_err *err)
{
  if (rm_at(AT_FDCWD, path, 0) != 0)
    return xr_fail(err, XR_EIO, "cannot remove '%s': %s", path,
                   strerror(errno));
  return 0;
}

int xr_fs_clear_dir(const char *path, struct xr_err *err)
{
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || clear_fd(fd, 0) != 0)
    return xr_fail(err, XR_EIO, "cannot clear '%s': %s", path,
                   strerror(errno));
  return 0;
}

int xr_fs_copy_file(const char *src, const char *dst, mode_t mode,
                    struct xr_err *err)
{
  char buf[65536];
  int in, out = -1, rc = 0;
  ssize_t n;

  in = open(src, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return io_fail(err, "copy", src);
  out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (out < 0) {
    rc = io_fail(err, "create", dst);
    goto out;
  }
  for (;;) {
    n = read(in, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    if (write(out, buf, (size_t)n) != n) {
      rc = io_fail(err, "write", dst);
      goto out;
    }
  }
  if (n < 0)
    rc = io_fail(err, "copy", src);
out:
  close(in);
  if (out >= 0 && close(out) != 0 && !rc)
    rc = io_fail(err, "write", dst);
  if (rc && out >= 0)
    (void)unlink(dst);
  return rc;
}

struct tree {
  unsigned flags;
  xr_fs_filter *filter;
  void *ctx;
  size_t root_len;  /* strlen of the source root, to form REL */
  struct xr_err *err;
};

static int mirror(struct tree *t, const char *src, const char *dst,
                  int depth);

/* Mirrors one entry SRC (already lstat'ed into ST) to DST. */
static int mirror_entry(struct tree *t, const char *src, const char *dst,
                        const struct stat *st, int depth)
{
  if (S_ISDIR(st->st_mode))
    return mirror(t, src, dst, depth + 1);
  if (S_ISREG(st->st_mode)) {
    if (link(src, dst) == 0)
      return 0;
    if (errno == EEXIST && (t->flags & XR_FS_KEEP))
      return 0;
    if (errno == EEXIST)
      return io_fail(t->err, "create", dst);
    return xr_fs_copy_file(src, dst, st->st_mode & 07777, t->err);
  }
  if (S_ISLNK(st->st_mode)) {
    char target[4096];
    ssize_t n = readlink(src, target, sizeof(target) - 1);

    if (n < 0)
      return io_fail(t->err, "read link", src);
    target[n] = '\0';
    if (symlink(target, dst) != 0 &&
        !(errno == EEXIST && (t->flags & XR_FS_KEEP)))
      return io_fail(t->err, "create", dst);
  }
  /* Devices, FIFOs and sockets have no place in a mirrored tree. */
  return 0;
}

static int mirror(struct tree *t, const char *src, const char *dst,
                  int depth)
{
  struct xr_buf a = XR_BUF_INIT, b = XR_BUF_INIT;
  struct dirent *e;
  DIR *d;
  int rc = 0;

  if (depth > MAX_DEPTH)
    return xr_fail(t->err, XR_ELIMIT, "'%s' is nested too deep", src);
  if (mkdir(dst, 0755) != 0 && (errno != EEXIST || !xr_fs_is_dir(dst)))
    return io_fail(t->err, "create", dst);
  d = opendir(src);
  if (!d)
    return io_fail(t->err, "read", src);
  for (;;) {
    struct stat st;

    errno = 0;
    e = readdir(d);
    if (!e) {
      if (errno)
        rc = io_fail(t->err, "read", src);
      break;
    }
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    xr_buf_reset(&a);
    xr_buf_reset(&b);
    if (xr_buf_printf(&a, "%s/%s", src, e->d_name) ||
        xr_buf_printf(&b, "%s/%s", dst, e->d_name)) {
      rc = xr_nomem(t->err);
      break;
    }
    if (lstat(a.data, &st) != 0) {
      rc = io_fail(t->err, "stat", a.data);
      break;
    }
    if (t->filter && t->filter(t->ctx, a.data + t->root_len + 1, a.data,
                               &st, depth))
      continue;
    rc = mirror_entry(t, a.data, b.data, &st, depth);
    if (rc)
      break;
  }
  closedir(d);
  xr_buf_release(&a);
  xr_buf_release(&b);
  return rc;
}

int xr_fs_link_tree(const char *src, const char *dst, unsigned flags,
                    xr_fs_filter *filter, void *ctx, struct xr_err *err)
{
  struct tree t;

  t.flags = flags;
  t.filter = filter;
  t.ctx = ctx;
  t.root_len = strlen(src);
  t.err = err;
  return mirror(&t, src, dst, 0);
}

/* DIR exists (made if missing) and belongs to this user alone. */
static int own_dir(const char *dir, struct xr_err *err)
{
  struct stat st;

  if (mkdir(dir, 0755) != 0 && errno != EEXIST)
    return io_fail(err, "create", dir);
  if (lstat(dir, &st) != 0)
    return io_fail(err, "stat", dir);
  if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
      (st.st_mode & (S_IWGRP | S_IWOTH)))
    return xr_fail(err, XR_EUNSAFE, "'%s' is not a directory of this user's "
                   "that only it can write", dir);
  return 0;
}

int xr_fs_stable_link(const char *dir, const char *name, const char *target,
                      int (*keep)(const char *link, void *ctx), void *ctx,
                      struct xr_err *err)
{
  struct xr_buf link = XR_BUF_INIT, tmp = XR_BUF_INIT, old = XR_BUF_INIT;
  struct stat st;
  int rc = own_dir(dir, err);

  if (rc)
    return rc;
  if (xr_buf_printf(&link, "%s/%s", dir, name) ||
      xr_buf_printf(&tmp, "%s/.%s.tmp-%ld", dir, name, (long)getpid()) ||
      xr_buf_grow(&old, strlen(target) + 2)) {
    rc = xr_nomem(err);
    goto out;
  }
  if (lstat(link.data, &st) == 0) {
    ssize_t n;

    if (!S_ISLNK(st.st_mode) || st.st_uid != geteuid()) {
      rc = xr_fail(err, XR_EUNSAFE, "'%s' is not a symbolic link of this "
                   "user's", link.data);
      goto out;
    }
    n = readlink(link.data, old.data, strlen(target) + 2);
    if ((n >= 0 && (size_t)n == strlen(target) &&
         !memcmp(old.data, target, (size_t)n)) ||
        (keep && keep(link.data, ctx)))
      goto out;
  } else if (errno != ENOENT) {
    rc = io_fail(err, "stat", link.data);
    goto out;
  }
  (void)unlink(tmp.data);
  if (symlink(target, tmp.data) != 0) {
    rc = io_fail(err, "create the link", tmp.data);
    goto out;
  }
  if (rename(tmp.data, link.data) != 0) {
    rc = io_fail(err, "rename a link to", link.data);
    (void)unlink(tmp.data);
  }
out:
  xr_buf_release(&link);
  xr_buf_release(&tmp);
  xr_buf_release(&old);
  return rc;
}

/* Sets the times of everything under the directory FD to TS. */
static int touch_fd(int fd, const struct timespec ts[2], unsigned depth)
{
  DIR *d;
  struct dirent *e;
  int rc = 0;

  if (depth > MAX_DEPTH) {
    close(fd);
    errno = ELOOP;
    return -1;
  }
  d = fdopendir(fd);
  if (!d) {
    close(fd);
    return -1;
  }
  while (!rc && (e = readdir(d)) != NULL) {
    struct stat st;

    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      rc = -1;
      break;
    }
    if (S_ISDIR(st.st_mode)) {
      int sub = openat(dirfd(d), e->d_name,
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      rc = sub < 0 ? -1 : touch_fd(sub, ts, depth + 1);
    }
    if (!rc && utimensat(dirfd(d), e->d_name, ts, AT_SYMLINK_NOFOLLOW) != 0)
      rc = -1;
  }
  closedir(d);
  return rc;
}

int xr_fs_touch_tree(const char *path, struct xr_err *err)
{
  struct timespec ts[2];
  int fd;

  if (clock_gettime(CLOCK_REALTIME, &ts[0]) != 0)
    return io_fail(err, "read the clock for", path);
  ts[1] = ts[0];
  fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || touch_fd(fd, ts, 0) != 0 ||
      utimensat(AT_FDCWD, path, ts, 0) != 0)
    return io_fail(err, "set the times of", path);
  return 0;
}

int xr_fs_mkparent(const char *path, struct xr_err *err)
{
  const char *slash = strrchr(path, '/');
  char *dir;
  int rc;

  if (!slash || slash == path)
    return 0;
  dir = xr_strndup(path, (size_t)(slash - path));
  if (!dir)
    return xr_nomem(err);
  rc = xr_fs_mkdirs(dir, err);
  free(dir);
  return rc;
}
