/*
 * Serialises a parsed TOML tree as toml-test's tagged JSON: tables become
 * objects, arrays arrays, and every scalar {"type": ..., "value": ...} with
 * the canonical text of xr_toml_str.  It uses only the public accessors of
 * toml.h; the parser's depth limit bounds its recursion.
 */
#include "xrust/toml.h"

#include "xrust/buf.h"

static const char *type_name(enum xr_toml_type t)
{
  switch (t) {
  case XR_TOML_STRING: return "string";
  case XR_TOML_INTEGER: return "integer";
  case XR_TOML_FLOAT: return "float";
  case XR_TOML_BOOL: return "bool";
  case XR_TOML_DATETIME: return "datetime";
  case XR_TOML_DATETIME_LOCAL: return "datetime-local";
  case XR_TOML_DATE_LOCAL: return "date-local";
  case XR_TOML_TIME_LOCAL: return "time-local";
  default: return "table";
  }
}

/*
 * JSON strings: quotes, backslashes and control characters escaped, all
 * other bytes (valid UTF-8, checked by the parser) copied in runs.
 */
static int json_str(struct xr_buf *out, const char *s, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  size_t i, run = 0;
  unsigned char c;
  char esc[7];

  if (xr_buf_addc(out, '"'))
    return -1;
  for (i = 0; i < n; i++) {
    c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
      continue;
    if (xr_buf_add(out, s + run, i - run))
      return -1;
    run = i + 1;
    esc[0] = '\\';
    esc[2] = '\0';
    switch (c) {
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    default:
      esc[1] = 'u';
      esc[2] = '0';
      esc[3] = '0';
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
      esc[6] = '\0';
      break;
    }
    if (xr_buf_adds(out, esc))
      return -1;
  }
  if (xr_buf_add(out, s + run, n - run) || xr_buf_addc(out, '"'))
    return -1;
  return 0;
}

static int json_value(const struct xr_toml *v, struct xr_buf *out)
{
  enum xr_toml_type t = xr_toml_type(v);
  size_t i, n = xr_toml_len(v);

  if (t == XR_TOML_TABLE || t == XR_TOML_ARRAY) {
    if (xr_buf_addc(out, t == XR_TOML_TABLE ? '{' : '['))
      return -1;
    for (i = 0; i < n; i++) {
      if (i && xr_buf_addc(out, ','))
        return -1;
      if (t == XR_TOML_TABLE &&
          (json_str(out, xr_toml_key(v, i), xr_toml_key_len(v, i)) ||
           xr_buf_addc(out, ':')))
        return -1;
      if (json_value(xr_toml_at(v, i), out))
        return -1;
    }
    return xr_buf_addc(out, t == XR_TOML_TABLE ? '}' : ']');
  }
  if (xr_buf_adds(out, "{\"type\":\"") ||
      xr_buf_adds(out, type_name(t)) ||
      xr_buf_adds(out, "\",\"value\":") ||
      json_str(out, xr_toml_str(v), xr_toml_str_len(v)) ||
      xr_buf_addc(out, '}'))
    return -1;
  return 0;
}

int xr_toml_to_json(const struct xr_toml *v, struct xr_buf *out)
{
  return json_value(v, out) ? XR_ENOMEM : 0;
}
