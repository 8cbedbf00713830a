/*
 * The target table (module/lib/target.c; mk/README.md, "Targets"): short
 * names users write in XRUST_TARGETS and the Rust triples they stand
 * for.  Any full triple (three or more dash-separated parts) passes
 * through unchanged.  And the C compiler's table: the target a C compiler
 * prints for -dumpmachine (x86_64-linux-gnu, arm64-apple-darwin23.1.0)
 * to the Rust triple of the same machine and C library.
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

/*
 * The Rust triple for the C compiler's target CC_TRIPLE, as `$(CC)
 * -dumpmachine` prints it: CPU-[VENDOR-]OS[-ENV], the vendor ignored, a
 * version after the OS name ignored (darwin23.1.0, freebsd14.0), linux
 * without ENV read as linux-gnu, mingw32 as windows-gnu.  A static string;
 * NULL with XR_ETARGET in ERR when CC_TRIPLE is empty or no row matches
 * (arm-none-eabi is one Rust CPU of several), the message naming
 * CC_TRIPLE and XRUST_TARGET.
 */
const char *xr_target_from_cc(const char *cc_triple, struct xr_err *err);

/*
 * The same with the C library LIBC ("gnu" or "musl"; NULL or "" for what
 * the triple says) in place of the triple's, for compilers whose
 * -dumpmachine names another one: Debian's musl-gcc is gcc with a specs
 * file and prints x86_64-linux-gnu.  Only linux triples have a C library
 * to replace; gnueabihf becomes musleabihf and so on.
 */
const char *xr_target_from_cc_libc(const char *cc_triple, const char *libc,
                                   struct xr_err *err);

/*
 * Number of rows of the C compiler's table, and row I's example C
 * triples (space-separated, each mapping to the row) and Rust triple.
 */
unsigned xr_target_cc_count(void);
const char *xr_target_cc_examples_at(unsigned i);
const char *xr_target_cc_rust_at(unsigned i);

#endif
