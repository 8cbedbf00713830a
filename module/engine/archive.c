/*
 * Streaming, defensive tar extraction: the only file that reads
 * archives with libarchive (layer.c writes the remote cache's).
 * libarchive decodes (gzip, bzip2, xz, zstd, plain tar); the
 * writing is ours, so that every file system call is relative to a
 * directory descriptor that was reached from the target directory without
 * following a symbolic link.  Each entry's path is normalised and checked
 * before anything is created, links are checked against the place they
 * land in, and sizes are counted from the bytes actually decoded, so a
 * hostile archive fails with XR_EUNSAFE or XR_ELIMIT before anything lands
 * outside the target directory.  Only the executable bit is taken from the
 * archive: files become 0644 or 0755 and directories 0755, whatever the
 * umask, and owners and times are never restored.
 */
#include "xrust/archive.h"

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
#include "xrust/error.h"

#define DEFAULT_MAX_ENTRY_SIZE (UINT64_C(8) << 30)
#define DEFAULT_MAX_TOTAL_SIZE (UINT64_C(32) << 30)
#define DEFAULT_MAX_ENTRIES UINT64_C(1000000)

/* Read size for xr_unpack_file: large enough that syscalls are noise. */
#define FILE_BLOCK (256 * 1024)

/* Longest entry name quoted in a message, before it is cut with "...". */
#define SHOWN_MAX 200

typedef int (*filter_fn)(struct archive *);

static const struct {
  const char *name;
  filter_fn add;
} filters[] = {
  { "gzip", archive_read_support_filter_gzip },
  { "bzip2", archive_read_support_filter_bzip2 },
  { "xz", archive_read_support_filter_xz },
  { "zstd", archive_read_support_filter_zstd },
};

#define NFILTERS (sizeof(filters) / sizeof(filters[0]))

/*
 * The paths of the regular files this extraction wrote, as 64-bit hashes:
 * a hard link may only point at one of them.  A collision could only
 * accept a link to another file inside the tree, which is still checked
 * to be a regular file reached without symlinks, so hashes are enough and
 * cost 16 bytes per file at most.
 */
struct pathset {
  uint64_t *slot;  /* 0 marks a free slot */
  size_t cap;      /* a power of two, or 0 */
  size_t len;
};

struct unpack {
  struct archive *a;
  const char *name;          /* the archive, for messages */
  const struct xr_unpack_opts *o;
  uint64_t max_entry, max_total, max_entries;
  xr_unpack_read_fn read;
  void *read_ctx;
  int read_failed;
  int rootfd;                /* the target directory */
  int pfd;                   /* cached parent directory, or -1 */
  struct xr_buf pdir;        /* path of pfd relative to the root */
  struct xr_buf norm;        /* scratch: a normalised path */
  struct xr_buf dest;        /* where the current entry lands */
  struct xr_buf tdest;       /* where a hard link's target is */
  struct xr_buf comp;        /* scratch: one path component */
  struct pathset files;
  uint64_t headers;          /* entries read, extracted or not */
  uint64_t total;            /* bytes of file data so far */
  struct xr_unpack_stats st;
  struct xr_err *err;
};

void xr_unpack_opts_init(struct xr_unpack_opts *o)
{
  memset(o, 0, sizeof(*o));
  o->rewrite = NULL;
  o->rewrite_ctx = NULL;
}

/*
 * libarchive quietly falls back to running an external program when it
 * was built without a decoder, and reports that with ARCHIVE_WARN.  We
 * never want a child process inside Make, so a filter is used only when
 * registering it on a scratch handle returns ARCHIVE_OK.
 */
static int filter_is_native(filter_fn add)
{
  struct archive *probe = archive_read_new();
  int r;

  if (!probe)
    return 0;
  r = add(probe);
  archive_read_free(probe);
  return r == ARCHIVE_OK;
}

int xr_unpack_has_filter(const char *name)
{
  size_t i;

  for (i = 0; i < NFILTERS; i++)
    if (!strcmp(name, filters[i].name))
      return filter_is_native(filters[i].add);
  return 0;
}

