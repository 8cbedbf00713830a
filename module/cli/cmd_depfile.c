/*
 * `xrust depfile STAMP DIR`: turns the dep-info files cargo leaves in DIR
 * (the .d files directly in DIR, one per binary or library) into one Make
 * fragment on stdout:
 * "STAMP: every source file" plus an empty rule per source, so that a
 * deleted source rebuilds instead of stopping Make (gcc's -MP).  Spaces in
 * paths stay backslash-escaped, as cargo and Make both write them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "xrust/buf.h"

struct words {
  char **v;
  size_t n, cap;
};

static int words_has(const struct words *w, const char *s)
{
  size_t i;

  for (i = 0; i < w->n; i++)
    if (!strcmp(w->v[i], s))
      return 1;
  return 0;
}

static int words_add(struct words *w, const char *s, size_t len)
{
  char *copy;

  if (w->n == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 64;
    char **v = realloc(w->v, cap * sizeof(*v));
    if (!v)
      return -1;
    w->v = v;
    w->cap = cap;
  }
  copy = malloc(len + 1);
  if (!copy)
    return -1;
  memcpy(copy, s, len);
  copy[len] = '\0';
  if (words_has(w, copy)) {
    free(copy);
    return 0;
  }
  w->v[w->n++] = copy;
  return 0;
}

static void words_release(struct words *w)
{
  size_t i;

  for (i = 0; i < w->n; i++)
    free(w->v[i]);
  free(w->v);
}

/* Adds the prerequisites of every "target: prereqs" line of TEXT. */
static int parse_depinfo(const char *text, struct words *w)
{
  const char *p = text;

  while (*p) {
    const char *eol = strchr(p, '\n');
    const char *colon = NULL, *q;
    size_t n = eol ? (size_t)(eol - p) : strlen(p);

    /* The target ends at the first ": " that is not escaped. */
    for (q = p; q < p + n; q++) {
      if (*q == '\\' && q + 1 < p + n) {
        q++;
        continue;
      }
      if (*q == ':' && (q + 1 == p + n || q[1] == ' ')) {
        colon = q;
        break;
      }
    }
    if (colon) {
      q = colon + 1;
      while (q < p + n) {
        const char *start;
        while (q < p + n && *q == ' ')
          q++;
        start = q;
        while (q < p + n && *q != ' ') {
          if (*q == '\\' && q + 1 < p + n)
            q++;
          q++;
        }
        if (q > start && words_add(w, start, (size_t)(q - start)))
          return -1;
      }
    }
    p += n;
    if (*p == '\n')
      p++;
  }
  return 0;
}

static int read_file(const char *path, struct xr_buf *out)
{
  char block[8192];
  size_t n;
  FILE *f = fopen(path, "rb");

  if (!f)
    return -1;
  for (;;) {
    n = fread(block, 1, sizeof(block), f);
    if (n == 0)
      break;
    if (xr_buf_add(out, block, n)) {
      fclose(f);
      return -1;
    }
  }
  fclose(f);
  return 0;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int xr_cmd_depfile(int argc, char **argv)
{
  struct words w = { NULL, 0, 0 };
  struct xr_buf path = XR_BUF_INIT, text = XR_BUF_INIT;
  struct dirent *de;
  DIR *d;
  size_t i;
  int rc = 1;

  if (argc != 3) {
    fprintf(stderr, "usage: xrust depfile STAMP DIR\n");
    return 2;
  }
  d = opendir(argv[2]);
  if (!d) {
    fprintf(stderr, "xrust: cannot open '%s': %s\n", argv[2],
            strerror(errno));
    return 1;
  }
  for (;;) {
    size_t len;

    errno = 0;
    de = readdir(d);
    if (!de)
      break;
    len = strlen(de->d_name);
    if (len < 3 || strcmp(de->d_name + len - 2, ".d"))
      continue;
    xr_buf_reset(&path);
    xr_buf_reset(&text);
    if (xr_buf_printf(&path, "%s/%s", argv[2], de->d_name) ||
        read_file(xr_buf_str(&path), &text) ||
        parse_depinfo(xr_buf_str(&text), &w)) {
      fprintf(stderr, "xrust: cannot read '%s': %s\n", xr_buf_str(&path),
              strerror(errno ? errno : ENOMEM));
      goto out;
    }
  }
  qsort(w.v, w.n, sizeof(*w.v), cmp_str);
  printf("%s:", argv[1]);
  for (i = 0; i < w.n; i++)
    printf(" \\\n  %s", w.v[i]);
  printf("\n");
  for (i = 0; i < w.n; i++)
    printf("%s:\n", w.v[i]);
  rc = 0;
out:
  closedir(d);
  xr_buf_release(&path);
  xr_buf_release(&text);
  words_release(&w);
  return rc;
}
