/*
 * The store (XRUST_HOME): one content-addressed, crash-safe cache shared by
 * every project, target and process on the machine.  Layout, versioned so a
 * future format can live beside this one:
 *
 *   <root>/v1/blobs/sha256/ab/abcdef...   downloaded artifacts, read-only
 *   <root>/v1/tmp/                         partial downloads, staging dirs
 *   <root>/v1/locks/<key>.lock             flock files, one per entry
 *   <root>/v1/roots/<name>                 gc roots (see xr_store_gc)
 *   <root>/v1/<kind>/<entry>/              published trees (toolchains,
 *                                          crates, ...), never changed
 *
 * Crash safety: every open store handle holds an flock on its own "owner"
 * file v1/tmp/<token>.owner; its temporary files and staging directories
 * are named <token>.*.  xr_store_open removes the debris of owners whose
 * lock is free (the process died), never the work of a live process.
 * A store handle is used by one thread at a time.  Handles, locks,
 * temporaries and publication are module/lib/store.c; roots, gc and usage
 * module/lib/store_gc.c.  Temporary files outside the store, and removing
 * trees, are fs.h's.
 */
#ifndef XRUST_STORE_H
#define XRUST_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "xrust/error.h"

struct xr_buf;

#define XR_STORE_LAYOUT "v1"

struct xr_store {
  char *root;     /* as configured */
  char *base;     /* root + "/v1" */
  int owner_fd;   /* flock held while the handle is open */
  char token[40]; /* prefix of this handle's temporary names */
  unsigned seq;   /* counter for unique temporary names */
};

struct xr_store_lock {
  int fd; /* -1 when not held */
};

#define XR_STORE_LOCK_INIT { -1 }

/*
 * The configured root: $XRUST_HOME, else $XDG_CACHE_HOME/xrust, else
 * $HOME/.cache/xrust.
 */
int xr_store_default_root(struct xr_buf *out, struct xr_err *err);

/*
 * Opens (creating the layout if needed) the store at ROOT, or at the
 * default root when ROOT is NULL, and removes debris left by dead
 * processes.  Release with xr_store_free.
 */
int xr_store_open(struct xr_store **out, const char *root,
                  struct xr_err *err);
/* Removes this handle's own temporaries and releases it; NULL is fine. */
void xr_store_free(struct xr_store *s);

/* OUT = base + "/" + REL (REL may be NULL or empty: the base itself). */
int xr_store_path(const struct xr_store *s, const char *rel,
                  struct xr_buf *out);
/* Path of the blob with hex digest SHA256 (lowercased). */
int xr_store_blob_path(const struct xr_store *s, const char *sha256,
                       struct xr_buf *out);
/* 1 when the blob is present. */
int xr_store_has_blob(const struct xr_store *s, const char *sha256);

/*
 * Entry locks: an exclusive flock on v1/locks/KEY.lock (KEY: letters,
 * digits, '.', '-', '_').  xr_store_lock blocks; xr_store_trylock returns
 * 0 when acquired and 1 when another holder has it.  Locks are released by
 * xr_store_unlock or when the process dies.
 */
int xr_store_lock(const struct xr_store *s, const char *key,
                  struct xr_store_lock *lk, struct xr_err *err);
int xr_store_trylock(const struct xr_store *s, const char *key,
                     struct xr_store_lock *lk, struct xr_err *err);
void xr_store_unlock(struct xr_store_lock *lk);

/*
 * A new temporary file under v1/tmp, open for writing (mode 0644) in *FD;
 * its path in PATH.  The caller closes and renames or unlinks it.
 */
int xr_store_mktemp(struct xr_store *s, struct xr_buf *path, int *fd,
                    struct xr_err *err);
/* A new empty staging directory under v1/tmp; its path in PATH. */
int xr_store_mkstage(struct xr_store *s, struct xr_buf *path,
                     struct xr_err *err);

/*
 * Publishes the staging directory STAGE as FINAL with one rename.  When
 * FINAL already exists (another process won the race), STAGE is removed and
 * the call still succeeds: published entries are immutable and equal.
 */
int xr_store_publish(const char *stage, const char *final,
                     struct xr_err *err);
/*
 * Publishes the verified temporary file TMP as the blob SHA256 (made
 * read-only, then renamed).
 */
int xr_store_publish_blob(const struct xr_store *s, const char *tmp,
                          const char *sha256, struct xr_err *err);

/*
 * Copies the file SRC to DEST atomically: a temporary in DEST's directory,
 * then rename, so DEST never appears partial.  Uses a reflink where the
 * file system offers one; never a hard link, so writing to DEST cannot
 * change the store.
 */
int xr_store_copy_out(const char *src, const char *dest, struct xr_err *err);

/*
 * gc roots.  A root is a text file v1/roots/NAME (written atomically by
 * xr_store_root_write) with one reference per line:
 *
 *   blob <sha256>          keeps that blob
 *   entry <kind>/<name>    keeps the tree v1/<kind>/<name>
 *   owner <absolute path>  the root is stale (and is deleted by gc) once
 *                          this path no longer exists, e.g. a project's
 *                          vendor directory
 *
 * Other lines ('#' comments, blanks) are ignored.
 */
int xr_store_root_write(struct xr_store *s, const char *name,
                        const char *content, struct xr_err *err);

struct xr_store_gc_opts {
  int dry_run;            /* report, remove nothing */
  long long grace_seconds; /* keep unreferenced items younger than this */
};

struct xr_store_gc_stats {
  uint64_t removed;       /* blobs and entries removed */
  uint64_t removed_bytes;
  uint64_t kept;
  uint64_t stale_roots;   /* roots dropped because their owner is gone */
};

/*
 * Removes every blob and every published entry (v1/<kind>/<name> for kinds
 * other than blobs, tmp, locks and roots) that no root references and that
 * is older than the grace period.  A blob whose lock is held is skipped.
 */
int xr_store_gc(struct xr_store *s, const struct xr_store_gc_opts *o,
                struct xr_store_gc_stats *stats, struct xr_err *err);

/* Usage of one part of the store, for `xrust store`. */
struct xr_store_usage {
  char kind[64];  /* "blobs", "tmp", "toolchains", ... */
  uint64_t items; /* blobs, entries or temporaries */
  uint64_t bytes; /* apparent size of the files */
};

/*
 * Fills *OUT with a malloc'd array of usage rows (blobs first, then the
 * entry kinds in name order, then tmp); the caller frees it.
 */
int xr_store_usage(const struct xr_store *s, struct xr_store_usage **out,
                   size_t *n, struct xr_err *err);

#endif