/*
 * Copies the N bytes at S for a message: control bytes become \xNN, so an
 * error stays on one line, and long names are cut with "...".
 */
static const char *shown_n(char *out, size_t cap, const char *s, size_t n)
{
  const char *end = s + n;
  size_t o = 0;

  for (; s < end && *s && o + 8 < cap; s++) {
    unsigned char c = (unsigned char)*s;

    if (c < 0x20 || c == 0x7f) {
      snprintf(out + o, cap - o, "\\x%02x", c);
      o += 4;
    } else {
      out[o++] = (char)c;
    }
  }
  if (s < end && *s) {
    memcpy(out + o, "...", 3);
    o += 3;
  }
  out[o] = '\0';
  return out;
}

static const char *shown(char *out, size_t cap, const char *s)
{
  return shown_n(out, cap, s, strlen(s));
}

static uint64_t path_hash(const char *s)
{
  uint64_t h = UINT64_C(14695981039346656037);

  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= UINT64_C(1099511628211);
  }
  return h ? h : 1;
}

static int pathset_has(const struct pathset *ps, const char *path)
{
  uint64_t h = path_hash(path);
  size_t i;

  if (!ps->cap)
    return 0;
  for (i = (size_t)h & (ps->cap - 1); ps->slot[i];
       i = (i + 1) & (ps->cap - 1))
    if (ps->slot[i] == h)
      return 1;
  return 0;
}

static void pathset_put_hash(struct pathset *ps, uint64_t h)
{
  size_t i;

  for (i = (size_t)h & (ps->cap - 1); ps->slot[i];
       i = (i + 1) & (ps->cap - 1))
    if (ps->slot[i] == h)
      return;
  ps->slot[i] = h;
  ps->len++;
}

/* Returns 0, or -1 when out of memory. */
static int pathset_add(struct pathset *ps, const char *path)
{
  if (2 * (ps->len + 1) > ps->cap) {
    struct pathset bigger;
    size_t i;

    bigger.cap = ps->cap ? 2 * ps->cap : 256;
    bigger.len = 0;
    bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
    if (!bigger.slot)
      return -1;
    for (i = 0; i < ps->cap; i++)
      if (ps->slot[i])
        pathset_put_hash(&bigger, ps->slot[i]);
    free(ps->slot);
    *ps = bigger;
  }
  pathset_put_hash(ps, path_hash(path));
  return 0;
}

enum norm { NORM_OK, NORM_ABSOLUTE, NORM_DOTDOT, NORM_NOMEM };

/* The kinds of path component that need a decision. */
enum comp { COMP_EMPTY, COMP_DOT, COMP_DOTDOT, COMP_NAME };

/*
 * The component of a path that starts at S: its length in *N and its
 * kind in *KIND; returns where the next component starts.
 */
static const char *next_comp(const char *s, size_t *n, enum comp *kind)
{
  const char *e = strchr(s, '/');

  if (!e)
    e = s + strlen(s);
  *n = (size_t)(e - s);
  if (*n == 0)
    *kind = COMP_EMPTY;
  else if (*n == 1 && s[0] == '.')
    *kind = COMP_DOT;
  else if (*n == 2 && s[0] == '.' && s[1] == '.')
    *kind = COMP_DOTDOT;
  else
    *kind = COMP_NAME;
  return *e ? e + 1 : e;
}

/*
 * Normalises archive path P into OUT: empty and "." components are
 * dropped, then STRIP leading components.  A ".." anywhere, even in a
 * stripped component, makes the path unsafe.
 */
static enum norm normalise(const char *p, unsigned strip, struct xr_buf *out)
{
  const char *s = p;

  xr_buf_reset(out);
  if (xr_buf_grow(out, 0))
    return NORM_NOMEM;
  if (*p == '/')
    return NORM_ABSOLUTE;
  while (*s) {
    enum comp kind;
    size_t n;
    const char *next = next_comp(s, &n, &kind);

    if (kind == COMP_DOTDOT)
      return NORM_DOTDOT;
    if (kind == COMP_NAME) {
      if (strip) {
        strip--;
      } else {
        if (out->len && xr_buf_addc(out, '/'))
          return NORM_NOMEM;
        if (xr_buf_add(out, s, n))
          return NORM_NOMEM;
      }
    }
    s = next;
  }
  return NORM_OK;
}

