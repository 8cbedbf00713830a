/*
 * The stub workspace of the dependency layer (module/lib/stub.c),
 * naersk's trick: a copy of a workspace's manifests and Cargo.lock with
 * every Rust source of every member replaced by an empty file, or by
 * `fn main() {}` where cargo expects a main function.  Building it
 * compiles every dependency exactly as the real workspace would, so the
 * crate layer afterwards only compiles the workspace's own packages.
 */
#ifndef XRUST_STUB_H
#define XRUST_STUB_H

#include "xrust/error.h"

/*
 * Makes DST the stub of the workspace of the package or workspace in
 * SRC.  DST is built from scratch under a temporary name beside it
 * (fs.h's rule) and renamed into place, replacing what was there; on
 * failure DST is untouched.  A workspace without a Cargo.lock is an error
 * that says how to make one.
 */
int xr_stub_workspace(const char *src, const char *dst, struct xr_err *err);

#endif
