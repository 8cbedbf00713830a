/*
 * `xrust cache key|get|put|has|gc`: the remote layer cache on the command
 * line, as the .mk side calls it (README, "Remote cache").  `key` hashes
 * a layer's inputs; `get` downloads, verifies and unpacks a layer into a
 * sibling temporary directory and swaps it in, so DIR holds the old tree
 * or the whole new one; `put` packs a layer reproducibly (all of DIR,
 * or with --only the named entries of a target directory several
 * triples share), uploads the object (unless the cache has it) and the
 * index last; `has` asks;
 * `gc` trims a file:// cache.  A cache that fails never fails the build:
 * get and put say so in one warning line and exit 1, and the caller
 * builds (or does not push).  No output carries a credential.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "xrust/archive.h"
#include "xrust/buf.h"
#include "xrust/cache.h"
#include "xrust/cache_remote.h"
#include "xrust/error.h"
#include "xrust/fs.h"
#include "xrust/layer.h"
#include "xrust/progress.h"
#include "xrust/settings.h"

/* A layer larger than this is refused (a cargo target of several
 * targets stays far below). */
#define LAYER_MAX (UINT64_C(16) << 30)

static const char usage_text[] =
  "usage: xrust cache key RECORD STUBDIR\n"
  "       xrust cache get URL KEY DIR [-q] [-v]\n"
  "       xrust cache put URL KEY DIR [--exclude-crate NAME]...\n"
  "                       [--only ENTRY]... [-q] [-v]\n"
  "       xrust cache has URL KEY [-v]\n"
  "       xrust cache gc URL --max-age DAYS\n";

struct opts {
  int quiet, verbose;
  const char *pos[4];      /* positional arguments after SUB */
  size_t npos;
  const char **exclude;    /* --exclude-crate values (argv pointers) */
  size_t nexclude;
  const char **only;       /* --only values (argv pointers) */
  size_t nonly;
  long max_age_days;       /* gc; -1 when not given */
};

/* The cache of one command: URL, S3 settings, transport. */
struct cache {
  struct xr_cache_url u;
  struct xr_s3_config s3;
  struct xr_remote *r;
  char shown[512];         /* the URL without credentials */
};

static int usage(void)
{
  fputs(usage_text, stderr);
  return 2;
}

static int parse(int argc, char **argv, struct opts *o)
{
  unsigned long v = 0;
  struct xr_err ignored;
  int i;

  memset(o, 0, sizeof(*o));
  o->max_age_days = -1;
  /* V=1 as the rest of xrust reads it; a bad V is the build's to report,
   * not the cache's. */
  (void)xr_setting_number(xr_settings_env(), "V", &v, &ignored);
  o->verbose = v >= 1;
  o->quiet = xr_settings_silent(xr_settings_env());
  o->exclude = calloc((size_t)argc + 1, sizeof(*o->exclude));
  o->only = calloc((size_t)argc + 1, sizeof(*o->only));
  if (!o->exclude || !o->only)
    return -1;
  for (i = 2; i < argc; i++) {
    const char *a = argv[i];

    if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
      o->quiet = 1;
      o->verbose = 0;
    } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
      o->verbose = 1;
    } else if (!strcmp(a, "--exclude-crate") && i + 1 < argc &&
               argv[i + 1][0]) {
      o->exclude[o->nexclude++] = argv[++i];
    } else if (!strcmp(a, "--only") && i + 1 < argc) {
      if (!argv[++i][0] || strchr(argv[i], '/')) {
        fprintf(stderr, "xrust: invalid --only '%s' (expected the name of "
                "an entry directly under DIR)\n", argv[i]);
        return -1;
      }
      o->only[o->nonly++] = argv[i];
    } else if (!strcmp(a, "--max-age") && i + 1 < argc) {
      char *end;

      errno = 0;
      o->max_age_days = strtol(argv[++i], &end, 10);
      if (errno || end == argv[i] || *end || o->max_age_days < 0 ||
          o->max_age_days > 100000) {
        fprintf(stderr, "xrust: invalid --max-age '%s' (expected a number "
                "of days)\n", argv[i]);
        return -1;
      }
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "xrust: unknown option '%s'\n", a);
      return -1;
    } else if (o->npos < 4) {
      o->pos[o->npos++] = a;
    } else {
      return -1;
    }
  }
  return 0;
}

