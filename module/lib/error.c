/*
 * The error struct helpers: formatting into the fixed-size message buffer
 * and the name and text tables generated from XR_ERROR_TABLE.
 */
#include "xrust/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const code_names[] = {
#define XR_ERROR_NAME(name, text) #name,
  XR_ERROR_TABLE(XR_ERROR_NAME)
#undef XR_ERROR_NAME
};

static const char *const code_texts[] = {
#define XR_ERROR_TEXT(name, text) text,
  XR_ERROR_TABLE(XR_ERROR_TEXT)
#undef XR_ERROR_TEXT
};

void xr_err_clear(struct xr_err *err)
{
  if (!err)
    return;
  err->code = XR_EOK;
  err->msg[0] = '\0';
}

int xr_fail(struct xr_err *err, enum xr_code code, const char *fmt, ...)
{
  va_list ap;

  if (!err)
    return (int)code;
  err->code = code;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
  va_end(ap);
  return (int)code;
}

int xr_nomem(struct xr_err *err)
{
  return xr_fail(err, XR_ENOMEM, "out of memory");
}

int xr_err_prefix(struct xr_err *err, const char *fmt, ...)
{
  char old[XR_ERR_MSG_MAX];
  char head[XR_ERR_MSG_MAX];
  va_list ap;

  if (!err)
    return XR_EINTERNAL;
  memcpy(old, err->msg, sizeof(old));
  va_start(ap, fmt);
  vsnprintf(head, sizeof(head), fmt, ap);
  va_end(ap);
  snprintf(err->msg, sizeof(err->msg), "%s%s", head, old);
  return (int)err->code;
}

const char *xr_code_name(enum xr_code code)
{
  if ((unsigned)code >= XR_E_COUNT)
    return "UNKNOWN";
  return code_names[code];
}

const char *xr_code_text(enum xr_code code)
{
  if ((unsigned)code >= XR_E_COUNT)
    return "unknown error";
  return code_texts[code];
}