static int unsafe_path(struct unpack *u, const char *path, enum norm r)
{
  char q[SHOWN_MAX];

  if (r == NORM_NOMEM)
    return xr_nomem(u->err);
  return xr_fail(u->err, XR_EUNSAFE, "unsafe path '%s' in '%s': %s",
                 shown(q, sizeof(q), path), u->name,
                 r == NORM_ABSOLUTE ? "absolute path"
                                    : "parent directory component");
}

/*
 * Maps archive path PATH to its place in the target directory, in OUT.
 * *KEEP is 0 when the entry is to be skipped: nothing left after
 * stripping, or the rewrite callback said so.
 */
static int place(struct unpack *u, const char *path, struct xr_buf *out,
                 int *keep)
{
  enum norm r;
  int rc;

  *keep = 0;
  r = normalise(path, u->o->strip, &u->norm);
  if (r != NORM_OK)
    return unsafe_path(u, path, r);
  if (!u->norm.len)
    return 0;
  if (!u->o->rewrite) {
    r = normalise(u->norm.data, 0, out);
    if (r != NORM_OK)
      return unsafe_path(u, path, r);
    *keep = 1;
    return 0;
  }
  xr_buf_reset(out);
  rc = u->o->rewrite(u->o->rewrite_ctx, u->norm.data, out, u->err);
  if (rc == 0)
    return 0;
  if (rc != 1)
    return rc;
  /* The callback is trusted, but what it returns is checked all the same. */
  xr_buf_reset(&u->norm);
  if (xr_buf_add(&u->norm, xr_buf_str(out), out->len))
    return xr_nomem(u->err);
  r = normalise(u->norm.data, 0, out);
  if (r != NORM_OK)
    return unsafe_path(u, path, r);
  *keep = out->len != 0;
  return 0;
}

static int archive_failure(struct unpack *u)
{
  const char *m;

  if (u->read_failed)
    return xr_fail(u->err, XR_EIO, "cannot read '%s': input error",
                   u->name);
  m = archive_error_string(u->a);
  return xr_fail(u->err, XR_EARCHIVE, "cannot read '%s': %s", u->name,
                 m ? m : "unknown libarchive error");
}

/* Copies component N bytes at S into u->comp as a C string. */
static int set_comp(struct unpack *u, const char *s, size_t n)
{
  xr_buf_reset(&u->comp);
  if (xr_buf_add(&u->comp, s, n))
    return xr_nomem(u->err);
  return 0;
}

/*
 * Opens directory component u->comp below DFD without following a
 * symlink, creating it (0755) when missing.  The first PLEN bytes of DEST
 * name the directory reached, for messages; ORIG is the archive entry.
 */
