/*
 * The Make-facing side of xrust: the only file that includes <gnumake.h>.
 * It registers the rust-* functions, converts Make's arguments into calls
 * of the plain-C library, copies results into gmk_alloc'd strings and, on
 * failure, raises the error through Make's own $(error) after everything
 * it held has been released, so Make reports it at the user's line.
 */
#include <gnumake.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xrust/buf.h"
#include "xrust/cargo.h"
#include "xrust/channel.h"
#include "xrust/error.h"
#include "xrust/fetch.h"
#include "xrust/fs.h"
#include "xrust/makevars.h"
#include "xrust/settings.h"
#include "xrust/sha256.h"
#include "xrust/strv.h"
#include "xrust/target.h"
#include "xrust/toml.h"
#include "xrust/toolchain_lookup.h"
#include "xrust/toolchain_choice.h"
#include "xrust/toolfile.h"
#include "xrust/vendor.h"

#include "engine/engine.h"

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

/* The expansion of TEXT as our own string ("" if empty), or NULL. */
static char *expand(const char *text)
{
  char *v = gmk_expand(text);
  char *r = xr_strdup(v ? v : "");

  if (v)
    gmk_free(v);
  return r;
}

/*
 * The settings getter of the plugin (settings.h): the Make variable NAME
 * when Make defines it (in the Makefile, on the command line or from the
 * environment it imported), else the environment.  The copies live in the
 * list CTX until the function returns.
 */
static const char *make_get(void *ctx, const char *name)
{
  struct xr_strv *owned = ctx;
  struct xr_buf ref = XR_BUF_INIT;
  char *v = NULL;
  int undefined;

  if (xr_buf_printf(&ref, "$(origin %s)", name))
    return NULL;
  v = expand(xr_buf_str(&ref));
  undefined = !v || !strcmp(v, "undefined");
  free(v);
  v = NULL;
  xr_buf_reset(&ref);
  if (!undefined && !xr_buf_printf(&ref, "$(%s)", name))
    v = expand(xr_buf_str(&ref));
  xr_buf_release(&ref);
  if (undefined)
    return getenv(name);
  if (!v || xr_strv_take(owned, v))
    return NULL;
  return v;
}

/* The settings as Make sees them; release OWNED afterwards. */
static struct xr_settings_src make_settings(struct xr_strv *owned)
{
  struct xr_settings_src src;

  src.get = make_get;
  src.ctx = owned;
  return src;
}

/* Runs TEXT through Make's parser: it must be made by makevars.h. */
static void eval(const char *text)
{
  gmk_eval(text, NULL);
}

/*
 * Raises ERR as a Make error at the current file and line.  The message
 * goes through a variable so that '$', '#', parentheses and commas in it
 * reach the user verbatim.
 */
static void raise_error(const struct xr_err *err)
{
  struct xr_buf b = XR_BUF_INIT;

  if (!xr_make_assign(&b, "override XRUST__error", err->msg))
    eval(xr_buf_str(&b));
  xr_buf_release(&b);
  eval("$(error xrust: $(XRUST__error))");
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
    rc = xr_nomem(err);
out:
  xr_toml_free(doc);
  return rc;
}

/*
 * $(rust-target NAME): the Rust triple for a short name or a triple;
 * "host" is this machine's triple.
 */
static int fn_target(char **argv, struct xr_buf *out, struct xr_err *err)
{
  const char *name = trim(argv[0]);
  const char *t;

  if (!*name)
    return xr_fail(err, XR_EUSAGE, "rust-target: missing target name");
  if (!strcmp(name, "host")) {
    t = xr_host_triple();
    if (!t)
      return xr_fail(err, XR_ETARGET,
                     "this machine is not a Rust host platform");
  } else {
    t = xr_target_triple(name, err);
  }
  if (!t)
    return (int)err->code;
  return xr_buf_adds(out, t) ? xr_nomem(err) : 0;
}

/*
 * $(rust-cc-target CTRIPLE[,LIBC]): the Rust triple for a C compiler's
 * target as `$(CC) -dumpmachine` prints it, LIBC (gnu or musl) replacing
 * the C library the triple names.
 */
static int fn_cc_target(char **argv, struct xr_buf *out, struct xr_err *err)
{
  const char *libc = argv[1] ? trim(argv[1]) : "";
  const char *t = xr_target_from_cc_libc(trim(argv[0]), libc, err);

  if (!t)
    return (int)err->code;
  return xr_buf_adds(out, t) ? xr_nomem(err) : 0;
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
  return xr_buf_adds(out, hex) ? xr_nomem(err) : 0;
}

/* The fetch settings every networked function shares, from Make. */
static int fetch_config(struct xr_fetch_config *fc,
                        const struct xr_settings_src *src, struct xr_err *err)
{
  int rc = xr_fetch_config_read(fc, src, err);

  fc->out = stderr;
  return rc;
}

