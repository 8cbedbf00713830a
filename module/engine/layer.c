/*
 * Writing layer archives (layer.h): a directory packed as a reproducible
 * tar.zst for the remote cache.  The tree is listed in sorted order
 * (cache.h's xr_cache_list), every entry written with fixed metadata
 * (owner 0:0 without names, mtime 0, mode 0644 or 0755), and the archive
 * hashed as it is written, so the object's name is known when the file
 * is closed.  With archive.c (which reads archives, defensively) the only
 * file that includes <archive.h>.
 */
#include "xrust/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xrust/buf.h"
#include "xrust/cache.h"
#include "xrust/fs.h"

#define BLOCK (256 * 1024)

struct sink {
  int fd;
  struct xr_sha256 h;
  uint64_t size;
  int failed_errno;
};

static la_ssize_t on_write(struct archive *a, void *ctx, const void *buf,
                           size_t n)
{
  struct sink *s = ctx;

  (void)a;
  if (xr_fs_write_all(s->fd, buf, n)) {
    s->failed_errno = errno;
    archive_set_error(a, errno, "write failed");
    return -1;
  }
  xr_sha256_update(&s->h, buf, n);
  s->size += n;
  return (la_ssize_t)n;
}

/* 1 when filter F leaves the entry REL (last component BASE) out. */
static int skip_excluded(void *ctx, const char *rel, const char *base,
                         const struct stat *st, int where)
{
  const struct xr_layer_filter *f = ctx;
  size_t i;

  (void)st;
  if (f->nonly && !strchr(rel, '/')) {
    for (i = 0; i < f->nonly; i++)
      if (!strcmp(f->only[i], base))
        break;
    if (i == f->nonly)
      return 1;
  }
  return where && xr_cache_excluded(f->exclude, f->nexclude, base,
                                    (enum xr_cache_where)where);
}

static int lib_fail(struct archive *a, const char *what, const char *path,
                    struct xr_err *err)
{
  const char *m = archive_error_string(a);

  return xr_fail(err, XR_EARCHIVE, "cannot %s '%s': %s", what, path,
                 m ? m : "archive error");
}

/* Writes the data of the regular file PATH, which lstat saw SIZE long. */
static int write_data(struct archive *a, const char *path, off_t size,
                      char *block, struct xr_err *err)
{
  off_t total = 0;
  ssize_t got;
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = 0;

  if (fd < 0)
    return xr_fail(err, XR_EIO, "cannot open '%s': %s", path,
                   strerror(errno));
  for (;;) {
    got = read(fd, block, BLOCK);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    if (total + got > size)
      break;
    if (archive_write_data(a, block, (size_t)got) != got) {
      rc = lib_fail(a, "pack", path, err);
      break;
    }
    total += got;
  }
  if (!rc && got < 0)
    rc = xr_fail(err, XR_EIO, "cannot read '%s': %s", path,
                 strerror(errno));
  else if (!rc && total != size)
    rc = xr_fail(err, XR_EIO, "'%s' changed while it was packed", path);
  close(fd);
  return rc;
}

static int write_entry(struct archive *a, struct archive_entry *e,
                       const char *dir, const struct xr_cache_entry *ent,
                       char *block, struct xr_layer_stats *st,
                       struct xr_err *err)
{
  struct xr_buf path = XR_BUF_INIT, link = XR_BUF_INIT;
  mode_t m = ent->st.st_mode;
  int rc = 0;

