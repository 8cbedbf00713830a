/*
 * A TOML 1.0 parser.  xr_toml_parse builds a tree of values; every value
 * remembers the line and column where it was written, so callers can point
 * users at the offending spot.  The tree is owned by the caller and freed
 * with xr_toml_free(root); pointers into it stay valid until then.
 */
#ifndef XRUST_TOML_H
#define XRUST_TOML_H

#include <stddef.h>
#include <stdint.h>

#include "xrust/error.h"

enum xr_toml_type {
  XR_TOML_TABLE,
  XR_TOML_ARRAY,
  XR_TOML_STRING,
  XR_TOML_INTEGER,
  XR_TOML_FLOAT,
  XR_TOML_BOOL,
  XR_TOML_DATETIME,        /* offset date-time */
  XR_TOML_DATETIME_LOCAL,
  XR_TOML_DATE_LOCAL,
  XR_TOML_TIME_LOCAL
};

struct xr_toml;

/*
 * Arrays and tables nested deeper than this are rejected ("nesting too
 * deep"), which bounds the parser's recursion whatever the input.
 */
#define XR_TOML_MAX_DEPTH 1000

/*
 * Parses LEN bytes of DATA.  NAME is used in error messages, which read
 * "NAME:LINE:COLUMN: message" (lines and columns count from 1; columns
 * count characters, not bytes).  Returns the root table, or NULL with ERR
 * set (code XR_ETOML for a syntax or semantic error, XR_ENOMEM, ...).
 */
struct xr_toml *xr_toml_parse(const char *data, size_t len, const char *name,
                              struct xr_err *err);
/* The largest file xr_toml_parse_file reads (a nightly channel manifest
 * is about 1 MiB). */
#define XR_TOML_FILE_MAX (64u * 1024 * 1024)

/* Reads and parses a file; NAME in messages is PATH.  A file larger than
 * XR_TOML_FILE_MAX is XR_ELIMIT, one that cannot be read XR_EIO. */
struct xr_toml *xr_toml_parse_file(const char *path, struct xr_err *err);
void xr_toml_free(struct xr_toml *root);

enum xr_toml_type xr_toml_type(const struct xr_toml *v);
unsigned long xr_toml_line(const struct xr_toml *v);
unsigned long xr_toml_column(const struct xr_toml *v);

/* Tables and arrays: number of entries, and entry I in document order. */
size_t xr_toml_len(const struct xr_toml *v);
struct xr_toml *xr_toml_at(const struct xr_toml *v, size_t i);
/* Tables: the key of entry I (NUL-terminated; see xr_toml_key_len). */
const char *xr_toml_key(const struct xr_toml *v, size_t i);
size_t xr_toml_key_len(const struct xr_toml *v, size_t i);
/* Tables: the value for KEY, or NULL. */
struct xr_toml *xr_toml_get(const struct xr_toml *table, const char *key);
/*
 * Follows a dotted path written with TOML key syntax ("package.name",
 * 'target."x86_64-unknown-linux-gnu".linker').  NULL when a segment is
 * missing or a non-table is crossed; XR_ETOML in ERR (may be NULL) when
 * PATH itself is malformed.
 */
struct xr_toml *xr_toml_path(const struct xr_toml *root, const char *path,
                             struct xr_err *err);

/*
 * Scalars.  xr_toml_str gives the decoded string (which may contain NUL
 * bytes, hence xr_toml_str_len) for strings; for every other scalar it
 * gives the canonical text used by toml-test: decimal integers, "true" /
 * "false", floats as written with underscores removed ("inf", "-inf" and
 * "nan", as toml-test spells them), date-times normalised to RFC 3339
 * with 'T' and an uppercase 'Z'.  xr_toml_raw gives the scalar exactly as
 * written in the document (for strings, including the quotes).  Both
 * return NULL for tables and arrays.  xr_toml_float also converts
 * integers; accessors of the wrong type give 0.
 */
const char *xr_toml_str(const struct xr_toml *v);
size_t xr_toml_str_len(const struct xr_toml *v);
const char *xr_toml_raw(const struct xr_toml *v);
int64_t xr_toml_int(const struct xr_toml *v);
double xr_toml_float(const struct xr_toml *v);
int xr_toml_bool(const struct xr_toml *v);

/*
 * Records an error about the value V as "NAME:LINE:COLUMN: message" (just
 * "NAME: message" when V is NULL) with CODE, and returns CODE: the one
 * format every reader of a TOML-based file uses for its own checks.
 */
int xr_toml_fail(struct xr_err *err, enum xr_code code, const char *name,
                 const struct xr_toml *v, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 5, 6)))
#endif
  ;

/* Writes V as toml-test tagged JSON into OUT (see toml-test's README). */
struct xr_buf;
int xr_toml_to_json(const struct xr_toml *v, struct xr_buf *out);

#endif
