/*
 * The Make-facing side of xrust: the only file that includes <gnumake.h>.
 * It registers the rust-* functions, converts Make's arguments into calls
 * of the plain-C library, copies results into gmk_alloc'd strings and, on
 * failure, raises the error through Make's own $(error) after everything
 * it held has been released, so Make reports it at the user's line.
 */
#include <gnumake.h>

#include <stdlib.h>
#include <string.h>

#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/sha256.h"
#include "xrust/target.h"
#include "xrust/toml.h"

/* GNU Make refuses to load objects that do not declare this. */
int plugin_is_GPL_compatible;

/* Trims ASCII white space in place; Make passes ", key" with its space. */
static char *trim(char *s)
{
  char *end;

  while (*s == ' ' || *s == '\t' || *s == '\n')
    s++;
  end = s + strlen(s);
  while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
    *--end = '\0';
  return s;
}

/* The one place where a result string crosses into Make's ownership. */
static char *to_make(const char *s, size_t n)
{
  char *r;

  if (n == 0)
    return NULL;
  r = gmk_alloc((unsigned int)n + 1);
  memcpy(r, s, n);
  r[n] = '\0';
  return r;
}

/*
 * Raises ERR as a Make error at the current file and line.  The message
 * goes through a variable so that '$', parentheses and commas in it reach
 * the user verbatim.
 */
static void raise_error(const struct xr_err *err)
{
  struct xr_buf b = XR_BUF_INIT;
  const char *p;
  int bad = 0;

  bad |= xr_buf_adds(&b, "override XRUST__error := ");
  for (p = err->msg; *p && !bad; p++) {
    if (*p == '$')
      bad |= xr_buf_adds(&b, "$$");
    else if (*p == '\n' || *p == '\r')
      bad |= xr_buf_addc(&b, ' ');
    else
      bad |= xr_buf_addc(&b, *p);
  }
  if (!bad)
    gmk_eval(xr_buf_str(&b), NULL);
  xr_buf_release(&b);
  gmk_eval("$(error xrust: $(XRUST__error))", NULL);
}

/* Appends the words of a TOML value for $(rust-toml): see fn_toml. */
static int toml_words(const struct xr_toml *v, struct xr_buf *out)
{
  size_t i, n;
  const char *s;

  switch (xr_toml_type(v)) {
  case XR_TOML_TABLE:
    n = xr_toml_len(v);
    for (i = 0; i < n; i++)
      if (xr_buf_printf(out, "%s%s", out->len ? " " : "",
                        xr_toml_key(v, i)))
        return -1;
    return 0;
  case XR_TOML_ARRAY:
    n = xr_toml_len(v);
    for (i = 0; i < n; i++) {
      const struct xr_toml *e = xr_toml_at(v, i);
      if (xr_toml_type(e) == XR_TOML_TABLE || xr_toml_type(e) ==
          XR_TOML_ARRAY) {
        if (toml_words(e, out))
          return -1;
        continue;
      }
      if (out->len && xr_buf_addc(out, ' '))
        return -1;
      if (toml_words(e, out))
        return -1;
    }
    return 0;
  case XR_TOML_STRING:
    s = xr_toml_str(v);
    return xr_buf_adds(out, s ? s : "");
  default:
    s = xr_toml_raw(v);
    return xr_buf_adds(out, s ? s : "");
  }
}

/*
 * $(rust-toml FILE,KEY): strings as is, other scalars as written, arrays
 * as space-separated words, tables as their keys; a missing key is empty.
 */
