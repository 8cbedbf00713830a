/*
 * What the two halves of the store (store.c: handles, locks, temporaries,
 * publication; store_gc.c: roots, gc, usage) share and nothing else sees:
 * the owner files' suffix, the rule for lock keys and root names, and the
 * handle's temporary names, which gc uses to move an entry aside.
 */
#ifndef XRUST_STORE_PRIV_H
#define XRUST_STORE_PRIV_H

#include <stddef.h>

#include "xrust/store.h"

struct xr_buf;

/* v1/tmp/<token>.owner: the file whose flock marks a live handle. */
#define XR_STORE_OWNER_SUFFIX ".owner"

/* The token of a temporary name: the length of the part before the first
 * '.', or 0 when NAME is not a temporary's. */
size_t xr_store_token_len(const char *name);

/* 1 when KEY may name a lock or a root: letters, digits, '.', '-', '_',
 * not starting with '.'. */
int xr_store_valid_key(const char *key);

/* PATH = v1/tmp/<token>.<KIND>.<n>, a name no other handle uses. */
int xr_store_tmp_name(struct xr_store *s, const char *kind,
                      struct xr_buf *path);

#endif