/* Opens the cache of URL (U, S3 settings, transport). */
static int cache_open(struct cache *c, const char *url,
                      const struct opts *o, struct xr_err *err)
{
  struct xr_remote_opts ro;
  struct xr_buf shown = XR_BUF_INIT;
  int rc;

  memset(c, 0, sizeof(*c));
  xr_cache_url_init(&c->u);
  xr_s3_config_init(&c->s3);
  if (xr_cache_url_strip(url, &shown) == 0 && shown.data)
    snprintf(c->shown, sizeof(c->shown), "%s", shown.data);
  xr_buf_release(&shown);
  rc = xr_cache_url_parse(url, &c->u, err);
  if (!rc && c->u.scheme == XR_CACHE_S3)
    rc = xr_s3_config_read(&c->s3, xr_settings_env(), err);
  if (rc)
    return rc;
  xr_remote_opts_init(&ro);
  rc = xr_remote_opts_read(&ro, xr_settings_env(), err);
  if (rc)
    return rc;
  ro.log = o->verbose ? stderr : NULL;
  if (o->verbose && c->u.scheme == XR_CACHE_S3)
    fprintf(stderr, "  CACHE   s3 endpoint %s (%s style, region %s), "
            "credentials from %s\n", c->s3.endpoint,
            c->s3.path_style ? "path" : "virtual-host", c->s3.region,
            c->s3.cred_source);
  return xr_remote_open(&c->r, &c->u, &c->s3, &ro, err);
}

static void cache_close(struct cache *c)
{
  xr_remote_free(c->r);
  xr_s3_config_release(&c->s3);
  xr_cache_url_release(&c->u);
}

/* The one line a failing get or put prints. */
static void warn(const struct cache *c, const struct xr_err *err,
                 const char *tail)
{
  fprintf(stderr, "xrust: warning: cache %s: %s%s\n", c->shown, err->msg,
          tail);
}

static int key_arg(const char *key)
{
  if (xr_cache_key_valid(key))
    return 0;
  fprintf(stderr, "xrust: invalid cache key '%.80s' (expected 64 "
          "lowercase hex digits)\n", key);
  return 2;
}

/* "xrust-v1/NAME" of KIND for S (below the cache's root). */
static int object_key(const struct cache *c, int index, const char *s,
                      struct xr_buf *out, struct xr_err *err)
{
  struct xr_buf name = XR_BUF_INIT;
  int rc = index ? xr_cache_index_name(s, &name)
                 : xr_cache_object_name(s, &name);

  if (!rc)
    rc = xr_cache_object_key(&c->u, name.data, out);
  xr_buf_release(&name);
  return rc ? xr_nomem(err) : 0;
}

static int cmd_key(const struct opts *o)
{
  char hex[XR_SHA256_HEX];
  struct xr_err err;

  xr_err_clear(&err);
  if (o->npos != 2)
    return usage();
  if (xr_cache_key(o->pos[0], o->pos[1], hex, &err)) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    return 2;
  }
  printf("%s\n", hex);
  return 0;
}

/* Puts the tree NEW in place of DIR: atomically where the system can
 * exchange two names, else DIR moved to OLD first and back on failure. */
static int swap_in(const char *fresh, const char *dir, const char *old,
                   struct xr_err *err)
{
  struct stat st;