static int open_dir(struct unpack *u, int dfd, const char *dest,
                    size_t plen, const char *orig, int *out)
{
  const char *c = u->comp.data;
  char q[SHOWN_MAX], q2[SHOWN_MAX];
  struct stat st;
  int fd, created = 0, e;

  fd = openat(dfd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    if (mkdirat(dfd, c, 0755) == 0)
      created = 1;
    else if (errno != EEXIST)
      goto fail;
    fd = openat(dfd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0)
    goto fail;
  /* mkdirat applied the umask; the tree's modes must not depend on it. */
  if (created && fchmod(fd, 0755) != 0) {
    e = errno;
    close(fd);
    errno = e;
    goto fail;
  }
  *out = fd;
  return 0;
fail:
  e = errno;
  shown_n(q2, sizeof(q2), dest, plen);
  if ((e == ELOOP || e == ENOTDIR) &&
      fstatat(dfd, c, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(st.st_mode))
      return xr_fail(u->err, XR_EUNSAFE,
                     "unsafe path '%s' in '%s': '%s' is a symbolic link",
                     shown(q, sizeof(q), orig), u->name, q2);
    return xr_fail(u->err, XR_EIO,
                   "cannot extract '%s' from '%s': '%s' is not a "
                   "directory", shown(q, sizeof(q), orig), u->name, q2);
  }
  return xr_fail(u->err, XR_EIO, "cannot create directory '%s': %s", q2,
                 strerror(e));
}

/*
 * Sets *OUT to a descriptor of the directory holding DEST (the first PLEN
 * bytes of DEST), walking down from the root.  The last one is cached:
 * archives list entries directory by directory.  The descriptor stays
 * owned by U.  Caching is sound because nothing here ever removes or
 * replaces a directory, so a cached descriptor still is the directory at
 * that path.
 */
static int parent_fd(struct unpack *u, const char *dest, size_t plen,
                     const char *orig, int *out)
{
  const char *s = dest, *end = dest + plen;
  int cur = u->rootfd, rc = 0;

  if (plen == 0) {
    *out = u->rootfd;
    return 0;
  }
  if (u->pfd >= 0 && u->pdir.len == plen &&
      !memcmp(u->pdir.data, dest, plen)) {
    *out = u->pfd;
    return 0;
  }
  if (u->pfd >= 0)
    close(u->pfd);
  u->pfd = -1;
  xr_buf_reset(&u->pdir);
  while (s < end) {
    const char *e = memchr(s, '/', (size_t)(end - s));
    int next;

    if (!e)
      e = end;
    rc = set_comp(u, s, (size_t)(e - s));
    if (rc)
      goto out;
    rc = open_dir(u, cur, dest, (size_t)(e - dest), orig, &next);
    if (rc)
      goto out;
    if (cur != u->rootfd)
      close(cur);
    cur = next;
    s = e < end ? e + 1 : e;
  }
  if (xr_buf_add(&u->pdir, dest, plen)) {
    rc = xr_nomem(u->err);
    goto out;
  }
  u->pfd = cur;
  cur = u->rootfd;
  *out = u->pfd;
out:
  if (cur != u->rootfd)
    close(cur);
  return rc;
}

/* Splits DEST into the directory length and the last component. */
static const char *leaf_of(const char *dest, size_t *plen)
{
  const char *slash = strrchr(dest, '/');

  *plen = slash ? (size_t)(slash - dest) : 0;
  return slash ? slash + 1 : dest;
}

/*
 * Removes whatever non-directory is at LEAF so a new entry can take its
 * place; a directory there is an error, as nothing here removes trees.
 */
static int clear_leaf(struct unpack *u, int dfd, const char *leaf,
                      const char *dest)
{
  char q[SHOWN_MAX];
  struct stat st;

  if (unlinkat(dfd, leaf, 0) == 0 || errno == ENOENT)
    return 0;
  if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      S_ISDIR(st.st_mode))
    return xr_fail(u->err, XR_EIO,
                   "cannot extract '%s' from '%s': a directory is in the "
                   "way", shown(q, sizeof(q), dest), u->name);
  return xr_fail(u->err, XR_EIO, "cannot replace '%s': %s",
                 shown(q, sizeof(q), dest), strerror(errno));
}

/*
 * Makes room for the entry at u->dest (ORIG in the archive): *DFD is its
 * parent directory (owned by U) and *LEAF its last component, with
 * nothing left there.
 */
static int make_room(struct unpack *u, const char *orig, int *dfd,
                     const char **leaf)
{
  const char *dest = u->dest.data;
  size_t plen;
  int rc;

  *leaf = leaf_of(dest, &plen);
  rc = parent_fd(u, dest, plen, orig, dfd);
  if (!rc)
    rc = clear_leaf(u, *dfd, *leaf, dest);
  return rc;
}

/* Counts the regular file written at DEST: a hard link may point at it. */
static int file_done(struct unpack *u, const char *dest)
{
  if (pathset_add(&u->files, dest) != 0)
    return xr_nomem(u->err);
  u->st.entries++;
  return 0;
}

static int write_failed(struct unpack *u, const char *dest)
{
  char q[SHOWN_MAX];

  return xr_fail(u->err, XR_EIO, "cannot write '%s': %s",
                 shown(q, sizeof(q), dest), strerror(errno));
}

