/*
 * Make syntax out of values (makevars.h): the escaping of a value for an
 * assignment that Make evaluates, and the variables of $(rust-crate).
 * Every value the plugin hands to Make, results of $(rust-crate) and
 * error messages alike, is written here.
 */
#include "xrust/makevars.h"

#include <string.h>

/* Appends N backslashes. */
static int backslashes(struct xr_buf *out, size_t n)
{
  int rc = 0;

  while (n-- && !rc)
    rc = xr_buf_addc(out, '\\');
  return rc;
}

int xr_make_literal(struct xr_buf *out, const char *value)
{
  const char *p = value;
  size_t run = 0;   /* backslashes seen and not yet written */
  int rc = 0;

  if (*p == ' ' || *p == '\t')
    rc = xr_buf_adds(out, "$()");
  for (; *p && !rc; p++) {
    if (*p == '\\') {
      run++;
      continue;
    }
    if (*p == '#') {
      rc = backslashes(out, 2 * run) || xr_buf_adds(out, "\\#");
    } else {
      rc = backslashes(out, run);
      if (rc)
        break;
      if (*p == '$')
        rc = xr_buf_adds(out, "$$");
      else if (*p == '\n' || *p == '\r')
        rc = xr_buf_addc(out, ' ');
      else
        rc = xr_buf_addc(out, *p);
    }
    run = 0;
  }
  if (!rc && run)
    rc = backslashes(out, run) || xr_buf_adds(out, "$()");
  return rc ? -1 : 0;
}

int xr_make_assign(struct xr_buf *out, const char *name, const char *value)
{
  if (xr_buf_printf(out, "%s := ", name))
    return -1;
  return xr_make_literal(out, value ? value : "");
}

int xr_make_name_ok(const char *name)
{
  return *name && !name[strcspn(name, " \t\n\r#$=:(){},\\")];
}

/* Calls EACH with PREFIX_SUFFIX and the N words of V joined by spaces. */
static int one(const char *prefix, const char *suffix,
               const char *const *v, size_t n, xr_make_var_fn *each,
               void *ctx)
{
  struct xr_buf name = XR_BUF_INIT, value = XR_BUF_INIT;
  size_t i;
  int rc = 0;

  if (prefix && *prefix)
    rc = xr_buf_printf(&name, "%s_", prefix);
  rc = rc || xr_buf_adds(&name, suffix);
  for (i = 0; i < n && !rc; i++)
    rc = xr_buf_printf(&value, "%s%s", i ? " " : "", v[i] ? v[i] : "");
  if (rc)
    rc = -1;
  else
    rc = each(ctx, xr_buf_str(&name), xr_buf_str(&value));
  xr_buf_release(&name);
  xr_buf_release(&value);
  return rc;
}

int xr_crate_vars(const struct xr_crate *c, const char *prefix,
                  xr_make_var_fn *each, void *ctx)
{
  const struct {
    const char *suffix;
    const char *value;
    const struct xr_strv *list;
  } vars[] = {
    { "NAME", c->name, NULL },
    { "VERSION", c->version, NULL },
    { "BINS", NULL, &c->bins },
    { "LIBS", NULL, &c->libs },
    { "MANIFESTS", NULL, &c->manifests },
    { "LOCK", c->lock, NULL },
    { "SOURCES", NULL, &c->sources },
    { "PACKAGES", NULL, &c->packages },
    { "DIR", c->dir, NULL },
    { "ROOT", c->root, NULL },
    { "INPUTS", NULL, &c->inputs },
  };
  size_t i;
  int rc = 0;

  for (i = 0; i < sizeof(vars) / sizeof(vars[0]) && !rc; i++) {
    if (vars[i].list)
      rc = one(prefix, vars[i].suffix,
               (const char *const *)vars[i].list->v, vars[i].list->n, each,
               ctx);
    else
      rc = one(prefix, vars[i].suffix, &vars[i].value,
               vars[i].value ? 1 : 0, each, ctx);
  }
  return rc;
}
