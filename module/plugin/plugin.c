/*
 * The Make-facing side of xrust: the only file that includes <gnumake.h>.
 * It registers the rust-* functions, converts Make's arguments into calls
 * of the plain-C library, copies results into gmk_alloc'd strings and, on
 * failure, raises the error through Make's own $(error) after everything
 * it held has been released, so Make reports it at the user's line.
 */
#include <gnumake.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xrust/buf.h"
#include "xrust/cargo.h"
#include "xrust/channel.h"
#include "xrust/error.h"
#include "xrust/fetch.h"
#include "xrust/sha256.h"
#include "xrust/strv.h"
#include "xrust/target.h"
#include "xrust/toml.h"
#include "xrust/toolchain.h"
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

/* The expansion of Make variable NAME as our own string ("" if unset). */
static char *make_var(const char *name)
{
  struct xr_buf ref = XR_BUF_INIT;
  char *v, *r;

  if (xr_buf_printf(&ref, "$(%s)", name))
    return NULL;
  v = gmk_expand(xr_buf_str(&ref));
  xr_buf_release(&ref);
  r = xr_strdup(v ? v : "");
  if (v)
    gmk_free(v);
  return r;
}

/* 1 when Make variable NAME is set to 1, yes or true. */
static int make_flag(const char *name)
{
  char *v = make_var(name);
  int on = v && (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "true"));

  free(v);
  return on;
}

/*
 * 1 when Make runs silently (-s): the single-letter flags come first in
 * MAKEFLAGS.
 */
static int make_silent(void)
{
  char *v = make_var("MAKEFLAGS");
  int silent = 0;

  if (v && v[0] != '-' && v[0] != ' ') {
    size_t n = strcspn(v, " ");
    silent = memchr(v, 's', n) != NULL;
  }
  free(v);
  return silent;
}

/*
 * Defines Make variable NAME := VALUE, with '$' doubled so the value is
 * taken literally.
 */
static int define_var(const char *name, const char *value)
{
  struct xr_buf b = XR_BUF_INIT;
  const char *p;
  int bad;

  bad = xr_buf_printf(&b, "%s := ", name);
  for (p = value; *p && !bad; p++)
    bad = *p == '$' ? xr_buf_adds(&b, "$$")
                    : xr_buf_addc(&b, *p == '\n' ? ' ' : *p);
  if (!bad)
    gmk_eval(xr_buf_str(&b), NULL);
  xr_buf_release(&b);
  return bad;
}

