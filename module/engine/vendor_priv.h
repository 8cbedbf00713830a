/*
 * What the two halves of vendoring share, private to module/engine/: the
 * state of one run (vendor.c: registry crates, the vendor directory, the
 * cargo configuration, the lockfile stamp) that vendor_git.c (git
 * sources) fills in for the git packages, and the checksum file every
 * vendored package carries.
 */
#ifndef XRUST_VENDOR_PRIV_H
#define XRUST_VENDOR_PRIV_H

#include "xrust/buf.h"
#include "xrust/cargo_lock.h"
#include "xrust/error.h"
#include "xrust/progress.h"
#include "xrust/store.h"
#include "xrust/vendor.h"

/* One package of the lockfile being vendored. */
struct xr_vendor_pkg {
  const struct xr_lock_pkg *lp;
  char *vdir;          /* name in the vendor directory */
  struct xr_buf entry; /* published store tree */
  struct xr_buf stage; /* staging directory while fetching */
  struct xr_buf url;
  struct xr_buf src;   /* git: package directory in the checkout */
  struct xr_buf top;   /* git: the checkout */
  int fetch;           /* 1: part of the download batch */
};

struct xr_vendor_run {
  const struct xr_vendor_config *cfg;
  struct xr_store *s;
  struct xr_lock lock;
  struct xr_vendor_pkg *pkgs; /* parallel to lock.pkgs; lp NULL: not
                                 vendored */
  struct xr_progress pr;      /* the fetch configuration's stream */
};

/* 1 for the git URL schemes cargo uses, never git's ext:: or fd::. */
int xr_vendor_git_url_ok(const char *url);

/*
 * Every git package of V: the bare repository and the checkout at the
 * locked commit in the store, then the package's store entry
 * (v1/crates/<name>-<version>-git-<commit>-<manifest digest>) with its
 * manifest normalised; fills in each package's entry.
 */
int xr_vendor_git(struct xr_vendor_run *v, struct xr_err *err);

/* DIR/.cargo-checksum.json for a package of digest SHA (NULL: none). */
int xr_vendor_write_checksum(const char *dir, const char *sha,
                             struct xr_err *err);

#endif
