/*
 * Rust toolchains from the official dist-server format, installed:
 * xr_toolchain_ensure, lock or manifest -> plan -> store, and
 * xr_toolchain_pin (module/engine/toolchain.c, part of the engine).  The
 * configuration and what the lock alone says about a request are
 * toolchain_lookup.h's (the library); the names, manifests, toolchain
 * files and locks they build on have headers of their own (channel.h,
 * manifest.h, toolfile.h, tclock.h).
 *
 * The store layout.  A toolchain is a set of components; each installed
 * component (one rust-installer tarball, extracted with its top directory
 * and installer metadata stripped) is its own immutable store entry
 * XRUST_HOME/v1/components/<sha256 of the tarball>.  A toolchain is
 * XRUST_HOME/v1/toolchains/<id>, id = sha256 over the sorted list of its
 * components' sha256s (xr_plan_id), assembled by hard-linking (copying
 * where links fail) the component trees into a staging directory and
 * published with one rename.  Adding a target later downloads only the
 * new rust-std; the new id's tree is linked from entries already in the
 * store.  A second request for the same set costs one stat of the
 * published directory.
 */
#ifndef XRUST_TOOLCHAIN_H
#define XRUST_TOOLCHAIN_H

#include <stddef.h>

#include "xrust/error.h"
#include "xrust/toolchain_lookup.h"

struct xr_buf;

/*
 * Makes sure the toolchain for REQ is installed and sets *PATH (malloc'd)
 * to its directory, XRUST_HOME/v1/toolchains/<id>.  The plan comes from
 * the lock when it covers REQ; otherwise the channel manifest is fetched,
 * verified against its .sha256 and planned (a lock for the same channel,
 * host and profile is extended from the manifest of its own date, which
 * must still have the locked sha256).  When the toolchain directory
 * exists this costs a stat; else missing components are downloaded in one
 * parallel batch and extracted while they arrive, each into its store
 * entry, and the toolchain is assembled from them.  The lock, if any, is
 * written once the toolchain is installed and only when it changed.
 */
int xr_toolchain_ensure(const struct xr_tc_config *cfg,
                        const struct xr_tc_request *req, char **path,
                        struct xr_err *err);

/*
 * Appends to OUT the pinned form of CHANNEL (xr_manifest_pin).  A pinned
 * CHANNEL needs no network; otherwise its manifest is fetched and
 * verified as xr_toolchain_ensure does, and nothing is installed.
 */
int xr_toolchain_pin(const struct xr_tc_config *cfg, const char *channel,
                     struct xr_buf *out, struct xr_err *err);

#endif
