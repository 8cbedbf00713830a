/*
 * A growable byte buffer, always NUL-terminated so its contents can be used
 * as a C string.  Owned by whoever declared it; released with
 * xr_buf_release.  Every append reports allocation failure instead of
 * aborting, so callers can clean up and return XR_ENOMEM.
 */
#ifndef XRUST_BUF_H
#define XRUST_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct xr_buf {
  char *data;  /* NUL-terminated; NULL until the first append */
  size_t len;  /* bytes in use, not counting the terminator */
  size_t cap;  /* bytes allocated */
};

#define XR_BUF_INIT { NULL, 0, 0 }

void xr_buf_init(struct xr_buf *b);
void xr_buf_release(struct xr_buf *b);
/* Empties the buffer but keeps its allocation. */
void xr_buf_reset(struct xr_buf *b);
/* Makes room for N more bytes; 0 on success, -1 on allocation failure. */
int xr_buf_grow(struct xr_buf *b, size_t n);
int xr_buf_add(struct xr_buf *b, const void *p, size_t n);
int xr_buf_adds(struct xr_buf *b, const char *s);
int xr_buf_addc(struct xr_buf *b, char c);
int xr_buf_printf(struct xr_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
int xr_buf_vprintf(struct xr_buf *b, const char *fmt, va_list ap);
/* Gives the caller the data (malloc'd, never NULL on success) and resets B. */
char *xr_buf_detach(struct xr_buf *b);
/* The contents as a string: "" when nothing was ever appended. */
const char *xr_buf_str(const struct xr_buf *b);

/* strdup that returns NULL on failure; NULL input gives NULL. */
char *xr_strdup(const char *s);
char *xr_strndup(const char *s, size_t n);

/* The value of the hex digit C (either case), or -1. */
int xr_hexval(int c);

#endif
