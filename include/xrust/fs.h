/*
 * The file-system layer every part of xrust shares (module/lib/fs.c):
 * reading a file whole under a size cap, writing one atomically (one rule
 * for temporary names, fsync where durability matters), creating and
 * removing directory trees, and mirroring a tree by hard links with a
 * copy where the file system refuses.  Store entries have their own
 * temporaries with crash cleanup (store.h); everything else that writes a
 * file goes through xr_fs_write.  Errors are returned in struct xr_err,
 * never printed.
 */
#ifndef XRUST_FS_H
#define XRUST_FS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "xrust/buf.h"
#include "xrust/error.h"

/*
 * Appends the whole file PATH to OUT.  More than MAX bytes is XR_ELIMIT
 * ("'PATH' is larger than MAX bytes"); a missing file is XR_ENOTFOUND.
 */
int xr_fs_read(const char *path, size_t max, struct xr_buf *out,
               struct xr_err *err);
/* The same for an open stream; NAME is what messages call it. */
int xr_fs_read_stream(FILE *f, const char *name, size_t max,
                      struct xr_buf *out, struct xr_err *err);

/*
 * The one temporary-name rule: "<path>.tmp-XXXXXX", created exclusively
 * (mkstemp) beside PATH so the final rename stays on one file system.  On
 * success *FD is open for writing and TMP holds the name.
 */
int xr_fs_mktemp(const char *path, struct xr_buf *tmp, int *fd,
                 struct xr_err *err);

/*
 * The same rule for a directory: "<path>.tmp-XXXXXX" created (mkdtemp)
 * beside PATH with the mode a plain mkdir gives, to be filled and then
 * renamed to PATH.  TMP holds the name.
 */
int xr_fs_mkdtemp(const char *path, struct xr_buf *tmp, struct xr_err *err);

enum {
  XR_FS_SYNC = 1,   /* fsync the file before the rename */
  XR_FS_EXEC = 2    /* mode 0755 instead of 0644 (before the umask) */
};
/*
 * Writes LEN bytes of DATA to PATH atomically: a reader sees the old file
 * or the new one, never a part.  FLAGS is a mask of XR_FS_*.
 */
int xr_fs_write(const char *path, const void *data, size_t len,
                unsigned flags, struct xr_err *err);
/* Writes all LEN bytes of DATA to FD, resuming after EINTR and short
 * writes; 0, or -1 with errno set. */
int xr_fs_write_all(int fd, const void *data, size_t len);
/* Finishes a temporary from xr_fs_mktemp: close FD, rename TMP to PATH.
 * On failure TMP is removed.  FD is always closed. */
int xr_fs_commit(int fd, const char *tmp, const char *path, unsigned flags,
                 struct xr_err *err);

/* mkdir -p PATH (mode 0755 before the umask). */
int xr_fs_mkdirs(const char *path, struct xr_err *err);
/* mkdir -p of the directory that holds PATH (nothing for a bare name). */
int xr_fs_mkparent(const char *path, struct xr_err *err);
/* rm -rf PATH; a missing PATH is not an error.  Read-only directories
 * (as archives leave them) are made writable first. */
int xr_fs_rmtree(const char *path, struct xr_err *err);
/* Removes everything inside the directory PATH, keeping PATH. */
int xr_fs_clear_dir(const char *path, struct xr_err *err);

/* Copies the regular file SRC to the new file DST with MODE. */
int xr_fs_copy_file(const char *src, const char *dst, mode_t mode,
                    struct xr_err *err);

/*
 * What xr_fs_link_tree asks before it mirrors an entry: REL is the path
 * below the tree's root ("a/b"), SRC the full path, ST its lstat, DEPTH 0
 * for the root's own entries.  Returns 1 to skip the entry (and, for a
 * directory, all below it), 0 to take it.
 */
typedef int xr_fs_filter(void *ctx, const char *rel, const char *src,
                         const struct stat *st, int depth);

enum {
  XR_FS_KEEP = 1    /* an existing path in DST is kept (first one wins) */
};
/*
 * Mirrors the tree SRC into DST (created if missing): directories made,
 * regular files hard-linked (copied, keeping their mode, where the file
 * system refuses), symbolic links recreated.  FILTER may be NULL.  Nesting
 * deeper than 64 levels is XR_ELIMIT.  Without XR_FS_KEEP an existing
 * entry in DST is an error.
 */
int xr_fs_link_tree(const char *src, const char *dst, unsigned flags,
                    xr_fs_filter *filter, void *ctx, struct xr_err *err);

/*
 * A symbolic link DIR/NAME to TARGET that only this user can change, for
 * a path that must be the same on every machine (the vendor tree cargo
 * reads, so that its fingerprints and the paths rustc sees do not depend
 * on the checkout).  DIR is created (0755) when missing and must be a
 * directory owned by the effective user and writable by nobody else;
 * DIR/NAME, when it exists, must be a symbolic link of the same user.  A
 * link to elsewhere is kept when KEEP (may be NULL) says what it leads to
 * will do (another checkout's identical tree, which a build may be
 * reading right now), else replaced atomically (a temporary link renamed
 * over it).  XR_EUNSAFE names what is wrong otherwise.
 */
int xr_fs_stable_link(const char *dir, const char *name, const char *target,
                      int (*keep)(const char *link, void *ctx), void *ctx,
                      struct xr_err *err);

/*
 * Gives PATH and everything under it (links themselves, not what they
 * point to) one modification and access time, the current one, read
 * once.  An unpacked build tree then looks as if it had been built at
 * once, after its sources: cargo finds no output older than another it
 * depends on, whatever order the archive listed them in.
 */
int xr_fs_touch_tree(const char *path, struct xr_err *err);

/* 1 when PATH is a directory (following links). */
int xr_fs_is_dir(const char *path);
/* 1 when PATH is a regular file (following links). */
int xr_fs_is_file(const char *path);

#endif
