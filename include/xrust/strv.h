/*
 * The one list of strings of the library (module/lib/strv.c): a growable,
 * NULL-terminated vector of owned copies, usable directly as an argv.
 * Declared where it is empty with XR_STRV_INIT, released with
 * xr_strv_release; every operation that allocates reports failure instead
 * of aborting.
 */
#ifndef XRUST_STRV_H
#define XRUST_STRV_H

#include <stddef.h>

struct xr_strv {
  char **v;    /* N strings, then NULL (once anything was pushed) */
  size_t n, cap;
};

#define XR_STRV_INIT { NULL, 0, 0 }

/* Appends a copy of S (0, or -1 when out of memory). */
int xr_strv_push(struct xr_strv *l, const char *s);
/* Appends a copy of the N bytes at S. */
int xr_strv_pushn(struct xr_strv *l, const char *s, size_t n);
/* Appends S itself, taking ownership (freed on failure too). */
int xr_strv_take(struct xr_strv *l, char *s);
/* Appends S unless an equal string is already there. */
int xr_strv_push_unique(struct xr_strv *l, const char *s);
/* 1 when an equal string is in the list. */
int xr_strv_has(const struct xr_strv *l, const char *s);
/* Appends each blank-separated word of S (spaces, tabs, newlines). */
int xr_strv_split(struct xr_strv *l, const char *s);
/* Sorts the list bytewise. */
void xr_strv_sort(struct xr_strv *l);
/* Frees the strings and the vector; L is empty again. */
void xr_strv_release(struct xr_strv *l);

#endif
