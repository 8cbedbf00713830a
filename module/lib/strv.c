/*
 * The library's one string list (strv.h): a vector of owned copies kept
 * NULL-terminated, so a list of arguments can be handed to execv as is.
 */
#include "xrust/strv.h"

#include <stdlib.h>
#include <string.h>

#include "xrust/buf.h"

/* Room for one more string and the terminating NULL. */
static int reserve(struct xr_strv *l)
{
  if (l->n + 1 >= l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 8;
    char **v = realloc(l->v, cap * sizeof(*v));

    if (!v)
      return -1;
    l->v = v;
    l->cap = cap;
  }
  return 0;
}

int xr_strv_take(struct xr_strv *l, char *s)
{
  if (!s || reserve(l)) {
    free(s);
    return -1;
  }
  l->v[l->n++] = s;
  l->v[l->n] = NULL;
  return 0;
}

int xr_strv_push(struct xr_strv *l, const char *s)
{
  return xr_strv_take(l, xr_strdup(s));
}

int xr_strv_pushn(struct xr_strv *l, const char *s, size_t n)
{
  return xr_strv_take(l, xr_strndup(s, n));
}

int xr_strv_has(const struct xr_strv *l, const char *s)
{
  size_t i;

  for (i = 0; i < l->n; i++)
    if (!strcmp(l->v[i], s))
      return 1;
  return 0;
}

int xr_strv_push_unique(struct xr_strv *l, const char *s)
{
  if (xr_strv_has(l, s))
    return 0;
  return xr_strv_push(l, s);
}

int xr_strv_split(struct xr_strv *l, const char *s)
{
  static const char blanks[] = " \t\n\r";

  for (;;) {
    size_t n;

    s += strspn(s, blanks);
    if (!*s)
      return 0;
    n = strcspn(s, blanks);
    if (xr_strv_pushn(l, s, n))
      return -1;
    s += n;
  }
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void xr_strv_sort(struct xr_strv *l)
{
  if (l->n > 1)
    qsort(l->v, l->n, sizeof(*l->v), cmp_str);
}

void xr_strv_release(struct xr_strv *l)
{
  size_t i;

  for (i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}