  if (lstat(dir, &st) != 0) {
    if (errno != ENOENT)
      return xr_fail(err, XR_EIO, "cannot stat '%s': %s", dir,
                     strerror(errno));
    if (rename(fresh, dir) != 0)
      return xr_fail(err, XR_EIO, "cannot rename '%s' to '%s': %s", fresh,
                     dir, strerror(errno));
    return 0;
  }
#ifdef RENAME_EXCHANGE
  /* The old tree lands where the new one was, inside the stage that
   * the caller removes. */
  if (renameat2(AT_FDCWD, fresh, AT_FDCWD, dir, RENAME_EXCHANGE) == 0)
    return 0;
#endif
  if (rename(dir, old) != 0)
    return xr_fail(err, XR_EIO, "cannot move '%s' aside: %s", dir,
                   strerror(errno));
  if (rename(fresh, dir) != 0) {
    int e = errno;

    (void)rename(old, dir);
    return xr_fail(err, XR_EIO, "cannot rename '%s' to '%s': %s", fresh,
                   dir, strerror(e));
  }
  return 0;
}

/*
 * The download and unpacking of a hit.  STAGE is a fresh directory
 * beside DIR; everything happens inside it until the swap.
 */
static int fetch_layer(struct cache *c, const struct xr_cache_index *ix,
                       const char *stage, const char *dir,
                       struct xr_err *err)
{
  struct xr_buf key = XR_BUF_INIT, obj = XR_BUF_INIT, tree = XR_BUF_INIT,
                old = XR_BUF_INIT;
  struct xr_unpack_opts uo;
  char sha[XR_SHA256_HEX];
  uint64_t size = 0;
  int rc;

  rc = object_key(c, 0, ix->object, &key, err);
  if (rc)
    goto out;
  if (xr_buf_printf(&obj, "%s/layer.tar.zst", stage) ||
      xr_buf_printf(&tree, "%s/tree", stage) ||
      xr_buf_printf(&old, "%s/old", stage)) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = xr_remote_get_file(c->r, key.data, obj.data, ix->size, sha, &size,
                          err);
  if (rc == XR_ENOTFOUND) {
    rc = xr_fail(err, XR_ENOTFOUND, "the index names the object %.12s, "
                 "which the cache does not have", ix->object);
    goto out;
  }
  if (rc == XR_ELIMIT) {
    rc = xr_fail(err, XR_ELIMIT, "object %.12s is larger than its index "
                 "says (%llu bytes)", ix->object,
                 (unsigned long long)ix->size);
    goto out;
  }
  if (rc)
    goto out;
  if (size != ix->size) {
    rc = xr_fail(err, XR_ECHECKSUM, "truncated object %.12s (%llu of %llu "
                 "bytes)", ix->object, (unsigned long long)size,
                 (unsigned long long)ix->size);
    goto out;
  }
  if (strcmp(sha, ix->object)) {
    rc = xr_fail(err, XR_ECHECKSUM, "checksum mismatch for object %.12s "
                 "(got %.12s)", ix->object, sha);
    goto out;
  }
  if (mkdir(tree.data, 0755) != 0) {
    rc = xr_fail(err, XR_EIO, "cannot create '%s': %s", tree.data,
                 strerror(errno));
    goto out;
  }
  xr_unpack_opts_init(&uo);
  rc = xr_unpack_file(obj.data, tree.data, &uo, NULL, err);
  if (!rc)
    rc = xr_fs_touch_tree(tree.data, err);
  if (rc)
    goto out;
  rc = swap_in(tree.data, dir, old.data, err);
out:
  xr_buf_release(&key);
  xr_buf_release(&obj);
  xr_buf_release(&tree);
  xr_buf_release(&old);
  return rc;
}

