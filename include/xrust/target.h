/*
 * The target table (module/lib/target.c; mk/README.md, "Targets"): short
 * names users write in XRUST_TARGETS and the Rust triples they stand
 * for.  Any full triple (three or more dash-separated parts) passes
 * through unchanged.
 */
#ifndef XRUST_TARGET_H
#define XRUST_TARGET_H

#include "xrust/error.h"

struct xr_buf;

/*
 * The triple for NAME, either from the table (a static string) or NAME
 * itself when it looks like a triple.  NULL with XR_ETARGET in ERR when
 * NAME is neither; the message lists the known names.
 */
const char *xr_target_triple(const char *name, struct xr_err *err);

/* The short name for a triple from the table, or NULL. */
const char *xr_target_short_name(const char *triple);

/* Number of table rows, and row I's short name and triple. */
unsigned xr_target_count(void);
const char *xr_target_name_at(unsigned i);
const char *xr_target_triple_at(unsigned i);

/* The Rust triple of the machine we run on, e.g. x86_64-unknown-linux-gnu;
 * NULL when the CPU or OS is not one Rust ships host tools for. */
const char *xr_host_triple(void);

#endif
