/*
 * Cargo's dep-info files as Make dependencies (module/lib/depfile.c): the
 * prerequisites of the .d files cargo leaves beside each binary or
 * library, and the Make fragment "STAMP: every source" plus an empty rule
 * per source, so that a deleted source rebuilds instead of stopping Make
 * (gcc's -MP).  Spaces in paths stay backslash-escaped, as cargo and Make
 * both write them.
 */
#ifndef XRUST_DEPFILE_H
#define XRUST_DEPFILE_H

#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/strv.h"

/* The largest .d file read (cargo writes a few KiB per target). */
#define XR_DEPFILE_MAX (16u * 1024 * 1024)

/*
 * Adds to OUT, once each, the prerequisites of every "target: prereqs"
 * line of TEXT; a target ends at the first ':' that is not escaped and
 * is followed by a space or the end of the line.
 */
int xr_depfile_parse(const char *text, struct xr_strv *out,
                     struct xr_err *err);
/*
 * The prerequisites of every .d file directly in DIR, added to OUT, which
 * is then sorted (unique when it starts empty).
 */
int xr_depfile_read_dir(const char *dir, struct xr_strv *out,
                        struct xr_err *err);
/* Appends the Make fragment for STAMP depending on DEPS to OUT. */
int xr_depfile_make(const char *stamp, const struct xr_strv *deps,
                    struct xr_buf *out, struct xr_err *err);

#endif
