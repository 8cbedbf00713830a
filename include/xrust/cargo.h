/*
 * Reading Rust crates the way cargo does, without cargo: a package's
 * Cargo.toml in its workspace (module/lib/cargo_manifest.c, the
 * workspace rules in cargo_workspace.c) and the normalised manifest
 * `cargo vendor` writes (cargo_normalize.c).  Every structure here is
 * owned by its caller and released with its _release function; errors
 * carry FILE:LINE:COLUMN when they come from an input file.
 */
#ifndef XRUST_CARGO_H
#define XRUST_CARGO_H

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
 * absolute and sorted.  INPUTS lists, absolute and sorted, what the
 * answer was derived from: every manifest read, the directory of each,
 * and every directory whose listing decided something (the source
 * directories walked, those holding an explicit target path, those a
 * member glob searched), so that no change can alter the answer without
 * making one of them newer (adding or removing a file changes its
 * directory's time); a Cargo.toml created above the workspace is the
 * exception.  The generated include of mk/rules.mk depends on them.
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
  struct xr_strv inputs;
};

void xr_crate_init(struct xr_crate *c);
void xr_crate_release(struct xr_crate *c);
/* Reads DIR/Cargo.toml (and its workspace) into C (initialised here). */
int xr_crate_read(const char *dir, struct xr_crate *c, struct xr_err *err);

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

#endif
