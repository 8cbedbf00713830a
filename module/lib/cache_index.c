/*
 * The index object of the remote layer cache (cache.h): the four-line
 * text that names a layer's object, written and read back strictly (a
 * reader never trusts a garbled index: it names what gets unpacked), and
 * gc of a file:// cache, which is plain file-system work on the layout
 * xrust-v1/index/ and xrust-v1/objects/.
 */
#include "xrust/cache.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xrust/fs.h"

#define MAGIC "xrust-layer 1"

int xr_cache_index_write(const struct xr_cache_index *ix, struct xr_buf *out)
{
  return xr_buf_printf(out, MAGIC "\nobject %s\nsize %" PRIu64
                       "\nformat tar.zst\n", ix->object, ix->size);
}

/* The next line of TEXT at *POS without its '\n'; -1 when there is no
 * complete line. */
static int next_line(const char *text, size_t len, size_t *pos,
                     const char **line, size_t *n)
{
  const char *nl;

  if (*pos >= len)
    return -1;
  nl = memchr(text + *pos, '\n', len - *pos);
  if (!nl)
    return -1;
  *line = text + *pos;
  *n = (size_t)(nl - *line);
  *pos += *n + 1;
  return 0;
}

static int word(const char *line, size_t n, const char *w)
{
  size_t wn = strlen(w);

  return n > wn && !strncmp(line, w, wn) && line[wn] == ' ';
}

int xr_cache_index_parse(const char *text, size_t len, const char *name,
                         struct xr_cache_index *ix, struct xr_err *err)
{
  const char *l;
  size_t pos = 0, n, i;
  uint64_t size = 0;

  memset(ix, 0, sizeof(*ix));
  if (len > XR_CACHE_INDEX_MAX)
    return xr_fail(err, XR_EARCHIVE, "%s: not an index (%zu bytes)", name,
                   len);
  if (next_line(text, len, &pos, &l, &n) || n != strlen(MAGIC) ||
      memcmp(l, MAGIC, n))
    return xr_fail(err, XR_EARCHIVE, "%s:1: expected '" MAGIC "'", name);
  if (next_line(text, len, &pos, &l, &n) || !word(l, n, "object") ||
      n != 7 + 64)
    return xr_fail(err, XR_EARCHIVE, "%s:2: expected 'object <sha256>'",
                   name);
  for (i = 7; i < n; i++)
    if (!strchr("0123456789abcdef", l[i]) || !l[i])
      return xr_fail(err, XR_EARCHIVE, "%s:2: expected 'object <sha256>' "
                     "(64 lowercase hex digits)", name);
  memcpy(ix->object, l + 7, 64);
  ix->object[64] = '\0';
  if (next_line(text, len, &pos, &l, &n) || !word(l, n, "size") ||
      n > 5 + 19 || l[5] < '1' || l[5] > '9')
    return xr_fail(err, XR_EARCHIVE, "%s:3: expected 'size <bytes>'", name);
  for (i = 5; i < n; i++) {
    if (l[i] < '0' || l[i] > '9')
      return xr_fail(err, XR_EARCHIVE, "%s:3: expected 'size <bytes>'",
                     name);
    size = size * 10 + (uint64_t)(l[i] - '0');
  }
  if (next_line(text, len, &pos, &l, &n) || n != 14 ||
      memcmp(l, "format tar.zst", 14))
    return xr_fail(err, XR_EARCHIVE, "%s:4: expected 'format tar.zst'",
                   name);
  if (pos != len)
    return xr_fail(err, XR_EARCHIVE, "%s:5: unexpected text after the "
                   "format line", name);
  ix->size = size;
  return 0;
}

/* ---- gc of a file:// cache ---- */

struct names {
  char **v;
  size_t n;
};

static void names_release(struct names *s)
{
  size_t i;

  for (i = 0; i < s->n; i++)
    free(s->v[i]);
  free(s->v);
  s->v = NULL;
  s->n = 0;
}

static int names_add(struct names *s, const char *name, size_t n)
{
  char **grown = realloc(s->v, (s->n + 1) * sizeof(*grown));

  if (!grown)
    return -1;
  s->v = grown;
  s->v[s->n] = xr_strndup(name, n);
  return s->v[s->n++] ? 0 : -1;
}

static int names_has(const struct names *s, const char *name, size_t n)
{
  size_t i;

  for (i = 0; i < s->n; i++)
    if (strlen(s->v[i]) == n && !memcmp(s->v[i], name, n))
      return 1;
  return 0;
}

/* A temporary of xr_fs_mktemp ("NAME.tmp-XXXXXX"). */
static int is_temp(const char *name)
{
  return strstr(name, ".tmp-") != NULL;
}

