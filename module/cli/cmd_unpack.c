/*
 * `xrust unpack ARCHIVE DIR [options]`: the command-line face of
 * xr_unpack_file, for recipes and tests.  It owns the option parsing, the
 * creation of DIR, and a small prefix-mapping rewrite (--map, --exclude)
 * that exercises the library's rewrite hook the way the toolchain
 * installer uses it (`rustc/bin/rustc` -> `bin/rustc`).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "xrust/archive.h"
#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/fs.h"

static const char usage_text[] =
  "usage: xrust unpack ARCHIVE DIR [--strip N] [--max-size BYTES]\n"
  "         [--max-entry-size BYTES] [--max-entries N] [--map FROM=TO]...\n"
  "         [--exclude PATH]... [--stats]\n"
  "       xrust unpack --filters\n"
  "BYTES may end in K, M or G (powers of 1024).  With --map, entries under\n"
  "no FROM are skipped; TO may be empty to lift a directory to the top.\n";

struct map {
  const char *from;
  size_t from_len;
  const char *to;
};

struct rewrite {
  struct map *maps;
  size_t nmaps;
  const char **excludes;
  size_t nexcludes;
};

/* 1 when PATH is PREFIX or lies below it. */
static int under(const char *path, const char *prefix, size_t n)
{
  return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

static int rewrite_path(void *ctx, const char *path, struct xr_buf *out,
                        struct xr_err *err)
{
  const struct rewrite *rw = ctx;
  size_t i;

  if (rw->nmaps) {
    for (i = 0; i < rw->nmaps; i++)
      if (under(path, rw->maps[i].from, rw->maps[i].from_len))
        break;
    if (i == rw->nmaps)
      return 0;
    if (xr_buf_adds(out, rw->maps[i].to))
      return xr_nomem(err);
    path += rw->maps[i].from_len;
    if (*path == '/' && !out->len)
      path++;
  }
  if (xr_buf_adds(out, path))
    return xr_nomem(err);
  for (i = 0; i < rw->nexcludes; i++)
    if (under(xr_buf_str(out), rw->excludes[i], strlen(rw->excludes[i])))
      return 0;
  return xr_buf_str(out)[0] ? 1 : 0;
}

/* Parses a decimal count with an optional K/M/G suffix. */
static int parse_size(const char *s, uint64_t *out)
{
  char *end;
  unsigned long long v;
  unsigned shift = 0;

  if (*s < '0' || *s > '9')
    return -1;
  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno)
    return -1;
  if (*end == 'K' || *end == 'k')
    shift = 10;
  else if (*end == 'M')
    shift = 20;
  else if (*end == 'G')
    shift = 30;
  if (shift)
    end++;
  if (*end || (shift && v > (UINT64_MAX >> shift)))
    return -1;
  *out = (uint64_t)v << shift;
  return 0;
}

/* 1 when option A (its name being ALEN bytes) is NAME. */
static int is_opt(const char *a, size_t alen, const char *name)
{
  return strlen(name) == alen && !strncmp(a, name, alen);
}

static const char *const valued[] = {
  "--strip", "--max-size", "--max-entry-size", "--max-entries", "--map",
  "--exclude",
};

/* 1 when option A takes a value (`--opt V` or `--opt=V`). */
static int takes_value(const char *a, size_t alen)
{
  size_t i;

  for (i = 0; i < sizeof(valued) / sizeof(valued[0]); i++)
    if (is_opt(a, alen, valued[i]))
      return 1;
  return 0;
}

/* Applies option A (name ALEN bytes) with value V; -1 if V is invalid. */
static int set_opt(const char *a, size_t alen, const char *v,
                   struct xr_unpack_opts *o, struct rewrite *rw)
{
  uint64_t n;

