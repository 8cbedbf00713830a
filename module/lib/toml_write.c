/*
 * The TOML writer of toml_write.h: it owns quoting and escaping (basic
 * strings with \n, \t and \uXXXX escapes, bare keys where TOML allows
 * them) and the layout of a table as text (plain values first, then
 * sub-tables and arrays of tables as sections in their order).  It uses
 * only the public accessors of toml.h.
 */
#include "xrust/toml_write.h"

#include "xrust/buf.h"
#include "xrust/toml.h"

int xr_toml_put_str(struct xr_buf *o, const char *s, size_t len)
{
  size_t i;
  int rc = xr_buf_addc(o, '"');

  for (i = 0; !rc && i < len; i++) {
    unsigned char ch = (unsigned char)s[i];

    if (ch == '"' || ch == '\\')
      rc = xr_buf_addc(o, '\\') || xr_buf_addc(o, (char)ch);
    else if (ch == '\n')
      rc = xr_buf_adds(o, "\\n");
    else if (ch == '\t')
      rc = xr_buf_adds(o, "\\t");
    else if (ch < 0x20 || ch == 0x7f)
      rc = xr_buf_printf(o, "\\u%04x", ch);
    else
      rc = xr_buf_addc(o, (char)ch);
  }
  return rc || xr_buf_addc(o, '"');
}

int xr_toml_put_key(struct xr_buf *o, const char *k, size_t len)
{
  size_t i;

  for (i = 0; i < len; i++) {
    char ch = k[i];

    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
          (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
      break;
  }
  if (len && i == len)
    return xr_buf_add(o, k, len);
  return xr_toml_put_str(o, k, len);
}

static int table_inline(struct xr_buf *o, const struct xr_toml *t)
{
  size_t i;
  int rc = xr_buf_adds(o, "{");

  for (i = 0; !rc && i < xr_toml_len(t); i++) {
    rc = xr_buf_adds(o, i ? ", " : " ") ||
         xr_toml_put_key(o, xr_toml_key(t, i), xr_toml_key_len(t, i)) ||
         xr_buf_adds(o, " = ") || xr_toml_put_value(o, xr_toml_at(t, i));
  }
  return rc || xr_buf_adds(o, xr_toml_len(t) ? " }" : "}");
}

int xr_toml_put_value(struct xr_buf *o, const struct xr_toml *v)
{
  size_t i;
  int rc;

  switch (xr_toml_type(v)) {
  case XR_TOML_TABLE:
    return table_inline(o, v);
  case XR_TOML_ARRAY:
    rc = xr_buf_addc(o, '[');
    for (i = 0; !rc && i < xr_toml_len(v); i++)
      rc = (i && xr_buf_adds(o, ", ")) ||
           xr_toml_put_value(o, xr_toml_at(v, i));
    return rc || xr_buf_addc(o, ']');
  case XR_TOML_STRING:
    return xr_toml_put_str(o, xr_toml_str(v), xr_toml_str_len(v));
  default:
    return xr_buf_adds(o, xr_toml_str(v));
  }
}

/* An array whose entries are all tables is written as [[...]]. */
int xr_toml_is_table_array(const struct xr_toml *v)
{
  size_t i;

  if (xr_toml_type(v) != XR_TOML_ARRAY || !xr_toml_len(v))
    return 0;
  for (i = 0; i < xr_toml_len(v); i++)
    if (xr_toml_type(xr_toml_at(v, i)) != XR_TOML_TABLE)
      return 0;
  return 1;
}

int xr_toml_path_add(struct xr_buf *path, const char *k, size_t len)
{
  return (path->len && xr_buf_addc(path, '.')) ||
         xr_toml_put_key(path, k, len);
}

/* Shortens the section path B back to its first N bytes. */
static void cut(struct xr_buf *b, size_t n)
{
  b->len = n;
  if (b->data)
    b->data[n] = '\0';
}

/* Writes table T as section PATH (sub-tables as their own sections). */
int xr_toml_put_table(struct xr_buf *o, struct xr_buf *path,
                      const struct xr_toml *t, int header)
{
  size_t i, j, keep = path->len;
  int rc = 0;

  if (header)
    rc = xr_buf_printf(o, "\n[%s]\n", path->data);
  for (i = 0; !rc && i < xr_toml_len(t); i++) {
    const struct xr_toml *v = xr_toml_at(t, i);

    if (xr_toml_type(v) == XR_TOML_TABLE || xr_toml_is_table_array(v))
      continue;
    rc = xr_toml_put_key(o, xr_toml_key(t, i), xr_toml_key_len(t, i)) ||
         xr_buf_adds(o, " = ") || xr_toml_put_value(o, v) ||
         xr_buf_addc(o, '\n');
  }
  for (i = 0; !rc && i < xr_toml_len(t); i++) {
    const struct xr_toml *v = xr_toml_at(t, i);

    if (xr_toml_type(v) != XR_TOML_TABLE && !xr_toml_is_table_array(v))
      continue;
    cut(path, keep);
    rc = xr_toml_path_add(path, xr_toml_key(t, i), xr_toml_key_len(t, i));
    if (!rc && xr_toml_type(v) == XR_TOML_TABLE) {
      rc = xr_toml_put_table(o, path, v, 1);
    } else {
      for (j = 0; !rc && j < xr_toml_len(v); j++) {
        size_t k2 = path->len;

        rc = xr_buf_printf(o, "\n[[%s]]\n", path->data) ||
             xr_toml_put_table(o, path, xr_toml_at(v, j), 0);
        cut(path, k2);
      }
    }
  }
  cut(path, keep);
  return rc;
}
