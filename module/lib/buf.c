/*
 * The growable buffer of buf.h.  Growth doubles the capacity so appending
 * N bytes one at a time costs O(N).
 */
#include "xrust/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xr_buf_init(struct xr_buf *b)
{
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

void xr_buf_release(struct xr_buf *b)
{
  free(b->data);
  xr_buf_init(b);
}

void xr_buf_reset(struct xr_buf *b)
{
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

int xr_buf_grow(struct xr_buf *b, size_t n)
{
  size_t need, cap;
  char *p;

  if (n > (size_t)-1 - b->len - 1)
    return -1;
  need = b->len + n + 1;
  if (need <= b->cap)
    return 0;
  cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap = cap > (size_t)-1 / 2 ? need : cap * 2;
  p = realloc(b->data, cap);
  if (!p)
    return -1;
  p[b->len] = '\0';
  b->data = p;
  b->cap = cap;
  return 0;
}

int xr_buf_add(struct xr_buf *b, const void *p, size_t n)
{
  if (xr_buf_grow(b, n))
    return -1;
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

int xr_buf_adds(struct xr_buf *b, const char *s)
{
  return xr_buf_add(b, s, strlen(s));
}

int xr_buf_addc(struct xr_buf *b, char c)
{
  return xr_buf_add(b, &c, 1);
}

int xr_buf_vprintf(struct xr_buf *b, const char *fmt, va_list ap)
{
  va_list cp;
  int n;

  va_copy(cp, ap);
  n = vsnprintf(NULL, 0, fmt, cp);
  va_end(cp);
  if (n < 0 || xr_buf_grow(b, (size_t)n))
    return -1;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return 0;
}

int xr_buf_printf(struct xr_buf *b, const char *fmt, ...)
{
  va_list ap;
  int rc;

  va_start(ap, fmt);
  rc = xr_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return rc;
}

char *xr_buf_detach(struct xr_buf *b)
{
  char *p;

  if (!b->data && xr_buf_grow(b, 0))
    return NULL;
  p = b->data;
  xr_buf_init(b);
  return p;
}

const char *xr_buf_str(const struct xr_buf *b)
{
  return b->data ? b->data : "";
}

char *xr_strndup(const char *s, size_t n)
{
  char *p;

  if (!s)
    return NULL;
  p = malloc(n + 1);
  if (!p)
    return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *xr_strdup(const char *s)
{
  return s ? xr_strndup(s, strlen(s)) : NULL;
}

int xr_hexval(int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}
