/*
 * Layer archives of the remote cache (module/engine/layer.c): a directory
 * packed as a reproducible tar.zst.  The same tree gives the same bytes
 * on every machine: entries sorted by path, owner 0:0 without names,
 * mtime 0, modes 0644 or 0755, hard links stored as regular files,
 * symbolic links as links.  Unpacking is archive.h's xr_unpack_file.
 */
#ifndef XRUST_LAYER_H
#define XRUST_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "xrust/error.h"
#include "xrust/sha256.h"

struct xr_layer_stats {
  uint64_t entries;      /* entries written */
  uint64_t bytes;        /* file data packed */
  uint64_t size;         /* size of the archive */
  char sha[XR_SHA256_HEX]; /* its SHA-256 */
};

/* What of a directory a layer holds. */
struct xr_layer_filter {
  const char *const *exclude; /* workspace packages whose outputs are left
                                 out (cache.h, xr_cache_crate_output) */
  size_t nexclude;
  const char *const *only;    /* when NONLY > 0, the only entries directly
                                 under DIR that are packed (a shared cargo
                                 target directory: the host's profile
                                 directory and one triple's) */
  size_t nonly;
};

/*
 * Packs DIR, as filter F says (NULL: all of it), into the new file OUT
 * (which must not exist; the caller renames it into place).  On failure
 * OUT is removed.
 */
int xr_layer_pack(const char *dir, const char *out,
                  const struct xr_layer_filter *f,
                  struct xr_layer_stats *st, struct xr_err *err);

#endif
