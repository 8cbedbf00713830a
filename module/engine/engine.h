/*
 * The engine: everything of xrust that needs libcurl, libarchive or
 * libcrypto (downloading, unpacking, installing toolchains, vendoring),
 * built as a second shared object, build/xrust-engine.so, beside the
 * module.  The module Make loads (build/xrust.so) links none of those
 * libraries, so a parse that finds everything installed (the no-op build)
 * never maps them: about 40 shared libraries and their relocations, most
 * of the cost of loading the module.  The first function call that has
 * real work to do loads the engine once (engine_load.c) and calls it
 * through this table.  Both objects are built from the same sources in
 * one build, so the table is their whole contract; ABI is still checked.
 */
#ifndef XRUST_ENGINE_H
#define XRUST_ENGINE_H

#include <stddef.h>

struct xr_err;
struct xr_tc_config;
struct xr_tc_request;
struct xr_vendor_config;
struct xr_vendor_stats;

#define XR_ENGINE_ABI 1
#define XR_ENGINE_FILE "xrust-engine.so"
#define XR_ENGINE_SYMBOL "xrust_engine"

struct xr_engine {
  unsigned abi;                 /* XR_ENGINE_ABI */
  size_t size;                  /* sizeof(struct xr_engine) */
  int (*toolchain_ensure)(const struct xr_tc_config *cfg,
                          const struct xr_tc_request *req, char **path,
                          struct xr_err *err);
  void (*vendor_config_init)(struct xr_vendor_config *c);
  int (*vendor)(const struct xr_vendor_config *cfg, const char *lockfile,
                const char *dir, struct xr_vendor_stats *stats,
                struct xr_err *err);
};

/*
 * The engine beside the object that contains this function (the module),
 * loaded on first use and kept loaded (RTLD_NODELETE: libcurl and
 * OpenSSL must never be unmapped under their exit handlers).  NULL with
 * ERR set when it cannot be loaded.
 */
const struct xr_engine *xr_engine_get(struct xr_err *err);

#endif
