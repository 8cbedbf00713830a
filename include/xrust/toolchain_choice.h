/*
 * Which toolchain a project asks for (module/lib/toolchain_choice.c): the
 * one rule that $(rust-toolchain) and `xrust toolchain install` share.
 * The channel is the one given explicitly; else the nearest
 * rust-toolchain (or rust-toolchain.toml) above XRUST_PROJECT_DIR (the
 * current directory when unset), whose targets, components and profile
 * are added and whose `path =` names a toolchain to use as it is; else
 * XRUST_CHANNEL; else stable.  An explicit channel ignores the file, as
 * `cargo +CHANNEL` does.  The settings come from a settings.h source, so
 * the plugin (Make variables) and the tool (environment) agree; this file
 * also reads the dist server settings of struct xr_tc_config the same way.
 */
#ifndef XRUST_TOOLCHAIN_CHOICE_H
#define XRUST_TOOLCHAIN_CHOICE_H

#include <stddef.h>

#include "xrust/error.h"
#include "xrust/settings.h"
#include "xrust/strv.h"
#include "xrust/toolchain_lookup.h"
#include "xrust/toolfile.h"

struct xr_tc_choice {
  struct xr_toolfile file;   /* the toolchain file in effect (file.file
                                NULL: none was read) */
  const char *path;          /* its `path =`: use that toolchain as it is;
                                nothing below matters then */
  const char *channel;       /* NULL: stable */
  struct xr_strv targets;    /* the caller's triples, then the file's,
                                each once */
  struct xr_strv components; /* likewise */
  const char *profile;       /* the caller's, else the file's, or NULL */
};

void xr_tc_choice_init(struct xr_tc_choice *c);
void xr_tc_choice_release(struct xr_tc_choice *c);

/*
 * Completes C by the rule above.  CHANNEL ("" or NULL: none) is the
 * explicit one; the caller's targets, components and profile are already
 * in C.  Strings point into C and SRC's values.
 */
int xr_tc_choose(struct xr_tc_choice *c, const struct xr_settings_src *src,
                 const char *channel, struct xr_err *err);

/* The request for HOST that C describes; pointers into C. */
void xr_tc_choice_request(const struct xr_tc_choice *c, const char *host,
                          struct xr_tc_request *req);

/*
 * Applies SRC to CFG: the fetch settings (xr_fetch_config_read),
 * XRUST_DIST_SERVER (else RUSTUP_DIST_SERVER) and XRUST_DIST_FORMAT.
 */
int xr_tc_config_read(struct xr_tc_config *cfg,
                      const struct xr_settings_src *src, struct xr_err *err);

#endif
