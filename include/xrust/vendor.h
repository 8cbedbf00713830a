/*
 * Vendoring: every package of a Cargo.lock made available to cargo as a
 * directory source, through the fetch engine and the store
 * (module/engine/vendor.c for registry crates, the vendor directory and
 * the cargo configuration; module/engine/vendor_git.c for git sources).
 * Part of the engine: the plugin reaches it through engine.h.
 */
#ifndef XRUST_VENDOR_H
#define XRUST_VENDOR_H

#include <stddef.h>

#include "xrust/error.h"

struct xr_buf;
struct xr_fetch_config;
struct xr_lock;

struct xr_vendor_config {
  const struct xr_fetch_config *fetch; /* store, jobs, offline, output */
  const char *dl;          /* download template; NULL: XRUST_CRATES_DL
                              from the environment, then the default */
  const char *config_out;  /* file to write the cargo source replacement
                              to, or NULL */
  const char *git;         /* git program, NULL: "git" */
  int force;               /* redo even when the lock did not change */
  int copy;                /* DIR gets hard-linked copies (falling back
                              to copies) instead of symlinks to the store,
                              so it outlives the store */
  const char *link_dir;    /* NULL or "": cargo reads DIR; else it reads
                              LINK_DIR/<lock digest>, a link to DIR made
                              by xr_fs_stable_link, the same path in
                              every checkout of the lockfile */
};

struct xr_vendor_stats {
  size_t registry;   /* registry packages vendored */
  size_t git;        /* git packages vendored */
  size_t fetched;    /* crates downloaded (not in the store already) */
  int unchanged;     /* 1: the lockfile had not changed, nothing done */
  struct xr_err link; /* why the stable link could not be used (code
                         0: it is used, or none was asked for) */
};

void xr_vendor_config_init(struct xr_vendor_config *c);

/*
 * Makes DIR a cargo directory source for every registry and git package
 * of LOCKFILE: registry crates downloaded in one parallel batch, checked
 * against the lock's checksums, unpacked once into the store
 * (v1/crates/<name>-<version>-<sha256>/) and linked into DIR as
 * DIR/<name>-<version> (a symlink, which cargo's directory source
 * follows, or a hard-linked copy); git packages checked out at the
 * locked commit into the store with normalised manifests.
 * DIR/.xrust-lock-sha256 records the lockfile's digest: when it matches
 * (and every entry still resolves), nothing is touched.  Entries this
 * code made for packages that left the lockfile are removed; anything
 * else in DIR is left alone.  STATS may be NULL.
 */
int xr_vendor(const struct xr_vendor_config *cfg, const char *lockfile,
              const char *dir, struct xr_vendor_stats *stats,
              struct xr_err *err);

/* The cargo configuration snippet for LOCK vendored into DIR. */
int xr_vendor_cargo_config(const struct xr_lock *lock, const char *dir,
                           struct xr_buf *out);

#endif