  if (xr_buf_printf(&path, "%s/%s", dir, ent->rel)) {
    rc = xr_nomem(err);
    goto out;
  }
  archive_entry_clear(e);
  archive_entry_set_pathname(e, ent->rel);
  archive_entry_set_uid(e, 0);
  archive_entry_set_gid(e, 0);
  archive_entry_set_mtime(e, 0, 0);
  if (S_ISDIR(m)) {
    archive_entry_set_filetype(e, AE_IFDIR);
    archive_entry_set_perm(e, 0755);
  } else if (S_ISREG(m)) {
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, m & 0111 ? 0755 : 0644);
    archive_entry_set_size(e, ent->st.st_size);
  } else if (S_ISLNK(m)) {
    ssize_t n;

    if (xr_buf_grow(&link, (size_t)ent->st.st_size + 2)) {
      rc = xr_nomem(err);
      goto out;
    }
    n = readlink(path.data, link.data, link.cap - 1);
    if (n < 0 || (size_t)n >= link.cap - 1) {
      rc = xr_fail(err, XR_EIO, "cannot read the link '%s': %s", path.data,
                   n < 0 ? strerror(errno) : "it changed");
      goto out;
    }
    link.data[n] = '\0';
    archive_entry_set_filetype(e, AE_IFLNK);
    archive_entry_set_perm(e, 0755);
    archive_entry_set_symlink(e, link.data);
  } else {
    rc = xr_fail(err, XR_EUSAGE, "cannot pack '%s': not a file, directory "
                 "or symbolic link", path.data);
    goto out;
  }
  if (archive_write_header(a, e) != ARCHIVE_OK) {
    rc = lib_fail(a, "pack", path.data, err);
    goto out;
  }
  if (S_ISREG(m) && ent->st.st_size > 0) {
    rc = write_data(a, path.data, ent->st.st_size, block, err);
    st->bytes += (uint64_t)ent->st.st_size;
  }
  st->entries++;
out:
  xr_buf_release(&path);
  xr_buf_release(&link);
  return rc;
}

int xr_layer_pack(const char *dir, const char *out,
                  const struct xr_layer_filter *f,
                  struct xr_layer_stats *st, struct xr_err *err)
{
  struct xr_layer_filter use = { NULL, 0, NULL, 0 };
  struct xr_cache_entry *v = NULL;
  struct archive *a = NULL;
  struct archive_entry *e = NULL;
  struct sink s;
  char *block = NULL;
  size_t n = 0, i;
  int rc, hashing = 0, opened = 0, created = 0;

  memset(st, 0, sizeof(*st));
  memset(&s, 0, sizeof(s));
  s.fd = -1;
  if (f)
    use = *f;
  rc = xr_cache_list(dir, skip_excluded, &use, &v, &n, err);
  if (rc)
    goto out;
  s.fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (s.fd < 0) {
    rc = xr_fail(err, XR_EIO, "cannot create '%s': %s", out,
                 strerror(errno));
    goto out;
  }
  created = 1;
  rc = xr_sha256_init(&s.h, err);
  if (rc)
    goto out;
  hashing = 1;
  block = malloc(BLOCK);
  a = archive_write_new();
  e = archive_entry_new();
  if (!block || !a || !e) {
    rc = xr_nomem(err);
    goto out;
  }
  /* pax only where ustar cannot say it (long names, big files), so the
   * archive is plain tar wherever possible and byte-stable. */
  /* No padding of the compressed stream to tar's 10 kB blocks: the
   * zeros would follow the zstd frame and fail its decoder. */
  if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      archive_write_add_filter_zstd(a) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
      archive_write_open(a, &s, NULL, on_write, NULL) != ARCHIVE_OK) {
    rc = lib_fail(a, "write", out, err);
    goto out;
  }
  opened = 1;
  for (i = 0; i < n && !rc; i++)
    rc = write_entry(a, e, dir, &v[i], block, st, err);
  if (rc)
    goto out;
  opened = 0;
  if (archive_write_close(a) != ARCHIVE_OK) {
    rc = lib_fail(a, "write", out, err);
    goto out;
  }
  if (close(s.fd)) {
    s.fd = -1;
    rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", out,
                 strerror(errno));
    goto out;
  }
  s.fd = -1;
  xr_sha256_final(&s.h, st->sha);
  hashing = 0;
  st->size = s.size;
out:
  if (opened)
    archive_write_close(a);
  if (a)
    archive_write_free(a);
  if (e)
    archive_entry_free(e);
  if (hashing)
    xr_sha256_release(&s.h);
  if (s.fd >= 0)
    close(s.fd);
  if (rc && created)
    unlink(out);
  free(block);
  xr_cache_list_free(v, n);
  return rc;
}
