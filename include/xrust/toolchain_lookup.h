/*
 * What a toolchain request is and what the lock alone says about it, with
 * no network or archive library (module/lib/toolchain_lookup.c): the
 * configuration shared by the plugin, the tool and the engine's installer
 * (toolchain.h), the request, and the lookup that tells whether the lock
 * covers a request and the toolchain is installed, so a no-op build never
 * loads the engine.
 */
#ifndef XRUST_TOOLCHAIN_LOOKUP_H
#define XRUST_TOOLCHAIN_LOOKUP_H

#include <stddef.h>

#include "xrust/channel.h"
#include "xrust/error.h"
#include "xrust/fetch_config.h"
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

#endif
