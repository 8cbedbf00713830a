/*
 * Reading Rust crates the way cargo does, without cargo: a package's
 * Cargo.toml in its workspace (module/cargo_manifest.c) and Cargo.lock of
 * format versions 1 to 4 (module/cargo_lock.c); vendoring is vendor.h's.
 * Every structure here is owned by its caller and released with its
 * _release function; errors carry FILE:LINE:COLUMN when they come from an
 * input file.
 */
#ifndef XRUST_CRATE_H
#define XRUST_CRATE_H

#include <stddef.h>

#include "xrust/error.h"
#include "xrust/strv.h"

struct xr_buf;

/*
 * What $(rust-crate DIR[,PREFIX]) defines.  For a package: its name,
 * version, binary targets (explicit [[bin]] and, unless autobins = false,
 * src/main.rs and src/bin/...), the crate types of its [lib] target
 * (empty without one).  For a virtual workspace root (no [package]): NAME
 * is the directory's name, VERSION workspace.package.version or empty,
 * BINS and LIBS the union over the default members (or all members).
 * MANIFESTS lists every Cargo.toml that matters (the workspace root and
 * its members, absolute), LOCK the Cargo.lock in effect (the workspace
 * root's, whether it exists or not), SOURCES every .rs file under the
 * packages' src/, examples/, tests/, benches/ plus their build scripts,
 * absolute and sorted.
 */
struct xr_crate {
  char *dir;        /* absolute directory that was read */
  char *root;       /* absolute workspace root directory (== dir when the
                       package is its own root) */
  char *name;
  char *version;
  char *lib_name;   /* [lib] name, NULL without a library */
  struct xr_strv bins;
  struct xr_strv libs;
  struct xr_strv manifests;
  char *lock;
  struct xr_strv sources;
  struct xr_strv packages; /* names of the packages MANIFESTS describe,
                              sorted (for `cargo -p`) */
};

void xr_crate_init(struct xr_crate *c);
void xr_crate_release(struct xr_crate *c);
/* Reads DIR/Cargo.toml (and its workspace) into C (initialised here). */
int xr_crate_read(const char *dir, struct xr_crate *c, struct xr_err *err);

/*
 * Make text defining C's variables for gmk_eval: one simple assignment per
 * line, "PREFIX_NAME := value" for NAME, VERSION, BINS, LIBS, MANIFESTS,
 * LOCK and SOURCES (PREFIX NULL or empty: no prefix and no underscore).
 * '$' is doubled and '#' escaped so values stay literal.  Appends to OUT;
 * 0 or XR_ENOMEM.
 */
int xr_crate_make_vars(const struct xr_crate *c, const char *prefix,
                       struct xr_buf *out);

/*
 * One package manifest with workspace inheritance resolved, as cargo
 * vendor writes it: `field.workspace = true` in [package] and in every
 * dependency table replaced by the workspace's value (dependency features
 * merged), path dependencies made relative to the package.  REWRITE_PATH,
 * when given, is called for each path dependency with the dependency's
 * absolute directory; it returns a malloc'd replacement path (the new
 * `path` value), NULL to keep it, or sets *FAILED.  CEILING, when given,
 * is the directory above which no workspace root is looked for (the
 * checkout's top).  The result is a TOML document in OUT.
 */
typedef char *(*xr_crate_path_fn)(void *ctx, const char *dep_dir,
                                  int *failed);
int xr_crate_normalize(const char *manifest, const char *ceiling,
                       xr_crate_path_fn rewrite_path, void *ctx,
                       struct xr_buf *out, struct xr_err *err);

/*
 * Finds the package called NAME under the directory ROOT (a checkout):
 * the directory whose Cargo.toml has [package] name = NAME, searched
 * breadth first, skipping dot-directories and target/.  The absolute
 * directory goes to OUT; XR_ENOTFOUND when there is none.
 */
int xr_crate_find_package(const char *root, const char *name,
                          struct xr_buf *out, struct xr_err *err);

/* Cargo.lock. */

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