static int limit_entry(struct unpack *u, const char *orig)
{
  char q[SHOWN_MAX];

  return xr_fail(u->err, XR_ELIMIT,
                 "entry '%s' in '%s' is larger than the limit of %llu "
                 "bytes", shown(q, sizeof(q), orig), u->name,
                 (unsigned long long)u->max_entry);
}

static int limit_total(struct unpack *u)
{
  return xr_fail(u->err, XR_ELIMIT,
                 "'%s' expands to more than the limit of %llu bytes",
                 u->name, (unsigned long long)u->max_total);
}

/* Accounts for a file growing from OLD to NEW bytes, before writing. */
static int grow(struct unpack *u, uint64_t old, uint64_t new_size,
                const char *orig)
{
  if (new_size <= old)
    return 0;
  if (new_size > u->max_entry)
    return limit_entry(u, orig);
  if (new_size - old > u->max_total - u->total)
    return limit_total(u);
  u->total += new_size - old;
  return 0;
}

static int write_all(int fd, const void *buf, size_t n, off_t off)
{
  const char *p = buf;

  while (n) {
    ssize_t w = pwrite(fd, p, n, off);

    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
    off += w;
  }
  return 0;
}

static int extract_file(struct unpack *u, struct archive_entry *e,
                        const char *orig)
{
  const char *dest = u->dest.data, *leaf;
  char q[SHOWN_MAX];
  uint64_t extent = 0;
  mode_t mode = (archive_entry_perm(e) & 0111) ? 0755 : 0644;
  int dfd = -1, fd = -1, rc;

  /* Header sizes are checked up front, real bytes again as they come. */
  if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0) {
    uint64_t sz = (uint64_t)archive_entry_size(e);

    if (sz > u->max_entry)
      return limit_entry(u, orig);
    if (sz > u->max_total - u->total)
      return limit_total(u);
  }
  rc = make_room(u, orig, &dfd, &leaf);
  if (rc)
    return rc;
  fd = openat(dfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
              O_CLOEXEC, mode);
  if (fd < 0)
    return xr_fail(u->err, XR_EIO, "cannot create '%s': %s",
                   shown(q, sizeof(q), dest), strerror(errno));
  if (fchmod(fd, mode) != 0) {
    rc = xr_fail(u->err, XR_EIO, "cannot set mode of '%s': %s",
                 shown(q, sizeof(q), dest), strerror(errno));
    goto out;
  }
  for (;;) {
    const void *buf;
    size_t size;
    la_int64_t off;
    int r = archive_read_data_block(u->a, &buf, &size, &off);

    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN) {
      rc = archive_failure(u);
      goto out;
    }
    if (off < 0 || (uint64_t)off > u->max_entry ||
        size > u->max_entry - (uint64_t)off) {
      rc = limit_entry(u, orig);
      goto out;
    }
    rc = grow(u, extent, (uint64_t)off + size, orig);
    if (rc)
      goto out;
    if ((uint64_t)off + size > extent)
      extent = (uint64_t)off + size;
    if (size && write_all(fd, buf, size, (off_t)off) != 0) {
      rc = write_failed(u, dest);
      goto out;
    }
    u->st.bytes += size;
  }
  /* A sparse file may end in a hole that no data block covers. */
  if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0 &&
      (uint64_t)archive_entry_size(e) > extent) {
    uint64_t sz = (uint64_t)archive_entry_size(e);

    rc = grow(u, extent, sz, orig);
    if (rc)
      goto out;
    if (ftruncate(fd, (off_t)sz) != 0) {
      rc = write_failed(u, dest);
      goto out;
    }
  }
  rc = close(fd);
  fd = -1;
  rc = rc != 0 ? write_failed(u, dest) : file_done(u, dest);
out:
  if (fd >= 0)
    close(fd);
  /* A partial file is not left behind to look like a complete one. */
  if (rc && dfd >= 0)
    unlinkat(dfd, leaf, 0);
  return rc;
}

