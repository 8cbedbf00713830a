/*
 * Rust v2 channel manifests and the install plan (module/lib/manifest.c):
 * a manifest parsed into structs whose strings point into the TOML tree
 * it keeps, and the plan, which artifacts (pkg, target, url, sha256,
 * format) make a toolchain for a host, targets, a profile and
 * components.
 */
#ifndef XRUST_MANIFEST_H
#define XRUST_MANIFEST_H

#include <stddef.h>

#include "xrust/channel.h"
#include "xrust/error.h"

struct xr_buf;
struct xr_toml;

/* A {pkg, target} reference from pkg.rust's components or extensions. */
struct xr_mf_ref {
  const char *pkg;
  const char *target;
};

/* pkg.<name>.target.<triple>.  Unset strings are NULL. */
struct xr_mf_target {
  const char *triple;
  int available;
  const char *url, *hash;          /* .tar.gz */
  const char *xz_url, *xz_hash;
  const char *zst_url, *zst_hash;
  struct xr_mf_ref *components;    /* only in pkg.rust */
  size_t ncomponents;
  struct xr_mf_ref *extensions;
  size_t nextensions;
};

struct xr_mf_pkg {
  const char *name;
  const char *version;             /* may be NULL */
  const char *git_commit_hash;     /* may be NULL */
  struct xr_mf_target *targets;
  size_t ntargets;
};

struct xr_mf_rename {
  const char *from, *to;
};

struct xr_mf_profile {
  const char *name;
  const char **components;
  size_t ncomponents;
};

/*
 * A parsed manifest.  Every string points into the TOML tree it owns;
 * everything lives until xr_manifest_release.
 */
struct xr_manifest {
  struct xr_toml *root;
  const char *version;             /* manifest-version, "2" */
  const char *date;                /* "YYYY-MM-DD" */
  struct xr_mf_pkg *pkgs;
  size_t npkgs;
  struct xr_mf_rename *renames;
  size_t nrenames;
  struct xr_mf_profile *profiles;
  size_t nprofiles;
};

void xr_manifest_init(struct xr_manifest *m);
void xr_manifest_release(struct xr_manifest *m);
/*
 * Parses LEN bytes of DATA (NAME in messages).  XR_ETOML for bad TOML,
 * XR_EMANIFEST with NAME:LINE:COLUMN for a well-formed file that is not a
 * v2 manifest.
 */
int xr_manifest_parse(struct xr_manifest *m, const char *data, size_t len,
                      const char *name, struct xr_err *err);
int xr_manifest_parse_file(struct xr_manifest *m, const char *path,
                           struct xr_err *err);

const struct xr_mf_pkg *xr_manifest_pkg(const struct xr_manifest *m,
                                        const char *name);
/* The entry for TRIPLE, else the "*" entry, else NULL. */
const struct xr_mf_target *xr_mf_pkg_target(const struct xr_mf_pkg *p,
                                            const char *triple);
/* renames.<NAME>.to, or NAME itself. */
const char *xr_manifest_rename(const struct xr_manifest *m,
                               const char *name);
const struct xr_mf_profile *xr_manifest_profile(const struct xr_manifest *m,
                                                const char *name);

/*
 * Appends to OUT the pinned form of CH as manifest M resolves it, for a
 * rust-toolchain.toml that must not move: stable and "1.96" become the
 * version of pkg.rust ("1.96.0"), beta and nightly their dated form
 * ("nightly-2026-05-25"); a pinned CH is kept as it is.  A manifest
 * without a usable version or date is an error (XR_EMANIFEST).
 */
int xr_manifest_pin(const struct xr_manifest *m, const struct xr_channel *ch,
                    struct xr_buf *out, struct xr_err *err);

/* One tarball to install. */
struct xr_artifact {
  char *pkg;                       /* "rustc", "rust-std", ... */
  char *target;                    /* a triple or "*" */
  char *url;                       /* as the manifest or lock has it */
  char sha256[65];
  enum xr_dist_format format;
};

struct xr_plan {
  struct xr_artifact *items;
  size_t n;
};

void xr_plan_init(struct xr_plan *p);
void xr_plan_release(struct xr_plan *p);
/* Adds a copy; a second {pkg, target} replaces nothing and returns 0. */
int xr_plan_add(struct xr_plan *p, const char *pkg, const char *target,
                const char *url, const char *sha256,
                enum xr_dist_format format, struct xr_err *err);
/* Sorts by pkg, then target (the lockfile's order). */
void xr_plan_sort(struct xr_plan *p);
/*
 * Writes the toolchain id (hex sha256 over the sorted sha256s, one per
 * line) into ID.
 */
int xr_plan_id(const struct xr_plan *p, char id[65], struct xr_err *err);

struct xr_plan_request {
  const char *channel;             /* for messages; may be NULL */
  const char *host;                /* required */
  const char *const *targets;      /* rust-std for each (host implied) */
  size_t ntargets;
  const char *const *components;   /* extra, through renames */
  size_t ncomponents;
  const char *profile;             /* NULL or "": "minimal" */
  const char *server;              /* decides the auto format */
  enum xr_format_pref format;
};

/*
 * Selects the artifacts for REQ: the profile's components that exist for
 * the host (a missing one is skipped, as rustup does, an unavailable one
 * is an error), rust-std for every target, then the extra components for
 * the host (or "*").  URLs are copied as the manifest has them.  Errors
 * name what is missing, the channel and the manifest date:
 * "component 'rust-std' is not available for target 'x' in channel
 * 1.96.0 (manifest 2026-05-25)".
 */
int xr_manifest_plan(const struct xr_manifest *m,
                     const struct xr_plan_request *req, struct xr_plan *out,
                     struct xr_err *err);

#endif
