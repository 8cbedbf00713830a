/*
 * Writing TOML (module/lib/toml_write.c): values of a parsed tree back as
 * text, for files xrust generates from other TOML files (the normalised
 * manifests of vendored git packages).  Strings are written basic and
 * escaped, keys bare when they can be, tables inline inside values and
 * as [sections] otherwise, arrays of tables as [[sections]].  Every
 * function appends to its buffer and returns 0, or -1 when out of memory.
 */
#ifndef XRUST_TOML_WRITE_H
#define XRUST_TOML_WRITE_H

#include <stddef.h>

#include "xrust/buf.h"
#include "xrust/toml.h"

/* LEN bytes of S as a basic string, quoted and escaped. */
int xr_toml_put_str(struct xr_buf *o, const char *s, size_t len);
/* A key: bare when it is only A-Za-z0-9_-, else quoted. */
int xr_toml_put_key(struct xr_buf *o, const char *k, size_t len);
/* A value as it goes right of "key = " (tables inline). */
int xr_toml_put_value(struct xr_buf *o, const struct xr_toml *v);
/* 1 when V is a non-empty array of tables only (written as [[...]]). */
int xr_toml_is_table_array(const struct xr_toml *v);
/* Appends key K to the dotted section path PATH. */
int xr_toml_path_add(struct xr_buf *path, const char *k, size_t len);
/*
 * Table T as the section PATH: a "[PATH]" header when HEADER is 1, its
 * plain values, then each sub-table and array of tables as a section of
 * its own.  PATH is restored before returning.
 */
int xr_toml_put_table(struct xr_buf *o, struct xr_buf *path,
                      const struct xr_toml *t, int header);

#endif