static int extract_dir(struct unpack *u, const char *orig)
{
  const char *dest = u->dest.data, *leaf;
  size_t plen;
  int dfd, fd, rc;

  leaf = leaf_of(dest, &plen);
  rc = parent_fd(u, dest, plen, orig, &dfd);
  if (rc)
    return rc;
  rc = set_comp(u, leaf, strlen(leaf));
  if (rc)
    return rc;
  /* A file or link in the way is replaced, as tar does. */
  fd = openat(dfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
    rc = clear_leaf(u, dfd, leaf, dest);
    if (rc)
      return rc;
  }
  if (fd >= 0)
    close(fd);
  rc = open_dir(u, dfd, dest, strlen(dest), orig, &fd);
  if (rc)
    return rc;
  close(fd);
  u->st.entries++;
  return 0;
}

/*
 * Why a symlink at DEST with TARGET could lead outside the root, or NULL.
 * TARGET is resolved lexically against the link's own directory.  A ".."
 * after a name is refused outright: that name may itself be a symlink
 * (`a -> .` makes `a/..` the root's parent), and a leading run of ".."
 * only climbs real directories, which we created, so the lexical count is
 * then exact.
 */
static const char *symlink_danger(const char *dest, const char *target)
{
  const char *s = target;
  size_t depth = 0;
  int named = 0;

  for (; *dest; dest++)
    depth += *dest == '/';
  if (!*target)
    return "empty target";
  if (*target == '/')
    return "absolute target";
  while (*s) {
    enum comp kind;
    size_t n;

    s = next_comp(s, &n, &kind);
    if (kind == COMP_DOTDOT) {
      if (named)
        return "'..' after a name in the target";
      if (!depth)
        return "target outside the directory";
      depth--;
    } else if (kind == COMP_NAME) {
      named = 1;
    }
  }
  return NULL;
}

static int extract_symlink(struct unpack *u, struct archive_entry *e,
                           const char *orig)
{
  const char *dest = u->dest.data, *leaf, *target, *why;
  char q[SHOWN_MAX], q2[SHOWN_MAX];
  int dfd, rc;

  target = archive_entry_symlink(e);
  if (!target)
    target = archive_entry_symlink_utf8(e);
  if (!target)
    target = "";
  why = symlink_danger(dest, target);
  if (why)
    return xr_fail(u->err, XR_EUNSAFE,
                   "unsafe symlink '%s' -> '%s' in '%s': %s",
                   shown(q, sizeof(q), orig), shown(q2, sizeof(q2), target),
                   u->name, why);
  rc = make_room(u, orig, &dfd, &leaf);
  if (rc)
    return rc;
  if (symlinkat(target, dfd, leaf) != 0)
    return xr_fail(u->err, XR_EIO, "cannot create symlink '%s': %s",
                   shown(q, sizeof(q), dest), strerror(errno));
  u->st.entries++;
  return 0;
}

