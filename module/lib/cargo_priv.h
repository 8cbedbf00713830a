/*
 * What the Cargo.toml files of the library share (cargo_workspace.c,
 * cargo_manifest.c, cargo_normalize.c) and nothing else may use: the
 * manifests loaded during one call, the workspace a package belongs to,
 * and the inheritance helpers.  Not installed.
 */
#ifndef XRUST_CARGO_PRIV_H
#define XRUST_CARGO_PRIV_H

#include <limits.h>
#include <stddef.h>

#include "xrust/error.h"
#include "xrust/strv.h"
#include "xrust/toml.h"

/* One loaded manifest. */
struct pkg {
  char *dir;                     /* absolute, symlinks resolved */
  char *manifest;                /* dir + "/Cargo.toml" */
  struct xr_toml *doc;
  const struct xr_toml *package; /* [package], or NULL */
  const struct xr_toml *ws;      /* [workspace], or NULL */
};

/* Every manifest read during one call, by index (the array moves). */
struct ctx {
  struct pkg *pkgs;
  size_t n, cap;
  char ceiling[PATH_MAX]; /* no workspace is searched above it ("": none) */
  struct xr_strv dirs;    /* directories whose listing decided something
                             (member globs), for xr_crate's inputs */
};

/* A workspace: its root package and members (indices into ctx). */
struct ws {
  size_t root;
  int has_ws;           /* the root has [workspace] */
  size_t *members;
  size_t n_members;
  size_t *defaults;     /* default-members; n_defaults 0 when unset */
  size_t n_defaults;
  struct xr_strv excludes; /* absolute */
};

/* The dependency tables of a manifest (and of each target.<cfg>). */
extern const char *const xr_cargo_dep_tables[];
#define XR_CARGO_DEP_TABLES 5

/* Fails with "FILE:LINE:COLUMN: message" at V ("FILE: message" without). */
#define bad(err, file, v, ...) \
  xr_toml_fail((err), XR_EMANIFEST, (file), (v), __VA_ARGS__)

/* B when it is absolute, else A/B; malloc'd, NULL when out of memory. */
char *xr_cargo_join(const char *a, const char *b);
void xr_cargo_ctx_release(struct ctx *c);
void xr_cargo_ws_release(struct ws *w);
/*
 * Loads DIR/Cargo.toml (once per call) into *IDX.  DIR need not be
 * resolved.  A missing manifest is XR_ENOTFOUND.
 */
int xr_cargo_load(struct ctx *c, const char *dir, size_t *idx,
                  struct xr_err *err);
/* A string at KEY of T: NULL when absent; error when not a string. */
int xr_cargo_opt_str(const struct pkg *p, const struct xr_toml *t,
                     const char *key, const char **out, struct xr_err *err);
/* 1 when V is a table with `workspace = true`. */
int xr_cargo_inherits(const struct xr_toml *v);
/*
 * The value of package field KEY of P, following `KEY.workspace = true`
 * into ROOT's [workspace.package].  *OUT is NULL when the field is absent.
 */
int xr_cargo_pkg_field(const struct pkg *p, const struct pkg *root,
                       const char *key, const struct xr_toml **out,
                       struct xr_err *err);
/*
 * The workspace.dependencies entry that dependency NAME (value V, with
 * `workspace = true`) of P inherits from ROOT.
 */
int xr_cargo_ws_dep(const struct pkg *p, const struct pkg *root,
                    const char *name, const struct xr_toml *v,
                    const struct xr_toml **out, struct xr_err *err);
/* The resolved directories of P's path dependencies, added to DIRS. */
int xr_cargo_path_deps(const struct pkg *p, const struct pkg *root,
                       struct xr_strv *dirs, struct xr_err *err);
/* Appends IDX to the index list *V unless there; -1 when out of memory. */
int xr_cargo_add_idx(size_t **v, size_t *n, size_t idx);
/*
 * Finds the workspace of package IDX: itself when it has [workspace],
 * package.workspace when set, else the nearest ancestor with [workspace]
 * that does not exclude it.  W is filled for the root found.
 */
int xr_cargo_find_ws(struct ctx *c, size_t idx, struct ws *w,
                     struct xr_err *err);

#endif
