/*
 * Streaming, defensive extraction of tar archives (gzip, xz, zstd where
 * libarchive supports it).  Only module/engine/archive.c reads archives
 * with libarchive (module/engine/layer.c writes the cache's layers).
 *
 * Extraction never lets an entry escape the target directory: `..`
 * components, absolute paths, links pointing outside, paths through a
 * symlink the archive itself created, device nodes and FIFOs are rejected
 * (XR_EUNSAFE), and size limits stop decompression bombs (XR_ELIMIT).
 * Owners and permission bits are never taken from the archive, except the
 * executable bit.
 */
#ifndef XRUST_ARCHIVE_H
#define XRUST_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "xrust/error.h"

struct xr_buf;

/*
 * Optional path rewriting.  Called with each entry's path after
 * STRIP leading components were removed (never NULL, never empty).
 * Return 1 and put the new relative path in OUT to extract the entry there,
 * 0 to skip the entry, or an error code (with ERR set) to abort.
 */
typedef int (*xr_unpack_rewrite_fn)(void *ctx, const char *path,
                                    struct xr_buf *out, struct xr_err *err);

/*
 * Pull-style input for streaming extraction: store a pointer to the next
 * block in *BUF and return its size; 0 at the end of input; -1 on error
 * (with ERR set by the source itself, retrieved by the caller).
 */
typedef ssize_t (*xr_unpack_read_fn)(void *ctx, const void **buf);

struct xr_unpack_opts {
  unsigned strip;               /* leading path components to drop */
  uint64_t max_entry_size;      /* 0: default (8 GiB) */
  uint64_t max_total_size;      /* 0: default (32 GiB) */
  uint64_t max_entries;         /* 0: default (1,000,000) */
  xr_unpack_rewrite_fn rewrite; /* NULL: keep the stripped path */
  void *rewrite_ctx;
};

struct xr_unpack_stats {
  uint64_t entries;   /* entries written */
  uint64_t bytes;     /* bytes of file data written */
};

void xr_unpack_opts_init(struct xr_unpack_opts *o);

/*
 * 1 when the named compression ("gzip", "bzip2", "xz", "zstd") is decoded
 * in-process by the installed libarchive, else 0.  Filters that libarchive
 * would only run as an external program are never enabled.
 */
int xr_unpack_has_filter(const char *name);

/*
 * Extracts an archive into DIR, which must exist (it may be non-empty; an
 * existing regular file is replaced).  STATS may be NULL.  On failure DIR
 * may hold part of the archive: extract into a staging directory.
 *
 * xr_unpack_stream reads its source to the end, past the archive's end
 * marker, so a producer never blocks and a digest over the stream covers
 * every byte.  When READ fails it returns XR_EIO with a generic message;
 * the source's own error should take precedence.
 */
int xr_unpack_file(const char *archive, const char *dir,
                   const struct xr_unpack_opts *o,
                   struct xr_unpack_stats *stats, struct xr_err *err);
int xr_unpack_stream(xr_unpack_read_fn read, void *read_ctx,
                     const char *name, const char *dir,
                     const struct xr_unpack_opts *o,
                     struct xr_unpack_stats *stats, struct xr_err *err);

#endif
