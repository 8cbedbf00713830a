/*
 * Error reporting shared by every part of the xrust library.  Internal
 * functions never print: they fill a caller-owned struct xr_err and return
 * its code; only the outer layer (the Make plugin or the command-line tool)
 * reports.  The table of codes is one X-macro, so the enum, the names and
 * the generic messages cannot drift apart.
 */
#ifndef XRUST_ERROR_H
#define XRUST_ERROR_H

#include <stddef.h>

#define XR_ERROR_TABLE(X)                                   \
  X(OK, "success")                                          \
  X(NOMEM, "out of memory")                                 \
  X(USAGE, "invalid usage")                                 \
  X(IO, "input/output error")                               \
  X(NOTFOUND, "not found")                                  \
  X(TOML, "invalid toml")                                   \
  X(TARGET, "unknown target")                               \
  X(NET, "network error")                                   \
  X(HTTP, "http error")                                     \
  X(CHECKSUM, "checksum mismatch")                          \
  X(ARCHIVE, "archive error")                               \
  X(UNSAFE, "unsafe archive entry")                         \
  X(LIMIT, "limit exceeded")                                \
  X(LOCK, "lock error")                                     \
  X(OFFLINE, "offline mode")                                \
  X(MANIFEST, "invalid manifest")                           \
  X(INTERRUPTED, "interrupted")                             \
  X(INTERNAL, "internal error")

enum xr_code {
#define XR_ERROR_ENUM(name, text) XR_E##name,
  XR_ERROR_TABLE(XR_ERROR_ENUM)
#undef XR_ERROR_ENUM
  XR_E_COUNT
};

#define XR_ERR_MSG_MAX 1024

struct xr_err {
  enum xr_code code;
  char msg[XR_ERR_MSG_MAX];
};

/* Resets ERR to "no error". */
void xr_err_clear(struct xr_err *err);

/*
 * Records an error and returns CODE, so a caller can write
 * `return xr_fail(err, XR_EIO, "cannot open '%s': %s", p, strerror(errno));`.
 * The message follows git's grammar: lowercase, no trailing period.  ERR may
 * be NULL.  A message longer than the buffer is truncated, never overflowed.
 */
int xr_fail(struct xr_err *err, enum xr_code code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/*
 * The one report of an allocation failure: records XR_ENOMEM with the
 * message "out of memory" and returns XR_ENOMEM.
 */
int xr_nomem(struct xr_err *err);

/*
 * Prepends context to an existing message ("reading 'x': " + old message)
 * and returns the existing code.
 */
int xr_err_prefix(struct xr_err *err, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/* "NOMEM", "CHECKSUM", ... and the generic text of a code. */
const char *xr_code_name(enum xr_code code);
const char *xr_code_text(enum xr_code code);

#endif
