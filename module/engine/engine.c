/*
 * The engine's one exported symbol (engine.h): the table the module calls
 * through.  Linked only into build/xrust-engine.so, whose version script
 * hides every other symbol.
 */
#include "engine.h"

#include "xrust/toolchain.h"
#include "xrust/vendor.h"

extern const struct xr_engine xrust_engine;

const struct xr_engine xrust_engine = {
  XR_ENGINE_ABI,
  sizeof(struct xr_engine),
  xr_toolchain_ensure,
  xr_vendor_config_init,
  xr_vendor,
};