static int cmd_get(const struct opts *o)
{
  struct xr_buf key = XR_BUF_INIT, text = XR_BUF_INIT, stage = XR_BUF_INIT;
  struct xr_progress pr;
  struct xr_cache_index ix;
  struct xr_err err, ignored;
  struct cache c;
  const char *dir;
  char size[32];
  int rc, status = 1;

  xr_err_clear(&err);
  if (o->npos != 3)
    return usage();
  if (key_arg(o->pos[1]))
    return 2;
  dir = o->pos[2];
  memset(&c, 0, sizeof(c));
  xr_progress_init(&pr, o->quiet ? NULL : stderr, 0);
  xr_progress_start(&pr);
  rc = cache_open(&c, o->pos[0], o, &err);
  if (!rc)
    rc = object_key(&c, 1, o->pos[1], &key, &err);
  if (!rc) {
    rc = xr_remote_get_mem(c.r, key.data, XR_CACHE_INDEX_MAX, &text, &err);
    /* A plain miss, the one failure that is not worth a line. */
    if (rc == XR_ENOTFOUND) {
      if (o->verbose)
        fprintf(stderr, "  CACHE   miss %.12s\n", o->pos[1]);
      goto out;
    }
  }
  if (rc == XR_ELIMIT)
    rc = xr_fail(&err, XR_EARCHIVE, "index %.12s is not an index (over "
                 "%d bytes)", o->pos[1], XR_CACHE_INDEX_MAX);
  if (!rc)
    rc = xr_cache_index_parse(xr_buf_str(&text), text.len, key.data, &ix,
                              &err);
  if (!rc)
    rc = xr_fs_mkparent(dir, &err);
  if (!rc)
    rc = xr_fs_mkdtemp(dir, &stage, &err);
  if (!rc) {
    rc = fetch_layer(&c, &ix, stage.data, dir, &err);
    xr_err_clear(&ignored);
    (void)xr_fs_rmtree(stage.data, &ignored);
  }
  if (rc) {
    warn(&c, &err, "; building locally");
    goto out;
  }
  xr_progress_size(size, sizeof(size), (double)ix.size);
  xr_progress_say(&pr, "CACHE", "hit %.12s (%s in %.1f s)", o->pos[1], size,
                  xr_progress_seconds(&pr));
  status = 0;
out:
  cache_close(&c);
  xr_buf_release(&key);
  xr_buf_release(&text);
  xr_buf_release(&stage);
  return status;
}

static int push(struct cache *c, const struct opts *o, const char *stage,
                struct xr_layer_stats *st, struct xr_err *err)
{
  struct xr_buf path = XR_BUF_INIT, key = XR_BUF_INIT, text = XR_BUF_INIT;
  struct xr_cache_index ix;
  struct xr_layer_filter f;
  int rc, exists = 0;

  if (xr_buf_printf(&path, "%s/layer.tar.zst", stage)) {
    rc = xr_nomem(err);
    goto out;
  }
  f.exclude = o->exclude;
  f.nexclude = o->nexclude;
  f.only = o->only;
  f.nonly = o->nonly;
  rc = xr_layer_pack(o->pos[2], path.data, &f, st, err);
  if (rc)
    goto out;
  rc = object_key(c, 0, st->sha, &key, err);
  if (!rc)
    rc = xr_remote_head(c->r, key.data, &exists, err);
  /* Same bytes, same name: an object already there is this one. */
  if (!rc && !exists)
    rc = xr_remote_put_file(c->r, key.data, path.data, st->sha, err);
  if (rc)
    goto out;
  memcpy(ix.object, st->sha, sizeof(ix.object));
  ix.size = st->size;
  xr_buf_reset(&key);
  if (xr_cache_index_write(&ix, &text)) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = object_key(c, 1, o->pos[1], &key, err);
  /* The index last: a reader never finds an index without its object. */
  if (!rc)
    rc = xr_remote_put_mem(c->r, key.data, text.data, text.len, err);
out:
  xr_buf_release(&path);
  xr_buf_release(&key);
  xr_buf_release(&text);
  return rc;
}