static int gc_indexes(const char *dir, long long max_age, time_t now,
                      struct names *live, struct xr_cache_gc_stats *st,
                      struct xr_err *err)
{
  struct xr_buf path = XR_BUF_INIT, text = XR_BUF_INIT;
  DIR *d = opendir(dir);
  struct dirent *de;
  int rc = 0;

  if (!d)
    return errno == ENOENT ? 0 : xr_fail(err, XR_EIO, "cannot open '%s': "
                                         "%s", dir, strerror(errno));
  for (de = readdir(d); !rc && de; de = readdir(d)) {
    struct xr_cache_index ix;
    struct xr_err ignored;
    struct stat sb;
    int old;

    if (de->d_name[0] == '.')
      continue;
    xr_buf_reset(&path);
    if (xr_buf_printf(&path, "%s/%s", dir, de->d_name)) {
      rc = xr_nomem(err);
      break;
    }
    if (lstat(path.data, &sb) || !S_ISREG(sb.st_mode))
      continue;
    old = (long long)(now - sb.st_mtime) > max_age;
    if (is_temp(de->d_name)) {
      old = (long long)(now - sb.st_mtime) > 86400;
    } else if (!old) {
      xr_buf_reset(&text);
      if (xr_fs_read(path.data, XR_CACHE_INDEX_MAX, &text, &ignored) == 0 &&
          xr_cache_index_parse(xr_buf_str(&text), text.len, path.data, &ix,
                               &ignored) == 0 &&
          names_add(live, ix.object, 64)) {
        rc = xr_nomem(err);
        break;
      }
      st->indexes_kept++;
      continue;
    }
    if (!old)
      continue;
    if (unlink(path.data) && errno != ENOENT) {
      rc = xr_fail(err, XR_EIO, "cannot remove '%s': %s", path.data,
                   strerror(errno));
      break;
    }
    if (!is_temp(de->d_name))
      st->indexes_removed++;
  }
  closedir(d);
  xr_buf_release(&path);
  xr_buf_release(&text);
  return rc;
}

static int gc_objects(const char *dir, const struct names *live, time_t now,
                      struct xr_cache_gc_stats *st, struct xr_err *err)
{
  struct xr_buf path = XR_BUF_INIT;
  DIR *d = opendir(dir);
  struct dirent *de;
  int rc = 0;

  if (!d)
    return errno == ENOENT ? 0 : xr_fail(err, XR_EIO, "cannot open '%s': "
                                         "%s", dir, strerror(errno));
  for (de = readdir(d); de; de = readdir(d)) {
    const char *dot = strchr(de->d_name, '.');
    struct stat sb;

    if (de->d_name[0] == '.')
      continue;
    xr_buf_reset(&path);
    if (xr_buf_printf(&path, "%s/%s", dir, de->d_name)) {
      rc = xr_nomem(err);
      break;
    }
    if (lstat(path.data, &sb) || !S_ISREG(sb.st_mode))
      continue;
    if (is_temp(de->d_name)) {
      /* An upload in progress: only a stale one goes. */
      if ((long long)(now - sb.st_mtime) <= 86400)
        continue;
    } else if (dot && names_has(live, de->d_name,
                                (size_t)(dot - de->d_name))) {
      st->objects_kept++;
      continue;
    } else if ((long long)(now - sb.st_mtime) < 3600) {
      /* Uploaded a moment ago, its index not written yet. */
      st->objects_kept++;
      continue;
    }
    if (unlink(path.data) && errno != ENOENT) {
      rc = xr_fail(err, XR_EIO, "cannot remove '%s': %s", path.data,
                   strerror(errno));
      break;
    }
    if (!is_temp(de->d_name)) {
      st->objects_removed++;
      st->bytes_removed += (uint64_t)sb.st_size;
    }
  }
  closedir(d);
  xr_buf_release(&path);
  return rc;
}

int xr_cache_gc_dir(const char *root, long long max_age, time_t now,
                    struct xr_cache_gc_stats *st, struct xr_err *err)
{
  struct xr_buf dir = XR_BUF_INIT;
  struct names live = { NULL, 0 };
  int rc;

  memset(st, 0, sizeof(*st));
  if (xr_buf_printf(&dir, "%s/" XR_CACHE_LAYOUT "/index", root)) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = gc_indexes(dir.data, max_age, now, &live, st, err);
  if (rc)
    goto out;
  xr_buf_reset(&dir);
  if (xr_buf_printf(&dir, "%s/" XR_CACHE_LAYOUT "/objects", root)) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = gc_objects(dir.data, &live, now, st, err);
out:
  names_release(&live);
  xr_buf_release(&dir);
  return rc;
}