/*
 * The toolchain REQ names: a stat when the lock covers it and it is
 * installed, else the engine resolves and installs it.
 */
static int ensure_toolchain(const struct xr_tc_config *cfg,
                            const struct xr_tc_request *req, char **path,
                            struct xr_err *err)
{
  const struct xr_engine *engine;
  struct xr_tc_lookup lk;
  int rc;

  *path = NULL;
  rc = xr_toolchain_lookup(cfg, req, &lk, err);
  if (rc == 0 && lk.covered && lk.installed) {
    *path = lk.dir;
    lk.dir = NULL;
  }
  xr_tc_lookup_release(&lk);
  if (rc || *path)
    return rc;
  engine = xr_engine_get(err);
  if (!engine)
    return (int)err->code;
  return engine->toolchain_ensure(cfg, req, path, err);
}

/*
 * $(rust-toolchain TARGETS[,CHANNEL]): the absolute path of an installed
 * toolchain for the host and TARGETS, chosen by toolchain_choice.h's rule
 * (CHANNEL, else the nearest rust-toolchain.toml, else XRUST_CHANNEL,
 * else stable); xrust.lock pins it.
 */
static int fn_toolchain(char **argv, struct xr_buf *out, struct xr_err *err)
{
  struct xr_strv owned = XR_STRV_INIT, names = XR_STRV_INIT;
  struct xr_settings_src src = make_settings(&owned);
  struct xr_tc_config cfg;
  struct xr_tc_request req;
  struct xr_tc_choice choice;
  const char *host;
  char *path = NULL;
  int rc;
  size_t i;

  xr_tc_choice_init(&choice);
  xr_tc_config_init(&cfg);
  cfg.fetch.out = stderr;
  rc = xr_tc_config_read(&cfg, &src, err);
  if (!rc)
    rc = xr_setting_flag(&src, "XRUST_UPDATE", &cfg.update, err);
  if (rc)
    goto out;
  cfg.lock_path = xr_setting_string(&src, "XRUST_LOCK");
  if (xr_strv_split(&names, argv[0])) {
    rc = xr_nomem(err);
    goto out;
  }
  for (i = 0; i < names.n; i++) {
    const char *t = xr_target_triple(names.v[i], err);
    if (!t) {
      rc = (int)err->code;
      goto out;
    }
    if (xr_strv_push_unique(&choice.targets, t)) {
      rc = xr_nomem(err);
      goto out;
    }
  }
  rc = xr_tc_choose(&choice, &src, argv[1] ? trim(argv[1]) : "", err);
  if (rc)
    goto out;
  if (choice.path) {
    rc = xr_buf_adds(out, choice.path) ? xr_nomem(err) : 0;
    goto out;
  }
  host = xr_host_triple();
  if (!host) {
    rc = xr_fail(err, XR_ETARGET, "this machine is not a Rust host platform");
    goto out;
  }
  xr_tc_choice_request(&choice, host, &req);
  rc = ensure_toolchain(&cfg, &req, &path, err);
  if (rc == 0 && xr_buf_adds(out, path))
    rc = xr_nomem(err);
out:
  free(path);
  xr_strv_release(&names);
  xr_tc_choice_release(&choice);
  xr_strv_release(&owned);
  return rc;
}

/*
 * Defines one variable of $(rust-crate) (an xr_make_var_fn), and adds its
 * line to the buffer CTX when there is one.
 */
static int define_var(void *ctx, const char *name, const char *value)
{
  struct xr_buf b = XR_BUF_INIT;
  struct xr_buf *file = ctx;
  int rc = xr_make_assign(&b, name, value);

  if (!rc)
    eval(xr_buf_str(&b));
  if (!rc && file && xr_buf_printf(file, "%s\n", xr_buf_str(&b)))
    rc = -1;
  xr_buf_release(&b);
  return rc;
}

/*
 * $(rust-crate DIR[,PREFIX[,FILE]]): reads DIR's Cargo.toml (workspace
 * aware) and defines PREFIX_NAME, _VERSION, _BINS, _LIBS, _MANIFESTS,
 * _LOCK, _SOURCES, _PACKAGES (the workspace's package names), _DIR,
 * _ROOT and _INPUTS (what the answer was read from).  PREFIX defaults to
 * CRATE.  With FILE, also writes the same assignments there, atomically,
 * as a makefile to `include` instead of calling the function again until
 * one of _INPUTS is newer (mk/rules.mk).  Expands to nothing.
 */