static int extract_hardlink(struct unpack *u, const char *orig,
                            const char *target)
{
  const char *dest = u->dest.data, *tdest = u->tdest.data, *leaf, *tleaf;
  char q[SHOWN_MAX], q2[SHOWN_MAX];
  size_t tplen;
  struct stat st;
  int dfd, tfd = -1, keep = 0, rc;
  enum norm r = normalise(target, 0, &u->norm);

  if (r == NORM_NOMEM)
    return xr_nomem(u->err);
  if (r != NORM_OK)
    return xr_fail(u->err, XR_EUNSAFE,
                   "unsafe hard link '%s' -> '%s' in '%s': %s",
                   shown(q, sizeof(q), orig), shown(q2, sizeof(q2), target),
                   u->name, r == NORM_ABSOLUTE ? "absolute target"
                   : "parent directory component in the target");
  rc = place(u, target, &u->tdest, &keep);
  if (rc)
    return rc;
  tdest = u->tdest.data;
  if (!keep || !pathset_has(&u->files, tdest))
    return xr_fail(u->err, XR_EUNSAFE,
                   "unsafe hard link '%s' -> '%s' in '%s': target not "
                   "extracted before the link", shown(q, sizeof(q), orig),
                   shown(q2, sizeof(q2), target), u->name);
  if (!strcmp(tdest, dest))
    return 0;
  tleaf = leaf_of(tdest, &tplen);
  rc = parent_fd(u, tdest, tplen, target, &tfd);
  if (rc)
    return rc;
  /* The next parent_fd call may replace the cache: keep our own copy. */
  tfd = dup(tfd);
  if (tfd < 0)
    return xr_fail(u->err, XR_EIO, "cannot link '%s': %s",
                   shown(q, sizeof(q), dest), strerror(errno));
  if (fstatat(tfd, tleaf, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
      !S_ISREG(st.st_mode)) {
    rc = xr_fail(u->err, XR_EUNSAFE,
                 "unsafe hard link '%s' -> '%s' in '%s': target is not a "
                 "regular file", shown(q, sizeof(q), orig),
                 shown(q2, sizeof(q2), target), u->name);
    goto out;
  }
  rc = make_room(u, orig, &dfd, &leaf);
  if (rc)
    goto out;
  if (linkat(tfd, tleaf, dfd, leaf, 0) != 0)
    rc = xr_fail(u->err, XR_EIO, "cannot link '%s': %s",
                 shown(q, sizeof(q), dest), strerror(errno));
  else
    rc = file_done(u, dest);
out:
  if (tfd >= 0)
    close(tfd);
  return rc;
}

static const char *unsupported_type(unsigned type)
{
  switch (type) {
  case AE_IFCHR:
    return "character device";
  case AE_IFBLK:
    return "block device";
  case AE_IFIFO:
    return "fifo";
  case AE_IFSOCK:
    return "socket";
  default:
    return "unsupported entry type";
  }
}

static int extract_entry(struct unpack *u, struct archive_entry *e)
{
  const char *orig = archive_entry_pathname(e);
  const char *hard = archive_entry_hardlink(e);
  unsigned type = archive_entry_filetype(e);
  char q[SHOWN_MAX];
  int keep, rc;

  if (!orig)
    orig = archive_entry_pathname_utf8(e);
  if (!orig)
    return xr_fail(u->err, XR_EARCHIVE,
                   "cannot read '%s': entry without a usable name", u->name);
  if (!hard)
    hard = archive_entry_hardlink_utf8(e);
  if (++u->headers > u->max_entries)
    return xr_fail(u->err, XR_ELIMIT,
                   "'%s' has more than the limit of %llu entries", u->name,
                   (unsigned long long)u->max_entries);
  /* Checks that need no destination come first, so they always apply. */
  rc = place(u, orig, &u->dest, &keep);
  if (rc)
    return rc;
  if (!hard && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
    return xr_fail(u->err, XR_EUNSAFE, "unsafe entry '%s' in '%s': %s",
                   shown(q, sizeof(q), orig), u->name,
                   unsupported_type(type));
  if (!keep)
    return 0;
  if (hard)
    return extract_hardlink(u, orig, hard);
  if (type == AE_IFDIR)
    return extract_dir(u, orig);
  if (type == AE_IFLNK)
    return extract_symlink(u, e, orig);
  return extract_file(u, e, orig);
}

static la_ssize_t read_cb(struct archive *a, void *ctx, const void **buf)
{
  struct unpack *u = ctx;
  ssize_t n = u->read(u->read_ctx, buf);

  if (n < 0) {
    u->read_failed = 1;
    archive_set_error(a, EIO, "input error");
    return -1;
  }
  return (la_ssize_t)n;
}

/* Reads the source to its end, past the archive's end marker. */
static int drain(struct unpack *u)
{
  const void *buf;
  ssize_t n;

  do
    n = u->read(u->read_ctx, &buf);
  while (n > 0);
  if (n < 0) {
    u->read_failed = 1;
    return xr_fail(u->err, XR_EIO, "cannot read '%s': input error",
                   u->name);
  }
  return 0;
}

int xr_unpack_stream(xr_unpack_read_fn reader, void *read_ctx,
                     const char *name, const char *dir,
                     const struct xr_unpack_opts *o,
                     struct xr_unpack_stats *stats, struct xr_err *err)
{
  struct xr_unpack_opts defaults;
  struct unpack u;
  size_t i;
  int rc = 0;

  if (!o) {
    xr_unpack_opts_init(&defaults);
    o = &defaults;
  }
  memset(&u, 0, sizeof(u));
  xr_buf_init(&u.pdir);
  xr_buf_init(&u.norm);
  xr_buf_init(&u.dest);
  xr_buf_init(&u.tdest);
  xr_buf_init(&u.comp);
  u.name = name ? name : "(stream)";
  u.o = o;
  u.read = reader;
  u.read_ctx = read_ctx;
  u.err = err;
  u.rootfd = -1;
  u.pfd = -1;
  u.max_entry = o->max_entry_size ? o->max_entry_size
                                  : DEFAULT_MAX_ENTRY_SIZE;
  u.max_total = o->max_total_size ? o->max_total_size
                                  : DEFAULT_MAX_TOTAL_SIZE;
  u.max_entries = o->max_entries ? o->max_entries : DEFAULT_MAX_ENTRIES;
  xr_err_clear(err);

  u.rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (u.rootfd < 0) {
    rc = xr_fail(err, errno == ENOENT ? XR_ENOTFOUND : XR_EIO,
                 "cannot open directory '%s': %s", dir, strerror(errno));
    goto out;
  }
  u.a = archive_read_new();
  if (!u.a) {
    rc = xr_nomem(err);
    goto out;
  }
  /* Tar only: ustar, pax and GNU; compressed or not. */
  archive_read_support_format_tar(u.a);
  for (i = 0; i < NFILTERS; i++)
    if (filter_is_native(filters[i].add))
      filters[i].add(u.a);
  if (archive_read_open(u.a, &u, NULL, read_cb, NULL) != ARCHIVE_OK) {
    rc = archive_failure(&u);
    goto out;
  }
  for (;;) {
    struct archive_entry *e;
    int r = archive_read_next_header(u.a, &e);

    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN) {
      rc = archive_failure(&u);
      goto out;
    }
    rc = extract_entry(&u, e);
    if (rc)
      goto out;
  }
  rc = drain(&u);
out:
  if (u.a)
    archive_read_free(u.a);
  if (u.pfd >= 0)
    close(u.pfd);
  if (u.rootfd >= 0)
    close(u.rootfd);
  xr_buf_release(&u.pdir);
  xr_buf_release(&u.norm);
  xr_buf_release(&u.dest);
  xr_buf_release(&u.tdest);
  xr_buf_release(&u.comp);
  free(u.files.slot);
  if (stats)
    *stats = u.st;
  return rc;
}

struct file_source {
  int fd;
  int err_no;   /* errno of a failed read, or 0 */
  char *buf;
};

static ssize_t file_read(void *ctx, const void **buf)
{
  struct file_source *fs = ctx;
  ssize_t n;

  do
    n = read(fs->fd, fs->buf, FILE_BLOCK);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    fs->err_no = errno;
  *buf = fs->buf;
  return n;
}

int xr_unpack_file(const char *archive, const char *dir,
                   const struct xr_unpack_opts *o,
                   struct xr_unpack_stats *stats, struct xr_err *err)
{
  struct file_source fs = { -1, 0, NULL };
  int rc;

  if (stats)
    memset(stats, 0, sizeof(*stats));
  fs.fd = open(archive, O_RDONLY | O_CLOEXEC);
  if (fs.fd < 0) {
    rc = xr_fail(err, errno == ENOENT ? XR_ENOTFOUND : XR_EIO,
                 "cannot open '%s': %s", archive, strerror(errno));
    goto out;
  }
  fs.buf = malloc(FILE_BLOCK);
  if (!fs.buf) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = xr_unpack_stream(file_read, &fs, archive, dir, o, stats, err);
  if (rc && fs.err_no)
    rc = xr_fail(err, XR_EIO, "cannot read '%s': %s", archive,
                 strerror(fs.err_no));
out:
  if (fs.fd >= 0)
    close(fs.fd);
  free(fs.buf);
  return rc;
}
