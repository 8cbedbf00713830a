/*
 * Finds and loads the engine (engine.h) for the module.  The engine lives
 * beside the module's own file (build/ in a checkout, lib/xrust/ when
 * installed), which dladdr tells us.  The dynamic loader keeps the one
 * handle: dlopen of an object already loaded returns it again, so there
 * is no state here.
 */
#include "engine/engine.h"

#include <dlfcn.h>
#include <string.h>

#include "xrust/buf.h"
#include "xrust/error.h"

const struct xr_engine *xr_engine_get(struct xr_err *err)
{
  struct xr_buf path = XR_BUF_INIT;
  const struct xr_engine *e = NULL;
  const char *slash;
  Dl_info info;
  void *h;

  if (!dladdr((void *)xr_engine_get, &info) || !info.dli_fname) {
    xr_fail(err, XR_EINTERNAL, "cannot find the module's own file");
    return NULL;
  }
  slash = strrchr(info.dli_fname, '/');
  if (slash ? xr_buf_add(&path, info.dli_fname,
                         (size_t)(slash - info.dli_fname) + 1)
            : xr_buf_adds(&path, "./")) {
    xr_nomem(err);
    return NULL;
  }
  if (xr_buf_adds(&path, XR_ENGINE_FILE)) {
    xr_buf_release(&path);
    xr_nomem(err);
    return NULL;
  }
  h = dlopen(xr_buf_str(&path), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!h) {
    const char *why = dlerror();
    xr_fail(err, XR_EINTERNAL, "cannot load the engine '%s': %s (rebuild "
            "or reinstall xrust)", xr_buf_str(&path), why ? why : "?");
  } else {
    e = dlsym(h, XR_ENGINE_SYMBOL);
    if (!e || e->abi != XR_ENGINE_ABI || e->size != sizeof(*e)) {
      xr_fail(err, XR_EINTERNAL, "'%s' is not the engine of this module "
              "(rebuild or reinstall xrust)", xr_buf_str(&path));
      e = NULL;
    }
    dlclose(h);
  }
  xr_buf_release(&path);
  return e;
}