static int fn_toml(char **argv, struct xr_buf *out, struct xr_err *err)
{
  const char *file = trim(argv[0]);
  const char *key = trim(argv[1]);
  struct xr_toml *doc = NULL, *v;
  int rc = 0;

  if (!*file)
    return xr_fail(err, XR_EUSAGE, "rust-toml: missing file name");
  doc = xr_toml_parse_file(file, err);
  if (!doc)
    return err->code ? (int)err->code : XR_EINTERNAL;
  if (!*key) {
    v = doc;
  } else {
    xr_err_clear(err);
    v = xr_toml_path(doc, key, err);
    if (!v && err->code) {
      rc = xr_err_prefix(err, "rust-toml: ");
      goto out;
    }
  }
  if (v && toml_words(v, out))
    rc = xr_fail(err, XR_ENOMEM, "out of memory");
out:
  xr_toml_free(doc);
  return rc;
}

/* $(rust-target NAME): the Rust triple for a short name or a triple. */
static int fn_target(char **argv, struct xr_buf *out, struct xr_err *err)
{
  const char *name = trim(argv[0]);
  const char *t;

  if (!*name)
    return xr_fail(err, XR_EUSAGE, "rust-target: missing target name");
  t = xr_target_triple(name, err);
  if (!t)
    return (int)err->code;
  return xr_buf_adds(out, t) ? xr_fail(err, XR_ENOMEM, "out of memory") : 0;
}

/* $(rust-sha256 FILE): the hex SHA-256 of a file. */
static int fn_sha256(char **argv, struct xr_buf *out, struct xr_err *err)
{
  const char *file = trim(argv[0]);
  char hex[XR_SHA256_HEX];
  int rc;

  if (!*file)
    return xr_fail(err, XR_EUSAGE, "rust-sha256: missing file name");
  rc = xr_sha256_file(file, hex, err);
  if (rc)
    return rc;
  return xr_buf_adds(out, hex) ? xr_fail(err, XR_ENOMEM, "out of memory")
                                : 0;
}

struct function {
  const char *name;
  unsigned int min_args, max_args;
  int (*fn)(char **argv, struct xr_buf *out, struct xr_err *err);
};

static const struct function functions[] = {
  { "rust-target", 1, 1, fn_target },
  { "rust-toml", 2, 2, fn_toml },
  { "rust-sha256", 1, 1, fn_sha256 },
};

#define FUNCTION_COUNT (sizeof(functions) / sizeof(functions[0]))

/* Every rust-* function enters here; Make passes the name it was called by. */
static char *dispatch(const char *nm, unsigned int argc, char **argv)
{
  struct xr_buf out = XR_BUF_INIT;
  struct xr_err err;
  char *result = NULL;
  size_t i;
  int rc = XR_EINTERNAL;

  (void)argc;
  xr_err_clear(&err);
  for (i = 0; i < FUNCTION_COUNT; i++)
    if (!strcmp(nm, functions[i].name))
      break;
  if (i == FUNCTION_COUNT)
    xr_fail(&err, XR_EINTERNAL, "no such function '%s'", nm);
  else
    rc = functions[i].fn(argv, &out, &err);
  if (rc == 0)
    result = to_make(xr_buf_str(&out), out.len);
  xr_buf_release(&out);
  if (rc != 0)
    raise_error(&err);
  return result;
}

static int setup(void)
{
  size_t i;

  for (i = 0; i < FUNCTION_COUNT; i++)
    gmk_add_function(functions[i].name, dispatch, functions[i].min_args,
                     functions[i].max_args, GMK_FUNC_DEFAULT);
  return 1;
}

/*
 * Make's development branch passes the ABI version first; 4.0 to 4.4.1 do
 * not.  The header tells us which Make we are built for.
 */
#ifdef GMK_ABI_VERSION
int xrust_gmk_setup(unsigned int abi_version, const gmk_floc *floc);
int xrust_gmk_setup(unsigned int abi_version, const gmk_floc *floc)
{
  (void)floc;
  if (abi_version < 1)
    return 0;
  return setup();
}
#else
int xrust_gmk_setup(const gmk_floc *floc);
int xrust_gmk_setup(const gmk_floc *floc)
{
  (void)floc;
  return setup();
}
#endif

/* Called by Makes that support unloading, before dlclose. */
void xrust_gmk_unload(void);
void xrust_gmk_unload(void)
{
}
