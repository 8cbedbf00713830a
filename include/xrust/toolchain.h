/*
 * Rust toolchains from the official dist-server format: the
 * configuration and what the lock alone says about a request, with no
 * network library (module/lib/toolchain_lookup.c), and
 * xr_toolchain_ensure, lock or manifest -> plan -> store
 * (module/engine/toolchain.c).  The names, manifests, toolchain files
 * and locks they build on have headers of their own (channel.h,
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

#include "xrust/channel.h"
#include "xrust/error.h"
#include "xrust/fetch.h"
#include "xrust/manifest.h"
#include "xrust/tclock.h"

struct xr_buf;

/*
 * Small unverified downloads (a manifest's .sha256, then the manifest,
 * checked against it): append at most MAX bytes of URL to OUT.
 */
typedef int (*xr_tc_get_fn)(void *ctx, const char *url, size_t max,
                            struct xr_buf *out, struct xr_err *err);

struct xr_tc_config {
  struct xr_fetch_config fetch;    /* store root, jobs, offline, output */
  const char *server;              /* NULL or "": the default server */
  enum xr_format_pref format;
  const char *lock_path;           /* xrust.lock to honour and write, or
                                      NULL for none */
  int update;                      /* re-resolve even if the lock covers */
  xr_tc_get_fn get;                /* NULL: the fetch engine's
                                      xr_fetch_text */
  void *get_ctx;
};

/* Defaults (fetch config from xr_fetch_config_init), no environment. */
void xr_tc_config_init(struct xr_tc_config *c);
/*
 * Applies the environment: the fetch engine's variables, XRUST_DIST_SERVER
 * (else RUSTUP_DIST_SERVER), XRUST_DIST_FORMAT.  Strings point into the
 * environment.
 */
int xr_tc_config_env(struct xr_tc_config *c, struct xr_err *err);

struct xr_tc_request {
  const char *channel;             /* NULL or "": "stable" */
  const char *host;
  const char *const *targets;
  size_t ntargets;
  const char *const *components;
  size_t ncomponents;
  const char *profile;             /* NULL or "": "minimal" */
};

/*
 * What the lock alone says about REQ (toolchain_lookup.c: no network, no
 * archive library).  COVERED: the lock names everything REQ asks for
 * (never with cfg->update); then DIR is where the toolchain lives and
 * INSTALLED says whether it is there.  Everything is owned; release with
 * xr_tc_lookup_release (also after an error).
 */
struct xr_tc_lookup {
  struct xr_channel ch;            /* the request's channel, host cleared */
  char *channel;                   /* its canonical text */
  char *root;                      /* the store root */
  struct xr_tclock lock;           /* the lock as read (empty if none) */
  int found;                       /* the lockfile exists */
  int covered;
  char *dir;                       /* only when covered */
  int installed;                   /* only when covered */
};

int xr_toolchain_lookup(const struct xr_tc_config *cfg,
                        const struct xr_tc_request *req,
                        struct xr_tc_lookup *lk, struct xr_err *err);
void xr_tc_lookup_release(struct xr_tc_lookup *lk);
/* ROOT/v1/toolchains/<id of PLAN>, malloc'd. */
int xr_tc_toolchain_dir(const char *root, const struct xr_plan *plan,
                        char **dir, struct xr_err *err);

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
