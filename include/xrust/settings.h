/*
 * The knobs of xrust and the one rule that reads each of them
 * (module/lib/settings.c).  A knob has a name, a kind (a flag, a number
 * in a range, a string), a default and a line of documentation, all in
 * one table.  Where its value comes from is the caller's getter: the
 * command-line tool reads the environment (xr_settings_env), the Make
 * plugin reads the Make variable and, when Make does not define it, the
 * environment.  Both parse what they get here, so a value means the same
 * to both, and a bad one is the same error naming the variable, the value
 * and what is expected.
 */
#ifndef XRUST_SETTINGS_H
#define XRUST_SETTINGS_H

#include <stddef.h>

#include "xrust/error.h"

enum xr_setting_kind {
  XR_SETTING_FLAG,    /* 1, yes, true / 0, no, false (any case) */
  XR_SETTING_NUMBER,  /* a decimal number from MIN to MAX */
  XR_SETTING_STRING   /* any text */
};

struct xr_setting {
  const char *name;
  enum xr_setting_kind kind;
  unsigned long min, max, def; /* numbers and flags (def 0 or 1) */
  const char *fallback;        /* strings: the variable read when this
                                  one is unset or empty, or NULL */
  const char *doc;
};

/*
 * Returns the raw value of NAME, or NULL when it is not set.  The string
 * must stay valid until the caller's source is done with (the plugin keeps
 * its copies in CTX).
 */
typedef const char *xr_setting_get_fn(void *ctx, const char *name);

struct xr_settings_src {
  xr_setting_get_fn *get;
  void *ctx;
};

/* The environment, for the tool and the tests. */
const struct xr_settings_src *xr_settings_env(void);

/* The table, in documentation order; *N receives its length. */
const struct xr_setting *xr_settings_table(size_t *n);
/* The entry for NAME, or NULL. */
const struct xr_setting *xr_setting_find(const char *name);

/*
 * A flag: *ON is 1 or 0 when NAME is set to one of the spellings, the
 * knob's default when unset or empty; anything else is XR_EUSAGE
 * "invalid 'NAME': 'VALUE' (expected 1, yes or true, or 0, no or false)".
 */
int xr_setting_flag(const struct xr_settings_src *src, const char *name,
                    int *on, struct xr_err *err);
/*
 * A number: *OUT is the value when NAME is set, left alone when it is
 * unset or empty; outside the range is XR_EUSAGE
 * "invalid 'NAME': 'VALUE' (expected a number from MIN to MAX)".
 */
int xr_setting_number(const struct xr_settings_src *src, const char *name,
                      unsigned long *out, struct xr_err *err);
/* A string: its value, else its fallback's, else NULL (never ""). */
const char *xr_setting_string(const struct xr_settings_src *src,
                              const char *name);

/*
 * 1 when Make runs silently (-s): the single-letter flags come first in
 * MAKEFLAGS, before any word that starts with '-'.
 */
int xr_makeflags_silent(const char *makeflags);
/* xr_makeflags_silent of the MAKEFLAGS that SRC holds. */
int xr_settings_silent(const struct xr_settings_src *src);

#endif
