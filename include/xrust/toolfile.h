/*
 * Toolchain files (module/lib/toolfile.c): rust-toolchain.toml or the
 * legacy rust-toolchain, found by walking up from a directory and
 * checked the way rustup does.
 */
#ifndef XRUST_TOOLFILE_H
#define XRUST_TOOLFILE_H

#include <stddef.h>

#include "xrust/error.h"

/*
 * rust-toolchain.toml or legacy rust-toolchain.  Unset strings are NULL.
 * TC_PATH (the `path` key) is made absolute relative to the file.
 */
struct xr_toolfile {
  char *file;
  char *channel;
  char *profile;
  char *tc_path;
  char **components;
  size_t ncomponents;
  char **targets;
  size_t ntargets;
};

void xr_toolfile_init(struct xr_toolfile *tf);
void xr_toolfile_release(struct xr_toolfile *tf);
/*
 * Parses the contents of a toolchain file named FILE.  LEGACY is 1 for a
 * file named rust-toolchain, which may also be one line of plain text.
 * Errors read "FILE:LINE:COLUMN: ..." (XR_ETOML).
 */
int xr_toolfile_parse(struct xr_toolfile *tf, const char *file,
                      const char *data, size_t len, int legacy,
                      struct xr_err *err);
/*
 * Walks up from DIR looking for rust-toolchain, then rust-toolchain.toml,
 * in each directory; the first one found is parsed.  *FOUND is 0 when
 * there is none (not an error).
 */
int xr_toolfile_find(struct xr_toolfile *tf, const char *dir, int *found,
                     struct xr_err *err);

#endif