/* Splits S at blanks into a NULL-terminated vector of copies. */
static int split_words(const char *s, struct xr_strv *out)
{
  while (*s) {
    size_t n;
    char *w;

    s += strspn(s, " \t\n");
    n = strcspn(s, " \t\n");
    if (!n)
      break;
    w = xr_strndup(s, n);
    if (!w || xr_strv_push(out, w)) {
      free(w);
      return -1;
    }
    free(w);
    s += n;
  }
  return 0;
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

/* The fetch settings every networked function shares, from Make. */
static int fetch_config(struct xr_fetch_config *fc, char **owned,
                        struct xr_err *err)
{
  char *jobs;
  int rc;

  rc = xr_fetch_config_env(fc, err);
  if (rc)
    return rc;
  owned[0] = make_var("XRUST_HOME");
  if (owned[0] && *owned[0])
    fc->store_root = owned[0];
  jobs = make_var("XRUST_JOBS");
  if (jobs && *jobs) {
    char *end;
    unsigned long n = strtoul(jobs, &end, 10);
    if (*end || n == 0 || n > 64) {
      rc = xr_fail(err, XR_EUSAGE,
                   "XRUST_JOBS must be a number from 1 to 64, not '%s'",
                   jobs);
      free(jobs);
      return rc;
    }
    fc->jobs = (unsigned)n;
  }
  free(jobs);
  fc->offline = fc->offline || make_flag("XRUST_OFFLINE");
  fc->out = stderr;
  fc->quiet = make_silent();
  {
    char *v = make_var("V");
    fc->verbose = v && *v && strcmp(v, "0") != 0;
    free(v);
  }
  return 0;
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
 * toolchain for the host and TARGETS.  The channel is CHANNEL, else the
 * nearest rust-toolchain.toml (whose targets, components and profile are
 * honoured), else XRUST_CHANNEL, else stable; xrust.lock pins it.
 */
static int fn_toolchain(char **argv, struct xr_buf *out, struct xr_err *err)
{
  struct xr_tc_config cfg;
  struct xr_tc_request req;
  struct xr_toolfile tf;
  struct xr_strv names = XR_STRV_INIT, triples = XR_STRV_INIT;
  char *owned[1] = { NULL };
  char *server = NULL, *format = NULL, *lock = NULL, *chan_var = NULL;
  char *project = NULL, *path = NULL;
  const char *channel = argv[1] ? trim(argv[1]) : "";
  int found = 0, rc;
  size_t i;

  xr_toolfile_init(&tf);
  memset(&req, 0, sizeof(req));
  xr_tc_config_init(&cfg);
  rc = xr_tc_config_env(&cfg, err);
  if (rc)
    goto out;
  rc = fetch_config(&cfg.fetch, owned, err);
  if (rc)
    goto out;
  server = make_var("XRUST_DIST_SERVER");
  format = make_var("XRUST_DIST_FORMAT");
  lock = make_var("XRUST_LOCK");
  chan_var = make_var("XRUST_CHANNEL");
  project = make_var("XRUST_PROJECT_DIR");
  if (!server || !format || !lock || !chan_var || !project) {
    rc = xr_fail(err, XR_ENOMEM, "out of memory");
    goto out;
  }
  if (*server)
    cfg.server = server;
  if (*format) {
    rc = xr_format_pref_parse(format, &cfg.format, err);
    if (rc)
      goto out;
  }
  cfg.lock_path = *lock ? lock : NULL;
  cfg.update = make_flag("XRUST_UPDATE");

  if (split_words(argv[0], &names)) {
    rc = xr_fail(err, XR_ENOMEM, "out of memory");
    goto out;
  }
  for (i = 0; i < names.n; i++) {
    const char *t = xr_target_triple(names.v[i], err);
    if (!t) {
      rc = (int)err->code;
      goto out;
    }
    if (xr_strv_push_unique(&triples, t)) {
      rc = xr_fail(err, XR_ENOMEM, "out of memory");
      goto out;
    }
  }
  if (!*channel) {
    rc = xr_toolfile_find(&tf, *project ? project : ".", &found, err);
    if (rc)
      goto out;
    if (found && tf.tc_path) {
      rc = xr_buf_adds(out, tf.tc_path) ? xr_fail(err, XR_ENOMEM, "oom") : 0;
      goto out;
    }
    if (found && tf.channel)
      channel = tf.channel;
    else if (*chan_var)
      channel = chan_var;
  }
  if (found) {
    for (i = 0; i < tf.ntargets; i++)
      if (xr_strv_push_unique(&triples, tf.targets[i])) {
        rc = xr_fail(err, XR_ENOMEM, "out of memory");
        goto out;
      }
    req.components = (const char *const *)tf.components;
    req.ncomponents = tf.ncomponents;
    req.profile = tf.profile;
  }
  req.channel = channel;
  req.host = xr_host_triple();
  if (!req.host) {
    rc = xr_fail(err, XR_ETARGET, "this machine is not a Rust host platform");
    goto out;
  }
  req.targets = (const char *const *)triples.v;
  req.ntargets = triples.n;
  rc = ensure_toolchain(&cfg, &req, &path, err);
  if (rc == 0 && xr_buf_adds(out, path))
    rc = xr_fail(err, XR_ENOMEM, "out of memory");
out:
  free(path);
  free(owned[0]);
  free(server);
  free(format);
  free(lock);
  free(chan_var);
  free(project);
  xr_strv_release(&names);
  xr_strv_release(&triples);
  xr_toolfile_release(&tf);
  return rc;
}

/* Defines PREFIX_SUFFIX from a list of words. */
static int define_list(const char *prefix, const char *suffix,
                       const struct xr_strv *l)
{
  struct xr_buf name = XR_BUF_INIT, value = XR_BUF_INIT;
  size_t i;
  int bad;

  bad = xr_buf_printf(&name, "%s_%s", prefix, suffix);
  for (i = 0; i < l->n && !bad; i++)
    bad = xr_buf_printf(&value, "%s%s", i ? " " : "", l->v[i]);
  if (!bad)
    bad = define_var(xr_buf_str(&name), xr_buf_str(&value));
  xr_buf_release(&name);
  xr_buf_release(&value);
  return bad;
}

static int define_one(const char *prefix, const char *suffix,
                      const char *value)
{
  struct xr_buf name = XR_BUF_INIT;
  int bad = xr_buf_printf(&name, "%s_%s", prefix, suffix);

  if (!bad)
    bad = define_var(xr_buf_str(&name), value ? value : "");
  xr_buf_release(&name);
  return bad;
}

/*
 * $(rust-crate DIR[,PREFIX]): reads DIR's Cargo.toml (workspace aware) and
 * defines PREFIX_NAME, _VERSION, _BINS, _LIBS, _MANIFESTS, _LOCK,
 * _SOURCES, _PACKAGES (the workspace's package names) and _DIR.  PREFIX
 * defaults to CRATE.  Expands to nothing.
 */
static int fn_crate(char **argv, struct xr_buf *out, struct xr_err *err)
{
  const char *dir = trim(argv[0]);
  const char *prefix = argv[1] ? trim(argv[1]) : "";
  struct xr_crate c;
  int rc, bad = 0;

  (void)out;
  if (!*dir)
    return xr_fail(err, XR_EUSAGE, "rust-crate: missing directory");
  if (!*prefix)
    prefix = "CRATE";
  rc = xr_crate_read(dir, &c, err);
  if (rc)
    return rc;
  {
    bad |= define_one(prefix, "NAME", c.name);
    bad |= define_one(prefix, "VERSION", c.version);
    bad |= define_one(prefix, "DIR", c.dir);
    bad |= define_one(prefix, "ROOT", c.root);
    bad |= define_one(prefix, "LOCK", c.lock);
    bad |= define_list(prefix, "BINS", &c.bins);
    bad |= define_list(prefix, "LIBS", &c.libs);
    bad |= define_list(prefix, "MANIFESTS", &c.manifests);
    bad |= define_list(prefix, "SOURCES", &c.sources);
    bad |= define_list(prefix, "PACKAGES", &c.packages);
    if (bad)
      rc = xr_fail(err, XR_ENOMEM, "out of memory");
  }
  xr_crate_release(&c);
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
  struct xr_fetch_config fc;
  struct xr_vendor_config vc;
  const struct xr_engine *engine;
  char *owned[1] = { NULL };
  char *dl = NULL;
  int rc;

  if (!*lock || !*dir)
    return xr_fail(err, XR_EUSAGE,
                   "rust-vendor: expected a lockfile and a directory");
  xr_fetch_config_init(&fc);
  rc = fetch_config(&fc, owned, err);
  if (rc)
    goto out;
  engine = xr_engine_get(err);
  if (!engine) {
    rc = (int)err->code;
    goto out;
  }
  engine->vendor_config_init(&vc);
  vc.fetch = &fc;
  dl = make_var("XRUST_CRATES_DL");
  if (dl && *dl)
    vc.dl = dl;
  rc = engine->vendor(&vc, lock, dir, NULL, err);
  if (rc == 0 && xr_buf_adds(out, dir))
    rc = xr_fail(err, XR_ENOMEM, "out of memory");
out:
  free(dl);
  free(owned[0]);
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
  struct xr_buf want = XR_BUF_INIT, have = XR_BUF_INIT, tmp = XR_BUF_INIT;
  char block[4096];
  FILE *f;
  size_t n;
  int rc = 0;

  if (!*file)
    return xr_fail(err, XR_EUSAGE, "rust-filechk: missing file name");
  if (xr_buf_printf(&want, "%s\n", text) ||
      xr_buf_printf(&tmp, "%s.tmp.%ld", file, (long)getpid())) {
    rc = xr_fail(err, XR_ENOMEM, "out of memory");
    goto out;
  }
  f = fopen(file, "rb");
  if (f) {
    for (;;) {
      n = fread(block, 1, sizeof(block), f);
      if (n == 0 || xr_buf_add(&have, block, n))
        break;
    }
    fclose(f);
    if (have.len == want.len && !memcmp(xr_buf_str(&have),
                                        xr_buf_str(&want), want.len))
      goto out;
  }
  f = fopen(xr_buf_str(&tmp), "wb");
  if (!f || fwrite(want.data, 1, want.len, f) != want.len) {
    rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", xr_buf_str(&tmp),
                 strerror(errno));
    if (f)
      fclose(f);
    unlink(xr_buf_str(&tmp));
    goto out;
  }
  if (fclose(f) != 0 || rename(xr_buf_str(&tmp), file) != 0) {
    rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", file,
                 strerror(errno));
    unlink(xr_buf_str(&tmp));
    goto out;
  }
  if (xr_buf_adds(out, "changed"))
    rc = xr_fail(err, XR_ENOMEM, "out of memory");
out:
  xr_buf_release(&want);
  xr_buf_release(&have);
  xr_buf_release(&tmp);
  return rc;
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
  { "rust-toolchain", 1, 2, fn_toolchain },
  { "rust-crate", 1, 2, fn_crate },
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