static int fn_crate(char **argv, struct xr_buf *out, struct xr_err *err)
{
  const char *dir = trim(argv[0]);
  const char *prefix = argv[1] ? trim(argv[1]) : "";
  const char *file = argv[1] && argv[2] ? trim(argv[2]) : "";
  struct xr_buf text = XR_BUF_INIT;
  struct xr_crate c;
  int rc;

  (void)out;
  if (!*dir)
    return xr_fail(err, XR_EUSAGE, "rust-crate: missing directory");
  if (!*prefix)
    prefix = "CRATE";
  if (!xr_make_name_ok(prefix))
    return xr_fail(err, XR_EUSAGE, "rust-crate: invalid prefix '%s' (a "
                   "variable name without blanks or Make syntax)", prefix);
  rc = xr_crate_read(dir, &c, err);
  if (rc)
    return rc;
  if (*file && xr_buf_adds(&text, "# Written by $(rust-crate): the "
                          "variables of a Cargo.toml.  Do not edit.\n"))
    rc = xr_nomem(err);
  if (!rc && xr_crate_vars(&c, prefix, define_var, *file ? &text : NULL))
    rc = xr_nomem(err);
  xr_crate_release(&c);
  if (!rc && *file)
    rc = xr_fs_mkparent(file, err) ||
         xr_fs_write(file, text.data, text.len, 0, err) ? (int)err->code : 0;
  xr_buf_release(&text);
  return rc;
}

/*
 * $(rust-vendor LOCKFILE,DIR): makes DIR a complete vendored source for
 * every registry and git package of LOCKFILE; expands to DIR.
 */
static int fn_vendor(char **argv, struct xr_buf *out, struct xr_err *err)
{
  const char *lock = trim(argv[0]);
  const char *dir = trim(argv[1]);
  struct xr_strv owned = XR_STRV_INIT;
  struct xr_settings_src src = make_settings(&owned);
  struct xr_fetch_config fc;
  struct xr_vendor_config vc;
  const struct xr_engine *engine;
  const char *dl;
  int rc;

  if (!*lock || !*dir)
    return xr_fail(err, XR_EUSAGE,
                   "rust-vendor: expected a lockfile and a directory");
  xr_fetch_config_init(&fc);
  rc = fetch_config(&fc, &src, err);
  if (rc)
    goto out;
  engine = xr_engine_get(err);
  if (!engine) {
    rc = (int)err->code;
    goto out;
  }
  engine->vendor_config_init(&vc);
  vc.fetch = &fc;
  dl = xr_setting_string(&src, "XRUST_CRATES_DL");
  if (dl)
    vc.dl = dl;
  rc = engine->vendor(&vc, lock, dir, NULL, err);
  if (rc == 0 && xr_buf_adds(out, dir))
    rc = xr_nomem(err);
out:
  xr_strv_release(&owned);
  return rc;
}

/*
 * $(rust-filechk FILE,TEXT): Kbuild's filechk as a function.  Rewrites
 * FILE with TEXT and a newline only when its content differs, through a
 * temporary file and rename, so a stamp that depends on FILE rebuilds on
 * a real change only and never sees a half-written record.  Expands to
 * "changed" when it wrote, else to nothing.
 */
static int fn_filechk(char **argv, struct xr_buf *out, struct xr_err *err)
{
  const char *file = trim(argv[0]);
  const char *text = argv[1] ? argv[1] : "";
  struct xr_buf want = XR_BUF_INIT, have = XR_BUF_INIT;
  struct xr_err ignored;
  int rc;

  if (!*file)
    return xr_fail(err, XR_EUSAGE, "rust-filechk: missing file name");
  if (xr_buf_printf(&want, "%s\n", text)) {
    rc = xr_nomem(err);
    goto out;
  }
  /* A record that cannot be read, or is longer, differs. */
  if (!xr_fs_read(file, want.len, &have, &ignored) &&
      have.len == want.len &&
      !memcmp(xr_buf_str(&have), xr_buf_str(&want), want.len)) {
    rc = 0;
    goto out;
  }
  rc = xr_fs_write(file, want.data, want.len, 0, err);
  if (!rc && xr_buf_adds(out, "changed"))
    rc = xr_nomem(err);
out:
  xr_buf_release(&want);
  xr_buf_release(&have);
  return rc;
}

struct function {
  const char *name;
  unsigned int min_args, max_args;
  int (*fn)(char **argv, struct xr_buf *out, struct xr_err *err);
};

static const struct function functions[] = {
  { "rust-target", 1, 1, fn_target },
  { "rust-cc-target", 1, 2, fn_cc_target },
  { "rust-toml", 2, 2, fn_toml },
  { "rust-sha256", 1, 1, fn_sha256 },
  { "rust-toolchain", 1, 2, fn_toolchain },
  { "rust-crate", 1, 3, fn_crate },
  { "rust-vendor", 2, 2, fn_vendor },
  { "rust-filechk", 2, 2, fn_filechk },
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
