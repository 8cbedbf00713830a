/*
 * Text for GNU Make (module/lib/makevars.c): the one place where a value
 * becomes Make syntax, and the list of variables $(rust-crate) defines,
 * shared by the plugin (which evaluates assignments) and `xrust crate`
 * (which prints NAME=value lines).
 *
 * In a line that Make evaluates, '$' starts a reference, '#' a comment
 * (unless a backslash escapes it, and then backslashes right before it
 * are halved), a backslash at the end joins the next line, leading blanks
 * of a value are dropped, and a newline ends the line.  xr_make_literal
 * writes '$' as "$$", "\#" for '#' with the backslashes before it
 * doubled, "$()" before leading blanks and after a trailing backslash
 * (it expands to nothing), and a blank for a newline (a Make variable set
 * this way cannot hold one).
 */
#ifndef XRUST_MAKEVARS_H
#define XRUST_MAKEVARS_H

#include "xrust/buf.h"
#include "xrust/cargo.h"

/*
 * Appends VALUE so that, on the right of a simple assignment (:=) that
 * Make evaluates, it yields VALUE ('\n' and '\r' become blanks).  0, or
 * -1 when out of memory.
 */
int xr_make_literal(struct xr_buf *out, const char *value);
/*
 * Appends "NAME := VALUE" as one line without its newline, for gmk_eval.
 * NAME is written as is ("override X" works); see xr_make_name_ok.
 */
int xr_make_assign(struct xr_buf *out, const char *name, const char *value);
/* 1 when NAME is usable as a variable name: no blank, '#', '$', '=',
 * ':', parenthesis, brace or comma, and not empty. */
int xr_make_name_ok(const char *name);

/* Receives one variable: its full NAME and its VALUE; nonzero stops. */
typedef int xr_make_var_fn(void *ctx, const char *name, const char *value);

/*
 * Calls EACH for every variable $(rust-crate DIR,PREFIX) defines, in this
 * order: PREFIX_NAME, _VERSION, _BINS, _LIBS, _MANIFESTS, _LOCK,
 * _SOURCES, _PACKAGES, _DIR, _ROOT and _INPUTS (PREFIX NULL or "":
 * NAME, VERSION, ...); lists are joined by single spaces, a missing
 * value is "".
 * Returns EACH's first nonzero result, or -1 when out of memory.
 */
int xr_crate_vars(const struct xr_crate *c, const char *prefix,
                  xr_make_var_fn *each, void *ctx);

#endif