static int cmd_put(const struct opts *o)
{
  struct xr_buf stage = XR_BUF_INIT;
  struct xr_layer_stats st;
  struct xr_progress pr;
  struct xr_err err, ignored;
  struct cache c;
  char size[32];
  int rc, status = 1;

  xr_err_clear(&err);
  if (o->npos != 3)
    return usage();
  if (key_arg(o->pos[1]))
    return 2;
  xr_progress_init(&pr, o->quiet ? NULL : stderr, 0);
  xr_progress_start(&pr);
  rc = cache_open(&c, o->pos[0], o, &err);
  if (!rc && !xr_fs_is_dir(o->pos[2]))
    rc = xr_fail(&err, XR_ENOTFOUND, "'%s' is not a directory", o->pos[2]);
  if (!rc)
    rc = xr_fs_mkdtemp(o->pos[2], &stage, &err);
  if (!rc) {
    rc = push(&c, o, stage.data, &st, &err);
    xr_err_clear(&ignored);
    (void)xr_fs_rmtree(stage.data, &ignored);
  }
  if (rc) {
    warn(&c, &err, "; not pushed");
    goto out;
  }
  xr_progress_size(size, sizeof(size), (double)st.size);
  xr_progress_say(&pr, "CACHE", "push %.12s (%s in %.1f s)", o->pos[1],
                  size, xr_progress_seconds(&pr));
  status = 0;
out:
  cache_close(&c);
  xr_buf_release(&stage);
  return status;
}

static int cmd_has(const struct opts *o)
{
  struct xr_buf key = XR_BUF_INIT;
  struct xr_err err;
  struct cache c;
  int rc, exists = 0, status;

  xr_err_clear(&err);
  if (o->npos != 2)
    return usage();
  if (key_arg(o->pos[1]))
    return 2;
  rc = cache_open(&c, o->pos[0], o, &err);
  if (!rc)
    rc = object_key(&c, 1, o->pos[1], &key, &err);
  if (!rc)
    rc = xr_remote_head(c.r, key.data, &exists, &err);
  if (rc) {
    warn(&c, &err, "");
    status = 2;
  } else {
    status = exists ? 0 : 1;
  }
  cache_close(&c);
  xr_buf_release(&key);
  return status;
}

static int cmd_gc(const struct opts *o)
{
  struct xr_cache_gc_stats st;
  struct xr_err err;
  struct cache c;
  char size[32];
  int rc, status = 2;

  xr_err_clear(&err);
  if (o->npos != 1 || o->max_age_days < 0)
    return usage();
  memset(&c, 0, sizeof(c));
  rc = xr_cache_url_parse(o->pos[0], &c.u, &err);
  if (rc) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    goto out;
  }
  if (c.u.scheme != XR_CACHE_FILE) {
    fprintf(stderr, "xrust: cache gc works on file:// caches only; bound "
            "an s3:// cache with an S3 lifecycle expiration rule and an "
            "http(s):// one with a cron 'find -mtime' on the WebDAV root "
            "(README, \"Remote cache\")\n");
    goto out;
  }
  rc = xr_cache_gc_dir(c.u.root, o->max_age_days * 86400LL, time(NULL),
                       &st, &err);
  if (rc) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    goto out;
  }
  xr_progress_size(size, sizeof(size), (double)st.bytes_removed);
  printf("removed %lu index entries and %lu objects (%s); kept %lu index "
         "entries and %lu objects\n", st.indexes_removed,
         st.objects_removed, size, st.indexes_kept, st.objects_kept);
  status = 0;
out:
  xr_cache_url_release(&c.u);
  return status;
}

int xr_cmd_cache(int argc, char **argv)
{
  struct opts o;
  int status;

  if (argc < 2)
    return usage();
  if (parse(argc, argv, &o)) {
    free(o.exclude);
    free(o.only);
    return usage();
  }
  if (!strcmp(argv[1], "key"))
    status = cmd_key(&o);
  else if (!strcmp(argv[1], "get"))
    status = cmd_get(&o);
  else if (!strcmp(argv[1], "put"))
    status = cmd_put(&o);
  else if (!strcmp(argv[1], "has"))
    status = cmd_has(&o);
  else if (!strcmp(argv[1], "gc"))
    status = cmd_gc(&o);
  else
    status = usage();
  free(o.exclude);
  free(o.only);
  return status;
}
