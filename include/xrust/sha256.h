/*
 * SHA-256 (libcrypto, or plain C in the module Make loads; see
 * module/lib/sha256.c).  Streaming: init, update any number of times,
 * final.
 */
#ifndef XRUST_SHA256_H
#define XRUST_SHA256_H

#include <stddef.h>

#include "xrust/error.h"

#define XR_SHA256_HEX 65 /* 64 hex digits and a NUL */

struct xr_sha256 {
  void *ctx; /* the back end's state, owned */
};

int xr_sha256_init(struct xr_sha256 *h, struct xr_err *err);
void xr_sha256_update(struct xr_sha256 *h, const void *p, size_t n);
/* Writes the lowercase hex digest and releases the context. */
void xr_sha256_final(struct xr_sha256 *h, char hex[XR_SHA256_HEX]);
/* Releases the context without a digest (safe on an initialised one). */
void xr_sha256_release(struct xr_sha256 *h);

/* Digest of a file, read in blocks (any size). */
int xr_sha256_file(const char *path, char hex[XR_SHA256_HEX],
                   struct xr_err *err);
/* Digest of a memory block. */
int xr_sha256_mem(const void *p, size_t n, char hex[XR_SHA256_HEX],
                  struct xr_err *err);
/* 1 when S is exactly 64 hex digits (either case). */
int xr_sha256_valid(const char *s);

#endif
