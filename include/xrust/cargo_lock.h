/*
 * Cargo.lock of format versions 1 to 4 (module/lib/cargo_lock.c): every
 * [[package]] with its source interpreted, and the crates.io download
 * URL template.  Owned by the caller, released with xr_lock_release;
 * errors carry FILE:LINE:COLUMN.
 */
#ifndef XRUST_CARGO_LOCK_H
#define XRUST_CARGO_LOCK_H

#include <stddef.h>

#include "xrust/error.h"
#include "xrust/strv.h"

struct xr_buf;

enum xr_lock_source {
  XR_SRC_PATH,      /* no source: workspace member or path dependency */
  XR_SRC_REGISTRY,  /* registry+URL (crates.io is registry+github index) */
  XR_SRC_SPARSE,    /* sparse+URL */
  XR_SRC_GIT,       /* git+URL[?ref]#commit */
  XR_SRC_OTHER
};

enum xr_git_ref {
  XR_GIT_DEFAULT, /* no query: the default branch */
  XR_GIT_BRANCH,
  XR_GIT_TAG,
  XR_GIT_REV
};

struct xr_lock_pkg {
  char *name;
  char *version;
  char *source;     /* as written, NULL for path packages */
  char *checksum;   /* 64 lowercase hex digits, or NULL */
  enum xr_lock_source kind;
  char *url;        /* registry, sparse: index URL; git: repository URL
                       (no query, no fragment) */
  enum xr_git_ref git_ref;
  char *git_ref_value; /* the branch, tag or rev, URL-decoded */
  char *commit;     /* git: the locked commit */
  struct xr_strv deps; /* "name", "name version" or "name version (src)" */
  unsigned long line, column; /* where the [[package]] entry starts */
};

struct xr_lock {
  char *path;
  int version;      /* 1 to 4 (1 when the file has no version key and
                       uses [metadata] or no checksums at all) */
  struct xr_lock_pkg *pkgs;
  size_t n;
};

void xr_lock_init(struct xr_lock *l);
void xr_lock_release(struct xr_lock *l);
/* Parses a Cargo.lock from memory; NAME is used in messages. */
int xr_lock_parse(const char *data, size_t len, const char *name,
                  struct xr_lock *l, struct xr_err *err);
int xr_lock_read(const char *path, struct xr_lock *l, struct xr_err *err);
/* 1 when the source is crates.io (git index or its sparse index). */
int xr_lock_is_crates_io(const struct xr_lock_pkg *p);

/*
 * The download URL of a crates.io package from the template TMPL (cargo's
 * markers {crate} {version} {prefix} {lowerprefix} {sha256-checksum};
 * without any marker "/{crate}/{version}/download" is appended).
 */
int xr_crate_dl_url(const char *tmpl, const char *name, const char *version,
                    const char *sha256, struct xr_buf *out);

#define XR_CRATES_DL_DEFAULT \
  "https://static.crates.io/crates/{crate}/{crate}-{version}.crate"

#endif