  if (is_opt(a, alen, "--strip")) {
    if (parse_size(v, &n) || n > 4096)
      return -1;
    o->strip = (unsigned)n;
  } else if (is_opt(a, alen, "--max-size")) {
    if (parse_size(v, &o->max_total_size) || !o->max_total_size)
      return -1;
  } else if (is_opt(a, alen, "--max-entry-size")) {
    if (parse_size(v, &o->max_entry_size) || !o->max_entry_size)
      return -1;
  } else if (is_opt(a, alen, "--max-entries")) {
    if (parse_size(v, &o->max_entries) || !o->max_entries)
      return -1;
  } else if (is_opt(a, alen, "--map")) {
    const char *eq = strchr(v, '=');

    if (!eq || eq == v)
      return -1;
    rw->maps[rw->nmaps].from = v;
    rw->maps[rw->nmaps].from_len = (size_t)(eq - v);
    rw->maps[rw->nmaps].to = eq + 1;
    rw->nmaps++;
  } else {
    if (!*v)
      return -1;
    rw->excludes[rw->nexcludes++] = v;
  }
  return 0;
}

static int list_filters(void)
{
  static const char *const names[] = { "gzip", "bzip2", "xz", "zstd" };
  const char *sep = "";
  size_t i;

  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (xr_unpack_has_filter(names[i])) {
      printf("%s%s", sep, names[i]);
      sep = " ";
    }
  }
  printf("\n");
  return 0;
}

int xr_cmd_unpack(int argc, char **argv)
{
  struct xr_unpack_opts o;
  struct xr_unpack_stats st;
  struct rewrite rw = { NULL, 0, NULL, 0 };
  struct xr_err err;
  const char *pos[2] = { NULL, NULL };
  int npos = 0, stats = 0, rc = 2, i;

  xr_unpack_opts_init(&o);
  xr_err_clear(&err);
  rw.maps = calloc((size_t)argc, sizeof(*rw.maps));
  rw.excludes = calloc((size_t)argc, sizeof(*rw.excludes));
  if (!rw.maps || !rw.excludes) {
    xr_nomem(&err);
    fprintf(stderr, "xrust: %s\n", err.msg);
    rc = 1;
    goto out;
  }
  for (i = 1; i < argc; i++) {
    const char *a = argv[i], *eq = strchr(a, '=');
    size_t alen = eq ? (size_t)(eq - a) : strlen(a);

    if (!strcmp(a, "--filters")) {
      rc = list_filters();
      goto out;
    }
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage_text, stdout);
      rc = 0;
      goto out;
    }
    if (!strcmp(a, "--stats")) {
      stats = 1;
    } else if (a[0] == '-' && a[1] == '-' && takes_value(a, alen)) {
      const char *v = eq ? eq + 1 : NULL;

      if (!v && i + 1 < argc)
        v = argv[++i];
      if (!v) {
        fprintf(stderr, "xrust: option '%s' needs a value\n", a);
        goto out;
      }
      if (set_opt(a, alen, v, &o, &rw) != 0) {
        fprintf(stderr, "xrust: invalid value '%s' for '%.*s'\n", v,
                (int)alen, a);
        goto out;
      }
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "xrust: unknown option '%s' "
              "(try 'xrust unpack --help')\n", a);
      goto out;
    } else if (npos < 2) {
      pos[npos++] = a;
    } else {
      fprintf(stderr, "xrust: unexpected argument '%s'\n", a);
      goto out;
    }
  }
  if (npos != 2) {
    fprintf(stderr, "xrust: unpack needs ARCHIVE and DIR "
            "(try 'xrust unpack --help')\n");
    goto out;
  }
  if (rw.nmaps || rw.nexcludes) {
    o.rewrite = rewrite_path;
    o.rewrite_ctx = &rw;
  }
  rc = 1;
  if (xr_fs_mkdirs(pos[1], &err) != 0 ||
      xr_unpack_file(pos[0], pos[1], &o, &st, &err) != 0) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    goto out;
  }
  if (stats)
    printf("entries %llu\nbytes %llu\n", (unsigned long long)st.entries,
           (unsigned long long)st.bytes);
  rc = 0;
out:
  free(rw.maps);
  free(rw.excludes);
  return rc;
}
